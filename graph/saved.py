"""The saved analyst queries of ontology/queries/: each a .rq file with a title and description."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scrkg.ontology import QUERIES_DIR


@dataclass(frozen=True)
class SavedQuery:
    name: str  # the file name without .rq, e.g. "05-toxic-trio-by-outcome"
    title: str
    description: str
    sparql: str


def read_saved_query(path: Path) -> SavedQuery:
    """Read one .rq file; its `# title:` and `# description:` comment lines describe it."""
    sparql = path.read_text(encoding="utf-8")
    fields = {}
    for line in sparql.splitlines():
        key, sep, value = line.lstrip("# ").partition(":")
        if line.startswith("#") and sep and key in ("title", "description"):
            fields.setdefault(key, value.strip())
    return SavedQuery(
        name=path.stem,
        title=fields.get("title", path.stem),
        description=fields.get("description", ""),
        sparql=sparql,
    )


def saved_queries() -> list[SavedQuery]:
    """All saved queries, in file-name order."""
    return [read_saved_query(p) for p in sorted(QUERIES_DIR.glob("*.rq"))]


def saved_query(name: str) -> SavedQuery:
    path = QUERIES_DIR / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(q.name for q in saved_queries())
        raise KeyError(f"No saved query named {name!r}; the saved queries are: {known}")
    return read_saved_query(path)
