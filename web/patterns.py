"""Patterns across reviews at /patterns: co-occurrence networks of risk factors, agency types and
lesson themes (graph/patterns.py), each drawn as a network and listed in sortable tables.

Pages and APIs (all GET; filters as query parameters ``outcome``, ``age-band``, ``period`` and
``min-cases``; a bad value answers 400 with a message, an unknown pattern 404):

* ``/patterns`` the three patterns, with the filter form;
* ``/patterns/<kind>`` one pattern: the network (node size by how many cases have the item,
  edge width by lift or by count) and the tables of pairs and items;
* ``/api/patterns/<kind>`` the pattern as JSON (items, pairs, communities);
* ``/api/patterns/<kind>/reviews?item=IRI[&other=IRI]`` the reviews behind a node or an edge.

The network is drawn by web/static/patterns.js with the vendored vis-network 9.1.2; data reaches
it as JSON (``|tojson``) and every label is drawn as text, never as markup.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, jsonify, render_template, request

from scrkg.graph import patterns as pt
from scrkg.graph.store import Store
from scrkg.web import get_store
from scrkg.web.explorer import base_iri, link_prefixes, resource_path

bp = Blueprint("patterns", __name__)

#: What each pattern is about, for the overview and the page's heading.
DESCRIPTIONS = {
    "risk-factors": (
        "Which risk factors are recorded together for the same child (domestic abuse with "
        "parental mental ill-health, say), counted over children."
    ),
    "agencies": (
        "Which agency types are involved together in the same review, counted over reviews."
    ),
    "themes": ("Which lesson themes the same review identifies together, counted over reviews."),
}
#: Reviews listed in the side panel after a click.
REVIEWS_SHOWN = 100


class BadRequest(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _filters() -> dict[str, Any]:
    """The filters of the request, checked; raises BadRequest."""
    values: dict[str, Any] = {
        "outcome": request.args.get("outcome") or None,
        "age_band": request.args.get("age-band") or None,
        "period": request.args.get("period") or None,
    }
    try:
        pt.Filters(**values)
    except pt.PatternError as error:
        raise BadRequest(str(error)) from None
    raw = request.args.get("min-cases") or str(pt.MIN_CASES)
    if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
        raise BadRequest(f"min-cases must be a whole number of at least 1, not {raw!r}.")
    values["min_cases"] = int(raw)
    return values


def _query_string(values: dict[str, Any]) -> str:
    params = {
        "outcome": values.get("outcome"),
        "age-band": values.get("age_band"),
        "period": values.get("period"),
        "min-cases": values.get("min_cases") if values.get("min_cases") != pt.MIN_CASES else None,
    }
    text = urlencode({k: v for k, v in params.items() if v})
    return "?" + text if text else ""


def _kind(kind: str) -> pt.PatternKind:
    if kind not in pt.KINDS:
        abort(404)
    return pt.KINDS[kind]


def _bad(message: str, status: int = 400) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _iri_arg(name: str, *, required: bool) -> str | None:
    value = request.args.get(name) or None
    if value is None:
        if required:
            raise BadRequest(f"Name the {name} by its IRI ({name}=...).")
        return None
    try:
        ox.NamedNode(value)
    except ValueError:
        raise BadRequest(f"{value!r} is not an IRI.") from None
    return value


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


@bp.get("/patterns")
def overview() -> tuple[str, int]:
    store = get_store()
    problem = ""
    try:
        values = _filters()
    except BadRequest as error:
        problem, values = error.message, {"min_cases": pt.MIN_CASES}
    return _render(store, values, problem)


@bp.get("/patterns/<kind>")
def pattern_page(kind: str) -> tuple[str, int]:
    spec = _kind(kind)
    store = get_store()
    problem, pattern, page = "", None, None
    try:
        values = _filters()
        pattern = pt.co_occurrence(store, kind, **values)
    except (BadRequest, pt.PatternError) as error:
        problem = getattr(error, "message", str(error))
        values = {"min_cases": pt.MIN_CASES}
    if pattern is not None:
        page = {
            "kind": kind,
            "unit": pattern.unit,
            "cases": pattern.cases,
            "filters": {"outcome": values["outcome"], "age-band": values["age_band"],
                        "period": values["period"]},
            "nodes": [_with_url(vars(i)) for i in pattern.items],
            "edges": [vars(p) for p in pattern.pairs],
            "links": link_prefixes(),
            "api": f"/api/patterns/{kind}/reviews",
        }  # fmt: skip
    link = "/query?" + urlencode({"name": spec.saved_query}) if spec.saved_query else ""
    return _render(
        store, values, problem, spec=spec, pattern=pattern, page=page, saved_query_link=link
    )


def _render(
    store: Store,
    values: dict[str, Any],
    problem: str,
    *,
    spec: pt.PatternKind | None = None,
    pattern: pt.Pattern | None = None,
    page: dict[str, Any] | None = None,
    saved_query_link: str = "",
) -> tuple[str, int]:
    """The patterns page: the overview, or one pattern when ``spec`` is given; 400 with the
    problem shown when the filters were refused."""
    html = render_template(
        "patterns.html",
        spec=spec,
        kinds=pt.KINDS.values(),
        descriptions=DESCRIPTIONS,
        choices=pt.filter_choices(store),
        values=values,
        query_string=_query_string(values),
        problem=problem,
        pattern=pattern,
        page=page,
        saved_query_link=saved_query_link,
    )
    return html, (400 if problem else 200)


def _with_url(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["url"] = resource_path(data.get("iri"), base_iri())
    return data


# ---------------------------------------------------------------------------------------------
# JSON APIs
# ---------------------------------------------------------------------------------------------


@bp.get("/api/patterns/<kind>")
def api_pattern(kind: str) -> Response:
    _kind(kind)
    try:
        pattern = pt.co_occurrence(get_store(), kind, **_filters())
    except BadRequest as error:
        return _bad(error.message)
    data = pattern.as_json()
    data["items"] = [_with_url(item) for item in data["items"]]
    return jsonify(data)


@bp.get("/api/patterns/<kind>/reviews")
def api_reviews(kind: str) -> Response:
    _kind(kind)
    try:
        values = _filters()
        values.pop("min_cases")
        item = _iri_arg("item", required=True)
        other = _iri_arg("other", required=False)
        behind = pt.reviews_behind(
            get_store(), kind, item, other, limit=REVIEWS_SHOWN, **values
        )  # fmt: skip
    except (BadRequest, pt.PatternError) as error:
        return _bad(getattr(error, "message", str(error)))
    base = base_iri()
    return jsonify(
        {
            "kind": behind.kind,
            "unit": behind.unit,
            "items": list(behind.items),
            "cases": behind.cases,
            "reviews_total": behind.reviews_total,
            "truncated": behind.truncated,
            "reviews": [
                {
                    "iri": r.iri,
                    "label": r.label,
                    "synthetic": r.synthetic,
                    "url": resource_path(r.iri, base),
                }
                for r in behind.reviews
            ],
        }
    )
