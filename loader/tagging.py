"""Suggesting codes from a review's sentences, with the evidence beside each suggestion.

The lexicon is the ontology's own: each concept's ``skos:prefLabel``, ``skos:altLabel`` and
``skos:hiddenLabel`` (abbreviations, misspellings, phrasings) and, where a label is not enough,
its ``scr:textPattern`` regular expressions. A sentence that denies, rules out or negates a
concept suggests nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scrkg.loader.documents import Sentence


@dataclass(frozen=True)
class Suggestion:
    """A concept proposed for a review, and the sentence that supports it."""

    source: str  #: the document's file name as given
    concept: str  #: the concept's full IRI
    scheme: str  #: the local name of its scheme, e.g. ``risk-factors``
    field: str  #: the input-format field it fills, e.g. ``risk_factors``
    property: str  #: the full IRI of the ontology property it fills
    quote: str  #: the sentence, verbatim
    page: int | None
    start: int
    end: int
    prefix: str
    suffix: str
    matched: str  #: the words in the sentence that matched
    label: str  #: the label or pattern of the lexicon that matched them (the reason)
    confidence: float  #: 0 to 1


class Tagger:
    """The lexicon, compiled once from the ontology."""

    @classmethod
    def from_ontology(cls) -> Tagger:
        raise NotImplementedError

    def suggest(self, sentences: Iterable[Sentence], source: str) -> Iterator[Suggestion]:
        raise NotImplementedError
