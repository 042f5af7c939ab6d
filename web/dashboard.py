"""The dashboard at /: the published figures beside the figures counted from the records, and
charts drawn on the server as plain SVG bars (no chart library, nothing fetched).

Everything shown is computed by a query a user can open: the figures by the saved query
``00-published-figures``, each chart by the query printed under it. The counts are cached per
store version (graph/charts.py), so an unchanged store is not recounted.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template

from scrkg.graph.charts import SyntheticCounts, dashboard_data
from scrkg.graph.figures import FIGURES_QUERY
from scrkg.graph.neighbours import visible_text
from scrkg.web import get_store

bp = Blueprint("dashboard", __name__)

#: Charts whose bars open a saved view of the explorer.
EXPLORE_VIEWS = {"risk-factors": "risk-factor"}


def query_link(sparql: str) -> str:
    return "/query?" + urlencode({"query": sparql})


@bp.get("/")
def dashboard() -> str:
    data = dashboard_data(get_store())
    return render_template(
        "dashboard.html",
        data=data,
        figures_link="/query?" + urlencode({"name": FIGURES_QUERY}),
        query_link=query_link,
        explore_views=EXPLORE_VIEWS,
        differ=sum(not f.matches for f in data.figures),
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
