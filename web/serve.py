"""The site through waitress, a production WSGI server (not Flask's development server)."""

from __future__ import annotations

import logging

from scrkg.graph.store import Store

log = logging.getLogger(__name__)


def serve(store: Store, *, store_path: str, host: str = "127.0.0.1", port: int = 5000) -> None:
    """Serve the site at http://HOST:PORT/ over ``store`` until stopped.

    The store is opened once and shared by every request; an on-disk store reopens its live
    snapshot by itself after a load made by another process. User queries run in the query
    gateway's worker processes (graph/workers.py); the first is started here, so the first
    query does not wait for it. The server has SCRKG_SERVER_THREADS threads; the gateway admits
    at most SCRKG_QUERY_WORKERS + SCRKG_QUERY_QUEUE queries at once, so keeping the threads
    above that leaves some free for pages and /health while queries wait.
    """
    import waitress

    from scrkg.web import create_app, querying, warm

    app = create_app({"SCRKG_STORE": store_path, "STORE": store})
    threads = int(app.config["SCRKG_SERVER_THREADS"])
    gateway = querying.gateway(app)
    admitted = gateway.limits.workers + gateway.limits.queue
    if threads <= admitted:
        log.warning(
            "SCRKG_SERVER_THREADS (%d) is not above SCRKG_QUERY_WORKERS + SCRKG_QUERY_QUEUE "
            "(%d): pages and /health may wait while queries run",
            threads,
            admitted,
        )
    if host not in ("127.0.0.1", "localhost", "::1"):
        if not app.config["SCRKG_AUTH"]:
            log.warning(
                "serving on %s without credentials: anyone who can reach it can read the data; "
                "set SCRKG_AUTH (see docs/publishing-safely.md)",
                host,
            )
        if app.config["SCRKG_ALLOWED_HOSTS"] == "127.0.0.1,localhost,::1":
            log.warning(
                "SCRKG_ALLOWED_HOSTS still allows only local names: requests for this "
                "machine's name or address get 400 until you add them"
            )
    gateway.warm_up()
    interval = float(app.config["SCRKG_WARM_INTERVAL"])
    warmer = warm.Warmer(store, interval).start() if interval > 0 else None
    app.extensions["scrkg.warmer"] = warmer
    log.warning("scrkg is serving %s at http://%s:%d/", store_path, host, port)
    try:
        waitress.serve(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="scrkg",
            max_request_body_size=int(app.config["SCRKG_MAX_REQUEST_BYTES"]),
            expose_tracebacks=False,
        )
    finally:
        if warmer is not None:
            warmer.stop()
        gateway.close()
