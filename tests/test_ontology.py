"""The ontology, the concept schemes and the SHACL shapes (ontology/*.ttl).

The vocabulary contract (docs/data-model.md) is asserted term by term: other systems read our
Turtle, so these IRIs, labels and definitions must not drift.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate
from rdflib import OWL, RDF, RDFS, XSD, BNode, Literal, Namespace, URIRef
from rdflib.collection import Collection

from scrkg.ontology import (
    CONCEPTS_FILE,
    ONTOLOGY_FILE,
    ONTOLOGY_IRI,
    QUERIES_DIR,
    SCR,
    SCRC,
    SHAPES_FILE,
)

S = Namespace(SCR)
C = Namespace(SCRC)
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SH = Namespace("http://www.w3.org/ns/shacl#")
QB = Namespace("http://purl.org/linked-data/cube#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("http://schema.org/")
DATA_MODEL = ONTOLOGY_FILE.parent.parent / "docs" / "data-model.md"
TTL_FILES = [ONTOLOGY_FILE, CONCEPTS_FILE, SHAPES_FILE]


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_FILE)


@pytest.fixture(scope="module")
def concepts() -> rdflib.Graph:
    return rdflib.Graph().parse(CONCEPTS_FILE)


@pytest.fixture(scope="module")
def vocabulary(ontology: rdflib.Graph, concepts: rdflib.Graph) -> rdflib.Graph:
    return ontology + concepts


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE)


def english(graph: rdflib.Graph, subject: URIRef, predicate: URIRef) -> list[str]:
    return [
        str(o)
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language == "en"
    ]


def the_one(graph: rdflib.Graph, subject: URIRef, predicate: URIRef) -> str:
    values = english(graph, subject, predicate)
    assert len(values) == 1, f"{subject} should have one English {predicate}, has {values}"
    return values[0]


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", TTL_FILES, ids=lambda p: p.name)
def test_turtle_parses_strictly_and_in_rdflib_alike(path) -> None:
    strict = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    loose = rdflib.Graph().parse(path, format="turtle")
    assert strict and len(strict) == len(loose)


def test_ontology_header(ontology: rdflib.Graph) -> None:
    iri = URIRef(ONTOLOGY_IRI)
    assert (iri, RDF.type, OWL.Ontology) in ontology
    for predicate in (OWL.versionInfo, DCTERMS.title, DCTERMS.license, DCTERMS.created):
        assert ontology.value(iri, predicate) is not None, predicate
    assert ontology.value(iri, DCTERMS.created).datatype == XSD.date


# --------------------------------------------------------------------------------------------
# The vocabulary contract, term by term
# --------------------------------------------------------------------------------------------

CONTRACT_CLASSES = {
    "CaseReview": (
        "case review",
        "any review of a case of death or serious harm; subclasses include `scr:SeriousCaseReview`",
    ),
    "Child": (
        "child",
        "a pseudonymous child who is the subject of a review: "
        "never a name, date of birth or address",
    ),
    "Agency": (
        "agency",
        "an organisation involved in a case; `scr:agencyType` points to a concept",
    ),
    "Lesson": ("lesson", "a lesson a review identified; `scr:lessonTheme` points to a concept"),
}

# name: (label, domain, range, definition or None when the contract gives none)
CONTRACT_PROPERTIES = {
    "concernsChild": ("concerns child", S.CaseReview, S.Child, None),
    "involvedAgency": ("involved agency", S.CaseReview, S.Agency, None),
    "identifiesLesson": ("identifies lesson", S.CaseReview, S.Lesson, None),
    "hasRiskFactor": ("has risk factor", S.Child, SKOS.Concept, None),
    "maltreatment": ("maltreatment", S.Child, SKOS.Concept, None),
    "outcome": ("outcome", S.Child, SKOS.Concept, "`scrc:died` or `scrc:serious-harm`"),
    "socialCareStatus": (
        "social care status",
        S.Child,
        SKOS.Concept,
        "the most specific status; concepts nest by `skos:broader`",
    ),
    "qualityGrade": (
        "quality grade",
        S.CaseReview,
        SKOS.Concept,
        "`scrc:outstanding`, `scrc:good`, `scrc:adequate`, `scrc:inadequate`",
    ),
}

# code: (label, scheme, broader or None)
CONTRACT_CONCEPTS = {
    "known-to-social-care": ("known to social care", "social-care-statuses", None),
    "child-in-need": ("child in need", "social-care-statuses", "known-to-social-care"),
    "child-protection-plan": ("child protection plan", "social-care-statuses", "child-in-need"),
    "not-known-to-social-care": ("not known to social care", "social-care-statuses", None),
    "neglect": ("neglect", "maltreatment-types", None),
    "physical-abuse": ("physical abuse", "maltreatment-types", None),
    "sexual-abuse": ("sexual abuse", "maltreatment-types", None),
    "emotional-abuse": ("emotional abuse", "maltreatment-types", None),
    "died": ("died", "outcomes", None),
    "serious-harm": ("serious harm", "outcomes", None),
    "outstanding": ("outstanding", "quality-grades", None),
    "good": ("good", "quality-grades", None),
    "adequate": ("adequate", "quality-grades", None),
    "inadequate": ("inadequate", "quality-grades", None),
}


@pytest.mark.parametrize("name", CONTRACT_CLASSES)
def test_contract_class(ontology: rdflib.Graph, name: str) -> None:
    label, definition = CONTRACT_CLASSES[name]
    term = S[name]
    assert (term, RDF.type, OWL.Class) in ontology
    assert the_one(ontology, term, RDFS.label) == label
    assert the_one(ontology, term, SKOS.definition) == definition


@pytest.mark.parametrize("name", CONTRACT_PROPERTIES)
def test_contract_property(ontology: rdflib.Graph, name: str) -> None:
    label, domain, range_, definition = CONTRACT_PROPERTIES[name]
    term = S[name]
    assert (term, RDF.type, OWL.ObjectProperty) in ontology
    assert the_one(ontology, term, RDFS.label) == label
    if definition is not None:
        assert the_one(ontology, term, SKOS.definition) == definition
    assert ontology.value(term, RDFS.range) == range_
    declared = ontology.value(term, RDFS.domain)
    if isinstance(declared, BNode):  # an owl:unionOf, e.g. review or thematic report
        members = list(Collection(ontology, ontology.value(declared, OWL.unionOf)))
        assert domain in members
    else:
        assert declared == domain


@pytest.mark.parametrize("code", CONTRACT_CONCEPTS)
def test_contract_concept(concepts: rdflib.Graph, code: str) -> None:
    label, scheme, broader = CONTRACT_CONCEPTS[code]
    term = C[code]
    assert (term, RDF.type, SKOS.Concept) in concepts
    assert the_one(concepts, term, SKOS.prefLabel) == label
    assert (term, SKOS.inScheme, C[scheme]) in concepts
    if broader is None:
        assert (term, SKOS.topConceptOf, C[scheme]) in concepts
        assert concepts.value(term, SKOS.broader) is None
    else:
        assert list(concepts.objects(term, SKOS.broader)) == [C[broader]]


def test_identifies_lesson_also_from_thematic_reports(ontology: rdflib.Graph) -> None:
    domain = ontology.value(S.identifiesLesson, RDFS.domain)
    members = set(Collection(ontology, ontology.value(domain, OWL.unionOf)))
    assert members == {S.CaseReview, S.ThematicReport}


# --------------------------------------------------------------------------------------------
# Every class and property: label, definition, source, and the declared kind
# --------------------------------------------------------------------------------------------

CLASSES = {
    "CaseReview",
    "SeriousCaseReview",
    "LocalChildSafeguardingPracticeReview",
    "RapidReview",
    "NationalReview",
    "ChildPracticeReview",
    "SignificantCaseReview",
    "CaseManagementReview",
    "ThematicReport",
    "Evaluation",
    "Child",
    "Incident",
    "Agency",
    "SafeguardingBody",
    "SafeguardingBoard",
    "SafeguardingPartnership",
    "Lesson",
    "Recommendation",
    "SourceGraph",
    "SourceDocument",
}
REVIEW_SUBCLASSES = {
    "SeriousCaseReview",
    "LocalChildSafeguardingPracticeReview",
    "RapidReview",
    "NationalReview",
    "ChildPracticeReview",
    "SignificantCaseReview",
    "CaseManagementReview",
}
OBJECT_PROPERTIES = {
    "concernsChild",
    "involvedAgency",
    "identifiesLesson",
    "makesRecommendation",
    "hasRiskFactor",
    "maltreatment",
    "outcome",
    "socialCareStatus",
    "qualityGrade",
    "agencyType",
    "lessonTheme",
    "concernsAgency",
    "concernsAgencyType",
    "commissionedBy",
    "reviewMethod",
    "ageBand",
    "experienced",
    "incidentCategory",
    "mostCommonMaltreatment",
    "statistic",
    "unit",
    "ledToReview",
    "rapidReviewDecision",
    "statutoryPartner",
    "succeededBy",
    "addressedTo",
    "recommendationStatus",
    "sex",
    "ethnicGroup",
}
DATATYPE_PROPERTIES = {
    "reportingYear": XSD.string,
    "evaluationDate": XSD.date,
    "isSynthetic": XSD.boolean,
    "viewsSoughtCount": XSD.integer,
    "quote": RDFS.Literal,
    "checksum": XSD.string,
    "loaderVersion": XSD.string,
    "refPeriod": XSD.string,
    "figureValue": XSD.decimal,
    "notificationDate": XSD.date,
    "rapidReviewDate": XSD.date,
    "publicationDate": XSD.date,
    "reportAddress": XSD.anyURI,
    "statusDate": XSD.date,
    "statusEvidence": XSD.string,
}
CHILD_TO_CONCEPT = {
    "hasRiskFactor",
    "maltreatment",
    "outcome",
    "socialCareStatus",
    "ageBand",
    "sex",
    "ethnicGroup",
}


def scr_terms(graph: rdflib.Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(SCR)}


def test_declared_classes(ontology: rdflib.Graph) -> None:
    declared = {
        str(s)[len(SCR) :] for s in ontology.subjects(RDF.type, OWL.Class) if str(s).startswith(SCR)
    }
    assert declared == CLASSES
    for name in REVIEW_SUBCLASSES:
        assert (S[name], RDFS.subClassOf, S.CaseReview) in ontology, name
    for name in ("SafeguardingBoard", "SafeguardingPartnership"):
        assert (S[name], RDFS.subClassOf, S.SafeguardingBody) in ontology, name


def test_declared_properties(ontology: rdflib.Graph) -> None:
    objects = {str(s)[len(SCR) :] for s in ontology.subjects(RDF.type, OWL.ObjectProperty)}
    datatypes = {str(s)[len(SCR) :] for s in ontology.subjects(RDF.type, OWL.DatatypeProperty)}
    assert objects == OBJECT_PROPERTIES
    assert datatypes == set(DATATYPE_PROPERTIES)
    for name, range_ in DATATYPE_PROPERTIES.items():
        assert ontology.value(S[name], RDFS.range) == range_, name
    for name in CHILD_TO_CONCEPT:
        assert ontology.value(S[name], RDFS.domain) == S.Child, name
        assert ontology.value(S[name], RDFS.range) == SKOS.Concept, name
    assert (S.reviewClass, RDF.type, OWL.AnnotationProperty) in ontology


def test_data_cube_terms(ontology: rdflib.Graph) -> None:
    assert (S.statistic, RDF.type, QB.DimensionProperty) in ontology
    assert (S.refPeriod, RDF.type, QB.DimensionProperty) in ontology
    assert (S.figureValue, RDF.type, QB.MeasureProperty) in ontology
    assert (S.unit, RDF.type, QB.AttributeProperty) in ontology
    structure = S.publishedFiguresStructure
    assert (structure, RDF.type, QB.DataStructureDefinition) in ontology
    components = {}
    for component in ontology.objects(structure, QB.component):
        for kind in (QB.dimension, QB.measure, QB.attribute):
            for prop in ontology.objects(component, kind):
                components[prop] = kind
    assert components == {
        S.statistic: QB.dimension,
        S.refPeriod: QB.dimension,
        S.figureValue: QB.measure,
        S.unit: QB.attribute,
    }
    assert ontology.value(S.statistic, QB.codeList) == C["published-statistics"]
    assert ontology.value(S.unit, QB.codeList) == C.units
    assert ontology.value(S.mostCommonMaltreatment, RDFS.domain) == S.ThematicReport


def test_every_term_has_label_definition_and_source(ontology: rdflib.Graph) -> None:
    terms = scr_terms(ontology)
    assert len(terms) > 40
    for term in terms:
        label = the_one(ontology, term, RDFS.label)
        assert label == label.strip() and label, term
        definition = the_one(ontology, term, SKOS.definition)
        assert len(definition) > 10, term
        assert list(ontology.objects(term, DCTERMS.source)), f"{term} has no dcterms:source"


# --------------------------------------------------------------------------------------------
# Concept schemes
# --------------------------------------------------------------------------------------------

# The schemes of docs/data-model.md: code -> broader (None for a top concept).
SCHEMES: dict[str, dict[str, str | None]] = {
    "outcomes": {"died": None, "serious-harm": None},
    "social-care-statuses": {
        "known-to-social-care": None,
        "known-no-cin-services": "known-to-social-care",
        "child-in-need": "known-to-social-care",
        "child-protection-plan": "child-in-need",
        "looked-after": "child-in-need",
        "not-known-to-social-care": None,
        "previously-known-case-closed": "not-known-to-social-care",
        "social-care-status-not-recorded": None,
    },
    "maltreatment-types": dict.fromkeys(
        ["neglect", "physical-abuse", "sexual-abuse", "emotional-abuse", "multiple-categories"]
    ),
    "fatal-incident-categories": dict.fromkeys(
        [
            "infanticide-covert-homicide",
            "severe-physical-assault",
            "extreme-neglect-deprivation",
            "deliberate-overt-homicide",
            "death-related-not-caused-by-maltreatment",
        ]
    )
    | dict.fromkeys(
        ["sudden-unexpected-death-in-infancy", "suicide"],
        "death-related-not-caused-by-maltreatment",
    ),
    "non-fatal-incident-categories": dict.fromkeys(
        [
            "serious-physical-injury",
            "serious-sexual-abuse",
            "serious-neglect",
            "serious-emotional-harm",
            "self-harm-or-attempted-suicide",
            "sexual-exploitation",
        ]
    ),
    "risk-factors": {
        "toxic-trio": None,
        "domestic-abuse": "toxic-trio",
        "parental-mental-ill-health": "toxic-trio",
        "parental-substance-misuse": "toxic-trio",
        **dict.fromkeys(
            [
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
                "poverty-housing-instability",
                "neglected-home-conditions",
                "extra-familial-harm",
                "not-in-school-or-home-educated",
                "unsafe-sleep",
            ]
        ),
        "criminal-exploitation": "exploitation",
        "perinatal-mental-health": "parental-mental-ill-health",
    },
    "age-bands": dict.fromkeys(
        ["under-1", "age-1-to-5", "age-6-to-10", "age-11-to-15", "age-16-plus"]
    ),
    "agency-types": {
        "adult-facing-services": None,
        **dict.fromkeys(
            [
                "adult-social-care",
                "adult-mental-health",
                "substance-misuse-service",
                "housing",
                "probation",
            ],
            "adult-facing-services",
        ),
        **dict.fromkeys(
            [
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
                "local-authority",
                "integrated-care-board",
                "youth-justice-service",
                "mash",
                "idva-marac",
                "alternative-provision",
            ]
        ),
    },
    "lesson-themes": {
        "good-practice": None,
        "implementing-frameworks": "good-practice",
        "identifying-vulnerable-children": "good-practice",
        "ensuring-action": None,
        "acting-on-concerns": "ensuring-action",
        "using-all-information": None,
        "information-sharing-adult-services": "using-all-information",
        "assessments": None,
        "pre-birth-assessment": "assessments",
        "voice-of-the-child": "assessments",
        "multi-agency-working": None,
        "challenge-supervision-scrutiny": None,
        "challenging-family-accounts": "challenge-supervision-scrutiny",
        "professional-curiosity": None,
        "invisible-men": "assessments",
        "disguised-compliance": "challenge-supervision-scrutiny",
        "race-ethnicity-culture": None,
        "early-help": None,
        "was-not-brought": "ensuring-action",
    },
    "quality-grades": dict.fromkeys(["outstanding", "good", "adequate", "inadequate"]),
    "review-types": dict.fromkeys(
        [
            "serious-case-review",
            "local-child-safeguarding-practice-review",
            "rapid-review",
            "national-review",
            "child-practice-review",
            "significant-case-review",
            "case-management-review",
        ]
    ),
    "review-methods": dict.fromkeys(
        [
            "imr-overview-report",
            "scie-learning-together",
            "silp",
            "welsh-child-practice-review",
            "hybrid",
        ]
    ),
    "published-statistics": dict.fromkeys(
        [
            "reviews-evaluated",
            "reviews-graded-good-percent",
            "reviews-graded-adequate-percent",
            "reviews-graded-inadequate-percent",
            "children-subject",
            "children-died",
            "children-serious-harm",
            "children-known-to-social-care",
            "children-child-in-need",
            "children-child-protection-plan",
            "children-died-child-in-need",
        ]
    ),
    "units": dict.fromkeys(["unit-count", "unit-percent"]),
    "cin-categories-of-need": dict.fromkeys(
        [
            "need-not-stated",
            "need-abuse-or-neglect",
            "need-child-disability",
            "need-parental-illness-or-disability",
            "need-family-in-acute-stress",
            "need-family-dysfunction",
            "need-socially-unacceptable-behaviour",
            "need-low-income",
            "need-absent-parenting",
            "need-cases-other-than-children-in-need",
        ]
    ),
    "rapid-review-decisions": dict.fromkeys(
        ["practice-review", "national-review-referral", "no-further-review"]
    ),
    "recommendation-statuses": dict.fromkeys(
        ["accepted", "in-progress", "completed", "not-accepted", "recommendation-status-not-known"]
    ),
    "sexes": dict.fromkeys(["female", "male", "sex-not-known"]),
    "ethnic-groups": dict.fromkeys(
        [
            "ethnic-group-white",
            "ethnic-group-mixed",
            "ethnic-group-asian",
            "ethnic-group-black",
            "ethnic-group-other",
            "ethnic-group-not-known",
        ]
    ),
}
GROUPING_CONCEPTS = {"toxic-trio", "adult-facing-services"}


def test_the_schemes_are_exactly_those_of_the_data_model(concepts: rdflib.Graph) -> None:
    declared = {str(s)[len(SCRC) :] for s in concepts.subjects(RDF.type, SKOS.ConceptScheme)}
    assert declared == set(SCHEMES)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_scheme_codes_and_nesting(concepts: rdflib.Graph, scheme: str) -> None:
    expected = SCHEMES[scheme]
    members = {str(s)[len(SCRC) :] for s in concepts.subjects(SKOS.inScheme, C[scheme])}
    assert members == set(expected)
    assert the_one(concepts, C[scheme], SKOS.prefLabel)
    assert the_one(concepts, C[scheme], SKOS.definition)
    tops = {str(o)[len(SCRC) :] for o in concepts.objects(C[scheme], SKOS.hasTopConcept)}
    assert tops == {code for code, broader in expected.items() if broader is None}
    for code, broader in expected.items():
        term = C[code]
        if broader is None:
            assert (term, SKOS.topConceptOf, C[scheme]) in concepts, code
            assert concepts.value(term, SKOS.broader) is None, code
        else:
            assert list(concepts.objects(term, SKOS.broader)) == [C[broader]], code
            assert (term, SKOS.topConceptOf, None) not in concepts, code


def test_every_concept_is_in_one_scheme_with_label_definition_source(
    concepts: rdflib.Graph,
) -> None:
    all_concepts = set(concepts.subjects(RDF.type, SKOS.Concept))
    assert len(all_concepts) == sum(len(codes) for codes in SCHEMES.values())
    for concept in all_concepts:
        schemes = list(concepts.objects(concept, SKOS.inScheme))
        assert len(schemes) == 1, concept
        assert (schemes[0], RDF.type, SKOS.ConceptScheme) in concepts, concept
        assert the_one(concepts, concept, SKOS.prefLabel)
        assert len(the_one(concepts, concept, SKOS.definition)) > 10
        assert list(concepts.objects(concept, DCTERMS.source)), concept
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", str(concept)[len(SCRC) :]), concept


def test_broader_is_acyclic(concepts: rdflib.Graph) -> None:
    for concept in concepts.subjects(RDF.type, SKOS.Concept):
        seen = {concept}
        current = concepts.value(concept, SKOS.broader)
        while current is not None:
            assert current not in seen, f"skos:broader cycle at {concept}"
            seen.add(current)
            current = concepts.value(current, SKOS.broader)


def test_review_types_point_to_their_classes(vocabulary: rdflib.Graph) -> None:
    for code in SCHEMES["review-types"]:
        cls = vocabulary.value(C[code], S.reviewClass)
        assert cls is not None and (cls, RDFS.subClassOf, S.CaseReview) in vocabulary, code
        assert the_one(vocabulary, cls, RDFS.label) == the_one(vocabulary, C[code], SKOS.prefLabel)


def test_statistics_carry_their_unit_and_a_counting_rule(concepts: rdflib.Graph) -> None:
    for code in SCHEMES["published-statistics"]:
        unit = concepts.value(C[code], S.unit)
        expected = "unit-percent" if code.endswith("-percent") else "unit-count"
        assert unit == C[expected], code
        assert "Counted from the records" in the_one(concepts, C[code], SKOS.definition), code
    died_cin = the_one(concepts, C["children-died-child-in-need"], SKOS.definition)
    assert "scrc:died" in died_cin and "scrc:child-in-need or a narrower concept" in died_cin


# Only official codes confirmed against published sources are carried as notations.
NOTATIONS = {
    "neglect": ("16A", S.cinAssessmentFactorCode),
    "emotional-abuse": ("17A", S.cinAssessmentFactorCode),
    "physical-abuse": ("18A", S.cinAssessmentFactorCode),
    "sexual-abuse": ("19A", S.cinAssessmentFactorCode),
    "need-not-stated": ("N0", S.cinCategoryOfNeedCode),
    "need-abuse-or-neglect": ("N1", S.cinCategoryOfNeedCode),
    "need-child-disability": ("N2", S.cinCategoryOfNeedCode),
    "need-parental-illness-or-disability": ("N3", S.cinCategoryOfNeedCode),
    "need-family-in-acute-stress": ("N4", S.cinCategoryOfNeedCode),
    "need-family-dysfunction": ("N5", S.cinCategoryOfNeedCode),
    "need-socially-unacceptable-behaviour": ("N6", S.cinCategoryOfNeedCode),
    "need-low-income": ("N7", S.cinCategoryOfNeedCode),
    "need-absent-parenting": ("N8", S.cinCategoryOfNeedCode),
    "need-cases-other-than-children-in-need": ("N9", S.cinCategoryOfNeedCode),
}


def test_notations(concepts: rdflib.Graph) -> None:
    found = {
        str(s)[len(SCRC) :]: (str(o), o.datatype)
        for s, o in concepts.subject_objects(SKOS.notation)
    }
    assert found == NOTATIONS


# --------------------------------------------------------------------------------------------
# Today's reviews (since 2018): every new term has a label, a definition and a public source
# --------------------------------------------------------------------------------------------

# name: (domain, range); a range of None is a union of org:Organization and skos:Concept
POST_2018_PROPERTIES = {
    "ledToReview": (S.RapidReview, S.CaseReview),
    "rapidReviewDecision": (S.RapidReview, SKOS.Concept),
    "notificationDate": (S.CaseReview, XSD.date),
    "rapidReviewDate": (S.CaseReview, XSD.date),
    "publicationDate": (S.CaseReview, XSD.date),
    "reportAddress": (S.CaseReview, XSD.anyURI),
    "statutoryPartner": (S.SafeguardingPartnership, None),
    "succeededBy": (S.SafeguardingBoard, S.SafeguardingPartnership),
    "addressedTo": (S.Recommendation, None),
    "recommendationStatus": (S.Recommendation, SKOS.Concept),
    "statusDate": (S.Recommendation, XSD.date),
    "statusEvidence": (S.Recommendation, XSD.string),
    "sex": (S.Child, SKOS.Concept),
    "ethnicGroup": (S.Child, SKOS.Concept),
}
POST_2018_CLASSES = {"RapidReview", "SafeguardingPartnership", "Recommendation"}
POST_2018_SCHEMES = {"rapid-review-decisions", "recommendation-statuses", "sexes", "ethnic-groups"}
POST_2018_CONCEPTS = {
    "fatal-incident-categories": ["sudden-unexpected-death-in-infancy", "suicide"],
    "risk-factors": [
        "poverty-housing-instability",
        "neglected-home-conditions",
        "criminal-exploitation",
        "extra-familial-harm",
        "not-in-school-or-home-educated",
        "unsafe-sleep",
        "perinatal-mental-health",
    ],
    "agency-types": [
        "local-authority",
        "integrated-care-board",
        "youth-justice-service",
        "mash",
        "idva-marac",
        "alternative-provision",
    ],
    "lesson-themes": [
        "professional-curiosity",
        "invisible-men",
        "disguised-compliance",
        "race-ethnicity-culture",
        "early-help",
        "was-not-brought",
    ],
} | {scheme: list(SCHEMES[scheme]) for scheme in sorted(POST_2018_SCHEMES)}
ORG_ORGANIZATION = URIRef("http://www.w3.org/ns/org#Organization")


def public_sources(graph: rdflib.Graph, term: URIRef) -> list[str]:
    """The dcterms:source values of a term that name a public document, not the project."""
    return [str(s) for s in graph.objects(term, DCTERMS.source) if "scrkg project" not in str(s)]


@pytest.mark.parametrize("name", sorted(POST_2018_PROPERTIES))
def test_post_2018_property(ontology: rdflib.Graph, name: str) -> None:
    domain, range_ = POST_2018_PROPERTIES[name]
    term = S[name]
    assert the_one(ontology, term, RDFS.label)
    assert len(the_one(ontology, term, SKOS.definition)) > 20
    assert public_sources(ontology, term), f"{term} names no public source"
    assert ontology.value(term, RDFS.domain) == domain
    declared = ontology.value(term, RDFS.range)
    if range_ is None:
        members = set(Collection(ontology, ontology.value(declared, OWL.unionOf)))
        assert members == {ORG_ORGANIZATION, SKOS.Concept}
    else:
        assert declared == range_


@pytest.mark.parametrize("name", sorted(POST_2018_CLASSES))
def test_post_2018_class(ontology: rdflib.Graph, name: str) -> None:
    term = S[name]
    assert (term, RDF.type, OWL.Class) in ontology
    assert the_one(ontology, term, RDFS.label)
    assert the_one(ontology, term, SKOS.definition)
    assert any("2023" in s for s in public_sources(ontology, term)), term


@pytest.mark.parametrize(
    "scheme, code",
    [(scheme, code) for scheme, codes in POST_2018_CONCEPTS.items() for code in codes],
)
def test_post_2018_concept(concepts: rdflib.Graph, scheme: str, code: str) -> None:
    term = C[code]
    assert (term, SKOS.inScheme, C[scheme]) in concepts
    assert the_one(concepts, term, SKOS.prefLabel)
    assert len(the_one(concepts, term, SKOS.definition)) > 10
    assert public_sources(concepts, term), f"{term} names no public source"


@pytest.mark.parametrize("scheme", sorted(POST_2018_SCHEMES))
def test_post_2018_scheme(concepts: rdflib.Graph, scheme: str) -> None:
    assert the_one(concepts, C[scheme], SKOS.definition)
    assert public_sources(concepts, C[scheme]), scheme


def test_national_statistics_categories(concepts: rdflib.Graph) -> None:
    labels = {
        scheme: {the_one(concepts, C[code], SKOS.prefLabel) for code in SCHEMES[scheme]}
        for scheme in ("sexes", "ethnic-groups")
    }
    assert labels["sexes"] == {"female", "male", "not known"}
    assert labels["ethnic-groups"] == {
        "White",
        "Mixed",
        "Asian or Asian British",
        "Black or Black British",
        "Other ethnic group",
        "not known",
    }


def test_a_rapid_review_is_a_review_and_a_partnership_a_safeguarding_body(
    ontology: rdflib.Graph,
) -> None:
    assert (S.RapidReview, RDFS.subClassOf, S.CaseReview) in ontology
    assert (S.SafeguardingPartnership, RDFS.subClassOf, S.SafeguardingBody) in ontology


# --------------------------------------------------------------------------------------------
# Nothing used is undefined; the data-model document and the vocabulary agree
# --------------------------------------------------------------------------------------------


def used_terms(text: str, prefix: str) -> set[str]:
    return set(re.findall(rf"\b{prefix}:([A-Za-z][\w-]*[A-Za-z0-9])", text))


def test_every_scr_and_scrc_term_used_is_defined(
    ontology: rdflib.Graph, concepts: rdflib.Graph, shapes
) -> None:
    defined_scr = {str(s)[len(SCR) :] for s in scr_terms(ontology)}
    defined_shapes = {str(s)[len(SCR) :] for s in scr_terms(shapes)}
    defined_scrc = {str(s)[len(SCRC) :] for s in concepts.subjects() if str(s).startswith(SCRC)}
    texts = [p.read_text(encoding="utf-8") for p in TTL_FILES]
    texts += [p.read_text(encoding="utf-8") for p in sorted(QUERIES_DIR.glob("*.rq"))]
    for text in texts:
        text = re.sub(r"^#.*$", "", text, flags=re.MULTILINE)
        assert used_terms(text, "scr") <= defined_scr | defined_shapes
        assert used_terms(text, "scrc") <= defined_scrc


def test_data_model_document_terms_exist(ontology: rdflib.Graph, concepts: rdflib.Graph) -> None:
    doc = DATA_MODEL.read_text(encoding="utf-8")
    defined_scr = {str(s)[len(SCR) :] for s in scr_terms(ontology)}
    defined_scrc = {str(s)[len(SCRC) :] for s in concepts.subjects() if str(s).startswith(SCRC)}
    assert used_terms(doc, "scr") <= defined_scr
    assert used_terms(doc, "scrc") - {"..."} <= defined_scrc
    # Every code named in the concept-scheme table of the document exists.
    table = doc.split("## Concept schemes", 1)[1].split("\n## ", 1)[0]
    for line in table.splitlines():
        match = re.match(r"\| `scrc:([\w-]+)` \| (.+) \|$", line)
        if not match or match.group(1) == "published-statistics":
            continue
        cells = re.sub(r"\(.*?\)", "", match.group(2))
        codes = {c for c in re.split(r"[\s,;>]+", cells) if c}
        assert codes <= set(SCHEMES[match.group(1)]), match.group(1)


# --------------------------------------------------------------------------------------------
# SHACL shapes
# --------------------------------------------------------------------------------------------


def constraint_shapes(shapes: rdflib.Graph) -> set:
    return set(shapes.subjects(RDF.type, SH.PropertyShape)) | set(
        shapes.subjects(RDF.type, SH.NodeShape)
    )


def test_every_shape_has_a_target_and_a_message(shapes: rdflib.Graph) -> None:
    all_shapes = constraint_shapes(shapes)
    assert len(all_shapes) > 30
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetNode, SH.targetObjectsOf)
    for shape in all_shapes:
        assert any(shapes.value(shape, t) is not None for t in targets), shape
        message = shapes.value(shape, SH.message)
        assert message is not None and len(str(message)) > 20, shape


def test_every_review_class_is_targeted(shapes: rdflib.Graph) -> None:
    targeted = set(shapes.objects(S.ReviewConcernsChildShape, SH.targetClass))
    assert targeted == {S.CaseReview} | {S[name] for name in REVIEW_SUBCLASSES}
    for shape in shapes.subjects(SH.targetClass, S.SeriousCaseReview):
        assert set(shapes.objects(shape, SH.targetClass)) == targeted, shape


IN_LISTS = {
    S.ReviewQualityGradeShape: ["quality-grades"],
    S.ReviewMethodShape: ["review-methods"],
    S.ChildOutcomeShape: ["outcomes"],
    S.ChildSocialCareStatusShape: ["social-care-statuses"],
    S.ChildAgeBandShape: ["age-bands"],
    S.ChildMaltreatmentShape: ["maltreatment-types"],
    S.ChildRiskFactorShape: ["risk-factors"],
    S.IncidentCategoryShape: ["fatal-incident-categories", "non-fatal-incident-categories"],
    S.AgencyTypeShape: ["agency-types"],
    S.LessonConcernsAgencyTypeShape: ["agency-types"],
    S.LessonThemeShape: ["lesson-themes"],
    S.ObservationStatisticShape: ["published-statistics"],
    S.ObservationUnitShape: ["units"],
    S.RapidReviewDecisionShape: ["rapid-review-decisions"],
    S.RecommendationStatusShape: ["recommendation-statuses"],
    S.ChildSexShape: ["sexes"],
    S.ChildEthnicGroupShape: ["ethnic-groups"],
}
# Shapes whose value is an organisation (sh:class org:Organization) or one of a list of codes,
# the two alternatives of an sh:or: shape -> the codes of its sh:in alternative.
OR_LISTS = {
    S.RecommendationAddressedToShape: set(SCHEMES["agency-types"]) - GROUPING_CONCEPTS,
    S.PartnershipStatutoryPartnerShape: {"local-authority", "integrated-care-board", "police"},
}


def test_sh_in_lists_match_the_concept_schemes(
    shapes: rdflib.Graph, concepts: rdflib.Graph
) -> None:
    """Each sh:in list of shapes.ttl holds the concepts of its schemes as concepts.ttl has them
    (read from the file, not from SCHEMES), the grouping concepts left out."""

    def in_scheme(scheme: str) -> set[str]:
        found = concepts.subjects(SKOS.inScheme, URIRef(SCRC + scheme))
        return {str(c)[len(SCRC) :] for c in found}

    with_in = {s for s in shapes.subjects(SH["in"], None) if isinstance(s, URIRef)}
    assert with_in == set(IN_LISTS)
    for shape, schemes in IN_LISTS.items():
        listed = {str(c)[len(SCRC) :] for c in Collection(shapes, shapes.value(shape, SH["in"]))}
        expected = {code for scheme in schemes for code in in_scheme(scheme)} - GROUPING_CONCEPTS
        assert expected, shape
        assert listed == expected, shape
    nested = {s for s in shapes.subjects(SH["in"], None) if isinstance(s, BNode)}
    assert len(nested) == len(OR_LISTS)
    for shape, codes in OR_LISTS.items():
        alternatives = list(Collection(shapes, shapes.value(shape, SH["or"])))
        assert shapes.value(alternatives[0], SH["class"]) == ORG_ORGANIZATION, shape
        in_list = Collection(shapes, shapes.value(alternatives[1], SH["in"]))
        assert {str(c)[len(SCRC) :] for c in in_list} == codes, shape


VALID = """
@prefix scr: <https://w3id.org/scrkg/def#> .
@prefix scrc: <https://w3id.org/scrkg/concept/> .
@base <https://w3id.org/scrkg/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<review/R-001> a scr:SeriousCaseReview ;
    rdfs:label "Serious case review R-001" ;
    scr:commissionedBy <board/example-lscb> ;
    scr:reportingYear "2009-10" ;
    scr:evaluationDate "2009-06-15"^^xsd:date ;
    scr:qualityGrade scrc:good ;
    scr:reviewMethod scrc:imr-overview-report ;
    scr:isSynthetic true ;
    scr:concernsChild <child/R-001-C1> ;
    scr:involvedAgency <agency/R-001/police> , <agency/R-001/adult-mental-health> ;
    scr:identifiesLesson <lesson/R-001/1> .

