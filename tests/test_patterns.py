"""Patterns across reviews (graph/patterns.py and `scrkg patterns`): every measure checked on two
small hand-built datasets whose answers are worked out by hand below.

Dataset CHILDREN (risk factors; 25 reviews R01-R25 of one child each, C01-C25):

======  =====  ==============================  ============  ==========  =======
group   n      risk factors                    outcome       age band    period
======  =====  ==============================  ============  ==========  =======
g1      5      DA, MH                          died          under-1     2009-10
g2      5      MH, SM                          died          under-1     2009-10
g3      5      YP, SI                          serious-harm  age-6-to-10 2010-11
g4      2      DA, SM                          serious-harm  age-6-to-10 2010-11
g5      1      CD                              serious-harm  age-6-to-10 2010-11
g5      2      (none)                          serious-harm  age-6-to-10 2010-11
g6      5      MH, SI                          died          age-1-to-5  2010-11
======  =====  ==============================  ============  ==========  =======

DA domestic-abuse, MH parental-mental-ill-health, SM parental-substance-misuse, YP young-parents,
SI social-isolation, CD child-disability.

All children, N = 25 (the two children with no risk factor count):

* items: MH 15 (support 0.6), SI 10 (0.4), DA 7 (0.28), SM 7 (0.28), YP 5 (0.2), CD 1 (0.04,
  few cases: 1 < 5). Order: by count, then label ("domestic abuse" before "parental alcohol or
  drug misuse").
* pairs, lift = n(AB)·N / (n(A)·n(B)), expected = n(A)·n(B)/N, pmi = log2(lift):

  - SI+YP: 5, expected 5·10/25 = 2, lift 125/50 = 2.5, pmi 1.321928, associated;
  - DA+MH: 5, expected 7·15/25 = 4.2, lift 125/105 = 25/21 = 1.190476, pmi 0.251539, associated;
  - MH+SM: the same numbers as DA+MH (after it: "domestic-abuse" < "parental-..." in IRI order);
  - MH+SI: 5, expected 15·10/25 = 6, lift 125/150 = 0.833333, pmi -0.263034: enough cases but
    below 1, so not associated;
  - DA+SM: 2, expected 1.96, lift 50/49 = 1.020408, pmi 0.029146: above 1 but few cases (2 < 5),
    so not associated.

* association network: DA-MH-SM (a path through MH) and SI-YP; CD alone; 6 items.
  degree MH 2, DA, SM, SI, YP 1, CD 0; degree centrality = degree/5: 0.4, 0.2, 0;
  betweenness: only MH lies on a shortest path between two others (DA-SM), one pair of the
  (6-1)(6-2)/2 = 10: 0.1; all others 0.
* communities (modularity, weighted by count; total weight m = 15): {DA, MH, SM}, {SI, YP},
  {CD}: Q = (10/15 - (20/30)²) + (5/15 - (10/30)²) = 0.2222 + 0.2222 = 0.4444; splitting the path
  ({DA, MH}, {SM}) gives 0.0833 - 0.0278 + 0.2222 = 0.2778, and merging the components lowers Q
  (no edge between them). Numbered by size: 1 = {DA, MH, SM}, 2 = {SI, YP}, 3 = {CD}.

Filters on CHILDREN:

* outcome died (g1, g2, g6): N = 15; MH 15, DA 5, SM 5, SI 5; DA+MH, MH+SM, MH+SI each 5 with
  lift 5·15/(5·15) = 1 exactly: none associated, so every degree and betweenness is 0 and each item
  is its own community.
* outcome serious-harm (g3, g4, g5): N = 10; YP 5, SI 5, DA 2, SM 2, CD 1; SI+YP 5, lift
  5·10/25 = 2, associated; DA+SM 2, lift 2·10/4 = 5, few cases.
* period 2010-11 (g3-g6): N = 15; SI 10, MH 5, YP 5, DA 2, SM 2, CD 1; SI+YP and MH+SI 5 each,
  lift 5·15/(5·10) = 1.5, associated: a path YP-SI-MH, so SI's betweenness is 1/10 = 0.1.
* age band under-1 (g1, g2): N = 10.

Dataset REVIEWS (agency types and lesson themes; 10 reviews A01-A10):

======  ==================  =====================================  ===================  =======
review  agency types        lesson themes                          children             period
======  ==================  =====================================  ===================  =======
A01     P, S, G             IS, MA, MA (MA twice: counted once)    died under-1, and    2009-10
                                                                   serious-harm 6-10
A02     P, S, G             IS, MA                                 died under-1         2009-10
A03     P, S, G             IS, MA                                 serious-harm 1-5     2009-10
A04     P, S                IS, MA                                 serious-harm 1-5     2009-10
A05     P, S                VC                                     serious-harm 1-5     2009-10
A06     G, H                VC                                     died 1-5             2010-11
A07     G, H                IS, VC                                 serious-harm 1-5     2010-11
A08     G, H                                                       serious-harm 1-5     2010-11
A09     H, K                                                       died 1-5             2010-11
A10     K                                                          serious-harm 1-5     2010-11
======  ==================  =====================================  ===================  =======

P police, S childrens-social-care, G gp, H health-visiting, K schools; IS
information-sharing-adult-services, MA multi-agency-working, VC voice-of-the-child.

Agency types, N = 10, with min_cases = 3: G 6, S 5, P 5, H 4, K 2 (few cases: 2 < 3). Pairs:
P+S 5, lift 5·10/25 = 2, pmi 1; G+H 3, lift 30/24 = 1.25, pmi 0.321928; S+G and P+G 3, expected
5·6/10 = 3, lift exactly 1 (not associated); H+K 1, lift 10/8 = 1.25 but few cases. Association
network: P-S and G-H; K alone: degree 1 (centrality 1/4) for P, S, G, H, betweenness 0;
communities {S, P} (1: its smallest IRI, childrens-social-care, sorts before gp), {G, H} (2), {K}
(3). With the default min_cases = 5 only P+S is associated.

A review is kept when one child it concerns meets every filter: outcome died keeps A01, A02, A06,
A09 (N = 4: P 2, S 2, G 3, H 2, K 1); serious-harm keeps A01, A03, A04, A05, A07, A08, A10 (N = 7:
A01 counts under both); died and under-1 keeps A01, A02 (N = 2); serious-harm and under-1 keeps
nothing (A01's under-1 child died, its serious-harm child is 6-10): N = 0.

Lesson themes, N = 10: IS 5, MA 4, VC 3; IS+MA 4, lift 4·10/(5·4) = 2; IS+VC 1, lift 10/15 =
0.666667, pmi log2(2/3) = -0.584963.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from scrkg.cli import PATTERN_KINDS, main
from scrkg.graph import patterns as pt
from scrkg.graph.store import MemoryStore
from scrkg.loader import load_source
from scrkg.ontology import DEFAULT_BASE, SCRC

HEADER = (
    "review_id,review_type,board,reporting_year,evaluation_date,quality_grade,review_method,"
    "agencies,lessons,child_id,age_band,outcome,social_care_status,maltreatment,risk_factors,"
    "incident_category,views_sought,synthetic"
)

DA, MH, SM = "domestic-abuse", "parental-mental-ill-health", "parental-substance-misuse"
YP, SI, CD = "young-parents", "social-isolation", "child-disability"
P, S, G, H, K = "police", "childrens-social-care", "gp", "health-visiting", "schools"
IS, MA, VC = "information-sharing-adult-services", "multi-agency-working", "voice-of-the-child"

#: (how many children, risk factors, outcome, age band, period) of dataset CHILDREN.
CHILD_GROUPS = [
    (5, [DA, MH], "died", "under-1", "2009-10"),
    (5, [MH, SM], "died", "under-1", "2009-10"),
    (5, [YP, SI], "serious-harm", "age-6-to-10", "2010-11"),
    (2, [DA, SM], "serious-harm", "age-6-to-10", "2010-11"),
    (1, [CD], "serious-harm", "age-6-to-10", "2010-11"),
    (2, [], "serious-harm", "age-6-to-10", "2010-11"),
    (5, [MH, SI], "died", "age-1-to-5", "2010-11"),
]

#: review: (agency types, lesson themes, [(outcome, age band)], period) of dataset REVIEWS.
REVIEWS = {
    "A01": ([P, S, G], [IS, MA, f"{MA}@{P}"],
            [("died", "under-1"), ("serious-harm", "age-6-to-10")], "2009-10"),
    "A02": ([P, S, G], [IS, MA], [("died", "under-1")], "2009-10"),
    "A03": ([P, S, G], [IS, MA], [("serious-harm", "age-1-to-5")], "2009-10"),
    "A04": ([P, S], [IS, MA], [("serious-harm", "age-1-to-5")], "2009-10"),
    "A05": ([P, S], [VC], [("serious-harm", "age-1-to-5")], "2009-10"),
    "A06": ([G, H], [VC], [("died", "age-1-to-5")], "2010-11"),
    "A07": ([G, H], [IS, VC], [("serious-harm", "age-1-to-5")], "2010-11"),
    "A08": ([G, H], [], [("serious-harm", "age-1-to-5")], "2010-11"),
    "A09": ([H, K], [], [("died", "age-1-to-5")], "2010-11"),
    "A10": ([K], [], [("serious-harm", "age-1-to-5")], "2010-11"),
}  # fmt: skip


def row(review, child, *, agencies, lessons, outcome, age, period, risks=()) -> str:
    return ",".join(
        [
            review, "serious-case-review", "Testshire LSCB", period, "", "", "",
            ";".join(agencies), ";".join(lessons), child, age, outcome, "child-in-need", "",
            ";".join(risks), "", "", "true",
        ]
    )  # fmt: skip


def children_csv(path: Path) -> Path:
    rows, n = [], 0
    for count, risks, outcome, age, period in CHILD_GROUPS:
        for _ in range(count):
            n += 1
            rows.append(
                row(f"R{n:02d}", f"C{n:02d}", agencies=[S], lessons=[], outcome=outcome, age=age,
                    period=period, risks=risks)
            )  # fmt: skip
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def reviews_csv(path: Path) -> Path:
    rows = []
    for review, (agencies, lessons, children, period) in REVIEWS.items():
        for n, (outcome, age) in enumerate(children, 1):
            rows.append(
                row(review, f"{review}-C{n}", agencies=agencies, lessons=lessons,
                    outcome=outcome, age=age, period=period)
            )  # fmt: skip
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def children_store(tmp_path_factory) -> MemoryStore:
    store = MemoryStore()
    load_source(store, children_csv(tmp_path_factory.mktemp("children") / "children.csv"))
    return store


@pytest.fixture(scope="module")
def reviews_store(tmp_path_factory) -> MemoryStore:
    store = MemoryStore()
    load_source(store, reviews_csv(tmp_path_factory.mktemp("reviews") / "reviews.csv"))
    return store


def iri(code: str) -> str:
    return SCRC + code


def pair_numbers(pattern: pt.Pattern, a: str, b: str) -> tuple:
    p = pattern.pair(a, b)
    return p.count, p.expected, p.support, p.lift, p.pmi, p.few_cases, p.associated


def approx(expected):
    """Equal to the six decimal places the hand calculations above give."""
    return pytest.approx(expected, abs=1e-6)


# ---------------------------------------------------------------------------------------------
# Risk factors, every measure (dataset CHILDREN)
# ---------------------------------------------------------------------------------------------


def test_risk_factor_counts_and_support(children_store):
    p = pt.co_occurrence(children_store, "risk-factors")
    assert (p.kind, p.unit, p.cases, p.min_cases) == ("risk-factors", "children", 25, 5)
    assert [(i.code, i.count) for i in p.items] == [
        (MH, 15), (SI, 10), (DA, 7), (SM, 7), (YP, 5), (CD, 1),
    ]  # fmt: skip
    assert [i.support for i in p.items] == approx([0.6, 0.4, 0.28, 0.28, 0.2, 0.04])
    assert [i.few_cases for i in p.items] == [False] * 5 + [True]
    assert p.item(DA).label == "domestic abuse"  # from the concept scheme


def test_risk_factor_pairs_lift_pmi_and_few_cases(children_store):
    p = pt.co_occurrence(children_store, "risk-factors")
    assert [(pair.a, pair.b) for pair in p.pairs] == [
        (iri(SI), iri(YP)), (iri(DA), iri(MH)), (iri(MH), iri(SM)), (iri(MH), iri(SI)),
        (iri(DA), iri(SM)),
    ]  # fmt: skip
    assert pair_numbers(p, SI, YP) == (5, approx(2.0), approx(0.2), approx(2.5),
                                       approx(1.321928), False, True)  # fmt: skip
    assert pair_numbers(p, DA, MH) == (5, approx(4.2), approx(0.2), approx(25 / 21),
                                       approx(0.251539), False, True)  # fmt: skip
    assert pair_numbers(p, MH, SM) == pair_numbers(p, DA, MH)
    assert pair_numbers(p, MH, SI) == (5, approx(6.0), approx(0.2), approx(5 / 6),
                                       approx(-0.263034), False, False)  # fmt: skip
    assert pair_numbers(p, DA, SM) == (2, approx(1.96), approx(0.08), approx(50 / 49),
                                       approx(0.029146), True, False)  # fmt: skip
    for pair in p.pairs:
        assert pair.pmi == approx(math.log2(pair.lift))
        assert (pair.count_a, pair.count_b) == (p.item(pair.a).count, p.item(pair.b).count)


def test_risk_factor_centrality_and_communities(children_store):
    p = pt.co_occurrence(children_store, "risk-factors")
    degree = {i.code: (i.degree, i.degree_centrality, i.betweenness) for i in p.items}
    assert degree == {
        MH: (2, approx(0.4), approx(0.1)),
        DA: (1, approx(0.2), 0.0),
        SM: (1, approx(0.2), 0.0),
        SI: (1, approx(0.2), 0.0),
        YP: (1, approx(0.2), 0.0),
        CD: (0, 0.0, 0.0),
    }
    assert p.communities == (
        (iri(DA), iri(MH), iri(SM)),
        (iri(SI), iri(YP)),
        (iri(CD),),
    )
    assert {i.code: i.community for i in p.items} == {DA: 1, MH: 1, SM: 1, SI: 2, YP: 2, CD: 3}


def test_the_graph_is_networkx_with_every_measure(children_store):
    p = pt.co_occurrence(children_store, "risk-factors")
    g = p.graph
    assert isinstance(g, nx.Graph) and nx.is_frozen(g)
    assert g.graph["cases"] == 25 and g.graph["unit"] == "children"
    assert sorted(g.nodes) == sorted(i.iri for i in p.items)
    assert g.number_of_edges() == 5
    assert g.nodes[iri(MH)]["betweenness"] == approx(0.1)
    assert g.edges[iri(YP), iri(SI)]["lift"] == approx(2.5)
    # Centrality is computed on the associated pairs; networkx agrees on that subgraph.
    assoc = nx.Graph()
    assoc.add_nodes_from(g.nodes)
    assoc.add_edges_from((a, b) for a, b, d in g.edges(data=True) if d["associated"])
    assert nx.betweenness_centrality(assoc) == approx(
        {n: d["betweenness"] for n, d in g.nodes(data=True)}
    )


def test_outcome_filters_give_the_documented_answers(children_store):
    died = pt.co_occurrence(children_store, "risk-factors", outcome="died")
    assert died.cases == 15
    assert {i.code: i.count for i in died.items} == {MH: 15, DA: 5, SM: 5, SI: 5}
    assert {(p.a, p.b): p.lift for p in died.pairs} == {
        (iri(DA), iri(MH)): 1.0, (iri(MH), iri(SM)): 1.0, (iri(MH), iri(SI)): 1.0,
    }  # fmt: skip
    assert not any(p.associated for p in died.pairs)  # lift 1 is not above 1
    assert all(i.degree == 0 and i.betweenness == 0 for i in died.items)
    assert len(died.communities) == 4

    harm = pt.co_occurrence(children_store, "risk-factors", outcome="serious-harm")
    assert harm.cases == 10
    assert {i.code: i.count for i in harm.items} == {YP: 5, SI: 5, DA: 2, SM: 2, CD: 1}
    sy = harm.pair(SI, YP)
    assert (sy.count, sy.expected, sy.lift, sy.few_cases, sy.associated) == (
        5,
        2.5,
        2.0,
        False,
        True,
    )
    dasm = harm.pair(DA, SM)
    assert (dasm.count, dasm.lift, dasm.few_cases, dasm.associated) == (2, 5.0, True, False)


def test_period_and_age_band_filters(children_store):
    p = pt.co_occurrence(children_store, "risk-factors", period="2010-11")
    assert p.cases == 15
    assert {i.code: i.count for i in p.items} == {SI: 10, MH: 5, YP: 5, DA: 2, SM: 2, CD: 1}
    assert p.pair(SI, YP).lift == approx(1.5) and p.pair(MH, SI).lift == approx(1.5)
    assert {i.code: i.betweenness for i in p.items if i.betweenness} == {SI: approx(0.1)}
    assert pt.co_occurrence(children_store, "risk-factors", age_band="under-1").cases == 10
    empty = pt.co_occurrence(
        children_store, "risk-factors", period="2009-10", outcome="serious-harm"
    )
    assert (empty.cases, empty.items, empty.pairs, empty.communities) == (0, (), (), ())


def test_min_cases_moves_the_few_cases_line(children_store):
    p = pt.co_occurrence(children_store, "risk-factors", min_cases=2)
    assert not p.pair(DA, SM).few_cases and p.pair(DA, SM).associated  # lift 50/49 > 1
    assert p.item(MH).betweenness == approx(0.0)  # DA-SM now joins the path into a triangle
    strict = pt.co_occurrence(children_store, "risk-factors", min_cases=6)
    assert all(pair.few_cases and not pair.associated for pair in strict.pairs)


def test_reviews_behind_a_node_and_an_edge(children_store):
    edge = pt.reviews_behind(children_store, "risk-factors", iri(DA), iri(MH))
    assert (edge.cases, edge.reviews_total, edge.truncated) == (5, 5, False)
    assert [r.iri for r in edge.reviews] == [DEFAULT_BASE + f"review/R{n:02d}" for n in range(1, 6)]
    assert edge.reviews[0].label == "Serious case review R01" and edge.reviews[0].synthetic
    node = pt.reviews_behind(children_store, "risk-factors", iri(DA), outcome="serious-harm")
    assert (node.cases, [r.iri.rsplit("/", 1)[1] for r in node.reviews]) == (2, ["R16", "R17"])
    capped = pt.reviews_behind(children_store, "risk-factors", iri(MH), limit=3)
    assert (capped.cases, capped.reviews_total, len(capped.reviews), capped.truncated) == (
        15, 15, 3, True,
    )  # fmt: skip
    # The count behind every node and edge is the node's or the edge's count.
    p = pt.co_occurrence(children_store, "risk-factors", period="2010-11")
    for pair in p.pairs:
        behind = pt.reviews_behind(children_store, "risk-factors", pair.a, pair.b, period="2010-11")
        assert behind.cases == pair.count
    for item in p.items:
        assert (
            pt.reviews_behind(children_store, "risk-factors", item.iri, period="2010-11").cases
            == item.count
        )


# ---------------------------------------------------------------------------------------------
# Agency types and lesson themes (dataset REVIEWS)
# ---------------------------------------------------------------------------------------------


def test_agency_types_per_review(reviews_store):
    p = pt.co_occurrence(reviews_store, "agencies", min_cases=3)
    assert (p.unit, p.cases) == ("reviews", 10)
    assert [(i.code, i.count, i.few_cases) for i in p.items] == [
        (G, 6, False), (S, 5, False), (P, 5, False), (H, 4, False), (K, 2, True),
    ]  # fmt: skip
    assert [(pair.a, pair.b) for pair in p.pairs] == [
        (iri(S), iri(P)), (iri(G), iri(H)), (iri(S), iri(G)), (iri(G), iri(P)), (iri(H), iri(K)),
    ]  # fmt: skip
    assert pair_numbers(p, P, S) == (5, approx(2.5), approx(0.5), approx(2.0), approx(1.0),
                                     False, True)  # fmt: skip
    assert pair_numbers(p, G, H) == (3, approx(2.4), approx(0.3), approx(1.25),
                                     approx(0.321928), False, True)  # fmt: skip
    assert pair_numbers(p, P, G) == (3, approx(3.0), approx(0.3), 1.0, 0.0, False, False)
    assert pair_numbers(p, S, G) == pair_numbers(p, P, G)
    assert pair_numbers(p, H, K)[3:] == (approx(1.25), approx(0.321928), True, False)
    assert {i.code: (i.degree, i.degree_centrality, i.betweenness) for i in p.items} == {
        G: (1, 0.25, 0.0), S: (1, 0.25, 0.0), P: (1, 0.25, 0.0), H: (1, 0.25, 0.0),
        K: (0, 0.0, 0.0),
    }  # fmt: skip
    assert p.communities == ((iri(S), iri(P)), (iri(G), iri(H)), (iri(K),))
    default = pt.co_occurrence(reviews_store, "agencies")
    assert [(x.a, x.b) for x in default.pairs if x.associated] == [(iri(S), iri(P))]


def test_a_review_is_kept_when_one_child_meets_every_filter(reviews_store):
    died = pt.co_occurrence(reviews_store, "agencies", outcome="died")
    assert died.cases == 4
    assert {i.code: i.count for i in died.items} == {P: 2, S: 2, G: 3, H: 2, K: 1}
    harm = pt.co_occurrence(reviews_store, "agencies", outcome="serious-harm")
    assert harm.cases == 7  # A01 is under both outcomes: 4 + 7 = 11 > 10
    assert (
        pt.co_occurrence(reviews_store, "agencies", outcome="died", age_band="under-1").cases == 2
    )
    none = pt.co_occurrence(reviews_store, "agencies", outcome="serious-harm", age_band="under-1")
    assert none.cases == 0
    assert pt.co_occurrence(reviews_store, "agencies", period="2010-11").cases == 5
    behind = pt.reviews_behind(reviews_store, "agencies", iri(P), outcome="died")
    assert [r.iri.rsplit("/", 1)[1] for r in behind.reviews] == ["A01", "A02"]


def test_lesson_themes_per_review(reviews_store):
    p = pt.co_occurrence(reviews_store, "themes")
    assert p.cases == 10
    assert [(i.code, i.count) for i in p.items] == [(IS, 5), (MA, 4), (VC, 3)]
    assert pair_numbers(p, IS, MA)[:5] == (4, approx(2.0), approx(0.4), approx(2.0), approx(1.0))
    assert pair_numbers(p, IS, VC)[3:] == (approx(2 / 3), approx(-0.584963), True, False)
    assert pt.co_occurrence(reviews_store, "themes", min_cases=3).pair(IS, MA).associated


def test_thematic_report_lessons_are_not_a_review(bundled_store):
    """The bundled report's own lessons hang off a thematic report, not a review."""
    p = pt.co_occurrence(bundled_store, "themes")
    assert p.cases == 147
    assert pt.co_occurrence(bundled_store, "risk-factors").cases == 194


