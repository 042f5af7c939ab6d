"""Worker processes that run queries over an on-disk store and are killed at the deadline.

SIGALRM cannot interrupt a pyoxigraph query and rdflib has no timeout, but
killing a process stops either. So a :class:`ProcessRunner` keeps up to ``Limits.workers``
long-lived processes. Each opens the store itself, read-only (``DiskStore(path)``, which follows
the ``CURRENT`` pointer, so a worker answers from the newest load at its next query), and loops:
receive a :class:`~scrkg.graph.gateway.Job`, check and run it, serialise the result *in the
worker* (pyoxigraph results cannot cross threads, let alone processes), and send back a small
header and then the bytes in chunks. The parent waits for each message with the time left before
the deadline; when it runs out, the worker is killed (SIGKILL) and forgotten, the caller gets
:class:`~scrkg.graph.gateway.QueryTimeout`, and the next query starts a fresh worker (a fork of
the fork server).

* Workers are started on demand by a ``forkserver``: a clean process that imported the gateway
  once and forks each worker from there. Nothing of the parent (its store handles and their
  threads, the web server's sockets) is copied into a worker.
* Each worker's data memory is capped with RLIMIT_DATA (``Limits.memory_mb``); a query that needs
  more fails in its worker (or kills it), never the site.
* Before it reads a job, a worker asks the kernel to refuse it every network connection
  (graph/sandbox.py), so no query can reach another host, whatever the gateway's checks missed.
* A worker that dies for any reason is replaced on demand. The worker says when the engine has
  parsed a query, so a segmentation fault before that is reported as the parser's crash
  (pyoxigraph's parser kills its process on some very long repetitions): the query is refused
  (400). Any other death is :class:`~scrkg.graph.gateway.QueryFailed` (503), named by its signal.
* Without a store path a worker only checks queries (``Job.check_only``): the gateway's thread
  runner checks each query that way before it runs it in its own process.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import math
import multiprocessing
import multiprocessing.forkserver
import os
import queue
import resource
import select
import signal
import threading
import time
from dataclasses import fields
from multiprocessing.connection import Connection
from pathlib import Path

from scrkg.graph.gateway import (
    CHECKED,
    ERRORS,
    GatewayError,
    Job,
    Limits,
    NotAcceptable,
    QueryFailed,
    QueryRefused,
    busy_error,
    check_query,
    execute,
    failure,
    timeout_error,
)
from scrkg.graph.result_writers import Written
from scrkg.graph.sandbox import SandboxUnavailable, confine_process
from scrkg.graph.settings import preloaded, setting

CHUNK = 1 << 20  # bytes per message from a worker
_PRELOAD = ["scrkg.graph.workers"]
#: What a Written's message carries besides its body, in this order (the job and the answer travel
#: as plain tuples: pickling the dataclasses themselves took several times as long).
_WRITTEN_FIELDS = ("kind", "media_type", "rows", "truncated", "limit")
_JOB_FIELDS = tuple(f.name for f in fields(Job))
_LONGEST_POLL_MS = 2**31 - 1  # poll() takes no longer wait (some 24 days)
_FORKSERVER_LOCK = threading.Lock()
_forkserver_started = False


def _context() -> multiprocessing.context.BaseContext:
    global _forkserver_started
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    with _FORKSERVER_LOCK:
        if not _forkserver_started:
            # The fork server is the parent of every worker: the allocator it loads at its
            # start (once per process) is the one each worker runs with.
            with preloaded(_allocator()):
                multiprocessing.forkserver.ensure_running()
            _forkserver_started = True
    return context


@functools.cache
def _allocator() -> str | None:
    """The shared library of the workers' allocator (SCRKG_QUERY_ALLOCATOR), or None for the C
    library's own: asked for, or the one asked for is not installed."""
    name = setting("SCRKG_QUERY_ALLOCATOR")
    if not name or name == "system":
        return None
    return ctypes.util.find_library(name)


# -- in the worker -----------------------------------------------------------------------------


