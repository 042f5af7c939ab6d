"""Loading RDF sources: strict parsing, JSON-LD contexts, refused formats, the guard, SHACL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrkg.graph.store import MemoryStore
from scrkg.loader import (
    BUNDLED_SOURCES,
    PersonalDataError,
    RuleError,
    ShapeError,
    SourceFormatError,
    load_source,
    validate_source,
)
from scrkg.ontology import DEFAULT_BASE, SCR

PREFIXES = """\
@prefix scr: <https://w3id.org/scrkg/def#> .
@prefix scrc: <https://w3id.org/scrkg/concept/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix ex: <http://example.org/> .
"""

CHILD = """\
<child/R1> a scr:Child ; rdfs:label "Child R1" ; scr:outcome scrc:died ;
    scr:socialCareStatus scrc:child-in-need ; scr:ageBand scrc:under-1 ;
    scr:isSynthetic true .
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def loaded() -> MemoryStore:
    store = MemoryStore()
    load_source(store, BUNDLED_SOURCES[0])
    return store


def test_turtle_loads_relative_iris_against_the_base(memory_store, tmp_path):
    result = load_source(memory_store, write(tmp_path, "child.ttl", PREFIXES + CHILD))
    assert result.status == "loaded"
    graph = DEFAULT_BASE + "graph/child"
    assert any(q.subject.value == DEFAULT_BASE + "child/R1" for q in memory_store.quads(graph))
    assert memory_store.graph_value(graph, SCR + "isSynthetic") == "true"


def test_the_bundled_report_loads_and_is_not_synthetic(memory_store):
    result = load_source(memory_store, BUNDLED_SOURCES[0])
    assert result.status == "loaded"
    assert memory_store.graph_value(result.graph, SCR + "isSynthetic") is None


def test_quads_are_flattened_into_the_sources_graph(memory_store, tmp_path):
    text = (
        "<http://example.org/a> <http://example.org/p> <http://example.org/b> "
        "<http://example.org/g1> .\n"
        "<http://example.org/a> <http://example.org/p> <http://example.org/c> .\n"
    )
    result = load_source(memory_store, write(tmp_path, "two.nq", text))
    assert "http://example.org/g1" not in memory_store.named_graphs()
    objects = {q.object.value for q in memory_store.quads(result.graph)}
    assert {"http://example.org/b", "http://example.org/c"} <= objects


def test_a_syntax_error_names_the_line_and_column(loaded, tmp_path):
    before = set(loaded.quads())
    path = write(tmp_path, "broken.ttl", PREFIXES + '<a> <b> <c> .\n<d> <e> "f .\n')
    with pytest.raises(SourceFormatError) as caught:
        load_source(loaded, path)
    assert caught.value.location == "line 9, column 9"
    assert str(caught.value).startswith("broken.ttl, line 9, column 9: is not valid RDF")
    assert set(loaded.quads()) == before


@pytest.mark.parametrize(
    "context",
    [
        "https://schema.org/",
        ["file:///etc/passwd"],
        [{"ex": "http://example.org/"}, "http://example.org/context.jsonld"],
        {"@import": "https://example.org/context.jsonld"},
    ],
    ids=["remote string", "file in a list", "remote after inline", "@import"],
)
def test_jsonld_with_a_remote_or_file_context_is_refused_before_parsing(loaded, tmp_path, context):
    document = {"@context": context, "@id": "http://example.org/a", "ex:p": "x"}
    path = write(tmp_path, "remote.jsonld", json.dumps(document))
    before = set(loaded.quads())
    with pytest.raises(SourceFormatError) as caught:
        load_source(loaded, path)
    assert "remote or file @context" in str(caught.value)
    assert "remote.jsonld" in str(caught.value)
    assert set(loaded.quads()) == before


