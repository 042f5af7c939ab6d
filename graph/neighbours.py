"""Neighbourhoods for the network explorer: who a resource links to, grouped and capped.

The explorer asks for one resource at a time. Its neighbours come grouped by property and
direction (``scr:concernsChild`` outwards, ``scr:involvedAgency`` inwards...), each group capped at
:data:`GROUP_LIMIT` with the count of the rest, so a hub such as ``scrc:neglect`` never floods the
screen; the rest is fetched a page at a time. Every node comes with a short plain-text summary.

Saved views (one review; one risk factor across all reviews; one agency type; the whole graph),
filters by lesson theme and risk factor, the provenance of an edge and a label search live here
too. IRIs from users are checked by pyoxigraph (``ox.NamedNode``) and passed to queries as
serialised terms; user text never becomes SPARQL by string formatting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from scrkg.graph.memo import Memo, per_version
from scrkg.graph.store import Store
from scrkg.ontology import (
    ONTOLOGY_IRI,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SCR,
    SCRC,
    SKOS,
    local_name,
)

#: Neighbours shown per property group before a "+N more" node.
GROUP_LIMIT = 20
#: The most nodes a view (query result, whole graph) puts on screen.
MAX_VIEW_NODES = 3000
#: The longest label search text accepted.
MAX_SEARCH_TEXT = 200


RDF_TYPE = RDF + "type"

#: Links the explorer does not draw: a node's class is its colour, and the parts of an
#: rdf:Statement are shown as the quote behind an edge, not as edges of their own.
HIDDEN_PROPERTIES = (RDF_TYPE, RDF + "subject", RDF + "predicate", RDF + "object")


# ---------------------------------------------------------------------------------------------
# Classes into the explorer's groups (colour and shape are the web layer's business)
# ---------------------------------------------------------------------------------------------

#: (group key, label) in legend order.
GROUPS: list[tuple[str, str]] = [
    ("review", "Case review"),
    ("child", "Child"),
    ("incident", "Incident"),
    ("agency", "Agency"),
    ("lesson", "Lesson"),
    ("board", "Safeguarding board"),
    ("document", "Report or document"),
    ("figure", "Published figure"),
    ("statement", "Statement with quote"),
    ("source-graph", "Source graph"),
    ("risk-factor", "Risk factor"),
    ("maltreatment", "Maltreatment type"),
    ("outcome", "Outcome"),
    ("social-care-status", "Social care status"),
    ("lesson-theme", "Lesson theme"),
    ("agency-type", "Agency type"),
    ("quality-grade", "Quality grade"),
    ("age-band", "Age band"),
    ("incident-category", "Incident category"),
    ("concept", "Other concept"),
    ("scheme", "Concept scheme"),
    ("term", "Ontology term"),
    ("other", "Other"),
]
GROUP_LABELS = dict(GROUPS)

_CLASS_GROUPS = {
    SCR + "CaseReview": "review",
    SCR + "SeriousCaseReview": "review",
    SCR + "LocalChildSafeguardingPracticeReview": "review",
    SCR + "RapidReview": "review",
    SCR + "NationalReview": "review",
    SCR + "ChildPracticeReview": "review",
    SCR + "SignificantCaseReview": "review",
    SCR + "CaseManagementReview": "review",
    SCR + "Child": "child",
    SCR + "Incident": "incident",
    SCR + "Agency": "agency",
    SCR + "Lesson": "lesson",
    SCR + "Recommendation": "lesson",
    SCR + "SafeguardingBoard": "board",
    SCR + "SafeguardingBody": "board",
    SCR + "SafeguardingPartnership": "board",
    SCR + "ThematicReport": "document",
    SCR + "SourceDocument": "document",
    SCR + "Evaluation": "document",
    PROV + "Organization": "document",
    QB + "Observation": "figure",
    QB + "DataSet": "figure",
    RDF + "Statement": "statement",
    SCR + "SourceGraph": "source-graph",
    SKOS + "ConceptScheme": "scheme",
    OWL + "Class": "term",
    OWL + "ObjectProperty": "term",
    OWL + "DatatypeProperty": "term",
    OWL + "AnnotationProperty": "term",
    OWL + "Ontology": "term",
    RDF + "Property": "term",
    QB + "DataStructureDefinition": "term",
}

_SCHEME_GROUPS = {
    SCRC + "risk-factors": "risk-factor",
    SCRC + "maltreatment-types": "maltreatment",
    SCRC + "outcomes": "outcome",
    SCRC + "social-care-statuses": "social-care-status",
    SCRC + "lesson-themes": "lesson-theme",
    SCRC + "agency-types": "agency-type",
    SCRC + "quality-grades": "quality-grade",
    SCRC + "age-bands": "age-band",
    SCRC + "fatal-incident-categories": "incident-category",
    SCRC + "non-fatal-incident-categories": "incident-category",
}

#: The classes a node's group is decided by, most telling first.
_CLASS_ORDER = list(_CLASS_GROUPS)


def check_iri(text: str) -> ox.NamedNode:
    """The IRI as a pyoxigraph term; ValueError when it is not a valid absolute IRI."""
    if not isinstance(text, str) or not text or len(text) > 2000:
        raise ValueError("Give an absolute IRI of at most 2,000 characters.")
    try:
        return ox.NamedNode(text)
    except ValueError as error:
        raise ValueError(f"Not a valid IRI: {error}") from None


def _term(iri: str) -> str:
    """An IRI serialised for SPARQL (validated by pyoxigraph)."""
    return str(check_iri(iri))


def _values(iris: Iterable[str]) -> str:
    return " ".join(_term(i) for i in iris)


def _bound(query: str, **iris: str) -> str:
    """The query with each ``$name`` token replaced by the validated, serialised IRI (in one
    pass, so an IRI holding a ``$`` is never rescanned)."""
    terms = {name: _term(iri) for name, iri in iris.items()}
    return _TOKEN.sub(lambda match: terms[match.group(1)], query)


_TOKEN = re.compile(r"\$([A-Za-z]\w*)")


#: Characters that would change how the text around them is shown (bidirectional overrides,
#: isolates and marks; C0 and C1 controls other than tab and newline).
_CONTROLS = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def visible_text(text: str) -> str:
    """The text with each control character shown as ``[U+XXXX]``, so that a label cannot
    reverse or hide the text around it."""
    return _CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def property_label(iri: str, labels: dict[str, str] | None = None) -> str:
    """The label the ontology gives a property, else its local name split at capitals."""
    if labels and iri in labels:
        return labels[iri]
    name = local_name(iri)
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


# ---------------------------------------------------------------------------------------------
# Node summaries
# ---------------------------------------------------------------------------------------------


@dataclass
class Node:
    """What the explorer shows of one resource: a label, a group (its colour), a summary."""

    iri: str
    label: str = ""
    types: list[str] = field(default_factory=list)
    schemes: list[str] = field(default_factory=list)
    synthetic: bool = False
    comment: str = ""

    @property
    def group(self) -> str:
        for scheme in self.schemes:
            if scheme in _SCHEME_GROUPS:
                return _SCHEME_GROUPS[scheme]
        if SKOS + "Concept" in self.types:
            return "concept"
        ranked = [_CLASS_GROUPS[t] for t in _CLASS_ORDER if t in self.types]
        if ranked:
            return ranked[0]
        if any(t.endswith("Review") for t in self.types):
            return "review"
        return "other"

    @property
    def title(self) -> str:
        """A plain-text summary for the hover box (shown as text, never as HTML)."""
        lines = [self.label or local_name(self.iri), GROUP_LABELS.get(self.group, "")]
        if self.synthetic:
            lines.append("Synthetic record (generated, not a real case)")
        if self.comment:
            comment = " ".join(self.comment.split())
            lines.append(comment if len(comment) <= 240 else comment[:239] + "…")
        lines.append(self.iri)
        return "\n".join(line for line in lines if line)

    def as_json(self) -> dict[str, object]:
        return {
            "iri": self.iri,
            "label": visible_text(self.label or local_name(self.iri)),
            "group": self.group,
            "synthetic": self.synthetic,
            "title": visible_text(self.title),
        }


_SUMMARY_PROPERTIES = """rdf:type, rdfs:label, skos:prefLabel, skos:inScheme, scr:isSynthetic,
                  rdfs:comment, skos:definition"""

# For a few nodes: their own triples, filtered (a VALUES list of properties joins slowly).
_SUMMARY_QUERY = (
    """
