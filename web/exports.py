"""/export: the whole dataset, one named graph, or a CONSTRUCT result, streamed as a download.

``/export`` gives every named graph (TriG by default), ``/export?graph=IRI`` one graph,
``/export?query=CONSTRUCT...`` the graph a query builds (through the query gateway, like
/sparql: a worker process, the deadline, the row and byte caps and the X-SCRKG-Truncated header;
Turtle by default). The format comes from ``?format=`` (trig, turtle, ntriples, nquads, jsonld)
or else the Accept header. For a whole graph or the dataset, pyoxigraph writes the body into a
small file-like object in a worker thread; the response reads it back in chunks through a bounded
queue, so memory stays flat however large the export, and a client that goes away stops the
writer at its next chunk. Only GET: the site never writes.

An export that holds synthetic records says so (graph/synthetic_notice.py): one ASK before the
stream starts (or a look at the CONSTRUCT result, which is in memory) decides; then the file name
ends in ``-includes-synthetic``, the header ``X-SCRKG-Synthetic: true`` is set, and Turtle, TriG,
N-Triples and N-Quads start with a comment line. JSON-LD has no comments: its file name and the
header say so.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterator
from typing import BinaryIO

import pyoxigraph as ox
from flask import Blueprint, Response, request

from scrkg.graph import synthetic_notice
from scrkg.graph.formats import for_media_type, named, of_kind
from scrkg.graph.gateway import GatewayError, NotAcceptable
from scrkg.graph.store import EXPORT_FORMATS
from scrkg.ontology import local_name
from scrkg.web import get_store, querying
from scrkg.web.errors import text_response

bp = Blueprint("exports", __name__)

#: The formats /export writes, from graph/formats.py's table.
EXPORTED = [f for f in of_kind("graph") if f.exports]
CHUNK_SIZE = 64 * 1024
QUEUED_CHUNKS = 16  # at most CHUNK_SIZE * QUEUED_CHUNKS bytes wait between writer and client


class _Done:
    """Marks the end of the stream in the queue."""


@bp.get("/export")
def export() -> Response:
    params = request.args
    graph = params.get("graph")
    sparql = params.get("query")
    if graph and sparql:
        return text_response(
            400, "Export either one named graph (graph=IRI) or a query (query=...), not both."
        )
    fmt = _choose_format(params.get("format"), default="turtle" if sparql else "trig")
    if fmt is None:
        return text_response(
            406,
            "No export format fits the request. Use format= one of "
            f"{', '.join(f.name for f in EXPORTED)}, or Accept: "
            f"{', '.join(f.media_type for f in EXPORTED)}.",
        )
    if sparql:
        return _export_query(sparql, fmt)
    store = get_store()
    if graph:
        try:
            ox.NamedNode(graph)
        except ValueError:
            return text_response(400, f"{graph!r} is not a graph IRI.")
        if graph not in store.named_graphs():
            return text_response(404, f"There is no named graph <{graph}> in the store.")
        name = "scrkg-" + _slug(graph)

        def write(output: BinaryIO) -> None:
            store.export(output, fmt, graph)

    else:
        name = "scrkg"

        def write(output: BinaryIO) -> None:
            store.export(output, fmt)

    rdf_format = EXPORT_FORMATS[fmt]
    synthetic = synthetic_notice.store_includes_synthetic(store, graph)
    chunks = stream(write)
    first = next(chunks, b"")  # an error before the first byte still gets a status code
    response = Response(
        _body(synthetic_notice.comment(rdf_format, synthetic) + first, chunks),
        status=200,
        content_type=_with_charset(rdf_format.media_type),
    )  # the body needs no request context: the store is captured above
    _name_download(response, name, rdf_format, synthetic)
    return response


def _export_query(sparql: str, fmt: str) -> Response:
    """The graph a CONSTRUCT or DESCRIBE query builds, through the query gateway."""
    rdf_format = EXPORT_FORMATS[fmt]
    try:
        written = querying.run(
            sparql,
            solution_type=None,
            graph_type=rdf_format.media_type,
            base_iri=request.base_url,
            prefixes=True,
        )
    except NotAcceptable:
        return text_response(
            400,
            "Export takes a CONSTRUCT or DESCRIBE query, which gives a graph; for the rows of a "
            "SELECT or ASK query use /sparql.",
        )
    except GatewayError as error:
        return querying.error_response(error)
    synthetic = synthetic_notice.body_includes_synthetic(get_store(), written.body, rdf_format)
    body = synthetic_notice.comment(rdf_format, synthetic) + written.body
    response = Response(body, status=200, content_type=_with_charset(written.media_type))
    _name_download(response, "scrkg-query", rdf_format, synthetic)
    return querying.mark(response, written)


def _name_download(
    response: Response, stem: str, rdf_format: ox.RdfFormat, synthetic: bool
) -> None:
    """The download's file name, and the synthetic header when it holds synthetic data."""
    name = synthetic_notice.file_name(stem, rdf_format.file_extension, synthetic)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    if synthetic:
        response.headers[synthetic_notice.HEADER] = "true"
    response.vary.add("Accept")


