"""The list of the site's blueprints, one per concern, registered by the app factory."""

from __future__ import annotations

from scrkg.web.dashboard import bp as dashboard_bp
from scrkg.web.download import bp as download_bp
from scrkg.web.explorer import bp as explorer_bp
from scrkg.web.exports import bp as exports_bp
from scrkg.web.health import bp as health_bp
from scrkg.web.network_file import bp as network_file_bp
from scrkg.web.ontology_page import bp as ontology_page_bp
from scrkg.web.patterns import bp as patterns_bp
from scrkg.web.query_page import bp as query_page_bp
from scrkg.web.recommendations import bp as recommendations_bp
from scrkg.web.records import bp as records_bp
from scrkg.web.resources import bp as resources_bp
from scrkg.web.search import bp as search_bp
from scrkg.web.sparql import bp as sparql_bp

ALL: list = [
    health_bp,
    sparql_bp,
    resources_bp,
    exports_bp,
    download_bp,
    network_file_bp,
    dashboard_bp,
    query_page_bp,
    explorer_bp,
    ontology_page_bp,
    patterns_bp,
    recommendations_bp,
    records_bp,
    search_bp,
]
