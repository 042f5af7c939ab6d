"""Synthetic coded reviews: a generator for scale tests, and a cohort calibrated to Ofsted 2009-10.

Everything here is made up and says so: ids start with ``SYN-``, boards are called
"Synthetic LSCB 001" and so on (never a real place), every review carries ``synthetic: true`` and
every lesson text starts with "(Synthetic)". Once loaded, every node minted for a synthetic
record (review, child, incident, agency, lesson, board) carries ``scr:isSynthetic true``. The
records are plain dicts in the JSON shape of docs/input-formats.md; `write_csv` and `write_json`
write them in exactly the documented formats, and `read_csv` reads such a CSV back.

- `generate_reviews` draws reviews with realistic spreads (after the Brandon et al. biennial
  analyses and Ofsted's thematic reports): 1-3 children per review (mean about 1.3), age bands
  skewed to babies under 1 and young people of 11-15, about 46% of children died, physical abuse
  and neglect the commonest maltreatment, the "toxic trio" the commonest risk factors, 3-9 agency
  types per review, 2-6 lessons per review over all lesson themes.
- `calibrated_cohort_2009_10` builds the 145 synthetic reviews about 192 children which, added to
  the two real case studies in ofsted-2009-10.ttl, reproduce every published 2009-10 figure
  exactly. The counts are constructed, not hoped for; only the details around them are drawn.

Plausible combinations only: the rules in bundled/synthetic-rules.toml (for example, a child
known to children's social care has children's social care among its review's agencies; a baby
under one is not coded with sexual abuse) are read when this module is imported. A child, or a
review, that breaks one is drawn again, so no generated record breaks any; `broken_rules` checks
any review against them and names the rules it breaks.

Triples per review: loaded by the mapping of docs/data-model.md, a generated review gives about
84 triples on average: the review and its links about 21, 6.8 agencies of 4 triples each, 4.1
lessons of 4-5, 1.3 children of about 11 and their incidents of 5. So ``scrkg generate --reviews
12000`` makes about one million triples (``--reviews 10700`` about 900,000). `estimate_triples`
counts them exactly for a given list of reviews; that count equals what the loader maps.

Speed: 15,000 reviews generate and write as CSV in a few seconds. Pure Python, no numpy:
`random.Random(seed)` alone, so the same seed gives the same bytes on every platform.

Regenerate the bundled cohort with ``python -m scrkg.loader.synthetic`` (or
`write_bundled_cohort()`).
"""

from __future__ import annotations

import csv
import json
import random
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from scrkg.ontology import narrower_codes

__all__ = [
    "BUNDLED_COHORT",
    "CALIBRATED_SEED",
    "CSV_COLUMNS",
    "RULES",
    "RULES_FILE",
    "Rule",
    "broken_rules",
    "calibrated_cohort_2009_10",
    "estimate_triples",
    "generate_file",
    "generate_reviews",
    "load_rules",
    "read_csv",
    "write_bundled_cohort",
    "write_csv",
    "write_json",
]

BUNDLED_COHORT = Path(__file__).resolve().parent / "bundled" / "synthetic-cohort-2009-10.csv"
CALIBRATED_SEED = 200910
N_BOARDS = 150  # about as many LSCBs as England had

CSV_COLUMNS = (
    "review_id",
    "review_type",
    "board",
    "reporting_year",
    "evaluation_date",
    "quality_grade",
    "review_method",
    "agencies",
    "lessons",
    "child_id",
    "age_band",
    "outcome",
    "social_care_status",
    "maltreatment",
    "risk_factors",
    "incident_category",
    "views_sought",
    "synthetic",
)

# The codes of docs/data-model.md that the generator draws from.
AGE_BANDS = ("under-1", "age-1-to-5", "age-6-to-10", "age-11-to-15", "age-16-plus")
TEEN_BANDS = frozenset({"age-11-to-15", "age-16-plus"})
MALTREATMENT_TYPES = (
    "physical-abuse",
    "neglect",
    "sexual-abuse",
    "emotional-abuse",
    "multiple-categories",
)
HEALTH_AGENCY_TYPES = frozenset(
    {
        "health-visiting",
        "midwifery",
        "gp",
        "acute-hospital",
        "paediatrics",
        "camhs",
        "school-nursing",
        "ambulance",
    }
)
# Canonical order, used to write a review's agencies.
AGENCY_TYPES = (
    "childrens-social-care",
    "police",
    "health-visiting",
    "midwifery",
    "gp",
    "acute-hospital",
    "paediatrics",
    "camhs",
    "school-nursing",
    "ambulance",
    "schools",
    "early-years",
    "adult-social-care",
    "adult-mental-health",
    "substance-misuse-service",
    "housing",
    "probation",
    "youth-offending-team",
    "cafcass",
    "voluntary-sector",
    "border-agency",
)
_AGENCY_ORDER = {code: n for n, code in enumerate(AGENCY_TYPES)}
# The agencies below scrc:adult-facing-services in ontology/concepts.ttl, in canonical order.
ADULT_FACING_AGENCY_TYPES = tuple(
    code for code in AGENCY_TYPES if code in narrower_codes("adult-facing-services")
)

AGENCY_LABELS = {
    "childrens-social-care": "Children's social care",
    "police": "The police",
    "health-visiting": "The health visiting service",
    "midwifery": "Midwifery",
    "gp": "The GP practice",
    "acute-hospital": "The acute hospital",
    "paediatrics": "Paediatrics",
    "camhs": "CAMHS",
    "school-nursing": "School nursing",
    "ambulance": "The ambulance service",
    "schools": "The school",
    "early-years": "The early years setting",
    "adult-social-care": "Adult social care",
    "adult-mental-health": "Adult mental health services",
    "substance-misuse-service": "The substance misuse service",
    "housing": "Housing",
    "probation": "Probation",
    "youth-offending-team": "The youth offending team",
    "cafcass": "Cafcass",
    "voluntary-sector": "A voluntary sector agency",
    "border-agency": "The border agency",
}

