"""Today's reviews (since 2018) in the coded formats, the generated columns table, the saved query
and the page of recommendations, and the upgrade of a store loaded with the earlier ontology.

The example examples/todays-reviews.csv is fictional: a local child safeguarding practice review
with the rapid review that led to it, a rapid review with no further review, the partnership that
commissioned both (with the LSCB it took over from) and three recommendations.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from scrkg.cli import main
from scrkg.graph.store import DiskStore, MemoryStore
from scrkg.loader import formats_doc, load, tabular
from scrkg.loader.errors import LoadError
from scrkg.loader.load import load_bundled, load_source
from scrkg.loader.mapping import Mapper
from scrkg.loader.records import FIELD_CODES, Vocabulary
from scrkg.ontology import (
    CONCEPTS_FILE,
    DEFAULT_BASE,
    ONTOLOGY_FILE,
    ONTOLOGY_IRI,
    QUERIES_DIR,
    SCR,
    SCRC,
    SHAPES_FILE,
)
from scrkg.web import create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "todays-reviews.csv"
ID = DEFAULT_BASE
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
QUERY = QUERIES_DIR / "14-recommendations.rq"


def example_rows() -> list[dict[str, str]]:
    with EXAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(name for row in rows for name in row))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def objects(store, subject: str, predicate: str) -> set[str]:
    return {
        q.object.value
        for q in store.quads()
        if q.subject == ox.NamedNode(subject) and q.predicate == ox.NamedNode(predicate)
    }


def all_quads(store) -> set[ox.Quad]:
    return set(store.quads())


@pytest.fixture
def example_store() -> MemoryStore:
    store = MemoryStore()
    load_source(store, EXAMPLE)
    return store


# -- the example loads, and says what the data model says ------------------------------------


def test_the_example_validates_and_loads_from_the_command_line(runner):
    result = runner.invoke(main, ["validate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    result = runner.invoke(main, ["load", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "loaded" in result.output


def test_the_example_maps_to_the_post_2018_terms(example_store):
    s = example_store
    p1, rr1, rr2 = ID + "review/EXAMPLE-P1", ID + "review/EXAMPLE-RR1", ID + "review/EXAMPLE-RR2"
    partnership = ID + "board/example-riverside-safeguarding-partnership"
    lscb = ID + "board/example-riverside-lscb"
    assert objects(s, p1, RDF_TYPE) == {SCR + "LocalChildSafeguardingPracticeReview"}
    assert objects(s, rr1, RDF_TYPE) == {SCR + "RapidReview"}
    assert objects(s, rr2, RDF_TYPE) == {SCR + "RapidReview"}
    # the rapid review named on the practice review's row
    assert objects(s, rr1, SCR + "ledToReview") == {p1}
    assert objects(s, rr1, SCR + "rapidReviewDecision") == {SCRC + "practice-review"}
    assert objects(s, rr1, SCR + "concernsChild") == {ID + "child/EXAMPLE-P1-C1"}
    assert objects(s, rr1, SCR + "commissionedBy") == {partnership}
    assert objects(s, rr1, SCR + "reportingYear") == {"2019-20"}  # done in November 2019
    assert objects(s, rr1, SCR + "rapidReviewDate") == {"2019-11-22"}
    assert objects(s, rr2, SCR + "rapidReviewDecision") == {SCRC + "no-further-review"}
    assert objects(s, rr2, SCR + "ledToReview") == set()
    # dates and report
    assert objects(s, p1, SCR + "notificationDate") == {"2019-11-04"}
    assert objects(s, p1, SCR + "publicationDate") == {"2020-09-15"}
    assert objects(s, p1, SCR + "reportAddress") == {"https://example.org/reviews/example-p1.pdf"}
    # the partnership and the board it took over from
    assert objects(s, partnership, RDF_TYPE) == {SCR + "SafeguardingPartnership"}
    assert objects(s, partnership, SCR + "statutoryPartner") == {
        SCRC + "local-authority",
        SCRC + "integrated-care-board",
        SCRC + "police",
    }
    assert objects(s, lscb, RDF_TYPE) == {SCR + "SafeguardingBoard"}
    assert objects(s, lscb, SCR + "succeededBy") == {partnership}
    # three recommendations
    recommendations = objects(s, p1, SCR + "makesRecommendation")
    assert recommendations == {ID + f"recommendation/EXAMPLE-P1/{n}" for n in (1, 2, 3)}
    first = ID + "recommendation/EXAMPLE-P1/1"
    assert objects(s, first, SCR + "addressedTo") == {SCRC + "health-visiting"}
    assert objects(s, first, SCR + "recommendationStatus") == {SCRC + "completed"}
    assert objects(s, first, SCR + "statusDate") == {"2021-06-30"}
    assert len(objects(s, first, SCR + "statusEvidence")) == 1
    second = ID + "recommendation/EXAMPLE-P1/2"
    assert objects(s, second, SCR + "addressedTo") == {
        SCRC + "adult-mental-health",
        SCRC + "childrens-social-care",
    }
    # the child
    child = ID + "child/EXAMPLE-P1-C1"
    assert objects(s, child, SCR + "sex") == {SCRC + "male"}
    assert objects(s, child, SCR + "ethnicGroup") == {SCRC + "ethnic-group-not-known"}
    # fictional, so every record node is marked synthetic
    for node in (p1, rr1, rr2, partnership, lscb, first, child):
        assert objects(s, node, SCR + "isSynthetic") == {"true"}, node


def example_as_json() -> dict:
    """The example written in the JSON format, key for key."""
    reviews: dict[str, dict] = {}
    for row in example_rows():
        review = reviews.setdefault(row["review_id"], {"children": []})
        for column, value in row.items():
            if not value or column in tabular.CHILD_COLUMNS:
                continue
            if column.startswith("recommendation_"):
                continue
            key = {"review_id": "id", "review_type": "type", "review_method": "method"}.get(
                column, column
            )
            if column in ("agencies", "statutory_partners"):
                review[key] = value.split(";")
            elif column == "lessons":
                review[key] = [
                    {"theme": item.partition("@")[0]}
                    | ({"agencies": [item.partition("@")[2]]} if "@" in item else {})
                    for item in value.split(";")
                ]
            elif column == "synthetic":
                review[key] = value == "true"
            else:
                review[key] = value
        recommendations = []
        for n in (1, 2, 3):
            text = row.get(f"recommendation_{n}")
            if not text:
                continue
            item = {"text": text}
            for part in ("addressed_to", "status", "status_date", "status_evidence"):
                value = row[f"recommendation_{n}_{part}"]
                if value:
                    item[part] = value.split(";") if part == "addressed_to" else value
            recommendations.append(item)
        if recommendations:
            review["recommendations"] = recommendations
        child = {"id": row["child_id"]}
        for column in tabular.CHILD_COLUMNS[1:]:
            value = row.get(column)
            if value:
                child[column] = (
                    value.split(";") if column in ("maltreatment", "risk_factors") else value
                )
        review["children"].append(child)
    return {"reviews": list(reviews.values())}


def test_json_gives_the_same_triples_as_csv():
    vocabulary = Vocabulary.from_file()
    from_csv = tabular.read_csv(EXAMPLE.read_bytes(), EXAMPLE.name, vocabulary)
    data = json.dumps(example_as_json()).encode()
    from_json = tabular.read_json(data, "example.json", vocabulary)
    mapper = Mapper(vocabulary)
    assert set(mapper.triples(from_csv.reviews)) == set(mapper.triples(from_json.reviews))


def test_a_2009_10_file_is_read_as_before():
    """The example of 2009-10 reviews, which has none of the new columns, maps to no new term."""
    vocabulary = Vocabulary.from_file()
    path = ROOT / "examples" / "coded-reviews.csv"
    dataset = tabular.read_csv(path.read_bytes(), path.name, vocabulary)
    predicates = {t.predicate.value for t in Mapper(vocabulary).triples(dataset.reviews)}
    new = {"notificationDate", "makesRecommendation", "statutoryPartner", "sex", "ethnicGroup"}
    assert not predicates & {SCR + name for name in new}


# -- bad input: one clear line, the store as it was --------------------------------------------


def changed(rows: list[dict[str, str]], row: int, **cells: str) -> list[dict[str, str]]:
    rows = [dict(r) for r in rows]
    rows[row].update(cells)
    return rows


BAD_INPUT = {
    "decision-against-type": (
        {"rapid_review_decision": "no-further-review"},
        "row 2, field rapid_review_decision",
        "practice-review",
    ),
    "status-without-text": (
        {"recommendation_3": ""},
        "row 2, field recommendation_3",
        "is required",
    ),
    "name-in-recommendation": (
        {"recommendation_1": "Mary Smith should visit the family every week."},
        "row 2, field recommendation_1",
        "personal data",
    ),
    "phone-in-evidence": (
        {"recommendation_2_status_evidence": "Call 07700 900123 for the action plan."},
        "row 2, field recommendation_2_status_evidence",
        "personal data",
    ),
    "name-in-lscb": (
        {"succeeded_board": "John Smith's board"},
        "row 2, field succeeded_board",
        "personal data",
    ),
    "partner-not-statutory": (
        {"statutory_partners": "local-authority;gp;police"},
        "row 2, field statutory_partners",
        "integrated-care-board, local-authority or police",
    ),
    "address-not-web": (
        {"report_address": "example.org/review.pdf"},
        "row 2, field report_address",
        "web address",
    ),
    "wrong-status": (
        {"recommendation_1_status": "done"},
        "row 2, field recommendation_1_status",
        "scrc:recommendation-statuses",
    ),
    "wrong-sex": ({"sex": "boy"}, "row 2, field sex", "female, male or sex-not-known"),
    "bad-date": (
        {"publication_date": "15/09/2020"},
        "row 2, field publication_date",
        "YYYY-MM-DD",
    ),
    "rapid-review-id-on-rapid-review": (
        {"review_id": "X-RR", "review_type": "rapid-review", "child_id": "X-RR-C1"},
        "row 2, field rapid_review_id",
        "rapid review",
    ),
    "rapid-review-id-taken": (
        {"rapid_review_id": "EXAMPLE-RR2"},
        "row 2, field rapid_review_id",
        "already the id",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_gets_one_clear_line_and_the_store_stays(case, tmp_path, example_store):
    cells, where, words = BAD_INPUT[case]
    before = all_quads(example_store)
    path = write_csv(tmp_path / "todays-reviews.csv", changed(example_rows(), 0, **cells))
    with pytest.raises(LoadError) as caught:
        load_source(example_store, path)
    line = str(caught.value).splitlines()[0]
    assert line.startswith(f"todays-reviews.csv, {where}: "), line
    assert words in line, line
    assert all_quads(example_store) == before


def test_a_board_has_one_set_of_partners(tmp_path):
    rows = changed(example_rows(), 1, statutory_partners="local-authority;police")
    path = write_csv(tmp_path / "partners.csv", rows)
    store = MemoryStore()
    with pytest.raises(LoadError) as caught:
        load_source(store, path)
    line = str(caught.value)
    assert line.startswith("partners.csv, row 3, field statutory_partners: "), line
    assert "row 2" in line and "must agree" in line
    assert not store.named_graphs()


def test_unknown_recommendation_column_is_refused(tmp_path):
    rows = [dict(row, recommendation_1_owner="police") for row in example_rows()]
    path = write_csv(tmp_path / "owner.csv", rows)
    with pytest.raises(LoadError) as caught:
        load_source(MemoryStore(), path)
    assert "row 1, field recommendation_1_owner: unknown column" in str(caught.value)
    assert "recommendation_N_status" in str(caught.value)


def test_json_bad_recommendation_is_located_by_its_path():
    document = example_as_json()
    document["reviews"][0]["recommendations"][1]["status"] = "finished"
    data = json.dumps(document).encode()
    with pytest.raises(LoadError) as caught:
        tabular.read_json(data, "r.json", Vocabulary.from_file())
    assert str(caught.value).startswith("r.json, reviews[0].recommendations[1].status: ")


# -- the columns table of docs/input-formats.md ------------------------------------------------


def test_the_columns_table_of_the_document_is_up_to_date():
    """Run `python -m scrkg.loader.formats_doc` when this fails."""
    text = formats_doc.DOC.read_text(encoding="utf-8")
    assert formats_doc.updated(text) == text


def test_the_columns_table_lists_every_column_and_every_code():
    table = formats_doc.render()
    columns = re.findall(r"^\| `([a-z_N0-9]+)` \|", table, re.MULTILINE)
    expected = tabular.COLUMNS + tabular.RECOMMENDATION_COLUMNS
    assert sorted(columns) == sorted(expected)
    assert set(formats_doc.DESCRIPTIONS) == set(expected)
    vocabulary = Vocabulary.from_file()
    for code in vocabulary.schemes["recommendation-statuses"] | vocabulary.schemes["sexes"]:
        assert f"`{code}`" in table
    for key in tabular.REVIEW_KEYS + tabular.CHILD_KEYS + tabular.RECOMMENDATION_KEYS:
        assert f"| `{key}` |" in table


def test_the_columns_table_follows_the_schemes():
    """A concept added to a scheme changes the table, so the document's check would fail."""
    vocabulary = Vocabulary.from_file()
    schemes = dict(vocabulary.schemes)
    schemes["sexes"] = schemes["sexes"] | {"another-sex-code"}
    grown = Vocabulary(schemes, vocabulary.labels, vocabulary.review_classes)
    assert "`another-sex-code`" in formats_doc.render(grown)
    assert "`another-sex-code`" not in formats_doc.render(vocabulary)


