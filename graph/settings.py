"""Every setting scrkg reads from its environment, in one table: name, default, help, and the part
of scrkg that reads it.

The site takes any of them by name in `create_app`'s mapping too (its value wins over the
environment); the command line's global options name theirs in ``option``. docs/settings.md is
written from this table (``python scripts/write_docs.py``) and tests/test_docs.py fails when it is
out of date.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from scrkg.graph.errors import SettingError
from scrkg.ontology import DEFAULT_BASE

#: The parts of scrkg that read settings, in the order docs/settings.md lists them.
PARTS = {
    "command line": "Every command: where the data is.",
    "SPARQL server": "A SPARQL server as the store (`--endpoint`); see "
    "[Running on a SPARQL server](sparql-servers.md).",
    "loader": "`scrkg load` and `scrkg tag`.",
    "site": "`scrkg serve`: what the pages show.",
    "query gateway": "Every query a user sends, from the site or `scrkg query`; see "
    "[Publishing safely](publishing-safely.md).",
    "web server": "`scrkg serve`: who may ask, and how much; see "
    "[Publishing safely](publishing-safely.md).",
}


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    part: str
    option: str | None = None  # the command line's global option that gives it, if any
    secret: bool = False  # never shown, never on the command line

    def read(self, given: Mapping[str, Any] | None = None) -> Any:
        """The value from ``given``, else the environment, else the default, cast to the
        default's type (a number from a string); SettingError names the setting and its help."""
        raw = (given or {}).get(self.name, os.environ.get(self.name, self.default))
        kind = type(self.default)
        if self.default is None or isinstance(raw, kind):
            return raw
        if kind in (int, float) and isinstance(raw, str) and not raw.strip():
            return self.default
        try:
            return kind(raw)
        except (TypeError, ValueError):
            raise SettingError(
                f"{self.name}={raw!r} is not a valid {kind.__name__}: {self.help}"
            ) from None


