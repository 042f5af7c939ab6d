"""The loader's small parts: IRI minting, the personal-data guard, error messages, the bundled
load, and the ontology graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from scrkg.graph.store import MemoryStore
from scrkg.loader import RuleError, load_bundled, load_source
from scrkg.loader.errors import LoadError, ProblemLog, TooManyProblems
from scrkg.loader.guard import personal_field, personal_predicate, personal_value
from scrkg.loader.iris import Minter, check_base, encode_id, slug
from scrkg.loader.load import BUNDLED_SOURCES
from scrkg.loader.records import GROUPING_CONCEPTS, Vocabulary
from scrkg.ontology import DEFAULT_BASE, ONTOLOGY_IRI, SCR

# -- IRIs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, encoded",
    [
        ("R-001_a.b~c", "R-001_a.b~c"),
        ("a b", "a%20b"),
        ("a/b?c#d", "a%2Fb%3Fc%23d"),
        ('a> <x:isAdmin> "true" . <b', "a%3E%20%3Cx%3AisAdmin%3E%20%22true%22%20.%20%3Cb"),
        ("Ynys Môn", "Ynys%20M%C3%B4n"),
        ("..", "%2E%2E"),
        ("%41", "%2541"),
    ],
)
def test_ids_keep_unreserved_characters_and_encode_the_rest(text, encoded):
    assert encode_id(text) == encoded
    ox.NamedNode(DEFAULT_BASE + "review/" + encoded)  # a valid IRI


def test_minted_iris_follow_the_data_model():
    mint = Minter()
    assert mint.review("R 1").value == DEFAULT_BASE + "review/R%201"
    assert mint.child("C1").value == DEFAULT_BASE + "child/C1"
    assert mint.incident("C1").value == DEFAULT_BASE + "incident/C1"
    assert mint.agency("R1", "police").value == DEFAULT_BASE + "agency/R1/police"
    assert mint.lesson("R1", 2).value == DEFAULT_BASE + "lesson/R1/2"
    assert (
        mint.board("Testshire  LSCB (North)").value == DEFAULT_BASE + "board/testshire-lscb-north"
    )
    assert (
        mint.graph("Synthetic Cohort 2009-10").value
        == DEFAULT_BASE + "graph/synthetic-cohort-2009-10"
    )


def test_slug_never_comes_out_empty():
    assert slug("!!!") == "%21%21%21"


@pytest.mark.parametrize("base", ["not an iri", "https://example.org/no-slash", "relative/"])
def test_a_bad_base_is_refused(base):
    with pytest.raises(ValueError):
        check_base(base)


def test_another_base_is_used_for_every_iri():
    assert (
        Minter("https://example.org/id/").review("R1").value == "https://example.org/id/review/R1"
    )


# -- the personal-data guard -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["name", "first_name", "Surname", "forename", "DOB", "date_of_birth", "Date of Birth",
     "dateOfBirth", "birthDate", "place_of_birth", "address", "home_address", "postcode",
     "post code", "NHS number", "nhs_no", "NHSNumber", "ni_number", "phone", "email", "e-mail",
     "givenName", "familyName"],
)  # fmt: skip
def test_personal_field_names_are_recognised(name):
    assert personal_field(name) is not None


@pytest.mark.parametrize(
    "name",
    ["review_id", "review_type", "board", "reporting_year", "evaluation_date", "quality_grade",
     "review_method", "agencies", "lessons", "child_id", "age_band", "outcome",
     "social_care_status", "maltreatment", "risk_factors", "incident_category", "views_sought",
     "synthetic", "label", "prefLabel", "title", "comment"],
)  # fmt: skip
def test_documented_fields_are_not_personal(name):
    assert personal_field(name) is None


@pytest.mark.parametrize(
    "value, kind",
    [
        ("ZZ99 9ZZ", "postcode"),
        ("zz99 9zz", "postcode"),
        ("moved to ZZ1 9ZZ last year", "postcode"),
        ("9991234567", "NHS number"),
        ("999 123 4567", "NHS number"),
        ("someone@example.invalid", "e-mail"),
    ],
)
def test_personal_values_are_recognised(value, kind):
    found = personal_value(value)
    assert found is not None and kind in found


@pytest.mark.parametrize("value", ["01/02/2008", "2008-02-01", "1 February 2008", "Feb 1, 2008"])
def test_dates_are_refused_in_free_text_only(value):
    assert personal_value(value, free_text=True) is not None
    assert personal_value(value, free_text=False) is None


@pytest.mark.parametrize(
    "value",
    ["R-001", "SYN-1-R000001-C1", "T-001-C1", "Synthetic LSCB 035", "2009-10",
     "information-sharing-adult-services@adult-mental-health", "147 reviews in 2009-10",
     "between 1 April 2009 and 31 March 2010"],
)  # fmt: skip
def test_ordinary_values_pass(value):
    assert personal_value(value) is None


def test_personal_predicates():
    assert personal_predicate("http://xmlns.com/foaf/0.1/name")
    assert personal_predicate("http://schema.org/birthDate")
    assert personal_predicate("http://www.w3.org/2006/vcard/ns#role")
    assert personal_predicate("http://example.org/nhsNumber")
    assert personal_predicate("http://www.w3.org/2000/01/rdf-schema#label") is None
    assert personal_predicate(SCR + "socialCareStatus") is None
    assert personal_predicate("urn:example:person:birthDate")  # a URN's last part is its name
    assert personal_predicate("http://example.org/terms/") is None


# -- errors ----------------------------------------------------------------------------------------


def test_an_error_is_one_line_naming_file_location_field_and_rule():
    error = RuleError(
        "'dead' is not a code of scrc:outcomes (use died or serious-harm)",
        file="cohort.csv",
        location="row 7",
        field="outcome",
        rule="concept-code",
    )
    assert str(error) == (
        "cohort.csv, row 7, field outcome: 'dead' is not a code of scrc:outcomes "
        "(use died or serious-harm)"
    )
    assert (error.file, error.location, error.field, error.rule) == (
        "cohort.csv", "row 7", "outcome", "concept-code",
    )  # fmt: skip
    assert error.problems == [error]


def test_a_json_path_location_does_not_repeat_the_field():
    error = RuleError(
        "bad", file="r.json", location="reviews[3].children[0].outcome", field="outcome"
    )
    assert str(error) == "r.json, reviews[3].children[0].outcome: bad"


def test_the_problem_log_stops_at_its_limit():
    log = ProblemLog("f.csv", limit=3)
    log.add(RuleError("one"))
    log.add(RuleError("two"))
    with pytest.raises(TooManyProblems):
        log.add(RuleError("three"))
    error = log.error()
    assert isinstance(error, LoadError)
    assert len(error.problems) == 3
    assert str(error).splitlines()[0] == "f.csv: one (and 2 more, stopped reading there)"


# -- vocabulary, bundled data, ontology graph ------------------------------------------------------


def test_vocabulary_reads_schemes_labels_and_review_classes():
    vocabulary = Vocabulary.from_file()
    assert vocabulary.schemes["outcomes"] == {"died", "serious-harm"}
    assert vocabulary.review_classes["serious-case-review"] == SCR + "SeriousCaseReview"
    assert vocabulary.label("serious-case-review") == "Serious case review"
    for code in GROUPING_CONCEPTS:
        assert any(code in codes for codes in vocabulary.schemes.values())


class CountingStore(MemoryStore):
    """A memory store that counts its replace_graphs calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []

    def replace_graphs(self, graphs):
        self.calls.append(sorted(graphs))
        super().replace_graphs(graphs)


