"""Drafts: suggestions written as a table, confirmed row by row, and loaded with their evidence.

The suggestions here are built by hand from a fictional text, so these tests do not depend on
the tagger; tests/test_tag_cli.py runs the whole way from a document.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from scrkg.graph.store import MemoryStore
from scrkg.loader import LoadError, PersonalDataError, load_source, validate_source
from scrkg.loader.drafts import (
    DRAFT_COLUMNS,
    REQUIRED_REASON,
    draft_rows,
    is_draft,
    write_csv,
    write_json,
)
from scrkg.loader.tagging import Suggestion
from scrkg.loader.validation import ShapesValidator
from scrkg.ontology import DEFAULT_BASE, ONTOLOGY_IRI, SCR, SCRC

ID = DEFAULT_BASE
OA = "http://www.w3.org/ns/oa#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
DIGEST = "0123456789abcdef" * 4

PAGES = [
    "Child A lived with the mother and two siblings. There was domestic abuse in the home.",
    "The police attended the home twice. The family home was cold and dirty.",
    "The mother had a long history of depression. Professionals did not hear the voice of "
    "the child.",
]
TEXT = "\f".join(PAGES)


def suggestion(field: str, code: str, sentence: str, source: str = "review-a.pdf") -> Suggestion:
    """The suggestion of ``code`` for ``field`` from a sentence of the fictional text."""
    start = TEXT.index(sentence)
    end = start + len(sentence)
    page = TEXT.count("\f", 0, start) + 1
    return Suggestion(
        source=source,
        concept=SCRC + code,
        scheme="scheme",
        field=field,
        property=SCR + "property",
        quote=sentence,
        page=page,
        start=start,
        end=end,
        prefix=TEXT[max(0, start - 32) : start],
        suffix=TEXT[end : end + 32],
        matched=sentence.split()[1],
        label=code.replace("-", " "),
        confidence=0.8,
    )


SUGGESTIONS = [
    suggestion("risk_factors", "domestic-abuse", "There was domestic abuse in the home."),
    suggestion("agencies", "police", "The police attended the home twice."),
    suggestion("risk_factors", "neglected-home-conditions", "The family home was cold and dirty."),
    suggestion("maltreatment", "neglect", "The family home was cold and dirty."),
    suggestion(
        "risk_factors", "parental-mental-ill-health", "The mother had a long history of depression."
    ),
    suggestion(
        "lessons", "voice-of-the-child", "Professionals did not hear the voice of the child."
    ),
]
#: What the analyst types on the rows left for the required fields.
TYPED = {
    "review_type": "serious-case-review",
    "board": "Example LSCB",
    "reporting_year": "2009-10",
    "age_band": "under-1",
    "outcome": "serious-harm",
    "social_care_status": "child-in-need",
}


def rows(**decisions: str) -> list[dict]:
    """The draft of SUGGESTIONS, the required rows typed, every row accepted unless
    ``decisions`` says otherwise for a code (``neglect="no"``)."""
    found, left_out = draft_rows(SUGGESTIONS, review_id="R-A", checksums={"review-a.pdf": DIGEST})
    assert not left_out
    for row in found:
        if row["field"] in TYPED:
            row["code"] = TYPED[row["field"]]
        row["accept"] = decisions.get(row["code"].replace("-", "_"), "yes")
    return found


def write_draft(tmp_path: Path, found: list[dict], name: str = "draft-a.csv") -> Path:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as handle:
        (write_json if name.endswith(".json") else write_csv)(found, handle)
    return path


def graph_of(path: Path) -> str:
    return f"{ID}graph/{path.stem}"


def triples(store: MemoryStore, graph: str | None = None) -> set[tuple]:
    """The triples of ``graph``, or of every source graph (all but the ontology's)."""
    where = (
        f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        if graph
        else f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ONTOLOGY_IRI}>)"
    )
    return {(r["s"], r["p"], r["o"]) for r in store.query(f"SELECT ?s ?p ?o {{ {where} }}")}


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def first_line(error: LoadError) -> str:
    return str(error).splitlines()[0]


# -- writing ---------------------------------------------------------------------------------


