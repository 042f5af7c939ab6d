"""`scrkg serve`: the site over the on-disk store, through waitress (a production WSGI server,
not Flask's development server). An empty store gets the bundled data first."""

from __future__ import annotations

import logging
import os

from scrkg.graph.store import DiskStore

log = logging.getLogger(__name__)

#: Worker threads of the WSGI server.
THREADS = 8


def serve(store_path: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 5000) -> None:
    """Serve the site at http://HOST:PORT/ over the store at ``store_path`` until stopped.

    The store is opened once and shared by every request (it reopens its live snapshot by
    itself after a load); when it holds nothing, the bundled 2009-10 report and synthetic
    cohort are loaded into it first.
    """
    import waitress

    from scrkg.web import create_app

    store = DiskStore(store_path)
    if store.current_snapshot() is None or store.triple_count() == 0:
        from scrkg.loader import load_bundled

        log.warning("The store at %s is empty: loading the bundled data first.", store_path)
        load_bundled(store)
    app = create_app({"SCRKG_STORE": str(store_path), "STORE": store})
    log.warning("scrkg is serving %s at http://%s:%d/", store_path, host, port)
    waitress.serve(app, host=host, port=port, threads=THREADS, ident="scrkg")