def stream(write: Callable[[BinaryIO], None]) -> Iterator[bytes]:
    """Run ``write(output)`` in a worker thread and yield what it writes, in chunks.

    The queue between them is bounded, so the writer waits for a slow client. An exception in
    the writer is raised here; closing the iterator (the client went away) makes the writer's
    next write raise, which ends the thread."""
    chunks: queue.Queue[bytes | BaseException | type[_Done]] = queue.Queue(QUEUED_CHUNKS)
    cancelled = threading.Event()
    output = _QueueWriter(chunks, cancelled)

    def work() -> None:
        try:
            write(output)  # type: ignore[arg-type]
            output.finish()
            _put(chunks, _Done, cancelled)
        except BaseException as error:  # noqa: BLE001 - handed to the reading side
            if not cancelled.is_set():
                _put(chunks, error, cancelled)

    thread = threading.Thread(target=work, name="scrkg-export", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is _Done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        cancelled.set()


class _QueueWriter:
    """A binary file object whose writes come out of a queue in chunks of CHUNK_SIZE bytes."""

    def __init__(self, chunks: queue.Queue, cancelled: threading.Event) -> None:
        self._chunks = chunks
        self._cancelled = cancelled
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        if self._cancelled.is_set():
            raise BrokenPipeError("The client stopped reading the export.")
        self._buffer += data
        if len(self._buffer) >= CHUNK_SIZE:
            self._send()
        return len(data)

    def flush(self) -> None:
        """Chunks go out when full; pyoxigraph's flushes are not a reason to send a small one."""

    def finish(self) -> None:
        if self._buffer:
            self._send()

    def _send(self) -> None:
        chunk = bytes(self._buffer)
        self._buffer.clear()
        _put(self._chunks, chunk, self._cancelled)


def _put(chunks: queue.Queue, item: object, cancelled: threading.Event) -> None:
    while not cancelled.is_set():
        try:
            chunks.put(item, timeout=0.5)
            return
        except queue.Full:
            continue
    raise BrokenPipeError("The client stopped reading the export.")


def _body(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    try:
        if first:
            yield first
        yield from rest
    finally:
        rest.close()  # type: ignore[attr-defined]


def _choose_format(name: str | None, *, default: str) -> str | None:
    """The export format named by ``name`` (a format's name, another name of it, or a media
    type), else the Accept header's choice; None when no format /export writes fits."""
    if name:
        key = name.strip().lower()
        found = named(key, "graph") or for_media_type(key, "graph")
        return found.name if found and found.exports else None
    accept = request.accept_mimetypes
    if not accept:
        return default
    preferred = [f.media_type for f in EXPORTED if f.name == default]
    best = accept.best_match([*preferred, *(f.media_type for f in EXPORTED)])
    return for_media_type(best, "graph").name if best else None  # type: ignore[union-attr]


def _slug(iri: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", local_name(iri)).strip("-.")[:80]
    return slug or "graph"


def _with_charset(media_type: str) -> str:
    return media_type + "; charset=utf-8" if media_type.startswith("text/") else media_type
