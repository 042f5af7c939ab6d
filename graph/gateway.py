"""The query gateway: every SPARQL string from the site and the command line passes here.

Checks, before the store sees a query (docs/query-safety.md says how the layers fit):

* its size (:class:`QueryTooLarge`, HTTP 413) and the depth of its nesting (:class:`QueryTooDeep`,
  400), measured on the text with ``\\u`` escapes expanded;
* that it is one query a read-only service may run against its own data. Updates (LOAD among
  them), ``SERVICE`` and ``FROM`` / ``FROM NAMED`` are refused, with a message that says why: the
  query is parsed with rdflib's SPARQL parser (which expands ``\\u`` escapes first, as the
  grammar says), turned into its algebra, and both trees are walked for the nodes that must not
  run. pyoxigraph then parses it with its own parser. The two parsers do not agree on every
  spelling, so these checks are for messages, not for safety: the code that runs a query cannot
  open a network connection at all (graph/sandbox.py), whatever the checks missed.

Then :class:`QueryGateway` runs it under limits (:class:`Limits`): at most ``workers`` queries at
once and ``queue`` more waiting (one more gets :class:`GatewayBusy`, 503 with Retry-After), each
stopped at a deadline (:class:`QueryTimeout`, 503), its rows and bytes capped
(graph/result_writers.py: a cut result says so). On an on-disk store each query runs in a long-lived
worker process that opens the store read-only itself and is killed at the deadline
(graph/workers.py). An in-memory store cannot be opened by another process, so there the query is
checked by a worker process (pyoxigraph's parser crashes its process on some very long repetitions)
and then run in a confined thread of this process: the client still gets its 503 at the deadline,
but the thread runs on until pyoxigraph finishes (the writer checks for cancellation between rows,
or between the blocks pyoxigraph's own writer hands it) and keeps its place among the ``workers``
meanwhile. In-memory stores are for tests and one-off scripts; ``scrkg serve`` and ``scrkg query``
always use the on-disk store, and so worker processes."""

from __future__ import annotations

import functools
import hashlib
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pyparsing
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from scrkg.graph.errors import (
    GatewayBusy,
    GatewayError,
    NotAcceptable,
    QueryFailed,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooDeep,
    QueryTooLarge,
    SettingError,
)
from scrkg.graph.formats import named
from scrkg.graph.result_writers import (
    SPARQL_JSON,
    Cancelled,
    Written,
    write_boolean,
    write_graph,
    write_solutions,
    write_solutions_natively,
)
from scrkg.graph.sandbox import SandboxUnavailable, confine_thread, confined
from scrkg.graph.settings import BY_NAME
from scrkg.graph.store import Store, StoreError
from scrkg.ontology import PREFIXES

if TYPE_CHECKING:
    from scrkg.graph.workers import ProcessRunner

READ_ONLY = (
    "This SPARQL service is read-only: updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) "
    "are refused. Load data with the `scrkg load` command instead."
)
MAX_EXPECTED = 240  # characters of a parser's "expected one of ..." list shown to the user
N_TRIPLES = named("ntriples", "graph").media_type
TURTLE = named("turtle", "graph").media_type

# Nodes of rdflib's parse tree and algebra that a read-only local service refuses, and why.
_REFUSED_NODES = {
    "ServiceGraphPattern": (
        "SERVICE is refused: this endpoint answers from its own data only and never calls "
        "another SPARQL service. Run the remote part against that service yourself."
    ),
    "DatasetClause": (
        "FROM and FROM NAMED are refused: the default graph here is the union of all named "
        "graphs. Use GRAPH <iri> { ... } in the query, or the default-graph-uri and "
        "named-graph-uri parameters of the SPARQL protocol."
    ),
}


