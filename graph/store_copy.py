"""Copying every named graph of one store into another (embedded or on a SPARQL server, either
way), in one atomic replacement, and checking the copy graph by graph (:func:`copy_store`):
the two graphs must be isomorphic, equal up to the names of their blank nodes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from scrkg.graph.store import Store


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