SETTINGS: tuple[Setting, ...] = (
    # -- every command ------------------------------------------------------------------------
    Setting(
        "SCRKG_STORE",
        "scrkg-store",
        "Directory of the on-disk store.",
        "command line",
        "--store PATH",
    ),
    Setting(
        "SCRKG_BASE",
        DEFAULT_BASE,
        "Base IRI under which instance IRIs are minted; the site shows the base followed by PATH "
        "at /id/PATH.",
        "command line",
        "--base IRI",
    ),
    # -- a SPARQL server as the store -----------------------------------------------------------
    Setting(
        "SCRKG_ENDPOINT",
        None,
        "Use the SPARQL server at this address instead of --store, e.g. http://127.0.0.1:7878.",
        "SPARQL server",
        "--endpoint URL",
    ),
    Setting(
        "SCRKG_ENDPOINT_CONVENTION",
        "auto",
        "Which server's URL layout --endpoint follows: auto, oxigraph, fuseki, graphdb or "
        "virtuoso (auto asks the server).",
        "SPARQL server",
        "--endpoint-convention NAME",
    ),
    Setting(
        "SCRKG_QUERY_URL",
        None,
        "The server's SPARQL query URL, if not the convention's.",
        "SPARQL server",
        "--query-url URL",
    ),
    Setting(
        "SCRKG_UPDATE_URL",
        None,
        "The server's SPARQL update URL, if not the convention's.",
        "SPARQL server",
        "--update-url URL",
    ),
    Setting(
        "SCRKG_GRAPH_STORE_URL",
        None,
        "The server's Graph Store Protocol URL, if not the convention's.",
        "SPARQL server",
        "--graph-store-url URL",
    ),
    Setting(
        "SCRKG_ENDPOINT_TIMEOUT",
        60.0,
        "Seconds to wait for the server's answer to a read; writes get ten times as long.",
        "SPARQL server",
        "--endpoint-timeout S",
    ),
    Setting(
        "SCRKG_ENDPOINT_USER",
        None,
        "User name for the server (HTTP basic, or digest when the server asks for it, as "
        "Virtuoso does); with SCRKG_ENDPOINT_PASSWORD.",
        "SPARQL server",
        secret=True,
    ),
    Setting(
        "SCRKG_ENDPOINT_PASSWORD",
        None,
        "Password of SCRKG_ENDPOINT_USER.",
        "SPARQL server",
        secret=True,
    ),
    Setting(
        "SCRKG_ENDPOINT_TOKEN",
        None,
        "A bearer token for the server, instead of a user and password.",
        "SPARQL server",
        secret=True,
    ),
    # -- the loader -----------------------------------------------------------------------------
    Setting(
        "SCRKG_MAX_SOURCE_MB",
        512.0,
        "Largest source file `scrkg load` reads, in MiB; a larger one is refused before a byte "
        "is read.",
        "loader",
    ),
    # -- the site -------------------------------------------------------------------------------
    Setting(
        "SCRKG_PAGE_SIZE",
        50,
        "Links shown per property on a resource page before a next-page link.",
        "site",
    ),
    Setting(
        "SCRKG_EXPLORE_GROUP_LIMIT",
        20,
        "Neighbours the explorer shows per property when a node is expanded; the rest sit "
        "behind a '+N more' node.",
        "site",
    ),
    Setting(
        "SCRKG_EXPLORE_MAX_NODES",
        3000,
        "Most nodes the explorer draws for a saved view or a query result (the whole bundled "
        "graph is about 2,000).",
        "site",
    ),
    Setting(
        "SCRKG_WARM_INTERVAL",
        2.0,
        "Seconds between checks for a new snapshot of the store; after a start and after each "
        "load the server computes the dashboard, explorer menus and pattern measures in the "
        "background so the first visitor does not wait. 0 computes them only when first asked.",
        "site",
    ),
    # -- the query gateway ----------------------------------------------------------------------
    Setting(
        "SCRKG_QUERY_TIMEOUT",
        10.0,
        "Seconds a query may run before its worker process is killed (503).",
        "query gateway",
    ),
    Setting(
        "SCRKG_QUERY_MAX_LENGTH",
        100_000,
        "Longest query text, in bytes; a longer one gets 413.",
        "query gateway",
    ),
    Setting(
        "SCRKG_QUERY_MAX_DEPTH",
        32,
        "Deepest nesting of { } ( ) [ ] in a query; a deeper one gets 400.",
        "query gateway",
    ),
    Setting(
        "SCRKG_QUERY_MAX_ROWS",
        100_000,
        "Most rows (or triples) in a result; a longer result is cut and says so.",
        "query gateway",
    ),
    Setting(
        "SCRKG_QUERY_MAX_BYTES",
        20 * 2**20,
        "Most bytes in a result; a larger result is cut and says so.",
        "query gateway",
    ),
    Setting(
        "SCRKG_QUERY_WORKERS",
        4,
        "Queries that run at once, each in its own worker process.",
        "query gateway",
    ),
    Setting(
        "SCRKG_QUERY_QUEUE",
        8,
        "Queries that may wait for a worker; one more gets 503 with Retry-After.",
        "query gateway",
    ),
    Setting(
        "SCRKG_QUERY_QUEUE_WAIT",
        2.0,
        "Seconds a query waits for a free worker before it gets 503 with Retry-After.",
        "query gateway",
    ),
    Setting(
        "SCRKG_QUERY_MEMORY_MB",
        2048,
        "Data memory of a worker process in MiB (RLIMIT_DATA); 0 for no limit.",
        "query gateway",
    ),
    Setting(
        "SCRKG_QUERY_ALLOCATOR",
        "jemalloc",
        "The memory allocator the worker processes load first, by library name (jemalloc: "
        "Debian's libjemalloc2, as the oxigraph server uses); the C library's own when it is "
        "not installed or with the value system. It writes large results faster.",
        "query gateway",
    ),
    # -- the web server -------------------------------------------------------------------------
    Setting(
        "SCRKG_SERVER_THREADS",
        16,
        "Threads of the web server; keep it above SCRKG_QUERY_WORKERS + SCRKG_QUERY_QUEUE so "
        "pages and /health answer while queries wait.",
        "web server",
    ),
    Setting(
        "SCRKG_MAX_REQUEST_BYTES",
        1024 * 1024,
        "Largest request body in bytes; a larger one gets 413.",
        "web server",
    ),
    Setting(
        "SCRKG_ALLOWED_HOSTS",
        "127.0.0.1,localhost,::1",
        "Host names the site answers for (comma separated), or * for any; others get 400.",
        "web server",
    ),
    Setting(
        "SCRKG_AUTH",
        "",
        "Credentials every route requires: token:NAME:SHA256 or basic:USER:HASH entries, "
        "separated by spaces (`scrkg credentials` makes them); empty for none.",
        "web server",
    ),
    Setting(
        "SCRKG_AUTH_FAILURES",
        10,
        "Failed sign-ins with a password allowed per client address and per user name within "
        "SCRKG_AUTH_FAILURE_WINDOW; the next get 429 with Retry-After and no password check. "
        "0 for no limit.",
        "web server",
    ),
    Setting(
        "SCRKG_AUTH_FAILURE_WINDOW",
        300,
        "Seconds over which failed sign-ins are counted for SCRKG_AUTH_FAILURES.",
        "web server",
    ),
    Setting(
        "SCRKG_AUTH_CHECKS",
        1,
        "Password checks (scrypt, slow on purpose) that run at once; a sign-in that finds them "
        "all busy gets 503 with Retry-After at once, so pages and /health keep their threads.",
        "web server",
    ),
    Setting(
        "SCRKG_AUDIT_LOG",
        "",
        "File the audit log is appended to (JSON lines: time, user, route, status, keyed "
        "query hash, length and rows; no query text or data); empty for none. Its HMAC key is "
        "kept beside it, in the log's name followed by .key.",
        "web server",
    ),
)

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}


