"""Search in words: the page /search, and the JSON APIs /api/search and /api/similar.

* ``/search?q=WORDS`` (HTML) and ``/api/search?q=WORDS`` (JSON): reviews, children, lessons,
  recommendations, agencies and statements with a quote whose text has every word, best first;
  each facet (``class``, ``review-type``, ``period``, ``outcome``, ``age-band``, ``risk-factor``,
  ``agency-type``, ``lesson-theme``, ``records``) given as a parameter narrows the hits, and may
  be repeated for "any of these values"; ``offset`` and ``limit`` page through them.
* ``/api/similar?iri=REVIEW``: the reviews most like a review, with the reasons.

A snippet is built from the index's text with private markers around the matches; the text is
HTML-escaped first and only then are the markers turned into ``<mark>``, so nothing from the data
becomes markup. The index is graph/search.py's, kept per store version.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request

from scrkg.graph import search as sr
from scrkg.graph.neighbours import visible_text
from scrkg.web import get_store

bp = Blueprint("search", __name__)


def _filters() -> dict[str, list[str]]:
    """The facet filters of the request: every parameter named after a facet."""
    return {key: request.args.getlist(key) for key, _ in sr.FACETS if key in request.args}


def _number(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        raise sr.SearchError(f"{name} must be a whole number.") from None


def _bad(message: str, status: int = 400) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def snippet_parts(raw: str) -> list[tuple[str, bool]]:
    """The snippet as (text, is a match) pieces; the template escapes each and marks the
    matches, so escaping is never turned off."""
    return sr.snippet_parts(visible_text(raw))


@bp.get("/search")
def search_page() -> Response:
    text = request.args.get("q", "")
    results = error = None
    if text.strip() or request.args:
        try:
            results = sr.search(
                get_store(),
                text,
                _filters(),
                limit=_number("limit", sr.DEFAULT_LIMIT),
                offset=_number("offset", 0),
            )
        except sr.SearchError as problem:
            error = str(problem)
    body = render_template(
        "search.html",
        q=text,
        results=results,
        error=error,
        snippet=snippet_parts,
        facet_href=_facet_href,
        page_href=_page_href,
        visible=visible_text,
    )
    status = 400 if error and text.strip() else 200
    return Response(body, status=status, content_type="text/html; charset=utf-8")


@bp.get("/api/search")
def api_find() -> Response:
    try:
        results = sr.search(
            get_store(),
            request.args.get("q", ""),
            _filters(),
            limit=_number("limit", sr.DEFAULT_LIMIT),
            offset=_number("offset", 0),
        )
    except sr.SearchError as error:
        return _bad(str(error))
    return jsonify(results.as_json())


@bp.get("/api/similar")
def api_similar() -> Response:
    try:
        found = sr.similar(
            get_store(),
            request.args.get("iri", ""),
            limit=_number("limit", sr.SIMILAR_LIMIT),
        )
    except sr.SearchError as error:
        return _bad(str(error))
    return jsonify({"iri": request.args.get("iri"), "similar": [s.as_json() for s in found]})


def _args(**changes: Any) -> list[tuple[str, str]]:
    """The request's parameters with some changed (a value of None removes the parameter). The
    search text is cut to the part a search reads, so a very long one is not copied into every
    link of the page."""
    pairs = [
        (k, v[: sr.MAX_QUERY_CHARS] if k == "q" else v)
        for k, v in request.args.items(multi=True)
        if k not in changes
    ]
    for key, value in changes.items():
        if isinstance(value, list):
            pairs += [(key, v) for v in value]
        elif value is not None:
            pairs.append((key, str(value)))
    return pairs


def _facet_href(facet: str, value: str, selected: bool) -> str:
    """The page with ``value`` of ``facet`` added to the filters, or removed when selected."""
    chosen = request.args.getlist(facet)
    chosen = [v for v in chosen if v != value] if selected else [*chosen, value]
    return "/search?" + urlencode(_args(**{facet: chosen, "offset": None}))


def _page_href(offset: int) -> str:
    return "/search?" + urlencode(_args(offset=offset or None))


def similar_reviews(iri: str) -> list[sr.Similar] | None:
    """The reviews most like the review ``iri`` for its page, or None when it is not a review."""
    index = sr.index_for(get_store())
    if not index.is_review(iri):
        return None
    return index.similar(iri)
