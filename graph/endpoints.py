"""The URLs of a SPARQL server: from the address the user gives, the query, update and graph
store URLs, by the server's convention.

The user gives only the server's address; the query, update and graph store URLs follow the
server's convention (:data:`CONVENTIONS`) and each can be set. The convention is guessed from
the address (:func:`guess_convention`): ``/repositories/<id>`` is GraphDB, a path of its own is
a Fuseki dataset, a bare ``http://host:port`` is Oxigraph, and an address ending in ``/sparql``
is Virtuoso when its ``Server`` header says so (:func:`server_software`). A user name or
password in an address never appears in a message or a log line (:func:`redact`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests

from scrkg.graph.server_errors import RemoteStoreConfigError

#: The URL conventions of the servers scrkg knows, from the server's address (``{base}``).
CONVENTIONS: dict[str, tuple[str, str, str]] = {
    # name: (query URL, update URL, graph store URL)
    "oxigraph": ("{base}/query", "{base}/update", "{base}/store"),
    "fuseki": ("{base}/sparql", "{base}/update", "{base}/data"),
    "graphdb": ("{base}", "{base}/statements", "{base}/rdf-graphs/service"),
    # {base} is the server's root; an address ending in /sparql stands for it too.
    "virtuoso": ("{base}/sparql", "{base}/sparql-auth", "{base}/sparql-graph-crud-auth"),
}

#: What to set on each kind of server so that its default graph is the union of named graphs.
UNION_ADVICE = {
    "oxigraph": "start it with `oxigraph serve --union-default-graph`",
    "fuseki": (
        "set `tdb2:unionDefaultGraph true` on the TDB2 dataset in Fuseki's configuration and "
        "restart Fuseki"
    ),
    "graphdb": (
        "GraphDB's default graph is normally the union of all graphs: check that the repository "
        "is a GraphDB repository and that --endpoint names it (/repositories/<id>)"
    ),
    "virtuoso": (
        "Virtuoso's default graph is normally the union of all graphs: check that nothing in "
        "front of it (a proxy, a rewrite rule) adds default-graph-uri to the queries"
    ),
}


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of one server and the convention they came from."""

    address: str
    convention: str
    query: str
    update: str
    graph_store: str


def guess_convention(address: str, server: str | None = None) -> str:
    """The convention an address looks like: ``/repositories/<id>`` is GraphDB, a path of its
    own (the dataset, ``/ds``) is Fuseki, a bare ``http://host:port`` is Oxigraph; an address
    ending in ``/sparql`` whose server calls itself Virtuoso (its ``Server`` header, given as
    ``server``) is Virtuoso."""
    path = urlsplit(address).path.strip("/")
    if re.fullmatch(r"repositories/[^/]+", path):
        return "graphdb"
    if (path == "sparql" or path.endswith("/sparql")) and is_virtuoso(server):
        return "virtuoso"
    return "fuseki" if path else "oxigraph"


def is_virtuoso(server: str | None) -> bool:
    """Whether a ``Server`` header is Virtuoso's."""
    return bool(server) and server.lstrip().lower().startswith("virtuoso/")  # type: ignore[union-attr]


def server_software(address: str, timeout: float = 5.0) -> str | None:
    """The ``Server`` header of the server at ``address`` (one GET asking ``ASK {}``), or None
    when it does not answer. Only addresses ending in ``/sparql`` are asked, to tell Virtuoso
    from a Fuseki dataset."""
    path = urlsplit(address).path.rstrip("/")
    if not (path == "/sparql" or path.endswith("/sparql")):
        return None
    try:
        with requests.get(
            address, params={"query": "ASK {}"}, timeout=timeout, headers={"User-Agent": "scrkg"}
        ) as response:
            return response.headers.get("Server")
    except requests.RequestException:
        return None


def endpoint_urls(
    address: str,
    convention: str = "auto",
    *,
    query_url: str | None = None,
    update_url: str | None = None,
    graph_store_url: str | None = None,
) -> Endpoints:
    """The query, update and graph store URLs for a server's address.

    ``convention`` is ``auto`` (guessed from the address and, for an address ending in
    ``/sparql``, the server's ``Server`` header) or a key of :data:`CONVENTIONS`; a URL given
    explicitly wins over the convention's.
    """
    base = check_url(address, "--endpoint").rstrip("/")
    if convention == "auto":
        convention = guess_convention(base, server_software(base))
    if convention not in CONVENTIONS:
        raise RemoteStoreConfigError(
            f"Unknown endpoint convention {convention!r}; use auto or one of: "
            f"{', '.join(CONVENTIONS)}."
        )
    root = base
    if convention == "virtuoso" and root.endswith("/sparql"):
        root = root.removesuffix("/sparql")  # the endpoint's address stands for the server's
    query, update, graph_store = (t.format(base=root) for t in CONVENTIONS[convention])
    return Endpoints(
        address=base,
        convention=convention,
        query=check_url(query_url, "--query-url") if query_url else query,
        update=check_url(update_url, "--update-url") if update_url else update,
        graph_store=check_url(graph_store_url, "--graph-store-url")
        if graph_store_url
        else graph_store,
    )


def check_url(url: str, option: str) -> str:
    """The URL given for ``option``, refused unless it is an http:// or https:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteStoreConfigError(
            f"{option} must be an http:// or https:// URL such as http://127.0.0.1:7878, "
            f"not {redact(url)!r}."
        )
    return url


def redact(url: str) -> str:
    """The URL without any user name or password in it, for messages and logs."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
