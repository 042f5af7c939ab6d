"""Writing query results: SELECT/ASK as a table, CSV, TSV or SPARQL JSON; graphs as RDF.

``scrkg query`` runs through the query gateway, which hands back the result already serialised
(graph/result_writers.py): :func:`query_types` says which media types to ask it for,
:func:`write_answer` writes what came back (a table is drawn from the SPARQL JSON), and
:func:`format_mismatch` words the error when ``--format`` does not fit the kind of result.

The table is for a terminal, so control characters from the data (ESC, BEL, NUL and the rest
of C0 and C1) are shown escaped, as ``\x1b``; csv, tsv and json stay exact.
:func:`spreadsheet_safe` makes CSV and TSV safe to open in a spreadsheet, for the site's
downloads.
"""

from __future__ import annotations

import csv
import io
import re
from typing import BinaryIO

import pyoxigraph as ox

from scrkg.graph.formats import named
from scrkg.graph.result_writers import SPARQL_JSON, Written
from scrkg.ontology import PREFIXES

#: What `scrkg query --format` writes besides its table, from graph/formats.py's table.
SOLUTION_FORMATS = {n: named(n, "results").results for n in ("csv", "tsv", "json")}
GRAPH_FORMATS = {n: named(n, "graph").rdf for n in ("turtle", "ntriples")}
RESULT_FORMATS = {"table", *SOLUTION_FORMATS, *GRAPH_FORMATS}
MAX_CELL = 80

#: Control characters a terminal may act on: C0 (but tab, line feed and carriage return, which
#: the table turns into spaces), DEL and C1.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A plain number such as -5 or +1.5e3: a spreadsheet reads it as a number, never a formula.
PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


class ResultFormatError(ValueError):
    """The asked format does not fit the kind of result (rows versus a graph)."""


def query_types(fmt: str | None) -> tuple[str | None, str | None]:
    """The media types to ask the gateway for: (for rows, for graphs); None refuses that kind."""
    if fmt is None:
        return SPARQL_JSON, GRAPH_FORMATS["turtle"].media_type
    if fmt == "table":
        return SPARQL_JSON, None
    if fmt in SOLUTION_FORMATS:
        return SOLUTION_FORMATS[fmt].media_type, None
    return None, GRAPH_FORMATS[fmt].media_type


def write_answer(written: Written, output: BinaryIO, fmt: str | None) -> None:
    """Write a result the gateway serialised; rows asked as a table are drawn from its JSON."""
    if written.kind != "graph" and fmt in (None, "table"):
        results = ox.parse_query_results(written.body, ox.QueryResultsFormat.JSON)
        output.write(table(results).encode("utf-8"))
    else:
        output.write(written.body)
    output.flush()


def format_mismatch(kind: str, fmt: str | None) -> ResultFormatError:
    """The error for a --format that does not fit the kind of result."""
    if kind == "graph":
        return ResultFormatError(
            "A CONSTRUCT or DESCRIBE query gives a graph: "
            f"use --format turtle or ntriples, not {fmt}."
        )
    return ResultFormatError(
        f"A SELECT or ASK query gives rows: use --format table, csv, tsv or json, not {fmt}."
    )


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
    text = " ".join(escape_controls(text).split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def escape_controls(text: str) -> str:
    """Control characters as Python writes them (ESC as \\x1b), so a terminal shows them
    instead of acting on them; tab, line feed and carriage return are left as they are."""
    return CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


# -- spreadsheet downloads ----------------------------------------------------------------------


def spreadsheet_safe(body: bytes, media_type: str) -> bytes:
    """CSV or TSV results with every cell that a spreadsheet would run as a formula made text:
    a ' goes in front of it (the OWASP advice). Any other format is returned unchanged."""
    if media_type == "text/csv":
        rows = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\r\n")
        for row in rows:
            writer.writerow([spreadsheet_cell(value) for value in row])
        return output.getvalue().encode("utf-8")
    if media_type == "text/tab-separated-values":
        lines = body.decode("utf-8").split("\n")
        safe = ["\t".join(_tsv_cell(cell) for cell in line.split("\t")) for line in lines]
        return "\n".join(safe).encode("utf-8")
    return body


def spreadsheet_cell(value: str) -> str:
    """One cell's text, with a ' in front when a spreadsheet would take it for a formula."""
    if value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _tsv_cell(cell: str) -> str:
    """A TSV cell is an RDF term; a literal is in quotes ("=1+1" or "=1+1"@en), which a
    spreadsheet strips before it looks for a formula, so the text inside the quotes is checked."""
    text = cell[1 : cell.rindex('"')] if cell.startswith('"') else cell
    return "'" + cell if spreadsheet_cell(text) != text else cell
