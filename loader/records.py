"""The coded-review model (reviews, children, lessons) and the rules every coded value obeys.

Both tabular readers (CSV and JSON, loader/tabular.py) turn their input into these records through
:class:`Checker`, so a rule is written once: codes must be concepts of the right scheme in
ontology/concepts.ttl, dates are ISO dates, reporting years are ``YYYY-YY`` with consecutive years,
a lesson's agency must be one of its review's agencies, ids are unique, and no value may look like
personal data. A broken rule is reported, with its location, to the file's
:class:`~scrkg.loader.errors.ProblemLog`; the reader carries on so that one run reports them all.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from scrkg.loader.errors import LoadError, PersonalDataError, ProblemLog, RuleError
from scrkg.loader.guard import personal_value
from scrkg.ontology import CONCEPTS_FILE, SCR, SCRC, SKOS

#: A progress callback: ``progress(stage, done, total)``, ``total`` None when unknown.
Progress = Callable[[str, int, "int | None"], None]

#: Concepts that only group others: data points at their narrower concepts (docs/data-model.md).
GROUPING_CONCEPTS = frozenset({"toxic-trio", "adult-facing-services"})

#: The scheme each coded field takes its codes from (local names of scrc: schemes).
FIELD_SCHEMES: dict[str, tuple[str, ...]] = {
    "review_type": ("review-types",),
    "quality_grade": ("quality-grades",),
    "review_method": ("review-methods",),
    "agencies": ("agency-types",),
    "lessons": ("lesson-themes",),
    "age_band": ("age-bands",),
    "outcome": ("outcomes",),
    "social_care_status": ("social-care-statuses",),
    "maltreatment": ("maltreatment-types",),
    "risk_factors": ("risk-factors",),
    "incident_category": ("fatal-incident-categories", "non-fatal-incident-categories"),
    "rapid_review_decision": ("rapid-review-decisions",),
    "statutory_partners": ("agency-types",),
    "addressed_to": ("agency-types",),
    "status": ("recommendation-statuses",),
    "sex": ("sexes",),
    "ethnic_group": ("ethnic-groups",),
    # the JSON format's names for the same fields
    "type": ("review-types",),
    "method": ("review-methods",),
    "theme": ("lesson-themes",),
}

#: Fields that take only some codes of their scheme: a partnership's statutory partners are the
#: local authority, the integrated care board and the police (ontology/shapes.ttl says the same).
FIELD_CODES: dict[str, tuple[str, ...]] = {
    "statutory_partners": ("local-authority", "integrated-care-board", "police"),
}

#: The review types a rapid review can lead to, and the decision that leads to each.
LED_TO_BY = {
    "local-child-safeguarding-practice-review": "practice-review",
    "national-review": "national-review-referral",
}

_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNT = re.compile(r"^\d{1,9}$")


# -- the model ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Lesson:
    """A lesson a review identified: its theme, its own text if any, the agency types it
    concerns."""

    theme: str
    text: str | None = None
    agencies: tuple[str, ...] = ()


@dataclass(slots=True)
class Child:
    """A pseudonymous child who was the subject of a review."""

    id: str
    age_band: str
    outcome: str
    social_care_status: str
    maltreatment: tuple[str, ...] = ()
    risk_factors: tuple[str, ...] = ()
    incident_category: str | None = None
    views_sought: int | None = None
    sex: str | None = None
    ethnic_group: str | None = None
    location: str = ""


@dataclass(slots=True)
class Recommendation:
    """A recommendation a review made: its text, whom it is for and its last published status.

    ``position`` is its number in the review (``recommendation_2`` in CSV, the second in JSON)."""

    position: int
    text: str
    addressed_to: tuple[str, ...] = ()
    status: str | None = None
    status_date: str | None = None
    status_evidence: str | None = None


@dataclass(slots=True)
class Review:
    """One coded case review with its agencies, lessons (in order) and children."""

    id: str
    type: str
    board: str
    reporting_year: str
    agencies: tuple[str, ...]
    evaluation_date: str | None = None
    quality_grade: str | None = None
    method: str | None = None
    synthetic: bool = False
    lessons: list[Lesson] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    location: str = ""
    # today's reviews (since 2018), all optional
    notification_date: str | None = None
    rapid_review_date: str | None = None
    publication_date: str | None = None
    report_address: str | None = None
    rapid_review_id: str | None = None  # the rapid review that led to this review
    rapid_review_decision: str | None = None
    statutory_partners: tuple[str, ...] = ()  # of the board, which is then a partnership
    succeeded_board: str | None = None  # the LSCB the board (a partnership) took over from
    recommendations: list[Recommendation] = field(default_factory=list)

    @property
    def rapid_review_year(self) -> str:
        """The reporting year of the rapid review that led to this review: the year from April
        to March of its date (or of the notification), else the review's own reporting year."""
        date = self.rapid_review_date or self.notification_date
        if not date:
            return self.reporting_year
        year = int(date[:4]) - (int(date[5:7]) < 4)
        return f"{year}-{(year + 1) % 100:02d}"

    @property
    def partnership(self) -> bool:
        """True when the board is a safeguarding partnership: its partners or the LSCB it
        took over from are given."""
        return bool(self.statutory_partners or self.succeeded_board)


