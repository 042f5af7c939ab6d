"""Patterns across reviews: which risk factors, agency types and lesson themes travel together.

Three co-occurrence patterns, each over its own kind of *case*:

======================  ==========  ======================================================
kind                    cases       items of a case
======================  ==========  ======================================================
``risk-factors``        children    the child's ``scr:hasRiskFactor`` values
``agencies``            reviews     ``scr:involvedAgency/scr:agencyType`` of the review
``themes``              reviews     ``scr:identifiesLesson/scr:lessonTheme`` of the review
======================  ==========  ======================================================

The *population* is every child a review concerns (``?review scr:concernsChild ?child``), and
every review that concerns a child (so a thematic report's lessons are not a review's). Filters
narrow it: ``outcome`` (``died`` or ``serious-harm``, the child's ``scr:outcome``), ``age_band``
(a code of ``scrc:age-bands``, the child's ``scr:ageBand``) and ``period`` (``YYYY-YY``, the
review's ``scr:reportingYear``). A child is kept when it and one review concerning it meet every
filter; a review is kept when one child it concerns does (a review of two children, one of whom
died, counts under ``died``).

Measures, with N the number of cases kept (cases with no item recorded count too), n(A) the
cases with item A and n(AB) the cases with both A and B:

* ``count``: n(A) for an item, n(AB) for a pair; ``support``: the count divided by N;
* ``expected``: n(A)·n(B)/N, the cases a pair would have if the two items were independent;
* ``lift`` = n(AB)·N / (n(A)·n(B)) = count / expected: 1 when independent, above 1 when the
  pair occurs more often than chance; ``pmi`` = log2(lift) (pointwise mutual information, bits);
* ``few_cases``: the count is below ``min_cases`` (default :data:`MIN_CASES` = 5, the usual
  small-number threshold of official statistics): a lift resting on so few cases is not evidence;
* ``associated``: the pair's lift is above 1 (compared exactly, in integers) and it is not
  ``few_cases``. These pairs form the *association network*, on which:
* ``degree`` (associated partners), ``degree_centrality`` (degree / (items - 1)) and
  ``betweenness`` (networkx's normalised, unweighted betweenness centrality) are computed; the full
  co-occurrence graph is nearly complete in a large cohort, so centrality on it says nothing;
* ``community``: networkx's greedy modularity communities (Clauset-Newman-Moore, deterministic)
  of the association network weighted by ``count``, numbered from 1 by size (largest first),
  then by the smallest member IRI; an item with no associated pair is a community of its own.

Every observed pair is an edge of :attr:`Pattern.graph` (with ``associated`` saying whether it is
in the association network); items are sorted by count (then label and IRI), pairs by count, lift
and IRIs, each pair's ends in IRI order: the same data and filters always give the same output.

Results are cached per store version (``Store.version()``, which changes whenever the data
does), so repeat calls are instant and a load that changes the data invalidates them. The raw
cases are cached separately, so a new filter over unchanged data does not query the store again.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import IO, Any, TypeVar

import networkx as nx
import pyoxigraph as ox

from scrkg.graph.memo import Memo
from scrkg.graph.store import Store
from scrkg.graph.tables import spreadsheet_cell
from scrkg.ontology import SCRC, local_name

T = TypeVar("T")

#: Pairs (and items) resting on fewer cases than this are flagged ``few_cases``.
MIN_CASES = 5
#: Outcome codes accepted by the ``outcome`` filter.
OUTCOMES = ("died", "serious-harm")
#: Age band codes accepted by the ``age_band`` filter (the concepts of ``scrc:age-bands``).
AGE_BANDS = ("under-1", "age-1-to-5", "age-6-to-10", "age-11-to-15", "age-16-plus")
PERIOD_PATTERN = re.compile(r"^\d{4}-\d{2}$")
#: Reviews listed by :func:`reviews_behind` unless told otherwise.
REVIEWS_LIMIT = 100
#: Decimal places of the measures in CSV and JSON output.
DECIMALS = 6


class PatternError(ValueError):
    """A pattern or filter that does not exist; the message lists the ones that do."""


@dataclass(frozen=True)
class PatternKind:
    key: str
    title: str
    case: str  # "child" or "review": what one case is
    unit: str  # the cases, plural: "children", "reviews"
    item: str  # what the items are, plural
    items_query: str  # rows ?case ?item
    saved_query: str  # the saved query (ontology/queries) that counts the same pairs, or ""


KINDS: dict[str, PatternKind] = {
    k.key: k
    for k in (
        PatternKind(
            "risk-factors",
            "Risk factors recorded for the same child",
            "child",
            "children",
            "risk factors",
            "SELECT ?case ?item WHERE { ?case scr:hasRiskFactor ?item }",
            "04-risk-factor-pairs",
        ),
        PatternKind(
            "agencies",
            "Agency types involved in the same review",
            "review",
            "reviews",
            "agency types",
            "SELECT ?case ?item WHERE { ?case scr:involvedAgency ?agency . "
            "?agency scr:agencyType ?item }",
            "06-agency-type-pairs",
        ),
        PatternKind(
            "themes",
            "Lesson themes identified by the same review",
            "review",
            "reviews",
            "lesson themes",
            "SELECT ?case ?item WHERE { ?case scr:identifiesLesson ?lesson . "
            "?lesson scr:lessonTheme ?item }",
            "",
        ),
    )
}

POPULATION_QUERY = """SELECT ?review ?child ?outcome ?age ?period WHERE {
  ?review scr:concernsChild ?child .
  OPTIONAL { ?child scr:outcome ?outcome }
  OPTIONAL { ?child scr:ageBand ?age }
  OPTIONAL { ?review scr:reportingYear ?period }
}"""

LABELS_QUERY = """SELECT ?concept ?label WHERE {
  ?concept skos:prefLabel ?label .
  FILTER(lang(?label) = "" || langMatches(lang(?label), "en"))
}"""

# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Which cases a pattern counts; None means any."""

    outcome: str | None = None
    age_band: str | None = None
    period: str | None = None

    def __post_init__(self) -> None:
        for name in ("outcome", "age_band", "period"):
            if getattr(self, name) == "":
                object.__setattr__(self, name, None)
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise PatternError(
                f"Unknown outcome {self.outcome!r}; use one of: {', '.join(OUTCOMES)}."
            )
        if self.age_band is not None and self.age_band not in AGE_BANDS:
            raise PatternError(
                f"Unknown age band {self.age_band!r}; use one of: {', '.join(AGE_BANDS)}."
            )
        if self.period is not None and not PERIOD_PATTERN.match(self.period):
            raise PatternError(
                f"The period {self.period!r} is not a reporting year such as 2009-10 (YYYY-YY)."
            )

    def as_dict(self) -> dict[str, str | None]:
        return {"outcome": self.outcome, "age_band": self.age_band, "period": self.period}

    def describe(self) -> str:
        parts = []
        if self.outcome:
            parts.append("outcome " + ("died" if self.outcome == "died" else "serious harm"))
        if self.age_band:
            parts.append(f"age band {self.age_band}")
        if self.period:
            parts.append(f"reported in {self.period}")
        return ", ".join(parts) or "all cases"

    def _match(self, outcome: str | None, age: str | None, period: str | None) -> bool:
        return (
            (self.outcome is None or outcome == SCRC + self.outcome)
            and (self.age_band is None or age == SCRC + self.age_band)
            and (self.period is None or period == self.period)
        )


