"""Does a download hold synthetic data? The one place that answers, for the site and the CLI.

Synthetic records (invented to look like a cohort of reviews, not real cases) carry
``scr:isSynthetic true``, and so does the node of a graph loaded from a synthetic source. A
download that holds any of them says so:

* in its file name (``...-includes-synthetic.ttl``, see :func:`file_name`);
* on the web, in the header ``X-SCRKG-Synthetic: true`` (:data:`HEADER`);
* in the formats that have line comments (Turtle, TriG, N-Triples, N-Quads), in a first line
  :data:`COMMENT`. JSON-LD, CSV and the SPARQL results formats have no comments, so they have the
  file name and the header; the saved queries' rows carry a ``synthetic`` column besides.

Three questions, each cheap:

* :func:`store_includes_synthetic`: one ASK over the store or one named graph, asked before an
  export starts streaming;
* :func:`triples_include_synthetic`: for a CONSTRUCT or DESCRIBE result already in memory;
* :func:`rows_include_synthetic`: for the rows of a SELECT result already in memory (a column
  named ``synthetic``, or ending in ``Synthetic``, with a true value, or an IRI that carries
  the flag).

The last two ask the store about the IRIs a result names, a few hundred at a time. A result that
only counts records (an aggregate) names none of them, so it is not marked; the saved queries
that count say in their ``real...`` columns how many of the records are real.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from scrkg.graph.store import Store
from scrkg.ontology import SCR

IS_SYNTHETIC = SCR + "isSynthetic"
HEADER = "X-SCRKG-Synthetic"
COMMENT = (
    b"# This file contains SYNTHETIC records (invented, not real cases): "
    b"every synthetic node carries scr:isSynthetic true.\n"
)
MARK = "includes-synthetic"
#: RDF formats with line comments, where the body starts with :data:`COMMENT`.
COMMENTED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS}
BATCH = 500  # IRIs asked about in one query

_TRUE = "FILTER(?flag = true)"


def store_includes_synthetic(store: Store, graph: str | None = None) -> bool:
    """Whether the store, or one named graph of it, holds anything flagged synthetic."""
    where = f"GRAPH {_iri(graph)}" if graph else "GRAPH ?g"
    sparql = f"ASK {{ {where} {{ ?s <{IS_SYNTHETIC}> ?flag }} {_TRUE} }}"
    return bool(store.query(sparql))


def iris_are_synthetic(store: Store, iris: Iterable[str]) -> bool:
    """Whether any of these IRIs carries ``scr:isSynthetic true`` in some named graph."""
    nodes = [_iri(iri) for iri in dict.fromkeys(iris) if _is_iri(iri)]
    for start in range(0, len(nodes), BATCH):
        values = " ".join(nodes[start : start + BATCH])
        sparql = (
            f"ASK {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s <{IS_SYNTHETIC}> ?flag }} {_TRUE} }}"
        )
        if store.query(sparql):
            return True
    return False


def triples_include_synthetic(store: Store, triples: Iterable[ox.Triple | ox.Quad]) -> bool:
    """Whether a graph result states the flag, or names a node the store flags."""
    iris = []
    for triple in triples:
        if triple.predicate.value == IS_SYNTHETIC and is_true(triple.object):
            return True
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.NamedNode):
                iris.append(term.value)
    return iris_are_synthetic(store, iris)


def body_includes_synthetic(store: Store, body: bytes, rdf_format: ox.RdfFormat) -> bool:
    """:func:`triples_include_synthetic` for a serialised graph result."""
    return triples_include_synthetic(store, ox.parse(body, rdf_format))


def rows_include_synthetic(store: Store, body: bytes, media_type: str) -> bool:
    """Whether serialised SELECT rows (SPARQL JSON, XML, CSV or TSV) include synthetic data: a
    true value in a synthetic column, or an IRI the store flags. An ASK answer never does."""
    iris = []
    for name, value in _cells(body, media_type):
        if name.lower().endswith("synthetic") and is_true(value):
            return True
        if isinstance(value, ox.NamedNode):
            iris.append(value.value)
    return iris_are_synthetic(store, iris)


def is_true(value: object) -> bool:
    """A true boolean: the literal true (or 1), or that text in a CSV cell."""
    if isinstance(value, ox.Literal | str):
        text = value if isinstance(value, str) else value.value
        return text.strip().lower() in ("true", "1")
    return False


def file_name(stem: str, extension: str, synthetic: bool) -> str:
    """``stem.extension``, or ``stem-includes-synthetic.extension`` when it holds synthetic data."""
    return f"{stem}-{MARK}.{extension}" if synthetic else f"{stem}.{extension}"


def comment(rdf_format: ox.RdfFormat, synthetic: bool) -> bytes:
    """The first line that says so, in a format with comments; else nothing."""
    return COMMENT if synthetic and rdf_format in COMMENTED else b""


def _cells(body: bytes, media_type: str) -> Iterator[tuple[str, object]]:
    """Each (column, value) of serialised rows: pyoxigraph terms, or text for CSV (whose cells
    that read as an IRI become NamedNodes)."""
    media_type = media_type.split(";")[0].strip()
    if media_type == "text/csv":
        rows = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
        names = next(rows, [])
        for row in rows:
            for name, cell in zip(names, row, strict=False):
                yield name, ox.NamedNode(cell) if _is_iri(cell) else cell
        return
    results = ox.parse_query_results(body, ox.QueryResultsFormat.from_media_type(media_type))
    if not isinstance(results, ox.QuerySolutions):
        return
    names = [variable.value for variable in results.variables]
    for solution in results:
        for name in names:
            value = solution[name]
            if value is not None:
                yield name, value


def _is_iri(text: str) -> bool:
    if ":" not in text:
        return False
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _iri(iri: str) -> str:
    return str(ox.NamedNode(iri))
