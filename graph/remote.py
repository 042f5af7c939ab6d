"""A store on a SPARQL server: scrkg's data kept by Oxigraph server, Apache Jena Fuseki, GraphDB
or OpenLink Virtuoso (:class:`RemoteStore`).

:class:`RemoteStore` speaks the SPARQL 1.1 Protocol for queries and updates and the SPARQL 1.1
Graph Store HTTP Protocol for writing named graphs. Its answers have the same shape as the
embedded store's. (rdflib's ``SPARQLUpdateStore`` is not used: pointed at ``oxigraph serve`` it
sends ``urn:x-rdflib:default`` as the default graph, so default-graph queries find nothing.)
Its parts, each in a module of its own:

* ``endpoints``: the query, update and graph store URLs from the server's address, by its
  convention (:data:`~endpoints.CONVENTIONS`).
* ``server_http``: HTTP to the server (:class:`~server_http.ServerHttp`): credentials
  (:class:`~server_http.Credentials`), timeouts, retries, answers read and checked.
* ``dialects``: what differs on Virtuoso (:class:`~dialects.VirtuosoDialect`).
* ``staging``: a load's staging graphs and their switch in one update request
  (:class:`~staging.StagedLoad`).
* ``store_copy``: copying every graph of one store into another (:func:`~store_copy.copy_store`).
* ``server_errors``: the errors, each saying what to do.

Facts this module rests on:

* Queries must see the union of the named graphs as the default graph, as the embedded store
  does. The server must be set up that way (``oxigraph serve --union-default-graph``, Fuseki's
  ``tdb2:unionDefaultGraph true``; GraphDB and Virtuoso do it already); the store checks it at
  first use with an ASK over a triple it knows is in a named graph, and refuses to go on when it
  is not.
* Reading a whole graph back (copies, exports, scrkg's copy of Virtuoso's graphs) is one
  streamed SELECT, except on Virtuoso, which cannot answer it for a large graph (it cuts any
  answer at 1,048,576 rows, and refuses a CONSTRUCT or graph-store GET of over 1,000,000
  triples): there a graph is read in pages of about :data:`DEFAULT_VIRTUOSO_PAGE_TRIPLES`
  triples, each page the triples of some predicates (a predicate with more than a page is
  split by a hash of its subjects), and the rows read are checked against the graph's count
  (:meth:`RemoteStore._graph_in_pages`). No ORDER BY: Virtuoso sorts at most 10,000 rows for
  one page.
* On Virtuoso, whose engine answers standard SPARQL that scrkg's queries use wrongly, scrkg
  evaluates queries itself, on a copy in memory of the server's graphs
  (:meth:`RemoteStore._reader`).
"""

from __future__ import annotations

import logging
import math
import queue
import re
import threading
import time
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

import pyoxigraph as ox

from scrkg.graph.dialects import (
    VIRTUOSO_OWN_GRAPHS,
    VirtuosoDialect,
    oxigraph_form,
    same_form,
)
from scrkg.graph.endpoints import UNION_ADVICE, check_url, endpoint_urls, redact
from scrkg.graph.sandbox import confined, is_confined
from scrkg.graph.server_errors import (
    RemoteStoreConfigError,
    RemoteStoreError,
    RemoteStoreUnavailable,
)
from scrkg.graph.server_http import (
    DEFAULT_BACKOFF,
    DEFAULT_MAX_ANSWER,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    EMPTY_GRAPH,
    Credentials,
    ServerHttp,
    sparql_iri,
)
from scrkg.graph.staging import DEFAULT_UPLOAD_TRIPLES, StagedLoad, is_staging
from scrkg.graph.store import Store, StoreError, export_format
from scrkg.ontology import PREFIXES

__all__ = [
    "Credentials",
    "RemoteSettings",
    "RemoteStore",
    "RemoteStoreConfigError",
    "RemoteStoreError",
    "RemoteStoreUnavailable",
]

log = logging.getLogger(__name__)