<review/R-002> a scr:LocalChildSafeguardingPracticeReview ;
    rdfs:label "Local child safeguarding practice review R-002" ;
    scr:commissionedBy <board/example-partnership> ;
    scr:reportingYear "2019-20" ;
    scr:notificationDate "2019-05-02"^^xsd:date ;
    scr:rapidReviewDate "2019-05-21"^^xsd:date ;
    scr:publicationDate "2020-03-10"^^xsd:date ;
    scr:reportAddress "https://example.org/reviews/r-002.pdf"^^xsd:anyURI ;
    scr:makesRecommendation <recommendation/R-002/1> , <recommendation/R-002/2> ;
    scr:concernsChild <child/R-002-C1> .

<review/RR-002> a scr:RapidReview ;
    rdfs:label "Rapid review RR-002" ;
    scr:commissionedBy <board/example-partnership> ;
    scr:reportingYear "2019-20" ;
    scr:notificationDate "2019-05-02"^^xsd:date ;
    scr:rapidReviewDate "2019-05-21"^^xsd:date ;
    scr:rapidReviewDecision scrc:practice-review ;
    scr:ledToReview <review/R-002> ;
    scr:concernsChild <child/R-002-C1> .

<recommendation/R-002/1> a scr:Recommendation ;
    rdfs:label "Health partners should check who lives in the household at every contact." ;
    scr:addressedTo scrc:integrated-care-board ;
    scr:recommendationStatus scrc:completed ;
    scr:statusDate "2021-04-01"^^xsd:date ;
    scr:statusEvidence "The annual report says the new household check is in use." .
