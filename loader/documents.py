"""Reading a review's document: its text, page by page, cut into sentences with their offsets.

The readers take ``.pdf`` (the text layer, through pdfium), ``.html``/``.htm`` (lxml; nothing is
fetched and no entity is expanded), ``.docx`` (python-docx: paragraphs and table cells, in the
order they stand in the document), ``.txt`` and ``.md`` (UTF-8, read as plain text).

A document's *text* follows the Web Annotation rule for text selectors: markup is dropped,
entities become the characters they stand for and whitespace is normalised. Each page is a run
of paragraphs kept apart by ``\\n``; inside a paragraph every run of whitespace is one space, a
PDF's line breaks inside a paragraph are one space, the soft-hyphen markers pdfium leaves where
a word was hyphenated at a line's end are removed (the two halves joined) and soft hyphens and
control characters are dropped. Pages are joined by a form feed (``\\f``). Every offset
(``start``, ``end``) counts characters in that text, so a sentence's ``text`` is always
``document_text[start:end]``, and :meth:`Document.text` rebuilds the text.

Pages are read one at a time and sentences are yielded as soon as the 32 characters after them
are known, so memory does not grow with the number of pages.

Where a PDF's paragraphs end is not in its text layer; it is read from the page's geometry: a
line ends its paragraph when it stops well short of the page's right margin (the last line of a
paragraph, a heading, a list item), when the gap to the next line is wider than the page's usual
line spacing, when the font size changes, or when the next line does not stand below it (a new
column). Without geometry (pdfium cannot map its text to its characters), a line much shorter
than the page's longest ends its paragraph.

Sentences are cut by pysbd (English rules, character spans), one paragraph at a time, so a
sentence never runs across a paragraph or a page. pysbd's time grows faster than the length of
what it is given, so a paragraph longer than :data:`SEGMENT_CHARS` is given to it in pieces cut
after a sentence's end near that length; a long review is then read fast enough to keep pysbd's
handling of abbreviations, initials and numbers (figures in docs/performance.md). pysbd
reads a capital and a full stop as an initial, so a review's pseudonym at a sentence's end
("seen by Child A. The mother ...") is cut by one rule of this module (``_PSEUDONYM_END``).
"""

from __future__ import annotations

import codecs
import hashlib
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from scrkg.loader.errors import LoadError

#: The largest document ``open_document`` reads unless told otherwise (``--max-bytes``).
DEFAULT_MAX_DOCUMENT_BYTES = 100 * 1024 * 1024

#: A .docx is a zip archive; its parts may unpack to at most this many times the byte limit.
DOCX_UNPACK_RATIO = 20

#: How many characters of context a sentence carries before and after it.
CONTEXT_CHARS = 32

#: The longest run of text given to pysbd at once (see the module's notes on speed).
SEGMENT_CHARS = 4000

#: A plain-text paragraph longer than this ends at its next line break.
MAX_PARAGRAPH_CHARS = 20000

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".htm": "text/html",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
    ".md": "text/markdown",
}

_KINDS = ".pdf, .html, .htm, .docx, .txt and .md"
_CHUNK = 1 << 20


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
        """The document's sentences in order, read lazily, one page at a time."""
        return _sentences(self._pages(), paged=self.pages is not None)

    def page_texts(self) -> Iterator[str]:
        """Each page's text in turn (the whole text when the format has no pages)."""
        for paragraphs in self._pages():
            yield "\n".join(paragraphs)

    def text(self) -> str:
        """The document's whole text, pages joined by ``\\f`` (held in memory at once)."""
        return "\f".join(self.page_texts())

    def _pages(self) -> Iterator[Iterable[str]]:
        """Each page as an iterable of its paragraphs (normalised, none empty)."""
        reader = _READERS[self.path.suffix.lower()]
        return reader(self.path, self.path.name)


