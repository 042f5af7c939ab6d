"""Every data format scrkg reads or writes, in one table: its name, label, media type, file
extension, the pyoxigraph format that parses or writes it, and where scrkg uses it.

Two kinds: ``results`` (SPARQL query results: the rows of a SELECT, the answer of an ASK) and
``graph`` (RDF: triples, or quads for the formats that hold named graphs). Other names and media
types that clients send for a format (SPARQLWrapper's ``format=ttl``, ``Accept: text/n3``) are
its ``aliases`` and ``media_aliases``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    name: str  # in format= parameters, --format options and Store.export
    label: str  # what a reader sees
    media_type: str
    kind: str  # "results" or "graph"
    suffix: str  # the file extension
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None
    aliases: tuple[str, ...] = ()
    media_aliases: tuple[str, ...] = ()
    answers: bool = False  # /sparql answers a query in it
    exports: bool = False  # scrkg export, /export and the download page write it
    loads: bool = False  # scrkg load reads a file in it


FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "JSON",
        "application/sparql-results+json",
        "results",
        ".srj",
        results=ox.QueryResultsFormat.JSON,
        media_aliases=("application/json",),
        answers=True,
    ),
    Format(
        "xml",
        "XML",
        "application/sparql-results+xml",
        "results",
        ".srx",
        results=ox.QueryResultsFormat.XML,
        media_aliases=("application/xml", "text/xml"),
        answers=True,
    ),
    Format(
        "csv",
        "CSV",
        "text/csv",
        "results",
        ".csv",
        results=ox.QueryResultsFormat.CSV,
        answers=True,
    ),
    Format(
        "tsv",
        "TSV",
        "text/tab-separated-values",
        "results",
        ".tsv",
        results=ox.QueryResultsFormat.TSV,
        answers=True,
    ),
    Format(
        "turtle",
        "Turtle",
        "text/turtle",
        "graph",
        ".ttl",
        rdf=ox.RdfFormat.TURTLE,
        aliases=("ttl", "n3"),
        media_aliases=("application/x-turtle", "application/turtle", "text/n3"),  # Turtle is N3
        answers=True,
        exports=True,
        loads=True,
    ),
    Format(
        "trig",
        "TriG",
        "application/trig",
        "graph",
        ".trig",
        rdf=ox.RdfFormat.TRIG,
        exports=True,
        loads=True,
    ),
    Format(
        "ntriples",
        "N-Triples",
        "application/n-triples",
        "graph",
        ".nt",
        rdf=ox.RdfFormat.N_TRIPLES,
        aliases=("nt", "n-triples"),
        media_aliases=("text/plain",),
        answers=True,
        exports=True,
        loads=True,
    ),
    Format(
        "nquads",
        "N-Quads",
        "application/n-quads",
        "graph",
        ".nq",
        rdf=ox.RdfFormat.N_QUADS,
        aliases=("nq", "n-quads"),
        exports=True,
        loads=True,
    ),
    Format(
        "jsonld",
        "JSON-LD",
        "application/ld+json",
        "graph",
        ".jsonld",
        rdf=ox.RdfFormat.JSON_LD,
        aliases=("json-ld", "json"),
        media_aliases=("application/json",),
        answers=True,
        exports=True,
        loads=True,
    ),
    Format(
        "rdfxml",
        "RDF/XML",
        "application/rdf+xml",
        "graph",
        ".rdf",
        rdf=ox.RdfFormat.RDF_XML,
        aliases=("rdf", "rdf+xml", "xml"),
        media_aliases=("application/xml",),
        answers=True,  # written, never read: scrkg load refuses RDF/XML
    ),
)


def of_kind(kind: str) -> tuple[Format, ...]:
    """The formats of ``kind`` ("results" or "graph"), in the table's order."""
    return tuple(f for f in FORMATS if f.kind == kind)


def named(name: str, kind: str | None = None) -> Format | None:
    """The format called ``name`` (or one of its aliases), of ``kind`` when given."""
    for f in FORMATS:
        if (name == f.name or name in f.aliases) and kind in (None, f.kind):
            return f
    return None


def for_media_type(media_type: str, kind: str) -> Format | None:
    """The format of ``kind`` that ``media_type`` (or one of its aliases) names."""
    for f in of_kind(kind):
        if media_type == f.media_type or media_type in f.media_aliases:
            return f
    return None