@dataclass(slots=True)
class CodedDataset:
    """Everything a CSV or JSON file holds; ``records`` counts what was read (rows, children)."""

    reviews: list[Review]
    title: str | None = None
    records: int = 0

    @property
    def synthetic(self) -> bool:
        """True when every review (and so every child) in it is synthetic."""
        return bool(self.reviews) and all(r.synthetic for r in self.reviews)


# -- the vocabulary ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the rules and the mapping need from ontology/concepts.ttl.

    ``schemes`` maps a scheme's local name to the codes in it (``skos:inScheme``); ``labels`` maps
    a code to its English ``skos:prefLabel``; ``review_classes`` maps a review-type code to the IRI
    of its OWL class (``scr:reviewClass``); ``alt_labels`` maps a code to its English
    ``skos:altLabel`` values (other names of the concept, used to suggest a code).
    """

    schemes: dict[str, frozenset[str]]
    labels: dict[str, str]
    review_classes: dict[str, str]
    alt_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path = CONCEPTS_FILE) -> Vocabulary:
        return _vocabulary(path, path.stat().st_mtime_ns)

    def label(self, code: str) -> str:
        """The concept's label with a capital, e.g. ``"Serious case review"``."""
        text = self.labels.get(code, code)
        return text[:1].upper() + text[1:]


@functools.lru_cache(maxsize=4)
def _vocabulary(path: Path, _mtime: int) -> Vocabulary:
    schemes: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    review_classes: dict[str, str] = {}
    alt_labels: dict[str, list[str]] = {}
    in_scheme = SKOS + "inScheme"
    pref_label = SKOS + "prefLabel"
    alt_label = SKOS + "altLabel"
    review_class = SCR + "reviewClass"
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        s, p, o = quad.subject, quad.predicate.value, quad.object
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(SCRC):
            continue
        code = s.value[len(SCRC) :]
        if p == in_scheme and isinstance(o, ox.NamedNode) and o.value.startswith(SCRC):
            schemes.setdefault(o.value[len(SCRC) :], set()).add(code)
        elif p == pref_label and isinstance(o, ox.Literal):
            if o.language in (None, "en") and (code not in labels or o.language == "en"):
                labels[code] = o.value
        elif p == alt_label and isinstance(o, ox.Literal) and o.language in (None, "en"):
            alt_labels.setdefault(code, []).append(o.value)
        elif p == review_class and isinstance(o, ox.NamedNode):
            review_classes[code] = o.value
    return Vocabulary(
        {k: frozenset(v) for k, v in schemes.items()},
        labels,
        review_classes,
        {k: tuple(v) for k, v in alt_labels.items()},
    )


# -- the rules ---------------------------------------------------------------------------------


