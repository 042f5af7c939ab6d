"""The records behind a figure, at /records: from a number on the dashboard to the children,
reviews or lessons it counts, with the agencies involved.

A link names the figure, never a query: ``/records?figure=children-died-child-in-need&period=
2009-10`` (a published figure counted from the records), ``/records?figure=outcomes&value=died``
(a bar of a dashboard chart; ``records=real`` for the chart of real records only),
``/records?figure=children&records=synthetic`` (the dashboard's count of records), or
``/records?published=IRI`` (a figure as published, with no records behind it: its publication,
the page it was read on and its quote). Each figure has its query defined here; the only values
a link adds (a period, a concept) are checked against the figures the dashboard shows and put
into the query as SPARQL terms written by pyoxigraph. Anything else gets 404.

The page lists the records as a table (each synthetic one tagged), the agency types involved
across them, a link that draws them as a network in the explorer, and ``/records.csv`` with the
same parameters: the table as CSV, with a ``synthetic`` column, ``-includes-synthetic`` in its
file name and the ``X-SCRKG-Synthetic`` header when any row is synthetic.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request

from scrkg.graph import synthetic_notice
from scrkg.graph.charts import CHART_SPECS, dashboard_data
from scrkg.graph.figures import Figure, SeriesFigure, published_series
from scrkg.graph.memo import per_version
from scrkg.graph.store import Store
from scrkg.graph.tables import spreadsheet_cell
from scrkg.ontology import PREFIXES, SCRC, local_name
from scrkg.web import get_store
from scrkg.web.explorer import base_iri, resource_path, site_explore_link

bp = Blueprint("records", __name__)

#: The most rows a records page lists (the bundled figures count at most a few hundred).
MAX_ROWS = 5000

_REVIEWS_OF_PERIOD = """
    ?reviewClass rdfs:subClassOf* scr:CaseReview .
    ?record a ?reviewClass ; scr:reportingYear ?period ."""
_CHILDREN_OF_PERIOD = """
    ?reviewClass rdfs:subClassOf* scr:CaseReview .
    ?review a ?reviewClass ; scr:reportingYear ?period ; scr:concernsChild ?record ."""

#: Each published statistic counted from the records: what it counts and the pattern that binds
#: ``?record`` to each record it counts (``?period`` comes from the link, checked). These follow
#: the counting rules of the saved query 00-published-figures.
STATISTICS: dict[str, tuple[str, str]] = {
    "reviews-evaluated": ("reviews", _REVIEWS_OF_PERIOD),
    "reviews-graded-good-percent": (
        "reviews",
        _REVIEWS_OF_PERIOD + "\n    ?record scr:qualityGrade scrc:good .",
    ),
    "reviews-graded-adequate-percent": (
        "reviews",
        _REVIEWS_OF_PERIOD + "\n    ?record scr:qualityGrade scrc:adequate .",
    ),
    "reviews-graded-inadequate-percent": (
        "reviews",
        _REVIEWS_OF_PERIOD + "\n    ?record scr:qualityGrade scrc:inadequate .",
    ),
    "children-subject": ("children", _CHILDREN_OF_PERIOD),
    "children-died": ("children", _CHILDREN_OF_PERIOD + "\n    ?record scr:outcome scrc:died ."),
    "children-serious-harm": (
        "children",
        _CHILDREN_OF_PERIOD + "\n    ?record scr:outcome scrc:serious-harm .",
    ),
    "children-known-to-social-care": (
        "children",
        _CHILDREN_OF_PERIOD
        + "\n    ?record scr:socialCareStatus/skos:broader* scrc:known-to-social-care .",
    ),
    "children-child-in-need": (
        "children",
        _CHILDREN_OF_PERIOD
        + "\n    ?record scr:socialCareStatus/skos:broader* scrc:child-in-need .",
    ),
    "children-child-protection-plan": (
        "children",
        _CHILDREN_OF_PERIOD
        + "\n    ?record scr:socialCareStatus/skos:broader* scrc:child-protection-plan .",
    ),
    "children-died-child-in-need": (
        "children",
        _CHILDREN_OF_PERIOD
        + "\n    ?record scr:outcome scrc:died ;"
        + "\n            scr:socialCareStatus/skos:broader* scrc:child-in-need .",
    ),
}

#: The dashboard's counts of records: (what is counted, the pattern binding ?record).
COUNTS: dict[str, tuple[str, str]] = {
    "children": ("children", "\n    ?record a scr:Child ."),
    "reviews": ("reviews", "\n    ?record scr:concernsChild ?anyChild ."),
}

#: The unit each chart counts ("children", "reviews", "lessons"), by the chart's key.
CHARTS = {spec.key: spec for spec in CHART_SPECS}

#: How a record of each unit reaches its review, its details and whether it is synthetic.
UNITS: dict[str, dict[str, str]] = {
    "children": {
        "review": "?review scr:concernsChild ?record .",
        "details": """
  OPTIONAL { ?record scr:outcome/skos:prefLabel ?d1 }
  OPTIONAL { ?record scr:socialCareStatus/skos:prefLabel ?d2 }""",
        "synthetic": "?record scr:isSynthetic|^scr:concernsChild/scr:isSynthetic true",
    },
    "reviews": {
        "review": "BIND(?record AS ?review)",
        "details": """
  OPTIONAL { ?record scr:qualityGrade/skos:prefLabel ?d1 }
  OPTIONAL { ?record scr:concernsChild ?d2 }""",
        "synthetic": "?record scr:isSynthetic true",
    },
    "lessons": {
        "review": "?review scr:identifiesLesson ?record .",
        "details": """
  OPTIONAL { ?record scr:lessonTheme/skos:prefLabel ?d1 }""",
        "synthetic": "?record scr:isSynthetic|^scr:identifiesLesson/scr:isSynthetic true",
    },
}

#: The table's headings for each unit: (record, review or None, first detail, second detail).
HEADINGS: dict[str, tuple[str, str | None, str, str | None]] = {
    "children": ("Child", "Review", "Outcome", "Social care status at the time"),
    "reviews": ("Review", None, "Quality grade", "Children"),
    "lessons": ("Lesson", "Review", "Lesson theme", None),
}

ONE = {"children": "child", "reviews": "review", "lessons": "lesson"}


@dataclass(frozen=True)
class Selection:
    """The records a figure counts: what they are and the pattern that finds them."""

    key: str  # the link's parameters, as a query string
    title: str
    unit: str  # "children", "reviews" or "lessons"
    pattern: str  # binds ?record; may use ?period and ?concept, bound by ``values``
    values: str = ""  # VALUES lines, from checked values only
    real_only: bool = False
    synthetic_only: bool = False
    figure: Figure | None = None  # the published figure, when the selection is one
    note: str = ""  # how the figure is made from these records


@dataclass
class Row:
    record: str
    label: str
    review: str
    review_label: str
    period: str
    detail1: str
    detail2: str
    agencies: str
    synthetic: bool
    record_link: str | None = None
    review_link: str | None = None


@dataclass
class Source:
    """Where a published figure comes from: the publication, the page read, its quote."""

    label: str
    value: str
    period: str
    publication: str = ""
    publisher: str = ""
    issued: str = ""
    page: str = ""  # the label of the document read, or the kind of web page
    page_link: str | None = None  # a web address or a resource page
    quote: str = ""
    note: str = ""
    disagrees: bool = False


@dataclass
class Agencies:
    label: str
    link: str | None
    records: int
    reviews: int


@dataclass
class Records:
    selection: Selection
    rows: list[Row] = field(default_factory=list)
    agencies: list[Agencies] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len({row.record for row in self.rows})

    @property
    def synthetic(self) -> int:
        return len({row.record for row in self.rows if row.synthetic})


def _head(names: tuple[str, ...] = ("scr", "scrc", "skos", "rdfs")) -> str:
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in names)


def _inner(selection: Selection) -> str:
    """The subquery that lists the records the figure counts, once each."""
    only = ""
    if selection.real_only:
        only = "\n    FILTER NOT EXISTS { ?record scr:isSynthetic true }"
    elif selection.synthetic_only:
        only = "\n    ?record scr:isSynthetic true ."
    values = f"\n    {selection.values}" if selection.values else ""
    return f"{{ SELECT DISTINCT ?record WHERE {{{values}{selection.pattern}{only}\n  }} }}"


def _optional_review(unit: dict[str, str]) -> str:
    """The record's review when it has one (a review is its own review)."""
    pattern = unit["review"]
    return pattern if pattern.startswith("BIND") else f"OPTIONAL {{ {pattern} }}"


