"""Readers for coded reviews: CSV (one row per child) and JSON (nested reviews).

Both formats are documented in docs/input-formats.md and implemented exactly: the columns or keys
listed there and no others, the same rules (loader/records.py), and the same records out. Input is
decoded as strict UTF-8 (a leading byte-order mark is allowed); nothing is guessed.

Locations in messages: CSV rows are numbered as a spreadsheet shows them, the header being row 1;
JSON locations are paths such as ``reviews[3].children[0].outcome`` (indices from 0).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

from scrkg.loader.errors import (
    PersonalDataError,
    ProblemLog,
    SourceFormatError,
    TooManyProblems,
)
from scrkg.loader.guard import personal_field
from scrkg.loader.records import (
    Checker,
    Child,
    CodedDataset,
    Lesson,
    Progress,
    Recommendation,
    Registry,
    Review,
    Vocabulary,
    check_reviews,
    split_list,
)

REVIEW_COLUMNS = (
    "review_id", "review_type", "board", "reporting_year", "evaluation_date", "quality_grade",
    "review_method", "agencies", "lessons", "synthetic",
    # today's reviews (since 2018)
    "notification_date", "rapid_review_id", "rapid_review_date", "rapid_review_decision",
    "publication_date", "report_address", "statutory_partners", "succeeded_board",
)  # fmt: skip
CHILD_COLUMNS = (
    "child_id", "age_band", "outcome", "social_care_status", "maltreatment", "risk_factors",
    "incident_category", "views_sought", "sex", "ethnic_group",
)  # fmt: skip
#: The columns of one recommendation, ``N`` its number (1, 2, ...): ``recommendation_N`` is its
#: text, the others add to it. They are review-level columns, repeated on every row of a review.
RECOMMENDATION_PARTS = ("", "_addressed_to", "_status", "_status_date", "_status_evidence")
RECOMMENDATION_COLUMNS = tuple(f"recommendation_N{part}" for part in RECOMMENDATION_PARTS)
_RECOMMENDATION = re.compile(r"^recommendation_([1-9][0-9]{0,2})(|_addressed_to|_status|"
                             r"_status_date|_status_evidence)$")  # fmt: skip
COLUMNS = REVIEW_COLUMNS + CHILD_COLUMNS
REQUIRED_COLUMNS = (
    "review_id", "review_type", "board", "reporting_year", "agencies",
    "child_id", "age_band", "outcome", "social_care_status",
)  # fmt: skip

PROGRESS_EVERY = 2_000


def refuse_nul_bytes(data: bytes, file: str) -> None:
    """Refuse a source holding a NUL byte, naming its byte offset and line.

    No text format scrkg reads has a use for NUL, and a file holding one is most often not text
    at all, or text saved as UTF-16.
    """
    offset = data.find(b"\0")
    if offset >= 0:
        line = data.count(b"\n", 0, offset) + 1
        raise SourceFormatError(
            f"holds a NUL byte (0x00) at byte offset {offset}; a source must be UTF-8 text "
            "without NUL bytes: remove it, or save the file as UTF-8 if it is UTF-16",
            file=file,
            location=f"line {line}",
            rule="nul-byte",
        )


def decode_utf8(data: bytes, file: str) -> str:
    """The text of a file that must be UTF-8; the error names the byte offset and line."""
    refuse_nul_bytes(data, file)
    try:
        return data.decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError as error:
        offset = error.start
        line = data.count(b"\n", 0, offset) + 1
        raise SourceFormatError(
            f"is not valid UTF-8: byte 0x{data[offset]:02x} at byte offset {offset}; "
            "save the file as UTF-8",
            file=file,
            location=f"line {line}",
            rule="utf-8",
        ) from None


def field_problem(name: str, location: str, known: tuple[str, ...], what: str):
    """The error for a column or key that is not part of the format."""
    term = personal_field(name)
    if term is not None:
        return PersonalDataError(
            f"the {what} {name!r} looks like personal data ({term}); scrkg holds pseudonymous "
            f"codes only, remove this {what}",
            location=location,
            field=name,
            rule="personal-data-field",
        )
    return SourceFormatError(
        f"unknown {what} {name!r}; the {what}s are: {', '.join(known)}",
        location=location,
        field=name,
        rule=f"unknown-{what}",
    )


# -- CSV -----------------------------------------------------------------------------------------


def read_csv(
    data: bytes, file: str, vocabulary: Vocabulary, progress: Progress | None = None
) -> CodedDataset:
    """Coded reviews from CSV bytes; raises a :class:`LoadError` carrying every problem found."""
    text = decode_utf8(data, file)
    log = ProblemLog(file)
    reader = _CsvReader(Checker(log, vocabulary), progress)
    with contextlib.suppress(TooManyProblems):
        try:
            reader.read(text)
        except csv.Error as error:
            log.add(
                SourceFormatError(
                    f"is not well-formed CSV ({error}); check the quotes on this row",
                    location=f"row {reader.row + 1}",  # the row being read when it failed
                    rule="csv",
                )
            )
    log.raise_if_any()
    return CodedDataset(list(reader.reviews.values()), records=reader.records)


class _CsvReader:
    """One pass over the rows of a CSV file, building reviews and checking every cell."""

    def __init__(self, checker: Checker, progress: Progress | None) -> None:
        self.checker = checker
        self.registry = Registry(checker)
        self.progress = progress
        self.reviews: dict[str, Review] = {}
        self.first_rows: dict[str, tuple[int, dict[str, object]]] = {}
        self.row = 1  # the last row read
        self.records = 0

    def read(self, text: str) -> None:
        rows = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(rows, None)
        if header is None:
            self.checker.add(SourceFormatError("is empty; expected a header row", rule="header"))
            return
        columns = self.header(header)
        if columns is None:
            return
        for self.row, cells in enumerate(rows, start=2):
            if not cells or all(not c.strip() for c in cells):
                continue  # blank line
            self.records += 1
            if len(cells) != len(columns):
                self.checker.add(
                    SourceFormatError(
                        f"has {len(cells)} fields but the header has {len(columns)} "
                        "(an unquoted comma, or a missing one?)",
                        location=f"row {self.row}",
                        rule="field-count",
                    )
                )
                continue
            self.read_row(dict(zip(columns, cells, strict=True)), f"row {self.row}")
            if self.progress and self.records % PROGRESS_EVERY == 0:
                self.progress("read", self.records, None)
        if self.progress:
            self.progress("read", self.records, self.records)
        check_reviews(list(self.reviews.values()), self.checker)

    def header(self, header: list[str]) -> list[str] | None:
        """The header's column names, or None after reporting what is wrong with it."""
        columns = [name.strip() for name in header]
        ok = True
        seen: set[str] = set()
        for name in columns:
            if name in seen:
                self.checker.add(
                    SourceFormatError(
                        f"column {name!r} appears twice",
                        location="row 1",
                        field=name,
                        rule="header",
                    )
                )
                ok = False
            seen.add(name)
            if name not in COLUMNS and not _RECOMMENDATION.match(name):
                known = COLUMNS + RECOMMENDATION_COLUMNS
                self.checker.add(field_problem(name, "row 1", known, "column"))
                ok = False
        missing = [name for name in REQUIRED_COLUMNS if name not in seen]
        if missing:
            self.checker.add(
                SourceFormatError(
                    f"the header lacks the required column(s) {', '.join(missing)}",
                    location="row 1",
                    rule="header",
                )
            )
            ok = False
        return columns if ok else None

    def read_row(self, cells: dict[str, str], where: str) -> None:
        check = self.checker
        review_id = check.text(cells["review_id"], where, "review_id", required=True)
        review = None
        if review_id is not None:
            values = _review_values(cells)
            if review_id in self.first_rows:
                self.agree(review_id, values, where)
                review = self.reviews.get(review_id)
            else:
                self.first_rows[review_id] = (self.row, values)
                review = self.read_review(review_id, cells, where)
                if review is not None:
                    self.reviews[review_id] = review
        child = self.read_child(cells, where)
        if review is not None and child is not None:
            review.children.append(child)

    def agree(self, review_id: str, values: dict[str, object], where: str) -> None:
        """Review-level columns must be the same on every row of a review."""
        first_row, first = self.first_rows[review_id]
        for column, value in values.items():
            if value != first[column]:
                self.checker.problem(
                    f"{_cell(value)} differs from {_cell(first[column])} in row {first_row} for "
                    f"review {review_id!r}; review-level columns must agree on every row of a "
                    "review",
                    where,
                    column,
                    "review-consistency",
                )

    def read_review(self, review_id: str, cells: dict[str, str], where: str) -> Review | None:
        check = self.checker
        agencies_cell = cells["agencies"]
        agencies = check.codes(split_list(agencies_cell), where, "agencies")
        if not agencies and not split_list(agencies_cell):
            check.problem("is required and is empty", where, "agencies", "required")
        review = Review(
            id=review_id,
            type=check.code(cells["review_type"], where, "review_type", required=True) or "",
            board=check.text(cells["board"], where, "board", required=True) or "",
            reporting_year=check.reporting_year(cells["reporting_year"], where, "reporting_year")
            or "",
            agencies=agencies,
            evaluation_date=check.date(cells.get("evaluation_date"), where, "evaluation_date"),
            quality_grade=check.code(
                cells.get("quality_grade"), where, "quality_grade", required=False
            ),
            method=check.code(cells.get("review_method"), where, "review_method", required=False),
            synthetic=bool(check.boolean(cells.get("synthetic"), where, "synthetic")),
            lessons=self.read_lessons(cells.get("lessons") or "", agencies, where),
            location=where,
            notification_date=check.date(
                cells.get("notification_date"), where, "notification_date"
            ),
            rapid_review_date=check.date(
                cells.get("rapid_review_date"), where, "rapid_review_date"
            ),
            publication_date=check.date(cells.get("publication_date"), where, "publication_date"),
            report_address=check.address(cells.get("report_address"), where, "report_address"),
            rapid_review_id=check.text(
                cells.get("rapid_review_id"), where, "rapid_review_id", required=False
            ),
            rapid_review_decision=check.code(
                cells.get("rapid_review_decision"), where, "rapid_review_decision", required=False
            ),
            statutory_partners=check.codes(
                split_list(cells.get("statutory_partners", "")), where, "statutory_partners"
            ),
            succeeded_board=check.text(
                cells.get("succeeded_board"), where, "succeeded_board", required=False
            ),
            recommendations=self.read_recommendations(cells, where),
        )
        return review

    def read_recommendations(self, cells: dict[str, str], where: str) -> list[Recommendation]:
        """The recommendations of a row, by their number; a number with no text is refused."""
        check = self.checker
        numbers = sorted({int(m[1]) for name in cells if (m := _RECOMMENDATION.match(name))})
        found = []
        for number in numbers:
            name = f"recommendation_{number}"
            parts = {part: cells.get(name + part, "").strip() for part in RECOMMENDATION_PARTS}
            if not any(parts.values()):
                continue
            text = check.text(parts[""], where, name, required=True)
            addressed_to = check.codes(
                split_list(parts["_addressed_to"]),
                where,
                name + "_addressed_to",
                scheme_field="addressed_to",
            )
            status = check.code(
                parts["_status"], where, name + "_status", required=False, scheme_field="status"
            )
            status_date = check.date(parts["_status_date"], where, name + "_status_date")
            evidence = check.text(
                parts["_status_evidence"], where, name + "_status_evidence", required=False
            )
            if text is not None:
                found.append(
                    Recommendation(number, text, addressed_to, status, status_date, evidence)
                )
        return found

    def read_lessons(self, cell: str, agencies: tuple[str, ...], where: str) -> list[Lesson]:
        """``theme`` or ``theme@agency-type`` items, in order (they are numbered so)."""
        lessons = []
        for item in split_list(cell):
            theme_text, _, agency = item.partition("@")
            if "@" in agency:
                self.checker.problem(
                    f"{item!r} names more than one agency; write theme@agency-type",
                    where,
                    "lessons",
                    "lesson-syntax",
                )
                continue
            theme = self.checker.code(theme_text, where, "lessons", required=True)
            concerns = (
                self.checker.lesson_agencies([agency], agencies, where, "lessons") if agency else ()
            )
            if theme is not None:
                lessons.append(Lesson(theme=theme, agencies=concerns))
        return lessons

    def read_child(self, cells: dict[str, str], where: str) -> Child | None:
        check = self.checker
        child_id = check.text(cells["child_id"], where, "child_id", required=True)
        if child_id is not None and not self.registry.child(child_id, where, "child_id"):
            child_id = None
        values = (
            check.code(cells["age_band"], where, "age_band", required=True),
            check.code(cells["outcome"], where, "outcome", required=True),
            check.code(cells["social_care_status"], where, "social_care_status", required=True),
        )
        child = Child(
            id=child_id or "",
            age_band=values[0] or "",
            outcome=values[1] or "",
            social_care_status=values[2] or "",
            maltreatment=check.codes(
                split_list(cells.get("maltreatment", "")), where, "maltreatment"
            ),
            risk_factors=check.codes(
                split_list(cells.get("risk_factors", "")), where, "risk_factors"
            ),
            incident_category=check.code(
                cells.get("incident_category"), where, "incident_category", required=False
            ),
            views_sought=check.count(cells.get("views_sought"), where, "views_sought"),
            sex=check.code(cells.get("sex"), where, "sex", required=False),
            ethnic_group=check.code(
                cells.get("ethnic_group"), where, "ethnic_group", required=False
            ),
            location=where,
        )
        if child_id is None or None in values:
            return None
        return child


