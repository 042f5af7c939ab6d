"""Resource pages speak to analysts: no RDF syntax in the text a reader sees.

One page of each kind of record of the bundled data (a review, a child, an agency, a lesson, a
board, an incident, a source graph, a statement, a published figure and its set, a period, a
document, a report), of a concept and its scheme, and of the ontology's terms is read as a
browser shows it (``<code>`` and ``<pre>`` left out) and must hold no typed literal (``^^``),
language tag (``@en``) or prefixed name (``rdfs:label``, ``scr:Child``, ``id:child/...``):
properties and kinds read as their labels or plain words, links to a record as sentences,
dates and numbers as a reader writes them; the IRI stays one click away.
"""

from __future__ import annotations

import html
import re

import pyoxigraph as ox
import pytest
from test_plain_words import read

from scrkg.ontology import SCR, SCRC
from scrkg.web import create_app
from scrkg.web.resources import incoming_heading
from scrkg.web.words import plural

ID = "https://w3id.org/scrkg/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
QB = "http://purl.org/linked-data/cube#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: What a reader must not meet in the text of a resource page.
SYNTAX = re.compile(
    r"\^\^|(?<![\w.])@[a-z]{2,3}(?:-[A-Za-z0-9]+)?\b"
    r"|\b(?:xsd|rdfs|rdf|prov|skos|scrc|scr|owl|qb|dcterms|dcat|sh|oa|id):[A-Za-z_]"
)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"

#: The kinds of record whose pages are read: one record of each, from the bundled data.
KINDS = {
    "review": SCR + "SeriousCaseReview",
    "child": SCR + "Child",
    "agency": SCR + "Agency",
    "lesson": SCR + "Lesson",
    "board": SCR + "SafeguardingBoard",
    "incident": SCR + "Incident",
    "source graph": SCR + "SourceGraph",
    "statement": RDF + "Statement",
    "published figure": QB + "Observation",
    "set of published figures": QB + "DataSet",
    "period": "http://purl.org/dc/terms/PeriodOfTime",
    "document": SCR + "SourceDocument",
    "report": SCR + "ThematicReport",
}
#: Pages of the ontology and of the concepts.
TERMS = [
    "/def",
    "/def/Child",
    "/def/CaseReview",
    "/def/concernsChild",
    "/def/evaluationDate",
    "/def/cinAssessmentFactorCode",
    "/concept/died",
    "/concept/neglect",
    "/concept/outcomes",
]


@pytest.fixture(scope="module")
def records(bundled_store) -> dict[str, str]:
    """The page of one record of each kind, a real one (drawn from a source) where there is."""
    found = {}
    for kind, cls in KINDS.items():
        rows = list(
            bundled_store.query(
                f"SELECT ?s {{ ?s a <{cls}> FILTER(isIRI(?s) && STRSTARTS(STR(?s), '{ID}')) "
                f"OPTIONAL {{ ?s <{SCR}isSynthetic> ?synthetic }} }} "
                f"ORDER BY BOUND(?synthetic) ?s LIMIT 1"
            )
        )
        assert rows, kind
        found[kind] = "/id/" + rows[0]["s"].value[len(ID) :]
    return found


def visible(bundled_client, path: str) -> str:
    response = bundled_client.get(path)
    assert response.status_code == 200, path
    return re.sub(r"\s+", " ", " ".join(read(response.get_data(as_text=True)).text))


def syntax_in(text: str) -> list[str]:
    return [text[max(0, m.start() - 40) : m.end() + 30] for m in SYNTAX.finditer(text)]


def test_no_resource_page_shows_rdf_syntax(bundled_client, records):
    found = {}
    for path in [*records.values(), *TERMS]:
        hits = syntax_in(visible(bundled_client, path))
        if hits:
            found[path] = hits[:3]
    assert not found, found


def test_the_check_finds_syntax_where_there_is_some():
    text = (
        "Type: skos:Concept died @en true ^^xsd:boolean rdf:object id:child/A "
        "dcterms:isReferencedBy prov:wasDerivedFrom scrc:died"
    )
    assert len(syntax_in(text)) == 9
    assert not syntax_in("email team@example.org on 15 June 2009: 1,263 children; yes")


def test_a_concept_reads_as_words(bundled_client):
    text = visible(bundled_client, "/concept/died")
    assert "Kind: concept" in text
    assert "Preferred label (1) died" in text  # the value without its language tag
    assert "Children with this outcome" in text  # the children that point at it, as a sentence
    assert "Concept schemes that have this top concept" in text
    page = bundled_client.get("/concept/died").get_data(as_text=True)
    # the property heading links to its term's page, with the IRI as the link's title
    assert f'href="/def/outcome" title="{SCR}outcome">Children with this outcome</a>' in page
    # the concept's code reads with the name of its list, not its datatype
    assert "16A (CIN census assessment factor code)" in visible(bundled_client, "/concept/neglect")


def test_a_record_reads_as_words(bundled_client, records):
    child = visible(bundled_client, records["child"])
    assert "Kind: child" in child
    assert "Serious case reviews that concern this child (1)" in child
    assert "About this child" in child and "What links to this child" in child
    review = visible(bundled_client, records["review"])
    for heading in ("Concerns child", "Involved agency", "Identifies lesson", "Reporting year"):
        assert heading in review
    board = visible(bundled_client, records["board"])
    assert "Serious case reviews commissioned by this" in board
    lesson = visible(bundled_client, records["lesson"])
    assert "Serious case reviews that identify this lesson" in lesson
    statement = visible(bundled_client, records["statement"])
    for heading in ("Subject (1)", "Link (1)", "Object (1)", "Drawn from (1)"):
        assert heading in statement


