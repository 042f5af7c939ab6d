"""A network as one HTML file that opens anywhere, offline: ``scrkg network`` and /network.html.

Three kinds of network, from the code that already draws them on the site:

* ``focus``: a resource and its neighbours, grouped by link as the explorer shows them
  (graph/neighbours.py), at most :data:`~scrkg.graph.neighbours.GROUP_LIMIT` a group;
* ``query``: the resources a SELECT query's rows name and the links between them, or the links
  a CONSTRUCT (or DESCRIBE) query builds, as the explorer's "Show as network" draws them;
* ``pattern``: the association network of a co-occurrence pattern (graph/patterns.py): items
  sized by their cases and coloured by community, linked when their lift is above 1 on enough
  cases.

Each becomes a networkx graph, which pyvis (``pyvis.network.Network.from_nx``) turns into the
node and edge lists of vis-network. The page itself is our own autoescaped template
(web/templates/network_file.html), not pyvis's, which loads Bootstrap and scripts from public
CDNs and does not escape. The page:

* inlines the vendored vis-network 9.1.2 script and stylesheet (its licence is kept, in the
  script's header and in full at the foot of the page), so it asks no server for anything; a
  Content-Security-Policy in the page allows only its own inline script and style (by hash), no
  connection, no form, no frame;
* carries the data as JSON in ``<script type="application/json">`` (``tojson``, which escapes
  ``<``, ``>``, ``&`` and ``'``); labels are drawn on a canvas and hover texts are plain strings,
  which vis-network 9.1.2 shows as text;
* marks synthetic records as the explorer does (a dashed outline, "synthetic" in the summary) and
  says how many there are;
* names its source (the store or the site, the resource, the query or the pattern and filters) and
  the time it was made;
* lists every node and link in tables below the drawing, for keyboard and screen reader users.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
from flask import Blueprint, Response, request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from scrkg import __version__
from scrkg.graph import neighbours as nb
from scrkg.graph import patterns as pt
from scrkg.graph import synthetic_notice
from scrkg.graph.store import Store
from scrkg.ontology import local_name
from scrkg.web.errors import text_response
from scrkg.web.explorer import GROUP_STYLE

bp = Blueprint("network_file", __name__)

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "static" / "vendor"
VIS_SCRIPT = VENDOR / "vis-network-9.1.2.min.js"
VIS_STYLE = VENDOR / "vis-network-9.1.2.css"
VIS_LICENCE = VENDOR / "vis-network-9.1.2.LICENSE"

#: Characters of a label drawn on the canvas (the full label is in the summary and the table).
LABEL_MAX = 32
#: Community colours of the pattern networks, as web/static/patterns.js draws them.
PALETTE = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
    "#000000", "#7f8c8d", "#95a5a6", "#bdc3c7",
)  # fmt: skip
#: The outline of a synthetic record, as the explorer draws it.
SYNTHETIC_DASHES = [4, 3]


class NetworkFileError(ValueError):
    """A network that cannot be made (an unknown resource or pattern, a query that gives no
    network); the message says why, in one sentence."""


@dataclass
class NetworkData:
    """What the page shows: a networkx graph whose nodes and edges hold what vis-network draws
    and what the tables list, and the words around it."""

    kind: str  # "focus", "query" or "pattern"
    title: str
    subject: str  # one plain sentence: what the network is
    graph: nx.MultiDiGraph | nx.Graph
    node_columns: list[str]
    edge_columns: list[str]
    options: dict[str, Any]
    query: str = ""
    notes: list[str] = field(default_factory=list)
    includes_synthetic: bool = False  # some record behind the network is synthetic
    stem: str = "scrkg-network"  # the download's file name, before any -includes-synthetic

    @property
    def synthetic_nodes(self) -> int:
        return sum(1 for _, data in self.graph.nodes(data=True) if data.get("synthetic"))


# ---------------------------------------------------------------------------------------------
# The networks
# ---------------------------------------------------------------------------------------------


def focus_network(store: Store, iri: str, limit: int = nb.GROUP_LIMIT) -> NetworkData:
    """The resource ``iri`` and its neighbours, at most ``limit`` a group (property and
    direction), with a note for each group that has more."""
    try:
        nb.check_iri(iri)
    except ValueError as error:
        raise NetworkFileError(f"{iri!r} is not an IRI: {error}") from None
    if not _known(store, iri):
        raise NetworkFileError(f"The store holds nothing about <{iri}>.")
    found = nb.neighbours(store, iri, limit=limit)
    centre = found["node"]
    graph = nx.MultiDiGraph()
    _add_resource(graph, centre)
    notes = []
    for group in found["groups"]:
        for item in group["items"]:
            _add_resource(graph, item)
            ends = (iri, item["iri"]) if group["direction"] == "out" else (item["iri"], iri)
            _add_link(graph, *ends, group["property"], group["label"])
        if group["more"]:
            way = "it links to" if group["direction"] == "out" else "that link to it"
            notes.append(
                f"{group['more']} more resources {way} by \u201c{group['label']}\u201d are not "
                f"shown (at most {limit} for each kind of link)."
            )
    data = _resource_network(
        store,
        "focus",
        f"{centre['label']} and its neighbours",
        f"The resource {centre['label']} ({iri}) and the resources it links to or is linked "
        "from, as the explorer shows them.",
        graph,
        notes,
    )
    data.stem = "scrkg-network-" + _slug(local_name(iri))
    return data


#: Rows of a SELECT result read for its network.
MAX_QUERY_ROWS = 20000


def query_view(
    store: Store, results: object, *, cut: bool = False, max_nodes: int = nb.MAX_VIEW_NODES
) -> nb.View:
    """The resources of a query's result (pyoxigraph objects, as the query gateway gives them
    back) as a view: the resources a SELECT's rows name (at most :data:`MAX_QUERY_ROWS` rows
    read) and the links the store holds between them, or the links between resources of a
    CONSTRUCT or DESCRIBE result. ``cut``: the result was cut at a limit; the view says so.
    Both the explorer's "Show as network" and the saved page draw this view. Raises
    NetworkFileError for an ASK query, whose answer is not a network."""
    if isinstance(results, ox.QueryBoolean):
        raise NetworkFileError(
            f"The query is an ASK query: its answer is {'yes' if results else 'no'}, not a "
            "network. Give a SELECT or CONSTRUCT query."
        )
    if isinstance(results, list):  # the triples of a CONSTRUCT or DESCRIBE query
        view = nb.triples_view(store, results, max_nodes)
    else:
        iris: list[str] = []
        for number, row in enumerate(results):  # type: ignore[call-overload]
            if number >= MAX_QUERY_ROWS:
                cut = True
                break
            iris.extend(term.value for term in row if isinstance(term, ox.NamedNode))
        view = nb.iris_view(store, iris, max_nodes)
    if cut:
        note = "Only the first rows of the result were read: it was cut at a limit of this site."
        view.message = f"{note} {view.message}".strip()
        view.truncated = True
    return view


def query_network(
    store: Store, results: object, sparql: str, *, cut: bool = False,
    max_nodes: int = nb.MAX_VIEW_NODES,
) -> NetworkData:  # fmt: skip
    """The network of a query's result (see :func:`query_view`) as a page's data; raises
    NetworkFileError for an ASK query or a result that names no resources."""
    view = query_view(store, results, cut=cut, max_nodes=max_nodes)
    if not view.nodes:
        raise NetworkFileError("The query's result names no resources (IRIs) to draw.")
    return _view_network(store, view, "query", "A query's result as a network", sparql)


def view_network(store: Store, view: nb.View, title: str, subject: str) -> NetworkData:
    """One of the explorer's saved views (a review, a risk factor, an agency type, the whole
    graph) as a network."""
    data = _view_network(store, view, "view", title, "")
    data.subject = subject
    data.stem = "scrkg-network-" + _slug(title)
    return data


def _view_network(store: Store, view: nb.View, kind: str, title: str, sparql: str) -> NetworkData:
    shown = view.as_json(nb.property_labels(store))
    graph = nx.MultiDiGraph()
    for node in shown["nodes"]:
        _add_resource(graph, node)
    for edge in shown["edges"]:
        _add_link(graph, edge["from"], edge["to"], edge["property"], edge["label"])
    notes = [str(shown["message"])] if shown["message"] else []
    data = _resource_network(
        store,
        kind,
        title,
        "The resources the query's result names and the links the store holds between them.",
        graph,
        notes,
    )
    data.query = sparql
    data.stem = "scrkg-network-query"
    return data


def pattern_network(store: Store, pattern: pt.Pattern) -> NetworkData:
    """The association network of a co-occurrence pattern: every item, and the pairs whose lift
    is above 1 on at least ``min_cases`` cases."""
    graph = nx.Graph()
    counts = [item.count for item in pattern.items] or [1]
    low, high = min(counts), max(counts)
    associated = [pair for pair in pattern.pairs if pair.associated]
    lifts = [pair.lift for pair in associated] or [1.0]
    for item in pattern.items:
        label = nb.visible_text(item.label)
        colour = PALETTE[(item.community - 1) % len(PALETTE)]
        few = ", few cases" if item.few_cases else ""
        summary = [
            label,
            f"{item.count} {pattern.unit} ({item.support:.1%}){few}",
            f"associated with {item.degree}; betweenness {item.betweenness:.3f}",
            f"community {item.community}",
            item.iri,
        ]
        graph.add_node(
            item.iri,
            label=_short(label),
            title="\n".join(summary),
            shape="dot",
            size=_scaled(item.count, low, high, 8, 40),
            color={"background": colour, "border": "#1c2833"},
            borderWidth=1,
            synthetic=False,
            community=item.community,
            cells=[label, str(item.count), f"{item.support:.1%}", str(item.community),
                   str(item.degree), item.iri],
        )  # fmt: skip
    for pair in associated:
        a_label, b_label = nb.visible_text(pair.a_label), nb.visible_text(pair.b_label)
        graph.add_edge(
            pair.a,
            pair.b,
            weight=_scaled(pair.lift, min(lifts), max(lifts), 1, 10),
            title=f"{a_label} + {b_label}\n{pair.count} {pattern.unit} (expected "
            f"{pair.expected:.1f})\nlift {pair.lift:.3f}, PMI {pair.pmi:.3f}",
            color="#2c3e50",
            cells=[a_label, b_label, str(pair.count), f"{pair.expected:.1f}", f"{pair.lift:.3f}"],
        )
    left_out = len(pattern.pairs) - len(associated)
    notes = [
        f"{left_out} pairs that are not associated (lift 1 or less, or fewer than "
        f"{pattern.min_cases} cases) are left out; the command scrkg patterns and the site's "
        "Patterns page list every pair."
    ] if left_out else []  # fmt: skip
    synthetic = synthetic_notice.store_includes_synthetic(store)
    if synthetic:
        notes.append(
            f"The {pattern.unit} counted include synthetic records (generated, not real cases)."
        )
    return NetworkData(
        kind="pattern",
        title=pattern.title,
        subject=(
            f"Which {pt.KINDS[pattern.kind].item} go together: {pattern.cases} {pattern.unit} "
            f"({pattern.filters.describe()}), {len(pattern.items)} items, {len(associated)} "
            f"associated pairs (lift above 1 on at least {pattern.min_cases} cases). A bigger "
            "circle has more cases, a thicker line a higher lift; colours are communities."
        ),
        graph=graph,
        node_columns=["Item", pattern.unit.capitalize(), "Share", "Community", "Associated with",
                      "IRI"],
        edge_columns=["Item", "With", pattern.unit.capitalize(), "Expected", "Lift"],
        options=_pattern_options(len(pattern.items)),
        notes=notes,
        includes_synthetic=synthetic,
        stem="scrkg-network-" + pattern.kind,
    )  # fmt: skip


def _resource_network(
    store: Store, kind: str, title: str, subject: str, graph: nx.MultiDiGraph, notes: list[str]
) -> NetworkData:
    synthetic = any(data["synthetic"] for _, data in graph.nodes(data=True))
    if synthetic:
        notes.append(
            "Records drawn with a dashed outline and marked synthetic in the table are generated "
            "examples, not real cases."
        )
    return NetworkData(
        kind=kind,
        title=title,
        subject=subject,
        graph=graph,
        node_columns=["Resource", "Kind", "IRI"],
        edge_columns=["From", "Link", "To"],
        options=_options(graph.number_of_nodes(), directed=True),
        notes=notes,
        includes_synthetic=synthetic,
    )


def _add_resource(graph: nx.MultiDiGraph, node: dict[str, Any]) -> None:
    """A resource as the explorer's JSON gives it (label and summary already made visible)."""
    iri = node["iri"]
    if iri in graph:
        return
    group = node["group"] if node["group"] in GROUP_STYLE else "other"
    colour, shape = GROUP_STYLE[group]
    attributes: dict[str, Any] = {
        "label": _short(node["label"]),
        "title": node["title"],
        "shape": shape,
        "size": 12,
        "color": {"background": colour, "border": "#2c3e50"},
        "borderWidth": 1,
        "synthetic": bool(node["synthetic"]),
        "cells": [node["label"], nb.GROUP_LABELS.get(group, "Other"), iri],
    }
    if node["synthetic"]:
        attributes["shapeProperties"] = {"borderDashes": SYNTHETIC_DASHES}
        attributes["borderWidth"] = 2
    graph.add_node(iri, **attributes)


