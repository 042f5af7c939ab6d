"""/sparql: a read-only SPARQL 1.1 Protocol endpoint.

Queries arrive by GET (``?query=``), by POST as a form (``query=``) or by POST with an
``application/sparql-query`` body. ``default-graph-uri`` and ``named-graph-uri`` select graphs of
the store (nothing is ever fetched). The answer's format is negotiated from the ``format``
parameter, else the Accept header (with q-values). Updates are refused, whichever way they come;
the gateway (graph/gateway.py) refuses SERVICE, FROM and FROM NAMED, runs the query in a worker
process killed at the deadline, and writes the result with its rows and bytes capped.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from flask import Blueprint, Response, redirect, request
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.http import parse_accept_header

from scrkg.graph.formats import for_media_type, named, of_kind
from scrkg.graph.gateway import READ_ONLY, GatewayError, NotAcceptable
from scrkg.web import querying

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"

# What /sparql answers with, preferred first (graph/formats.py says which formats it answers in).
SOLUTION_TYPES = [f.media_type for f in of_kind("results") if f.answers]
GRAPH_TYPES = [f.media_type for f in of_kind("graph") if f.answers]


class ProtocolError(Exception):
    """A request the protocol does not allow; answered with ``status`` and ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """The SPARQL 1.1 Protocol query operation (other methods get 405 from web/security.py)."""
    if request.method in ("GET", "HEAD") and not request.args and _prefers_html():
        return redirect("/query", code=303)  # a person following the site's menu: the query page
    try:
        sparql, params = read_request()
    except ProtocolError as error:
        return text_response(error.status, error.message)
    return answer(
        sparql,
        default_graph=params.getlist("default-graph-uri") or None,
        named_graphs=params.getlist("named-graph-uri") or None,
        format_name=params.get("format"),
    )


def read_request() -> tuple[str, MultiDict[str, str]]:
    """The query text and the other protocol parameters of this request."""
    if request.method in ("GET", "HEAD"):
        params = request.args
        queries = params.getlist("query")
    else:
        mimetype = request.mimetype
        if mimetype == FORM:
            params = MultiDict([*request.args.items(multi=True), *request.form.items(multi=True)])
            queries = params.getlist("query")
        elif mimetype == QUERY_BODY:
            params = request.args
            queries = [_utf8_body(), *params.getlist("query")]
        elif mimetype == UPDATE_BODY:
            raise ProtocolError(415, READ_ONLY)
        else:
            raise ProtocolError(
                415,
                f"POST a query as {FORM} (query=...) or as {QUERY_BODY}; "
                f"this request's content type is {mimetype or 'missing'}.",
            )
    if "update" in params:
        raise ProtocolError(400, READ_ONLY)
    if not queries:
        raise ProtocolError(
            400,
            "Give a SPARQL query: GET /sparql?query=..., POST a form with query=..., "
            f"or POST the query itself as {QUERY_BODY}.",
        )
    if len(queries) > 1:
        raise ProtocolError(400, "Send exactly one query per request; this one has several.")
    for name in ("default-graph-uri", "named-graph-uri"):
        if any(not value.strip() for value in params.getlist(name)):
            raise ProtocolError(400, f"The {name} parameter needs a graph IRI.")
    return queries[0], params


def answer(
    sparql: str,
    *,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    format_name: str | None = None,
) -> Response:
    """Run one query through the gateway and answer with its result in the negotiated format.

    This is the one place the endpoint executes a query. The gateway (web/querying.py,
    graph/gateway.py) checks it, runs it in a worker process under the deadline, caps its rows
    and bytes and writes it; a cut result carries the X-SCRKG-Truncated header."""
    refusals: dict[bool, ProtocolError] = {}
    media_types: dict[bool, str | None] = {}
    for is_graph in (False, True):
        try:
            media_types[is_graph] = negotiate(is_graph, format_name)
        except ProtocolError as error:
            refusals[is_graph] = error
            media_types[is_graph] = None
    if len(refusals) == 2:
        error = refusals[False]
        return text_response(error.status, error.message)
    try:
        written = querying.run(
            sparql,
            solution_type=media_types[False],
            graph_type=media_types[True],
            base_iri=request.base_url,
            default_graph=default_graph,
            named_graphs=named_graphs,
        )
    except NotAcceptable as error:
        refusal = refusals[error.kind == "graph"]
        return text_response(refusal.status, refusal.message)
    except GatewayError as error:
        return querying.error_response(error)
    response = Response(written.body, status=200, content_type=_with_charset(written.media_type))
    response.vary.add("Accept")
    return querying.mark(response, written)


def negotiate(is_graph: bool, format_name: str | None) -> str:
    """The media type to answer with, from the ``format`` parameter (a format's name, one of its
    other names, or a media type) or else the Accept header.

    Raises ProtocolError(406) when nothing acceptable can represent this kind of result."""
    media_type, refusal = _negotiated(is_graph, format_name or None, request.headers.get("Accept"))
    if media_type is None:
        raise ProtocolError(406, refusal)
    return media_type


@functools.lru_cache(maxsize=256)
def _negotiated(
    is_graph: bool, format_name: str | None, accept_header: str | None
) -> tuple[str | None, str]:
    """:func:`negotiate`'s answer, (media type, "") or (None, why not), remembered: clients send
    the same few Accept headers again and again, and reading one costs more than the lookup."""
    kind = "graph" if is_graph else "results"
    offered = [f for f in of_kind(kind) if f.answers]
    types = [f.media_type for f in offered]
    what = "a CONSTRUCT or DESCRIBE result" if is_graph else "a SELECT or ASK result"
    if format_name:
        name = format_name.strip().lower()
        chosen = for_media_type(name, kind) or named(name, kind)
        if chosen is None or not chosen.answers:
            names = [n for f in offered for n in (f.name, *f.aliases)]
            return None, (
                f"format={format_name} cannot represent {what}; "
                f"use one of {', '.join(names)} or a media type: {', '.join(types)}."
            )
        return chosen.media_type, ""
    accept = parse_accept_header(accept_header, MIMEAccept)
    if not accept:
        return types[0], ""
    best = accept.best_match([*types, *(m for f in offered for m in f.media_aliases)])
    if best is None:
        return None, (
            f"None of the media types in the Accept header can represent {what}. "
            f"Available: {', '.join(types)}."
        )
    return for_media_type(best, kind).media_type, ""  # type: ignore[union-attr]


def text_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """A plain-text answer, used for every refusal and error of the endpoint."""
    return Response(
        message.rstrip("\n") + "\n",
        status=status,
        content_type="text/plain; charset=utf-8",
        headers=dict(headers or {}),
    )


def _prefers_html() -> bool:
    accept = request.accept_mimetypes
    return bool(accept) and accept.best_match(["text/html", *SOLUTION_TYPES]) == "text/html"


def _utf8_body() -> str:
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(
            415, f"The query must be sent as UTF-8; this request says charset={charset}."
        )
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(
            400, f"The query body is not valid UTF-8 (byte {error.start})."
        ) from None


def _with_charset(media_type: str) -> str:
    if media_type.startswith("text/") and "charset" not in media_type:
        return media_type + "; charset=utf-8"
    return media_type