SELECT ?node ?p ?v WHERE {
  VALUES ?node { %s }
  ?node ?p ?v
  FILTER(?p IN ("""
    + _SUMMARY_PROPERTIES
    + """))
}
"""
)

#: Nodes summarised per query: a VALUES list of this many is quick on a large store, where one
#: pass over every label and type is not (docs/performance.md, "Why the code is as it is").
_CHUNK = 300


def summaries(store: Store, iris: Iterable[str]) -> dict[str, Node]:
    """A :class:`Node` for each IRI (in the order given), filled from the store."""
    nodes = {iri: Node(iri) for iri in iris}
    if not nodes:
        return nodes
    label_rank: dict[str, int] = {}
    iris = list(nodes)
    rows = (
        row
        for start in range(0, len(iris), _CHUNK)
        for row in store.query(_SUMMARY_QUERY % _values(iris[start : start + _CHUNK]))
    )
    for row in rows:
        node = nodes.get(row["node"].value)
        if node is None:
            continue
        p, v = row["p"].value, row["v"]
        if p == RDF_TYPE:
            node.types.append(v.value)
        elif p in (RDFS + "label", SKOS + "prefLabel") and isinstance(v, ox.Literal):
            # Prefer skos:prefLabel, then English or untagged, then anything.
            rank = (0 if p.endswith("prefLabel") else 2) + (0 if v.language in (None, "en") else 1)
            if node.iri not in label_rank or rank < label_rank[node.iri]:
                label_rank[node.iri] = rank
                node.label = v.value
        elif p == SKOS + "inScheme":
            node.schemes.append(v.value)
        elif p == SCR + "isSynthetic":
            node.synthetic = node.synthetic or v.value in ("true", "1")
        elif not node.comment or p == SKOS + "definition":
            node.comment = v.value
    return nodes


def node_summary(store: Store, iri: str) -> dict[str, object]:
    """The summary of one resource, with how many links it has."""
    check_iri(iri)
    node = summaries(store, [iri])[iri].as_json()
    node["groups"] = [
        {"property": g.property, "label": g.label, "direction": g.direction, "total": g.total}
        for g in _groups(store, iri)
    ]
    return node


# ---------------------------------------------------------------------------------------------
# Neighbours, grouped by property and direction
# ---------------------------------------------------------------------------------------------

_HIDDEN = ", ".join(f"<{p}>" for p in HIDDEN_PROPERTIES)

_GROUPS_QUERY = f"""
SELECT ?direction ?property (COUNT(DISTINCT ?other) AS ?total) WHERE {{
  {{ $node ?property ?other . BIND("out" AS ?direction) }}
  UNION
  {{ ?other ?property $node . BIND("in" AS ?direction) }}
  FILTER(isIRI(?other) && ?property NOT IN ({_HIDDEN}))
}}
GROUP BY ?direction ?property
ORDER BY DESC(?direction) ?property
"""

# Every member of one group with its labels; sorted in Python, because a SPARQL ORDER BY on
# labels joined through a property path is slow on a large hub (docs/performance.md).
_MEMBER_QUERIES = {
    "out": """
