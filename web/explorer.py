"""The network explorer at /explore and its JSON APIs under /api/.

The page is our own autoescaped template with vis-network 9.1.2 served from /static (no
pyvis template, no CDN). Data reaches the page as JSON (``|tojson`` into a
``<script type="application/json">`` block, or from these APIs), and every label and summary is
drawn as text: vis-network shows a string ``title`` with ``innerText``.

APIs (all GET, all JSON; a bad IRI or parameter answers 400 with ``{"error": ...}``):

* ``/api/neighbours?iri=I`` the neighbours of I grouped by property and direction, at most
  ``SCRKG_EXPLORE_GROUP_LIMIT`` a group with the count of the rest; with ``property``,
  ``direction`` and ``offset``, the next page of one group (behind a "+N more" node).
* ``/api/node?iri=I`` the summary of one resource and its link counts.
* ``/api/edge?s=S&p=P&o=O`` the quotes behind a link and the source graphs that hold it.
* ``/api/labels?q=TEXT`` resources whose label contains TEXT (the explorer's "Find by label").
* ``/api/view?view=review|risk-factor|agency-type|whole&iri=I`` or ``/api/view?query=SPARQL``
  a saved view, or the resources of a query result, as nodes and edges (the query result through
  :func:`scrkg.web.network_file.query_view`, as the saved page draws it).
* ``/api/filter?kind=lesson-theme|risk-factor&iri=I`` the resources a filter keeps.

A link never runs a query by itself: ``/explore?query=TEXT`` only fills the page's query box, and
the network is drawn when the reader presses "Show as network". The site's own links to a query
it wrote carry ``run``, the signature the query page checks (:func:`site_explore_link`), and draw
on opening.

Large views (the whole graph, a query's network) reach the browser as at most
``SCRKG_EXPLORE_MAX_NODES`` nodes, and the page draws them gathered into one node per class or
scheme of coded values, opened a page of members at a time (web/static/explore.js).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from scrkg.graph import neighbours as nb
from scrkg.graph.memo import per_version
from scrkg.graph.store import Store
from scrkg.ontology import DEFAULT_BASE, ONTOLOGY_IRI, SCR, SCRC
from scrkg.web import get_store

bp = Blueprint("explorer", __name__)

#: How the explorer draws each group: (colour, vis-network shape).
GROUP_STYLE: dict[str, tuple[str, str]] = {
    "review": ("#c0392b", "hexagon"),
    "child": ("#2e86c1", "dot"),
    "incident": ("#1b4f72", "triangleDown"),
    "agency": ("#229954", "square"),
    "lesson": ("#d68910", "triangle"),
    "board": ("#7d3c98", "square"),
    "document": ("#566573", "square"),
    "figure": ("#a04000", "star"),
    "statement": ("#909497", "dot"),
    "source-graph": ("#34495e", "square"),
    "risk-factor": ("#e74c3c", "diamond"),
    "maltreatment": ("#8e44ad", "diamond"),
    "outcome": ("#17202a", "diamond"),
    "social-care-status": ("#16a085", "diamond"),
    "lesson-theme": ("#f4d03f", "diamond"),
    "agency-type": ("#58d68d", "diamond"),
    "quality-grade": ("#eb984e", "diamond"),
    "age-band": ("#85c1e9", "diamond"),
    "incident-category": ("#2874a6", "diamond"),
    "concept": ("#aab7b8", "diamond"),
    "scheme": ("#515a5a", "star"),
    "term": ("#6c3483", "triangleDown"),
    "other": ("#bdc3c7", "dot"),
}

VIEWS = {
    "review": nb.review_view,
    "risk-factor": nb.risk_factor_view,
    "agency-type": nb.agency_type_view,
}


def base_iri() -> str:
    return current_app.config.get("SCRKG_BASE") or DEFAULT_BASE


def resource_path(iri: str | None, base: str | None = None) -> str | None:
    """The site path of a resource page for an IRI of ours (/id/..., /def/..., /concept/...),
    or None for an IRI from elsewhere (shown as text, never fetched)."""
    if not iri:
        return None
    if iri == ONTOLOGY_IRI:
        return "/def"
    for namespace, path in ((base or DEFAULT_BASE, "/id/"), (SCR, "/def/"), (SCRC, "/concept/")):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            # Encoded as url_for would (a "%" of the IRI becomes "%25"); web/resources.py
            # decodes it back.
            return path + quote(iri[len(namespace) :], safe=PATH_SAFE)
    return None


#: Characters left as they are in a resource page path (the rest is percent-encoded).
PATH_SAFE = "/:@!$&'()*+,;=-._~"


def link_prefixes() -> list[list[str]]:
    """(IRI prefix, site path) pairs, longest first, for the pages' JavaScript."""
    return [
        [base_iri(), "/id/"],
        [SCRC, "/concept/"],
        [SCR, "/def/"],
    ]


