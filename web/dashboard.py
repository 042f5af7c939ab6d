"""The dashboard at /: the published figures beside the figures counted from the records, the
figures of every period as published (with the page each was read on), and charts drawn on the
server as plain SVG bars (no chart library, nothing fetched).

Everything shown is computed by a query a user can open: the figures by the saved query
``00-published-figures``, the figures of every period by ``13-published-series``, each chart by
the query printed under it. The counts are cached per store version (graph/charts.py), so an
unchanged store is not recounted.

Charts counted from synthetic records sit in their own panel, marked as illustrations of the
synthetic records, not findings; each says how many of its records are synthetic and how many
real. ``/?records=real`` counts the charts from real records only (those that do not carry
``scr:isSynthetic true``). The heading names the periods of the reviews and figures loaded, so a
store of a user's own reviews is titled by their periods.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from scrkg.graph.charts import DashboardData, dashboard_data
from scrkg.graph.figures import FIGURES_QUERY, SERIES_QUERY, published_series, series_by_measure
from scrkg.graph.memo import per_version
from scrkg.graph.store import Store
from scrkg.web import get_store
from scrkg.web.explorer import base_iri, resource_path
from scrkg.web.query_page import site_query_link
from scrkg.web.records import chart_link, count_link, published_link, statistic_link

bp = Blueprint("dashboard", __name__)

#: Fewer real children than this are too few cases to show a pattern: the page says so.
FEW_CASES = 10

#: The singular of each unit a chart counts.
ONE = {"children": "child", "reviews": "review", "lessons": "lesson"}


def query_link(sparql: str) -> str:
    """A chart's link to the query that computes it, which runs when it opens."""
    return site_query_link(sparql)


def counted(number: int, unit: str) -> str:
    """``number`` with its unit, singular for one: "1 child", "3 children"."""
    return f"{number:,} {ONE.get(unit, unit) if number == 1 else unit}"


def periods_text(periods: list[str]) -> str:
    """ "2009-10", "2009-10 and 2021-22", or "2019-20 to 2022-23" for more than two."""
    if len(periods) > 2:
        return f"{periods[0]} to {periods[-1]}"
    return " and ".join(periods)


def heading(data: DashboardData) -> str:
    """The page's title from what is loaded: the kind of reviews and their periods (with the
    periods of the published figures checked against them)."""
    loaded = data.loaded
    serious = loaded.reviews and loaded.serious_reviews == loaded.reviews
    noun = "Serious case reviews" if serious else "Case reviews"
    periods = sorted({p for p, _ in loaded.periods} | {f.period for f in data.figures if f.period})
    return f"{noun}, {periods_text(periods)}" if periods else noun


#: The reviews drawn from a published source (not synthetic), newest period first: the case
#: studies of the bundled report, or a user's own reviews.
CASE_STUDIES_QUERY = """
PREFIX scr: <https://w3id.org/scrkg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?review (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?comment) (SAMPLE(?y) AS ?period)
WHERE {
  ?review scr:concernsChild ?child .
  FILTER NOT EXISTS { ?review scr:isSynthetic true }
  OPTIONAL { ?review rdfs:label ?l }
  OPTIONAL { ?review rdfs:comment ?c }
  OPTIONAL { ?review scr:reportingYear ?y }
}
GROUP BY ?review
ORDER BY DESC(?period) ?label
LIMIT 12
"""


def case_studies(store: Store) -> list[dict[str, str | None]]:
    """The real reviews (drawn from a source), each with its page and what it is about."""
    found = []
    for row in store.query(CASE_STUDIES_QUERY):
        iri = row["review"].value
        found.append(
            {
                "label": row["label"].value if row["label"] is not None else iri,
                "comment": row["comment"].value if row["comment"] is not None else "",
                "period": row["period"].value if row["period"] is not None else "",
                "link": resource_path(iri, base_iri()),
            }
        )
    return found


@bp.get("/")
def dashboard() -> str:
    store = get_store()
    real_only = request.args.get("records") == "real"
    data = dashboard_data(store, real_only=real_only)
    series = per_version(store, "published-series", lambda: published_series(store))
    s = data.synthetic
    children = s.children_synthetic + s.children_source
    return render_template(
        "dashboard.html",
        data=data,
        heading=heading(data),
        empty=not (data.loaded.reviews or children or data.figures or series),
        real_only=real_only,
        few_real=0 < s.children_source < FEW_CASES,
        illustration=not real_only and any(c.synthetic for c in data.charts),
        counted=counted,
        figures_link="/query?" + urlencode({"name": FIGURES_QUERY}),
        query_link=query_link,
        differ=sum(not f.matches for f in data.figures),
        checked_periods=", ".join(sorted({f.period for f in data.figures})),
        series=series_by_measure(series),
        series_count=len(series),
        series_disagree=sum(f.disagrees for f in series),
        series_link="/query?" + urlencode({"name": SERIES_QUERY}),
        statistic_link=statistic_link,
        chart_link=chart_link,
        count_link=count_link,
        published_link=published_link,
        case_studies=per_version(store, "case-studies", lambda: case_studies(store)),
    )
