"""The records behind the dashboard's figures (/records, /records.csv), over the bundled data.

Every number on the dashboard links to a page whose table lists exactly the records it counts;
the counts here come from the store by independent queries, not from the page's own code. A link
names a figure and never carries a query; anything the site does not know gets 404.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from scrkg.graph import charts
from scrkg.ontology import DEFAULT_BASE

DIED_IN_NEED = "/records?figure=children-died-child-in-need&period=2009-10"


def page(bundled_client, url: str) -> str:
    response = bundled_client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def links(html: str, prefix: str) -> list[str]:
    found = re.findall(r'href="(' + re.escape(prefix) + r'[^"]*)"', html)
    return list(dict.fromkeys(html_lib.unescape(link) for link in found))


def listed(html: str) -> list[str]:
    """The record links of a records page's table, one per row."""
    table = re.search(r'<table class="records record-list".*?</table>', html, re.S)
    if table is None:
        return []
    rows = re.findall(r"<tr(?: class=\"synthetic-row\")?>\s*<td><a href=\"([^\"]+)\"", table[0])
    return rows


def count(store, where: str) -> int:
    sparql = f"SELECT (COUNT(DISTINCT ?record) AS ?n) WHERE {{ {where} }}"
    return int(next(iter(store.query(sparql)))["n"].value)


def test_the_dashboard_links_every_figure_to_its_records(bundled_client):
    html = page(bundled_client, "/")
    figures = links(html, "/records?figure=")
    # 11 published figures, the bars of six charts, and four counts of records.
    statistics = [f for f in figures if "period=" in f]
    bars = [f for f in figures if "value=" in f]
    counts = [f for f in figures if "records=" in f and "value=" not in f]
    assert len(statistics) == 11
    assert len(bars) >= 30
    assert sorted(counts) == sorted(
        f"/records?figure={unit}&records={kind}"
        for unit in ("reviews", "children")
        for kind in ("synthetic", "real")
    )
    published = links(html, "/records?published=")
    assert len(published) >= 60  # every figure of every period opens its source


def test_each_published_figure_lists_as_many_records_as_it_counts(bundled_client):
    data = charts.dashboard_data(bundled_client.application.config["STORE"])
    html = page(bundled_client, "/")
    for figure in data.figures:
        key = figure.statistic.rsplit("/", 1)[-1]
        url = f"/records?figure={key}&period={figure.period}"
        assert html_lib.escape(url) in html
        shown = page(bundled_client, url)
        records = set(listed(shown))
        if figure.unit == "count":
            assert len(records) == figure.computed, key
        assert f"The records behind it: {len(records)} " in shown


def test_a_percentage_lists_the_reviews_of_its_grade(bundled_client, bundled_store):
    shown = page(bundled_client, "/records?figure=reviews-graded-good-percent&period=2009-10")
    good = count(
        bundled_store,
        '?record scr:reportingYear "2009-10" ; scr:qualityGrade scrc:good .',
    )
    graded = count(bundled_store, '?record scr:reportingYear "2009-10" ; scr:qualityGrade [] .')
    assert len(set(listed(shown))) == good
    assert round(100 * good / graded) == 42  # the figure the dashboard shows


def test_children_who_died_in_need_show_their_reviews_and_agencies(bundled_client, bundled_store):
    shown = page(bundled_client, DIED_IN_NEED)
    children = set(listed(shown))
    assert len(children) == 31
    assert all(link.startswith("/id/child/") for link in children)
    # The agencies involved: each type with how many of these children its reviews concern.
    agencies = re.search(r'<table class="records agencies-involved".*?</table>', shown, re.S)[0]
    rows = re.findall(
        r'<a href="/concept/([^"]+)">[^<]+</a></th>\s*<td class="num">(\d+)', agencies
    )
    assert rows, "no agency listed"
    police = count(
        bundled_store,
        """?review scr:reportingYear "2009-10" ; scr:concernsChild ?record ;
                   scr:involvedAgency/scr:agencyType scrc:police .
           ?record scr:outcome scrc:died ;
                   scr:socialCareStatus/skos:broader* scrc:child-in-need .""",
    )
    assert ("police", str(police)) in rows
    # Each child's review is linked, and synthetic children are tagged.
    assert shown.count('<tr class="synthetic-row">') == count(
        bundled_store,
        """?review scr:reportingYear "2009-10" ; scr:concernsChild ?record .
           ?record scr:outcome scrc:died ;
                   scr:socialCareStatus/skos:broader* scrc:child-in-need .
           FILTER EXISTS { ?record scr:isSynthetic|^scr:concernsChild/scr:isSynthetic true }""",
    )
    assert "/id/review/" in shown
    # The published figure's source: the publication and its quote.
    assert "Learning lessons from serious case reviews 2009-2010" in shown
    assert 'class="source-quote"' in shown