def rows_query(selection: Selection) -> str:
    """The table: one row per record and review, with its details and agencies."""
    unit = UNITS[selection.unit]
    count_d2 = selection.unit == "reviews"
    d2 = (
        "(COUNT(DISTINCT ?d2) AS ?detail2)"
        if count_d2
        else ('(GROUP_CONCAT(DISTINCT ?d2; separator="; ") AS ?detail2)')
    )
    return (
        _head()
        + f"""SELECT ?record (SAMPLE(?rl) AS ?label) ?review (SAMPLE(?vl) AS ?reviewLabel)
       (SAMPLE(?py) AS ?period) (GROUP_CONCAT(DISTINCT ?d1; separator="; ") AS ?detail1)
       {d2} (GROUP_CONCAT(DISTINCT ?al; separator="; ") AS ?agencies) ?synthetic
WHERE {{
  {_inner(selection)}
  OPTIONAL {{ ?record rdfs:label ?rl }}
  {_optional_review(unit)}
  OPTIONAL {{ ?review rdfs:label ?vl }}
  OPTIONAL {{ ?review scr:reportingYear ?py }}
  OPTIONAL {{
    ?review scr:involvedAgency ?agency .
    OPTIONAL {{ ?agency scr:agencyType/skos:prefLabel ?atl }}
    OPTIONAL {{ ?agency rdfs:label ?agl }}
    BIND(COALESCE(?atl, ?agl) AS ?al)
  }}{unit["details"]}
  BIND(EXISTS {{ {unit["synthetic"]} }} AS ?synthetic)
}}
GROUP BY ?record ?review ?synthetic
ORDER BY ?period ?label ?record ?reviewLabel
LIMIT {MAX_ROWS}
"""
    )


