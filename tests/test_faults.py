"""Faults: a load killed with SIGKILL, a full disk during a load or an export,
a corrupt or locked store at start, a second writer. Everything runs the real command line in
a subprocess.

The full disk is simulated two ways: a 2 MiB tmpfs (when this process may mount one: root on
Linux) and RLIMIT_FSIZE in the child process (anywhere), which makes writes past the limit fail
with EFBIG.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from served import SLOW_WRITER, served, until

from scrkg.graph.store import DiskStore
from scrkg.loader import generate_file

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "coded-reviews.csv"
SCRKG = [sys.executable, "-m", "scrkg"]
ENV = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONUNBUFFERED": "1"}


def scrkg(*args: str, preexec_fn=None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SCRKG, *args],
        capture_output=True,
        text=True,
        env=ENV,
        preexec_fn=preexec_fn,
        timeout=timeout,
    )


def quads(path: Path) -> set:
    return set(DiskStore(path).quads())


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    """Synthetic sources: `big` (1,000 reviews, ~85k triples: its write, backup, bulk load,
    search index and compaction, takes 1.5-2.5 s on the 2-core development machine, three to
    five times the longest delay before the kill below) and `mid` (300 reviews, ~20k triples, a
    store of ~4 MB). They are written in this process, as `scrkg generate` would with its
    default seed (1)."""
    folder = tmp_path_factory.mktemp("sources")
    paths = {}
    for name, reviews in (("big", 1000), ("mid", 300)):
        path = folder / f"{name}.csv"
        generate_file(path, reviews, seed=1)
        paths[name] = path
    return paths


@pytest.fixture(scope="module")
def examples_store(tmp_path_factory) -> Path:
    """A store the command line loaded the examples into, once for the module: tests take a
    copy of it (`loaded_store`), the same files a load of their own would have left."""
    store = tmp_path_factory.mktemp("examples") / "store"
    result = scrkg("--store", str(store), "load", str(EXAMPLES))
    assert result.returncode == 0, result.stderr
    return store


def copy_of(store: Path, to: Path) -> Path:
    shutil.copytree(store, to, symlinks=True)
    return to


class Reference:
    """The quads of a store holding the examples (`old`) and of one that also holds all of
    `big` (`new`), as `canonical` gives them, each worked out once for the module and only when
    a test asks for it: a load killed in its write leaves the old data, so the whole load of
    `big` that `new` needs (a third of the module's time) is run only if a store ever holds
    something else."""

    def __init__(self, folder: Path, examples_store: Path, big: Path) -> None:
        self.folder, self.examples_store, self.big = folder, examples_store, big
        self._found: dict[str, list[tuple[str, ...]]] = {}

    @property
    def old(self) -> list[tuple[str, ...]]:
        if "old" not in self._found:
            self._found["old"] = canonical(quads(self.examples_store))
        return self._found["old"]

    @property
    def new(self) -> list[tuple[str, ...]]:
        if "new" not in self._found:
            store = copy_of(self.examples_store, self.folder / "store")
            loaded = scrkg("--store", str(store), "load", str(self.big))
            assert loaded.returncode == 0, loaded.stderr
            self._found["new"] = canonical(quads(store))
        return self._found["new"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory, sources, examples_store) -> Reference:
    return Reference(tmp_path_factory.mktemp("reference"), examples_store, sources["big"])


def canonical(found: set) -> list[tuple[str, ...]]:
    """Quads comparable between two loads of the same sources: blank nodes and the times of
    the provenance (which differ from load to load) are blanked out."""

    def term(t: object) -> str:
        if isinstance(t, ox.BlankNode):
            return "_:"
        if isinstance(t, ox.Literal) and t.datatype.value.endswith("#dateTime"):
            return "TIME"
        return str(t)

    return sorted(
        tuple(term(t) for t in (q.subject, q.predicate, q.object, q.graph_name)) for q in found
    )


# -- SIGKILL during a load ----------------------------------------------------------------------


@pytest.mark.parametrize("delay", [0.0, 0.5])
@pytest.mark.slow
def test_a_load_killed_mid_write_leaves_the_old_data_or_all_the_new(
    tmp_path, sources, reference, delay, examples_store
):
    store = copy_of(examples_store, tmp_path / "store")
    before = set(os.listdir(store / "snapshots"))
    loader = subprocess.Popen(
        [*SCRKG, "--store", str(store), "load", str(sources["big"])],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=ENV,
    )
    try:
        for line in loader.stderr:
            if line.strip() == "write: 0":  # the write into the new snapshot has begun
                break
        if delay:  # counted from the new snapshot's appearance, however busy the machine
            until(lambda: set(os.listdir(store / "snapshots")) != before, timeout=30)
        time.sleep(delay)
        writing = set(os.listdir(store / "snapshots")) - before
        was_running = loader.poll() is None
        os.kill(loader.pid, signal.SIGKILL)
        loader.wait()
    finally:
        loader.stderr.close()
    assert was_running, "the load finished before it could be killed; use a bigger source"
    if delay:  # killed mid-write: the new snapshot was being written, the pointer not yet moved
        assert len(writing) == 1, f"no snapshot was being written {delay} s into the write"
    DiskStore(store).check()  # opens, and reads every quad
    found = canonical(quads(store))
    held = "old data" if found == reference.old else "whole new source"
    assert found == reference.old or found == reference.new
    print("killed", delay, "s into the write: the store holds the", held)
    # A killed load leaves no lock behind, and its half snapshot is cleared by the next load.
    other = tmp_path / "other.csv"
    generate_file(other, 2, seed=5)  # reviews of their own: a review comes from one source
    again = scrkg("--store", str(store), "load", str(other))
    assert again.returncode == 0, again.stderr
    assert len(os.listdir(store / "snapshots")) <= 2


# -- a full disk ---------------------------------------------------------------------------------


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str = "2m") -> Iterator[Path]:
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); RLIMIT_FSIZE covers it")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def file_size_limit(limit: int):  # noqa: ANN201 - a preexec_fn
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def assert_full_disk_load(store: Path, result: subprocess.CompletedProcess, before: set) -> None:
    assert result.returncode == 1
    assert "No room to write the store" in result.stderr
    assert "still holds the data it had" in result.stderr
    assert "Traceback" not in result.stderr
    assert quads(store) == before
    current = (store / "CURRENT").read_text().strip()
    assert os.listdir(store / "snapshots") == [current]  # the half-written one is gone


def assert_full_disk_export(out: Path, result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 1
    assert f"No room to write {out}" in result.stderr
    assert "No partial file was left" in result.stderr
    assert not out.exists()
    assert [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")] == []


def test_a_full_tmpfs_during_a_load_and_an_export(tmp_path, sources, copy_of_bundled):
    with small_tmpfs(tmp_path / "small") as small:
        store = small / "store"
        assert scrkg("--store", str(store), "load", str(EXAMPLES)).returncode == 0
        before = quads(store)
        result = scrkg("--store", str(store), "load", str(sources["mid"]))
        assert_full_disk_load(store, result, before)

        # The bundled data (a copy of the worker's store of it): 3.7 MB as N-Quads, more than
        # the whole tmpfs.
        big_store = copy_of_bundled(tmp_path / "big-store")
        out = small / "all.nq"
        result = scrkg("--store", str(big_store), "export", "--format", "nquads", "-o", str(out))
        assert_full_disk_export(out, result)


def test_a_file_size_limit_during_a_load_and_an_export(tmp_path, sources, examples_store):
    store = copy_of(examples_store, tmp_path / "store")
    before = quads(store)
    result = scrkg(
        "--store", str(store), "load", str(sources["mid"]), preexec_fn=file_size_limit(200_000)
    )
    assert_full_disk_load(store, result, before)

    out = tmp_path / "out" / "all.ttl"
    out.parent.mkdir()
    result = scrkg(
        "--store", str(store), "export", "-o", str(out), preexec_fn=file_size_limit(2000)
    )
    assert_full_disk_export(out, result)


# -- a corrupt or locked store at start ----------------------------------------------------------


@pytest.fixture
def loaded_store(tmp_path, examples_store) -> Path:
    """A store holding the examples: a copy of `examples_store`."""
    return copy_of(examples_store, tmp_path / "store")


def corrupt_pointer(store: Path) -> None:
    (store / "CURRENT").write_text("999999\n")


def corrupt_data(store: Path) -> None:
    snapshot = store / "snapshots" / (store / "CURRENT").read_text().strip()
    for sst in snapshot.glob("*.sst"):
        data = bytearray(sst.read_bytes())
        for i in range(64, len(data) - 64, 101):
            data[i] ^= 0xFF
        sst.write_bytes(bytes(data))


def not_a_store(store: Path) -> None:
    for child in sorted(store.rglob("*"), reverse=True):
        child.rmdir() if child.is_dir() else child.unlink()
    (store / "notes.txt").write_text("my notes")


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (corrupt_pointer, ["does not exist", "Restore the store from a backup or export"]),
        (corrupt_data, ["cannot be read", "Corruption", "Restore it from a backup"]),
        (not_a_store, ["is not a scrkg store", "choose an empty or new directory"]),
    ],
    ids=["pointer", "data", "not-a-store"],
)
@pytest.mark.parametrize("command", ["stats", "serve"])
def test_a_damaged_store_is_reported_at_start_with_what_to_do(loaded_store, damage, words, command):
    damage(loaded_store)
    args = ["--store", str(loaded_store), command]
    if command == "serve":
        args += ["--host", "127.0.0.1", "--port", "9"]  # never reached: the check comes first
    result = scrkg(*args, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert "scrkg is serving" not in result.stderr


@contextlib.contextmanager
def writer_holding(store: Path) -> Iterator[int]:
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


def test_a_locked_store_is_reported_at_start(loaded_store, tmp_path):
    with writer_holding(loaded_store) as pid:
        stats = scrkg("--store", str(loaded_store), "stats")
        assert stats.returncode == 0  # readers keep working while a load runs
        assert f"a load is writing to the store at {loaded_store} now (process {pid})" in (
            stats.stderr
        )
        load = scrkg("--store", str(loaded_store), "load", "--bundled")
        assert load.returncode == 1
        assert "Another scrkg process is writing to the store" in load.stderr
        assert f"(process {pid})" in load.stderr and "Wait for it to finish" in load.stderr

        empty = tmp_path / "empty-store"
        with writer_holding(empty):
            serve = scrkg("--store", str(empty), "serve", "--port", "9", timeout=60)
            assert serve.returncode == 1
            assert "Another scrkg process is writing" in serve.stderr

        log = tmp_path / "serve.log"
        with served(loaded_store, log=log) as site:
            assert site.startswith("http://127.0.0.1:")
        assert "a load is writing to the store" in log.read_text()
