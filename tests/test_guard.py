"""The personal-data guard (loader/guard.py): what it refuses, what it lets through, how fast.

* Every pattern of the guard takes time linear in its input: each is timed on 1 MB values built
  to make a backtracking pattern slow.
* The gaps found by probing the loader are closed: names in free text, more date forms, NHS
  numbers however grouped or written, postcodes in lower case, phone and National Insurance
  numbers, street addresses and disguised e-mail addresses are refused.
* The bundled data passes untouched (the guard finds nothing in it) and still loads.
* On the labelled set tests/data/guard/labelled.csv the guard keeps precision and recall floors
  on the ``dev`` rows it was tuned on and on the ``test`` rows it was not
  (tests/benchmarks/bench_guard.py prints the figures).

All the personal data below is made up: NHS numbers from the 999 test range, pseudo-postcodes
(ZZ99 9ZZ, or shapes no real postcode has), drama phone numbers, example.invalid addresses.
"""

from __future__ import annotations

import csv
import functools
import re
import time
from pathlib import Path

import pytest

from scrkg.graph.store import MemoryStore
from scrkg.loader import PersonalDataError, guard, load_bundled, validate_source
from scrkg.loader.errors import ProblemLog
from scrkg.loader.guard import (
    guard_triples,
    person_name,
    personal_field,
    personal_iri,
    personal_value,
)
from scrkg.loader.load import BUNDLED_DIR
from scrkg.loader.rdf import read_rdf

LABELLED = Path(__file__).parent / "data" / "guard" / "labelled.csv"

# -- time ----------------------------------------------------------------------------------------