def agencies_query(selection: Selection) -> str:
    """The agency types involved in the reviews of the records, with how many of each."""
    unit = UNITS[selection.unit]
    return (
        _head()
        + f"""SELECT ?type (SAMPLE(?tl) AS ?label) (COUNT(DISTINCT ?record) AS ?records)
       (COUNT(DISTINCT ?review) AS ?reviews)
WHERE {{
  {_inner(selection)}
  {unit["review"]}
  ?review scr:involvedAgency ?agency .
  ?agency scr:agencyType ?type .
  OPTIONAL {{ ?type skos:prefLabel ?tl }}
}}
GROUP BY ?type
ORDER BY DESC(?records) ?label
"""
    )


def network_query(selection: Selection) -> str:
    """The records, their reviews and the agencies involved, for the explorer to draw."""
    unit = UNITS[selection.unit]
    return (
        _head()
        + f"""SELECT DISTINCT ?record ?review ?agency WHERE {{
  {_inner(selection)}
  {_optional_review(unit)}
  OPTIONAL {{ ?review scr:involvedAgency ?agency }}
}}
"""
    )


def _text(row: object, name: str) -> str:
    term = row[name]  # type: ignore[index]
    return "" if term is None else term.value


def read_records(store: Store, selection: Selection) -> Records:
    base = base_iri()
    found = Records(selection)
    for row in store.query(rows_query(selection)):
        record, review = _text(row, "record"), _text(row, "review")
        found.rows.append(
            Row(
                record=record,
                label=_text(row, "label") or local_name(record),
                review=review,
                review_label=_text(row, "reviewLabel") or local_name(review),
                period=_text(row, "period"),
                detail1=_text(row, "detail1"),
                detail2=_text(row, "detail2"),
                agencies=_text(row, "agencies"),
                synthetic=_text(row, "synthetic") == "true",
                record_link=resource_path(record, base),
                review_link=resource_path(review, base),
            )
        )
    for row in store.query(agencies_query(selection)):
        found.agencies.append(
            Agencies(
                label=_text(row, "label") or local_name(_text(row, "type")),
                link=resource_path(_text(row, "type"), base),
                records=int(_text(row, "records")),
                reviews=int(_text(row, "reviews")),
            )
        )
    return found


# -- from a link to a selection ------------------------------------------------------------------


def _local(iri: str, namespace: str = SCRC) -> str:
    return iri[len(namespace) :] if iri.startswith(namespace) else iri


