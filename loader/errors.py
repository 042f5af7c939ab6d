"""The loader's typed errors, and the log that collects them.

Every refusal says *where* (file, row or line, field) and *which rule* was broken, on one line:

    cohort.csv, row 7, field outcome: 'dead' is not a code of scrc:outcomes (use died or
    serious-harm)

(shown on two lines here; the message itself is one line)

A file is checked in full, up to :data:`MAX_PROBLEMS` problems, before anything is written, so a
user fixes a file in one pass instead of one error per run. The error that is raised is the first
problem (its class, file, location, field and rule) carrying all of them in ``.problems``; its
message's first line is the first problem followed by ``(and N more)``, and the others follow, one
per line.
"""

from __future__ import annotations

from collections.abc import Iterable

#: How many problems one file may collect before the loader stops reading it.
MAX_PROBLEMS = 20


class LoadError(Exception):
    """A source could not be loaded; nothing was written.

    Attributes:
        file: the source's file name (no directories), or None.
        location: where in the file, e.g. ``"row 7"``, ``"line 12, column 3"`` or a JSON path
            such as ``"reviews[3].children[0].outcome"``; None for the whole file.
        field: the column, key or property concerned, or None.
        rule: a short name of the rule that was broken, e.g. ``"concept-code"``.
        message: what is wrong and what to do, without the file/location prefix.
        problems: every problem found in the file (this one first); at least ``[self]``.
        truncated: True when the loader stopped reading after :data:`MAX_PROBLEMS` problems.
    """

    default_rule = "load"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        location: str | None = None,
        field: str | None = None,
        rule: str | None = None,
        problems: Iterable[LoadError] | None = None,
        truncated: bool = False,
    ) -> None:
        self.message = message
        self.file = file
        self.location = location
        self.field = field
        self.rule = rule or self.default_rule
        self.problems: list[LoadError] = list(problems) if problems is not None else [self]
        self.truncated = truncated
        super().__init__(message)

    def line(self) -> str:
        """This problem alone, as one line: ``file, location, field F: message``."""
        where = [part for part in (self.file, self.location) if part]
        # A JSON path already ends with the key; do not say the field twice.
        if self.field and not (self.location and _ends_with_key(self.location, self.field)):
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def __str__(self) -> str:
        first = self.problems[0] if self.problems else self
        head = first.line()
        others = [p for p in self.problems if p is not first]
        if not others:
            return head
        more = (
            f"{len(others)} more, stopped reading there"
            if self.truncated
            else f"{len(others)} more"
        )
        return "\n".join([f"{head} (and {more})", *(f"  {p.line()}" for p in others)])


def _ends_with_key(location: str, key: str) -> bool:
    return location == key or location.endswith("." + key)


class SourceFormatError(LoadError):
    """The file is not well-formed in its format (CSV shape, JSON syntax, Turtle syntax...)."""

    default_rule = "syntax"


class SourceTooLargeError(LoadError):
    """The file is larger than the size cap for one source."""

    default_rule = "size-cap"


class RuleError(LoadError):
    """A value breaks a rule of the data (unknown code, missing field, bad date...)."""

    default_rule = "value"


class PersonalDataError(LoadError):
    """A column, key, property or value looks like personal data; scrkg holds none."""

    default_rule = "personal-data"


class ShapeError(LoadError):
    """The mapped triples break a SHACL shape of ontology/shapes.ttl."""

    default_rule = "shacl"


class TooManyProblems(Exception):
    """Internal: raised by :class:`ProblemLog` to stop reading once it is full."""


class ProblemLog:
    """Collects the problems of one file, up to a limit, then raises them as one error.

    Readers call :meth:`add` for each problem and carry on; once ``limit`` problems are held,
    :meth:`add` raises :class:`TooManyProblems`, and the reader raises :meth:`error`.
    """

    def __init__(self, file: str, limit: int = MAX_PROBLEMS) -> None:
        self.file = file
        self.limit = limit
        self.problems: list[LoadError] = []

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def add(self, problem: LoadError) -> None:
        if problem.file is None:
            problem.file = self.file
        self.problems.append(problem)
        if len(self.problems) >= self.limit:
            raise TooManyProblems

    @property
    def full(self) -> bool:
        return len(self.problems) >= self.limit

    def error(self) -> LoadError | None:
        """The error to raise for the problems held, or None when there are none."""
        if not self.problems:
            return None
        return combine(self.problems, truncated=self.full)

    def raise_if_any(self) -> None:
        error = self.error()
        if error is not None:
            raise error


def combine(problems: list[LoadError], *, truncated: bool = False) -> LoadError:
    """One error standing for several problems: the first one's class and details, all of them
    in ``.problems``."""
    if len(problems) == 1 and not truncated:
        return problems[0]
    first = problems[0]
    return type(first)(
        first.message,
        file=first.file,
        location=first.location,
        field=first.field,
        rule=first.rule,
        problems=problems,
        truncated=truncated,
    )
