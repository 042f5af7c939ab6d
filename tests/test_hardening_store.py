"""Snapshots abandoned by killed loads are removed at the next `scrkg load` or `scrkg serve`,
never the live one, the one before it (a reader may still be on it) or one a running load is
writing. The command line runs in a subprocess, as in tests/test_faults.py."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from served import SLOW_WRITER, served

from scrkg.graph.store import DiskStore
from scrkg.loader import generate_file

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "coded-reviews.csv"
SCRKG = [sys.executable, "-m", "scrkg"]
ENV = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONUNBUFFERED": "1"}
NOTE = re.compile(
    r"note: removed (\d+) abandoned snapshots? left by interrupted loads from the store at "
    r"(.+) \(([0-9.]+) MB freed\)\."
)


def scrkg(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*SCRKG, *args], capture_output=True, text=True, env=ENV, timeout=timeout)


def snapshots(store: Path) -> list[str]:
    return sorted(os.listdir(store / "snapshots"))


def live(store: Path) -> str:
    return (store / "CURRENT").read_text().strip()


def abandon(store: Path, name: str, megabytes: int = 3) -> Path:
    """A fake half-written snapshot: a directory of RocksDB-like files nobody points at."""
    folder = store / "snapshots" / name
    folder.mkdir()
    (folder / "000001.sst").write_bytes(os.urandom(megabytes * 1_000_000))
    (folder / "LOG").write_text("killed half-way\n")
    return folder


def triple(n: int) -> ox.Triple:
    return ox.Triple(
        ox.NamedNode(f"http://example.org/s{n}"),
        ox.NamedNode("http://example.org/p"),
        ox.Literal(str(n)),
    )


@pytest.fixture(scope="module")
def examples_store(tmp_path_factory) -> Path:
    """A store the command line loaded the examples into, once for the module. The tests load
    the examples again and expect "unchanged", which holds for the ontology and code of the
    same run: a store loaded by this module's run, never one kept from an earlier run."""
    store = tmp_path_factory.mktemp("examples") / "store"
    result = scrkg("--store", str(store), "load", str(EXAMPLES))
    assert result.returncode == 0, result.stderr
    return store


@pytest.fixture
def loaded(tmp_path, examples_store) -> Path:
    """A store holding the examples, the test's own: a copy of `examples_store` (the same
    files a load of its own would have left)."""
    return Path(shutil.copytree(examples_store, tmp_path / "store", symlinks=True))


def test_an_abandoned_snapshot_is_removed_at_the_next_load_and_said_in_one_line(loaded):
    before = snapshots(loaded)
    abandon(loaded, "000007", megabytes=3)
    abandon(loaded, "000008", megabytes=2)
    result = scrkg("--store", str(loaded), "load", str(EXAMPLES))  # unchanged: writes nothing
    assert result.returncode == 0, result.stderr
    assert "unchanged" in result.stdout
    notes = [line for line in result.stderr.splitlines() if NOTE.fullmatch(line)]
    assert len(notes) == 1, result.stderr
    count, where, megabytes = NOTE.fullmatch(notes[0]).groups()
    assert count == "2" and where == str(loaded) and float(megabytes) == pytest.approx(5, abs=0.1)
    assert snapshots(loaded) == before
    DiskStore(loaded).check()


def test_a_load_with_nothing_abandoned_says_nothing(loaded):
    result = scrkg("--store", str(loaded), "load", str(EXAMPLES))
    assert result.returncode == 0 and "abandoned" not in result.stderr


def test_serve_removes_abandoned_snapshots_at_start(loaded, tmp_path):
    abandon(loaded, "000005")
    log = tmp_path / "serve.log"
    with served(loaded, log=log) as site:
        assert site.startswith("http://127.0.0.1:")
    lines = [line for line in log.read_text().splitlines() if NOTE.fullmatch(line)]
    assert len(lines) == 1 and NOTE.fullmatch(lines[0]).group(1) == "1"
    assert snapshots(loaded) == [live(loaded)]


