"""The site through waitress, a production WSGI server (not Flask's development server)."""

from __future__ import annotations

import logging

from scrkg.graph.store import Store

log = logging.getLogger(__name__)

#: Worker threads of the WSGI server.
THREADS = 8


def serve(store: Store, *, store_path: str, host: str = "127.0.0.1", port: int = 5000) -> None:
    """Serve the site at http://HOST:PORT/ over ``store`` until stopped.

    The store is opened once and shared by every request; an on-disk store reopens its live
    snapshot by itself after a load made by another process.
    """
    import waitress

    from scrkg.web import create_app

    app = create_app({"SCRKG_STORE": store_path, "STORE": store})
    log.warning("scrkg is serving %s at http://%s:%d/", store_path, host, port)
    waitress.serve(app, host=host, port=port, threads=THREADS, ident="scrkg")
