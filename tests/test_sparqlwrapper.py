"""SPARQLWrapper against the real app served by waitress on 127.0.0.1, over the bundled data.

Every answer SPARQLWrapper gets (SELECT and ASK as JSON, XML, CSV, TSV; CONSTRUCT and DESCRIBE
as Turtle, N-Triples, JSON-LD, RDF/XML) is compared with what the store itself answers.
"""

from __future__ import annotations

import csv
import io
import threading
import xml.dom.minidom

import pyoxigraph as ox
import pytest
import rdflib
import waitress
from rdflib.compare import isomorphic
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from scrkg.web import create_app

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

SELECT = """SELECT ?s ?p ?o WHERE {
  ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o))
} ORDER BY ?s ?p ?o LIMIT 400"""
CONSTRUCT = """CONSTRUCT { ?review scr:concernsChild ?child . ?child ?p ?o }
WHERE { ?review scr:concernsChild ?child . ?child ?p ?o }"""
DESCRIBE = "DESCRIBE ?review WHERE { ?review scr:concernsChild ?child } ORDER BY ?review LIMIT 1"


@pytest.fixture(scope="module")
def endpoint(bundled_store):
    """The site served by waitress in a thread on a free port, closed at the end."""
    app = create_app({"STORE": bundled_store})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/sparql"
    finally:
        # Let the worker threads finish, then close every socket from the server's own loop
        # thread (closing them from here races with a worker that pulls the closed trigger);
        # the loop ends when nothing is left open.
        server.task_dispatcher.shutdown(timeout=5)

        def close_all() -> None:
            for channel in list(server._map.values()):
                channel.close()

        server.trigger.pull_trigger(close_all)
        thread.join(timeout=10)
        assert not thread.is_alive()


def wrapper(endpoint: str, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method:
        sparql.setMethod(POST)
        sparql.setRequestMethod(method)
    return sparql


def term_key(term: object) -> tuple[str, str, str | None, str | None]:
    """(kind, value, language, datatype) of a pyoxigraph term, xsd:string left implicit."""
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, None, None)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        return (
            "literal",
            term.value,
            term.language,
            None if datatype in (XSD_STRING, LANG_STRING) else datatype,
        )
    return ("bnode", str(term), None, None)


def expected_rows(store) -> list[dict[str, tuple]]:
    results = store.query(SELECT)
    names = [v.value for v in results.variables]
    return [{name: term_key(solution[name]) for name in names} for solution in results]


def expected_graph(store, query: str) -> rdflib.Graph:
    data = ox.serialize(store.query(query), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


@pytest.mark.parametrize("method", [None, "urlencoded", "postdirectly"])
def test_sparqlwrapper_select_json(endpoint, bundled_store, method):
    result = (
        wrapper(
            endpoint,
            SELECT,
            JSON,
            {"urlencoded": "urlencoded", "postdirectly": POSTDIRECTLY}.get(method),
        )
        .query()
        .convert()
    )
    got = [
        {
            name: (
                "uri" if cell["type"] == "uri" else cell["type"],
                cell["value"],
                cell.get("xml:lang"),
                None if cell.get("datatype") in (None, XSD_STRING) else cell["datatype"],
            )
            for name, cell in binding.items()
        }
        for binding in result["results"]["bindings"]
    ]
    expected = expected_rows(bundled_store)
    assert len(expected) == 400
    assert got == expected


def test_sparqlwrapper_select_xml(endpoint, bundled_store):
    document = wrapper(endpoint, SELECT, XML).query().convert()
    assert isinstance(document, xml.dom.minidom.Document)
    got = []
    for result in document.getElementsByTagName("result"):
        row = {}
        for binding in result.getElementsByTagName("binding"):
            (node,) = [n for n in binding.childNodes if n.nodeType == n.ELEMENT_NODE]
            value = "".join(t.data for t in node.childNodes if t.nodeType == t.TEXT_NODE)
            datatype = node.getAttribute("datatype") or None
            row[binding.getAttribute("name")] = (
                node.tagName,
                value,
                node.getAttribute("xml:lang") or None,
                None if datatype == XSD_STRING else datatype,
            )
        got.append(row)
    assert got == expected_rows(bundled_store)


def test_sparqlwrapper_select_csv(endpoint, bundled_store):
    body = wrapper(endpoint, SELECT, CSV).query().convert()
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert header == ["s", "p", "o"]
    expected = [[cell[1] for cell in row.values()] for row in expected_rows(bundled_store)]
    assert rows == expected


def test_sparqlwrapper_select_tsv(endpoint, bundled_store):
    body = wrapper(endpoint, SELECT, TSV).query().convert()
    results = ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
    got = [{name: term_key(s[name]) for name in ("s", "p", "o")} for s in results]
    assert got == expected_rows(bundled_store)


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_ask(endpoint, fmt):
    for query, expected in (
        ("ASK { ?r scr:concernsChild ?c }", True),
        ("ASK { ?r scr:noSuchProperty ?c }", False),
    ):
        response = wrapper(endpoint, query, fmt).query()
        converted = response.convert()
        if fmt == JSON:
            assert converted["boolean"] is expected
        elif fmt == XML:
            (node,) = converted.getElementsByTagName("boolean")
            assert node.firstChild.data == ("true" if expected else "false")
        else:
            assert converted.decode("utf-8").strip() == ("true" if expected else "false")


# SPARQLWrapper 2.0 parses JSON-LD into rdflib's ConjunctiveGraph, which rdflib 7 deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("fmt", [TURTLE, "ntriples", JSONLD, RDFXML])
def test_sparqlwrapper_graphs(endpoint, bundled_store, query, fmt):
    if fmt == "ntriples":  # SPARQLWrapper has no N-Triples constant: ask for it by header
        sparql = wrapper(endpoint, query, TURTLE)
        sparql.setOnlyConneg(True)
        sparql.addCustomHttpHeader("Accept", "application/n-triples")
        response = sparql.query()
        assert response.info()["content-type"] == "application/n-triples"
        got = rdflib.Graph().parse(data=response.convert(), format="nt")
    else:
        converted = wrapper(endpoint, query, fmt).query().convert()
        # Turtle comes back as bytes; RDF/XML and JSON-LD as parsed rdflib graphs
        got = rdflib.Graph().parse(data=converted, format="turtle") if fmt == TURTLE else converted
    expected = expected_graph(bundled_store, query)
    assert len(expected) > 0
    assert isomorphic(got, expected)


def test_sparqlwrapper_sees_refusals(endpoint):
    sparql = wrapper(endpoint, "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", JSON)
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match="SERVICE is refused"):
        sparql.query()