def _review_values(cells: dict[str, str]) -> dict[str, object]:
    """The review-level cells of a row, normalised for comparison across rows."""
    values: dict[str, object] = {}
    for column in cells:
        if column not in REVIEW_COLUMNS and not _RECOMMENDATION.match(column):
            continue
        cell = cells[column].strip()
        if column in ("agencies", "statutory_partners"):
            values[column] = tuple(sorted(set(split_list(cell))))
        elif column == "lessons":
            values[column] = tuple(split_list(cell))
        elif column == "synthetic":
            values[column] = cell.lower() or "false"
        else:
            values[column] = cell
    return values


def _cell(value: object) -> str:
    if isinstance(value, tuple):
        value = ";".join(value)
    return repr(value)


# -- JSON ----------------------------------------------------------------------------------------

TOP_KEYS = ("dataset", "reviews")
DATASET_KEYS = ("title", "synthetic")
REVIEW_KEYS = (
    "id", "type", "board", "reporting_year", "evaluation_date", "quality_grade", "method",
    "synthetic", "agencies", "lessons", "children",
    # today's reviews (since 2018): the CSV's column names
    "notification_date", "rapid_review_id", "rapid_review_date", "rapid_review_decision",
    "publication_date", "report_address", "statutory_partners", "succeeded_board",
    "recommendations",
)  # fmt: skip
RECOMMENDATION_KEYS = ("text", "addressed_to", "status", "status_date", "status_evidence")
REVIEW_REQUIRED = ("id", "type", "board", "reporting_year", "agencies", "children")
LESSON_KEYS = ("theme", "text", "agencies")
CHILD_KEYS = (
    "id", "age_band", "outcome", "social_care_status", "maltreatment", "risk_factors",
    "incident_category", "views_sought", "sex", "ethnic_group",
)  # fmt: skip
CHILD_REQUIRED = ("id", "age_band", "outcome", "social_care_status")


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(data: bytes, file: str) -> Any:
    """Strict JSON: UTF-8, no duplicate keys, no NaN/Infinity; errors give line and column."""
    text = decode_utf8(data, file)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise SourceFormatError(
            f"is not valid JSON: {error.msg}",
            file=file,
            location=f"line {error.lineno}, column {error.colno}",
            rule="json",
        ) from None
    except _DuplicateKey as error:
        raise SourceFormatError(
            f"is not valid JSON for scrkg: the key {str(error)!r} appears twice in one object",
            file=file,
            rule="json",
        ) from None
    except RecursionError:
        raise SourceFormatError(
            "is nested too deeply to be read (arrays or objects inside each other thousands deep)",
            file=file,
            rule="json",
        ) from None
    except ValueError as error:
        raise SourceFormatError(f"is not valid JSON: {error}", file=file, rule="json") from None


