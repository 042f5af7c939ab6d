"""No silent merge: a review or child comes from one source, and the store as a whole conforms.

Two CSV files sharing a review id (rows copied from examples/coded-reviews.csv): the second is
refused, naming the id, both files and --replace-source, and the store is left exactly as it was;
with --replace-source (``replace=`` in the API) the older source is removed in the same write.
An RDF file that only adds a conflicting fact about a node of another source is refused with one
line naming the node and the shape.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from scrkg.cli import main
from scrkg.graph.store import DiskStore, MemoryStore
from scrkg.loader import LoadError, load_source
from scrkg.loader.load import load_sources
from scrkg.ontology import DEFAULT_BASE

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "coded-reviews.csv"
HEADER, R001, R002_C1, *_ = EXAMPLE.read_text(encoding="utf-8").splitlines()
REVIEW = DEFAULT_BASE + "review/EXAMPLE-R001"
GRAPH_A = DEFAULT_BASE + "graph/a"
GRAPH_B = DEFAULT_BASE + "graph/b"


def write(folder: Path, name: str, *rows: str) -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def other_version(row: str) -> str:
    """The same review as another source codes it: another board, year and child."""
    return (
        row.replace("Example LSCB,2009-10", "Other LSCB,2010-11")
        .replace("imr-overview-report", "silp")
        .replace("EXAMPLE-R001-C1", "EXAMPLE-R001-C9")
    )


def shape_of(store) -> dict[str, int]:
    """The named graphs and their triple counts."""
    return {graph: store.triple_count(graph) for graph in store.named_graphs()}


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path]:
    return write(tmp_path, "a.csv", R001), write(tmp_path, "b.csv", other_version(R001))


# -- the API -------------------------------------------------------------------------------------


def test_a_review_already_in_another_source_is_refused_and_nothing_changes(files):
    a, b = files
    store = MemoryStore()
    load_source(store, a)
    before, quads = shape_of(store), set(store.quads())

    with pytest.raises(LoadError) as caught:
        load_source(store, b)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("b.csv, row 2, field review_id: review 'EXAMPLE-R001' is already")
    assert f"<{GRAPH_A}>, loaded from a.csv" in message
    assert "--replace-source a.csv" in message
    assert caught.value.rule == "record-in-two-sources"
    assert shape_of(store) == before
    assert set(store.quads()) == quads


def test_a_child_already_in_another_source_is_refused(tmp_path):
    store = MemoryStore()
    load_source(store, write(tmp_path, "a.csv", R001))
    moved = R001.replace("EXAMPLE-R001,", "EXAMPLE-R009,")  # another review, the same child

    with pytest.raises(LoadError) as caught:
        load_source(store, write(tmp_path, "b.csv", moved))

    assert "child 'EXAMPLE-R001-C1' is already in the graph" in str(caught.value)
    assert "field child_id" in str(caught.value)


def test_two_files_of_one_load_sharing_a_review_are_refused(files):
    store = MemoryStore()
    with pytest.raises(LoadError) as caught:
        load_sources(store, list(files))
    assert "review 'EXAMPLE-R001' is also in a.csv" in str(caught.value)
    assert store.named_graphs() == []


def test_replace_removes_the_other_source_in_the_same_write(files):
    a, b = files
    store = MemoryStore()
    load_source(store, a)

    results = load_sources(store, [b], replace=["a.csv"])

    assert [(r.graph, r.status, r.file) for r in results] == [
        (GRAPH_B, "loaded", "b.csv"),
        (GRAPH_A, "removed", "a.csv"),
    ]
    assert GRAPH_A not in store.named_graphs()
    years = store.query(f"SELECT ?y {{ <{REVIEW}> scr:reportingYear ?y }}")
    assert [row["y"].value for row in years] == ["2010-11"]


def test_replace_takes_a_graph_iri_too(files):
    a, b = files
    store = MemoryStore()
    load_source(store, a)
    load_source(store, b, replace=[GRAPH_A])
    assert GRAPH_A not in store.named_graphs() and GRAPH_B in store.named_graphs()


def test_replace_naming_no_source_is_refused(files):
    a, b = files
    store = MemoryStore()
    load_source(store, a)
    before = shape_of(store)
    with pytest.raises(LoadError) as caught:
        load_source(store, b, replace=["nothing.csv"])
    assert "no source graph in the store" in str(caught.value)
    assert f"<{GRAPH_A}> (from a.csv)" in str(caught.value)
    assert shape_of(store) == before


def test_reloading_the_same_source_still_replaces_it(tmp_path):
    store = MemoryStore()
    path = write(tmp_path, "a.csv", R001)
    load_source(store, path)
    write(tmp_path, "a.csv", other_version(R001))

    result = load_source(store, path)

    assert result.status == "replaced"
    boards = store.query(f"SELECT ?b {{ <{REVIEW}> scr:commissionedBy ?b }}")
    assert len(list(boards)) == 1


def test_another_review_of_the_same_board_loads(tmp_path):
    """Boards are shared between sources: naming the same board is not a merge."""
    store = MemoryStore()
    load_source(store, write(tmp_path, "a.csv", R001))
    result = load_source(store, write(tmp_path, "b.csv", R002_C1))
    assert result.status == "loaded"


# -- the shapes over the whole store -------------------------------------------------------------

SECOND_YEAR = f"""@prefix scr: <https://w3id.org/scrkg/def#> .
<{REVIEW}> scr:reportingYear "2011-12" .
"""

A_COMMENT = f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{REVIEW}> rdfs:comment "Read again in 2012." .
"""