# -- limits ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one query may cost. The defaults are those of the settings in :data:`LIMIT_SETTINGS`
    (the settings table, graph/settings.py)."""

    timeout: float = BY_NAME["SCRKG_QUERY_TIMEOUT"].default  # seconds a query may run
    max_length: int = BY_NAME["SCRKG_QUERY_MAX_LENGTH"].default  # bytes of query text (UTF-8)
    max_depth: int = BY_NAME["SCRKG_QUERY_MAX_DEPTH"].default  # nesting of { ( [ in the text
    #: rows (SELECT) or triples (CONSTRUCT, DESCRIBE) of a result
    max_rows: int = BY_NAME["SCRKG_QUERY_MAX_ROWS"].default
    max_bytes: int = BY_NAME["SCRKG_QUERY_MAX_BYTES"].default  # bytes of a result
    workers: int = BY_NAME["SCRKG_QUERY_WORKERS"].default  # queries at once (worker processes)
    queue: int = BY_NAME["SCRKG_QUERY_QUEUE"].default  # queries waiting; one more is turned away
    #: seconds a query waits for a worker before it is turned away
    queue_wait: float = BY_NAME["SCRKG_QUERY_QUEUE_WAIT"].default
    memory_mb: int = BY_NAME["SCRKG_QUERY_MEMORY_MB"].default  # MiB of data; 0: no limit

    @classmethod
    def from_settings(cls, values: Mapping[str, object]) -> Limits:
        """Limits from a mapping of setting names (app.config, read_settings()); absent names keep
        their defaults, strings are cast to the default's type."""
        given: dict[str, object] = {}
        for name, attribute in LIMIT_SETTINGS.items():
            if name in values and values[name] not in (None, ""):
                kind = type(getattr(cls(), attribute))
                try:
                    given[attribute] = kind(values[name])  # type: ignore[call-arg]
                except (TypeError, ValueError):
                    raise SettingError(
                        f"{name}={values[name]!r} is not a valid {kind.__name__}"
                    ) from None
        limits = cls(**given)  # type: ignore[arg-type]
        for f in fields(limits):
            if getattr(limits, f.name) < 0:
                raise SettingError(f"{_setting_of(f.name)} must not be negative")
        if limits.workers < 1:
            raise SettingError("SCRKG_QUERY_WORKERS must be at least 1")
        return limits


#: Setting name -> Limits attribute.
LIMIT_SETTINGS = {
    "SCRKG_QUERY_TIMEOUT": "timeout",
    "SCRKG_QUERY_MAX_LENGTH": "max_length",
    "SCRKG_QUERY_MAX_DEPTH": "max_depth",
    "SCRKG_QUERY_MAX_ROWS": "max_rows",
    "SCRKG_QUERY_MAX_BYTES": "max_bytes",
    "SCRKG_QUERY_WORKERS": "workers",
    "SCRKG_QUERY_QUEUE": "queue",
    "SCRKG_QUERY_QUEUE_WAIT": "queue_wait",
    "SCRKG_QUERY_MEMORY_MB": "memory_mb",
}


def _setting_of(attribute: str) -> str:
    return next(name for name, a in LIMIT_SETTINGS.items() if a == attribute)


# -- errors (defined in graph/errors.py, so that the command line imports them quickly) -------

#: Errors a worker process may report, by name (graph/workers.py sends the name and message).
ERRORS: dict[str, type[GatewayError]] = {
    cls.__name__: cls
    for cls in (QueryRefused, QuerySyntaxError, QueryTooLarge, QueryTooDeep, QueryFailed)
}


# -- checks ------------------------------------------------------------------------------------


def check_query(sparql: str) -> None:
    """Raise :class:`QueryRefused` or :class:`QuerySyntaxError` unless ``sparql`` is one query
    that a read-only service may run against its own data: :func:`check_query_text`, then
    pyoxigraph's own parse (where no store is at hand to run it on)."""
    check_query_text(sparql)
    _parse_with_oxigraph(sparql)