# ---------------------------------------------------------------------------------------------
# Determinism, caching, errors
# ---------------------------------------------------------------------------------------------


def test_same_data_and_filters_give_the_same_numbers(children_store):
    first = pt.co_occurrence(children_store, "risk-factors", outcome="serious-harm").as_json()
    pt.clear_cache()
    again = pt.co_occurrence(children_store, "risk-factors", outcome="serious-harm")
    assert again.as_json() == first
    out1, out2 = io.StringIO(), io.StringIO()
    pt.write_csv(again, out1)
    pt.clear_cache()
    pt.write_csv(pt.co_occurrence(children_store, "risk-factors", outcome="serious-harm"), out2)
    assert out1.getvalue() == out2.getvalue()
    other = pt.co_occurrence(children_store, "risk-factors", outcome="died").as_json()
    assert other != first and other["cases"] == 15


def test_csv_labels_cannot_run_as_spreadsheet_formulas(tmp_path):
    store = MemoryStore()
    load_source(store, children_csv(tmp_path / "children.csv"))
    hostile = '=HYPERLINK("http://example.invalid","x")'
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    labelled = ox.Triple(ox.NamedNode(SCRC + DA), label, ox.Literal(hostile, language="en"))
    store.replace_graph(DEFAULT_BASE + "graph/labels", [labelled])
    out = io.StringIO()
    pt.write_csv(pt.co_occurrence(store, "risk-factors", min_cases=1), out, table="items")
    cells = [cell for row in csv.reader(io.StringIO(out.getvalue())) for cell in row]
    assert [cell for cell in cells if cell.startswith("'")] == ["'" + hostile]  # only the label


