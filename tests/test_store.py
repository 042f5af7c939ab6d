"""The store: atomic graph replacement, one writer, readers that follow the pointer, export."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap

import pyoxigraph as ox
import pytest

from scrkg.graph.store import (
    DiskStore,
    MemoryStore,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
)

EX = "http://example.org/"


def triples(n: int, tag: str = "v") -> list[ox.Triple]:
    return [
        ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(f"{tag}{i}"))
        for i in range(n)
    ]


def quad_set(store) -> set[ox.Quad]:
    return set(store.quads())


@pytest.fixture(params=["memory", "disk"])
def store(request, memory_store, disk_store):
    return memory_store if request.param == "memory" else disk_store


def test_replace_graph_replaces_only_that_graph(store):
    store.replace_graphs({f"{EX}g1": triples(5), f"{EX}g2": triples(3, "w")})
    store.replace_graph(f"{EX}g1", triples(2, "x"))
    assert store.triple_count(f"{EX}g1") == 2
    assert store.triple_count(f"{EX}g2") == 3
    assert store.named_graphs() == [f"{EX}g1", f"{EX}g2"]
    values = {
        row["o"].value for row in store.query(f"SELECT ?o {{ GRAPH <{EX}g1> {{ ?s ?p ?o }} }}")
    }
    assert values == {"x0", "x1"}


def test_failed_write_leaves_the_store_as_it_was(store):
    store.replace_graph(f"{EX}g1", triples(4))
    before = quad_set(store)

    def broken():
        yield from triples(2, "new")
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError):
        store.replace_graphs({f"{EX}g1": triples(1, "z"), f"{EX}g2": broken()})
    assert quad_set(store) == before


def test_failed_disk_write_leaves_no_half_snapshot(disk_store):
    disk_store.replace_graph(f"{EX}g1", triples(4))

    def broken():
        yield from triples(2, "new")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        disk_store.replace_graph(f"{EX}g1", broken())
    snapshots = os.listdir(disk_store.path / "snapshots")
    assert snapshots == [disk_store.current_snapshot()]


def test_queries_see_the_union_of_named_graphs(store):
    store.replace_graphs({f"{EX}g1": triples(2), f"{EX}g2": triples(3, "w")})
    rows = list(store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))
    assert int(rows[0]["n"].value) == 5


def test_a_reader_follows_a_write_made_by_another_handle(tmp_path):
    reader = DiskStore(tmp_path / "s")
    assert reader.triple_count() == 0
    DiskStore(tmp_path / "s").replace_graph(f"{EX}g", triples(3))
    assert reader.triple_count() == 3
    DiskStore(tmp_path / "s").replace_graph(f"{EX}g", triples(1))
    assert reader.triple_count() == 1


SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    import pyoxigraph as ox
    from scrkg.graph.store import DiskStore

    def slow():
        for i in range(100000):
            if i == 10:
                print("writing", flush=True)
                time.sleep(60)
            yield ox.Triple(ox.NamedNode("http://example.org/s%d" % i),
                            ox.NamedNode("http://example.org/p"), ox.Literal("new"))

    DiskStore(sys.argv[1]).replace_graph("http://example.org/g", slow())
    """
)


def start_slow_writer(path) -> subprocess.Popen:
    writer = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline().strip() == "writing"
    return writer


def test_a_second_writer_is_refused(tmp_path):
    path = tmp_path / "s"
    DiskStore(path).replace_graph(f"{EX}g", triples(2))
    writer = start_slow_writer(path)
    try:
        with pytest.raises(StoreLockedError, match="Another scrkg process is writing"):
            DiskStore(path).replace_graph(f"{EX}other", triples(1))
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()


def test_readers_keep_working_while_a_load_runs_and_a_killed_load_loses_nothing(tmp_path):
    path = tmp_path / "s"
    DiskStore(path).replace_graph(f"{EX}g", triples(7))
    before = quad_set(DiskStore(path))
    writer = start_slow_writer(path)
    try:
        assert DiskStore(path).triple_count() == 7  # a reader during the load sees the old data
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
    store = DiskStore(path)
    assert quad_set(store) == before
    store.replace_graph(f"{EX}g2", triples(1))  # the lock died with the writer
    assert store.triple_count() == 8


