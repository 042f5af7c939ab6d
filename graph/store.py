"""The store: where scrkg keeps its triples, one named graph per loaded source.

Two backends share one small interface:

* :class:`MemoryStore` keeps everything in a pyoxigraph in-memory store (tests, throw-away work).
* :class:`DiskStore` keeps immutable pyoxigraph (RocksDB) snapshots in a directory and a pointer
  file, ``CURRENT``, naming the live one. A write checkpoints the live snapshot (hard links, a few
  milliseconds), changes the copy, and then atomically moves the pointer. Readers open the
  snapshot read-only and reopen when the pointer moves, so they keep working while a load runs,
  and a load that dies half-way leaves the pointer on the old data; the half-written snapshot it
  leaves is removed by the next ``scrkg load`` or ``scrkg serve``
  (:meth:`DiskStore.remove_abandoned_snapshots`). One writer at a time: a second one is refused
  through a lock file.

Queries see the union of all named graphs as their default graph.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import os
import shutil
import time
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from scrkg.graph.formats import FORMATS
from scrkg.ontology import PREFIXES

CURRENT = "CURRENT"
SNAPSHOTS = "snapshots"
WRITER_LOCK = "writer.lock"
REMOVING = ".removing"  # the name's ending while an abandoned snapshot is being removed

#: Store.export's formats by name, from graph/formats.py's table.
EXPORT_FORMATS: dict[str, ox.RdfFormat] = {f.name: f.rdf for f in FORMATS if f.exports}


class StoreError(Exception):
    """A store could not be opened, read or written; the message says what to do."""


class StoreLockedError(StoreError):
    """Another process is writing to the store."""


class StoreCorruptError(StoreError):
    """The store directory exists but cannot be read as a scrkg store."""


class Store(ABC):
    """What every backend offers: SPARQL queries, whole-graph replacement, export.

    A backend also declares what it can do, so that callers need not ask what it is:

    * ``evaluates_here``: its queries are evaluated by pyoxigraph in this process (so the query
      gateway confines the thread that runs them); False when a SPARQL server evaluates them.
    * ``worker_path``: a path from which another process can open the same data read-only (so
      queries can run in worker processes that the deadline kills), or None.
    * :meth:`version`: a key that changes whenever the data changes, for every cache of answers
      drawn from the store.
    * :meth:`snapshot_dir`: the folder of the live snapshot, where files built with the data
      (the search index) are kept, or None.
    * :meth:`check`, :meth:`writer_pid` and :meth:`remove_abandoned_snapshots`: what a store
      that lives in files can say or tidy when a command starts; nothing for the others.
    """

    evaluates_here = True
    #: Writes made through this object, a part of the version of the stores that have no
    #: snapshot to name.
    _writes = 0

    @property
    def worker_path(self) -> str | None:
        return None

    @abstractmethod
    def version(self) -> Hashable:
        """A key that changes whenever the store's data changes."""

    def snapshot_dir(self) -> Path | None:
        return None

    def check(self) -> None:  # noqa: B027 - nothing to check for backends that hold no files
        """Say now, with what to do, when the data cannot be read."""

    def writer_pid(self) -> int | None:
        """The process id of a load writing to the store right now, or None."""
        return None

    def remove_abandoned_snapshots(self) -> tuple[int, int]:
        """Remove what interrupted loads left behind: how many pieces, and the bytes freed."""
        return 0, 0

    @abstractmethod
    def _reader(self) -> ox.Store:
        """The pyoxigraph store that answers reads right now."""

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Triple]]) -> None:
        """Replace each named graph with the given triples, all of them in one atomic step."""

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        self.replace_graphs({graph: triples})

    def close(self) -> None:  # noqa: B027 - optional for backends that hold nothing
        """Release files and locks."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, sparql: str, **options: object) -> object:
        """Run a SPARQL query with the union of all named graphs as the default graph."""
        options.setdefault("use_default_graph_as_union", True)
        return self._reader().query(sparql, prefixes=PREFIXES, **options)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._reader().named_graphs() if isinstance(g, ox.NamedNode))

    def triple_count(self, graph: str | None = None) -> int:
        """Quads in one named graph, or in the whole store when ``graph`` is None."""
        reader = self._reader()
        if not graph:
            # pyoxigraph counts the whole store itself, more cheaply than a COUNT query; the
            # default graph's quads (scrkg writes none) are not the named graphs'.
            default = sum(1 for _ in reader.quads_for_pattern(None, None, None, ox.DefaultGraph()))
            return len(reader) - default
        where = f"GRAPH <{ox.NamedNode(graph).value}> {{ ?s ?p ?o }}"
        rows = reader.query(f"SELECT (COUNT(*) AS ?n) {{ {where} }}")
        return int(next(iter(rows))["n"].value)

    def graph_value(self, graph: str, predicate: str) -> str | None:
        """One value the graph states about itself (its checksum, say), or None."""
        node = ox.NamedNode(graph)
        for quad in self._reader().quads_for_pattern(node, ox.NamedNode(predicate), None, node):
            return quad.object.value
        return None

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        g = ox.NamedNode(graph) if graph else None
        return self._reader().quads_for_pattern(None, None, None, g)

    def export(self, output: BinaryIO, fmt: str, graph: str | None = None) -> None:
        """Stream the whole store, or one named graph, to a binary file object.

        Dataset formats (TriG, N-Quads, JSON-LD) keep each named graph; Turtle and N-Triples of
        the whole store merge all graphs into one.
        """
        rdf_format = export_format(fmt)
        reader = self._reader()
        if graph is not None:
            if ox.NamedNode(graph) not in set(reader.named_graphs()):
                raise StoreError(
                    f"There is no named graph <{graph}> in the store; "
                    "`scrkg stats` lists the graphs it holds."
                )
            triples = (
                ox.Triple(q.subject, q.predicate, q.object)
                for q in reader.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            )
            if rdf_format.supports_datasets:
                quads = (
                    ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in triples
                )
                ox.serialize(quads, output, rdf_format, prefixes=PREFIXES)
            else:
                ox.serialize(triples, output, rdf_format, prefixes=PREFIXES)
        elif rdf_format.supports_datasets:
            reader.dump(output, rdf_format, prefixes=PREFIXES)
        else:
            triples = (
                ox.Triple(q.subject, q.predicate, q.object)
                for q in reader.quads_for_pattern(None, None, None, None)
            )
            ox.serialize(triples, output, rdf_format, prefixes=PREFIXES)


def export_format(name: str) -> ox.RdfFormat:
    try:
        return EXPORT_FORMATS[name]
    except KeyError:
        raise StoreError(
            f"Unknown export format {name!r}; use one of: {', '.join(EXPORT_FORMATS)}."
        ) from None


def _quads(graph: str, triples: Iterable[ox.Triple]) -> Iterator[ox.Quad]:
    g = ox.NamedNode(graph)
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, g)


#: Numbers the in-memory stores made in this process.
_MEMORY_STORES = itertools.count(1)


class MemoryStore(Store):
    """An in-memory store, for tests and one-off work."""

    def __init__(self) -> None:
        self._store = ox.Store()
        # Numbered, not told apart by id(): a store made after another is dropped may get its
        # id, and would then find the answers remembered for the other one.
        self._serial = next(_MEMORY_STORES)

    def version(self) -> Hashable:
        """This store's number in the process and the count of writes made to it."""
        return ("memory", self._serial, self._writes)

    def _reader(self) -> ox.Store:
        return self._store

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Triple]]) -> None:
        # Build the new contents first, so a failing iterator leaves the store untouched.
        staged = {g: list(_quads(g, triples)) for g, triples in graphs.items()}
        for g, quads in staged.items():
            node = ox.NamedNode(g)
            if node in set(self._store.named_graphs()):
                self._store.remove_graph(node)
            self._store.extend(quads)
        self._writes += 1