def test_statutory_partners_are_the_shapes_list():
    shapes = rdflib.Graph().parse(SHAPES_FILE)
    rows = shapes.query(
        """PREFIX sh: <http://www.w3.org/ns/shacl#>
        PREFIX scr: <https://w3id.org/scrkg/def#>
        SELECT ?code { scr:PartnershipStatutoryPartnerShape sh:or/rdf:rest*/rdf:first/sh:in
                       /rdf:rest*/rdf:first ?code }"""
    )
    listed = {str(row[0])[len(SCRC) :] for row in rows}
    assert listed == set(FIELD_CODES["statutory_partners"])


# -- the saved query and the page -------------------------------------------------------------


def run_query(store) -> list[dict[str, str]]:
    found = store.query(QUERY.read_text(encoding="utf-8"))
    names = [v.value for v in found.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in found]


def test_the_query_says_what_it_answers():
    comment = "\n".join(
        line.lstrip("#").strip()
        for line in QUERY.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    )
    for heading in ("Question:", "Population:", "Synthetic:", "Caveats:"):
        assert re.search(rf"^{heading} \S", comment, re.MULTILINE), heading
    assert "synthetic" in [v.value for v in ox.Store().query(QUERY.read_text()).variables]


def test_the_query_lists_recommendations_by_addressee_and_status(example_store):
    rows = run_query(example_store)
    # the second recommendation is addressed to two agency types: one row each
    assert len(rows) == 4
    by = {(row["addresseeLabel"], row["statusLabel"]): row for row in rows}
    assert set(by) == {
        ("health visiting", "completed"),
        ("adult mental health", "in progress"),
        ("children's social care", "in progress"),
        ("police", "not known"),
    }
    assert by[("police", "not known")]["noRecordedAction"] == "true"
    assert by[("health visiting", "completed")]["noRecordedAction"] == "false"
    assert all(row["synthetic"] == "true" for row in rows)
    assert all(row["repeatedIn"] == "0" for row in rows)
    assert {row["period"] for row in rows} == {"2020-21"}