@contextlib.contextmanager
def preloaded(library: str | None) -> Iterator[None]:
    """Processes started inside the block load the shared ``library`` before any other (the
    dynamic linker's LD_PRELOAD, after any already there); nothing changes for None."""
    if library is None:
        yield
        return
    before = os.environ.get("LD_PRELOAD")
    os.environ["LD_PRELOAD"] = f"{before} {library}" if before else library
    try:
        yield
    finally:
        if before is None:
            del os.environ["LD_PRELOAD"]
        else:
            os.environ["LD_PRELOAD"] = before


def setting(name: str, given: Mapping[str, Any] | None = None) -> Any:
    """One setting's value (see :meth:`Setting.read`)."""
    return BY_NAME[name].read(given)


def read_settings(given: Mapping[str, Any] | None = None, parts: Iterable[str] = PARTS) -> dict:
    """The value of every setting of ``parts``, by name."""
    wanted = set(parts)
    return {s.name: s.read(given) for s in SETTINGS if s.part in wanted}


def markdown() -> str:
    """The settings as docs/settings.md shows them: one table per part."""
    lines = [
        "# Settings",
        "",
        "Every setting is an environment variable; the site also takes each by name in "
        "`create_app`'s mapping, and the command line's global options give theirs (the option "
        "wins over the variable). This page is written from `graph/settings.py` by "
        "`python scripts/write_docs.py`; a test fails when they differ.",
    ]
    for part, about in PARTS.items():
        lines += ["", f"## {part[0].upper()}{part[1:]}", "", about, ""]
        lines += ["| setting | option | default | meaning |", "|---|---|---|---|"]
        for s in SETTINGS:
            if s.part == part:
                option = f"`{s.option}`" if s.option else "none"
                lines.append(f"| `{s.name}` | {option} | {_shown(s.default)} | {_cell(s.help)} |")
    return "\n".join(lines) + "\n"


def _shown(default: Any) -> str:
    if default is None or default == "":
        return "none"
    if isinstance(default, float):
        return f"`{default:g}`"
    return f"`{default}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