# (theme, weight, text when the lesson concerns one agency, text otherwise)
_LESSON_THEMES: tuple[tuple[str, int, str, str], ...] = (
    (
        "good-practice",
        5,
        "{agency} did not consistently apply the good practice it had agreed.",
        "Agencies did not consistently apply the good practice they had agreed.",
    ),
    (
        "implementing-frameworks",
        8,
        "{agency} had procedures for this situation but did not follow them.",
        "Established frameworks and guidance were available but were not put into practice.",
    ),
    (
        "identifying-vulnerable-children",
        6,
        "{agency} did not use the local system for identifying vulnerable children.",
        "The system for identifying vulnerable children was not followed.",
    ),
    (
        "ensuring-action",
        4,
        "{agency} agreed actions that were not carried out or followed up.",
        "Actions agreed between agencies were not carried out or followed up.",
    ),
    (
        "acting-on-concerns",
        9,
        "{agency} did not act on concerns raised by relatives and neighbours.",
        "Concerns raised by relatives and neighbours were not acted upon.",
    ),
    (
        "using-all-information",
        5,
        "{agency} held information about the family that was not used.",
        "Information held about the family was not brought together and used.",
    ),
    (
        "information-sharing-adult-services",
        9,
        "{agency} did not share what it knew about the parent early enough.",
        "Adult services did not share what they knew about the parents early enough.",
    ),
    (
        "assessments",
        6,
        "{agency} did not update its assessment when circumstances changed.",
        "Assessments were not updated when the family's circumstances changed.",
    ),
    (
        "pre-birth-assessment",
        4,
        "{agency} did not start a pre-birth assessment despite known risks.",
        "No pre-birth assessment was made although risks were known before the birth.",
    ),
    (
        "voice-of-the-child",
        8,
        "{agency} did not seek or act on the child's own views.",
        "The child's views were rarely sought and not acted upon.",
    ),
    (
        "multi-agency-working",
        9,
        "{agency} worked in isolation and did not join multi-agency planning.",
        "Agencies worked in isolation rather than together.",
    ),
    (
        "challenge-supervision-scrutiny",
        5,
        "Supervision in {agency_lower} did not question the direction of the case.",
        "Supervision and management oversight did not challenge the direction of the case.",
    ),
    (
        "challenging-family-accounts",
        7,
        "{agency} accepted the parents' accounts without challenge.",
        "The parents' accounts were accepted at face value and not challenged.",
    ),
)
_LESSON_TEXT = {theme: (with_agency, plain) for theme, _, with_agency, plain in _LESSON_THEMES}
SYNTHETIC_TEXT_PREFIX = "(Synthetic) "

# Age band weights given the outcome: deaths concentrate in babies; serious harm in teenagers.
_AGE_WEIGHTS = {
    "died": (45, 25, 7, 13, 10),
    "serious-harm": (25, 18, 12, 33, 12),
}
_DIED_SHARE = 0.46

_STATUS_WEIGHTS = (
    ("not-known-to-social-care", 24),
    ("previously-known-case-closed", 8),
    ("social-care-status-not-recorded", 3),
    ("known-to-social-care", 3),
    ("known-no-cin-services", 14),
    ("child-in-need", 20),
    ("child-protection-plan", 24),
    ("looked-after", 4),
)

# Weights in MALTREATMENT_TYPES order, by age group.
_MALTREATMENT_WEIGHTS = {
    "baby": (45, 33, 2, 5, 15),
    "child": (34, 34, 10, 8, 14),
    "teen": (24, 20, 24, 17, 15),
}
_SECOND_MALTREATMENT_SHARE = 0.15

_INCIDENT_CATEGORIES: dict[tuple[str, str], tuple[tuple[str, int], ...]] = {
    ("died", "physical-abuse"): (
        ("severe-physical-assault", 55),
        ("deliberate-overt-homicide", 20),
        ("infanticide-covert-homicide", 15),
        ("death-related-not-caused-by-maltreatment", 10),
    ),
    ("died", "neglect"): (
        ("extreme-neglect-deprivation", 60),
        ("death-related-not-caused-by-maltreatment", 40),
    ),
    ("died", "sexual-abuse"): (
        ("deliberate-overt-homicide", 50),
        ("death-related-not-caused-by-maltreatment", 50),
    ),
    ("died", "emotional-abuse"): (
        ("death-related-not-caused-by-maltreatment", 80),
        ("deliberate-overt-homicide", 20),
    ),
    ("died", "multiple-categories"): (
        ("severe-physical-assault", 30),
        ("extreme-neglect-deprivation", 30),
        ("deliberate-overt-homicide", 20),
        ("death-related-not-caused-by-maltreatment", 20),
    ),
    ("serious-harm", "physical-abuse"): (("serious-physical-injury", 100),),
    ("serious-harm", "neglect"): (("serious-neglect", 100),),
    ("serious-harm", "sexual-abuse"): (("serious-sexual-abuse", 70), ("sexual-exploitation", 30)),
    ("serious-harm", "emotional-abuse"): (
        ("serious-emotional-harm", 60),
        ("self-harm-or-attempted-suicide", 40),
    ),
    ("serious-harm", "multiple-categories"): (
        ("serious-physical-injury", 40),
        ("serious-neglect", 30),
        ("serious-emotional-harm", 30),
    ),
}
_INFANT_ONLY_CATEGORIES = frozenset({"infanticide-covert-homicide"})
_TEEN_ONLY_CATEGORIES = frozenset({"sexual-exploitation", "self-harm-or-attempted-suicide"})
_UNCODED_INCIDENT_SHARE = 0.1