@functools.lru_cache(maxsize=64)
def check_query_text(sparql: str) -> None:
    """The checks of :func:`check_query` that need no engine: emptiness, the parser's ceilings,
    and the refused forms, read with rdflib when a refused keyword appears in the text. A
    caller that runs the query next lets the engine parse it then, once. A text that passed is
    remembered (the saved queries and the site's own pages repeat theirs); one that failed is
    checked again each time."""
    if not isinstance(sparql, str) or not sparql.strip():
        raise QuerySyntaxError(
            "The query is empty: send a SELECT, ASK, CONSTRUCT or DESCRIBE query."
        )
    _refuse_what_would_crash_the_parser(sparql)
    if not _needs_parse_tree_check(sparql):
        return  # nothing in it can name a refused form; the engine's parser checks the rest
    try:
        parsed = parseQuery(sparql)
    except pyparsing.ParseException as error:
        if _is_update(sparql):
            raise QueryRefused(READ_ONLY) from None
        raise QuerySyntaxError(_pyparsing_message(error, sparql)) from None
    except RecursionError:
        raise QueryRefused("The query is nested too deeply to be parsed; simplify it.") from None
    _refuse_nodes(parsed)
    try:
        algebra = translateQuery(parsed, initNs=PREFIXES)
    except RecursionError:
        raise QueryRefused("The query is nested too deeply to be run; simplify it.") from None
    except Exception as error:  # rdflib raises plain Exceptions, e.g. for an unknown prefix
        raise QuerySyntaxError(f"The query is not valid SPARQL: {error}") from None
    _refuse_nodes(algebra.algebra)


#: Keywords of every form a read-only service refuses (SERVICE, FROM, LOAD and the updates).
#: A query can only use one of them if the word stands in its text once the ``\\u`` escapes are
#: expanded, so a query without any of them is safe without a parse tree.
_SUSPECT_WORDS = re.compile(
    r"\b(?:SERVICE|FROM|NAMED|LOAD|INSERT|DELETE|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH|USING)\b",
    re.IGNORECASE,
)
_COMMENT_LINE = re.compile(r"^[ \t]*#[^\n\r]*", re.MULTILINE)


def _needs_parse_tree_check(sparql: str) -> bool:
    """Whether the query must go through rdflib's parser and algebra (slow) before it runs.

    Only when one of the refused keywords appears anywhere in the text, strings and IRIs
    included, after the ``\\u`` escapes are expanded as the grammar says. Whole comment lines are
    left out first (a line that starts with a written ``#`` is a comment or lies inside a long
    string, and neither can run). A false alarm costs time, never safety: the full check then
    decides.
    """
    plain = _ESCAPE.sub(_unescape, _COMMENT_LINE.sub("", sparql))
    return bool(_SUSPECT_WORDS.search(plain))


def _parse_with_oxigraph(sparql: str) -> None:
    """Let pyoxigraph parse the query on an empty store, so that a syntax error is reported
    before the store is touched. pyoxigraph evaluates an ASK at once, so this runs where the
    kernel refuses network connections (graph/sandbox.py)."""

    def parse() -> None:
        try:
            results = ox.Store().query(sparql, prefixes=PREFIXES, base_iri=_SYNTAX_BASE)
        except SyntaxError as error:
            raise QuerySyntaxError(oxigraph_message(error, sparql)) from None
        except PermissionError:
            raise QueryRefused(_REFUSED_NODES["ServiceGraphPattern"]) from None
        del results

    confined(parse)


_SYNTAX_BASE = "http://scrkg.invalid/"


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else "\ufffd"


def check_limits(sparql: str, limits: Limits) -> None:
    """Raise :class:`QueryTooLarge` or :class:`QueryTooDeep` when the text is over the limits.

    Cheap (no parsing), so it runs in the web process before a worker is asked."""
    size = len(sparql.encode("utf-8", "surrogatepass"))
    if size > limits.max_length:
        raise QueryTooLarge(
            f"The query is {size:,} bytes long; this service takes queries of up to "
            f"{limits.max_length:,} bytes (SCRKG_QUERY_MAX_LENGTH). Shorten it, for example "
            "by moving long VALUES lists into several queries."
        )
    depth = query_depth(sparql)
    if depth > limits.max_depth:
        raise QueryTooDeep(
            f"The query nests {{ }} ( ) and [ ] {depth} deep; this service takes queries nested "
            f"up to {limits.max_depth} deep (SCRKG_QUERY_MAX_DEPTH). Flatten it."
        )


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LITERALS_IRIS_COMMENTS = (
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n\r]*"
)
_TOKENS = re.compile(_LITERALS_IRIS_COMMENTS + r"|[{}()\[\]]")
_STRINGS_IRIS_COMMENTS = re.compile(_LITERALS_IRIS_COMMENTS)
_OPEN = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}