def open_document(path: str | Path, *, max_bytes: int | None = None) -> Document:
    """Open and check a document; raise :class:`DocumentError` (one line) when it cannot be read."""
    given = Path(path)
    name = given.name or str(path)
    limit = DEFAULT_MAX_DOCUMENT_BYTES if max_bytes is None else max_bytes
    suffix = given.suffix.lower()
    try:
        status = given.stat()
    except FileNotFoundError:
        raise DocumentError("no such file; check the path", file=name, rule="missing") from None
    except OSError as exc:
        raise _unreadable(name, exc) from None
    if stat.S_ISDIR(status.st_mode):
        raise DocumentError("is a folder, not a document; name a file", file=name, rule="missing")
    if not stat.S_ISREG(status.st_mode):
        raise DocumentError(
            "is not a regular file (a pipe or a device?); save the document to a file and tag that",
            file=name,
            rule="missing",
        )
    if suffix not in MEDIA_TYPES:
        kind = f"'{suffix}' files" if suffix else "files without an extension"
        raise DocumentError(
            f"cannot read {kind}; scrkg tag reads {_KINDS} (save the review as one of these)",
            file=name,
            rule="document-kind",
        )
    if status.st_size > limit:
        raise DocumentError(
            f"is {_size(status.st_size)}, more than the {_size(limit)} limit for one document; "
            f"raise it with --max-bytes (in bytes) if this is the right file",
            file=name,
            rule="size-cap",
        )
    text_file = suffix in (".txt", ".md")
    digest = _check_text_file(given, name) if text_file else _sha256(given, name)
    pages: int | None = None
    if suffix == ".pdf":
        pages = _check_pdf(given, name)
    elif suffix == ".docx":
        _check_docx(given, name, limit)
    document = Document(
        path=given, source=str(path), sha256=digest, media_type=MEDIA_TYPES[suffix], pages=pages
    )
    if suffix != ".pdf" and not _has_text(document):
        raise DocumentError(
            "has no text to tag; check that this is the right file", file=name, rule="empty"
        )
    return document


# --- sentences ---------------------------------------------------------------------------------


@dataclass
class _Pending:
    """A sentence whose suffix is still being read."""

    text: str
    page: int | None
    start: int
    end: int
    prefix: str
    suffix: str

    def done(self) -> Sentence:
        return Sentence(self.text, self.page, self.start, self.end, self.prefix, self.suffix)


def _sentences(pages: Iterator[Iterable[str]], *, paged: bool) -> Iterator[Sentence]:
    """Cut the pages' paragraphs into sentences; offsets count characters of the joined text."""
    segmenter = _segmenter()
    offset = 0
    before = ""  # the last CONTEXT_CHARS characters of the text read so far
    pending: list[_Pending] = []

    def feed(piece: str) -> Iterator[Sentence]:
        nonlocal before
        for item in pending:
            need = CONTEXT_CHARS - len(item.suffix)
            if need > 0:
                item.suffix += piece[:need]
        while pending and len(pending[0].suffix) >= CONTEXT_CHARS:
            yield pending.pop(0).done()
        before = (before + piece[-CONTEXT_CHARS:])[-CONTEXT_CHARS:]

    for number, paragraphs in enumerate(pages, start=1):
        if number > 1:
            yield from feed("\f")
            offset += 1
        page = number if paged else None
        for index, paragraph in enumerate(paragraphs):
            if index:
                yield from feed("\n")
                offset += 1
            fresh = [
                _Pending(
                    text=paragraph[start:end],
                    page=page,
                    start=offset + start,
                    end=offset + end,
                    prefix=(before + paragraph[max(0, start - CONTEXT_CHARS) : start])[
                        -CONTEXT_CHARS:
                    ],
                    suffix=paragraph[end : end + CONTEXT_CHARS],
                )
                for start, end in _sentence_spans(paragraph, segmenter)
            ]
            # The paragraph's own sentences already hold their suffix from it; it completes
            # the suffixes of the sentences before it.
            yield from feed(paragraph)
            pending.extend(fresh)
            while pending and len(pending[0].suffix) >= CONTEXT_CHARS:
                yield pending.pop(0).done()
            offset += len(paragraph)
    for item in pending:
        yield item.done()


def split_text(text: str) -> list[Sentence]:
    """Plain text (a passage, a test's words) cut into sentences by the same rules as a
    document's paragraphs, with offsets in ``text`` and no page. ``text`` is taken as it is, not
    normalised, so ``text[start:end]`` is each sentence."""
    segmenter = _segmenter()
    return [
        Sentence(
            text=text[start:end],
            page=None,
            start=start,
            end=end,
            prefix=text[max(0, start - CONTEXT_CHARS) : start],
            suffix=text[end : end + CONTEXT_CHARS],
        )
        for start, end in _sentence_spans(text, segmenter)
    ]


