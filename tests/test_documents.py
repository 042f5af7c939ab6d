"""Reading a review's document (loader/documents.py): text, pages, sentences, offsets, refusals.

Every fixture is made here, in a temporary folder, with fictional pseudonymous text.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import pathlib
import random
import socket
import time
import zipfile

import docx
import pytest
from documents import make_pdf
from fpdf import FPDF
from PIL import Image

from scrkg.loader.documents import (
    CONTEXT_CHARS,
    DEFAULT_MAX_DOCUMENT_BYTES,
    Document,
    DocumentError,
    Sentence,
    open_document,
)
from scrkg.loader.errors import LoadError

PAGES = [
    "Background\n"
    "Child A lived with the mother and two siblings. The family had moved three times in two "
    "years, and each move meant a new school, a new GP practice and a new health visitor. "
    "Nobody held the whole picture.\n"
    "The police attended the address twice after reports of domestic abuse. Neither report "
    "was shared with the school.",
    "Findings\n"
    "1. Agencies did not share information about the risk to Baby B.\n"
    "2. Practitioners did not think the unthinkable when a non-mobile baby had a bruise; there "
    "was no evidence that anyone asked how it happened. A strategy discussion was not held.",
    "Lessons\nMulti-agency working must improve. Supervision helps practitioners to step back.",
]


def check_offsets(document: Document) -> tuple[str, list[Sentence]]:
    """The document's text and sentences, once every sentence is checked against the text."""
    text = document.text()
    sentences = list(document.sentences())
    assert sentences
    previous_end = 0
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip() and sentence.text
        assert sentence.prefix == text[max(0, sentence.start - CONTEXT_CHARS) : sentence.start]
        assert sentence.suffix == text[sentence.end : sentence.end + CONTEXT_CHARS]
        assert sentence.start >= previous_end  # in order, never overlapping
        previous_end = sentence.end
        assert "\f" not in sentence.text and "\n" not in sentence.text
        if document.pages is None:
            assert sentence.page is None
        else:
            assert sentence.page == text.count("\f", 0, sentence.start) + 1
    return text, sentences


def refusal(path: pathlib.Path, **options) -> DocumentError:
    """The error open_document raises for a file, checked to be one line naming the file."""
    with pytest.raises(DocumentError) as caught:
        open_document(path, **options)
    error = caught.value
    assert isinstance(error, LoadError)
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"{path.name}")
    assert error.file == path.name
    return error


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_pages_paragraphs_and_offsets(tmp_path):
    path = make_pdf(tmp_path / "review.pdf", PAGES)
    document = open_document(path)
    assert document.pages == 3
    assert document.media_type == "application/pdf"
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    text, sentences = check_offsets(document)
    # Lines wrapped inside a paragraph become one space; paragraphs stay apart; pages by \f.
    assert text == "\f".join(PAGES)
    on_page = {s.text: s.page for s in sentences}
    assert on_page["Nobody held the whole picture."] == 1
    assert on_page["1. Agencies did not share information about the risk to Baby B."] == 2
    assert on_page["Multi-agency working must improve."] == 3
    # The context crosses the page separator.
    first_on_2 = next(s for s in sentences if s.page == 2)
    assert first_on_2.prefix.endswith("was shared with the school.\f")


def test_pdf_blank_page_keeps_the_page_numbers(tmp_path):
    path = make_pdf(tmp_path / "gap.pdf", [PAGES[0], "", PAGES[2]])
    document = open_document(path)
    text, sentences = check_offsets(document)
    assert text.count("\f") == 2 and "\f\f" in text
    assert {s.page for s in sentences} == {1, 3}


def test_pdf_hyphenated_line_ends_are_joined(tmp_path):
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    lines = [
        "The health visitor and the practi-",
        "tioners agreed a multi-",
        "agency plan for the non-",
        "mobile baby, and the school nurse was in-",
        "formed about the pre-",
        "Christmas visit that week.",
    ]
    for line in lines:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "hyphens.pdf"
    pdf.output(str(path))
    text, sentences = check_offsets(open_document(path))
    assert text == (
        "The health visitor and the practitioners agreed a multi-agency plan for the non-mobile "
        "baby, and the school nurse was informed about the pre-Christmas visit that week."
    )
    assert len(sentences) == 1


