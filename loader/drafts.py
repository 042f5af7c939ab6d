"""Drafts: the codes a tagger suggests for a review, as a table a person confirms row by row.

A draft has one row per suggestion (docs/input-formats.md, "Drafts"), written as CSV or as JSON
(``{"draft": [{row}, ...]}``, the same keys), with the columns of :data:`DRAFT_COLUMNS`. The
analyst writes ``yes`` or ``no`` in ``accept`` on every row, fills the rows the tagger left for
the required fields it could not suggest, and loads the draft with ``scrkg load``.

Reading a draft (:func:`read_draft`) applies the rules of the coded-review format: each row is
checked with the same :class:`~scrkg.loader.records.Checker` (codes of the field's scheme, dates,
reporting years, personal data), then the accepted rows of each child are put together as one
row of the CSV format and read by the CSV reader of loader/tabular.py, so a draft can hold
nothing a coded review could not. Rows with ``no`` are dropped before anything else is looked
at. What a draft adds is the evidence: each accepted row with a quote becomes, beside its coded
triple, an ``rdf:Statement`` with the quote and a W3C Web Annotation whose target finds the quote
in its document (:func:`evidence_triples`; docs/data-model.md, "Evidence from a tagged document").
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from scrkg.loader.errors import (
    PersonalDataError,
    ProblemLog,
    SourceFormatError,
    TooManyProblems,
)
from scrkg.loader.guard import personal_value
from scrkg.loader.iris import encode_id
from scrkg.loader.mapping import (
    AGE_BAND,
    AGENCY_TYPE,
    COMMISSIONED_BY,
    ETHNIC_GROUP,
    EVALUATION_DATE,
    HAS_RISK_FACTOR,
    INCIDENT_CATEGORY,
    LED_TO_REVIEW,
    LESSON_THEME,
    MALTREATMENT,
    NOTIFICATION_DATE,
    OUTCOME,
    PUBLICATION_DATE,
    QUALITY_GRADE,
    RAPID_REVIEW_DATE,
    RAPID_REVIEW_DECISION,
    RDF_TYPE,
    RDFS_LABEL,
    REPORT_ADDRESS,
    REPORTING_YEAR,
    REVIEW_METHOD,
    SEX,
    SOCIAL_CARE_STATUS,
    STATUTORY_PARTNER,
    SUCCEEDED_BY,
    VIEWS_SOUGHT_COUNT,
    XSD_ANY_URI,
    XSD_DATE,
    XSD_INTEGER,
    Mapper,
)
from scrkg.loader.records import (
    Checker,
    CodedDataset,
    Review,
    Vocabulary,
    check_reviews,
    split_list,
)
from scrkg.loader.tabular import (
    CHILD_COLUMNS,
    COLUMNS,
    REVIEW_COLUMNS,
    _CsvReader,
    decode_utf8,
    field_problem,
    parse_json,
)
from scrkg.ontology import DCTERMS, OA, PROV, RDF, SCR, local_name

#: The columns of a draft, in the order the tagger writes them.
DRAFT_COLUMNS = (
    "review_id", "child_id", "field", "code", "accept", "quote", "page", "start", "end",
    "prefix", "suffix", "document", "sha256", "confidence", "reason",
)  # fmt: skip
#: The columns a draft must have (``accept`` and ``quote`` are what make a CSV file a draft).
REQUIRED_DRAFT_COLUMNS = ("review_id", "child_id", "field", "code", "accept", "quote")

#: Fields of the coded-review format that describe the review (``child_id`` stays empty).
REVIEW_FIELDS = tuple(c for c in REVIEW_COLUMNS if c not in ("review_id", "synthetic"))
#: Fields that describe one child (``child_id`` names it).
CHILD_FIELDS = tuple(c for c in CHILD_COLUMNS if c != "child_id")
DRAFT_FIELDS = REVIEW_FIELDS + CHILD_FIELDS
#: The required fields of the coded-review format: the tagger leaves a row for each one that no
#: suggestion fills, for the analyst to complete.
REQUIRED_REVIEW_FIELDS = ("review_type", "board", "reporting_year", "agencies")
REQUIRED_CHILD_FIELDS = ("age_band", "outcome", "social_care_status")
#: Fields that take several values (one row each); every other field takes one.
LIST_FIELDS = frozenset({"agencies", "lessons", "statutory_partners", "maltreatment",
                         "risk_factors"})  # fmt: skip
DATE_FIELDS = frozenset({"evaluation_date", "notification_date", "rapid_review_date",
                         "publication_date"})  # fmt: skip
TEXT_FIELDS = frozenset({"board", "succeeded_board", "rapid_review_id"})

#: What the reason column says on a row the tagger leaves for a required field.
REQUIRED_REASON = "required: no suggestion; type the code or value and write yes in accept"

_SHA256 = re.compile(r"^(?:sha256:)?([0-9a-f]{64})$")
_WHOLE = re.compile(r"^[0-9]{1,12}$")

#: The fragment syntax of a page of a PDF (``page=N``), RFC 3778.
PDF_FRAGMENTS = ox.NamedNode("http://tools.ietf.org/rfc/rfc3778")


def _node(namespace: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(namespace + name)


STATEMENT, SUBJECT, PREDICATE, OBJECT, VALUE = (
    _node(RDF, name) for name in ("Statement", "subject", "predicate", "object", "value")
)
QUOTE, CHECKSUM, SOURCE_DOCUMENT = (
    _node(SCR, "quote"),
    _node(SCR, "checksum"),
    _node(SCR, "SourceDocument"),
)
DERIVED_FROM, ENTITY = _node(PROV, "wasDerivedFrom"), _node(PROV, "Entity")
TITLE, CONFORMS_TO = _node(DCTERMS, "title"), _node(DCTERMS, "conformsTo")
ANNOTATION, SPECIFIC_RESOURCE = _node(OA, "Annotation"), _node(OA, "SpecificResource")
QUOTE_SELECTOR, POSITION_SELECTOR = (
    _node(OA, "TextQuoteSelector"),
    _node(OA, "TextPositionSelector"),
)
FRAGMENT_SELECTOR, CLASSIFYING = _node(OA, "FragmentSelector"), _node(OA, "classifying")
MOTIVATED_BY, HAS_BODY, HAS_TARGET = (
    _node(OA, name) for name in ("motivatedBy", "hasBody", "hasTarget")
)
HAS_SOURCE, HAS_SELECTOR, REFINED_BY = (
    _node(OA, name) for name in ("hasSource", "hasSelector", "refinedBy")
)
EXACT, PREFIX, SUFFIX, START, END = (
    _node(OA, name) for name in ("exact", "prefix", "suffix", "start", "end")
)

#: The predicate of each child's field whose value is a concept on the child itself.
CHILD_PREDICATES = {
    "age_band": AGE_BAND,
    "outcome": OUTCOME,
    "social_care_status": SOCIAL_CARE_STATUS,
    "maltreatment": MALTREATMENT,
    "risk_factors": HAS_RISK_FACTOR,
    "sex": SEX,
    "ethnic_group": ETHNIC_GROUP,
}
REVIEW_DATES = {
    "evaluation_date": EVALUATION_DATE,
    "notification_date": NOTIFICATION_DATE,
    "rapid_review_date": RAPID_REVIEW_DATE,
    "publication_date": PUBLICATION_DATE,
}


# -- writing a draft -----------------------------------------------------------------------------


def default_child_id(review_id: str) -> str:
    """The id the draft gives the review's first child: ``{review_id}-C1``."""
    return f"{review_id}-C1"