def test_a_draft_has_a_row_per_suggestion_and_a_row_for_each_required_field_left():
    found, _ = draft_rows(SUGGESTIONS, review_id="R-A", checksums={"review-a.pdf": DIGEST})
    required = [row for row in found if row["reason"] == REQUIRED_REASON]
    # agencies is suggested (police), so it gets no row of its own
    assert [(r["field"], r["child_id"]) for r in required] == [
        ("review_type", ""),
        ("board", ""),
        ("reporting_year", ""),
        ("age_band", "R-A-C1"),
        ("outcome", "R-A-C1"),
        ("social_care_status", "R-A-C1"),
    ]
    assert all(r["quote"] == "" and r["accept"] == "" and r["code"] == "" for r in required)
    suggested = found[len(required) :]
    assert [r["code"] for r in suggested] == [s.concept.rsplit("/", 1)[1] for s in SUGGESTIONS]
    risk = suggested[0]
    assert risk["child_id"] == "R-A-C1" and risk["field"] == "risk_factors"
    assert risk["accept"] == "" and risk["document"] == "review-a.pdf"
    assert risk["sha256"] == DIGEST and risk["page"] == 1
    assert TEXT[risk["start"] : risk["end"]] == risk["quote"]
    assert "domestic abuse" in risk["reason"]
    police = suggested[1]
    assert police["child_id"] == "" and police["page"] == 2


def test_fields_a_draft_cannot_hold_are_returned_apart():
    odd = suggestion("status", "completed", "The police attended the home twice.")
    found, left_out = draft_rows([odd], review_id="R", checksums={})
    assert left_out == [odd]
    assert all(row["reason"] == REQUIRED_REASON for row in found)


def test_the_draft_as_csv_and_as_json_holds_the_same_rows():
    found = rows()
    text = io.StringIO()
    write_csv(found, text)
    read = list(csv.DictReader(io.StringIO(text.getvalue())))
    assert tuple(read[0]) == DRAFT_COLUMNS
    assert [r["quote"] for r in read] == [r["quote"] for r in found]
    assert [r["page"] for r in read] == ["" if r["page"] is None else str(r["page"]) for r in found]
    document = io.StringIO()
    write_json(found, document)
    parsed = json.loads(document.getvalue())
    assert list(parsed) == ["draft"]
    assert [tuple(r) for r in parsed["draft"]] == [DRAFT_COLUMNS] * len(found)
    assert parsed["draft"][0]["page"] is None and parsed["draft"][-1]["page"] == 3


def test_a_draft_is_told_from_a_coded_review_by_its_columns(tmp_path):
    path = write_draft(tmp_path, rows())
    assert is_draft(path.read_bytes(), ".csv")
    assert not is_draft(b"review_id,review_type,board\r\nR,serious-case-review,B\r\n", ".csv")
    assert is_draft(b'\n {"draft": []}', ".json")
    assert not is_draft(b'{"reviews": [], "draft": []}', ".json")


# -- loading ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["csv", "json"])
def loaded(request, tmp_path_factory):
    """The draft of SUGGESTIONS, every row accepted, loaded into a store: once for the module
    in each format, as the tests that take it only read the store."""
    path = write_draft(tmp_path_factory.mktemp("loaded"), rows(), f"draft-a.{request.param}")
    store = MemoryStore()
    result = load_source(store, path)
    return store, graph_of(path), result


def statements(store: MemoryStore, graph: str) -> dict[str, dict[str, ox.NamedNode | ox.Literal]]:
    """Each rdf:Statement of the graph with its properties (one value each)."""
    found: dict[str, dict] = {}
    for row in store.query(
        f"SELECT ?st ?p ?o {{ GRAPH <{graph}> {{ ?st a rdf:Statement ; ?p ?o }} }}"
    ):
        found.setdefault(row["st"].value, {})[row["p"].value] = row["o"]
    return found