<recommendation/R-002/2> a scr:Recommendation ;
    rdfs:label "The partnership should audit the use of the escalation policy." ;
    scr:addressedTo <board/example-partnership> .

<board/example-lscb> a scr:SafeguardingBoard ; rdfs:label "Example LSCB" ;
    scr:succeededBy <board/example-partnership> .
<board/example-partnership> a scr:SafeguardingPartnership ; rdfs:label "Example partnership" ;
    scr:statutoryPartner <agency/example-police-force> , scrc:local-authority ,
        scrc:integrated-care-board .
<agency/example-police-force> a scr:Agency ; rdfs:label "Example police force" ;
    scr:agencyType scrc:police .

<agency/R-001/police> a scr:Agency ; rdfs:label "Police (review R-001)" ;
    scr:agencyType scrc:police .
<agency/R-001/adult-mental-health> a scr:Agency ;
    rdfs:label "Adult mental health (review R-001)" ; scr:agencyType scrc:adult-mental-health .

<lesson/R-001/1> a scr:Lesson ;
    rdfs:label "Adult mental health did not share what it knew early enough." ;
    scr:lessonTheme scrc:information-sharing-adult-services ;
    scr:concernsAgency <agency/R-001/adult-mental-health> .

<child/R-001-C1> a scr:Child ; rdfs:label "Child R-001-C1" ;
    scr:ageBand scrc:under-1 ;
    scr:outcome scrc:died ;
    scr:socialCareStatus scrc:child-protection-plan ;
    scr:maltreatment scrc:neglect ;
    scr:hasRiskFactor scrc:domestic-abuse , scrc:parental-mental-ill-health ;
    scr:viewsSoughtCount 0 ;
    scr:experienced <incident/R-001-C1> ;
    scr:isSynthetic true .

