"""SPARQL JSON results written by pyoxigraph's own writer (graph/result_writers.py
``write_solutions_natively``) are the bytes the row-by-row writer writes, cut at the same row
and flagged the same way when a cap is passed; where the cut cannot be found in the native
bytes, the gateway runs the query again and writes it row by row."""

from __future__ import annotations

import json
import random
import threading

import pyoxigraph as ox
import pytest

from scrkg.graph.gateway import Job, Limits, QueryGateway, execute
from scrkg.graph.result_writers import (
    SPARQL_JSON,
    SPARQL_XML,
    Cancelled,
    write_solutions,
    write_solutions_natively,
)
from scrkg.graph.store import DiskStore, MemoryStore

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
G = EX + "graph/one"
HUGE = 10**12
#: Every ASCII character, characters JSON writers treat differently, and the bytes of the row
#: separator inside strings.
CHARS = [chr(i) for i in range(0x80)] + ["é", "\u2028", "\u2029", "😀", "\ufeff", "\x85"]
CHARS += list('},{"') * 8


def awkward_triples(n: int = 300, seed: int = 1) -> list[ox.Triple]:
    pick = random.Random(seed)

    def literal() -> ox.Literal:
        text = "".join(pick.choice(CHARS) for _ in range(pick.randint(0, 12)))
        roll = pick.random()
        if roll < 0.3:
            return ox.Literal(text, language=pick.choice(["en", "en-GB", "fr"]))
        if roll < 0.5:
            return ox.Literal(str(pick.randint(-5, 99)), datatype=ox.NamedNode(XSD + "integer"))
        if roll < 0.6:
            return ox.Literal(text, datatype=ox.NamedNode(EX + "datatype"))
        return ox.Literal(text)

    triples = []
    for i in range(n):
        subject = ox.NamedNode(f"{EX}s{i % 40}") if i % 5 else ox.BlankNode(f"b{i % 7}")
        value = literal() if i % 4 else ox.NamedNode(f"{EX}é/{i}")
        triples.append(ox.Triple(subject, ox.NamedNode(f"{EX}p{i % 3}"), value))
    return triples


QUERIES = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
    "SELECT ?s ?o ?z WHERE { ?s ?p ?o OPTIONAL { ?s <http://example.org/none> ?z } }",
    "SELECT ?s (COUNT(*) AS ?n) (GROUP_CONCAT(?o) AS ?all) WHERE { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?t WHERE { ?s ?p ?o BIND(<<(?s ?p ?o)>> AS ?t) } LIMIT 30",
    "SELECT ?x WHERE { ?x <http://example.org/none> ?y }",
    "SELECT * WHERE { }",
]


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    memory = MemoryStore()
    memory.replace_graph(G, awkward_triples())
    return memory


@pytest.mark.parametrize("sparql", QUERIES)
def test_native_json_is_the_row_writers_bytes_under_every_cap(store, sparql):
    whole = write_solutions(store.query(sparql), SPARQL_JSON, max_rows=HUGE, max_bytes=HUGE)
    pick = random.Random(sparql)
    caps = [(HUGE, HUGE), (1, HUGE), (max(whole.rows, 1), HUGE), (max(whole.rows - 1, 1), HUGE)]
    caps += [(HUGE, max(len(whole.body) - 60, 1)), (HUGE, 1)]
    caps += [
        (pick.randint(1, whole.rows + 2), pick.randint(1, len(whole.body) + 50)) for _ in range(40)
    ]
    natives = 0
    for max_rows, max_bytes in caps:
        caps_ = {"max_rows": max_rows, "max_bytes": max_bytes}
        expected = write_solutions(store.query(sparql), SPARQL_JSON, **caps_)
        native = write_solutions_natively(store.query(sparql), SPARQL_JSON, **caps_)
        if native is not None:
            natives += 1
            assert native == expected, (max_rows, max_bytes)
            json.loads(native.body)
    assert natives == len(caps)  # none of these results needs the row-by-row writer


