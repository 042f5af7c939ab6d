"""/sparql and the query gateway, through Flask's test client, over a small two-graph dataset."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from served import Listener

from scrkg.graph.gateway import (
    QueryRefused,
    QuerySyntaxError,
    check_query,
    run_query,
)
from scrkg.graph.store import MemoryStore
from scrkg.ontology import SCR
from scrkg.web import create_app

ID = "https://w3id.org/scrkg/id/"
G1 = ID + "graph/one"
G2 = ID + "graph/two"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

CHILDREN = "SELECT ?c ?label WHERE { ?c a scr:Child ; rdfs:label ?label } ORDER BY ?c"
CONSTRUCT = "CONSTRUCT { ?c rdfs:label ?label } WHERE { ?c a scr:Child ; rdfs:label ?label }"

SOLUTION_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _triple(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o)


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    store.replace_graphs(
        {
            G1: [
                _triple(ID + "child/A", RDF_TYPE, ox.NamedNode(SCR + "Child")),
                _triple(ID + "child/A", LABEL, ox.Literal("Child A")),
                _triple(ID + "child/B", RDF_TYPE, ox.NamedNode(SCR + "Child")),
                _triple(ID + "child/B", LABEL, ox.Literal("Enfant B", language="fr")),
            ],
            G2: [
                _triple(ID + "child/C", RDF_TYPE, ox.NamedNode(SCR + "Child")),
                _triple(ID + "child/C", LABEL, ox.Literal('Child "C", with\ttab')),
            ],
        }
    )
    return store


def rows(body: bytes, fmt: ox.QueryResultsFormat) -> list[tuple[str, ...]]:
    if fmt == ox.QueryResultsFormat.CSV:  # lossy by design, so pyoxigraph does not parse it
        return [tuple(row) for row in csv.reader(io.StringIO(body.decode("utf-8")))][1:]
    results = ox.parse_query_results(body, fmt)
    names = [v.value for v in results.variables]
    return [tuple(solution[name].value for name in names) for solution in results]


def expected_rows(store) -> list[tuple[str, ...]]:
    return [(s["c"].value, s["label"].value) for s in store.query(CHILDREN)]


def quads_of(store) -> list[str]:
    return sorted(map(str, store.quads()))


# -- the three ways of sending a query ---------------------------------------------------------


def test_sparql_get_post_form_and_post_direct_give_the_same_rows(client, store):
    get = client.get("/sparql", query_string={"query": CHILDREN})
    form = client.post("/sparql", data={"query": CHILDREN})
    direct = client.post("/sparql", data=CHILDREN, content_type="application/sparql-query")
    for response in (get, form, direct):
        assert response.status_code == 200
        assert response.mimetype == "application/sparql-results+json"
        assert rows(response.data, ox.QueryResultsFormat.JSON) == expected_rows(store)
    assert len(expected_rows(store)) == 3


def test_sparql_predefined_prefixes_need_no_declaration(client):
    response = client.get("/sparql", query_string={"query": "ASK { ?c a scr:Child }"})
    assert response.status_code == 200
    assert bool(ox.parse_query_results(response.data, ox.QueryResultsFormat.JSON)) is True


# -- content negotiation -------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", SOLUTION_TYPES)
def test_sparql_select_in_every_results_format(client, store, media_type):
    response = client.get(
        "/sparql", query_string={"query": CHILDREN}, headers={"Accept": media_type}
    )
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.headers["Vary"]
    assert rows(response.data, SOLUTION_TYPES[media_type]) == expected_rows(store)


@pytest.mark.parametrize(
    "media_type", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_sparql_ask_in_json_and_xml(client, media_type):
    for query, expected in (("ASK { ?c a scr:Child }", True), ("ASK { ?c a scr:Agency }", False)):
        response = client.get(
            "/sparql", query_string={"query": query}, headers={"Accept": media_type}
        )
        assert response.mimetype == media_type
        assert bool(ox.parse_query_results(response.data, SOLUTION_TYPES[media_type])) is expected


@pytest.mark.parametrize("media_type", GRAPH_TYPES)
def test_sparql_construct_in_every_rdf_format(client, store, media_type):
    response = client.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    got = {q.triple for q in ox.parse(response.data, GRAPH_TYPES[media_type])}
    assert got == set(store.query(CONSTRUCT))
    assert len(got) == 3


def test_sparql_describe_is_a_graph(client):
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{ID}child/A>"})
    assert response.mimetype == "text/turtle"
    triples = list(ox.parse(response.data, ox.RdfFormat.TURTLE))
    assert {t.subject.value for t in triples} == {ID + "child/A"}


def test_sparql_accept_q_values_pick_the_highest(client):
    accept = (
        "application/sparql-results+json;q=0.2, text/csv;q=0.9, "
        "application/sparql-results+xml;q=0.5"
    )
    response = client.get("/sparql", query_string={"query": CHILDREN}, headers={"Accept": accept})
    assert response.mimetype == "text/csv"
    response = client.get(
        "/sparql",
        query_string={"query": CHILDREN},
        headers={"Accept": "text/csv;q=0, text/*;q=0.5"},
    )
    assert response.mimetype == "text/tab-separated-values"


def test_sparql_wildcard_and_missing_accept_give_the_defaults(client):
    for headers in ({}, {"Accept": "*/*"}):
        select = client.get("/sparql", query_string={"query": CHILDREN}, headers=headers)
        construct = client.get("/sparql", query_string={"query": CONSTRUCT}, headers=headers)
        assert select.mimetype == "application/sparql-results+json"
        assert construct.mimetype == "text/turtle"


def test_sparql_format_parameter_overrides_accept(client):
    def ask(query, fmt):
        return client.get(
            "/sparql", query_string={"query": query, "format": fmt}, headers={"Accept": "text/csv"}
        )

    assert ask(CHILDREN, "xml").mimetype == "application/sparql-results+xml"
    assert ask(CHILDREN, "tsv").mimetype == "text/tab-separated-values"
    assert (
        ask(CHILDREN, "application/sparql-results+json").mimetype
        == "application/sparql-results+json"
    )
    # SPARQLWrapper's short names mean the graph format for CONSTRUCT
    assert ask(CONSTRUCT, "json").mimetype == "application/ld+json"
    assert ask(CONSTRUCT, "xml").mimetype == "application/rdf+xml"
    assert ask(CONSTRUCT, "turtle").mimetype == "text/turtle"


def test_sparql_406_when_nothing_acceptable(client):
    cases = [
        (CHILDREN, {"Accept": "text/turtle"}, {}),
        (CONSTRUCT, {"Accept": "text/csv"}, {}),
        (CONSTRUCT, {}, {"format": "csv"}),
        (CHILDREN, {}, {"format": "bogus"}),
    ]
    for query, headers, extra in cases:
        response = client.get("/sparql", query_string={"query": query, **extra}, headers=headers)
        assert response.status_code == 406, (query, headers, extra)
        assert response.mimetype == "text/plain"
        assert "application/" in response.get_data(as_text=True)  # lists what is available


# -- errors and refusals -------------------------------------------------------------------------


def test_sparql_bad_query_gets_400_with_the_position(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE {\n  ?x a \n"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert re.match(r"Syntax error at line [23], column \d+", text), text
    assert text.rstrip().endswith("^")  # the line, with a caret under the column


def test_sparql_unknown_prefix_is_a_bad_query(client):
    response = client.get("/sparql", query_string={"query": "SELECT * { ?x a nope:Thing }"})
    assert response.status_code == 400
    assert "nope" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(
            lambda c: c.get("/sparql", query_string={"update": "CLEAR ALL"}), id="get-update"
        ),
        pytest.param(lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}), id="form-update"),
        pytest.param(
            lambda c: c.post("/sparql", data="CLEAR ALL", content_type="application/sparql-update"),
            id="direct-update",
        ),
        pytest.param(
            lambda c: c.post("/sparql", data={"query": "CLEAR ALL"}), id="update-as-query"
        ),
        pytest.param(
            lambda c: c.get(
                "/sparql",
                query_string={"query": "DROP GRAPH <https://w3id.org/scrkg/id/graph/one>"},
            ),
            id="drop-as-query",
        ),
        pytest.param(
            lambda c: c.get("/sparql", query_string={"query": "LOAD <http://127.0.0.1:9/x.ttl>"}),
            id="load",
        ),
        pytest.param(
            lambda c: c.post(
                "/sparql",
                data="INSERT DATA { <http://a> <http://b> <http://c> }",
                content_type="application/sparql-query",
            ),
            id="insert-as-direct-query",
        ),
    ],
)
def test_sparql_updates_are_refused_and_change_nothing(client, store, send):
    before = quads_of(store)
    response = send(client)
    assert response.status_code in (400, 415)
    assert response.mimetype == "text/plain"
    assert "read-only" in response.get_data(as_text=True)
    assert quads_of(store) == before


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { service silent <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERV\\u0049CE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "SELECT * { ?a ?b ?c FILTER EXISTS { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
        "ASK { { SELECT * { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } } }",
        "CONSTRUCT { ?s ?p ?o } { OPTIONAL { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    ],
)
def test_sparql_service_is_refused_and_nothing_is_contacted(client, query):
    with Listener() as listener:
        response = client.get(
            "/sparql", query_string={"query": query.replace("{port}", str(listener.port))}
        )
    assert response.status_code == 400
    assert "SERVICE is refused" in response.get_data(as_text=True)
    assert listener.connections == 0


def test_listener_sees_a_service_call_that_bypasses_the_gateway():
    """The listener used above does notice pyoxigraph calling out when nothing stops it."""
    with Listener() as listener, pytest.raises(OSError):
        list(
            ox.Store().query(
                f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}"
            )
        )
    assert listener.connections >= 1


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM <https://w3id.org/scrkg/id/graph/one> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <https://w3id.org/scrkg/id/graph/one> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "ASK FROM <file:///etc/passwd> { ?s ?p ?o }",
    ],
)
def test_sparql_from_and_from_named_are_refused(client, query):
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert "FROM and FROM NAMED are refused" in response.get_data(as_text=True)


def test_sparql_protocol_request_errors(client):
    assert client.get("/sparql", query_string={"query": ["ASK {}", "ASK {}"]}).status_code == 400
    assert client.get("/sparql", query_string={"format": "json"}).status_code == 400
    assert client.post("/sparql", data="ASK {}", content_type="text/plain").status_code == 415
    assert client.post("/sparql", data=b"ASK {}").status_code == 415
    non_utf8 = client.post(
        "/sparql",
        data="ASK {}".encode("utf-16"),
        content_type="application/sparql-query; charset=UTF-16",
    )
    assert non_utf8.status_code == 415
    invalid = client.post("/sparql", data=b"ASK { \xff }", content_type="application/sparql-query")
    assert invalid.status_code == 400
    assert "UTF-8" in invalid.get_data(as_text=True)
    put = client.put("/sparql", query_string={"query": "ASK {}"})
    assert put.status_code == 405
    assert "GET" in put.headers["Allow"]


def test_sparql_head_is_answered_like_get(client):
    head = client.head("/sparql", query_string={"query": CHILDREN})
    assert head.status_code == 200
    assert head.mimetype == "application/sparql-results+json"
    assert head.data == b""


def test_sparql_browser_without_query_goes_to_the_query_page(client):
    response = client.get(
        "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 303
    assert response.location.endswith("/query")


# -- the protocol's dataset parameters -----------------------------------------------------


def test_sparql_default_graph_uri_limits_the_default_graph(client):
    query = "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?c a scr:Child }"

    def count(**params):
        response = client.get("/sparql", query_string={"query": query, **params})
        assert response.status_code == 200
        return int(rows(response.data, ox.QueryResultsFormat.JSON)[0][0])

    assert count() == 3  # the union of all graphs
    assert count(**{"default-graph-uri": G1}) == 2
    assert count(**{"default-graph-uri": [G1, G2]}) == 3
    assert count(**{"default-graph-uri": ID + "graph/absent"}) == 0  # never fetched
    assert count(**{"named-graph-uri": G2}) == 0  # only named graphs given: empty default graph


def test_sparql_named_graph_uri_limits_graph_patterns(client):
    query = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    response = client.get("/sparql", query_string={"query": query, "named-graph-uri": G2})
    assert rows(response.data, ox.QueryResultsFormat.JSON) == [(G2,)]
    bad = client.get("/sparql", query_string={"query": query, "named-graph-uri": "not an iri"})
    assert bad.status_code == 400


def test_sparql_relative_iris_resolve_against_the_endpoint(store):
    app = create_app({"STORE": store, "SCRKG_ALLOWED_HOSTS": "scrkg.test"})
    response = app.test_client().get(
        "/sparql",
        query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}", "format": "ntriples"},
        base_url="http://scrkg.test",
    )
    assert response.get_data(as_text=True).startswith(
        "<http://scrkg.test/s> <http://scrkg.test/p> "
    )


# -- the gateway itself ---------------------------------------------------------------------


def test_gateway_check_query_passes_queries_and_refuses_the_rest():
    check_query("SELECT ?c WHERE { ?c a scr:Child } LIMIT 3")
    check_query("CONSTRUCT WHERE { ?s ?p ?o }")
    check_query("SELECT * { ?s ?p 'SERVICE <http://x> { }' }")  # the word in a string is fine
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_query("SELECT * { SERV\\u0049CE <http://x> { ?s ?p ?o } }")
    with pytest.raises(QueryRefused, match="read-only"):
        check_query("LOAD <http://x>")
    with pytest.raises(QueryRefused, match="FROM"):
        check_query("DESCRIBE ?s FROM <http://x> WHERE { ?s ?p ?o }")
    with pytest.raises(QuerySyntaxError, match="empty"):
        check_query("  ")
    with pytest.raises(QuerySyntaxError, match="line 1, column 6"):
        check_query("ASK {")
    with pytest.raises(QueryRefused, match="nested too deeply"):
        check_query("ASK " + "{" * 3000 + "}" * 3000)


def test_gateway_run_query_dataset_lists(store):
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    assert int(next(iter(run_query(store, query)))["n"].value) == 6
    assert int(next(iter(run_query(store, query, default_graph=[G2])))["n"].value) == 2
    assert int(next(iter(run_query(store, query, named_graphs=[G1, G2])))["n"].value) == 0
    with pytest.raises(QueryRefused, match="not a valid graph IRI"):
        run_query(store, query, default_graph=["a b"])


def test_sparql_query_text_reaches_the_store_unchanged(client):
    """Percent-encoded and non-ASCII query text arrives intact (no double decoding)."""
    query = 'SELECT ("50% é \\"q\\"" AS ?x) {}'
    response = client.get("/sparql?query=" + quote(query))
    assert rows(response.data, ox.QueryResultsFormat.JSON) == [('50% é "q"',)]
