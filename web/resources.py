"""Resource pages: every IRI of the data and of the ontology resolves under the site.

``<base>child/X`` (the data base, SCRKG_BASE) is served at ``/id/child/X``, ``scr:CaseReview``
(``https://w3id.org/scrkg/def#CaseReview``) at ``/def/CaseReview``, the ontology itself at ``/def``,
and ``scrc:died`` at ``/concept/died``. An HTML page shows the label, types, links out and in
grouped by property (paged), the named graphs the statements come from with their provenance,
and the quotes behind them; beside each coded fact, the evidence it was confirmed from (the quote,
its page and its document). The same description is served as Turtle, JSON-LD or N-Triples by
Accept header or by a ``.ttl`` / ``.jsonld`` / ``.nt`` suffix.

Path segments are decoded by the server, so links are built with ``url_for`` (which encodes a
``%`` of the IRI as ``%25``); the undecoded request path and the minting rule's encoding are tried
too, so a w3id redirect of ``.../child/Child%201`` also finds its resource. Every IRI put into a
query passes through ``pyoxigraph.NamedNode``, which refuses anything that is not an IRI.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from scrkg.graph.store import Store
from scrkg.ontology import ONTOLOGY_IRI, PREFIXES, SCR, SCRC
from scrkg.web import get_store
from scrkg.web.search import similar_reviews

bp = Blueprint("resources", __name__)

RDF_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples"}
PAGE_TYPES = ["text/html", "application/xhtml+xml"]
ACCEPT_SYNONYMS = {"application/json": "application/ld+json", "application/x-turtle": "text/turtle"}
MAX_QUOTES = 100
UNRESERVED = "-._~"  # with ASCII letters and digits, what the IRI minting keeps unencoded

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OA = "http://www.w3.org/ns/oa#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = RDF + "langString"
LABEL_PATH = "(rdfs:label|skos:prefLabel)"


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
    """An RDF term as the template shows it: text, and a link only when the site has a page."""

    kind: str  # "iri", "literal" or "bnode"
    value: str
    text: str
    href: str | None = None
    note: str = ""  # language tag or datatype of a literal
    #: Beside a value of this resource's property: the quotes the fact was confirmed from.
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class LinkGroup:
    """The values of one property, one page of them."""

    direction: str  # "out" or "in"
    property: Term
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
    generated: str | None
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
    types = [
        _term(row["type"], row["label"])
        for row in _select(
            store,
            f"SELECT ?type (SAMPLE(?l) AS ?label) {{ {node} a ?type "
            f"OPTIONAL {{ ?type {LABEL_PATH} ?l }} }} GROUP BY ?type ORDER BY ?type",
        )
    ]
    groups = {
        direction: _link_groups(store, node, direction, page_size) for direction in ("out", "in")
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
        title=label or _compact(iri),
        label=label,
        definition=_preferred(definitions),
        types=types,
        outgoing=groups["out"],
        incoming=groups["in"],
        graphs=graphs,
        synthetic=synthetic,
        quotes=quotes,
        quotes_total=quotes_total,
        similar=similar,
        explore_href="/explore?" + urlencode({"focus": iri}),
        alternates=[(media, _alternate(iri, suffix)) for suffix, media in SUFFIXES.items()],
    )
    response = Response(body, status=200, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    response.headers["Link"] = ", ".join(
        f'<{_alternate(iri, suffix)}>; rel="alternate"; type="{media}"'
        for suffix, media in SUFFIXES.items()
    )
    return response


def _link_groups(store: Store, node: str, direction: str, page_size: int) -> list[LinkGroup]:
    pattern = f"{node} ?p ?v" if direction == "out" else f"?v ?p {node}"
    counts = _select(
        store,
        f"SELECT ?p (COUNT(DISTINCT ?v) AS ?n) (SAMPLE(?pl) AS ?plabel) {{ {pattern} "
        f"{'FILTER(?p != rdf:type) ' if direction == 'out' else ''}"
        f"OPTIONAL {{ ?p {LABEL_PATH} ?pl }} }} GROUP BY ?p ORDER BY ?p",
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
        group = LinkGroup(direction, _term(prop, row["plabel"]), total, offset)
        value_pattern = f"{node} {prop} ?v" if direction == "out" else f"?v {prop} {node}"
        for value in _select(
            store,
            f"SELECT ?v (SAMPLE(?l) AS ?label) "
            f"{{ {value_pattern} OPTIONAL {{ ?v {LABEL_PATH} ?l }} }} "
            f"GROUP BY ?v ORDER BY LCASE(STR(COALESCE(?label, ?v))) ?v "
            f"LIMIT {page_size} OFFSET {offset}",
        ):
            group.values.append(_term(value["v"], value["label"]))
        if offset + page_size < total:
            group.next_href = _page_href(direction, prop.value, offset + page_size)
        if offset > 0:
            group.previous_href = _page_href(direction, prop.value, max(offset - page_size, 0))
        groups.append(group)
    return groups


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
    graphs: dict[str, SourceGraph] = {}
    for row in rows:
        graph = row["g"]
        if graph.value in graphs:
            continue
        graphs[graph.value] = SourceGraph(
            graph=_term(graph, None),
            source=_value(row["source"]),
            checksum=_value(row["checksum"]),
            generated=_value(row["time"]),
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
    quotes = [
        Quote(
            text=row["quote"].value,
            direction=row["direction"].value,
            predicate=_term(row["predicate"], None) if row["predicate"] else None,
            other=_term(row["other"], None) if row["other"] else None,
            source=_term(row["source"], None) if row["source"] else None,
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


def _term(node: Any, label: Any) -> Term:
    if isinstance(node, ox.NamedNode):
        text = label.value if label is not None else _compact(node.value)
        return Term("iri", node.value, text, href=resource_url(node.value))
    if isinstance(node, ox.Literal):
        note = ""
        if node.language:
            note = "@" + node.language
        elif node.datatype.value not in (XSD_STRING, LANG_STRING):
            note = "^^" + _compact(node.datatype.value)
        return Term("literal", node.value, node.value, note=note)
    return Term("bnode", str(node), str(node))


def _compact(iri: str) -> str:
    namespaces = {**PREFIXES, "id": current_app.config["SCRKG_BASE"]}
    for prefix, namespace in sorted(namespaces.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


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
