"""The scrkg vocabulary: namespaces, the paths of the ontology, shapes and saved queries, and the
codes of the concept schemes as ontology/concepts.ttl declares them."""

import re
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent

SCR = "https://w3id.org/scrkg/def#"
SCRC = "https://w3id.org/scrkg/concept/"
DEFAULT_BASE = "https://w3id.org/scrkg/id/"
ONTOLOGY_IRI = "https://w3id.org/scrkg/def"

ONTOLOGY_FILE = HERE / "scrkg.ttl"
CONCEPTS_FILE = HERE / "concepts.ttl"
SHAPES_FILE = HERE / "shapes.ttl"
QUERIES_DIR = HERE / "queries"

#: The namespaces scrkg writes and reads, one constant each; PREFIXES names them for SPARQL.
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
QB = "http://purl.org/linked-data/cube#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
ORG = "http://www.w3.org/ns/org#"
OA = "http://www.w3.org/ns/oa#"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES = {
    "scr": SCR,
    "scrc": SCRC,
    "id": DEFAULT_BASE,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "qb": QB,
    "prov": PROV,
    "dcterms": DCTERMS,
    "sh": SH,
}


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/`` (trailing ones aside): a concept's code,
    a term's name, a record's id; the IRI itself when nothing follows."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


SKOS_IN_SCHEME = SKOS + "inScheme"
SKOS_BROADER = SKOS + "broader"


@cache
def _concepts() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """From concepts.ttl: the codes of each scheme, and the codes each concept is broader to."""
    import pyoxigraph as ox

    schemes: dict[str, set[str]] = {}
    narrower: dict[str, set[str]] = {}
    for triple in ox.parse(path=str(CONCEPTS_FILE), format=ox.RdfFormat.TURTLE):
        subject, obj = triple.subject.value, triple.object.value
        if not (subject.startswith(SCRC) and obj.startswith(SCRC)):
            continue
        if triple.predicate.value == SKOS_IN_SCHEME:
            schemes.setdefault(obj[len(SCRC) :], set()).add(subject[len(SCRC) :])
        elif triple.predicate.value == SKOS_BROADER:
            narrower.setdefault(obj[len(SCRC) :], set()).add(subject[len(SCRC) :])
    return (
        {name: frozenset(codes) for name, codes in schemes.items()},
        {name: frozenset(codes) for name, codes in narrower.items()},
    )


def concept_schemes() -> dict[str, frozenset[str]]:
    """Each concept scheme's name (``"age-bands"``) and the codes (local names) of its concepts,
    grouping concepts included."""
    return dict(_concepts()[0])


def narrower_codes(code: str, *, transitive: bool = True) -> frozenset[str]:
    """The codes of the concepts below ``code`` by skos:broader (all the way down unless
    ``transitive`` is false); ``code`` itself is not among them."""
    below = _concepts()[1]
    found: set[str] = set()
    todo = [code]
    while todo:
        for child in below.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                if transitive:
                    todo.append(child)
    return frozenset(found)