def another_review(tmp_path: Path) -> Path:
    """A second review that repeats the police recommendation in nearly the same words."""
    row = {
        "review_id": "EXAMPLE-P2",
        "review_type": "local-child-safeguarding-practice-review",
        "board": "Example Hillside Safeguarding Partnership",
        "reporting_year": "2021-22",
        "agencies": "police;health-visiting",
        "child_id": "EXAMPLE-P2-C1",
        "age_band": "under-1",
        "outcome": "died",
        "social_care_status": "not-known-to-social-care",
        "synthetic": "true",
        "recommendation_1": "The Police should share every domestic-abuse report involving a "
        "household with a baby with health visiting, within two days.",
        "recommendation_1_addressed_to": "police",
        "recommendation_2": "Health visitors should ask at every contact who else lives in the "
        "home.",
        "recommendation_2_addressed_to": "gp",
    }
    return write_csv(tmp_path / "hillside.csv", [row])


def test_the_query_finds_recommendations_repeated_across_reviews(example_store, tmp_path):
    load_source(example_store, another_review(tmp_path))
    rows = run_query(example_store)
    police = [row for row in rows if row["addresseeLabel"] == "police"]
    assert len(police) == 2
    for row in police:
        assert row["repeatedIn"] == "1", row
    assert {row["otherReviews"] for row in police} == {
        "Local child safeguarding practice review EXAMPLE-P1",
        "Local child safeguarding practice review EXAMPLE-P2",
    }
    # same words, another addressee: not a repeat
    gp = [row for row in rows if row["addresseeLabel"] == "GP"]
    assert [row["repeatedIn"] for row in gp] == ["0"]
    # no status at all: no recorded action
    assert all(row["noRecordedAction"] == "true" for row in gp)


