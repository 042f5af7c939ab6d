"""Networks an analyst can read, in Debian's chromium (Playwright): the explorer and /patterns.

* Labels tell nodes apart: the children of one outcome are not twenty "Child SYN-200910-..." cut
  at the same place; each keeps its id, with the full label in the hover text and the table.
* The whole graph is drawn one node per class with its count, and the table lists the classes
  and counts; a class node opens into a page of its members with the mouse (double-click) and
  with the keyboard (Enter on the network, or a table's button).
* A filter that hides the node in focus says so in a visible line, and the view is fitted to
  what the filter leaves.
* On /patterns the first click on a node selects it (the page does not scroll under it).
* A link's query (``/explore?query=...``) fills the box and runs only on "Show as network".
* axe-core on the explorer and patterns pages: no serious or critical violation.

Screenshots go to tests/output/screenshots/, beside those of the other browser tests.
"""

from __future__ import annotations

import json
import time
import urllib.request
from urllib.parse import quote, urlencode

import pytest
from served import SCREENSHOTS, SITE_GROUP, arrived, axe_violations, serious, wait_until

pytestmark = pytest.mark.xdist_group(SITE_GROUP)  # the session's `site`

REVIEW = "https://w3id.org/scrkg/id/review/OFSTED-2009-10-CS1"
DIED = "https://w3id.org/scrkg/concept/died"
SCRC = "https://w3id.org/scrkg/concept/"
QUERY = "SELECT ?review ?child WHERE { ?review <https://w3id.org/scrkg/def#concernsChild> ?child }"


@pytest.fixture(scope="module")
def tab(browser):
    """The module's tab: a new tab (or browser context) for each test cost about 0.35 s of
    processor time more than opening the test's page in this one."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.errors, tab.requests = [], []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("request", lambda request: tab.requests.append(request.url))
    yield tab
    context.close()


@pytest.fixture
def page(tab, site):
    """The module's tab, blank, with the mouse at the corner and its lists of script errors and
    requests empty; each test opens its page in it."""
    tab.goto("about:blank")
    tab.mouse.move(0, 0)
    tab.errors, tab.requests = [], []
    return tab


@pytest.fixture(scope="module")
def axe_tab(browser):
    """One tab for the pages axe-core checks, each opened afresh in it (a browser context for
    each cost about 0.25 s of processor time more; the pages keep nothing between visits)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def ready(page) -> None:
    page.wait_for_selector("#network[data-ready='true']", timeout=60000)


def drawn_ids(page) -> list[str]:
    """The nodes on the canvas (vis-network's own list, not the data behind it)."""
    return page.evaluate("window.scrkgExplorer.network.body.nodeIndices.slice()")


def point(page, node_id: str, api: str = "scrkgExplorer") -> dict[str, float]:
    return page.evaluate(
        """([id, api]) => {
            const net = window[api].network;
            const dom = net.canvasToDOM(net.getPositions([id])[id]);
            const box = document.getElementById('network').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y};
        }""",
        [node_id, api],
    )


def classes(page) -> dict[str, dict]:
    return {c["group"]: c for c in page.evaluate("window.scrkgExplorer.classes()")}


def api(site: str, path: str) -> dict:
    with urllib.request.urlopen(site + path, timeout=30) as response:
        return json.load(response)


# ---------------------------------------------------------------------------------------------
# Labels that tell nodes apart
# ---------------------------------------------------------------------------------------------


def test_sibling_labels_keep_what_tells_them_apart(site, page):
    page.goto(site + "/explore?focus=" + quote(DIED, safe=""))
    ready(page)
    children = page.evaluate(
        """() => window.scrkgExplorer.nodes.get({filter: n => n.group === 'child'})
                 .map(n => ({id: n.id, label: n.label, full: n.fullLabel, title: n.title}))"""
    )
    assert len(children) >= 20
    labels = [c["label"] for c in children]
    assert len(set(labels)) == len(labels), labels  # no two children drawn alike
    for child in children:
        assert child["full"].startswith("Child ")  # the data's label...
        assert not child["label"].startswith("Child ")  # ...without the class words drawn
        assert child["label"] in child["full"]  # the id is kept whole
        assert child["title"].startswith(child["full"])  # the full label on hover
    # The table alternative lists the full labels.
    page.locator("#network-table-box summary").click()
    table = page.locator("#network-table tbody").inner_text()
    assert all(child["full"] in table for child in children)
    shot(page, "networks-read-labels")
    assert not page.errors, page.errors


def test_reviews_opened_from_the_whole_graph_are_told_apart(site, page):
    page.goto(site + "/explore?view=whole")
    ready(page)
    page.evaluate("window.scrkgExplorer.openClass('class\\nreview')")
    reviews = page.evaluate(
        """() => window.scrkgExplorer.nodes.get({filter: n => n.group === 'review' && !n.cls})
                 .filter(n => window.scrkgExplorer.network.body.nodeIndices.includes(n.id))
                 .map(n => [n.label, n.fullLabel])"""
    )
    assert len(reviews) == 40
    drawn = [label for label, _ in reviews]
    assert len(set(drawn)) == 40, drawn
    assert not any(label.startswith("Serious case review") for label in drawn)
    assert all(full.startswith("Serious case review") for _, full in reviews)


