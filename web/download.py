"""/download: every download of the data on one page, in plain words.

The page only links: the files come from /export (web/exports.py), which names them, marks the
ones that hold synthetic records and streams them. Listed are the whole graph and each source
graph (what it was loaded from, how many statements it holds, whether it holds synthetic
records), each as Turtle first (what other systems usually ask for), the whole graph also as
TriG (which keeps each source apart), and the other formats /export serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, render_template

from scrkg.graph import synthetic_notice
from scrkg.graph.memo import per_version
from scrkg.graph.store import EXPORT_FORMATS, Store
from scrkg.ontology import ONTOLOGY_IRI
from scrkg.web import get_store
from scrkg.web.exports import _slug

bp = Blueprint("download", __name__)

#: The formats in the order the page offers them, with what each is for, in plain words.
FORMATS = [
    ("turtle", "Turtle", "the format most other systems ask for; readable as text"),
    ("trig", "TriG", "like Turtle, but keeps apart the source each statement came from"),
    ("ntriples", "N-Triples", "one statement a line, for tools that read line by line"),
    ("nquads", "N-Quads", "one statement a line with its source"),
    ("jsonld", "JSON-LD", "JSON, for programs that read JSON"),
]

_GRAPHS_QUERY = """
SELECT ?g (SAMPLE(?title) AS ?name) (GROUP_CONCAT(DISTINCT ?file; separator=", ") AS ?files)
       (SAMPLE(?when) AS ?loaded) WHERE {
  GRAPH ?g { ?g a scr:SourceGraph .
    OPTIONAL { ?g dcterms:title ?title }
    OPTIONAL { ?g dcterms:source ?file }
    OPTIONAL { ?g prov:generatedAtTime ?when } }
} GROUP BY ?g
"""


@dataclass(frozen=True)
class Download:
    """One thing to download: the whole graph (``graph`` None) or one source graph."""

    graph: str | None
    label: str
    files: str  # what it was loaded from
    loaded: str  # when, as YYYY-MM-DD
    statements: int
    synthetic: bool
    stem: str

    def url(self, fmt: str) -> str:
        params = {"format": fmt} if self.graph is None else {"graph": self.graph, "format": fmt}
        return "/export?" + urlencode(params)

    def file_name(self, fmt: str) -> str:
        extension = EXPORT_FORMATS[fmt].file_extension
        return synthetic_notice.file_name(self.stem, extension, self.synthetic)


@bp.get("/download")
def download_page() -> str:
    store = get_store()
    whole, sources = per_version(store, "download-page", lambda: downloads(store))
    return render_template("download.html", whole=whole, sources=sources, formats=FORMATS)


def downloads(store: Store) -> tuple[Download, list[Download]]:
    """The whole graph, and each named graph (sources first by name, the ontology last)."""
    about = {}
    for row in store.query(_GRAPHS_QUERY):
        loaded = row["loaded"]
        about[row["g"].value] = (
            _text(row["name"]),
            _text(row["files"]),
            loaded.value[:10] if isinstance(loaded, ox.Literal) else "",
        )
    sources = []
    for graph in store.named_graphs():
        name, files, loaded = about.get(graph, ("", "", ""))
        if graph == ONTOLOGY_IRI and not name:
            name = "The ontology: the classes, links and concept schemes the records use"
        sources.append(
            Download(
                graph=graph,
                label=name or files or graph,
                files=files,
                loaded=loaded,
                statements=store.triple_count(graph),
                synthetic=synthetic_notice.store_includes_synthetic(store, graph),
                stem="scrkg-" + _slug(graph),
            )
        )
    sources.sort(key=lambda d: (d.graph == ONTOLOGY_IRI, d.label.casefold(), d.graph or ""))
    whole = Download(
        graph=None,
        label="The whole graph",
        files="",
        loaded="",
        statements=store.triple_count(),
        synthetic=synthetic_notice.store_includes_synthetic(store),
        stem="scrkg",
    )
    return whole, sources


def _text(term: object) -> str:
    return term.value if isinstance(term, ox.Literal) else ""
