"""From a document to the site: tag a fictional review, accept the draft, load it, and see the
quote beside the child's risk factor in chromium; the page passes axe-core (WCAG 2.2 AA).

Every step is the command line a user runs (`scrkg tag`, `scrkg load`, `scrkg serve`), each in
its own process, over a store in a temporary directory.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from documents import make_pdf
from served import arrived, axe_violations, serious, served

QUOTE = "There was domestic abuse in the home."
PAGES = [
    "Child D was a baby when the review began.",
    f"The family moved twice in a year. {QUOTE}",
    "The health visitor saw the family once.",
]
#: What the analyst types on the rows of required fields the tagger could not suggest.
TYPED = {
    "review_type": "serious-case-review",
    "board": "Example LSCB",
    "reporting_year": "2009-10",
    "agencies": "health-visiting",
    "age_band": "under-1",
    "outcome": "serious-harm",
    "social_care_status": "child-in-need",
}
#: Fields that take one value: when the tagger suggests two, the analyst keeps the first.
SINGLE = {"review_type", "quality_grade", "review_method", "age_band", "outcome",
          "social_care_status", "incident_category", "sex", "ethnic_group"}  # fmt: skip
#: Fields whose rules need facts a document rarely gives alone: the analyst says no to them.
LEFT = {"rapid_review_decision", "rapid_review_id", "statutory_partners", "succeeded_board"}


def scrkg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrkg", *args], capture_output=True, text=True, timeout=300
    )


def accept_all(path: Path) -> None:
    """Write yes on every row of the draft, as an analyst who agrees with the tagger."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    kept: dict[tuple[str, str], str] = {}
    for row in rows:
        if not row["code"]:
            row["code"] = TYPED[row["field"]]
        key = (row["child_id"], row["field"])
        clash = row["field"] in SINGLE and kept.setdefault(key, row["code"]) != row["code"]
        row["accept"] = "no" if clash or row["field"] in LEFT else "yes"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("tag-evidence")
    document = make_pdf(work / "review-d.pdf", PAGES)
    draft = work / "review-d-draft.csv"
    tagged = scrkg("tag", str(document), "-o", str(draft))
    assert tagged.returncode == 0, tagged.stderr
    accept_all(draft)
    store = work / "store"
    loaded = scrkg("--store", str(store), "load", str(draft))
    assert loaded.returncode == 0, loaded.stderr
    with served(store) as url:
        yield url


def test_the_quote_is_beside_the_childs_risk_factor_and_the_page_is_accessible(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(site + "/id/child/review-d-C1")
        arrived(page)
        risk = page.locator("section.link-group > ul > li").filter(
            has=page.locator('a[href="/concept/domestic-abuse"]')
        )
        assert risk.count() == 1
        evidence = risk.locator("ul.evidence > li")
        assert evidence.count() == 1
        text = " ".join(evidence.inner_text().split())
        assert QUOTE in text and "page 2 of review-d.pdf" in text
        assert "sha256" not in text and "rdf:" not in text  # no RDF syntax on the page
        assert risk.locator("ul.evidence a").get_attribute("href").startswith("/id/document/")
        assert risk.locator("ul.evidence q").is_visible()
        found = axe_violations(page)
    finally:
        context.close()
    bad = serious(found)
    assert not bad, bad
