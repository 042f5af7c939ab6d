"""The explorer's server side for networks an analyst can read (web/explorer.py).

* ``/explore?query=TEXT`` fills the query box and runs nothing; only a link the site signed
  (:func:`scrkg.web.explorer.site_explore_link`) starts the page on the query's network.
* The label lookup is ``/api/labels``; the explorer no longer answers ``/api/search``.
* A query's network in the explorer comes from web/network_file.py's ``query_view``, the same
  conversion the saved page uses.
* The whole-graph view is bounded: at most ``SCRKG_EXPLORE_MAX_NODES`` nodes reach the browser.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from scrkg.web import create_app, network_file, querying
from scrkg.web.explorer import site_explore_link

QUERY = "SELECT ?r ?c WHERE { ?r <https://w3id.org/scrkg/def#concernsChild> ?c } LIMIT 5"


@pytest.fixture
def store(bundled_store):
    """The store conftest's ``client`` reads: the bundled data."""
    return bundled_store


@pytest.fixture
def runs(monkeypatch):
    """Every query the site runs through the gateway, in order."""
    seen: list[str] = []
    real = querying.results

    def counted(sparql, *args, **kwargs):
        seen.append(sparql)
        return real(sparql, *args, **kwargs)

    monkeypatch.setattr(querying, "results", counted)
    return seen


def page_data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert block is not None
    return json.loads(block.group(1))


def textarea(html: str) -> str:
    found = re.search(r'<textarea id="query-text"[^>]*>(.*?)</textarea>', html, re.S)
    assert found is not None
    return html_lib.unescape(found.group(1))


# ---------------------------------------------------------------------------------------------
# A link's query waits for the reader
# ---------------------------------------------------------------------------------------------