<child/R-002-C1> a scr:Child ; rdfs:label "Child R-002-C1" ;
    scr:ageBand scrc:age-11-to-15 ;
    scr:sex scrc:female ;
    scr:ethnicGroup scrc:ethnic-group-not-known ;
    scr:hasRiskFactor scrc:criminal-exploitation , scrc:not-in-school-or-home-educated ;
    scr:outcome scrc:serious-harm ;
    scr:socialCareStatus scrc:social-care-status-not-recorded .

<incident/R-001-C1> a scr:Incident ; rdfs:label "Incident concerning child R-001-C1" ;
    scr:incidentCategory scrc:extreme-neglect-deprivation .

<dataset/figures> a qb:DataSet ; rdfs:label "Figures" ;
    qb:structure scr:publishedFiguresStructure .
<observation/figures/children-died> a qb:Observation ;
    qb:dataSet <dataset/figures> ;
    scr:statistic scrc:children-died ;
    scr:refPeriod "2009-10" ;
    scr:figureValue "90"^^xsd:decimal ;
    scr:unit scrc:unit-count ;
    scr:quote "Of these, 90 related to cases where children had died." ;
    prov:wasDerivedFrom <document/press-release> .

<statement/1> a rdf:Statement ;
    rdf:subject <review/R-001> ; rdf:predicate scr:concernsChild ; rdf:object <child/R-001-C1> ;
    scr:quote "A sentence of the document." ;
    prov:wasDerivedFrom <document/press-release> .

