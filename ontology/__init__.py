"""The scrkg vocabulary: namespaces and the paths of the ontology, shapes and saved queries."""

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

PREFIXES = {
    "scr": SCR,
    "scrc": SCRC,
    "id": DEFAULT_BASE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "qb": "http://purl.org/linked-data/cube#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "sh": "http://www.w3.org/ns/shacl#",
}