def test_the_address_is_one_click_away(bundled_client, records):
    page = bundled_client.get(records["child"]).get_data(as_text=True)
    iri = ID + records["child"][len("/id/") :]
    assert f"Address: <code><bdi>{iri}</bdi></code>" in page
    # every link to a record or term carries its IRI as the link's title
    links = re.findall(r'<a href="(/(?:id|def|concept)/[^"]*)" title="([^"]*)"', page)
    assert links
    for href, title in links:
        assert html.unescape(title).startswith(("https://w3id.org/scrkg/", SCR)), href


def test_dates_numbers_and_yes_or_no_as_a_reader_writes_them(bundled_client, bundled_store):
    (row,) = bundled_store.query(
        f"SELECT ?r ?d {{ ?r <{SCR}evaluationDate> ?d ; <{SCR}isSynthetic> true }} "
        f"ORDER BY ?r LIMIT 1"
    )
    text = visible(bundled_client, "/id/" + row["r"].value[len(ID) :])
    day = row["d"].value
    year, month, date = (int(part) for part in day.split("-"))
    assert re.search(rf"Evaluation date \(1\) {date} ({MONTHS}) {year}\b", text)
    assert day not in text
    assert "Is synthetic (1) yes" in text and "true" not in text
    graph = visible(bundled_client, "/id/graph/ofsted-2009-10")
    assert re.search(rf"Loaded \(1\) \d{{1,2}} ({MONTHS}) \d{{4}}, \d\d:\d\d", graph)
    assert not re.search(r"\d{4}-\d\d-\d\dT", graph)  # no 2009-06-15T10:00:00Z


def test_numbers_are_grouped_but_years_are_not(memory_store):
    figure = ID + "dataset/test/figure"
    memory_store.replace_graph(
        ID + "graph/test",
        [
            ox.Triple(
                ox.NamedNode(figure),
                ox.NamedNode(SCR + "figureValue"),
                ox.Literal("12631", datatype=ox.NamedNode(XSD + "decimal")),
            ),
            ox.Triple(
                ox.NamedNode(figure),
                ox.NamedNode(SCR + "publicationYear"),
                ox.Literal("2009", datatype=ox.NamedNode(XSD + "integer")),
            ),
            ox.Triple(
                ox.NamedNode(figure),
                ox.NamedNode(SCR + "issued"),
                ox.Literal("2010-10", datatype=ox.NamedNode(XSD + "gYearMonth")),
            ),
            ox.Triple(
                ox.NamedNode(figure),
                ox.NamedNode(SCR + "note"),
                ox.Literal("Seen", language="en-GB"),
            ),
        ],
    )
    text = visible(create_app({"STORE": memory_store}).test_client(), "/id/dataset/test/figure")
    assert "12,631" in text and "12631" not in text
    assert "Publication year (1) 2009" in text and "2,009" not in text
    assert "Issued (1) October 2010" in text
    assert "Note (1) Seen" in text and "en-GB" not in text
    assert not syntax_in(text)


def test_links_to_a_record_read_as_sentences():
    assert incoming_heading(
        SCR + "concernsChild", "concerns child", "serious case review", "child"
    ) == ("Serious case reviews that concern this child")
    assert incoming_heading(SCR + "hasRiskFactor", "has risk factor", "child", "concept") == (
        "Children that have this risk factor"
    )
    assert incoming_heading(SCR + "outcome", "outcome", "child", "concept") == (
        "Children with this outcome"
    )
    assert incoming_heading(SCR + "experienced", "experienced", "child", "incident") == (
        "Children that experienced this incident"
    )
    assert incoming_heading(SCR + "commissionedBy", "commissioned by", "review", "board") == (
        "Reviews commissioned by this board"
    )
    assert incoming_heading(SCR + "x", "is referenced by", "published figure", "report") == (
        "Published figures that are referenced by this report"
    )
    assert incoming_heading(SCR + "x", "applies to", "term", "class") == (
        "Terms that apply to this class"
    )
    assert incoming_heading(SCR + "x", "top concept of", "concept", "concept scheme") == (
        "Concepts that are a top concept of this concept scheme"
    )
    assert incoming_heading(RDF + "type", "type", "agency", "class") == "Agencies of this kind"


def test_kinds_in_the_plural():
    assert plural("child") == "children"
    assert plural("agency") == "agencies"
    assert plural("serious case review") == "serious case reviews"
    assert plural("set of published figures") == "sets of published figures"
    assert plural("class") == "classes"
    assert plural("local safeguarding children board") == "local safeguarding children boards"


def test_the_concept_page_keeps_its_quotes_and_downloads(bundled_client):
    page = bundled_client.get("/concept/died").get_data(as_text=True)
    assert "Quotes from the sources" in page and "<blockquote>" in page
    for suffix, name in ((".ttl", "Turtle"), (".jsonld", "JSON-LD"), (".nt", "N-Triples")):
        assert f'href="/concept/died{suffix}"' in page and f">{name}</a>" in page
    turtle = bundled_client.get("/concept/died", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    assert any(
        t.object == ox.NamedNode(SCRC + "died")
        for t in ox.parse(turtle.data, format=ox.RdfFormat.TURTLE)
    )