@pytest.mark.slow
def test_load_bundled_writes_once_and_is_idempotent():
    store = CountingStore()
    results = load_bundled(store)

    assert [r.status for r in results] == ["loaded", "loaded"]
    assert store.calls == [
        sorted([
            ONTOLOGY_IRI,
            DEFAULT_BASE + "graph/ofsted-2009-10",
            DEFAULT_BASE + "graph/synthetic-cohort-2009-10",
        ])
    ]  # fmt: skip
    cohort = DEFAULT_BASE + "graph/synthetic-cohort-2009-10"
    assert store.graph_value(cohort, SCR + "isSynthetic") == "true"
    before = set(store.quads())

    again = load_bundled(store)
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    assert len(store.calls) == 1
    assert set(store.quads()) == before


def test_the_ontology_graph_is_written_once_and_kept(tmp_path):
    store = CountingStore()
    source = tmp_path / "one.ttl"
    source.write_text("<http://example.org/a> <http://example.org/p> 1 .\n", encoding="utf-8")
    load_source(store, source)
    assert ONTOLOGY_IRI in store.calls[0]
    assert store.graph_value(ONTOLOGY_IRI, SCR + "checksum").startswith("sha256:")
    source.write_text("<http://example.org/a> <http://example.org/p> 2 .\n", encoding="utf-8")
    load_source(store, source)
    assert ONTOLOGY_IRI not in store.calls[1]


