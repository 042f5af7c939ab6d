"""Loading coded reviews from CSV: the happy path, idempotence, replacement, and every refusal.

Every refusal test checks two things: the error names the file, row and field with its rule, and
the store's quads are exactly what they were before (a refused file writes nothing).
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib

from scrkg.graph.store import MemoryStore
from scrkg.loader import (
    LoadError,
    PersonalDataError,
    RuleError,
    SourceFormatError,
    SourceTooLargeError,
    load_source,
    validate_source,
)
from scrkg.ontology import DEFAULT_BASE, ONTOLOGY_IRI, SCR, SCRC

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "coded-reviews.csv"
GRAPH = DEFAULT_BASE + "graph/coded-reviews"
HEADER, *ROWS = FIXTURE.read_text(encoding="utf-8").splitlines()
ROW = ROWS[0]  # review T-001, child T-001-C1


def quads(store: MemoryStore) -> set[ox.Quad]:
    return set(store.quads())


def data_triples(store: MemoryStore, graph: str = GRAPH) -> set[tuple[str, str, str]]:
    """The graph's triples without its provenance (which carries times and a blank node)."""
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store.quads(graph)
        if q.subject != ox.NamedNode(graph) and not isinstance(q.subject, ox.BlankNode)
    }


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def csv_file(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "cohort.csv") -> Path:
    return write(tmp_path, name, "\n".join([header, *rows]) + "\n")


@pytest.fixture
def loaded() -> MemoryStore:
    """A store holding the fixture, so that refusals can be shown to change nothing."""
    store = MemoryStore()
    load_source(store, FIXTURE)
    return store


# -- happy path ------------------------------------------------------------------------------------


def test_csv_loads_into_its_own_graph_with_the_ontology(memory_store):
    result = load_source(memory_store, FIXTURE)

    assert result.status == "loaded"
    assert result.graph == GRAPH
    assert result.records == 4
    assert result.checksum.startswith("sha256:") and len(result.checksum) == 7 + 64
    assert result.triples == memory_store.triple_count(GRAPH)
    assert set(memory_store.named_graphs()) == {GRAPH, ONTOLOGY_IRI}


