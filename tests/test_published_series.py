"""The figures published about serious case reviews from 2001 to 2011: every row of the bundled
CSV is in the store with its value, unit, period, publication and source page; the Turtle section
generated from it is up to date; pages that disagree are kept and flagged; `scrkg stats` and the
dashboard show the series, and only the 2009-10 figures are checked against the records."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from scrkg.cli import main
from scrkg.graph.figures import published_series
from scrkg.graph.saved import saved_query
from scrkg.graph.store import MemoryStore
from scrkg.loader import load_bundled, load_source
from scrkg.loader.published import (
    BEGIN,
    CSV_FILE,
    REPORT_FILE,
    period_label,
    read_rows,
    turtle,
)
from scrkg.web import create_app

BASE = "https://w3id.org/scrkg/id/"
SCRC = "https://w3id.org/scrkg/concept/"
REPO = Path(__file__).resolve().parent.parent

# One query over the store, independent of the saved query: every property of every row.
ROW_QUERY = """
PREFIX scr: <https://w3id.org/scrkg/def#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?observation ?start ?end ?publication ?publisher ?issued ?measure ?value ?unit ?source
       ?kind ?note
WHERE {
  ?observation qb:dataSet ?dataset ; dcterms:description ?measure ; scr:figureValue ?value ;
               scr:unit ?unit ; prov:wasDerivedFrom ?source ; dcterms:temporal ?period .
  ?period dcat:startDate ?start .
  OPTIONAL { ?period dcat:endDate ?end }
  ?dataset dcterms:title ?publication ; dcterms:publisher/rdfs:label ?publisher .
  OPTIONAL { ?dataset dcterms:issued ?issued }
  ?source dcterms:type ?kind .
  OPTIONAL { ?observation skos:note ?note }
}
"""


def csv_rows() -> list[dict[str, str]]:
    with CSV_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def store_rows(store) -> dict[str, dict[str, str]]:
    """The store's observations of the series, keyed by IRI, every value as text ("" unbound)."""
    found = {}
    for row in store.query(ROW_QUERY):
        values = {name: "" if row[name] is None else row[name].value for name in row_names()}
        assert values["observation"] not in found, f"{values['observation']} is ambiguous"
        found[values["observation"]] = values
    return found


def row_names() -> list[str]:
    return re.findall(r"\?(\w+)", ROW_QUERY.split("WHERE")[0])


def test_every_csv_row_is_in_the_store_with_its_source(bundled_store) -> None:
    rows = csv_rows()
    found = store_rows(bundled_store)
    assert len(rows) == 71
    assert len(found) == len(rows), "one observation per row, no more"
    publications_with_month: dict[str, set[str]] = {}
    for line, row in enumerate(rows, start=2):
        got = found.pop(f"{BASE}figure/published-2001-2011/line-{line}")
        assert got["measure"] == row["measure"], line
        assert Decimal(got["value"]) == Decimal(row["value"]), line
        assert got["unit"] == SCRC + "unit-" + row["unit"], line
        assert got["start"] == row["period_start"], line
        assert got["end"] == row["period_end"], line
        assert got["publication"] == row["publication"], line
        assert got["publisher"].startswith(row["publisher"]), line
        assert got["source"] == row["source_url"], line
        assert got["kind"] == row["source_kind"], line
        assert got["note"] == row["note"], line
        if row["published"]:
            assert got["issued"] == row["published"], line
        publications_with_month.setdefault(row["publication"], set()).add(got["issued"])
    assert found == {}
    # A publication has one month (or none): rows that give none take it from the others.
    assert all(len(months) == 1 for months in publications_with_month.values())


def test_the_saved_query_lists_every_row(bundled_store) -> None:
    expected = Counter(
        (
            row["measure"],
            period_label(
                dt.date.fromisoformat(row["period_start"]),
                dt.date.fromisoformat(row["period_end"]) if row["period_end"] else None,
            ),
            Decimal(row["value"]),
            row["unit"],
            row["publication"],
            row["source_url"],
            row["source_kind"],
        )
        for row in csv_rows()
    )
    series = published_series(bundled_store)
    got = Counter(
        (f.measure, f.period, f.value, f.unit, f.publication, f.source, f.source_kind)
        for f in series
    )
    assert got == expected
    assert [f.measure for f in series] == sorted(f.measure for f in series)
    assert not any(f.disagrees for f in series), "no two pages of the bundled CSV disagree"
    assert len({f.publication for f in series}) == 10
    assert len({f.source for f in series}) == 21


def test_the_grades_side_by_side(bundled_store) -> None:
    grades = {
        (f.measure, f.period): f.value_text
        for f in published_series(bundled_store)
        if f.measure.startswith("reviews judged") and f.measure.endswith("(percent)")
    }
    assert grades[("reviews judged good (percent)", "2008-09")] == "23%"
    assert grades[("reviews judged adequate (percent)", "2008-09")] == "43%"
    assert grades[("reviews judged inadequate (percent)", "2008-09")] == "34%"
    assert grades[("reviews judged good (percent)", "2009-10")] == "42%"
    assert grades[("reviews judged adequate (percent)", "2009-10")] == "42%"
    assert grades[("reviews judged inadequate (percent)", "2009-10")] == "16%"


def test_the_generated_section_is_up_to_date() -> None:
    text = REPORT_FILE.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1
    assert text[text.index(BEGIN) :] == turtle(read_rows()), (
        "regenerate it: python -m scrkg.loader.published"
    )