def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _sentence_spans(paragraph: str, segmenter) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph, stripped, none empty."""
    for base, chunk in _chunks(paragraph, SEGMENT_CHARS):
        # pysbd's spans are used as cut points only, so text it drops or alters is never lost.
        cuts = {span.end for span in segmenter.segment(chunk) if 0 < span.end < len(chunk)}
        cuts.update(match.end() for match in _PSEUDONYM_END.finditer(chunk))
        previous = 0
        for cut in [*sorted(cuts), len(chunk)]:
            piece = chunk[previous:cut]
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                start = base + previous + lead
                yield start, start + len(stripped)
            previous = cut


#: A review's pseudonym ending a sentence ("... was not seen by Child A. The mother ..."): pysbd
#: reads the capital and full stop as an initial and would run the two sentences together.
_PSEUDONYM_END = re.compile(
    r"\b(?:Child|Children|Baby|Infant|Sibling|Young Person|Adult|Mother|Father|Parent|Family|"
    r"Person|Boy|Girl|Brother|Sister|Subject) [A-Z]{1,2}\d{0,2}\.(?=\s+[\"'\u2018\u201c(]?[A-Z])"
)


def _chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    """Cut a long text into pieces of about ``size`` characters, after a sentence's end where
    one stands in the second half of the piece, else after a space."""
    start = 0
    while len(text) - start > size:
        low, high = start + size // 2, start + size
        cut = max(text.rfind(mark, low, high) for mark in (". ", "? ", "! ", "; "))
        if cut >= 0:
            cut += 2
        else:
            cut = text.rfind(" ", low, high)
            cut = cut + 1 if cut >= 0 else high
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


# --- normalising -------------------------------------------------------------------------------

_DROP = dict.fromkeys(
    [*range(0x00, 0x09), *range(0x0E, 0x1C), *range(0x7F, 0xA0), 0xAD, 0xFEFF, 0xFFFE, 0xFFFF]
)
_LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl"}
_LIGATURES |= {0xFB05: "st", 0xFB06: "st"}
_CLEAN = str.maketrans({**_DROP, **_LIGATURES})


def normalise(text: str) -> str:
    """One paragraph's text: controls and soft hyphens dropped, whitespace runs one space."""
    return " ".join(text.translate(_CLEAN).split())


# --- PDF ---------------------------------------------------------------------------------------

#: pdfium marks a hyphen at a line's end, where it joins the two halves of a word, with one of
#: these (``\x02`` in the text of a bounded area, ``\ufffe`` in the text of a range).
_PDF_HYPHEN = "\x02\ufffe"
_HYPHENATED = re.compile(r"([^\W\d_]+)[\x02\ufffe]\s*([^\W\d_]*)")
#: Words whose hyphen stays when a line ends after it ("multi-agency", "self-harm").
COMPOUND_PREFIXES = frozenset({"multi", "non", "self", "co", "cross", "anti", "step", "well"})


def _open_pdf(path: Path, name: str):
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise DocumentError(
                "is password-protected; save an unprotected copy (remove the password, or print "
                "it to a new PDF) and tag that",
                file=name,
                rule="encrypted",
            ) from None
        reason = _pdfium_reason(exc)
        raise DocumentError(
            f"is not a readable PDF ({reason}); it may be damaged or not a PDF: open it and "
            f"save or export it again, then tag the new file",
            file=name,
            rule="corrupt",
        ) from None
    except OSError as exc:
        raise _unreadable(name, exc) from None


def _pdfium_reason(exc: Exception) -> str:
    found = re.search(r"PDFium: ([^)]*)", str(exc))
    return f"pdfium: {found.group(1)}" if found else "pdfium could not load it"


def _check_pdf(path: Path, name: str) -> int:
    """The PDF's page count, once it is known to open and to have a text layer."""
    pdf = _open_pdf(path, name)
    try:
        count = len(pdf)
        for index in range(count):
            page = _pdf_page(pdf, index, name)
            try:
                textpage = page.get_textpage()
                try:
                    if textpage.count_chars() and textpage.get_text_bounded().strip():
                        return count
                finally:
                    textpage.close()
            finally:
                page.close()
    finally:
        pdf.close()
    pages = "its page" if count == 1 else f"any of its {count} pages"
    raise DocumentError(
        f"has no text layer on {pages} (it looks scanned or made of images); run OCR on it "
        f"first (for example ocrmypdf) and tag the result",
        file=name,
        rule="no-text",
    )