def test_csv_maps_as_the_data_model_shows(memory_store):
    load_source(memory_store, FIXTURE)
    t = data_triples(memory_store)
    review, child = f"<{DEFAULT_BASE}review/T-001>", f"<{DEFAULT_BASE}child/T-001-C1>"
    agency = f"<{DEFAULT_BASE}agency/T-001/adult-mental-health>"
    lesson = f"<{DEFAULT_BASE}lesson/T-001/1>"
    board = f"<{DEFAULT_BASE}board/testshire-lscb>"
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    expected = {
        (review, rdf_type, f"<{SCR}SeriousCaseReview>"),
        (review, label, '"Serious case review T-001"'),
        (review, f"<{SCR}commissionedBy>", board),
        (board, rdf_type, f"<{SCR}SafeguardingBoard>"),
        (board, label, '"Testshire LSCB"'),
        (review, f"<{SCR}reportingYear>", '"2009-10"'),
        (review, f"<{SCR}evaluationDate>", '"2009-06-15"^^<http://www.w3.org/2001/XMLSchema#date>'),
        (review, f"<{SCR}qualityGrade>", f"<{SCRC}good>"),
        (review, f"<{SCR}reviewMethod>", f"<{SCRC}imr-overview-report>"),
        (review, f"<{SCR}involvedAgency>", agency),
        (agency, label, '"Adult mental health (review T-001)"'),
        (agency, f"<{SCR}agencyType>", f"<{SCRC}adult-mental-health>"),
        (review, f"<{SCR}identifiesLesson>", lesson),
        (lesson, f"<{SCR}lessonTheme>", f"<{SCRC}information-sharing-adult-services>"),
        (lesson, f"<{SCR}concernsAgency>", agency),
        (review, f"<{SCR}concernsChild>", child),
        (child, label, '"Child T-001-C1"'),
        (child, f"<{SCR}ageBand>", f"<{SCRC}under-1>"),
        (child, f"<{SCR}outcome>", f"<{SCRC}died>"),
        (child, f"<{SCR}socialCareStatus>", f"<{SCRC}child-in-need>"),
        (child, f"<{SCR}hasRiskFactor>", f"<{SCRC}parental-mental-ill-health>"),
        (child, f"<{SCR}viewsSoughtCount>", '"0"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        (child, f"<{SCR}experienced>", f"<{DEFAULT_BASE}incident/T-001-C1>"),
    }
    assert expected <= t
    # lessons are numbered in order; the second has its theme's label
    second = f"<{DEFAULT_BASE}lesson/T-001/2>"
    assert (second, label, '"Pre-birth assessment (review T-001)"') in t or any(
        s == second and p == label and o.endswith('(review T-001)"') for s, p, o in t
    )
    # a review of another type gets that type's class; no incident without a category
    assert (
        f"<{DEFAULT_BASE}review/T-003>",
        rdf_type,
        f"<{SCR}LocalChildSafeguardingPracticeReview>",
    ) in t
    assert not any(s == f"<{DEFAULT_BASE}incident/T-002-C2>" for s, _, _ in t)
    # not synthetic: no isSynthetic anywhere
    assert not any(p == f"<{SCR}isSynthetic>" for _, p, _ in t)


def test_provenance_describes_the_source_graph(memory_store):
    result = load_source(memory_store, FIXTURE)
    value = memory_store.graph_value
    assert value(GRAPH, "http://purl.org/dc/terms/source") == "coded-reviews.csv"
    assert value(GRAPH, SCR + "checksum") == result.checksum
    assert value(GRAPH, SCR + "loaderVersion")
    assert value(GRAPH, "http://www.w3.org/ns/prov#generatedAtTime")
    assert value(GRAPH, "http://purl.org/dc/terms/title")
    assert value(GRAPH, SCR + "isSynthetic") is None
    rows = memory_store.query(
        f"SELECT ?start ?end WHERE {{ GRAPH <{GRAPH}> {{ <{GRAPH}> prov:wasGeneratedBy ?a . "
        "?a a prov:Activity ; prov:startedAtTime ?start ; prov:endedAtTime ?end } }"
    )
    (row,) = list(rows)
    # As times: the lexical forms are canonical ("...23.9Z" for 900 ms), so not comparable as text.
    start, end = (datetime.fromisoformat(row[k].value) for k in ("start", "end"))
    assert start <= end


def test_synthetic_rows_mark_reviews_children_and_graph(memory_store, tmp_path):
    rows = [r.replace(",false", ",true") for r in ROWS]
    path = csv_file(tmp_path, *rows, name="made-up.csv")
    load_source(memory_store, path)
    graph = DEFAULT_BASE + "graph/made-up"
    assert memory_store.graph_value(graph, SCR + "isSynthetic") == "true"
    t = data_triples(memory_store, graph)
    true = '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'
    assert (f"<{DEFAULT_BASE}review/T-002>", f"<{SCR}isSynthetic>", true) in t
    assert (f"<{DEFAULT_BASE}child/T-002-C2>", f"<{SCR}isSynthetic>", true) in t


def test_same_input_gives_same_iris():
    first, second = MemoryStore(), MemoryStore()
    load_source(first, FIXTURE)
    load_source(second, FIXTURE)
    assert data_triples(first) == data_triples(second)


def test_reload_of_the_same_file_is_unchanged_and_writes_nothing(loaded):
    before = quads(loaded)
    result = load_source(loaded, FIXTURE)
    assert result.status == "unchanged"
    assert result.triples == 0
    assert quads(loaded) == before


def test_changed_file_replaces_the_graph_without_leftovers(loaded, tmp_path):
    path = csv_file(tmp_path, *ROWS[:3], name="coded-reviews.csv")  # review T-003 dropped
    result = load_source(loaded, path)

    assert result.status == "replaced"
    fresh = MemoryStore()
    load_source(fresh, path)
    assert data_triples(loaded) == data_triples(fresh)
    assert not any("T-003" in str(q) for q in loaded.quads(GRAPH))
    assert loaded.graph_value(GRAPH, SCR + "checksum") == result.checksum
    assert len([q for q in loaded.quads(GRAPH) if q.predicate.value == SCR + "checksum"]) == 1


def test_graph_option_names_the_graph(memory_store):
    result = load_source(memory_store, FIXTURE, graph="urn:example:my-graph")
    assert result.graph == "urn:example:my-graph"
    assert "urn:example:my-graph" in memory_store.named_graphs()


def test_validate_source_writes_nothing_and_counts():
    report = validate_source(FIXTURE)
    assert report.conforms
    assert report.records == 4
    assert report.triples > 100


def test_progress_is_reported(memory_store):
    stages = []
    load_source(memory_store, FIXTURE, progress=lambda stage, done, total: stages.append(stage))
    assert {"read", "validate", "write"} <= set(stages)


# -- ids that would break an IRI -------------------------------------------------------------------

HOSTILE = 'a> <x:isAdmin> "true" . <b'


def test_an_id_that_would_break_an_iri_is_encoded_and_round_trips(memory_store, tmp_path):
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    row = ROW.replace("T-001-C1", "C-9").replace("T-001", quoted, 1)
    load_source(memory_store, csv_file(tmp_path, row))

    review_iri = f"{DEFAULT_BASE}review/{quote(HOSTILE, safe='')}"
    assert review_iri == f"{DEFAULT_BASE}review/a%3E%20%3Cx%3AisAdmin%3E%20%22true%22%20.%20%3Cb"
    graph = DEFAULT_BASE + "graph/cohort"
    subjects = {q.subject.value for q in memory_store.quads(graph)}
    assert review_iri in subjects
    assert not any(q.predicate.value == "x:isAdmin" for q in memory_store.quads())

    for fmt, extension, rdflib_format in (
        ("turtle", "ttl", "turtle"),
        ("ntriples", "nt", "nt"),
        ("nquads", "nq", None),
    ):
        out = io.BytesIO()
        memory_store.export(out, fmt)
        # strict pyoxigraph parses the export, and the id survives intact in the label
        parsed = list(ox.parse(out.getvalue(), ox.RdfFormat.from_extension(extension)))
        assert any(q.object == ox.Literal(f"Serious case review {HOSTILE}") for q in parsed)
        assert any(q.subject == ox.NamedNode(review_iri) for q in parsed)
        if rdflib_format:  # and so does rdflib, whose serializer chokes on broken IRIs
            exported = rdflib.Graph().parse(data=out.getvalue(), format=rdflib_format)
            assert (rdflib.URIRef(review_iri), None, None) in exported


# -- refusals: the error names the place and the rule, the store is unchanged ----------------------

BAD_ROWS = {
    "wrong number of fields": (
        ROW + ",extra",
        SourceFormatError,
        ["cohort.csv", "row 2", "has 19 fields but the header has 18"],
    ),
    "unknown concept code": (
        ROW.replace(",died,", ",dead,"),
        RuleError,
        [
            "cohort.csv, row 2, field outcome: 'dead' is not a code of scrc:outcomes "
            "(use died or serious-harm)"
        ],
    ),
    "missing required field": (
        ROW.replace(",under-1,", ",,"),
        RuleError,
        ["row 2", "field age_band", "is required"],
    ),
    "postcode-looking value": (
        ROW.replace("T-001-C1", "ZZ99 9ZZ"),
        PersonalDataError,
        ["row 2", "field child_id", "UK postcode"],
    ),
    "NHS-number-looking value": (
        ROW.replace("T-001-C1", "999 123 4567"),
        PersonalDataError,
        ["row 2", "field child_id", "NHS number"],
    ),
    "unspaced NHS number": (
        ROW.replace("Testshire LSCB", "Board 9991234567"),
        PersonalDataError,
        ["row 2", "field board", "NHS number"],
    ),
    "email-looking value": (
        ROW.replace("T-001-C1", "someone@example.invalid"),
        PersonalDataError,
        ["field child_id", "e-mail"],
    ),
    "date in a free-text field": (
        ROW.replace("T-001-C1", "C born 01/02/2008"),
        PersonalDataError,
        ["field child_id", "date"],
    ),
    "lesson agency not among the review's agencies": (
        ROW.replace("pre-birth-assessment", "pre-birth-assessment@housing"),
        RuleError,
        ["field lessons", "'housing'", "not among the review's agencies"],
    ),
    "grouping concept": (
        ROW.replace("domestic-abuse;", "toxic-trio;"),
        RuleError,
        ["field risk_factors", "narrower"],
    ),
    "bad reporting year": (
        ROW.replace(",2009-10,", ",2009-11,"),
        RuleError,
        ["field reporting_year", "'2009-11'", "YYYY-YY"],
    ),
    "impossible date": (
        ROW.replace("2009-06-15", "2009-02-30"),
        RuleError,
        ["field evaluation_date", "'2009-02-30'"],
    ),
    "negative views_sought": (
        ROW.replace(",0,false", ",-1,false"),
        RuleError,
        ["field views_sought", "whole number"],
    ),
    "synthetic neither true nor false": (
        ROW.replace(",0,false", ",0,maybe"),
        RuleError,
        ["field synthetic", "true or false"],
    ),
    "unbalanced quote": (
        ROW.replace(",Testshire LSCB,", ',"Testshire LSCB,'),
        SourceFormatError,
        ["cohort.csv", "row 2"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS), ids=list(BAD_ROWS))
def test_bad_row_is_refused_and_the_store_is_unchanged(loaded, tmp_path, case):
    row, error_class, fragments = BAD_ROWS[case]
    path = csv_file(tmp_path, row)
    before = quads(loaded)

    with pytest.raises(error_class) as caught:
        load_source(loaded, path)

    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    assert caught.value.file == "cohort.csv"
    assert quads(loaded) == before


BAD_FILES = {
    "personal-data column surname": (
        HEADER + ",surname",
        [ROW + ",x"],
        PersonalDataError,
        ["row 1", "field surname", "personal data"],
    ),
    "personal-data column Date of Birth": (
        HEADER + ",Date of Birth",
        [ROW + ",x"],
        PersonalDataError,
        ["field Date of Birth", "personal data"],
    ),
    "personal-data column dob": (
        HEADER + ",dob",
        [ROW + ",x"],
        PersonalDataError,
        ["field dob"],
    ),
    "unknown column": (
        HEADER + ",colour",
        [ROW + ",blue"],
        SourceFormatError,
        ["row 1", "unknown column 'colour'"],
    ),
    "missing required column": (
        HEADER.replace(",outcome", ""),
        [ROW.replace(",died", "")],
        SourceFormatError,
        ["lacks the required column(s) outcome"],
    ),
    "duplicate child id": (
        HEADER,
        [ROW, ROWS[1].replace("T-002-C1", "T-001-C1")],
        RuleError,
        ["row 3", "field child_id", "already appears in row 2"],
    ),
    "review-level fields disagree": (
        HEADER,
        [ROW, ROW.replace("T-001-C1", "T-001-C2").replace(",good,", ",inadequate,")],
        RuleError,
        ["row 3", "field quality_grade", "in row 2"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_file_is_refused_and_the_store_is_unchanged(loaded, tmp_path, case):
    header, rows, error_class, fragments = BAD_FILES[case]
    path = csv_file(tmp_path, *rows, header=header)
    before = quads(loaded)
    with pytest.raises(error_class) as caught:
        load_source(loaded, path)
    for fragment in fragments:
        assert fragment in str(caught.value)
    assert quads(loaded) == before


def test_invalid_utf8_is_refused_with_its_byte_offset(loaded, tmp_path):
    data = (HEADER + "\n" + ROW.replace("Testshire", "Test\udcffshire") + "\n").encode(
        "utf-8", errors="surrogateescape"
    )
    path = write(tmp_path, "cohort.csv", data)
    before = quads(loaded)
    with pytest.raises(SourceFormatError) as caught:
        load_source(loaded, path)
    offset = data.index(b"\xff")
    assert f"byte offset {offset}" in str(caught.value)
    assert "line 2" in str(caught.value)
    assert quads(loaded) == before


def test_many_problems_are_reported_together(loaded, tmp_path):
    rows = [ROW.replace(",died,", ",dead,").replace("T-001", f"X-{i}") for i in range(3)]
    with pytest.raises(RuleError) as caught:
        load_source(loaded, csv_file(tmp_path, *rows))
    error = caught.value
    assert len(error.problems) == 3
    first_line, *others = str(error).splitlines()
    assert first_line.endswith("(and 2 more)")
    assert "row 2" in first_line and len(others) == 2


def test_problems_stop_at_the_limit(tmp_path):
    rows = [ROW.replace(",died,", ",dead,").replace("T-001", f"X-{i}") for i in range(50)]
    with pytest.raises(RuleError) as caught:
        validate_source(csv_file(tmp_path, *rows))
    assert len(caught.value.problems) == 20
    assert "stopped reading" in str(caught.value).splitlines()[0]


def test_validate_source_can_return_the_problems(tmp_path):
    report = validate_source(
        csv_file(tmp_path, ROW.replace(",died,", ",dead,")), raise_on_error=False
    )
    assert not report.conforms
    assert report.problems[0].field == "outcome"
    assert report.problems[0].rule == "concept-code"
    assert report.problems[0].location == "row 2"


def test_a_file_over_the_size_cap_is_refused_before_reading(loaded, tmp_path, monkeypatch):
    before = quads(loaded)
    monkeypatch.setenv("SCRKG_MAX_SOURCE_MB", "0.0001")
    with pytest.raises(SourceTooLargeError) as caught:
        load_source(loaded, FIXTURE)
    assert "coded-reviews.csv" in str(caught.value)
    assert "SCRKG_MAX_SOURCE_MB" in str(caught.value)
    with pytest.raises(SourceTooLargeError):
        load_source(loaded, FIXTURE, max_bytes=10)
    assert quads(loaded) == before


def test_a_missing_file_is_a_load_error(memory_store, tmp_path):
    with pytest.raises(LoadError, match="cannot be read"):
        load_source(memory_store, tmp_path / "nowhere.csv")


EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.[cj]s*"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_the_examples_load(memory_store, path):
    """Whatever coded examples the project ships load cleanly."""
    assert load_source(memory_store, path).status == "loaded"


def test_a_byte_order_mark_is_accepted(memory_store, tmp_path):
    path = write(tmp_path, "excel.csv", b"\xef\xbb\xbf" + FIXTURE.read_bytes())
    assert load_source(memory_store, path).records == 4
