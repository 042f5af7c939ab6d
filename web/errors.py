"""Every error the site answers, from one place: what went wrong and what to do, as a page for
browsers and as plain text for programs.

* A store that cannot be read (a SPARQL server down or slow, a corrupt or missing snapshot):
  503 with its message and ``Retry-After``.
* A method other than GET (or POST to /sparql): 405, saying this site only reads.
* A request body over ``SCRKG_MAX_REQUEST_BYTES``: 413, with the limit.

The page modules raise; they register no handlers of their own.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from scrkg.graph.store import StoreError


def init_app(app: Flask) -> None:
    app.register_error_handler(StoreError, store_unavailable)
    app.register_error_handler(405, method_not_allowed)
    app.register_error_handler(413, too_large)


def text_response(status: int, message: str, *, retry_after: int = 0) -> Response:
    """A plain-text answer of one message."""
    response = Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def store_unavailable(error: StoreError) -> Response:
    """503 with the store's message: a page for browsers, plain text for programs."""
    wants_html = request.accept_mimetypes.best_match(["text/html", "text/plain"]) == "text/html"
    if wants_html and not request.path.startswith(("/api/", "/sparql", "/export")):
        body = render_template("unavailable.html", message=str(error))
        response = Response(body, status=503, content_type="text/html; charset=utf-8")
        response.headers["Retry-After"] = "5"
        return response
    return text_response(503, str(error), retry_after=5)


def method_not_allowed(error: HTTPException) -> Response:
    response = error.get_response()
    response.set_data(
        f"{request.method} is not allowed here: this site only reads (GET; a SPARQL query "
        "may also be POSTed to /sparql). Data is loaded with `scrkg load`.\n"
    )
    response.content_type = "text/plain; charset=utf-8"
    return response


def too_large(_error: HTTPException) -> Response:
    limit = int(current_app.config["SCRKG_MAX_REQUEST_BYTES"])
    return text_response(
        413,
        f"The request is larger than {limit:,} bytes, the most this site takes "
        "(SCRKG_MAX_REQUEST_BYTES).",
    )
