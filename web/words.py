"""Terms of the vocabularies in plain words, shared by the ontology page, the query page and the
resource pages: a reader meets "broader concept", not the prefixed name of the term.

``words_for`` gives a term's label when the ontology has one, else the plain words written here
for the standard vocabularies, else its local name spelt out (``concernsChild`` reads
"concerns child"). ``plural`` makes a kind ("child", "agency") into a heading ("children",
"agencies").
"""

from __future__ import annotations

import re

from scrkg.ontology import DCAT, DCTERMS, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, XSD, local_name

SCHEMA = "http://schema.org/"

#: The terms of other vocabularies that the ontology uses, in plain words.
STANDARD_WORDS = {
    RDF + "Statement": "statement",
    RDF + "type": "type",
    RDF + "subject": "subject",
    RDF + "predicate": "link",
    RDF + "object": "object",
    RDF + "Property": "property",
    RDF + "first": "first item",
    RDF + "rest": "other items",
    RDF + "value": "value",
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    RDFS + "subClassOf": "kind of",
    RDFS + "subPropertyOf": "narrower link of",
    RDFS + "Literal": "text",
    RDFS + "Datatype": "kind of value",
    RDFS + "domain": "applies to",
    RDFS + "range": "value",
    RDFS + "seeAlso": "see also",
    OWL + "Class": "class",
    OWL + "Ontology": "ontology",
    OWL + "unionOf": "any of",
    OWL + "versionInfo": "version",
    SKOS + "broader": "broader concept",
    SKOS + "narrower": "narrower concept",
    SKOS + "prefLabel": "preferred label",
    SKOS + "altLabel": "other label",
    SKOS + "hiddenLabel": "hidden label",
    SKOS + "Concept": "concept",
    SKOS + "ConceptScheme": "concept scheme",
    SKOS + "definition": "definition",
    SKOS + "inScheme": "scheme",
    SKOS + "hasTopConcept": "has top concept",
    SKOS + "topConceptOf": "top concept of",
    SKOS + "exactMatch": "same concept elsewhere",
    SKOS + "closeMatch": "close concept elsewhere",
    SKOS + "notation": "code",
    SKOS + "note": "note",
    QB + "Observation": "published figure",
    QB + "DataSet": "set of published figures",
    QB + "dataSet": "set of figures",
    QB + "DataStructureDefinition": "layout of published figures",
    QB + "DimensionProperty": "dimension",
    QB + "MeasureProperty": "measure",
    QB + "AttributeProperty": "attribute",
    QB + "CodedProperty": "coded property",
    QB + "structure": "layout",
    QB + "component": "column",
    QB + "componentRequired": "required",
    QB + "codeList": "code list",
    QB + "order": "position",
    PROV + "wasDerivedFrom": "drawn from",
    PROV + "wasGeneratedBy": "made by",
    PROV + "generatedAtTime": "loaded",
    PROV + "startedAtTime": "started",
    PROV + "endedAtTime": "ended",
    PROV + "Activity": "activity",
    PROV + "Entity": "source",
    PROV + "Organization": "organisation",
    XSD + "string": "text",
    XSD + "date": "date",
    XSD + "dateTime": "date and time",
    XSD + "gYear": "year",
    XSD + "gYearMonth": "month",
    XSD + "decimal": "number",
    XSD + "integer": "whole number",
    XSD + "nonNegativeInteger": "whole number",
    XSD + "boolean": "yes or no",
    XSD + "anyURI": "web address",
    DCTERMS + "title": "title",
    DCTERMS + "source": "source",
    DCTERMS + "description": "description",
    DCTERMS + "temporal": "period",
    DCTERMS + "issued": "date of publication",
    DCTERMS + "created": "created",
    DCTERMS + "publisher": "publisher",
    DCTERMS + "identifier": "identifier",
    DCTERMS + "isReferencedBy": "referred to by",
    DCTERMS + "license": "licence",
    DCTERMS + "rights": "rights",
    DCTERMS + "relation": "related to",
    DCTERMS + "type": "kind of source",
    DCTERMS + "Agent": "agent",
    DCTERMS + "PeriodOfTime": "period",
    DCTERMS + "BibliographicResource": "publication",
    DCAT + "startDate": "start date",
    DCAT + "endDate": "end date",
    SCHEMA + "Person": "person",
    SCHEMA + "Report": "report",
    ORG + "Organization": "organisation",
    ORG + "OrganizationalCollaboration": "partnership",
}


def words_for(iri: str, labels: dict[str, str]) -> str:
    """A term in words: its label, its plain words, or its local name spelt out."""
    if iri in labels and labels[iri] != local_name(iri):
        return labels[iri]
    if iri in STANDARD_WORDS:
        return STANDARD_WORDS[iri]
    local = local_name(iri)
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).replace("-", " ").lower()


_IRREGULAR = {"child": "children", "person": "people", "kind of value": "kinds of value"}


def plural(noun: str) -> str:
    """A kind in the plural: "child" reads "children", "agency" "agencies", "set of published
    figures" "sets of published figures"."""
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    head, of, tail = noun.partition(" of ")
    if of:
        return plural(head) + of + tail
    words = noun.rsplit(" ", 1)
    last = words[-1]
    if last in _IRREGULAR:
        last = _IRREGULAR[last]
    elif re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    elif re.search(r"(s|x|z|ch|sh)$", last):
        last += "es"
    elif last:
        last += "s"
    return " ".join([*words[:-1], last])
