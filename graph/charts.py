"""Counts for the dashboard's charts, each computed by a SPARQL query a user can open and run.

Every chart is a :class:`Chart`: a title, the query that computes it (with its PREFIX lines, so
it runs as it is on the query page or at /sparql), its bars and how many of the records it counts
are synthetic and how many real. A record is real when it does not carry ``scr:isSynthetic true``;
with ``real_only`` every chart counts real records only. :func:`dashboard_data` gathers the
published figures, the charts, the synthetic-versus-real counts and what is loaded (the periods of
the reviews, the publications), cached per store version and per choice of records, so that the
dashboard does not recount an unchanged store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from scrkg.graph.figures import Figure, published_figures
from scrkg.graph.memo import per_version
from scrkg.graph.store import Store
from scrkg.ontology import PREFIXES, local_name

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
    synthetic: int = 0  # records the chart counts that carry scr:isSynthetic true
    real: int = 0  # records the chart counts that do not
    real_only: bool = False  # counted from real records only

    @property
    def total(self) -> int:
        return sum(b.count for b in self.bars)

    @property
    def largest(self) -> int:
        return max((b.count for b in self.bars), default=0)

    @property
    def records(self) -> int:
        return self.synthetic + self.real


@dataclass(frozen=True)
class ChartSpec:
    """What a chart counts: the resources (``what``) that point with ``prop`` to the concepts of
    ``scheme``; with ``zeros`` the concepts nothing points to get a bar too (of 0)."""

    key: str
    title: str
    unit: str
    what: str
    prop: str
    scheme: str
    zeros: bool
    limit: int = 0


def _prefixed(body: str, names: tuple[str, ...] = ("scr", "scrc", "skos")) -> str:
    head = "\n".join(f"PREFIX {n}: <{PREFIXES[n]}>" for n in names)
    return f"{head}\n{body.strip()}\n"


def _real_filter(what: str) -> str:
    return f"FILTER NOT EXISTS {{ ?{what} scr:isSynthetic true }}"


def _by_concept(spec: ChartSpec, *, real_only: bool = False) -> str:
    """The query behind a chart's bars: how many resources point to each concept."""
    what, prop = spec.what, spec.prop
    only_real = f"\n    {_real_filter(what)}" if real_only else ""
    if spec.zeros:
        where = f"""  ?concept skos:inScheme scrc:{spec.scheme} .
  OPTIONAL {{
    ?{what} {prop} ?concept .{only_real}
  }}"""
    else:
        where = f"  ?{what} {prop} ?concept ." + (f"\n  {_real_filter(what)}" if real_only else "")
    return _prefixed(
        f"""
SELECT ?concept (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?{what}) AS ?count) WHERE {{
{where}
  OPTIONAL {{ ?concept skos:prefLabel ?l }}
}}
GROUP BY ?concept
ORDER BY DESC(?count) ?label"""
        + (f"\nLIMIT {spec.limit}" if spec.limit else "")
    )


def _records_query(spec: ChartSpec, *, real_only: bool = False) -> str:
    """How many of the resources a chart counts are synthetic, and how many real."""
    what = spec.what
    scheme = f"\n  ?concept skos:inScheme scrc:{spec.scheme} ." if spec.zeros else ""
    only_real = f"\n  {_real_filter(what)}" if real_only else ""
    return _prefixed(
        f"""
SELECT ?synthetic (COUNT(DISTINCT ?{what}) AS ?count) WHERE {{
  ?{what} {spec.prop} ?concept .{scheme}{only_real}
  BIND(EXISTS {{ ?{what} scr:isSynthetic true }} AS ?synthetic)
}}
GROUP BY ?synthetic"""
    )


#: The dashboard's charts; the data model fixes the properties and schemes.
CHART_SPECS: list[ChartSpec] = [
    ChartSpec("outcomes", "Outcome for the child", "children",
              "child", "scr:outcome", "outcomes", zeros=True),
    ChartSpec("social-care-status", "Social care status at the time (most specific)", "children",
              "child", "scr:socialCareStatus", "social-care-statuses", zeros=False),
    ChartSpec("quality-grades", "Quality grade of the review", "reviews",
              "review", "scr:qualityGrade", "quality-grades", zeros=True),
    ChartSpec("maltreatment", "Maltreatment types", "children",
              "child", "scr:maltreatment", "maltreatment-types", zeros=False),
    ChartSpec("risk-factors", "Top 10 risk factors", "children",
              "child", "scr:hasRiskFactor", "risk-factors", zeros=False, limit=10),
    ChartSpec("lesson-themes", "Lesson themes", "lessons",
              "lesson", "scr:lessonTheme", "lesson-themes", zeros=False),
]  # fmt: skip

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

