"""HTTP to one SPARQL server: its sessions, credentials, timeouts and retries, and the reading
of its answers (:class:`ServerHttp`).

Queries and updates follow the SPARQL 1.1 Protocol and graph writes the SPARQL 1.1 Graph Store
HTTP Protocol, with ``requests``. Answers are parsed with pyoxigraph, so callers get
``QuerySolutions``, ``QueryBoolean`` and ``QueryTriples`` as from the embedded store.

* Reads (query POSTs) are retried with exponential backoff on connection errors and 5xx
  answers; writes never are. A server that is down, slow or cuts its answer short gives
  :class:`~server_errors.RemoteStoreUnavailable`, whose message names the URL and what to
  check.
* A query's answer is read in full before it is handed on (so that an answer the server cut
  short is an error, not a short result), up to ``max_answer_bytes``; exports stream instead.
  An answer the server marks as cut to its row limit (Virtuoso's ``X-SPARQL-MaxRows``) or as
  incomplete (``X-SQL-State``) is an error too.

Credentials come from the environment (:class:`Credentials`) and never appear in a message,
a log line or a ``repr``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
import requests
import urllib3

from scrkg.graph.dialects import StandardBnodes, VirtuosoDialect
from scrkg.graph.endpoints import Endpoints, is_virtuoso
from scrkg.graph.server_errors import (
    RemoteStoreConfigError,
    RemoteStoreError,
    RemoteStoreUnavailable,
)
from scrkg.graph.settings import BY_NAME, setting

log = logging.getLogger(__name__)

ENV_USER = "SCRKG_ENDPOINT_USER"
ENV_PASSWORD = "SCRKG_ENDPOINT_PASSWORD"
ENV_TOKEN = "SCRKG_ENDPOINT_TOKEN"

DEFAULT_TIMEOUT: float = BY_NAME["SCRKG_ENDPOINT_TIMEOUT"].default
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5
#: The largest answer read for one query (exports stream and have no such cap).
DEFAULT_MAX_ANSWER = 512 * 2**20
#: A write may take this many times the read timeout (a big PUT or MOVE is slower than a query).
WRITE_TIMEOUT_FACTOR = 10
#: The most characters of a server's error text shown to the user.
MAX_SERVER_TEXT = 400

#: What scrkg asks a server for: SPARQL JSON results, and graphs as N-Triples.
JSON_RESULTS = ox.QueryResultsFormat.JSON.media_type
N_TRIPLES = ox.RdfFormat.N_TRIPLES.media_type
#: A graph no one writes: the default graph of a query whose dataset names no graph at all.
EMPTY_GRAPH = "urn:scrkg:empty-graph"


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
    def from_settings(cls, given: Mapping[str, str] | None = None) -> Credentials:
        """The settings SCRKG_ENDPOINT_USER and SCRKG_ENDPOINT_PASSWORD, or SCRKG_ENDPOINT_TOKEN
        (graph/settings.py), from ``given`` else the environment."""
        user, password, token = (
            setting(name, given) or None for name in (ENV_USER, ENV_PASSWORD, ENV_TOKEN)
        )
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


class ServerHttp:
    """The HTTP side of one SPARQL server: a ``requests`` session per thread with the
    credentials, the timeouts, the retries of reads, and the answers read and checked."""

    def __init__(
        self,
        urls: Endpoints,
        credentials: Credentials,
        dialect: VirtuosoDialect | None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER,
    ) -> None:
        self.urls = urls
        self.credentials = credentials
        self.dialect = dialect
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.max_answer_bytes = int(max_answer_bytes)
        self._setup()

    def _setup(self) -> None:
        self._local = threading.local()  # one requests.Session per thread
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        for name in ("_local", "_sessions", "_lock"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._setup()

    def close(self) -> None:
        """Close the sessions of every thread."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    def select(self, sparql: str) -> list[ox.QuerySolution]:
        """A SELECT of scrkg's own (full IRIs, no prefixes), read in full."""
        response = self._post_query(sparql, JSON_RESULTS, [])
        body = self.dialect.standard_bnodes(response.content) if self.dialect else response.content
        try:
            return list(ox.parse_query_results(body, ox.QueryResultsFormat.JSON))
        except SyntaxError as error:
            raise self._cut_off(error) from None

    def stream(self, sparql: str) -> Iterator[ox.QuerySolution]:
        """A SELECT of scrkg's own, parsed while it arrives (for exports of a whole store)."""
        response = self._post_query(sparql, JSON_RESULTS, [], stream=True)
        try:
            response.raw.decode_content = True
            source = StandardBnodes(response.raw) if self.dialect else response.raw
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

    def query(
        self, sparql: str, kind: str | None, dataset: list[tuple[str, str]]
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """A query's answer, read in full and parsed: ``kind`` (``solutions``, ``boolean``,
        ``graph`` or None when unknown) chooses the format asked for, ``dataset`` holds the
        protocol's default-graph-uri and named-graph-uri parameters."""
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
                if self.dialect and results_format == ox.QueryResultsFormat.JSON:
                    body = self.dialect.standard_bnodes(body)
                results = ox.parse_query_results(body, results_format)
                if self.dialect and kind != "solutions":
                    results = self.dialect.standard_ask(results, body, results_format)
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
        response = self.request(
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
        self.check_status(response, "answer a query", self.urls.query, "query")
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

    def request(
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
                self.sleep(self.backoff * 2 ** (attempt - 1))
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
        return self.dialect is not None and response.reason == "SPARQL Request Failed"

    def sleep(self, seconds: float) -> None:
        """Wait before a read is tried again (tests record the waits instead)."""
        time.sleep(seconds)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.auth = self.credentials.auth(digest_first=self.dialect is not None)
            session.headers["User-Agent"] = "scrkg"
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def check_status(self, response: requests.Response, action: str, url: str, kind: str) -> None:
        """Refuse an answer that is not a success, in one line saying what to do: ``action``
        is what the request asked the server to do, ``kind`` which of its URLs ``url`` is."""
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
            if not self.dialect and is_virtuoso(response.headers.get("Server")):
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
        if self.dialect and status == 500:
            raise RemoteStoreError(self.dialect.failure(url, action, text))
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

    def update(self, update: str) -> None:
        """Send a SPARQL Update request (once: writes are never tried again)."""
        response = self.request(
            "POST",
            self.urls.update,
            read=False,
            data={"update": update},
            what="apply an update",
        )
        self.check_status(response, "apply an update", self.urls.update, "update")

    def learn_authentication(self, url: str) -> None:
        """Before this thread's first upload to a server that may want HTTP digest: one small
        request to ``url``, so that the upload carries its credentials at once (a server that
        challenges an upload may close the connection before the body is sent)."""
        auth = self._session().auth
        if not isinstance(auth, _PasswordAuth) or auth.knows_challenge():
            return
        response = self.request("GET", url, read=True, params={"graph": EMPTY_GRAPH}, what="answer")
        if response.status_code in (401, 403):
            self.check_status(response, "write a graph", url, "graph-store")
        response.close()


def sparql_iri(iri: str) -> str:
    """An IRI as SPARQL text, checked (so that it cannot close the brackets early)."""
    return str(ox.NamedNode(iri))


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