def draft_rows(
    suggestions: Iterable[Any],
    *,
    review_id: str,
    checksums: Mapping[str, str],
    child_id: str | None = None,
) -> tuple[list[dict[str, Any]], list[Any]]:
    """The rows of a draft for one review, and the suggestions a draft cannot hold.

    ``suggestions`` are :class:`~scrkg.loader.tagging.Suggestion` objects; ``checksums`` maps
    each one's ``source`` to the hex SHA-256 of its document. The rows start with one row, its
    quote and accept empty, for each required field that no suggestion fills, then one row per
    suggestion in the order given. A row's values are strings, numbers or None (an empty cell).
    """
    child_id = child_id or default_child_id(review_id)
    rows: list[dict[str, Any]] = []
    left_out: list[Any] = []
    filled: set[str] = set()
    for suggestion in suggestions:
        if suggestion.field not in DRAFT_FIELDS:
            left_out.append(suggestion)
            continue
        filled.add(suggestion.field)
        child = suggestion.field in CHILD_FIELDS
        rows.append(
            {
                "review_id": review_id,
                "child_id": child_id if child else "",
                "field": suggestion.field,
                "code": local_name(suggestion.concept),
                "accept": "",
                "quote": suggestion.quote,
                "page": suggestion.page,
                "start": suggestion.start,
                "end": suggestion.end,
                "prefix": suggestion.prefix,
                "suffix": suggestion.suffix,
                "document": Path(suggestion.source).name,
                "sha256": checksums.get(suggestion.source, ""),
                "confidence": round(float(suggestion.confidence), 3),
                "reason": _reason(suggestion.label, suggestion.matched),
            }
        )
    required = [("", name) for name in REQUIRED_REVIEW_FIELDS if name not in filled]
    required += [(child_id, name) for name in REQUIRED_CHILD_FIELDS if name not in filled]
    placeholders = [
        {
            **dict.fromkeys(DRAFT_COLUMNS, ""),
            "review_id": review_id,
            "child_id": child,
            "field": name,
            "page": None,
            "start": None,
            "end": None,
            "confidence": None,
            "reason": REQUIRED_REASON,
        }
        for child, name in required
    ]
    return placeholders + rows, left_out


