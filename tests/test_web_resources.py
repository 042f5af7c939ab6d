"""Resource pages (/id/..., /def/..., /concept/...) through Flask's test client."""

from __future__ import annotations

import html
import json
import re

import pyoxigraph as ox
import pytest

from scrkg.graph.store import MemoryStore
from scrkg.ontology import ONTOLOGY_IRI, SCR, SCRC
from scrkg.web import create_app

ID = "https://w3id.org/scrkg/id/"
DATA = ID + "graph/cohort"
SOURCE = ID + "graph/press-release"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
QUOTE = "The baby was not known to children's social care & <nobody> asked."


def iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def t(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(iri(s), iri(p), o)


@pytest.fixture
def store() -> MemoryStore:
    review = ID + "review/R1"
    cohort = [
        t(DATA, RDF + "type", iri(SCR + "SourceGraph")),
        t(DATA, DCTERMS + "source", ox.Literal("cohort.csv")),
        t(DATA, SCR + "checksum", ox.Literal("sha256:abc123")),
        t(
            DATA,
            PROV + "generatedAtTime",
            ox.Literal("2024-05-01T10:00:00Z", datatype=iri(XSD + "dateTime")),
        ),
        t(DATA, SCR + "loaderVersion", ox.Literal("0.1.0")),
        t(DATA, SCR + "isSynthetic", ox.Literal(True)),
        t(review, RDF + "type", iri(SCR + "SeriousCaseReview")),
        t(review, RDFS + "label", ox.Literal("Serious case review R1")),
        t(review, SCR + "concernsChild", iri(ID + "child/A")),
        t(review, SCR + "concernsChild", iri(ID + "child/Child%201")),
        t(review, RDFS + "seeAlso", iri("http://example.org/elsewhere")),
        t(ID + "child/A", RDF + "type", iri(SCR + "Child")),
        t(ID + "child/A", RDFS + "label", ox.Literal(HOSTILE)),
        t(ID + "child/A", SCR + "outcome", iri(SCRC + "died")),
        t(ID + "child/A", SCR + "viewsSoughtCount", ox.Literal(1)),
        t(ID + "child/Child%201", RDF + "type", iri(SCR + "Child")),
        t(ID + "child/Child%201", RDFS + "label", ox.Literal("Child 1")),
    ]
    for n in range(60):
        child = ID + f"child/N{n:02d}"
        cohort += [
            t(child, RDF + "type", iri(SCR + "Child")),
            t(child, RDFS + "label", ox.Literal(f"Child N{n:02d}")),
            t(child, SCR + "outcome", iri(SCRC + "died")),
        ]
    statement = ID + "statement/1"
    source = [
        t(SOURCE, DCTERMS + "source", ox.Literal("press-release.txt")),
        t(SOURCE, SCR + "checksum", ox.Literal("sha256:def456")),
        t(statement, RDF + "type", iri(RDF + "Statement")),
        t(statement, RDF + "subject", iri(ID + "child/A")),
        t(statement, RDF + "predicate", iri(SCR + "outcome")),
        t(statement, RDF + "object", iri(SCRC + "died")),
        t(statement, SCR + "quote", ox.Literal(QUOTE)),
        t(statement, PROV + "wasDerivedFrom", iri(ID + "document/press-release")),
        t(ID + "child/A", SCR + "outcome", iri(SCRC + "died")),  # also stated by the source
    ]
    ontology = [
        t(ONTOLOGY_IRI, RDF + "type", iri("http://www.w3.org/2002/07/owl#Ontology")),
        t(ONTOLOGY_IRI, RDFS + "label", ox.Literal("scrkg ontology")),
        t(SCR + "CaseReview", RDF + "type", iri("http://www.w3.org/2002/07/owl#Class")),
        t(SCR + "CaseReview", RDFS + "label", ox.Literal("case review", language="en")),
        t(SCR + "SeriousCaseReview", RDFS + "subClassOf", iri(SCR + "CaseReview")),
        t(SCR + "outcome", RDFS + "label", ox.Literal("outcome")),
        t(SCRC + "died", RDF + "type", iri(SKOS + "Concept")),
        t(SCRC + "died", SKOS + "prefLabel", ox.Literal("died", language="en")),
        t(SCRC + "died", SKOS + "definition", ox.Literal("The child died.", language="en")),
    ]
    store = MemoryStore()
    store.replace_graphs({DATA: cohort, SOURCE: source, ONTOLOGY_IRI: ontology})
    return store


def page(client, path: str, **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def hrefs(text: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', text)]


def test_resource_page_shows_label_types_and_links(client):
    text = page(client, "/id/review/R1")
    assert "Serious case review R1" in text
    assert "/def/SeriousCaseReview" in hrefs(text)  # its type, linked to the ontology page
    assert "/id/child/A" in hrefs(text)  # an outgoing link
    assert "concernsChild" in text
    assert "/explore?focus=https%3A%2F%2Fw3id.org%2Fscrkg%2Fid%2Freview%2FR1" in hrefs(text)


def test_resource_page_shows_foreign_iris_as_text_only(client):
    text = page(client, "/id/review/R1")
    assert "http://example.org/elsewhere" in text
    assert not any("example.org" in h for h in hrefs(text))


def test_resource_page_never_renders_data_as_html(client):
    text = page(client, "/id/child/A")
    assert "<script>" not in text and "<img" not in text
    assert html.escape(HOSTILE, quote=False) in text or "&lt;script&gt;" in text
    assert "&lt;nobody&gt;" in text  # the quote, escaped too


def group_items(text: str, direction: str, prop: str) -> list[str]:
    """The link targets listed in one property group of a page."""
    anchor = f"{direction}-" + prop.replace(":", "%3A").replace("/", "%2F").replace("#", "%23")
    section = text.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<li><a href="([^"]*)"', section)


def test_resource_page_incoming_links_are_paged_by_property(client):
    first = page(client, "/concept/died")
    assert "died" in first and "The child died." in first
    children = group_items(first, "in", SCR + "outcome")
    assert len(children) == 50  # 61 children point at it; a page holds 50
    (next_href,) = [h for h in hrefs(first) if "offset=50" in h]
    assert "dir=in" in next_href
    second = page(client, next_href.split("#")[0])
    rest = group_items(second, "in", SCR + "outcome")
    assert len(rest) == 11
    assert not set(children) & set(rest)
    assert {"/id/child/A", *(f"/id/child/N{n:02d}" for n in range(60))} == {*children, *rest}
    assert any("offset=0" in h for h in hrefs(second))  # and back again


def test_resource_page_size_is_a_setting(store):
    client = create_app({"STORE": store, "TESTING": True, "SCRKG_PAGE_SIZE": 7}).test_client()
    text = page(client, "/concept/died")
    assert len(group_items(text, "in", SCR + "outcome")) == 7


def test_resource_page_provenance_and_synthetic_badge(client):
    text = page(client, "/id/child/A")
    for shown in ("cohort.csv", "sha256:abc123", "2024-05-01T10:00:00Z", "0.1.0", "SYNTHETIC"):
        assert shown in text
    assert "press-release.txt" in text  # the second graph that states something about it
    assert "/id/graph/cohort" in hrefs(text)


HEADING_BADGE = 'title="Generated example data, not a real case">SYNTHETIC'


def test_resource_page_marks_a_synthetic_record_in_its_heading(client):
    assert HEADING_BADGE in page(client, "/id/child/N07")  # stated only by the synthetic graph
    # child A is also stated by the (real) source graph: the graph is marked, the record is not
    both = page(client, "/id/child/A")
    assert HEADING_BADGE not in both and "SYNTHETIC" in both
    # a concept that synthetic records point at is not synthetic itself
    died = page(client, "/concept/died")
    assert HEADING_BADGE not in died
    assert "only links to it" in died and "SYNTHETIC" in died


def test_resource_page_without_synthetic_data_has_no_badge(client):
    text = page(client, "/def/CaseReview")
    assert "case review" in text
    assert "SYNTHETIC" not in text


def test_resource_page_shows_quotes_with_their_source(client):
    text = page(client, "/id/child/A")
    assert html.escape(QUOTE, quote=False) in text.replace("&#39;", "'")
    assert "/id/document/press-release" in hrefs(text)
    died = page(client, "/concept/died")  # the statement's object shows the quote as well
    assert "&lt;nobody&gt;" in died


def test_resource_ontology_terms_and_the_ontology_itself(client):
    assert "case review" in page(client, "/def/CaseReview")
    text = page(client, "/def")
    assert "scrkg ontology" in text


def test_resource_percent_encoded_iri_round_trips(client):
    review = page(client, "/id/review/R1")
    (link,) = [h for h in hrefs(review) if "Child" in h and h.startswith("/id/child/")]
    assert link == "/id/child/Child%25201"  # the IRI's own %20, encoded once more for the URL
    assert "Child 1" in page(client, link)
    # a w3id redirect carries the IRI's path as it is
    assert "Child 1" in page(client, "/id/child/Child%201")


@pytest.mark.parametrize(
    ("accept", "suffix", "fmt"),
    [
        ("text/turtle", ".ttl", ox.RdfFormat.TURTLE),
        ("application/ld+json", ".jsonld", ox.RdfFormat.JSON_LD),
        ("application/n-triples", ".nt", ox.RdfFormat.N_TRIPLES),
    ],
)
def test_resource_as_rdf_by_accept_and_by_suffix(client, store, accept, suffix, fmt):
    by_accept = client.get("/id/child/A", headers={"Accept": accept})
    by_suffix = client.get("/id/child/A" + suffix)
    expected = {
        q.triple
        for q in store.quads()
        if q.subject.value == ID + "child/A" or q.object == iri(ID + "child/A")
    }
    for response in (by_accept, by_suffix):
        assert response.status_code == 200
        assert response.mimetype == accept
        assert {q.triple for q in ox.parse(response.data, fmt)} == expected
    assert "Accept" in by_accept.headers["Vary"]


def test_resource_json_ld_is_json(client):
    response = client.get("/def/CaseReview.jsonld")
    assert response.status_code == 200
    assert any(node.get("@id") == SCR + "CaseReview" for node in json.loads(response.data))
    assert client.get("/def.ttl").status_code == 200


def test_resource_html_page_advertises_its_formats(client):
    response = client.get("/id/child/A", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.mimetype == "text/html"
    assert '</id/child/A.ttl>; rel="alternate"; type="text/turtle"' in response.headers["Link"]
    assert "/id/child/A.jsonld" in hrefs(response.get_data(as_text=True))


def test_resource_unknown_iri_is_404(client):
    for path in ("/id/child/nobody", "/id/child/nobody.ttl", "/concept/nothing", "/def/Nothing"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Not found" in response.get_data(as_text=True)


def test_resource_hostile_path_is_404_not_an_injection(client, store):
    response = client.get("/id/child/A%3E%20%3Fp%20%3Fo%20%7D%20%23")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "&gt;" in text and "A> ?p" not in text


def test_resource_unacceptable_type_is_406(client):
    response = client.get("/id/child/A", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_resource_url_is_a_template_global(client, store):
    app = create_app({"STORE": store, "TESTING": True})
    with app.test_request_context():
        resource_url = app.jinja_env.globals["resource_url"]
        assert resource_url(ID + "child/A") == "/id/child/A"
        assert resource_url(SCR + "CaseReview") == "/def/CaseReview"
        assert resource_url(SCRC + "died") == "/concept/died"
        assert resource_url(ONTOLOGY_IRI) == "/def"
        assert resource_url("http://example.org/x") is None


def test_resource_data_base_is_a_setting(store):
    other = "https://example.org/data/"
    store.replace_graph(
        ID + "graph/other", [t(other + "thing", RDFS + "label", ox.Literal("A thing"))]
    )
    client = create_app({"STORE": store, "TESTING": True, "SCRKG_BASE": other}).test_client()
    assert "A thing" in page(client, "/id/thing")
