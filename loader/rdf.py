"""The RDF reader: Turtle, N-Triples, N-Quads, TriG and JSON-LD, parsed strictly by pyoxigraph.

pyoxigraph rejects all 94 invalid documents of the W3C Turtle suite, where rdflib's parser accepts
39 of them (tests/test_turtle_conformance.py runs the suite), so it is the only RDF parser used on
user input.

* Relative IRIs are resolved against the base IRI given (the instance base by default).
* Blank nodes are renamed to fresh ids, so two sources can never share a blank node by accident.
* N-Quads and TriG may hold several graphs: their quads are *flattened* into the source's one
  named graph (the graph names are dropped), because scrkg keeps one named graph per source.
* JSON-LD documents that use a remote or ``file:`` ``@context`` (any ``@context`` that is a string,
  or a list holding one, or an ``@import``) are refused *before* parsing, so nothing is fetched.
* RDF/XML is not accepted (entity expansion makes it a denial-of-service risk); the message lists
  the accepted formats.
* RDF 1.2 triple terms (``<<( s p o )>>``, and those behind ``<< s p o >>`` reified triples and
  ``{| |}`` annotations) are refused with the line of the first one: the store, SHACL and the
  exports work on RDF 1.1 triples.
* A NUL byte is valid inside a Turtle string, so :func:`read_rdf` reads it (the W3C suite has
  such files); the loader refuses it before reading (loader/load.py), as it does in CSV and JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from scrkg.graph.formats import of_kind
from scrkg.loader.errors import SourceFormatError
from scrkg.loader.records import Progress
from scrkg.loader.tabular import parse_json

#: The RDF formats scrkg load reads, by file extension (graph/formats.py's table).
RDF_FORMATS: dict[str, ox.RdfFormat] = {f.suffix: f.rdf for f in of_kind("graph") if f.loads}
REFUSED_FORMATS = {".rdf": "RDF/XML", ".xml": "RDF/XML", ".owl": "RDF/XML (OWL)", ".n3": "N3"}
ACCEPTED = f".csv, .json (coded reviews), {', '.join(RDF_FORMATS)} (RDF)"

PROGRESS_EVERY = 100_000


def read_rdf(
    data: bytes,
    file: str,
    suffix: str,
    *,
    base_iri: str | None,
    progress: Progress | None = None,
) -> list[ox.Triple]:
    """The triples of an RDF file (quads flattened); :class:`SourceFormatError` when invalid."""
    rdf_format = RDF_FORMATS[suffix]
    if rdf_format == ox.RdfFormat.JSON_LD:
        refuse_remote_contexts(parse_json(data, file), file)
    triples: list[ox.Triple] = []
    try:
        for quad in ox.parse(data, rdf_format, base_iri=base_iri, rename_blank_nodes=True):
            if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
                raise triple_term_error(data, file)
            triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
            if progress and len(triples) % PROGRESS_EVERY == 0:
                progress("parse", len(triples), None)
    except SyntaxError as error:
        raise syntax_error(error, file) from None
    except ValueError as error:  # e.g. an invalid IRI reported without a position
        raise SourceFormatError(f"is not valid RDF: {error}", file=file, rule="syntax") from None
    if progress:
        progress("parse", len(triples), len(triples))
    return triples


#: Where a triple term is written: ``<<(`` or ``<<`` then a term, an annotation ``{|``, or a
#: reifier ``~`` between spaces and a term.
_TRIPLE_TERM_START = re.compile(rb"(?:<<\(?|\{\||(?<=\s)~)\s*(?:<|_:|\[|\"|'|\||[A-Za-z0-9_.-]*:)")


def triple_term_error(data: bytes, file: str) -> SourceFormatError:
    """The error for an RDF 1.2 triple term, at the line where the first one is written."""
    start = _TRIPLE_TERM_START.search(data)
    line = data.count(b"\n", 0, start.start()) + 1 if start else None
    return SourceFormatError(
        "holds an RDF 1.2 triple term (<<( s p o )>>, or one behind a << s p o >> reified "
        "triple or a {| |} annotation); scrkg stores RDF 1.1 triples only: state the fact as "
        "plain triples, or describe it with rdf:Statement, rdf:subject, rdf:predicate and "
        "rdf:object",
        file=file,
        location=f"line {line}" if line else None,
        rule="triple-term",
    )


def syntax_error(error: SyntaxError, file: str) -> SourceFormatError:
    """A pyoxigraph syntax error as a :class:`SourceFormatError` with its line and column."""
    location = None
    if error.lineno is not None:
        location = f"line {error.lineno}"
        if error.offset is not None:
            location += f", column {error.offset}"
    message = error.msg or str(error)
    # pyoxigraph repeats the position in its message; keep only the explanation.
    if message.startswith("Parser error at line") and ": " in message:
        message = message.split(": ", 1)[1]
    return SourceFormatError(f"is not valid RDF: {message}", file=file, location=location)


def refuse_remote_contexts(document: Any, file: str) -> None:
    """Refuse JSON-LD that would make a parser fetch a context from the web or the disk."""
    try:
        contexts = list(_contexts(document, "$"))
    except RecursionError:
        raise SourceFormatError("is nested too deeply to be read", file=file, rule="json") from None
    for path, context in contexts:
        references = [context] if isinstance(context, str) else []
        if isinstance(context, list):
            references = [item for item in context if isinstance(item, str)]
        if isinstance(context, dict) and isinstance(context.get("@import"), str):
            references.append(context["@import"])
        if references:
            raise SourceFormatError(
                f"uses the remote or file @context {references[0]!r}; scrkg never fetches "
                "contexts, write the context inline in the document",
                file=file,
                location=path,
                field="@context",
                rule="jsonld-remote-context",
            )


def _contexts(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every ``@context`` value in a JSON document, with its JSON path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                yield f"{path}.@context", value
            yield from _contexts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _contexts(item, f"{path}[{i}]")


def refused_format_message(suffix: str) -> str:
    """Why a file extension is not read, and which ones are."""
    if suffix in REFUSED_FORMATS:
        return (
            f"{REFUSED_FORMATS[suffix]} is not accepted (it can expand entities without bound); "
            f"convert it to Turtle. Accepted formats: {ACCEPTED}"
        )
    shown = f"the extension {suffix!r}" if suffix else "a file without an extension"
    return f"scrkg cannot read {shown}. Accepted formats: {ACCEPTED}"