#: On Virtuoso, how often (seconds) scrkg asks whether the server's graphs changed before it
#: evaluates a query on its copy of them.
MIRROR_CHECK_SECONDS = 1.0
#: The time a load records in the graph it wrote.
PROV_GENERATED = "http://www.w3.org/ns/prov#generatedAtTime"
#: On Virtuoso, the most triples of a graph read back in one request (see the module's notes):
#: far below its limits of one answer, and read within the default timeout on a busy machine.
DEFAULT_VIRTUOSO_PAGE_TRIPLES = 200_000
#: A predicate with more triples than a page is read in parts: the triples whose subject is a
#: blank node, then those whose subject IRI's MD5 starts with each hexadecimal digit.
_HASH_PARTS = (
    "isBlank(?s)",
    *(f'!isBlank(?s) && STRSTARTS(MD5(STR(?s)), "{d}")' for d in "0123456789abcdef"),
)
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
        check_url(endpoint, "--endpoint")
        parts = urlsplit(endpoint)
        if credentials is None:
            credentials = Credentials.from_settings()
        if not credentials and parts.username:  # http://user:password@host/ in the address
            credentials = Credentials(parts.username, parts.password or "")
        self.urls = endpoint_urls(
            redact(endpoint),
            convention,
            query_url=query_url and redact(query_url),
            update_url=update_url and redact(update_url),
            graph_store_url=graph_store_url and redact(graph_store_url),
        )
        self._dialect = VirtuosoDialect() if self.urls.convention == "virtuoso" else None
        #: HTTP to the server: its sessions, credentials, timeouts and retries.
        self.http = ServerHttp(
            self.urls,
            credentials,
            self._dialect,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            max_answer_bytes=max_answer_bytes,
        )
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
        for name in ("_mirror_lock", "_fetcher"):
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
        self.http.close()

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
        counts = self.http.select(
            "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        times = self.http.select(f"SELECT ?g ?t {{ GRAPH ?g {{ ?g <{PROV_GENERATED}> ?t }} }}")
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
        return self.http.query(_with_prologue(sparql, base_iri), kind, dataset)

    def named_graphs(self) -> list[str]:
        """The named graphs on the server, without the staging graphs of loads under way."""
        return sorted(g for g in self._graph_names() if not is_staging(g))

    def triple_count(self, graph: str | None = None) -> int:
        where = f"GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        if self._dialect and not graph:
            where += f" FILTER(?g NOT IN ({', '.join(map(sparql_iri, VIRTUOSO_OWN_GRAPHS))}))"
        return self._count(where)

    def graph_value(self, graph: str, predicate: str) -> str | None:
        g = sparql_iri(graph)
        rows = self.http.select(
            f"SELECT ?o {{ GRAPH {g} {{ {g} {sparql_iri(predicate)} ?o }} }} LIMIT 1"
        )
        if not rows:
            return None
        return (oxigraph_form(rows[0]["o"]) if self._dialect else rows[0]["o"]).value

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of the server's named graphs (or of one), streamed from one query, or
        graph by graph in pages of :attr:`page_triples`."""
        if self.page_triples is not None:
            graphs = [graph] if graph is not None else self.named_graphs()
            return (quad for g in graphs for quad in self._graph_in_pages(g))
        form = oxigraph_form if self._dialect else same_form
        if graph is not None:
            node = ox.NamedNode(graph)
            text = f"SELECT ?s ?p ?o {{ GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }} }}"
            return (ox.Quad(r["s"], r["p"], form(r["o"]), node) for r in self.http.stream(text))
        text = "SELECT ?s ?p ?o ?g { GRAPH ?g { ?s ?p ?o } }"
        hidden = frozenset(VIRTUOSO_OWN_GRAPHS if self._dialect else ())
        return (
            ox.Quad(r["s"], r["p"], form(r["o"]), r["g"])
            for r in self.http.stream(text)
            if not is_staging(r["g"].value) and r["g"].value not in hidden
        )

    def _graph_in_pages(self, graph: str) -> Iterator[ox.Quad]:
        """The quads of one graph, in requests of about :attr:`page_triples` triples each: the
        triples of a few predicates (their counts summed up to a page), or of one predicate
        with more than a page, one part of its subjects at a time (:data:`_HASH_PARTS`). The
        rows read must add up to the graph's count: a graph that changed while it was read,
        or a subject no part holds, is an error rather than a short copy."""
        form = oxigraph_form if self._dialect else same_form
        node, g = ox.NamedNode(graph), sparql_iri(graph)
        counts = self.http.select(
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
                p = sparql_iri(page[0].value)
                parts = [
                    f"SELECT ?s ?o {{ GRAPH {g} {{ ?s {p} ?o FILTER({part}) }} }}"
                    for part in _HASH_PARTS
                ]
            else:
                values = " ".join(sparql_iri(p.value) for p in page)
                parts = [f"SELECT ?s ?p ?o {{ GRAPH {g} {{ VALUES ?p {{ {values} }} ?s ?p ?o }} }}"]
            for text in parts:
                for r in self.http.stream(text):
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
            self._dialect.refuse_lost_values(staged, self.address)
        load = StagedLoad(self.http, staged, self.upload_triples)
        load.drop_leftovers(self.staging_graphs())
        try:
            load.upload(self.triple_count)
            if not self._union_checked and not self._dialect:
                self._check_union_with(staged, load.staging)
            load.switch(self._graph_names)
        except BaseException:
            load.drop()
            raise

    def staging_graphs(self) -> list[str]:
        """Staging graphs on the server: loads under way, or left by loads that were cut off
        between their upload and their switch (the next load of the same graph drops them)."""
        return sorted(g for g in self._graph_names() if is_staging(g))

    # -- the union default graph ---------------------------------------------------------------

    def _check_union(self) -> None:
        """At first use: is a triple known to be in a named graph in the default graph? (On
        Virtuoso, scrkg names the union as each query's dataset: nothing to check.)"""
        if self._union_checked or self._dialect:
            return
        rows = self.http.select(
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
        answer = self.http.query(
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
            rows = self.http.select(
                "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            )
            return [
                r["g"].value
                for r in rows
                if isinstance(r["g"], ox.NamedNode) and r["g"].value not in VIRTUOSO_OWN_GRAPHS
            ]
        rows = self.http.select("SELECT DISTINCT ?g { GRAPH ?g { } }")
        return [r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode)]

    def _count(self, where: str) -> int:
        rows = self.http.select(f"SELECT (COUNT(*) AS ?n) {{ {where} }}")
        return int(rows[0]["n"].value) if rows else 0


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


def _without_strings(sparql: str) -> str:
    """The query with its IRIs emptied (``<>``) and its strings and comments left out, so
    that a FROM in them is not taken for a clause."""
    return _NOT_CLAUSES.sub(lambda m: "<>" if m.group().startswith("<") else " ", sparql)


def _with_prologue(sparql: str, base_iri: str | None) -> str:
    """The query with scrkg's predefined prefixes (those it does not declare itself) and the
    base IRI declared first, since the protocol has no parameter for them."""
    declared = {name or "" for name in _DECLARED_PREFIX.findall(sparql)}
    lines = [f"BASE {sparql_iri(base_iri)}"] if base_iri else []
    lines += [f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items() if p not in declared]
    return "\n".join([*lines, sparql])
