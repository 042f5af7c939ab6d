"""The site's one way to run a user's query: the app's QueryGateway (graph/gateway.py).

/sparql, /api/query, /export?query= and the explorer's "show as network" all call :func:`run` or
:func:`results`, which check the query's size and depth, run it in a worker under the deadline
and the caps, and note what the audit log needs (the query's hash and length, the rows) on
``g``. :func:`error_response` turns a refusal into its status, message and headers;
:func:`mark` puts the truncation header on an answer.
"""

from __future__ import annotations

import threading
import weakref

from flask import Flask, Response, current_app, g, jsonify

from scrkg.graph.gateway import GatewayError, Limits, QueryGateway, query_hash
from scrkg.graph.result_writers import Written
from scrkg.graph.store import open_store

_EXTENSION = "scrkg.gateway"
_LOCK = threading.Lock()

TRUNCATED_HEADER = "X-SCRKG-Truncated"


def gateway(app: Flask | None = None) -> QueryGateway:
    """The app's gateway, made at its first query (worker processes for an on-disk store)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(_EXTENSION)
    if found is None:
        with _LOCK:
            found = app.extensions.get(_EXTENSION)
            if found is None:
                store = app.config.get("STORE") or open_store(app.config["SCRKG_STORE"])
                found = QueryGateway(store, Limits.from_settings(app.config))
                app.extensions[_EXTENSION] = found
                weakref.finalize(app, found.close)
    return found


def existing_gateway(app: Flask) -> QueryGateway | None:
    return app.extensions.get(_EXTENSION)


def note_query(sparql: object) -> None:
    """Record the query for the audit log: its SHA-256 and length, never its text."""
    if isinstance(sparql, str):
        g.audit_query = {"query_sha256": query_hash(sparql), "query_length": len(sparql)}


def run(sparql: str, **options: object) -> Written:
    """Run a user's query through the gateway (see QueryGateway.run for the options)."""
    note_query(sparql)
    written = gateway().run(sparql, **options)  # type: ignore[arg-type]
    _note_answer(written)
    return written


def results(sparql: str, **options: object) -> tuple[object, Written]:
    """Run a user's query and read the result back as pyoxigraph objects of this thread."""
    note_query(sparql)
    found, written = gateway().results(sparql, **options)
    _note_answer(written)
    return found, written


def _note_answer(written: Written) -> None:
    audit = g.get("audit_query", {})
    audit.update(rows=written.rows, seconds=round(written.seconds, 3))
    if written.truncated:
        audit["truncated"] = written.truncated
    g.audit_query = audit


def error_response(error: GatewayError, *, as_json: bool = False) -> Response:
    """A refusal as plain text (or ``{"error": ...}``) with its status and headers."""
    if as_json:
        response = jsonify({"error": error.message})
    else:
        response = Response(
            error.message.rstrip("\n") + "\n", content_type="text/plain; charset=utf-8"
        )
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def mark(response: Response, written: Written) -> Response:
    """Say on the response that its result was cut, when it was."""
    header = written.truncation_header()
    if header:
        response.headers[TRUNCATED_HEADER] = header
    return response