# Risk factor weights; the toxic trio first and commonest.
_RISK_WEIGHTS = (
    ("domestic-abuse", 10.0),
    ("parental-mental-ill-health", 8.0),
    ("parental-substance-misuse", 8.0),
    ("parental-learning-disability", 2.0),
    ("adverse-parental-childhood-experiences", 3.0),
    ("history-of-violent-crime", 3.0),
    ("multiple-consecutive-partners", 3.0),
    ("acrimonious-separation", 2.0),
    ("social-isolation", 2.0),
    ("previous-care-proceedings", 2.0),
    ("past-or-discontinued-cp-plan", 3.0),
    ("young-parents", 2.0),
    ("concealed-pregnancy", 0.0),
    ("child-disability", 1.5),
    ("going-missing", 0.0),
    ("exploitation", 0.0),
    ("child-self-harm", 0.0),
)


def _risk_weights(age_band: str) -> tuple[tuple[str, float], ...]:
    """Risk factor weights for a child of ``age_band``: some factors only fit some ages."""
    adjusted = []
    for factor, weight in _RISK_WEIGHTS:
        if age_band == "under-1" and factor == "young-parents":
            weight = 4.0
        elif age_band == "under-1" and factor == "concealed-pregnancy":
            weight = 2.0
        elif age_band in TEEN_BANDS and factor in (
            "going-missing",
            "exploitation",
            "child-self-harm",
        ):
            weight = 3.0
        adjusted.append((factor, weight))
    return tuple(adjusted)


_RISK_ORDER = {factor: n for n, (factor, _) in enumerate(_RISK_WEIGHTS)}
_RISK_COUNT_WEIGHTS = (6, 16, 25, 24, 17, 12)  # 0..5 risk factors per child: mean 2.7

_CHILDREN_PER_REVIEW_WEIGHTS = (74, 22, 4)  # 1, 2, 3 children: mean 1.3
_AGENCY_COUNT_WEIGHTS = (3, 7, 12, 18, 22, 20, 18)  # 3..9 agency types: mean 6.8
_LESSON_COUNT_WEIGHTS = (12, 22, 28, 22, 16)  # 2..6 lessons: mean 4.1
_LESSON_AGENCY_SHARE = 0.4  # lessons other than adult information sharing naming one agency
_GRADE_WEIGHTS = (("good", 42), ("adequate", 42), ("inadequate", 16))
_FIRST_GRADED_YEAR = 2007  # Ofsted evaluated serious case reviews from April 2007
_LAST_GRADED_YEAR = 2011  # until 2011-12
_FIRST_LCSPR_YEAR = 2019  # local child safeguarding practice reviews replaced SCRs from 2018-19


# ---------------------------------------------------------------------------------------------
# Plausibility rules (loader/bundled/synthetic-rules.toml)
# ---------------------------------------------------------------------------------------------

RULES_FILE = Path(__file__).resolve().parent / "bundled" / "synthetic-rules.toml"

# The fields a rule may test: the CSV columns, a review's first and a child's second.
REVIEW_RULE_FIELDS = (
    "review_type",
    "reporting_year",
    "evaluation_date",
    "quality_grade",
    "review_method",
    "agencies",
    "lessons",
)
CHILD_RULE_FIELDS = (
    "age_band",
    "outcome",
    "social_care_status",
    "maltreatment",
    "risk_factors",
    "incident_category",
    "views_sought",
)
_LIST_TESTS = ("any_of", "none_of", "only")
_TEXT_TESTS = ("at_least", "at_most")
_RULE_KEYS = ("id", "statement", "scope", "when", "then", "source")
_RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

