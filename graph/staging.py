"""A load's staging transaction on a SPARQL server: every graph of the load is written to a
staging graph, checked, then all are switched live in one update request (:class:`StagedLoad`).

A load is atomic: each graph goes to a staging graph ``<graph>/staging-<random>`` (a PUT, then
POSTs, of ``upload_triples`` triples each, :func:`put_graph`), its triple count is checked, and
then one SPARQL Update request ``DROP SILENT GRAPH <live>; MOVE <staging> TO <live>`` (for every
graph of the load) switches them all. Oxigraph, Fuseki and GraphDB run one update request as one
transaction: all of it happens or none. A failure before the switch drops the staging graphs and
leaves the live ones as they were. Virtuoso commits a request's work only at its end (a server
killed during it keeps the old graphs), but keeps what ran before an operation that failed:
scrkg then says which graphs were replaced (:data:`~dialects.KEEPS_PARTIAL_UPDATES`).
"""

from __future__ import annotations

import logging
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import BinaryIO

import pyoxigraph as ox

from scrkg.graph.dialects import KEEPS_PARTIAL_UPDATES
from scrkg.graph.server_errors import RemoteStoreError, RemoteStoreUnavailable
from scrkg.graph.server_http import N_TRIPLES, ServerHttp, sparql_iri

log = logging.getLogger(__name__)

#: Triples sent in one request of a graph upload: the first request PUTs them into the staging
#: graph, each next one POSTs the next as many into it. Small requests keep each of the server's
#: transactions small (Virtuoso stalled on one PUT of a million triples, see
#: docs/sparql-servers.md); triples that share a blank node always go in the same request.
DEFAULT_UPLOAD_TRIPLES = 50_000

#: The name of a staging graph: its live graph's IRI, then ``/staging-`` and 16 hex digits.
STAGING = re.compile(r"/staging-[0-9a-f]{16}$")


def is_staging(graph: str) -> bool:
    """Whether a graph is the staging graph of a load (under way, or cut off)."""
    return STAGING.search(graph) is not None


