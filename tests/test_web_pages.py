"""The site's pages (dashboard, query page, explorer, ontology) and the explorer's JSON APIs,
through Flask's test client: routes, content, escaping, the APIs' JSON shape and caps."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from scrkg.graph import charts, memo, neighbours
from scrkg.graph.figures import Figure
from scrkg.graph.store import MemoryStore
from scrkg.ontology import DEFAULT_BASE, PREFIXES, SCR, SCRC
from scrkg.web import create_app

ID = DEFAULT_BASE
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]
PROV = PREFIXES["prov"]
DCTERMS = PREFIXES["dcterms"]
XSD = PREFIXES["xsd"]
GRAPH = ID + "graph/test-cohort"
SCRIPT = "<script>alert('x')</script>"
HUB_CHILDREN = 45  # children with the risk factor scrc:domestic-abuse: more than two pages


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def lit(text: str, datatype: str | None = None) -> ox.Literal:
    return ox.Literal(text, datatype=n(datatype)) if datatype else ox.Literal(text)


def t(s: str, p: str, o: ox.NamedNode | ox.Literal | str) -> ox.Triple:
    return ox.Triple(n(s), n(p), n(o) if isinstance(o, str) else o)


def small_graph() -> list[ox.Triple]:
    """A tiny cohort after docs/data-model.md: one review whose label tries to run script, one
    child with a quoted statement, a hub risk factor, a lesson and the concepts they use."""
    review, child = ID + "review/R1", ID + "child/C1"
    doc = ID + "document/d1"
    triples = [
        t(GRAPH, RDF + "type", SCR + "SourceGraph"),
        t(GRAPH, DCTERMS + "title", lit("Test cohort")),
        t(GRAPH, SCR + "isSynthetic", lit("true", XSD + "boolean")),
        t(review, RDF + "type", SCR + "SeriousCaseReview"),
        t(review, RDFS + "label", lit("Review " + SCRIPT)),
        t(review, SCR + "isSynthetic", lit("true", XSD + "boolean")),
        t(review, SCR + "qualityGrade", SCRC + "good"),
        t(review, SCR + "concernsChild", child),
        t(review, SCR + "identifiesLesson", ID + "lesson/R1/1"),
        t(review, SCR + "involvedAgency", ID + "agency/R1/police"),
        t(ID + "agency/R1/police", RDF + "type", SCR + "Agency"),
        t(ID + "agency/R1/police", RDFS + "label", lit("Police (review R1)")),
        t(ID + "agency/R1/police", SCR + "agencyType", SCRC + "police"),
        t(ID + "lesson/R1/1", RDF + "type", SCR + "Lesson"),
        t(ID + "lesson/R1/1", RDFS + "label", lit("Information was not shared")),
        t(ID + "lesson/R1/1", SCR + "lessonTheme", SCRC + "information-sharing-adult-services"),
        t(child, RDF + "type", SCR + "Child"),
        t(child, RDFS + "label", lit("Child C1")),
        t(child, SCR + "isSynthetic", lit("true", XSD + "boolean")),
        t(child, SCR + "outcome", SCRC + "died"),
        t(child, SCR + "socialCareStatus", SCRC + "child-protection-plan"),
        t(child, SCR + "maltreatment", SCRC + "neglect"),
        t(child, SCR + "hasRiskFactor", SCRC + "domestic-abuse"),
        t(child, SCR + "hasRiskFactor", SCRC + "script-factor"),
        # The statement behind review -concernsChild-> child, with its quote.
        t(ID + "statement/s1", RDF + "type", RDF + "Statement"),
        t(ID + "statement/s1", RDF + "subject", review),
        t(ID + "statement/s1", RDF + "predicate", SCR + "concernsChild"),
        t(ID + "statement/s1", RDF + "object", child),
        t(ID + "statement/s1", SCR + "quote", lit("The review concerned one child <b>here</b>.")),
        t(ID + "statement/s1", PROV + "wasDerivedFrom", doc),
        t(doc, RDFS + "label", lit("A source document")),
    ]
    for i in range(2, HUB_CHILDREN + 1):
        other = f"{ID}child/C{i}"
        triples += [
            t(other, RDF + "type", SCR + "Child"),
            t(other, RDFS + "label", lit(f"Child C{i:02d}")),
            t(other, SCR + "isSynthetic", lit("true", XSD + "boolean")),
            t(other, SCR + "outcome", SCRC + "serious-harm"),
            t(other, SCR + "hasRiskFactor", SCRC + "domestic-abuse"),
        ]
    return triples


def concepts() -> list[ox.Triple]:
    out = []
    for scheme, codes in {
        "risk-factors": ["toxic-trio", "domestic-abuse", "script-factor"],
        "outcomes": ["died", "serious-harm"],
        "quality-grades": ["good", "adequate"],
        "maltreatment-types": ["neglect"],
        "social-care-statuses": ["child-protection-plan"],
        "agency-types": ["police"],
        "lesson-themes": ["information-sharing-adult-services"],
    }.items():
        out.append(t(SCRC + scheme, RDF + "type", SKOS + "ConceptScheme"))
        for code in codes:
            label = "script factor " + SCRIPT if code == "script-factor" else code.replace("-", " ")
            out += [
                t(SCRC + code, RDF + "type", SKOS + "Concept"),
                t(SCRC + code, SKOS + "prefLabel", lit(label)),
                t(SCRC + code, SKOS + "inScheme", SCRC + scheme),
            ]
    out.append(t(SCRC + "domestic-abuse", SKOS + "broader", SCRC + "toxic-trio"))
    out.append(t(SCR + "concernsChild", RDFS + "label", lit("concerns child")))
    out.append(t(SCR + "SeriousCaseReview", RDFS + "subClassOf", SCR + "CaseReview"))
    return out


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    store.replace_graphs(
        {GRAPH: small_graph(), "https://w3id.org/scrkg/def": concepts()},
    )
    return store


def q(iri: str) -> str:
    return quote(iri, safe="")


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------

PAGES = ["/", "/query", "/explore", "/ontology"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_with_the_layout(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for link in (
        'href="/"',
        'href="/query"',
        'href="/explore"',
        'href="/ontology"',
        'href="/sparql"',
    ):
        assert link in html
    assert "Contains synthetic records." in html  # the test cohort is synthetic


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_another_origin_and_run_no_inline_script(client, path):
    html = client.get(path).get_data(as_text=True)
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", html)
    # Scripts come from /static only; data blocks are JSON, which browsers do not run.
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html and "<style" not in html and " on" + "click=" not in html


def test_labels_with_markup_are_shown_as_text(client):
    for path in ["/", "/explore", "/explore?q=review", "/ontology"]:
        html = client.get(path).get_data(as_text=True)
        assert SCRIPT not in html, path
    assert "&lt;script&gt;" in client.get("/explore?q=review").get_data(as_text=True)
    assert "&lt;script&gt;" in client.get("/").get_data(as_text=True)  # the risk factor chart
    # The JSON APIs carry the text as it is; the pages put it into the DOM as text.
    found = client.get("/api/labels?q=" + q("<script>")).get_json()["results"]
    assert [r["label"] for r in found] == ["Review " + SCRIPT, "script factor " + SCRIPT]


def test_bidi_controls_in_labels_are_shown_not_obeyed(store):
    store.replace_graph(
        ID + "graph/bidi",
        [
            t(ID + "lesson/B1", RDF + "type", SCR + "Lesson"),
            t(ID + "lesson/B1", RDFS + "label", lit("\u202eevil\u202c lesson")),
            t(ID + "lesson/B1", SCR + "lessonTheme", SCRC + "information-sharing-adult-services"),
        ],
    )
    client = create_app({"STORE": store}).test_client()
    found = client.get("/api/labels?q=lesson").get_json()["results"]
    assert found[0]["label"] == "[U+202E]evil[U+202C] lesson"
    assert "\u202e" not in found[0]["title"]
    html = client.get("/explore?q=lesson").get_data(as_text=True)
    assert "[U+202E]evil[U+202C] lesson" in html and "\u202e" not in html


def test_page_data_json_cannot_close_its_script_element(client):
    html = client.get("/query?query=" + q("SELECT * { ?s ?p '</script><b>' }")).get_data(
        as_text=True
    )
    block = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert block is not None and "<" not in block.group(1)
    assert "&lt;/script&gt;&lt;b&gt;" in html  # the query text in the editor, escaped


def test_dashboard_shows_figures_with_a_marker_where_they_differ(client, monkeypatch):
    figures = [
        Figure(SCRC + "children-died", "Children who died", "count", Decimal(90), Decimal(90)),
        Figure(
            SCRC + "reviews-graded-good-percent",
            "Reviews judged good",
            "percent",
            Decimal(42),
            Decimal("41.5"),
        ),
    ]
    monkeypatch.setattr(charts, "published_figures", lambda store: figures)
    monkeypatch.setattr(charts, "_has_figures_query", lambda: True)
    memo.MEMO.clear()
    html = client.get("/").get_data(as_text=True)
    assert "Children who died" in html and "Reviews judged good" in html
    assert html.count("≠ differs") == 1 and html.count("= matches") == 1
    assert "41.5%" in html and "42%" in html
    assert 'href="/query?name=00-published-figures"' in html
    # Each figure opens its records: the figure's name and the computed number link to them.
    assert html.count('href="/records?figure=children-died&amp;period="') == 2
    assert html.count('href="/records?figure=reviews-graded-good-percent&amp;period="') == 2
    memo.MEMO.clear()


def test_dashboard_charts_and_synthetic_counts(client):
    html = client.get("/").get_data(as_text=True)
    for title in [
        "Outcome for the child",
        "Social care status",
        "Quality grade",
        "Maltreatment",
        "risk factors",
        "Lesson themes",
    ]:
        assert title in html
    assert html.count("<svg") >= 6 and "<rect" in html
    assert html.count('href="/query?query=') >= 6  # every chart links to its query
    records = re.search(r'<table class="records">.*?</table>', html, re.S).group(0)
    assert re.search(
        r"synthetic records.*?"
        r'<td class="num"><a href="/records\?figure=reviews&amp;records=synthetic"[^>]*>1</a></td>'
        r'<td class="num"><a href="/records\?figure=children&amp;records=synthetic"[^>]*>45</a>',
        records,
        re.S,
    )


def test_dashboard_counts_are_cached_per_store_version(store):
    memo.MEMO.clear()
    first = charts.dashboard_data(store)
    assert charts.dashboard_data(store) is first
    store.replace_graph(ID + "graph/extra", [t(ID + "child/X", RDF + "type", SCR + "Child")])
    again = charts.dashboard_data(store)
    assert again is not first and again.synthetic.children_source == 1


def test_bundled_dashboard(bundled_client):
    html = bundled_client.get("/").get_data(as_text=True)
    assert "Outcome for the child" in html
    assert re.search(
        r'died</a></th>\s*<td class="bar">.*?'
        r'<td class="num"><a href="/records\?figure=outcomes&amp;value=died"[^>]*>90</a></td>',
        html,
        re.S,
    )
    assert "Contains synthetic records." in html


def test_query_page_has_editor_prefixes_and_links(client):
    html = client.get("/query").get_data(as_text=True)
    assert "/static/vendor/codemirror-5.65.21.js" in html
    assert "/static/vendor/codemirror-5.65.21-mode-sparql.js" in html
    for name, iri in PREFIXES.items():
        assert f"PREFIX {name}: &lt;{iri}&gt;" in html
    assert 'id="permalink"' in html and 'id="show-network"' in html
    for fmt in ["json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld", "rdfxml"]:
        assert f'data-format="{fmt}"' in html


def test_query_page_lists_the_saved_queries(client, monkeypatch):
    from scrkg.graph.saved import SavedQuery
    from scrkg.web import query_page

    saved = SavedQuery("01-counts", "Counts <by> period", "How many", "SELECT * { ?s ?p ?o }")
    monkeypatch.setattr(query_page, "saved_queries", lambda: [saved])
    html = client.get("/query").get_data(as_text=True)
    assert 'href="/query?name=01-counts"' in html and "Counts &lt;by&gt; period" in html
    page = client.get("/query?name=01-counts").get_data(as_text=True)
    assert "SELECT * { ?s ?p ?o }" in page and '"autorun": true' in page


def test_query_page_unknown_saved_query(client):
    response = client.get("/query?name=no-such-query")
    assert response.status_code == 404
    assert "No saved query named" in response.get_data(as_text=True)


def test_query_page_permalink_prefills_and_waits_for_run(client):
    text = "SELECT ?c WHERE { ?c a scr:Child } LIMIT 3"
    html = client.get("/query?query=" + q(text)).get_data(as_text=True)
    assert "SELECT ?c WHERE { ?c a scr:Child } LIMIT 3" in html
    assert '"autorun": false' in html and "has not been run" in html


def test_query_api_fallback_runs_through_the_gateway(client):
    ok = client.get("/api/query?query=" + q("SELECT ?c WHERE { ?c a scr:Child }"))
    assert ok.status_code == 200 and ok.mimetype == "application/sparql-results+json"
    assert len(ok.get_json()["results"]["bindings"]) == HUB_CHILDREN
    refused = client.get("/api/query?query=" + q("DROP ALL"))
    assert refused.status_code == 400 and "read-only" in refused.get_json()["error"]
    assert client.post("/api/query", data={"query": "ASK {}"}).status_code == 405
    service = client.get(
        "/api/query?query=" + q("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    )
    assert service.status_code == 400
    graph = client.get(
        "/api/query?format=turtle&query=" + q("CONSTRUCT WHERE { ?s scr:outcome ?o }")
    )
    assert graph.mimetype == "text/turtle" and "attachment" in graph.headers["Content-Disposition"]


@pytest.mark.slow
def test_ontology_page_lists_classes_properties_and_nested_schemes(bundled_client):
    html = bundled_client.get("/ontology").get_data(as_text=True)
    assert 'href="/def/CaseReview"' in html and "case review" in html
    assert 'href="/def/concernsChild"' in html
    assert 'href="/concept/died"' in html
    # toxic-trio's narrower concepts sit in a list inside its item
    item = re.search(r'href="/concept/toxic-trio".*?</li>', html, re.S).group(0)
    assert 'href="/concept/domestic-abuse"' in item
    assert "Ofsted, Learning lessons from serious case reviews 2009-2010" in html  # a source


def test_ontology_page_falls_back_to_the_package_files():
    html = (
        create_app({"STORE": MemoryStore()}).test_client().get("/ontology").get_data(as_text=True)
    )
    assert "shows the ontology files of the package" in html and 'href="/def/Child"' in html


def test_explore_page(client):
    html = client.get("/explore").get_data(as_text=True)
    assert "/static/vendor/vis-network-9.1.2.min.js" in html
    assert 'id="network"' in html and 'id="search-text"' in html
    data = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert '"kind": "focus"' in data.group(1)  # starts from a review rather than nothing
    for view in ["review", "risk-factor", "agency-type", "whole"]:
        assert f'name="view" value="{view}"' in html
    bad = client.get("/explore?focus=" + q("not an iri")).get_data(as_text=True)
    assert "not an IRI the explorer can show" in bad


def test_vendored_assets_are_served_with_their_licences(client):
    vendor = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor"
    for name in [
        "vis-network-9.1.2.min.js",
        "vis-network-9.1.2.css",
        "codemirror-5.65.21.js",
        "codemirror-5.65.21.css",
        "codemirror-5.65.21-mode-sparql.js",
    ]:
        response = client.get("/static/vendor/" + name)
        assert response.status_code == 200, name
        response.close()
    assert "MIT" in (vendor / "vis-network-9.1.2.LICENSE").read_text(encoding="utf-8")
    assert "MIT" in (vendor / "codemirror-5.65.21.LICENSE").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# APIs
# ---------------------------------------------------------------------------------------------


def test_neighbours_api_groups_by_property_and_direction(client):
    data = client.get("/api/neighbours?iri=" + q(ID + "child/C1")).get_json()
    assert data["node"]["iri"] == ID + "child/C1" and data["node"]["group"] == "child"
    assert data["node"]["url"] == "/id/child/C1"
    groups = {(g["direction"], g["property"]): g for g in data["groups"]}
    assert set(groups) >= {
        ("in", SCR + "concernsChild"),
        ("out", SCR + "hasRiskFactor"),
        ("out", SCR + "outcome"),
    }
    assert not any(g["property"] == RDF + "type" for g in data["groups"])
    review = groups[("in", SCR + "concernsChild")]
    assert review["label"] == "concerns child" and review["total"] == 1 and review["more"] == 0
    item = review["items"][0]
    assert set(item) >= {"iri", "label", "group", "synthetic", "title", "url"}
    assert item["group"] == "review" and item["synthetic"] is True
    assert "Synthetic record" in item["title"] and item["title"].startswith("Review <script>")


def test_neighbours_api_caps_each_group_with_a_more_count(client):
    url = "/api/neighbours?iri=" + q(SCRC + "domestic-abuse")
    group = next(g for g in client.get(url).get_json()["groups"] if g["direction"] == "in")
    assert group["total"] == HUB_CHILDREN and len(group["items"]) == 20 and group["more"] == 25
    pages = [group["items"]]
    for offset, size, more in [(20, 20, 5), (40, 5, 0)]:
        page = client.get(
            f"{url}&property={q(SCR + 'hasRiskFactor')}&direction=in&offset={offset}"
        ).get_json()["groups"]
        assert len(page) == 1
        assert (len(page[0]["items"]), page[0]["more"], page[0]["offset"]) == (size, more, offset)
        pages.append(page[0]["items"])
    seen = [item["iri"] for items in pages for item in items]
    assert len(seen) == len(set(seen)) == HUB_CHILDREN


def hub_pages(client) -> list[str]:
    """The labels of the children with scrc:domestic-abuse, page by page, as the explorer shows
    them."""
    url = "/api/neighbours?iri=" + q(SCRC + "domestic-abuse")
    url += f"&property={q(SCR + 'hasRiskFactor')}&direction=in"
    labels: list[str] = []
    while True:
        group = client.get(f"{url}&offset={len(labels)}").get_json()["groups"][0]
        labels += [item["label"] for item in group["items"]]
        if not group["more"]:
            return labels


@pytest.mark.parametrize("remembered_from", [200, 10])
def test_neighbour_pages_come_in_label_order_and_follow_a_load(
    client, store, monkeypatch, remembered_from
):
    # 45 members: below the size from which a group's member list is remembered, then above it.
    monkeypatch.setattr(neighbours, "REMEMBERED_GROUP_SIZE", remembered_from)
    labels = hub_pages(client)
    assert labels == sorted(labels, key=str.lower) and len(labels) == HUB_CHILDREN
    assert labels[:2] == ["Child C02", "Child C03"]
    key = (
        store.version(),
        f"members in {SCR}hasRiskFactor {SCRC}domestic-abuse",
    )
    # A remembered list sits in its own memo, apart from the dashboard's answers.
    assert (key in neighbours.MEMBER_LISTS) == (remembered_from < HUB_CHILDREN)
    assert key not in memo.MEMO
    # A load that adds a child with the factor is seen at once: no stale remembered list.
    new = ID + "child/C00"
    store.replace_graph(
        ID + "graph/extra",
        [
            t(new, RDF + "type", SCR + "Child"),
            t(new, RDFS + "label", lit("child c00 (lower case)")),
            t(new, SCR + "hasRiskFactor", SCRC + "domestic-abuse"),
        ],
    )
    again = hub_pages(client)
    assert again == ["child c00 (lower case)", *labels]


@pytest.mark.parametrize(
    "query",
    [
        "iri=",
        "iri=" + q("not an iri"),
        "iri=" + q("http://x/a> <b"),
        "iri=" + q(ID + "child/C1") + "&direction=sideways&property=" + q(SCR + "x"),
        "iri=" + q(ID + "child/C1") + "&direction=in",
        "iri=" + q(ID + "child/C1") + "&offset=-1",
        "iri=" + q(ID + "child/C1") + "&offset=many",
    ],
)
def test_neighbours_api_refuses_bad_input(client, query):
    response = client.get("/api/neighbours?" + query)
    assert response.status_code == 400 and response.get_json()["error"]


def test_node_api(client):
    data = client.get("/api/node?iri=" + q(SCRC + "domestic-abuse")).get_json()
    assert data["group"] == "risk-factor" and data["label"] == "domestic abuse"
    assert {
        "property": SCR + "hasRiskFactor",
        "label": "has risk factor",
        "direction": "in",
        "total": HUB_CHILDREN,
    } in data["groups"]


def test_edge_api_gives_the_quote_or_the_source_graph(client):
    quoted = client.get(
        f"/api/edge?s={q(ID + 'review/R1')}&p={q(SCR + 'concernsChild')}&o={q(ID + 'child/C1')}"
    ).get_json()
    assert quoted["statements"][0]["quote"] == "The review concerned one child <b>here</b>."
    assert quoted["statements"][0]["source_label"] == "A source document"
    assert quoted["graphs"] == [
        {"graph": GRAPH, "title": "Test cohort", "synthetic": True, "url": "/id/graph/test-cohort"}
    ]
    bare = client.get(
        f"/api/edge?s={q(ID + 'child/C1')}&p={q(SCR + 'outcome')}&o={q(SCRC + 'died')}"
    ).get_json()
    assert bare["statements"] == [] and bare["graphs"][0]["graph"] == GRAPH
    assert client.get("/api/edge?s=x&p=y&o=z").status_code == 400


@pytest.mark.parametrize(
    "text", ['"', "\\", '") } } SELECT * { ?s ?p ?o', "'''", "\u202e", "x" * 200]
)
def test_search_api_treats_text_as_a_literal(client, text):
    response = client.get("/api/labels?q=" + q(text))
    assert response.status_code == 200 and response.get_json() == {"results": []}


def test_search_api(client):
    results = client.get("/api/labels?q=CHILD%20c1").get_json()["results"]
    assert [r["iri"] for r in results] == [ID + "child/C1"] + [
        f"{ID}child/C{i}" for i in range(10, 20)
    ]
    assert client.get("/api/labels?q=" + "x" * 201).status_code == 400
    assert client.get("/api/labels?q=").get_json() == {"results": []}


def test_view_api_saved_views(client):
    review = client.get("/api/view?view=review&iri=" + q(ID + "review/R1")).get_json()
    iris = {node["iri"] for node in review["nodes"]}
    assert {
        ID + "review/R1",
        ID + "child/C1",
        SCRC + "died",
        ID + "agency/R1/police",
        SCRC + "police",
        SCRC + "information-sharing-adult-services",
    } <= iris
    assert all(e["property"] != RDF + "type" for e in review["edges"])
    risk = client.get("/api/view?view=risk-factor&iri=" + q(SCRC + "toxic-trio")).get_json()
    assert len([n for n in risk["nodes"] if n["group"] == "child"]) == HUB_CHILDREN
    assert {
        "from": ID + "review/R1",
        "to": ID + "child/C1",
        "property": SCR + "concernsChild",
        "label": "concerns child",
    } in risk["edges"]
    agency = client.get("/api/view?view=agency-type&iri=" + q(SCRC + "police")).get_json()
    assert {n["iri"] for n in agency["nodes"]} == {
        SCRC + "police",
        ID + "agency/R1/police",
        ID + "review/R1",
    }
    assert client.get("/api/view?view=nonsense").status_code == 400
    assert client.get("/api/view?view=review&iri=bad").status_code == 400


def test_view_api_whole_graph(client):
    data = client.get("/api/view?view=whole").get_json()
    iris = {node["iri"] for node in data["nodes"]}
    assert ID + "statement/s1" not in iris and GRAPH not in iris
    assert len(iris) == HUB_CHILDREN + 1 + 2 + 9  # children, review, agency, lesson, concepts
    assert data["truncated"] is False


def test_view_api_whole_graph_is_capped(store):
    client = create_app({"STORE": store, "SCRKG_EXPLORE_MAX_NODES": 10}).test_client()
    data = client.get("/api/view?view=whole").get_json()
    assert len(data["nodes"]) <= 10 and data["truncated"] is True and data["message"]


def test_view_api_from_a_query(client):
    select = client.get(
        "/api/view?query=" + q("SELECT ?r ?c WHERE { ?r scr:concernsChild ?c }")
    ).get_json()
    assert {n["iri"] for n in select["nodes"]} == {ID + "review/R1", ID + "child/C1"}
    assert [(e["from"], e["to"]) for e in select["edges"]] == [(ID + "review/R1", ID + "child/C1")]
    construct = client.get(
        "/api/view?query=" + q("CONSTRUCT WHERE { ?c scr:outcome ?o }")
    ).get_json()
    assert len(construct["edges"]) == HUB_CHILDREN
    ask = client.get("/api/view?query=" + q("ASK { ?s ?p ?o }")).get_json()
    assert ask["nodes"] == [] and "ASK" in ask["message"]
    refused = client.get("/api/view?query=" + q("CLEAR ALL"))
    assert refused.status_code == 400 and "read-only" in refused.get_json()["error"]


def test_filter_api(client):
    risk = client.get("/api/filter?kind=risk-factor&iri=" + q(SCRC + "toxic-trio")).get_json()
    assert {ID + "child/C1", ID + "review/R1", ID + "lesson/R1/1", SCRC + "domestic-abuse"} <= set(
        risk["iris"]
    )
    theme = client.get(
        "/api/filter?kind=lesson-theme&iri=" + q(SCRC + "information-sharing-adult-services")
    ).get_json()
    assert set(theme["iris"]) == {
        SCRC + "information-sharing-adult-services",
        ID + "lesson/R1/1",
        ID + "review/R1",
        ID + "child/C1",
        ID + "agency/R1/police",
    }
    assert client.get("/api/filter?kind=colour&iri=" + q(SCRC + "died")).status_code == 400


def test_bundled_neighbours_and_whole_graph(bundled_client, bundled_store):
    died = bundled_client.get("/api/neighbours?iri=" + q(SCRC + "died")).get_json()
    outcome = next(g for g in died["groups"] if g["property"] == SCR + "outcome")
    assert outcome["total"] == 90 and len(outcome["items"]) == 20 and outcome["more"] == 70
    whole = neighbours.whole_graph_view(bundled_store)
    assert 1500 <= len(whole.nodes) <= 3000 and not whole.truncated
    assert len(whole.edges) == len(set(whole.edges))  # links in two graphs are drawn once
    every = {n for s, _, o in whole.edges for n in (s, o)}
    assert every == set(whole.nodes)
    # Capped: reading stops at the cap, and what is drawn is a part of the whole.
    part = neighbours.whole_graph_view(bundled_store, max_nodes=200)
    assert len(part.nodes) <= 200 and part.truncated and "first 200 nodes" in part.message
    assert set(part.nodes) <= set(whole.nodes) and set(part.edges) <= set(whole.edges)
    assert all(s in part.nodes and o in part.nodes for s, _, o in part.edges)
    assert all(node.label for node in part.nodes.values())  # summarised in chunks


def test_resource_paths():
    from scrkg.web.explorer import resource_path

    assert resource_path(ID + "child/Child%201") == "/id/child/Child%25201"
    assert resource_path(SCR + "Child") == "/def/Child"
    assert resource_path(SCRC + "died") == "/concept/died"
    assert resource_path("https://w3id.org/scrkg/def") == "/def"
    assert resource_path("http://www.w3.org/ns/prov#Entity") is None