def group_limit() -> int:
    return int(current_app.config.get("SCRKG_EXPLORE_GROUP_LIMIT", nb.GROUP_LIMIT))


def max_nodes() -> int:
    return int(current_app.config.get("SCRKG_EXPLORE_MAX_NODES", nb.MAX_VIEW_NODES))


def _bad(message: str, status: int = 400) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _with_urls(data: Any) -> Any:
    """Add the resource page path to every node-like dict (one with an "iri")."""
    base = base_iri()
    if isinstance(data, dict):
        if "iri" in data and isinstance(data["iri"], str):
            data["url"] = resource_path(data["iri"], base)
        for value in data.values():
            _with_urls(value)
    elif isinstance(data, list):
        for value in data:
            _with_urls(value)
    return data


def _arg_iri(name: str) -> str:
    value = request.args.get(name, "")
    nb.check_iri(value)
    return value


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


@bp.get("/explore")
def explore() -> str:
    store = get_store()
    start: dict[str, Any] = {"kind": "none"}
    problem = ""
    view = request.args.get("view", "")
    focus = request.args.get("focus", "")
    query = request.args.get("query", "")
    query_text = ""
    try:
        if query and _site_made(query, request.args.get("run", "")):
            start = {"kind": "query", "query": query}  # a link the site made for its own query
        elif query:
            # A link's query only fills the box: it runs when the reader presses the button.
            start = {"kind": "query-held"}
            query_text = query
        elif view == "whole":
            start = {"kind": "view", "view": "whole"}
        elif view in VIEWS:
            start = {"kind": "view", "view": view, "iri": _arg_iri("iri")}
        elif view:
            problem = f"There is no saved view called {view!r}."
        elif focus:
            nb.check_iri(focus)
            start = {"kind": "focus", "iri": focus}
    except ValueError as error:
        problem = f"That is not an IRI the explorer can show: {error}"
    choices = explorer_choices(store)
    search_text = request.args.get("q", "")
    search_results: list[dict[str, object]] = []
    if search_text:
        try:
            search_results = _with_urls(nb.search_labels(store, search_text))
        except ValueError as error:
            problem = str(error)
    if start["kind"] == "query":
        query_text = query
    if start["kind"] == "none" and not search_text and not problem and choices["reviews"]:
        # Nothing asked for: start from the first review rather than an empty canvas.
        start = {"kind": "focus", "iri": choices["reviews"][0]["iri"]}
    page = {
        "groups": [
            {"key": key, "label": label, "color": GROUP_STYLE[key][0], "shape": GROUP_STYLE[key][1]}
            for key, label in nb.GROUPS
        ],
        "start": start,
        "links": link_prefixes(),
        "limit": group_limit(),
    }
    return render_template(
        "explore.html",
        page=page,
        choices=choices,
        problem=problem,
        view=view,
        selected_iri=request.args.get("iri", ""),
        search_text=search_text,
        search_results=search_results,
        query_text=query_text,
        query_held=start["kind"] == "query-held",
    )


def _site_made(sparql: str, mac: str) -> bool:
    from scrkg.web.query_page import _site_made as signed

    return signed(sparql, mac)


def site_explore_link(sparql: str) -> str:
    """A link to the explorer that draws ``sparql``'s network on opening, signed as the query
    page's own links are (web/query_page.py): for queries the site wrote, such as the records
    page's "See them as a network"."""
    from scrkg.web.query_page import _link_mac

    return "/explore?" + urlencode({"query": sparql, "run": _link_mac(sparql)})


