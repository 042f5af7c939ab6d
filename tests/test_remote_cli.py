"""The command line on a SPARQL server (`--endpoint`), and `scrkg copy` to a server and back, on
`oxigraph serve` and on OpenLink Virtuoso (found by its address alone, credentials from the
environment)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_remote_store import (
    SERVERS,
    Server,
    VirtuosoServer,
    canonical,
    empty,
    free_port,
    start_server,
)

from scrkg.cli import main
from scrkg.graph.remote import RemoteStore
from scrkg.graph.server_http import ServerHttp
from scrkg.graph.store import DiskStore

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "coded-reviews.csv"


@pytest.fixture(scope="module", params=SERVERS)
def cli_server(request, tmp_path_factory) -> Iterator[Server]:
    running = start_server(request.param, tmp_path_factory.mktemp(f"{request.param}-cli"))
    yield running
    running.stop()


@pytest.fixture
def endpoint(cli_server, monkeypatch) -> Iterator[str]:
    """The address of an emptied server; Virtuoso's user and password in the environment."""
    if isinstance(cli_server, VirtuosoServer):
        monkeypatch.setenv("SCRKG_ENDPOINT_USER", cli_server.user)
        monkeypatch.setenv("SCRKG_ENDPOINT_PASSWORD", cli_server.password)
    store = RemoteStore(cli_server.url)
    empty(store)
    store.close()
    yield cli_server.url


def remote_quads(url: str) -> ox.Dataset:
    store = RemoteStore(url)
    try:
        return canonical(store.quads())
    finally:
        store.close()


@pytest.mark.slow
def test_load_stats_query_and_export_on_a_server(runner, endpoint, tmp_path):
    load = runner.invoke(main, ["--endpoint", endpoint, "load", "--bundled"])
    assert load.exit_code == 0, load.output
    assert load.output.count("loaded: <") == 2
    assert not (tmp_path / "cli-store").exists()  # nothing written to the local store

    stats = runner.invoke(main, ["--endpoint", endpoint, "stats"])
    assert stats.exit_code == 0, stats.output
    assert "11 of 11 published figures reproduced from the records." in stats.output
    assert "(synthetic)" in stats.output

    again = runner.invoke(main, ["--endpoint", endpoint, "load", "--bundled"])
    assert again.exit_code == 0 and again.output.count("unchanged: <") == 2

    query = runner.invoke(
        main,
        ["--endpoint", endpoint, "query", "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?c a scr:Child }"],
        catch_exceptions=False,
    )
    assert query.exit_code == 0 and "194" in query.output
    as_json = runner.invoke(
        main, ["--endpoint", endpoint, "query", "ASK { ?c a scr:Child }", "--format", "json"]
    )
    assert json.loads(as_json.output)["boolean"] is True
    construct = runner.invoke(
        main,
        [
            "--endpoint",
            endpoint,
            "query",
            "CONSTRUCT WHERE { ?c scr:outcome ?o }",
            "--format",
            "ntriples",
        ],
    )
    assert len(construct.output.strip().splitlines()) == 194

    out = tmp_path / "all.nq"
    export = runner.invoke(
        main, ["--endpoint", endpoint, "export", "--format", "nquads", "-o", str(out)]
    )
    assert export.exit_code == 0, export.output
    assert canonical(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)) == remote_quads(endpoint)


def test_the_endpoint_comes_from_the_environment(runner, endpoint, monkeypatch, tmp_path):
    """The examples (two serious case reviews among four), not the bundled data: the load just
    above loads that, and this test is about where the address comes from."""
    monkeypatch.setenv("SCRKG_ENDPOINT", endpoint)
    load = runner.invoke(main, ["load", str(EXAMPLES)])
    assert load.exit_code == 0, load.output
    assert "loaded: <https://w3id.org/scrkg/id/graph/coded-reviews>" in load.output
    count = runner.invoke(
        main, ["query", "SELECT (COUNT(*) AS ?n) { ?r a scr:SeriousCaseReview }", "--format", "csv"]
    )
    assert count.exit_code == 0 and count.output.split() == ["n", "2"], count.output
    other = runner.invoke(main, ["--store", str(tmp_path / "other"), "stats"])  # --store wins
    assert "no published figures yet" in other.output


