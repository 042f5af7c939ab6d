"""SHACL validation of a source's triples with pySHACL, against ontology/shapes.ttl.

The data graph is the source's triples plus the ontology and the concept schemes (the shapes
check concept-scheme membership and classes in it), with no inference and no SHACL advanced
features, as ontology/shapes.ttl expects. Triples are handed over from pyoxigraph term by term,
never by serialising and re-parsing.

The shapes are node-local, so coded sources are validated in chunks of reviews (each with its own
copy of the ontology and concepts), which keeps memory bounded on large files; RDF sources are
validated whole. Violations become :class:`~scrkg.loader.errors.ShapeError` problems that name the
focus node, the path and the shape's ``sh:message``, at the source row when the node came from one.

Building the rdflib graph pySHACL needs costs more than the validation itself; the chunk size
bounds the validation's memory and barely changes its time (docs/performance.md has the
figures).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.term import BNode, Literal, Node, URIRef

from scrkg.loader.errors import ProblemLog, ShapeError
from scrkg.ontology import CONCEPTS_FILE, ONTOLOGY_FILE, PREFIXES, SHAPES_FILE, XSD

#: Reviews per validation chunk of a coded source.
CHUNK_REVIEWS = 1_000

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
XSD_STRING = XSD + "string"

RdfTriple = tuple[Node, Node, Node]


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result: severity, focus node, path, value and message (IRIs as strings)."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str | None


class RdflibTerms:
    """Converts pyoxigraph terms to rdflib terms, caching IRIs (predicates and concepts repeat)."""

    def __init__(self) -> None:
        self._iris: dict[str, URIRef] = {}

    def term(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
        if isinstance(term, ox.NamedNode):
            node = self._iris.get(term.value)
            if node is None:
                node = self._iris[term.value] = URIRef(term.value)
            return node
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == XSD_STRING:
                return Literal(term.value)
            return Literal(term.value, datatype=self.term(term.datatype))
        raise ValueError(f"RDF-star triple terms are not supported: {term}")

    def triple(self, triple: ox.Triple) -> RdfTriple:
        return (self.term(triple.subject), self.term(triple.predicate), self.term(triple.object))


class ShapesValidator:
    """Validates pyoxigraph triples against the shapes, with the ontology and concepts mixed in."""

    def __init__(
        self,
        shapes_file: Path = SHAPES_FILE,
        background_files: tuple[Path, ...] = (ONTOLOGY_FILE, CONCEPTS_FILE),
    ) -> None:
        self.shapes = _shapes_graph(shapes_file, shapes_file.stat().st_mtime_ns)
        self.background = _background(
            tuple((f, f.stat().st_mtime_ns) for f in background_files if f.exists())
        )

    def violations(
        self, triples: Iterable[ox.Triple], focus: Iterable[str] | None = None
    ) -> list[Violation]:
        """All results of validating ``triples`` (plus ontology and concepts).

        With ``focus`` (IRIs), only those nodes are validated: the other nodes of ``triples`` are
        there to be pointed at (their types, for ``sh:class``), not to be checked.
        """
        from pyshacl import validate

        data = rdflib.Graph()
        convert = RdflibTerms()
        add = data.add
        for triple in triples:
            add(convert.triple(triple))
        # The ontology and concepts are read beside the data, not copied into its graph: the
        # copy cost more than the validation of a small source. (pySHACL reads an aggregate of
        # graphs as their union; nothing can be written into it.)
        _, results, _ = validate(
            ReadOnlyGraphAggregate([self.background, data]),
            shacl_graph=self.shapes,
            inference="none",
            advanced=False,
            abort_on_first=False,
            allow_warnings=True,
            allow_infos=True,
            focus_nodes=[URIRef(iri) for iri in focus] if focus is not None else None,
        )
        return _results(results)  # warnings and infos too, which do not make it non-conforming


def _results(results: rdflib.Graph) -> list[Violation]:
    found = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage)
        shape = results.value(result, SH.sourceShape)
        found.append(
            Violation(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=str(results.value(result, SH.focusNode)),
                path=str(path) if isinstance(path, URIRef) else None,
                value=str(value) if value is not None else None,
                message=str(message) if message else "breaks a SHACL constraint",
                shape=str(shape) if isinstance(shape, URIRef) else None,
            )
        )
    found.sort(key=lambda v: (v.focus, v.path or "", v.message))
    return found


def report(
    violations: Iterable[Violation],
    log: ProblemLog,
    *,
    locations: Mapping[str, str] | None = None,
    fields: Mapping[str, str] | None = None,
) -> list[Violation]:
    """Adds each violation to ``log`` as a :class:`ShapeError`; returns the warnings and infos.

    ``locations`` maps a focus node to where it came from (``"row 7"``), ``fields`` maps a
    predicate to the source field it came from (``scr:outcome`` -> ``outcome``).
    """
    others = []
    for v in violations:
        if v.severity != "Violation":
            others.append(v)
            continue
        where = (locations or {}).get(v.focus)
        field = (fields or {}).get(v.path or "") or (compact(v.path) if v.path else None)
        log.add(
            ShapeError(
                f"{v.message.rstrip('.')} (SHACL: focus {compact(v.focus)}"
                + (f", path {compact(v.path)}" if v.path else "")
                + (f", value {compact(v.value)}" if v.value else "")
                + ")",
                location=where or f"node {compact(v.focus)}",
                field=field,
                rule=f"shacl:{compact(v.shape)}" if v.shape else "shacl",
            )
        )
    return others


def compact(iri: str) -> str:
    """``https://w3id.org/scrkg/def#outcome`` -> ``scr:outcome``, for messages."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>" if ":" in iri else iri


@functools.lru_cache(maxsize=2)
def _shapes_graph(path: Path, _mtime: int) -> rdflib.Graph:
    graph = rdflib.Graph()
    convert = RdflibTerms()
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        graph.add(convert.triple(ox.Triple(quad.subject, quad.predicate, quad.object)))
    return graph


@functools.lru_cache(maxsize=2)
def _background(files: tuple[tuple[Path, int], ...]) -> rdflib.Graph:
    """The ontology and concepts, read once: validations only read it."""
    convert = RdflibTerms()
    graph = rdflib.Graph()
    for path, _mtime in files:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            graph.add(convert.triple(ox.Triple(quad.subject, quad.predicate, quad.object)))
    return graph