def statistic_link(figure: Figure) -> str | None:
    """The records page of a published figure counted from the records, if it has one."""
    key = _local(figure.statistic)
    if key not in STATISTICS:
        return None
    return "/records?" + urlencode({"figure": key, "period": figure.period})


def chart_link(chart_key: str, concept: str, *, real_only: bool = False) -> str:
    """The records page of one bar of a dashboard chart."""
    params = {"figure": chart_key, "value": _local(concept)}
    if real_only:
        params["records"] = "real"
    return "/records?" + urlencode(params)


def count_link(unit: str, kind: str) -> str:
    """The records page of the dashboard's count of synthetic or real children or reviews."""
    return "/records?" + urlencode({"figure": unit, "records": kind})


def published_link(figure: SeriesFigure) -> str | None:
    """The page of a figure as published (its source), when it names its observation."""
    if not figure.observation:
        return None
    return "/records?" + urlencode({"published": figure.observation})


def selection_from_request(store: Store) -> Selection | None:
    """The selection the request's parameters name, checked; None when they name none."""
    key = request.args.get("figure", "")
    kind = request.args.get("records", "")
    if key in STATISTICS:
        period = request.args.get("period", "")
        for figure in dashboard_data(store).figures:
            if _local(figure.statistic) == key and figure.period == period:
                unit, pattern = STATISTICS[key]
                return Selection(
                    key=urlencode({"figure": key, "period": period}),
                    title=f"{_capital(figure.label)}, {period}",
                    unit=unit,
                    pattern=pattern,
                    values=f"VALUES ?period {{ {ox.Literal(period)} }}",
                    figure=figure,
                    note=_note(key),
                )
        return None
    if key in CHARTS:
        real_only = kind == "real"
        spec = CHARTS[key]
        value = request.args.get("value", "")
        for chart in dashboard_data(store, real_only=real_only).charts:
            if chart.key != key:
                continue
            for bar in chart.bars:
                if _local(bar.iri) == value:
                    params = {"figure": key, "value": value}
                    if real_only:
                        params["records"] = "real"
                    return Selection(
                        key=urlencode(params),
                        title=f"{spec.title}: {bar.label}",
                        unit=spec.unit,
                        pattern=f"\n    ?record {spec.prop} ?concept .",
                        values=f"VALUES ?concept {{ {ox.NamedNode(bar.iri)} }}",
                        real_only=real_only,
                        note=(
                            f"The {spec.unit} counted in the dashboard's chart "
                            f"“{spec.title}”" + (", real records only." if real_only else ".")
                        ),
                    )
        return None
    if key in COUNTS and kind in ("real", "synthetic"):
        unit, pattern = COUNTS[key]
        return Selection(
            key=urlencode({"figure": key, "records": kind}),
            title=f"{'Synthetic' if kind == 'synthetic' else 'Real'} {unit} in the graph",
            unit=unit,
            pattern=pattern,
            real_only=kind == "real",
            synthetic_only=kind == "synthetic",
            note=(
                "Records generated to resemble the published figures; they describe no real child."
                if kind == "synthetic"
                else "Records drawn from a published source."
            ),
        )
    return None


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _note(statistic: str) -> str:
    if statistic.endswith("-percent"):
        return (
            "The percentage is these reviews as a share of the reviews of the period that "
            "carry a quality grade, rounded."
        )
    if statistic.startswith("children-") and statistic != "children-subject":
        return (
            "Children of the reviews of the period; a social care status counts with the "
            "statuses within it (a child protection plan is within children in need)."
        )
    return "The records of the reviews of the period."


# -- the sources of published figures ----------------------------------------------------------

_SOURCE_QUERY = (
    _head(("scr", "rdfs", "dcterms", "prov", "qb"))
    + """SELECT ?observation ?quote ?document ?documentLabel ?documentLink ?publication
       ?publisher ?issued
WHERE {
  VALUES (?statistic ?period) { %s }
  ?observation scr:statistic ?statistic ; scr:refPeriod ?period .
  OPTIONAL { ?observation scr:quote ?quote }
  OPTIONAL {
    ?observation prov:wasDerivedFrom ?document .
    OPTIONAL { ?document rdfs:label ?documentLabel }
    OPTIONAL { ?document rdfs:seeAlso ?documentLink }
    OPTIONAL { ?document dcterms:relation|dcterms:isPartOf ?report .
               ?report dcterms:title ?publication .
               OPTIONAL { ?report dcterms:issued ?issued } }
    OPTIONAL { ?document dcterms:publisher/rdfs:label ?publisher }
  }
}
LIMIT 20
"""
)