def _add_link(graph: nx.MultiDiGraph, source: str, target: str, prop: str, label: str) -> None:
    ends = [graph.nodes[source]["cells"][0], graph.nodes[target]["cells"][0]]
    graph.add_edge(
        source,
        target,
        key=prop,
        label=label,
        title=f"{ends[0]} \u2014 {label} \u2192 {ends[1]}\n{prop}",
        cells=[ends[0], label, ends[1]],
    )


def _known(store: Store, iri: str) -> bool:
    term = str(ox.NamedNode(iri))
    return bool(store.query(f"ASK {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }} }}"))


def _short(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "\u2026"


def _scaled(value: float, low: float, high: float, smallest: int, largest: int) -> int:
    if high <= low:
        return (smallest + largest) // 2
    return round(smallest + (largest - smallest) * (value - low) / (high - low))


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:60]
    return slug or "resource"


def _options(nodes: int, *, directed: bool) -> dict[str, Any]:
    big = nodes >= 300
    return {
        "nodes": {"font": {"size": 12, "color": "#1c2833"}},
        "edges": {
            "arrows": {"to": {"enabled": directed, "scaleFactor": 0.5}},
            "color": {"color": "#a6acaf", "highlight": "#1c2833", "hover": "#566573"},
            "font": {"size": 9, "color": "#566573", "align": "middle", "strokeWidth": 3},
            "smooth": False if big else {"enabled": True, "type": "continuous", "roundness": 0.3},
            "selectionWidth": 2,
        },
        "layout": {"improvedLayout": nodes < 100, "randomSeed": 7},
        "physics": {
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -2500 if big else -4000,
                "centralGravity": 0.05 if big else 0.3,
                "springLength": 80 if big else 130,
                "avoidOverlap": 0 if big else 0.2,
            },
            "stabilization": {"enabled": True, "iterations": 50 if big else 300, "fit": True},
            "minVelocity": 1,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "navigationButtons": False,
            "keyboard": {"enabled": True, "bindToWindow": False},
        },
    }


