"""The saved SPARQL queries of ontology/queries/: they parse, say what they are, and answer.

Three data sets: a small synthetic cohort built here, shaped to reproduce the published 2009-10
figures exactly (so the counting rules of 00-published-figures are checked against known
answers); a handful of hand-made records where every answer is known (small pairs, babies,
synthetic and real records side by side); and the bundled data (`bundled_store`, a fixture of
tests/conftest.py).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate

from scrkg.ontology import CONCEPTS_FILE, ONTOLOGY_FILE, QUERIES_DIR, SHAPES_FILE

SCR = "https://w3id.org/scrkg/def#"
SCRC = "https://w3id.org/scrkg/concept/"
BASE = "https://w3id.org/scrkg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QB = "http://purl.org/linked-data/cube#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"

QUERY_FILES = sorted(QUERIES_DIR.glob("*.rq"))
EXPECTED_QUERIES = [f"{n:02d}" for n in range(13)]

# Queries whose rows name records: each has a `synthetic` column.
LISTING_QUERIES = [
    "05-toxic-trio-children",
    "07-adult-services-not-sharing",
    "10-voice-of-child-sought-once",
    "11-quality-grades",
    "12-single-source-statements",
]
# Queries over today's reviews (since 2018), which the 2009-10 data does not hold: they are run on
# examples/todays-reviews.csv by tests/test_todays_reviews.py.
TODAYS_REVIEWS_QUERIES = ["14-recommendations"]
# Queries that count records: each gives the same counts over real records only, side by side
# (a column named realX beside X).
COUNTING_QUERIES = {
    "01-figures-by-period": ["reviews", "children", "died", "seriousHarm"],
    "02-social-care-by-outcome": [
        "children",
        "knownToSocialCare",
        "childInNeed",
        "childProtectionPlan",
    ],
    "03-maltreatment-by-age-and-outcome": ["children"],
    "04-risk-factor-pairs": ["children", "deaths", "deathPercent", "fewCases"],
    "05-toxic-trio-by-outcome": ["children", "withToxicTrio", "toxicTrioPercent"],
    "06-agency-type-pairs": ["reviews"],
    "08-lesson-themes-and-agencies": ["reviews", "lessons", "lessonsConcerningAgencyType"],
    "09-lessons-baby-deaths": ["reviews", "lessons"],
    "10-voice-of-child-sought-once": ["soughtAtMostOnce", "childrenWithViewsRecorded"],
    "11-quality-grades": ["reviews", "boardInadequateReviews"],
}

# The figures of Ofsted's Learning lessons from serious case reviews 2009-2010.
PUBLISHED_2009_10 = {
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


def read_query(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def header(path: Path) -> dict[str, str]:
    """The `# key: value` comment lines at the top of a saved query."""
    fields = {}
    for line in read_query(path).splitlines():
        match = re.match(r"#\s*(\w+):\s*(.+)$", line)
        if not match:
            break
        fields[match.group(1)] = match.group(2).strip()
    return fields


# --------------------------------------------------------------------------------------------
# A synthetic cohort that reproduces the 2009-10 figures
# --------------------------------------------------------------------------------------------


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(value: str, datatype: str | None = None) -> str:
    text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{text}^^<{datatype}>" if datatype else text


def build_cohort() -> str:
    """N-Triples of 147 reviews and 194 children matching the 2009-10 figures, plus the figures.

    Children 0-89 died, 90-193 were seriously harmed. Child in need: 0-30 (died) and 90-148
    (31 + 59 = 90); of them on a child protection plan: 0-19 and 90-118 (20 + 29 = 49), looked
    after: 20-22. Known but not receiving CIN services: 31-59 (29, so 119 known). Grades: reviews
    0-1 carry none, then 61 good, 61 adequate, 23 inadequate (42%, 42%, 16% of 145).
    """
    t: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        t.append(f"{s} {p} {o} .")

    a, label = _iri(RDF_TYPE), _iri(RDFS_LABEL)
    properties = [
        "concernsChild",
        "involvedAgency",
        "identifiesLesson",
        "hasRiskFactor",
        "maltreatment",
        "outcome",
        "socialCareStatus",
        "qualityGrade",
        "agencyType",
        "lessonTheme",
        "concernsAgency",
        "commissionedBy",
        "reportingYear",
        "ageBand",
        "viewsSoughtCount",
        "isSynthetic",
        "statistic",
        "refPeriod",
        "figureValue",
        "unit",
        "quote",
        "experienced",
        "incidentCategory",
    ]
    scr = {name: _iri(SCR + name) for name in properties}

    def c(code: str) -> str:
        return _iri(SCRC + code)

    def i(path: str) -> str:
        return _iri(BASE + path)

    true = _lit("true", XSD + "boolean")
    document = i("document/test-figures")
    add(document, a, _iri(SCR + "SourceDocument"))
    add(document, label, _lit("Test source document"))

    boards = [i(f"board/test-board-{n}") for n in range(10)]
    for n, board in enumerate(boards):
        add(board, a, _iri(SCR + "SafeguardingBoard"))
        add(board, label, _lit(f"Test board {n}"))

    grades = [None, None] + ["good"] * 61 + ["adequate"] * 61 + ["inadequate"] * 23
    agency_sets = [
        ["childrens-social-care", "police", "adult-mental-health"],
        ["childrens-social-care", "health-visiting", "gp"],
        ["police", "probation", "substance-misuse-service", "schools"],
        ["childrens-social-care", "midwifery", "housing"],
    ]
    themes = [
        "information-sharing-adult-services",
        "pre-birth-assessment",
        "voice-of-the-child",
        "acting-on-concerns",
        "challenging-family-accounts",
        "multi-agency-working",
    ]
    reviews = []
    for n, grade in enumerate(grades):
        review = i(f"review/T{n:03d}")
        reviews.append(review)
        add(review, a, _iri(SCR + "SeriousCaseReview"))
        add(review, label, _lit(f"Serious case review T{n:03d}"))
        add(review, scr["commissionedBy"], boards[n % len(boards)])
        add(review, scr["reportingYear"], _lit("2009-10"))
        add(review, scr["isSynthetic"], true)
        if grade:
            add(review, scr["qualityGrade"], c(grade))
        agencies = {}
        for code in agency_sets[n % len(agency_sets)]:
            agency = i(f"agency/T{n:03d}/{code}")
            agencies[code] = agency
            add(review, scr["involvedAgency"], agency)
            add(agency, a, _iri(SCR + "Agency"))
            add(agency, label, _lit(f"{code} (review T{n:03d})"))
            add(agency, scr["agencyType"], c(code))
        for k, theme in enumerate([themes[n % len(themes)], themes[(n + 1) % len(themes)]]):
            lesson = i(f"lesson/T{n:03d}/{k + 1}")
            add(review, scr["identifiesLesson"], lesson)
            add(lesson, a, _iri(SCR + "Lesson"))
            add(lesson, label, _lit(f"Lesson {k + 1} of review T{n:03d} on {theme}"))
            add(lesson, scr["lessonTheme"], c(theme))
            adult = [
                code
                for code in agencies
                if code
                in ("adult-mental-health", "substance-misuse-service", "housing", "probation")
            ]
            if theme == "information-sharing-adult-services" and adult and n % 2:
                add(lesson, scr["concernsAgency"], agencies[adult[0]])

    age_bands = ["under-1", "age-1-to-5", "age-6-to-10", "age-11-to-15", "age-16-plus"]
    maltreatments = ["neglect", "physical-abuse", "sexual-abuse", "emotional-abuse"]
    factor_sets = [
        ["domestic-abuse", "parental-mental-ill-health"],
        ["parental-substance-misuse", "domestic-abuse", "social-isolation"],
        ["young-parents", "concealed-pregnancy"],
        ["parental-learning-disability"],
        [],
    ]
    for n in range(194):
        child = i(f"child/T-C{n:03d}")
        review = reviews[n] if n < len(reviews) else reviews[n - len(reviews)]
        add(review, scr["concernsChild"], child)
        add(child, a, _iri(SCR + "Child"))
        add(child, label, _lit(f"Child T-C{n:03d}"))
        add(child, scr["isSynthetic"], true)
        add(child, scr["outcome"], c("died" if n < 90 else "serious-harm"))
        if n <= 19 or 90 <= n <= 118:
            status = "child-protection-plan"
        elif 20 <= n <= 22:
            status = "looked-after"
        elif n <= 30 or 90 <= n <= 148:
            status = "child-in-need"
        elif n <= 59:
            status = "known-no-cin-services"
        elif n % 3 == 0:
            status = "previously-known-case-closed"
        else:
            status = "not-known-to-social-care"
        add(child, scr["socialCareStatus"], c(status))
        add(child, scr["ageBand"], c(age_bands[n % len(age_bands)]))
        add(child, scr["maltreatment"], c(maltreatments[n % len(maltreatments)]))
        for factor in factor_sets[n % len(factor_sets)]:
            add(child, scr["hasRiskFactor"], c(factor))
        if n % 4 == 0:
            add(child, scr["viewsSoughtCount"], _lit(str(n % 3), XSD + "integer"))
        if n < 90:
            incident = i(f"incident/T-C{n:03d}")
            add(child, scr["experienced"], incident)
            add(incident, a, _iri(SCR + "Incident"))
            add(incident, label, _lit(f"Incident concerning child T-C{n:03d}"))
            add(incident, scr["incidentCategory"], c("severe-physical-assault"))

    dataset = i("dataset/test-figures")
    add(dataset, a, _iri(QB + "DataSet"))
    add(dataset, label, _lit("Test figures"))
    add(dataset, _iri(QB + "structure"), _iri(SCR + "publishedFiguresStructure"))
    for statistic, value in PUBLISHED_2009_10.items():
        observation = i(f"observation/test-figures/{statistic}")
        add(observation, a, _iri(QB + "Observation"))
        add(observation, _iri(QB + "dataSet"), dataset)
        add(observation, scr["statistic"], c(statistic))
        add(observation, scr["refPeriod"], _lit("2009-10"))
        add(observation, scr["figureValue"], _lit(str(value), XSD + "decimal"))
        unit = "unit-percent" if statistic.endswith("-percent") else "unit-count"
        add(observation, scr["unit"], c(unit))
        add(observation, scr["quote"], _lit(f"A test sentence giving {value}."))
        add(observation, _iri(PROV + "wasDerivedFrom"), document)

    for n, sources in enumerate([[document], [document, i("document/other")]]):
        statement = i(f"statement/test/{n}")
        add(statement, a, _iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement"))
        add(statement, _iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"), reviews[n])
        add(
            statement,
            _iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate"),
            scr["concernsChild"],
        )
        add(
            statement,
            _iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#object"),
            i(f"child/T-C{n:03d}"),
        )
        add(statement, scr["quote"], _lit("A test sentence."))
        for source in sources:
            add(statement, _iri(PROV + "wasDerivedFrom"), source)
    return "\n".join(t) + "\n"


class _Store:
    """A pyoxigraph store queried with the union of its named graphs as default graph."""

    def __init__(self) -> None:
        self.store = ox.Store()

    def load(self, data: str | Path, fmt: ox.RdfFormat, graph: str) -> None:
        if isinstance(data, Path):
            self.store.load(path=str(data), format=fmt, to_graph=ox.NamedNode(graph))
        else:
            self.store.load(input=data, format=fmt, to_graph=ox.NamedNode(graph))

    def query(self, sparql: str):
        return self.store.query(sparql, use_default_graph_as_union=True)


@pytest.fixture(scope="module")
def cohort() -> str:
    return build_cohort()


@pytest.fixture(scope="module")
def cohort_store(cohort: str) -> _Store:
    store = _Store()
    store.load(ONTOLOGY_FILE, ox.RdfFormat.TURTLE, "https://w3id.org/scrkg/def")
    store.load(CONCEPTS_FILE, ox.RdfFormat.TURTLE, "https://w3id.org/scrkg/def")
    store.load(cohort, ox.RdfFormat.N_TRIPLES, BASE + "graph/test-cohort")
    return store


def rows(store, path: Path) -> list[dict[str, object]]:
    solutions = store.query(read_query(path))
    names = [v.value for v in solutions.variables]
    return [{name: solution[name] for name in names} for solution in solutions]


def number(term) -> float:
    assert term is not None, "expected a number, got an unbound value"
    return float(term.value)


def figures(store) -> dict[str, tuple[float, float, bool]]:
    result = {}
    for row in rows(store, QUERIES_DIR / "00-published-figures.rq"):
        statistic = row["statistic"].value.removeprefix(SCRC)
        result[statistic] = (number(row["published"]), number(row["computed"]), row["agrees"])
    return result


# --------------------------------------------------------------------------------------------
# Every query: present, documented, parseable
# --------------------------------------------------------------------------------------------


def test_the_saved_queries_exist() -> None:
    """00 to 12 answer the analysts' questions; a number may hold more than one query (05 gives
    the counts by outcome and the list of children), and later numbers may be added."""
    numbers = [p.name[:2] for p in QUERY_FILES]
    assert sorted(set(numbers))[: len(EXPECTED_QUERIES)] == EXPECTED_QUERIES
    for path in QUERY_FILES:
        assert re.fullmatch(r"\d{2}-[a-z0-9]+(-[a-z0-9]+)*\.rq", path.name), path.name
    names = {p.stem for p in QUERY_FILES}
    assert set(LISTING_QUERIES) <= names and set(COUNTING_QUERIES) <= names


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_has_title_and_description(path: Path) -> None:
    lines = read_query(path).splitlines()
    assert lines[0].startswith("# title: ") and len(lines[0]) > len("# title: ") + 5, path.name
    assert lines[1].startswith("# description: ") and len(lines[1]) > 30, path.name
    fields = header(path)
    assert set(fields) == {"title", "description"}, path.name


def leading_comment(path: Path) -> str:
    """The comment lines before the first line of SPARQL, without their `#`."""
    lines = []
    for line in read_query(path).splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return "\n".join(lines)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_states_its_population_and_caveats(path: Path) -> None:
    comment = leading_comment(path)
    for heading in ("Population:", "Caveats:"):
        assert re.search(rf"^{heading} \S", comment, re.MULTILINE), (path.name, heading)
    assert not re.search(r"#\d|\bissue\b|DOMAIN\.md|DESIGN\.md|\.\./shared", comment), path.name


def variables(path: Path) -> list[str]:
    return [v.value for v in ox.Store().query(read_query(path)).variables]


@pytest.mark.parametrize("name", LISTING_QUERIES)
def test_listing_query_has_a_synthetic_column(name: str) -> None:
    path = QUERIES_DIR / f"{name}.rq"
    assert "synthetic" in variables(path)
    assert re.search(r"^Synthetic", leading_comment(path), re.MULTILINE), "say what it means"


@pytest.mark.parametrize("name", sorted(COUNTING_QUERIES))
def test_counting_query_gives_real_only_counts_beside_all(name: str) -> None:
    path = QUERIES_DIR / f"{name}.rq"
    found = variables(path)
    for column in COUNTING_QUERIES[name]:
        real = "real" + column[0].upper() + column[1:]
        assert column in found and real in found, (name, column, real)
    assert "real" in leading_comment(path).lower()


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_parses_and_runs_on_an_empty_store(path: Path) -> None:
    solutions = ox.Store().query(read_query(path), use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    assert list(solutions) == [], "no data, no rows"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_is_read_only_and_local(path: Path) -> None:
    text = re.sub(r"#.*", "", read_query(path))
    for keyword in ("SERVICE", "FROM", "GRAPH", "LOAD", "INSERT", "DELETE"):
        assert not re.search(rf"\b{keyword}\b", text, re.IGNORECASE), (path.name, keyword)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_declares_only_prefixes_it_uses(path: Path) -> None:
    text = read_query(path)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("PREFIX"))
    for prefix in re.findall(r"^PREFIX (\w+):", text, re.MULTILINE):
        assert f"{prefix}:" in body, (path.name, prefix)


# --------------------------------------------------------------------------------------------
# On the synthetic cohort: known answers
# --------------------------------------------------------------------------------------------


def test_cohort_conforms_to_the_shapes(cohort: str) -> None:
    data = rdflib.Graph().parse(data=cohort, format="nt")
    ontology = rdflib.Graph().parse(ONTOLOGY_FILE).parse(CONCEPTS_FILE)
    shapes = rdflib.Graph().parse(SHAPES_FILE)
    conforms, _, text = validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")
    assert conforms, text


#: The queries about records of 2009-10 (the published series has no records; recommendations
#: are of today's reviews, which tests/test_todays_reviews.py runs them on).
RECORD_QUERIES_2009_10 = [
    p
    for p in QUERY_FILES
    if "published-series" not in p.stem and p.stem not in TODAYS_REVIEWS_QUERIES
]


@pytest.mark.parametrize("path", RECORD_QUERIES_2009_10, ids=lambda p: p.stem)
def test_query_answers_on_the_cohort(cohort_store: _Store, path: Path) -> None:
    assert rows(cohort_store, path), f"{path.name} returned no rows"


def test_published_figures_agree_on_the_cohort(cohort_store: _Store) -> None:
    result = figures(cohort_store)
    assert set(result) == set(PUBLISHED_2009_10)
    for statistic, (published, computed, agrees) in result.items():
        assert published == PUBLISHED_2009_10[statistic], statistic
        assert computed == published, statistic
        assert agrees is not None and agrees.value == "true", statistic


def test_published_figures_notice_a_missing_child(cohort: str) -> None:
    store = _Store()
    store.load(ONTOLOGY_FILE, ox.RdfFormat.TURTLE, "https://w3id.org/scrkg/def")
    store.load(CONCEPTS_FILE, ox.RdfFormat.TURTLE, "https://w3id.org/scrkg/def")
    dropped = "\n".join(
        line
        for line in cohort.splitlines()
        if f"{SCR}concernsChild> <{BASE}child/T-C000>" not in line
    )
    store.load(dropped, ox.RdfFormat.N_TRIPLES, BASE + "graph/test-cohort")
    result = figures(store)
    assert result["children-subject"][1] == 193
    assert result["children-died"][1] == 89
    assert result["children-child-protection-plan"][1] == 48
    assert result["children-died-child-in-need"][1] == 30
    assert result["children-subject"][2].value == "false"
    assert result["reviews-evaluated"][2].value == "true"


def test_published_figures_without_records(cohort: str) -> None:
    """No records for a period: nothing computed. Records but no graded reviews: counts, no %."""
    store = _Store()
    store.load(ONTOLOGY_FILE, ox.RdfFormat.TURTLE, "https://w3id.org/scrkg/def")
    store.load(CONCEPTS_FILE, ox.RdfFormat.TURTLE, "https://w3id.org/scrkg/def")
    figures_only = "\n".join(line for line in cohort.splitlines() if "/observation/" in line)
    store.load(figures_only, ox.RdfFormat.N_TRIPLES, BASE + "graph/figures")
    assert all(
        row["computed"] is None for row in rows(store, QUERIES_DIR / "00-published-figures.rq")
    )
    ungraded = "\n".join(line for line in cohort.splitlines() if "#qualityGrade>" not in line)
    store.load(ungraded, ox.RdfFormat.N_TRIPLES, BASE + "graph/test-cohort")
    result = {
        row["statistic"].value.removeprefix(SCRC): row["computed"]
        for row in rows(store, QUERIES_DIR / "00-published-figures.rq")
    }
    assert number(result["reviews-evaluated"]) == 147
    assert result["reviews-graded-good-percent"] is None


def test_social_care_shares_by_outcome(cohort_store: _Store) -> None:
    by_outcome = {
        row["outcome"].value.removeprefix(SCRC): row
        for row in rows(cohort_store, QUERIES_DIR / "02-social-care-by-outcome.rq")
    }
    died = by_outcome["died"]
    assert number(died["children"]) == 90
    assert number(died["childInNeed"]) == 31
    assert number(died["knownToSocialCare"]) == 60
    assert number(died["childProtectionPlan"]) == 20
    harmed = by_outcome["serious-harm"]
    assert number(harmed["childInNeed"]) == 59
    assert number(harmed["childProtectionPlan"]) == 29


def test_toxic_trio_climbs_the_hierarchy(cohort_store: _Store) -> None:
    found = rows(cohort_store, QUERIES_DIR / "05-toxic-trio-children.rq")
    # factor_sets 0 and 1 hold toxic-trio factors: children n % 5 in {0, 1}.
    assert len({row["child"].value for row in found}) == len([n for n in range(194) if n % 5 < 2])
    assert all("social isolation" not in row["factors"].value for row in found)
    assert all(row["synthetic"].value == "true" for row in found)


def test_toxic_trio_counts_and_denominators_by_outcome(cohort_store: _Store) -> None:
    by_outcome = {
        row["outcome"].value.removeprefix(SCRC): row
        for row in rows(cohort_store, QUERIES_DIR / "05-toxic-trio-by-outcome.rq")
    }
    died, harmed = by_outcome["died"], by_outcome["serious-harm"]
    assert number(died["children"]) == 90 and number(harmed["children"]) == 104
    assert number(died["withToxicTrio"]) == len([n for n in range(90) if n % 5 < 2])  # 36
    assert number(harmed["withToxicTrio"]) == len([n for n in range(90, 194) if n % 5 < 2])
    assert number(died["toxicTrioPercent"]) == 40
    # Every record of the cohort is synthetic.
    assert number(died["realChildren"]) == 0 and number(died["realWithToxicTrio"]) == 0


def test_views_sought_at_most_once(cohort_store: _Store) -> None:
    found = rows(cohort_store, QUERIES_DIR / "10-voice-of-child-sought-once.rq")
    # Children n % 4 == 0 have a count (n % 3); those n % 5 == 0 are under one, left out.
    expected = [n for n in range(194) if n % 4 == 0 and n % 3 <= 1 and n % 5]
    recorded = [n for n in range(194) if n % 4 == 0 and n % 5]
    assert len({row["child"].value for row in found}) == len(expected)
    assert all(number(row["viewsSought"]) <= 1 for row in found)
    assert all(row["ageBandLabel"].value != "under 1" for row in found)
    assert {number(row["soughtAtMostOnce"]) for row in found} == {len(expected)}
    assert {number(row["childrenWithViewsRecorded"]) for row in found} == {len(recorded)}
    assert {number(row["realChildrenWithViewsRecorded"]) for row in found} == {0}


def test_single_source_statements(cohort_store: _Store) -> None:
    found = rows(cohort_store, QUERIES_DIR / "12-single-source-statements.rq")
    assert [row["statement"].value for row in found] == [BASE + "statement/test/0"]
    assert found[0]["quote"].value == "A test sentence."


def test_boards_with_more_than_one_inadequate_review(cohort_store: _Store) -> None:
    found = rows(cohort_store, QUERIES_DIR / "11-quality-grades.rq")
    flagged = {
        row["boardLabel"].value for row in found if row["moreThanOneInadequate"].value == "true"
    }
    # Inadequate reviews are 124-146, spread over the ten boards by review number.
    assert len(flagged) == 10
    assert sum(number(row["reviews"]) for row in found) == 145


def test_adult_services_not_sharing(cohort_store: _Store) -> None:
    found = rows(cohort_store, QUERIES_DIR / "07-adult-services-not-sharing.rq")
    assert found
    for row in found:
        types = row["agencyTypes"].value.split("; ")
        assert types and set(types) <= {
            "adult social care",
            "adult mental health",
            "substance misuse service",
            "housing",
            "probation",
        }


def test_lesson_themes_and_the_agency_types_they_concern(cohort_store: _Store) -> None:
    found = rows(cohort_store, QUERIES_DIR / "08-lesson-themes-and-agencies.rq")
    themes = {row["theme"].value.removeprefix(SCRC) for row in found}
    recorded = {
        "information-sharing-adult-services",
        "pre-birth-assessment",
        "voice-of-the-child",
        "acting-on-concerns",
        "challenging-family-accounts",
        "multi-agency-working",
    }
    # Rolled up: the broader themes of the recorded ones (multi-agency working is a top theme).
    broader = {
        "using-all-information",
        "assessments",
        "ensuring-action",
        "challenge-supervision-scrutiny",
    }
    assert themes == recorded | broader
    lessons = {row["theme"].value.removeprefix(SCRC): number(row["lessons"]) for row in found}
    # Review n has two lessons, of themes n % 6 and (n + 1) % 6 of build_cohort's list.
    order = ["information-sharing-adult-services", "pre-birth-assessment", "voice-of-the-child"]
    per_theme = Counter(order[(n + k) % 6] for n in range(147) for k in (0, 1) if (n + k) % 6 < 3)
    assert lessons["pre-birth-assessment"] == per_theme["pre-birth-assessment"] == 50
    assert (
        lessons["assessments"]
        == per_theme["pre-birth-assessment"] + per_theme["voice-of-the-child"]
    )
    assert lessons["using-all-information"] == lessons["information-sharing-adult-services"]
    concerned = {
        (row["theme"].value.removeprefix(SCRC), row["agencyType"].value.removeprefix(SCRC))
        for row in found
        if row["agencyType"] is not None
    }
    assert concerned and all(
        theme in ("information-sharing-adult-services", "using-all-information")
        for theme, _ in concerned
    )
    assert {agency_type for _, agency_type in concerned} <= {
        "adult-mental-health",
        "substance-misuse-service",
        "housing",
        "probation",
    }
    for row in found:
        assert (row["agencyType"] is None) == (row["lessonsConcerningAgencyType"] is None)


def test_lessons_from_baby_deaths(cohort_store: _Store) -> None:
    found = rows(cohort_store, QUERIES_DIR / "09-lessons-baby-deaths.rq")
    # Children under 1 who died: n < 90 and n % 5 == 0, one per review T000, T005, ... T085.
    assert sum(number(row["lessons"]) for row in found) == 18 * 2
    assert "pre-birth-assessment" in {row["theme"].value.removeprefix(SCRC) for row in found}


# --------------------------------------------------------------------------------------------
# On a handful of hand-made records: small pairs, babies, synthetic beside real
# --------------------------------------------------------------------------------------------

# Three real reviews (R1-R3) and two synthetic ones (S1, S2). Only the synthetic reviews carry
# scr:isSynthetic: their children and lessons are synthetic because the review is.
HANDMADE = """
@prefix scr: <https://w3id.org/scrkg/def#> .
@prefix scrc: <https://w3id.org/scrkg/concept/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix : <https://w3id.org/scrkg/id/> .

