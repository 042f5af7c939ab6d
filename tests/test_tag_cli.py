"""`scrkg tag`: documents in, suggestions (JSON lines) or a draft out; then the draft confirmed
and loaded.

The first tests run the command with a stand-in document reader and tagger, built by hand, so
they check the command's own work (the personal-data screen, the formats, writing nothing on a
refusal). The others run the real reader and tagger on documents made here (all text fictional)
and on the bundled press release.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from documents import make_pdf

from scrkg.cli import main
from scrkg.graph.store import DiskStore
from scrkg.loader import documents, tagging
from scrkg.loader.documents import DocumentError, Sentence
from scrkg.loader.drafts import CHILD_FIELDS, DRAFT_COLUMNS, LIST_FIELDS, REQUIRED_REASON
from scrkg.loader.tagging import Suggestion
from scrkg.ontology import DEFAULT_BASE, ONTOLOGY_IRI, SCR, SCRC

ID = DEFAULT_BASE
PRESS_RELEASE = (
    Path(__file__).resolve().parents[1] / "loader" / "bundled" / "ofsted-2009-10-press-release.txt"
)
DIGEST = "ab" * 32


# -- the command's own work, with a stand-in reader and tagger ---------------------------------

PASSAGES = [
    "There was domestic abuse in the home.",
    "Mary Smith said the police attended twice.",  # a name: left out
    "The police attended the home twice.",
]


@dataclass
class FakeDocument:
    path: Path
    source: str
    sha256: str = DIGEST
    media_type: str = "text/plain"
    pages: int | None = None

    def sentences(self):
        text = " ".join(PASSAGES)
        for passage in PASSAGES:
            start = text.index(passage)
            end = start + len(passage)
            prefix, suffix = text[max(0, start - 32) : start], text[end : end + 32]
            yield Sentence(passage, None, start, end, prefix, suffix)


class FakeTagger:
    """Suggests domestic-abuse and police wherever the words are."""

    @classmethod
    def from_ontology(cls):
        return cls()

    def suggest(self, sentences, source):
        for sentence in sentences:
            for words, field, code in [
                ("domestic abuse", "risk_factors", "domestic-abuse"),
                ("police", "agencies", "police"),
                ("police", "status", "completed"),  # a field a draft does not hold
            ]:
                if words in sentence.text:
                    yield Suggestion(
                        source, SCRC + code, "scheme", field, SCR + "property", sentence.text,
                        sentence.page, sentence.start, sentence.end, sentence.prefix,
                        sentence.suffix, words, words, 0.9,
                    )  # fmt: skip


def fake_open(path, max_bytes=None):
    path = Path(path)
    if path.suffix == ".bad":
        raise DocumentError("cannot be read: not a kind of document scrkg reads", file=path.name)
    return FakeDocument(path, str(path))


@pytest.fixture
def fake(monkeypatch, tmp_path):
    monkeypatch.setattr(documents, "open_document", fake_open)
    monkeypatch.setattr(tagging, "Tagger", FakeTagger)
    path = tmp_path / "review-b.txt"
    path.write_text(" ".join(PASSAGES), encoding="utf-8")
    return path


def test_jsonl_has_a_line_per_suggestion_and_leaves_out_personal_data(runner, fake):
    result = runner.invoke(main, ["tag", str(fake)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(x["field"], x["quote"]) for x in lines] == [
        ("risk_factors", PASSAGES[0]),
        ("agencies", PASSAGES[2]),
        ("status", PASSAGES[2]),
    ]
    first = lines[0]
    assert first["source"] == str(fake) and first["concept"] == SCRC + "domestic-abuse"
    assert first["property"] == SCR + "property" and first["page"] is None
    assert first["sha256"] == DIGEST and first["confidence"] == 0.9
    for key in ("scheme", "start", "end", "matched", "label", "prefix", "suffix"):
        assert key in first
    # the first sentence's suffix holds the name that follows it: kept, without its suffix
    assert first["suffix"] == "" and first["prefix"] == ""
    assert lines[1]["suffix"] == "" and lines[1]["prefix"] == "said the police attended twice. "
    errors = result.stderr.splitlines()
    left = [line for line in errors if "left out a sentence" in line]
    assert len(left) == 1  # one line for the sentence, though it had two suggestions
    assert left[0].startswith(f"{fake}, characters 38-80: ")
    assert "a person's name" in left[0] and "(2 suggestions)" in left[0]
    cleared = [line for line in errors if "kept without it" in line]
    assert [line.split(":")[0] for line in cleared] == [f"{fake}, characters 0-37"]
    assert "holds a person's name" in cleared[0]
    assert "Mary" not in result.stderr and "Smith" not in result.stderr
    assert (
        errors[-1] == "3 suggestions from 3 sentences in 1 document; 2 left out for personal data"
    )


def test_a_draft_is_written_atomically_to_the_file_named(runner, fake, tmp_path):
    out = tmp_path / "draft.csv"
    result = runner.invoke(main, ["tag", str(fake), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == DRAFT_COLUMNS
    assert {r["review_id"] for r in rows} == {"review-b"}  # the file's stem
    required = [r["field"] for r in rows if r["reason"] == REQUIRED_REASON]
    # police fills agencies; the status suggestion is not a field of a draft
    assert required == [
        "review_type", "board", "reporting_year", "age_band", "outcome", "social_care_status"
    ]  # fmt: skip
    coded = [r for r in rows if r["reason"] != REQUIRED_REASON]
    assert [(r["field"], r["code"], r["child_id"]) for r in coded] == [
        ("risk_factors", "domestic-abuse", "review-b-C1"),
        ("agencies", "police", ""),
    ]
    assert coded[0]["document"] == "review-b.txt" and coded[0]["sha256"] == DIGEST
    assert "a draft does not hold (status)" in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".draft.csv")]


def test_json_draft_and_review_id(runner, fake, tmp_path):
    out = tmp_path / "draft.json"
    result = runner.invoke(main, ["tag", str(fake), "-o", str(out), "--review-id", "R-9"])
    assert result.exit_code == 0, result.output
    draft = json.loads(out.read_text(encoding="utf-8"))["draft"]
    assert {row["review_id"] for row in draft} == {"R-9"}
    assert {row["child_id"] for row in draft if row["field"] == "risk_factors"} == {"R-9-C1"}


def test_a_refused_document_writes_nothing(runner, fake, tmp_path):
    out = tmp_path / "draft.csv"
    bad = tmp_path / "second.bad"
    bad.write_bytes(b"x")
    result = runner.invoke(main, ["tag", str(fake), str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: second.bad: cannot be read: not a kind of document scrkg reads"
    )
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [fake, bad]


def test_a_review_id_that_looks_like_a_name_is_refused(runner, fake, tmp_path):
    result = runner.invoke(main, ["tag", str(fake), "--review-id", "Mary Smith"])
    assert result.exit_code == 2
    assert "looks like it holds a person's name" in result.stderr
    assert "Mary" not in result.stderr
    named = tmp_path / "Mary Smith review.txt"
    named.write_text("text", encoding="utf-8")
    result = runner.invoke(main, ["tag", str(named), "--review-id", "R-1"])
    assert result.exit_code == 1 and "rename the file" in result.stderr


# -- the real reader and tagger ------------------------------------------------------------------


PDF_PAGES = [
    "Child B was two years old. There was domestic abuse in the home.",
    "The school noticed that Child B was often absent.",
    "The mother had parental mental ill-health and missed appointments.",
]


def tag_lines(runner, *args: str) -> list[dict]:
    result = runner.invoke(main, ["tag", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_pdf_gives_the_page_of_each_suggestion(runner, tmp_path):
    path = make_pdf(tmp_path / "review-c.pdf", PDF_PAGES)
    lines = tag_lines(runner, str(path))
    pages = {line["concept"]: line["page"] for line in lines}
    assert pages[SCRC + "domestic-abuse"] == 1
    assert pages[SCRC + "parental-mental-ill-health"] == 3
    for line in lines:
        assert line["source"] == str(path)
        assert line["quote"] in PDF_PAGES[line["page"] - 1]
        assert line["end"] - line["start"] == len(line["quote"])


@pytest.mark.parametrize(
    ("name", "content", "options"),
    [
        ("review.xyz", b"There was domestic abuse.", []),
        ("review.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", []),
        ("review.txt", b"There was domestic abuse in the home. " * 20, ["--max-bytes", "100"]),
    ],
    ids=["unknown-extension", "corrupt-pdf", "too-large"],
)
def test_a_document_that_cannot_be_read_is_one_line_and_nothing_is_written(
    runner, tmp_path, name, content, options
):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["tag", str(path), "-o", str(out), *options])
    assert result.exit_code == 1, result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("Error: ") and name in message
    assert "Traceback" not in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def accept_all(rows: list[dict], typed: dict[str, str]) -> list[dict]:
    """Every row accepted, as an analyst who agrees with the tagger would: the required rows
    typed, and for a field that takes one value the first suggestion kept. Fields whose rules
    need facts a tagger cannot give (a rapid review's decision, a board's partners) are left."""
    simple = set(CHILD_FIELDS) | {
        "review_type", "board", "reporting_year", "quality_grade", "review_method", "agencies",
        "lessons",
    }  # fmt: skip
    chosen: dict[tuple[str, str], str] = {}
    for row in rows:
        if row["reason"] == REQUIRED_REASON:
            row["code"] = typed[row["field"]]
        key = (row["child_id"], row["field"])
        single = row["field"] not in LIST_FIELDS
        if row["field"] not in simple or (single and chosen.get(key, row["code"]) != row["code"]):
            row["accept"] = "no"
            continue
        chosen.setdefault(key, row["code"])
        row["accept"] = "yes"
    return rows


TYPED = {
    "review_type": "serious-case-review",
    "board": "Example LSCB",
    "reporting_year": "2009-10",
    "agencies": "childrens-social-care",
    "age_band": "under-1",
    "outcome": "died",
    "social_care_status": "child-in-need",
}


def test_the_press_release_tagged_confirmed_and_loaded_carries_its_evidence(runner, tmp_path):
    draft = tmp_path / "press-draft.csv"
    result = runner.invoke(main, ["tag", str(PRESS_RELEASE), "-o", str(draft)])
    assert result.exit_code == 0, result.output
    # the release quotes its Chief Inspector by name: that sentence is left out, never echoed
    assert "a person's name" in result.stderr and "Gilbert" not in result.stderr
    rows = list(csv.DictReader(io.StringIO(draft.read_text(encoding="utf-8"))))
    quoted = [r for r in rows if r["quote"]]
    assert quoted, "the tagger suggested nothing from the press release"
    assert all("Gilbert" not in r["quote"] + r["prefix"] + r["suffix"] for r in rows)
    accept_all(rows, TYPED)
    with open(draft, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, DRAFT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(main, ["load", str(draft)])
    assert result.exit_code == 0, result.output
    store = DiskStore(tmp_path / "cli-store")  # the runner's store
    graph = f"{ID}graph/press-draft"
    found = list(
        store.query(
            f"""SELECT ?quote ?title {{ GRAPH <{graph}> {{
                ?st a rdf:Statement ; scr:quote ?quote ; rdf:subject ?s ; rdf:predicate ?p ;
                    rdf:object ?o ; prov:wasDerivedFrom ?d .
                ?d dcterms:title ?title ; scr:checksum ?sum .
                ?a <http://www.w3.org/ns/oa#hasBody> ?st .
                ?s ?p ?o }} }}"""
        )
    )
    accepted = {r["quote"] for r in rows if r["accept"] == "yes" and r["quote"]}
    assert accepted and {row["quote"].value for row in found} == accepted
    assert {row["title"].value for row in found} == {PRESS_RELEASE.name}
    text = documents.open_document(PRESS_RELEASE).text()  # as read: whitespace normalised
    assert all(row["quote"].value in text for row in found)
    rejected = {r["code"] for r in rows if r["accept"] == "no"} - {
        r["code"] for r in rows if r["accept"] == "yes"
    }
    held = {
        row["o"]
        for row in store.query(
            f"SELECT DISTINCT ?o {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ONTOLOGY_IRI}>) }}"
        )
    }
    assert not {ox.NamedNode(SCRC + code) for code in rejected} & held


def test_min_confidence_leaves_out_the_suggestions_below_it(runner, tmp_path):
    from scrkg.loader.tagging import MIN_CONFIDENCE

    path = tmp_path / "review-m.txt"
    path.write_text(
        "Health visitors must ask about domestic abuse at every contact. "
        "The health visitor saw the baby at home.",
        encoding="utf-8",
    )
    default = tag_lines(runner, str(path))
    every = tag_lines(runner, str(path), "--min-confidence", "0")
    assert all(line["confidence"] >= MIN_CONFIDENCE for line in default)
    assert [line["concept"] for line in default if line["field"] == "agencies"] == [
        SCRC + "health-visiting"
    ]
    assert len([line for line in every if line["field"] == "agencies"]) == 2
    result = runner.invoke(main, ["tag", str(path), "--min-confidence", "2"])
    assert result.exit_code == 2