def _pattern_options(nodes: int) -> dict[str, Any]:
    """As the Patterns page draws them (web/static/patterns.js)."""
    options = _options(nodes, directed=False)
    options["edges"]["smooth"] = False
    options["physics"]["barnesHut"] = {
        "gravitationalConstant": -6000,
        "centralGravity": 0.4,
        "springLength": 160,
        "avoidOverlap": 0.4,
    }
    options["physics"]["stabilization"]["iterations"] = 400
    options["nodes"]["font"]["size"] = 14
    return options


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def vis_data(graph: nx.Graph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The node and edge lists of vis-network, made by pyvis from a copy of ``graph`` (pyvis
    changes the attributes of the graph it reads) without the table cells."""
    from pyvis.network import Network

    copy = nx.MultiDiGraph() if graph.is_directed() else nx.Graph()
    for node, data in graph.nodes(data=True):
        copy.add_node(node, **{k: v for k, v in data.items() if k != "cells"})
    for source, target, data in graph.edges(data=True):
        copy.add_edge(source, target, **{k: v for k, v in data.items() if k != "cells"})
    net = Network(directed=graph.is_directed())
    net.from_nx(copy, default_node_size=12, show_edge_weights=False)
    nodes, edges, *_ = net.get_network_data()
    return nodes, edges


def render(data: NetworkData, *, source: str, when: dt.datetime | None = None) -> str:
    """The page: one HTML document, self-contained. ``source`` names where the data came from
    (the store's directory or server, or the site's address)."""
    when = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    nodes, edges = vis_data(data.graph)
    assets = _assets()
    kinds = (
        {d["cells"][1] for _, d in data.graph.nodes(data=True)} if data.kind != "pattern" else ()
    )
    legend = [{"label": label, "key": key, "shape": GROUP_STYLE[key][1]}
              for key, label in nb.GROUPS if label in kinds]  # fmt: skip
    communities = sorted({d["community"] for _, d in data.graph.nodes(data=True)
                          if "community" in d})  # fmt: skip
    styles, scripts = [assets["style"], page_style()], [assets["script"], PAGE_SCRIPT]
    policy = (
        f"default-src 'none'; script-src {' '.join(map(_hash, scripts))}; "
        f"style-src {' '.join(map(_hash, styles))}; img-src data:; base-uri 'none'; "
        "form-action 'none'"
    )
    html = (
        _environment()
        .get_template("network_file.html")
        .render(
            data=data,
            source=source,
            when=when,
            nodes=[d for _, d in data.graph.nodes(data=True)],
            edges=[d for _, _, d in data.graph.edges(data=True)],
            network={"nodes": nodes, "edges": edges, "options": data.options},
            legend=legend,
            communities=communities,
            palette_size=len(PALETTE),
            licence=assets["licence"],
            policy=policy,
            version=__version__,
        )
    )
    # The template marks where the inline style and script go; in the data every "<" is
    # escaped (as &lt; in the text, \u003c in the JSON), so only the template's marks match.
    html = html.replace(STYLE_MARK, "".join(f"<style>{s}</style>" for s in styles), 1)
    return html.replace(SCRIPT_MARK, "".join(f"<script>{s}</script>" for s in scripts), 1)


STYLE_MARK = "<!-- the inline styles -->"
SCRIPT_MARK = "<!-- the inline scripts -->"


def _hash(body: str) -> str:
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@functools.cache
def page_style() -> str:
    """The page's own style, with a colour class for each kind of resource and community."""
    kinds = "".join(
        f".kind-{key} {{ background: {colour}; }}\n" for key, (colour, _) in GROUP_STYLE.items()
    )
    communities = "".join(
        f".community-{n} {{ background: {colour}; }}\n" for n, colour in enumerate(PALETTE)
    )
    return PAGE_STYLE + kinds + communities


PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 0 1rem 2rem;
       max-width: 80rem; color: #1c2833; background: #ffffff; line-height: 1.45; }
a { color: #1a5276; }
:focus-visible { outline: 3px solid #1a5276; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 0.5rem; background: #ffffff; padding: 0.25rem 0.5rem; }
.provenance { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; }
.provenance dt { font-weight: bold; }
.provenance dd { margin: 0; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f6f6; padding: 0.5rem;
      border: 1px solid #d5d8dc; }
.synthetic-notice { background: #fdebd0; border: 1px dashed #dc7633; padding: 0.5rem; }
.synthetic-tag { background: #fdebd0; color: #873600; border: 1px dashed #dc7633;
                 padding: 0 0.3rem; font-size: 0.85em; white-space: nowrap; }
.network { height: 70vh; min-height: 24rem; border: 1px solid #aab7b8; }
.status { font-style: italic; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; }
.swatch { display: inline-block; width: 0.9rem; height: 0.9rem; margin-right: 0.3rem;
          border: 1px solid #2c3e50; vertical-align: middle; }
.swatch.synthetic { background: #ffffff; border: 2px dashed #2c3e50; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; width: 100%; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { border: 1px solid #d5d8dc; padding: 0.2rem 0.5rem; text-align: left;
         vertical-align: top; overflow-wrap: break-word; }
thead th { background: #eaeded; }
tbody th { font-weight: normal; }
footer { margin-top: 2rem; border-top: 1px solid #d5d8dc; font-size: 0.9rem; }
"""

#: The page's script: the network drawn from the JSON block, and nothing fetched.
PAGE_SCRIPT = """
(function () {
  "use strict";
  var status = document.getElementById("network-status");
  var container = document.getElementById("network");
  if (!window.vis) {
    status.textContent = "This browser could not draw the network; the tables below list it.";
    return;
  }
  var data = JSON.parse(document.getElementById("network-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var settled = false;
  function settle() {
    if (settled) return;
    settled = true;
    network.setOptions({ physics: false });
    network.fit({ maxZoomLevel: 3, animation: false });
    container.setAttribute("data-ready", "true");
    status.textContent = "Drawn: " + nodes.length + " nodes and " + edges.length + " links.";
  }
  network.once("stabilizationIterationsDone", settle);
  window.setTimeout(settle, 15000);
  window.scrkgNetwork = { network: network, nodes: nodes, edges: edges };
})();
"""


@functools.cache
def _assets() -> dict[str, str]:
    return {
        "script": VIS_SCRIPT.read_text(encoding="utf-8"),
        "style": VIS_STYLE.read_text(encoding="utf-8"),
        "licence": VIS_LICENCE.read_text(encoding="utf-8"),
    }


@functools.cache
def _environment() -> Environment:
    """Our own Jinja environment (the command line has no Flask app): autoescaped, strict."""
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def download_name(data: NetworkData) -> str:
    return synthetic_notice.file_name(data.stem, "html", data.includes_synthetic)


# ---------------------------------------------------------------------------------------------
# /network.html: the same file from the site, as a download
# ---------------------------------------------------------------------------------------------

_VIEW_TITLES = {
    "review": ("One review", "The review, its children, agencies, lessons and board."),
    "risk-factor": ("One risk factor", "The children and reviews with this risk factor."),
    "agency-type": ("One agency type", "The agencies of this type, their reviews and lessons."),
    "whole": ("The whole graph", "The links between the resources of the data."),
}


@bp.get("/network.html")
def network_download() -> Response:
    """``?focus=IRI``, ``?query=SPARQL``, ``?pattern=KIND`` (with the patterns' filters) or
    ``?view=review|risk-factor|agency-type|whole[&iri=IRI]``: the network as one HTML file."""
    from scrkg.web import get_store

    chosen = [name for name in ("focus", "query", "pattern", "view") if request.args.get(name)]
    if len(chosen) != 1:
        return text_response(400, "Give one of focus=IRI, query=SPARQL, pattern=NAME or view=NAME.")
    store = get_store()
    try:
        data = _requested(store, chosen[0], request.args[chosen[0]])
    except _Refused as refused:
        return text_response(refused.status, refused.message)
    html = render(data, source=f"the scrkg site at {request.url_root}")
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename=download_name(data))
    if data.includes_synthetic:
        response.headers[synthetic_notice.HEADER] = "true"
    return response


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _requested(store: Store, kind: str, value: str) -> NetworkData:
    from scrkg.web.explorer import VIEWS, group_limit, max_nodes

    try:
        if kind == "focus":
            try:
                nb.check_iri(value)
            except ValueError as error:
                raise _Refused(400, f"That is not an IRI: {error}") from None
            return focus_network(store, value, group_limit())
        if kind == "query":
            from scrkg.web.query_page import QueryProblem, run_user_query

            try:
                results, cut = run_user_query(value)
            except QueryProblem as problem:
                raise _Refused(problem.status, problem.message) from None
            return query_network(store, results, value, cut=cut, max_nodes=max_nodes())
        if kind == "pattern":
            return _pattern(store, value)
        if value not in _VIEW_TITLES:
            raise _Refused(404, f"There is no saved view called {value!r}.")
        iri = request.args.get("iri", "")
        if value == "whole":
            view = nb.whole_graph_view(store, max_nodes())
            title, subject = _VIEW_TITLES[value]
        else:
            nb.check_iri(iri)
            view = VIEWS[value](store, iri)
            name = nb.summaries(store, [iri])[iri].as_json()["label"]
            title, subject = f"{_VIEW_TITLES[value][0]}: {name}", _VIEW_TITLES[value][1]
        return view_network(store, view, title, subject)
    except NetworkFileError as error:
        raise _Refused(404 if kind == "focus" else 400, str(error)) from None
    except ValueError as error:
        raise _Refused(400, str(error)) from None


def _pattern(store: Store, kind: str) -> NetworkData:
    from scrkg.web.patterns import BadRequest, _filters

    if kind not in pt.KINDS:
        raise _Refused(404, f"Unknown pattern {kind!r}; use one of: {', '.join(pt.KINDS)}.")
    try:
        pattern = pt.co_occurrence(store, kind, **_filters())
    except BadRequest as error:
        raise _Refused(400, error.message) from None
    return pattern_network(store, pattern)
