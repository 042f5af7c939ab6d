"""The command line, end to end, on an on-disk store in a temporary directory."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from scrkg.cli import main
from scrkg.graph.store import DiskStore


@pytest.fixture
def loaded(runner, tmp_path, copy_of_bundled):
    """The runner, its store holding the bundled data: a copy of the worker's `scrkg load
    --bundled` (`copy_of_bundled`, the same files), not a load of its own in every test; the
    load itself is the test just below."""
    copy_of_bundled(tmp_path / "cli-store")
    return runner


def test_load_bundled_then_stats_reproduces_every_figure(runner):
    load = runner.invoke(main, ["load", "--bundled"])
    assert load.exit_code == 0, load.output
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 0, result.output
    assert "11 of 11 published figures reproduced from the records." in result.output
    assert "differs" not in result.output
    assert "(synthetic)" in result.output  # the cohort's graph is labelled


def store_quads(tmp_path) -> set[ox.Quad]:
    return set(DiskStore(tmp_path / "cli-store").quads())


def test_loading_the_bundled_data_again_changes_nothing(loaded, tmp_path):
    before = store_quads(tmp_path)
    result = loaded.invoke(main, ["load", "--bundled"])
    assert result.exit_code == 0
    assert "unchanged" in result.output
    assert store_quads(tmp_path) == before


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("table", lambda out: "(1 row)" in out),
        ("csv", lambda out: out.splitlines()[0].strip() == "n"),
        ("tsv", lambda out: out.splitlines()[0].strip() == "?n"),
        ("json", lambda out: json.loads(out)["head"]["vars"] == ["n"]),
    ],
)
def test_query_result_formats(loaded, fmt, check):
    result = loaded.invoke(
        main, ["query", "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?c a scr:Child }", "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    assert check(result.output)
    assert "194" in result.output


def test_construct_gives_turtle_and_ntriples(loaded):
    q = "CONSTRUCT { ?c scr:outcome ?o } WHERE { ?c scr:outcome ?o }"
    turtle = loaded.invoke(main, ["query", q])
    assert turtle.exit_code == 0
    assert len(list(ox.parse(turtle.output.encode(), ox.RdfFormat.TURTLE))) == 194
    nt = loaded.invoke(main, ["query", q, "--format", "ntriples"])
    assert len(nt.output.strip().splitlines()) == 194
    wrong = loaded.invoke(main, ["query", q, "--format", "csv"])
    assert wrong.exit_code == 1
    assert "gives a graph" in wrong.output


def test_query_from_a_file_and_a_bad_query(loaded, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("ASK { ?r a scr:SeriousCaseReview }")
    assert loaded.invoke(main, ["query", "-f", str(rq)]).output.strip() == "true"
    bad = loaded.invoke(main, ["query", "SELECT ?x WHERE { ?x"])
    assert bad.exit_code == 1
    assert "The SPARQL query is not valid" in bad.output
    assert "Traceback" not in bad.output


def test_export_to_a_file_reparses_isomorphic_to_the_store(loaded, tmp_path):
    out = tmp_path / "all.nq"
    result = loaded.invoke(main, ["export", "--format", "nquads", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert set(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)) == store_quads(tmp_path)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".all.nq")] == []


def test_export_of_an_unknown_graph_leaves_no_file(loaded, tmp_path):
    out = tmp_path / "g.ttl"
    result = loaded.invoke(main, ["export", "--graph", "https://example.org/none", "-o", str(out)])
    assert result.exit_code == 1
    assert "no named graph" in result.output
    assert not out.exists()
    assert list(tmp_path.glob(".g.ttl*")) == []


def test_a_bad_file_is_one_line_and_leaves_the_store_unchanged(loaded, tmp_path):
    before = store_quads(tmp_path)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://example.org/a> <http://example.org/b> .\n")
    result = loaded.invoke(main, ["load", str(bad)])
    assert result.exit_code == 1
    assert "bad.ttl" in result.output
    assert "Traceback" not in result.output
    assert store_quads(tmp_path) == before


def test_generate_is_deterministic_for_a_seed_and_validates(runner, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (a, b):
        result = runner.invoke(
            main, ["generate", "--reviews", "20", "--seed", "3", "-o", str(path)]
        )
        assert result.exit_code == 0, result.output
    assert a.read_bytes() == b.read_bytes()
    result = runner.invoke(main, ["validate", str(a)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid:")
    wrong = runner.invoke(main, ["generate", "--reviews", "2", "-o", str(tmp_path / "x.xlsx")])
    assert wrong.exit_code == 2


def test_store_can_be_given_by_option(runner, tmp_path):
    other = tmp_path / "other-store"
    assert runner.invoke(main, ["--store", str(other), "load", "--bundled"]).exit_code == 0
    assert DiskStore(other).triple_count() > 0
    assert not (tmp_path / "cli-store").exists()


def test_load_needs_something_to_load(runner):
    result = runner.invoke(main, ["load"])
    assert result.exit_code == 2
    assert "--bundled" in result.output


CONTROLS = "red\x1b[31m bell\x07 nul\x00 csi\x9b del\x7f end"


@pytest.fixture
def controls(runner, tmp_path):
    """A store with one label full of terminal control characters."""
    DiskStore(tmp_path / "cli-store").replace_graph(
        "http://example.org/graph/controls",
        [
            ox.Triple(
                ox.NamedNode("http://example.org/x"),
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                ox.Literal(CONTROLS),
            )
        ],
    )
    return runner


def test_query_table_escapes_terminal_control_characters(controls):
    result = controls.invoke(main, ["query", "SELECT ?l { ?x rdfs:label ?l }"])
    assert result.exit_code == 0, result.output
    assert r"red\x1b[31m bell\x07 nul\x00 csi\x9b del\x7f end" in result.output
    for char in "\x1b\x07\x00\x9b\x7f":
        assert char not in result.output


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_query_csv_tsv_and_json_keep_control_characters_exact(controls, fmt):
    result = controls.invoke(main, ["query", "SELECT ?l { ?x rdfs:label ?l }", "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        binding = json.loads(result.output)["results"]["bindings"][0]
        assert binding["l"]["value"] == CONTROLS
    elif fmt == "csv":
        assert CONTROLS in result.output
    else:  # TSV writes the term as N-Triples does, with its own escapes
        assert result.output.splitlines()[1] == str(ox.Literal(CONTROLS))


def test_two_files_with_one_name_are_refused_by_scrkg_load(runner, tmp_path):
    """a/reviews.csv and b/reviews.csv would share a graph, the second replacing the first:
    scrkg load refuses both in one line and writes nothing."""
    example = Path(__file__).resolve().parents[1] / "examples" / "coded-reviews.csv"
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "reviews.csv").write_bytes(example.read_bytes())
    result = runner.invoke(
        main, ["load", str(tmp_path / "a" / "reviews.csv"), str(tmp_path / "b" / "reviews.csv")]
    )
    assert result.exit_code == 1
    assert "would both be loaded into the graph" in result.output
    assert "--graph" in result.output
    assert len(result.output.strip().splitlines()) == 1
    stats = runner.invoke(main, ["query", "ASK { GRAPH ?g { ?s ?p ?o } }", "--format", "json"])
    assert '"boolean":false' in stats.output.replace(" ", "")