#: The reviews in the store by reporting period, and how many of them are serious case reviews.
PERIODS_QUERY = _prefixed(
    """
SELECT ?period (COUNT(DISTINCT ?review) AS ?reviews) (COUNT(DISTINCT ?serious) AS ?seriousReviews)
WHERE {
  ?review scr:concernsChild ?child .
  OPTIONAL { ?review scr:reportingYear ?period }
  OPTIONAL { ?review a scr:SeriousCaseReview . BIND(?review AS ?serious) }
}
GROUP BY ?period
ORDER BY ?period""",
    ("scr",),
)

#: The publications (reports) loaded, by title.
PUBLICATIONS_QUERY = _prefixed(
    """
SELECT DISTINCT ?title WHERE {
  ?report a scr:ThematicReport ;
          dcterms:title ?title .
}
ORDER BY ?title""",
    ("scr", "dcterms"),
)


def charts(store: Store, *, real_only: bool = False) -> list[Chart]:
    """Every dashboard chart, counted now (from real records only with ``real_only``)."""
    out = []
    for spec in CHART_SPECS:
        sparql = _by_concept(spec, real_only=real_only)
        bars = []
        for row in store.query(sparql):
            label = row["label"]
            concept = row["concept"].value
            bars.append(
                Bar(
                    iri=concept,
                    label=label.value if label is not None else local_name(concept),
                    count=int(row["count"].value),
                )
            )
        records = {"true": 0, "false": 0}
        for row in store.query(_records_query(spec, real_only=real_only)):
            records[row["synthetic"].value] = int(row["count"].value)
        out.append(
            Chart(
                spec.key,
                spec.title,
                spec.unit,
                sparql,
                bars,
                synthetic=records["true"],
                real=records["false"],
                real_only=real_only,
            )
        )
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
class Loaded:
    """What the store holds, for the dashboard's title: the reviews' reporting periods (with how
    many reviews each) and the publications loaded."""

    periods: list[tuple[str, int]] = field(default_factory=list)
    reviews: int = 0
    serious_reviews: int = 0  # of them, serious case reviews
    publications: list[str] = field(default_factory=list)


def loaded(store: Store) -> Loaded:
    periods, reviews, serious = [], 0, 0
    for row in store.query(PERIODS_QUERY):
        count = int(row["reviews"].value)
        reviews += count
        serious += int(row["seriousReviews"].value)
        if row["period"] is not None:
            periods.append((row["period"].value, count))
    publications = [row["title"].value for row in store.query(PUBLICATIONS_QUERY)]
    return Loaded(periods, reviews, serious, publications)


@dataclass(frozen=True)
class DashboardData:
    figures: list[Figure]
    charts: list[Chart]
    synthetic: SyntheticCounts
    triples: int
    loaded: Loaded = field(default_factory=Loaded)
    real_only: bool = False  # the charts count real records only


def dashboard_data(store: Store, *, real_only: bool = False) -> DashboardData:
    """The published figures, the charts, the synthetic counts and what is loaded, cached per
    store version; with ``real_only`` the charts count real records only (cached apart)."""
    if real_only:
        return per_version(store, "dashboard-real-records", lambda: _real_only_data(store))
    return per_version(store, "dashboard", lambda: _dashboard_data(store))


def _dashboard_data(store: Store) -> DashboardData:
    return DashboardData(
        figures=published_figures(store) if _has_figures_query() else [],
        charts=charts(store),
        synthetic=synthetic_counts(store),
        triples=store.triple_count(),
        loaded=loaded(store),
    )


def _real_only_data(store: Store) -> DashboardData:
    """The dashboard of all records with its charts recounted from the real records only."""
    everything = dashboard_data(store)
    return DashboardData(
        figures=everything.figures,
        charts=charts(store, real_only=True),
        synthetic=everything.synthetic,
        triples=everything.triples,
        loaded=everything.loaded,
        real_only=True,
    )


def _has_figures_query() -> bool:
    from scrkg.graph.figures import FIGURES_QUERY
    from scrkg.ontology import QUERIES_DIR

    return (QUERIES_DIR / f"{FIGURES_QUERY}.rq").is_file()
