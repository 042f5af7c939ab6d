"""Resource pages: every IRI of the data and of the ontology resolves under the site.

``<base>child/X`` (the data base, SCRKG_BASE) is served at ``/id/child/X``, ``scr:CaseReview``
(``https://w3id.org/scrkg/def#CaseReview``) at ``/def/CaseReview``, the ontology itself at ``/def``,
and ``scrc:died`` at ``/concept/died``. An HTML page shows the label, types, links out and in
grouped by property (paged), the named graphs the statements come from with their provenance,
and the quotes behind them; beside each coded fact, the evidence it was confirmed from (the quote,
its page and its document). The same description is served as Turtle, JSON-LD or N-Triples by
Accept header or by a ``.ttl`` / ``.jsonld`` / ``.nt`` suffix.

The page reads as an analyst's tool, not as RDF: properties and classes by the labels the
ontology gives them (the standard vocabularies' terms in the plain words of
``scrkg.web.words``), links to the resource as sentences ("Serious case reviews that concern
this child"), dates and numbers as a reader writes them ("15 June 2009", "1,263", "yes"),
language tags and datatypes left out; the IRI is in the page's address line and in each link's
title.

Path segments are decoded by the server, so links are built with ``url_for`` (which encodes a
``%`` of the IRI as ``%25``); the undecoded request path and the minting rule's encoding are tried
too, so a w3id redirect of ``.../child/Child%201`` also finds its resource. Every IRI put into a
query passes through ``pyoxigraph.NamedNode``, which refuses anything that is not an IRI.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, unquote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from scrkg.graph.formats import of_kind
from scrkg.graph.memo import per_version
from scrkg.graph.store import Store
from scrkg.ontology import OA, ONTOLOGY_IRI, PREFIXES, RDF, SCR, SCRC
from scrkg.web import get_store
from scrkg.web.ontology_page import ontology_of
from scrkg.web.recommendations import plain_date
from scrkg.web.records import month_year
from scrkg.web.search import similar_reviews
from scrkg.web.words import (
    DCTERMS,
    RDFS,
    SKOS,
    STANDARD_WORDS,
    XSD,
    local_name,
    plural,
    words_for,
)

bp = Blueprint("resources", __name__)

#: The RDF formats a resource is offered in beside its page, from graph/formats.py's table.
RESOURCE_FORMATS = [f for f in of_kind("graph") if f.name in ("turtle", "jsonld", "ntriples")]
RDF_TYPES = {f.media_type: f.rdf for f in RESOURCE_FORMATS}
SUFFIXES = {f.suffix: f.media_type for f in RESOURCE_FORMATS}
FORMAT_NAMES = {f.suffix: f.label for f in RESOURCE_FORMATS}
PAGE_TYPES = ["text/html", "application/xhtml+xml"]
ACCEPT_SYNONYMS = {m: f.media_type for f in RESOURCE_FORMATS for m in f.media_aliases}
MAX_QUOTES = 100
UNRESERVED = "-._~"  # with ASCII letters and digits, what the IRI minting keeps unencoded

XSD_STRING = XSD + "string"
LANG_STRING = RDF + "langString"
LABEL_PATH = "(rdfs:label|skos:prefLabel)"
#: Properties whose values are prose written for the ontology, which may name terms by their
#: prefixed names: shown through the ``plain`` filter, so that the names read as words.
PROSE = {
    RDFS + "comment",
    SKOS + "definition",
    SKOS + "note",
    SKOS + "scopeNote",
    DCTERMS + "description",
}
NUMBERS = {
    XSD + name
    for name in (
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
    )
}
#: Words that end a property's words when it reads as a phrase with a preposition.
PREPOSITIONS = {"of", "by", "from", "to", "for", "in", "on", "with", "at", "about", "as"}


@bp.route("/id/<path:path>")
def data(path: str) -> Response:
    """An instance under the data base IRI."""
    return show(current_app.config["SCRKG_BASE"], path, "/id/")


@bp.route("/def")
def ontology() -> Response:
    """The ontology resource itself."""
    return show_iris([ONTOLOGY_IRI])


@bp.route("/def.<extension>")
def ontology_file(extension: str) -> Response:
    """The ontology resource in a format chosen by suffix: /def.ttl, /def.jsonld, /def.nt."""
    return show_iris([ONTOLOGY_IRI + "." + extension])


@bp.route("/def/<path:name>")
def term(name: str) -> Response:
    """A class or property of the ontology (``scr:`` is a hash namespace: def#name)."""
    return show(SCR, name, "/def/")


@bp.route("/concept/<path:path>")
def concept(path: str) -> Response:
    """A SKOS concept or concept scheme."""
    return show(SCRC, path, "/concept/")


@bp.app_template_global("resource_url")
def resource_url(iri: str) -> str | None:
    """The site path of an IRI that has a resource page here, or None for any other IRI.

    Available to every template as ``resource_url(iri)``."""
    base = current_app.config["SCRKG_BASE"]
    if iri == ONTOLOGY_IRI:
        return url_for("resources.ontology")
    for namespace, endpoint, arg in (
        (base, "resources.data", "path"),
        (SCR, "resources.term", "name"),
        (SCRC, "resources.concept", "path"),
    ):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return url_for(endpoint, **{arg: iri[len(namespace) :]})
    return None


def show(namespace: str, path: str, route_prefix: str) -> Response:
    candidates = list(_candidate_iris(namespace, path, route_prefix))
    return show_iris(candidates, asked=namespace + path)


def show_iris(candidates: list[str], asked: str | None = None) -> Response:
    """Answer for the first candidate IRI the store knows, else for one with a format suffix;
    else 404 naming ``asked`` (shown as text)."""
    store = get_store()
    for iri in candidates:
        if _exists(store, iri):
            media_type = _negotiate()
            if media_type is None:
                return _not_acceptable()
            if media_type in RDF_TYPES:
                return rdf_response(store, iri, media_type)
            return html_response(store, iri)
    for iri in candidates:
        for suffix, media_type in SUFFIXES.items():
            if iri.endswith(suffix) and _exists(store, iri[: -len(suffix)]):
                return rdf_response(store, iri[: -len(suffix)], media_type)
    return not_found(asked or (candidates[0] if candidates else ""))


# -- the HTML page ---------------------------------------------------------------------------


@dataclass
class Evidence:
    """A quote a fact rests on: the sentence, its page (None without pages) and its document."""

    quote: str
    page: int | None
    document: Term | None


@dataclass
class Term:
    """An RDF term as the template shows it: words, and a link only when the site has a page.

    ``value`` is the IRI or the literal as stored (an IRI is the link's title); ``text`` is what
    a reader sees: a label, a term's words, a date or number as a reader writes it."""

    kind: str  # "iri", "literal" or "bnode"
    value: str
    text: str
    href: str | None = None
    note: str = ""  # a literal's kind of value, in words, when it says more than the value
    prose: bool = False  # prose written for the ontology: prefixed names shown as words
    machine: str = ""  # a date's machine-readable form, for <time datetime>
    #: Beside a value of this resource's property: the quotes the fact was confirmed from.
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class LinkGroup:
    """The values of one property, one page of them."""

    direction: str  # "out" or "in"
    property: Term
    heading: str
    total: int
    offset: int
    values: list[Term] = field(default_factory=list)
    next_href: str | None = None
    previous_href: str | None = None

    @property
    def anchor(self) -> str:
        return _anchor(self.direction, self.property.value)


@dataclass
class SourceGraph:
    graph: Term
    source: str | None
    checksum: str | None
    generated: Term | None
    loader_version: str | None
    title: str | None
    synthetic: bool
    describes: bool  # it states something about the resource, not only links to it


@dataclass
class Quote:
    text: str
    direction: str  # "out", "in" or "self"
    predicate: Term | None
    other: Term | None
    source: Term | None


def html_response(store: Store, iri: str) -> Response:
    node = str(ox.NamedNode(iri))
    page_size = int(current_app.config["SCRKG_PAGE_SIZE"])
    labels = [
        row["label"]
        for row in _select(store, f"SELECT DISTINCT ?label {{ {node} {LABEL_PATH} ?label }}")
    ]
    definitions = [
        row["d"]
        for row in _select(
            store, f"SELECT DISTINCT ?d {{ {node} skos:definition|rdfs:comment ?d }}"
        )
    ]
    types = sorted(
        (_vocabulary_term(row["type"].value) for row in _select(store, _types_query(node))),
        key=lambda t: (not t.value.startswith(SCR), t.text),
    )
    kind = types[0].text if types else "record"
    groups = {
        direction: _link_groups(store, node, direction, page_size, kind)
        for direction in ("out", "in")
    }
    evidence = _evidence(store, node)
    for group in groups["out"]:
        for value in group.values:
            value.evidence = evidence.get((group.property.value, value.kind, value.value), [])
    graphs = _source_graphs(store, node)
    describing = [g for g in graphs if g.describes]
    synthetic = _ask(store, f"ASK {{ {node} scr:isSynthetic true }}") or (
        bool(describing) and all(g.synthetic for g in describing)
    )
    quotes, quotes_total = _quotes(store, node)
    label = _preferred(labels)
    similar = similar_reviews(iri)  # None unless the resource is a review
    body = render_template(
        "resource.html",
        iri=iri,
        title=label or _iri_text(iri),
        label=label,
        definition=_preferred(definitions),
        types=types,
        kind=kind,
        outgoing=groups["out"],
        incoming=groups["in"],
        graphs=graphs,
        synthetic=synthetic,
        quotes=quotes,
        quotes_total=quotes_total,
        similar=similar,
        explore_href="/explore?" + urlencode({"focus": iri}),
        alternates=[(media, _alternate(iri, suffix)) for suffix, media in SUFFIXES.items()],
        downloads=[
            (media, _alternate(iri, suffix), FORMAT_NAMES[suffix])
            for suffix, media in SUFFIXES.items()
        ],
    )
    response = Response(body, status=200, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    response.headers["Link"] = ", ".join(
        f'<{_alternate(iri, suffix)}>; rel="alternate"; type="{media}"'
        for suffix, media in SUFFIXES.items()
    )
    return response


def _types_query(node: str) -> str:
    return f"SELECT DISTINCT ?type {{ {node} a ?type FILTER(isIRI(?type)) }}"


def _link_groups(
    store: Store, node: str, direction: str, page_size: int, kind: str
) -> list[LinkGroup]:
    pattern = f"{node} ?p ?v" if direction == "out" else f"?v ?p {node}"
    counts = _select(
        store,
        f"SELECT ?p (COUNT(DISTINCT ?v) AS ?n) {{ {pattern} "
        f"{'FILTER(?p != rdf:type) ' if direction == 'out' else ''}}} GROUP BY ?p",
    )
    asked_direction = request.args.get("dir")
    asked_property = request.args.get("p")
    groups = []
    for row in counts:
        prop = row["p"]
        total = int(row["n"].value)
        offset = 0
        if asked_direction == direction and asked_property == prop.value:
            offset = _offset(request.args.get("offset"), total)
        term = _vocabulary_term(prop.value)
        if direction == "out":
            heading = _capital(term.text)
        else:
            heading = incoming_heading(
                prop.value, term.text, _kind_of_subjects(store, node, prop), kind
            )
        group = LinkGroup(direction, term, heading, total, offset)
        value_pattern = f"{node} {prop} ?v" if direction == "out" else f"?v {prop} {node}"
        prose = direction == "out" and prop.value in PROSE
        for value in _select(
            store,
            f"SELECT ?v (SAMPLE(?l) AS ?label) "
            f"{{ {value_pattern} OPTIONAL {{ ?v {LABEL_PATH} ?l }} }} "
            f"GROUP BY ?v ORDER BY LCASE(STR(COALESCE(?label, ?v))) ?v "
            f"LIMIT {page_size} OFFSET {offset}",
        ):
            shown = _term(value["v"], value["label"], prop.value)
            shown.prose = prose and shown.kind == "literal"
            group.values.append(shown)
        if offset + page_size < total:
            group.next_href = _page_href(direction, prop.value, offset + page_size)
        if offset > 0:
            group.previous_href = _page_href(direction, prop.value, max(offset - page_size, 0))
        groups.append(group)
    order = {"out": 0, "in": 1}
    return sorted(groups, key=lambda g: (order[g.direction], g.heading.lower(), g.property.value))


def _kind_of_subjects(store: Store, node: str, prop: Any) -> str:
    """The kind every resource linking here by ``prop`` has ("serious case review"), in words;
    else "term" when they are all terms of the ontology, "record" otherwise."""
    rows = _select(
        store,
        f"SELECT ?type (COUNT(DISTINCT ?v) AS ?n) {{ ?v {prop} {node} . ?v a ?type "
        f"FILTER(isIRI(?type)) }} GROUP BY ?type",
    )
    (counts,) = _select(
        store,
        f"SELECT (COUNT(?v) AS ?n) (SUM(?term) AS ?terms) {{ SELECT DISTINCT ?v ?term {{ "
        f'?v {prop} {node} BIND(IF(isIRI(?v) && STRSTARTS(STR(?v), "{SCR}"), 1, 0) AS ?term) '
        f"}} }}",
    )
    total = int(counts["n"].value)
    common = sorted(
        (row["type"].value for row in rows if int(row["n"].value) == total),
        key=lambda t: (not t.startswith(SCR), t),
    )
    if common:
        return _vocabulary_term(common[0]).text
    return "term" if int(counts["terms"].value) == total else "record"


def incoming_heading(prop: str, words: str, subjects: str, kind: str) -> str:
    """The heading of the resources that link to this one by a property, as a sentence:
    "Serious case reviews that concern this child", "Children with this outcome",
    "Statements drawn from this document"."""
    many = _capital(plural(subjects))
    if prop == RDF + "type":
        return f"{many} of this kind"
    parts = words.split()
    if not parts:
        return f"{many} that link to this {kind}"
    first, rest = parts[0], " ".join(parts[1:])
    if parts[-1] in PREPOSITIONS:
        if first in ("is", "are"):  # "is referenced by"
            return f"{many} that are {rest} this {kind}"
        if first.endswith(("ed", "wn", "en")):  # "drawn from", "commissioned by"
            return f"{many} {words} this {kind}"
        if _is_verb(parts):  # "applies to"
            return f"{many} that {_plural_verb(first)} {rest} this {kind}"
        return f"{many} that are a {words} this {kind}"  # "kind of", "top concept of"
    if _is_verb(parts):  # "concerns child", "has risk factor", "experienced"
        return f"{many} that {_plural_verb(first)} this {rest or kind}"
    return f"{many} with this {words}"  # "outcome", "lesson theme"


def _is_verb(parts: list[str]) -> bool:
    first = parts[0]
    if first in ("is", "has"):
        return True
    if first.endswith("ed"):
        return True
    return len(parts) > 1 and first.endswith("s") and not first.endswith("ss")


def _plural_verb(verb: str) -> str:
    """The verb for many subjects: "concerns" reads "concern", "has" "have"."""
    irregular = {"has": "have", "is": "are"}
    if verb in irregular:
        return irregular[verb]
    if verb.endswith("ed") or not verb.endswith("s"):
        return verb
    if verb.endswith("ies"):
        return verb[:-3] + "y"
    if verb.endswith(("sses", "shes", "ches", "xes")):
        return verb[:-2]
    return verb[:-1]


def _source_graphs(store: Store, node: str) -> list[SourceGraph]:
    rows = _select(
        store,
        f"""SELECT ?g ?describes ?source ?checksum ?time ?version ?title ?synthetic WHERE {{
          {{ SELECT ?g (MAX(?about) AS ?describes) {{
              {{ GRAPH ?g {{ {node} ?p ?o }} BIND(1 AS ?about) }}
              UNION {{ GRAPH ?g {{ ?s ?p {node} }} BIND(0 AS ?about) }}
          }} GROUP BY ?g }}
          OPTIONAL {{ ?g dcterms:source ?source }}
          OPTIONAL {{ ?g scr:checksum ?checksum }}
          OPTIONAL {{ ?g prov:generatedAtTime ?time }}
          OPTIONAL {{ ?g scr:loaderVersion ?version }}
          OPTIONAL {{ ?g dcterms:title ?title }}
          OPTIONAL {{ ?g scr:isSynthetic ?synthetic }}
        }} ORDER BY ?g""",
    )
    names = _labels_of(store, [row["g"].value for row in rows])
    graphs: dict[str, SourceGraph] = {}
    for row in rows:
        graph = row["g"]
        if graph.value in graphs:
            continue
        graphs[graph.value] = SourceGraph(
            graph=_iri_term(graph.value, names.get(graph.value) or _value(row["title"])),
            source=_value(row["source"]),
            checksum=_value(row["checksum"]),
            generated=_term(row["time"], None) if row["time"] is not None else None,
            loader_version=_value(row["version"]),
            title=_value(row["title"]),
            synthetic=_value(row["synthetic"]) in ("true", "1"),
            describes=_value(row["describes"]) == "1",
        )
    return list(graphs.values())


def _quotes(store: Store, node: str) -> tuple[list[Quote], int]:
    where = f"""{{
          {{ ?statement rdf:subject {node} . BIND("out" AS ?direction)
             OPTIONAL {{ ?statement rdf:object ?other }} }}
          UNION {{ ?statement rdf:object {node} . BIND("in" AS ?direction)
             OPTIONAL {{ ?statement rdf:subject ?other }} }}
          UNION {{ BIND({node} AS ?statement) BIND("self" AS ?direction) }}
          ?statement scr:quote ?quote .
          OPTIONAL {{ ?statement rdf:predicate ?predicate }}
          OPTIONAL {{ ?statement prov:wasDerivedFrom ?source }}
        }}"""
    total = int(
        _select(store, f"SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT * {where} }}")[0]["n"].value
    )
    rows = _select(
        store,
        f"SELECT DISTINCT ?statement ?direction ?quote ?predicate ?other ?source {where} "
        f"ORDER BY ?direction ?statement ?quote LIMIT {MAX_QUOTES}",
    )
    names = _labels_of(
        store,
        [
            row[name].value
            for row in rows
            for name in ("other", "source")
            if isinstance(row[name], ox.NamedNode)
        ],
    )

    def shown(term: Any, prop: str = "") -> Term | None:
        if term is None:
            return None
        if isinstance(term, ox.NamedNode):
            return _iri_term(term.value, names.get(term.value))
        return _term(term, None, prop)

    quotes = [
        Quote(
            text=row["quote"].value,
            direction=row["direction"].value,
            predicate=_vocabulary_term(row["predicate"].value)
            if isinstance(row["predicate"], ox.NamedNode)
            else None,
            other=shown(row["other"], _value(row["predicate"]) or ""),
            source=shown(row["source"]),
        )
        for row in rows
    ]
    return quotes, total


def _evidence(store: Store, node: str) -> dict[tuple[str, str, str], list[Evidence]]:
    """The quotes behind each fact about the resource, keyed by (property, kind, value): the
    statements whose subject is the resource, with the page of their Web Annotation's target
    (``page=N``) and the title of their document."""
    rows = _select(
        store,
        f"""SELECT ?statement ?p ?o ?quote ?document (SAMPLE(?t) AS ?title)
                  (SAMPLE(?v) AS ?page) {{
          ?statement rdf:subject {node} ; rdf:predicate ?p ; rdf:object ?o ; scr:quote ?quote .
          OPTIONAL {{ ?statement prov:wasDerivedFrom ?document
                      OPTIONAL {{ ?document dcterms:title|rdfs:label ?t }} }}
          OPTIONAL {{ ?annotation <{OA}hasBody> ?statement ;
                        <{OA}hasTarget>/<{OA}hasSelector> ?selector .
                      ?selector rdf:value ?v FILTER(STRSTARTS(STR(?v), "page=")) }}
        }} GROUP BY ?statement ?p ?o ?quote ?document ORDER BY ?statement LIMIT {MAX_QUOTES}""",
    )
    found: dict[tuple[str, str, str], list[Evidence]] = {}
    for row in rows:
        value = _term(row["o"], None)
        page = _value(row["page"])
        item = Evidence(
            quote=row["quote"].value,
            page=int(page[5:]) if page and page[5:].isdigit() else None,
            document=_term(row["document"], row["title"]) if row["document"] else None,
        )
        found.setdefault((row["p"].value, value.kind, value.value), []).append(item)
    return found


# -- terms in words --------------------------------------------------------------------------


def vocabulary_labels(store: Store) -> dict[str, str]:
    """The labels of the ontology's terms (classes, properties, datatypes, concepts): those of
    the store's ontology graph, else of the package's ontology files; remembered until the
    store changes."""
    return per_version(store, "resource-vocabulary", lambda: _vocabulary_labels(store))


def _vocabulary_labels(store: Store) -> dict[str, str]:
    labels = dict(ontology_of(store).labels)
    rank: dict[str, int] = {}
    for row in _select(
        store,
        f"SELECT ?s ?p ?l {{ GRAPH <{ONTOLOGY_IRI}> {{ VALUES ?p {{ skos:prefLabel rdfs:label }} "
        f"?s ?p ?l FILTER(isIRI(?s)) }} }}",
    ):
        literal = row["l"]
        language = getattr(literal, "language", None) or ""
        english = language in ("", "en") or language.startswith("en-")
        score = (0 if row["p"].value == SKOS + "prefLabel" else 1) + (0 if english else 2)
        iri = row["s"].value
        if iri not in rank or score < rank[iri]:
            rank[iri] = score
            labels[iri] = literal.value
    return labels


def _vocabulary_term(iri: str) -> Term:
    """A class, property or datatype by its label in the ontology or its plain words."""
    return Term("iri", iri, words_for(iri, vocabulary_labels(get_store())), href=resource_url(iri))


def _iri_text(iri: str, label: str | None = None) -> str:
    """What a reader sees of an IRI: its label; a term of a vocabulary in words; a record of
    the data by the end of its address; any other IRI (a web page elsewhere) as it is."""
    if label:
        return label
    base = current_app.config["SCRKG_BASE"]
    if iri.startswith((SCR, SCRC)) or iri in STANDARD_WORDS or iri == ONTOLOGY_IRI:
        return words_for(iri, vocabulary_labels(get_store()))
    if iri.startswith(base) and len(iri) > len(base):
        return unquote(local_name(iri))
    if any(iri.startswith(namespace) for namespace in PREFIXES.values()):
        return words_for(iri, {})
    return iri


def _iri_term(iri: str, label: str | None) -> Term:
    return Term("iri", iri, _iri_text(iri, label), href=resource_url(iri))


def _labels_of(store: Store, iris: list[str]) -> dict[str, str]:
    """The preferred label of each IRI that has one."""
    unique = list(dict.fromkeys(iris))
    if not unique:
        return {}
    values = " ".join(str(ox.NamedNode(iri)) for iri in unique)
    found: dict[str, list[Any]] = {}
    for row in _select(
        store, f"SELECT ?s ?l {{ VALUES ?s {{ {values} }} ?s {LABEL_PATH} ?l }} ORDER BY ?l"
    ):
        found.setdefault(row["s"].value, []).append(row["l"])
    return {iri: label for iri, literals in found.items() if (label := _preferred(literals))}


def literal_words(literal: ox.Literal, prop: str = "") -> tuple[str, str, str]:
    """A literal as a reader writes it, with its kind of value when that says more than the
    value (a code's list), and a date's machine-readable form: ("15 June 2009", "",
    "2009-06-15"), ("1,263", "", ""), ("yes", "", ""), ("N9", "CIN census code", "")."""
    value = literal.value
    datatype = literal.datatype.value if not literal.language else LANG_STRING
    if datatype in (XSD_STRING, LANG_STRING):
        return value, "", ""
    if datatype == XSD + "boolean":
        return (
            ("yes" if value in ("true", "1") else "no" if value in ("false", "0") else value),
            "",
            "",
        )
    if datatype == XSD + "date":
        day = plain_date(value)
        return day, "", value if day != value else ""
    if datatype == XSD + "dateTime":
        day = plain_date(value[:10])
        if day != value[:10] and value[10:11] == "T" and value[13:14] == ":":
            return f"{day}, {value[11:16]}", "", value
        return value, "", ""
    if datatype == XSD + "gYearMonth":
        return month_year(value), "", ""
    if datatype == XSD + "gYear":
        return value, "", ""
    if datatype in NUMBERS:
        return _number(value, prop), "", ""
    if datatype.startswith(XSD):
        return value, "", ""
    return value, words_for(datatype, vocabulary_labels(get_store())), ""


def _number(value: str, prop: str) -> str:
    """A number grouped by thousands ("1,263"), but not a year or period ("2009")."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    if "year" in prop.lower() or "period" in prop.lower():
        return str(number)
    return f"{number:,}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- RDF representations ---------------------------------------------------------------------


def rdf_response(store: Store, iri: str, media_type: str) -> Response:
    """The resource's statements (about it and pointing at it) in an RDF format."""
    node = str(ox.NamedNode(iri))
    triples = store.query(
        f"CONSTRUCT {{ {node} ?p ?o . ?s ?q {node} }} "
        f"WHERE {{ {{ {node} ?p ?o }} UNION {{ ?s ?q {node} }} }}",
        use_default_graph_as_union=True,
    )
    unique = list(dict.fromkeys(triples))  # the union of graphs repeats a statement held twice
    del triples  # pyoxigraph results may only be dropped by this thread; see sparql.answer
    prefixes = {**PREFIXES, "id": current_app.config["SCRKG_BASE"]}
    body = ox.serialize(unique, format=RDF_TYPES[media_type], prefixes=prefixes)
    response = Response(body, status=200, content_type=_with_charset(media_type))
    response.vary.add("Accept")
    return response


# -- helpers ---------------------------------------------------------------------------------


def not_found(iri: str) -> Response:
    body = render_template("resource.html", missing=True, iri=iri, title="Not found")
    return Response(body, status=404, content_type="text/html; charset=utf-8")


def _not_acceptable() -> Response:
    offered = ", ".join([*PAGE_TYPES, *RDF_TYPES])
    return Response(
        f"None of the media types in the Accept header is available; offered: {offered}.\n",
        status=406,
        content_type="text/plain; charset=utf-8",
    )


def _negotiate() -> str | None:
    accept = request.accept_mimetypes
    if not accept:
        return "text/html"
    best = accept.best_match([*PAGE_TYPES, *RDF_TYPES, *ACCEPT_SYNONYMS])
    if best is None:
        return None
    best = ACCEPT_SYNONYMS.get(best, best)
    return "text/html" if best in PAGE_TYPES else best


def _candidate_iris(namespace: str, path: str, route_prefix: str) -> Iterator[str]:
    """The IRIs a request path may name, most likely first, each a valid IRI, no repeats."""
    seen: set[str] = set()
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    raw_path = raw.split("?", 1)[0]
    prefix = request.script_root + route_prefix
    options = [path]
    if raw_path.startswith(prefix):
        options.append(raw_path[len(prefix) :])
    options.append(quote(path, safe="/" + UNRESERVED))
    for option in options:
        iri = namespace + option
        if iri in seen or not option:
            continue
        seen.add(iri)
        try:
            ox.NamedNode(iri)
        except ValueError:
            continue
        yield iri


def _exists(store: Store, iri: str) -> bool:
    node = str(ox.NamedNode(iri))
    return _ask(
        store,
        f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} UNION {{ ?s {node} ?o }} "
        f"UNION {{ GRAPH {node} {{ ?s ?p ?o }} }} }}",
    )


def _select(store: Store, sparql: str) -> list[Any]:
    return list(store.query(sparql))


def _ask(store: Store, sparql: str) -> bool:
    return bool(store.query(sparql))


def _term(node: Any, label: Any, prop: str = "") -> Term:
    """A term as the page shows it; ``prop`` is the property it is a value of (a year is not
    grouped by thousands)."""
    if isinstance(node, ox.NamedNode):
        return _iri_term(node.value, label.value if label is not None else None)
    if isinstance(node, ox.Literal):
        text, note, machine = literal_words(node, prop)
        return Term("literal", node.value, text, note=note, machine=machine)
    text = label.value if label is not None else "(unnamed node)"
    return Term("bnode", str(node), text)


def _preferred(literals: list[Any]) -> str | None:
    """The English or untagged value if there is one, else the first."""
    for literal in literals:
        language = literal.language or ""
        if language in ("", "en") or language.startswith("en-"):
            return literal.value
    return literals[0].value if literals else None


def _value(term: Any) -> str | None:
    return None if term is None else term.value


def _offset(raw: str | None, total: int) -> int:
    try:
        offset = int(raw or 0)
    except ValueError:
        return 0
    return min(max(offset, 0), max(total - 1, 0))


def _page_href(direction: str, prop: str, offset: int) -> str:
    args = {**(request.view_args or {}), "dir": direction, "p": prop, "offset": offset}
    return url_for(request.endpoint, **args) + "#" + _anchor(direction, prop)


def _anchor(direction: str, prop: str) -> str:
    return f"{direction}-{quote(prop, safe='')}"


def _alternate(iri: str, suffix: str) -> str:
    """The URL of the resource in another format: /id/child/X -> /id/child/X.ttl."""
    if iri == ONTOLOGY_IRI:
        return url_for("resources.ontology_file", extension=suffix[1:])
    return (resource_url(iri) or "") + suffix


def _with_charset(media_type: str) -> str:
    return media_type + "; charset=utf-8" if media_type.startswith("text/") else media_type
