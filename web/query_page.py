"""The query page at /query: a SPARQL editor, the saved queries, results, downloads, permalinks.

The page runs queries from the browser against the SPARQL endpoint (/sparql) with
``Accept: application/sparql-results+json``, and shows whatever the endpoint says about errors,
time-outs and truncated results. The results table is in plain words (web/static/query.js): each
IRI by its label, asked for in one more query of at most 400 IRIs, headings spelt out, numbers
and dates formatted, rows that list synthetic records tagged; the downloads keep the machine
shapes. Where the site has no /sparql (an app built without that
blueprint), ``/api/query`` (GET) answers the same way through the query gateway.

A link never runs a query by itself: ``/query?query=TEXT`` only fills the editor, and the query
runs when the user presses Run (the page then POSTs it to the endpoint). ``/query?name=NAME``
fills the editor with a saved query of ontology/queries/ and runs it, since saved queries are
the site's own text; any name that is not one of them gets 404. The site's own links to a query
it wrote (a dashboard chart's) carry ``run``, an HMAC of the text under a key that lives only in
this process (:func:`site_query_link`), so they run on opening; no one outside can make one.

The page's download links go to ``/api/query``, whose CSV and TSV are made safe to open in a
spreadsheet (see graph/tables.py, :func:`spreadsheet_safe`); /sparql's CSV and TSV stay
exactly as the SPARQL standards describe them. A download that holds synthetic data (a true
``synthetic`` column, or an IRI that carries ``scr:isSynthetic true``) says so in its file name
(``results-includes-synthetic.csv``) and in the header ``X-SCRKG-Synthetic: true``; Turtle and
N-Triples start with a comment line too (graph/synthetic_notice.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from scrkg.graph import gateway, synthetic_notice
from scrkg.graph.formats import of_kind
from scrkg.graph.result_writers import Written
from scrkg.graph.saved import SavedQuery, saved_queries
from scrkg.graph.tables import spreadsheet_safe
from scrkg.ontology import PREFIXES
from scrkg.web import get_store, querying
from scrkg.web.words import STANDARD_WORDS

bp = Blueprint("query_page", __name__)

#: The key of the site's own query links; new at each start, so old links just fill the editor.
_LINK_KEY = secrets.token_bytes(32)


def _link_mac(sparql: str) -> str:
    return hmac.new(_LINK_KEY, sparql.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def site_query_link(sparql: str) -> str:
    """A link to the query page that runs ``sparql`` on opening: for queries the site wrote."""
    return "/query?" + urlencode({"query": sparql, "run": _link_mac(sparql)})


def _site_made(sparql: str, mac: str) -> bool:
    return bool(mac) and hmac.compare_digest(_link_mac(sparql), mac)


#: Download formats: (name, label, media type), for rows and for graphs: what /sparql answers in.
ROW_FORMATS = [(f.name, f.label, f.media_type) for f in of_kind("results") if f.answers]
GRAPH_FORMATS = [(f.name, f.label, f.media_type) for f in of_kind("graph") if f.answers]
EXAMPLE_QUERY = """SELECT ?review ?label (COUNT(?child) AS ?children) WHERE {
  ?review scr:concernsChild ?child ;
          rdfs:label ?label .
}
GROUP BY ?review ?label
ORDER BY DESC(?children) ?label
LIMIT 20
"""


def prefix_lines() -> str:
    """The ontology's PREFIX declarations, one a line."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


class QueryProblem(Exception):
    """A query the site could not run; ``message`` is for the user, ``status`` for HTTP."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def run_user_query(sparql: str) -> tuple[object, bool]:
    """Run a user's query through the query gateway (which refuses updates, SERVICE, FROM...,
    and runs it in a worker under the deadline and caps). Returns the result as pyoxigraph
    objects (QuerySolutions, QueryBoolean or a list of Triples) and whether it was cut."""
    try:
        found, written = querying.results(sparql)
    except gateway.GatewayError as error:
        raise QueryProblem(error.message, error.status) from None
    return found, bool(written.truncated)


def endpoint_url() -> str | None:
    """The site's SPARQL endpoint path, when the app has one."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule == "/sparql":
            return "/sparql"
    return None


