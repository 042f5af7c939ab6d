"""The synthetic generator, its plausibility rules, the calibrated 2009-10 cohort, the marking of
every synthetic node, and the bundled Ofsted report graph."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from scrkg.cli import main
from scrkg.graph.store import MemoryStore
from scrkg.loader import load_source, synthetic
from scrkg.loader.mapping import Mapper
from scrkg.loader.records import Child, Review, Vocabulary
from scrkg.loader.synthetic import (
    BUNDLED_COHORT,
    CSV_COLUMNS,
    RULES,
    RULES_FILE,
    broken_rules,
    calibrated_cohort_2009_10,
    estimate_triples,
    generate_file,
    generate_reviews,
    load_rules,
    read_csv,
    write_csv,
    write_json,
)
from scrkg.ontology import DEFAULT_BASE, SCR, SCRC, concept_schemes, narrower_codes

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

# The codes of docs/data-model.md, by scheme: the contract the generator keeps to (the
# ontology has more, from later reviews).
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
# The groups the published figures count, as the ontology nests them (skos:broader).
KNOWN = {"known-to-social-care", *narrower_codes("known-to-social-care")}
CIN = {"child-in-need", *narrower_codes("child-in-need")}
TOXIC_TRIO = set(narrower_codes("toxic-trio", transitive=False))
ADULT_FACING = set(narrower_codes("adult-facing-services"))
PERSONAL_FIELD = re.compile(r"name|dob|birth|address|postcode|post_code|nhs", re.IGNORECASE)


def schemes() -> dict[str, set[str]]:
    """Codes by scheme, from ontology/concepts.ttl."""
    return {name: set(codes) for name, codes in concept_schemes().items()}


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


def optional_columns() -> set[str]:
    """The columns the table in docs/input-formats.md marks as not required."""
    text = INPUT_FORMATS.read_text(encoding="utf-8")
    section = text.split("## CSV", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_N]+)` \| no \|", section, flags=re.MULTILINE))


@pytest.mark.parametrize("path", [BUNDLED_COHORT, EXAMPLE_CSV], ids=["cohort", "example"])
def test_csv_header_is_the_documented_columns_of_its_period(path: Path) -> None:
    """The 2009-10 files carry the documented columns in their documented order, leaving out
    only optional ones (those of the reviews since 2018)."""
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    documented = documented_columns()
    assert header == list(CSV_COLUMNS)
    assert header == [column for column in documented if column in header]
    assert set(documented) - set(header) <= optional_columns()


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
    assert 80 < per_review < 89  # "about 84"


def test_estimate_triples_is_what_the_loader_maps(tmp_path: Path) -> None:
    path = tmp_path / "generated.csv"
    reviews = generate_file(path, 60, 4)
    store = MemoryStore()
    load_source(store, path)
    graph = DEFAULT_BASE + "graph/generated"
    records = [
        quad
        for quad in store.quads(graph)
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value != graph
    ]
    assert len(records) == estimate_triples(reviews)


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


# -- the plausibility rules ---------------------------------------------------------------------


def rule_ids(review: dict) -> set[str]:
    return {rule for rule, _ in broken_rules(review)}


def test_the_rules_are_read_from_the_data_file() -> None:
    assert load_rules(RULES_FILE) == RULES
    assert RULES_FILE.parent == BUNDLED
    assert len(RULES) >= 15
    assert len({rule.id for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.statement.strip() and rule.source.strip() and rule.then


def test_the_bundled_cohort_breaks_no_rule() -> None:
    reviews = read_csv(BUNDLED_COHORT)
    assert len(reviews) == 145
    assert sum(len(review["children"]) for review in reviews) == 192
    assert [broken for review in reviews if (broken := broken_rules(review))] == []


@pytest.mark.parametrize(
    "seed, size, suffix",
    [(1, 500, ".csv"), (7, 500, ".json"), (2024, 500, ".csv"), (99, 120, ".csv")],
)
def test_scrkg_generate_output_breaks_no_rule(
    runner, tmp_path: Path, seed: int, size: int, suffix: str
) -> None:
    path = tmp_path / f"generated{suffix}"
    args = ["generate", "--reviews", str(size), "--seed", str(seed), "-o", str(path)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        reviews = read_csv(path)
    else:
        reviews = json.loads(path.read_text(encoding="utf-8"))["reviews"]
    assert len(reviews) == size
    assert [broken for review in reviews if (broken := broken_rules(review))] == []


@pytest.mark.parametrize("start_year, n_years", [(2005, 20), (2016, 4)])
def test_generated_reviews_of_other_years_break_no_rule(start_year: int, n_years: int) -> None:
    """Years before Ofsted graded reviews, and the change to practice reviews, keep the rules."""
    reviews = generate_reviews(400, seed=5, start_year=start_year, n_years=n_years)
    assert [broken for review in reviews if (broken := broken_rules(review))] == []


def test_the_sample_and_the_cohort_break_no_rule(cohort: list[dict], sample: list[dict]) -> None:
    assert [broken for review in cohort + sample if (broken := broken_rules(review))] == []


def plausible_review(**changes: object) -> dict:
    """A review about one 12-year-old that breaks no rule, with ``changes`` made to it (a key
    ``child`` holds changes to the child; None removes a key)."""
    child = {
        "id": "SYN-T-R000001-C1",
        "age_band": "age-11-to-15",
        "outcome": "serious-harm",
        "social_care_status": "child-in-need",
        "maltreatment": ["physical-abuse"],
        "risk_factors": ["domestic-abuse"],
        "incident_category": "serious-physical-injury",
        "views_sought": 1,
    }
    child.update(changes.pop("child", {}))
    child = {key: value for key, value in child.items() if value is not None}
    review = {
        "id": "SYN-T-R000001",
        "type": "serious-case-review",
        "board": "Synthetic LSCB 001",
        "reporting_year": "2009-10",
        "evaluation_date": "2009-06-01",
        "quality_grade": "good",
        "method": "imr-overview-report",
        "synthetic": True,
        "agencies": ["childrens-social-care", "police", "gp", "schools", "adult-mental-health"],
        "lessons": [{"theme": "voice-of-the-child", "text": "(Synthetic) x", "agencies": []}],
        "children": [child],
    }
    review.update(changes)
    return {key: value for key, value in review.items() if value is not None}


BABY = {"age_band": "under-1", "views_sought": None, "maltreatment": ["neglect"]}
BABY_CHILD = {**BABY, "incident_category": "serious-neglect"}
NO_SCHOOL = ["childrens-social-care", "police", "health-visiting", "gp"]
LESSON = [{"theme": "multi-agency-working", "text": "(Synthetic) x", "agencies": []}]


# For each rule, a record that breaks it and no other rule.
BREAKING = {
    "known-child-has-childrens-social-care": plausible_review(
        agencies=["police", "gp", "adult-mental-health"],
        child={"outcome": "died", "incident_category": "severe-physical-assault"},
    ),
    "past-plan-child-was-known": plausible_review(
        child={
            "social_care_status": "not-known-to-social-care",
            "risk_factors": ["past-or-discontinued-cp-plan"],
        }
    ),
    "fatal-category-only-for-deaths": plausible_review(
        child={"incident_category": "severe-physical-assault"}
    ),
    "non-fatal-category-only-for-serious-harm": plausible_review(child={"outcome": "died"}),
    "physical-incident-needs-physical-abuse": plausible_review(
        child={"maltreatment": ["emotional-abuse"]}
    ),
    "neglect-incident-needs-neglect": plausible_review(
        child={"incident_category": "serious-neglect"}
    ),
    "sexual-incident-needs-sexual-abuse": plausible_review(
        child={"incident_category": "serious-sexual-abuse"}
    ),
    "multiple-categories-stands-alone": plausible_review(
        child={"maltreatment": ["multiple-categories", "physical-abuse"]}
    ),
    # the baby under one who died, coded with sexual abuse and a death not caused by maltreatment
    "baby-no-sexual-abuse": plausible_review(
        agencies=NO_SCHOOL,
        lessons=LESSON,
        child={
            **BABY,
            "outcome": "died",
            "maltreatment": ["sexual-abuse"],
            "incident_category": "death-related-not-caused-by-maltreatment",
        },
    ),
    "infanticide-only-young-children": plausible_review(
        child={
            "age_band": "age-6-to-10",
            "outcome": "died",
            "incident_category": "infanticide-covert-homicide",
        }
    ),
    "older-child-harms-not-under-six": plausible_review(
        child={"age_band": "age-1-to-5", "risk_factors": ["going-missing"]}
    ),
    "baby-views-not-coded": plausible_review(
        agencies=NO_SCHOOL,
        lessons=LESSON,
        child={**BABY_CHILD, "views_sought": 0},
    ),
    "no-outstanding-grade": plausible_review(quality_grade="outstanding"),
    "grade-only-for-ofsted-evaluated-scr": plausible_review(
        reporting_year="2015-16", evaluation_date="2015-06-01"
    ),
    "lcspr-from-2018-19": plausible_review(
        type="local-child-safeguarding-practice-review",
        reporting_year="2015-16",
        evaluation_date=None,
        quality_grade=None,
    ),
    "adult-services-lesson-needs-adult-agency": plausible_review(
        agencies=["childrens-social-care", "police", "gp", "schools"],
        lessons=[
            {"theme": "information-sharing-adult-services", "text": "(Synthetic) x", "agencies": []}
        ],
    ),
    "pre-birth-lesson-needs-baby": plausible_review(
        lessons=[{"theme": "pre-birth-assessment", "text": "(Synthetic) x", "agencies": []}]
    ),
    "voice-lesson-needs-older-child": plausible_review(agencies=NO_SCHOOL, child=BABY_CHILD),
    "no-school-for-babies": plausible_review(lessons=LESSON, child=BABY_CHILD),
    "no-early-years-for-older-children": plausible_review(
        agencies=["childrens-social-care", "police", "gp", "early-years", "adult-mental-health"]
    ),
}


def test_the_plausible_review_breaks_no_rule() -> None:
    assert broken_rules(plausible_review()) == []


def test_every_rule_has_a_breaking_record_here() -> None:
    assert set(BREAKING) == {rule.id for rule in RULES}


@pytest.mark.parametrize("rule_id", sorted(BREAKING))
def test_a_record_breaking_a_rule_is_reported_by_that_rule_id(rule_id: str) -> None:
    assert rule_ids(BREAKING[rule_id]) == {rule_id}


def test_a_child_rule_names_the_child_and_a_review_rule_the_review() -> None:
    review = plausible_review(
        quality_grade="outstanding",
        child={"incident_category": "severe-physical-assault"},
    )
    assert sorted(broken_rules(review)) == [
        ("fatal-category-only-for-deaths", "SYN-T-R000001-C1"),
        ("no-outstanding-grade", "SYN-T-R000001"),
    ]


def test_a_review_rule_sees_all_the_children_together() -> None:
    baby = plausible_review(child={"id": "SYN-T-R000001-C2", **BABY_CHILD})["children"][0]
    # a school with a baby and a 12-year-old is plausible; with the baby alone it is not
    review = plausible_review()
    review["children"].append(baby)
    assert broken_rules(review) == []
    review["children"] = [baby]
    assert rule_ids(review) == {"no-school-for-babies", "voice-lesson-needs-older-child"}


@pytest.mark.parametrize(
    "text, message",
    [
        ('[[rule]]\nid = "x"\n', "exactly the keys"),
        (
            '[[rule]]\nid = "x"\nstatement = "s"\nscope = "child"\nsource = "s"\n'
            "when = {}\nthen = { nickname = { present = false } }\n",
            "'nickname' is not a field",
        ),
        (
            '[[rule]]\nid = "x"\nstatement = "s"\nscope = "child"\nsource = "s"\n'
            'when = {}\nthen = { age_band = { roughly = ["under-1"] } }\n',
            "age_band.roughly is not a known test",
        ),
        (
            '[[rule]]\nid = "x"\nstatement = "s"\nscope = "child"\nsource = "s"\n'
            "when = {}\nthen = { age_band = { present = false } }\n" * 2,
            "must be unique",
        ),
        ("", "holds no"),
    ],
)
def test_a_bad_rules_file_is_refused_clearly(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        load_rules(path)


def test_read_csv_reads_back_what_write_csv_wrote(tmp_path: Path, sample: list[dict]) -> None:
    reviews = sample[:50] + generate_reviews(20, seed=3, start_year=2016, n_years=4)
    write_csv(reviews, tmp_path / "r.csv")
    without_texts = [
        {**r, "lessons": [{k: v for k, v in x.items() if k != "text"} for x in r["lessons"]]}
        for r in reviews
    ]
    assert read_csv(tmp_path / "r.csv") == without_texts


# -- every synthetic node says so ----------------------------------------------------------------


IS_SYNTHETIC = ox.NamedNode(SCR + "isSynthetic")
TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


def minted_subjects(store: MemoryStore, graph: str) -> set[ox.NamedNode]:
    """The IRIs the graph says something about that the loader minted (under the instance
    base), not ontology or concept IRIs."""
    return {
        quad.subject
        for quad in store.quads(graph)
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(DEFAULT_BASE)
    }


def test_every_node_of_the_synthetic_graph_is_marked_synthetic(bundled_store: MemoryStore) -> None:
    graph = DEFAULT_BASE + "graph/synthetic-cohort-2009-10"
    subjects = minted_subjects(bundled_store, graph)
    marked = {
        quad.subject
        for quad in bundled_store.quads(graph)
        if quad.predicate == IS_SYNTHETIC and quad.object == TRUE
    }
    assert sorted(s.value for s in subjects - marked) == []
    kinds = Counter(s.value.removeprefix(DEFAULT_BASE).split("/")[0] for s in subjects)
    assert kinds["review"] == 145 and kinds["child"] == 192 and kinds["graph"] == 1
    assert {"agency", "lesson", "incident", "board"} <= set(kinds)


def test_no_node_of_the_report_graph_is_marked_synthetic(bundled_store: MemoryStore) -> None:
    graph = DEFAULT_BASE + "graph/ofsted-2009-10"
    subjects = minted_subjects(bundled_store, graph)
    assert len(subjects) > 40
    assert not [quad for quad in bundled_store.quads(graph) if quad.predicate == IS_SYNTHETIC]
    # nor in any other graph: no node of the report is synthetic anywhere
    assert not [
        quad
        for subject in subjects
        for quad in bundled_store.quads()
        if quad.subject == subject and quad.predicate == IS_SYNTHETIC
    ]


def test_a_board_a_real_review_also_names_is_not_marked() -> None:
    def review(review_id: str, board: str, *, synthetic: bool) -> Review:
        child = Child(f"{review_id}-C1", "age-1-to-5", "died", "child-in-need")
        return Review(
            review_id, "serious-case-review", board, "2009-10", ("police",),
            synthetic=synthetic, children=[child],
        )  # fmt: skip

    reviews = [
        review("S-1", "Shared LSCB", synthetic=True),
        review("R-1", "Shared LSCB", synthetic=False),
        review("S-2", "Made-up LSCB", synthetic=True),
    ]
    triples = list(Mapper(Vocabulary.from_file()).triples(reviews))
    marked = {
        t.subject.value.removeprefix(DEFAULT_BASE) for t in triples if t.predicate == IS_SYNTHETIC
    }
    assert marked == {
        "review/S-1", "child/S-1-C1", "agency/S-1/police",
        "review/S-2", "child/S-2-C1", "agency/S-2/police", "board/made-up-lscb",
    }  # fmt: skip


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
