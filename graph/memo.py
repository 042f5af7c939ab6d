"""Answers remembered until the data changes, computed once however many threads ask.

The dashboard's counts, the explorer's menus, the member lists of hub concepts and the pattern
measures each cost from tens of milliseconds to seconds on a large store and change only with a
load. A :class:`Memo` keeps the most recently used of them under a key that includes the store's
version, so a load makes new keys and old answers fall out of use. While one thread computes a
key, the others asking for it wait for that answer instead of running the same queries again
(this is what lets the site warm its caches in the background after a start or a load while the
first visitors arrive; see web/warm.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class _Pending:
    """A computation in progress: the others wait on ``done``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class Memo:
    """At most ``size`` answers, least recently used dropped first; thread safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, _Pending] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer for ``key``: remembered, else awaited from the thread computing it, else
        ``compute()``. An error is raised to every thread waiting for it and not remembered."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            pending = self._pending.get(key)
            computing = pending is None
            if computing:
                pending = self._pending[key] = _Pending()
        assert pending is not None
        if not computing:
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.value
        try:
            pending.value = compute()
        except BaseException as error:
            pending.error = error
            raise
        else:
            with self._lock:
                self._values[key] = pending.value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            return pending.value
        finally:
            with self._lock:
                del self._pending[key]
            pending.done.set()

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


#: Dashboards and other per-version answers (the explorer's menus, the whole-graph view...);
#: hub member lists and search indexes have their own.
MEMO = Memo(64)


def per_version(store: Any, name: str, compute: Callable[[], T], memo: Memo = MEMO) -> T:
    """``compute()``, remembered in ``memo`` under ``name`` until the store's data changes
    (``store.version()``): for answers that cost tens of milliseconds or more and change only
    with a load; computed once when several threads ask at the same time."""
    return memo.get((store.version(), name), compute)