def test_pdf_paragraphs_without_a_gap_end_at_a_short_line(tmp_path):
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    long = (
        "The review found that the agencies worked hard but apart, and that the plan for the "
        "family was never shared with the people who saw the children every day."
    )
    pdf.multi_cell(0, 5, "Summary", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, long, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, "A second point follows here.", new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "tight.pdf"
    pdf.output(str(path))
    text, _ = check_offsets(open_document(path))
    assert text == f"Summary\n{long}\nA second point follows here."


def test_pdf_with_only_an_owner_password_is_read(tmp_path):
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.cell(0, 5, "Child A was seen by the GP.")
    pdf.set_encryption(owner_password="owner-secret")
    path = tmp_path / "permissions.pdf"
    pdf.output(str(path))
    _, sentences = check_offsets(open_document(path))
    assert [s.text for s in sentences] == ["Child A was seen by the GP."]


def test_encrypted_pdf_is_refused(tmp_path):
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.cell(0, 5, "Child A was seen by the GP.")
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    error = refusal(path)
    assert error.rule == "encrypted"
    assert "password" in str(error) and "unprotected copy" in str(error)


def test_image_only_pdf_is_refused_as_scanned(tmp_path):
    picture = tmp_path / "scan.png"
    Image.new("RGB", (40, 20), (200, 200, 200)).save(picture)
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.image(str(picture), x=10, y=10, w=100)
    path = tmp_path / "scanned.pdf"
    pdf.output(str(path))
    error = refusal(path)
    assert error.rule == "no-text"
    message = str(error)
    assert "scanned" in message and "OCR" in message and "2 pages" in message


def test_corrupt_pdf_is_refused(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(random.Random(7).randbytes(4096))
    error = refusal(path)
    assert error.rule == "corrupt"
    assert "not a readable PDF" in str(error)


def test_truncated_pdf_is_refused_or_read_without_a_crash(tmp_path):
    whole = make_pdf(tmp_path / "whole.pdf", PAGES).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[: len(whole) // 3])
    # pdfium repairs what it can; either it reads some text or it refuses in one line.
    try:
        document = open_document(path)
    except DocumentError as error:
        assert "\n" not in str(error) and "cut.pdf" in str(error)
    else:
        check_offsets(document)


def test_sentences_are_read_page_by_page(tmp_path, monkeypatch):
    from scrkg.loader import documents

    path = make_pdf(tmp_path / "lazy.pdf", PAGES)
    document = open_document(path)
    read = []
    original = documents._pdf_paragraphs

    def counting(text, geometry):
        read.append(text)
        return original(text, geometry)

    monkeypatch.setattr(documents, "_pdf_paragraphs", counting)
    sentences = document.sentences()
    first = next(sentences)
    assert first.text == "Background" and first.page == 1
    assert len(read) == 1  # the first sentence's context lies on page 1
    assert [s.page for s in sentences][-1] == 3
    assert len(read) == 3


# --- Word --------------------------------------------------------------------------------------


def make_docx(path: pathlib.Path) -> pathlib.Path:
    document = docx.Document()
    document.add_heading("Review of Baby B", level=1)
    document.add_paragraph("Baby B was  born early.\tThe mother had no antenatal care.")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "Agency"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "Finding"
    table.cell(1, 0).text = "Police"
    table.cell(1, 1).text = "Did not share the report."
    table.cell(1, 2).text = "Domestic abuse was known."
    document.add_paragraph("Lessons: information sharing must improve.")
    document.save(str(path))
    return path


def test_docx_paragraphs_and_table_cells(tmp_path):
    document = open_document(make_docx(tmp_path / "review.docx"))
    assert document.pages is None
    assert document.media_type.endswith("wordprocessingml.document")
    text, sentences = check_offsets(document)
    assert text == (
        "Review of Baby B\n"
        "Baby B was born early. The mother had no antenatal care.\n"
        "Agency\nFinding\nPolice\nDid not share the report.\nDomestic abuse was known.\n"
        "Lessons: information sharing must improve."
    )
    assert "The mother had no antenatal care." in [s.text for s in sentences]


def test_truncated_docx_is_refused(tmp_path):
    whole = make_docx(tmp_path / "whole.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(whole[: len(whole) // 2])
    error = refusal(path)
    assert error.rule == "corrupt"
    assert "not a readable Word .docx file" in str(error)
    assert str(tmp_path) not in str(error)


def test_password_protected_word_file_is_refused(tmp_path):
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    error = refusal(path)
    assert error.rule == "encrypted"
    assert "unprotected copy" in str(error)


# --- HTML --------------------------------------------------------------------------------------


def test_html_drops_scripts_and_styles_and_expands_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER-7", encoding="utf-8")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    remote = f"http://127.0.0.1:{port}"
    page = f"""<!DOCTYPE html [
  <!ENTITY file SYSTEM "{secret.as_uri()}">
  <!ENTITY ext SYSTEM "{remote}/entity">
  <!ENTITY lol "lollollollol">
]>
<html><head><title>Page title</title><style>p {{ color: red }}</style>
<link rel="stylesheet" href="{remote}/style.css"><script src="{remote}/x.js"></script></head>
<body><script>document.write("Injected text")</script><noscript>Enable scripts</noscript>
<h1>Review of Child&nbsp;A</h1>
<p>The mother&#8217;s partner &amp; the GP were not told. &file;&ext;&lol;</p>
<div>Baby B&eacute; was <b>not</b> seen<br>by the health visitor.</div>
<table><tr><td>Police</td><td>Did not share</td></tr></table>
<img src="{remote}/i.png"><iframe src="{remote}/frame"></iframe>
<template><p>Template text</p></template>
</body></html>"""
    path = tmp_path / "review.html"
    path.write_text(page, encoding="utf-8")
    try:
        text, sentences = check_offsets(open_document(path))
        with pytest.raises(BlockingIOError):
            listener.accept()  # nothing tried to connect
    finally:
        listener.close()
    assert text == (
        "Review of Child\u00a0A".replace("\u00a0", " ")
        + "\nThe mother\u2019s partner & the GP were not told. &file;&ext;&lol;"
        + "\nBaby B\u00e9 was not seen by the health visitor.\nPolice\nDid not share"
    )
    assert "SECRET" not in text and "lollollollol" not in text
    for dropped in ("Page title", "color", "Injected", "Enable scripts", "Template", "ENTITY"):
        assert dropped not in text
    assert "Baby B\u00e9 was not seen by the health visitor." in [s.text for s in sentences]


def test_html_in_a_declared_legacy_encoding(tmp_path):
    path = tmp_path / "legacy.htm"
    path.write_bytes(
        b'<html><head><meta charset="windows-1252"></head>'
        b"<body><p>The caf\xe9 worker saw Child A \x96 twice.</p></body></html>"
    )
    text, _ = check_offsets(open_document(path))
    assert text == "The caf\u00e9 worker saw Child A \u2013 twice."


def test_binary_html_is_refused(tmp_path):
    path = tmp_path / "binary.html"
    path.write_bytes(b"<html>\x00\x01\x02" + random.Random(3).randbytes(512))
    error = refusal(path)
    assert error.rule == "corrupt"


def test_html_without_text_is_refused(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>T</title></head><body><script>x()</script></body>")
    assert refusal(path).rule == "empty"


# --- plain text --------------------------------------------------------------------------------


def test_text_file_with_bom_lists_and_wrapped_lines(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(
        "\ufeffChild A was known to\r\nchildren\u2019s social care.   The school\r\n"
        "raised no concern.\r\n\r\n\r\n- The GP saw the mother.\r\n- Nobody asked\r\n"
        "about the partner.\r\n".encode()
    )
    document = open_document(path)
    assert document.media_type == "text/plain" and document.pages is None
    text, sentences = check_offsets(document)
    assert text == (
        "Child A was known to children\u2019s social care. The school raised no concern.\n"
        "- The GP saw the mother.\n- Nobody asked about the partner."
    )
    assert [s.text for s in sentences][:2] == [
        "Child A was known to children\u2019s social care.",
        "The school raised no concern.",
    ]


def test_markdown_headings_start_paragraphs(tmp_path):
    path = tmp_path / "review.md"
    path.write_text(
        "# Findings\nThe health visitor was not told.\n## Lessons\nShare the plan.\n",
        encoding="utf-8",
    )
    document = open_document(path)
    assert document.media_type == "text/markdown"
    text, _ = check_offsets(document)
    assert text == "# Findings\nThe health visitor was not told.\n## Lessons\nShare the plan."


def test_long_paragraph_is_cut_into_all_its_sentences(tmp_path):
    sentence = "Agency {n} did not share what it knew about the risk to Child A. "
    body = "".join(sentence.format(n=n) for n in range(1000))  # about 64,000 characters
    path = tmp_path / "long.txt"
    path.write_text(body, encoding="utf-8")
    started = time.perf_counter()
    _, sentences = check_offsets(open_document(path))
    assert time.perf_counter() - started < 10
    assert [s.text for s in sentences] == [sentence.format(n=n).strip() for n in range(1000)]


def test_text_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Child A\nwas seen\nat the caf\u00e9.\n".encode("latin-1"))
    error = refusal(path)
    assert error.rule == "encoding"
    assert error.location == "line 3"
    assert str(error).startswith("latin.txt, line 3: ")
    assert "0xE9" in str(error) and "save it as UTF-8" in str(error)


@pytest.mark.parametrize("content", [b"", b"  \n\n \t \r\n", "\ufeff\n".encode()])
def test_empty_text_is_refused(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert refusal(path).rule == "empty"


# --- refusals before reading -------------------------------------------------------------------


def test_missing_file_is_refused(tmp_path):
    error = refusal(tmp_path / "nowhere.pdf")
    assert error.rule == "missing"
    assert "check the path" in str(error)


def test_unknown_extension_is_refused_with_the_kinds_read(tmp_path):
    path = tmp_path / "review.rtf"
    path.write_text("{\\rtf1 Child A}")
    error = refusal(path)
    assert error.rule == "document-kind"
    for kind in (".pdf", ".html", ".htm", ".docx", ".txt", ".md"):
        assert kind in str(error)


def test_huge_file_is_refused_from_its_size_without_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:
        handle.truncate(500 * 1024 * 1024)  # sparse: takes no disk space

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(pathlib.Path, "open", no_reading)
    monkeypatch.setattr(builtins, "open", no_reading)
    monkeypatch.setattr(io, "open", no_reading)
    started = time.perf_counter()
    error = refusal(path)
    assert time.perf_counter() - started < 1
    assert error.rule == "size-cap"
    assert "500.0 MiB" in str(error)
    assert f"{DEFAULT_MAX_DOCUMENT_BYTES / 2**20:.1f} MiB" in str(error)
    assert "--max-bytes" in str(error)


def test_max_bytes_sets_the_limit(tmp_path):
    path = make_pdf(tmp_path / "small.pdf", PAGES[:1])
    size = path.stat().st_size
    assert refusal(path, max_bytes=size - 1).rule == "size-cap"
    assert open_document(path, max_bytes=size).pages == 1


def test_source_is_the_name_as_given(tmp_path, monkeypatch):
    make_pdf(tmp_path / "given.pdf", PAGES[:1])
    monkeypatch.chdir(tmp_path)
    document = open_document("given.pdf")
    assert document.source == "given.pdf"
    assert document.path == pathlib.Path("given.pdf")


def test_sentences_end_after_a_pseudonym_but_not_after_a_title(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text(
        "The plan was not shared with Child A. The GP, Dr. Jones, saw Baby B. on 3 Jan. and "
        "wrote to the school. Nobody spoke to Sibling C. \u201cWe did not know,\u201d said the "
        "school.",
        encoding="utf-8",
    )
    _, sentences = check_offsets(open_document(path))
    assert [s.text for s in sentences] == [
        "The plan was not shared with Child A.",
        "The GP, Dr. Jones, saw Baby B. on 3 Jan. and wrote to the school.",
        "Nobody spoke to Sibling C.",
        "\u201cWe did not know,\u201d said the school.",
    ]


def test_docx_that_unpacks_far_beyond_the_limit_is_refused(tmp_path):
    path = make_docx(tmp_path / "bomb.docx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.bin", bytes(8 * 1024 * 1024))
    size = path.stat().st_size
    error = refusal(path, max_bytes=size)
    assert error.rule == "size-cap"
    assert "unpacks to 8." in str(error) and "--max-bytes" in str(error)
    assert open_document(path).pages is None  # within the default limit it is read


def test_a_pipe_is_refused_without_waiting(tmp_path):
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    assert refusal(path).rule == "missing"
