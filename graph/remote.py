"""A store on a SPARQL server: scrkg's data kept by Oxigraph server, Apache Jena Fuseki, GraphDB
or OpenLink Virtuoso.

:class:`RemoteStore` speaks the SPARQL 1.1 Protocol for queries and updates and the SPARQL 1.1
Graph Store HTTP Protocol for writing named graphs, with ``requests``. Its answers have the same
shape as the embedded store's: the server's SPARQL JSON results and N-Triples are parsed with
pyoxigraph, so callers get ``QuerySolutions``, ``QueryBoolean`` and ``QueryTriples`` as before.
(rdflib's ``SPARQLUpdateStore`` is not used: pointed at ``oxigraph serve`` it sends
``urn:x-rdflib:default`` as the default graph, so default-graph queries find nothing.)

The user gives only the server's address; the query, update and graph store URLs follow the
server's convention (:data:`CONVENTIONS`) and each can be set. Facts the code rests on:

* Queries must see the union of the named graphs as the default graph, as the embedded store
  does. The server must be set up that way (``oxigraph serve --union-default-graph``, Fuseki's
  ``tdb2:unionDefaultGraph true``; GraphDB and Virtuoso do it already); the store checks it at
  first use with an ASK over a triple it knows is in a named graph, and refuses to go on when it
  is not.
* A load is atomic: each graph goes to a staging graph ``<graph>/staging-<random>`` (a PUT,
  then POSTs, of :data:`DEFAULT_UPLOAD_TRIPLES` triples each), its triple count is checked,
  and then one SPARQL Update request ``DROP SILENT GRAPH <live>;
  MOVE <staging> TO <live>`` (for every graph of the load) switches them all. Oxigraph, Fuseki
  and GraphDB run one update request as one transaction: all of it happens or none. A failure
  before the switch drops the staging graphs and leaves the live ones as they were. Virtuoso
  commits a request's work only at its end (a server killed during it keeps the old graphs),
  but keeps what ran before an operation that failed: scrkg then says which graphs were
  replaced (:data:`KEEPS_PARTIAL_UPDATES`).
* Reading a whole graph back (copies, exports, scrkg's copy of Virtuoso's graphs) is one
  streamed SELECT, except on Virtuoso, which cannot answer it for a large graph (it cuts any
  answer at 1,048,576 rows, and refuses a CONSTRUCT or graph-store GET of over 1,000,000
  triples): there a graph is read in pages of about :data:`DEFAULT_VIRTUOSO_PAGE_TRIPLES`
  triples, each page the triples of some predicates (a predicate with more than a page is
  split by a hash of its subjects), and the rows read are checked against the graph's count
  (:meth:`RemoteStore._graph_in_pages`). No ORDER BY: Virtuoso sorts at most 10,000 rows for
  one page.
* Reads (query POSTs) are retried with exponential backoff on connection errors and 5xx
  answers; writes never are. A server that is down, slow or cuts its answer short gives
  :class:`RemoteStoreUnavailable`, whose message names the URL and what to check.
* A query's answer is read in full before it is handed on (so that an answer the server cut
  short is an error, not a short result), up to ``max_answer_bytes``; exports stream instead.
  An answer the server marks as cut to its row limit (Virtuoso's ``X-SPARQL-MaxRows``) or as
  incomplete (``X-SQL-State``) is an error too.
* Virtuoso's dialect (:class:`VirtuosoDialect`): its default graph is the union of every graph,
  its own among them, so a query on the default graph names scrkg's graphs as its dataset
  (``default-graph-uri`` and ``named-graph-uri``); its blank node names (``nodeID://b1``) and
  its answers to ASK (a row ``__ASK_RETVAL``) are read as the standard ones, and a query it
  failed (HTTP 500) is not tried again.

Credentials come from the environment (:class:`Credentials`) and never appear in a message,
a log line or a ``repr``.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import queue
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests
import urllib3

from scrkg.graph.sandbox import confined, is_confined
from scrkg.graph.store import Store, StoreError, export_format
from scrkg.ontology import PREFIXES, XSD

log = logging.getLogger(__name__)

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

#: The graphs a fresh Virtuoso database holds for itself (its quad map schema, the LDP vocabulary
#: and its endpoint's description). Virtuoso's default graph is the union of every graph, so
#: scrkg names its own graphs as the dataset of each query and leaves these out of its lists.
#: (Virtuoso 7.2's ``define input:default-graph-exclude`` would be simpler, but with it a
#: ``GRAPH <iri>`` pattern counts wrong.)
VIRTUOSO_OWN_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
#: Datatypes whose literals Virtuoso keeps as values, answered in its own lexical form ("1" for
#: true, "1000.0" for a float 1E3): scrkg reads them back in Oxigraph's (the embedded store's).
VIRTUOSO_VALUE_TYPES = frozenset(
    XSD + t
    for t in [
        "boolean",
        "float",
        "double",
        "decimal",
        "integer",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "positiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "date",
        "dateTime",
        "time",
    ]
)
#: Datatypes whose values Virtuoso changes: durations become a number of seconds or months.
VIRTUOSO_LOST_TYPES = frozenset(
    XSD + t for t in ("duration", "dayTimeDuration", "yearMonthDuration")
)
#: Conventions of servers that keep the operations of an update request that ran before one of
#: them failed (they do roll back a request cut off by a crash).
KEEPS_PARTIAL_UPDATES = frozenset({"virtuoso"})

ENV_USER = "SCRKG_ENDPOINT_USER"
ENV_PASSWORD = "SCRKG_ENDPOINT_PASSWORD"
ENV_TOKEN = "SCRKG_ENDPOINT_TOKEN"

DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5
#: The largest answer read for one query (exports stream and have no such cap).
DEFAULT_MAX_ANSWER = 512 * 2**20
#: A write may take this many times the read timeout (a big PUT or MOVE is slower than a query).
WRITE_TIMEOUT_FACTOR = 10
#: On Virtuoso, how often (seconds) scrkg asks whether the server's graphs changed before it
#: evaluates a query on its copy of them.
MIRROR_CHECK_SECONDS = 1.0
#: The time a load records in the graph it wrote.
PROV_GENERATED = "http://www.w3.org/ns/prov#generatedAtTime"
#: Triples sent in one request of a graph upload: the first request PUTs them into the staging
#: graph, each next one POSTs the next as many into it. Small requests keep each of the server's
#: transactions small (Virtuoso stalled on one PUT of a million triples, see
#: docs/sparql-servers.md); triples that share a blank node always go in the same request.
DEFAULT_UPLOAD_TRIPLES = 50_000
#: On Virtuoso, the most triples of a graph read back in one request (see the module's notes):
#: far below its limits of one answer, and read within the default timeout on a busy machine.
DEFAULT_VIRTUOSO_PAGE_TRIPLES = 200_000
#: A predicate with more triples than a page is read in parts: the triples whose subject is a
#: blank node, then those whose subject IRI's MD5 starts with each hexadecimal digit.
_HASH_PARTS = (
    "isBlank(?s)",
    *(f'!isBlank(?s) && STRSTARTS(MD5(STR(?s)), "{d}")' for d in "0123456789abcdef"),
)
#: The most characters of a server's error text shown to the user.
MAX_SERVER_TEXT = 400

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
#: A graph no one writes: the default graph of a query whose dataset names no graph at all.
EMPTY_GRAPH = "urn:scrkg:empty-graph"

_STAGING = re.compile(r"/staging-[0-9a-f]{16}$")
#: Virtuoso's blank nodes in SPARQL JSON results: ``"value": "nodeID://b10003"``.
_VIRTUOSO_BNODE = b'"type": "bnode", "value": "nodeID://'
_STANDARD_BNODE = b'"type": "bnode", "value": "'
_VIRTUOSO_ASK = "__ASK_RETVAL"
#: A FROM or FROM NAMED clause: the query chooses its own dataset.
_FROM = re.compile(r"(?i)\bFROM\s+(?:NAMED\s+)?(?:<|[A-Za-z_][\w.-]*:|:)")
#: What may hold the word FROM without being a clause: IRIs, strings and comments.
_NOT_CLAUSES = re.compile(
    r"<[^<>\"{}|^`\\\s]*>"  # an IRI
    r'|"""[\s\S]*?"""' + r"|'''[\s\S]*?'''"  # long strings
    r'|"(?:[^"\\\n]|\\.)*"' + r"|'(?:[^'\\\n]|\\.)*'"  # strings
    r"|#[^\n]*"  # a comment
)
_DECLARED_PREFIX = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:")


class RemoteStoreError(StoreError):
    """The SPARQL server refused or failed a request; the message says what to do."""


class RemoteStoreUnavailable(RemoteStoreError):
    """The SPARQL server is down, unreachable, too slow, or cut its answer short."""


class RemoteStoreConfigError(RemoteStoreError):
    """The server is reachable but not set up as scrkg needs (URLs, credentials, union graph)."""


# -- settings -----------------------------------------------------------------------------------


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
    if (path == "sparql" or path.endswith("/sparql")) and _is_virtuoso(server):
        return "virtuoso"
    return "fuseki" if path else "oxigraph"


def _is_virtuoso(server: str | None) -> bool:
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
    base = _check_url(address, "--endpoint").rstrip("/")
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
        query=_check_url(query_url, "--query-url") if query_url else query,
        update=_check_url(update_url, "--update-url") if update_url else update,
        graph_store=_check_url(graph_store_url, "--graph-store-url")
        if graph_store_url
        else graph_store,
    )


def _check_url(url: str, option: str) -> str:
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


class _BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "<bearer token>"


class _PasswordAuth(requests.auth.HTTPDigestAuth):
    """A user and password, sent as the server asks: HTTP digest when it challenges with
    ``Digest`` (Virtuoso's /sparql-auth), else HTTP basic. Basic goes with the first request
    unless ``digest_first`` (the password is then never sent in the clear to a server that
    only wants digest); a ``Basic`` challenge is answered once and remembered."""

    def __init__(self, user: str, password: str, *, digest_first: bool) -> None:
        super().__init__(user, password)
        self._digest_first = digest_first

    def init_per_thread_state(self) -> None:
        super().init_per_thread_state()
        if not hasattr(self._thread_local, "basic"):
            self._thread_local.basic = not self._digest_first

    def _basic(self) -> str:
        return requests.auth._basic_auth_str(self.username, self.password)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        self.init_per_thread_state()
        if self._thread_local.basic and not self._thread_local.last_nonce:
            request.headers["Authorization"] = self._basic()
        return super().__call__(request)

    def handle_401(self, r: requests.Response, **kwargs: object) -> requests.Response:
        challenge = r.headers.get("www-authenticate", "").lower()
        if r.status_code != 401 or "digest" in challenge or self._thread_local.basic:
            return super().handle_401(r, **kwargs)
        if not challenge.startswith("basic"):
            return r
        self._thread_local.basic = True
        if self._thread_local.pos is not None and hasattr(r.request.body, "seek"):
            r.request.body.seek(self._thread_local.pos)  # type: ignore[union-attr]
        r.content  # noqa: B018 - read it so that the connection can be used again
        r.close()
        again = r.request.copy()
        again.headers["Authorization"] = self._basic()
        answer = r.connection.send(again, **kwargs)
        answer.history.append(r)
        answer.request = again
        return answer

    def knows_challenge(self) -> bool:
        """Whether this thread has a digest nonce or uses basic (a write need not be sent twice
        to learn how to authenticate)."""
        self.init_per_thread_state()
        return bool(self._thread_local.last_nonce or self._thread_local.basic)

    def __repr__(self) -> str:
        return "<user and password>"


@dataclass(frozen=True)
class Credentials:
    """A user and password (HTTP basic, or digest when the server asks for it) or a bearer
    token; shown nowhere."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """SCRKG_ENDPOINT_USER and SCRKG_ENDPOINT_PASSWORD, or SCRKG_ENDPOINT_TOKEN."""
        env = os.environ if environ is None else environ
        user, password, token = (env.get(n) or None for n in (ENV_USER, ENV_PASSWORD, ENV_TOKEN))
        if token and (user or password):
            raise RemoteStoreConfigError(
                f"Set either {ENV_TOKEN} (a bearer token) or {ENV_USER} and {ENV_PASSWORD} "
                "(HTTP basic or digest), not both."
            )
        if password and not user:
            raise RemoteStoreConfigError(f"{ENV_PASSWORD} is set but {ENV_USER} is not.")
        return cls(user=user, password=password, token=token)

    def auth(self, *, digest_first: bool = False) -> requests.auth.AuthBase | None:
        """How requests authenticate: ``digest_first`` for a server whose convention is HTTP
        digest (Virtuoso), where basic is sent only if the server asks for it."""
        if self.token:
            return _BearerAuth(self.token)
        if self.user:
            return _PasswordAuth(self.user, self.password or "", digest_first=digest_first)
        return None

    def __bool__(self) -> bool:
        return bool(self.token or self.user)


@dataclass(frozen=True)
class RemoteSettings:
    """Everything needed to open a :class:`RemoteStore`; what the command line collects."""

    endpoint: str
    convention: str = "auto"
    query_url: str | None = None
    update_url: str | None = None
    graph_store_url: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def open(self) -> RemoteStore:
        return RemoteStore(
            self.endpoint,
            convention=self.convention,
            query_url=self.query_url,
            update_url=self.update_url,
            graph_store_url=self.graph_store_url,
            timeout=self.timeout,
        )


# -- the store ----------------------------------------------------------------------------------


#: How long a remote store's version is taken as it is before the server is asked again.
VERSION_SECONDS = 1.0
#: What each source graph says of its load: its checksum and when it was loaded.
VERSION_QUERY = (
    "SELECT ?g ?checksum ?time WHERE { GRAPH ?g { ?g <https://w3id.org/scrkg/def#checksum> "
    "?checksum OPTIONAL { ?g <http://www.w3.org/ns/prov#generatedAtTime> ?time } } }"
)


class RemoteStore(Store):
    """scrkg's store on a SPARQL 1.1 server (see the module's notes). The server evaluates the
    queries, so it must refuse SERVICE itself (docs/query-safety.md); except on Virtuoso, whose
    engine answers standard SPARQL that scrkg's queries use wrongly: there scrkg evaluates
    queries itself, on a copy of the server's graphs in memory (:meth:`_reader`)."""

    def __init__(
        self,
        endpoint: str,
        *,
        convention: str = "auto",
        query_url: str | None = None,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        credentials: Credentials | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER,
        upload_triples: int = DEFAULT_UPLOAD_TRIPLES,
        page_triples: int | None = None,
    ) -> None:
        _check_url(endpoint, "--endpoint")
        parts = urlsplit(endpoint)
        if credentials is None:
            credentials = Credentials.from_env()
        if not credentials and parts.username:  # http://user:password@host/ in the address
            credentials = Credentials(parts.username, parts.password or "")
        self.urls = endpoint_urls(
            redact(endpoint),
            convention,
            query_url=query_url and redact(query_url),
            update_url=update_url and redact(update_url),
            graph_store_url=graph_store_url and redact(graph_store_url),
        )
        self._credentials = credentials
        self._dialect = VirtuosoDialect() if self.urls.convention == "virtuoso" else None
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.max_answer_bytes = int(max_answer_bytes)
        self.upload_triples = max(1, int(upload_triples))
        #: Read a graph back in pages of about this many triples (None: in one streamed
        #: answer); by default only on Virtuoso.
        self.page_triples: int | None = (
            max(1, int(page_triples))
            if page_triples is not None
            else DEFAULT_VIRTUOSO_PAGE_TRIPLES
            if self._dialect is not None
            else None
        )
        self._union_checked = False
        self._mirror: ox.Store | None = None
        self._mirror_key: object = None
        self._mirror_checked = -math.inf
        self._version: tuple[float, object] = (-math.inf, None)
        self._setup()

    def _setup(self) -> None:
        self._local = threading.local()  # one requests.Session per thread
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self._mirror_lock = threading.Lock()
        # On Virtuoso, a thread that may reach the server when the thread that runs a query
        # may not (the query gateway confines it, graph/sandbox.py): it fetches the copy.
        self._fetcher: queue.SimpleQueue[tuple] | None = None
        if self._dialect is not None:
            self._fetcher = queue.SimpleQueue()
            threading.Thread(
                target=self._fetch_for_confined,
                args=(self._fetcher,),
                name="scrkg-fetch",
                daemon=True,
            ).start()

    def __repr__(self) -> str:
        return f"RemoteStore({self.urls.address!r}, convention={self.urls.convention!r})"

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        for name in ("_local", "_sessions", "_lock", "_mirror_lock", "_fetcher"):
            state.pop(name, None)
        state.update(
            _mirror=None, _mirror_key=None, _mirror_checked=-math.inf, _version=(-math.inf, None)
        )
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._setup()

    @property
    def address(self) -> str:
        """The server's address as given, without credentials."""
        return self.urls.address

    def version(self) -> Hashable:
        """What each source graph on the server says of its load (its checksum and load time,
        new with every load, even one that keeps the triple count), the size of any graph that
        says nothing, and the writes made through this object: asked of the server at most once
        every :data:`VERSION_SECONDS`, not on every page."""
        checked, known = self._version
        now = time.monotonic()
        if known is None or now - checked >= VERSION_SECONDS:
            rows = self.server_query(VERSION_QUERY)  # the server's, not Virtuoso's copy
            stated = sorted(
                (row["g"].value, row["checksum"].value, row["time"].value if row["time"] else "")
                for row in rows
            )
            said = {graph for graph, _, _ in stated}
            silent = tuple(
                (graph, self.triple_count(graph))
                for graph in self.named_graphs()
                if graph not in said
            )
            known = (tuple(stated), silent)
            self._version = (now, known)
        return ("remote", self.urls.address, self._writes, known)

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.put(())  # stops the fetching thread
            self._fetcher = None
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    @property
    def evaluates_here(self) -> bool:  # type: ignore[override]
        """True on Virtuoso: scrkg evaluates the queries, on its copy of the server's graphs."""
        return self._dialect is not None

    def _reader(self) -> ox.Store:
        """On Virtuoso: a copy in memory of the server's named graphs (staging graphs and
        Virtuoso's own left out), fetched again when the server's graphs have changed. Whether
        they have is asked at most every :data:`MIRROR_CHECK_SECONDS`: the triples of each graph
        and the time each load records (``prov:generatedAtTime``) are compared; this store's own
        loads are seen at once."""
        if self._dialect is None:
            raise StoreError(
                "A store on a SPARQL server has no local pyoxigraph store; use its query(), "
                "quads() and export() methods."
            )
        if self._fetcher is not None and is_confined():
            box: dict[str, object] = {}
            done = threading.Event()
            self._fetcher.put((box, done))
            done.wait()
            if "error" in box:
                raise box["error"]  # type: ignore[misc]
            return box["value"]  # type: ignore[return-value]
        return self._fresh_mirror()

    def _kept_by_virtuoso(self, staged: Mapping[str, list[ox.Triple]]) -> None:
        """Refuse, before anything is written, a literal whose value Virtuoso would change."""
        for graph, triples in staged.items():
            for triple in triples:
                literal = triple.object
                if (
                    isinstance(literal, ox.Literal)
                    and literal.datatype.value in VIRTUOSO_VALUE_TYPES | VIRTUOSO_LOST_TYPES
                ):
                    reason = _virtuoso_loses(literal)
                    if reason:
                        raise RemoteStoreError(
                            f"Virtuoso at {self.address} cannot keep the literal {literal} of "
                            f"<{graph}> ({reason}); nothing was written. Write that value as a "
                            "string, or keep this source on another server."
                        )

    def _fetch_for_confined(self, jobs: queue.SimpleQueue[tuple]) -> None:
        while job := jobs.get():
            box, done = job
            try:
                box["value"] = self._fresh_mirror()
            except BaseException as error:  # noqa: BLE001 - raised again in the asking thread
                box["error"] = error
            done.set()

    def _fresh_mirror(self) -> ox.Store:
        with self._mirror_lock:
            now = time.monotonic()
            if self._mirror is not None and now - self._mirror_checked < MIRROR_CHECK_SECONDS:
                return self._mirror
            key = self._graphs_key()
            if self._mirror is None or key != self._mirror_key:
                mirror = ox.Store()
                mirror.bulk_extend(self.quads())
                if self._graphs_key() != key:  # changed while it was read: read it again
                    mirror = ox.Store()
                    mirror.bulk_extend(self.quads())
                    key = self._graphs_key()
                self._mirror, self._mirror_key = mirror, key
            self._mirror_checked = time.monotonic()
            return self._mirror

    def _graphs_key(self) -> tuple[tuple[str, str], ...]:
        """What changes when a graph on the server does: its size, and its load time."""
        counts = self._select("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        times = self._select(f"SELECT ?g ?t {{ GRAPH ?g {{ ?g <{PROV_GENERATED}> ?t }} }}")
        return tuple(
            sorted(
                [(r["g"].value, str(r["n"])) for r in counts if r["g"] is not None]
                + [(r["g"].value, str(r["t"])) for r in times if r["g"] is not None]
            )
        )

    def _forget_mirror(self) -> None:
        with self._mirror_lock:
            self._mirror, self._mirror_key = None, None

    # -- reading -------------------------------------------------------------------------------

    def query(
        self, sparql: str, **options: object
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query with the union of the named graphs as the default graph, unless
        ``default_graph`` / ``named_graphs`` choose the dataset (the options of pyoxigraph's
        ``Store.query`` that scrkg uses: ``base_iri``, ``use_default_graph_as_union``,
        ``default_graph``, ``named_graphs``). The server evaluates it, or on Virtuoso scrkg
        does (:meth:`_reader`)."""
        if self._dialect is not None:
            return Store.query(self, sparql, **options)  # type: ignore[return-value]
        return self.server_query(sparql, **options)

    def server_query(
        self, sparql: str, **options: object
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """:meth:`query`, evaluated by the server whatever it is. (On Virtuoso, a query on the
        default graph names scrkg's graphs as its dataset unless it has a FROM clause.)"""
        base_iri = options.pop("base_iri", None)
        union = options.pop("use_default_graph_as_union", True)
        default_graph = options.pop("default_graph", None)
        named_graphs = options.pop("named_graphs", None)
        if options:
            raise TypeError(f"RemoteStore.query() does not take {', '.join(sorted(options))}")
        kind = _query_kind(sparql, base_iri)
        dataset = self._dataset(bool(union), default_graph, named_graphs)
        if not dataset and self._dialect and not _FROM.search(_without_strings(sparql)):
            dataset = self._dataset(False, self.named_graphs(), None)  # the union, named
        if not dataset:
            self._check_union()
        return self._query(_with_prologue(sparql, base_iri), kind, dataset)

    def named_graphs(self) -> list[str]:
        """The named graphs on the server, without the staging graphs of loads under way."""
        return sorted(g for g in self._graph_names() if not _STAGING.search(g))

    def triple_count(self, graph: str | None = None) -> int:
        where = f"GRAPH {_iri(graph)} {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        if self._dialect and not graph:
            where += f" FILTER(?g NOT IN ({', '.join(map(_iri, VIRTUOSO_OWN_GRAPHS))}))"
        return self._count(where)

    def graph_value(self, graph: str, predicate: str) -> str | None:
        g = _iri(graph)
        rows = self._select(f"SELECT ?o {{ GRAPH {g} {{ {g} {_iri(predicate)} ?o }} }} LIMIT 1")
        if not rows:
            return None
        return (_oxigraph_form(rows[0]["o"]) if self._dialect else rows[0]["o"]).value

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of the server's named graphs (or of one), streamed from one query, or
        graph by graph in pages of :attr:`page_triples`."""
        if self.page_triples is not None:
            graphs = [graph] if graph is not None else self.named_graphs()
            return (quad for g in graphs for quad in self._graph_in_pages(g))
        form = _oxigraph_form if self._dialect else _same
        if graph is not None:
            node = ox.NamedNode(graph)
            text = f"SELECT ?s ?p ?o {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}"
            return (ox.Quad(r["s"], r["p"], form(r["o"]), node) for r in self._stream(text))
        text = "SELECT ?s ?p ?o ?g { GRAPH ?g { ?s ?p ?o } }"
        hidden = frozenset(VIRTUOSO_OWN_GRAPHS if self._dialect else ())
        return (
            ox.Quad(r["s"], r["p"], form(r["o"]), r["g"])
            for r in self._stream(text)
            if not _STAGING.search(r["g"].value) and r["g"].value not in hidden
        )

    def _graph_in_pages(self, graph: str) -> Iterator[ox.Quad]:
        """The quads of one graph, in requests of about :attr:`page_triples` triples each: the
        triples of a few predicates (their counts summed up to a page), or of one predicate
        with more than a page, one part of its subjects at a time (:data:`_HASH_PARTS`). The
        rows read must add up to the graph's count: a graph that changed while it was read,
        or a subject no part holds, is an error rather than a short copy."""
        form = _oxigraph_form if self._dialect else _same
        node, g = ox.NamedNode(graph), _iri(graph)
        counts = self._select(
            f"SELECT ?p (COUNT(*) AS ?n) {{ GRAPH {g} {{ ?s ?p ?o }} }} GROUP BY ?p"
        )
        sizes = sorted(
            ((r["p"], int(r["n"].value)) for r in counts if r["p"] is not None),
            key=lambda size: size[0].value,
        )
        big = [[p] for p, n in sizes if n > self.page_triples]  # each in parts
        pages: list[list[ox.NamedNode]] = []
        page_size = 0
        for predicate, n in sizes:
            if n > self.page_triples:
                continue
            if not pages or page_size + n > self.page_triples:
                pages.append([])
                page_size = 0
            pages[-1].append(predicate)
            page_size += n
        expected, read = sum(n for _, n in sizes), 0
        for page in big + pages:
            if page in big:
                p = _iri(page[0].value)
                parts = [
                    f"SELECT ?s ?o {{ GRAPH {g} {{ ?s {p} ?o FILTER({part}) }} }}"
                    for part in _HASH_PARTS
                ]
            else:
                values = " ".join(_iri(p.value) for p in page)
                parts = [f"SELECT ?s ?p ?o {{ GRAPH {g} {{ VALUES ?p {{ {values} }} ?s ?p ?o }} }}"]
            for text in parts:
                for r in self._stream(text):
                    read += 1
                    yield ox.Quad(r["s"], r["p"] or page[0], form(r["o"]), node)
        if read != expected:
            raise RemoteStoreError(
                f"The graph <{graph}> on the SPARQL server at {self.urls.query} gave {read:,} "
                f"triples when read in pages, but counts {expected:,}: it changed while scrkg "
                "read it (try again), or it holds subjects that are neither IRIs nor blank nodes."
            )

    def export(self, output: BinaryIO, fmt: str, graph: str | None = None) -> None:
        """As :meth:`Store.export`, from the server."""
        rdf_format = export_format(fmt)
        if graph is not None and graph not in self.named_graphs():
            raise StoreError(
                f"There is no named graph <{graph}> in the store; "
                "`scrkg stats` lists the graphs it holds."
            )
        quads = self.quads(graph)
        if rdf_format.supports_datasets:
            ox.serialize(quads, output, rdf_format, prefixes=PREFIXES)
        else:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
            ox.serialize(triples, output, rdf_format, prefixes=PREFIXES)

    # -- writing -------------------------------------------------------------------------------

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Triple]]) -> None:
        """Replace each named graph with the given triples, all of them in one atomic step:
        upload to staging graphs, check their counts, then switch in one update request."""
        try:
            self._replace_graphs(graphs)
        finally:
            self._writes += 1
            self._version = (-math.inf, None)
            if self._dialect is not None:
                self._forget_mirror()

    def _replace_graphs(self, graphs: Mapping[str, Iterable[ox.Triple]]) -> None:
        # Read every source first, so a failing iterator leaves the server untouched.
        staged = {ox.NamedNode(g).value: list(dict.fromkeys(t)) for g, t in graphs.items()}
        if not staged:
            return
        if self._dialect is not None:
            self._kept_by_virtuoso(staged)
        token = secrets.token_hex(8)
        staging = {g: f"{g}/staging-{token}" for g in staged}
        self._drop_leftover_staging(list(staged))
        uploaded: list[str] = []
        try:
            for graph, triples in staged.items():
                if not triples:
                    continue
                uploaded.append(staging[graph])
                try:
                    self._put_graph(staging[graph], triples)
                except RemoteStoreUnavailable as error:
                    raise RemoteStoreUnavailable(
                        f"{error} Nothing was replaced: the live graphs are as they were (the "
                        "server's log may say why it stalled); load again once it answers."
                    ) from None
                held = self.triple_count(staging[graph])
                if held != len(triples):
                    raise RemoteStoreError(
                        f"The server at {self.address} holds {held} triples in the staging graph "
                        f"for <{graph}> after {len(triples)} were sent; nothing was replaced. "
                        "Check the server's log, then load again."
                    )
            if not self._union_checked and not self._dialect:
                self._check_union_with(staged, staging)
            operations = []
            for graph, triples in staged.items():
                operations.append(f"DROP SILENT GRAPH {_iri(graph)}")
                if triples:
                    operations.append(f"MOVE {_iri(staging[graph])} TO {_iri(graph)}")
            try:
                self._switch(" ;\n".join(operations))
            except RemoteStoreUnavailable:
                raise
            except RemoteStoreError as error:
                if self.urls.convention not in KEEPS_PARTIAL_UPDATES:
                    raise
                raise self._partly_switched(error, staged, staging) from error
        except BaseException:
            self._drop_quietly(uploaded)
            raise

    def _switch(self, update: str) -> None:
        """Replace the live graphs by their staging graphs in one update request."""
        try:
            self._update(update)
        except RemoteStoreUnavailable as error:
            raise RemoteStoreUnavailable(
                f"{error} The connection was lost while the server was replacing the graphs: "
                "it applied the whole replacement or none of it (one update request is one "
                "transaction). Load again once it answers; an unchanged source is skipped."
            ) from error

    def _partly_switched(
        self,
        error: RemoteStoreError,
        staged: Mapping[str, list[ox.Triple]],
        staging: Mapping[str, str],
    ) -> RemoteStoreError:
        """The switch failed on a server that keeps what ran before the failure: say which
        graphs were replaced (their staging graph is gone, or the graph was to be emptied and
        is)."""
        present = set(self._graph_names())
        replaced = [
            g for g, triples in staged.items() if (staging[g] if triples else g) not in present
        ]
        done = ", ".join(f"<{g}>" for g in replaced) or "none"
        return RemoteStoreError(
            f"{error} The server ({self.urls.convention}) does not undo the part of an update "
            f"that ran before an operation failed: of the {len(staged)} graphs of this load, "
            f"these were replaced: {done}; the others were left as they were. Load again to "
            "replace the rest."
        )

    def _put_graph(self, graph: str, triples: Sequence[ox.Triple]) -> None:
        """Write the triples to ``graph`` (a staging graph, which no query of scrkg's reads):
        a PUT of the first :attr:`upload_triples`, then a POST of each next as many. Each
        request waits for its answer at most the write timeout."""
        self._learn_authentication(self.urls.graph_store)
        for number, chunk in enumerate(_upload_chunks(triples, self.upload_triples)):
            method = "POST" if number else "PUT"
            with self._graph_body(chunk) as body:
                response = self._request(
                    method,
                    self.urls.graph_store,
                    read=False,
                    params={"graph": graph},
                    data=body,
                    headers={"Content-Type": N_TRIPLES},
                    what=f"answer the {method} of {len(chunk):,} triples to <{graph}>",
                )
            self._check_status(response, "write a graph", self.urls.graph_store, "graph-store")

    def _graph_body(self, triples: Sequence[ox.Triple]) -> BinaryIO:
        """The triples as N-Triples in a file (in memory up to 64 MiB, then on disk): it is sent
        with its length, and sent again from its start if the server asks for credentials."""
        body = tempfile.SpooledTemporaryFile(max_size=64 * 2**20)  # noqa: SIM115 - the caller closes it
        ox.serialize(triples, body, ox.RdfFormat.N_TRIPLES)
        body.seek(0)
        return body  # type: ignore[return-value]

    def _learn_authentication(self, url: str) -> None:
        """Before this thread's first upload to a server that may want HTTP digest: one small
        request to ``url``, so that the upload carries its credentials at once (a server that
        challenges an upload may close the connection before the body is sent)."""
        auth = self._session().auth
        if not isinstance(auth, _PasswordAuth) or auth.knows_challenge():
            return
        response = self._request(
            "GET", url, read=True, params={"graph": EMPTY_GRAPH}, what="answer"
        )
        if response.status_code in (401, 403):
            self._check_status(response, "write a graph", url, "graph-store")
        response.close()

    def _update(self, update: str) -> None:
        response = self._request(
            "POST",
            self.urls.update,
            read=False,
            data={"update": update},
            what="apply an update",
        )
        self._check_status(response, "apply an update", self.urls.update, "update")

    def staging_graphs(self) -> list[str]:
        """Staging graphs on the server: loads under way, or left by loads that were cut off
        between their upload and their switch (the next load of the same graph drops them)."""
        return sorted(g for g in self._graph_names() if _STAGING.search(g))

    def _drop_leftover_staging(self, graphs: Sequence[str]) -> None:
        prefixes = tuple(f"{g}/staging-" for g in graphs)
        leftovers = [g for g in self.staging_graphs() if g.startswith(prefixes)]
        if leftovers:
            log.warning("Dropping %d staging graph(s) left by an interrupted load.", len(leftovers))
            self._update(" ;\n".join(f"DROP SILENT GRAPH {_iri(g)}" for g in leftovers))

    def _drop_quietly(self, graphs: Sequence[str]) -> None:
        if not graphs:
            return
        try:
            self._update(" ;\n".join(f"DROP SILENT GRAPH {_iri(g)}" for g in graphs))
        except RemoteStoreError as error:
            log.warning(
                "Could not drop the staging graphs of a failed load (%s); the next load of the "
                "same graphs drops them.",
                error,
            )

    # -- the union default graph ---------------------------------------------------------------

    def _check_union(self) -> None:
        """At first use: is a triple known to be in a named graph in the default graph? (On
        Virtuoso, scrkg names the union as each query's dataset: nothing to check.)"""
        if self._union_checked or self._dialect:
            return
        rows = self._select(
            "SELECT ?s ?p ?o { GRAPH ?g { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) } } LIMIT 1"
        )
        if not rows:
            return  # nothing to check against yet: the first write checks
        self._ask_union(ox.Triple(rows[0]["s"], rows[0]["p"], rows[0]["o"]))
        leftovers = self.staging_graphs()
        if leftovers:
            log.warning(
                "The server at %s holds %d staging graph(s) of loads under way or cut off; "
                "queries see their triples until the next load of the same graph drops them.",
                self.address,
                len(leftovers),
            )

    def _check_union_with(
        self, staged: Mapping[str, list[ox.Triple]], staging: Mapping[str, str]
    ) -> None:
        """At the first write: a staged triple must be visible in the default graph."""
        for graph, triples in staged.items():
            for triple in triples:
                if not isinstance(triple.subject, ox.BlankNode | ox.Triple) and not isinstance(
                    triple.object, ox.BlankNode | ox.Triple
                ):
                    self._ask_union(triple, staging[graph])
                    return

    def _ask_union(self, triple: ox.Triple, graph: str | None = None) -> None:
        answer = self._query(
            f"ASK {{ {triple.subject} {triple.predicate} {triple.object} }}", "boolean", []
        )
        if not bool(answer):
            where = f" (it was written to the graph <{graph}>)" if graph else ""
            advice = UNION_ADVICE[self.urls.convention]
            raise RemoteStoreConfigError(
                f"The SPARQL server at {self.address} does not use the union of its named graphs "
                f"as the default graph: a triple that is in a named graph{where} is not found by "
                f"a query without GRAPH. scrkg needs that union; {advice}. "
                "(docs/sparql-servers.md says what each server needs.)"
            )
        self._union_checked = True

    # -- protocol ------------------------------------------------------------------------------

    def _dataset(
        self, union: bool, default_graph: object, named_graphs: object
    ) -> list[tuple[str, str]]:
        """The protocol's default-graph-uri / named-graph-uri parameters for these options."""
        if union and default_graph is None and named_graphs is None:
            return []
        defaults = [_graph_value(g) for g in _as_list(default_graph)]
        defaults = [g for g in defaults if g is not None]  # the store's own default graph: empty
        named = (
            self.named_graphs()
            if named_graphs is None
            else [g for g in map(_graph_value, _as_list(named_graphs)) if g is not None]
        )
        if not defaults and not named:
            defaults = [EMPTY_GRAPH]  # an empty dataset: the protocol needs at least one graph
        if self._dialect and not named:
            named = [EMPTY_GRAPH]  # without named-graph-uri, Virtuoso's named graphs are all
        return [("default-graph-uri", g) for g in defaults] + [
            ("named-graph-uri", g) for g in named
        ]

    def _graph_names(self) -> list[str]:
        if self._dialect:
            # Virtuoso leaves ?g unbound in an empty GRAPH pattern, and its DISTINCT ?g reads
            # every triple where GROUP BY ?g does not.
            rows = self._select("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            return [
                r["g"].value
                for r in rows
                if isinstance(r["g"], ox.NamedNode) and r["g"].value not in VIRTUOSO_OWN_GRAPHS
            ]
        rows = self._select("SELECT DISTINCT ?g { GRAPH ?g { } }")
        return [r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode)]

    def _count(self, where: str) -> int:
        rows = self._select(f"SELECT (COUNT(*) AS ?n) {{ {where} }}")
        return int(rows[0]["n"].value) if rows else 0

    def _select(self, sparql: str) -> list[ox.QuerySolution]:
        """A SELECT of scrkg's own (full IRIs, no prefixes), read in full."""
        response = self._post_query(sparql, JSON_RESULTS, [])
        body = (
            self._dialect.standard_bnodes(response.content) if self._dialect else response.content
        )
        try:
            return list(ox.parse_query_results(body, ox.QueryResultsFormat.JSON))
        except SyntaxError as error:
            raise self._cut_off(error) from None

    def _stream(self, sparql: str) -> Iterator[ox.QuerySolution]:
        """A SELECT of scrkg's own, parsed while it arrives (for exports of a whole store)."""
        response = self._post_query(sparql, JSON_RESULTS, [], stream=True)
        try:
            response.raw.decode_content = True
            source = _StandardBnodes(response.raw) if self._dialect else response.raw
            yield from ox.parse_query_results(source, ox.QueryResultsFormat.JSON)
        except (
            SyntaxError,
            OSError,
            requests.RequestException,
            urllib3.exceptions.HTTPError,
        ) as error:
            raise self._cut_off(error) from None
        finally:
            response.close()

    def _query(
        self, sparql: str, kind: str | None, dataset: list[tuple[str, str]]
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        accept = {"solutions": JSON_RESULTS, "boolean": JSON_RESULTS, "graph": N_TRIPLES}.get(
            kind or "", f"{JSON_RESULTS}, {N_TRIPLES};q=0.9"
        )
        response = self._post_query(sparql, accept, dataset)
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        body = response.content
        try:
            results_format = ox.QueryResultsFormat.from_media_type(media_type)
            rdf_format = None if results_format else ox.RdfFormat.from_media_type(media_type)
            if results_format is not None:
                if self._dialect and results_format == ox.QueryResultsFormat.JSON:
                    body = self._dialect.standard_bnodes(body)
                results = ox.parse_query_results(body, results_format)
                if self._dialect and kind != "solutions":
                    results = self._dialect.standard_ask(results, body, results_format)
                if isinstance(results, ox.QuerySolutions):
                    for _ in results:  # read it all once: a cut-off answer fails here, not later
                        pass
                    results = ox.parse_query_results(body, results_format)
                return results
            if rdf_format is not None:
                graph = ox.Store()
                graph.load(body, rdf_format)
                return graph.query("CONSTRUCT WHERE { ?s ?p ?o }")
        except SyntaxError as error:
            raise self._cut_off(error, body) from None
        raise RemoteStoreError(
            f"The SPARQL server at {self.urls.query} answered in {media_type or 'no format'}, "
            f"which scrkg cannot read; it asked for {accept}."
        )

    def _post_query(
        self, sparql: str, accept: str, dataset: list[tuple[str, str]], *, stream: bool = False
    ) -> requests.Response:
        response = self._request(
            "POST",
            self.urls.query,
            read=True,
            data=[("query", sparql), *dataset],
            headers={"Accept": accept},
            stream=stream,
            what="answer a query",
        )
        if response.status_code == 400:
            text = _server_text(response)
            response.close()
            raise SyntaxError(f"the SPARQL server refused the query: {text}")
        self._check_status(response, "answer a query", self.urls.query, "query")
        self._check_complete(response)
        return response

    def _check_complete(self, response: requests.Response) -> None:
        """Refuse an answer the server says it cut short while answering HTTP 200: Virtuoso
        cuts a result to its ResultSetMaxRows (``X-SPARQL-MaxRows``) and, for a query given a
        time limit, sends what it found by then (``X-SQL-State``)."""
        rows = response.headers.get("X-SPARQL-MaxRows")
        state = response.headers.get("X-SQL-State")
        if not rows and not state:
            return
        response.close()
        url = self.urls.query
        if rows:
            raise RemoteStoreError(
                f"The SPARQL server at {url} cut its answer to {rows} rows, its limit for one "
                "answer, so scrkg does not use it: set ResultSetMaxRows = 0 (no limit) in the "
                "[SPARQL] section of virtuoso.ini and restart Virtuoso, or ask for fewer rows."
            )
        message = " ".join(response.headers.get("X-SQL-Message", "").split())
        raise RemoteStoreError(
            f"The SPARQL server at {url} sent an incomplete answer ({state}: {message}), so "
            "scrkg does not use it: simplify the query, or raise the server's time limit "
            "(MaxQueryExecutionTime in the [SPARQL] section of virtuoso.ini)."
        )

    def _request(
        self,
        method: str,
        url: str,
        *,
        read: bool,
        what: str,
        stream: bool = False,
        **kwargs: object,
    ) -> requests.Response:
        """One HTTP request, its body read in full unless ``stream``. Reads are tried again after
        connection errors and 5xx answers, waiting ``backoff`` seconds, then twice that, and so
        on; writes are tried once."""
        attempts = 1 + self.retries if read else 1
        timeout = self.timeout if read else self.timeout * WRITE_TIMEOUT_FACTOR
        slow = RemoteStoreUnavailable(
            f"The SPARQL server at {url} did not {what} within {timeout:g} s. It may be "
            "overloaded, or the work too heavy: try again later, simplify the query, or "
            "allow more time with --endpoint-timeout (SCRKG_ENDPOINT_TIMEOUT)."
            if read
            else f"The SPARQL server at {url} did not {what} within {timeout:g} s (a write "
            f"waits {WRITE_TIMEOUT_FACTOR} times --endpoint-timeout): it is overloaded or "
            "stalled; check its log, try again later, or allow more time with "
            "--endpoint-timeout (SCRKG_ENDPOINT_TIMEOUT)."
        )
        reason = ""
        for attempt in range(attempts):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self._session().request(
                    method, url, timeout=(min(timeout, 10.0), timeout), stream=True, **kwargs
                )
                if not (read and response.status_code >= 500) or self._failed_here(response):
                    if not stream:
                        self._read_body(response, url)
                    return response
                reason = f"HTTP {response.status_code}: {_server_text(response)}"
                response.close()
            except requests.ConnectTimeout:
                reason = f"no connection within {min(timeout, 10.0):g} s"
            except requests.Timeout:
                raise slow from None
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
                if any(isinstance(a, urllib3.exceptions.ReadTimeoutError) for a in error.args):
                    raise slow from None  # a timeout while the body was arriving
                reason = _connection_reason(error)
            log.info(
                "%s %s failed (%s), attempt %d of %d", method, url, reason, attempt + 1, attempts
            )
        tried = f" after {attempts} attempts" if attempts > 1 else ""
        raise RemoteStoreUnavailable(
            f"The SPARQL server at {url} is not answering ({reason}){tried}. Check that the "
            "server is running and reachable from here, and that --endpoint (SCRKG_ENDPOINT) "
            "gives its address."
        )

    def _read_body(self, response: requests.Response, url: str) -> None:
        """Read the body into ``response.content``, refusing one over ``max_answer_bytes``
        (the gateway caps what it writes, but only after the store has read the answer)."""
        chunks, size = [], 0
        for chunk in response.iter_content(2**20):
            size += len(chunk)
            if size > self.max_answer_bytes:
                response.close()
                raise RemoteStoreError(
                    f"The answer of the SPARQL server at {url} is over "
                    f"{self.max_answer_bytes / 2**20:g} MiB, more than scrkg reads for one "
                    "query: ask for fewer rows (LIMIT, aggregates), or use `scrkg export` "
                    "for whole graphs."
                )
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what response.content returns from now on

    def _failed_here(self, response: requests.Response) -> bool:
        """A 5xx answer that is the server's verdict on the request, not a sign of trouble:
        Virtuoso answers "500 SPARQL Request Failed" to a query it could not run (its time
        limit, an error in the query). Such an answer is not worth trying again."""
        return self._dialect is not None and response.reason == "SPARQL Request Failed"

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.auth = self._credentials.auth(digest_first=self._dialect is not None)
            session.headers["User-Agent"] = "scrkg"
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _check_status(self, response: requests.Response, action: str, url: str, kind: str) -> None:
        status = response.status_code
        if status < 300:
            return
        text = _server_text(response)
        response.close()
        if status in (401, 403):
            raise RemoteStoreConfigError(
                f"The SPARQL server at {url} refused access (HTTP {status}). Give credentials "
                f"allowed to {action} there: {ENV_USER} and {ENV_PASSWORD} for HTTP "
                f"basic or digest, or {ENV_TOKEN} for a bearer token."
            )
        if status in (404, 405, 406, 415):
            virtuoso = ""
            if not self._dialect and _is_virtuoso(response.headers.get("Server")):
                virtuoso = (
                    " The server is Virtuoso: give its SPARQL endpoint, such as "
                    "--endpoint http://host:8890/sparql, or --endpoint-convention virtuoso."
                )
            raise RemoteStoreConfigError(
                f"{url} answered HTTP {status} ({text or response.reason}): it does not look like "
                f"the {kind} URL of a SPARQL server.{virtuoso} The URLs follow the "
                f"{self.urls.convention} convention: choose another with --endpoint-convention, "
                f"or give this one with --{kind}-url. --endpoint is the server's address, such "
                "as http://127.0.0.1:7878 (Oxigraph), http://host:3030/dataset (Fuseki), "
                "http://host:7200/repositories/id (GraphDB) or http://host:8890/sparql "
                "(Virtuoso)."
            )
        if self._dialect and status == 500:
            raise RemoteStoreError(self._dialect.failure(url, action, text))
        if status in (502, 503, 504):
            raise RemoteStoreUnavailable(
                f"The SPARQL server at {url} is not available (HTTP {status}: {text}); nothing "
                "was changed by this step. Try again once the server is back."
            )
        raise RemoteStoreError(
            f"The SPARQL server at {url} failed to {action} (HTTP {status}): {text}"
        )

    def _cut_off(self, error: BaseException, body: bytes = b"") -> RemoteStoreUnavailable:
        # A server that fails part-way may have written its reason at the end of the body.
        tail = " ".join(body[-MAX_SERVER_TEXT:].decode("utf-8", "replace").split())
        ends = f" The answer ends with: {tail!r}." if tail else ""
        return RemoteStoreUnavailable(
            f"The answer of the SPARQL server at {self.urls.query} could not be read to its end "
            f"({error}).{ends} The server may have stopped it at its own time limit (such as "
            "`oxigraph serve --timeout-s`), failed part-way, or the connection broke: check the "
            "server's log, simplify the query, or raise the server's limit."
        )


# -- Virtuoso's dialect -------------------------------------------------------------------------


class VirtuosoDialect:
    """What scrkg does differently on OpenLink Virtuoso (docs/sparql-servers.md)."""

    @staticmethod
    def standard_bnodes(body: bytes) -> bytes:
        """Virtuoso names blank nodes ``nodeID://b10003`` in SPARQL JSON results, which is not
        a blank node label: ``b10003`` is (the names stay stable from one query to the next)."""
        return body.replace(_VIRTUOSO_BNODE, _STANDARD_BNODE)

    @staticmethod
    def standard_ask(
        results: ox.QuerySolutions | ox.QueryBoolean,
        body: bytes,
        results_format: ox.QueryResultsFormat,
    ) -> ox.QuerySolutions | ox.QueryBoolean:
        """Virtuoso answers an ASK with one row binding ``__ASK_RETVAL`` to 1 or 0 instead of
        a boolean: read it as the boolean it stands for."""
        if not isinstance(results, ox.QuerySolutions):
            return results
        if [v.value for v in results.variables] != [_VIRTUOSO_ASK]:
            return results
        rows = list(results)
        value = rows[0][_VIRTUOSO_ASK] if rows else None
        truth = value is not None and value.value not in ("0", "false")
        answer = b'{"head":{},"boolean":%s}' % (b"true" if truth else b"false")
        return ox.parse_query_results(answer, ox.QueryResultsFormat.JSON)

    @staticmethod
    def failure(url: str, action: str, text: str) -> str:
        """One line for Virtuoso's "500 SPARQL Request Failed", without the query it repeats."""
        reason = text.split("SPARQL query:")[0].strip() or "no reason given"
        if "SR171" in reason or "timed out" in reason.lower():
            return (
                f"The SPARQL server at {url} stopped the query at its time limit ({reason}): "
                "simplify the query, or raise MaxQueryExecutionTime in the [SPARQL] section of "
                "virtuoso.ini."
            )
        if "estimated execution time" in reason:
            return (
                f"The SPARQL server at {url} refused to start a query it estimates too slow "
                f"({reason}): simplify the query, or raise MaxQueryCostEstimationTime in the "
                "[SPARQL] section of virtuoso.ini."
            )
        return f"The SPARQL server at {url} failed to {action} (HTTP 500): {reason}"


class _StandardBnodes:
    """A stream of Virtuoso's SPARQL JSON results with its blank node names made standard as
    they arrive (see :meth:`VirtuosoDialect.standard_bnodes`)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._pending = b""
        self._done = False

    def read(self, size: int = -1) -> bytes:
        keep = len(_VIRTUOSO_BNODE) - 1  # a name cut between two chunks waits for the next
        while not self._done and (size < 0 or len(self._pending) < size + keep):
            chunk = self._raw.read(2**16)
            if not chunk:
                self._done = True
                break
            self._pending = (self._pending + chunk).replace(_VIRTUOSO_BNODE, _STANDARD_BNODE)
        if self._done:
            ready, self._pending = self._pending, b""
            if 0 <= size < len(ready):
                ready, self._pending = ready[:size], ready[size:]
            return ready
        cut = max(0, len(self._pending) - keep)
        if size >= 0:
            cut = min(cut, size)
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return ready


# -- copying a whole store ----------------------------------------------------------------------


@dataclass(frozen=True)
class GraphCopy:
    """One named graph copied: its triples in the source and in the target, and whether the
    two are isomorphic (equal up to blank node names)."""

    graph: str
    source_triples: int
    target_triples: int
    isomorphic: bool


def copy_store(source: Store, target: Store) -> tuple[list[GraphCopy], list[str]]:
    """Copy every named graph of ``source`` into ``target`` in one atomic replacement, then
    compare them graph by graph. Returns the graphs copied and the names of the graphs the
    target holds besides them (left as they were)."""
    graphs = source.named_graphs()
    contents = {g: _graph_triples(source, g) for g in graphs}
    target.replace_graphs(contents)
    copies = []
    for graph in graphs:
        copied = _graph_triples(target, graph)
        copies.append(
            GraphCopy(graph, len(contents[graph]), len(copied), isomorphic(contents[graph], copied))
        )
    others = sorted(set(target.named_graphs()) - set(graphs))
    return copies, others


def isomorphic(a: Iterable[ox.Triple], b: Iterable[ox.Triple]) -> bool:
    """Whether two graphs are the same up to the names of their blank nodes."""
    first, second = _canonical(a), _canonical(b)
    return first == second


def _canonical(triples: Iterable[ox.Triple]) -> ox.Dataset:
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def _graph_triples(store: Store, graph: str) -> list[ox.Triple]:
    return list(
        dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(graph))
    )


# -- helpers ------------------------------------------------------------------------------------


def _upload_chunks(triples: Sequence[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """The triples in requests of about ``size``: a blank node is named afresh in each request
    (its label is local to one document), so the triples linked by blank nodes go together,
    in one request even if there are more than ``size`` of them."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    linked: list[tuple[ox.Triple, list[ox.BlankNode]]] = []
    chunk: list[ox.Triple] = []
    for triple in triples:
        nodes = _blank_nodes(triple)
        if nodes:
            first = root(nodes[0])
            for node in nodes[1:]:
                parent[root(node)] = first
            linked.append((triple, nodes))
            continue
        chunk.append(triple)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    groups: dict[ox.BlankNode, list[ox.Triple]] = {}
    for triple, nodes in linked:
        groups.setdefault(root(nodes[0]), []).append(triple)
    for group in groups.values():
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk


def _blank_nodes(term: ox.Triple | ox.Term) -> list[ox.BlankNode]:
    """The blank nodes of a triple, quoted triples included."""
    if isinstance(term, ox.BlankNode):
        return [term]
    if isinstance(term, ox.Triple):
        return [*_blank_nodes(term.subject), *_blank_nodes(term.object)]
    return []


def _iri(iri: str) -> str:
    """An IRI as SPARQL text, checked (so that it cannot close the brackets early)."""
    return str(ox.NamedNode(iri))


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, str | ox.NamedNode | ox.BlankNode | ox.DefaultGraph):
        return [value]
    return list(value)  # type: ignore[call-overload]


def _graph_value(graph: object) -> str | None:
    """The IRI of a graph given as a string or NamedNode; None for the default graph."""
    if isinstance(graph, ox.DefaultGraph):
        return None
    if isinstance(graph, ox.NamedNode):
        return graph.value
    if isinstance(graph, str):
        return ox.NamedNode(graph).value
    raise StoreError(f"A SPARQL server names its graphs by IRI; {graph!r} is not one.")


def _query_kind(sparql: str, base_iri: str | None) -> str | None:
    """Parse the query as the embedded store would (so a bad query gets the same message) and
    say what it gives: ``solutions``, ``boolean`` or ``graph``. pyoxigraph runs an ASK at once,
    on an empty store here, so it runs where the kernel refuses network connections
    (graph/sandbox.py); a query that tried to reach out anyway is left to the server."""

    def kind() -> str | None:
        try:
            results = ox.Store().query(sparql, prefixes=PREFIXES, base_iri=base_iri)
        except PermissionError:
            return None
        if isinstance(results, ox.QueryBoolean):
            return "boolean"
        return "graph" if isinstance(results, ox.QueryTriples) else "solutions"

    return confined(kind)


def _same(term: ox.Term) -> ox.Term:
    return term


def _oxigraph_form(term: ox.Term) -> ox.Term:
    """A literal Virtuoso answered in its own lexical form, in the form Oxigraph stores it."""
    if isinstance(term, ox.Literal) and term.datatype.value in VIRTUOSO_VALUE_TYPES:
        return _stored_form(term.value, term.datatype.value)
    return term


@functools.lru_cache(maxsize=2**16)
def _stored_form(value: str, datatype: str) -> ox.Literal:
    literal = ox.Literal(value, datatype=ox.NamedNode(datatype))
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:x"), literal))
    return next(iter(store)).object  # type: ignore[return-value]


#: Years Virtuoso keeps (it writes year -44 as "-044").
_PLAIN_YEAR = re.compile(r"\d{4}-")
#: Significant digits Virtuoso keeps of a decimal (it stores a double).
VIRTUOSO_DECIMAL_DIGITS = 15


def _virtuoso_loses(literal: ox.Literal) -> str | None:
    """Why Virtuoso would not keep this literal's value, or None when it would."""
    datatype = literal.datatype.value.removeprefix(XSD)
    value = literal.value.strip().lstrip("+-")
    if literal.datatype.value in VIRTUOSO_LOST_TYPES:
        return "it keeps a duration as a number of seconds or months"
    if datatype in ("date", "dateTime") and not _PLAIN_YEAR.match(literal.value.strip()):
        return "it keeps only the years 0000 to 9999"
    if datatype == "decimal":
        whole, _, fraction = value.partition(".")
        digits = (whole + fraction.rstrip("0")).lstrip("0")
        if len(digits) > VIRTUOSO_DECIMAL_DIGITS:
            return f"it keeps {VIRTUOSO_DECIMAL_DIGITS} significant digits of a decimal"
    if (datatype.endswith(("nteger", "long")) or datatype == "int") and len(value.lstrip("0")) > 18:
        return "it keeps whole numbers of up to 18 digits"
    return None


def _without_strings(sparql: str) -> str:
    """The query with its IRIs emptied (``<>``) and its strings and comments left out, so
    that a FROM in them is not taken for a clause."""
    return _NOT_CLAUSES.sub(lambda m: "<>" if m.group().startswith("<") else " ", sparql)


def _with_prologue(sparql: str, base_iri: str | None) -> str:
    """The query with scrkg's predefined prefixes (those it does not declare itself) and the
    base IRI declared first, since the protocol has no parameter for them."""
    declared = {name or "" for name in _DECLARED_PREFIX.findall(sparql)}
    lines = [f"BASE {_iri(base_iri)}"] if base_iri else []
    lines += [f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items() if p not in declared]
    return "\n".join([*lines, sparql])


def _server_text(response: requests.Response) -> str:
    try:
        text = " ".join(response.text.split())
    except (requests.RequestException, OSError):
        return ""
    return text if len(text) <= MAX_SERVER_TEXT else text[: MAX_SERVER_TEXT - 1] + "…"


def _connection_reason(error: BaseException) -> str:
    text = str(error)
    for marker, reason in (
        ("Connection refused", "connection refused"),
        ("Name or service not known", "unknown host name"),
        ("nodename nor servname", "unknown host name"),
        ("Remote end closed connection", "the connection was closed without an answer"),
        ("Connection reset", "the connection was reset"),
        ("Connection aborted", "the connection was aborted"),
    ):
        if marker in text:
            return reason
    return type(error).__name__
