"""/export through Flask's test client: whole dataset, one graph, a CONSTRUCT result, streamed."""

from __future__ import annotations

import json
import threading

import pyoxigraph as ox
import pytest

from scrkg.graph.store import MemoryStore
from scrkg.ontology import SCR
from scrkg.web import create_app, exports

ID = "https://w3id.org/scrkg/id/"
G1 = ID + "graph/one"
G2 = ID + "graph/two"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CHILD = ox.NamedNode(SCR + "Child")
FORMATS = {
    "trig": ("application/trig", ox.RdfFormat.TRIG, "trig"),
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE, "ttl"),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES, "nt"),
    "nquads": ("application/n-quads", ox.RdfFormat.N_QUADS, "nq"),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD, "jsonld"),
}


def children(graph: str, first: int, count: int) -> list[ox.Triple]:
    triples = []
    for n in range(first, first + count):
        child = ox.NamedNode(f"{ID}child/{n}")
        triples += [
            ox.Triple(child, TYPE, CHILD),
            ox.Triple(child, LABEL, ox.Literal(f"Child {n} in {graph}")),
        ]
    return triples


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    store.replace_graphs({G1: children(G1, 0, 3), G2: children(G2, 3, 2)})
    return store


def all_quads(store) -> set[ox.Quad]:
    return set(store.quads())


def test_export_route_whole_dataset_defaults_to_trig(client, store):
    response = client.get("/export")
    assert response.status_code == 200
    assert response.mimetype == "application/trig"
    assert response.headers["Content-Disposition"] == "attachment; filename=scrkg.trig"
    assert set(ox.parse(response.data, ox.RdfFormat.TRIG)) == all_quads(store)
    assert len(all_quads(store)) == 10


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_route_every_format_by_parameter_and_by_accept(client, store, fmt):
    media_type, rdf_format, extension = FORMATS[fmt]
    by_name = client.get("/export", query_string={"format": fmt})
    by_accept = client.get("/export", headers={"Accept": media_type})
    for response in (by_name, by_accept):
        assert response.status_code == 200
        assert response.mimetype == media_type
        assert response.headers["Content-Disposition"].endswith(f"filename=scrkg.{extension}")
        parsed = set(ox.parse(response.data, rdf_format))
        if rdf_format.supports_datasets:
            assert parsed == all_quads(store)  # graph names kept
        else:
            assert {q.triple for q in parsed} == {q.triple for q in all_quads(store)}


def test_export_route_one_named_graph(client, store):
    response = client.get("/export", query_string={"graph": G2, "format": "nquads"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=scrkg-two.nq"
    quads = set(ox.parse(response.data, ox.RdfFormat.N_QUADS))
    assert quads == set(store.quads(G2))
    assert {q.graph_name.value for q in quads} == {G2}


def test_export_route_unknown_or_bad_graph(client):
    missing = client.get("/export", query_string={"graph": ID + "graph/none"})
    assert missing.status_code == 404
    assert "no named graph" in missing.get_data(as_text=True)
    assert client.get("/export", query_string={"graph": "not an iri"}).status_code == 400


def test_export_route_construct_result(client):
    query = (
        "CONSTRUCT { ?c rdfs:label ?l } "
        "WHERE { ?c a scr:Child ; rdfs:label ?l FILTER(CONTAINS(?l, 'one')) }"
    )
    response = client.get("/export", query_string={"query": query})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert response.headers["Content-Disposition"] == "attachment; filename=scrkg-query.ttl"
    triples = {q.triple for q in ox.parse(response.data, ox.RdfFormat.TURTLE)}
    assert len(triples) == 3
    assert all(t.predicate == LABEL for t in triples)
    jsonld = client.get("/export", query_string={"query": query, "format": "jsonld"})
    assert jsonld.mimetype == "application/ld+json"
    assert len(json.loads(jsonld.data)) == 3
    posted = client.post("/export", data={"query": query, "format": "jsonld"})
    assert posted.status_code == 405  # the site only reads; POST is for /sparql alone


def test_export_route_query_goes_through_the_gateway(client):
    service = client.get(
        "/export",
        query_string={
            "query": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
        },
    )
    assert service.status_code == 400
    assert "SERVICE is refused" in service.get_data(as_text=True)
    update = client.get("/export", query_string={"query": "DROP ALL"})
    assert update.status_code == 400
    select = client.get("/export", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert select.status_code == 400
    assert "CONSTRUCT or DESCRIBE" in select.get_data(as_text=True)
    syntax = client.get("/export", query_string={"query": "CONSTRUCT {"})
    assert syntax.status_code == 400
    assert "Syntax error" in syntax.get_data(as_text=True)


def test_export_route_refuses_what_it_cannot_do(client):
    both = client.get(
        "/export", query_string={"graph": G1, "query": "CONSTRUCT WHERE { ?s ?p ?o }"}
    )
    assert both.status_code == 400
    assert client.get("/export", query_string={"format": "rdfxml"}).status_code == 406
    assert client.get("/export", headers={"Accept": "application/rdf+xml"}).status_code == 406


def test_export_route_is_streamed_in_chunks(monkeypatch):
    """A large export arrives as several chunks, not one body built in memory."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 4096)
    store = MemoryStore()
    store.replace_graph(G1, children(G1, 0, 2000))
    client = create_app({"STORE": store, "TESTING": True}).test_client()
    response = client.get("/export", query_string={"format": "nquads"}, buffered=False)
    assert response.is_streamed
    chunks = list(response.response)
    assert len(chunks) > 10
    assert all(len(chunk) < 2 * 4096 + 1024 for chunk in chunks)
    assert len(list(ox.parse(b"".join(chunks), ox.RdfFormat.N_QUADS))) == 4000
    response.close()


def test_export_route_client_going_away_stops_the_writer(monkeypatch):
    """Closing the response part-way ends the writer thread instead of leaving it blocked."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1024)
    monkeypatch.setattr(exports, "QUEUED_CHUNKS", 2)
    store = MemoryStore()
    store.replace_graph(G1, children(G1, 0, 5000))
    client = create_app({"STORE": store, "TESTING": True}).test_client()
    response = client.get("/export", query_string={"format": "ntriples"}, buffered=False)
    iterator = iter(response.response)
    next(iterator)
    response.close()
    writers = [t for t in threading.enumerate() if t.name == "scrkg-export"]
    for thread in writers:
        thread.join(timeout=5)
    assert not any(t.is_alive() for t in writers)


def test_export_route_stream_raises_the_writers_error():
    def failing(output):
        output.write(b"x" * 10)
        raise OSError("disk on fire")

    with pytest.raises(OSError, match="disk on fire"):
        list(exports.stream(failing))
