"""Test helper: fictional review documents made on the fly (PDF with fpdf2).

``make_pdf(path, pages)`` writes one page per text; inside a text, ``\\n`` starts a new paragraph
(a small gap is left before it). The core Helvetica font is used, so the texts must be Latin-1.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

#: Line height (mm) of the body text and the gap (mm) before each paragraph after the first.
LINE_HEIGHT = 5
PARAGRAPH_GAP = 3


def make_pdf(path: str | Path, pages: list[str], *, font_size: int = 11) -> Path:
    """Write a PDF with one page per text (``\\n`` between paragraphs); return its path."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_font("Helvetica", size=font_size)
    for text in pages:
        pdf.add_page()
        for index, paragraph in enumerate(text.split("\n")):
            if index:
                pdf.ln(PARAGRAPH_GAP)
            if paragraph:
                pdf.multi_cell(0, LINE_HEIGHT, paragraph, new_x="LMARGIN", new_y="NEXT")
    target = Path(path)
    pdf.output(str(target))
    return target
