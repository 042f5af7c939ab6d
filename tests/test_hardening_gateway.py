"""Regression tests for the query gateway's hardening: SERVICE refused by the kernel, whatever
the parsers make of the text, and parser crashes kept inside a process that may die.

The hostile queries are the ones found by probing: a comment that pyoxigraph ends at a carriage
return but rdflib reads to the line feed, and a ``\\u0022`` that closes a string for rdflib but not
for pyoxigraph. Each hides ``SERVICE`` from rdflib's check; the kernel must refuse it anyway.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from served import Listener

from scrkg.cli import main
from scrkg.graph import sandbox
from scrkg.graph.gateway import (
    GatewayBusy,
    Limits,
    QueryGateway,
    QueryRefused,
    check_query,
)
from scrkg.graph.store import DiskStore, MemoryStore
from scrkg.web import create_app

EX = "http://example.org/"


def hidden_by_carriage_return(url: str) -> str:
    return f"SELECT * WHERE {{ # c\rSERVICE <{url}> {{ ?s ?p ?o }}\n}}"


def hidden_by_unicode_escape(url: str) -> str:
    return f'SELECT * WHERE {{ VALUES ?a {{ "\\u0022 }} # " }} SERVICE <{url}> {{?x ?y ?z}}\n}}'


def hidden_in_ask(url: str) -> str:
    return f"ASK {{ # c\rSERVICE <{url}> {{ ?s ?p ?o }}\n}}"


HIDDEN = [hidden_by_carriage_return, hidden_by_unicode_escape, hidden_in_ask]


def one_triple(store) -> None:  # noqa: ANN001
    store.replace_graph(
        EX + "g", [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o"))]
    )


def refused_without_connecting(gateway: QueryGateway, query) -> None:  # noqa: ANN001
    with Listener() as listener, pytest.raises(QueryRefused, match="SERVICE is refused"):
        gateway.run(query(listener.url))
    assert listener.connections == 0


# -- the kernel refuses, whatever the parsers read -----------------------------------------------


@pytest.mark.parametrize("query", HIDDEN, ids=lambda q: q.__name__)
def test_service_hidden_from_rdflib_cannot_connect_out_from_a_worker_process(tmp_path, query):
    store = DiskStore(tmp_path / "store")
    one_triple(store)
    with QueryGateway(store, Limits(timeout=20)) as gateway:
        assert gateway.isolated
        refused_without_connecting(gateway, query)


@pytest.mark.parametrize("query", HIDDEN, ids=lambda q: q.__name__)
def test_service_hidden_from_rdflib_cannot_connect_out_from_a_memory_store(query):
    store = MemoryStore()
    one_triple(store)
    with QueryGateway(store, Limits(timeout=20)) as gateway:
        assert not gateway.isolated
        refused_without_connecting(gateway, query)


def test_service_error_does_not_tell_open_ports_from_closed_ones(tmp_path):
    store = DiskStore(tmp_path / "store")
    one_triple(store)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        closed_url = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    messages = []
    with QueryGateway(store, Limits(timeout=20)) as gateway, Listener() as listener:
        for url in (listener.url, closed_url):
            with pytest.raises(QueryRefused) as refused:
                gateway.run(hidden_by_carriage_return(url))
            messages.append(refused.value.message)
    assert listener.connections == 0
    assert messages[0] == messages[1]


def test_service_hidden_from_rdflib_cannot_connect_out_through_the_site(tmp_path):
    store = MemoryStore()
    one_triple(store)
    app = create_app({"STORE": store, "TESTING": True})
    client = app.test_client()
    with Listener() as listener:
        query = hidden_by_carriage_return(listener.url)
        construct = "CONSTRUCT { ?s ?p ?o } WHERE " + query.removeprefix("SELECT * WHERE ")
        answers = [
            client.get("/sparql?" + urlencode({"query": query})),
            client.post("/sparql", data={"query": query}),
            client.get("/api/query?" + urlencode({"query": query})),
            client.get("/export?" + urlencode({"query": construct})),
            client.get("/api/view?" + urlencode({"query": query})),  # what /explore?query= asks
        ]
    assert listener.connections == 0
    for answer in answers:
        assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
        assert "SERVICE is refused" in answer.get_data(as_text=True)


def test_service_hidden_from_rdflib_cannot_connect_out_from_scrkg_query(runner):
    assert runner.invoke(main, ["load", "--bundled"]).exit_code == 0
    with Listener() as listener:
        result = runner.invoke(main, ["query", hidden_by_unicode_escape(listener.url)])
    assert listener.connections == 0
    assert result.exit_code == 1
    assert "SERVICE is refused" in result.output


def test_confined_thread_cannot_open_sockets_and_other_threads_still_can():
    box = {}

    def confined() -> None:
        sandbox.confine_thread()
        try:
            socket.socket()
        except OSError as error:
            box["error"] = error

    thread = threading.Thread(target=confined)
    thread.start()
    thread.join()
    assert isinstance(box["error"], PermissionError)
    with socket.socket() as free:  # this thread is not confined
        free.bind(("127.0.0.1", 0))


def test_confined_process_cannot_open_sockets_in_any_thread():
    code = (
        "import socket, threading\n"
        "from scrkg.graph import sandbox\n"
        "sandbox.confine_process()\n"
        "errors = []\n"
        "def probe():\n"
        "    try:\n"
        "        socket.create_connection(('127.0.0.1', 9), timeout=1)\n"
        "    except OSError as e:\n"
        "        errors.append(type(e).__name__)\n"
        "t = threading.Thread(target=probe); t.start(); t.join(); probe()\n"
        "print(errors)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['PermissionError', 'PermissionError']"


def test_check_query_parses_where_it_cannot_connect_out():
    with Listener() as listener:
        for query in HIDDEN:
            with contextlib.suppress(QueryRefused):
                check_query(query(listener.url))
    assert listener.connections == 0


# -- parser crashes stay in a process that may die ----------------------------------------------

#: Queries that crashed pyoxigraph 0.5.13's parser (a segmentation fault) in probing, under
#: the old ceilings on brackets and operators.
CRASHERS = {
    "objects": "ASK { <urn:s> <urn:p> " + "<urn:o>," * 3000 + "<urn:o> }",
    "predicates": "ASK { <urn:s> " + "<urn:p> <urn:o> ;" * 3000 + " }",
    "minus": "ASK { " + "MINUS {} " * 3000 + "}",
    "union": "ASK { " + "{} UNION " * 10000 + "{} }",
    "optional": "ASK { " + "OPTIONAL {} " * 10000 + "}",
    "minus-operator": "ASK { FILTER(" + "1-" * 10000 + "1) }",
}
ROOMY = Limits(timeout=60, max_length=500_000, max_depth=10_000)


@pytest.mark.parametrize("kind", ["disk", "memory"])
@pytest.mark.parametrize("name", sorted(CRASHERS))
def test_parser_crash_is_refused_and_not_blamed_on_memory(tmp_path, name, kind):
    """On disk the crash kills a query worker; with a memory store, the worker that checks the
    query first: never the process that serves the site."""
    store = DiskStore(tmp_path / "store") if kind == "disk" else MemoryStore()
    one_triple(store)
    with QueryGateway(store, ROOMY) as gateway:
        with pytest.raises(QueryRefused) as refused:
            gateway.run(CRASHERS[name])
        assert "memory" not in refused.value.message
        # The service answers the next query.
        assert json.loads(gateway.run("ASK { ?s ?p ?o }").body)["boolean"] is True


def test_parser_crash_is_reported_as_a_crash(tmp_path):
    """A query that kills its worker before the parse is done is said to have crashed the
    parser; the probe's 3,000 objects did so under the old ceilings."""
    from scrkg.graph.workers import death_error

    refused = death_error(-11, parsed=False)
    assert isinstance(refused, QueryRefused)
    assert "parser crashed" in refused.message and "SIGSEGV" in refused.message
    assert "memory" in death_error(-9, parsed=True).message
    assert "memory" in death_error(-6, parsed=False).message  # an allocation that failed
    assert "crashed" in death_error(-11, parsed=True).message