def figure_source(store: Store, figure: Figure) -> Source:
    """The publication, page and quote of a published figure of the dashboard."""
    values = f"({ox.NamedNode(figure.statistic)} {ox.Literal(figure.period)})"
    source = Source(label=figure.label, value=figure.published_text, period=figure.period)
    for row in store.query(_SOURCE_QUERY % values):
        source.quote = source.quote or _text(row, "quote")
        source.publication = source.publication or _text(row, "publication")
        source.publisher = source.publisher or _text(row, "publisher")
        source.issued = source.issued or _text(row, "issued")
        if not source.page:
            source.page = _text(row, "documentLabel")
            document = _text(row, "document")
            source.page_link = resource_path(document, base_iri()) or _web(
                _text(row, "documentLink")
            )
    source.issued = month_year(source.issued)
    return source


def month_year(issued: str) -> str:
    """ "2010-10" as "October 2010"; anything else as it is."""
    if len(issued) == 7 and issued[4] == "-" and issued[:4].isdigit() and issued[5:].isdigit():
        with contextlib.suppress(ValueError):
            return dt.date(int(issued[:4]), int(issued[5:]), 1).strftime("%B %Y")
    return issued


def _web(address: str) -> str | None:
    return address if address.startswith(("https://", "http://")) else None


def series_source(store: Store, observation: str) -> Source | None:
    """A figure of the published series by its observation, with where it was read."""
    series = per_version(store, "published-series", lambda: published_series(store))
    for f in series:
        if f.observation == observation:
            return Source(
                label=f.measure,
                value=f.value_text,
                period=f.period,
                publication=f.publication,
                publisher=f.publisher,
                issued=f.issued_text,
                page=f.source_kind or "the page it was read on",
                page_link=f.source_link,
                note=f.note,
                disagrees=f.disagrees,
            )
    return None


# -- the pages -----------------------------------------------------------------------------------


@bp.get("/records")
def records_page() -> str:
    store = get_store()
    observation = request.args.get("published", "")
    if observation:
        source = series_source(store, observation)
        if source is None:
            abort(404)
        return render_template("records.html", source=source, found=None, selection=None)
    selection = selection_from_request(store)
    if selection is None:
        abort(404)
    found = per_version(store, "records:" + selection.key, lambda: read_records(store, selection))
    source = figure_source(store, selection.figure) if selection.figure else None
    return render_template(
        "records.html",
        selection=selection,
        found=found,
        source=source,
        headings=HEADINGS[selection.unit],
        one=ONE[selection.unit],
        csv_link="/records.csv?" + selection.key,
        explore_link=site_explore_link(network_query(selection)),
    )


@bp.get("/records.csv")
def records_csv() -> Response:
    store = get_store()
    selection = selection_from_request(store)
    if selection is None:
        abort(404)
    found = per_version(store, "records:" + selection.key, lambda: read_records(store, selection))
    record, review, detail1, detail2 = HEADINGS[selection.unit]
    header = [record.lower(), f"{record.lower()} iri"]
    if review:
        header += [review.lower(), f"{review.lower()} iri"]
    header += ["year", detail1.lower()]
    if detail2:
        header.append(detail2.lower())
    header += ["agencies involved", "synthetic"]
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(header)
    for row in found.rows:
        cells = [row.label, row.record]
        if review:
            cells += [row.review_label, row.review]
        cells += [row.period, row.detail1]
        if detail2:
            cells.append(row.detail2)
        cells += [row.agencies, "true" if row.synthetic else "false"]
        writer.writerow([spreadsheet_cell(cell) for cell in cells])
    synthetic = bool(found.synthetic)
    stem = _safe_stem("records-" + "-".join(v for _, v in request.args.items() if v.isascii()))
    name = synthetic_notice.file_name(stem, "csv", synthetic)
    response = Response(output.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if synthetic:
        response.headers[synthetic_notice.HEADER] = "true"
    return response


def _safe_stem(stem: str) -> str:
    """A file name stem of letters, digits and hyphens only."""
    cleaned = "".join(c if c.isalnum() else "-" for c in stem)
    return "-".join(part for part in cleaned.split("-") if part)[:80] or "records"