def test_cached_until_a_load_changes_the_data(tmp_path):
    store = MemoryStore()
    source = children_csv(tmp_path / "cohort.csv")
    load_source(store, source)
    first = pt.co_occurrence(store, "risk-factors")
    assert pt.co_occurrence(store, "risk-factors") is first  # the cached object, not recounted
    state = store.version()
    assert load_source(store, source).status == "unchanged"
    assert store.version() == state and pt.co_occurrence(store, "risk-factors") is first
    # The same file with one more child who has domestic abuse and young parents.
    extra = row("R26", "C26", agencies=[S], lessons=[], outcome="died", age="under-1",
                period="2009-10", risks=[DA, YP])  # fmt: skip
    source.write_text(source.read_text(encoding="utf-8") + extra + "\n", encoding="utf-8")
    load_source(store, source)
    assert store.version() != state
    changed = pt.co_occurrence(store, "risk-factors")
    assert changed is not first
    assert (changed.cases, changed.item(DA).count, changed.pair(DA, YP).count) == (26, 8, 1)


def test_bad_kind_and_filters_are_refused(children_store):
    with pytest.raises(pt.PatternError, match="risk-factors, agencies, themes"):
        pt.co_occurrence(children_store, "maltreatment")
    with pytest.raises(pt.PatternError, match="died, serious-harm"):
        pt.co_occurrence(children_store, "risk-factors", outcome="harmed")
    with pytest.raises(pt.PatternError, match="under-1"):
        pt.co_occurrence(children_store, "risk-factors", age_band="baby")
    with pytest.raises(pt.PatternError, match="YYYY-YY"):
        pt.co_occurrence(children_store, "risk-factors", period="2009")
    with pytest.raises(pt.PatternError, match="min_cases"):
        pt.co_occurrence(children_store, "risk-factors", min_cases=0)
    with pytest.raises(pt.PatternError):
        pt.reviews_behind(children_store, "risk-factors", "")