def _reason(label: str, matched: str) -> str:
    if not matched or matched.casefold() == label.casefold():
        return label
    return f"{label} (matched: {matched})"


def write_csv(rows: Iterable[Mapping[str, Any]], handle: io.TextIOBase) -> None:
    """The draft as CSV (UTF-8 text, a header row, an empty cell for None)."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(DRAFT_COLUMNS)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in DRAFT_COLUMNS])


def write_json(rows: Iterable[Mapping[str, Any]], handle: io.TextIOBase) -> None:
    """The draft as JSON: ``{"draft": [{row}, ...]}``, numbers as numbers, None as null."""
    document = {"draft": [{c: row.get(c) for c in DRAFT_COLUMNS} for row in rows]}
    json.dump(document, handle, ensure_ascii=False, indent=1)
    handle.write("\n")


# -- recognising a draft -------------------------------------------------------------------------

_JSON_DRAFT = re.compile(rb'^(?:\xef\xbb\xbf)?\s*\{\s*"draft"\s*:')


def is_draft(data: bytes, suffix: str) -> bool:
    """True for a CSV file whose header has ``accept`` and ``quote`` columns, or a JSON file
    whose top-level object's (first) key is ``draft``."""
    if suffix == ".json":
        return _JSON_DRAFT.match(data[:4096]) is not None
    if suffix != ".csv":
        return False
    first = data.split(b"\n", 1)[0]
    try:
        header = next(csv.reader([first.decode("utf-8-sig").rstrip("\r")]), [])
    except (UnicodeDecodeError, csv.Error):
        return False
    names = {name.strip() for name in header}
    return {"accept", "quote"} <= names


# -- reading a draft -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """An accepted row's quote and where it is in its document."""

    where: str  #: the row (``row 7``) or JSON path (``draft[5]``)
    review_id: str
    child_id: str | None
    field: str
    value: str  #: the code or value, as checked
    quote: str
    page: int | None
    start: int | None
    end: int | None
    prefix: str
    suffix: str
    document: str
    sha256: str  #: 64 hex digits


@dataclass(slots=True)
class Draft:
    """What a draft holds once read: the coded reviews, and the evidence of accepted rows."""

    dataset: CodedDataset
    evidence: list[Evidence] = field(default_factory=list)
    #: the lesson items (``theme`` or ``theme@agency``) of each review, in the order numbered
    lessons: dict[str, list[str]] = field(default_factory=dict)
    accepted: int = 0
    rejected: int = 0


@dataclass(slots=True)
class _Accepted:
    where: str
    review_id: str
    child_id: str | None
    field: str
    values: list[str]


