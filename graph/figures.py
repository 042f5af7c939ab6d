"""The published figures of the bundled report beside the same figures counted from the records."""

from __future__ import annotations

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


def published_figures(store: Store) -> list[Figure]:
    """Run the saved query that puts each published figure beside its computed value."""
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
            )
        )
    return figures