SELECT ?other ?pref ?label WHERE {
  $node $property ?other FILTER(isIRI(?other))
  OPTIONAL { ?other skos:prefLabel ?pref }
  OPTIONAL { ?other rdfs:label ?label }
}""",
    "in": """
SELECT ?other ?pref ?label WHERE {
  ?other $property $node FILTER(isIRI(?other))
  OPTIONAL { ?other skos:prefLabel ?pref }
  OPTIONAL { ?other rdfs:label ?label }
}""",
}

#: Groups with more members than this keep their sorted member list until the store changes,
#: so the next pages of a hub (and the next visitor) do not gather and sort it again.
REMEMBERED_GROUP_SIZE = 200
#: Their own memo, so that many hubs clicked cannot push the dashboard's answers out of
#: charts.MEMO (a hub's list of 8,000 members at 1M triples is about 1 MB).
MEMBER_LISTS = Memo(32)


@dataclass
class Group:
    property: str
    label: str
    direction: str  # "out": node -property-> other; "in": other -property-> node
    total: int
    offset: int = 0
    items: list[Node] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(0, self.total - self.offset - len(self.items))

    def as_json(self) -> dict[str, object]:
        return {
            "property": self.property,
            "label": visible_text(self.label),
            "direction": self.direction,
            "total": self.total,
            "offset": self.offset,
            "more": self.more,
            "items": [n.as_json() for n in self.items],
        }


def _groups(store: Store, iri: str) -> list[Group]:
    rows = store.query(_bound(_GROUPS_QUERY, node=iri))
    labels = property_labels(store)
    return [
        Group(
            property=row["property"].value,
            label=property_label(row["property"].value, labels),
            direction=row["direction"].value,
            total=int(row["total"].value),
        )
        for row in rows
    ]


def _members(store: Store, group: Group, iri: str) -> list[str]:
    """Every member of the group, by label (case ignored; skos:prefLabel before rdfs:label, as
    the explorer shows them), then IRI; members without a label come first."""
    query = _bound(_MEMBER_QUERIES[group.direction], node=iri, property=group.property)
    keys: dict[str, str] = {}
    for row in store.query(query):
        other, label = row["other"].value, row["pref"]
        if label is None:
            label = row["label"]
        key = label.value.lower() if label is not None else ""
        if other not in keys or key < keys[other]:
            keys[other] = key
    return sorted(keys, key=lambda other: (keys[other], other))


def _page(store: Store, group: Group, iri: str, offset: int, limit: int) -> list[str]:
    if group.total > REMEMBERED_GROUP_SIZE:
        name = f"members {group.direction} {group.property} {iri}"
        members = per_version(store, name, lambda: _members(store, group, iri), MEMBER_LISTS)
    else:
        members = _members(store, group, iri)
    return members[offset : offset + limit]


def neighbours(
    store: Store,
    iri: str,
    *,
    property: str | None = None,
    direction: str | None = None,
    offset: int = 0,
    limit: int = GROUP_LIMIT,
) -> dict[str, object]:
    """The neighbours of ``iri``, grouped by (direction, property), at most ``limit`` a group.

    With ``property`` and ``direction``, only that group, from ``offset`` on: the next page
    behind a "+N more" node. Raises ValueError for a bad IRI, direction or paging value.
    """
    check_iri(iri)
    if direction not in (None, "in", "out"):
        raise ValueError("direction is 'in' or 'out'.")
    if (property is None) != (direction is None):
        raise ValueError("Give both property and direction, or neither.")
    if property is not None:
        check_iri(property)
    if offset < 0 or not 1 <= limit <= 200:
        raise ValueError("offset must be 0 or more, and limit between 1 and 200.")
    groups = _groups(store, iri)
    if property is not None:
        groups = [g for g in groups if g.property == property and g.direction == direction]
    pages: list[tuple[Group, list[str]]] = []
    for group in groups:
        group.offset = offset if property is not None else 0
        pages.append((group, _page(store, group, iri, group.offset, limit)))
    wanted = {iri, *(other for _, page in pages for other in page)}
    found = summaries(store, wanted)
    for group, page in pages:
        group.items = [found[other] for other in page]
    return {
        "node": found[iri].as_json(),
        "groups": [g.as_json() for g in groups],
    }


# ---------------------------------------------------------------------------------------------
# Views: a set of nodes and the edges between them
# ---------------------------------------------------------------------------------------------


@dataclass
class View:
    nodes: dict[str, Node]
    edges: list[tuple[str, str, str]]
    truncated: bool = False
    message: str = ""

    def as_json(self, property_labels: dict[str, str] | None = None) -> dict[str, object]:
        return {
            "nodes": [n.as_json() for n in self.nodes.values()],
            "edges": [
                {
                    "from": s,
                    "to": o,
                    "property": p,
                    "label": visible_text(property_label(p, property_labels)),
                }
                for s, p, o in self.edges
            ],
            "truncated": self.truncated,
            "message": self.message,
        }


def property_labels(store: Store) -> dict[str, str]:
    """rdfs:label of every property the store declares, remembered until the store changes."""
    return per_version(store, "property-labels", lambda: _property_labels(store))


def _property_labels(store: Store) -> dict[str, str]:
    rows = store.query(
        """SELECT ?p (SAMPLE(?l) AS ?label) WHERE {
  VALUES ?type { rdf:Property owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
  ?p a ?type ; rdfs:label ?l
} GROUP BY ?p"""
    )
    return {row["p"].value: row["label"].value for row in rows}


def _view(
    store: Store,
    edges: Iterable[tuple[str, str, str]],
    extra_nodes: Iterable[str] = (),
    max_nodes: int = MAX_VIEW_NODES,
    *,
    stop_when_full: bool = False,
) -> View:
    """The nodes of ``edges`` in order of first appearance, at most ``max_nodes``, and the
    edges between them. With ``stop_when_full``, the edges are read only until a node would not
    fit, so the cost follows ``max_nodes`` and not the size of the store."""
    order: dict[str, None] = dict.fromkeys(extra_nodes)
    kept: list[tuple[str, str, str]] = []
    truncated = False
    for s, p, o in edges:
        new = [n for n in (s, o) if n not in order]
        if len(order) + len(new) > max_nodes:
            truncated = True
            if stop_when_full:
                break
            continue
        order.update(dict.fromkeys(new))
        kept.append((s, p, o))
    if len(order) > max_nodes:
        order = dict.fromkeys(list(order)[:max_nodes])
        truncated = True
    kept = list(dict.fromkeys(e for e in kept if e[0] in order and e[2] in order))
    message = f"Showing the first {max_nodes} nodes only." if truncated else ""
    return View(summaries(store, order), kept, truncated, message)


def _edges(rows: Iterable[object]) -> list[tuple[str, str, str]]:
    return [(r["s"].value, r["p"].value, r["o"].value) for r in rows]


def review_view(store: Store, review: str) -> View:
    """One review: its children, agencies, lessons and board, and what those point to."""
    query = f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  {{ BIND($node AS ?s) ?s ?p ?o }}
  UNION
  {{ $node ?p0 ?s . FILTER(isIRI(?s) && ?p0 NOT IN ({_HIDDEN})) ?s ?p ?o }}
  FILTER(isIRI(?o) && ?p NOT IN ({_HIDDEN}, prov:wasDerivedFrom, dcterms:isReferencedBy,
                                   skos:inScheme, skos:topConceptOf))
}}"""
    rows = store.query(_bound(query, node=review))
    return _view(store, _edges(rows), [review])


def risk_factor_view(store: Store, concept: str) -> View:
    """One risk factor (with its narrower ones) across all reviews: children and reviews."""
    query = """
SELECT DISTINCT ?s ?p ?o WHERE {
  { ?o skos:broader* $concept . ?s scr:hasRiskFactor ?o . BIND(scr:hasRiskFactor AS ?p) }
  UNION
  { ?rf skos:broader* $concept . ?o scr:hasRiskFactor ?rf . ?s scr:concernsChild ?o .
    BIND(scr:concernsChild AS ?p) }
  UNION
  { ?s skos:broader+ $concept ; skos:broader ?o . BIND(skos:broader AS ?p) }
}"""
    rows = store.query(_bound(query, concept=concept))
    return _view(store, _edges(rows), [concept])


def agency_type_view(store: Store, concept: str) -> View:
    """One agency type (with its narrower ones): the agencies, their reviews and lessons."""
    query = """
SELECT DISTINCT ?s ?p ?o WHERE {
  { ?o skos:broader* $concept . ?s scr:agencyType ?o . BIND(scr:agencyType AS ?p) }
  UNION
  { ?o skos:broader* $concept . ?s scr:concernsAgencyType ?o . BIND(scr:concernsAgencyType AS ?p) }
  UNION
  { ?type skos:broader* $concept . ?o scr:agencyType ?type .
    ?s scr:involvedAgency|scr:concernsAgency ?o . ?s ?p ?o }
  UNION
  { ?s skos:broader+ $concept ; skos:broader ?o . BIND(skos:broader AS ?p) }
}"""
    rows = store.query(_bound(query, concept=concept))
    edges = [e for e in _edges(rows) if e[1] in _AGENCY_VIEW_PROPERTIES]
    return _view(store, edges, [concept])


_AGENCY_VIEW_PROPERTIES = {
    SCR + "agencyType",
    SCR + "involvedAgency",
    SCR + "concernsAgency",
    SCR + "concernsAgencyType",
    SKOS + "broader",
}


def whole_graph_view(store: Store, max_nodes: int = MAX_VIEW_NODES) -> View:
    """The links between resources of the data (not the ontology's own graph, not the parts
    of rdf:Statements, not provenance links to the source document), read in the store's order
    until ``max_nodes`` nodes are found; remembered until the store changes."""
    return per_version(
        store, f"whole-graph-{max_nodes}", lambda: _whole_graph_view(store, max_nodes)
    )


def _whole_graph_view(store: Store, max_nodes: int) -> View:
    # Not DISTINCT, so that rows stream and reading stops at the node cap (a DISTINCT reads
    # every link first: docs/performance.md); _view drops repeated edges.
    query = f"""
SELECT ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(?g != <{ONTOLOGY_IRI}> && isIRI(?s) && isIRI(?o)
         && ?p NOT IN ({_HIDDEN}, prov:wasDerivedFrom, dcterms:isReferencedBy, dcterms:license))
  FILTER NOT EXISTS {{ ?s a rdf:Statement }}
  FILTER NOT EXISTS {{ ?s a scr:SourceGraph }}
}}"""
    rows = store.query(query)
    edges = ((r["s"].value, r["p"].value, r["o"].value) for r in rows)
    return _view(store, edges, max_nodes=max_nodes, stop_when_full=True)


def iris_view(store: Store, iris: Iterable[str], max_nodes: int = MAX_VIEW_NODES) -> View:
    """The given resources (a query's result) and the links the store holds between them."""
    wanted = list(dict.fromkeys(i for i in iris))
    truncated = len(wanted) > max_nodes
    wanted = wanted[:max_nodes]
    edges: list[tuple[str, str, str]] = []
    if wanted:
        values = _values(wanted)
        query = f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  VALUES ?s {{ {values} }} ?s ?p ?o .
  FILTER(isIRI(?o) && ?p NOT IN ({_HIDDEN}))
}}"""
        members = set(wanted)
        edges = [e for e in _edges(store.query(query)) if e[2] in members]
    view = _view(store, edges, wanted, max_nodes=max_nodes)
    if truncated:
        view.truncated = True
        view.message = f"The result names more than {max_nodes} resources; showing the first."
    return view


def triples_view(
    store: Store, triples: Iterable[ox.Triple], max_nodes: int = MAX_VIEW_NODES
) -> View:
    """A CONSTRUCT or DESCRIBE result: its links between resources become edges."""
    edges = []
    lone: list[str] = []
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        if isinstance(t.object, ox.NamedNode) and t.predicate.value not in HIDDEN_PROPERTIES:
            edges.append((t.subject.value, t.predicate.value, t.object.value))
        else:
            lone.append(t.subject.value)
    return _view(store, edges, lone, max_nodes=max_nodes)


# ---------------------------------------------------------------------------------------------
# Filters, edge provenance, search, choices for the saved views
# ---------------------------------------------------------------------------------------------

_FILTER_QUERIES = {
    "lesson-theme": """