:review-R1 a scr:SeriousCaseReview ; rdfs:label "R1" ; scr:reportingYear "2009-10" ;
    scr:commissionedBy :board-real ; scr:qualityGrade scrc:inadequate ;
    scr:concernsChild :child-r1, :child-r2, :child-r3, :child-baby ;
    scr:involvedAgency :agency-r1-mental-health, :agency-r1-midwifery ;
    scr:identifiesLesson :lesson-r1, :lesson-r2, :lesson-r3 .
:review-R2 a scr:SeriousCaseReview ; rdfs:label "R2" ; scr:reportingYear "2009-10" ;
    scr:commissionedBy :board-real ; scr:qualityGrade scrc:inadequate .
:review-R3 a scr:SeriousCaseReview ; rdfs:label "R3" ; scr:reportingYear "2009-10" ;
    scr:commissionedBy :board-mixed ; scr:qualityGrade scrc:good .
:review-S1 a scr:SeriousCaseReview ; rdfs:label "S1" ; scr:reportingYear "2009-10" ;
    scr:isSynthetic true ; scr:commissionedBy :board-synthetic ; scr:qualityGrade scrc:good ;
    scr:concernsChild :child-s1, :child-s2, :child-s3 ;
    scr:involvedAgency :agency-s1-housing, :agency-s1-midwifery ;
    scr:identifiesLesson :lesson-s1, :lesson-s2, :lesson-s3 .