<graph/example> a prov:Entity , scr:SourceGraph ;
    dcterms:source "example.csv" ;
    scr:checksum "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" ;
    prov:generatedAtTime "2026-01-01T00:00:00Z"^^xsd:dateTime ;
    scr:loaderVersion "0.1.0" .
"""

ID = Namespace("https://w3id.org/scrkg/id/")
REVIEW, CHILD = ID["review/R-001"], ID["child/R-001-C1"]
PRACTICE_REVIEW, RAPID_REVIEW = ID["review/R-002"], ID["review/RR-002"]
RECOMMENDATION, PARTNERSHIP = ID["recommendation/R-002/1"], ID["board/example-partnership"]
OBSERVATION = ID["observation/figures/children-died"]


def run_shapes(data: rdflib.Graph, shapes: rdflib.Graph, vocabulary: rdflib.Graph, **options):
    conforms, report, text = validate(
        data, shacl_graph=shapes, ont_graph=vocabulary, inference="none", **options
    )
    messages = {str(m) for m in report.objects(None, SH.resultMessage)}
    return conforms, messages, text


def valid_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(data=VALID, format="turtle")


@pytest.mark.slow
def test_shapes_accept_a_valid_example(shapes, vocabulary) -> None:
    conforms, messages, text = run_shapes(valid_graph(), shapes, vocabulary, meta_shacl=True)
    assert conforms, text
    assert not messages


def _set(s, p, o):
    def change(g: rdflib.Graph) -> None:
        g.remove((s, p, None))
        if o is not None:
            g.add((s, p, o))

    return change


def _add(s, p, o):
    return lambda g: g.add((s, p, o))


OUTCOME_MESSAGE = "A child needs exactly one scr:outcome: died or serious-harm."
BROKEN = {
    "child without outcome": (_set(CHILD, S.outcome, None), OUTCOME_MESSAGE),
    "child with two outcomes": (_add(CHILD, S.outcome, C["serious-harm"]), OUTCOME_MESSAGE),
    "child outcome from another scheme": (_set(CHILD, S.outcome, C.neglect), OUTCOME_MESSAGE),
    "child without age band": (_set(CHILD, S.ageBand, None), "exactly one scr:ageBand"),
    "child with two social care statuses": (
        _add(CHILD, S.socialCareStatus, C["child-in-need"]),
        "exactly one scr:socialCareStatus",
    ),
    "maltreatment not a maltreatment type": (
        _add(CHILD, S.maltreatment, C["domestic-abuse"]),
        "scr:maltreatment must be a concept of scrc:maltreatment-types",
    ),
    "risk factor is the grouping concept": (
        _add(CHILD, S.hasRiskFactor, C["toxic-trio"]),
        "not the grouping concept toxic-trio",
    ),
    "negative views sought": (
        _set(CHILD, S.viewsSoughtCount, Literal(-1)),
        "scr:viewsSoughtCount must be one whole number",
    ),
    "views sought as text": (
        _set(CHILD, S.viewsSoughtCount, Literal("once")),
        "scr:viewsSoughtCount must be one whole number",
    ),
    "child with a name": (
        _add(CHILD, FOAF.name, Literal("A name")),
        "A child must not have a name",
    ),
    "child with a date of birth": (
        _add(CHILD, SCHEMA.birthDate, Literal("2009-01-01", datatype=XSD.date)),
        "A child must not have a date of birth",
    ),
    "review year not YYYY-YY": (
        _set(REVIEW, S.reportingYear, Literal("2009")),
        "exactly one scr:reportingYear",
    ),
    "review without a child": (
        _set(REVIEW, S.concernsChild, None),
        "at least one scr:concernsChild",
    ),
    "review without a board": (
        _set(REVIEW, S.commissionedBy, None),
        "A review needs an scr:commissionedBy",
    ),
    "review board not a board": (
        _set(REVIEW, S.commissionedBy, ID["board/unknown"]),
        "A review needs an scr:commissionedBy",
    ),
    "review without a label": (_set(REVIEW, RDFS.label, None), "A review needs an rdfs:label"),
    "grade outside the quality grades": (
        _set(REVIEW, S.qualityGrade, C.excellent),
        "at most one scr:qualityGrade",
    ),
    "two grades": (_add(REVIEW, S.qualityGrade, C.adequate), "at most one scr:qualityGrade"),
    "lesson without theme": (
        _set(ID["lesson/R-001/1"], S.lessonTheme, None),
        "A lesson needs exactly one scr:lessonTheme",
    ),
    "agency type is the grouping concept": (
        _set(ID["agency/R-001/police"], S.agencyType, C["adult-facing-services"]),
        "not the grouping concept adult-facing-services",
    ),
    "incident without category": (
        _set(ID["incident/R-001-C1"], S.incidentCategory, None),
        "An incident needs exactly one scr:incidentCategory",
    ),
    "figure typed integer": (
        _set(OBSERVATION, S.figureValue, Literal(90)),
        "exactly one scr:figureValue typed xsd:decimal",
    ),
    "figure without unit": (_set(OBSERVATION, S.unit, None), "exactly one scr:unit"),
    "figure without quote": (
        _set(OBSERVATION, S.quote, None),
        "A published figure needs an scr:quote",
    ),
    "statement without quote": (
        _set(ID["statement/1"], S.quote, None),
        "A statement drawn from a document needs an scr:quote",
    ),
    "notification date as text": (
        _set(PRACTICE_REVIEW, S.notificationDate, Literal("2 May 2019")),
        "at most one scr:notificationDate",
    ),
    "publication date as a year": (
        _set(PRACTICE_REVIEW, S.publicationDate, Literal("2020", datatype=XSD.gYear)),
        "at most one scr:publicationDate",
    ),
    "two rapid review dates": (
        _add(RAPID_REVIEW, S.rapidReviewDate, Literal("2019-05-22", datatype=XSD.date)),
        "at most one scr:rapidReviewDate",
    ),
    "report address as a plain string": (
        _set(PRACTICE_REVIEW, S.reportAddress, Literal("https://example.org/r.pdf")),
        "scr:reportAddress must be a web address",
    ),
    "rapid review decision from another scheme": (
        _set(RAPID_REVIEW, S.rapidReviewDecision, C.completed),
        "at most one scr:rapidReviewDecision",
    ),
    "rapid review led to something not a review": (
        _set(RAPID_REVIEW, S.ledToReview, CHILD),
        "at most one scr:ledToReview",
    ),
    "recommendation status outside its scheme": (
        _set(RECOMMENDATION, S.recommendationStatus, C["no-further-review"]),
        "at most one scr:recommendationStatus",
    ),
    "recommendation status date as text": (
        _set(RECOMMENDATION, S.statusDate, Literal("April 2021")),
        "at most one scr:statusDate",
    ),
    "recommendation addressed to a child": (
        _set(RECOMMENDATION, S.addressedTo, CHILD),
        "scr:addressedTo must point to an organisation",
    ),
    "recommendation addressed to a grouping concept": (
        _set(RECOMMENDATION, S.addressedTo, C["adult-facing-services"]),
        "scr:addressedTo must point to an organisation",
    ),
    "recommendation without text": (
        _set(RECOMMENDATION, RDFS.label, None),
        "A recommendation needs an rdfs:label",
    ),
    "statutory partner not a statutory kind": (
        _add(PARTNERSHIP, S.statutoryPartner, C.schools),
        "scr:statutoryPartner must point to an organisation",
    ),
    "board succeeded by a board": (
        _set(ID["board/example-lscb"], S.succeededBy, ID["board/example-lscb"]),
        "scr:succeededBy must point from a board",
    ),
    "child sex outside its scheme": (
        _set(ID["child/R-002-C1"], S.sex, C["ethnic-group-white"]),
        "at most one scr:sex",
    ),
    "two ethnic groups": (
        _add(ID["child/R-002-C1"], S.ethnicGroup, C["ethnic-group-mixed"]),
        "at most one scr:ethnicGroup",
    ),
    "source graph with a bad checksum": (
        _set(ID["graph/example"], S.checksum, Literal("md5:abc")),
        "exactly one scr:checksum",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_shapes_reject_a_broken_example(shapes, vocabulary, case: str) -> None:
    change, expected = BROKEN[case]
    data = valid_graph()
    change(data)
    conforms, messages, _ = run_shapes(data, shapes, vocabulary)
    assert not conforms
    assert any(expected in message for message in messages), messages
    assert len(messages) == 1, f"one fault should give one message: {messages}"