class Checker:
    """Applies the rules to raw values of one file, reporting problems to its log.

    Each method takes the raw value, where it came from (``location``, e.g. ``"row 7"`` or a JSON
    path) and the field name, and returns the checked value, or None after reporting a problem.
    """

    def __init__(self, log: ProblemLog, vocabulary: Vocabulary) -> None:
        self.log = log
        self.vocabulary = vocabulary
        # the codes each field accepts; a known code cannot be personal data, so it skips the screen
        self._accepted = {
            name: frozenset(
                code
                for scheme in schemes
                for code in vocabulary.schemes.get(scheme, ())
                if code not in GROUPING_CONCEPTS
            )
            for name, schemes in FIELD_SCHEMES.items()
        }
        for name, codes in FIELD_CODES.items():
            self._accepted[name] = frozenset(codes)

    def problem(self, message: str, location: str, field_name: str, rule: str) -> None:
        self.log.add(RuleError(message, location=location, field=field_name, rule=rule))

    def add(self, error: LoadError) -> None:
        self.log.add(error)

    # values that anyone could type --------------------------------------------------------

    def screened(self, value: str, location: str, field_name: str, *, free_text: bool) -> bool:
        """False (after reporting) when a value looks like personal data."""
        kind = personal_value(value, free_text=free_text)
        if kind is None:
            return True
        self.log.add(
            PersonalDataError(
                f"{_show(value)} looks like {kind}; scrkg holds no personal data, "
                "use pseudonymous ids and codes only",
                location=location,
                field=field_name,
                rule="personal-data-value",
            )
        )
        return False

    def text(
        self, value: str | None, location: str, field_name: str, *, required: bool
    ) -> str | None:
        """A free-text value (id, board, lesson text): required if so, and screened."""
        if value is None or not value.strip():
            if required:
                self.problem("is required and is empty", location, field_name, "required")
            return None
        value = value.strip()
        return value if self.screened(value, location, field_name, free_text=True) else None

    # codes ---------------------------------------------------------------------------------

    def code(
        self,
        value: str | None,
        location: str,
        field_name: str,
        *,
        required: bool,
        scheme_field: str | None = None,
    ) -> str | None:
        """One code of the field's scheme(s) (those of ``scheme_field`` when given)."""
        scheme_field = scheme_field or field_name
        if value is None or not value.strip():
            if required:
                self.problem(
                    f"is required and is empty ({self._hint(scheme_field, '')})",
                    location,
                    field_name,
                    "required",
                )
            return None
        value = value.strip()
        if value in self._accepted[scheme_field]:
            return value
        if not self.screened(value, location, field_name, free_text=False):
            return None
        return self._known(value, location, field_name, scheme_field)

    def codes(
        self,
        values: Iterable[str],
        location: str,
        field_name: str,
        *,
        scheme_field: str | None = None,
    ) -> tuple[str, ...]:
        """A list of codes of the field's scheme, duplicates dropped, order kept."""
        checked: dict[str, None] = {}
        for value in values:
            code = self.code(value, location, field_name, required=False, scheme_field=scheme_field)
            if code is not None:
                checked[code] = None
        return tuple(checked)

    def _known(self, value: str, location: str, field_name: str, scheme_field: str) -> str | None:
        vocab = self.vocabulary
        schemes = FIELD_SCHEMES[scheme_field]
        if scheme_field in FIELD_CODES:
            self.problem(
                f"{_show(value)} is not one of the codes this field takes "
                f"({self._hint(scheme_field, value)})",
                location,
                field_name,
                "concept-code",
            )
            return None
        if any(value in vocab.schemes.get(s, ()) for s in schemes):
            if value in GROUPING_CONCEPTS:
                self.problem(
                    f"{value!r} only groups other concepts; use one of its narrower codes",
                    location,
                    field_name,
                    "grouping-concept",
                )
                return None
            return value
        names = " or ".join(f"scrc:{s}" for s in schemes)
        self.problem(
            f"{_show(value)} is not a code of {names} ({self._hint(scheme_field, value)})",
            location,
            field_name,
            "concept-code",
        )
        return None

    def _hint(self, field_name: str, value: str) -> str:
        """The codes to suggest: all of them when few, else the closest by meaning, or none."""
        codes = sorted(self._accepted[field_name])
        if len(codes) <= 6:
            return "use " + _either(codes)
        close = closest_codes(value, codes, self.vocabulary) if value else []
        if close:
            return f"did you mean {_either(close)}? the codes are listed in {CODES_DOC}"
        if value:
            return f"no code is close to it; choose one of the codes listed in {CODES_DOC}"
        return f"use a code listed in {CODES_DOC}"

    # other typed values ----------------------------------------------------------------------

    def reporting_year(self, value: str | None, location: str, field_name: str) -> str | None:
        """``YYYY-YY`` where the second year follows the first, e.g. ``2009-10``."""
        if value is None or not value.strip():
            self.problem(
                "is required and is empty (e.g. 2009-10)", location, field_name, "required"
            )
            return None
        value = value.strip()
        match = _YEAR.match(value)
        if not match or int(match[2]) != (int(match[1]) + 1) % 100:
            self.problem(
                f"{_show(value)} is not a reporting year written YYYY-YY with consecutive years "
                "(e.g. 2009-10)",
                location,
                field_name,
                "reporting-year",
            )
            return None
        return value

    def date(self, value: str | None, location: str, field_name: str) -> str | None:
        """An optional ISO date ``YYYY-MM-DD`` that exists in the calendar."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        try:
            if not _DATE.match(value):
                raise ValueError
            dt.date.fromisoformat(value)
        except ValueError:
            self.problem(
                f"{_show(value)} is not a date written YYYY-MM-DD (e.g. 2009-06-15)",
                location,
                field_name,
                "date",
            )
            return None
        return value

    def address(self, value: str | None, location: str, field_name: str) -> str | None:
        """An optional web address starting ``http://`` or ``https://``, screened as free text."""
        value = self.text(value, location, field_name, required=False)
        if value is None:
            return None
        try:
            ox.NamedNode(value)
            ok = value.startswith(("http://", "https://")) and len(value) > len("https://")
        except ValueError:
            ok = False
        if not ok:
            self.problem(
                f"{_show(value)} is not a web address; write the whole address of the published "
                "report, e.g. https://example.org/review.pdf",
                location,
                field_name,
                "web-address",
            )
            return None
        return value

    def count(self, value: str | int | None, location: str, field_name: str) -> int | None:
        """An optional whole number, 0 or more."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or not (
            (isinstance(value, int) and 0 <= value < 10**9)
            or (isinstance(value, str) and _COUNT.match(value.strip()))
        ):
            self.problem(
                f"{_show(value)} is not a whole number of 0 or more", location, field_name, "count"
            )
            return None
        return int(value)

    def boolean(self, value: str | bool | None, location: str, field_name: str) -> bool | None:
        """``true`` or ``false`` (empty means false); None after a problem."""
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        text = value.strip().lower() if isinstance(value, str) else None
        if text in ("true", "false"):
            return text == "true"
        if text == "":
            return False
        self.problem(f"{_show(value)} is not true or false", location, field_name, "boolean")
        return None

    def lesson_agencies(
        self, agencies: Iterable[str], review_agencies: tuple[str, ...], location: str, field: str
    ) -> tuple[str, ...]:
        """The agency types a lesson concerns: codes, and among its review's agencies."""
        checked = []
        for code in self.codes(agencies, location, field, scheme_field="agencies"):
            if code not in review_agencies:
                self.problem(
                    f"the lesson concerns {code!r}, which is not among the review's agencies "
                    f"({', '.join(review_agencies) or 'none'}); add it to the agencies",
                    location,
                    field,
                    "lesson-agency",
                )
            else:
                checked.append(code)
        return tuple(checked)


