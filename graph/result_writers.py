"""Query results written with a cap on rows and on bytes, in the process that ran the query.

pyoxigraph's own writers take a whole result and cannot stop half-way with a valid document, so
the four SPARQL results formats (JSON, XML, CSV, TSV) can be written here row by row, with the same
shapes pyoxigraph writes. SPARQL JSON, the format most clients ask for, is first written by
pyoxigraph itself into a buffer that stops it at the caps (:func:`write_solutions_natively`); the
rows are counted in its bytes, and only a result over a cap is cut here, at the row where the
row-by-row writer would cut it, so that both give the same bytes. Graphs (CONSTRUCT, DESCRIBE)
are written by ``pyoxigraph.serialize`` from a generator that stops at the cap. A cut result is
always a *valid* document, and it says that it was cut:

* SPARQL JSON: a top-level ``"truncated"`` member, written before ``"results"`` (the JSON
  results format names ``head`` and ``results``; readers ignore other members, and streaming
  readers such as pyoxigraph's accept them there);
* SPARQL XML, Turtle, TriG, N-Triples, N-Quads: a comment at the end;
* every format: the ``X-SCRKG-Truncated`` header the web layer sets from :class:`Written`.

The byte cap is checked before each row is added, so a body never grows past it by more than the
closing of the document; for graphs it counts each triple's N-Triples size.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from scrkg.graph.formats import named
from scrkg.ontology import PREFIXES, XSD

XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"

#: The media types of the results formats (graph/formats.py's table).
SPARQL_JSON, SPARQL_XML, CSV, TSV = (
    named(name, "results").media_type for name in ("json", "xml", "csv", "tsv")
)
SOLUTION_TYPES = (SPARQL_JSON, SPARQL_XML, CSV, TSV)

Kind = Literal["solutions", "boolean", "graph"]
Reason = Literal["rows", "bytes"]


class Cancelled(Exception):
    """The caller stopped waiting for this result (its deadline passed)."""


@dataclass(frozen=True, slots=True)
class Written:
    """A serialised result: its bytes and what was left out."""

    kind: Kind
    media_type: str
    body: bytes
    rows: int
    truncated: Reason | None = None
    limit: int = 0  # the cap that cut it: a number of rows or of bytes
    seconds: float = 0.0  # how long the query took, waiting included (set by the gateway)

    def truncation_header(self) -> str | None:
        """The value of the X-SCRKG-Truncated header: ``rows=N; cause=max-rows|max-bytes``."""
        if not self.truncated:
            return None
        return f"rows={self.rows}; cause=max-{self.truncated}; limit={self.limit}"


def truncation_message(reason: Reason, rows: int, limit: int) -> str:
    """One sentence for people: what was cut and how to get the rest."""
    if reason == "rows":
        why = f"it has more than {limit:,} rows (the row limit, SCRKG_QUERY_MAX_ROWS)"
    else:
        why = f"it would be larger than {limit:,} bytes (the size limit, SCRKG_QUERY_MAX_BYTES)"
    return (
        f"The result was cut after {rows:,} rows because {why}. "
        "Narrow the query, or page through it with LIMIT and OFFSET."
    )


def _check(cancelled: threading.Event | None) -> None:
    if cancelled is not None and cancelled.is_set():
        raise Cancelled


# -- solutions (SELECT) -------------------------------------------------------------------------


def write_solutions(
    results: ox.QuerySolutions,
    media_type: str,
    *,
    max_rows: int,
    max_bytes: int,
    cancelled: threading.Event | None = None,
) -> Written:
    """The rows of a SELECT query in one of :data:`SOLUTION_TYPES`, at most ``max_rows`` rows and
    about ``max_bytes`` bytes."""
    media_type = media_type.split(";")[0].strip()
    names = [v.value for v in results.variables]
    row_writer = _ROW_WRITERS[media_type]
    rows: list[bytes] = []
    size = 0
    truncated: Reason | None = None
    for solution in results:
        _check(cancelled)
        if len(rows) >= max_rows:
            truncated = "rows"
            break
        encoded = row_writer(names, list(solution))  # the values in the order of names
        if size + len(encoded) > max_bytes:
            truncated = "bytes"
            break
        rows.append(encoded)
        size += len(encoded)
    limit = (max_rows if truncated == "rows" else max_bytes) if truncated else 0
    note = truncation_message(truncated, len(rows), limit) if truncated else ""
    body = _DOCUMENT_WRITERS[media_type](names, rows, truncated, len(rows), limit, note)
    return Written("solutions", media_type, body, len(rows), truncated, limit)


class _Stop(Exception):
    """The native writer has written enough: the result is over a cap, or not what was expected."""


class _CappedBuffer:
    """The file-like object pyoxigraph's native SPARQL JSON writer writes into (in blocks of a
    few KiB). It keeps what it is given, counts the rows as they come, and stops the writer
    (by raising :class:`_Stop`) as soon as the result is known to be over a cap, the caller
    stopped waiting, or the document does not begin as :func:`_json_document` begins it."""

    __slots__ = ("buffer", "cancelled", "max_rows", "max_size", "prefix", "separators", "stopped")

    def __init__(
        self, prefix: bytes, max_rows: int, max_size: int, cancelled: threading.Event | None
    ) -> None:
        self.buffer = bytearray()
        self.prefix = prefix
        self.max_rows = max_rows
        self.max_size = max_size
        self.cancelled = cancelled
        self.separators = 0  # rows after the first, so far
        self.stopped = False

    def write(self, block: bytes) -> int:
        _check(self.cancelled)
        buffer = self.buffer
        start = len(buffer)
        buffer += block
        if start < len(self.prefix) <= len(buffer) and not buffer.startswith(self.prefix):
            self.stopped = True
            raise _Stop
        # A separator that straddles two blocks starts at most three bytes before this one.
        self.separators += buffer.count(_ROW_SEPARATOR, max(start - 3, 0))
        if self.separators >= self.max_rows or len(buffer) > self.max_size:
            self.stopped = True
            raise _Stop
        return len(block)

    def flush(self) -> None:
        return None


#: How pyoxigraph's SPARQL JSON separates one row from the next when the next binds something.
#: It cannot occur inside a JSON string (a quotation mark there is escaped) nor between the
#: bindings of one row (``},"name":``), so counting it counts rows exactly. ``},{}``, the
#: separator before a row that binds nothing, can occur inside a string: a result with it is
#: written row by row instead.
_ROW_SEPARATOR = b'},{"'
_EMPTY_ROW_SEPARATOR = b"},{}"


def write_solutions_natively(
    results: ox.QuerySolutions,
    media_type: str,
    *,
    max_rows: int,
    max_bytes: int,
    cancelled: threading.Event | None = None,
) -> Written | None:
    """What :func:`write_solutions` writes, byte for byte, with pyoxigraph's own SPARQL JSON
    writer doing the work of every row, or None when it cannot tell (the caller then runs the
    query again and writes it with :func:`write_solutions`; ``results`` are used up either way).

    The native writer writes into a :class:`_CappedBuffer` that stops it once the rows are known
    to be more than ``max_rows`` or the bytes well past ``max_bytes``; a result over a cap is
    then cut where :func:`write_solutions` would cut it, at a row boundary found in the native
    bytes (each row is the same bytes :func:`_json_row` writes), and flagged the same way.
    Only SPARQL JSON is written natively: pyoxigraph's XML keeps line breaks in literals as they
    are, and its TSV writes control characters raw, where this module escapes them."""
    media_type = media_type.split(";")[0].strip()
    if media_type != SPARQL_JSON or max_rows < 1 or max_bytes < 0:
        return None
    names = [v.value for v in results.variables]
    prefix = _json_prefix(names, b"")
    # The rows of a cut result fill at most max_bytes; with the commas between them (each row
    # is at least the two bytes of "{}") they span at most 1.5 times that, so a buffer this
    # long holds every row the cut keeps and the start of the first row it leaves out.
    capped = _CappedBuffer(prefix, max_rows, len(prefix) + 2 * max_bytes + 16, cancelled)
    with contextlib.suppress(_Stop):
        results.serialize(capped, ox.QueryResultsFormat.JSON)
    body = bytes(capped.buffer)
    stopped, separators = capped.stopped, capped.separators
    del capped
    if not body.startswith(prefix) or _EMPTY_ROW_SEPARATOR in body:
        return None
    if not stopped:
        if not body.endswith(b"]}}"):
            return None
        if len(body) == len(prefix) + 3:
            return Written("solutions", media_type, body, 0)
        rows = separators + 1
        row_bytes = len(body) - len(prefix) - 3 - separators
        if rows <= max_rows and row_bytes <= max_bytes:
            return Written("solutions", media_type, body, rows)
    return _cut_native(body, names, prefix, media_type, max_rows, max_bytes, stopped)


def _cut_native(
    body: bytes,
    names: list[str],
    prefix: bytes,
    media_type: str,
    max_rows: int,
    max_bytes: int,
    stopped: bool,
) -> Written | None:
    """A native SPARQL JSON result (whole, or the part written before it was stopped) cut as
    :func:`write_solutions` cuts it, or None if the cut cannot be found."""
    end = len(body) - 3 if not stopped else len(body)  # the rows end here (before "]}}")
    start = len(prefix)  # where the current row begins
    kept = 0
    size = 0
    truncated: Reason | None = None
    while start < end:
        if kept >= max_rows:
            truncated = "rows"
            break
        separator = body.find(_ROW_SEPARATOR, start, end)
        finish = separator + 1 if separator >= 0 else end  # the row's closing brace, plus one
        if separator < 0 and stopped:
            # The writer stopped in this row. Its length is at least what was written of it,
            # less a comma that may have followed its closing brace, unless a "},{" in it
            # could be the start of a row that binds nothing.
            if b"},{" not in body[start:end] and size + (end - start - 1) > max_bytes:
                truncated = "bytes"
                break
            return None
        if size + (finish - start) > max_bytes:
            truncated = "bytes"
            break
        kept += 1
        size += finish - start
        start = finish + 1  # past the comma
    if truncated is None:
        return None  # not over a cap after all: the caller writes it row by row
    limit = max_rows if truncated == "rows" else max_bytes
    note = truncation_message(truncated, kept, limit)
    rows_end = (
        start - 1 if kept else len(prefix)
    )  # the closing brace of the last row kept, plus one
    flag = _truncation_flag(truncated, kept, limit, note)
    cut = _json_prefix(names, flag) + body[len(prefix) : rows_end] + b"]}}"
    return Written("solutions", media_type, cut, kept, truncated, limit)


def write_boolean(value: bool, media_type: str) -> Written:
    """The answer of an ASK query, written as pyoxigraph writes it."""
    media_type = media_type.split(";")[0].strip()
    text = "true" if value else "false"
    if media_type == SPARQL_JSON:
        body = b'{"head":{},"boolean":' + text.encode() + b"}"
    elif media_type == SPARQL_XML:
        body = (
            '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head></head><boolean>{text}</boolean></sparql>"
        ).encode()
    else:
        body = text.encode()
    return Written("boolean", media_type, body, 1)


#: A JSON string literal, non-ASCII characters kept, as ``json.dumps(text, ensure_ascii=False)``
#: writes it; the rows are joined by hand because a dict and ``json.dumps`` for every row made the
#: writing a large share of a long result's time (docs/performance.md).
_quote = json.encoder.encode_basestring


def _json_term(term: object) -> str:
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _quote(term.value) + "}"
    if kind is ox.Literal:
        value = '{"type":"literal","value":' + _quote(term.value)
        if term.language:
            value += ',"xml:lang":' + _quote(term.language)
            if getattr(term, "direction", None) is not None:
                value += ',"its:dir":' + _quote(str(term.direction.value).lower())
        elif term.datatype.value != XSD_STRING:
            value += ',"datatype":' + _quote(term.datatype.value)
        return value + "}"
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + _quote(term.value) + "}"
    if kind is ox.Triple:
        return (
            '{"type":"triple","value":{"subject":'
            + _json_term(term.subject)
            + ',"predicate":'
            + _json_term(term.predicate)
            + ',"object":'
            + _json_term(term.object)
            + "}}"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _json_row(names: list[str], terms: list[object]) -> bytes:
    bindings = ",".join(
        _quote(n) + ":" + _json_term(t) for n, t in zip(names, terms, strict=True) if t is not None
    )
    return ("{" + bindings + "}").encode("utf-8")


def _json_document(
    names: list[str], rows: list[bytes], truncated: Reason | None, count: int, limit: int, note: str
) -> bytes:
    flag = _truncation_flag(truncated, count, limit, note) if truncated else b""
    return _json_prefix(names, flag) + b",".join(rows) + b"]}}"


def _json_prefix(names: list[str], flag: bytes) -> bytes:
    """A SPARQL JSON document up to its first row: the head, then the ``"truncated"`` member
    when ``flag`` (from :func:`_truncation_flag`) is not empty."""
    head = json.dumps({"vars": names}, ensure_ascii=False, separators=(",", ":"))
    parts = [b'{"head":', head.encode("utf-8")]
    if flag:
        parts += [b',"truncated":', flag]
    parts.append(b',"results":{"bindings":[')
    return b"".join(parts)


def _truncation_flag(reason: Reason, count: int, limit: int, note: str) -> bytes:
    flag = {"reason": reason, "rows": count, "limit": limit, "message": note}
    return json.dumps(flag, separators=(",", ":")).encode("utf-8")


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        attributes = ""
        if term.language:
            attributes = f" xml:lang={quoteattr(term.language)}"
            if getattr(term, "direction", None) is not None:
                attributes += f" its:dir={quoteattr(str(term.direction.value).lower())}"
        elif term.datatype.value != XSD_STRING:
            attributes = f" datatype={quoteattr(term.datatype.value)}"
        return f"<literal{attributes}>{escape(term.value, _XML_ENTITIES)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


_XML_ENTITIES = {"\n": "&#10;", "\r": "&#13;", '"': "&quot;"}


def _xml_row(names: list[str], terms: list[object]) -> bytes:
    bindings = "".join(
        f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
        for n, t in zip(names, terms, strict=True)
        if t is not None
    )
    return f"<result>{bindings}</result>".encode()


def _xml_document(
    names: list[str], rows: list[bytes], truncated: Reason | None, count: int, limit: int, note: str
) -> bytes:
    variables = "".join(f"<variable name={quoteattr(n)}/>" for n in names)
    head = (
        '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        f"<head>{variables}</head><results>"
    )
    tail = "</results></sparql>"
    if truncated:
        tail += f"\n<!-- truncated: {_comment_safe(note)} -->\n"
    return head.encode() + b"".join(rows) + tail.encode()


def _csv_value(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return _tsv_term(term)


def _csv_line(values: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue().encode("utf-8")


def _csv_row(names: list[str], terms: list[object]) -> bytes:
    return _csv_line([_csv_value(t) for t in terms])


def _csv_document(
    names: list[str], rows: list[bytes], truncated: Reason | None, count: int, limit: int, note: str
) -> bytes:
    return _csv_line(names) + b"".join(rows)


_INTEGER = re.compile(r"[+-]?[0-9]+")


def _tsv_term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return (
            f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} "
            f"{_tsv_term(term.object)} )>>"
        )
    if (
        isinstance(term, ox.Literal)
        and term.datatype.value == XSD_INTEGER
        and _INTEGER.fullmatch(term.value)
    ):
        return term.value
    return str(term)  # N-Triples form: <iri>, "text"@en, "1.5"^^<...>, _:b (tabs escaped)


def _tsv_row(names: list[str], terms: list[object]) -> bytes:
    return ("\t".join(_tsv_term(t) for t in terms) + "\n").encode("utf-8")


def _tsv_document(
    names: list[str], rows: list[bytes], truncated: Reason | None, count: int, limit: int, note: str
) -> bytes:
    return ("\t".join("?" + n for n in names) + "\n").encode("utf-8") + b"".join(rows)


_ROW_WRITERS = {SPARQL_JSON: _json_row, SPARQL_XML: _xml_row, CSV: _csv_row, TSV: _tsv_row}
_DOCUMENT_WRITERS = {
    SPARQL_JSON: _json_document,
    SPARQL_XML: _xml_document,
    CSV: _csv_document,
    TSV: _tsv_document,
}


def _comment_safe(text: str) -> str:
    return text.replace("--", "- -").replace("\n", " ")


# -- graphs (CONSTRUCT, DESCRIBE) --------------------------------------------------------------

#: RDF formats whose syntax has line comments, where a cut graph also says so in its body.
_COMMENTED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS}


def write_graph(
    triples: Iterable[ox.Triple],
    media_type: str,
    *,
    max_rows: int,
    max_bytes: int,
    prefixes: bool = False,
    cancelled: threading.Event | None = None,
) -> Written:
    """The triples of a CONSTRUCT or DESCRIBE result in the RDF format of ``media_type``, at most
    ``max_rows`` triples and ``max_bytes`` bytes counted as N-Triples."""
    media_type = media_type.split(";")[0].strip()
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise ValueError(f"{media_type} is not an RDF format pyoxigraph writes")
    state = {"rows": 0, "bytes": 0}
    cut: list[Reason] = []

    def capped() -> Iterator[ox.Triple]:
        for triple in triples:
            _check(cancelled)
            if state["rows"] >= max_rows:
                cut.append("rows")
                return
            size = len(str(triple).encode("utf-8")) + 3
            if state["bytes"] + size > max_bytes:
                cut.append("bytes")
                return
            state["rows"] += 1
            state["bytes"] += size
            yield triple

    output = io.BytesIO()
    ox.serialize(capped(), output, rdf_format, prefixes=PREFIXES if prefixes else None)
    truncated = cut[0] if cut else None
    limit = (max_rows if truncated == "rows" else max_bytes) if truncated else 0
    if truncated and rdf_format in _COMMENTED:
        note = truncation_message(truncated, state["rows"], limit)
        output.write(f"\n# truncated: {note}\n".encode())
    return Written("graph", media_type, output.getvalue(), state["rows"], truncated, limit)