def test_a_query_link_fills_the_box_and_runs_nothing(client, runs):
    response = client.get("/explore?" + urlencode({"query": QUERY}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert textarea(html) == QUERY
    assert page_data(html)["start"] == {"kind": "query-held"}
    assert 'id="query-held"' in html
    assert runs == []  # the page ran nothing
    assert 'id="save-block" hidden' in html  # nor offers to save a network it has not drawn


def test_a_run_parameter_that_the_site_did_not_sign_runs_nothing(client, runs):
    other = parse_qs(urlsplit(site_explore_link("ASK {}")).query)["run"][0]
    for run in ("1", "true", other, ""):
        html = client.get("/explore?" + urlencode({"query": QUERY, "run": run})).get_data(
            as_text=True
        )
        assert page_data(html)["start"] == {"kind": "query-held"}, run
    assert runs == []


def test_a_link_the_site_signed_starts_on_the_query(client, runs):
    link = site_explore_link(QUERY)
    assert link.startswith("/explore?")
    html = client.get(link).get_data(as_text=True)
    assert page_data(html)["start"] == {"kind": "query", "query": QUERY}
    assert textarea(html) == QUERY
    assert 'id="query-held"' not in html
    assert runs == []  # the browser asks /api/view for the network, the page itself runs none


def test_a_hostile_query_link_stays_text(client):
    text = "</textarea><script>alert(1)</script>"
    html = client.get("/explore?" + urlencode({"query": text})).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert textarea(html) == text


def test_no_query_and_no_focus_still_starts_from_a_review(client):
    start = page_data(client.get("/explore").get_data(as_text=True))["start"]
    assert start["kind"] == "focus" and "/review/" in start["iri"]


# ---------------------------------------------------------------------------------------------
# /api/labels, and /api/search left free
# ---------------------------------------------------------------------------------------------


def test_the_label_lookup_is_api_labels(client):
    found = client.get("/api/labels?q=OFSTED-2009-10-CS1-C1").get_json()["results"]
    assert [r["iri"] for r in found] == ["https://w3id.org/scrkg/id/child/OFSTED-2009-10-CS1-C1"]
    assert found[0]["url"] == "/id/child/OFSTED-2009-10-CS1-C1"
    assert client.get("/api/labels?q=" + "x" * 201).status_code == 400
    explorer_rules = {
        r.rule
        for r in client.application.url_map.iter_rules()
        if r.endpoint.startswith("explorer.")
    }
    assert "/api/labels" in explorer_rules and "/api/search" not in explorer_rules


def test_the_page_script_asks_api_labels():
    from pathlib import Path

    script = (Path(network_file.__file__).parent / "static" / "explore.js").read_text()
    assert '"/api/labels?q="' in script and "/api/search" not in script


# ---------------------------------------------------------------------------------------------
# One conversion of a query's result into a network
# ---------------------------------------------------------------------------------------------


def test_the_explorer_draws_a_query_with_network_files_conversion(client, monkeypatch, runs):
    calls = []
    real = network_file.query_view

    def spy(store, results, **kwargs):
        view = real(store, results, **kwargs)
        calls.append(sorted(view.nodes))
        return view

    monkeypatch.setattr(network_file, "query_view", spy)
    data = client.get("/api/view?" + urlencode({"query": QUERY})).get_json()
    assert runs == [QUERY]  # the press of "Show as network" runs it, through the gateway
    assert len(calls) == 1
    assert sorted(n["iri"] for n in data["nodes"]) == calls[0]
    assert {n["group"] for n in data["nodes"]} == {"review", "child"}
    assert all(e["label"] == "concerns child" for e in data["edges"])


def test_a_result_read_only_in_part_says_so_in_the_explorer_and_the_saved_page(client, monkeypatch):
    monkeypatch.setattr(network_file, "MAX_QUERY_ROWS", 3)
    query = "SELECT ?r ?c WHERE { ?r <https://w3id.org/scrkg/def#concernsChild> ?c }"
    data = client.get("/api/view?" + urlencode({"query": query})).get_json()
    assert data["truncated"] is True
    assert data["message"].startswith("Only the first rows of the result were read")
    assert len(data["nodes"]) <= 6
    saved = client.get("/network.html?" + urlencode({"query": query})).get_data(as_text=True)
    assert "Only the first rows of the result were read" in saved


def test_an_ask_query_gives_its_answer_not_a_network(client):
    data = client.get("/api/view?" + urlencode({"query": "ASK { ?s ?p ?o }"})).get_json()
    assert data["nodes"] == [] and "ASK query" in data["message"] and "yes" in data["message"]
    saved = client.get("/network.html?" + urlencode({"query": "ASK { ?s ?p ?o }"}))
    assert saved.status_code == 400 and "ASK query" in saved.get_data(as_text=True)


def test_the_explorer_keeps_no_copy_of_the_conversion():
    from scrkg.web import explorer

    assert not hasattr(explorer, "MAX_QUERY_ROWS")
    assert network_file.MAX_QUERY_ROWS == 20000


# ---------------------------------------------------------------------------------------------
# The whole graph: bounded, and whole at the bundled size
# ---------------------------------------------------------------------------------------------


def test_the_whole_graph_reaches_the_browser_bounded(bundled_store):
    small = create_app({"STORE": bundled_store, "SCRKG_EXPLORE_MAX_NODES": 200}).test_client()
    data = small.get("/api/view?view=whole").get_json()
    assert len(data["nodes"]) <= 200 and data["truncated"] is True
    assert "first 200 nodes" in data["message"]
    ids = {n["iri"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])


def test_the_whole_bundled_graph_is_complete_under_the_default_bound(client):
    data = client.get("/api/view?view=whole").get_json()
    assert data["truncated"] is False and len(data["nodes"]) > 1500
    groups = {n["group"] for n in data["nodes"]}
    # Classes and the coded values of each scheme: what the page gathers into class nodes.
    assert {
        "review",
        "child",
        "agency",
        "lesson",
        "risk-factor",
        "outcome",
        "agency-type",
    } <= groups