def test_the_checked_figures_stay_those_of_2009_10(bundled_store) -> None:
    """The series does not enter the published-against-records check (query 00)."""
    rows = list(bundled_store.query(saved_query("00-published-figures").sparql))
    assert len(rows) == 11
    assert {row["period"].value for row in rows} == {"2009-10"}
    assert all(row["agrees"].value == "true" for row in rows)


def test_pages_that_disagree_are_kept_and_flagged(tmp_path) -> None:
    lines = CSV_FILE.read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    other = first.replace(",147,", ",148,").replace("docest.com", "example.org")
    assert other != first
    source = tmp_path / "two-pages.csv"
    source.write_text("\n".join([header, first, other]) + "\n", encoding="utf-8")
    hand_written = REPORT_FILE.read_text(encoding="utf-8").split(BEGIN)[0]
    report = tmp_path / "report.ttl"
    report.write_text(hand_written + turtle(read_rows(source)), encoding="utf-8")
    store = MemoryStore()
    load_source(store, report)

    series = published_series(store)
    assert sorted(f.value for f in series) == [Decimal(147), Decimal(148)]
    assert all(f.disagrees for f in series)
    assert {f.source.split("/")[2] for f in series} == {"docest.com", "example.org"}


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        ("2008-04-01", "2009-03-31", "2008-09"),
        ("2008-01-01", "2008-12-31", "2008"),
        ("2009-01-01", "2009-09-30", "January to September 2009"),
        ("2007-04-01", "2011-03-31", "April 2007 to March 2011"),
        ("2007-04-01", None, "from April 2007"),
        ("2009-04-15", "2009-05-20", "15 Apr 2009 to 20 May 2009"),
    ],
)
def test_period_labels(start: str, end: str | None, label: str) -> None:
    end_date = dt.date.fromisoformat(end) if end else None
    assert period_label(dt.date.fromisoformat(start), end_date) == label


@pytest.mark.parametrize(
    ("column", "bad"),
    [("value", "many"), ("unit", "percentage"), ("period_start", "2009"), ("source_url", "x")],
)
def test_a_bad_row_is_refused_with_its_line(tmp_path, column: str, bad: str) -> None:
    with CSV_FILE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        row = next(reader)
        fields = reader.fieldnames
    row[column] = bad
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerow(row)
    with pytest.raises(ValueError, match=rf"line 2, column {column}"):
        read_rows(path)


def test_the_report_cites_where_its_number_and_month_come_from(bundled_store) -> None:
    """The press release gives neither the reference number nor the month: the report node
    carries both and cites, with rdfs:seeAlso, CSV pages of that publication and month."""
    report = BASE + "report/ofsted-learning-lessons-2009-10"
    document = BASE + "document/ofsted-2009-10-press-release"
    query = f"""PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?identifier ?issued ?page WHERE {{
          <{report}> dcterms:identifier ?identifier ; dcterms:issued ?issued ;
                     rdfs:seeAlso ?page }}"""
    found = list(bundled_store.query(query))
    assert {row["identifier"].value for row in found} == {"100087"}
    assert {row["issued"].value for row in found} == {"2010-10"}
    pages = {row["page"].value for row in found}
    cited = {
        row["source_url"]
        for row in csv_rows()
        if "100087" in row["publication"] and row["published"] == "2010-10"
    }
    assert pages and pages <= cited
    release = (REPORT_FILE.parent / "ofsted-2009-10-press-release.txt").read_text("utf-8")
    assert "100087" not in release and "October" not in release
    no_identifier = f"""PREFIX dcterms: <http://purl.org/dc/terms/>
        ASK {{ <{document}> dcterms:identifier|dcterms:issued [] }}"""
    assert not bool(bundled_store.query(no_identifier))


def test_no_file_points_outside_the_repository() -> None:
    pattern = re.compile(r"\.\./shared|\bDOMAIN\.md\b|\bDESIGN\.md\b")
    paths = [
        p for folder in ("loader", "ontology") for p in (REPO / folder).rglob("*") if p.is_file()
    ]
    offenders = [
        str(p.relative_to(REPO))
        for p in paths
        if p.suffix in {".py", ".ttl", ".rq", ".md", ".csv", ".txt"}
        and pattern.search(p.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


# -- what users see ------------------------------------------------------------------------------


def test_stats_shows_the_checked_figures_and_the_series(runner, tmp_path, copy_of_bundled) -> None:
    copy_of_bundled(
        tmp_path / "cli-store"
    )  # the runner's store, as `scrkg load --bundled` leaves it
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "11 of 11 published figures reproduced from the records." in out
    assert "only those of 2009-10 above are checked against the records" in out
    grades = out[out.index("\nreviews judged good (percent)\n") :].split("\n\n")[0]
    assert re.search(
        r"2008-09 +23% +\[\d+\] Learning lessons from serious case reviews: year 2", grades
    )
    assert re.search(
        r"2009-10 +42% +\[\d+\] Learning lessons from serious case reviews 2009-2010", grades
    )
    assert "71 published figures from 10 publications, read on 21 pages" in out
    assert "publisher press release (republished): https://www.wired-gov.net/" in out


def test_the_dashboard_shows_the_series_with_links_to_the_pages() -> None:
    store = MemoryStore()
    load_bundled(store)
    html = create_app({"STORE": store}).test_client().get("/").get_data(as_text=True)
    assert "Published figures of every period" in html
    assert "71 figures published" in html
    assert 'href="/query?name=13-published-series"' in html
    assert (
        '<a href="https://docest.com/doc/664959/learning-lessons-from-serious-case-reviews-2009-2010"'
        in html
    )
    assert "April 2007 to March 2011" in html and "(October 2010)" in html
    assert "No two pages give different values" in html
    assert "pages disagree</span>" not in html
