"""Plain words and the records behind the figures, in Debian's chromium (Playwright).

* The crawl: the dashboard, the pages of the menu, every saved query and a chart's query (their
  results drawn by the page's script), and records pages, read as a person sees them
  (``innerText``, the editor and code samples left out): no ``^^``, ``@en"`` or prefixed names.
* The question "Which agencies were involved where a child in need died?" in two clicks from the
  dashboard: the figure, then the network of those children, reviews and agencies.
* axe-core on the new pages: no serious or critical violation.

Screenshots go to tests/output/screenshots/, beside those of the other browser tests.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from served import SCREENSHOTS, SITE_GROUP, arrived, axe_violations, serious

pytestmark = pytest.mark.xdist_group(SITE_GROUP)  # the session's `site`

SYNTAX = re.compile(
    r"\^\^|@en\"|\b(?:xsd|rdfs|rdf|prov|skos|scrc|scr|owl|qb|dcterms|dcat|sh):[A-Za-z_]"
)

#: The text a person sees, without the query editor and code samples.
VISIBLE_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll("script, style, textarea, code, pre, .CodeMirror").forEach(n => n.remove());
  document.body.appendChild(copy);
  copy.style.position = "absolute";
  const text = copy.innerText;
  copy.remove();
  return text;
}"""


@pytest.fixture(scope="module")
def tab(browser):
    """The module's tab: a new tab (or browser context) for each test cost about 0.35 s of
    processor time more than opening the test's pages in this one."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


@pytest.fixture
def page(tab):
    """The module's tab, blank, with the mouse at the corner and its list of script errors
    empty; each test opens its pages in it."""
    tab.goto("about:blank")
    tab.mouse.move(0, 0)
    tab.errors = []
    return tab


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def open_page(page, url: str) -> str:
    """Open a page, wait for what it does on arrival (a query's results, labels included, when
    it runs one), and return its visible text."""
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    arrived(page)
    return page.evaluate(VISIBLE_TEXT)


@pytest.mark.slow
def test_pages_and_query_results_show_no_rdf_syntax(site, page):
    page.goto(site + "/")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    saved = page.goto(site + "/query")
    assert saved is not None
    names = page.eval_on_selector_all(
        ".saved-list a[data-name]", "links => links.map(a => a.dataset.name)"
    )
    assert len(names) >= 10
    urls = ["/", "/query", "/patterns", "/recommendations", "/ontology", "/search?q=baby"]
    urls += [f"/query?name={name}" for name in names]
    urls.append(next(h for h in hrefs if h.startswith("/query?query=")))  # a chart's query
    urls += [h for h in hrefs if h.startswith("/records?")][:12]
    found = {}
    for url in urls:
        hits = [m.group(0) for m in SYNTAX.finditer(open_page(page, site + url))]
        if hits:
            found[url] = hits[:5]
    assert not found, found
    assert not page.errors


def test_query_results_read_as_labels_words_and_tags(site, page):
    text = open_page(page, site + "/query?name=05-toxic-trio-children")
    headings = page.eval_on_selector_all(
        "#results thead th", "cells => cells.map(c => c.textContent)"
    )
    assert "child label" in headings and "factor count" in headings
    first = page.locator("#results tbody tr").first
    link = first.locator("a.iri").first
    assert link.get_attribute("title").startswith("https://w3id.org/scrkg/")
    assert not link.inner_text().startswith("http")
    # Rows that list synthetic records carry the tag; the hint says how many.
    tagged = page.locator("#results tbody tr.synthetic-row").count()
    assert tagged > 0 and f"{tagged} of these rows list synthetic records" in text
    assert page.locator("#results tbody tr.synthetic-row .synthetic-tag").count() >= tagged
    shot(page, "plain-words-query-results")


def test_which_agencies_where_a_child_in_need_died_in_two_clicks(site, page):
    open_page(page, site + "/")
    # Click 1: the figure on the dashboard.
    with page.expect_navigation():
        page.get_by_role(
            "link", name="Children who died receiving children in need services", exact=True
        ).click()
    arrived(page)
    assert urlsplit(page.url).path == "/records"
    assert page.locator("h1").inner_text().startswith("Children who died receiving")
    agencies = page.locator("table.agencies-involved tbody tr")
    assert agencies.count() >= 3
    assert "police" in page.locator("table.agencies-involved").inner_text().lower()
    assert page.locator("table.record-list tbody tr").count() >= 31
    shot(page, "plain-words-records")
    # Click 2: the same children, their reviews and the agencies as a network.
    with page.expect_navigation():
        page.get_by_role("link", name="See them as a network in the explorer").click()
    arrived(page)
    deadline = 100
    while not page.evaluate("window.scrkgExplorer && window.scrkgExplorer.nodes.length > 31"):
        deadline -= 1
        assert deadline > 0, "the explorer drew no network"
        page.wait_for_timeout(100)
    groups = page.evaluate("window.scrkgExplorer.nodes.get().map(n => n.group)")
    assert {"child", "review", "agency"} <= set(groups)
    shot(page, "plain-words-records-network")
    assert not page.errors


def test_records_pages_have_no_serious_accessibility_violation(site, browser):
    """The records of a value of a chart. The dashboard and the records of a figure (children
    who died receiving children in need services) are among the pages of
    tests/browser/test_accessibility.py, checked there the same way."""
    path = "/records?figure=outcomes&value=died&records=real"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        tab = context.new_page()
        tab.goto(site + path)
        arrived(tab)
        found = axe_violations(tab)
    finally:
        context.close()
    bad = serious(found)
    assert not bad, f"{path}: {bad}"


def test_a_figure_as_published_opens_its_source(site, page):
    open_page(page, site + "/")
    link = page.locator("a[href^='/records?published=']").first
    with page.expect_navigation():
        link.click()
    arrived(page)
    text = page.evaluate(VISIBLE_TEXT)
    assert "As published" in text and "Publication" in text
    assert "No records in this graph lie behind it" in text
    shot(page, "plain-words-published-figure")