SELECT DISTINCT ?x WHERE {
  { ?x skos:broader* $concept }
  UNION { ?t skos:broader* $concept . ?x scr:lessonTheme ?t }
  UNION { ?t skos:broader* $concept . ?l scr:lessonTheme ?t . ?x scr:identifiesLesson ?l }
  UNION { ?t skos:broader* $concept . ?l scr:lessonTheme ?t . ?l scr:concernsAgency ?x }
  UNION { ?t skos:broader* $concept . ?l scr:lessonTheme ?t . ?r scr:identifiesLesson ?l .
          ?r scr:concernsChild|scr:involvedAgency ?x }
}""",
    "risk-factor": """
SELECT DISTINCT ?x WHERE {
  { ?x skos:broader* $concept }
  UNION { ?f skos:broader* $concept . ?x scr:hasRiskFactor ?f }
  UNION { ?f skos:broader* $concept . ?c scr:hasRiskFactor ?f . ?x scr:concernsChild ?c }
  UNION { ?f skos:broader* $concept . ?c scr:hasRiskFactor ?f . ?r scr:concernsChild ?c .
          ?r scr:identifiesLesson|scr:involvedAgency ?x }
}""",
}


def filter_matches(store: Store, kind: str, concept: str) -> list[str]:
    """The resources a filter keeps: for a lesson theme (or a narrower one), its lessons, the
    reviews that identified them and those reviews' children and agencies; for a risk factor,
    the children with it, their reviews and those reviews' lessons and agencies."""
    if kind not in _FILTER_QUERIES:
        raise ValueError(f"Filter by one of: {', '.join(_FILTER_QUERIES)}.")
    rows = store.query(_bound(_FILTER_QUERIES[kind], concept=concept))
    return [row["x"].value for row in rows]