@dataclass(slots=True)
class _Record:
    """The accepted values of one review or one child, each with the row it came from."""

    where: str
    values: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def read_draft(data: bytes, file: str, vocabulary: Vocabulary, suffix: str = ".csv") -> Draft:
    """A draft from CSV or JSON (``suffix`` ``.json``) bytes; raises a
    :class:`~scrkg.loader.errors.LoadError` carrying every problem found."""
    log = ProblemLog(file)
    reader = _DraftReader(Checker(log, vocabulary))
    draft = Draft(CodedDataset([]))
    with contextlib.suppress(TooManyProblems):
        read_rows = _json_rows if suffix == ".json" else _csv_rows
        rows = read_rows(data, file, log)
        if not log:
            draft = reader.read(rows)
    log.raise_if_any()
    return draft


def _csv_rows(data: bytes, file: str, log: ProblemLog) -> list[tuple[str, dict[str, str]]]:
    text = decode_utf8(data, file)
    rows: list[tuple[str, dict[str, str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 1
    try:
        header = [name.strip() for name in next(reader, [])]
        for name in header:
            if name not in DRAFT_COLUMNS:
                log.add(field_problem(name, "row 1", DRAFT_COLUMNS, "column"))
        if len(set(header)) != len(header):
            log.add(SourceFormatError("a column appears twice", location="row 1", rule="header"))
        missing = [name for name in REQUIRED_DRAFT_COLUMNS if name not in header]
        if missing:
            log.add(
                SourceFormatError(
                    f"the header lacks the draft's column(s) {', '.join(missing)}",
                    location="row 1",
                    rule="header",
                )
            )
        if log:
            return []
        for number, cells in enumerate(reader, start=2):
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                log.add(
                    SourceFormatError(
                        f"has {len(cells)} fields but the header has {len(header)} "
                        "(an unquoted comma, or a missing one?)",
                        location=f"row {number}",
                        rule="field-count",
                    )
                )
                continue
            row = dict.fromkeys(DRAFT_COLUMNS, "")
            row.update(zip(header, cells, strict=True))
            rows.append((f"row {number}", row))
    except csv.Error as error:
        log.add(
            SourceFormatError(
                f"is not well-formed CSV ({error}); check the quotes on this row",
                location=f"row {number + 1}",
                rule="csv",
            )
        )
    return rows


def _json_rows(data: bytes, file: str, log: ProblemLog) -> list[tuple[str, dict[str, str]]]:
    document = parse_json(data, file)
    if not isinstance(document, dict) or list(document) != ["draft"]:
        keys = ", ".join(document) if isinstance(document, dict) else "not an object"
        log.add(
            SourceFormatError(
                f"a JSON draft is an object with the one key draft, a list of rows (found: {keys})",
                rule="json-shape",
            )
        )
        return []
    if not isinstance(document["draft"], list):
        log.add(SourceFormatError("must be a list of rows", location="draft", rule="json-shape"))
        return []
    rows = []
    for i, item in enumerate(document["draft"]):
        where = f"draft[{i}]"
        if not isinstance(item, dict):
            log.add(SourceFormatError("must be an object", location=where, rule="json-shape"))
            continue
        row = dict.fromkeys(DRAFT_COLUMNS, "")
        for key, value in item.items():
            if key not in DRAFT_COLUMNS:
                log.add(field_problem(key, f"{where}.{key}", DRAFT_COLUMNS, "key"))
            elif value is None:
                row[key] = ""
            elif isinstance(value, str):
                row[key] = value
            elif isinstance(value, int | float) and not isinstance(value, bool):
                row[key] = str(value)
            else:
                log.add(
                    SourceFormatError(
                        "must be a string, a number or null",
                        location=f"{where}.{key}",
                        rule="json-shape",
                    )
                )
        rows.append((where, row))
    return rows


class _DraftReader:
    """Checks each row, then reads the accepted rows of each child through the CSV reader."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.evidence: list[Evidence] = []
        self.accepted: list[_Accepted] = []
        self.rejected = 0

    def problem(self, message: str, where: str, field_name: str, rule: str) -> None:
        self.checker.problem(message, where, field_name, rule)

    def read(self, rows: list[tuple[str, dict[str, str]]]) -> Draft:
        for where, cells in rows:
            self.row(where, cells)
        if self.checker.log:
            return Draft(CodedDataset([]))
        reviews, children = self.gather()
        if self.checker.log:
            return Draft(CodedDataset([]))
        return self.coded(reviews, children, len(rows))

    # one row ------------------------------------------------------------------------------------

    def row(self, where: str, cells: dict[str, str]) -> None:
        accept = cells["accept"].strip().lower()
        if accept not in ("yes", "no"):
            found = f"{cells['accept'].strip()!r} is not yes or no" if accept else "is empty"
            self.problem(
                f"{found}; decide yes or no in the accept column", where, "accept", "accept"
            )
            return
        if accept == "no":
            self.rejected += 1
            return  # a rejected row leaves no trace: nothing else on it is read
        name = cells["field"].strip()
        if name not in DRAFT_FIELDS:
            shown = f"{name!r} is not a field a draft can hold" if name else "is empty"
            self.problem(
                f"{shown}; the fields are: {', '.join(DRAFT_FIELDS)}", where, "field", "field"
            )
            return
        check = self.checker
        review_id = check.text(cells["review_id"], where, "review_id", required=True)
        child_raw = cells["child_id"].strip()
        child_id: str | None = None
        if name in CHILD_FIELDS:
            if not child_raw:
                self.problem(
                    f"is empty, but {name} describes a child: give the child's id (the tagger "
                    "writes REVIEW-C1; copy the row to code another child)",
                    where,
                    "child_id",
                    "required",
                )
                return
            child_id = check.text(child_raw, where, "child_id", required=True)
        elif child_raw:
            self.problem(
                f"is {child_raw!r}, but {name} describes the review, not a child: leave child_id "
                "empty on this row",
                where,
                "child_id",
                "review-field",
            )
            return
        values = self.values(name, cells["code"], where)
        evidence = self.quote(cells, where)
        if review_id is None or (name in CHILD_FIELDS and child_id is None) or values is None:
            return
        self.accepted.append(_Accepted(where, review_id, child_id, name, values))
        if evidence is not None:
            for value in values:
                self.evidence.append(
                    Evidence(where, review_id, child_id, name, value, *evidence)  # type: ignore[arg-type]
                )

    def values(self, name: str, raw: str, where: str) -> list[str] | None:
        """The row's checked value(s): one, or several ``;``-separated in a list field."""
        check = self.checker
        before = len(check.log)
        items = split_list(raw) if name in LIST_FIELDS else [raw.strip()] if raw.strip() else []
        if not items:
            self.problem(
                f"is empty; type the {'value' if name in TEXT_FIELDS else 'code'} of {name} in "
                "the code column, or write no in accept",
                where,
                name,
                "required",
            )
            return None
        out: list[str] = []
        for item in items:
            value: Any
            if name == "lessons":
                theme, _, agency = item.partition("@")
                theme_code = check.code(theme, where, name, required=True)
                agency_code = (
                    check.code(agency, where, name, required=True, scheme_field="agencies")
                    if agency
                    else ""
                )
                value = item if theme_code is not None and agency_code is not None else None
            elif name in DATE_FIELDS:
                value = check.date(item, where, name)
            elif name == "reporting_year":
                value = check.reporting_year(item, where, name)
            elif name in TEXT_FIELDS:
                value = check.text(item, where, name, required=True)
            elif name == "report_address":
                value = check.address(item, where, name)
            elif name == "views_sought":
                count = check.count(item, where, name)
                value = None if count is None else str(count)
            else:
                value = check.code(item, where, name, required=True)
            if value is not None:
                out.append(value)
        return out if len(check.log) == before else None

    def quote(self, cells: dict[str, str], where: str) -> tuple[Any, ...] | None:
        """The row's evidence (quote, page, start, end, prefix, suffix, document, sha256), None
        when it has no quote; problems are reported."""
        quote = cells["quote"]
        numbers: dict[str, int | None] = {}
        for column in ("page", "start", "end"):
            raw = cells[column].strip()
            if not raw:
                numbers[column] = None
            elif _WHOLE.match(raw) and (column != "page" or int(raw) > 0):
                numbers[column] = int(raw)
            else:
                least = "1" if column == "page" else "0"
                self.problem(
                    f"{raw!r} is not a whole number of {least} or more; keep the number the "
                    "tagger wrote",
                    where,
                    column,
                    "evidence",
                )
                return None
        page, start, end = numbers["page"], numbers["start"], numbers["end"]
        if not quote.strip():
            given = [c for c in ("page", "start", "end") if numbers[c] is not None]
            if given:
                self.problem(
                    f"is empty but {', '.join(given)} {'is' if len(given) == 1 else 'are'} "
                    "given; keep the quote as the tagger wrote it, or clear page, start and end "
                    "too to keep the code without its evidence",
                    where,
                    "quote",
                    "evidence",
                )
            return None
        ok = True
        if (start is None) != (end is None):
            self.problem(
                "start and end go together: give both (as the tagger wrote them) or neither",
                where,
                "start" if start is None else "end",
                "evidence",
            )
            ok = False
        elif start is not None and end is not None and end - start != len(quote):
            self.problem(
                f"is {len(quote)} characters long but end - start is {end - start}: the quote "
                "must be the document's text from start to end, as the tagger wrote it; undo "
                "the change to the quote",
                where,
                "quote",
                "evidence",
            )
            ok = False
        document = cells["document"].strip()
        digest = _SHA256.match(cells["sha256"].strip().lower())
        if not document:
            self.problem(
                "is empty; a quote needs the name of the document it was read in",
                where,
                "document",
                "evidence",
            )
            ok = False
        if digest is None:
            self.problem(
                "is not 64 hexadecimal digits; a quote needs the SHA-256 of its document, as the "
                "tagger wrote it",
                where,
                "sha256",
                "evidence",
            )
            ok = False
        prefix, suffix = cells["prefix"], cells["suffix"]
        for column, text, free in (
            ("quote", quote, True),
            ("prefix", prefix, True),
            ("suffix", suffix, True),
            ("document", document, False),
        ):
            ok = self.screened(text, where, column, free) and ok
        if not ok or digest is None:
            return None
        return quote, page, start, end, prefix, suffix, document, digest[1]

    def screened(self, text: str, where: str, column: str, free_text: bool) -> bool:
        """False (after reporting, without repeating the text) when it looks like personal data."""
        if not text.strip():
            return True
        kind = personal_value(text, free_text=free_text)
        if kind is None:
            return True
        if column == "document":
            todo = "rename the file and write its new name here (its checksum stays the same)"
        else:
            todo = (
                "write no in accept, or clear quote, prefix, suffix, page, start and end to keep "
                "the code without this evidence"
            )
        self.checker.add(
            PersonalDataError(
                f"looks like it holds {kind}; scrkg holds no personal data: {todo}",
                location=where,
                field=column,
                rule="personal-data-value",
            )
        )
        return False

    # the rows together ----------------------------------------------------------------------

    def gather(self) -> tuple[dict[str, _Record], dict[tuple[str, str], _Record]]:
        """The accepted values of each review and each child; one value per single field."""
        reviews: dict[str, _Record] = {}
        children: dict[tuple[str, str], _Record] = {}
        for row in self.accepted:
            review = reviews.setdefault(row.review_id, _Record(row.where))
            record = review
            kind = "review"
            if row.child_id is not None:
                record = children.setdefault((row.review_id, row.child_id), _Record(row.where))
                kind = "child"
            held = record.values.setdefault(row.field, [])
            for value in row.values:
                if row.field not in LIST_FIELDS and held and held[0][0] != value:
                    self.problem(
                        f"{value!r} differs from {held[0][0]!r} accepted in {held[0][1]}; a "
                        f"{kind} has one {row.field}: write no on one of the two rows",
                        row.where,
                        row.field,
                        "one-value",
                    )
                    continue
                held.append((value, row.where))
        for review_id, review in reviews.items():
            for name in REQUIRED_REVIEW_FIELDS:
                if name not in review.values:
                    self.problem(
                        f"review {review_id!r} has no accepted {name}: type it in the code column "
                        f"of a {name} row with child_id empty, and write yes in accept",
                        review.where,
                        name,
                        "required",
                    )
            if not any(key[0] == review_id for key in children):
                self.problem(
                    f"review {review_id!r} has no child: accept the age_band, outcome and "
                    "social_care_status rows of at least one child",
                    review.where,
                    "child_id",
                    "required",
                )
        for (review_id, child_id), child in children.items():
            for name in REQUIRED_CHILD_FIELDS:
                if name not in child.values:
                    self.problem(
                        f"child {child_id!r} of review {review_id!r} has no accepted {name}: type "
                        f"it in the code column of a {name} row with this child_id, and write yes "
                        "in accept",
                        child.where,
                        name,
                        "required",
                    )
        return reviews, children

    def coded(
        self,
        reviews: dict[str, _Record],
        children: dict[tuple[str, str], _Record],
        records: int,
    ) -> Draft:
        """The reviews, read as the CSV format reads one row per child."""
        reader = _CsvReader(self.checker, None)
        lessons: dict[str, list[str]] = {}
        for review_id, review in reviews.items():
            lessons[review_id] = _cells(review.values).get("lessons", "").split(";")
            lessons[review_id] = [item for item in lessons[review_id] if item]
        for (review_id, child_id), child in children.items():
            cells = dict.fromkeys(COLUMNS, "")
            cells.update(_cells(reviews[review_id].values))
            cells.update(_cells(child.values))
            cells["review_id"], cells["child_id"] = review_id, child_id
            reader.row = _row_number(child.where)
            reader.read_row(cells, child.where)
        for review_id, review in reader.reviews.items():
            review.location = reviews[review_id].where  # its first accepted row
        check_reviews(list(reader.reviews.values()), self.checker)
        dataset = CodedDataset(list(reader.reviews.values()), records=records)
        return Draft(dataset, self.evidence, lessons, len(self.accepted), self.rejected)


def _cells(values: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """The CSV cells of a record's values: list fields joined by ``;``, duplicates dropped."""
    return {
        name: ";".join(dict.fromkeys(value for value, _ in held)) for name, held in values.items()
    }


def _row_number(where: str) -> int:
    digits = re.findall(r"\d+", where)
    return int(digits[0]) if digits else 0


# -- evidence as triples -----------------------------------------------------------------------


def document_node(base: str, sha256: str) -> ox.NamedNode:
    """``{base}document/sha256-{hex}``: a document is named by its bytes, not by its name."""
    return ox.NamedNode(f"{base}document/sha256-{sha256}")


def evidence_triples(draft: Draft, mapper: Mapper) -> tuple[list[ox.Triple], dict[str, str]]:
    """The evidence of a draft's accepted rows, and the row each evidence node came from.

    Per accepted row with a quote, ``n`` counting them within each review in draft order:
    ``{base}evidence/{review}/{n}`` the rdf:Statement of the coded triple, ``.../annotation``
    the oa:Annotation classifying it, ``.../target`` its oa:SpecificResource, and the selectors
    ``.../page`` (when the document has pages), ``.../quote`` and ``.../position``. Each
    document is described once, as ``{base}document/sha256-{hex}``.
    """
    T = ox.Triple
    base = mapper.mint.base
    reviews = {review.id: review for review in draft.dataset.reviews}
    out: list[ox.Triple] = []
    add = out.append
    where: dict[str, str] = {}
    counts: dict[str, int] = {}
    documents: set[str] = set()
    for item in draft.evidence:
        review = reviews[item.review_id]
        subject, predicate, value = _fact(item, review, draft, mapper)
        document = document_node(base, item.sha256)
        if item.sha256 not in documents:
            documents.add(item.sha256)
            add(T(document, RDF_TYPE, SOURCE_DOCUMENT))
            add(T(document, RDF_TYPE, ENTITY))
            add(T(document, RDFS_LABEL, ox.Literal(item.document)))
            add(T(document, TITLE, ox.Literal(item.document)))
            add(T(document, CHECKSUM, ox.Literal("sha256:" + item.sha256)))
            where[document.value] = item.where
        n = counts[item.review_id] = counts.get(item.review_id, 0) + 1
        iri = f"{base}evidence/{encode_id(item.review_id)}/{n}"
        statement = ox.NamedNode(iri)
        annotation, target = ox.NamedNode(iri + "/annotation"), ox.NamedNode(iri + "/target")
        quote, position = ox.NamedNode(iri + "/quote"), ox.NamedNode(iri + "/position")
        for node in (statement, annotation, target, quote, position):
            where[node.value] = item.where
        label = f"Evidence {n} of review {item.review_id}: {item.field} {item.value}"
        add(T(statement, RDF_TYPE, STATEMENT))
        add(T(statement, RDFS_LABEL, ox.Literal(label)))
        add(T(statement, SUBJECT, subject))
        add(T(statement, PREDICATE, predicate))
        add(T(statement, OBJECT, value))
        add(T(statement, QUOTE, ox.Literal(item.quote)))
        add(T(statement, DERIVED_FROM, document))
        add(T(annotation, RDF_TYPE, ANNOTATION))
        add(T(annotation, MOTIVATED_BY, CLASSIFYING))
        add(T(annotation, HAS_BODY, statement))
        add(T(annotation, HAS_TARGET, target))
        add(T(target, RDF_TYPE, SPECIFIC_RESOURCE))
        add(T(target, HAS_SOURCE, document))
        add(T(quote, RDF_TYPE, QUOTE_SELECTOR))
        add(T(quote, EXACT, ox.Literal(item.quote)))
        if item.prefix:
            add(T(quote, PREFIX, ox.Literal(item.prefix)))
        if item.suffix:
            add(T(quote, SUFFIX, ox.Literal(item.suffix)))
        if item.page is not None:
            # the page, refined by the quote found on it
            page = ox.NamedNode(iri + "/page")
            where[page.value] = item.where
            add(T(target, HAS_SELECTOR, page))
            add(T(page, RDF_TYPE, FRAGMENT_SELECTOR))
            add(T(page, VALUE, ox.Literal(f"page={item.page}")))
            add(T(page, CONFORMS_TO, PDF_FRAGMENTS))
            add(T(page, REFINED_BY, quote))
        else:
            add(T(target, HAS_SELECTOR, quote))
        if item.start is not None and item.end is not None:
            # offsets in the whole document's text, so a selector of the document, not the page
            add(T(target, HAS_SELECTOR, position))
            add(T(position, RDF_TYPE, POSITION_SELECTOR))
            # xsd:integer, not xsd:nonNegativeInteger: the store keeps every integer as that
            add(T(position, START, ox.Literal(str(item.start), datatype=XSD_INTEGER)))
            add(T(position, END, ox.Literal(str(item.end), datatype=XSD_INTEGER)))
    return out, where


def _fact(
    item: Evidence, review: Review, draft: Draft, mapper: Mapper
) -> tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]:
    """The coded triple an accepted row made, as :class:`~scrkg.loader.mapping.Mapper` makes it."""
    mint, concept, name, value = mapper.mint, mapper.concept, item.field, item.value
    node = mint.review(review.id)
    if item.child_id is not None:
        child = mint.child(item.child_id)
        if name == "incident_category":
            return mint.incident(item.child_id), INCIDENT_CATEGORY, concept(value)
        if name == "views_sought":
            return child, VIEWS_SOUGHT_COUNT, ox.Literal(value, datatype=XSD_INTEGER)
        return child, CHILD_PREDICATES[name], concept(value)
    board = mapper.board(review.board)
    if name == "review_type":
        return node, RDF_TYPE, mapper.review_class(value)
    if name == "board":
        return node, COMMISSIONED_BY, board
    if name == "reporting_year":
        return node, REPORTING_YEAR, ox.Literal(value)
    if name in REVIEW_DATES:
        return node, REVIEW_DATES[name], ox.Literal(value, datatype=XSD_DATE)
    if name == "quality_grade":
        return node, QUALITY_GRADE, concept(value)
    if name == "review_method":
        return node, REVIEW_METHOD, concept(value)
    if name == "report_address":
        return node, REPORT_ADDRESS, ox.Literal(value, datatype=XSD_ANY_URI)
    if name == "agencies":
        return mint.agency(review.id, value), AGENCY_TYPE, concept(value)
    if name == "lessons":
        position = draft.lessons[review.id].index(value) + 1
        return mint.lesson(review.id, position), LESSON_THEME, concept(value.partition("@")[0])
    if name == "statutory_partners":
        return board, STATUTORY_PARTNER, concept(value)
    if name == "succeeded_board":
        return mapper.board(value), SUCCEEDED_BY, board
    if name == "rapid_review_id":
        return mint.review(value), LED_TO_REVIEW, node
    if name == "rapid_review_decision":
        on = node if review.type == "rapid-review" else mint.review(review.rapid_review_id or "")
        return on, RAPID_REVIEW_DECISION, concept(value)
    raise ValueError(f"no triple is made for the field {name}")