def test_a_conflicting_fact_about_another_sources_node_breaks_a_shape(tmp_path):
    store = MemoryStore()
    load_source(store, write(tmp_path, "a.csv", R001))
    before, quads = shape_of(store), set(store.quads())
    extra = tmp_path / "extra.ttl"
    extra.write_text(SECOND_YEAR, encoding="utf-8")

    with pytest.raises(LoadError) as caught:
        load_source(store, extra)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"extra.ttl, subject <{REVIEW}>: together with a.csv")
    assert "id:review/EXAMPLE-R001" in message
    assert "the shape scr:ReviewReportingYearShape" in message
    assert caught.value.rule == "shacl:scr:ReviewReportingYearShape"
    assert shape_of(store) == before and set(store.quads()) == quads


def test_a_fact_that_agrees_with_the_shapes_loads(tmp_path):
    store = MemoryStore()
    load_source(store, write(tmp_path, "a.csv", R001))
    extra = tmp_path / "comment.ttl"
    extra.write_text(A_COMMENT, encoding="utf-8")
    assert load_source(store, extra).status == "loaded"


def test_replacing_a_source_that_another_one_annotates_is_checked(tmp_path):
    """The review another graph comments on moves from a.csv to b.csv in one write."""
    store = MemoryStore()
    load_source(store, write(tmp_path, "a.csv", R001))
    comment = tmp_path / "comment.ttl"
    comment.write_text(A_COMMENT, encoding="utf-8")
    load_source(store, comment)
    b = write(tmp_path, "b.csv", other_version(R001))
    results = load_sources(store, [b], replace=["a.csv"])
    assert [r.status for r in results] == ["loaded", "removed"]


# -- the command line ----------------------------------------------------------------------------


def test_cli_refuses_the_second_file_and_leaves_the_store_as_it_was(runner, files, tmp_path):
    a, b = files
    assert runner.invoke(main, ["load", str(a)]).exit_code == 0
    store_dir = tmp_path / "cli-store"
    before = shape_of(DiskStore(store_dir))
    quads = set(DiskStore(store_dir).quads())

    result = runner.invoke(main, ["load", str(b)])

    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1
    assert "b.csv, row 2, field review_id: review 'EXAMPLE-R001'" in lines[0]
    assert "a.csv" in lines[0] and "--replace-source a.csv" in lines[0]
    assert shape_of(DiskStore(store_dir)) == before
    assert set(DiskStore(store_dir).quads()) == quads


def test_cli_replace_source(runner, files, tmp_path):
    a, b = files
    assert runner.invoke(main, ["load", str(a)]).exit_code == 0

    result = runner.invoke(main, ["load", str(b), "--replace-source", str(a)])

    assert result.exit_code == 0, result.output
    assert f"loaded: <{GRAPH_B}>" in result.output
    assert f"removed: <{GRAPH_A}> (had been loaded from a.csv)" in result.output
    graphs = DiskStore(tmp_path / "cli-store").named_graphs()
    assert GRAPH_A not in graphs and GRAPH_B in graphs


def test_cli_bundled_twice_still_loads_then_changes_nothing(runner):
    assert runner.invoke(main, ["load", "--bundled"]).exit_code == 0
    result = runner.invoke(main, ["load", "--bundled"])
    assert result.exit_code == 0
    assert result.output.count("unchanged") == 2


def test_cli_conflicting_rdf_is_one_line(runner, tmp_path):
    assert runner.invoke(main, ["load", str(write(tmp_path, "a.csv", R001))]).exit_code == 0
    extra = tmp_path / "extra.ttl"
    extra.write_text(SECOND_YEAR, encoding="utf-8")
    result = runner.invoke(main, ["load", str(extra)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "scr:ReviewReportingYearShape" in errors[0]
    assert (
        ox.NamedNode(DEFAULT_BASE + "graph/extra").value
        not in DiskStore(tmp_path / "cli-store").named_graphs()
    )
