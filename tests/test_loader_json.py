"""Loading coded reviews from JSON: the documented shape, JSON-path locations, refusals."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from scrkg.graph.store import MemoryStore
from scrkg.loader import (
    PersonalDataError,
    RuleError,
    SourceFormatError,
    generate_file,
    load_source,
)
from scrkg.ontology import DEFAULT_BASE

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "coded-reviews.json"
DOCUMENT = json.loads(FIXTURE.read_text(encoding="utf-8"))
GRAPH = DEFAULT_BASE + "graph/coded-reviews"


def write_json(tmp_path: Path, document: object, name: str = "reviews.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def loaded() -> MemoryStore:
    store = MemoryStore()
    load_source(store, FIXTURE)
    return store


def test_json_loads_with_lesson_text_and_title(memory_store):
    result = load_source(memory_store, FIXTURE)
    assert result.status == "loaded"
    assert result.records == 1  # children
    labels = {
        q.object.value
        for q in memory_store.quads(GRAPH)
        if q.subject.value == DEFAULT_BASE + "lesson/J-001/1"
        and q.predicate.value.endswith("#label")
    }
    assert labels == {
        "Adult mental health did not share what it knew about the parent early enough."
    }
    second = [
        q.object.value
        for q in memory_store.quads(GRAPH)
        if q.subject.value == DEFAULT_BASE + "lesson/J-001/2"
        and q.predicate.value.endswith("#label")
    ]
    assert second == ["Voice of the child (review J-001)"]
    assert memory_store.graph_value(GRAPH, "http://purl.org/dc/terms/title") == "Test coded reviews"


def test_json_and_csv_map_the_same_way(memory_store, tmp_path):
    """The JSON fixture's review written as CSV gives the same data triples."""
    csv_text = (
        "review_id,review_type,board,reporting_year,evaluation_date,quality_grade,review_method,"
        "agencies,lessons,child_id,age_band,outcome,social_care_status,maltreatment,risk_factors,"
        "incident_category,views_sought,synthetic\n"
        "J-001,serious-case-review,Example LSCB,2009-10,2009-06-15,good,imr-overview-report,"
        "childrens-social-care;police;adult-mental-health,"
        "information-sharing-adult-services@adult-mental-health;voice-of-the-child,"
        "J-001-C1,under-1,died,child-in-need,neglect,domestic-abuse,extreme-neglect-deprivation,0,false\n"
    )
    (tmp_path / "coded-reviews.csv").write_text(csv_text, encoding="utf-8")
    other = MemoryStore()
    load_source(memory_store, FIXTURE)
    load_source(other, tmp_path / "coded-reviews.csv")

    def data(store):
        return {
            (q.subject, q.predicate, q.object)
            for q in store.quads(GRAPH)
            if q.subject.value.startswith(DEFAULT_BASE + "child/")
            or q.subject.value.startswith(DEFAULT_BASE + "agency/")
            or q.subject.value.startswith(DEFAULT_BASE + "incident/")
        }

    assert data(memory_store) == data(other)


def mutate(change) -> dict:
    document = copy.deepcopy(DOCUMENT)
    change(document)
    return document


