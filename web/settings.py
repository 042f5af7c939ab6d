"""The site's settings: one table of name, default and help (Datasette style).

Every setting can be given to `create_app` by name, or as an environment variable of the same
name. tests/test_docs.py fails when a setting here is missing from docs/publishing-safely.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scrkg.graph.errors import SettingError
from scrkg.graph.gateway import Limits

_LIMITS = Limits()


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: list[Setting] = [
    Setting("SCRKG_STORE", "scrkg-store", "Directory of the on-disk store the site reads."),
    Setting(
        "SCRKG_BASE",
        "https://w3id.org/scrkg/id/",
        "Base IRI of the instance data; the site shows <base>PATH at /id/PATH.",
    ),
    Setting(
        "SCRKG_PAGE_SIZE",
        50,
        "Links shown per property on a resource page before a next-page link.",
    ),
    Setting(
        "SCRKG_EXPLORE_GROUP_LIMIT",
        20,
        "Neighbours the explorer shows per property when a node is expanded; the rest sit "
        "behind a '+N more' node.",
    ),
    Setting(
        "SCRKG_EXPLORE_MAX_NODES",
        3000,
        "Most nodes the explorer draws for a saved view or a query result (the whole bundled "
        "graph is about 2,000).",
    ),
    Setting(
        "SCRKG_WARM_INTERVAL",
        2.0,
        "Seconds between checks for a new snapshot of the store; after a start and after each "
        "load the server computes the dashboard, explorer menus and pattern measures in the "
        "background so the first visitor does not wait. 0 computes them only when first asked.",
    ),
    # -- publishing safely: the query gateway, graph/gateway.py ---------------------------------
    Setting(
        "SCRKG_QUERY_TIMEOUT",
        _LIMITS.timeout,
        "Seconds a query may run before its worker process is killed (503).",
    ),
    Setting(
        "SCRKG_QUERY_MAX_LENGTH",
        _LIMITS.max_length,
        "Longest query text, in bytes; a longer one gets 413.",
    ),
    Setting(
        "SCRKG_QUERY_MAX_DEPTH",
        _LIMITS.max_depth,
        "Deepest nesting of { } ( ) [ ] in a query; a deeper one gets 400.",
    ),
    Setting(
        "SCRKG_QUERY_MAX_ROWS",
        _LIMITS.max_rows,
        "Most rows (or triples) in a result; a longer result is cut and says so.",
    ),
    Setting(
        "SCRKG_QUERY_MAX_BYTES",
        _LIMITS.max_bytes,
        "Most bytes in a result; a larger result is cut and says so.",
    ),
    Setting(
        "SCRKG_QUERY_WORKERS",
        _LIMITS.workers,
        "Queries that run at once, each in its own worker process.",
    ),
    Setting(
        "SCRKG_QUERY_QUEUE",
        _LIMITS.queue,
        "Queries that may wait for a worker; one more gets 503 with Retry-After.",
    ),
    Setting(
        "SCRKG_QUERY_QUEUE_WAIT",
        _LIMITS.queue_wait,
        "Seconds a query waits for a free worker before it gets 503 with Retry-After.",
    ),
    Setting(
        "SCRKG_QUERY_MEMORY_MB",
        _LIMITS.memory_mb,
        "Data memory of a worker process in MiB (RLIMIT_DATA); 0 for no limit.",
    ),
    # -- publishing safely: the server, web/security.py ----------------------------------------
    Setting(
        "SCRKG_SERVER_THREADS",
        16,
        "Threads of the web server; keep it above SCRKG_QUERY_WORKERS + SCRKG_QUERY_QUEUE so "
        "pages and /health answer while queries wait.",
    ),
    Setting(
        "SCRKG_MAX_REQUEST_BYTES",
        1024 * 1024,
        "Largest request body in bytes; a larger one gets 413.",
    ),
    Setting(
        "SCRKG_ALLOWED_HOSTS",
        "127.0.0.1,localhost,::1",
        "Host names the site answers for (comma separated), or * for any; others get 400.",
    ),
    Setting(
        "SCRKG_AUTH",
        "",
        "Credentials every route requires: token:NAME:SHA256 or basic:USER:HASH entries, "
        "separated by spaces (`scrkg credentials` makes them); empty for none.",
    ),
    Setting(
        "SCRKG_AUTH_FAILURES",
        10,
        "Failed sign-ins with a password allowed per client address and per user name within "
        "SCRKG_AUTH_FAILURE_WINDOW; the next get 429 with Retry-After and no password check. "
        "0 for no limit.",
    ),
    Setting(
        "SCRKG_AUTH_FAILURE_WINDOW",
        300,
        "Seconds over which failed sign-ins are counted for SCRKG_AUTH_FAILURES.",
    ),
    Setting(
        "SCRKG_AUTH_CHECKS",
        1,
        "Password checks (scrypt, slow on purpose) that run at once; a sign-in that finds them "
        "all busy gets 503 with Retry-After at once, so pages and /health keep their threads.",
    ),
    Setting(
        "SCRKG_AUDIT_LOG",
        "",
        "File the audit log is appended to (JSON lines: time, user, route, status, keyed "
        "query hash, length and rows; no query text or data); empty for none. Its HMAC key is "
        "kept beside it in <log>.key.",
    ),
]


def read_settings(given: Mapping[str, Any]) -> dict[str, Any]:
    """Each setting from ``given``, else the environment, else its default, cast to the
    default's type."""
    values = {}
    for setting in SETTINGS:
        raw = given.get(setting.name, os.environ.get(setting.name, setting.default))
        kind = type(setting.default)
        try:
            values[setting.name] = (
                raw if isinstance(raw, kind) or setting.default is None else kind(raw)
            )
        except (TypeError, ValueError):
            raise SettingError(
                f"{setting.name}={raw!r} is not a valid {kind.__name__}: {setting.help}"
            ) from None
    return values