def test_accepted_rows_are_stored_as_coded_triples(loaded):
    store, graph, result = loaded
    assert result.status == "loaded" and result.records == 12
    held = triples(store, graph)
    child, review = n(ID + "child/R-A-C1"), n(ID + "review/R-A")
    for predicate, code in [
        ("hasRiskFactor", "domestic-abuse"),
        ("hasRiskFactor", "neglected-home-conditions"),
        ("hasRiskFactor", "parental-mental-ill-health"),
        ("maltreatment", "neglect"),
        ("ageBand", "under-1"),
        ("outcome", "serious-harm"),
        ("socialCareStatus", "child-in-need"),
    ]:
        assert (child, n(SCR + predicate), n(SCRC + code)) in held
    assert (review, n(RDF + "type"), n(SCR + "SeriousCaseReview")) in held
    assert (review, n(SCR + "reportingYear"), ox.Literal("2009-10")) in held
    assert (n(ID + "agency/R-A/police"), n(SCR + "agencyType"), n(SCRC + "police")) in held
    lesson = n(ID + "lesson/R-A/1")
    assert (lesson, n(SCR + "lessonTheme"), n(SCRC + "voice-of-the-child")) in held


def test_each_accepted_quote_is_a_statement_of_its_coded_triple(loaded):
    store, graph, _ = loaded
    held = triples(store, graph)
    found = statements(store, graph)
    document = n(f"{ID}document/sha256-{DIGEST}")
    quoted = {s.quote for s in SUGGESTIONS}
    assert {st[SCR + "quote"].value for st in found.values()} == quoted
    assert len(found) == len(SUGGESTIONS)
    for iri, st in found.items():
        assert iri.startswith(ID + "evidence/R-A/")
        fact = (st[RDF + "subject"], st[RDF + "predicate"], st[RDF + "object"])
        assert fact in held, fact  # the statement describes a triple the draft made
        assert st[PROV + "wasDerivedFrom"] == document
    by_quote = {st[SCR + "quote"].value: st for st in found.values()}
    risk = by_quote["There was domestic abuse in the home."]
    assert risk[RDF + "subject"] == n(ID + "child/R-A-C1")
    assert risk[RDF + "predicate"] == n(SCR + "hasRiskFactor")
    police = by_quote["The police attended the home twice."]
    assert police[RDF + "subject"] == n(ID + "agency/R-A/police")
    lesson = by_quote["Professionals did not hear the voice of the child."]
    assert lesson[RDF + "subject"] == n(ID + "lesson/R-A/1")
    assert (document, n(DCTERMS + "title"), ox.Literal("review-a.pdf")) in held
    assert (document, n(SCR + "checksum"), ox.Literal("sha256:" + DIGEST)) in held
    assert (document, n(RDF + "type"), n(SCR + "SourceDocument")) in held


def test_each_quote_is_a_web_annotation_that_finds_it_on_its_page(loaded):
    store, graph, _ = loaded
    rows_ = list(store.query(_ANNOTATIONS.format(graph=graph)))
    assert len(rows_) == len(SUGGESTIONS)
    for row in rows_:
        quote = row["quote"].value
        start, end = int(row["start"].value), int(row["end"].value)
        assert row["exact"].value == quote == TEXT[start:end]
        assert row["page"].value == f"page={TEXT.count(chr(12), 0, start) + 1}"
        assert row["prefix"].value == TEXT[max(0, start - 32) : start]
        assert row["source"] == n(f"{ID}document/sha256-{DIGEST}")


_ANNOTATIONS = """PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?quote ?page ?exact ?prefix ?start ?end ?source {{ GRAPH <{graph}> {{
    ?a a oa:Annotation ; oa:motivatedBy oa:classifying ; oa:hasBody ?st ; oa:hasTarget ?t .
    ?st a rdf:Statement ; scr:quote ?quote .
    ?t a oa:SpecificResource ; oa:hasSource ?source ; oa:hasSelector ?f, ?p .
    ?f a oa:FragmentSelector ; rdf:value ?page ;
       dcterms:conformsTo <http://tools.ietf.org/rfc/rfc3778> ; oa:refinedBy ?q .
    ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix .
    ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}} }}"""


def test_a_loaded_draft_conforms_to_the_shapes(loaded):
    store, graph, _ = loaded
    data = [ox.Triple(*t) for t in triples(store, graph)]
    problems = [v for v in ShapesValidator().violations(data) if v.severity == "Violation"]
    assert problems == []


