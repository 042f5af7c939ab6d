"""The query page at /query: a SPARQL editor, the saved queries, results, downloads, permalinks.

The page runs queries from the browser against the SPARQL endpoint (/sparql) with
``Accept: application/sparql-results+json``, and shows whatever the endpoint says about errors,
time-outs and truncated results. Where the site has no /sparql (an app built without that
blueprint), ``/api/query`` (GET) answers the same way through the query gateway.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from scrkg.graph import gateway
from scrkg.graph.saved import saved_queries, saved_query
from scrkg.ontology import PREFIXES
from scrkg.web import querying

bp = Blueprint("query_page", __name__)

#: Download formats: (name, label, media type), for rows and for graphs.
ROW_FORMATS = [
    ("json", "JSON", "application/sparql-results+json"),
    ("xml", "XML", "application/sparql-results+xml"),
    ("csv", "CSV", "text/csv"),
    ("tsv", "TSV", "text/tab-separated-values"),
]
GRAPH_FORMATS = [
    ("turtle", "Turtle", "text/turtle"),
    ("ntriples", "N-Triples", "application/n-triples"),
    ("jsonld", "JSON-LD", "application/ld+json"),
    ("rdfxml", "RDF/XML", "application/rdf+xml"),
]
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
    if text is None and name:
        try:
            selected = saved_query(name)
            text = selected.sparql
        except KeyError as error:
            problem = str(error.args[0]) if error.args else f"No saved query named {name!r}."
    autorun = text is not None and bool(text.strip())
    if text is None:
        text = prefix_lines() + "\n" + EXAMPLE_QUERY
    endpoint = endpoint_url()
    page = {
        "endpoint": endpoint or "/api/query",
        "downloads": endpoint or "/api/query",
        "autorun": autorun,
        "row_formats": [[n, label] for n, label, _ in ROW_FORMATS],
        "graph_formats": [[n, label] for n, label, _ in GRAPH_FORMATS],
        "links": _links(),
        "prefixes": PREFIXES,
    }
    html = render_template(
        "query.html",
        saved=saved,
        selected=selected,
        query_text=text,
        page=page,
        problem=problem,
    )
    return (html, 404) if problem else html


def _links() -> list[list[str]]:
    from scrkg.web.explorer import link_prefixes

    return link_prefixes()


@bp.get("/api/query")
def api_query() -> Response:
    """Run a query through the gateway: SPARQL JSON for rows, N-Triples for graphs (or the
    ``format`` asked for). Used by the query page when the site has no /sparql endpoint."""
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
    response = Response(written.body, mimetype=written.media_type)
    if fmt:
        name = fmt if fmt in rows or fmt in graphs else "json"
        response.headers["Content-Disposition"] = f'attachment; filename="results.{name}"'
    return querying.mark(response, written)
