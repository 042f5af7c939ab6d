"""The scrkg site: a Flask app factory in the style of Flask's tutorial (flaskr).

Each concern is one blueprint module; the store is opened once per request on `g` and released
at teardown. The site's settings are those of graph/settings.py's table that the site reads; each
comes from the mapping given to `create_app`, then from its environment variable, then from its
default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, g

from scrkg.graph.settings import read_settings
from scrkg.graph.store import Store, open_store

#: The parts of the settings table the site reads.
SITE_PARTS = ("command line", "site", "query gateway", "web server")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``test_config`` may hold any setting the site reads, and ``STORE``: a
    ready Store object (tests pass an in-memory store)."""
    app = Flask(__name__)
    app.config.update(read_settings(test_config or {}, SITE_PARTS))
    if test_config and "STORE" in test_config:
        app.config["STORE"] = test_config["STORE"]

    from scrkg.web import blueprints, errors, layout, security

    security.init_app(app)  # hosts, credentials, headers, limits, audit log
    errors.init_app(app)  # every error answer
    layout.init_app(app)  # what every page's template may use
    for blueprint in blueprints.ALL:
        app.register_blueprint(blueprint)
    app.teardown_appcontext(_release_store)
    return app


def get_store() -> Store:
    """The store for this request: the app's shared one when given, else the on-disk store."""
    from flask import current_app

    if "store" not in g:
        g.store = current_app.config.get("STORE") or open_store(current_app.config["SCRKG_STORE"])
    return g.store


def _release_store(_error: BaseException | None) -> None:
    g.pop("store", None)


__all__ = ["SITE_PARTS", "create_app", "get_store"]
