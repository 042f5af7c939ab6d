"""The dashboard never lets invented records read as findings: charts counted from synthetic
records are marked as illustrations and say how many of their records are synthetic and how many
real; /?records=real counts real records only; the heading follows what is loaded."""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from scrkg.graph import charts, memo
from scrkg.graph.store import MemoryStore
from scrkg.loader import load_source
from scrkg.ontology import SCR, SCRC
from scrkg.web import create_app

SKOS = "http://www.w3.org/2004/02/skos/core#"

#: What each chart counts, written out here apart from graph/charts.py: the property that points
#: from a record to a concept and, for charts that list every concept of a scheme, the scheme.
COUNTED = {
    "outcomes": (SCR + "outcome", SCRC + "outcomes"),
    "social-care-status": (SCR + "socialCareStatus", None),
    "quality-grades": (SCR + "qualityGrade", SCRC + "quality-grades"),
    "maltreatment": (SCR + "maltreatment", None),
    "risk-factors": (SCR + "hasRiskFactor", None),
    "lesson-themes": (SCR + "lessonTheme", None),
}

#: A user's own coded reviews of 2021-22 (docs/input-formats.md), all real.
COLUMNS = (
    "review_id,review_type,board,reporting_year,evaluation_date,quality_grade,review_method,"
    "agencies,lessons,child_id,age_band,outcome,social_care_status,maltreatment,risk_factors,"
    "incident_category,views_sought,synthetic"
)
REVIEW = "local-child-safeguarding-practice-review,Example Partnership,2021-22,,,silp"
OWN_REVIEWS = [
    f"OWN-R1,{REVIEW},childrens-social-care;police,voice-of-the-child,"
    "OWN-R1-C1,under-1,died,child-in-need,neglect,domestic-abuse,,,false",
    f"OWN-R2,{REVIEW},police;gp,multi-agency-working,"
    "OWN-R2-C1,age-11-to-15,serious-harm,not-known-to-social-care,physical-abuse,"
    "parental-substance-misuse,,1,false",
    f"OWN-R2,{REVIEW},police;gp,multi-agency-working,"
    "OWN-R2-C2,age-6-to-10,serious-harm,child-protection-plan,emotional-abuse,,,,false",
]


def page(store: MemoryStore, url: str = "/") -> str:
    response = create_app({"STORE": store}).test_client().get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def figure(html: str, key: str) -> str:
    found = re.search(rf'<figure class="chart" id="chart-{key}">(.*?)</figure>', html, re.S)
    assert found, key
    return found.group(1)


def caption_counts(html: str, key: str) -> tuple[int, int]:
    """The (synthetic, real) counts a chart's caption states."""
    caption = re.search(r'<p class="chart-records">(.*?)</p>', figure(html, key), re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", caption).split())
    synthetic = re.search(r"(\d[\d,]*) synthetic", text).group(1)
    real = re.search(r"(\d[\d,]*) real\b", text).group(1)
    return int(synthetic.replace(",", "")), int(real.replace(",", ""))


def bar_counts(html: str, key: str) -> list[int]:
    """The chart's bars' counts, largest first, without the bars of 0."""
    counts = [
        int(n) for n in re.findall(r'role="img" aria-label="[^"]*: (\d+)"', figure(html, key))
    ]
    return sorted((n for n in counts if n), reverse=True)


def flagged(var: str) -> str:
    return f"?{var} <{SCR}isSynthetic> ?flag . FILTER(?flag = true)"


def count_records(store: MemoryStore, key: str) -> tuple[int, int]:
    """Independently: how many of the records a chart counts carry isSynthetic true, and how
    many do not."""
    prop, scheme = COUNTED[key]
    in_scheme = f"?c <{SKOS}inScheme> <{scheme}> ." if scheme else ""
    numbers = []
    for test in ("EXISTS", "NOT EXISTS"):
        sparql = f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
            ?x <{prop}> ?c . {in_scheme}
            FILTER {test} {{ {flagged("x")} }}
        }}"""
        numbers.append(int(next(iter(store.query(sparql)))["n"].value))
    return numbers[0], numbers[1]


def real_counts_by_concept(store: MemoryStore, key: str, limit: int = 0) -> list[int]:
    prop, scheme = COUNTED[key]
    in_scheme = f"?c <{SKOS}inScheme> <{scheme}> ." if scheme else ""
    sparql = f"""SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{
        ?x <{prop}> ?c . {in_scheme}
        FILTER NOT EXISTS {{ {flagged("x")} }}
    }} GROUP BY ?c"""
    counts = sorted((int(row["n"].value) for row in store.query(sparql)), reverse=True)
    return counts[:limit] if limit else counts


@pytest.fixture(scope="module")
def bundled_pages(bundled_store) -> dict[str, str]:
    memo.MEMO.clear()
    return {"all": page(bundled_store), "real": page(bundled_store, "/?records=real")}


@pytest.fixture
def own_store(tmp_path) -> MemoryStore:
    """A store of a user's own reviews of 2021-22, without the bundled report."""
    source = tmp_path / "own-reviews.csv"
    source.write_text("\n".join([COLUMNS, *OWN_REVIEWS]) + "\n", encoding="utf-8")
    store = MemoryStore()
    load_source(store, source)
    memo.MEMO.clear()
    return store


