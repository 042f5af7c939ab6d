"""The dashboard at /: the published figures beside the figures counted from the records, the
figures of every period as published (with the page each was read on), and charts drawn on the
server as plain SVG bars (no chart library, nothing fetched).

Everything shown is computed by a query a user can open: the figures by the saved query
``00-published-figures``, the figures of every period by ``13-published-series``, each chart by
the query printed under it. The counts are cached per store version (graph/charts.py), so an
unchanged store is not recounted.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template

from scrkg.graph.charts import SyntheticCounts, dashboard_data, per_version
from scrkg.graph.figures import FIGURES_QUERY, SERIES_QUERY, published_series, series_by_measure
from scrkg.graph.neighbours import visible_text
from scrkg.web import get_store
from scrkg.web.query_page import site_query_link

bp = Blueprint("dashboard", __name__)

#: Charts whose bars open a saved view of the explorer.
EXPLORE_VIEWS = {"risk-factors": "risk-factor"}


def query_link(sparql: str) -> str:
    """A chart's link to the query that computes it, which runs when it opens."""
    return site_query_link(sparql)


@bp.get("/")
def dashboard() -> str:
    store = get_store()
    data = dashboard_data(store)
    series = per_version(store, "published-series", lambda: published_series(store))
    return render_template(
        "dashboard.html",
        data=data,
        figures_link="/query?" + urlencode({"name": FIGURES_QUERY}),
        query_link=query_link,
        explore_views=EXPLORE_VIEWS,
        differ=sum(not f.matches for f in data.figures),
        checked_periods=", ".join(sorted({f.period for f in data.figures})),
        series=series_by_measure(series),
        series_count=len(series),
        series_disagree=sum(f.disagrees for f in series),
        series_link="/query?" + urlencode({"name": SERIES_QUERY}),
    )


@bp.app_template_filter("visible")
def visible_filter(text: object) -> str:
    """Data text with control characters (bidi overrides...) shown as [U+XXXX]."""
    return visible_text("" if text is None else str(text))


@bp.app_context_processor
def synthetic_notice() -> dict[str, SyntheticCounts | None]:
    """Every page learns whether the store holds synthetic records, to say so in the layout."""
    try:
        return {"synthetic_counts": dashboard_data(get_store()).synthetic}
    except Exception:  # noqa: BLE001 - the layout must render even when the store cannot
        return {"synthetic_counts": None}