# -- suggestions for a wrong code ----------------------------------------------------------------

#: Where every code is listed, for messages.
CODES_DOC = "docs/data-model.md"

#: Words that say what kind of thing a concept is, or join words, but not which concept it is:
#: sharing one of them does not make a code close (``youth-justice-service`` is not a substance
#: misuse service).
GENERIC_WORDS = frozenset(
    {
        "a", "an", "and", "or", "of", "the", "to", "by", "on", "in", "for", "with", "not", "no",
        "service", "services", "team", "teams", "unit", "department", "type", "code",
    }
)  # fmt: skip
#: Irregular plurals and their singular.
IRREGULAR = {"children": "child", "childrens": "child", "people": "person", "women": "woman"}
#: Endings taken off a word to compare stems (``visiting`` and ``visitor`` are both ``visit``).
SUFFIXES = (
    ("ies", "y"), ("ing", ""), ("ion", ""), ("ed", ""), ("er", ""), ("or", ""), ("es", ""),
    ("s", ""), ("e", ""),
)  # fmt: skip
_WORDS = re.compile(r"[a-z0-9]+")
#: How alike two stems must be (difflib ratio) to count as one word mistyped.
TYPO_RATIO = 0.8


def stem(word: str) -> str:
    """A word's stem for comparison: lower case, irregular plurals and one ending removed."""
    word = IRREGULAR.get(word, word)
    for suffix, replacement in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    return word


