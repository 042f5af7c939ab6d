"""A wrong code gets the codes closest to it by meaning, or none; free text is screened for names.

Closeness compares the words of the wrong code with the words of each code, its skos:prefLabel and
skos:altLabel (as stems; a mistyped word counts), never only the spelling: a word such as
``service`` says nothing about which service, so ``prison-service`` is not a substance misuse
service (which spelling alone would suggest).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrkg.graph.store import MemoryStore
from scrkg.loader import LoadError, PersonalDataError, load_source
from scrkg.loader.records import FIELD_SCHEMES, GROUPING_CONCEPTS, Vocabulary, closest_codes

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "coded-reviews.csv"
HEADER, ROW, *_ = EXAMPLE.read_text(encoding="utf-8").splitlines()


def codes_of(field: str) -> list[str]:
    vocabulary = Vocabulary.from_file()
    return sorted(
        code
        for scheme in FIELD_SCHEMES[field]
        for code in vocabulary.schemes[scheme]
        if code not in GROUPING_CONCEPTS
    )


@pytest.mark.parametrize(
    ("field", "wrong", "expected"),
    [
        ("agencies", "youth-justice-team", ["youth-justice-service"]),
        ("agencies", "youth-service", ["youth-justice-service", "youth-offending-team"]),
        ("agencies", "prison-service", []),
        ("agencies", "fire-service", []),
        ("agencies", "drug-misuse-service", ["substance-misuse-service"]),
        ("agencies", "health-visitor", ["health-visiting"]),
        ("agencies", "polise", ["police"]),
        ("agencies", "mental-health-team", ["adult-mental-health"]),
        ("agencies", "childrens-services", ["childrens-social-care"]),
        ("agencies", "teacher", []),
        ("agencies", "education", []),
        ("maltreatment", "negelct", ["neglect"]),
        ("maltreatment", "bananas", []),
        ("lessons", "voice-of-child", ["voice-of-the-child"]),
        ("risk_factors", "drug-misuse", ["parental-substance-misuse"]),
        ("social_care_status", "cp-plan", ["child-protection-plan"]),
        ("review_type", "serious-review", ["serious-case-review"]),
        ("review_type", "review", []),  # every review type is a review: that says nothing
    ],
)
def test_closest_codes_by_meaning(field, wrong, expected):
    assert closest_codes(wrong, codes_of(field), Vocabulary.from_file()) == expected


@pytest.mark.parametrize(
    "wrong", ["prison-service", "fire-service", "leisure-service", "justice-service"]
)
def test_another_service_never_suggests_substance_misuse_service(wrong):
    found = closest_codes(wrong, codes_of("agencies"), Vocabulary.from_file())
    assert "substance-misuse-service" not in found


def load_row(tmp_path: Path, row: str) -> LoadError:
    path = tmp_path / "cohort.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    store = MemoryStore()
    with pytest.raises(LoadError) as caught:
        load_source(store, path)
    assert store.named_graphs() == []
    return caught.value


def test_the_message_suggests_the_code_and_points_to_the_list(tmp_path):
    error = load_row(tmp_path, ROW.replace(";police;", ";justice-service;"))
    assert str(error) == (
        "cohort.csv, row 2, field agencies: 'justice-service' is not a code of "
        "scrc:agency-types (did you mean youth-justice-service? the codes are listed in "
        "docs/data-model.md)"
    )


def test_nothing_close_suggests_nothing(tmp_path):
    error = load_row(tmp_path, ROW.replace(";police;", ";teacher;"))
    assert str(error) == (
        "cohort.csv, row 2, field agencies: 'teacher' is not a code of scrc:agency-types (no "
        "code is close to it; choose one of the codes listed in docs/data-model.md)"
    )


@pytest.mark.parametrize("board", ["Mary Smith's board", "Board chaired by John Taylor"])
def test_a_name_in_the_board_is_refused(tmp_path, board):
    error = load_row(tmp_path, ROW.replace("Example LSCB", board))
    assert isinstance(error, PersonalDataError)
    assert "\n" not in str(error)
    assert str(error).startswith(f"cohort.csv, row 2, field board: {board!r} looks like a person")


@pytest.mark.parametrize("board", ["St Mary's LSCB", "Children's Safeguarding Board"])
def test_a_possessive_that_is_no_name_passes(tmp_path, board):
    path = tmp_path / "cohort.csv"
    path.write_text(f"{HEADER}\n{ROW.replace('Example LSCB', board)}\n", encoding="utf-8")
    assert load_source(MemoryStore(), path).status == "loaded"


def test_a_name_in_a_json_lesson_text_is_refused(tmp_path):
    path = tmp_path / "reviews.json"
    path.write_text(
        """{"reviews": [{"id": "R-1", "type": "serious-case-review", "board": "Example LSCB",
        "reporting_year": "2009-10", "agencies": ["police"],
        "lessons": [{"theme": "voice-of-the-child", "text": "Jane Brown's views were not sought."}],
        "children": [{"id": "R-1-C1", "age_band": "under-1", "outcome": "died",
                      "social_care_status": "child-in-need"}]}]}""",
        encoding="utf-8",
    )
    with pytest.raises(PersonalDataError) as caught:
        load_source(MemoryStore(), path)
    assert str(caught.value).startswith("reviews.json, reviews[0].lessons[0].text: ")