:review-S2 a scr:SeriousCaseReview ; rdfs:label "S2" ; scr:reportingYear "2009-10" ;
    scr:isSynthetic true ; scr:commissionedBy :board-mixed ; scr:qualityGrade scrc:inadequate .

:agency-r1-mental-health rdfs:label "r1 mental health" ; scr:agencyType scrc:adult-mental-health .
:agency-r1-midwifery rdfs:label "r1 midwifery" ; scr:agencyType scrc:midwifery .
:agency-s1-housing rdfs:label "s1 housing" ; scr:agencyType scrc:housing .
:agency-s1-midwifery rdfs:label "s1 midwifery" ; scr:agencyType scrc:midwifery .

:board-real rdfs:label "Real board" .
:board-mixed rdfs:label "Mixed board" .
:board-synthetic rdfs:label "Synthetic board" .

:child-r1 a scr:Child ; rdfs:label "r1" ; scr:outcome scrc:died ; scr:ageBand scrc:age-6-to-10 ;
    scr:hasRiskFactor scrc:domestic-abuse, scrc:parental-mental-ill-health, scrc:young-parents ;
    scr:maltreatment scrc:neglect ; scr:viewsSoughtCount 0 .
:child-r2 a scr:Child ; rdfs:label "r2" ; scr:outcome scrc:died ; scr:ageBand scrc:age-11-to-15 ;
    scr:hasRiskFactor scrc:domestic-abuse, scrc:parental-mental-ill-health, scrc:young-parents ;
    scr:viewsSoughtCount 3 .
