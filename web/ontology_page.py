"""The ontology page at /ontology: classes, properties and concept schemes (their concepts nested
by skos:broader), each with its label, definition and sources, linking to its resource page.

It reads the ontology graph of the store; a store that holds no ontology yet is shown the
ontology files of the package instead, so the page is never empty.

Prose written for the ontology (definitions, the descriptions of saved queries) names terms as
prefixed names (`scr:agencyType`, skos:broader*). The ``plain`` template filter shows each as
its label, linked to its page when it is one of ours (`scr:agencyType` reads "agency type"),
and the terms of the standard vocabularies in plain words (skos:broader reads "broader
concept", the words of ``scrkg.web.words``), so a reader meets words, not syntax; the prefixed
name stays in the link's title.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, render_template

from scrkg.graph.memo import per_version
from scrkg.graph.store import MemoryStore, Store
from scrkg.ontology import CONCEPTS_FILE, DEFAULT_BASE, ONTOLOGY_FILE, ONTOLOGY_IRI, PREFIXES
from scrkg.web import get_store
from scrkg.web.explorer import resource_path
from scrkg.web.words import (
    DCAT,
    DCTERMS,
    OWL,
    QB,
    RDF,
    RDFS,
    SKOS,
    local_name,
    words_for,
)

bp = Blueprint("ontology_page", __name__)


@dataclass
class Term:
    iri: str
    label: str = ""
    definition: str = ""
    sources: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # property kinds, or "deprecated" notes
    parents: list[str] = field(default_factory=list)  # rdfs:subClassOf / skos:broader
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    notation: str = ""
    children: list[Term] = field(default_factory=list)


_TERMS = """
SELECT ?term ?kind ?p ?v WHERE {
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
                 rdf:Property qb:DimensionProperty qb:MeasureProperty qb:AttributeProperty
                 skos:ConceptScheme skos:Concept }
  ?term a ?kind .
  FILTER(isIRI(?term))
  OPTIONAL {
    VALUES ?p { rdfs:label skos:prefLabel skos:definition rdfs:comment dcterms:source
                rdfs:subClassOf skos:broader rdfs:domain rdfs:range skos:inScheme skos:notation }
    ?term ?p ?v
  }
}
"""

PROPERTY_KINDS = {
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "datatype property",
    OWL + "AnnotationProperty": "annotation property",
    RDF + "Property": "property",
    QB + "DimensionProperty": "dimension",
    QB + "MeasureProperty": "measure",
    QB + "AttributeProperty": "attribute",
}

_FALLBACK: list[Store] = []
_FALLBACK_LOCK = threading.Lock()


def _package_ontology() -> Store:
    """The ontology files of the package in a store of their own (read once)."""
    with _FALLBACK_LOCK:
        if not _FALLBACK:
            store = MemoryStore()
            triples: list[ox.Triple] = []
            for path in (ONTOLOGY_FILE, CONCEPTS_FILE):
                if path.is_file():
                    triples.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
            store.replace_graph(ONTOLOGY_IRI, triples)
            _FALLBACK.append(store)
        return _FALLBACK[0]


def _natural(text: str) -> list[tuple[int, int | str]]:
    """A sort key that puts "6 to 10" before "11 to 15"."""
    return [
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", text.lower())
        if part
    ]


@dataclass
class Ontology:
    classes: list[Term]
    properties: list[Term]
    schemes: list[Term]
    labels: dict[str, str]
    from_files: bool = False


def read_ontology(store: Store) -> Ontology:
    rows = list(store.query(_TERMS))
    from_files = False
    if not any(r["kind"].value == OWL + "Class" for r in rows):
        rows = list(_package_ontology().query(_TERMS))
        from_files = True
    terms: dict[str, Term] = {}
    kinds: dict[str, set[str]] = {}
    schemes_of: dict[str, list[str]] = {}
    label_rank: dict[str, int] = {}
    for row in rows:
        iri = row["term"].value
        term = terms.setdefault(iri, Term(iri))
        kinds.setdefault(iri, set()).add(row["kind"].value)
        if row["p"] is None:
            continue
        p, v = row["p"].value, row["v"]
        text = v.value
        if p in (RDFS + "label", SKOS + "prefLabel"):
            lang = v.language if isinstance(v, ox.Literal) else None
            rank = (0 if p.endswith("prefLabel") else 1) + (0 if lang in (None, "en") else 2)
            if iri not in label_rank or rank < label_rank[iri]:
                label_rank[iri] = rank
                term.label = text
        elif p == SKOS + "definition" or (p == RDFS + "comment" and not term.definition):
            term.definition = text
        elif p == DCTERMS + "source":
            if text not in term.sources:
                term.sources.append(text)
        elif p in (RDFS + "subClassOf", SKOS + "broader"):
            if isinstance(v, ox.NamedNode) and text not in term.parents:
                term.parents.append(text)
        elif p == RDFS + "domain":
            if isinstance(v, ox.NamedNode) and text not in term.domain:
                term.domain.append(text)
        elif p == RDFS + "range":
            if isinstance(v, ox.NamedNode) and text not in term.range:
                term.range.append(text)
        elif p == SKOS + "inScheme":
            schemes_of.setdefault(iri, [])
            if text not in schemes_of[iri]:
                schemes_of[iri].append(text)
        elif p == SKOS + "notation":
            term.notation = text
    for term in terms.values():
        term.label = term.label or local_name(term.iri)
        term.kinds = sorted(PROPERTY_KINDS[k] for k in kinds[term.iri] if k in PROPERTY_KINDS)

    def by_label(items: list[Term]) -> list[Term]:
        return sorted(items, key=lambda t: (_natural(t.label), t.iri))

    classes = by_label([t for i, t in terms.items() if OWL + "Class" in kinds[i]])
    properties = by_label([t for t in terms.values() if t.kinds])
    schemes = by_label([t for i, t in terms.items() if SKOS + "ConceptScheme" in kinds[i]])
    concepts = [t for i, t in terms.items() if SKOS + "Concept" in kinds[i]]
    for scheme in schemes:
        members = {c.iri: c for c in concepts if scheme.iri in schemes_of.get(c.iri, [])}
        tops: list[Term] = []
        nested: dict[str, list[Term]] = {}
        for concept in members.values():
            parents = [p for p in concept.parents if p in members]
            if parents:
                nested.setdefault(parents[0], []).append(concept)
            else:
                tops.append(concept)
        scheme.children = [_tree(c, nested, by_label, set()) for c in by_label(tops)]
    labels = {iri: t.label for iri, t in terms.items()}
    return Ontology(classes, properties, schemes, labels, from_files)


def _tree(term: Term, nested: dict[str, list[Term]], order, seen: set[str]) -> Term:  # noqa: ANN001
    """A copy of the concept with its narrower concepts (cycles cut)."""
    seen = seen | {term.iri}
    copy = Term(**{**term.__dict__, "children": []})
    copy.children = [
        _tree(c, nested, order, seen) for c in order(nested.get(term.iri, [])) if c.iri not in seen
    ]
    return copy


def ontology_of(store: Store) -> Ontology:
    return per_version(store, "ontology-page", lambda: read_ontology(store))


@bp.get("/ontology")
def ontology() -> str:
    onto = ontology_of(get_store())
    return render_template("ontology.html", onto=onto)


# -- prefixed names in plain words -------------------------------------------------------------

#: The prefixes prose may use: the ontology's, and dcat.
PROSE_PREFIXES = {**PREFIXES, "dcat": DCAT}

_PREFIXED = re.compile(
    r"`?\b(" + "|".join(sorted(PROSE_PREFIXES, key=len, reverse=True)) + r"):"
    r"([A-Za-z_][\w-]*(?:\.[\w-]+)*)(\*)?`?"
)


@dataclass(frozen=True)
class Piece:
    """A piece of prose: text, or a term shown by its words (``iri`` set)."""

    text: str
    iri: str = ""
    link: str | None = None
    name: str = ""  # the prefixed name as written, for the link's title


def plain_pieces(text: str, labels: dict[str, str], base: str = DEFAULT_BASE) -> list[Piece]:
    """``text`` with each prefixed name (backquoted or not) as a term in words, linked to its
    page when it is one of ours (instances under ``base``)."""
    pieces: list[Piece] = []
    at = 0
    for match in _PREFIXED.finditer(text):
        prefix, local, star = match.groups()
        iri = PROSE_PREFIXES[prefix] + local
        before = text[at : match.start()]
        words = words_for(iri, labels)
        if re.search(r"\b[Aa]n $", before) and words[:1] not in "aeiou":
            before = before[:-2] + " "  # "an rdf:Statement" reads "a statement"
        if before:
            pieces.append(Piece(before))
        if star:
            words += " (at any depth)"
        pieces.append(Piece(words, iri, resource_path(iri, base), f"{prefix}:{local}"))
        at = match.end()
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return [Piece(column_names(p.text)) if not p.iri else p for p in pieces]


def heading_words(variable: str) -> str:
    """A query variable as a column heading: ``reviewCount`` reads "review count"."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|_", " ", variable)
    return re.sub(r"(?<=[A-Za-z])(?=[0-9])", " ", spaced).lower()


def column_names(text: str) -> str:
    """Query variables in prose (``?agrees``) as the column headings the results show."""
    return re.sub(r"\?([A-Za-z_]\w*)", lambda m: f"“{heading_words(m.group(1))}”", text)
