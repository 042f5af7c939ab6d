"""The figures published about serious case reviews in England, 2001-2011, as RDF.

``loader/bundled/sources/published-figures-2001-2011.csv`` holds one row per figure as read on one
page (``published-figures-2001-2011.md`` beside it says what each column means). It is not loaded
itself, so it sits apart from the files the loader reads: its periods are dates and its page
addresses hold dates, which the personal-data checks of loaded tables would question.

This module turns the rows into RDF Data Cube data sets, one per publication, and writes them as
the last section of ``loader/bundled/ofsted-2009-10.ttl``, the bundled Turtle file that
``scrkg load --bundled`` loads. After editing the CSV, regenerate that section with::

    python -m scrkg.loader.published

Each row becomes one observation: its value (``scr:figureValue``) and unit (``scr:unit``), what it
counts (``dcterms:description``, the CSV's measure), its period (``dcterms:temporal``, a period
with ``dcat:startDate`` and, when the source gives one, ``dcat:endDate``), its data set (the
publication, ``qb:dataSet``) and the page it was read on (``prov:wasDerivedFrom`` the page's
address; the page carries its kind as ``dcterms:type``). A figure read on two pages is two
observations; where they give different values, both are kept and the saved query
13-published-series flags them.

The observations are written in the Data Cube's abbreviated form: their type ``qb:Observation``
follows from ``qb:dataSet`` and is not written out. The shapes and the saved queries 00 and 01
read the typed observations as the 2009-10 figures that the records reproduce (one statistic of a
fixed list, a quote from the press release each); these rows are published figures only, with no
quote of their own (the pages' wording is not copied), so they stay apart from those checks.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
CSV_FILE = BUNDLED_DIR / "sources" / "published-figures-2001-2011.csv"
REPORT_FILE = BUNDLED_DIR / "ofsted-2009-10.ttl"

COLUMNS = [
    "period_start", "period_end", "publication", "publisher", "published", "measure", "value",
    "unit", "source_url", "source_kind", "note",
]  # fmt: skip
UNITS = {"count": "scrc:unit-count", "percent": "scrc:unit-percent"}

#: The first line of the generated section; everything from it to the end of the file is
#: rewritten by :func:`write_section`.
BEGIN = "# === Published figures of every period, 2001-2011 (generated: do not edit by hand) ==="


@dataclass(frozen=True)
class Row:
    """One figure as read on one page."""

    line: int  # its line in the CSV (the header is line 1)
    period_start: dt.date
    period_end: dt.date | None  # None when the source gives no end
    publication: str
    publisher: str
    published: str  # "YYYY-MM", "YYYY" or "" when the page gives no date
    measure: str
    value: Decimal
    unit: str  # "count" or "percent"
    source_url: str
    source_kind: str
    note: str


def read_rows(path: Path = CSV_FILE) -> list[Row]:
    """The rows of the CSV, checked; a ValueError names the line and the column at fault."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{path.name}: the columns must be {', '.join(COLUMNS)}")
        return [_row(number, cells) for number, cells in enumerate(reader, start=2)]


def _row(line: int, cells: dict[str, str]) -> Row:
    def fail(column: str, rule: str) -> ValueError:
        return ValueError(f"line {line}, column {column}: {cells[column]!r} {rule}")

    try:
        start = dt.date.fromisoformat(cells["period_start"])
        end = dt.date.fromisoformat(cells["period_end"]) if cells["period_end"] else None
    except ValueError:
        raise fail("period_start", "or period_end is not a date written YYYY-MM-DD") from None
    try:
        value = Decimal(cells["value"])
    except InvalidOperation:
        raise fail("value", "is not a number") from None
    if cells["unit"] not in UNITS:
        raise fail("unit", "is neither count nor percent")
    if not re.fullmatch(r"(\d{4}(-\d{2})?)?", cells["published"]):
        raise fail("published", "is not written YYYY-MM or YYYY")
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", cells["source_url"]):
        raise fail("source_url", "is not a web address")
    for column in ("publication", "publisher", "measure", "source_kind"):
        if not cells[column].strip():
            raise fail(column, "is empty")
    return Row(
        line=line,
        period_start=start,
        period_end=end,
        publication=cells["publication"],
        publisher=cells["publisher"],
        published=cells["published"],
        measure=cells["measure"],
        value=value,
        unit=cells["unit"],
        source_url=cells["source_url"],
        source_kind=cells["source_kind"],
        note=cells["note"],
    )


def period_label(start: dt.date, end: dt.date | None) -> str:
    """A period in plain words: 2008-09 for a year from April, 2008 for a calendar year, months
    otherwise ("January to September 2009"); days only when the period does not run from the
    first of a month to the last (the personal-data guard refuses a lone day, month and year)."""
    if end is None:
        return f"from {start:%B %Y}"
    if (start.month, start.day, end.month, end.day) == (4, 1, 3, 31) and end.year == start.year + 1:
        return f"{start.year}-{end.year % 100:02d}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and end.year == start.year:
        return str(start.year)
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%B %Y}"
        first = f"{start:%B}" if start.year == end.year else f"{start:%B %Y}"
        return f"{first} to {end:%B %Y}"
    return f"{start.day} {start:%b %Y} to {end.day} {end:%b %Y}"


