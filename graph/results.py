"""Writing query results: SELECT/ASK as a table, CSV, TSV or SPARQL JSON; graphs as RDF."""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from scrkg.ontology import PREFIXES

SOLUTION_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}
RESULT_FORMATS = {"table", *SOLUTION_FORMATS, *GRAPH_FORMATS}
MAX_CELL = 80


class ResultFormatError(ValueError):
    """The asked format does not fit the kind of result (rows versus a graph)."""


def write_results(results: object, output: BinaryIO, fmt: str | None = None) -> None:
    """Write SELECT or ASK results (``fmt`` table/csv/tsv/json) or a CONSTRUCT/DESCRIBE graph
    (``fmt`` turtle/ntriples) to a binary stream."""
    if isinstance(results, ox.QueryTriples):
        fmt = fmt or "turtle"
        if fmt not in GRAPH_FORMATS:
            raise ResultFormatError(
                "A CONSTRUCT or DESCRIBE query gives a graph: "
                f"use --format turtle or ntriples, not {fmt}."
            )
        results.serialize(output, GRAPH_FORMATS[fmt])
        return
    fmt = fmt or "table"
    if fmt in GRAPH_FORMATS:
        raise ResultFormatError(
            f"A SELECT or ASK query gives rows: use --format table, csv, tsv or json, not {fmt}."
        )
    if fmt == "table":
        output.write(table(results).encode("utf-8"))
    else:
        results.serialize(output, SOLUTION_FORMATS[fmt])


def table(results: object) -> str:
    """A plain-text table for a terminal; long cells are cut with an ellipsis."""
    if isinstance(results, ox.QueryBoolean):
        return ("true" if bool(results) else "false") + "\n"
    names = [v.value for v in results.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in results]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def compact_iri(iri: str) -> str:
    """``https://w3id.org/scrkg/concept/died`` -> ``scrc:died``, using the predefined prefixes
    (the longest namespace that matches), for reading in a terminal."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None or len(iri) == len(best):
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best) :]}"


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        text = compact_iri(term.value)
    elif isinstance(term, ox.Literal | ox.BlankNode):
        text = term.value
    else:
        text = str(term)
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
