"""Warm caches: the answers behind the first pages, computed in the background.

On a large store the dashboard's counts and the pattern measures take seconds (figures in
docs/performance.md); each is remembered until the store changes (graph/memo.py). So that
the first visitor after a start, or after a load, does not wait for them, :class:`Warmer`
computes them in a background thread when the site starts, and again each time the store's live
snapshot changes (checked every SCRKG_WARM_INTERVAL seconds). A visitor
who arrives while a warm-up is running waits for that computation rather than starting another.
/health reports the state as ``cache``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from scrkg.graph import neighbours as nb
from scrkg.graph import patterns as pt
from scrkg.graph.charts import dashboard_data
from scrkg.graph.store import Store

log = logging.getLogger(__name__)


def warm(store: Store) -> None:
    """Compute and remember what the dashboard, the explorer and the patterns pages need first."""
    from scrkg.web.explorer import explorer_choices

    dashboard_data(store)
    explorer_choices(store)
    nb.property_labels(store)
    pt.filter_choices(store)
    for kind in pt.KINDS:
        pt.co_occurrence(store, kind)


class Warmer:
    """Runs :func:`warm` at start, then whenever an on-disk store switches snapshot."""

    def __init__(self, store: Store, interval: float, work: Callable[[Store], None] = warm) -> None:
        self.store = store
        self.interval = interval
        self._work = work
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scrkg-warmer", daemon=True)
        self._lock = threading.Lock()
        self._state: dict[str, Any] = {"ready": False, "runs": 0, "seconds": None, "error": None}
        # Only an on-disk store can say cheaply that it changed (it reads one small file);
        # another store is warmed once.
        self._watch = callable(getattr(store, "current_snapshot", None))

    def start(self) -> Warmer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def status(self) -> dict[str, Any]:
        """``ready``: the caches hold the live data; ``runs``: warm-ups finished since the
        start; ``seconds``: how long the last one took; ``error``: why the last attempt failed,
        if it did."""
        with self._lock:
            return dict(self._state)

    def _run(self) -> None:
        warmed: object = None
        while not self._stop.is_set():
            try:
                version = self.store.version()
                if version != warmed:
                    self._set(ready=False)
                    started = time.perf_counter()
                    self._work(self.store)
                    warmed = version
                    seconds = round(time.perf_counter() - started, 3)
                    runs = self.status()["runs"] + 1
                    self._set(ready=True, runs=runs, seconds=seconds, error=None)
                    log.info("caches warmed in %.1f s", seconds)
            except Exception as error:  # noqa: BLE001 - reported in /health, tried again later
                if self.status()["error"] != str(error):
                    log.warning("could not warm the caches: %s", error)
                self._set(ready=False, error=str(error))
            if not self._watch and warmed is not None:
                return
            self._stop.wait(self.interval)

    def _set(self, **values: Any) -> None:
        with self._lock:
            self._state.update(values)
