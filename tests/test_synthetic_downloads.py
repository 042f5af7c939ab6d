"""Downloads that hold synthetic records say so: /export, `scrkg export` and the query page's
downloads, with the bundled data (a real report graph and a synthetic cohort graph)."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib

from scrkg import cli
from scrkg.graph import synthetic_notice
from scrkg.graph.saved import saved_queries
from scrkg.graph.store import MemoryStore
from scrkg.web import create_app

COHORT = "https://w3id.org/scrkg/id/graph/synthetic-cohort-2009-10"
REPORT = "https://w3id.org/scrkg/id/graph/ofsted-2009-10"
COMMENT = synthetic_notice.COMMENT
HEADER = "X-SCRKG-Synthetic"
REVIEWS = "CONSTRUCT { ?r rdfs:label ?l } WHERE { ?r a scr:SeriousCaseReview ; rdfs:label ?l }"


def q(text: str) -> str:
    return quote(text, safe="")


@pytest.fixture(scope="module")
def real_store(bundled_store) -> MemoryStore:
    """The report graph alone: real data, nothing synthetic."""
    store = MemoryStore()
    store.replace_graph(REPORT, [quad.triple for quad in bundled_store.quads(REPORT)])
    return store


@pytest.fixture(scope="module")
def real_client(real_store):
    return create_app({"STORE": real_store, "TESTING": True}).test_client()


def ground(quads) -> set:
    """The triples (graph names dropped) without blank nodes, which a reparse renames; and how
    many triples there are in all."""
    triples = [quad.triple if isinstance(quad, ox.Quad) else quad for quad in quads]
    named = {t for t in triples if not any(isinstance(x, ox.BlankNode) for x in t)}
    return named, len(set(triples))


def disposition(response) -> str:
    return response.headers["Content-Disposition"]


def assert_marked(response, filename: str, *, commented: bool = True) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert disposition(response) == f"attachment; filename={filename}"
    assert "synthetic" in filename
    assert response.headers[HEADER] == "true"
    assert response.get_data().startswith(COMMENT) == commented


def assert_plain(response, filename: str) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert disposition(response) == f"attachment; filename={filename}"
    assert HEADER not in response.headers
    assert COMMENT not in response.get_data()


# -- the helper ---------------------------------------------------------------------------------


def test_the_helper_knows_which_graphs_hold_synthetic_data(bundled_store, real_store):
    assert synthetic_notice.store_includes_synthetic(bundled_store)
    assert synthetic_notice.store_includes_synthetic(bundled_store, COHORT)
    assert not synthetic_notice.store_includes_synthetic(bundled_store, REPORT)
    assert not synthetic_notice.store_includes_synthetic(real_store)
    assert synthetic_notice.iris_are_synthetic(bundled_store, [COHORT])
    assert not synthetic_notice.iris_are_synthetic(bundled_store, [REPORT, "not an IRI"])


# -- /export -------------------------------------------------------------------------------------


def test_whole_export_says_it_includes_synthetic_records(bundled_client, bundled_store):
    response = bundled_client.get("/export")
    assert_marked(response, "scrkg-includes-synthetic.trig")
    assert ground(ox.parse(response.get_data(), ox.RdfFormat.TRIG)) == ground(bundled_store.quads())


def test_export_of_the_synthetic_graph_says_so(bundled_client, bundled_store):
    response = bundled_client.get("/export", query_string={"graph": COHORT, "format": "turtle"})
    assert_marked(response, "scrkg-synthetic-cohort-2009-10-includes-synthetic.ttl")
    body = response.get_data()
    assert body.split(b"\n", 1)[0] + b"\n" == COMMENT
    expected = ground(bundled_store.quads(COHORT))
    assert ground(ox.parse(body, ox.RdfFormat.TURTLE)) == expected
    assert len(rdflib.Graph().parse(data=body, format="turtle")) == expected[1]


@pytest.mark.parametrize(
    ("fmt", "rdf_format"),
    [("ntriples", ox.RdfFormat.N_TRIPLES), ("nquads", ox.RdfFormat.N_QUADS)],
)
def test_export_comment_line_in_line_based_formats(bundled_client, fmt, rdf_format):
    response = bundled_client.get("/export", query_string={"graph": COHORT, "format": fmt})
    assert_marked(
        response, f"scrkg-synthetic-cohort-2009-10-includes-synthetic.{rdf_format.file_extension}"
    )
    assert list(ox.parse(response.get_data(), rdf_format))


def test_json_ld_export_says_so_in_its_name_and_header_only(bundled_client):
    response = bundled_client.get("/export", query_string={"graph": COHORT, "format": "jsonld"})
    assert_marked(
        response, "scrkg-synthetic-cohort-2009-10-includes-synthetic.jsonld", commented=False
    )
    json.loads(response.get_data())  # still plain JSON-LD
    assert list(ox.parse(response.get_data(), ox.RdfFormat.JSON_LD))


def test_export_of_the_report_graph_is_plain(bundled_client, bundled_store):
    response = bundled_client.get("/export", query_string={"graph": REPORT, "format": "turtle"})
    assert_plain(response, "scrkg-ofsted-2009-10.ttl")
    expected = ground(bundled_store.quads(REPORT))
    assert ground(ox.parse(response.get_data(), ox.RdfFormat.TURTLE)) == expected


def test_whole_export_of_real_data_is_plain(real_client):
    assert_plain(real_client.get("/export"), "scrkg.trig")


def test_construct_export_over_synthetic_nodes_says_so(bundled_client):
    response = bundled_client.get("/export", query_string={"query": REVIEWS})
    assert_marked(response, "scrkg-query-includes-synthetic.ttl")
    body = response.get_data()
    triples = list(ox.parse(body, ox.RdfFormat.TURTLE))
    assert triples  # labels only: the nodes are known synthetic from the store
    assert len(rdflib.Graph().parse(data=body, format="turtle")) == len(triples)


def test_construct_export_of_real_nodes_is_plain(bundled_client):
    text = f"CONSTRUCT {{ <{REPORT}> ?p ?o }} WHERE {{ GRAPH <{REPORT}> {{ <{REPORT}> ?p ?o }} }}"
    response = bundled_client.get("/export", query_string={"query": text})
    assert_plain(response, "scrkg-query.ttl")
    assert list(ox.parse(response.get_data(), ox.RdfFormat.TURTLE))


# -- scrkg export --------------------------------------------------------------------------------


@pytest.fixture
def cli_runner(runner, monkeypatch, bundled_store):
    monkeypatch.setattr(cli, "open_store", lambda path: bundled_store)
    return runner


def test_cli_export_to_stdout_starts_with_the_comment(cli_runner, bundled_store):
    result = cli_runner.invoke(cli.main, ["export", "--graph", COHORT])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(COMMENT)
    assert "SYNTHETIC" in result.stderr
    expected = ground(bundled_store.quads(COHORT))
    assert ground(ox.parse(result.stdout_bytes, ox.RdfFormat.TURTLE)) == expected
    assert len(rdflib.Graph().parse(data=result.stdout_bytes, format="turtle")) == expected[1]


def test_cli_export_to_a_file_starts_with_the_comment(cli_runner, bundled_store, tmp_path):
    out = tmp_path / "all.trig"
    result = cli_runner.invoke(cli.main, ["export", "--format", "trig", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(COMMENT)
    assert "SYNTHETIC" in result.stderr
    found = ox.parse(path=str(out), format=ox.RdfFormat.TRIG)
    assert ground(found) == ground(bundled_store.quads())


def test_cli_export_of_json_ld_notes_it_on_stderr(cli_runner, tmp_path):
    out = tmp_path / "all.jsonld"
    result = cli_runner.invoke(cli.main, ["export", "--format", "jsonld", "-o", str(out)])
    assert result.exit_code == 0, result.output
    json.loads(out.read_bytes())
    assert "SYNTHETIC" in result.stderr


def test_cli_export_of_the_report_graph_is_plain(cli_runner, tmp_path):
    printed = cli_runner.invoke(cli.main, ["export", "--graph", REPORT])
    assert printed.exit_code == 0, printed.output
    assert not printed.stdout_bytes.startswith(b"#")
    assert "SYNTHETIC" not in printed.stderr
    out = tmp_path / "report.ttl"
    written = cli_runner.invoke(cli.main, ["export", "--graph", REPORT, "-o", str(out)])
    assert written.exit_code == 0, written.output
    assert COMMENT not in out.read_bytes()


# -- the query page's downloads -----------------------------------------------------------------


def saved(name: str) -> str:
    return next(query.sparql for query in saved_queries() if query.name == name)


def test_query_page_csv_of_a_saved_query_with_a_synthetic_column(bundled_client):
    sparql = saved("07-adult-services-not-sharing")
    response = bundled_client.get(f"/api/query?format=csv&query={q(sparql)}")
    assert response.status_code == 200
    assert disposition(response) == 'attachment; filename="results-includes-synthetic.csv"'
    assert response.headers[HEADER] == "true"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert {row["synthetic"] for row in rows} >= {"true"}


def test_query_page_json_download_has_the_header_and_name(bundled_client):
    sparql = saved("10-voice-of-child-sought-once")
    response = bundled_client.get(f"/api/query?format=json&query={q(sparql)}")
    assert disposition(response) == 'attachment; filename="results-includes-synthetic.json"'
    assert response.headers[HEADER] == "true"
    json.loads(response.get_data())  # the body is standard SPARQL JSON


@pytest.mark.parametrize("fmt", ["tsv", "xml"])
def test_query_page_rows_listing_synthetic_iris_are_marked(bundled_client, fmt):
    sparql = "SELECT ?review WHERE { ?review a scr:SeriousCaseReview } LIMIT 5"
    response = bundled_client.get(f"/api/query?format={fmt}&query={q(sparql)}")
    assert disposition(response) == f'attachment; filename="results-includes-synthetic.{fmt}"'
    assert response.headers[HEADER] == "true"


def test_query_page_graph_download_gets_the_comment(bundled_client):
    response = bundled_client.get(f"/api/query?format=turtle&query={q(REVIEWS)}")
    assert disposition(response) == 'attachment; filename="results-includes-synthetic.turtle"'
    assert response.get_data().startswith(COMMENT)
    assert list(ox.parse(response.get_data(), ox.RdfFormat.TURTLE))


def test_query_page_download_of_real_rows_is_plain(bundled_client, real_client):
    plain = bundled_client.get(
        f"/api/query?format=csv&query={q('SELECT ?n WHERE { VALUES ?n { 1 2 } }')}"
    )
    assert disposition(plain) == 'attachment; filename="results.csv"'
    assert HEADER not in plain.headers
    response = real_client.get(
        f"/api/query?format=csv&query={q(saved('07-adult-services-not-sharing'))}"
    )
    assert disposition(response) == 'attachment; filename="results.csv"'
    assert HEADER not in response.headers


def test_sparql_endpoint_answers_stay_standard(bundled_client):
    sparql = saved("07-adult-services-not-sharing")
    response = bundled_client.get(f"/sparql?format=csv&query={q(sparql)}")
    assert response.status_code == 200
    assert response.get_data().startswith(b"review,")