:child-r3 a scr:Child ; rdfs:label "r3" ; scr:outcome scrc:serious-harm ;
    scr:ageBand scrc:age-16-plus ;
    scr:hasRiskFactor scrc:domestic-abuse, scrc:parental-mental-ill-health, scrc:young-parents .
:child-baby a scr:Child ; rdfs:label "baby" ; scr:outcome scrc:died ; scr:ageBand scrc:under-1 ;
    scr:hasRiskFactor scrc:concealed-pregnancy ; scr:viewsSoughtCount 0 .
:child-s1 a scr:Child ; rdfs:label "s1" ; scr:outcome scrc:died ; scr:ageBand scrc:age-1-to-5 ;
    scr:hasRiskFactor scrc:domestic-abuse, scrc:young-parents ; scr:viewsSoughtCount 1 .
:child-s2 a scr:Child ; rdfs:label "s2" ; scr:outcome scrc:serious-harm ;
    scr:ageBand scrc:age-6-to-10 ; scr:hasRiskFactor scrc:domestic-abuse, scrc:young-parents ;
    scr:maltreatment scrc:neglect .
:child-s3 a scr:Child ; rdfs:label "s3" ; scr:outcome scrc:died ; scr:ageBand scrc:under-1 .

:lesson-r1 a scr:Lesson ; rdfs:label "No pre-birth assessment" ;
    scr:lessonTheme scrc:pre-birth-assessment ; scr:concernsAgencyType scrc:midwifery .