def test_a_corrupt_pointer_is_reported_with_what_to_do(tmp_path):
    path = tmp_path / "s"
    DiskStore(path).replace_graph(f"{EX}g", triples(1))
    (path / "CURRENT").write_text("999999\n")
    with pytest.raises(StoreCorruptError, match="does not exist"):
        DiskStore(path).triple_count()


def test_a_directory_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(StoreCorruptError, match="is not a scrkg store"):
        DiskStore(tmp_path)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "trig", "nquads", "jsonld"])
def test_export_reparses_to_the_same_data(store, fmt):
    store.replace_graphs({f"{EX}g1": triples(3), f"{EX}g2": triples(2, "w")})
    out = io.BytesIO()
    store.export(out, fmt)
    parsed = list(
        ox.parse(
            out.getvalue(),
            {
                "turtle": ox.RdfFormat.TURTLE,
                "ntriples": ox.RdfFormat.N_TRIPLES,
                "trig": ox.RdfFormat.TRIG,
                "nquads": ox.RdfFormat.N_QUADS,
                "jsonld": ox.RdfFormat.JSON_LD,
            }[fmt],
        )
    )
    if fmt in ("trig", "nquads", "jsonld"):
        assert set(parsed) == quad_set(store)
    else:
        assert {ox.Triple(q.subject, q.predicate, q.object) for q in parsed} == {
            ox.Triple(q.subject, q.predicate, q.object) for q in quad_set(store)
        }


def test_export_of_one_graph_and_of_a_missing_graph(store):
    store.replace_graphs({f"{EX}g1": triples(3), f"{EX}g2": triples(2, "w")})
    out = io.BytesIO()
    store.export(out, "ntriples", f"{EX}g2")
    assert len(list(ox.parse(out.getvalue(), ox.RdfFormat.N_TRIPLES))) == 2
    with pytest.raises(StoreError, match="no named graph"):
        store.export(io.BytesIO(), "turtle", f"{EX}nope")


def test_the_empty_disk_store_answers_queries(disk_store):
    assert disk_store.triple_count() == 0
    assert disk_store.named_graphs() == []
    assert not disk_store.path.exists()  # nothing was created on disk by reading


def test_the_version_changes_with_every_write_even_of_the_same_size(store):
    store.replace_graph(EX + "g", triples(3, "a"))
    first = store.version()
    assert store.version() == first  # asking again changes nothing
    store.replace_graph(EX + "g", triples(3, "b"))  # same triple count, other data
    assert store.triple_count() == 3 and store.version() != first


def test_the_whole_store_counts_the_named_graphs_quads_only(tmp_path):
    writer = DiskStore(tmp_path / "store")
    writer.replace_graphs({EX + "g": triples(3), EX + "h": triples(2, "h")})
    raw = ox.Store(str(writer.snapshot_dir()))  # a quad in the default graph, written by hand
    raw.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("d")))
    raw.flush()
    del raw
    store = DiskStore(tmp_path / "store")
    assert store.query("ASK { <" + EX + "s> ?p ?o }")
    assert store.triple_count() == 5 and store.triple_count(EX + "h") == 2


def test_a_memory_store_made_after_another_is_dropped_has_its_own_version():
    # CPython often gives the new store the dropped one's id(); their cached answers must
    # not be taken for each other's.
    versions = []
    for letter in "abc":
        store = MemoryStore()
        store.replace_graph(EX + "g", triples(2, letter))
        versions.append(store.version())
        del store
    assert len(set(versions)) == 3


def test_a_disk_store_keeps_its_version_and_snapshot_across_handles(tmp_path):
    writer = DiskStore(tmp_path / "store")
    writer.replace_graph(EX + "g", triples(2))
    reader = DiskStore(tmp_path / "store")
    assert reader.version() == writer.version()
    assert reader.snapshot_dir() == tmp_path / "store" / "snapshots" / writer.current_snapshot()
    writer.replace_graph(EX + "g", triples(2, "w"))
    assert reader.version() == writer.version()  # the reader follows the pointer


def test_a_memory_store_has_no_files_to_check_or_tidy(memory_store):
    assert memory_store.snapshot_dir() is None and memory_store.writer_pid() is None
    memory_store.check()
    assert memory_store.remove_abandoned_snapshots() == (0, 0)