_EDGE_STATEMENTS = """
SELECT ?statement ?quote ?source ?sourceLabel WHERE {
  ?statement rdf:subject $s ; rdf:predicate $p ; rdf:object $o .
  OPTIONAL { ?statement scr:quote ?quote }
  OPTIONAL { ?statement prov:wasDerivedFrom ?source
             OPTIONAL { ?source rdfs:label|dcterms:title ?sourceLabel } }
}"""

_EDGE_GRAPHS = """
SELECT ?g (SAMPLE(?t) AS ?title) (SAMPLE(?syn) AS ?synthetic) WHERE {
  GRAPH ?g { $s $p $o }
  OPTIONAL { ?g dcterms:title|rdfs:label ?t }
  OPTIONAL { ?g scr:isSynthetic ?syn }
} GROUP BY ?g"""


def edge_provenance(store: Store, s: str, p: str, o: str) -> dict[str, object]:
    """The quotes behind the link s -p-> o (its rdf:Statements) and the graphs that hold it."""
    statements: dict[str, dict[str, object]] = {}
    for row in store.query(_bound(_EDGE_STATEMENTS, s=s, p=p, o=o)):
        key = (
            row["statement"].value
            if isinstance(row["statement"], ox.NamedNode)
            else str(row["statement"])
        )
        entry = statements.setdefault(
            key, {"statement": key, "quote": None, "source": None, "source_label": None}
        )
        for name, slot in (
            ("quote", "quote"),
            ("source", "source"),
            ("sourceLabel", "source_label"),
        ):
            if row[name] is not None and entry[slot] is None:
                value = row[name].value
                entry[slot] = value if name == "source" else visible_text(value)
    graphs = [
        {
            "graph": row["g"].value,
            "title": visible_text(row["title"].value) if row["title"] is not None else "",
            "synthetic": row["synthetic"] is not None and row["synthetic"].value in ("true", "1"),
        }
        for row in store.query(_bound(_EDGE_GRAPHS, s=s, p=p, o=o))
    ]
    labels = summaries(store, dict.fromkeys([s, o]))
    return {
        "subject": labels[s].as_json(),
        "property": p,
        "property_label": visible_text(property_label(p, _labels_of(store, [p]))),
        "object": labels[o].as_json(),
        "statements": list(statements.values()),
        "graphs": graphs,
    }


