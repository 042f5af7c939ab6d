"""/health: a quick answer for monitors, which never waits for a query or opens the store.

It answers from the web process's own state (how many queries are running or waiting; whether
the caches are warm, web/warm.py), so it stays quick while heavy queries run in the worker
processes. Like every route it needs credentials when SCRKG_AUTH is set.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from scrkg.web.querying import existing_gateway

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> Response:
    gateway = existing_gateway(current_app)
    queries = gateway.status() if gateway is not None else {"admitted": 0, "running": 0}
    body = {"status": "ok", "queries": queries}
    warmer = current_app.extensions.get("scrkg.warmer")
    if warmer is not None:
        body["cache"] = warmer.status()
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