def test_bundled_charts_are_captioned_and_marked_as_illustrations(bundled_pages):
    html = bundled_pages["all"]
    panel = re.search(r'<section class="counted illustrations".*?</section>', html, re.S).group(0)
    heading = re.search(r'<h2 id="charts-heading">(.*?)</h2>', panel, re.S).group(1)
    assert '<span class="synthetic-marker">Synthetic</span>' in heading  # a word, not a colour
    assert "Illustrations, not" in heading and "findings" in heading
    for key in COUNTED:
        caption = figure(html, key)
        assert '<strong class="synthetic-marker">Illustration:</strong>' in caption, key
        assert "invented to match the published figures" in caption, key
        assert "not findings about" in caption and "real children." in caption, key
    # The published figures stay outside the panel of illustrations.
    assert 'id="figures-heading"' not in panel and 'id="series-heading"' not in panel
    # The illustrations come after the published figures they were made to fit, apart from them.
    assert html.index('id="figures-heading"') < html.index('id="charts-heading"')


def test_each_chart_says_how_many_of_its_records_are_synthetic_and_real(
    bundled_pages, bundled_store
):
    for key in COUNTED:
        assert caption_counts(bundled_pages["all"], key) == count_records(bundled_store, key), key
    # The bundled data: 192 synthetic children and the two real children of the case studies.
    assert caption_counts(bundled_pages["all"], "outcomes") == (192, 2)


def test_real_records_only_leaves_out_every_synthetic_record(bundled_pages, bundled_store):
    html = bundled_pages["real"]
    assert "Illustration:" not in html and 'class="counted real-counts"' in html
    for key in COUNTED:
        synthetic, real = count_records(bundled_store, key)
        assert caption_counts(html, key) == (0, real), key
        limit = 10 if key == "risk-factors" else 0
        assert bar_counts(html, key) == real_counts_by_concept(bundled_store, key, limit), key
    # Only the two case studies are real: the page says so instead of drawing empty charts.
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "That leaves only 2 reviews and 2 children" in text
    assert "too few cases to show any pattern" in text
    assert "No real reviews to count here." in figure(html, "quality-grades")
    assert "<svg" not in figure(html, "quality-grades")


def test_the_switch_is_plain_links_and_the_chart_queries_follow_it(bundled_pages):
    everything, real = bundled_pages["all"], bundled_pages["real"]
    assert 'href="/?records=real#charts-heading">Real records only</a>' in everything
    assert 'href="/?records=real#charts-heading" aria-current="true"' in real
    for html in (everything, real):
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html)  # no inline script
    links = re.findall(r'href="(/query\?query=[^"]+)"', real)
    assert len(links) == len(COUNTED)
    for link in links:
        params = parse_qs(urlsplit(html_lib.unescape(link)).query)
        assert "scr:isSynthetic true" in params["query"][0] and params["run"][0]
    assert not any(
        "isSynthetic" in link for link in re.findall(r'href="(/query\?query=[^"]+)"', everything)
    )


def test_real_records_only_is_cached_apart(bundled_store):
    memo.MEMO.clear()
    real = charts.dashboard_data(bundled_store, real_only=True)
    assert charts.dashboard_data(bundled_store, real_only=True) is real
    everything = charts.dashboard_data(bundled_store)
    assert everything is not real and not everything.real_only and real.real_only
    version = bundled_store.version()
    assert (version, "dashboard") in memo.MEMO
    assert (version, "dashboard-real-records") in memo.MEMO


def test_a_store_of_own_reviews_is_titled_by_their_period(own_store):
    html = page(own_store)
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert heading == "Case reviews, 2021-22"
    assert "2009-10" not in html and "load --bundled" not in html
    assert "2 reviews (2 of 2021-22)" in html
    # No synthetic records: no illustration marker, and the counts say all are real.
    assert "synthetic-marker" not in html and "Illustration" not in html
    assert caption_counts(html, "outcomes") == (0, 3)
    real = page(own_store, "/?records=real")
    assert "2009-10" not in real and "load --bundled" not in real


def test_an_empty_store_is_told_how_to_load_data():
    memo.MEMO.clear()
    html = page(MemoryStore())
    assert re.search(r"<h1>Case reviews</h1>", html)
    assert "<code>scrkg load --bundled</code>" in html
    assert "Illustration" not in html
