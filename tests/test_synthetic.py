"""The synthetic generator, the calibrated 2009-10 cohort and the bundled Ofsted report graph."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from scrkg.loader import synthetic
from scrkg.loader.synthetic import (
    BUNDLED_COHORT,
    CSV_COLUMNS,
    calibrated_cohort_2009_10,
    estimate_triples,
    generate_file,
    generate_reviews,
    write_csv,
    write_json,
)
from scrkg.ontology import CONCEPTS_FILE, SCR, SCRC

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "loader" / "bundled"
REPORT_TTL = BUNDLED / "ofsted-2009-10.ttl"
PRESS_RELEASE = BUNDLED / "ofsted-2009-10-press-release.txt"
EXAMPLE_CSV = ROOT / "examples" / "coded-reviews.csv"
INPUT_FORMATS = ROOT / "docs" / "input-formats.md"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
QB = "http://purl.org/linked-data/cube#"
DOCUMENT = ox.NamedNode("https://w3id.org/scrkg/id/document/ofsted-2009-10-press-release")

# The codes of docs/data-model.md, by scheme: used when ontology/concepts.ttl is not there.
DATA_MODEL_SCHEMES = {
    "outcomes": {"died", "serious-harm"},
    "social-care-statuses": {
        "known-to-social-care",
        "known-no-cin-services",
        "child-in-need",
        "child-protection-plan",
        "looked-after",
        "not-known-to-social-care",
        "previously-known-case-closed",
        "social-care-status-not-recorded",
    },
    "maltreatment-types": {
        "neglect",
        "physical-abuse",
        "sexual-abuse",
        "emotional-abuse",
        "multiple-categories",
    },
    "fatal-incident-categories": {
        "infanticide-covert-homicide",
        "severe-physical-assault",
        "extreme-neglect-deprivation",
        "deliberate-overt-homicide",
        "death-related-not-caused-by-maltreatment",
    },
    "non-fatal-incident-categories": {
        "serious-physical-injury",
        "serious-sexual-abuse",
        "serious-neglect",
        "serious-emotional-harm",
        "self-harm-or-attempted-suicide",
        "sexual-exploitation",
    },
    "risk-factors": {
        "domestic-abuse",
        "parental-mental-ill-health",
        "parental-substance-misuse",
        "parental-learning-disability",
        "adverse-parental-childhood-experiences",
        "history-of-violent-crime",
        "multiple-consecutive-partners",
        "acrimonious-separation",
        "social-isolation",
        "previous-care-proceedings",
        "past-or-discontinued-cp-plan",
        "young-parents",
        "concealed-pregnancy",
        "child-disability",
        "going-missing",
        "exploitation",
        "child-self-harm",
    },
    "age-bands": {"under-1", "age-1-to-5", "age-6-to-10", "age-11-to-15", "age-16-plus"},
    "agency-types": {
        "adult-social-care",
        "adult-mental-health",
        "substance-misuse-service",
        "housing",
        "probation",
        "childrens-social-care",
        "police",
        "youth-offending-team",
        "health-visiting",
        "midwifery",
        "gp",
        "acute-hospital",
        "paediatrics",
        "camhs",
        "school-nursing",
        "ambulance",
        "schools",
        "early-years",
        "cafcass",
        "voluntary-sector",
        "border-agency",
    },
    "lesson-themes": {
        "good-practice",
        "implementing-frameworks",
        "identifying-vulnerable-children",
        "ensuring-action",
        "acting-on-concerns",
        "using-all-information",
        "information-sharing-adult-services",
        "assessments",
        "pre-birth-assessment",
        "voice-of-the-child",
        "multi-agency-working",
        "challenge-supervision-scrutiny",
        "challenging-family-accounts",
    },
    "quality-grades": {"outstanding", "good", "adequate", "inadequate"},
    "review-types": {
        "serious-case-review",
        "local-child-safeguarding-practice-review",
        "rapid-review",
        "national-review",
        "child-practice-review",
        "significant-case-review",
        "case-management-review",
    },
    "review-methods": {
        "imr-overview-report",
        "scie-learning-together",
        "silp",
        "welsh-child-practice-review",
        "hybrid",
    },
}
STATISTIC_CODES = {
    "reviews-evaluated": 147,
    "reviews-graded-good-percent": 42,
    "reviews-graded-adequate-percent": 42,
    "reviews-graded-inadequate-percent": 16,
    "children-subject": 194,
    "children-died": 90,
    "children-serious-harm": 104,
    "children-known-to-social-care": 119,
    "children-child-in-need": 90,
    "children-child-protection-plan": 49,
    "children-died-child-in-need": 31,
}
GROUPING_CONCEPTS = {"toxic-trio", "adult-facing-services"}
KNOWN = {
    "known-to-social-care",
    "known-no-cin-services",
    "child-in-need",
    "child-protection-plan",
    "looked-after",
}
CIN = {"child-in-need", "child-protection-plan", "looked-after"}
TOXIC_TRIO = {"domestic-abuse", "parental-mental-ill-health", "parental-substance-misuse"}
ADULT_FACING = {
    "adult-social-care",
    "adult-mental-health",
    "substance-misuse-service",
    "housing",
    "probation",
}
PERSONAL_FIELD = re.compile(r"name|dob|birth|address|postcode|post_code|nhs", re.IGNORECASE)


def schemes() -> dict[str, set[str]]:
    """Codes by scheme: from ontology/concepts.ttl when it exists, else from the data model."""
    if not CONCEPTS_FILE.exists():
        return DATA_MODEL_SCHEMES
    found: dict[str, set[str]] = {}
    in_scheme = "http://www.w3.org/2004/02/skos/core#inScheme"
    for quad in ox.parse(path=str(CONCEPTS_FILE), format=ox.RdfFormat.TURTLE):
        if quad.predicate.value == in_scheme and quad.subject.value.startswith(SCRC):
            scheme = quad.object.value.removeprefix(SCRC)
            found.setdefault(scheme, set()).add(quad.subject.value.removeprefix(SCRC))
    return found


def codes_in(*names: str) -> set[str]:
    every = schemes()
    codes = set().union(*(every.get(name, set()) for name in names))
    documented = set().union(*(DATA_MODEL_SCHEMES[name] for name in names))
    return (codes & documented) - GROUPING_CONCEPTS


@pytest.fixture(scope="module")
def cohort() -> list[dict]:
    return calibrated_cohort_2009_10()


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    return generate_reviews(3000, seed=11)


@pytest.fixture(scope="module")
def report() -> ox.Store:
    store = ox.Store()
    store.load(path=str(REPORT_TTL), format=ox.RdfFormat.TURTLE)
    return store


def children_of(reviews: list[dict]) -> list[dict]:
    return [child for review in reviews for child in review["children"]]


def objects(store: ox.Store, subject: object, predicate: object) -> list:
    return [quad.object for quad in store.quads_for_pattern(subject, predicate, None)]


def normalise(text: str) -> str:
    for curly, straight in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    return re.sub(r"\s+", " ", text).strip()


# -- determinism and files -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, suffix: str) -> None:
    first, again, other = (tmp_path / f"{name}{suffix}" for name in ("a", "b", "c"))
    generate_file(first, 40, 5)
    generate_file(again, 40, 5)
    generate_file(other, 40, 6)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_calibrated_cohort_is_deterministic(cohort: list[dict]) -> None:
    assert calibrated_cohort_2009_10() == cohort


def test_unknown_suffix_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.csv or \.json"):
        generate_file(tmp_path / "reviews.xlsx", 3, 1)
    assert not (tmp_path / "reviews.xlsx").exists()


def test_generate_file_returns_what_it_wrote(tmp_path: Path) -> None:
    reviews = generate_file(tmp_path / "r.JSON", 7, 3)
    document = json.loads((tmp_path / "r.JSON").read_text(encoding="utf-8"))
    assert document["dataset"]["synthetic"] is True
    assert document["dataset"]["title"]
    assert document["reviews"] == reviews == generate_reviews(7, seed=3)


def test_bad_arguments_are_refused() -> None:
    assert generate_reviews(0, seed=1) == []
    with pytest.raises(ValueError, match="0 or more"):
        generate_reviews(-1, seed=1)


def test_committed_cohort_equals_a_fresh_regeneration(tmp_path: Path) -> None:
    fresh = tmp_path / "cohort.csv"
    synthetic.write_bundled_cohort(fresh)
    assert BUNDLED_COHORT.read_bytes() == fresh.read_bytes(), (
        "loader/bundled/synthetic-cohort-2009-10.csv is stale: run"
        " `python -m scrkg.loader.synthetic` and commit it"
    )


def documented_columns() -> list[str]:
    """The CSV columns, in order, from the table in docs/input-formats.md."""
    text = INPUT_FORMATS.read_text(encoding="utf-8")
    section = text.split("## CSV", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)


@pytest.mark.parametrize("path", [BUNDLED_COHORT, EXAMPLE_CSV], ids=["cohort", "example"])
def test_csv_header_is_exactly_the_documented_columns(path: Path) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == documented_columns() == list(CSV_COLUMNS)


def test_csv_round_trips_to_the_dicts(tmp_path: Path, sample: list[dict]) -> None:
    reviews = sample[:200]
    write_csv(reviews, tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(children_of(reviews))
    by_child = {row["child_id"]: row for row in rows}
    for review in reviews:
        for child in review["children"]:
            row = by_child[child["id"]]
            assert row["review_id"] == review["id"]
            assert row["agencies"].split(";") == review["agencies"]
            lessons = [
                lesson["theme"] + "".join(f"@{a}" for a in lesson["agencies"])
                for lesson in review["lessons"]
            ]
            assert row["lessons"].split(";") == lessons
            assert row["risk_factors"] == ";".join(child["risk_factors"])
            assert row["views_sought"] == str(child.get("views_sought", ""))
            assert row["synthetic"] == "true"


def test_json_writer_writes_the_documented_shape(tmp_path: Path, sample: list[dict]) -> None:
    write_json(sample[:5], tmp_path / "r.json", title="Five", synthetic=True)
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert document["dataset"] == {"title": "Five", "synthetic": True}
    review = document["reviews"][0]
    assert {"id", "type", "board", "reporting_year", "agencies", "lessons", "children"} <= set(
        review
    )
    assert {"theme", "text", "agencies"} == set(review["lessons"][0])
    assert {"id", "age_band", "outcome", "social_care_status"} <= set(review["children"][0])


# -- the calibrated cohort reproduces the published figures -------------------------------------


def test_cohort_counts(cohort: list[dict]) -> None:
    children = children_of(cohort)
    died = [c for c in children if c["outcome"] == "died"]
    assert len(cohort) == 147 - 2
    assert len(children) == 194 - 2
    assert len(died) == 90 - 1
    assert sum(c["outcome"] == "serious-harm" for c in children) == 104 - 1
    assert sum(c["social_care_status"] in KNOWN for c in children) == 119
    assert sum(c["social_care_status"] in CIN for c in children) == 90
    assert sum(c["social_care_status"] == "child-protection-plan" for c in children) == 49
    assert sum(c["social_care_status"] in CIN for c in died) == 31
    grades = Counter(review.get("quality_grade") for review in cohort)
    assert grades == {"good": 61, "adequate": 61, "inadequate": 23}
    percents = {grade: round(100 * n / len(cohort)) for grade, n in grades.items()}
    assert percents == {"good": 42, "adequate": 42, "inadequate": 16}
    assert {review["reporting_year"] for review in cohort} == {"2009-10"}
    assert all("2009-04-01" <= r["evaluation_date"] <= "2010-03-31" for r in cohort)
    assert all(review["synthetic"] is True for review in cohort)


def case_study_children(report: ox.Store) -> list[dict]:
    rows = report.query(
        f"""SELECT ?child ?outcome ?status WHERE {{
            ?review a <{SCR}SeriousCaseReview> ; <{SCR}concernsChild> ?child .
            ?child <{SCR}outcome> ?outcome ; <{SCR}socialCareStatus> ?status .
        }}"""
    )
    return [
        {
            "outcome": row["outcome"].value.removeprefix(SCRC),
            "social_care_status": row["status"].value.removeprefix(SCRC),
            "maltreatment": [
                code.value.removeprefix(SCRC)
                for code in objects(report, row["child"], ox.NamedNode(SCR + "maltreatment"))
            ],
        }
        for row in rows
    ]


def test_cohort_with_the_case_studies_gives_the_published_figures(
    cohort: list[dict], report: ox.Store
) -> None:
    cases = case_study_children(report)
    assert len(cases) == 2
    children = children_of(cohort) + cases
    died = [c for c in children if c["outcome"] == "died"]
    graded = [review for review in cohort if review.get("quality_grade")]

    def percent(grade: str) -> int:
        return round(100 * sum(r["quality_grade"] == grade for r in graded) / len(graded))

    computed = {
        "reviews-evaluated": len(cohort) + 2,
        "reviews-graded-good-percent": percent("good"),
        "reviews-graded-adequate-percent": percent("adequate"),
        "reviews-graded-inadequate-percent": percent("inadequate"),
        "children-subject": len(children),
        "children-died": len(died),
        "children-serious-harm": sum(c["outcome"] == "serious-harm" for c in children),
        "children-known-to-social-care": sum(c["social_care_status"] in KNOWN for c in children),
        "children-child-in-need": sum(c["social_care_status"] in CIN for c in children),
        "children-child-protection-plan": sum(
            c["social_care_status"] == "child-protection-plan" for c in children
        ),
        "children-died-child-in-need": sum(c["social_care_status"] in CIN for c in died),
    }
    assert computed == published_values(report) == STATISTIC_CODES
    commonest = Counter(code for c in children for code in c["maltreatment"]).most_common(3)
    assert {code for code, _ in commonest[:2]} == {"physical-abuse", "neglect"}
    assert commonest[1][1] > commonest[2][1]


# -- what the generator draws --------------------------------------------------------------------


def test_every_code_is_a_documented_concept(cohort: list[dict], sample: list[dict]) -> None:
    fields = {
        "type": codes_in("review-types"),
        "quality_grade": codes_in("quality-grades"),
        "method": codes_in("review-methods"),
    }
    child_fields = {
        "age_band": codes_in("age-bands"),
        "outcome": codes_in("outcomes"),
        "social_care_status": codes_in("social-care-statuses"),
        "incident_category": codes_in("fatal-incident-categories", "non-fatal-incident-categories"),
    }
    agencies, themes = codes_in("agency-types"), codes_in("lesson-themes")
    maltreatment, risks = codes_in("maltreatment-types"), codes_in("risk-factors")
    for review in cohort + sample:
        for field, codes in fields.items():
            assert review.get(field) in codes | {None}, (review["id"], field)
        assert set(review["agencies"]) <= agencies
        for lesson in review["lessons"]:
            assert lesson["theme"] in themes
            assert set(lesson["agencies"]) <= set(review["agencies"])
        for child in review["children"]:
            for field, codes in child_fields.items():
                assert child.get(field) in codes | {None}, (child["id"], field)
            assert set(child["maltreatment"]) <= maltreatment
            assert set(child["risk_factors"]) <= risks


def test_records_have_the_documented_shape(sample: list[dict]) -> None:
    for review in sample:
        assert re.fullmatch(r"SYN-11-R\d{6}", review["id"])
        assert re.fullmatch(r"Synthetic (LSCB|Safeguarding Partnership) \d{3}", review["board"]), (
            review["board"]
        )
        assert review["synthetic"] is True
        assert 1 <= len(review["children"]) <= 3
        assert 3 <= len(review["agencies"]) <= 9
        assert len(set(review["agencies"])) == len(review["agencies"])
        assert 2 <= len(review["lessons"]) <= 6
        for lesson in review["lessons"]:
            assert lesson["text"].startswith("(Synthetic) ")
            if lesson["theme"] == "information-sharing-adult-services":
                assert len(lesson["agencies"]) == 1
                assert lesson["agencies"][0] in ADULT_FACING
        start = int(review["reporting_year"][:4])
        assert f"{start}-04-01" <= review["evaluation_date"] <= f"{start + 1}-03-31"
        for n, child in enumerate(review["children"], start=1):
            assert child["id"] == f"{review['id']}-C{n}"
            assert 0 <= len(child["risk_factors"]) <= 5
            assert 0 <= child.get("views_sought", 0) <= 6


def test_spreads_look_like_the_literature(sample: list[dict]) -> None:
    children = children_of(sample)
    assert 1.2 < len(children) / len(sample) < 1.4
    assert 0.40 < sum(c["outcome"] == "died" for c in children) / len(children) < 0.52
    ages = [band for band, _ in Counter(c["age_band"] for c in children).most_common(2)]
    assert ages == ["under-1", "age-11-to-15"]
    maltreatment = Counter(code for c in children for code in c["maltreatment"]).most_common(2)
    assert {code for code, _ in maltreatment} == {"physical-abuse", "neglect"}
    risks = Counter(code for c in children for code in c["risk_factors"]).most_common(3)
    assert {code for code, _ in risks} == TOXIC_TRIO
    for agency in ("childrens-social-care", "police"):
        assert sum(agency in r["agencies"] for r in sample) > 0.8 * len(sample)
    health = synthetic.HEALTH_AGENCY_TYPES
    assert sum(bool(health & set(r["agencies"])) for r in sample) > 0.9 * len(sample)
    themes = Counter(lesson["theme"] for r in sample for lesson in r["lessons"])
    assert set(themes) == codes_in("lesson-themes")
    years = Counter(review["reporting_year"] for review in sample)
    assert len(years) == 10 and min(years) == "2009-10"


def test_triples_per_review_as_documented(sample: list[dict]) -> None:
    per_review = estimate_triples(sample) / len(sample)
    assert 65 < per_review < 80


def test_no_field_looks_like_personal_data(cohort: list[dict], sample: list[dict]) -> None:
    def keys(value: object) -> set[str]:
        if isinstance(value, dict):
            return set(value) | set().union(*(keys(v) for v in value.values()))
        if isinstance(value, list):
            return set().union(*(keys(v) for v in value))
        return set()

    every_key = keys(cohort) | keys(sample)
    assert not {key for key in every_key if PERSONAL_FIELD.search(key)}
    assert not [c for c in CSV_COLUMNS if PERSONAL_FIELD.search(c)]
    text = BUNDLED_COHORT.read_text(encoding="utf-8")
    dates = set(re.findall(r"\d{4}-\d{2}-\d{2}", text))
    assert dates == {r["evaluation_date"] for r in cohort}  # the only dates: evaluation dates
    assert not re.search(r"\b\d{3} ?\d{3} ?\d{4}\b", text)  # nothing like an NHS number
    assert not re.search(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", text)  # nor a postcode


# -- the hand-written example -------------------------------------------------------------------


def test_example_csv_is_consistent() -> None:
    with EXAMPLE_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    review_columns = CSV_COLUMNS[: CSV_COLUMNS.index("child_id")]
    reviews: dict[str, dict] = {}
    for row in rows:
        assert row["review_id"].startswith("EXAMPLE-")
        assert row["child_id"].startswith(row["review_id"] + "-C")
        assert row["synthetic"] == "true"
        seen = reviews.setdefault(row["review_id"], row)
        assert all(seen[c] == row[c] for c in review_columns), "review columns must agree"
        agencies = row["agencies"].split(";")
        assert set(agencies) <= codes_in("agency-types")
        for item in row["lessons"].split(";"):
            theme, _, agency = item.partition("@")
            assert theme in codes_in("lesson-themes")
            assert not agency or agency in agencies
        assert row["age_band"] in codes_in("age-bands")
        assert row["social_care_status"] in codes_in("social-care-statuses")
    assert 2 <= len(reviews) <= 3


# -- the bundled report graph --------------------------------------------------------------------


def published_values(report: ox.Store) -> dict[str, int]:
    rows = report.query(
        f"""SELECT ?statistic ?value WHERE {{
            ?obs a <{QB}Observation> ; <{SCR}statistic> ?statistic ; <{SCR}figureValue> ?value .
        }}"""
    )
    return {row["statistic"].value.removeprefix(SCRC): int(row["value"].value) for row in rows}


def instances(store: ox.Store, cls: str) -> list:
    kind = ox.NamedNode(RDF + "type")
    return [quad.subject for quad in store.quads_for_pattern(None, kind, ox.NamedNode(cls))]


def test_report_has_eleven_observations_with_quotes(report: ox.Store) -> None:
    observations = instances(report, QB + "Observation")
    assert len(observations) == 11
    assert published_values(report) == STATISTIC_CODES
    for observation in observations:

        def values(predicate: str, obs: ox.NamedNode = observation) -> list:
            return objects(report, obs, ox.NamedNode(predicate))

        assert len(values(SCR + "quote")) == 1
        assert values(SCR + "refPeriod") == [ox.Literal("2009-10")]
        [value] = values(SCR + "figureValue")
        assert value.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
        [unit] = values(SCR + "unit")
        assert unit.value in (SCRC + "unit-count", SCRC + "unit-percent")
        assert values(PROV_DERIVED.value) == [DOCUMENT]
        assert len(values(QB + "dataSet")) == 1


def test_every_quote_is_verbatim_from_the_press_release(report: ox.Store) -> None:
    source = normalise(PRESS_RELEASE.read_text(encoding="utf-8"))
    quotes = [quote.value for quote in objects(report, None, ox.NamedNode(SCR + "quote"))]
    assert len(quotes) > 11
    for quote in quotes:
        assert normalise(quote) in source, quote


def test_press_release_copy_matches_the_checksum_recorded_in_sources_md() -> None:
    """The bundled copy is unmodified: its checksum is the one SOURCES.md records."""
    recorded = re.search(r"sha256:([0-9a-f]{64})", (BUNDLED / "SOURCES.md").read_text()).group(1)
    assert hashlib.sha256(PRESS_RELEASE.read_bytes()).hexdigest() == recorded


def test_statements_rest_on_asserted_triples_with_quotes(report: ox.Store) -> None:
    statements = instances(report, RDF + "Statement")
    assert len(statements) >= 40
    for statement in statements:

        def one(predicate: str, node: ox.NamedNode = statement):
            [value] = objects(report, node, ox.NamedNode(predicate))
            return value

        assert statement.value.startswith("https://w3id.org/scrkg/id/statement/ofsted-2009-10/")
        triple = (one(RDF + "subject"), one(RDF + "predicate"), one(RDF + "object"))
        assert list(report.quads_for_pattern(*triple)), f"{statement} describes no asserted triple"
        assert one(SCR + "quote").value
        assert one(PROV_DERIVED.value) == DOCUMENT


def test_case_studies_are_drawn_from_the_source_not_synthetic(report: ox.Store) -> None:
    base = "https://w3id.org/scrkg/id/"
    for case in ("OFSTED-2009-10-CS1", "OFSTED-2009-10-CS2"):
        review = ox.NamedNode(f"{base}review/{case}")
        child = ox.NamedNode(f"{base}child/{case}-C1")
        for node in (review, child):
            assert list(report.quads_for_pattern(node, PROV_DERIVED, DOCUMENT))
            assert not objects(report, node, ox.NamedNode(SCR + "isSynthetic"))
        assert not objects(report, review, ox.NamedNode(SCR + "qualityGrade"))
        assert objects(report, review, ox.NamedNode(SCR + "reportingYear")) == [
            ox.Literal("2009-10")
        ]


def test_report_graph_uses_documented_codes_and_labels_everything(report: ox.Store) -> None:
    documented = set().union(*DATA_MODEL_SCHEMES.values()) | set(STATISTIC_CODES)
    documented |= {"unit-count", "unit-percent"}
    used = {
        term.value.removeprefix(SCRC)
        for quad in report
        for term in (quad.object,)
        if isinstance(term, ox.NamedNode) and term.value.startswith(SCRC)
    }
    assert used <= documented
    assert used <= set().union(*schemes().values()) | {"unit-count", "unit-percent"}
    subjects = {quad.subject for quad in report}
    unlabelled = [s for s in subjects if not objects(report, s, RDFS_LABEL)]
    assert not unlabelled


def test_report_graph_holds_no_personal_data(report: ox.Store) -> None:
    literals = " ".join(quad.object.value for quad in report if isinstance(quad.object, ox.Literal))
    assert not re.search(r"\d{4} ?\d{6}|\d{3} \d{4} \d{4}|0300", literals)  # phone numbers
    assert "Gilbert" not in literals
