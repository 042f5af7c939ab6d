"""The site in a real browser: Playwright (sync API) driving Debian's chromium.

The site runs under waitress in a subprocess on 127.0.0.1, over a store in a temporary directory
that `serve` fills with the bundled data. The test opens the dashboard, runs a saved query and
sees rows, opens the explorer, clicks a node and sees its neighbours appear, selects a link and
sees its quote, double-clicks through to a resource page, loads the whole bundled graph, and
checks that the browser asked for nothing outside 127.0.0.1. A screenshot of each page goes to
tests/output/screenshots/.

Chromium comes from Debian (`apt-get install -y chromium`), never from `playwright install`.
"""

from __future__ import annotations

import contextlib
import time
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
import pytest
from served import SCREENSHOTS, SITE_GROUP, served, wait_until

from scrkg.graph.store import DiskStore

pytestmark = pytest.mark.xdist_group(SITE_GROUP)  # the session's `site`

REVIEW = "https://w3id.org/scrkg/id/review/OFSTED-2009-10-CS1"
CHILD = "https://w3id.org/scrkg/id/child/OFSTED-2009-10-CS1-C1"
CONCERNS_CHILD = "https://w3id.org/scrkg/def#concernsChild"


@pytest.fixture(scope="module")
def tab(browser):
    """The module's tab for the tests over the shared site: a new tab (or browser context) for
    each test cost about 0.35 s of processor time more than opening its pages in this one."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.requests, tab.console_errors = [], []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    yield tab
    context.close()


@pytest.fixture
def page(tab, site):
    """The module's tab, blank, with the mouse at the corner and its lists of requests and
    script errors empty; each test opens its pages in it."""
    tab.goto("about:blank")
    tab.mouse.move(0, 0)
    tab.requests, tab.console_errors = [], []
    return tab


def shot(page, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def assert_only_local(requests: list[str]) -> None:
    assert requests, "the browser made no requests at all"
    outside = [u for u in requests if urlsplit(u).hostname != "127.0.0.1"]
    assert not outside, f"requests outside 127.0.0.1: {outside}"


def wait_for_still_view(page, timeout: float = 10.0) -> None:
    """Wait until the explorer's view (its pan and zoom) has not moved for 300 ms, so that a
    point read now is where the next click lands: new nodes may make it zoom out to keep them
    in sight. It also keeps that click apart from the one before (the edge click right after
    a "+N more" click failed about one run in three; with this wait it passed 12 runs of 12)."""
    view = (
        "JSON.stringify([window.scrkgExplorer.network.getViewPosition(), "
        "window.scrkgExplorer.network.getScale()])"
    )
    deadline = time.monotonic() + timeout
    last = page.evaluate(view)
    while True:
        page.wait_for_timeout(300)
        now = page.evaluate(view)
        if now == last:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the view still moves after {timeout} s")
        last = now


def node_count(page) -> int:
    return page.evaluate("window.scrkgExplorer.nodes.length")


def node_position(page, iri: str) -> dict[str, float]:
    """Where a node is drawn, in page coordinates."""
    point = page.evaluate(
        """(iri) => {
            const net = window.scrkgExplorer.network;
            const dom = net.canvasToDOM(net.getPositions([iri])[iri]);
            const box = document.querySelector('#network canvas').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y};
        }""",
        iri,
    )
    return point


def edge_point(page, source: str, prop: str, target: str) -> dict[str, float]:
    """A point on the drawn edge (its curve, not the straight line) where no node sits."""
    point = page.evaluate(
        """([id]) => {
            const net = window.scrkgExplorer.network;
            const edge = net.body.edges[id];
            // vis-network's coordinates are the canvas's, inside the box's 1 px border.
            const box = document.querySelector('#network canvas').getBoundingClientRect();
            // A point where a click selects this edge: no node under it or within 4 px of it,
            // and not nearer another edge (a "+N more" node's dashed edge may cross it).
            const ts = [0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85, 0.1, 0.9];
            const around = [[0, 0], [4, 0], [-4, 0], [0, 4], [0, -4]];
            for (const t of ts) {
                const dom = net.canvasToDOM(edge.edgeType.getPoint(t));
                const clear = around.every(
                    ([dx, dy]) => net.getNodeAt({x: dom.x + dx, y: dom.y + dy}) === undefined);
                if (clear && net.getEdgeAt(dom) === id) {
                    return {x: box.left + dom.x, y: box.top + dom.y};
                }
            }
            return null;
        }""",
        [source + "\n" + prop + "\n" + target],
    )
    assert point is not None, "every point of the edge is under a node or nearer another edge"
    return point


@pytest.mark.slow
def test_site_in_a_browser(page, site):
    # The dashboard: figures and charts.
    page.goto(site + "/")
    page.wait_for_selector("#chart-outcomes svg rect")
    assert page.locator(".chart").count() == 6
    assert page.locator(".synthetic-notice").is_visible()
    shot(page, "dashboard", full_page=True)

    # The query page: a saved query when there are any, else the editor's example; rows appear.
    page.goto(site + "/query")
    page.wait_for_selector(".CodeMirror")
    saved = page.locator(".saved-list a")
    if saved.count():
        # The page runs the saved query on arrival and then shows the query's own text in the
        # address, so the arrival is awaited as a navigation, not as an address to match.
        with page.expect_navigation():
            saved.first.click()
        page.wait_for_selector(".saved-list li.current")
    else:
        page.click("#run-query")
    page.wait_for_selector(".results-table tbody tr", timeout=20000)
    assert page.locator(".results-table tbody tr").count() > 0
    assert "row" in page.locator("#query-status").inner_text()
    shot(page, "query")

    # The explorer around one review: click the child, its neighbours appear.
    page.goto(site + "/explore?focus=" + quote(REVIEW, safe=""))
    page.wait_for_selector("#network[data-ready='true']", timeout=30000)
    before = node_count(page)
    assert before > 3
    spot = node_position(page, CHILD)
    page.mouse.move(spot["x"], spot["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
    assert "Child OFSTED-2009-10-CS1-C1" in page.locator("div.vis-tooltip").inner_text()
    page.mouse.click(spot["x"], spot["y"])
    wait_until(page, f"window.scrkgExplorer.nodes.length > {before}")
    assert node_count(page) > before
    assert "Child OFSTED-2009-10-CS1-C1" in page.locator("#details").inner_text()

    # The outcome "died" has 90 children: 20 come, with a "+70 more" node that brings 20 more.
    died = "https://w3id.org/scrkg/concept/died"
    before = node_count(page)
    spot = node_position(page, died)
    page.mouse.click(spot["x"], spot["y"])
    wait_until(page, f"window.scrkgExplorer.nodes.length >= {before + 20}")
    more = page.evaluate(
        "window.scrkgExplorer.nodes.get({filter: n => !!n.more}).map(n => [n.id, n.label])"
    )
    assert any(label.startswith("+70 more") for _, label in more), more
    more_id = next(i for i, label in more if label.startswith("+70 more"))
    before = node_count(page)
    spot = node_position(page, more_id)
    page.mouse.click(spot["x"], spot["y"])
    wait_until(page, f"window.scrkgExplorer.nodes.length >= {before + 19}")
    labels = page.evaluate(
        "window.scrkgExplorer.nodes.get({filter: n => !!n.more}).map(n => n.label)"
    )
    assert any(label.startswith("+50 more") for label in labels), labels

    # Select the link review -> child: its quote shows. The layout may still drift after it
    # looked still, so the point found can fall on another link by the time of the click (seen
    # about one run in six); such a click is tried again, from a point found anew, up to five
    # times.
    quote_shown = "#details .quote blockquote, #details .no-quote"
    for _attempt in range(5):
        wait_for_still_view(page)
        # Hold the layout still while the point is found and clicked, as a user's view is.
        page.evaluate("() => window.scrkgExplorer.network.setOptions({physics: false})")
        spot = edge_point(page, REVIEW, CONCERNS_CHILD, CHILD)
        page.mouse.click(spot["x"], spot["y"])
        with contextlib.suppress(Exception):  # playwright's TimeoutError: the click missed
            page.wait_for_selector(quote_shown, timeout=5000)
            if "three-week-old baby" in page.locator("#details").inner_text():
                break
    assert "three-week-old baby" in page.locator("#details").inner_text()
    shot(page, "explore")

    # Double-click the child: its resource page opens.
    spot = node_position(page, CHILD)
    page.mouse.dblclick(spot["x"], spot["y"])
    page.wait_for_url("**/id/child/OFSTED-2009-10-CS1-C1", timeout=10000)
    assert "OFSTED-2009-10-CS1-C1" in page.content()
    shot(page, "resource")

    # The ontology page.
    page.goto(site + "/ontology")
    page.wait_for_selector("#classes")
    shot(page, "ontology", full_page=True)

    assert not page.console_errors, page.console_errors
    assert_only_local(page.requests)


def test_whole_bundled_graph_settles(page, site):
    started = time.monotonic()
    page.goto(site + "/explore?view=whole")
    page.wait_for_selector("#network[data-ready='true']", timeout=60000)
    seconds = time.monotonic() - started
    nodes = node_count(page)
    assert nodes > 1500
    assert page.evaluate("window.scrkgExplorer.network.physics.physicsEnabled") is False
    shot(page, "explore-whole")
    print(f"whole graph: {nodes} nodes on screen and settled in {seconds:.1f} s")
    assert not page.console_errors, page.console_errors
    assert_only_local(page.requests)


# ---------------------------------------------------------------------------------------------
# Labels that try to run script: shown as text everywhere, nothing runs.
# ---------------------------------------------------------------------------------------------

PWN = "window.__pwned = (window.__pwned || 0) + 1"
HOSTILE = [
    f"<script>{PWN}</script>",
    f'<img src="http://127.0.0.2:9/x.png" onerror="{PWN}">',
    f'"><svg onload="{PWN}"></svg>',
    f'<a href="javascript:{PWN}">href</a>',
    "\u202eevil\u202c <b>bold</b> {{7*7}}",
]
H = "https://w3id.org/scrkg/id/"
HOSTILE_REVIEW = H + "review/HOSTILE-1"
HOSTILE_CHILD = H + "child/HOSTILE-1-C1"


def hostile_turtle() -> str:
    def lit(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "@prefix scr: <https://w3id.org/scrkg/def#> .",
        "@prefix scrc: <https://w3id.org/scrkg/concept/> .",
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        f"<{HOSTILE_REVIEW}> a scr:SeriousCaseReview ; rdfs:label {lit('Review ' + HOSTILE[0])} ;",
        f"  rdfs:comment {lit(HOSTILE[1])} ; scr:isSynthetic true ;",
        f"  scr:concernsChild <{HOSTILE_CHILD}> ; scr:identifiesLesson <{H}lesson/HOSTILE-1/1> .",
        f"<{HOSTILE_CHILD}> a scr:Child ; rdfs:label {lit('Child ' + HOSTILE[2])} ;",
        f"  rdfs:comment {lit(HOSTILE[3])} ; scr:isSynthetic true ;",
        "  scr:outcome scrc:died ; scr:hasRiskFactor scrc:domestic-abuse .",
        f"<{H}lesson/HOSTILE-1/1> a scr:Lesson ; rdfs:label {lit(HOSTILE[4])} ;",
        "  scr:lessonTheme scrc:voice-of-the-child .",
        "scrc:domestic-abuse skos:prefLabel " + lit("domestic abuse " + HOSTILE[1]) + " ;",
        "  skos:inScheme scrc:risk-factors .",
        f"<{H}statement/hostile> a rdf:Statement ; rdf:subject <{HOSTILE_REVIEW}> ;",
        f"  rdf:predicate scr:concernsChild ; rdf:object <{HOSTILE_CHILD}> ;",
        f"  scr:quote {lit('The quote ' + HOSTILE[0] + HOSTILE[1])} ;",
        f"  prov:wasDerivedFrom <{H}document/hostile> .",
        f"<{H}document/hostile> rdfs:label {lit('Document ' + HOSTILE[3])} .",
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """The site over a store holding only the hostile labels."""
    folder = tmp_path_factory.mktemp("hostile")
    data = folder / "hostile.ttl"
    data.write_text(hostile_turtle(), encoding="utf-8")
    DiskStore(folder / "store").replace_graph(H + "graph/hostile", list(ox.parse(path=str(data))))
    with served(folder / "store") as url:
        yield url


#: Every page the hostile data reaches (a page that does not exist here, like /patterns on a
#: site without it, is still loaded: its 404 must be safe too).
HOSTILE_PAGES = [
    "/",
    "/query",
    "/ontology",
    "/explore?q=review",
    "/id/review/HOSTILE-1",
    "/id/child/HOSTILE-1-C1",
    "/id/lesson/HOSTILE-1/1",
    "/id/statement/hostile",
    "/id/document/hostile",
    "/concept/domestic-abuse",
    "/concept/died",
    "/def",
    "/def/Child",
    "/patterns",
    "/sparql",
    "/no/such/page",
]


def assert_real_policy(response) -> None:
    """The app's own headers, not ones a test added: the strict policy of web/security.py."""
    from scrkg.web.security import CSP

    headers = response.all_headers()
    assert headers["content-security-policy"] == CSP
    assert "unsafe" not in CSP and "http" not in CSP
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