def pattern_kind(kind: str) -> PatternKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise PatternError(f"Unknown pattern {kind!r}; use one of: {', '.join(KINDS)}.") from None


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One risk factor, agency type or lesson theme, and its measures."""

    iri: str
    code: str
    label: str
    count: int
    support: float
    few_cases: bool
    degree: int
    degree_centrality: float
    betweenness: float
    community: int


@dataclass(frozen=True)
class Pair:
    """Two items recorded for the same case, and how strongly they go together."""

    a: str
    b: str
    a_label: str
    b_label: str
    count: int
    count_a: int
    count_b: int
    expected: float
    support: float
    lift: float
    pmi: float
    few_cases: bool
    associated: bool


@dataclass(frozen=True)
class Pattern:
    """A co-occurrence pattern: its items, its pairs, its communities and its networkx graph."""

    kind: str
    title: str
    unit: str
    cases: int
    filters: Filters
    min_cases: int
    items: tuple[Item, ...]
    pairs: tuple[Pair, ...]
    communities: tuple[tuple[str, ...], ...]
    graph: nx.Graph = field(repr=False, compare=False)

    def item(self, code_or_iri: str) -> Item:
        for item in self.items:
            if code_or_iri in (item.iri, item.code):
                return item
        raise KeyError(code_or_iri)

    def pair(self, one: str, other: str) -> Pair:
        a, b = self.item(one).iri, self.item(other).iri
        for pair in self.pairs:
            if {pair.a, pair.b} == {a, b}:
                return pair
        raise KeyError((one, other))

    def as_json(self) -> dict[str, Any]:
        """Plain data (measures rounded to :data:`DECIMALS` places) for JSON."""
        return {
            "kind": self.kind,
            "title": self.title,
            "unit": self.unit,
            "cases": self.cases,
            "filters": self.filters.as_dict(),
            "min_cases": self.min_cases,
            "measure": MEASURE_NOTE.format(min_cases=self.min_cases),
            "items": [_rounded(vars(item)) for item in self.items],
            "pairs": [_rounded(vars(pair)) for pair in self.pairs],
            "communities": [list(c) for c in self.communities],
        }


MEASURE_NOTE = (
    "lift = n(AB)*N/(n(A)*n(B)), pmi = log2(lift), N the cases kept; few_cases: fewer than "
    "{min_cases} cases; centrality and communities over the associated pairs (lift > 1, not "
    "few_cases)"
)


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, DECIMALS) if isinstance(v, float) else v for k, v in values.items()}


# ---------------------------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------------------------

_MEMO = Memo(64)


def clear_cache() -> None:
    _MEMO.clear()


def _cached(key: tuple[object, ...], compute: Callable[[], T]) -> T:
    return _MEMO.get(key, compute)


# ---------------------------------------------------------------------------------------------
# Reading the store
# ---------------------------------------------------------------------------------------------

#: (review, child, outcome IRI, age band IRI, reporting year); absent values are None.
Row = tuple[str, str, str | None, str | None, str | None]


def _value(term: object) -> str | None:
    return None if term is None else term.value  # type: ignore[attr-defined]


def _population(store: Store, state: tuple[object, ...]) -> tuple[Row, ...]:
    def read() -> tuple[Row, ...]:
        rows = {
            (r[0].value, r[1].value, _value(r[2]), _value(r[3]), _value(r[4]))
            for r in store.query(POPULATION_QUERY)
        }
        return tuple(sorted(rows, key=lambda row: tuple(v or "" for v in row)))

    return _cached((state, "population"), read)


def _baskets(store: Store, state: tuple[object, ...], kind: PatternKind) -> dict[str, frozenset]:
    def read() -> dict[str, frozenset]:
        found: dict[str, set[str]] = {}
        for row in store.query(kind.items_query):
            item = row[1]
            if isinstance(item, ox.NamedNode):
                found.setdefault(row[0].value, set()).add(item.value)
        return {case: frozenset(items) for case, items in found.items()}

    return _cached((state, "items", kind.key), read)


def _labels(store: Store, state: tuple[object, ...]) -> dict[str, str]:
    def read() -> dict[str, str]:
        labels: dict[str, str] = {}
        for row in store.query(LABELS_QUERY):
            iri, label = row[0].value, row[1]
            # An English label wins over one without a language tag; then the smallest.
            rank = (0 if label.language else 1, label.value)
            current = labels.get(iri)
            if current is None or rank < current:
                labels[iri] = rank
        return {iri: rank[1] for iri, rank in labels.items()}

    return _cached((state, "labels"), read)


def _cases(rows: Iterable[Row], kind: PatternKind, filters: Filters) -> dict[str, set[str]]:
    """The cases the filters keep, each with the reviews (of the kept rows) behind it."""
    cases: dict[str, set[str]] = {}
    by_child = kind.case == "child"
    for review, child, outcome, age, period in rows:
        if filters._match(outcome, age, period):
            cases.setdefault(child if by_child else review, set()).add(review)
    return cases


def code_of(iri: str) -> str:
    """The concept's code: its local name under scrc:, else the IRI's last segment."""
    return local_name(iri)


# ---------------------------------------------------------------------------------------------
# The pattern
# ---------------------------------------------------------------------------------------------


def co_occurrence(
    store: Store,
    kind: str,
    *,
    outcome: str | None = None,
    age_band: str | None = None,
    period: str | None = None,
    min_cases: int = MIN_CASES,
) -> Pattern:
    """The co-occurrence pattern ``kind`` (``risk-factors``, ``agencies`` or ``themes``) over the
    cases the filters keep, cached until the store's data changes. Raises :class:`PatternError`
    for an unknown kind or filter value."""
    spec = pattern_kind(kind)
    filters = Filters(outcome, age_band, period)
    if not isinstance(min_cases, int) or min_cases < 1:
        raise PatternError(f"min_cases must be a whole number of at least 1, not {min_cases!r}.")
    state = store.version()
    return _cached(
        (state, "pattern", spec.key, filters, min_cases),
        lambda: _compute(store, state, spec, filters, min_cases),
    )


def _compute(
    store: Store, state: tuple[object, ...], spec: PatternKind, filters: Filters, min_cases: int
) -> Pattern:
    cases = _cases(_population(store, state), spec, filters)
    baskets = _baskets(store, state, spec)
    labels = _labels(store, state)
    total = len(cases)
    counts: Counter[str] = Counter()
    pair_counts: Counter[tuple[str, str]] = Counter()
    for case in cases:
        items = sorted(baskets.get(case, ()))
        counts.update(items)
        pair_counts.update(combinations(items, 2))

    def label(iri: str) -> str:
        return labels.get(iri) or code_of(iri)

    graph = nx.Graph(
        kind=spec.key,
        title=spec.title,
        unit=spec.unit,
        cases=total,
        min_cases=min_cases,
        outcome=filters.outcome or "",
        age_band=filters.age_band or "",
        period=filters.period or "",
    )
    for iri in sorted(counts):
        n = counts[iri]
        graph.add_node(
            iri,
            code=code_of(iri),
            label=label(iri),
            count=n,
            support=n / total,
            few_cases=n < min_cases,
        )
    for a, b in sorted(pair_counts):
        n, na, nb = pair_counts[a, b], counts[a], counts[b]
        lift = n * total / (na * nb)
        graph.add_edge(
            a,
            b,
            count=n,
            expected=na * nb / total,
            support=n / total,
            lift=lift,
            pmi=math.log2(lift),
            few_cases=n < min_cases,
            associated=n >= min_cases and n * total > na * nb,
        )

    association = nx.Graph()
    association.add_nodes_from(graph.nodes)
    association.add_edges_from(
        (a, b, {"count": d["count"]}) for a, b, d in graph.edges(data=True) if d["associated"]
    )
    betweenness = nx.betweenness_centrality(association, normalized=True)
    others = max(len(association) - 1, 1)
    communities = _communities(association)
    community_of = {iri: n for n, members in enumerate(communities, 1) for iri in members}
    for iri, data in graph.nodes(data=True):
        degree = association.degree(iri)
        data.update(
            degree=degree,
            degree_centrality=degree / others,
            betweenness=betweenness[iri],
            community=community_of[iri],
        )

    items = tuple(
        sorted(
            (Item(iri=iri, **data) for iri, data in graph.nodes(data=True)),
            key=lambda i: (-i.count, i.label.casefold(), i.iri),
        )
    )
    pairs = tuple(
        sorted(
            (
                Pair(
                    a,
                    b,
                    label(a),
                    label(b),
                    count_a=counts[a],
                    count_b=counts[b],
                    **graph.edges[a, b],
                )
                for a, b in pair_counts  # a < b: combinations of a sorted list
            ),
            key=lambda p: (-p.count, -p.lift, p.a, p.b),
        )
    )
    return Pattern(
        kind=spec.key,
        title=spec.title,
        unit=spec.unit,
        cases=total,
        filters=filters,
        min_cases=min_cases,
        items=items,
        pairs=pairs,
        communities=tuple(tuple(sorted(c)) for c in communities),
        graph=nx.freeze(graph),
    )


def _communities(association: nx.Graph) -> list[list[str]]:
    if association.number_of_edges() == 0:
        found: list[set[str]] = [{n} for n in association]
    else:
        found = [
            set(c) for c in nx.community.greedy_modularity_communities(association, weight="count")
        ]
    members = [sorted(c) for c in found]
    return sorted(members, key=lambda c: (-len(c), c[0]))


def periods(store: Store) -> list[str]:
    """The reporting years of the reviews in the store, oldest first."""
    rows = _population(store, store.version())
    return sorted({period for *_, period in rows if period})


def filter_choices(store: Store) -> dict[str, list[tuple[str, str]]]:
    """The values each filter accepts, as (code, label): outcomes, age bands, periods;
    remembered until the store changes (every patterns page shows them)."""
    state = store.version()

    def read() -> dict[str, list[tuple[str, str]]]:
        labels = _labels(store, state)
        rows = _population(store, state)
        return {
            "outcome": [(code, labels.get(SCRC + code, code)) for code in OUTCOMES],
            "age_band": [(code, labels.get(SCRC + code, code)) for code in AGE_BANDS],
            "period": [(p, p) for p in sorted({period for *_, period in rows if period})],
        }

    return _cached((state, "choices"), read)


# ---------------------------------------------------------------------------------------------
# The reviews behind an item or a pair
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRef:
    iri: str
    label: str
    synthetic: bool


@dataclass(frozen=True)
class Behind:
    """The cases with an item (or with both items of a pair) and the reviews they come from."""

    kind: str
    unit: str
    items: tuple[str, ...]
    cases: int
    reviews_total: int
    reviews: tuple[ReviewRef, ...]

    @property
    def truncated(self) -> bool:
        return len(self.reviews) < self.reviews_total


def reviews_behind(
    store: Store,
    kind: str,
    item: str,
    other: str | None = None,
    *,
    outcome: str | None = None,
    age_band: str | None = None,
    period: str | None = None,
    limit: int = REVIEWS_LIMIT,
) -> Behind:
    """The reviews behind one item (a node) or a pair (an edge) of a pattern under the same
    filters: ``cases`` equals the node's or the edge's count. Reviews are in IRI order, at most
    ``limit`` of them with their labels; ``reviews_total`` says how many there are."""
    spec = pattern_kind(kind)
    filters = Filters(outcome, age_band, period)
    wanted = tuple(sorted({i for i in (item, other) if i}))
    if not wanted:
        raise PatternError("Name the item (and, for a pair, the other item) by its IRI.")
    state = store.version()
    cases = _cases(_population(store, state), spec, filters)
    baskets = _baskets(store, state, spec)
    need = frozenset(wanted)
    kept = [case for case in cases if need <= baskets.get(case, frozenset())]
    reviews = sorted({review for case in kept for review in cases[case]})
    shown = reviews[: max(limit, 0)]
    return Behind(
        kind=spec.key,
        unit=spec.unit,
        items=wanted,
        cases=len(kept),
        reviews_total=len(reviews),
        reviews=tuple(_describe_reviews(store, shown)),
    )


def _describe_reviews(store: Store, iris: list[str]) -> list[ReviewRef]:
    if not iris:
        return []
    # IRIs read from the store, serialised by pyoxigraph: no user text enters the query.
    values = " ".join(str(ox.NamedNode(iri)) for iri in iris)
    sparql = (
        f"SELECT ?review ?label ?synthetic WHERE {{ VALUES ?review {{ {values} }} "
        "OPTIONAL { ?review rdfs:label ?label } OPTIONAL { ?review scr:isSynthetic ?synthetic } }"
    )
    labels: dict[str, str] = {}
    synthetic: set[str] = set()
    for row in store.query(sparql):
        iri, label = row["review"].value, _value(row["label"])
        if label and (iri not in labels or label < labels[iri]):
            labels[iri] = label
        if _value(row["synthetic"]) in ("true", "1"):
            synthetic.add(iri)
    return [ReviewRef(iri, labels.get(iri) or code_of(iri), iri in synthetic) for iri in iris]


# ---------------------------------------------------------------------------------------------
# Output: CSV, JSON, GraphML
# ---------------------------------------------------------------------------------------------

PAIR_COLUMNS = (
    "a", "a_label", "b", "b_label", "count", "count_a", "count_b", "expected", "support", "lift",
    "pmi", "few_cases", "associated",
)  # fmt: skip
ITEM_COLUMNS = (
    "iri", "code", "label", "count", "support", "few_cases", "degree", "degree_centrality",
    "betweenness", "community",
)  # fmt: skip


def write_csv(pattern: Pattern, handle: IO[str], table: str = "pairs") -> None:
    """The pairs (or, with ``table="items"``, the items) as CSV, one row each, in the pattern's
    order; measures rounded to :data:`DECIMALS` places, flags as ``true``/``false``."""
    if table not in ("pairs", "items"):
        raise PatternError(f"Unknown table {table!r}; use pairs or items.")
    columns, rows = (
        (PAIR_COLUMNS, pattern.pairs) if table == "pairs" else (ITEM_COLUMNS, pattern.items)
    )
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values = _rounded(vars(row))
        writer.writerow([_cell(values[c]) for c in columns])


def _cell(value: object) -> object:
    """A CSV cell: flags as ``true``/``false``, and text (labels come from the data) made safe
    to open in a spreadsheet (graph/tables.py)."""
    if isinstance(value, bool):
        return str(value).lower()
    return spreadsheet_cell(value) if isinstance(value, str) else value


def write_json(pattern: Pattern, handle: IO[str]) -> None:
    json.dump(pattern.as_json(), handle, ensure_ascii=False, indent=1)
    handle.write("\n")


def write_graphml(pattern: Pattern, handle: IO[bytes]) -> None:
    """GraphML (for Gephi and the like): nodes keyed by IRI, every measure as an attribute."""
    nx.write_graphml(pattern.graph, handle)