@pytest.mark.slow
def test_every_chart_bar_lists_the_records_it_counts(bundled_client):
    store = bundled_client.application.config["STORE"]
    for real_only in (False, True):
        for chart in charts.dashboard_data(store, real_only=real_only).charts:
            for bar in chart.bars:
                if not bar.count:
                    continue
                value = bar.iri.rsplit("/", 1)[-1]
                url = f"/records?figure={chart.key}&value={value}"
                url += "&records=real" if real_only else ""
                assert len(set(listed(page(bundled_client, url)))) == bar.count, url


def test_the_counts_of_records_list_the_synthetic_and_the_real(bundled_client, bundled_store):
    real = page(bundled_client, "/records?figure=reviews&records=real")
    assert len(set(listed(real))) == 2 and "synthetic-row" not in real
    synthetic = page(bundled_client, "/records?figure=children&records=synthetic")
    assert len(set(listed(synthetic))) == count(
        bundled_store, "?record a scr:Child ; scr:isSynthetic true ."
    )


def test_the_csv_keeps_the_synthetic_marker(bundled_client):
    response = bundled_client.get(DIED_IN_NEED.replace("/records?", "/records.csv?"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "includes-synthetic" in response.headers["Content-Disposition"]
    assert response.headers["X-SCRKG-Synthetic"] == "true"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len({row["child iri"] for row in rows}) == 31
    assert {row["synthetic"] for row in rows} <= {"true", "false"}
    assert all(row["agencies involved"] for row in rows)
    real = bundled_client.get("/records.csv?figure=reviews&records=real")
    assert "includes-synthetic" not in real.headers["Content-Disposition"]
    assert "X-SCRKG-Synthetic" not in real.headers
    assert {
        row["synthetic"] for row in csv.DictReader(io.StringIO(real.get_data(as_text=True)))
    } == {"false"}


def test_the_network_link_draws_the_records_in_the_explorer(bundled_client):
    shown = page(bundled_client, DIED_IN_NEED)
    link = html_lib.unescape(re.search(r'href="(/explore\?query=[^"]+)"', shown)[1])
    query = parse_qs(urlsplit(link).query)["query"][0]
    view = bundled_client.get("/api/view", query_string={"query": query}).get_json()
    drawn = {node["iri"] for node in view["nodes"]}
    children = {DEFAULT_BASE + c[len("/id/") :] for c in listed(shown)}
    assert children <= drawn
    assert any("/agency/" in iri for iri in drawn) and any("/review/" in iri for iri in drawn)


def test_a_figure_as_published_opens_its_source(bundled_client, bundled_store):
    html = page(bundled_client, "/")
    link = links(html, "/records?published=")[0]
    shown = page(bundled_client, link)
    assert "No records in this graph lie behind it" in shown
    assert "<cite>" in shown and "Read on" in shown
    assert "record-list" not in shown


def test_the_dashboard_links_the_two_case_studies(bundled_client):
    html = page(bundled_client, "/")
    section = re.search(r'<section class="case-studies".*?</section>', html, re.S)[0]
    assert sorted(links(section, "/id/review/")) == [
        "/id/review/OFSTED-2009-10-CS1",
        "/id/review/OFSTED-2009-10-CS2",
    ]
    assert "synthetic-tag" not in section


@pytest.mark.parametrize(
    "url",
    [
        "/records",
        "/records?figure=no-such-figure",
        "/records?figure=children-died&period=1999-00",  # a period the dashboard does not show
        '/records?figure=children-died&period=2009-10" } ?s ?p ?o {',
        "/records?figure=outcomes&value=no-such-concept",
        "/records?figure=children&records=everything",
        "/records?query=SELECT+*+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D",
        "/records?published=https://w3id.org/scrkg/id/child/OFSTED-2009-10-CS1-C1",
        "/records.csv?figure=no-such-figure",
    ],
)
def test_a_link_that_names_no_figure_is_not_found(bundled_client, url):
    assert bundled_client.get(url).status_code == 404