# ---------------------------------------------------------------------------------------------
# The whole graph, one node per class
# ---------------------------------------------------------------------------------------------


def test_the_whole_graph_is_drawn_one_node_per_class(site, page):
    started = time.monotonic()
    page.goto(site + "/explore?view=whole")
    ready(page)
    seconds = time.monotonic() - started
    total = page.evaluate("window.scrkgExplorer.nodes.get({filter: n => !n.cls && !n.more}).length")
    found = classes(page)
    drawn = drawn_ids(page)
    assert total > 1500  # the data behind the view
    assert len(drawn) < 40  # what is drawn: the class nodes, and the few classes of one
    assert {"review", "child", "agency", "lesson", "risk-factor", "outcome"} <= set(found)
    single = [i for i in drawn if not i.startswith("class\n")]
    assert sum(c["count"] for c in found.values()) + len(single) == total
    # The table lists each class node with its count.
    page.locator("#network-table-box summary").click()
    rows = page.locator("#network-table tbody tr.class-row")
    assert rows.count() == len(found)
    counts = {
        rows.nth(i).locator("td").nth(0).inner_text(): int(
            rows.nth(i).locator("td.num").inner_text()
        )
        for i in range(rows.count())
    }
    assert counts["Child"] == found["child"]["count"]
    assert counts["Case review"] == found["review"]["count"]
    shot(page, "networks-read-whole-classes")
    print(f"whole graph: {total} nodes drawn as {len(drawn)} in {seconds:.1f} s")
    assert not page.errors, page.errors


def test_a_class_node_opens_with_the_mouse(site, page):
    page.goto(site + "/explore?view=whole")
    ready(page)
    children = classes(page)["child"]["count"]
    spot = point(page, "class\nchild")
    page.mouse.dblclick(spot["x"], spot["y"])
    wait_until(page, "window.scrkgExplorer.classes().some(c => c.group === 'child' && c.more)")
    after = classes(page)["child"]
    assert after["more"] and after["count"] == children - 40
    shown = [i for i in drawn_ids(page) if "/child/" in i]
    assert len(shown) == 40
    status = page.locator("#explore-status").inner_text()
    assert f"Showing 40 of {children}" in status
    shot(page, "networks-read-class-opened")
    # The "+N more" node opens the next page.
    spot = point(page, "class\nchild")
    page.mouse.dblclick(spot["x"], spot["y"])
    wait_until(page, f"window.scrkgExplorer.classes().some(c => c.count === {children - 80})")
    assert len([i for i in drawn_ids(page) if "/child/" in i]) == 80
    assert not page.errors, page.errors


def test_a_class_node_opens_with_the_keyboard(site, page):
    page.goto(site + "/explore?view=whole")
    ready(page)
    lessons = classes(page)["lesson"]["count"]
    # Select the class node, then Enter on the network's box.
    page.evaluate("window.scrkgExplorer.network.selectNodes(['class\\nlesson'])")
    page.focus("#network")
    page.keyboard.press("Enter")
    wait_until(page, "window.scrkgExplorer.classes().some(c => c.group === 'lesson' && c.more)")
    assert classes(page)["lesson"]["count"] == lessons - 40
    # The table is drawn anew 50 ms after a class opens (explore.js, scheduleTable): a button
    # focused before that is replaced under the key press, which then reaches nothing (it
    # failed so in a run of the browser tests under load). So first the table says the lessons
    # were opened.
    wait_until(
        page,
        "(document.querySelector(\"#network-table tr.class-row[data-group='lesson'] th\")"
        " || {textContent: ''}).textContent.startsWith('More of the class')",
    )
    # The table's button, reached and pressed with keys only.
    page.locator("#network-table-box summary").focus()
    page.keyboard.press("Enter")
    agencies = classes(page)["agency"]["count"]
    button = page.locator("#network-table tr.class-row[data-group='agency'] button")
    button.focus()
    page.keyboard.press("Enter")
    wait_until(page, "window.scrkgExplorer.classes().some(c => c.group === 'agency' && c.more)")
    assert classes(page)["agency"]["count"] == agencies - 40
    assert len([i for i in drawn_ids(page) if "/agency/" in i]) == 40
    assert not page.errors, page.errors


# ---------------------------------------------------------------------------------------------
# Filters: the node in focus, and the view fitted
# ---------------------------------------------------------------------------------------------


def all_drawn_inside(page) -> bool:
    return page.evaluate(
        """() => {
            const net = window.scrkgExplorer.network;
            const box = document.getElementById('network');
            const places = net.getPositions(net.body.nodeIndices);
            return Object.values(places).every(p => {
                const d = net.canvasToDOM(p);
                return d.x >= 0 && d.y >= 0 && d.x <= box.clientWidth && d.y <= box.clientHeight;
            });
        }"""
    )