:lesson-r2 a scr:Lesson ; rdfs:label "The child was not heard" ;
    scr:lessonTheme scrc:voice-of-the-child .
:lesson-s1 a scr:Lesson ; rdfs:label "Assessments were poor" ; scr:lessonTheme scrc:assessments ;
    scr:concernsAgencyType scrc:midwifery .
:lesson-s2 a scr:Lesson ; rdfs:label "A synthetic pre-birth lesson" ;
    scr:lessonTheme scrc:pre-birth-assessment .
:lesson-r3 a scr:Lesson ; rdfs:label "Adult mental health did not share" ;
    scr:lessonTheme scrc:information-sharing-adult-services .
:lesson-s3 a scr:Lesson ; rdfs:label "Housing did not share" ;
    scr:lessonTheme scrc:information-sharing-adult-services .

:statement-real a rdf:Statement ; rdf:subject :review-R1 ; rdf:predicate scr:concernsChild ;
    rdf:object :child-r1 ; scr:quote "A real sentence." ; prov:wasDerivedFrom :document .
:statement-synthetic a rdf:Statement ; rdf:subject :child-s1 ; rdf:predicate scr:outcome ;
    rdf:object scrc:died ; scr:quote "A made-up sentence." ; prov:wasDerivedFrom :document .
"""


@pytest.fixture(scope="module")
def handmade_store() -> _Store:
    store = _Store()
    store.load(ONTOLOGY_FILE, ox.RdfFormat.TURTLE, "https://w3id.org/scrkg/def")
    store.load(CONCEPTS_FILE, ox.RdfFormat.TURTLE, "https://w3id.org/scrkg/def")
    store.load(HANDMADE, ox.RdfFormat.TURTLE, BASE + "graph/handmade")
    return store


def run(store, name: str) -> list[dict[str, object]]:
    return rows(store, QUERIES_DIR / f"{name}.rq")


def local(term) -> str:
    """The last part of an IRI: "child-r1", "pre-birth-assessment"."""
    return term.value.rsplit("/", 1)[-1]


def flag(term) -> bool:
    assert term is not None and term.value in ("true", "false"), term
    return term.value == "true"


def test_handmade_pairs_on_few_children_are_flagged(handmade_store: _Store) -> None:
    found = {
        (local(row["factorA"]), local(row["factorB"])): row
        for row in run(handmade_store, "04-risk-factor-pairs")
    }
    three = found[("domestic-abuse", "parental-mental-ill-health")]  # r1, r2, r3
    assert number(three["children"]) == 3 and flag(three["fewCases"])
    assert number(three["deaths"]) == 2 and number(three["deathPercent"]) == 67
    five = found[("domestic-abuse", "young-parents")]  # r1, r2, r3, s1, s2
    assert number(five["children"]) == 5 and not flag(five["fewCases"])
    assert number(five["realChildren"]) == 3 and flag(five["realFewCases"])
    assert number(five["deaths"]) == 3 and number(five["realDeaths"]) == 2


def test_handmade_real_only_counts_leave_out_synthetic_records(handmade_store: _Store) -> None:
    (period,) = run(handmade_store, "01-figures-by-period")
    assert [number(period[c]) for c in ("reviews", "children", "died", "seriousHarm")] == [
        5,
        7,
        5,
        2,
    ]
    assert [
        number(period[c]) for c in ("realReviews", "realChildren", "realDied", "realSeriousHarm")
    ] == [3, 4, 3, 1]
    outcomes = {
        local(row["outcome"]): row for row in run(handmade_store, "02-social-care-by-outcome")
    }
    assert number(outcomes["died"]["children"]) == 5
    assert number(outcomes["died"]["realChildren"]) == 3
    cells = {
        (local(row["ageBand"]), local(row["outcome"])): row
        for row in run(handmade_store, "03-maltreatment-by-age-and-outcome")
    }
    assert number(cells[("age-6-to-10", "died")]["realChildren"]) == 1  # r1
    assert number(cells[("age-6-to-10", "serious-harm")]["children"]) == 1  # s2
    assert number(cells[("age-6-to-10", "serious-harm")]["realChildren"]) == 0
    pairs = {
        (local(row["typeA"]), local(row["typeB"])): (
            number(row["reviews"]),
            number(row["realReviews"]),
        )
        for row in run(handmade_store, "06-agency-type-pairs")
    }
    assert pairs == {("adult-mental-health", "midwifery"): (1, 1), ("housing", "midwifery"): (1, 0)}
    grades = {
        (row["boardLabel"].value, local(row["grade"])): (
            number(row["reviews"]),
            number(row["realReviews"]),
        )
        for row in run(handmade_store, "11-quality-grades")
    }
    assert grades[("Mixed board", "inadequate")] == (1, 0)
    assert grades[("Real board", "inadequate")] == (2, 2)


def test_handmade_toxic_trio_counts_and_denominators(handmade_store: _Store) -> None:
    by_outcome = {
        local(row["outcome"]): row for row in run(handmade_store, "05-toxic-trio-by-outcome")
    }
    died = by_outcome["died"]  # r1, r2, baby (real); s1, s3 (synthetic); trio: r1, r2, s1
    assert [number(died[c]) for c in ("children", "withToxicTrio", "toxicTrioPercent")] == [
        5,
        3,
        60,
    ]
    assert [number(died[c]) for c in ("realChildren", "realWithToxicTrio")] == [3, 2]
    assert number(died["realToxicTrioPercent"]) == 67
    harmed = by_outcome["serious-harm"]  # r3 (real), s2 (synthetic), both with domestic abuse
    assert [number(harmed[c]) for c in ("children", "withToxicTrio", "realWithToxicTrio")] == [
        2,
        2,
        1,
    ]
    listed = {
        local(row["child"]): flag(row["synthetic"])
        for row in run(handmade_store, "05-toxic-trio-children")
    }
    assert listed == {
        "child-r1": False,
        "child-r2": False,
        "child-r3": False,
        "child-s1": True,
        "child-s2": True,
    }


def test_handmade_voice_of_the_child_leaves_out_babies(handmade_store: _Store) -> None:
    found = run(handmade_store, "10-voice-of-child-sought-once")
    # Sought at most once: r1 (0 times) and s1 (once, synthetic); the baby (0 times) is left
    # out, r2 (3 times) counts in the denominator only, r3 has no count recorded.
    assert {local(row["child"]): flag(row["synthetic"]) for row in found} == {
        "child-r1": False,
        "child-s1": True,
    }
    for row in found:
        assert number(row["soughtAtMostOnce"]) == 2
        assert number(row["childrenWithViewsRecorded"]) == 3  # r1, r2, s1: not the baby
        assert number(row["soughtAtMostOncePercent"]) == 67
        assert number(row["realSoughtAtMostOnce"]) == 1
        assert number(row["realChildrenWithViewsRecorded"]) == 2


def test_handmade_lesson_themes_roll_up(handmade_store: _Store) -> None:
    found = run(handmade_store, "08-lesson-themes-and-agencies")
    themes = {local(row["theme"]): row for row in found}
    assert set(themes) == {
        "assessments",
        "pre-birth-assessment",
        "voice-of-the-child",
        "using-all-information",
        "information-sharing-adult-services",
    }
    top = themes["assessments"]  # its own lesson s1 and the narrower r1, r2, s2
    assert top["broaderTheme"] is None
    assert [number(top[c]) for c in ("lessons", "reviews", "realLessons", "realReviews")] == [
        4,
        2,
        2,
        1,
    ]
    pre_birth = themes["pre-birth-assessment"]
    assert local(pre_birth["broaderTheme"]) == "assessments"
    assert [number(pre_birth[c]) for c in ("lessons", "realLessons")] == [2, 1]
    midwifery = {
        local(row["theme"]): (
            number(row["lessonsConcerningAgencyType"]),
            number(row["realLessonsConcerningAgencyType"]),
        )
        for row in found
        if row["agencyType"] is not None
    }
    assert midwifery == {"assessments": (2, 1), "pre-birth-assessment": (1, 1)}


def test_handmade_baby_deaths_prefer_a_real_example(handmade_store: _Store) -> None:
    found = {local(row["theme"]): row for row in run(handmade_store, "09-lessons-baby-deaths")}
    pre_birth = found["pre-birth-assessment"]  # r1 (real, review R1) and s2 (synthetic, S1)
    assert [number(pre_birth[c]) for c in ("reviews", "lessons", "realReviews", "realLessons")] == [
        2,
        2,
        1,
        1,
    ]
    assert pre_birth["exampleLesson"].value == "No pre-birth assessment"
    assert not flag(pre_birth["exampleLessonSynthetic"])
    assessments = found["assessments"]  # s1 only
    assert assessments["exampleLesson"].value == "Assessments were poor"
    assert flag(assessments["exampleLessonSynthetic"])
    assert number(assessments["realLessons"]) == 0


def test_handmade_boards_and_statements_are_flagged(handmade_store: _Store) -> None:
    boards = {}
    for row in run(handmade_store, "11-quality-grades"):
        boards[row["boardLabel"].value] = (
            flag(row["synthetic"]),
            number(row["boardInadequateReviews"]),
            number(row["realBoardInadequateReviews"]),
        )
    assert boards == {
        "Real board": (False, 2, 2),
        "Mixed board": (False, 1, 0),
        "Synthetic board": (True, 0, 0),
    }
    statements = {
        local(row["statement"]): flag(row["synthetic"])
        for row in run(handmade_store, "12-single-source-statements")
    }
    assert statements == {"statement-real": False, "statement-synthetic": True}
    reviews = {
        row["reviewLabel"].value: (flag(row["synthetic"]), row["agencyTypes"].value)
        for row in run(handmade_store, "07-adult-services-not-sharing")
    }
    assert reviews == {"R1": (False, "adult mental health"), "S1": (True, "housing")}


# --------------------------------------------------------------------------------------------
# On the bundled data (fixture `bundled_store` of tests/conftest.py)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [p for p in QUERY_FILES if p.stem not in TODAYS_REVIEWS_QUERIES], ids=lambda p: p.stem
)
def test_query_answers_on_the_bundled_data(bundled_store, path: Path) -> None:
    assert rows(bundled_store, path), f"{path.name} returned no rows on the bundled data"


def test_published_figures_agree_on_the_bundled_data(bundled_store) -> None:
    result = figures(bundled_store)
    assert set(result) == set(PUBLISHED_2009_10), "the bundled data should carry all 11 figures"
    for statistic, (published, computed, _) in result.items():
        assert published == PUBLISHED_2009_10[statistic], statistic
        assert computed == published, f"{statistic}: published {published}, computed {computed}"


# The only real records bundled: the two case studies of Ofsted's 2009-10 press release.
REAL_CASE_STUDY_CHILDREN = {"OFSTED-2009-10-CS1-C1", "OFSTED-2009-10-CS2-C1"}


def count(store, sparql: str) -> int:
    (row,) = list(store.query("PREFIX scr: <" + SCR + ">\nPREFIX scrc: <" + SCRC + ">\n" + sparql))
    return int(row["n"].value)


def test_bundled_real_only_counts_are_the_case_studies(bundled_store) -> None:
    period = {row["period"].value: row for row in run(bundled_store, "01-figures-by-period")}
    year = period["2009-10"]
    assert number(year["reviews"]) == 147 and number(year["children"]) == 194
    assert number(year["realReviews"]) == 2 and number(year["realChildren"]) == 2
    assert number(year["realDied"]) == 1 and number(year["realSeriousHarm"]) == 1
    for name in ("02-social-care-by-outcome", "05-toxic-trio-by-outcome"):
        found = run(bundled_store, name)
        assert sum(number(row["children"]) for row in found) == 194, name
        assert sum(number(row["realChildren"]) for row in found) == 2, name


@pytest.mark.parametrize("name", LISTING_QUERIES)
def test_bundled_listings_flag_synthetic_records(bundled_store, name: str) -> None:
    found = run(bundled_store, name)
    assert found and all(row["synthetic"] is not None for row in found)
    flags = {flag(row["synthetic"]) for row in found}
    if name == "12-single-source-statements":
        assert flags == {False}, "the statements are drawn from the real press release"
    elif name in ("07-adult-services-not-sharing", "11-quality-grades"):
        assert True in flags  # the real case studies have no such lesson and no grade
    else:
        assert flags == {True, False}, "the bundled data mixes synthetic and real records"


def test_bundled_listings_name_the_real_children(bundled_store) -> None:
    for name in ("05-toxic-trio-children", "10-voice-of-child-sought-once"):
        real = {
            local(row["child"]) for row in run(bundled_store, name) if not flag(row["synthetic"])
        }
        # Case study 2: a girl of 12, whose mother misused drugs and whose views were sought once.
        assert real == {"OFSTED-2009-10-CS2-C1"}, name
        assert real <= REAL_CASE_STUDY_CHILDREN


def test_bundled_pairs_on_few_children_are_flagged(bundled_store) -> None:
    found = run(bundled_store, "04-risk-factor-pairs")
    for row in found:
        assert flag(row["fewCases"]) == (number(row["children"]) < 5)
        assert flag(row["realFewCases"]) == (number(row["realChildren"]) < 5)
    assert {flag(row["fewCases"]) for row in found} == {True, False}


def test_bundled_toxic_trio_counts_match_the_list(bundled_store) -> None:
    listed = Counter(
        local(row["outcome"])
        for row in {
            row["child"]: row for row in run(bundled_store, "05-toxic-trio-children")
        }.values()
    )
    for row in run(bundled_store, "05-toxic-trio-by-outcome"):
        assert number(row["withToxicTrio"]) == listed[local(row["outcome"])]
        assert number(row["withToxicTrio"]) <= number(row["children"])
    by_outcome = {
        local(row["outcome"]): row for row in run(bundled_store, "05-toxic-trio-by-outcome")
    }
    assert number(by_outcome["died"]["children"]) == 90
    assert number(by_outcome["serious-harm"]["children"]) == 104


def test_bundled_lesson_themes_roll_up(bundled_store) -> None:
    found = run(bundled_store, "08-lesson-themes-and-agencies")
    themes = {local(row["theme"]): row for row in found}
    recorded = count(
        bundled_store,
        "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a scr:Lesson ; scr:lessonTheme [] }",
    )
    tops = [row for row in themes.values() if row["broaderTheme"] is None]
    # Each lesson has one theme, so the top-level themes share out every lesson once.
    assert sum(number(row["lessons"]) for row in tops) == recorded
    for theme, row in themes.items():
        if row["broaderTheme"] is not None:
            parent = themes[local(row["broaderTheme"])]
            assert number(parent["lessons"]) >= number(row["lessons"]), theme
    assert local(themes["information-sharing-adult-services"]["broaderTheme"]) == (
        "using-all-information"
    )
    # Real lessons: the report's four and the case studies' four.
    assert sum(number(row["realLessons"]) for row in tops) == 8


def test_bundled_voice_of_the_child_denominator_leaves_out_babies(bundled_store) -> None:
    found = run(bundled_store, "10-voice-of-child-sought-once")
    recorded = count(
        bundled_store,
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a scr:Child ; scr:viewsSoughtCount [] . "
        "FILTER NOT EXISTS { ?c scr:ageBand scrc:under-1 } }",
    )
    assert {number(row["childrenWithViewsRecorded"]) for row in found} == {recorded}
    assert {number(row["soughtAtMostOnce"]) for row in found} == {len({r["child"] for r in found})}
    assert all(row["ageBandLabel"].value != "under 1" for row in found)
    assert {number(row["realChildrenWithViewsRecorded"]) for row in found} == {1}
    assert {number(row["realSoughtAtMostOnce"]) for row in found} == {1}


def test_bundled_baby_deaths_show_the_real_pre_birth_lesson(bundled_store) -> None:
    found = {local(row["theme"]): row for row in run(bundled_store, "09-lessons-baby-deaths")}
    pre_birth = found["pre-birth-assessment"]
    assert not flag(pre_birth["exampleLessonSynthetic"])
    assert pre_birth["exampleLesson"].value.startswith("There was no pre-birth assessment")
    assert number(pre_birth["realReviews"]) == 1 < number(pre_birth["reviews"])


def test_the_check_for_a_published_figure_is_the_figures_query_own_first_pattern() -> None:
    # published_figures answers none without running the figures query when this pattern
    # finds nothing: it must be the pattern every row of that query starts from.
    from scrkg.graph import figures

    pattern = figures._ANY_FIGURE.split("ASK {", 1)[1].rsplit("}", 1)[0].strip()
    assert pattern.startswith("?observation a qb:Observation")
    assert "WHERE {\n  " + pattern in (QUERIES_DIR / "00-published-figures.rq").read_text()
