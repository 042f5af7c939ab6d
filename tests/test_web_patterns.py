"""The patterns pages and their JSON APIs through Flask's test client: routes, filters, the
numbers (the same as graph/patterns.py gives, on the hand-built dataset of test_patterns.py),
the reviews behind a node or an edge, escaping, and nothing fetched from elsewhere."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
from test_patterns import DA, MH, SI, SM, YP, children_csv

from scrkg.graph import patterns as pt
from scrkg.graph.store import MemoryStore
from scrkg.loader import load_source
from scrkg.ontology import DEFAULT_BASE, PREFIXES, SCRC
from scrkg.web import create_app

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> MemoryStore:
    store = MemoryStore()
    load_source(store, children_csv(tmp_path_factory.mktemp("web") / "children.csv"))
    return store


def page_data(body: str) -> dict:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', body, re.S)
    assert found, "the page carries its data as JSON"
    return json.loads(found.group(1))


def test_overview_lists_the_three_patterns_and_the_measures(client):
    response = client.get("/patterns")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for kind in pt.KINDS:
        assert f'href="/patterns/{kind}"' in body
    assert "lift" in body and "few cases" in body
    assert '<option value="2010-11"' in body  # the periods the store holds


def test_pattern_page_draws_the_network_and_the_tables(client):
    response = client.get("/patterns/risk-factors")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "vis-network-9.1.2.min.js" in body and "patterns.js" in body
    assert 'id="pairs-table"' in body and 'id="items-table"' in body
    assert "<strong>25 children</strong>" in body
    data = page_data(body)
    assert (data["kind"], data["cases"], data["unit"]) == ("risk-factors", 25, "children")
    assert [n["code"] for n in data["nodes"]] == [MH, SI, DA, SM, YP, "child-disability"]
    assert data["nodes"][0]["url"] == "/concept/" + MH
    edges = {(e["a"].rsplit("/", 1)[1], e["b"].rsplit("/", 1)[1]): e for e in data["edges"]}
    assert edges[SI, YP]["lift"] == pytest.approx(2.5) and edges[SI, YP]["associated"]
    assert edges[DA, SM]["few_cases"] and not edges[DA, SM]["associated"]
    # The table rows carry the sort keys and the pair behind each "show" button.
    assert f'data-item="{SCRC}{SI}" data-other="{SCRC}{YP}"' in body
    assert '<td class="num" data-sort="2.5">2.500</td>' in body


def test_filters_are_query_parameters(client):
    body = client.get("/patterns/risk-factors?outcome=serious-harm").get_data(as_text=True)
    data = page_data(body)
    assert data["cases"] == 10 and data["filters"]["outcome"] == "serious-harm"
    assert '<option value="serious-harm" selected>' in body
    assert (
        page_data(client.get("/patterns/risk-factors?period=2010-11").get_data(as_text=True))[
            "cases"
        ]
        == 15
    )
    under1 = client.get("/patterns/risk-factors?age-band=under-1&min-cases=2")
    assert page_data(under1.get_data(as_text=True))["cases"] == 10
    empty = client.get("/patterns/risk-factors?period=2009-10&outcome=serious-harm")
    assert empty.status_code == 200 and "No children match these filters" in empty.get_data(
        as_text=True
    )


def test_bad_filters_answer_400_and_unknown_patterns_404(client):
    for url in (
        "/patterns/risk-factors?outcome=harmed",
        "/patterns/risk-factors?age-band=%3Cb%3E",
        "/patterns/risk-factors?period=2010",
        "/patterns/risk-factors?min-cases=0",
        "/patterns?min-cases=x",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert 'class="error"' in response.get_data(as_text=True)
    assert "&#39;&lt;b&gt;&#39;" in client.get("/patterns/themes?age-band=%3Cb%3E").get_data(
        as_text=True
    )
    assert client.get("/patterns/maltreatment").status_code == 404
    assert client.get("/api/patterns/maltreatment").status_code == 404
    bad = client.get("/api/patterns/agencies?outcome=x")
    assert bad.status_code == 400 and "died, serious-harm" in bad.json["error"]


def test_api_pattern_is_the_library_pattern(client, store):
    data = client.get("/api/patterns/risk-factors?outcome=died").json
    assert data == json.loads(
        json.dumps(
            {
                **pt.co_occurrence(store, "risk-factors", outcome="died").as_json(),
                "items": data["items"],
            }
        )
    )
    assert [i["count"] for i in data["items"]] == [15, 5, 5, 5]
    assert all(i["url"].startswith("/concept/") for i in data["items"])


def test_api_reviews_behind_a_node_and_an_edge(client):
    edge = client.get(
        "/api/patterns/risk-factors/reviews",
        query_string={"item": SCRC + DA, "other": SCRC + MH},
    ).json
    assert (edge["cases"], edge["reviews_total"], edge["truncated"], edge["unit"]) == (
        5,
        5,
        False,
        "children",
    )
    assert [r["url"] for r in edge["reviews"]] == [f"/id/review/R{n:02d}" for n in range(1, 6)]
    assert edge["reviews"][0]["synthetic"] is True
    node = client.get(
        "/api/patterns/risk-factors/reviews",
        query_string={"item": SCRC + DA, "outcome": "serious-harm"},
    ).json
    assert node["cases"] == 2
    missing = client.get("/api/patterns/risk-factors/reviews")
    assert missing.status_code == 400 and "item" in missing.json["error"]
    bad = client.get("/api/patterns/risk-factors/reviews", query_string={"item": "not an iri"})
    assert bad.status_code == 400


def test_labels_are_escaped(tmp_path):
    """A concept label that tries to run script is shown as text in the page, the tables and
    the JSON the network reads."""
    store = MemoryStore()
    load_source(store, children_csv(tmp_path / "children.csv"))
    graph = DEFAULT_BASE + "graph/hostile-labels"
    store.replace_graph(
        graph,
        [
            ox.Triple(
                ox.NamedNode(SCRC + DA),
                ox.NamedNode(PREFIXES["skos"] + "prefLabel"),
                ox.Literal(SCRIPT, language="en"),
            )
        ],
    )
    client = create_app({"STORE": store, "TESTING": True}).test_client()
    body = client.get("/patterns/risk-factors").get_data(as_text=True)
    assert SCRIPT not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in body  # the tables: text
    data = page_data(body)  # and the JSON block carries it as data, "<" written as \u003c
    assert SCRIPT in {n["label"] for n in data["nodes"]}
    assert "<script>alert" not in body.split('id="page-data">', 1)[1].split("</script>", 1)[0]
    api = client.get("/api/patterns/risk-factors").json
    assert api["pairs"][1]["a_label"] == SCRIPT
    assert client.get("/patterns/risk-factors").headers["Content-Type"].startswith("text/html")


def test_nothing_is_fetched_from_another_origin(client):
    for url in ("/patterns", "/patterns/agencies", "/patterns/themes?outcome=died"):
        body = client.get(url).get_data(as_text=True)
        for attribute in re.findall(r'\b(?:src|href|action)="([^"]*)"', body):
            assert not re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", attribute, re.I), (url, attribute)


def test_dashboard_and_navigation_link_to_patterns(client):
    body = client.get("/").get_data(as_text=True)
    assert 'href="/patterns"' in body
    page = client.get("/patterns/themes").get_data(as_text=True)
    assert '<a href="/patterns" aria-current="page">Patterns</a>' in page
