"""Minting IRIs from source ids, so the same input always gives the same IRIs.

An id is user text and may contain anything, including ``a> <x:isAdmin> "true" . <b``. It is
percent-encoded before it becomes part of an IRI: RFC 3986 unreserved characters
(``A-Z a-z 0-9 - . _ ~``) are kept and every other character is encoded as UTF-8 ``%XX``. So no id
can end an IRI early or inject a triple into an export. Ids made only of dots (``.``, ``..``) are
encoded too, because IRI resolution would otherwise remove them as path segments.
Every minted IRI is checked by :class:`pyoxigraph.NamedNode` before it is used.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pyoxigraph as ox

from scrkg.ontology import DEFAULT_BASE

_DOTS = re.compile(r"^\.+$")
_UNRESERVED = re.compile(r"^[A-Za-z0-9._~-]+$")
_NON_ALNUM = re.compile(r"[\W_]+")


def encode_id(text: str) -> str:
    """The id as one IRI path segment: unreserved characters kept, the rest ``%XX``-encoded."""
    if _UNRESERVED.match(text):  # the common case, and the fast one
        return "%2E" * len(text) if _DOTS.match(text) else text
    return quote(text, safe="", encoding="utf-8", errors="strict")


def slug(label: str) -> str:
    """A board's or file's slug: lower-cased, runs of non-alphanumerics turned into ``-``.

    Letters outside ASCII are kept (and percent-encoded when minted); a label with no letters or
    digits at all falls back to its encoded text so that it still gets a stable, distinct IRI.
    """
    text = _NON_ALNUM.sub("-", label.lower()).strip("-")
    return text or encode_id(label)


def check_base(base: str) -> str:
    """The base for instance IRIs, checked: absolute, ending in ``/`` or ``#``."""
    try:
        ox.NamedNode(base)
    except ValueError as error:
        raise ValueError(f"The base {base!r} is not an absolute IRI: {error}") from None
    if not base.endswith(("/", "#")):
        raise ValueError(f"The base {base!r} must end with '/' or '#', e.g. {DEFAULT_BASE}")
    return base


class Minter:
    """Mints the instance IRIs of docs/data-model.md under one base, as pyoxigraph nodes."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = check_base(base)

    def _node(self, kind: str, *parts: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}{kind}/{'/'.join(parts)}")

    def review(self, review_id: str) -> ox.NamedNode:
        return self._node("review", encode_id(review_id))

    def child(self, child_id: str) -> ox.NamedNode:
        return self._node("child", encode_id(child_id))

    def incident(self, child_id: str) -> ox.NamedNode:
        return self._node("incident", encode_id(child_id))

    def agency(self, review_id: str, agency_type: str) -> ox.NamedNode:
        return self._node("agency", encode_id(review_id), encode_id(agency_type))

    def lesson(self, review_id: str, position: int) -> ox.NamedNode:
        return self._node("lesson", encode_id(review_id), str(position))

    def board(self, label: str) -> ox.NamedNode:
        return self._node("board", encode_id(slug(label)))

    def graph(self, name: str) -> ox.NamedNode:
        """The named graph of a source, from its file name without the extension."""
        return self._node("graph", encode_id(slug(name)))
