"""The W3C SPARQL 1.1 Protocol tests, replayed against /sparql through Flask's test client.

The runner reads tests/conformance/w3c-rdf-tests/sparql/sparql11/protocol/manifest.ttl, loads
each test's data files (``ut:graphData``) into an in-memory store as the named graphs the test
names, sends each ``ht:Request`` it describes (method, path with ``/sparql/`` mapped to
``/sparql``, headers, body in its character encoding) and checks the response against the
manifest's expected status class, result format (boolean / tabular / RDF) and boolean.

Tests that cannot apply to a read-only query service are asserted as refused, never skipped:

* ``update_dataset_default_graph``, ``update_dataset_default_graphs``,
  ``update_dataset_named_graphs``, ``update_dataset_full``, ``update_post_form``,
  ``update_post_direct``, ``update_base_uri``: they expect an update to succeed. /sparql is
  read-only, so the update request must get a 4xx with a message, and the test's follow-up
  ASK must answer false (the store did not change).
* ``query_multiple_dataset``: its query carries ``FROM <...>``, which the query gateway refuses
  (FROM and FROM NAMED are refused, with a message), even though the protocol's
  named-graph-uri parameters would override it. It must get 400 with that message.

The ``bad_update_*`` tests expect a 4xx anyway and run as written. Remote datasets are never
fetched: a default-graph-uri the store lacks is an empty graph (query_get and query_post_form
name such a graph and still answer ASK {} with true).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from scrkg.graph.store import MemoryStore
from scrkg.web import create_app

PROTOCOL = Path(__file__).parent / "conformance/w3c-rdf-tests/sparql/sparql11/protocol"
MANIFEST = PROTOCOL / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

REFUSED_UPDATES = {
    "update_dataset_default_graph",
    "update_dataset_default_graphs",
    "update_dataset_named_graphs",
    "update_dataset_full",
    "update_post_form",
    "update_post_direct",
    "update_base_uri",
}
REFUSED_BY_POLICY = {"query_multiple_dataset": "FROM and FROM NAMED are refused"}

STATUS_CLASSES = {
    HTS.StatusCode2xx: range(200, 300),
    HTS.StatusCode3xx: range(300, 400),
    HTS.StatusCode4xx: range(400, 500),
    HTS.StatusCode5xx: range(500, 600),
}
BOOLEAN_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}
TABULAR_TYPES = {
    **BOOLEAN_TYPES,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


@dataclass
class ProtocolRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: list[range]
    expected_format: str | None
    expected_boolean: bool | None

    @property
    def is_update(self) -> bool:
        content_type = self.headers.get("content-type", "")
        text = (self.body or b"").decode("utf-8", "replace") + self.path
        return content_type.startswith("application/sparql-update") or "update=" in text


@dataclass
class ProtocolTest:
    name: str
    title: str
    graphs: dict[str, Path] = field(default_factory=dict)
    requests: list[ProtocolRequest] = field(default_factory=list)


def read_manifest() -> list[ProtocolTest]:
    graph = Graph()
    graph.parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        test = ProtocolTest(
            name=str(entry).rsplit("#", 1)[-1], title=str(graph.value(entry, MF.name))
        )
        for data in graph.objects(entry, UT.graphData):
            file = Path(str(graph.value(data, UT.graph)).removeprefix("file://"))
            test.graphs[str(graph.value(data, RDFS.label))] = file
        action = graph.value(entry, MF.action)
        for node in Collection(graph, graph.value(action, HT.requests)):
            test.requests.append(_request(graph, node))
        tests.append(test)
    return tests


def _request(graph: Graph, node: URIRef) -> ProtocolRequest:
    headers = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            name = str(graph.value(header, HT.fieldName)).lower()
            headers[name] = str(graph.value(header, HT.fieldValue))
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    boolean = graph.value(response, MF.expectedBoolean)
    expected_format = graph.value(response, MF.expectedFormat)
    return ProtocolRequest(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=headers,
        body=body,
        statuses=[STATUS_CLASSES[s] for s in graph.objects(response, MF.expectedStatus)],
        expected_format=str(expected_format) if expected_format is not None else None,
        expected_boolean=boolean.toPython() if boolean is not None else None,
    )


TESTS = read_manifest()


def test_protocol_manifest_is_read_whole():
    """The runner sees every entry of the manifest, and its refusal lists name real tests."""
    names = {test.name for test in TESTS}
    assert len(TESTS) == 34
    assert names >= REFUSED_UPDATES and set(REFUSED_BY_POLICY) <= names
    expects_update_success = {
        test.name
        for test in TESTS
        if any(r.is_update and range(200, 300) in r.statuses for r in test.requests)
    }
    assert expects_update_success == REFUSED_UPDATES


def replay(client, request: ProtocolRequest):
    path = request.path.replace("/sparql/", "/sparql", 1)
    headers = {name.title(): value for name, value in request.headers.items()}
    return client.open(path, method=request.method, headers=headers, data=request.body)


def store_for(test: ProtocolTest) -> MemoryStore:
    store = MemoryStore()
    store.replace_graphs(
        {
            name: ox.parse(path=str(file), format=ox.RdfFormat.N_TRIPLES)
            for name, file in test.graphs.items()
        }
    )
    return store


def check_response(request: ProtocolRequest, response) -> None:
    assert any(response.status_code in statuses for statuses in request.statuses), (
        response.status_code,
        response.get_data(as_text=True),
    )
    if request.expected_format == "boolean":
        result = ox.parse_query_results(response.data, BOOLEAN_TYPES[response.mimetype])
        assert isinstance(result, ox.QueryBoolean)
        if request.expected_boolean is not None:
            assert bool(result) is request.expected_boolean
    elif request.expected_format == "tabular":
        if response.mimetype == "text/csv":  # lossy by design, so pyoxigraph does not parse it
            lines = response.get_data(as_text=True).splitlines()
            assert lines[0] == "value" and len(lines) == 2
        else:
            result = ox.parse_query_results(response.data, TABULAR_TYPES[response.mimetype])
            assert isinstance(result, ox.QuerySolutions)
            assert list(result)  # SELECT (1 AS ?value) {} has one row
    elif request.expected_format == "RDF":
        list(ox.parse(response.data, RDF_TYPES[response.mimetype]))


@pytest.mark.parametrize("test", TESTS, ids=[test.name for test in TESTS])
def test_protocol(test: ProtocolTest):
    store = store_for(test)
    before = sorted(map(str, store.quads()))
    client = create_app({"STORE": store, "TESTING": True}).test_client()
    if test.name in REFUSED_UPDATES:
        first, *follow_ups = test.requests
        response = replay(client, first)
        assert 400 <= response.status_code < 500
        assert response.mimetype == "text/plain"
        assert "read-only" in response.get_data(as_text=True)
        for request in follow_ups:  # the ASK that would see the update's effect
            answer = replay(client, request)
            assert answer.status_code == 200
            assert (
                bool(ox.parse_query_results(answer.data, BOOLEAN_TYPES[answer.mimetype])) is False
            )
    elif test.name in REFUSED_BY_POLICY:
        (request,) = test.requests
        response = replay(client, request)
        assert response.status_code == 400
        assert REFUSED_BY_POLICY[test.name] in response.get_data(as_text=True)
    else:
        for request in test.requests:
            check_response(request, replay(client, request))
    assert sorted(map(str, store.quads())) == before