class StagedLoad:
    """One load: the triples of each of its graphs, the staging graph each is written to, and
    the staging graphs written so far (dropped if the load fails)."""

    def __init__(
        self, http: ServerHttp, graphs: Mapping[str, list[ox.Triple]], upload_triples: int
    ) -> None:
        token = secrets.token_hex(8)
        self.http = http
        self.graphs = graphs
        self.staging = {g: f"{g}/staging-{token}" for g in graphs}
        self.upload_triples = upload_triples
        self.uploaded: list[str] = []

    def drop_leftovers(self, staging_graphs: Iterable[str]) -> None:
        """Drop the staging graphs that loads of the same graphs left when they were cut off."""
        prefixes = tuple(f"{g}/staging-" for g in self.graphs)
        leftovers = [g for g in staging_graphs if g.startswith(prefixes)]
        if leftovers:
            log.warning("Dropping %d staging graph(s) left by an interrupted load.", len(leftovers))
            self.http.update(_drop_update(leftovers))

    def upload(self, count: Callable[[str], int]) -> None:
        """Write each graph's triples to its staging graph, and check with ``count`` (the
        triples the server holds in a graph) that the server holds them all."""
        address = self.http.urls.address
        for graph, triples in self.graphs.items():
            if not triples:
                continue
            self.uploaded.append(self.staging[graph])
            try:
                put_graph(self.http, self.staging[graph], triples, self.upload_triples)
            except RemoteStoreUnavailable as error:
                raise RemoteStoreUnavailable(
                    f"{error} Nothing was replaced: the live graphs are as they were (the "
                    "server's log may say why it stalled); load again once it answers."
                ) from None
            held = count(self.staging[graph])
            if held != len(triples):
                raise RemoteStoreError(
                    f"The server at {address} holds {held} triples in the staging graph "
                    f"for <{graph}> after {len(triples)} were sent; nothing was replaced. "
                    "Check the server's log, then load again."
                )

    def switch(self, graph_names: Callable[[], Iterable[str]]) -> None:
        """Replace the live graphs by their staging graphs in one update request. If it fails
        on a server that keeps what ran before the failure, ``graph_names`` (the graphs on the
        server) tells which graphs were replaced."""
        operations = []
        for graph, triples in self.graphs.items():
            operations.append(f"DROP SILENT GRAPH {sparql_iri(graph)}")
            if triples:
                operations.append(f"MOVE {sparql_iri(self.staging[graph])} TO {sparql_iri(graph)}")
        try:
            self.http.update(" ;\n".join(operations))
        except RemoteStoreUnavailable as error:
            raise RemoteStoreUnavailable(
                f"{error} The connection was lost while the server was replacing the graphs: "
                "it applied the whole replacement or none of it (one update request is one "
                "transaction). Load again once it answers; an unchanged source is skipped."
            ) from error
        except RemoteStoreError as error:
            if self.http.urls.convention not in KEEPS_PARTIAL_UPDATES:
                raise
            raise self._partly_switched(error, set(graph_names())) from error

    def _partly_switched(self, error: RemoteStoreError, present: set[str]) -> RemoteStoreError:
        """The switch failed on a server that keeps what ran before the failure: say which
        graphs were replaced (their staging graph is gone, or the graph was to be emptied and
        is)."""
        replaced = [
            g
            for g, triples in self.graphs.items()
            if (self.staging[g] if triples else g) not in present
        ]
        done = ", ".join(f"<{g}>" for g in replaced) or "none"
        return RemoteStoreError(
            f"{error} The server ({self.http.urls.convention}) does not undo the part of an "
            f"update that ran before an operation failed: of the {len(self.graphs)} graphs of "
            f"this load, these were replaced: {done}; the others were left as they were. Load "
            "again to replace the rest."
        )

    def drop(self) -> None:
        """Drop the staging graphs written so far, after a failure (which it does not hide)."""
        if not self.uploaded:
            return
        try:
            self.http.update(_drop_update(self.uploaded))
        except RemoteStoreError as error:
            log.warning(
                "Could not drop the staging graphs of a failed load (%s); the next load of the "
                "same graphs drops them.",
                error,
            )


def put_graph(
    http: ServerHttp, graph: str, triples: Sequence[ox.Triple], upload_triples: int
) -> None:
    """Write the triples to ``graph`` (a staging graph, which no query of scrkg's reads):
    a PUT of the first ``upload_triples``, then a POST of each next as many. Each request
    waits for its answer at most the write timeout."""
    url = http.urls.graph_store
    http.learn_authentication(url)
    for number, chunk in enumerate(upload_chunks(triples, upload_triples)):
        method = "POST" if number else "PUT"
        with graph_body(chunk) as body:
            response = http.request(
                method,
                url,
                read=False,
                params={"graph": graph},
                data=body,
                headers={"Content-Type": N_TRIPLES},
                what=f"answer the {method} of {len(chunk):,} triples to <{graph}>",
            )
        http.check_status(response, "write a graph", url, "graph-store")


def graph_body(triples: Sequence[ox.Triple]) -> BinaryIO:
    """The triples as N-Triples in a file (in memory up to 64 MiB, then on disk): it is sent
    with its length, and sent again from its start if the server asks for credentials."""
    body = tempfile.SpooledTemporaryFile(max_size=64 * 2**20)  # noqa: SIM115 - the caller closes it
    ox.serialize(triples, body, ox.RdfFormat.N_TRIPLES)
    body.seek(0)
    return body  # type: ignore[return-value]


def _drop_update(graphs: Iterable[str]) -> str:
    return " ;\n".join(f"DROP SILENT GRAPH {sparql_iri(g)}" for g in graphs)


def upload_chunks(triples: Sequence[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
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
