"""The ontology's alignments with standard vocabularies, checked against the vocabularies' files.

Each alignment (rdfs:subClassOf, rdfs:subPropertyOf, owl:equivalentClass,
owl:equivalentProperty, skos:exactMatch, skos:closeMatch, qb:concept) from a scrkg term to a term
of another vocabulary must name a term that the vocabulary's own file declares, of the right kind:
a class for a class alignment, a property for a property alignment, a concept for a concept
match. The files are kept in tests/fixtures/vocabularies/ with their licences; their SHA-256 is
listed in the folder's README.md and checked here, so a changed file is noticed.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, Namespace, URIRef

from scrkg.ontology import CONCEPTS_FILE, ONTOLOGY_FILE, SCR, SCRC, SHAPES_FILE

FIXTURES = Path(__file__).parent / "fixtures" / "vocabularies"
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
QB = Namespace("http://purl.org/linked-data/cube#")

ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SCHEMA = Namespace("http://schema.org/")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_CONCEPT = Namespace("http://purl.org/linked-data/sdmx/2009/concept#")
SDMX_CODE = Namespace("http://purl.org/linked-data/sdmx/2009/code#")

# Namespace of a vocabulary -> the file that declares its terms.
VOCABULARY_FILES = {
    str(ORG): "org.ttl",
    str(PROV): "prov-o.ttl",
    str(OA): "oa.ttl",
    str(QB): "cube.ttl",
    str(DCTERMS): "dublin_core_terms.ttl",
    str(SCHEMA): "schemaorg-current-http.ttl.gz",
    str(SDMX_DIMENSION): "sdmx-dimension.ttl",
    str(SDMX_ATTRIBUTE): "sdmx-attribute.ttl",
    str(SDMX_MEASURE): "sdmx-measure.ttl",
    str(SDMX_CONCEPT): "sdmx-concept.ttl",
    str(SDMX_CODE): "sdmx-code.ttl",
}

S = Namespace(SCR)
C = Namespace(SCRC)

# The alignments the ontology makes, each one stated here so that none is dropped unnoticed.
ALIGNMENTS = [
    # agencies, boards and partnerships are organisations (W3C ORG) and agents (PROV-O)
    (S.Agency, RDFS.subClassOf, ORG.Organization),
    (S.Agency, RDFS.subClassOf, PROV.Organization),
    (S.SafeguardingBody, RDFS.subClassOf, ORG.Organization),
    (S.SafeguardingBody, RDFS.subClassOf, PROV.Organization),
    (S.SafeguardingPartnership, RDFS.subClassOf, ORG.OrganizationalCollaboration),
    (S.succeededBy, RDFS.subPropertyOf, DCTERMS.isReplacedBy),
    # documents and reports
    (S.SourceDocument, RDFS.subClassOf, PROV.Entity),
    (S.SourceDocument, RDFS.subClassOf, DCTERMS.BibliographicResource),
    (S.SourceGraph, RDFS.subClassOf, PROV.Entity),
    (S.ThematicReport, RDFS.subClassOf, DCTERMS.BibliographicResource),
    (S.ThematicReport, RDFS.subClassOf, SCHEMA.Report),
    (S.publicationDate, RDFS.subPropertyOf, DCTERMS.issued),
    (S.reportAddress, RDFS.subPropertyOf, SCHEMA.url),
    (S.notificationDate, RDFS.subPropertyOf, DCTERMS.date),
    (S.rapidReviewDate, RDFS.subPropertyOf, DCTERMS.date),
    (S.evaluationDate, RDFS.subPropertyOf, DCTERMS.date),
    (S.statusDate, RDFS.subPropertyOf, DCTERMS.date),
    # the child is a person
    (S.Child, RDFS.subClassOf, SCHEMA.Person),
    # the quote behind a statement or a figure is the exact text selected (Web Annotation)
    (S.quote, RDFS.subPropertyOf, OA.exact),
    # the Data Cube components and the SDMX terms they specialise
    (S.refPeriod, RDFS.subPropertyOf, SDMX_DIMENSION.refPeriod),
    (S.refPeriod, QB.concept, SDMX_CONCEPT.refPeriod),
    (S.figureValue, RDFS.subPropertyOf, SDMX_MEASURE.obsValue),
    (S.figureValue, QB.concept, SDMX_CONCEPT.obsValue),
    (S.unit, RDFS.subPropertyOf, SDMX_ATTRIBUTE.unitMeasure),
    (S.unit, QB.concept, SDMX_CONCEPT.unitMeasure),
    # the child's sex and the SDMX code list of sex
    (C.female, SKOS.exactMatch, SDMX_CODE["sex-F"]),
    (C.male, SKOS.exactMatch, SDMX_CODE["sex-M"]),
    (C["sex-not-known"], SKOS.closeMatch, SDMX_CODE["sex-U"]),
]

CLASS_LINKS = {RDFS.subClassOf, OWL.equivalentClass}
PROPERTY_LINKS = {RDFS.subPropertyOf, OWL.equivalentProperty}
CONCEPT_LINKS = {SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, QB.concept}
ALIGNMENT_LINKS = CLASS_LINKS | PROPERTY_LINKS | CONCEPT_LINKS

CLASS_TYPES = {RDFS.Class, OWL.Class}
PROPERTY_TYPES = {
    RDF.Property,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    QB.DimensionProperty,
    QB.AttributeProperty,
    QB.MeasureProperty,
}
CONCEPT_TYPES = {SKOS.Concept}


def read_fixture(name: str) -> bytes:
    data = (FIXTURES / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def vocabulary_types(name: str) -> dict[str, set[str]]:
    """Each subject of a vocabulary file -> its rdf:type values (parsed with Oxigraph: fast)."""
    types: dict[str, set[str]] = {}
    for triple in ox.parse(read_fixture(name), format=ox.RdfFormat.TURTLE):
        if isinstance(triple.subject, ox.NamedNode):
            declared = types.setdefault(triple.subject.value, set())
            if triple.predicate.value == str(RDF.type):
                declared.add(triple.object.value)
    return types


@pytest.fixture(scope="module")
def vocabularies() -> dict[str, dict[str, set[str]]]:
    return {name: vocabulary_types(name) for name in sorted(set(VOCABULARY_FILES.values()))}


@pytest.fixture(scope="module")
def ours() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_FILE) + rdflib.Graph().parse(CONCEPTS_FILE)


def vocabulary_of(term: URIRef) -> str | None:
    for namespace, name in VOCABULARY_FILES.items():
        if str(term).startswith(namespace):
            return name
    return None


def external_alignments(graph: rdflib.Graph) -> set[tuple]:
    """Every alignment triple from a scrkg term to a term outside scrkg."""
    found = set()
    for link in ALIGNMENT_LINKS:
        for subject, target in graph.subject_objects(link):
            if not isinstance(subject, URIRef) or not isinstance(target, URIRef):
                continue
            if str(subject).startswith((SCR, SCRC)) and not str(target).startswith((SCR, SCRC)):
                found.add((subject, link, target))
    return found


def expected_kinds(link: URIRef) -> set[URIRef]:
    if link in CLASS_LINKS:
        return CLASS_TYPES
    if link in PROPERTY_LINKS:
        return PROPERTY_TYPES
    return CONCEPT_TYPES


# --------------------------------------------------------------------------------------------
# The fixture files: unchanged, licensed
# --------------------------------------------------------------------------------------------


def listed_checksums() -> dict[str, str]:
    text = (FIXTURES / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([\w.-]+)` \| ([0-9a-f]{64}) \|$", text, flags=re.MULTILINE))


@pytest.mark.parametrize("name", sorted(set(VOCABULARY_FILES.values())))
def test_vocabulary_file_is_the_listed_copy(name: str) -> None:
    checksums = listed_checksums()
    assert name in checksums, f"{name} is not listed in the fixtures README"
    assert hashlib.sha256(read_fixture(name)).hexdigest() == checksums[name], name


def test_every_file_in_the_folder_is_listed_and_licensed() -> None:
    files = {p.name for p in FIXTURES.iterdir() if p.suffix in {".ttl", ".gz"}}
    assert files == set(listed_checksums()) == set(VOCABULARY_FILES.values())
    licences = (FIXTURES / "LICENSES.md").read_text(encoding="utf-8")
    for name in files:
        stem = name.split(".")[0]
        assert stem in licences, f"{name} has no licence notice in LICENSES.md"
    assert (FIXTURES / "LICENSE-sdmx.md").exists()


# --------------------------------------------------------------------------------------------
# The alignments
# --------------------------------------------------------------------------------------------


def test_there_are_at_least_a_dozen_alignments() -> None:
    assert len(ALIGNMENTS) >= 12
    assert len(set(ALIGNMENTS)) == len(ALIGNMENTS)


@pytest.mark.parametrize(
    "alignment", ALIGNMENTS, ids=lambda a: f"{a[0].n3()} {a[1].n3()} {a[2].n3()}"
)
def test_alignment_is_stated_and_its_target_exists(ours, vocabularies, alignment) -> None:
    subject, link, target = alignment
    assert alignment in ours, "the ontology does not state this alignment"
    name = vocabulary_of(target)
    assert name is not None, f"no vocabulary file for {target}"
    declared = vocabularies[name].get(str(target))
    assert declared is not None, f"{target} is not declared in {name}"
    kinds = {str(k) for k in expected_kinds(link)}
    assert declared & kinds, f"{target} is declared in {name} as {declared}, not as {kinds}"


def test_every_alignment_in_the_ontology_is_listed(ours) -> None:
    assert external_alignments(ours) == set(ALIGNMENTS)


def test_aligned_subjects_are_of_the_same_kind(ours) -> None:
    for subject, link, _ in ALIGNMENTS:
        if link in CLASS_LINKS:
            assert (subject, RDF.type, OWL.Class) in ours, subject
        elif link in PROPERTY_LINKS or link == QB.concept:
            kinds = {OWL.ObjectProperty, OWL.DatatypeProperty}
            assert any((subject, RDF.type, kind) in ours for kind in kinds), subject
        else:
            assert (subject, RDF.type, SKOS.Concept) in ours, subject


def test_data_cube_and_organisation_terms_used_exist(vocabularies) -> None:
    """Every qb:, org:, prov:, oa:, dcterms: and schema: term the ontology, the concept schemes or
    the shapes use (as a subject, predicate, object or type) is declared in its vocabulary file."""
    graph = rdflib.Graph()
    for path in (ONTOLOGY_FILE, CONCEPTS_FILE, SHAPES_FILE):
        graph.parse(path)
    used = {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and vocabulary_of(term) is not None
    }
    assert used
    missing = sorted(str(t) for t in used if str(t) not in vocabularies[vocabulary_of(t)])
    assert missing == []