def meaning_words(text: str) -> set[str]:
    """The stems of the words of a code or a label that carry meaning."""
    text = text.lower().replace("'s", "").replace("\u2019s", "")
    return {stem(w) for w in _WORDS.findall(text) if w not in GENERIC_WORDS}


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    return min(len(a), len(b)) >= 4 and difflib.SequenceMatcher(None, a, b).ratio() >= TYPO_RATIO


def closest_codes(value: str, codes: Iterable[str], vocabulary: Vocabulary) -> list[str]:
    """Up to three codes closest by meaning to a wrong code, best first; empty when none is.

    Each code is described by the words of the code, its ``skos:prefLabel`` and its
    ``skos:altLabel`` values, compared as stems (a mistyped word counts as the word). The codes
    sharing the most words with ``value`` are chosen; words that carry no meaning (``service``,
    ``team``, ``of``...) and words that most codes of the scheme share (``review`` among review
    types) never make a code close, so a code is never suggested for a word that tells nothing.
    """
    codes = list(codes)
    described = {
        code: set().union(
            meaning_words(code),
            meaning_words(vocabulary.labels.get(code, "")),
            *(meaning_words(label) for label in vocabulary.alt_labels.get(code, ())),
        )
        for code in codes
    }
    counts = Counter(word for words in described.values() for word in words)
    common = {w for w, n in counts.items() if len(codes) >= 4 and n > len(codes) / 2}
    wanted = meaning_words(value) - common
    scored = []
    for code, words in described.items():
        words = words - common
        shared = sum(1 for w in wanted if any(_same_word(w, c) for c in words))
        if shared:
            likeness = difflib.SequenceMatcher(None, value.lower(), code).ratio()
            scored.append((shared, shared / len(words), likeness, code))
    if not scored:
        return []
    best = max(s[0] for s in scored)
    ranked = sorted((s for s in scored if s[0] == best), reverse=True)
    return [code for *_, code in ranked[:3]]