BAD_DOCUMENTS = {
    "unknown code": (
        mutate(lambda d: d["reviews"][0]["children"][0].update(outcome="dead")),
        RuleError,
        ["reviews.json, reviews[0].children[0].outcome: 'dead' is not a code of scrc:outcomes"],
    ),
    "missing required key": (
        mutate(lambda d: d["reviews"][0]["children"][0].pop("age_band")),
        RuleError,
        ["reviews[0].children[0]", "age_band", "missing"],
    ),
    "personal-data key": (
        mutate(lambda d: d["reviews"][0]["children"][0].update(first_name="x")),
        PersonalDataError,
        ["reviews[0].children[0].first_name", "personal data"],
    ),
    "unknown key": (
        mutate(lambda d: d["reviews"][0].update(colour="blue")),
        SourceFormatError,
        ["reviews[0].colour", "unknown key"],
    ),
    "wrong type": (
        mutate(lambda d: d["reviews"][0].update(agencies="police")),
        SourceFormatError,
        ["reviews[0].agencies", "must be a list"],
    ),
    "postcode in lesson text": (
        mutate(
            lambda d: d["reviews"][0]["lessons"][0].update(text="The family moved to ZZ99 9ZZ.")
        ),
        PersonalDataError,
        ["reviews[0].lessons[0].text", "UK postcode"],
    ),
    "lesson agency not in the review": (
        mutate(lambda d: d["reviews"][0]["lessons"][0].update(agencies=["housing"])),
        RuleError,
        ["reviews[0].lessons[0].agencies[0]", "not among the review's agencies"],
    ),
    "views_sought not a whole number": (
        mutate(lambda d: d["reviews"][0]["children"][0].update(views_sought=1.5)),
        SourceFormatError,
        ["reviews[0].children[0].views_sought", "whole number"],
    ),
    "duplicate review id": (
        mutate(
            lambda d: d["reviews"].append(
                {
                    **copy.deepcopy(d["reviews"][0]),
                    "children": [{**d["reviews"][0]["children"][0], "id": "J-001-C2"}],
                }
            )
        ),
        RuleError,
        ["reviews[1].id", "already appears at reviews[0]"],
    ),
    "non-synthetic review in a synthetic dataset": (
        mutate(lambda d: d["dataset"].update(synthetic=True)),
        RuleError,
        ["reviews[0].synthetic", "dataset is marked synthetic"],
    ),
    "remote @context in coded JSON": (
        mutate(lambda d: d.update({"@context": "https://schema.org/"})),
        SourceFormatError,
        ["@context", "unknown key"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_DOCUMENTS), ids=list(BAD_DOCUMENTS))
def test_bad_json_is_refused_and_the_store_is_unchanged(loaded, tmp_path, case):
    document, error_class, fragments = BAD_DOCUMENTS[case]
    before = set(loaded.quads())
    with pytest.raises(error_class) as caught:
        load_source(loaded, write_json(tmp_path, document))
    for fragment in fragments:
        assert fragment in str(caught.value)
    assert set(loaded.quads()) == before


@pytest.mark.parametrize(
    "text, fragments",
    [
        ('{"reviews": [', ["line 1, column 14", "not valid JSON"]),
        ('{"reviews": [], "reviews": []}', ["appears twice"]),
        ('{"reviews": [NaN]}', ["NaN"]),
        ("[]", ["must be an object"]),
    ],
    ids=["truncated", "duplicate key", "NaN", "not an object"],
)
def test_malformed_json_is_refused(loaded, tmp_path, text, fragments):
    path = tmp_path / "reviews.json"
    path.write_text(text, encoding="utf-8")
    before = set(loaded.quads())
    with pytest.raises(SourceFormatError) as caught:
        load_source(loaded, path)
    for fragment in fragments:
        assert fragment in str(caught.value)
    assert set(loaded.quads()) == before


def test_invalid_utf8_json_is_refused(loaded, tmp_path):
    path = tmp_path / "reviews.json"
    path.write_bytes(b'{"reviews": [\n"\xc3\x28"]}')
    with pytest.raises(
        SourceFormatError, match=r"reviews.json, line 2: is not valid UTF-8: byte 0xc3"
    ):
        load_source(loaded, path)


def test_generated_json_and_csv_give_the_same_graph_but_lesson_texts(tmp_path):
    """The synthetic generator's two formats, same seed: the JSON's lessons carry their own text,
    everything else is the same triples."""
    stores = {}
    for suffix in ("json", "csv"):
        path = tmp_path / f"generated.{suffix}"
        generate_file(path, 40, seed=3)
        stores[suffix] = MemoryStore()
        load_source(stores[suffix], path)
    graph = DEFAULT_BASE + "graph/generated"

    def triples(store, *, lesson_labels: bool):
        """The data triples (no provenance): only the lessons' labels, or all but those."""
        found = set()
        for q in store.quads(graph):
            if not isinstance(q.subject, ox.NamedNode) or q.subject.value == graph:
                continue
            is_lesson_label = q.subject.value.startswith(
                DEFAULT_BASE + "lesson/"
            ) and q.predicate.value.endswith("#label")
            if is_lesson_label == lesson_labels:
                found.add((q.subject, q.predicate, q.object))
        return found

    assert triples(stores["json"], lesson_labels=False) == triples(
        stores["csv"], lesson_labels=False
    )
    json_labels = {o.value for _, _, o in triples(stores["json"], lesson_labels=True)}
    assert json_labels and all(label.startswith("(Synthetic)") for label in json_labels)