def _pdf_page(pdf, index: int, name: str):
    import pypdfium2 as pdfium

    try:
        return pdf[index]
    except pdfium.PdfiumError as exc:
        raise DocumentError(
            f"this page cannot be read ({_pdfium_reason(exc)}); open the PDF and save or export "
            f"it again, then tag the new file",
            file=name,
            location=f"page {index + 1}",
            rule="corrupt",
        ) from None


def _read_pdf(path: Path, name: str) -> Iterator[list[str]]:
    pdf = _open_pdf(path, name)
    try:
        for index in range(len(pdf)):
            page = _pdf_page(pdf, index, name)
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_bounded()
                    geometry = _line_geometry(textpage, text)
                finally:
                    textpage.close()
            finally:
                page.close()
            yield _pdf_paragraphs(text, geometry)
    finally:
        pdf.close()


@dataclass(frozen=True)
class _Line:
    """Where one of pdfium's lines stands on the page (PDF units, y upwards)."""

    left: float  #: x of its first character
    bottom: float  #: bottom of its first character's font box
    height: float  #: height of its first character's font box
    right: float | None  #: x where its last character ends (None on the page's last line)
    end_bottom: float | None  #: bottom of its last character's font box


def _line_geometry(textpage, text: str) -> list[_Line] | None:
    """Each line's geometry, or None when pdfium's text cannot be matched to its characters."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    if not text:
        return None
    ranged = textpage.get_text_range()
    breaks = [match.start() for match in re.finditer("\r\n", ranged)]
    if len(breaks) != text.count("\r\n") or any(ord(char) > 0xFFFF for char in text):
        return None
    count = textpage.count_chars()
    starts = [0]
    ends: list[int] = []
    for position in breaks:
        index = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, position)
        if index < 1 or index + 2 >= count or pdfium_c.FPDFText_GetUnicode(textpage, index) != 13:
            return None
        ends.append(index - 1)
        starts.append(index + 2)
    lines = []
    try:
        for number, start in enumerate(starts):
            left, bottom, _, top = textpage.get_charbox(start, loose=True)
            right = end_bottom = None
            if number < len(ends):
                _, end_bottom, right, _ = textpage.get_charbox(ends[number], loose=True)
            lines.append(_Line(left, bottom, top - bottom, right, end_bottom))
    except pdfium.PdfiumError:
        return None
    return lines


def _pdf_paragraphs(text: str, geometry: list[_Line] | None) -> list[str]:
    """A page's paragraphs from pdfium's text (lines ending in ``\\r\\n``) and their geometry."""
    lines = text.split("\r\n")
    if geometry is not None and len(geometry) == len(lines):
        ends = _paragraph_ends_from_geometry(geometry)
    else:
        ends = _paragraph_ends_from_lengths(lines)
    paragraphs: list[str] = []
    current: list[str] = []
    for number, line in enumerate(lines):
        current.append(line)
        if number in ends or number == len(lines) - 1:
            paragraph = normalise(_join_hyphenated(" ".join(current), text))
            if paragraph:
                paragraphs.append(paragraph)
            current = []
    return paragraphs


def _paragraph_ends_from_geometry(lines: list[_Line]) -> set[int]:
    rights = [line.right for line in lines if line.right is not None]
    if not rights:
        return set()
    full = max(rights)
    width = full - min(line.left for line in lines)
    gaps = sorted(
        line.end_bottom - following.bottom
        for line, following in zip(lines, lines[1:], strict=False)
        if line.end_bottom is not None and line.end_bottom - following.bottom > 0
    )
    usual = gaps[len(gaps) // 4] if len(gaps) >= 3 else None
    ends = set()
    for number, (line, following) in enumerate(zip(lines, lines[1:], strict=False)):
        if line.right is None or line.end_bottom is None:
            continue
        gap = line.end_bottom - following.bottom
        reference = usual or 1.2 * max(line.height, following.height)
        short = line.right < full - 0.15 * width
        spaced = gap > 1.35 * reference or gap < 0.5 * reference
        resized = abs(line.height - following.height) > 0.15 * max(line.height, following.height)
        if short or spaced or resized:
            ends.add(number)
    return ends


def _paragraph_ends_from_lengths(lines: list[str]) -> set[int]:
    longest = max((len(line.strip()) for line in lines), default=0)
    return {number for number, line in enumerate(lines) if len(line.strip()) < 0.7 * longest}


def _join_hyphenated(paragraph: str, page_text: str) -> str:
    """Remove pdfium's line-end hyphen markers, joining the word's halves; a compound
    ("multi-agency", "non-mobile", one written with its hyphen elsewhere on the page) keeps its
    hyphen, as does a word whose second half starts with a capital."""
    if not any(marker in paragraph for marker in _PDF_HYPHEN):
        return paragraph

    def join(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if not right:
            return left
        compound = (
            right[0].isupper()
            or (left.lower() in COMPOUND_PREFIXES and len(right) >= 4)
            or f"{left}-{right}" in page_text
        )
        return f"{left}-{right}" if compound else left + right

    return _HYPHENATED.sub(join, paragraph)


# --- HTML --------------------------------------------------------------------------------------

_DROPPED_TAGS = ("script", "style", "noscript", "template", "head", "title", "iframe", "object")
_DROPPED_TAGS += ("svg", "math")
#: A document type declaration at the start, with any internal subset (entity declarations):
#: the HTML parser ignores DTDs but would show a subset's text; it is removed before parsing.
_DOCTYPE = re.compile(
    rb"\A(\xef\xbb\xbf)?\s*(<\?xml[^>]*>\s*)?<!doctype[^\[>]*(\[.*?\])?\s*>", re.I | re.S
)
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "caption", "center"),
        *("dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption"),
        *("figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup"),
        *("hr", "html", "legend", "li", "main", "menu", "nav", "ol", "option", "p", "pre"),
        *("section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"),
    }
)


def _parse_html(path: Path, name: str):
    import lxml.html
    from lxml import etree

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(name, exc) from None
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DocumentError(
            "is not HTML text (it holds binary data); check that this is the right file",
            file=name,
            rule="corrupt",
        )
    data = _DOCTYPE.sub(rb"\1\2", data, count=1)
    encoding = None
    try:
        data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        pass  # let libxml2 read the encoding from a BOM or <meta charset>
    # HTMLParser never loads a DTD, an external entity or anything over the network.
    parser = lxml.html.HTMLParser(
        encoding=encoding, no_network=True, remove_comments=True, remove_pis=True
    )
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        if "empty" in str(exc).lower():
            return None
        raise DocumentError(
            f"is not readable HTML ({_one_line(exc)}); open it in a browser and save it again",
            file=name,
            rule="corrupt",
        ) from None
    for element in list(root.iter(*_DROPPED_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    return root


def _read_html(path: Path, name: str) -> Iterator[Iterator[str]]:
    root = _parse_html(path, name)
    yield _html_paragraphs(root) if root is not None else iter(())


def _html_paragraphs(root) -> Iterator[str]:
    from lxml import etree

    pieces: list[str] = []

    def flush() -> Iterator[str]:
        paragraph = normalise("".join(pieces))
        pieces.clear()
        if paragraph:
            yield paragraph

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else None
        if event == "start":
            if tag in _BLOCK_TAGS:
                yield from flush()
            elif tag == "br":  # a line break inside a paragraph, as in a PDF: one space
                pieces.append(" ")
            if tag is not None and element.text:
                pieces.append(element.text)
        else:
            if tag in _BLOCK_TAGS:
                yield from flush()
            if element.tail and element is not root:
                pieces.append(element.tail)
    yield from flush()


# --- DOCX --------------------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_docx(path: Path, name: str, limit: int) -> None:
    """Refuse a .docx that is not a zip archive or that unpacks to far more than the limit."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_OLE_MAGIC))
    except OSError as exc:
        raise _unreadable(name, exc) from None
    if head == _OLE_MAGIC:
        raise DocumentError(
            "is password-protected or an old Word 97-2003 file; save an unprotected copy as "
            ".docx and tag that",
            file=name,
            rule="encrypted",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _corrupt_docx(name, exc, path) from None
    if unpacked > DOCX_UNPACK_RATIO * max(limit, 1):
        raise DocumentError(
            f"unpacks to {_size(unpacked)}, more than {DOCX_UNPACK_RATIO} times the "
            f"{_size(limit)} limit for one document; raise it with --max-bytes (in bytes) if "
            f"this is the right file",
            file=name,
            rule="size-cap",
        )


def _corrupt_docx(name: str, exc: BaseException, path: Path) -> DocumentError:
    reason = _one_line(exc).replace(str(path), name)
    return DocumentError(
        f"is not a readable Word .docx file ({reason}); open it in Word or LibreOffice "
        f"and save it again as .docx",
        file=name,
        rule="corrupt",
    )


def _read_docx(path: Path, name: str) -> Iterator[Iterator[str]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        document = docx.Document(str(path))
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        EOFError,
        etree.XMLSyntaxError,
    ) as exc:
        raise _corrupt_docx(name, exc, path) from None
    except OSError as exc:
        raise _unreadable(name, exc) from None
    yield _docx_paragraphs(document)


def _docx_paragraphs(container) -> Iterator[str]:
    """The paragraphs of a document or table cell, and of its tables' cells, in order."""
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            # A merged cell is listed once per grid cell it covers; it is read once. The set
            # holds the elements themselves, so that their identity stays theirs.
            seen = set()
            for row in block.rows:
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    yield from _docx_paragraphs(cell)
        else:
            paragraph = normalise(block.text)
            if paragraph:
                yield paragraph


# --- plain text --------------------------------------------------------------------------------

#: A line that starts a paragraph: a list item, a heading, a table row.
_BLOCK_START = re.compile(r"\s*(?:[-*+\u2022\u2013]\s|#{1,6}\s|\d{1,3}[.)]\s|\|)")
#: A line that is a paragraph of its own: a Markdown heading, a table row.
_ONE_LINE = re.compile(r"\s*(?:#{1,6}\s|\|)")


def _check_text_file(path: Path, name: str) -> str:
    """The file's sha256, once every byte of it is known to be UTF-8 (read once, in chunks)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    read = lines = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    raise _not_utf8(name, chunk, exc, read, lines) from None
                read += len(chunk)
                lines += chunk.count(b"\n")
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                raise _not_utf8(name, b"", exc, read, lines) from None
    except OSError as exc:
        raise _unreadable(name, exc) from None
    return digest.hexdigest()


def _not_utf8(
    name: str, chunk: bytes, exc: UnicodeDecodeError, read: int, lines: int
) -> DocumentError:
    # The decoder may hold back up to three bytes from the chunk before; count from the chunk.
    position = max(0, min(exc.start, len(chunk)))
    line = lines + chunk[:position].count(b"\n") + 1
    byte = exc.object[exc.start : exc.start + 1].hex().upper() if exc.object else ""
    what = f"byte 0x{byte}" if byte else "a character cut short at the end"
    return DocumentError(
        f"is not UTF-8 text ({what}); save it as UTF-8 (in most editors: Save as, Encoding "
        f"UTF-8) and tag that",
        file=name,
        location=f"line {line}",
        rule="encoding",
    )


def _read_text(path: Path, name: str) -> Iterator[Iterator[str]]:
    yield _text_paragraphs(path, name)


def _text_paragraphs(path: Path, name: str) -> Iterator[str]:
    """Paragraphs of a plain-text file: lines up to a blank line, joined by a space; a list
    item, heading or table row starts a paragraph."""
    current: list[str] = []
    length = 0
    try:
        with path.open(encoding="utf-8-sig", errors="strict", newline=None) as handle:
            for line in handle:
                blank = not line.strip()
                if current and (blank or _BLOCK_START.match(line) or length > MAX_PARAGRAPH_CHARS):
                    paragraph = normalise(" ".join(current))
                    if paragraph:
                        yield paragraph
                    current, length = [], 0
                if not blank:
                    current.append(line)
                    length += len(line)
                    if _ONE_LINE.match(line):
                        length = MAX_PARAGRAPH_CHARS + 1  # ends at the next line
    except UnicodeDecodeError:
        raise DocumentError(
            "is no longer UTF-8 text (it changed while it was read); save it as UTF-8 and tag it "
            "again",
            file=name,
            rule="encoding",
        ) from None
    except OSError as exc:
        raise _unreadable(name, exc) from None
    if current:
        paragraph = normalise(" ".join(current))
        if paragraph:
            yield paragraph


# --- shared ------------------------------------------------------------------------------------

_READERS: dict[str, Callable[[Path, str], Iterator[Iterable[str]]]] = {
    ".pdf": _read_pdf,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
    ".txt": _read_text,
    ".md": _read_text,
}


def _has_text(document: Document) -> bool:
    return any(any(True for _ in paragraphs) for paragraphs in document._pages())


def _sha256(path: Path, name: str) -> str:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise _unreadable(name, exc) from None


def _unreadable(name: str, exc: OSError) -> DocumentError:
    reason = exc.strerror or type(exc).__name__
    return DocumentError(
        f"cannot be read ({reason}); check that it exists and that you may read it",
        file=name,
        rule="unreadable",
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MiB"
    if count >= 1024:
        return f"{count / 1024:.1f} KiB"
    return f"{count} bytes"