def test_the_shapes_refuse_an_annotation_without_its_selectors():
    target = n(ID + "evidence/R/1/target")
    broken = [
        ox.Triple(target, n(RDF + "type"), n(OA + "SpecificResource")),
        ox.Triple(n(ID + "evidence/R/1/position"), n(RDF + "type"), n(OA + "TextPositionSelector")),
        ox.Triple(
            n(ID + "evidence/R/1/position"),
            n(OA + "start"),
            ox.Literal("9", datatype=n("http://www.w3.org/2001/XMLSchema#integer")),
        ),
    ]
    found = {(v.focus, v.path) for v in ShapesValidator().violations(broken)}
    assert (target.value, OA + "hasSource") in found
    assert (target.value, OA + "hasSelector") in found
    assert (ID + "evidence/R/1/position", OA + "end") in found


def test_rejected_rows_leave_no_trace(tmp_path):
    path = write_draft(tmp_path, rows(neglect="no", police="no"))
    # the police row was the review's only agency: type another one, unquoted
    text = path.read_text(encoding="utf-8")
    extra = "R-A,,agencies,childrens-social-care,yes,,,,,,,,,,\r\n"
    path.write_text(text + extra, encoding="utf-8")
    store = MemoryStore()
    load_source(store, path)
    everything = triples(store)
    terms = {term for triple in everything for term in triple}
    assert n(SCRC + "neglect") not in terms
    assert n(SCRC + "police") not in terms
    assert n(ID + "agency/R-A/police") not in terms
    quotes = [t.value for t in terms if isinstance(t, ox.Literal)]
    assert "The police attended the home twice." not in quotes
    assert len(statements(store, graph_of(path))) == len(SUGGESTIONS) - 2
    assert n(SCRC + "childrens-social-care") in terms


def test_a_rejected_row_is_dropped_even_with_its_quote_shared(tmp_path):
    found = rows(neglect="no")
    path = write_draft(tmp_path, found)
    store = MemoryStore()
    load_source(store, path)
    quotes = [st[SCR + "quote"].value for st in statements(store, graph_of(path)).values()]
    assert quotes.count("The family home was cold and dirty.") == 1  # the accepted one only
    assert n(SCRC + "neglect") not in {t for triple in triples(store) for t in triple}


# -- refusals ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def preloaded(tmp_path_factory):
    """A store holding another review, to show that a refused draft changes nothing: one for
    the module, as every test that takes it asserts that its refused draft left the store as
    it was (see :func:`refused`)."""
    store = MemoryStore()
    other = write_draft(tmp_path_factory.mktemp("preloaded"), rows(), "other.csv")
    text = other.read_text(encoding="utf-8").replace("R-A", "R-B")
    other.write_text(text, encoding="utf-8")
    load_source(store, other)
    return store


def refused(store: MemoryStore, tmp_path: Path, found: list[dict], name="draft-a.csv"):
    before = triples(store)
    path = write_draft(tmp_path, found, name)
    with pytest.raises(LoadError) as caught:
        load_source(store, path)
    assert triples(store) == before
    return caught.value


def change(found: list[dict], which: str, **cells) -> list[dict]:
    """``found`` with the cells of the row whose code is ``which`` changed."""
    for row in found:
        if row["code"] == which:
            row.update(cells)
            return found
    raise AssertionError(which)


def row_of(found: list[dict], code: str) -> int:
    """The spreadsheet row number of the row of ``code`` (the header is row 1)."""
    return next(i for i, row in enumerate(found, start=2) if row["code"] == code)


@pytest.mark.parametrize("accept", ["", "maybe", "y"])
def test_an_undecided_row_is_refused_with_one_line(preloaded, tmp_path, accept):
    found = change(rows(), "domestic-abuse", accept=accept)
    error = refused(preloaded, tmp_path, found)
    line = str(error)
    assert "\n" not in line
    assert line.startswith(f"draft-a.csv, row {row_of(found, 'domestic-abuse')}, field accept:")
    assert "decide yes or no in the accept column" in line


def test_an_undecided_row_of_a_json_draft_is_named_by_its_place(preloaded, tmp_path):
    found = change(rows(), "domestic-abuse", accept="")
    error = refused(preloaded, tmp_path, found, "draft-a.json")
    index = row_of(found, "domestic-abuse") - 2
    assert str(error).startswith(f"draft-a.json, draft[{index}], field accept:")


