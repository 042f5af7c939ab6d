"""What every page's template may use, registered once for the whole site: the filters that show
data text safely and in words, and what the layout says on every page (whether the store holds
synthetic records). The page modules register nothing site-wide."""

from __future__ import annotations

from flask import Flask

from scrkg.graph.charts import SyntheticCounts, dashboard_data
from scrkg.graph.neighbours import visible_text
from scrkg.web import get_store
from scrkg.web.explorer import base_iri, resource_path
from scrkg.web.ontology_page import Piece, ontology_of, plain_pieces
from scrkg.web.words import STANDARD_WORDS, words_for


def init_app(app: Flask) -> None:
    app.add_template_filter(visible_filter, "visible")
    app.add_template_filter(resource_url_filter, "resource_url")
    app.add_template_filter(plain_filter, "plain")
    app.add_template_filter(term_words_filter, "term_words")
    app.context_processor(synthetic_notice)


def visible_filter(text: object) -> str:
    """Data text with control characters (bidi overrides...) shown as [U+XXXX]."""
    return visible_text("" if text is None else str(text))


def resource_url_filter(iri: str | None) -> str | None:
    """The site's page of a resource."""
    return resource_path(iri, base_iri())


def plain_filter(text: object) -> list[Piece]:
    """Prose in pieces for the ``plain`` macro of the templates (text is never markup)."""
    try:
        labels = ontology_of(get_store()).labels
    except Exception:  # noqa: BLE001 - prose still shows when the store cannot be read
        labels = {}
    return plain_pieces("" if text is None else str(text), labels, base_iri())


def term_words_filter(iri: str) -> str:
    """A term of another vocabulary (a range such as xsd:date) in words."""
    return STANDARD_WORDS.get(iri) or words_for(iri, {})


def synthetic_notice() -> dict[str, SyntheticCounts | None]:
    """Every page learns whether the store holds synthetic records, to say so in the layout."""
    try:
        return {"synthetic_counts": dashboard_data(get_store()).synthetic}
    except Exception:  # noqa: BLE001 - the layout must render even when the store cannot
        return {"synthetic_counts": None}