#: Where the real mouse goes to hover the ``i``-th element of ``selector``: the middle of its
#: first box, once it is scrolled into view if it was not; null when it is not visible (no box,
#: or ``visibility: hidden``, as Playwright's ``is_visible`` tells).
HOVER_POINT = """([selector, i]) => {
  const element = document.querySelectorAll(selector)[i];
  if (!element) return null;
  const box = element.getBoundingClientRect();
  if (!box.width || !box.height || getComputedStyle(element).visibility === "hidden") {
    return null;
  }
  if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) {
    element.scrollIntoView({block: "center", inline: "center"});
  }
  const first = element.getClientRects()[0] || element.getBoundingClientRect();
  return {x: first.left + first.width / 2, y: first.top + first.height / 2};
}"""
HOVERED = "a, button, summary, [title], td, li"


def hover_and_click_everything(page) -> None:
    """Hover every link, button and titled element of the page, and click the buttons and
    summaries (links are hovered, not followed, and the header's search is not submitted: the
    loop visits every page itself).

    A hover is the real mouse moved onto the element, scrolled into view (:data:`HOVER_POINT`),
    as Playwright's ``hover(force=True)`` does. Finding the point in the page and moving the
    mouse there costs about 0.2 s less processor time a page than Playwright's visibility check
    and hover did (13 of the pages, loads included: 5.6-6.3 s against 8.6-9.1 s)."""
    for i in range(min(page.locator(HOVERED).count(), 60)):
        with contextlib.suppress(Exception):
            spot = page.evaluate(HOVER_POINT, [HOVERED, i])
            if spot is not None:
                page.mouse.move(spot["x"], spot["y"])
    # The header's search form is left alone: its button leaves the page (the loop visits
    # /search itself).
    for element in page.locator("button:not(.site-search button), summary").all()[:40]:
        with contextlib.suppress(Exception):
            if element.is_visible() and element.is_enabled():
                element.click(timeout=500, no_wait_after=True)