def test_a_code_outside_its_scheme_is_refused(preloaded, tmp_path):
    found = change(rows(), "domestic-abuse", code="neglect")  # a maltreatment type
    error = refused(preloaded, tmp_path, found)
    assert first_line(error).startswith(
        f"draft-a.csv, row {row_of(found, 'neglect')}, field risk_factors: 'neglect' is not a "
        "code of scrc:risk-factors"
    )


def test_a_typed_value_that_breaks_a_rule_is_refused(preloaded, tmp_path):
    found = change(rows(), "2009-10", code="2009-11")
    error = refused(preloaded, tmp_path, found)
    assert f"row {row_of(found, '2009-11')}, field reporting_year:" in first_line(error)


def test_an_edited_quote_is_refused(preloaded, tmp_path):
    found = rows()
    target = next(r for r in found if r["code"] == "domestic-abuse")
    target["quote"] = "There was abuse in the home."
    error = refused(preloaded, tmp_path, found)
    assert first_line(error).startswith(
        f"draft-a.csv, row {row_of(found, 'domestic-abuse')}, field quote: is 28 characters "
        "long but end - start is 37"
    )


def test_a_position_without_its_quote_is_refused(preloaded, tmp_path):
    found = change(rows(), "police", quote="")
    error = refused(preloaded, tmp_path, found)
    assert f"row {row_of(found, 'police')}, field quote: is empty but page, start, end are" in (
        first_line(error)
    )


def test_a_quote_without_positions_or_evidence_columns_can_be_cleared(tmp_path):
    found = change(
        rows(), "police", quote="", page=None, start=None, end=None, prefix="", suffix=""
    )
    store = MemoryStore()
    load_source(store, write_draft(tmp_path, found))
    assert len(statements(store, f"{ID}graph/draft-a")) == len(SUGGESTIONS) - 1
    assert (
        n(ID + "agency/R-A/police"),
        n(SCR + "agencyType"),
        n(SCRC + "police"),
    ) in triples(store)


def test_a_quote_with_a_name_is_refused_without_repeating_it(preloaded, tmp_path):
    found = rows()
    target = next(r for r in found if r["code"] == "domestic-abuse")
    target["quote"] = "Mary Smith said there was abuse."
    target["end"] = target["start"] + len(target["quote"])
    error = refused(preloaded, tmp_path, found)
    assert isinstance(error, PersonalDataError)
    line = first_line(error)
    assert line.startswith(f"draft-a.csv, row {row_of(found, 'domestic-abuse')}, field quote:")
    assert "a person's name" in line and "Mary" not in line and "Smith" not in line


def test_a_document_named_after_a_person_is_refused(preloaded, tmp_path):
    found = change(rows(), "police", document="Mary Smith review.pdf")
    error = refused(preloaded, tmp_path, found)
    assert isinstance(error, PersonalDataError)
    assert f"row {row_of(found, 'police')}, field document:" in first_line(error)


def test_a_prefix_with_an_address_is_refused(preloaded, tmp_path):
    found = change(rows(), "police", prefix="lived at 12 Acacia Road. ")
    error = refused(preloaded, tmp_path, found)
    assert f"row {row_of(found, 'police')}, field prefix:" in first_line(error)
    assert "a street address" in first_line(error)


def test_a_required_field_said_no_to_is_refused(preloaded, tmp_path):
    found = change(rows(), "serious-harm", accept="no")
    error = refused(preloaded, tmp_path, found)
    assert "child 'R-A-C1' of review 'R-A' has no accepted outcome" in first_line(error)
    assert "field outcome" in first_line(error)


def test_two_values_of_a_single_field_are_refused(preloaded, tmp_path):
    found = rows()
    found.append({**found[3], "code": "age-1-to-5"})  # a second age band for the child
    error = refused(preloaded, tmp_path, found)
    assert first_line(error).startswith(f"draft-a.csv, row {len(found) + 1}, field age_band:")
    assert "'age-1-to-5' differs from 'under-1' accepted in row 5" in first_line(error)