def _labels_of(store: Store, iris: list[str]) -> dict[str, str]:
    return {iri: n.label for iri, n in summaries(store, iris).items() if n.label}


def search_labels(store: Store, text: str, limit: int = 20) -> list[dict[str, object]]:
    """Resources whose label contains ``text`` (any case), shortest labels first."""
    text = " ".join(text.split())
    if not text:
        return []
    if len(text) > MAX_SEARCH_TEXT:
        raise ValueError(f"Search for at most {MAX_SEARCH_TEXT} characters.")
    needle = str(ox.Literal(text.lower()))
    query = f"""
SELECT ?node (SAMPLE(?l) AS ?label) WHERE {{
  ?node rdfs:label|skos:prefLabel ?l .
  FILTER(isIRI(?node) && CONTAINS(LCASE(STR(?l)), {needle}))
  FILTER NOT EXISTS {{ ?node a rdf:Statement }}
}}
GROUP BY ?node ORDER BY STRLEN(STR(?label)) LCASE(STR(?label)) LIMIT {int(limit)}"""
    found = [row["node"].value for row in store.query(query)]
    nodes = summaries(store, found)
    return [nodes[i].as_json() for i in found]


def concept_choices(store: Store, scheme: str) -> list[dict[str, object]]:
    """The concepts of a scheme in tree order, each with its depth under skos:broader."""
    rows = store.query(
        _bound(
            """
SELECT ?c (SAMPLE(?l) AS ?label) (SAMPLE(?b) AS ?broader) WHERE {
  ?c skos:inScheme $scheme . OPTIONAL { ?c skos:prefLabel ?l } OPTIONAL { ?c skos:broader ?b }
} GROUP BY ?c""",
            scheme=scheme,
        )
    )
    items = {
        r["c"].value: (
            r["label"].value if r["label"] is not None else local_name(r["c"].value),
            r["broader"].value if r["broader"] is not None else None,
        )
        for r in rows
    }
    children: dict[str | None, list[str]] = {}
    for iri, (_label, broader) in items.items():
        children.setdefault(broader if broader in items else None, []).append(iri)
    out: list[dict[str, object]] = []

    def walk(parent: str | None, depth: int) -> None:
        for iri in sorted(children.get(parent, []), key=lambda i: items[i][0].lower()):
            out.append({"iri": iri, "label": items[iri][0], "depth": depth})
            walk(iri, depth + 1)

    walk(None, 0)
    return out


def review_choices(store: Store, limit: int = 1000) -> list[dict[str, str]]:
    """Reviews (typed scr:CaseReview or a subclass) by label, for the "one review" view."""
    rows = store.query(
        f"""
SELECT ?r (SAMPLE(?l) AS ?label) WHERE {{
  ?class rdfs:subClassOf* scr:CaseReview .
  ?r a ?class ; rdfs:label ?l .
}} GROUP BY ?r ORDER BY LCASE(STR(?label)) ?r LIMIT {int(limit)}"""
    )
    return [{"iri": r["r"].value, "label": r["label"].value} for r in rows]