def explorer_choices(store: Store) -> dict[str, list[dict[str, Any]]]:
    """The menus of the saved views and filters, remembered until the store changes."""
    return per_version(store, "explorer-choices", lambda: _choices(store))


def _choices(store: Store) -> dict[str, list[dict[str, Any]]]:
    return {
        "reviews": nb.review_choices(store),
        "risk_factors": nb.concept_choices(store, SCRC + "risk-factors"),
        "agency_types": nb.concept_choices(store, SCRC + "agency-types"),
        "lesson_themes": nb.concept_choices(store, SCRC + "lesson-themes"),
    }


# ---------------------------------------------------------------------------------------------
# JSON APIs
# ---------------------------------------------------------------------------------------------


@bp.get("/api/neighbours")
def api_neighbours() -> Response:
    try:
        iri = _arg_iri("iri")
        prop = request.args.get("property") or None
        direction = request.args.get("direction") or None
        offset = int(request.args.get("offset") or 0)
        limit = min(int(request.args.get("limit") or group_limit()), 200)
        data = nb.neighbours(
            get_store(), iri, property=prop, direction=direction, offset=offset, limit=limit
        )
    except ValueError as error:
        return _bad(str(error))
    return jsonify(_with_urls(data))


@bp.get("/api/node")
def api_node() -> Response:
    try:
        data = nb.node_summary(get_store(), _arg_iri("iri"))
    except ValueError as error:
        return _bad(str(error))
    return jsonify(_with_urls(data))


@bp.get("/api/edge")
def api_edge() -> Response:
    try:
        data = nb.edge_provenance(get_store(), _arg_iri("s"), _arg_iri("p"), _arg_iri("o"))
    except ValueError as error:
        return _bad(str(error))
    for graph in data["graphs"]:
        graph["url"] = resource_path(graph["graph"], base_iri())
    for statement in data["statements"]:
        statement["url"] = resource_path(statement["statement"], base_iri())
        statement["source_url"] = resource_path(statement["source"], base_iri())
    return jsonify(_with_urls(data))


@bp.get("/api/labels")
def api_labels() -> Response:
    try:
        found = nb.search_labels(get_store(), request.args.get("q", ""))
    except ValueError as error:
        return _bad(str(error))
    return jsonify(_with_urls({"results": found}))


@bp.get("/api/filter")
def api_filter() -> Response:
    try:
        kind = request.args.get("kind", "")
        members = nb.filter_matches(get_store(), kind, _arg_iri("iri"))
    except ValueError as error:
        return _bad(str(error))
    return jsonify({"kind": kind, "iris": members})


@bp.get("/api/view")
def api_view() -> Response:
    store = get_store()
    query = request.args.get("query", "")
    view = request.args.get("view", "")
    try:
        if query:
            result = _query_view(query)
            if isinstance(result, Response):
                return result
        elif view == "whole":
            result = nb.whole_graph_view(store, max_nodes())
        elif view in VIEWS:
            result = VIEWS[view](store, _arg_iri("iri"))
        else:
            return _bad(f"Name a view: whole, {', '.join(VIEWS)}; or give a query.")
    except ValueError as error:
        return _bad(str(error))
    data = result.as_json(nb.property_labels(store))
    return jsonify(_with_urls(data))


def _query_view(query: str) -> nb.View | Response:
    """The resources of a query's result as a view (web/network_file.py's
    :func:`~scrkg.web.network_file.query_view`); the query passes the gateway first."""
    from scrkg.web.network_file import NetworkFileError, query_view
    from scrkg.web.query_page import QueryProblem, run_user_query

    try:
        results, cut = run_user_query(query)
    except QueryProblem as problem:
        return _bad(problem.message, problem.status)
    try:
        view = query_view(get_store(), results, cut=cut, max_nodes=max_nodes())
    except NetworkFileError as error:  # an ASK query: its answer, not a network
        view = nb.View({}, [])
        view.message = str(error)
    if not view.nodes:
        view.message = view.message or "The result names no resources (IRIs) to draw."
    return view