MB = 10**6
#: Values of 1 MB that make a backtracking pattern try many starts or many ways to match.
ADVERSARIAL = {
    "letters": "a" * MB,
    "capitals": "A" * MB,
    "local parts": "a@" * (MB // 2),
    "domain labels": "a@" + "b." * (MB // 2),
    "obfuscated at": " (at" * (MB // 4),
    "digits": "1" * MB,
    "spaced digits": "1 " * (MB // 2),
    "date separators": "1/" * (MB // 2),
    "day and month": "1 jan " * (MB // 6),
    "house numbers": "12 a " * (MB // 5),
    "phone prefixes": "+44 " * (MB // 4),
    "bracketed zeros": "(0" * (MB // 2),
    "outward codes": "AB12 " * (MB // 5),
    "titles": "Mr " * (MB // 3),
    "forenames": "Mary " * (MB // 5),
    "possessives": "Mary's " * (MB // 7),
    "hyphens": "a-" * (MB // 2),
    "spaces": " " * MB,
}
#: The adversarial values each pattern of the guard is timed on.
PATTERN_INPUTS = {
    "_CAMEL": ["letters", "capitals"],
    "_WORD": ["letters", "hyphens"],
    "_SPACES": ["spaces", "spaced digits"],
    "_AT_WORD": ["obfuscated at", "spaces"],
    "_DOT_WORD": ["obfuscated at", "spaces"],
    "_EMAIL": ["letters", "local parts", "domain labels"],
    "_NHS_NUMBER": ["digits", "spaced digits"],
    "_NI_NUMBER": ["outward codes", "capitals", "spaced digits"],
    "_NI_NUMBER_COMPACT": ["outward codes", "letters", "digits"],
    "_PHONE": ["phone prefixes", "bracketed zeros", "digits"],
    "_POSTCODE": ["outward codes", "letters", "spaced digits"],
    "_ADDRESS": ["house numbers", "spaced digits"],
    "_DATE": ["date separators", "day and month", "spaced digits"],
    "_TOKEN": ["hyphens", "letters"],
    "_POSSESSIVE": ["possessives", "letters"],
}
LIMIT_SECONDS = 2.0


@functools.cache
def normalised(value: str) -> str:
    """The adversarial value ``value`` as the guard normalises it, made once for the module (the
    tests time the patterns on it, not the normalising)."""
    return guard.normalise(ADVERSARIAL[value])


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def test_every_pattern_of_the_guard_is_timed():
    patterns = {name for name, value in vars(guard).items() if isinstance(value, re.Pattern)}
    assert patterns == set(PATTERN_INPUTS)


@pytest.mark.parametrize("name", list(PATTERN_INPUTS))
def test_each_pattern_is_linear_in_input(name):
    pattern = getattr(guard, name)
    for value in PATTERN_INPUTS[name]:
        took = timed(pattern.findall, normalised(value))
        assert took < LIMIT_SECONDS, f"{name} took {took:.1f} s on 1 MB of {value}"


def test_email_pattern_is_linear_in_input():
    """The e-mail pattern was quadratic: 12.6 s for a 120 KB CSV field."""
    for value in ("letters", "local parts", "domain labels", "obfuscated at"):
        took = timed(guard._email, normalised(value))
        assert took < LIMIT_SECONDS, f"took {took:.1f} s on 1 MB of {value}"


@pytest.mark.parametrize("value", list(ADVERSARIAL))
def test_the_whole_guard_is_linear_in_input(value):
    took = timed(lambda: personal_value(ADVERSARIAL[value], free_text=True))
    assert took < 2 * LIMIT_SECONDS, f"the guard took {took:.1f} s on 1 MB of {value}"


def test_a_long_turtle_literal_is_screened_quickly(tmp_path):
    path = tmp_path / "long.ttl"
    path.write_text(f'<http://example.org/a> <http://example.org/b> "{"a@" * (MB // 2)}" .\n')
    assert timed(validate_source, path) < 3 * LIMIT_SECONDS


def test_a_long_csv_field_is_screened_quickly(tmp_path):
    path = tmp_path / "long.csv"
    header, row = (Path(__file__).parent / "data" / "coded-reviews.csv").read_text().split("\n")[:2]
    cells = row.split(",")
    cells[header.split(",").index("board")] = "a" * 120_000
    path.write_text(header + "\n" + ",".join(cells) + "\n")
    assert timed(validate_source, path) < LIMIT_SECONDS


# -- what is refused -----------------------------------------------------------------------------

REFUSED = [
    ("Mary Smith told the social worker", "name"),
    ("mary smith told the social worker", "name"),
    ("MARY SMITH attended", "name"),
    ("Mrs Okafor was seen at home", "name"),
    ("Mr. Kowalski moved in", "name"),
    ("The father was a man called Gareth", "name"),
    ("Olivia's mother missed the appointment", "name"),
    ("born 15-Jun-2009", "date"),
    ("seen on 2009/06/15", "date"),
    ("born 15 June 09", "date"),
    ("15th of June 2009", "date"),
    ("June 15, 2009", "date"),
    ("999-123-4567", "NHS number"),
    ("999  123  4567", "NHS number"),
    ("\uff19\uff19\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17", "NHS number"),
    ("999\u2013123\u20134567", "NHS number"),
    ("99\u200b9 123 4567", "NHS number"),
    ("moved to zz99 9zz in the spring", "postcode"),
    ("lives near xx1 1xx", "postcode"),
    ("call 07700 900123", "phone"),
    ("tel +44 (0)20 7946 0123", "phone"),
    ("0161 496 0456", "phone"),
    ("QQ 12 34 56 C", "National Insurance"),
    ("qq123456c", "National Insurance"),
    ("They lived at 12 Acacia Road", "street address"),
    ("4 privet drive", "street address"),
    ("jo (at) example (dot) invalid", "e-mail"),
    ("jo[at]example.invalid", "e-mail"),
    ("jo\uff20example.invalid", "e-mail"),
]


@pytest.mark.parametrize(("text", "kind"), REFUSED, ids=[t for t, _ in REFUSED])
def test_personal_data_in_free_text_is_refused(text, kind):
    found = personal_value(text, free_text=True)
    assert found is not None and kind in found, found


@pytest.mark.parametrize(
    "text",
    ["The health visitor did not share concerns", "a three-week-old baby", "the 2009-10 period",
     "Baby P was known to agencies", "Ofsted evaluated 147 reviews", "Serious Case Review",
     "Mother and father were interviewed", "Children's Services closed the case",
     "Local Safeguarding Children Board", "The panel met in June 2009",
     "between 1 April 2009 and 31 March 2010", "from 1 April 2008 to 31 March 2010",
     "Child A, Mr X and Mrs B", "St Mary's Hospital", "Queen Elizabeth Hospital",
     "the Lucy Faithfull Foundation", "the named nurse", "a 999 call", "NHS 111",
     "vitamin B12", "seen at 2pm", "2 miles down the road", "case study 1 was in 2009-10",
     "information-sharing-adult-services@adult-mental-health", "SYN-200910-R000001-C1",
     "Synthetic LSCB 095", "Grace periods", "Will the board act?"],
)  # fmt: skip
def test_review_prose_is_not_personal_data(text):
    assert personal_value(text, free_text=True) is None


def test_the_name_found_is_shown():
    assert person_name("The grandmother Susan Wright raised concerns") == "Susan"
    assert person_name("notes by Dr Pemberton") == "Dr Pemberton"


@pytest.mark.parametrize(
    "name",
    ["birthplace", "placeOfBirth", "tel_no", "telNo", "homePhone", "phone_number", "mobile_no",
     "maidenName", "mother_surname", "home_address", "nino", "passport_number", "Date of Birth"],
)  # fmt: skip
def test_more_personal_field_names_are_recognised(name):
    assert personal_field(name) is not None


@pytest.mark.parametrize(
    "iri",
    ["mailto:jo@example.invalid", "tel:+447700900123", "http://example.org/person/jo@example.invalid",
     "http://example.org/person/jo%40example.invalid", "http://example.org/home/ZZ99-9ZZ",
     "http://example.org/patient/999-123-4567", "http://example.org/person/mary-smith"],
)  # fmt: skip
def test_personal_data_inside_an_iri_is_found(iri):
    assert personal_iri(iri) is not None


# -- the bundled data ----------------------------------------------------------------------------


def bundled_hits() -> list[str]:
    """What the guard finds in the bundled sources: every triple of the Turtle files, every cell
    of the CSV files (the evaluation date is a date by design and is screened as a code)."""
    hits: list[str] = []
    for path in sorted(BUNDLED_DIR.glob("*.ttl")):
        triples = read_rdf(
            path.read_bytes(), path.name, ".ttl", base_iri="https://w3id.org/scrkg/id/"
        )
        log = ProblemLog(path.name, limit=10**6)
        guard_triples(triples, log)
        hits += [problem.line() for problem in log.problems]
    for path in sorted(BUNDLED_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column, cell in row.items():
                    for value in re.split(r"[;@]", cell):
                        found = personal_value(value, free_text=column != "evaluation_date")
                        if found:
                            hits.append(f"{path.name}, {column}: {value!r} looks like {found}")
    return hits


def test_the_guard_finds_nothing_in_the_bundled_data():
    assert bundled_hits() == []


def test_the_bundled_data_still_loads():
    results = load_bundled(MemoryStore())
    assert [r.status for r in results] == ["loaded", "loaded"]


def test_the_guard_finds_the_name_and_numbers_kept_in_the_press_release():
    """The press release beside the bundled Turtle names the Chief Inspector and gives phone
    numbers (SOURCES.md says why it is kept as it is); the guard finds both."""
    text = (BUNDLED_DIR / "ofsted-2009-10-press-release.txt").read_text(encoding="utf-8")
    kinds = {personal_value(paragraph, free_text=True) for paragraph in text.split("\n")}
    assert {"a person's name", "a UK phone number"} <= kinds


# -- through the readers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "board", ["Mary Smith", "seen 15-Jun-2009", "12 Acacia Road", "07700 900123", "zz99 9zz"]
)
def test_personal_data_in_a_csv_cell_is_refused(tmp_path, board):
    header, row = (Path(__file__).parent / "data" / "coded-reviews.csv").read_text().split("\n")[:2]
    cells = row.split(",")
    cells[header.split(",").index("board")] = board
    path = tmp_path / "people.csv"
    path.write_text(header + "\n" + ",".join(cells) + "\n")
    with pytest.raises(PersonalDataError, match="field board"):
        validate_source(path)


# -- the labelled set ----------------------------------------------------------------------------


def labelled(split: str) -> list[dict[str, str]]:
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["split"] == split]


def test_the_labelled_set_has_both_splits_and_both_labels():
    rows = labelled("dev") + labelled("test")
    assert len(rows) >= 200
    for split in ("dev", "test"):
        assert {row["label"] for row in labelled(split)} == {"personal", "none"}


@pytest.mark.parametrize(("split", "floor"), [("dev", 0.95), ("test", 0.9)])
def test_precision_and_recall_on_the_labelled_set(split, floor):
    tp = fp = fn = 0
    for row in labelled(split):
        found = personal_value(row["text"], free_text=True) is not None
        personal = row["label"] == "personal"
        tp += found and personal
        fp += found and not personal
        fn += personal and not found
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= floor and recall >= floor, (precision, recall)