def test_an_empty_store_has_empty_patterns():
    p = pt.co_occurrence(MemoryStore(), "agencies")
    assert (p.cases, p.items, p.pairs) == (0, (), ())
    assert pt.periods(MemoryStore()) == []


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------


def test_cli_kinds_match_the_library():
    assert tuple(pt.KINDS) == PATTERN_KINDS


@pytest.fixture
def loaded_runner(runner, tmp_path):
    result = runner.invoke(main, ["load", str(children_csv(tmp_path / "children.csv"))])
    assert result.exit_code == 0, result.output
    return runner


def test_cli_csv_to_stdout(loaded_runner):
    result = loaded_runner.invoke(main, ["patterns", "risk-factors"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(pt.PAIR_COLUMNS)
    columns = ("a", "b", "count", "lift", "few_cases", "associated")
    assert [tuple(r[c] for c in columns) for r in rows] == [
        (iri(SI), iri(YP), "5", "2.5", "false", "true"),
        (iri(DA), iri(MH), "5", "1.190476", "false", "true"),
        (iri(MH), iri(SM), "5", "1.190476", "false", "true"),
        (iri(MH), iri(SI), "5", "0.833333", "false", "false"),
        (iri(DA), iri(SM), "2", "1.020408", "true", "false"),
    ]  # fmt: skip
    items = loaded_runner.invoke(main, ["patterns", "risk-factors", "--items"])
    table = list(csv.DictReader(io.StringIO(items.stdout)))
    assert [(r["code"], r["count"], r["betweenness"], r["community"]) for r in table][:2] == [
        (MH, "15", "0.1", "1"), (SI, "10", "0.0", "2"),
    ]  # fmt: skip


def test_cli_json_with_filters(loaded_runner):
    result = loaded_runner.invoke(
        main, ["patterns", "risk-factors", "--outcome", "serious-harm", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["cases"], data["filters"]["outcome"], data["min_cases"]) == (10, "serious-harm", 5)
    assert {i["code"]: i["count"] for i in data["items"]} == {YP: 5, SI: 5, DA: 2, SM: 2, CD: 1}
    assert [(p["count"], p["lift"], p["few_cases"]) for p in data["pairs"]] == [
        (5, 2.0, False), (2, 5.0, True),
    ]  # fmt: skip
    period = loaded_runner.invoke(
        main, ["patterns", "risk-factors", "--period", "2009-10", "--age-band", "under-1",
               "--format", "json"]
    )  # fmt: skip
    assert json.loads(period.stdout)["cases"] == 10


def test_cli_graphml_to_a_file_reads_back_with_networkx(loaded_runner, tmp_path):
    out = tmp_path / "risk.graphml"
    result = loaded_runner.invoke(
        main, ["patterns", "risk-factors", "--format", "graphml", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "wrote" in result.stderr
    assert not list(tmp_path.glob(".risk.graphml.*"))  # no temporary file left behind
    g = nx.read_graphml(out)
    assert g.graph["cases"] == 25 and g.graph["kind"] == "risk-factors"
    assert g.number_of_nodes() == 6 and g.number_of_edges() == 5
    assert g.nodes[iri(MH)]["label"] == "parental mental ill-health"
    assert (g.nodes[iri(MH)]["count"], g.nodes[iri(MH)]["betweenness"]) == (15, approx(0.1))
    edge = g.edges[iri(DA), iri(SM)]
    assert (edge["count"], edge["lift"], edge["few_cases"], edge["associated"]) == (
        2, approx(50 / 49), True, False,
    )  # fmt: skip


def test_cli_graphml_and_json_to_stdout(loaded_runner):
    result = loaded_runner.invoke(main, ["patterns", "agencies", "--format", "graphml"])
    assert result.exit_code == 0, result.output
    g = nx.read_graphml(io.BytesIO(result.stdout_bytes))
    assert g.graph["cases"] == 25 and list(g.nodes) == [iri(S)]
    themes = loaded_runner.invoke(main, ["patterns", "themes", "--format", "json"])
    assert json.loads(themes.stdout)["items"] == []


def test_cli_errors_are_one_line(loaded_runner):
    bad = loaded_runner.invoke(main, ["patterns", "risk-factors", "--age-band", "baby"])
    assert bad.exit_code == 2 and "Unknown age band 'baby'" in bad.output
    assert "Traceback" not in bad.output
    period = loaded_runner.invoke(main, ["patterns", "themes", "--period", "2009/10"])
    assert period.exit_code == 2 and "YYYY-YY" in period.output
    kind = loaded_runner.invoke(main, ["patterns", "outcomes"])
    assert kind.exit_code == 2 and "risk-factors" in kind.output
    missing = loaded_runner.invoke(main, ["patterns", "themes", "-o", "/nonexistent/dir/x.csv"])
    assert missing.exit_code == 1 and "Error:" in missing.output