# -- a flood waits briefly, not its whole deadline ----------------------------------------------

#: 300 triples three times against each other: 27 million rows to count, about 2 s of work, which
#: then ends. (A query that outlasts its deadline runs on in a memory store's thread, which
#: cannot be killed: with five copies it kept a core busy to the end of the whole run.)
HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.parametrize("kind", ["disk", "memory"])
@pytest.mark.slow
def test_queued_query_is_turned_away_after_the_queue_wait_not_the_deadline(tmp_path, kind):
    store = DiskStore(tmp_path / "store") if kind == "disk" else MemoryStore()
    store.replace_graph(
        EX + "g",
        [
            ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)))
            for i in range(300)
        ],
    )
    limits = Limits(timeout=8, workers=1, queue=2, queue_wait=0.5)
    with QueryGateway(store, limits) as gateway:
        gateway.warm_up()

        def run_heavy() -> None:
            with contextlib.suppress(Exception):
                gateway.run(HEAVY)

        heavy = threading.Thread(target=run_heavy)
        heavy.start()
        deadline = time.monotonic() + 30
        while gateway.status()["running"] != 1:  # until the heavy query holds the only worker
            assert time.monotonic() < deadline, gateway.status()
            time.sleep(0.01)
        started = time.monotonic()
        with pytest.raises(GatewayBusy) as busy:
            gateway.run("ASK { ?s ?p ?o }")
        waited = time.monotonic() - started
        heavy.join(15)
    assert not heavy.is_alive()
    assert 0.4 < waited < 3, waited
    assert "SCRKG_QUERY_QUEUE_WAIT" in busy.value.message
    assert int(busy.value.headers["Retry-After"]) >= 1
