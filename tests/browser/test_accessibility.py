"""Every page of the site against WCAG 2.2 AA, with axe-core in Debian's chromium.

axe-core comes from the npm registry (tests/browser/package.json, installed by
`scripts/setup.sh test` into tests/browser/node_modules). It is put into each page by the test
itself, in a browser context that lets the test's own script past the page's Content Security
Policy; the pages keep their policy. A page fails on any violation axe rates serious or critical
under the WCAG 2.0, 2.1 and 2.2 A and AA rules.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from served import SITE_GROUP, arrived, axe_violations, serious

pytestmark = pytest.mark.xdist_group(SITE_GROUP)  # the session's `site`

REVIEW = "https://w3id.org/scrkg/id/review/OFSTED-2009-10-CS1"

#: The pages of the site, one of each kind.
PAGES = [
    "/",
    "/?records=real",
    "/query",
    "/query?name=05-toxic-trio-by-outcome",
    "/explore",
    "/explore?focus=" + quote(REVIEW, safe=""),
    "/patterns",
    "/patterns/risk-factors",
    "/ontology",
    "/recommendations",
    "/search?q=baby",
    "/download",
    "/records?figure=children-died-child-in-need&period=2009-10",
    "/id/review/OFSTED-2009-10-CS1",
    "/id/child/OFSTED-2009-10-CS1-C1",
    "/concept/domestic-abuse",
    "/def/CaseReview",
    "/query?name=no-such-query",  # a page that says 404
]


@pytest.fixture(scope="module")
def tab(browser):
    """One tab for the module's pages, each opened afresh in it: a new browser context for
    each page cost about 0.25 s of processor time more, and the pages keep nothing between
    visits (no cookies, no local storage)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


def violations(tab, url: str) -> list[tuple[str, str, int, str, str]]:
    tab.goto(url)
    arrived(tab)
    return [tuple(v) for v in axe_violations(tab)]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violation(site, tab, path):
    found = violations(tab, site + path)
    bad = serious(found)
    assert not bad, f"{path}: {bad}"