def test_store_and_endpoint_together_are_refused(runner, endpoint):
    both = runner.invoke(main, ["--store", "s", "--endpoint", endpoint, "stats"])
    assert both.exit_code == 2
    assert "either --store or --endpoint" in both.output
    alone = runner.invoke(main, ["--query-url", f"{endpoint}/query", "stats"])
    assert alone.exit_code == 2 and "need --endpoint" in alone.output


def test_a_down_server_is_one_clear_line(runner, monkeypatch):
    waits: list[float] = []  # the waits between tries, noted instead of slept (3.5 s)
    monkeypatch.setattr(ServerHttp, "sleep", lambda self, seconds: waits.append(seconds))
    url = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(main, ["--endpoint", url, "stats"])
    assert waits == [0.5, 1.0, 2.0]  # tried four times before giving up
    assert result.exit_code == 1
    assert f"{url}/query is not answering (connection refused)" in result.output
    assert "Traceback" not in result.output


def test_a_bad_query_and_a_bad_file_on_a_server(runner, endpoint, tmp_path):
    bad = runner.invoke(main, ["--endpoint", endpoint, "query", "SELECT ?x WHERE { ?x"])
    assert bad.exit_code == 1 and "The SPARQL query is not valid" in bad.output
    assert runner.invoke(main, ["--endpoint", endpoint, "load", str(EXAMPLES)]).exit_code == 0
    before = remote_quads(endpoint)
    assert len(before) > 1000  # the ontology and the examples
    broken = tmp_path / "bad.ttl"
    broken.write_text("<http://example.org/a> <http://example.org/b> .\n")
    result = runner.invoke(main, ["--endpoint", endpoint, "load", str(broken)])
    assert result.exit_code == 1 and "bad.ttl" in result.output
    assert remote_quads(endpoint) == before


@pytest.mark.slow
def test_copy_to_a_server_and_back(runner, endpoint, tmp_path, copy_of_bundled):
    local = DiskStore(copy_of_bundled(tmp_path / "cli-store"))  # the local store: the bundled data
    graphs = local.named_graphs()

    to = runner.invoke(main, ["copy", "--to-endpoint", endpoint])
    assert to.exit_code == 0, to.output
    assert f"copied {len(graphs)} named graphs from" in to.output
    for graph in graphs:
        count = local.triple_count(graph)
        assert f"<{graph}> {count} -> {count} triples, isomorphic" in to.output
    assert (
        f"{local.triple_count()} triples in {len(graphs)} graphs; every graph is isomorphic"
        in to.output
    )
    assert remote_quads(endpoint) == canonical(local.quads())
    stats = runner.invoke(main, ["--endpoint", endpoint, "stats"])
    assert "11 of 11 published figures" in stats.output

    back = tmp_path / "back-store"
    result = runner.invoke(main, ["--store", str(back), "copy", "--from-endpoint", endpoint])
    assert result.exit_code == 0, result.output
    assert "every graph is isomorphic" in result.output
    assert canonical(DiskStore(back).quads()) == canonical(local.quads())

    again = runner.invoke(main, ["copy", "--to-endpoint", endpoint])  # replaces, adds nothing
    assert again.exit_code == 0 and "other named graphs" not in again.output
    assert remote_quads(endpoint) == canonical(local.quads())


def test_copy_needs_one_direction(runner, endpoint):
    assert runner.invoke(main, ["copy"]).exit_code == 2
    both = runner.invoke(main, ["copy", "--to-endpoint", endpoint, "--from-endpoint", endpoint])
    assert both.exit_code == 2
