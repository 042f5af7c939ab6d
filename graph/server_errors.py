"""The errors of a store on a SPARQL server (:class:`~remote.RemoteStore`): each message says
what to do. They are store errors (:class:`~store.StoreError`), so callers that handle the
embedded store's errors handle these too."""

from __future__ import annotations

from scrkg.graph.store import StoreError


class RemoteStoreError(StoreError):
    """The SPARQL server refused or failed a request; the message says what to do."""


class RemoteStoreUnavailable(RemoteStoreError):
    """The SPARQL server is down, unreachable, too slow, or cut its answer short."""


class RemoteStoreConfigError(RemoteStoreError):
    """The server is reachable but not set up as scrkg needs (URLs, credentials, union graph)."""