def test_bundled_sources_exist():
    for path in BUNDLED_SOURCES:
        assert path.is_file(), path


def test_a_shacl_violation_is_reported_at_the_row_behind_its_focus_node():
    from scrkg.loader.errors import ShapeError
    from scrkg.loader.mapping import FIELD_OF_PREDICATE
    from scrkg.loader.validation import Violation, report

    violation = Violation(
        severity="Violation",
        focus=DEFAULT_BASE + "child/C1",
        path=SCR + "outcome",
        value=None,
        message="A child needs exactly one scr:outcome: died or serious-harm.",
        shape=None,
    )
    log = ProblemLog("cohort.csv")
    warnings = report(
        [violation], log, locations={violation.focus: "row 7"}, fields=FIELD_OF_PREDICATE
    )
    assert warnings == []
    (problem,) = log.problems
    assert isinstance(problem, ShapeError)
    assert str(problem) == (
        "cohort.csv, row 7, field outcome: A child needs exactly one scr:outcome: died or "
        "serious-harm (SHACL: focus id:child/C1, path scr:outcome)"
    )


def test_a_bad_base_is_a_load_error(memory_store):
    with pytest.raises(LoadError, match="must end with '/' or '#'"):
        load_source(memory_store, BUNDLED_SOURCES[1], base="https://example.org/id")
    assert memory_store.named_graphs() == []


# -- SHACL validation ------------------------------------------------------------------------------


def test_validation_beside_the_ontology_finds_what_validation_of_one_merged_graph_finds(
    bundled_store,
):
    # The ontology and concepts are handed to pySHACL beside the data, not copied into it; the
    # violations must be those of one graph holding all of them (every other quad of the bundled
    # data, so that many links point at records left out, and an unknown concept).
    import rdflib
    from pyshacl import validate

    from scrkg.loader.validation import RdflibTerms, ShapesValidator, _results

    quads = list(bundled_store._reader().quads_for_pattern(None, None, None, None))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads[::2]]
    review = ox.NamedNode(DEFAULT_BASE + "review/unknown-outcome")
    triples += [
        ox.Triple(
            review, ox.NamedNode(str(rdflib.RDF.type)), ox.NamedNode(SCR + "SeriousCaseReview")
        ),
        ox.Triple(review, ox.NamedNode(SCR + "outcome"), ox.NamedNode(SCR + "no-such-outcome")),
    ]
    validator = ShapesValidator()
    background = len(validator.background)
    merged = rdflib.Graph()
    convert = RdflibTerms()
    for triple in validator.background:
        merged.add(triple)
    for triple in triples:
        merged.add(convert.triple(triple))
    _, results, _ = validate(merged, shacl_graph=validator.shapes, inference="none",
                             advanced=False, allow_warnings=True, allow_infos=True)  # fmt: skip
    found = validator.violations(triples)
    assert found == _results(results)
    assert any(v.focus == review.value for v in found) and len(found) > 100
    assert len(validator.background) == background  # nothing was added to the ontology's graph
