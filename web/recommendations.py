"""Recommendations at /recommendations: what reviews recommended, to whom, and what became of it.

One table, in plain words, from the saved query ``14-recommendations``: each recommendation with
the agency it is addressed to, its status as last published and the date of that status, the
review that made it, whether no action is recorded for it, and the other reviews that made it to
the same addressee in the same words. ``?no-action=1`` keeps only those with no recorded action.
Plain HTML: no script.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from scrkg.graph.saved import saved_query
from scrkg.web import get_store
from scrkg.web.explorer import base_iri, resource_path

bp = Blueprint("recommendations", __name__)

QUERY = "14-recommendations"


@dataclass(frozen=True, slots=True)
class Row:
    """One recommendation for one addressee, as the page shows it."""

    iri: str
    text: str
    addressee: str
    status: str
    status_date: str
    no_action: bool
    repeated_in: int
    other_reviews: str
    review: str
    review_link: str | None
    period: str
    synthetic: bool


def plain_date(text: str) -> str:
    """ "2023-05-01" as "1 May 2023"; anything else as it is."""
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    return f"{day.day} {day:%B %Y}" if day else text


def _value(row: object, name: str) -> str:
    term = row[name]  # type: ignore[index]
    return "" if term is None else term.value


def recommendation_rows() -> list[Row]:
    """Every row of the saved query, in its order (by addressee, status, period)."""
    rows = []
    for found in get_store().query(saved_query(QUERY).sparql):
        rows.append(
            Row(
                iri=_value(found, "recommendation"),
                text=_value(found, "text"),
                addressee=_value(found, "addresseeLabel") or "no addressee recorded",
                status=_value(found, "statusLabel") or "no status recorded",
                status_date=plain_date(_value(found, "statusDate")),
                no_action=_value(found, "noRecordedAction") == "true",
                repeated_in=int(_value(found, "repeatedIn") or 0),
                other_reviews=_value(found, "otherReviews"),
                review=_value(found, "reviewLabel") or _value(found, "review"),
                review_link=resource_path(_value(found, "review"), base_iri()),
                period=_value(found, "period"),
                synthetic=_value(found, "synthetic") == "true",
            )
        )
    return rows


@bp.get("/recommendations")
def recommendations() -> str:
    no_action_only = request.args.get("no-action") == "1"
    rows = recommendation_rows()
    shown = [row for row in rows if row.no_action] if no_action_only else rows
    return render_template(
        "recommendations.html",
        rows=shown,
        total=len({row.iri for row in rows}),
        no_action=len({row.iri for row in rows if row.no_action}),
        repeated=len({row.iri for row in rows if row.repeated_in}),
        no_action_only=no_action_only,
        query_link="/query?" + urlencode({"name": QUERY}),
    )
