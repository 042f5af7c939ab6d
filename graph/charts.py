"""Counts for the dashboard's charts, each computed by a SPARQL query a user can open and run.

Every chart is a :class:`Chart`: a title, the query that computes it (with its PREFIX lines, so
it runs as it is on the query page or at /sparql) and its bars. :func:`dashboard_data` gathers the
published figures, the charts and the synthetic-versus-source counts, cached per store version so
that the dashboard does not recount an unchanged store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from scrkg.graph.figures import Figure, published_figures
from scrkg.graph.memo import Memo
from scrkg.graph.store import Store
from scrkg.ontology import PREFIXES

T = TypeVar("T")


@dataclass(frozen=True)
class Bar:
    iri: str
    label: str
    count: int


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    unit: str  # what is counted: "children", "reviews", "lessons"
    sparql: str
    bars: list[Bar] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(b.count for b in self.bars)

    @property
    def largest(self) -> int:
        return max((b.count for b in self.bars), default=0)


def _prefixed(body: str, names: tuple[str, ...] = ("scr", "scrc", "skos")) -> str:
    head = "\n".join(f"PREFIX {n}: <{PREFIXES[n]}>" for n in names)
    return f"{head}\n{body.strip()}\n"


def _by_concept(what: str, prop: str, scheme: str, *, zeros: bool, limit: int = 0) -> str:
    """Count the resources (``what``) that point with ``prop`` to each concept of a scheme;
    with ``zeros``, the concepts nothing points to are counted too (as 0)."""
    if zeros:
        where = f"""  ?concept skos:inScheme scrc:{scheme} .
  OPTIONAL {{ ?{what} {prop} ?concept . }}"""
    else:
        where = f"""  ?{what} {prop} ?concept ."""
    return _prefixed(
        f"""
SELECT ?concept (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?{what}) AS ?count) WHERE {{
{where}
  OPTIONAL {{ ?concept skos:prefLabel ?l }}
}}
GROUP BY ?concept
ORDER BY DESC(?count) ?label"""
        + (f"\nLIMIT {limit}" if limit else "")
    )


#: (key, title, unit, query); the data model fixes the properties and schemes.
CHART_QUERIES: list[tuple[str, str, str, str]] = [
    (
        "outcomes",
        "Outcome for the child",
        "children",
        _by_concept("child", "scr:outcome", "outcomes", zeros=True),
    ),
    (
        "social-care-status",
        "Social care status at the time (most specific)",
        "children",
        _by_concept("child", "scr:socialCareStatus", "social-care-statuses", zeros=False),
    ),
    (
        "quality-grades",
        "Quality grade of the review",
        "reviews",
        _by_concept("review", "scr:qualityGrade", "quality-grades", zeros=True),
    ),
    (
        "maltreatment",
        "Maltreatment types",
        "children",
        _by_concept("child", "scr:maltreatment", "maltreatment-types", zeros=False),
    ),
    (
        "risk-factors",
        "Top 10 risk factors",
        "children",
        _by_concept("child", "scr:hasRiskFactor", "risk-factors", zeros=False, limit=10),
    ),
    (
        "lesson-themes",
        "Lesson themes",
        "lessons",
        _by_concept("lesson", "scr:lessonTheme", "lesson-themes", zeros=False),
    ),
]

SYNTHETIC_QUERY = _prefixed(
    """
SELECT ?kind ?synthetic (COUNT(DISTINCT ?record) AS ?count) WHERE {
  { ?record a scr:Child . BIND("children" AS ?kind) }
  UNION
  { ?record scr:concernsChild ?child . BIND("reviews" AS ?kind) }
  OPTIONAL { ?record scr:isSynthetic ?flag }
  BIND(COALESCE(?flag, false) AS ?synthetic)
}
GROUP BY ?kind ?synthetic""",
    ("scr",),
)


def charts(store: Store) -> list[Chart]:
    """Every dashboard chart, counted now."""
    out = []
    for key, title, unit, sparql in CHART_QUERIES:
        bars = []
        for row in store.query(sparql):
            label = row["label"]
            concept = row["concept"].value
            bars.append(
                Bar(
                    iri=concept,
                    label=label.value if label is not None else concept.rsplit("/", 1)[-1],
                    count=int(row["count"].value),
                )
            )
        out.append(Chart(key, title, unit, sparql, bars))
    return out


@dataclass(frozen=True)
class SyntheticCounts:
    """How many records are generated (synthetic) and how many are drawn from a source."""

    reviews_synthetic: int = 0
    reviews_source: int = 0
    children_synthetic: int = 0
    children_source: int = 0

    @property
    def any_synthetic(self) -> bool:
        return bool(self.reviews_synthetic or self.children_synthetic)


def synthetic_counts(store: Store) -> SyntheticCounts:
    counts = {}
    for row in store.query(SYNTHETIC_QUERY):
        synthetic = row["synthetic"].value in ("true", "1")
        counts[f"{row['kind'].value}_{'synthetic' if synthetic else 'source'}"] = int(
            row["count"].value
        )
    return SyntheticCounts(**counts)


@dataclass(frozen=True)
class DashboardData:
    figures: list[Figure]
    charts: list[Chart]
    synthetic: SyntheticCounts
    triples: int


def store_version(store: Store) -> tuple[object, ...]:
    """A key that changes whenever the store's contents change: the live snapshot of an
    on-disk store, else the store object and its triple count."""
    snapshot = getattr(store, "current_snapshot", None)
    if callable(snapshot):
        return ("disk", str(getattr(store, "path", "")), snapshot())
    return ("memory", id(store), store.triple_count())


#: Dashboards and other per-version answers (the explorer's menus, the whole-graph view...);
#: hub member lists have their own (graph/neighbours.py).
MEMO = Memo(64)


def dashboard_data(store: Store) -> DashboardData:
    """The published figures, the charts and the synthetic counts, cached per store version."""
    return per_version(store, "dashboard", lambda: _dashboard_data(store))


def _dashboard_data(store: Store) -> DashboardData:
    return DashboardData(
        figures=published_figures(store) if _has_figures_query() else [],
        charts=charts(store),
        synthetic=synthetic_counts(store),
        triples=store.triple_count(),
    )


def per_version(store: Store, name: str, compute: Callable[[], T], memo: Memo = MEMO) -> T:
    """``compute()``, remembered in ``memo`` under ``name`` until the store's contents change
    (for answers that cost tens of milliseconds or more and change only with a load); computed
    once when several threads ask at the same time (graph/memo.py)."""
    return memo.get((*store_version(store), name), compute)


def _has_figures_query() -> bool:
    from scrkg.graph.figures import FIGURES_QUERY
    from scrkg.ontology import QUERIES_DIR

    return (QUERIES_DIR / f"{FIGURES_QUERY}.rq").is_file()
