"""The site speaks to analysts: no RDF syntax in the text a reader sees.

The crawl follows every link of the dashboard and of the site's menu (resource pages, the
explorer's network and the SPARQL endpoint aside: the endpoint's own page and code samples may
show syntax) and fails on typed literals (``^^``), language tags (``@en"``) and prefixed names
(``rdfs:label``, ``scr:Child``...) in the visible text. The query editor, ``<code>`` and
``<pre>`` are code and are left out. The query page's results are drawn in the browser: the
browser test (tests/browser/test_plain_words_in_chromium.py) reads them there.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from scrkg.web.ontology_page import column_names, heading_words, plain_pieces

#: What a reader must not meet in the text of a page.
SYNTAX = re.compile(
    r"\^\^|@en\"|\b(?:xsd|rdfs|rdf|prov|skos|scrc|scr|owl|qb|dcterms|dcat|sh):[A-Za-z_]"
)
#: Elements whose text is code (or not shown).
CODE = {"script", "style", "textarea", "code", "pre", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
#: Links the crawl does not follow: resource pages, the explorer's APIs and data, the endpoint.
NOT_FOLLOWED = ("/id/", "/def", "/concept/", "/api/", "/sparql", "/static/", "/export")


class Page(HTMLParser):
    """The visible text of a page (code left out) and its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not CODE.intersection(self.open):
            self.text.append(data)


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def syntax_in(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    return [flat[max(0, m.start() - 40) : m.end() + 30] for m in SYNTAX.finditer(flat)]


def site_pages(bundled_client) -> list[str]:
    """The dashboard, the pages of the menu, and every page the dashboard links to."""
    start = read(bundled_client.get("/").get_data(as_text=True)).links
    pages = ["/", "/search?q=baby"]
    for href in start:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("#"):
            continue
        path = href.split("#", 1)[0]
        if path.startswith(NOT_FOLLOWED) or path in pages:
            continue
        pages.append(path)
    return pages


def test_the_crawl_reaches_every_kind_of_page(bundled_client):
    pages = site_pages(bundled_client)
    for expected in ("/query", "/explore", "/patterns", "/recommendations", "/ontology"):
        assert expected in pages
    assert any(p.startswith("/records?figure=") for p in pages)
    assert any(p.startswith("/records?published=") for p in pages)
    assert any(p.startswith("/query?name=") for p in pages)
    assert len(pages) > 100


@pytest.mark.slow
def test_no_page_shows_rdf_syntax(bundled_client):
    found = {}
    for path in site_pages(bundled_client):
        response = bundled_client.get(path)
        assert response.status_code == 200, path
        hits = syntax_in(" ".join(read(response.get_data(as_text=True)).text))
        if hits:
            found[path] = hits[:3]
    assert not found, found


def test_the_check_finds_syntax_where_there_is_some():
    # The crawl would catch what it looks for: a typed literal, a language tag, prefixed names.
    page = read(
        "<p>15 <b>rdfs:label</b></p><code>scr:Child</code><p>'2009'^^xsd:gYear</p>"
        '<p>"baby"@en"</p><pre>skos:broader</pre><p>see prov:wasDerivedFrom</p>'
    )
    hits = syntax_in(" ".join(page.text))
    assert len(hits) == 5  # rdfs:label, ^^, xsd:gYear, @en", prov:...; code and pre left out
    assert not any("scr:Child" in h or "skos:broader" in h for h in hits)


def test_prefixed_names_in_prose_read_as_words():
    labels = {"https://w3id.org/scrkg/def#agencyType": "agency type"}
    pieces = plain_pieces(
        "`scr:agencyType` points to a concept; climb with skos:broader*; an rdf:Statement.",
        labels,
    )
    text = "".join(p.text for p in pieces)
    assert text == (
        "agency type points to a concept; climb with broader concept (at any depth); a statement."
    )
    linked = [p for p in pieces if p.link]
    assert [(p.text, p.link, p.name) for p in linked] == [
        ("agency type", "/def/agencyType", "scr:agencyType")
    ]
    # A term without a label is spelt out from its name.
    assert "".join(p.text for p in plain_pieces("via scr:concernsChild.", {})) == (
        "via concerns child."
    )


def test_query_variables_read_as_column_headings():
    assert heading_words("reviewCount") == "review count"
    assert heading_words("realChildInNeedPercent") == "real child in need percent"
    assert heading_words("real_children") == "real children"
    assert column_names("?agrees says whether they match") == "“agrees” says whether they match"