def worker_main(conn: Connection, store_path: str | None, memory_mb: int, parsed) -> None:  # noqa: ANN001
    """The loop of one worker process: one job at a time until the pipe closes. ``parsed`` is a
    shared byte the worker sets once the engine has parsed the job's query (the parent reads it
    only if the worker dies), so saying so costs no message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the parent, which kills us
    if memory_mb:
        limit = memory_mb * 2**20
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    unconfined: SandboxUnavailable | None = None
    try:
        confine_process()
    except SandboxUnavailable as error:
        unconfined = error  # every job is answered with it; nothing runs unconfined
    from scrkg.graph.store import DiskStore

    store = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job = Job(*message)
        parsed.value = 0
        try:
            if unconfined is not None:
                raise unconfined
            if job.check_only:
                check_query(job.sparql)
                parsed.value = 1
                written = CHECKED
            else:
                if store is None:
                    store = DiskStore(store_path)
                written = execute(store, job, parsed=lambda: setattr(parsed, "value", 1))
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            reported = failure(error)
            kind = reported.kind if isinstance(reported, NotAcceptable) else None
            conn.send(("error", type(reported).__name__, reported.message, kind))
            continue
        meta = tuple(getattr(written, name) for name in _WRITTEN_FIELDS)
        body = written.body
        if len(body) <= CHUNK:  # most answers: one message
            conn.send(("ok", meta, body))
            continue
        conn.send(("ok", meta, len(body)))
        view = memoryview(body)
        for start in range(0, len(body), CHUNK):
            conn.send_bytes(view[start : start + CHUNK])


# -- in the parent -----------------------------------------------------------------------------


class _Lost(Exception):
    """The worker is no use any more (timed out, died); it must be killed and replaced."""

    def __init__(self, error: GatewayError) -> None:
        super().__init__(error.message)
        self.error = error


class _Worker:
    def __init__(
        self, process: multiprocessing.process.BaseProcess, conn: Connection, parsed
    ) -> None:  # noqa: ANN001
        self.process = process
        self.conn = conn
        self.parsed = parsed  # the shared byte of worker_main
        # Waits for the worker's answer (a poll object made once: Connection.poll builds and
        # tears down a selector on every call).
        self._poller = select.poll()
        self._poller.register(conn.fileno(), select.POLLIN)

    def call(self, job: Job, limits: Limits) -> Written:
        """Send ``job`` and collect its answer before the deadline. Raises the query's own
        GatewayError (the worker stays usable) or :class:`_Lost`."""
        deadline = time.monotonic() + limits.timeout
        try:
            self.conn.send(_job_fields(job))
        except (BrokenPipeError, ConnectionResetError, EOFError, OSError) as error:
            raise _Lost(QueryFailed(f"The query worker had stopped ({error}).")) from None
        message = self._receive(deadline, limits, self.conn.recv)
        if message[0] == "error":
            _, name, text, kind = message
            if name == "NotAcceptable":
                raise NotAcceptable(kind)
            raise ERRORS.get(name, QueryFailed)(text)
        _, meta, body = message
        if not isinstance(body, bytes):
            size, chunks = body, bytearray()
            while len(chunks) < size:
                chunks += self._receive(deadline, limits, self.conn.recv_bytes)
            body = bytes(chunks)
        kind, media_type, rows, truncated, limit = meta
        return Written(
            kind=kind, media_type=media_type, body=body, rows=rows, truncated=truncated, limit=limit
        )

    def _receive(self, deadline: float, limits: Limits, read):  # noqa: ANN001, ANN202
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise _Lost(timeout_error(limits))
            while not self._poller.poll(min(math.ceil(remaining * 1000), _LONGEST_POLL_MS)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _Lost(timeout_error(limits))
            return read()
        except (EOFError, ConnectionResetError, OSError):
            self.process.join(0.5)
            parsed = bool(self.parsed.value)
            raise _Lost(death_error(self.process.exitcode, parsed=parsed)) from None

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()
        with contextlib.suppress(Exception):
            self.process.close()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
        self.process.join(1)
        if self.process.is_alive():
            self.kill()
            return
        with contextlib.suppress(Exception):
            self.conn.close()
        with contextlib.suppress(Exception):
            self.process.close()


def _job_fields(job: Job) -> tuple[object, ...]:
    """The job as the tuple worker_main rebuilds it from (``Job(*fields)``)."""
    return tuple(getattr(job, name) for name in _JOB_FIELDS)


def death_error(exitcode: int | None, *, parsed: bool) -> GatewayError:
    """What to tell the caller of a query whose worker died, by when and how it died.

    pyoxigraph's parser dies of a segmentation fault (its recursion runs off the stack); running
    out of memory aborts (SIGABRT) or is killed. A segmentation fault before the engine had
    parsed the query is the parser's crash: the query is refused (400)."""
    signal_number = -exitcode if exitcode is not None and exitcode < 0 else None
    how = f"signal {signal_number}" if signal_number else f"exit code {exitcode}"
    with contextlib.suppress(ValueError):
        how += f", {signal.Signals(signal_number).name}" if signal_number else ""
    if signal_number == signal.SIGSEGV and not parsed:
        return QueryRefused(
            f"The SPARQL parser crashed reading this query ({how}), so it was refused. The "
            "parser cannot read some very long repetitions (thousands of items joined by , ; "
            "UNION, OPTIONAL, MINUS or an operator); split the query into smaller ones."
        )
    if signal_number == signal.SIGSEGV:
        return QueryFailed(
            f"The query engine crashed while running the query ({how}). Simplify the query; "
            "the service itself is unharmed."
        )
    return QueryFailed(
        f"The worker running the query stopped ({how}); the query probably needed more memory "
        "than a query may use (SCRKG_QUERY_MEMORY_MB). Narrow it, or add LIMIT."
    )


