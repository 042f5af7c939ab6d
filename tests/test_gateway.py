"""The query gateway: limits, worker processes killed at the deadline, caps,
concurrency, and proof that no query calls out.

Most tests use an on-disk store, so queries run in real worker processes (graph/workers.py);
the last ones run the real server (`scrkg serve`) in a subprocess.
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
from served import Listener, served, until

import scrkg.web
from scrkg.cli import main
from scrkg.graph.gateway import (
    GatewayBusy,
    Limits,
    QueryFailed,
    QueryGateway,
    QueryRefused,
    QueryTimeout,
    QueryTooDeep,
    QueryTooLarge,
    check_limits,
    query_depth,
)
from scrkg.graph.result_writers import SOLUTION_TYPES, write_solutions
from scrkg.graph.saved import saved_queries
from scrkg.graph.store import DiskStore, MemoryStore
from scrkg.web import create_app, querying

EX = "http://example.org/"
G = EX + "graph/one"
#: Five copies of every triple against each other: about 300^5 rows to count, minutes of work.
HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
#: Three copies against each other: 27 million rows, about 2 s of work. Only a worker process
#: can be killed at the deadline; a query of a memory store runs in a thread, which cannot, and
#: HEAVY there would keep a core busy for days after its test, to the end of the whole run.
LONG = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


def data(n: int = 300, tag: str = "v") -> list[ox.Triple]:
    return [
        ox.Triple(
            ox.NamedNode(f"{EX}s{i}"),
            ox.NamedNode(f"{EX}p{i % 3}"),
            ox.Literal(f'{tag}{i} "quoted", <tagged>\ttab\nline', language="en")
            if i % 2
            else ox.NamedNode(f"{EX}o{i}"),
        )
        for i in range(n)
    ]


@pytest.fixture
def disk_store(tmp_path) -> DiskStore:
    store = DiskStore(tmp_path / "store")
    store.replace_graph(G, data())
    return store


def count(written) -> int:
    return int(json.loads(written.body)["results"]["bindings"][0]["n"]["value"])


# -- limits on the text ---------------------------------------------------------------------


def test_size_and_depth_limits_are_checked_before_anything_runs():
    limits = Limits(max_length=1000, max_depth=5)
    check_limits("SELECT * { " + "?s ?p ?o . " * 80 + "}", limits)
    with pytest.raises(QueryTooLarge) as large:
        check_limits("SELECT * { " + "?s ?p ?o . " * 100 + "}", limits)
    assert large.value.status == 413 and "SCRKG_QUERY_MAX_LENGTH" in large.value.message
    with pytest.raises(QueryTooDeep) as deep:
        check_limits("ASK " + "{" * 6 + "}" * 6, limits)
    assert deep.value.status == 400 and "SCRKG_QUERY_MAX_DEPTH" in deep.value.message
    # brackets in strings, IRIs and comments do not count; \u escapes do, as the grammar says
    assert query_depth('ASK { ?s ?p "{{{{{{" } # ((((((\n') == 1
    assert query_depth("ASK \\u007B \\u007B ?s ?p ?o } }") == 2
    assert max(query_depth(q.sparql) for q in saved_queries()) <= Limits().max_depth // 2


def test_size_and_depth_limits_on_the_endpoint():
    app = create_app(
        {"STORE": MemoryStore(), "SCRKG_QUERY_MAX_LENGTH": 2000, "SCRKG_QUERY_MAX_DEPTH": 8}
    )
    client = app.test_client()
    long_query = "SELECT * { " + "?s ?p ?o . " * 300 + "}"
    response = client.post("/sparql", data=long_query, content_type="application/sparql-query")
    assert response.status_code == 413
    assert "2,000 bytes" in response.get_data(as_text=True)
    deep = "ASK " + "{" * 9 + "}" * 9
    response = client.get("/sparql", query_string={"query": deep})
    assert response.status_code == 400
    assert "nests" in response.get_data(as_text=True)
    assert client.get("/export", query_string={"query": long_query}).status_code == 413
    assert client.get("/api/query", query_string={"query": deep}).status_code == 400


# -- worker processes and the deadline -------------------------------------------------------


def test_a_query_past_the_deadline_is_killed_and_the_next_runs_at_once(disk_store):
    with QueryGateway(disk_store, Limits(timeout=1, workers=1)) as gateway:
        assert gateway.isolated
        assert count(gateway.run(COUNT)) == 300  # a worker is up
        started = time.monotonic()
        with pytest.raises(QueryTimeout) as stopped:
            gateway.run(HEAVY)
        assert 0.9 < time.monotonic() - started < 3
        assert stopped.value.status == 503
        assert "SCRKG_QUERY_TIMEOUT" in stopped.value.message
        assert gateway.status()["killed"] == 1
        started = time.monotonic()
        assert count(gateway.run(COUNT)) == 300
        assert time.monotonic() - started < 1.0, "the next query waited"


def test_the_endpoint_answers_503_with_a_message_at_the_deadline(disk_store):
    app = create_app({"STORE": disk_store, "SCRKG_QUERY_TIMEOUT": 1, "SCRKG_QUERY_WORKERS": 1})
    client = app.test_client()
    response = client.get("/sparql", query_string={"query": HEAVY})
    assert response.status_code == 503
    assert "was stopped" in response.get_data(as_text=True)
    ok = client.get("/sparql", query_string={"query": COUNT})
    assert ok.status_code == 200


def test_a_query_over_the_memory_limit_kills_only_its_worker(disk_store):
    with QueryGateway(disk_store, Limits(timeout=20, workers=1, memory_mb=300)) as gateway:
        with pytest.raises(QueryFailed) as failed:
            gateway.run(
                "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i",
                solution_type="text/csv",
            )
        assert failed.value.status == 503
        assert "SCRKG_QUERY_MEMORY_MB" in failed.value.message
        assert count(gateway.run(COUNT)) == 300


def test_workers_answer_from_the_newest_load(disk_store):
    with QueryGateway(disk_store, Limits(workers=2)) as gateway:
        assert count(gateway.run(COUNT)) == 300
        DiskStore(disk_store.path).replace_graph(G, data(120, "w"))  # another process's load
        assert count(gateway.run(COUNT)) == 120


def test_the_memory_store_runs_in_a_thread_and_still_answers_at_the_deadline():
    store = MemoryStore()
    store.replace_graph(G, data(300))
    with QueryGateway(store, Limits(timeout=0.5, workers=1, queue_wait=0.1)) as gateway:
        assert not gateway.isolated
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            gateway.run(LONG)
        assert time.monotonic() - started < 2
        # The thread cannot be killed: it keeps its slot, so the next query waits for it and
        # is turned away.
        with pytest.raises(GatewayBusy) as busy:
            gateway.run(COUNT)
        assert "SCRKG_QUERY_QUEUE_WAIT" in busy.value.message
        assert gateway.status()["running"] == 1
        # Once the query has run to its end, the slot is free again.
        until(lambda: gateway.status()["running"] == 0, timeout=120)
        assert count(gateway.run(COUNT)) == 300


# -- concurrency -------------------------------------------------------------------------------


def test_one_query_over_the_limit_gets_503_with_retry_after(disk_store):
    app = create_app(
        {
            "STORE": disk_store,
            "SCRKG_QUERY_TIMEOUT": 2,  # the heavy query holds the worker while the others queue
            "SCRKG_QUERY_WORKERS": 1,
            "SCRKG_QUERY_QUEUE": 1,
            "SCRKG_QUERY_QUEUE_WAIT": 5,  # long enough to outlast the heavy query
        }
    )
    client = app.test_client()
    client.get("/sparql", query_string={"query": COUNT})  # start the worker
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        running = pool.submit(client.get, "/sparql", query_string={"query": HEAVY})
        until(lambda: querying.existing_gateway(app).status()["running"] == 1)
        waiting = pool.submit(client.get, "/sparql", query_string={"query": COUNT})
        until(lambda: querying.existing_gateway(app).status()["admitted"] == 2)  # queued
        started = time.monotonic()
        refused = client.get("/sparql", query_string={"query": COUNT})
        assert time.monotonic() - started < 0.5  # turned away at once, not after waiting
        assert refused.status_code == 503
        assert int(refused.headers["Retry-After"]) >= 1
        assert "SCRKG_QUERY_WORKERS" in refused.get_data(as_text=True)
        assert running.result().status_code == 503  # killed at the deadline
        assert waiting.result().status_code == 200  # got the worker after it


# -- caps on rows and bytes -------------------------------------------------------------------


@pytest.mark.parametrize("media_type", SOLUTION_TYPES)
def test_a_capped_result_is_valid_and_says_so(disk_store, media_type):
    app = create_app({"STORE": disk_store, "SCRKG_QUERY_MAX_ROWS": 7})
    response = app.test_client().get(
        "/sparql",
        query_string={"query": "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s"},
        headers={"Accept": media_type},
    )
    assert response.status_code == 200
    assert response.headers["X-SCRKG-Truncated"] == "rows=7; cause=max-rows; limit=7"
    body = response.data
    if media_type == "text/csv":
        assert len(list(csv.reader(io.StringIO(body.decode())))) == 8  # header and 7 rows
    else:
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        assert len(list(ox.parse_query_results(body, fmt))) == 7
    if media_type == "application/sparql-results+json":
        flag = json.loads(body)["truncated"]
        assert flag["reason"] == "rows" and flag["rows"] == 7
        assert "SCRKG_QUERY_MAX_ROWS" in flag["message"]


def test_an_uncut_result_says_nothing_and_matches_pyoxigraph(disk_store):
    app = create_app({"STORE": disk_store})
    query = "SELECT ?s ?o ?none { ?s ?p ?o OPTIONAL { ?s <http://x> ?none } } ORDER BY ?s"
    for media_type in SOLUTION_TYPES:
        response = app.test_client().get(
            "/sparql", query_string={"query": query}, headers={"Accept": media_type}
        )
        assert "X-SCRKG-Truncated" not in response.headers
        if media_type == "application/sparql-results+json":
            assert "truncated" not in json.loads(response.data)
        if media_type != "text/csv":  # CSV is lossy by design
            fmt = ox.QueryResultsFormat.from_media_type(media_type)
            ours = [tuple(s) for s in ox.parse_query_results(response.data, fmt)]
            theirs = [tuple(s) for s in disk_store.query(query)]
            assert ours == theirs


def test_the_byte_cap_cuts_rows_and_graphs(disk_store):
    with QueryGateway(disk_store, Limits(max_bytes=2000)) as gateway:
        rows = gateway.run("SELECT * { ?s ?p ?o }")
        assert rows.truncated == "bytes" and 0 < rows.rows < 300
        assert len(rows.body) < 2000 + 600  # the rows fit; only the document's frame is extra
        assert len(list(ox.parse_query_results(rows.body, ox.QueryResultsFormat.JSON))) == rows.rows
        graph = gateway.run("CONSTRUCT WHERE { ?s ?p ?o }")
        assert graph.truncated == "bytes"
        assert len(list(ox.parse(graph.body, ox.RdfFormat.TURTLE))) == graph.rows
        assert b"# truncated:" in graph.body
    with QueryGateway(disk_store, Limits(max_rows=10)) as gateway:
        graph = gateway.run("CONSTRUCT WHERE { ?s ?p ?o }", graph_type="application/n-triples")
        assert graph.truncated == "rows" and graph.rows == 10


def test_the_row_writers_round_trip_awkward_terms():
    store = ox.Store()
    query = (
        'SELECT ?a ?b ?c ?d ?e ?f { BIND(<http://x/é> AS ?a) BIND("x,\\"y\\n\\t<&>" AS ?b) '
        'BIND(BNODE() AS ?c) BIND("q"@en-gb AS ?d) BIND(1 AS ?e) }'
    )
    for media_type in ("application/sparql-results+json", "application/sparql-results+xml"):
        written = write_solutions(store.query(query), media_type, max_rows=5, max_bytes=10**6)
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        [row] = list(ox.parse_query_results(written.body, fmt))
        assert [row[v] is None for v in "abcdef"] == [False] * 5 + [True]
        assert row["b"].value == 'x,"y\n\t<&>' and row["d"].language == "en-gb"
    # The JSON rows are joined by hand: they must say what pyoxigraph's own writer says.
    awkward = query.replace(
        "BIND(1 AS ?e)", 'BIND("\\u0001 \\u2028 \U0001f600 \\\\"^^<http://t> AS ?e)'
    )
    ours = write_solutions(store.query(awkward), SOLUTION_TYPES[0], max_rows=5, max_bytes=10**6)
    theirs = store.query(awkward).serialize(format=ox.QueryResultsFormat.JSON)

    def named(document: bytes) -> dict:  # BNODE() makes a new blank node on every run
        text = document.decode("utf-8")
        return json.loads(re.sub(r'"bnode","value":"[^"]*"', '"bnode","value":"b"', text))

    assert named(ours.body) == named(theirs)
    tsv = write_solutions(
        store.query(query), "text/tab-separated-values", max_rows=5, max_bytes=10**6
    )
    [row] = list(ox.parse_query_results(tsv.body, ox.QueryResultsFormat.TSV))
    assert row["b"].value == 'x,"y\n\t<&>' and row["e"].value == "1"


def test_the_query_page_shows_the_truncation():
    script = (Path(scrkg.web.__file__).parent / "static" / "query.js").read_text(encoding="utf-8")
    assert "^x-scrkg" in script  # X-SCRKG-* headers are shown as notices
    assert 'key === "truncated"' in script  # and the JSON's message


# -- the command line -------------------------------------------------------------------------


def test_scrkg_query_runs_through_the_gateway(tmp_path, monkeypatch):
    from click.testing import CliRunner

    DiskStore(tmp_path / "store").replace_graph(G, data())
    monkeypatch.setenv("SCRKG_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("SCRKG_QUERY_TIMEOUT", "1")
    monkeypatch.setenv("SCRKG_QUERY_MAX_ROWS", "5")
    runner = CliRunner()
    heavy = runner.invoke(main, ["query", HEAVY])
    assert heavy.exit_code == 1 and "was stopped" in heavy.output
    cut = runner.invoke(main, ["query", "SELECT * { ?s ?p ?o }", "--format", "csv"])
    assert cut.exit_code == 0
    assert "warning: The result was cut after 5 rows" in cut.output
    refused = runner.invoke(main, ["query", "SELECT * { SERVICE <http://127.0.0.1:9/> {} }"])
    assert refused.exit_code == 1 and "SERVICE is refused" in refused.output


# -- nothing calls out ------------------------------------------------------------------------


def hostile_queries(url: str) -> list[str]:
    """Every way we know of asking a SPARQL engine to open a connection."""
    return [
        f"SELECT * {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ service <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE\t\n<{url}>{{?s ?p ?o}} }}",
        f"SELECT * {{ VALUES ?u {{ <{url}> }} SERVICE ?u {{ ?s ?p ?o }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"DESCRIBE ?s {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX r: <{url}> SELECT * {{ SERVICE r: {{ ?s ?p ?o }} }}",
        f"BASE <{url}> SELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}data.ttl> {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}data.ttl> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"ASK FROM <{url}> {{ ?s ?p ?o }}",
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{url}> {{ ?s ?p ?o }}",
        f"LOAD <{url}data.ttl>",
        f"LOAD SILENT <{url}data.ttl> INTO GRAPH <{EX}g>",
        f"ADD <{url}> TO DEFAULT",
        f"INSERT {{ ?s ?p ?o }} USING <{url}> WHERE {{ ?s ?p ?o }}",
        f"DESCRIBE <{url}>",
        f"SELECT * {{ GRAPH <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ <{url}> ?p ?o }}",
    ]


def test_no_query_opens_a_connection_from_the_workers(disk_store):
    with Listener() as listener, QueryGateway(disk_store, Limits(timeout=5)) as gateway:
        answered = 0
        for query in hostile_queries(listener.url):
            try:
                gateway.run(query)
                answered += 1
            except QueryRefused:
                pass
    assert listener.connections == 0
    assert answered == 3  # DESCRIBE <url>, GRAPH <url> {...}, <url> ?p ?o: an IRI is not fetched


def test_no_request_to_the_site_opens_a_connection(disk_store):
    app = create_app({"STORE": disk_store})
    client = app.test_client()
    with Listener() as listener:
        url = listener.url
        for query in hostile_queries(url):
            for path in ("/sparql", "/export", "/api/query", "/api/view"):
                client.get(path, query_string={"query": query})
            client.post("/sparql", data={"query": query})
            client.post("/sparql", data=query, content_type="application/sparql-query")
            client.post("/sparql", data={"update": query})
            client.get("/explore", query_string={"query": query})
        client.get("/sparql", query_string={"query": COUNT, "default-graph-uri": url})
        client.get("/sparql", query_string={"query": COUNT, "named-graph-uri": url + "x"})
        client.get("/export", query_string={"graph": url})
        client.get("/api/neighbours", query_string={"iri": url})
        client.get("/api/node", query_string={"iri": url})
        client.get("/explore", query_string={"focus": url})
        client.get("/export", query_string={"format": "jsonld"})
    assert listener.connections == 0


# -- the real server ----------------------------------------------------------------------------


def get(url: str, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def timed_get(url: str) -> tuple[float, int, dict[str, str], bytes]:
    started = time.monotonic()
    status, headers, body = get(url)
    return time.monotonic() - started, status, headers, body


def test_health_answers_within_a_second_while_heavy_queries_run(tmp_path):
    """Six heavy queries against 2 workers and 2 places in the queue: two run, two wait, two
    are turned away at once with Retry-After; /health and a page stay quick throughout; the
    deadline stops the heavy ones; the next query runs at once."""
    DiskStore(tmp_path / "store").replace_graph(G, data())
    env = {
        "SCRKG_QUERY_TIMEOUT": "3",
        "SCRKG_QUERY_WORKERS": "2",
        "SCRKG_QUERY_QUEUE": "2",
        "SCRKG_SERVER_THREADS": "8",
    }
    with served(tmp_path / "store", env) as site:
        heavy = f"{site}/sparql?{urlencode({'query': HEAVY})}"
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            futures = [pool.submit(timed_get, heavy) for _ in range(6)]
            time.sleep(1.0)
            health_times = []
            for _ in range(5):
                before = time.monotonic()
                status, _, body = get(site + "/health", timeout=5)
                health_times.append(time.monotonic() - before)
                assert status == 200 and json.loads(body)["status"] == "ok"
                time.sleep(0.2)
            before = time.monotonic()
            page_status, _, _ = get(site + "/query", timeout=5)
            page_time = time.monotonic() - before
            results = [f.result() for f in futures]
        print(f"/health during heavy queries: max {max(health_times) * 1000:.0f} ms")
        assert max(health_times) < 1.0, health_times
        assert page_status == 200 and page_time < 1.0
        assert [status for _, status, _, _ in results] == [503] * 6
        turned_away = [(t, h) for t, _, h, b in results if t < 1.0]
        assert len(turned_away) == 2
        assert all(int(h["Retry-After"]) >= 1 for _, h in turned_away)
        later = [(t, b) for t, _, _, b in results if t >= 1.0]
        # The two that wait are turned away after SCRKG_QUERY_QUEUE_WAIT (2 s); the two that
        # run are stopped at the deadline (3 s).
        assert all(1.9 < t < 3 + 2 for t, _ in later)
        assert sum(b"was stopped" in b for _, b in later) >= 2
        assert sum(b"SCRKG_QUERY_QUEUE_WAIT" in b for _, b in later) >= 1
        started = time.monotonic()
        status, _, body = get(f"{site}/sparql?{urlencode({'query': COUNT})}")
        assert status == 200 and time.monotonic() - started < 1.0
        status, _, body = get(site + "/health")
        assert json.loads(body)["queries"]["killed"] >= 2


def test_no_query_to_the_real_server_opens_a_connection(tmp_path):
    DiskStore(tmp_path / "store").replace_graph(G, data())
    with served(tmp_path / "store") as site, Listener() as listener:
        for query in hostile_queries(listener.url):
            status, _, _ = get(f"{site}/sparql?query={quote(query, safe='')}")
            assert status in (200, 400), query
            get(f"{site}/export?query={quote(query, safe='')}")
    assert listener.connections == 0


@pytest.mark.parametrize(
    ("sparql", "full_check"),
    [
        ("SELECT * { ?s ?p ?o }", False),
        ("# title: drawn from the report\nSELECT * { ?s ?p ?o }", False),
        ("SELECT * { SERV\\u0049CE <http://127.0.0.1:9/> { ?s ?p ?o } }", True),
        ("SELECT * { serVice <http://127.0.0.1:9/> { ?s ?p ?o } }", True),
        ("SELECT * FROM <http://127.0.0.1:9/> { ?s ?p ?o }", True),
        ("SELECT * { ?s ?p ?o } \\u0023 SERVICE <http://127.0.0.1:9/> {}", True),
        ('SELECT * { ?s ?p "a word from a label" }', True),  # a false alarm: the full check runs
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", True),
        ("LOAD <http://127.0.0.1:9/data.ttl>", True),
    ],
)
def test_only_queries_with_a_refused_keyword_pay_for_the_parse_tree_check(sparql, full_check):
    """The rdflib parse tree costs 100-700 ms a query, so a query that cannot name SERVICE,
    FROM, LOAD or an update (not even through \\u escapes) skips it; pyoxigraph still parses
    it strictly when it runs."""
    from scrkg.graph.gateway import _needs_parse_tree_check

    assert _needs_parse_tree_check(sparql) is full_check


def test_a_syntax_error_on_the_quick_path_is_still_a_readable_error():
    from scrkg.graph.gateway import QuerySyntaxError, run_query
    from scrkg.graph.store import MemoryStore

    with pytest.raises(QuerySyntaxError) as caught:
        run_query(MemoryStore(), "SELECT ?x WHERE { ?x ?y }")
    assert "line" in str(caught.value).lower() or "^" in str(caught.value)


@pytest.mark.parametrize(
    "sparql",
    [
        "ASK " + "{" * 5000 + "}" * 5000,
        "ASK { FILTER(" + "(" * 5000 + "true" + ")" * 5000 + ") }",
        "ASK { FILTER(" + "!" * 20000 + "true) }",
        "ASK { FILTER(" + "1+" * 20000 + "1) }",
        "ASK { ?s " + "<urn:p>/" * 20000 + "<urn:p> ?o }",
        "ASK { FILTER(" + "true && " * 20000 + "true) }",
    ],
)
def test_queries_that_crash_pyoxigraphs_parser_are_refused_before_it_sees_them(sparql):
    """Each of these kills a process with a segmentation fault in pyoxigraph 0.5.13's parser
    (measured): the gateway must refuse them without handing them to pyoxigraph."""
    from scrkg.graph.gateway import check_query

    with pytest.raises(QueryRefused, match="nested too deeply"):
        check_query(sparql)