def read_json(
    data: bytes, file: str, vocabulary: Vocabulary, progress: Progress | None = None
) -> CodedDataset:
    """Coded reviews from JSON bytes; raises a :class:`LoadError` carrying every problem found."""
    document = parse_json(data, file)
    log = ProblemLog(file)
    reader = _JsonReader(Checker(log, vocabulary), progress)
    dataset = CodedDataset([])
    with contextlib.suppress(TooManyProblems):
        dataset = reader.read(document)
    log.raise_if_any()
    return dataset


class _JsonReader:
    """Walks the documented JSON shape, checking types, keys and values as it goes."""

    def __init__(self, checker: Checker, progress: Progress | None) -> None:
        self.checker = checker
        self.registry = Registry(checker)
        self.progress = progress

    # shape helpers ------------------------------------------------------------------------------

    def shape(self, message: str, path: str, key: str | None = None) -> None:
        self.checker.add(SourceFormatError(message, location=path, field=key, rule="json-shape"))

    def object(
        self, value: Any, path: str, keys: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.shape(f"must be an object, not {_json_type(value)}", path)
            return None
        for key in value:
            if key not in keys:
                self.checker.add(field_problem(key, _join(path, key), keys, "key"))
        for key in required:
            if key not in value:
                self.checker.problem(
                    f"the required key {key!r} is missing", path or "document", key, "required"
                )
        return value

    def string(self, obj: dict[str, Any], key: str, path: str) -> str | None:
        value = obj.get(key)
        if value is None or isinstance(value, str):
            return value
        self.shape(f"must be a string, not {_json_type(value)}", _join(path, key), key)
        return None

    def strings(self, obj: dict[str, Any], key: str, path: str) -> list[tuple[str, str]]:
        """A list of strings, each with its own path."""
        value = obj.get(key)
        if value is None:
            return []
        where = _join(path, key)
        if not isinstance(value, list):
            self.shape(f"must be a list of codes, not {_json_type(value)}", where, key)
            return []
        items = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                items.append((item, f"{where}[{i}]"))
            else:
                self.shape(f"must be a string, not {_json_type(item)}", f"{where}[{i}]", key)
        return items

    def codes(self, obj: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
        codes: dict[str, None] = {}
        for item, where in self.strings(obj, key, path):
            code = self.checker.code(item, where, key, required=False)
            if code is not None:
                codes[code] = None
        return tuple(codes)

    def list(self, obj: dict[str, Any], key: str, path: str) -> list[Any]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.shape(f"must be a list, not {_json_type(value)}", _join(path, key), key)
            return []
        return value

    # the documented shape ---------------------------------------------------------------------

    def read(self, document: Any) -> CodedDataset:
        top = self.object(document, "", TOP_KEYS, ("reviews",))
        if top is None:
            return CodedDataset([])
        title, synthetic = None, False
        if "dataset" in top:
            meta = self.object(top["dataset"], "dataset", DATASET_KEYS, ())
            if meta is not None:
                title = self.checker.text(
                    self.string(meta, "title", "dataset"), "dataset.title", "title", required=False
                )
                synthetic = bool(self.bool(meta, "synthetic", "dataset", False))
        raw_reviews = self.list(top, "reviews", "")
        reviews: list[Review] = []
        seen: dict[str, str] = {}
        records = 0
        for i, raw in enumerate(raw_reviews):
            path = f"reviews[{i}]"
            review = self.review(raw, path, synthetic)
            if review is not None:
                if review.id in seen:
                    self.checker.problem(
                        f"review {review.id!r} already appears at {seen[review.id]}; "
                        "each review id must be unique",
                        f"{path}.id",
                        "id",
                        "unique-review",
                    )
                else:
                    seen[review.id] = path
                    reviews.append(review)
                    records += len(review.children)
            if self.progress and (i + 1) % PROGRESS_EVERY == 0:
                self.progress("read", i + 1, len(raw_reviews))
        if self.progress:
            self.progress("read", len(raw_reviews), len(raw_reviews))
        check_reviews(reviews, self.checker)
        return CodedDataset(reviews, title=title, records=records)

    def bool(self, obj: dict[str, Any], key: str, path: str, default: bool) -> bool | None:
        value = obj.get(key, default)
        if isinstance(value, bool):
            return value
        self.shape(f"must be true or false, not {_json_type(value)}", _join(path, key), key)
        return None

    def review(self, raw: Any, path: str, dataset_synthetic: bool) -> Review | None:
        obj = self.object(raw, path, REVIEW_KEYS, REVIEW_REQUIRED)
        if obj is None:
            return None
        check = self.checker
        review_id = check.text(self.string(obj, "id", path), f"{path}.id", "id", required=True)
        agencies = self.codes(obj, "agencies", path)
        if "agencies" in obj and not obj["agencies"]:
            check.problem(
                "must name at least one agency type", f"{path}.agencies", "agencies", "required"
            )
        synthetic = self.bool(obj, "synthetic", path, dataset_synthetic)
        if dataset_synthetic and synthetic is False:
            check.problem(
                "is false but the dataset is marked synthetic; a synthetic dataset holds only "
                "synthetic reviews",
                f"{path}.synthetic",
                "synthetic",
                "synthetic",
            )
        review = Review(
            id=review_id or "",
            type=check.code(
                self.string(obj, "type", path), f"{path}.type", "type", required="type" in obj
            )
            or "",
            board=check.text(
                self.string(obj, "board", path), f"{path}.board", "board", required="board" in obj
            )
            or "",
            reporting_year="",
            agencies=agencies,
            evaluation_date=check.date(
                self.string(obj, "evaluation_date", path),
                f"{path}.evaluation_date",
                "evaluation_date",
            ),
            quality_grade=check.code(
                self.string(obj, "quality_grade", path),
                f"{path}.quality_grade",
                "quality_grade",
                required=False,
            ),
            method=check.code(
                self.string(obj, "method", path), f"{path}.method", "method", required=False
            ),
            synthetic=bool(synthetic),
            location=path,
        )
        if "reporting_year" in obj:
            review.reporting_year = (
                check.reporting_year(
                    self.string(obj, "reporting_year", path),
                    f"{path}.reporting_year",
                    "reporting_year",
                )
                or ""
            )
        self.today(obj, path, review)
        for j, raw_lesson in enumerate(self.list(obj, "lessons", path)):
            lesson = self.lesson(raw_lesson, f"{path}.lessons[{j}]", agencies)
            if lesson is not None:
                review.lessons.append(lesson)
        children = self.list(obj, "children", path)
        if "children" in obj and not children and isinstance(obj["children"], list):
            check.problem(
                "must hold at least one child", f"{path}.children", "children", "required"
            )
        for j, raw_child in enumerate(children):
            child = self.child(raw_child, f"{path}.children[{j}]")
            if child is not None:
                review.children.append(child)
        if review_id is None:
            return None
        return review

    def today(self, obj: dict[str, Any], path: str, review: Review) -> None:
        """The optional keys of today's reviews (since 2018), checked as their CSV columns."""
        check = self.checker

        def text(key: str) -> str | None:
            return check.text(self.string(obj, key, path), _join(path, key), key, required=False)

        for key in ("notification_date", "rapid_review_date", "publication_date"):
            value = check.date(self.string(obj, key, path), _join(path, key), key)
            setattr(review, key, value)
        review.report_address = check.address(
            self.string(obj, "report_address", path), _join(path, "report_address"),
            "report_address",
        )  # fmt: skip
        review.rapid_review_id = text("rapid_review_id")
        review.rapid_review_decision = check.code(
            self.string(obj, "rapid_review_decision", path),
            _join(path, "rapid_review_decision"),
            "rapid_review_decision",
            required=False,
        )
        review.statutory_partners = self.codes(obj, "statutory_partners", path)
        review.succeeded_board = text("succeeded_board")
        for j, raw in enumerate(self.list(obj, "recommendations", path)):
            recommendation = self.recommendation(raw, f"{path}.recommendations[{j}]", j + 1)
            if recommendation is not None:
                review.recommendations.append(recommendation)

    def recommendation(self, raw: Any, path: str, position: int) -> Recommendation | None:
        obj = self.object(raw, path, RECOMMENDATION_KEYS, ("text",))
        if obj is None:
            return None
        check = self.checker
        text = check.text(
            self.string(obj, "text", path), f"{path}.text", "text", required="text" in obj
        )
        addressed_to: dict[str, None] = {}
        for item, where in self.strings(obj, "addressed_to", path):
            code = check.code(item, where, "addressed_to", required=False)
            if code is not None:
                addressed_to[code] = None
        status = check.code(
            self.string(obj, "status", path), f"{path}.status", "status", required=False
        )
        status_date = check.date(
            self.string(obj, "status_date", path), f"{path}.status_date", "status_date"
        )
        evidence = check.text(
            self.string(obj, "status_evidence", path),
            f"{path}.status_evidence",
            "status_evidence",
            required=False,
        )
        if text is None:
            return None
        return Recommendation(position, text, tuple(addressed_to), status, status_date, evidence)

    def lesson(self, raw: Any, path: str, agencies: tuple[str, ...]) -> Lesson | None:
        obj = self.object(raw, path, LESSON_KEYS, ("theme",))
        if obj is None:
            return None
        check = self.checker
        theme = check.code(
            self.string(obj, "theme", path), f"{path}.theme", "theme", required="theme" in obj
        )
        text = check.text(self.string(obj, "text", path), f"{path}.text", "text", required=False)
        concerns: list[str] = []
        for item, where in self.strings(obj, "agencies", path):
            concerns.extend(check.lesson_agencies([item], agencies, where, "agencies"))
        if theme is None:
            return None
        return Lesson(theme=theme, text=text, agencies=tuple(dict.fromkeys(concerns)))

    def child(self, raw: Any, path: str) -> Child | None:
        obj = self.object(raw, path, CHILD_KEYS, CHILD_REQUIRED)
        if obj is None:
            return None
        check = self.checker
        child_id = check.text(
            self.string(obj, "id", path), f"{path}.id", "id", required="id" in obj
        )
        if child_id is not None and not self.registry.child(child_id, f"{path}.id", "id"):
            child_id = None

        def code(key: str, required: bool) -> str | None:
            return check.code(self.string(obj, key, path), f"{path}.{key}", key, required=required)

        values = (
            code("age_band", "age_band" in obj),
            code("outcome", "outcome" in obj),
            code("social_care_status", "social_care_status" in obj),
        )
        views = obj.get("views_sought")
        if views is not None and not isinstance(views, int):
            self.shape(
                f"must be a whole number, not {_json_type(views)}",
                f"{path}.views_sought",
                "views_sought",
            )
            views = None
        child = Child(
            id=child_id or "",
            age_band=values[0] or "",
            outcome=values[1] or "",
            social_care_status=values[2] or "",
            maltreatment=self.codes(obj, "maltreatment", path),
            risk_factors=self.codes(obj, "risk_factors", path),
            incident_category=code("incident_category", False),
            views_sought=check.count(views, f"{path}.views_sought", "views_sought"),
            sex=code("sex", False),
            ethnic_group=code("ethnic_group", False),
            location=path,
        )
        if child_id is None or None in values:
            return None
        return child


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _json_type(value: Any) -> str:
    names: dict[type, str] = {
        dict: "an object", list: "a list", str: "a string", bool: "true/false",
        int: "a number", float: "a number", type(None): "null",
    }  # fmt: skip
    return names.get(type(value), type(value).__name__)


Reader = Callable[[bytes, str, Vocabulary, "Progress | None"], CodedDataset]
READERS: dict[str, Reader] = {".csv": read_csv, ".json": read_json}