def test_the_live_snapshot_and_the_one_before_it_are_kept(tmp_path):
    store = DiskStore(tmp_path / "store")
    store.replace_graph("http://example.org/g", [triple(1)])
    store.replace_graph("http://example.org/g", [triple(1), triple(2)])
    kept = snapshots(store.path)
    assert kept == ["000001", "000002"] and live(store.path) == "000002"
    abandon(store.path, "000003")
    abandon(store.path, "000010")
    (store.path / "snapshots" / "000004.removing").mkdir()  # a removal that was interrupted
    assert store.remove_abandoned_snapshots()[0] == 3
    assert snapshots(store.path) == kept
    assert store.triple_count() == 2


def test_a_reader_on_the_live_snapshot_keeps_working(tmp_path):
    writer = DiskStore(tmp_path / "store")
    writer.replace_graph("http://example.org/g", [triple(n) for n in range(100)])
    reader = DiskStore(tmp_path / "store")
    rows = reader.query("SELECT ?s { ?s ?p ?o }")  # an open query on the live snapshot
    first = next(iter(rows))
    abandon(writer.path, "000002")
    assert DiskStore(tmp_path / "store").remove_abandoned_snapshots()[0] == 1
    assert 1 + sum(1 for _ in rows) == 100 and first["s"].value.startswith("http://")
    assert reader.triple_count() == 100


def test_a_store_never_loaded_loses_its_half_first_snapshot(tmp_path):
    store = tmp_path / "store"
    (store / "snapshots").mkdir(parents=True)
    abandon(store, "000001")
    assert DiskStore(store).remove_abandoned_snapshots()[0] == 1
    assert snapshots(store) == []


def test_a_damaged_pointer_means_nothing_is_removed(loaded):
    abandon(loaded, "000009")
    (loaded / "CURRENT").write_text("000099\n")
    assert DiskStore(loaded).remove_abandoned_snapshots() == (0, 0)
    assert "000009" in snapshots(loaded)


@contextmanager
def writer_holding(store: Path) -> Iterator[int]:
    """A load in another process, stopped half-way through writing its new snapshot."""
    writer = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        yield writer.pid
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()


def test_the_snapshot_a_running_load_writes_is_never_removed(loaded):
    before = set(snapshots(loaded))
    with writer_holding(loaded):
        writing = set(snapshots(loaded)) - before
        assert len(writing) == 1  # the new snapshot, numbered after the live one
        assert DiskStore(loaded).remove_abandoned_snapshots() == (0, 0)
        result = scrkg("--store", str(loaded), "load", str(EXAMPLES))
        assert "abandoned" not in result.stderr
        assert writing <= set(snapshots(loaded))
    # The writer was killed: now its snapshot is abandoned, and the next start removes it.
    result = scrkg("--store", str(loaded), "load", str(EXAMPLES))
    assert result.returncode == 0, result.stderr
    assert NOTE.search(result.stderr).group(1) == "1"
    assert set(snapshots(loaded)) == before


@pytest.mark.slow
def test_a_really_killed_load_is_cleaned_up_by_the_next_load(loaded, tmp_path):
    big = tmp_path / "big.csv"
    # As `scrkg generate --reviews 1000` writes it: its write lasts 1.5-2.5 s here, several
    # times the 0.3 s the test lets it run after its new snapshot appears.
    generate_file(big, 1000, seed=1)
    before = set(snapshots(loaded))
    loader = subprocess.Popen(
        [*SCRKG, "--store", str(loaded), "load", str(big)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=ENV,
    )
    try:
        for line in loader.stderr:
            if line.strip() == "write: 0":  # the write into the new snapshot begins now
                break
        deadline = time.monotonic() + 30
        while set(snapshots(loaded)) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # let it write part of the new snapshot
        was_running = loader.poll() is None
        os.kill(loader.pid, signal.SIGKILL)
        loader.wait()
    finally:
        loader.stderr.close()
    assert was_running, "the load finished before it could be killed; use a bigger source"
    left = set(snapshots(loaded)) - before
    assert len(left) == 1, "the killed load left its half-written snapshot"
    result = scrkg("--store", str(loaded), "load", str(EXAMPLES))  # unchanged data
    assert result.returncode == 0, result.stderr
    found = NOTE.search(result.stderr)
    assert found and found.group(1) == "1", result.stderr
    print(result.stderr.strip())
    assert set(snapshots(loaded)) == before
    DiskStore(loaded).check()
