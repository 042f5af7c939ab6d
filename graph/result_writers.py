"""Query results written with a cap on rows and on bytes, in the process that ran the query.

pyoxigraph's own writers take a whole result and cannot stop half-way with a valid document, so
the four SPARQL results formats (JSON, XML, CSV, TSV) are written here row by row, with the same
shapes pyoxigraph writes; graphs (CONSTRUCT, DESCRIBE) are written by ``pyoxigraph.serialize``
from a generator that stops at the cap. A cut result is always a *valid* document, and it says
that it was cut:

* SPARQL JSON: a top-level ``"truncated"`` member, written before ``"results"`` (the JSON
  results format names ``head`` and ``results``; readers ignore other members, and streaming
  readers such as pyoxigraph's accept them there);
* SPARQL XML, Turtle, TriG, N-Triples, N-Quads: a comment at the end;
* every format: the ``X-SCRKG-Truncated`` header the web layer sets from :class:`Written`.

The byte cap is checked before each row is added, so a body never grows past it by more than the
closing of the document; for graphs it counts each triple's N-Triples size.
"""

from __future__ import annotations

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

from scrkg.ontology import PREFIXES, XSD

XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
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
#: writing 40 us a row, as much as a third of a 13,000-row query's time at 1M triples.
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
    head = json.dumps({"vars": names}, ensure_ascii=False, separators=(",", ":"))
    parts = [b'{"head":', head.encode("utf-8")]
    if truncated:
        flag = {"reason": truncated, "rows": count, "limit": limit, "message": note}
        parts += [b',"truncated":', json.dumps(flag, separators=(",", ":")).encode("utf-8")]
    parts += [b',"results":{"bindings":[', b",".join(rows), b"]}}"]
    return b"".join(parts)


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