def test_a_filter_that_hides_the_node_in_focus_says_so_and_refits(site, page):
    # A risk factor the review in focus has nothing to do with.
    keeps_review = True
    factor = None
    for candidate in ("young-parents", "child-disability", "previous-care-proceedings"):
        iris = api(
            site, "/api/filter?" + urlencode({"kind": "risk-factor", "iri": SCRC + candidate})
        )
        if REVIEW not in iris["iris"] and iris["iris"]:
            factor, keeps_review = SCRC + candidate, False
            break
    assert not keeps_review, "every risk factor tried keeps the review"
    page.goto(site + "/explore?focus=" + quote(REVIEW, safe=""))
    ready(page)
    note = page.locator("#filter-note")
    assert note.is_hidden()
    page.evaluate("window.scrkgExplorer.network.moveTo({scale: 8, animation: false})")
    assert not all_drawn_inside(page)
    page.select_option("#filter-risk", factor)
    wait_until(page, "!document.getElementById('filter-note').hidden")
    text = note.inner_text()
    assert "The node in focus" in text and "is hidden by the filter" in text
    assert "risk factor" in text and "OFSTED-2009-10-CS1" in text
    assert all_drawn_inside(page)  # fitted to what the filter leaves
    shot(page, "networks-read-focus-hidden")
    page.select_option("#filter-risk", "")
    wait_until(page, "document.getElementById('filter-note').hidden")
    # The class check boxes hide it too, and say which.
    page.locator("#class-filter label", has_text="Case review").locator("input").uncheck()
    wait_until(page, "!document.getElementById('filter-note').hidden")
    assert "Case review is not ticked" in note.inner_text()
    assert all_drawn_inside(page)
    assert not page.errors, page.errors


# ---------------------------------------------------------------------------------------------
# Patterns: the first click selects
# ---------------------------------------------------------------------------------------------


def test_the_first_click_on_a_pattern_node_selects_it(site, page):
    page.goto(site + "/patterns/risk-factors")
    page.wait_for_selector("#network[data-ready='true']", timeout=60000)
    assert page.evaluate("window.scrollY") == 0
    ids = page.evaluate("window.scrkgPatterns.nodes.getIds()")
    spots = {i: point(page, i, "scrkgPatterns") for i in ids}
    # A node in the window, while the network's box reaches below it (the case that failed).
    assert page.evaluate(
        "document.getElementById('network').getBoundingClientRect().bottom > innerHeight"
    )
    target = min(ids, key=lambda i: abs(spots[i]["y"] - 600))
    assert 0 < spots[target]["y"] < 880
    page.mouse.move(spots[target]["x"] - 40, spots[target]["y"] - 40)
    page.mouse.move(spots[target]["x"], spots[target]["y"])
    page.mouse.click(spots[target]["x"], spots[target]["y"])
    wait_until(page, "window.scrkgPatterns.network.getSelectedNodes().length === 1", 5)
    assert page.evaluate("window.scrkgPatterns.network.getSelectedNodes()") == [target]
    assert page.evaluate("window.scrollY") == 0
    label = page.evaluate(f"window.scrkgPatterns.nodes.get({json.dumps(target)}).title")
    assert label.split("\n")[0] in page.locator("#details h3").inner_text()
    shot(page, "networks-read-patterns-first-click")
    assert not page.errors, page.errors


# ---------------------------------------------------------------------------------------------
# A link's query waits for the reader
# ---------------------------------------------------------------------------------------------


def test_a_query_link_fills_the_box_and_runs_only_on_the_button(site, page):
    page.goto(site + "/explore?" + urlencode({"query": QUERY}))
    page.wait_for_load_state("networkidle")
    assert page.locator("#query-text").input_value() == QUERY
    assert page.locator("#query-held").is_visible()
    assert "has not been run" in page.locator("#explore-status").inner_text()
    assert not [u for u in page.requests if "/api/view" in u]
    assert page.evaluate("window.scrkgExplorer === undefined")
    assert page.locator("#save-block").is_hidden()
    shot(page, "networks-read-query-held")
    page.locator("#query-run").click()
    ready(page)
    assert [u for u in page.requests if "/api/view" in u]
    groups = set(page.evaluate("window.scrkgExplorer.nodes.get().map(n => n.group)"))
    assert {"review", "child"} <= groups
    assert page.locator("#query-held").is_hidden()
    assert "/network.html?query=" in page.locator("#save-page").get_attribute("href")
    assert not page.errors, page.errors


# ---------------------------------------------------------------------------------------------
# Accessibility
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/explore?focus=" + quote(DIED, safe=""),
        "/explore?view=whole",
        "/explore?" + urlencode({"query": QUERY}),
        "/patterns/risk-factors",
    ],
)
def test_no_serious_accessibility_violation(site, axe_tab, path):
    axe_tab.goto(site + path)
    arrived(axe_tab)  # the network laid out, where the page draws one on arrival
    axe_tab.locator("details").evaluate_all("ds => ds.forEach(d => { d.open = true; })")
    bad = serious(axe_violations(axe_tab))
    assert not bad, f"{path}: {bad}"