def query_depth(sparql: str) -> int:
    """How deep the brackets of a query nest, outside strings, IRIs and comments, with the
    ``\\u`` escapes expanded first as the SPARQL grammar says."""
    return _shape(sparql)[0]


@functools.lru_cache(maxsize=64)
def _shape(sparql: str) -> tuple[int, int]:
    """(bracket depth, operator count) outside strings, IRIs and comments, escapes expanded."""
    text = _ESCAPE.sub(_unescape, sparql)
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        step = _OPEN.get(match.group(0))
        if step:
            depth = max(depth + step, 0)
            deepest = max(deepest, depth)
    code = _STRINGS_IRIS_COMMENTS.sub(" ", text)
    return deepest, sum(code.count(op) for op in _OPERATORS)


#: pyoxigraph's parser recurses on brackets and on chains of operators and crashes the whole
#: process (a segmentation fault, not an exception) somewhere past 2,000 nested brackets or
#: 5,000 chained operators (measured with pyoxigraph 0.5.13). These ceilings hold for every
#: query, trusted or not, whatever SCRKG_QUERY_MAX_DEPTH says.
PARSER_MAX_DEPTH = 256
PARSER_MAX_OPERATORS = 2_000
_OPERATORS = ("!", "+", "*", "/", "|", "^", "&&", "=", "<", ">")


def _refuse_what_would_crash_the_parser(sparql: str) -> None:
    depth, operators = _shape(sparql)
    if depth > PARSER_MAX_DEPTH or operators > PARSER_MAX_OPERATORS:
        raise QueryRefused(
            f"The query is nested too deeply to be parsed ({depth} levels of brackets, "
            f"{operators} operators; at most {PARSER_MAX_DEPTH} and {PARSER_MAX_OPERATORS}). "
            "Simplify it."
        )


def query_hash(sparql: str) -> str:
    """The SHA-256 of the query text: how the audit log names a query without its literals."""
    return hashlib.sha256(sparql.encode("utf-8", "surrogatepass")).hexdigest()


# -- running -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """One query to run and how to write its result (a media type per kind of result; None
    when that kind is not wanted). Picklable: it travels to a worker process."""

    sparql: str
    solution_type: str | None = SPARQL_JSON
    graph_type: str | None = TURTLE
    base_iri: str | None = None
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    prefixes: bool = False
    max_rows: int = Limits.max_rows
    max_bytes: int = Limits.max_bytes
    check_only: bool = False  # only check the query (in a process that may crash doing it)


#: What a job that only checks its query returns.
CHECKED = Written(kind="solutions", media_type=SPARQL_JSON, body=b"", rows=0)


def execute(
    store: Store,
    job: Job,
    cancelled: threading.Event | None = None,
    *,
    checked: bool = False,
    parsed: Callable[[], None] | None = None,
) -> Written:
    """Check (unless ``checked``), run and serialise one query in this thread: the body of
    every worker. It must run where the kernel refuses network connections (a worker process,
    or a thread confined by graph/sandbox.py) whenever ``store.evaluates_here``. The engine
    parses the query once, when it is run; ``parsed`` is called when that is done.

    pyoxigraph's results never leave this function; only bytes do."""
    if not checked:
        check_query_text(job.sparql)
    run = functools.partial(
        _query,
        store,
        job.sparql,
        base_iri=job.base_iri,
        default_graph=job.default_graph,
        named_graphs=job.named_graphs,
    )
    results = run()
    if parsed is not None:
        parsed()
    try:
        caps = {"max_rows": job.max_rows, "max_bytes": job.max_bytes, "cancelled": cancelled}
        if isinstance(results, ox.QueryBoolean):
            if job.solution_type is None:
                raise NotAcceptable("boolean")
            return write_boolean(bool(results), job.solution_type)
        if isinstance(results, ox.QueryTriples):
            if job.graph_type is None:
                raise NotAcceptable("graph")
            return write_graph(results, job.graph_type, prefixes=job.prefixes, **caps)
        if job.solution_type is None:
            raise NotAcceptable("solutions")
        native = job.solution_type.split(";")[0].strip() == SPARQL_JSON
        if native and isinstance(results, ox.QuerySolutions):
            written = write_solutions_natively(results, job.solution_type, **caps)
            if written is not None:
                return written
            # pyoxigraph wrote it, but where to cut it could not be told (a rare result): run
            # the query again and write it row by row. (The old results are dropped here, in
            # the thread that made them.)
            results = run()
        return write_solutions(results, job.solution_type, **caps)
    except SyntaxError as error:  # raised lazily by some evaluation paths
        raise QuerySyntaxError(oxigraph_message(error, job.sparql)) from None
    finally:
        # pyoxigraph's results may only be dropped by the thread that made them.
        del results


