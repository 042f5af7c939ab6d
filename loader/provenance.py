"""How a source graph describes itself (PROV-O), as in docs/data-model.md:

    G a prov:Entity, scr:SourceGraph ;
      dcterms:source "cohort.csv" ; scr:checksum "sha256:..." ;
      prov:generatedAtTime "..."^^xsd:dateTime ; scr:loaderVersion "0.1.0" ;
      scr:isSynthetic true ;                      # when every record in it is synthetic
      dcterms:title "..." ;
      prov:wasGeneratedBy [ a prov:Activity ; prov:startedAtTime ... ; prov:endedAtTime ... ] .

The checksum is what makes reloading cheap: a file whose checksum (and loader version) match the
graph already in the store is not loaded again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

import scrkg
from scrkg.ontology import DCTERMS, PROV, SCR, XSD

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")

CHECKSUM = SCR + "checksum"
LOADER_VERSION = SCR + "loaderVersion"


def sha256(*parts: bytes) -> str:
    """``sha256:<hex>`` of the bytes (of several files: of each file's digest, in order)."""
    if len(parts) == 1:
        return "sha256:" + hashlib.sha256(parts[0]).hexdigest()
    combined = hashlib.sha256()
    for part in parts:
        combined.update(hashlib.sha256(part).digest())
    return "sha256:" + combined.hexdigest()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def loader_version() -> str:
    return scrkg.__version__


@dataclass(frozen=True, slots=True)
class SourceDescription:
    """What a source graph says about itself."""

    graph: str
    files: tuple[str, ...]
    checksum: str
    started: dt.datetime
    ended: dt.datetime
    synthetic: bool = False
    title: str | None = None
    version: str = ""

    def triples(self) -> list[ox.Triple]:
        return list(_describe(self))


def _describe(d: SourceDescription) -> Iterable[ox.Triple]:
    g = ox.NamedNode(d.graph)
    activity = ox.BlankNode()
    T = ox.Triple
    yield T(g, RDF_TYPE, ox.NamedNode(PROV + "Entity"))
    yield T(g, RDF_TYPE, ox.NamedNode(SCR + "SourceGraph"))
    for name in d.files:
        yield T(g, ox.NamedNode(DCTERMS + "source"), ox.Literal(name))
    yield T(g, ox.NamedNode(CHECKSUM), ox.Literal(d.checksum))
    yield T(g, ox.NamedNode(PROV + "generatedAtTime"), _datetime(d.ended))
    yield T(g, ox.NamedNode(LOADER_VERSION), ox.Literal(d.version or loader_version()))
    if d.synthetic:
        yield T(g, ox.NamedNode(SCR + "isSynthetic"), ox.Literal("true", datatype=_xsd("boolean")))
    if d.title:
        yield T(g, ox.NamedNode(DCTERMS + "title"), ox.Literal(d.title))
    yield T(g, ox.NamedNode(PROV + "wasGeneratedBy"), activity)
    yield T(activity, RDF_TYPE, ox.NamedNode(PROV + "Activity"))
    yield T(activity, RDFS_LABEL, ox.Literal(f"scrkg load of {', '.join(d.files)}"))
    yield T(activity, ox.NamedNode(PROV + "startedAtTime"), _datetime(d.started))
    yield T(activity, ox.NamedNode(PROV + "endedAtTime"), _datetime(d.ended))


def _xsd(name: str) -> ox.NamedNode:
    return ox.NamedNode(XSD + name)


def _datetime(moment: dt.datetime) -> ox.Literal:
    return ox.Literal(moment.isoformat(timespec="milliseconds"), datatype=_xsd("dateTime"))
