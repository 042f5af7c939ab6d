"""The errors of the query gateway (graph/gateway.py), apart so that importing them is quick.

Each carries the message for the user, the HTTP ``status`` that says it and any ``headers``
(Retry-After) that go with it.
"""

from __future__ import annotations


class GatewayError(Exception):
    """A query the gateway did not answer; ``message`` tells the user why, ``status`` is the
    HTTP status that says it, ``headers`` any headers that go with it."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.headers: dict[str, str] = {}


class QueryRefused(GatewayError):
    """Valid SPARQL that this read-only service does not run (updates, SERVICE, FROM, LOAD)."""


class QuerySyntaxError(GatewayError):
    """The text is not a SPARQL query; the message gives the line, column and what was expected."""


class QueryTooLarge(GatewayError):
    """The query text is longer than ``Limits.max_length``."""

    status = 413


class QueryTooDeep(QueryRefused):
    """The query nests deeper than ``Limits.max_depth``."""


class NotAcceptable(GatewayError):
    """The result is of a kind (``solutions``, ``boolean``, ``graph``) for which the caller
    asked no format; the caller words the message."""

    status = 406

    def __init__(self, kind: str) -> None:
        super().__init__(f"No format was asked for a result of this kind ({kind}).")
        self.kind = kind


class QueryTimeout(GatewayError):
    """The query ran past the deadline and was stopped."""

    status = 503


class GatewayBusy(GatewayError):
    """As many queries are running and waiting as the limits allow."""

    status = 503

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


class QueryFailed(GatewayError):
    """The query could not be answered for a reason that is not the query's fault, or its
    worker process died (out of memory, say)."""

    status = 503


class SettingError(ValueError):
    """A setting that cannot be used; the message names it and the form it expects."""
