"""A network saved as one HTML page, opened from disk in Debian's chromium, and the Download page.

The saved page (web/network_file.py) is opened as a file:// URL with a listener on every request:
none may go anywhere but file://. Hostile labels must stay text (no dialog, no extra element, in
the drawing's hover box and in the tables), the network must be drawn (a canvas, vis-network's
object holding every node), the page's own policy must refuse nothing of its own, and axe-core
must find no serious or critical WCAG 2.2 AA violation. The Download page is checked through the
served site, and a pattern's "Save as a page" link is followed to the file it downloads.
Screenshots go to tests/output/screenshots/ as for the other browser tests. (Named apart from
tests/test_network_file.py, as pytest imports test modules by their file name.)
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from served import SCREENSHOTS, SITE_GROUP, axe_violations, serious

from scrkg.graph.store import MemoryStore
from scrkg.web import network_file as nf

pytestmark = pytest.mark.xdist_group(SITE_GROUP)  # the session's `site`

H = "https://w3id.org/scrkg/id/"
REVIEW = H + "review/HOSTILE-1"
CHILD = H + "child/HOSTILE-1-C1"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
SVG = "<svg onload=window.__pwned=1>"

TURTLE = f"""
@prefix scr: <https://w3id.org/scrkg/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{REVIEW}> a scr:SeriousCaseReview ; rdfs:label {json.dumps("Review " + IMG)} ;
  scr:isSynthetic true ; scr:concernsChild <{CHILD}> , <{H}child/REAL-C2> .
<{CHILD}> a scr:Child ; rdfs:label {json.dumps("Child " + SCRIPT)} ; scr:isSynthetic true .
<{H}child/REAL-C2> a scr:Child ; rdfs:label {json.dumps("Child " + SVG)} .
"""


@pytest.fixture(scope="module")
def saved_page(tmp_path_factory) -> Path:
    store = MemoryStore()
    store.replace_graph(H + "graph/hostile", list(ox.parse(TURTLE, ox.RdfFormat.TURTLE)))
    data = nf.focus_network(store, REVIEW)
    path = tmp_path_factory.mktemp("network") / "network.html"
    path.write_text(nf.render(data, source="the store at a test folder"), encoding="utf-8")
    return path


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def serious_violations(browser, url: str) -> list:
    """axe-core's serious and critical findings; its script is let past the page's policy."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_load_state("load")
        found = axe_violations(page)
    finally:
        context.close()
    return serious(found)


def open_offline(browser, path: Path):
    """The page from disk, with every request, dialog and refusal by its policy recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.elsewhere, page.dialogs, page.refused, page.errors = [], [], [], []
    page.on(
        "request",
        lambda r: None if r.url.startswith("file://") else page.elsewhere.append(r.url),
    )
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page.refused.append(m.text),
    )
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("#network[data-ready='true']", timeout=30000)
    return context, page


def test_the_saved_page_opens_offline_and_keeps_hostile_labels_as_text(browser, saved_page):
    context, page = open_offline(browser, saved_page)
    try:
        assert page.locator("#network canvas").count() == 1
        expected = json.loads(page.locator("#network-data").text_content())["nodes"]
        assert len(expected) == 3
        assert page.evaluate("window.scrkgNetwork.nodes.length") == 3
        assert page.evaluate("window.scrkgNetwork.network.body.nodeIndices.length") == 3
        assert "Drawn: 3 nodes and 2 links." in page.locator("#network-status").inner_text()

        # The keyboard reaches the skip link first, and it leads to the tables; then the
        # drawing, which takes the arrow keys.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#tables"
        page.evaluate("window.scrollTo(0, 0)")

        # The hover box of a hostile node shows its label as text.
        spot = page.evaluate(
            """(iri) => {
                const net = window.scrkgNetwork.network;
                const dom = net.canvasToDOM(net.getPositions([iri])[iri]);
                const box = document.getElementById('network').getBoundingClientRect();
                return {x: box.left + dom.x, y: box.top + dom.y};
            }""",
            CHILD,
        )
        page.mouse.move(spot["x"], spot["y"])
        page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
        tooltip = page.locator("div.vis-tooltip")
        assert SCRIPT in tooltip.inner_text()
        assert tooltip.locator(":not(br)").count() == 0  # its line breaks only

        tables = page.locator("#tables").inner_text()
        for hostile in (IMG, SCRIPT, SVG):
            assert hostile in tables
        assert page.locator("img, svg, iframe, object, embed").count() == 0
        assert page.locator("script").count() == 3
        assert page.evaluate("window.__pwned") is None
        assert page.locator("#node-table .synthetic-tag").count() == 2

        page.wait_for_timeout(300)
        shot(page, "network-page-offline")
        assert not page.dialogs and not page.errors and not page.refused, (
            page.dialogs, page.errors, page.refused,
        )  # fmt: skip
        assert page.elsewhere == [], page.elsewhere
    finally:
        context.close()


def test_the_saved_page_has_no_serious_accessibility_violation(browser, saved_page):
    assert serious_violations(browser, saved_page.as_uri()) == []


def test_the_download_page_and_a_saved_pattern(browser, site, tmp_path):
    # axe-core checks /download among the pages of tests/browser/test_accessibility.py.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(site + "/download")
        assert page.locator("nav a[aria-current='page']").inner_text() == "Download"
        assert page.locator("tbody tr").count() == 3
        shot(page, "download-page")
        page.goto(site + "/patterns/risk-factors")
        with page.expect_download() as waiting:
            page.click("#save-page")
        download = waiting.value
        assert download.suggested_filename == "scrkg-network-risk-factors-includes-synthetic.html"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        outside = [u for u in requests if urlsplit(u).hostname != "127.0.0.1"]
        assert requests and not outside, outside
    finally:
        context.close()
    context, offline = open_offline(browser, saved)
    try:
        items = offline.locator("#node-table tbody tr").count()
        assert items > 5
        assert offline.evaluate("window.scrkgNetwork.network.body.nodeIndices.length") == items
        assert "the scrkg site at " + site in offline.locator("header").inner_text()
        shot(offline, "network-page-pattern")
        assert offline.elsewhere == [] and not offline.refused and not offline.errors
    finally:
        context.close()
