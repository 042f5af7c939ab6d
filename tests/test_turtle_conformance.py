"""The W3C RDF 1.1 Turtle test suite, run through the loader (one test per manifest entry).

* Negative syntax and negative evaluation tests: loading the file must raise a LoadError whose
  message names the file and a line, and leave the store's quads exactly as they were.
* Positive evaluation tests: the RDF reader's triples must be isomorphic to the expected
  N-Triples (compared with rdflib after converting the pyoxigraph terms).
* Positive syntax tests: the file must load, or be refused only by the personal-data guard or
  SHACL, never as a syntax error.

The suite is vendored under tests/conformance/w3c-rdf-tests/ (see its README.md and LICENSE.md).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from scrkg.graph.store import MemoryStore
from scrkg.loader import LoadError, PersonalDataError, ShapeError, SourceFormatError, load_source
from scrkg.loader.rdf import read_rdf
from scrkg.loader.validation import RdflibTerms

SUITE = Path(__file__).parent / "conformance" / "w3c-rdf-tests" / "rdf" / "rdf11" / "rdf-turtle"
MANIFEST = SUITE / "manifest.ttl"
TEST_BASE = "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/"

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDFT = "http://www.w3.org/ns/rdftest#"


def manifest_entries() -> dict[str, list[tuple[str, str, str | None]]]:
    """Test kind -> [(name, action file, result file or None)] from the manifest."""
    manifest = ox.Store()
    manifest.load(
        path=str(MANIFEST), format=ox.RdfFormat.TURTLE, base_iri=TEST_BASE + "manifest.ttl"
    )

    def value(subject: ox.NamedNode, predicate: str) -> str | None:
        for quad in manifest.quads_for_pattern(subject, ox.NamedNode(MF + predicate), None):
            return quad.object.value
        return None

    entries: dict[str, list[tuple[str, str, str | None]]] = {}
    for kind in ("TestTurtleNegativeSyntax", "TestTurtleNegativeEval", "TestTurtleEval",
                 "TestTurtlePositiveSyntax"):  # fmt: skip
        found = []
        for quad in manifest.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(RDFT + kind)):
            test = quad.subject
            action = value(test, "action")
            result = value(test, "result")
            found.append((
                value(test, "name") or test.value.rsplit("#", 1)[-1],
                action.rsplit("/", 1)[-1],
                result.rsplit("/", 1)[-1] if result else None,
            ))  # fmt: skip
        entries[kind] = sorted(found)
    return entries


ENTRIES = manifest_entries()
NEGATIVE = ENTRIES["TestTurtleNegativeSyntax"] + ENTRIES["TestTurtleNegativeEval"]
EVAL = ENTRIES["TestTurtleEval"]
POSITIVE_SYNTAX = ENTRIES["TestTurtlePositiveSyntax"]


def test_the_manifest_was_read():
    assert len(NEGATIVE) >= 90
    assert len(EVAL) >= 140
    assert len(POSITIVE_SYNTAX) >= 70


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    """A store with something in it, so that "unchanged" means something. Refused loads never
    write, so the tests can share it."""
    store = MemoryStore()
    load_source(store, Path(__file__).parent / "data" / "coded-reviews.csv")
    return store


@pytest.fixture(scope="module")
def held(store) -> set[ox.Quad]:
    """The quads `store` holds before any test tries to load into it (read once, not twice in
    each of the 90-odd tests: each test still compares the store afterwards with this)."""
    return set(store.quads())


@pytest.mark.parametrize("name, action, result", NEGATIVE, ids=[e[0] for e in NEGATIVE])
def test_negative_turtle_is_refused(store, held, name, action, result):
    before = held
    with pytest.raises(LoadError) as caught:
        load_source(store, SUITE / action)
    message = str(caught.value)
    assert action in message
    assert "line " in message, message
    assert set(store.quads()) == before


def _rdflib_graph(triples) -> Graph:
    convert = RdflibTerms()
    graph = Graph()
    for triple in triples:
        graph.add(convert.triple(triple))
    return graph


@pytest.mark.parametrize("name, action, result", EVAL, ids=[e[0] for e in EVAL])
def test_evaluation_gives_the_expected_triples(name, action, result):
    data = (SUITE / action).read_bytes()
    got = read_rdf(data, action, ".ttl", base_iri=TEST_BASE + action)
    expected = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(path=str(SUITE / result), format=ox.RdfFormat.N_TRIPLES)
    ]
    assert isomorphic(_rdflib_graph(got), _rdflib_graph(expected))


@pytest.mark.parametrize(
    "name, action, result", POSITIVE_SYNTAX, ids=[e[0] for e in POSITIVE_SYNTAX]
)
def test_positive_syntax_loads_or_is_refused_only_by_guard_or_shapes(name, action, result):
    store = MemoryStore()
    try:
        outcome = load_source(store, SUITE / action)
    except SourceFormatError as error:
        pytest.fail(f"valid Turtle refused as a syntax error: {error}")
    except (PersonalDataError, ShapeError):
        assert store.named_graphs() == []
    else:
        assert outcome.status == "loaded"