class DiskStore(Store):
    """An on-disk store of immutable snapshots with an atomically switched pointer."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._current_file = str(self.path / CURRENT)
        self._snapshots_prefix = str(self.path / SNAPSHOTS) + os.sep
        self._open_name: str | None = None
        self._store: ox.Store | None = None
        self._lock_file: BinaryIO | None = None
        if self.path.exists() and not self.path.is_dir():
            raise StoreCorruptError(
                f"{self.path} is a file, not a scrkg store directory; choose another --store path."
            )
        if self.path.is_dir() and any(self.path.iterdir()) and not (self.path / SNAPSHOTS).is_dir():
            raise StoreCorruptError(
                f"{self.path} is not empty and is not a scrkg store (no {SNAPSHOTS}/ folder); "
                "choose an empty or new directory for --store."
            )

    # -- reading -----------------------------------------------------------------------------

    @property
    def worker_path(self) -> str | None:
        return str(self.path.resolve())

    def version(self) -> Hashable:
        """The live snapshot's name: every load writes a new snapshot and moves the pointer."""
        return ("disk", str(self.path), self.current_snapshot())

    def snapshot_dir(self) -> Path | None:
        name = self.current_snapshot()
        return self.path / SNAPSHOTS / name if name is not None else None

    def current_snapshot(self) -> str | None:
        """The name of the live snapshot, or None for a store nothing was loaded into.

        Read before every query, so with plain system calls (pathlib's are slower)."""
        try:
            fd = os.open(self._current_file, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            name = os.read(fd, 4096).decode("ascii").strip()
        finally:
            os.close(fd)
        if not name or not os.path.isdir(self._snapshots_prefix + name):
            raise StoreCorruptError(
                f"{self.path / CURRENT} names snapshot {name!r}, which does not exist. "
                f"Restore the store from a backup or export, or remove {self.path} and load again."
            )
        return name

    def _reader(self) -> ox.Store:
        name = self.current_snapshot()
        if name is None:
            if self._store is None or self._open_name is not None:
                self._store = ox.Store()  # an empty store answers queries with nothing
                self._open_name = None
            return self._store
        if name != self._open_name or self._store is None:
            try:
                self._store = ox.Store.read_only(str(self.path / SNAPSHOTS / name))
            except OSError as error:
                raise StoreCorruptError(
                    f"Cannot open snapshot {name} of the store at {self.path}: {error}. "
                    "If another program holds it, stop that program; otherwise restore the "
                    "store from a backup or export."
                ) from error
            self._open_name = name
        return self._store

    # -- writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / SNAPSHOTS).mkdir(exist_ok=True)
        # "a+b", not "wb": opening must not wipe the process id another writer wrote there.
        handle = open(self.path / WRITER_LOCK, "a+b")  # noqa: SIM115 - held for the with block
        for attempt in range(3):
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if attempt < 2:
                    time.sleep(0.05)  # a reader's writer_pid() check holds it for a moment
                    continue
                handle.close()
                holder = self.writer_pid()
                who = f" (process {holder})" if holder else ""
                raise StoreLockedError(
                    f"Another scrkg process is writing to the store at {self.path}{who}. "
                    "Wait for it to finish, then run the command again."
                ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()).encode("ascii"))
            handle.flush()
            yield
        finally:
            with contextlib.suppress(OSError):
                handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def writer_pid(self) -> int | None:
        """The process id of a load writing to the store right now, or None (0 when a writer
        holds the lock but its id cannot be read)."""
        try:
            handle = open(self.path / WRITER_LOCK, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            return None
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                text = handle.read(32).decode("ascii", "replace").strip()
                return int(text) if text.isdigit() else 0
            fcntl.flock(handle, fcntl.LOCK_UN)
            return None

    def check(self) -> None:
        """Open the live snapshot and read every quad of it once, so that a damaged store is
        reported now, with what to do, rather than at the first query."""
        try:
            self.triple_count()
        except StoreError:
            raise
        except (OSError, RuntimeError, ValueError) as error:
            raise StoreCorruptError(
                f"The store at {self.path} cannot be read ({error}). Restore it from a backup or "
                f"an export, or remove {self.path} and load the data again."
            ) from error

    def _new_snapshot_name(self) -> str:
        existing = [int(p.name) for p in (self.path / SNAPSHOTS).iterdir() if p.name.isdigit()]
        return f"{max(existing, default=0) + 1:06d}"

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Triple]]) -> None:
        with self._writer_lock():
            current = self.current_snapshot()
            name = self._new_snapshot_name()
            target = self.path / SNAPSHOTS / name
            writer: ox.Store | None = None
            written = None
            try:
                if current is None:
                    writer = ox.Store(str(target))
                else:
                    self._reader().backup(str(target))
                    writer = ox.Store(str(target))
                # The statements the search index reads are kept as they are written, so that
                # it reads back from the snapshot only the graphs this load did not write; a
                # large load hands them to a process of its own that builds the index while
                # this one writes (it reads the graphs not written here from the live snapshot).
                from scrkg.graph.search import WrittenStatements, index_snapshot

                live = None if current is None else self.path / SNAPSHOTS / current
                written = WrittenStatements(graphs, snapshot=target, stored=live)
                present = set(writer.named_graphs())
                for g, triples in graphs.items():
                    node = ox.NamedNode(g)
                    if node in present:
                        writer.remove_graph(node)
                    writer.bulk_extend(written.quads(g, triples))
                # The search index of the new snapshot, written inside it before the pointer
                # moves (graph/search.py): a load that fails here leaves both as they were.
                # It is built while a thread has RocksDB compact the snapshot, and the pointer
                # moves only when both are done. The thread runs nothing but RocksDB (optimize
                # lets go of the GIL), so Python objects are made and collected in this thread:
                # pyoxigraph's query results must be dropped by the thread that made them.
                with ThreadPoolExecutor(1, thread_name_prefix="compact") as pool:
                    # Compact the new snapshot before readers see it: bulk_extend leaves many
                    # RocksDB files, and queries on an uncompacted snapshot are slower
                    # (docs/performance.md).
                    compacting = pool.submit(_compact, writer)
                    try:
                        index_snapshot(target, writer, written)
                    finally:
                        wait([compacting])  # never remove the snapshot under the compaction
                    compacting.result()
                writer = None  # closed: RocksDB writes nothing more into the snapshot
                self._switch_to(name)
            except BaseException as error:
                writer = None  # close it first, or closing would write files into it again
                if written is not None:
                    written.close()  # the index's build process stopped before the folder goes
                shutil.rmtree(target, ignore_errors=True)
                if isinstance(error, OSError) and _disk_full(error):
                    raise StoreError(
                        f"No room to write the store at {self.path}: the disk is full or a "
                        f"file-size limit was reached ({_reason(error)}). Nothing was written: "
                        "the store still holds the data it had. Free some space, then run the "
                        "command again."
                    ) from error
                raise
            self._remove_snapshots_except({name, current})

    def _switch_to(self, name: str) -> None:
        tmp = self.path / (CURRENT + ".tmp")
        with open(tmp, "w", encoding="ascii") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path / CURRENT)
        dir_fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _remove_snapshots_except(self, keep: set[str | None]) -> None:
        """Remove snapshots nobody should read any more: all but the live one and the one it
        replaced (a reader may still be finishing a query on that one), including any left
        half-written by a load that was killed."""
        for snapshot in (self.path / SNAPSHOTS).iterdir():
            if snapshot.name not in keep:
                shutil.rmtree(snapshot, ignore_errors=True)

    def remove_abandoned_snapshots(self) -> tuple[int, int]:
        """Remove the snapshots that killed loads left behind. Returns how many were removed
        and how many bytes that freed.

        A snapshot is abandoned when its number is after the live one's (CURRENT never named
        it), or when nothing is live yet. This takes the writer lock first and does nothing
        when a load holds it, so the snapshot a running load is writing is never touched. The
        live snapshot and the ones before it stay: readers follow CURRENT, and a reader may
        still be finishing a query on the one it replaced (the next load that changes data
        removes that one). Under the lock each abandoned snapshot is only renamed; it is deleted
        after the lock is released, so a load starting meanwhile is not refused."""
        folder = self.path / SNAPSHOTS
        if not folder.is_dir():
            return 0, 0
        doomed: list[Path] = []
        try:
            with self._writer_lock():
                live = self.current_snapshot()
                for snapshot in sorted(folder.iterdir()):
                    if snapshot.name.endswith(REMOVING):
                        doomed.append(snapshot)  # a removal that was itself interrupted
                    elif _abandoned(snapshot.name, live):
                        renamed = snapshot.with_name(snapshot.name + REMOVING)
                        snapshot.rename(renamed)
                        doomed.append(renamed)
        except (StoreError, OSError):
            # A load is writing (its snapshot is not abandoned), CURRENT is damaged (opening the
            # store reports that), or this user may not write the store: leave it as it is.
            return 0, 0
        freed = sum(_unshared_bytes(snapshot) for snapshot in doomed)
        for snapshot in doomed:
            shutil.rmtree(snapshot, ignore_errors=True)
        return len(doomed), freed

    def close(self) -> None:
        self._store = None
        self._open_name = None