def failure(error: BaseException) -> GatewayError:
    """Any exception of :func:`execute` as a GatewayError the caller can show."""
    if isinstance(error, GatewayError):
        return error
    if isinstance(error, StoreError):
        return QueryFailed(str(error))
    if isinstance(error, SandboxUnavailable):
        return QueryFailed(f"The query was not run: {error}.")
    if isinstance(error, PermissionError):  # the kernel refused a connection (SERVICE)
        return QueryRefused(_REFUSED_NODES["ServiceGraphPattern"])
    if isinstance(error, MemoryError):
        return QueryFailed(
            "The query needed more memory than a query may use (SCRKG_QUERY_MEMORY_MB) and "
            "was stopped. Narrow it, or add LIMIT."
        )
    return QueryFailed(f"The query could not be answered: {type(error).__name__}: {error}")


class QueryGateway:
    """Runs queries under :class:`Limits`; one per site (or command), shared by its threads."""

    def __init__(self, store: Store, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._admitted = 0
        self._closed = False
        from scrkg.graph.workers import ProcessRunner

        if store.worker_path is not None and store.evaluates_here:
            self._runner: ProcessRunner | ThreadRunner = ProcessRunner(
                store.worker_path, self.limits
            )
        else:
            self._runner = ThreadRunner(store, self.limits, ProcessRunner(None, self.limits))

    @property
    def isolated(self) -> bool:
        """True when queries run in worker processes that the deadline kills."""
        return not isinstance(self._runner, ThreadRunner)

    def check(self, sparql: str) -> None:
        check_limits(sparql, self.limits)

    def run(
        self,
        sparql: str,
        *,
        solution_type: str | None = SPARQL_JSON,
        graph_type: str | None = TURTLE,
        base_iri: str | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: bool = False,
    ) -> Written:
        """Run one query and return its result, serialised in the media type asked for its
        kind. Raises a :class:`GatewayError` subclass for anything else."""
        if not isinstance(sparql, str):
            raise QuerySyntaxError("The query must be text.")
        self.check(sparql)
        job = Job(
            sparql,
            solution_type=solution_type,
            graph_type=graph_type,
            base_iri=base_iri,
            default_graph=None if default_graph is None else tuple(default_graph),
            named_graphs=None if named_graphs is None else tuple(named_graphs),
            prefixes=prefixes,
            max_rows=self.limits.max_rows,
            max_bytes=self.limits.max_bytes,
        )
        with self._lock:
            if self._closed:
                raise QueryFailed("The query service is shutting down.")
            if self._admitted >= self.limits.workers + self.limits.queue:
                raise self.busy()
            self._admitted += 1
        started = time.monotonic()
        try:
            written = self._runner.run(job)
        finally:
            with self._lock:
                self._admitted -= 1
        return replace(written, seconds=time.monotonic() - started)

    def results(self, sparql: str, **options: object) -> tuple[object, Written]:
        """Run a query and read its result back as pyoxigraph objects owned by this thread:
        QuerySolutions, QueryBoolean, or a list of Triples."""
        written = self.run(sparql, solution_type=SPARQL_JSON, graph_type=N_TRIPLES, **options)
        if written.kind == "graph":
            triples = [
                ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(written.body, ox.RdfFormat.N_TRIPLES)
            ]
            return triples, written
        return ox.parse_query_results(written.body, ox.QueryResultsFormat.JSON), written

    def busy(self) -> GatewayBusy:
        return busy_error(self.limits)

    def status(self) -> dict[str, object]:
        with self._lock:
            admitted = self._admitted
        return {
            "admitted": admitted,
            "workers": self.limits.workers,
            "queue": self.limits.queue,
            "isolated": self.isolated,
            **self._runner.status(),
        }

    def warm_up(self) -> None:
        """Start a worker now rather than at the first query."""
        self._runner.warm_up()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._runner.close()

    def __enter__(self) -> QueryGateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ThreadRunner:
    """Runs queries in threads of this process, over a store only this process can see (in
    memory), or one that a SPARQL server evaluates.

    Each query is first checked by ``checker``, worker processes that only parse it, so that a
    query that crashes the parser takes down a worker, not this process. Then a thread runs it,
    confined by graph/sandbox.py when pyoxigraph evaluates it here. The deadline answers the
    caller with :class:`QueryTimeout`, but a thread cannot be killed: pyoxigraph runs on
    (between rows the writer notices it was cancelled) and the thread keeps its slot among
    ``limits.workers`` until it ends, so runaway queries still cannot pile up."""

    def __init__(self, store: Store, limits: Limits, checker: ProcessRunner) -> None:
        self._store = store
        self._limits = limits
        self._checker = checker
        self._slots = threading.BoundedSemaphore(limits.workers)
        self._count_lock = threading.Lock()
        self._running = 0

    def run(self, job: Job) -> Written:
        started = time.monotonic()
        self._checker.run(replace(job, check_only=True))
        if not self._slots.acquire(timeout=self._limits.queue_wait):
            raise busy_error(self._limits, waited=True)
        box: dict[str, object] = {}
        done = threading.Event()
        cancelled = threading.Event()
        confine = self._store.evaluates_here

        def work() -> None:
            with self._count_lock:
                self._running += 1
            try:
                if confine:
                    confine_thread()
                box["written"] = execute(self._store, job, cancelled, checked=True)
            except Cancelled:
                pass
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
                box["error"] = failure(error)
            finally:
                with self._count_lock:
                    self._running -= 1
                self._slots.release()
                done.set()

        threading.Thread(target=work, name="scrkg-query", daemon=True).start()
        if not done.wait(max(self._limits.timeout - (time.monotonic() - started), 0)):
            cancelled.set()
            raise timeout_error(self._limits)
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box["written"]  # type: ignore[return-value]

    def status(self) -> dict[str, object]:
        return {"running": self._running}

    def warm_up(self) -> None:
        self._checker.warm_up()

    def close(self) -> None:
        self._checker.close()


def busy_error(limits: Limits, *, waited: bool = False) -> GatewayBusy:
    """503 for a query turned away: at once when the queue is full, or after waiting
    ``limits.queue_wait`` seconds in it for a worker."""
    retry = max(1, min(5, math.ceil(limits.timeout / 2)))
    if waited:
        return GatewayBusy(
            f"This service's {limits.workers} query workers stayed busy for the "
            f"{limits.queue_wait:g} seconds a query may wait for one (SCRKG_QUERY_QUEUE_WAIT). "
            f"Try again in {retry} seconds.",
            retry,
        )
    return GatewayBusy(
        f"This service is already running {limits.workers} queries with {limits.queue} more "
        "waiting, as many as it takes (SCRKG_QUERY_WORKERS, SCRKG_QUERY_QUEUE). "
        f"Try again in {retry} seconds.",
        retry,
    )


def timeout_error(limits: Limits) -> QueryTimeout:
    return QueryTimeout(
        f"The query ran for {limits.timeout:g} seconds, the most a query may run "
        "(SCRKG_QUERY_TIMEOUT), and was stopped. Narrow it (more specific patterns, LIMIT), or "
        "run it with `scrkg query` against a copy of the store with a longer limit."
    )


def run_query(
    store: Store,
    sparql: str,
    *,
    base_iri: str | None = None,
    default_graph: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Check ``sparql`` and run it on ``store`` in this thread, with no deadline or caps.

    For code that runs its own trusted queries in-process; user queries go through
    :class:`QueryGateway`. Without ``default_graph`` and ``named_graphs`` the default graph is
    the union of all named graphs. When either is given (the protocol's default-graph-uri /
    named-graph-uri), the dataset is exactly those graphs of the store, and an absent list
    means an empty one. Nothing is ever fetched: a graph the store lacks is empty.
    """
    check_query_text(sparql)
    return _query(
        store, sparql, base_iri=base_iri, default_graph=default_graph, named_graphs=named_graphs
    )


def _query(
    store: Store,
    sparql: str,
    *,
    base_iri: str | None,
    default_graph: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    options: dict[str, object] = {}
    if base_iri:
        options["base_iri"] = base_iri
    if default_graph is not None or named_graphs is not None:
        options["use_default_graph_as_union"] = False
        options["default_graph"] = list(_graph_nodes(default_graph or []))
        options["named_graphs"] = list(_graph_nodes(named_graphs or []))
    try:
        return store.query(sparql, **options)  # type: ignore[return-value]
    except SyntaxError as error:
        raise QuerySyntaxError(oxigraph_message(error, sparql)) from None


def oxigraph_message(error: SyntaxError, sparql: str) -> str:
    """pyoxigraph's syntax error, with its long list of expected characters shortened and the
    offending line shown with a caret under the column."""
    text = str(error).removeprefix("error ")
    head, _, expected = text.partition(": expected one of ")
    detail = f": expected one of {_shorten(expected)}" if expected else ""
    line, _, rest = head.removeprefix("at ").partition(":")
    column = rest.split(":")[0]
    if line.isdigit() and column.isdigit():
        message = f"Syntax error at line {line}, column {column}{detail}"
        return f"{message}\n{_caret(sparql, int(line), int(column))}"
    return f"Syntax error {head}{detail}"


def _graph_nodes(iris: Iterable[str]) -> Iterator[ox.NamedNode]:
    for iri in iris:
        try:
            yield ox.NamedNode(iri)
        except ValueError:
            raise QueryRefused(f"{iri!r} is not a valid graph IRI.") from None


def _is_update(sparql: str) -> bool:
    try:
        parseUpdate(sparql)
    except (pyparsing.ParseException, RecursionError):
        return False
    return True


def _refuse_nodes(tree: object) -> None:
    """Walk a parse tree or algebra (CompValues, ParseResults, lists, dicts) for refused nodes."""
    stack = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name in _REFUSED_NODES:
                raise QueryRefused(_REFUSED_NODES[node.name])
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, pyparsing.ParseResults | list | tuple | set):
            stack.extend(node)


def _pyparsing_message(error: pyparsing.ParseException, sparql: str) -> str:
    found = sparql[error.loc : error.loc + 20].split("\n")[0]
    found = f"found {found!r}" if found else "found the end of the query"
    expected = _shorten(error.msg.removeprefix("Expected ").strip())
    return (
        f"Syntax error at line {error.lineno}, column {error.col}: expected {expected}, {found}.\n"
        f"{_caret(sparql, error.lineno, error.col)}"
    )


def _caret(sparql: str, line: int, column: int) -> str:
    lines = sparql.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].expandtabs(1)
    return f"  {text}\n  {' ' * max(column - 1, 0)}^"


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_EXPECTED else text[: MAX_EXPECTED - 1] + "…"
