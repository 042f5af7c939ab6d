"""Loading RDF sources: strict parsing, JSON-LD contexts, refused formats, the guard, SHACL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrkg.graph.store import MemoryStore
from scrkg.loader import (
    BUNDLED_SOURCES,
    LoadError,
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


MORE_PERSONAL = {
    "xsd:token literal": ('<child/R1> ex:note "ZZ99 9ZZ"^^xsd:token .', "UK postcode"),
    "custom datatype": ('<child/R1> ex:note "Mary Smith"^^ex:personName .', "name"),
    "name in a comment": ('<child/R1> rdfs:comment "Mary Smith told the social worker" .', "name"),
    "date in a string": ('<child/R1> ex:note "born 15-Jun-2009" .', "date"),
    "lower-case postcode": ('<child/R1> ex:note "moved to zz99 9zz" .', "UK postcode"),
    "e-mail in an IRI": (
        "<child/R1> ex:contact <http://example.org/jo@example.invalid> .",
        "e-mail",
    ),
    "postcode in an IRI": ("<child/R1> ex:home <http://example.org/home/ZZ99-9ZZ> .", "postcode"),
    "mailto subject": ('<mailto:jo@example.invalid> rdfs:label "x" .', "mailto"),
    "birthplace": ('<child/R1> ex:birthplace "x" .', "birthplace"),
    "tel_no": ('<child/R1> ex:tel_no "x" .', "tel_no"),
}


@pytest.mark.parametrize("case", list(MORE_PERSONAL), ids=list(MORE_PERSONAL))
def test_every_literal_iri_and_predicate_is_screened(memory_store, tmp_path, case):
    statement, fragment = MORE_PERSONAL[case]
    path = write(tmp_path, "people.ttl", PREFIXES + CHILD + statement + "\n")
    with pytest.raises(PersonalDataError) as caught:
        load_source(memory_store, path, validate=False)
    assert fragment in str(caught.value)
    assert memory_store.named_graphs() == []


def test_typed_dates_and_periods_in_quotes_still_load(memory_store, tmp_path):
    dated = (
        '<child/R1> ex:evaluated "2009-06-15"^^xsd:date ; ex:year "2009"^^xsd:gYear ;\n'
        '    ex:quote "between 1 April 2009 and 31 March 2010, the 2009-10 period" .\n'
    )
    path = write(tmp_path, "dated.ttl", PREFIXES + CHILD + dated)
    assert load_source(memory_store, path, validate=False).status == "loaded"


# -- refusals shared by every format -------------------------------------------------------------

TRIPLE_TERMS = {
    "triple term.ttl": "ex:a ex:b ex:c .\nex:a ex:says <<( ex:a ex:b ex:c )>> .\n",
    "reified triple.ttl": "ex:a ex:b ex:c .\n<< ex:a ex:b ex:c >> ex:says ex:d .\n",
    "annotation.ttl": "ex:a ex:b ex:c .\nex:a ex:b ex:d {| ex:says ex:e |} .\n",
    "reifier.ttl": "ex:a ex:b ex:c .\nex:a ex:b ex:d ~ ex:r .\n",
    "triple term.nt": (
        "<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
        "<http://example.org/a> <http://example.org/says> "
        "<<( <http://example.org/a> <http://example.org/b> <http://example.org/c> )>> .\n"
    ),
}


@pytest.mark.parametrize("name", list(TRIPLE_TERMS))
def test_rdf12_triple_terms_are_refused_in_one_line_by_the_cli(runner, tmp_path, name):
    from scrkg.cli import main

    prefixes = "" if name.endswith(".nt") else "@prefix ex: <http://example.org/> .\n"
    path = tmp_path / name.replace(" ", "-")
    path.write_text(prefixes + TRIPLE_TERMS[name], encoding="utf-8")
    result = runner.invoke(main, ["load", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"{path.name}, line {3 if prefixes else 2}: holds an RDF 1.2 triple term" in lines[0]
    assert "rdf:Statement" in lines[0]


NUL_SOURCES = {
    ".csv": b"review_id,board\nR1,Board\x00\n",
    ".json": b'{"reviews": [{"id": "R\x001"}]}',
    ".ttl": b'<http://example.org/a> <http://example.org/b> "x" .\n<http://a> <http://b> "\x00".',
    ".nt": b'<http://example.org/a> <http://example.org/b> "\x00" .\n',
    ".jsonld": b'{"@id": "http://example.org/a", "http://example.org/b": "\x00"}',
}


@pytest.mark.parametrize("suffix", list(NUL_SOURCES))
def test_a_nul_byte_is_refused_with_its_byte_offset(memory_store, tmp_path, suffix):
    data = NUL_SOURCES[suffix]
    path = tmp_path / f"nul{suffix}"
    path.write_bytes(data)
    with pytest.raises(SourceFormatError) as caught:
        load_source(memory_store, path)
    message = str(caught.value)
    assert "\n" not in message
    assert f"nul{suffix}, line {data[: data.index(0)].count(10) + 1}: holds a NUL byte" in message
    assert f"at byte offset {data.index(0)}" in message
    assert caught.value.rule == "nul-byte"
    assert memory_store.named_graphs() == []


def test_two_sources_bound_for_one_graph_are_refused(memory_store, tmp_path):
    from scrkg.loader.load import load_sources

    example = (Path(__file__).parent / "data" / "coded-reviews.csv").read_bytes()
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "reviews.csv").write_bytes(example)
    first, second = tmp_path / "a" / "reviews.csv", tmp_path / "b" / "reviews.csv"
    with pytest.raises(LoadError) as caught:
        load_sources(memory_store, [first, second])
    message = str(caught.value)
    assert "\n" not in message
    assert f"{first} and {second} would both be loaded into the graph" in message
    assert f"<{DEFAULT_BASE}graph/reviews>" in message
    assert "--graph" in message and "rename" in message
    assert memory_store.named_graphs() == []
    # different names are fine, for different reviews (the same reviews from two sources are
    # refused on their own grounds)
    from scrkg.loader import generate_file

    (tmp_path / "b" / "reviews.csv").unlink()
    generate_file(tmp_path / "b" / "more-reviews.csv", 2, seed=3)
    results = load_sources(memory_store, [first, tmp_path / "b" / "more-reviews.csv"])
    assert [r.status for r in results] == ["loaded", "loaded"]


def test_a_source_named_like_a_bundled_one_clashes_with_it(memory_store, tmp_path):
    from scrkg.loader.load import load_sources

    clash = write(tmp_path, "ofsted-2009-10.ttl", PREFIXES + CHILD)
    with pytest.raises(LoadError, match="would both be loaded into the graph"):
        load_sources(memory_store, [clash], bundled=True)