def test_a_nested_remote_context_is_refused_too(memory_store, tmp_path):
    document = {
        "@context": {"ex": "http://example.org/"},
        "@graph": [{"@context": "file:///tmp/context.jsonld", "@id": "ex:a"}],
    }
    with pytest.raises(SourceFormatError, match=r"\$\.@graph\[0\]\.@context"):
        load_source(memory_store, write(tmp_path, "nested.jsonld", json.dumps(document)))


def test_jsonld_with_an_inline_context_loads(memory_store, tmp_path):
    document = {
        "@context": {"ex": "http://example.org/"},
        "@id": "ex:a",
        "ex:p": {"@id": "ex:b"},
    }
    result = load_source(memory_store, write(tmp_path, "inline.jsonld", json.dumps(document)))
    assert result.triples > 0


@pytest.mark.parametrize(
    "name", ["data.rdf", "data.owl", "data.xml", "data.n3", "data.txt", "data"]
)
def test_refused_formats_list_the_accepted_ones(memory_store, tmp_path, name):
    path = write(tmp_path, name, "<rdf:RDF/>")
    with pytest.raises(SourceFormatError) as caught:
        load_source(memory_store, path)
    assert "Accepted formats: .csv, .json" in str(caught.value)
    assert ".ttl" in str(caught.value)
    assert memory_store.named_graphs() == []


PERSONAL = {
    "foaf:name": ('<child/R1> foaf:name "Anyone" .', "foaf/0.1/name"),
    "vcard property": ('<child/R1> vcard:role "x" .', "vcard"),
    "birthDate": ('<child/R1> ex:birthDate "2001-01-01"^^xsd:date .', "birthDate"),
    "postcode literal": ('<child/R1> ex:note "seen at ZZ99 9ZZ" .', "UK postcode"),
    "NHS number literal": ('<child/R1> ex:note "999 123 4567" .', "NHS number"),
    "email literal": ('<child/R1> ex:note "x@example.invalid" .', "e-mail"),
    "mailto IRI": ("<child/R1> ex:contact <mailto:x@example.invalid> .", "mailto"),
}


@pytest.mark.parametrize("case", list(PERSONAL), ids=list(PERSONAL))
def test_personal_data_in_rdf_is_refused(loaded, tmp_path, case):
    statement, fragment = PERSONAL[case]
    path = write(tmp_path, "people.ttl", PREFIXES + CHILD + statement + "\n")
    before = set(loaded.quads())
    with pytest.raises(PersonalDataError) as caught:
        load_source(loaded, path)
    assert fragment in str(caught.value)
    assert "people.ttl" in str(caught.value)
    assert set(loaded.quads()) == before


def test_a_shacl_violation_names_focus_path_and_message(loaded, tmp_path):
    text = (
        PREFIXES + '<child/R2> a scr:Child ; rdfs:label "Child R2" ; scr:ageBand scrc:under-1 .\n'
    )
    before = set(loaded.quads())
    with pytest.raises(ShapeError) as caught:
        load_source(loaded, write(tmp_path, "incomplete.ttl", text))
    message = str(caught.value)
    assert "incomplete.ttl, node id:child/R2" in message
    assert "field scr:outcome" in message
    assert "A child needs exactly one scr:outcome" in message
    assert all(isinstance(p, ShapeError) for p in caught.value.problems)
    assert set(loaded.quads()) == before


def test_validation_can_be_skipped_for_rdf(memory_store, tmp_path):
    text = PREFIXES + '<child/R2> a scr:Child ; rdfs:label "Child R2" .\n'
    result = load_source(memory_store, write(tmp_path, "loose.ttl", text), validate=False)
    assert result.status == "loaded"


def test_a_source_may_not_describe_its_own_graph(memory_store, tmp_path):
    text = PREFIXES + f'<{DEFAULT_BASE}graph/sneaky> scr:checksum "sha256:00" .\n'
    with pytest.raises(RuleError, match="its own graph"):
        load_source(memory_store, write(tmp_path, "sneaky.ttl", text))


def test_validate_source_reads_rdf_without_a_store():
    report = validate_source(BUNDLED_SOURCES[0])
    assert report.conforms and report.triples == report.records