class ProcessRunner:
    """Up to ``limits.workers`` worker processes over the store at ``store_path``, or, without
    a store path, worker processes that only check queries."""

    def __init__(self, store_path: str | os.PathLike[str] | None, limits: Limits) -> None:
        self._path = None if store_path is None else str(Path(store_path).resolve())
        self._limits = limits
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._started = 0  # live workers, idle or busy
        self._busy = 0
        self._killed = 0  # workers killed at the deadline or lost, since the start
        self._closed = False

    # -- the pool ------------------------------------------------------------------------------

    def _start(self) -> _Worker:
        context = _context()
        parent, child = context.Pipe(duplex=True)
        parsed = context.Value("b", 0, lock=False)
        process = context.Process(
            target=worker_main,
            args=(child, self._path, self._limits.memory_mb, parsed),
            name="scrkg-query-worker",
            daemon=True,
        )
        process.start()
        child.close()
        return _Worker(process, parent, parsed)

    def _acquire(self) -> _Worker:
        deadline = time.monotonic() + self._limits.queue_wait
        while True:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                pass
            with self._lock:
                start = self._started < self._limits.workers
                if start:
                    self._started += 1
            if start:
                try:
                    return self._start()
                except BaseException:
                    with self._lock:
                        self._started -= 1
                    raise
            remaining = deadline - time.monotonic()
            try:
                return self._idle.get(timeout=max(remaining, 0.001))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    raise busy_error(self._limits, waited=True) from None

    def _release(self, worker: _Worker) -> None:
        if self._closed:
            worker.stop()
            with self._lock:
                self._started -= 1
            return
        self._idle.put(worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker and start its replacement in the background, so that a query waiting
        for a worker gets it at once."""
        worker.kill()
        with self._lock:
            self._killed += 1
        if self._closed:
            with self._lock:
                self._started -= 1
            return

        def replace() -> None:
            try:
                fresh = self._start()
            except BaseException:  # noqa: BLE001 - the next query starts one on demand
                with self._lock:
                    self._started -= 1
                return
            self._release(fresh)

        threading.Thread(target=replace, name="scrkg-worker-start", daemon=True).start()

    # -- the interface of gateway.ThreadRunner ------------------------------------------------

    def run(self, job: Job) -> Written:
        for attempt in (1, 2):
            worker = self._acquire()
            with self._lock:
                self._busy += 1
            try:
                written = worker.call(job, self._limits)
            except _Lost as lost:
                self._discard(worker)
                # A worker found dead before it got the job (it died while idle) is retried once.
                if attempt == 1 and "had stopped" in lost.error.message:
                    continue
                raise lost.error from None
            except BaseException:
                self._release(worker)
                raise
            else:
                self._release(worker)
                return written
            finally:
                with self._lock:
                    self._busy -= 1
        raise QueryFailed("No query worker could be started.")  # pragma: no cover

    def status(self) -> dict[str, object]:
        with self._lock:
            return {"running": self._busy, "processes": self._started, "killed": self._killed}

    def warm_up(self) -> None:
        worker = self._acquire()
        self._release(worker)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            worker.stop()
            with self._lock:
                self._started -= 1