@pytest.fixture
def store(example_store):
    """The store conftest's ``client`` reads: the example reviews."""
    return example_store


def test_the_recommendations_page_lists_them_in_plain_words(client):
    response = client.get("/recommendations")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers
    assert "<script" not in page
    table = page.split("<table", 1)[1]
    for words in (
        "health visiting",
        "completed",
        "in progress",
        "not known",
        "30 June 2021",  # the status date, as a reader writes it
        "not recorded",
        "Local child safeguarding practice review EXAMPLE-P1",
        "2020-21",
        "no recorded action",
        "synthetic",
    ):
        assert words in table, words
    assert 'href="/id/review/EXAMPLE-P1"' in table
    assert "scrc:" not in table and "https://w3id.org" not in table
    assert table.count("<tr>") == 5  # the heading and four rows
    assert '<a href="/recommendations" aria-current="page">Recommendations</a>' in page


def test_the_page_shows_only_those_with_no_recorded_action(client):
    page = client.get("/recommendations?no-action=1").get_data(as_text=True)
    table = page.split("<table", 1)[1]
    assert table.count("<tr>") == 2
    assert "The police should share" in table and "Health visitors" not in table


def test_the_page_on_an_empty_store_says_where_recommendations_come_from():
    client = create_app({"STORE": MemoryStore()}).test_client()
    page = client.get("/recommendations").get_data(as_text=True)
    assert "No recommendations are loaded" in page
    assert '<a href="/recommendations"' in client.get("/").get_data(as_text=True)