def _abandoned(name: str, live: str | None) -> bool:
    """True for a snapshot numbered after the live one, or for any when nothing is live."""
    return name.isdigit() and (live is None or int(name) > int(live))


def _unshared_bytes(folder: Path) -> int:
    """The bytes of the files under ``folder`` that no other snapshot shares: a snapshot starts
    as hard links to the live one's files, and removing those frees nothing."""
    total = 0
    for parent, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                status = os.lstat(os.path.join(parent, name))
                if status.st_nlink == 1:
                    total += status.st_size
    return total


def _disk_full(error: OSError) -> bool:
    """True for the errors of a full disk or of a file-size limit (RocksDB reports them as an
    OSError whose text says so, without an errno)."""
    if error.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return True
    text = str(error).lower()
    return any(
        words in text
        for words in ("no space left", "file too large", "disk quota", "quota exceeded")
    )


def _reason(error: OSError) -> str:
    return error.strerror or str(error).split(":", 1)[-1].strip() or type(error).__name__


def disk_full_message(path: str | os.PathLike[str], error: OSError) -> str | None:
    """The message for a write to ``path`` that failed because the disk (or a file-size limit)
    is full, or None for any other error."""
    if not _disk_full(error):
        return None
    return (
        f"No room to write {path}: the disk is full or a file-size limit was reached "
        f"({_reason(error)}). No partial file was left. Free some space, or write somewhere else."
    )


def open_store(path: str | os.PathLike[str] | None) -> Store:
    """Open the on-disk store at ``path``, or an in-memory one when ``path`` is None."""
    return MemoryStore() if path is None else DiskStore(path)


def _compact(writer: ox.Store) -> None:
    """Compact a new snapshot and write it out (RocksDB only: no Python objects are made)."""
    writer.optimize()
    writer.flush()
