"""Reading a review's document: its text, page by page, cut into sentences with their offsets.

The readers take ``.pdf`` (the text layer), ``.html``/``.htm``, ``.docx``, ``.txt`` and ``.md``.
A document's *text* is the text of its pages, as extracted, joined by a form feed (``\\f``); every
offset (``start``, ``end``) counts characters in that text, so a sentence's ``text`` is always
``document_text[start:end]``. Pages are read one at a time, so memory does not grow with the
number of pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scrkg.loader.errors import LoadError


class DocumentError(LoadError):
    """A document could not be read (encrypted, image-only, corrupt, unknown kind, too large)."""

    default_rule = "document"


@dataclass(frozen=True)
class Sentence:
    """One sentence, verbatim, and where it stands in its document."""

    text: str  #: verbatim from the document's text
    page: int | None  #: 1-based; None when the format has no pages
    start: int  #: offset of its first character in the document's text
    end: int  #: offset just after its last character
    prefix: str  #: up to 32 characters of the text before it (for oa:prefix)
    suffix: str  #: up to 32 characters of the text after it (for oa:suffix)


@dataclass(frozen=True)
class Document:
    """A document that has been opened and checked; :meth:`sentences` reads its text."""

    path: Path
    source: str  #: the file name as the user gave it
    sha256: str  #: hex digest of the file's bytes
    media_type: str  #: e.g. ``application/pdf``
    pages: int | None  #: number of pages; None when the format has no pages

    def sentences(self) -> Iterator[Sentence]:
        raise NotImplementedError


def open_document(path: str | Path, *, max_bytes: int | None = None) -> Document:
    """Open and check a document; raise :class:`DocumentError` (one line) when it cannot be read."""
    raise NotImplementedError