def test_the_page_escapes_what_the_data_says(tmp_path):
    store = MemoryStore()
    rows = example_rows()
    rows[0]["recommendation_1"] = "The partnership should check <b>every</b> plan & audit it."
    load_source(store, write_csv(tmp_path / "escaped.csv", rows))
    page = create_app({"STORE": store}).test_client().get("/recommendations")
    text = page.get_data(as_text=True)
    assert "&lt;b&gt;every&lt;/b&gt; plan &amp; audit" in text and "<b>every" not in text


# -- a store loaded with the earlier ontology is upgraded by loading again -----------------------


def earlier_ontology(tmp_path: Path) -> tuple[Path, Path]:
    """scrkg.ttl and concepts.ttl as they were before the post-2018 terms, from git."""
    commit = subprocess.run(
        ["git", "log", "--format=%H", "-1", "--grep=post-2018 terms", "--", "ontology/scrkg.ttl"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if commit.returncode != 0 or not commit.stdout.strip():
        pytest.skip("the git history of the ontology is not available")
    files = []
    for name in ("scrkg.ttl", "concepts.ttl"):
        shown = subprocess.run(
            ["git", "show", f"{commit.stdout.strip()}^:ontology/{name}"],
            cwd=ROOT, capture_output=True, check=False,
        )  # fmt: skip
        if shown.returncode != 0:
            pytest.skip(f"git cannot show the earlier ontology/{name}")
        path = tmp_path / name
        path.write_bytes(shown.stdout)
        files.append(path)
    return files[0], files[1]


def graph_of(store, graph: str) -> rdflib.Graph:
    data = io.BytesIO()
    store.export(data, "ntriples", graph=graph)
    return rdflib.Graph().parse(data=data.getvalue().decode(), format="nt")


def exported(store, graph: str) -> bytes:
    data = io.BytesIO()
    store.export(data, "ntriples", graph=graph)
    return b"\n".join(sorted(data.getvalue().splitlines()))


def description(graph: rdflib.Graph, files: rdflib.Graph) -> set:
    """The loader's description of the ontology graph: what it says of the graph's IRI that the
    files do not, and the blank nodes it hangs from it."""
    found: set = set()
    todo = [rdflib.URIRef(ONTOLOGY_IRI)]
    while todo:
        node = todo.pop()
        for triple in graph.triples((node, None, None)):
            if isinstance(node, rdflib.BNode) or triple not in files:
                found.add(triple)
                if isinstance(triple[2], rdflib.BNode):
                    todo.append(triple[2])
    return found


def test_loading_again_upgrades_the_ontology_graph(tmp_path, monkeypatch, runner):
    old_files = earlier_ontology(tmp_path)
    store_path = tmp_path / "cli-store"
    monkeypatch.setattr(load, "ONTOLOGY_FILES", old_files)
    result = runner.invoke(main, ["load", "--bundled"])
    assert result.exit_code == 0, result.output
    with DiskStore(store_path) as store:
        data_graphs = [g for g in store.named_graphs() if g != ONTOLOGY_IRI]
        before = {g: exported(store, g) for g in data_graphs}
        old = graph_of(store, ONTOLOGY_IRI)
    assert (rdflib.URIRef(SCR + "statutoryPartner"), None, None) not in old

    monkeypatch.setattr(load, "ONTOLOGY_FILES", (ONTOLOGY_FILE, CONCEPTS_FILE))
    result = runner.invoke(main, ["load", "--bundled"])
    assert result.exit_code == 0, result.output
    with DiskStore(store_path) as store:
        assert sorted(g for g in store.named_graphs() if g != ONTOLOGY_IRI) == data_graphs
        # the report and the cohort are as they were, byte for byte
        assert {g: exported(store, g) for g in data_graphs} == before
        current = graph_of(store, ONTOLOGY_IRI)
    files = rdflib.Graph()
    for path in (ONTOLOGY_FILE, CONCEPTS_FILE):
        files.parse(path, format="turtle")
    # the store's ontology graph is the current files, and the loader's own description of it
    described = description(current, files)
    assert described, "the loader describes the ontology graph it wrote"
    for triple in described:
        current.remove(triple)
    assert isomorphic(current, files)
    assert (rdflib.URIRef(SCR + "statutoryPartner"), None, None) in current

    result = runner.invoke(main, ["load", "--bundled"])
    assert result.exit_code == 0 and "unchanged" in result.output, result.output


def test_the_bundled_data_loads_beside_the_example(tmp_path):
    """Today's reviews share nothing with the bundled 2009-10 data: both load into one store."""
    store = MemoryStore()
    load_bundled(store)
    result = load_source(store, EXAMPLE)
    assert result.status == "loaded"