def test_a_cut_native_result_is_flagged_as_the_row_writer_flags_it(store):
    sparql = QUERIES[0]
    by_rows = write_solutions_natively(store.query(sparql), SPARQL_JSON, max_rows=7, max_bytes=HUGE)
    assert by_rows.rows == 7 and by_rows.truncated == "rows" and by_rows.limit == 7
    document = json.loads(by_rows.body)
    assert len(document["results"]["bindings"]) == 7
    assert document["truncated"]["reason"] == "rows" and document["truncated"]["rows"] == 7
    assert by_rows.truncation_header() == "rows=7; cause=max-rows; limit=7"
    by_bytes = write_solutions_natively(
        store.query(sparql), SPARQL_JSON, max_rows=HUGE, max_bytes=2000
    )
    assert by_bytes.truncated == "bytes" and 0 < by_bytes.rows < 300
    assert len(json.loads(by_bytes.body)["results"]["bindings"]) == by_bytes.rows


def test_rows_that_bind_nothing_are_left_to_the_row_writer(store):
    # "},{}" separates rows that bind nothing, and can also be the text of a literal, so such a
    # result's rows cannot be counted in the native bytes.
    sparql = "SELECT ?z WHERE { ?s ?p ?o OPTIONAL { ?s <http://example.org/none> ?z } }"
    assert (
        write_solutions_natively(store.query(sparql), SPARQL_JSON, max_rows=5, max_bytes=HUGE)
        is None
    )
    job = Job(sparql, max_rows=5, max_bytes=HUGE)
    written = execute(store, job)
    assert written == write_solutions(store.query(sparql), SPARQL_JSON, max_rows=5, max_bytes=HUGE)
    assert written.truncated == "rows" and written.body.count(b"{}") == 5


def test_a_literal_holding_the_empty_row_separator_is_still_answered_exactly():
    memory = MemoryStore()
    text = 'a},{}b},{"c'
    memory.replace_graph(
        G,
        [
            ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(text))
            for i in range(20)
        ],
    )
    sparql = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    for max_rows in (3, 20, 100):
        job = Job(sparql, max_rows=max_rows, max_bytes=HUGE)
        expected = write_solutions(
            memory.query(sparql), SPARQL_JSON, max_rows=max_rows, max_bytes=HUGE
        )
        assert execute(memory, job) == expected
        assert [b["o"]["value"] for b in json.loads(expected.body)["results"]["bindings"]] == [
            text
        ] * min(max_rows, 20)


def test_other_formats_are_still_written_row_by_row(store):
    # pyoxigraph's XML writes a line break in a literal as it is; this module writes &#10;.
    memory = MemoryStore()
    memory.replace_graph(
        G, [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("a\nb"))]
    )
    job = Job("SELECT ?o WHERE { ?s ?p ?o }", solution_type=SPARQL_XML)
    assert b"a&#10;b" in execute(memory, job).body
    assert (
        write_solutions_natively(memory.query(job.sparql), SPARQL_XML, max_rows=9, max_bytes=HUGE)
        is None
    )


def test_a_cancelled_query_stops_in_the_native_writer(store):
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(Cancelled):
        write_solutions_natively(
            store.query(QUERIES[0]), SPARQL_JSON, max_rows=HUGE, max_bytes=HUGE, cancelled=cancelled
        )


def test_the_gateways_workers_answer_with_the_native_bytes_and_caps(tmp_path):
    disk = DiskStore(tmp_path / "store")
    disk.replace_graph(G, awkward_triples(500, seed=2))
    sparql = QUERIES[0]
    with QueryGateway(disk, Limits(max_rows=11, max_bytes=HUGE)) as gateway:
        written = gateway.run(sparql)
    expected = write_solutions(disk.query(sparql), SPARQL_JSON, max_rows=11, max_bytes=HUGE)
    assert (
        written.body == expected.body
        and written.truncation_header() == expected.truncation_header()
    )
    with QueryGateway(disk, Limits(max_rows=HUGE, max_bytes=HUGE)) as gateway:
        whole = gateway.run(sparql)
    rows = len(json.loads(whole.body)["results"]["bindings"])
    assert whole.truncated is None and whole.rows == rows > 400
    assert whole.body == disk.query(sparql).serialize(format=ox.QueryResultsFormat.JSON)