@pytest.mark.slow
def test_labels_that_try_to_run_script_stay_text(browser, hostile_site):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )
    try:
        for path in HOSTILE_PAGES:
            response = page.goto(hostile_site + path)
            page.wait_for_load_state("load")
            assert_real_policy(response)
            hover_and_click_everything(page)
            if page.url.startswith(hostile_site + path.split("?")[0]):
                page.wait_for_timeout(200)
            assert page.evaluate("window.__pwned") is None, path

        page.goto(
            hostile_site
            + "/query?query="
            + quote("SELECT ?s ?label WHERE { ?s rdfs:label|skos:prefLabel ?label }", safe="")
        )
        # A link only fills the editor: nothing runs until Run is pressed.
        page.wait_for_selector(".CodeMirror")
        assert page.locator("#not-run").is_visible()
        assert page.locator(".results-table").count() == 0
        page.click("#run-query")
        page.wait_for_selector(".results-table tbody tr", timeout=20000)
        assert page.locator("#not-run").count() == 0
        assert "<script>" in page.locator(".results-table").inner_text()
        shot(page, "hostile-query")

        page.goto(hostile_site + "/explore?focus=" + quote(HOSTILE_REVIEW, safe=""))
        page.wait_for_selector("#network[data-ready='true']", timeout=30000)
        spot = node_position(page, HOSTILE_CHILD)
        page.mouse.move(spot["x"], spot["y"])
        page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
        tooltip = page.locator("div.vis-tooltip")
        assert "<svg onload=" in tooltip.inner_text()
        assert tooltip.locator("svg, img, a, script").count() == 0
        page.mouse.click(spot["x"], spot["y"])
        wait_until(page, "window.scrkgExplorer.nodes.length > 3")
        spot = edge_point(page, HOSTILE_REVIEW, CONCERNS_CHILD, HOSTILE_CHILD)
        page.mouse.click(spot["x"], spot["y"])
        page.wait_for_selector("#details .quote blockquote", timeout=10000)
        assert "<script>" in page.locator("#details .quote blockquote").inner_text()
        lesson = page.evaluate(
            "window.scrkgExplorer.nodes.get('" + H + "lesson/HOSTILE-1/1').fullLabel"
        )
        assert lesson.startswith("[U+202E]evil[U+202C]")
        page.fill("#search-text", "script")
        page.press("#search-text", "Enter")
        page.wait_for_selector("#search-results button")
        shot(page, "hostile-explore")
        assert page.evaluate("window.__pwned") is None
        assert not dialogs
        assert not refused, refused
        assert_only_local(requests)
    finally:
        context.close()