def check_reviews(reviews: list[Review], checker: Checker) -> None:
    """The rules across the reviews of one file, for today's reviews; run after reading.

    A rapid review named on the row of the review it led to gets an id no review of the file
    has, and a decision that leads to a review of that type. A board's statutory partners and
    the LSCB it took over from are facts about the board: where several reviews give them they
    must agree, and every review of the board is then given them, so that each review maps to
    the same board on its own.
    """
    ids = {review.id for review in reviews}
    rapid: dict[str, Review] = {}
    for review in reviews:
        where = review.location
        rr = review.rapid_review_id
        decision = review.rapid_review_decision
        if review.type == "rapid-review":
            if rr is not None:
                checker.problem(
                    "is given on a rapid review; name the rapid review on the row of the review "
                    "it led to, or leave it empty",
                    where,
                    "rapid_review_id",
                    "rapid-review",
                )
            continue
        if rr is None:
            if decision is not None:
                checker.problem(
                    f"{decision!r} is given but rapid_review_id is empty; on a review of another "
                    "type, give the id of the rapid review that made this decision",
                    where,
                    "rapid_review_decision",
                    "rapid-review",
                )
            continue
        if rr in ids or rr in rapid:
            other = (
                "a review of this file" if rr in ids else f"the rapid review of {rapid[rr].id!r}"
            )
            checker.problem(
                f"{rr!r} is already the id of {other}; a rapid review has its own id and leads "
                "to one review",
                where,
                "rapid_review_id",
                "unique-review",
            )
        rapid.setdefault(rr, review)
        wanted = LED_TO_BY.get(review.type)
        if wanted is None:
            checker.problem(
                f"a rapid review leads to a local child safeguarding practice review or a "
                f"national review, not to a {review.type!r}; leave rapid_review_id empty",
                where,
                "rapid_review_id",
                "rapid-review",
            )
        elif decision is not None and decision != wanted:
            checker.problem(
                f"{decision!r} cannot lead to a {review.type!r}; the decision that does is "
                f"{wanted!r}",
                where,
                "rapid_review_decision",
                "rapid-review",
            )
    _agree_on_boards(reviews, checker)


def _agree_on_boards(reviews: list[Review], checker: Checker) -> None:
    """A board's partners and predecessor agree across reviews, and reach every review of it."""
    partners: dict[str, tuple[tuple[str, ...], str]] = {}
    succeeded: dict[str, tuple[str, str]] = {}
    for review in reviews:
        board, where = review.board, review.location
        if review.statutory_partners:
            first = partners.setdefault(board, (review.statutory_partners, where))
            if set(first[0]) != set(review.statutory_partners):
                checker.problem(
                    f"{';'.join(review.statutory_partners)!r} differs from "
                    f"{';'.join(first[0])!r} given for the board {board!r} in {first[1]}; a "
                    "board's statutory partners must agree on every review of it",
                    where,
                    "statutory_partners",
                    "board-consistency",
                )
        if review.succeeded_board:
            if review.succeeded_board == board:
                checker.problem(
                    f"{board!r} cannot take over from itself; give the name of the LSCB the "
                    "partnership took over from",
                    where,
                    "succeeded_board",
                    "board-consistency",
                )
            first_lscb = succeeded.setdefault(board, (review.succeeded_board, where))
            if first_lscb[0] != review.succeeded_board:
                checker.problem(
                    f"{review.succeeded_board!r} differs from {first_lscb[0]!r} given for the "
                    f"board {board!r} in {first_lscb[1]}; a partnership took over from one "
                    "board",
                    where,
                    "succeeded_board",
                    "board-consistency",
                )
    for lscb, where in {v[0]: v[1] for v in succeeded.values()}.items():
        if lscb in partners:
            checker.problem(
                f"{lscb!r} is named as the LSCB a partnership took over from, but it is itself "
                "given statutory partners; an LSCB has none",
                where,
                "succeeded_board",
                "board-consistency",
            )
    for review in reviews:
        if review.board in partners:
            review.statutory_partners = partners[review.board][0]
        if review.board in succeeded:
            review.succeeded_board = succeeded[review.board][0]


class Registry:
    """Remembers where each review and child id was first seen, to refuse duplicates."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.children: dict[str, str] = {}

    def child(self, child_id: str, location: str, field_name: str) -> bool:
        first = self.children.setdefault(child_id, location)
        if first == location:
            return True
        self.checker.problem(
            f"child {_show(child_id)} already appears in {first}; each child id must be unique",
            location,
            field_name,
            "unique-child",
        )
        return False


def split_list(cell: str) -> list[str]:
    """A CSV list cell: items separated by ``;``, whitespace stripped, empty items dropped."""
    return [item.strip() for item in cell.split(";") if item.strip()]


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def _either(codes: list[str]) -> str:
    if len(codes) <= 1:
        return "".join(codes)
    return ", ".join(codes[:-1]) + " or " + codes[-1]