Facts = dict[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Condition:
    """One test on one field: ``values`` is a set of codes, True/False, or a text bound."""

    field: str
    test: str
    value: frozenset[str] | bool | str

    def holds(self, facts: Facts) -> bool:
        values = facts.get(self.field, frozenset())
        if self.test == "any_of":
            return not values.isdisjoint(self.value)
        if self.test == "none_of":
            return values.isdisjoint(self.value)
        if self.test == "only":
            return values <= self.value
        if self.test == "present":
            return bool(values) == self.value
        if self.test == "at_least":
            return all(value >= self.value for value in values)
        return all(value <= self.value for value in values)  # at_most


@dataclass(frozen=True, slots=True)
class Rule:
    """A plausibility rule: a record it applies to (``when``) must meet ``then``."""

    id: str
    statement: str
    scope: str  # "child" or "review"
    when: tuple[Condition, ...]
    then: tuple[Condition, ...]
    source: str

    def broken_by(self, facts: Facts) -> bool:
        for condition in self.when:
            if not condition.holds(facts):
                return False
        return not all(condition.holds(facts) for condition in self.then)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(c.field for c in self.when + self.then)


def load_rules(path: str | Path = RULES_FILE) -> tuple[Rule, ...]:
    """The rules of a rules file, checked; a ValueError says what is wrong and where."""
    with open(path, "rb") as handle:
        document = tomllib.load(handle)
    rules = []
    for n, raw in enumerate(document.get("rule", []), start=1):
        where = f"{Path(path).name}, rule {n} ({raw.get('id', 'no id')})"
        if sorted(raw) != sorted(_RULE_KEYS):
            raise ValueError(f"{where}: a rule has exactly the keys {', '.join(_RULE_KEYS)}")
        if not _RULE_ID.match(raw["id"]) or raw["id"] in {rule.id for rule in rules}:
            raise ValueError(f"{where}: the id must be unique, lower-case words joined by -")
        if raw["scope"] not in ("child", "review"):
            raise ValueError(f"{where}: scope must be child or review")
        if not raw["statement"].strip() or not raw["source"].strip() or not raw["then"]:
            raise ValueError(f"{where}: statement, source and then must not be empty")
        when = _conditions(raw["when"], where)
        then = _conditions(raw["then"], where)
        rules.append(Rule(raw["id"], raw["statement"], raw["scope"], when, then, raw["source"]))
    if not rules:
        raise ValueError(f"{Path(path).name} holds no [[rule]]")
    return tuple(rules)


def _conditions(table: dict[str, Any], where: str) -> tuple[Condition, ...]:
    conditions = []
    for field_name, tests in table.items():
        if field_name not in REVIEW_RULE_FIELDS + CHILD_RULE_FIELDS:
            raise ValueError(f"{where}: {field_name!r} is not a field rules can test")
        if not isinstance(tests, dict) or not tests:
            raise ValueError(f"{where}: {field_name} needs tests, e.g. {{ any_of = [...] }}")
        for test, value in tests.items():
            if test in _LIST_TESTS and isinstance(value, list):
                if not all(isinstance(item, str) for item in value):
                    raise ValueError(f"{where}: {field_name}.{test} must list codes")
                value = frozenset(value)
            elif test == "present" and isinstance(value, bool):
                pass
            elif not (test in _TEXT_TESTS and isinstance(value, str)):
                raise ValueError(f"{where}: {field_name}.{test} is not a known test with its value")
            conditions.append(Condition(field_name, test, value))
    return tuple(conditions)


RULES = load_rules()
_MAX_DRAWS = 1000  # draws of a child or review before giving up on the rules
# The rules a child alone can break, checked as each child is drawn; the others are checked
# once its review is drawn.
_CHILD_ONLY_RULES = tuple(
    rule for rule in RULES if rule.scope == "child" and rule.fields <= set(CHILD_RULE_FIELDS)
)
_REVIEW_RULES = tuple(rule for rule in RULES if rule not in _CHILD_ONLY_RULES)


def _codes(value: str | None) -> frozenset[str]:
    return frozenset((value,)) if value else frozenset()


def _review_facts(review: dict[str, Any]) -> Facts:
    return {
        "review_type": _codes(review.get("type")),
        "reporting_year": _codes(review.get("reporting_year")),
        "evaluation_date": _codes(review.get("evaluation_date")),
        "quality_grade": _codes(review.get("quality_grade")),
        "review_method": _codes(review.get("method")),
        "agencies": frozenset(review.get("agencies", ())),
        "lessons": frozenset(lesson["theme"] for lesson in review.get("lessons", ())),
    }


def _child_facts(child: dict[str, Any]) -> Facts:
    views = child.get("views_sought")
    return {
        "age_band": _codes(child.get("age_band")),
        "outcome": _codes(child.get("outcome")),
        "social_care_status": _codes(child.get("social_care_status")),
        "maltreatment": frozenset(child.get("maltreatment", ())),
        "risk_factors": frozenset(child.get("risk_factors", ())),
        "incident_category": _codes(child.get("incident_category")),
        "views_sought": frozenset() if views is None else frozenset((str(views),)),
    }


def broken_rules(review: dict[str, Any], rules: Sequence[Rule] = RULES) -> list[tuple[str, str]]:
    """The rules a review (in the JSON shape) breaks: ``(rule id, review or child id)`` pairs."""
    facts = _review_facts(review)
    children = [
        (child["id"], {**facts, **_child_facts(child)}) for child in review.get("children", ())
    ]
    together = dict(facts)
    for name in CHILD_RULE_FIELDS:
        together[name] = frozenset().union(*(child[name] for _, child in children))
    broken = []
    for rule in rules:
        if rule.scope == "review":
            if rule.broken_by(together):
                broken.append((rule.id, review["id"]))
            continue
        for child_id, child in children:
            if rule.broken_by(child):
                broken.append((rule.id, child_id))
    return broken


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------


class _Weighted:
    """A fixed table of items and weights to draw from (zero weights are never drawn)."""

    __slots__ = ("items", "weights", "cum")

    def __init__(self, pairs: Iterable[tuple[Any, float]]) -> None:
        kept = [(item, weight) for item, weight in pairs if weight > 0]
        self.items = tuple(item for item, _ in kept)
        self.weights = tuple(weight for _, weight in kept)
        self.cum = tuple(accumulate(self.weights))

    @classmethod
    def counts(cls, weights: Sequence[float], smallest: int) -> _Weighted:
        """Whole numbers from ``smallest`` on, weighted in order."""
        return cls((smallest + n, weight) for n, weight in enumerate(weights))

    def pick(self, rng: random.Random) -> Any:
        return rng.choices(self.items, cum_weights=self.cum)[0]

    def sample(self, rng: random.Random, k: int) -> list[Any]:
        """``k`` distinct items drawn without replacement, proportionally to their weights."""
        items, weights = list(self.items), list(self.weights)
        chosen = []
        while items and len(chosen) < k:
            n = rng.choices(range(len(items)), weights=weights)[0]
            chosen.append(items.pop(n))
            del weights[n]
        return chosen


def _age_group(age_band: str) -> str:
    if age_band == "under-1":
        return "baby"
    return "teen" if age_band in TEEN_BANDS else "child"


def _reporting_year(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def _evaluation_date(rng: random.Random, year: int) -> str:
    """A day in the year from 1 April ``year`` to 31 March ``year + 1``."""
    start = date(year, 4, 1)
    days = (date(year + 1, 4, 1) - start).days
    return (start + timedelta(days=rng.randrange(days))).isoformat()


# The drawing tables, built once.
_AGES = {
    outcome: _Weighted(zip(AGE_BANDS, weights, strict=True))
    for outcome, weights in _AGE_WEIGHTS.items()
}
_STATUSES = _Weighted(_STATUS_WEIGHTS)
_MALTREATMENTS = {
    group: _Weighted(zip(MALTREATMENT_TYPES, weights, strict=True))
    for group, weights in _MALTREATMENT_WEIGHTS.items()
}
_INCIDENTS = {
    (outcome, maltreatment, group): _Weighted(
        (category, weight)
        for category, weight in options
        if not (category in _INFANT_ONLY_CATEGORIES and group != "baby")
        and not (category in _TEEN_ONLY_CATEGORIES and group != "teen")
    )
    for (outcome, maltreatment), options in _INCIDENT_CATEGORIES.items()
    for group in ("baby", "child", "teen")
}
_RISKS = {band: _Weighted(_risk_weights(band)) for band in AGE_BANDS}
_RISK_COUNT = _Weighted.counts(_RISK_COUNT_WEIGHTS, 0)
_VIEWS_YOUNG = _Weighted.counts((50, 35, 15), 0)  # ages 1-5: 0-2 occasions
_VIEWS_OLDER = _Weighted.counts((18, 26, 20, 14, 10, 7, 5), 0)  # 6 and over: 0-6 occasions
_THEME_WEIGHTS = [(theme, weight) for theme, weight, _, _ in _LESSON_THEMES]
_THEMES = _Weighted(_THEME_WEIGHTS)
_THEMES_NO_BABY = _Weighted(pair for pair in _THEME_WEIGHTS if pair[0] != "pre-birth-assessment")
_THEMES_BABIES_ONLY = _Weighted(pair for pair in _THEME_WEIGHTS if pair[0] != "voice-of-the-child")
_LESSON_COUNT = _Weighted.counts(_LESSON_COUNT_WEIGHTS, 2)
_AGENCY_COUNT = _Weighted.counts(_AGENCY_COUNT_WEIGHTS, 3)
_CHILDREN_PER_REVIEW = _Weighted.counts(_CHILDREN_PER_REVIEW_WEIGHTS, 1)
_GRADES = _Weighted(_GRADE_WEIGHTS)
_METHODS = {
    "early": _Weighted(
        (("imr-overview-report", 85), ("hybrid", 10), ("scie-learning-together", 5))
    ),
    "middle": _Weighted(
        (
            ("imr-overview-report", 50),
            ("scie-learning-together", 20),
            ("silp", 10),
            ("hybrid", 20),
        )
    ),
    "late": _Weighted(
        (
            ("imr-overview-report", 20),
            ("scie-learning-together", 30),
            ("silp", 30),
            ("hybrid", 20),
        )
    ),
}


def _child(rng: random.Random, child_id: str, **spec: str) -> dict[str, Any]:
    """One child that breaks none of the rules a child alone can break, drawn again until so."""
    for _ in range(_MAX_DRAWS):
        child = _draw_child(rng, child_id, **spec)
        facts = _child_facts(child)
        broken = [rule.id for rule in _CHILD_ONLY_RULES if rule.broken_by(facts)]
        if not broken:
            return child
    raise RuntimeError(
        f"Child {child_id} ({spec}): no draw kept the rules of {RULES_FILE.name}"
        f" (still broken: {', '.join(broken)})."
    )


def _draw_child(
    rng: random.Random,
    child_id: str,
    *,
    outcome: str | None = None,
    status: str | None = None,
    maltreatment: str | None = None,
) -> dict[str, Any]:
    """One child; ``outcome``, ``status`` and the main ``maltreatment`` are drawn unless given."""
    if outcome is None:
        outcome = "died" if rng.random() < _DIED_SHARE else "serious-harm"
    age_band = _AGES[outcome].pick(rng)
    if status is None:
        status = _STATUSES.pick(rng)
    if maltreatment is None:
        maltreatment = _MALTREATMENTS[_age_group(age_band)].pick(rng)
    maltreatments = [maltreatment]
    if maltreatment != "multiple-categories" and rng.random() < _SECOND_MALTREATMENT_SHARE:
        others = [m for m in MALTREATMENT_TYPES[:4] if m != maltreatment]
        maltreatments.append(rng.choice(others))

    risks = _RISKS[age_band].sample(rng, _RISK_COUNT.pick(rng))
    risks.sort(key=_RISK_ORDER.__getitem__)

    incident = None
    if rng.random() >= _UNCODED_INCIDENT_SHARE:
        incident = _INCIDENTS[(outcome, maltreatment, _age_group(age_band))].pick(rng)

    if age_band == "under-1":
        views = None  # a baby's views cannot be sought: not coded
    elif age_band == "age-1-to-5":
        views = _VIEWS_YOUNG.pick(rng)
    else:
        views = _VIEWS_OLDER.pick(rng)

    child: dict[str, Any] = {
        "id": child_id,
        "age_band": age_band,
        "outcome": outcome,
        "social_care_status": status,
        "maltreatment": maltreatments,
        "risk_factors": risks,
    }
    if incident is not None:
        child["incident_category"] = incident
    if views is not None:
        child["views_sought"] = views
    return child


def _themes(rng: random.Random, children: list[dict[str, Any]]) -> list[str]:
    ages = {child["age_band"] for child in children}
    if ages == {"under-1"}:
        themes = _THEMES_BABIES_ONLY
    elif "under-1" in ages:
        themes = _THEMES
    else:
        themes = _THEMES_NO_BABY
    return themes.sample(rng, _LESSON_COUNT.pick(rng))


def _agencies(rng: random.Random, children: list[dict[str, Any]], themes: list[str]) -> list[str]:
    """3-9 agency types, children's social care, police and health in most reviews."""
    ages = {child["age_band"] for child in children}
    risks = {factor for child in children for factor in child["risk_factors"]}
    died = any(child["outcome"] == "died" for child in children)
    young = bool(ages & {"under-1", "age-1-to-5"})
    school_age = bool(ages - {"under-1", "age-1-to-5"})
    wanted: list[str] = []

    def maybe(code: str, chance: float) -> None:
        if code not in wanted and rng.random() < chance:
            wanted.append(code)

    maybe("childrens-social-care", 0.96)
    maybe("police", 0.88)
    if "information-sharing-adult-services" in themes:
        # the lesson must point at an adult-facing service that was involved
        if "parental-mental-ill-health" in risks:
            wanted.append("adult-mental-health")
        elif "parental-substance-misuse" in risks:
            wanted.append("substance-misuse-service")
        else:
            wanted.append(rng.choice(ADULT_FACING_AGENCY_TYPES))
    if young:
        maybe("health-visiting", 0.85)
    if "under-1" in ages:
        maybe("midwifery", 0.55)
    maybe("gp", 0.75)
    maybe("acute-hospital", 0.6)
    if not HEALTH_AGENCY_TYPES.intersection(wanted):
        wanted.append("gp")
    if school_age:
        maybe("schools", 0.8)
        maybe("camhs", 0.3)
    if "parental-mental-ill-health" in risks:
        maybe("adult-mental-health", 0.8)
    if "parental-substance-misuse" in risks:
        maybe("substance-misuse-service", 0.7)
    if "parental-learning-disability" in risks:
        maybe("adult-social-care", 0.6)
    if risks & {"domestic-abuse", "history-of-violent-crime"}:
        maybe("probation", 0.4)
    maybe("paediatrics", 0.35)
    if died:
        maybe("ambulance", 0.3)
    if risks & {"going-missing", "exploitation"}:
        maybe("youth-offending-team", 0.3)
        maybe("voluntary-sector", 0.3)
    if risks & {"acrimonious-separation", "previous-care-proceedings"}:
        maybe("cafcass", 0.4)
    if young:
        maybe("early-years", 0.2)
    maybe("housing", 0.2)

    target = _AGENCY_COUNT.pick(rng)
    wanted = wanted[:target]
    if len(wanted) < target:
        fill = [
            ("school-nursing", 2.0),
            ("paediatrics", 2.0),
            ("housing", 3.0),
            ("voluntary-sector", 2.0),
            ("adult-social-care", 1.0),
            ("acute-hospital", 2.0),
            ("gp", 2.0),
            ("schools", 2.0 if school_age else 0.5),
            ("early-years", 1.5 if young else 0.2),
            ("youth-offending-team", 0.5),
            ("cafcass", 0.5),
            ("ambulance", 0.5),
            ("camhs", 1.0),
            ("probation", 1.0),
            ("border-agency", 0.1),
        ]
        pool = _Weighted(pair for pair in fill if pair[0] not in wanted)
        wanted += pool.sample(rng, target - len(wanted))
    return sorted(wanted, key=_AGENCY_ORDER.__getitem__)


def _lessons(rng: random.Random, themes: list[str], agencies: list[str]) -> list[dict[str, Any]]:
    lessons = []
    adult_facing = [code for code in agencies if code in ADULT_FACING_AGENCY_TYPES]
    for theme in themes:
        if theme == "information-sharing-adult-services":
            concerns = [rng.choice(adult_facing)]
        elif rng.random() < _LESSON_AGENCY_SHARE:
            concerns = [rng.choice(agencies)]
        else:
            concerns = []
        with_agency, plain = _LESSON_TEXT[theme]
        if concerns:
            label = AGENCY_LABELS[concerns[0]]
            text = with_agency.format(agency=label, agency_lower=label.lower())
        else:
            text = plain
        lessons.append({"theme": theme, "text": SYNTHETIC_TEXT_PREFIX + text, "agencies": concerns})
    return lessons


def _review(
    rng: random.Random,
    *,
    seed: int | str,
    number: int,
    year: int,
    child_specs: Sequence[dict[str, str]] | None = None,
    grade: str | None = None,
    evaluation_date: str | None = None,
) -> dict[str, Any]:
    """One review that breaks none of the rules: its children, agencies and lessons are drawn
    again (the rest kept) until it breaks none."""
    review_id = f"SYN-{seed}-R{number:06d}"
    board_number = rng.randrange(1, N_BOARDS + 1)
    if year >= _FIRST_LCSPR_YEAR:
        review_type = "local-child-safeguarding-practice-review"
        board = f"Synthetic Safeguarding Partnership {board_number:03d}"
    else:
        review_type = "serious-case-review"
        board = f"Synthetic LSCB {board_number:03d}"
    if child_specs is None:
        n_children = _CHILDREN_PER_REVIEW.pick(rng)
        child_specs = [{}] * n_children
    if grade is None and _FIRST_GRADED_YEAR <= year <= _LAST_GRADED_YEAR:
        grade = _GRADES.pick(rng)
    era = "early" if year < 2011 else "middle" if year < 2015 else "late"
    method = _METHODS[era].pick(rng)

    review: dict[str, Any] = {
        "id": review_id,
        "type": review_type,
        "board": board,
        "reporting_year": _reporting_year(year),
        "evaluation_date": evaluation_date or _evaluation_date(rng, year),
    }
    if grade is not None:
        review["quality_grade"] = grade
    review["method"] = method
    review["synthetic"] = True
    for _ in range(_MAX_DRAWS):
        children = [
            _child(rng, f"{review_id}-C{k}", **spec) for k, spec in enumerate(child_specs, start=1)
        ]
        themes = _themes(rng, children)
        agencies = _agencies(rng, children, themes)
        review["agencies"] = agencies
        review["lessons"] = _lessons(rng, themes, agencies)
        review["children"] = children
        broken = broken_rules(review, _REVIEW_RULES)
        if not broken:
            return review
    raise RuntimeError(
        f"Review {review_id}: no draw kept the rules of {RULES_FILE.name}"
        f" (still broken: {', '.join(sorted({rule for rule, _ in broken}))})."
    )


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def generate_reviews(
    n_reviews: int, *, seed: int, start_year: int = 2009, n_years: int = 10
) -> list[dict[str, Any]]:
    """``n_reviews`` synthetic coded reviews, the same for the same arguments.

    Reporting years run from ``start_year`` (``"2009-10"`` for 2009) over ``n_years`` years, the
    reviews spread evenly and numbered in time order. Reviews up to 2011-12 carry an Ofsted
    quality grade (about 42% good, 42% adequate, 16% inadequate); from 2019-20 they are local
    child safeguarding practice reviews by "Synthetic Safeguarding Partnership" boards.
    """
    if n_reviews < 0:
        raise ValueError(f"The number of reviews must be 0 or more, not {n_reviews}.")
    if n_years < 1:
        raise ValueError(f"The number of years must be 1 or more, not {n_years}.")
    if not 1900 <= start_year <= 2100:
        raise ValueError(f"The start year must be a year such as 2009, not {start_year}.")
    rng = random.Random(seed)
    return [
        _review(rng, seed=seed, number=i + 1, year=start_year + i * n_years // n_reviews)
        for i in range(n_reviews)
    ]


# How the 192 synthetic children of the calibrated cohort divide by outcome and social care
# status. With the two case studies (one death not known to social care, one serious harm whose
# status was not recorded) they give the published figures: 194 children, 90 died, 104 seriously
# harmed, 119 known to social care, 90 receiving CIN services (CIN or narrower), 49 on a CP plan,
# 31 who died while receiving CIN services.
_CALIBRATION: tuple[tuple[str, str, int], ...] = (
    ("died", "child-protection-plan", 17),
    ("died", "looked-after", 2),
    ("died", "child-in-need", 12),
    ("died", "known-no-cin-services", 10),
    ("died", "known-to-social-care", 2),
    ("died", "not-known-to-social-care", 36),
    ("died", "previously-known-case-closed", 7),
    ("died", "social-care-status-not-recorded", 3),
    ("serious-harm", "child-protection-plan", 32),
    ("serious-harm", "looked-after", 6),
    ("serious-harm", "child-in-need", 21),
    ("serious-harm", "known-no-cin-services", 15),
    ("serious-harm", "known-to-social-care", 2),
    ("serious-harm", "not-known-to-social-care", 18),
    ("serious-harm", "previously-known-case-closed", 7),
    ("serious-harm", "social-care-status-not-recorded", 2),
)
# Each child's main maltreatment: physical abuse and neglect the most common, as published.
_CALIBRATED_MALTREATMENT = (
    ("physical-abuse", 66),
    ("neglect", 58),
    ("sexual-abuse", 24),
    ("emotional-abuse", 20),
    ("multiple-categories", 24),
)
_CALIBRATED_CHILDREN_PER_REVIEW = ((1, 105), (2, 33), (3, 7))  # 145 reviews, 192 children
_CALIBRATED_GRADES = (("good", 61), ("adequate", 61), ("inadequate", 23))  # 42% 42% 16%


def calibrated_cohort_2009_10() -> list[dict[str, Any]]:
    """The 145 synthetic reviews (192 children) bundled beside the 2009-10 report.

    With the report's two case studies they reproduce every published 2009-10 figure exactly:
    147 reviews, 194 children, 90 died and 104 seriously harmed, 119 known to social care, 90
    receiving CIN services, 49 on a CP plan, 31 who died while receiving CIN services, grades 61
    good / 61 adequate / 23 inadequate (42% / 42% / 16% of the graded reviews), physical abuse
    and neglect the commonest maltreatment. All are reporting year 2009-10 and evaluated between
    1 April 2009 and 31 March 2010. Fixed seed: always the same list.
    """
    rng = random.Random(CALIBRATED_SEED)
    sizes = [size for size, count in _CALIBRATED_CHILDREN_PER_REVIEW for _ in range(count)]
    statuses = [(outcome, status) for outcome, status, count in _CALIBRATION for _ in range(count)]
    maltreatments = [code for code, count in _CALIBRATED_MALTREATMENT for _ in range(count)]
    grades = [grade for grade, count in _CALIBRATED_GRADES for _ in range(count)]
    assert len(statuses) == len(maltreatments) == sum(sizes)
    assert len(grades) == len(sizes)
    for deck in (sizes, statuses, maltreatments, grades):
        rng.shuffle(deck)
    dates = sorted(_evaluation_date(rng, 2009) for _ in sizes)

    reviews = []
    position = 0
    for n, size in enumerate(sizes):
        specs = [
            {"outcome": outcome, "status": status, "maltreatment": maltreatment}
            for (outcome, status), maltreatment in zip(
                statuses[position : position + size],
                maltreatments[position : position + size],
                strict=True,
            )
        ]
        position += size
        reviews.append(
            _review(
                rng,
                seed=CALIBRATED_SEED,
                number=n + 1,
                year=2009,
                child_specs=specs,
                grade=grades[n],
                evaluation_date=dates[n],
            )
        )
    return reviews


def _lesson_cell(lesson: dict[str, Any], review_id: str) -> str:
    agencies = lesson.get("agencies") or []
    if len(agencies) > 1:
        raise ValueError(
            f"Review {review_id}: a lesson concerning {len(agencies)} agency types cannot be"
            " written as CSV (one `theme@agency-type` per lesson); write JSON instead."
        )
    return f"{lesson['theme']}@{agencies[0]}" if agencies else lesson["theme"]


def _csv_rows(reviews: Iterable[dict[str, Any]]) -> Iterator[list[str]]:
    for review in reviews:
        if not review.get("children"):
            raise ValueError(
                f"Review {review.get('id')}: the CSV format has one row per child, and this"
                " review has no children."
            )
        common = [
            review["id"],
            review["type"],
            review["board"],
            review["reporting_year"],
            review.get("evaluation_date") or "",
            review.get("quality_grade") or "",
            review.get("method") or "",
            ";".join(review.get("agencies", ())),
            ";".join(_lesson_cell(lesson, review["id"]) for lesson in review.get("lessons", ())),
        ]
        synthetic = "true" if review.get("synthetic") else "false"
        for child in review["children"]:
            views = child.get("views_sought")
            yield [
                *common,
                child["id"],
                child["age_band"],
                child["outcome"],
                child["social_care_status"],
                ";".join(child.get("maltreatment", ())),
                ";".join(child.get("risk_factors", ())),
                child.get("incident_category") or "",
                "" if views is None else str(views),
                synthetic,
            ]


def write_csv(reviews: Iterable[dict[str, Any]], path: str | Path) -> None:
    """Write reviews as the CSV of docs/input-formats.md: UTF-8, a header, one row per child."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(_csv_rows(reviews))


_OPTIONAL_REVIEW_COLUMNS = (
    ("evaluation_date", "evaluation_date"),
    ("quality_grade", "quality_grade"),
    ("method", "review_method"),
)


def read_csv(path: str | Path) -> list[dict[str, Any]]:
    """Read a CSV written by `write_csv` back into reviews (lesson texts are not in the CSV)."""

    def split(cell: str) -> list[str]:
        return [item for item in cell.split(";") if item]

    def lesson(item: str) -> dict[str, Any]:
        theme, _, agency = item.partition("@")
        return {"theme": theme, "agencies": [agency] if agency else []}

    reviews: dict[str, dict[str, Any]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            review = reviews.get(row["review_id"])
            if review is None:
                review = reviews[row["review_id"]] = {
                    "id": row["review_id"],
                    "type": row["review_type"],
                    "board": row["board"],
                    "reporting_year": row["reporting_year"],
                }
                for key, column in _OPTIONAL_REVIEW_COLUMNS:
                    if row[column]:
                        review[key] = row[column]
                review["synthetic"] = row["synthetic"] == "true"
                review["agencies"] = split(row["agencies"])
                review["lessons"] = [lesson(item) for item in split(row["lessons"])]
                review["children"] = []
            child = {
                "id": row["child_id"],
                "age_band": row["age_band"],
                "outcome": row["outcome"],
                "social_care_status": row["social_care_status"],
                "maltreatment": split(row["maltreatment"]),
                "risk_factors": split(row["risk_factors"]),
            }
            if row["incident_category"]:
                child["incident_category"] = row["incident_category"]
            if row["views_sought"]:
                child["views_sought"] = int(row["views_sought"])
            review["children"].append(child)
    return list(reviews.values())


def write_json(
    reviews: Sequence[dict[str, Any]], path: str | Path, *, title: str, synthetic: bool = True
) -> None:
    """Write reviews as the JSON of docs/input-formats.md, with a dataset ``title``."""
    document = {"dataset": {"title": title, "synthetic": synthetic}, "reviews": list(reviews)}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def generate_file(path: str | Path, n_reviews: int, seed: int) -> list[dict[str, Any]]:
    """Generate ``n_reviews`` reviews with ``seed`` and write them to ``path`` (.csv or .json).

    Returns the reviews written. About 84 triples per review once loaded (see the module doc).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ValueError(
            f"Cannot tell which format to write for {path.name!r}: give a file name ending in"
            " .csv or .json."
        )
    reviews = generate_reviews(n_reviews, seed=seed)
    if suffix == ".csv":
        write_csv(reviews, path)
    else:
        title = f"Synthetic coded reviews ({n_reviews} reviews, seed {seed})"
        write_json(reviews, path, title=title, synthetic=True)
    return reviews


def write_bundled_cohort(path: str | Path = BUNDLED_COHORT) -> Path:
    """(Re)write the bundled synthetic-cohort-2009-10.csv from `calibrated_cohort_2009_10`."""
    write_csv(calibrated_cohort_2009_10(), path)
    return Path(path)


def estimate_triples(reviews: Iterable[dict[str, Any]]) -> int:
    """How many triples the mapping of docs/data-model.md makes of these reviews.

    Counts the records only (not the source graph's provenance description). Every node of a
    synthetic review carries ``scr:isSynthetic``, and so does a board only synthetic reviews name.
    """
    total = 0
    boards: dict[str, bool] = {}  # board label: whether only synthetic reviews name it
    for review in reviews:
        flag = 1 if review.get("synthetic") else 0
        boards[review["board"]] = boards.get(review["board"], True) and bool(flag)
        children = review.get("children", ())
        agencies = review.get("agencies", ())
        lessons = review.get("lessons", ())
        # type, label, commissionedBy, reportingYear, then the optional ones
        total += 4 + flag
        total += sum(1 for key in ("evaluation_date", "quality_grade", "method") if review.get(key))
        total += len(children) + len(agencies) + len(lessons)  # the links
        total += (3 + flag) * len(agencies)  # type, label, agencyType
        total += sum(3 + flag + len(lesson.get("agencies") or ()) for lesson in lessons)
        for child in children:
            total += 5 + flag + len(child.get("maltreatment", ()))
            total += len(child.get("risk_factors", ()))
            total += 1 if child.get("views_sought") is not None else 0
            if child.get("incident_category"):
                total += 1 + 3 + flag  # experienced, and the incident's type, label, category
    return total + sum(2 + only_synthetic for only_synthetic in boards.values())


if __name__ == "__main__":
    print(f"wrote {write_bundled_cohort()}")
