"""The published figures: those of the bundled 2009-10 report beside the same figures counted
from the records, and the figures of every period 2001-2011 as published, with their sources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from scrkg.graph.saved import saved_query
from scrkg.graph.store import Store

FIGURES_QUERY = "00-published-figures"


@dataclass(frozen=True)
class Figure:
    statistic: str  # the IRI of the scrc:published-statistics concept
    label: str
    unit: str  # "count" or "percent"
    published: Decimal
    computed: Decimal | None  # None when the records hold nothing to count
    period: str = ""  # the reporting year, e.g. "2009-10"

    @property
    def matches(self) -> bool:
        return self.computed == self.published

    @property
    def published_text(self) -> str:
        return _show(self.published, self.unit)

    @property
    def computed_text(self) -> str:
        return "-" if self.computed is None else _show(self.computed, self.unit)


def _show(value: Decimal, unit: str) -> str:
    text = format(value.normalize(), "f")
    return f"{text}%" if unit == "percent" else text


#: The pattern each row of the figures query starts from: a published figure.
_ANY_FIGURE = """PREFIX scr: <https://w3id.org/scrkg/def#>
PREFIX qb: <http://purl.org/linked-data/cube#>
ASK {
  ?observation a qb:Observation ;
               scr:statistic ?statistic ;
               scr:refPeriod ?period ;
               scr:figureValue ?published .
}"""


def published_figures(store: Store) -> list[Figure]:
    """Run the saved query that puts each published figure beside its computed value; none,
    without running it, when the store holds no published figure (its subqueries count the
    records of every period before they meet the figures, so finding nothing in a store of
    reviews alone would take as long as an answer)."""
    if not store.query(_ANY_FIGURE):
        return []
    figures = []
    for row in store.query(saved_query(FIGURES_QUERY).sparql):
        computed = row["computed"]
        unit = row["unit"].value
        figures.append(
            Figure(
                statistic=row["statistic"].value,
                label=row["label"].value,
                unit="percent" if unit.endswith("percent") else "count",
                published=Decimal(row["published"].value),
                computed=None if computed is None else Decimal(computed.value),
                period=row["period"].value,
            )
        )
    return figures


# -- the figures of every period, as published -------------------------------------------------

SERIES_QUERY = "13-published-series"


@dataclass(frozen=True)
class SeriesFigure:
    """One figure as published, with the page it was read on (never checked against records)."""

    measure: str  # what it counts, in the publication's terms
    period: str  # the period in plain words, e.g. "2008-09" or "April 2007 to March 2011"
    unit: str  # "count" or "percent"
    value: Decimal
    publication: str
    publisher: str
    issued: str  # month or year of publication, "" when not known
    source: str  # the address of the page the figure was read on
    source_kind: str  # e.g. "trade press", "copy of the report"
    note: str
    disagrees: bool  # another page gives a different value for the same measure and period
    observation: str = ""  # the IRI of the figure (its qb:Observation)

    @property
    def value_text(self) -> str:
        return _show(self.value, self.unit)

    @property
    def issued_text(self) -> str:
        """The month or year of publication in words ("October 2010", "2008"), or ""."""
        if len(self.issued) == 7:
            return dt.date.fromisoformat(self.issued + "-01").strftime("%B %Y")
        return self.issued

    @property
    def source_link(self) -> str | None:
        """The source address when it is a web address, to link to; None otherwise."""
        return self.source if self.source.startswith(("https://", "http://")) else None


def published_series(store: Store) -> list[SeriesFigure]:
    """Run the saved query that lists every published figure of every period, by measure."""
    figures = []
    for row in store.query(saved_query(SERIES_QUERY).sparql):

        def text(name: str, row=row) -> str:
            term = row[name]
            return "" if term is None else term.value

        figures.append(
            SeriesFigure(
                measure=text("measure"),
                period=text("period"),
                unit="percent" if text("unit") == "percent" else "count",
                value=Decimal(text("value")),
                publication=text("publication"),
                publisher=text("publisher"),
                issued=text("issued"),
                source=text("source"),
                source_kind=text("sourceKind"),
                note=text("note"),
                disagrees=text("disagrees") == "true",
                observation=text("observation"),
            )
        )
    return figures


def series_by_measure(figures: list[SeriesFigure]) -> list[tuple[str, list[SeriesFigure]]]:
    """The figures grouped by what they count, each group in the query's order (by period)."""
    groups: dict[str, list[SeriesFigure]] = {}
    for figure in figures:
        groups.setdefault(figure.measure, []).append(figure)
    return list(groups.items())