def test_a_child_field_without_a_child_and_a_review_field_with_one_are_refused(preloaded, tmp_path):
    found = change(rows(), "domestic-abuse", child_id="")
    error = refused(preloaded, tmp_path, found)
    assert f"row {row_of(found, 'domestic-abuse')}, field child_id: is empty" in str(error)
    found = change(rows(), "police", child_id="R-A-C1")
    error = refused(preloaded, tmp_path, found)
    assert f"row {row_of(found, 'police')}, field child_id:" in str(error)
    assert "describes the review" in str(error)


@pytest.mark.parametrize("name", ["draft-a.csv", "draft-a.json"])
def test_a_review_already_loaded_from_another_source_is_refused(preloaded, tmp_path, name):
    found = [
        {**row, "review_id": "R-B", "child_id": row["child_id"] and "R-B-C1"} for row in rows()
    ]
    error = refused(preloaded, tmp_path, found, name)
    where = "row 2" if name.endswith(".csv") else "draft[0]"
    assert first_line(error).startswith(
        f"{name}, {where}, field review_id: review 'R-B' is already in the graph"
    )


def test_another_child_is_coded_by_copying_rows(tmp_path):
    found = rows()
    copies = [
        {**row, "child_id": "R-A-C2", "quote": "", "page": None, "start": None, "end": None}
        for row in found
        if row["field"] in ("age_band", "outcome", "social_care_status")
    ]
    copies[0]["code"] = "age-1-to-5"
    store = MemoryStore()
    load_source(store, write_draft(tmp_path, found + copies))
    held = triples(store)
    review, second = n(ID + "review/R-A"), n(ID + "child/R-A-C2")
    assert (review, n(SCR + "concernsChild"), second) in held
    assert (second, n(SCR + "ageBand"), n(SCRC + "age-1-to-5")) in held


def test_validate_checks_a_draft_without_writing(tmp_path):
    report = validate_source(write_draft(tmp_path, rows()))
    assert report.conforms and report.records == 12 and report.triples > 0
    found = change(rows(), "police", accept="")
    report = validate_source(write_draft(tmp_path, found), raise_on_error=False)
    assert not report.conforms
    assert "decide yes or no" in str(report)


# -- the site --------------------------------------------------------------------------------


def test_the_child_page_shows_each_quote_beside_its_fact(loaded):
    import html
    import re

    from scrkg.web import create_app

    store, _, _ = loaded
    client = create_app({"STORE": store, "TESTING": True}).test_client()
    response = client.get("/id/child/R-A-C1")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    # the risk factor's list item holds the concept's link, then its evidence
    item = re.search(
        r'<li><a href="/concept/domestic-abuse"[^>]*>.*?</li>\s*</ul>\s*</li>', text, re.S
    )
    assert item is not None
    shown = html.unescape(re.sub(r"<[^>]+>", "", item.group(0)))
    assert "There was domestic abuse in the home." in shown
    assert "page 1 of review-a.pdf" in " ".join(shown.split())
    assert f'href="/id/document/sha256-{DIGEST}"' in item.group(0)
    assert "The police attended" not in shown  # another fact's quote is not beside this one
    # the age band was typed, not quoted: no evidence beside it
    age = re.search(r'<li><a href="/concept/under-1"[^>]*>.*?</li>', text, re.S)
    assert age is not None and "evidence" not in age.group(0)
    document = client.get(f"/id/document/sha256-{DIGEST}").get_data(as_text=True)
    assert "review-a.pdf" in document and f"sha256:{DIGEST}" in document


def test_the_documented_example_draft_loads(tmp_path):
    page = (Path(__file__).resolve().parents[1] / "docs" / "input-formats.md").read_text(
        encoding="utf-8"
    )
    section = page[page.index("## Drafts") :]
    example = section[
        section.index("```csv\n") + 7 : section.index("\n```", section.index("```csv"))
    ]
    path = tmp_path / "example-draft.csv"
    path.write_text(example + "\n", encoding="utf-8")
    store = MemoryStore()
    load_source(store, path)
    held = triples(store)
    child = n(ID + "child/R-A-C1")
    assert (child, n(SCR + "hasRiskFactor"), n(SCRC + "domestic-abuse")) in held
    assert n(SCRC + "neglect") not in {term for triple in held for term in triple}
    quotes = {st[SCR + "quote"].value for st in statements(store, graph_of(path)).values()}
    assert quotes == {
        "There was domestic abuse in the home.",
        "The police attended the home twice.",
    }