@bp.get("/query")
def query_page() -> tuple[str, int] | str:
    saved = saved_queries()
    name = request.args.get("name", "")
    text = request.args.get("query")
    problem = ""
    selected = None
    autorun = False  # only a saved query runs when the page opens; a link's text waits for Run
    if text is None and name:
        selected = find_saved(saved, name)
        if selected is None:
            problem = unknown_name_message(name, saved)
        else:
            text = selected.sparql
            autorun = True
    if text is not None and selected is None and _site_made(text, request.args.get("run", "")):
        autorun = True  # a link the site made for its own query (a dashboard chart)
    from_link = text is not None and selected is None and bool(text.strip()) and not autorun
    if text is None:
        text = prefix_lines() + "\n" + EXAMPLE_QUERY
    endpoint = endpoint_url()
    page = {
        "endpoint": endpoint or "/api/query",
        "downloads": "/api/query",
        "autorun": autorun,
        "row_formats": [[n, label] for n, label, _ in ROW_FORMATS],
        "graph_formats": [[n, label] for n, label, _ in GRAPH_FORMATS],
        "links": _links(),
        "prefixes": PREFIXES,
        "words": STANDARD_WORDS,  # terms of other vocabularies in plain words, for the results
    }
    html = render_template(
        "query.html",
        saved=saved,
        selected=selected,
        query_text=text,
        from_link=from_link,
        page=page,
        problem=problem,
    )
    return (html, 404) if problem else html


def find_saved(saved: list[SavedQuery], name: str) -> SavedQuery | None:
    """The saved query of that name, looked up in the list (never as a path on disk)."""
    for query in saved:
        if query.name == name:
            return query
    return None


def unknown_name_message(name: str, saved: list[SavedQuery]) -> str:
    shown = name if len(name) <= 80 else name[:80] + "…"
    known = ", ".join(q.name for q in saved) or "none"
    return f"No saved query named {shown!r}; only the site's saved queries open by name: {known}."


def _links() -> list[list[str]]:
    from scrkg.web.explorer import link_prefixes

    return link_prefixes()


@bp.get("/api/query")
def api_query() -> Response:
    """Run a query through the gateway: SPARQL JSON for rows, N-Triples for graphs (or the
    ``format`` asked for). The query page's download links come here, and its runs too when the
    site has no /sparql endpoint. CSV and TSV are made safe to open in a spreadsheet: a cell
    that a spreadsheet would take for a formula gets a ' in front."""
    sparql = request.args.get("query", "")
    fmt = request.args.get("format", "")
    rows = dict((n, m) for n, _, m in ROW_FORMATS)
    graphs = dict((n, m) for n, _, m in GRAPH_FORMATS)
    try:
        written = querying.run(
            sparql,
            solution_type=rows.get(fmt, rows["json"]),
            graph_type=graphs.get(fmt, graphs["ntriples"]),
        )
    except gateway.GatewayError as error:
        return querying.error_response(error, as_json=True)
    synthetic = _includes_synthetic(written)
    body = spreadsheet_safe(written.body, written.media_type)
    if written.kind == "graph":
        rdf_format = ox.RdfFormat.from_media_type(written.media_type)
        body = synthetic_notice.comment(rdf_format, synthetic) + body
    response = Response(body, mimetype=written.media_type)
    if fmt:
        extension = fmt if fmt in rows or fmt in graphs else "json"
        name = synthetic_notice.file_name("results", extension, synthetic)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if synthetic:
        response.headers[synthetic_notice.HEADER] = "true"
    return querying.mark(response, written)


def _includes_synthetic(written: Written) -> bool:
    """Whether a result holds synthetic data: a true synthetic column, or a flagged IRI."""
    store = get_store()
    if written.kind == "solutions":
        return synthetic_notice.rows_include_synthetic(store, written.body, written.media_type)
    if written.kind == "graph":
        rdf_format = ox.RdfFormat.from_media_type(written.media_type)
        return synthetic_notice.body_includes_synthetic(store, written.body, rdf_format)
    return False