def slug(text: str, limit: int = 60) -> str:
    """Lower-case words joined by hyphens, cut at a word boundary within ``limit`` characters."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    out = ""
    for word in words:
        if out and len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}" if out else word
    return out


def dataset_iri(row: Row) -> str:
    return f"<dataset/published/{slug(row.publication)}>"


def period_iri(row: Row) -> str:
    end = row.period_end.isoformat() if row.period_end else "open"
    return f"<period/{row.period_start.isoformat()}--{end}>"


def organisation_iri(publisher: str) -> str:
    return f"<organisation/{slug(publisher)}>"


def observation_iri(row: Row) -> str:
    return f"<figure/published-2001-2011/line-{row.line}>"


def _text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _issued(published: str) -> str:
    kind = "gYearMonth" if len(published) == 7 else "gYear"
    return f'"{published}"^^xsd:{kind}'


def _value_text(row: Row) -> str:
    text = format(row.value.normalize(), "f")
    return f"{text}%" if row.unit == "percent" else text


def turtle(rows: list[Row]) -> str:
    """The generated section of ofsted-2009-10.ttl: every publication, period, page and figure."""
    out = [
        BEGIN,
        "# Written by `python -m scrkg.loader.published` from the CSV file",
        "# sources/published-figures-2001-2011.csv beside this file: one data set per publication,",
        "# one observation per row of the CSV, named after its line.",
        "# Published figures only, each with the page it was read on; the records are not checked",
        "# against them (only the 2009-10 figures above are).",
        "",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "",
    ]
    publications: dict[str, list[Row]] = {}
    for row in rows:
        publications.setdefault(row.publication, []).append(row)
    for publication, its_rows in publications.items():
        out += _dataset(publication, its_rows)
    out += ["# The periods", ""]
    for row in _first_of_each(rows, period_iri):
        end = f' ;\n    dcat:endDate "{row.period_end}"^^xsd:date' if row.period_end else ""
        out += [
            f"{period_iri(row)} a dcterms:PeriodOfTime ;",
            f"    rdfs:label {_text(period_label(row.period_start, row.period_end))} ;",
            f'    dcat:startDate "{row.period_start}"^^xsd:date{end} .',
            "",
        ]
    out += ["# The publishers (Ofsted is described above)", ""]
    for row in _first_of_each(rows, lambda r: organisation_iri(r.publisher)):
        if organisation_iri(row.publisher) != "<organisation/ofsted>":
            out += [
                f"{organisation_iri(row.publisher)} a prov:Organization, dcterms:Agent ;",
                f"    rdfs:label {_text(row.publisher)} .",
                "",
            ]
    out += ["# The pages the figures were read on", ""]
    for row in _first_of_each(rows, lambda r: r.source_url):
        out += [
            f"<{row.source_url}> a prov:Entity ;",
            f"    rdfs:label {_text(f'{urlsplit(row.source_url).hostname} ({row.source_kind})')} ;",
            f"    dcterms:type {_text(row.source_kind)} .",
            "",
        ]
    return "\n".join(out)


def _dataset(publication: str, rows: list[Row]) -> list[str]:
    first = rows[0]
    publishers = {row.publisher for row in rows}
    months = {row.published for row in rows if row.published}
    if len(publishers) > 1 or len(months) > 1:
        raise ValueError(f"{publication!r}: its rows give more than one publisher or date")
    lines = [
        f"# {publication}",
        "",
        f"{dataset_iri(first)} a qb:DataSet ;",
        f"    rdfs:label {_text(f'Published figures: {publication}')} ;",
        f"    dcterms:title {_text(publication)} ;",
        f"    dcterms:publisher {organisation_iri(first.publisher)} ;",
    ]
    lines += [f"    dcterms:issued {_issued(month)} ;" for month in months]
    lines += [
        '    rdfs:comment "Figures of this publication as published, each with the page it was '
        'read on; not checked against the records." .',
        "",
    ]
    for row in rows:
        period = period_label(row.period_start, row.period_end)
        label = f"{row.measure}, {period}: {_value_text(row)}"
        note = f" ;\n    skos:note {_text(row.note)}" if row.note else ""
        lines += [
            f"{observation_iri(row)}",
            f"    qb:dataSet {dataset_iri(row)} ;",
            f"    rdfs:label {_text(label)} ;",
            f"    dcterms:description {_text(row.measure)} ;",
            f"    dcterms:temporal {period_iri(row)} ;",
            f'    scr:figureValue "{row.value}"^^xsd:decimal ;',
            f"    scr:unit {UNITS[row.unit]} ;",
            f"    prov:wasDerivedFrom <{row.source_url}>{note} .",
            "",
        ]
    return lines


def _first_of_each(rows: list[Row], key) -> list[Row]:
    seen: dict[str, Row] = {}
    for row in rows:
        seen.setdefault(key(row), row)
    return list(seen.values())


def write_section(rows: list[Row] | None = None, path: Path = REPORT_FILE) -> bool:
    """Rewrite the generated section at the end of ``path``; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    hand_written = text.split(BEGIN)[0].rstrip("\n")
    new = f"{hand_written}\n\n{turtle(read_rows() if rows is None else rows)}"
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


if __name__ == "__main__":
    changed = write_section()
    print(f"{REPORT_FILE.name}: {'rewritten' if changed else 'already up to date'}")
