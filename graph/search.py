"""Find it in words: full-text search, facets and "reviews like this one".

The index has two parts, built from the graph in one pass:

* a tantivy index (a Rust search engine) of one *document* per case review, child, lesson,
  recommendation, agency and statement with a quote, holding its label, its comment or
  definition, its quotes and (for a review) the text of its children, lessons and
  recommendations, each word by its English stem (so "missed" finds "missing"); beside the text,
  each document's *facet values* (as numbers): its kind, review type, period, outcome, age band,
  risk factor, agency type, lesson theme and whether it is synthetic. A child, lesson or agency
  keeps its own coded values (a lesson's own theme, a child's own outcome) and takes the others
  from the review it belongs to; a review takes its children's, agencies' and lessons' values;
  a statement takes those of the resource it is about; and what a hit shows of it (IRI, kind,
  label). tantivy ranks the hits by bm25 without scoring every match to the end (top-k), and
  counts the facet values over all the hits;
* an SQLite database of the reviews (IRI, label), the facet values' labels, and each review's
  *features* for "reviews like this one": its coded concepts (risk
  factors, agency types, lesson themes, outcomes, age bands) and its rarer words, each weighted
  by its inverse document frequency over the reviews, so a rare shared feature counts more.

Where the index lives: an on-disk store builds it inside each new snapshot (the folder
``search``) before the pointer moves to that snapshot (graph/store.py calls
:func:`index_snapshot`), so a load that fails leaves the data and the index as they were; it
takes what the load wrote from :class:`WrittenStatements`, kept as the load wrote it, and reads
from the snapshot only the graphs the load did not write. For an in-memory store, a SPARQL
server, or a snapshot written before this index existed, it is built in memory and kept per
store version (graph/memo.py ``per_version``), and built again when the data changes.

User text never reaches tantivy as syntax: :func:`parse_query` turns it into words and phrases,
capped in length and number, and each is analysed like the indexed text and becomes a term or a
phrase query built here (tantivy's query parser is never used).
"""

from __future__ import annotations

import contextlib
import gc
import html
import json
import math
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

import pyoxigraph as ox
import tantivy

from scrkg.graph.memo import Memo
from scrkg.ontology import RDF, RDFS, SCR, SKOS, local_name

#: The index folder inside a snapshot directory of an on-disk store, and its two parts.
INDEX_DIR = "search"
INDEX_FILE = "search.sqlite"
TEXT_DIR = "text"
#: Bumped when the tables or the text index change; an index of another format is rebuilt in
#: memory.
FORMAT = "4"

#: The longest search text read; the rest is left out (and the answer says so).
MAX_QUERY_CHARS = 500
#: The most words and phrases used from one search; a phrase counts as one.
MAX_TERMS = 12
#: The most words kept in one phrase.
MAX_PHRASE_WORDS = 12
#: Hits on one page, by default and at most.
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
#: The furthest a user may page into the hits.
MAX_OFFSET = 10_000
#: Similar reviews listed, by default and at most.
SIMILAR_LIMIT = 10
MAX_SIMILAR = 50
#: The rarer words of a review kept as its text features, and the share of reviews above which
#: a word says nothing about likeness.
WORDS_PER_REVIEW = 30
COMMON_WORD_SHARE = 0.5
#: How much of the likeness score comes from coded features and how much from words.
FEATURE_SHARE = 0.75
#: The parts of a document's text, in the order a snippet prefers them: its labels, its
#: comments or definitions, its quotes, and (for a review) its members' text.
COLUMNS = ("label", "body", "quote", "context")
#: The indexed text fields and the weight of each one's bm25 score: ``text`` holds every column
#: (so a document's length is its whole text's), and ``label`` its labels again, so that a word
#: in a label counts more than one in a comment, a quote, or a review's members' text.
FIELD_WEIGHTS = {"text": 1.0, "label": 1.0}
#: Between the columns in the stored text; a control character, so never in the data indexed.
COLUMN_BREAK = "\x1e"
#: Words longer than this are not indexed (nor searched for).
MAX_WORD_CHARS = 100
#: The name of the analyser of the text fields, registered with each tantivy index.
ANALYZER = "scrkg_english"
#: Each kind's bm25 score is multiplied by this: a review is what an analyst looks for first,
#: and a statement repeats a sentence that its review or child usually holds too.
KIND_BOOST = {
    "review": 3.0,
    "lesson": 1.5,
    "recommendation": 1.5,
    "child": 1.0,
    "agency": 1.0,
    "statement": 0.5,
}
#: The memory tantivy's index writer may use, shared by its threads.
TEXT_WRITER_HEAP = 200_000_000
#: Words of the snippet around the best match.
SNIPPET_WORDS = 14

#: Private-use characters that mark a match in a snippet; removed from the data indexed.
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"


REVIEW_CLASSES = [
    SCR + name
    for name in (
        "CaseReview",
        "SeriousCaseReview",
        "LocalChildSafeguardingPracticeReview",
        "RapidReview",
        "NationalReview",
        "ChildPracticeReview",
        "SignificantCaseReview",
        "CaseManagementReview",
    )
]
#: The class of each kind of document, most telling first.
KIND_CLASSES: list[tuple[str, list[str]]] = [
    ("review", REVIEW_CLASSES),
    ("child", [SCR + "Child"]),
    ("lesson", [SCR + "Lesson"]),
    ("recommendation", [SCR + "Recommendation"]),
    ("agency", [SCR + "Agency"]),
    ("statement", [RDF + "Statement"]),
]
KIND_LABELS = {
    "review": "Case review",
    "child": "Child",
    "lesson": "Lesson",
    "recommendation": "Recommendation",
    "agency": "Agency",
    "statement": "Statement with quote",
}
KIND_ORDER = [kind for kind, _ in KIND_CLASSES]

#: (facet key, label), in the order pages show them.
FACETS: list[tuple[str, str]] = [
    ("class", "Kind of record"),
    ("review-type", "Review type"),
    ("period", "Period"),
    ("outcome", "Outcome"),
    ("age-band", "Age band"),
    ("risk-factor", "Risk factor"),
    ("agency-type", "Agency type"),
    ("lesson-theme", "Lesson theme"),
    ("records", "Real or synthetic"),
]
FACET_LABELS = dict(FACETS)
RECORDS_LABELS = {"real": "Real (drawn from a source)", "synthetic": "Synthetic (generated)"}

#: The coded properties read, and the facet each fills.
CODED = {
    SCR + "outcome": "outcome",
    SCR + "ageBand": "age-band",
    SCR + "hasRiskFactor": "risk-factor",
    SCR + "agencyType": "agency-type",
    SCR + "lessonTheme": "lesson-theme",
    SCR + "reportingYear": "period",
}
#: The facets a document of each kind fills from its own values (the rest come from its review).
OWN_FACETS = {
    "child": {"outcome", "age-band", "risk-factor"},
    "lesson": {"lesson-theme"},
    "agency": {"agency-type"},
}
#: The facets a review takes from its members: (link to the member, facets).
MEMBER_FACETS = {
    SCR + "concernsChild": {"outcome", "age-band", "risk-factor"},
    SCR + "involvedAgency": {"agency-type"},
    SCR + "identifiesLesson": {"lesson-theme"},
    SCR + "makesRecommendation": set(),
}
#: The facets whose values are a review's coded features for likeness.
FEATURE_FACETS = ("risk-factor", "agency-type", "lesson-theme", "outcome", "age-band")
#: The text of a review's members that goes into the review's own document.
CONTEXT_KINDS = {"child", "lesson", "recommendation"}

_TEXT_PROPERTIES = {
    RDFS + "label": "label",
    SKOS + "prefLabel": "label",
    RDFS + "comment": "body",
    SKOS + "definition": "body",
    SCR + "quote": "quote",
    SCR + "statusEvidence": "quote",
}

_STOP_TEXT = (
    "the and for was were with that this from had has have not but are been its their there "
    "which who whom when what into than then also only any all one our out own per she her his "
    "him they them these those such very may might would could should did does"
)
#: Words too common to say that two reviews are alike.
STOP_WORDS = frozenset(_STOP_TEXT.split())

#: Characters kept out of the index and of what is shown: C0 and C1 controls (but tab and
#: newline), bidirectional overrides and isolates, and the snippet's private markers.
_CONTROLS = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    f"{MARK_OPEN}{MARK_CLOSE}]"
)
_WORD = re.compile(r"[^\W_]+")
_QUERY_PART = re.compile(r'"([^"]*)"|([^\s"]+)|(")')


class SearchError(ValueError):
    """A search or a "similar reviews" request that cannot be answered; the message says why and
    what to do."""


# ---------------------------------------------------------------------------------------------
# The query: user text into words and phrases, never query syntax
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A search as it will run: its terms (each word or phrase, as words separated by spaces;
    a word written with hyphens, like "three-week-old", is a phrase) and notes on what was left
    out."""

    text: str
    terms: tuple[str, ...]
    notes: tuple[str, ...] = ()


def clean_text(text: str) -> str:
    """The text without control, bidirectional and marker characters (each becomes a space)."""
    return _CONTROLS.sub(" ", text)


def parse_query(text: str | None) -> Query:
    """The search for ``text``: words, and phrases in double quotes. Everything else (``NEAR``,
    ``*``, ``-``, ``column:``, brackets) is read as words or as spaces between words; an
    unpaired double quote is ignored. SearchError when no word is left."""
    text = text or ""
    notes: list[str] = []
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"Only the first {MAX_QUERY_CHARS} characters of the search were used.")
    text = clean_text(text)
    terms: list[str] = []
    stray_quote = dropped = False
    for match in _QUERY_PART.finditer(text):
        phrase, word, quote = match.groups()
        if quote is not None:
            stray_quote = True
            continue
        words = _WORD.findall(phrase if phrase is not None else word)
        if phrase is not None and len(words) > MAX_PHRASE_WORDS:
            words = words[:MAX_PHRASE_WORDS]
            notes.append(f"A phrase was cut to its first {MAX_PHRASE_WORDS} words.")
        if not words:
            continue
        term = " ".join(words)
        if term in terms:
            continue
        if len(terms) == MAX_TERMS:
            dropped = True
            break
        terms.append(term)
    if stray_quote:
        notes.append("A double quote without its pair was ignored.")
    if dropped:
        notes.append(f"Only the first {MAX_TERMS} words and phrases were used.")
    if not terms:
        if text.strip():
            raise SearchError(
                "There is no word to search for in that text: type words (letters or digits); "
                'put a phrase in double quotes, like "voice of the child".'
            )
        raise SearchError('Type one or more words to search for, like "pre-birth assessment".')
    return Query(text=text.strip(), terms=tuple(terms), notes=tuple(notes))


def snippet_html(raw: str) -> str:
    """A snippet from the index as HTML: the text escaped first, and only then the match markers
    turned into ``<mark>`` (the data's own characters never become markup)."""
    escaped = html.escape(raw, quote=True)
    return escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def snippet_parts(raw: str) -> list[tuple[str, bool]]:
    """A snippet from the index as (text, is a match) pieces, for a template to escape and mark
    up itself; the markers never reach the page."""
    parts: list[tuple[str, bool]] = []
    for i, piece in enumerate(raw.split(MARK_OPEN)):
        matched, _, rest = piece.partition(MARK_CLOSE) if i else ("", "", piece)
        if matched:
            parts.append((matched, True))
        if rest:
            parts.append((rest.replace(MARK_CLOSE, ""), False))
    return parts


def snippet_text(raw: str) -> str:
    """A snippet from the index as plain text, without its markers."""
    return raw.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def make_snippet(analyse: tantivy.TextAnalyzer, columns: list[str], terms: list[list[str]]) -> str:
    """About :data:`SNIPPET_WORDS` words of the column (``columns``, in the order of
    :data:`COLUMNS`) where the most different ``terms`` (each its analysed words; a
    phrase matches where its words come in a row) are found close together, with the private
    markers around each match and "…" where text was left out. With no match, the start of the
    first text."""
    best: tuple[int, int, int, int] | None = None  # score, -column, -start; then the column
    found: dict[int, tuple[list[Any], list[tuple[int, int, int]]]] = {}
    for number, text in enumerate(columns):
        if not text:
            continue
        tokens = analyse.pre_tokenize(text).tokens
        words = [token.text for token in tokens]
        matches = []  # (first token, last token, term)
        for which, term in enumerate(terms):
            size = len(term)
            if not size:
                continue
            for start in range(len(words) - size + 1):
                if words[start : start + size] == term and all(
                    tokens[start + k].position == tokens[start].position + k for k in range(size)
                ):
                    matches.append((start, start + size - 1, which))
        found[number] = (tokens, matches)
        for first, last, _ in matches:
            start = max(0, min(first - (SNIPPET_WORDS - (last - first + 1)) // 2,
                               len(tokens) - SNIPPET_WORDS))  # fmt: skip
            inside = [m for m in matches if m[0] >= start and m[1] < start + SNIPPET_WORDS]
            score = 1000 * len({m[2] for m in inside}) + len(inside)
            candidate = (score, -number, -start, number)
            if best is None or candidate > best:
                best = candidate
    if best is None:
        number = next((n for n, text in enumerate(columns) if text), None)
        if number is None:
            return ""
        tokens, matches, start = found[number][0], [], 0
    else:
        number, start = best[3], -best[2]
        tokens, matches = found[number]
    text = columns[number]
    if not tokens:
        return text[:200]
    end = min(len(tokens), start + SNIPPET_WORDS)  # the tokens [start, end) are shown
    begin = 0 if start == 0 else tokens[start].char_offset_from
    finish = len(text) if end == len(tokens) else tokens[end - 1].char_offset_to
    pieces = ["…"] if start > 0 else []
    at = begin
    for first, last, _ in sorted(matches):
        if first < start or last >= end or tokens[first].char_offset_from < at:
            continue
        pieces.append(text[at : tokens[first].char_offset_from])
        pieces += [MARK_OPEN, text[tokens[first].char_offset_from : tokens[last].char_offset_to]]
        pieces.append(MARK_CLOSE)
        at = tokens[last].char_offset_to
    pieces.append(text[at:finish])
    if end < len(tokens):
        pieces.append("…")
    return "".join(pieces)


# ---------------------------------------------------------------------------------------------
# Building the index
# ---------------------------------------------------------------------------------------------

#: (subject IRI, predicate IRI, object term) of every statement, in any named graph, whose
#: predicate is one of those given (and whose object is one of those given, when they are); the
#: same statement may come more than once.
Pairs = Callable[..., Iterable[tuple[str, str, Any]]]

_SCHEMA = """
CREATE TABLE about(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs(
    id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, class TEXT NOT NULL,
    class_label TEXT NOT NULL, label TEXT NOT NULL, synthetic INTEGER NOT NULL);
CREATE TABLE facet_values(
    id INTEGER PRIMARY KEY, facet TEXT NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL,
    UNIQUE (facet, value));
CREATE TABLE labels(value TEXT PRIMARY KEY, label TEXT NOT NULL);
CREATE TABLE features(
    doc INTEGER NOT NULL, feature TEXT NOT NULL, facet TEXT NOT NULL,
    PRIMARY KEY (doc, feature)) WITHOUT ROWID;
CREATE TABLE weights(feature TEXT PRIMARY KEY, weight REAL NOT NULL);
CREATE TABLE totals(doc INTEGER PRIMARY KEY, concepts REAL NOT NULL, words REAL NOT NULL);
"""
_INDEXES = """
CREATE INDEX features_by_feature ON features(feature, doc);
"""


def analyzer() -> tantivy.TextAnalyzer:
    """How text becomes words, the same for the data indexed and for a search: split at every
    character that is not a letter or a digit, lower case, accents folded, English stems."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_WORD_CHARS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _text_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("label", tokenizer_name=ANALYZER)
    builder.add_bytes_field("shown", stored=True)  # what a hit shows (see _shown)
    builder.add_float_field("weight", fast=True)
    builder.add_unsigned_field("facet", indexed=True, fast=True)
    return builder.build()


def kind_weight(kind: str) -> float:
    """The value of a document's ``weight`` field: tantivy multiplies a score by log2(2 +
    weight), so this makes that factor twice the kind's boost (the score shown is halved)."""
    return 2.0 ** (2 * KIND_BOOST[kind]) - 2.0


#: The facets each kind of member takes from its review (beyond its own values): an agency
#: only where and when; a child also what its review found; a lesson or recommendation all.
INHERITED = {
    "child": {"review-type", "period", "agency-type", "lesson-theme"},
    "agency": {"review-type", "period"},
    "lesson": {"review-type", "period", "outcome", "age-band", "risk-factor", "agency-type"},
    "recommendation": {f for f, _ in FACETS} - {"class", "records"},
}


def reader_pairs(
    reader: ox.Store, graphs: Iterable[ox.NamedNode | ox.DefaultGraph] | None = None
) -> Pairs:
    """Statements read straight from a pyoxigraph store (an in-memory store or a snapshot), one
    basic graph pattern per predicate over the union of the graphs (or of ``graphs`` only, when
    given): faster than ``quads_for_pattern``, which makes a Python object of every
    quad's four terms."""
    scope: dict[str, Any] = {"use_default_graph_as_union": True}
    if graphs is not None:
        scope = {"default_graph": list(graphs)}

    def pairs(
        predicates: Iterable[str], objects: Iterable[ox.NamedNode | ox.Literal] = ()
    ) -> Iterable[tuple[str, str, Any]]:
        if scope.get("default_graph") == []:
            return
        kept = " ".join(str(o) for o in objects)
        only = f"VALUES ?o {{ {kept} }} " if kept else ""
        for predicate in predicates:
            # Read in full before yielding: pyoxigraph's solutions must be dropped by the thread
            # that made them, and a generator left half-read is dropped by whichever thread
            # collects it.
            found = [
                (subject.value, value)
                for subject, value in reader.query(
                    f"SELECT ?s ?o WHERE {{ {only}?s {ox.NamedNode(predicate)} ?o }}", **scope
                )
                if isinstance(subject, ox.NamedNode)
            ]
            for subject, value in found:
                yield subject, predicate, value

    return pairs


#: Every predicate the index reads.
INDEXED_PREDICATES = frozenset(
    [RDF + "type", RDF + "subject", SCR + "isSynthetic", *_TEXT_PROPERTIES, *CODED, *MEMBER_FACETS]
)
_INDEXED_NODES = frozenset(ox.NamedNode(p) for p in INDEXED_PREDICATES)


def _cores() -> int:
    """The cores this process may run on (all the machine's where the system cannot say)."""
    if hasattr(os, "sched_getaffinity"):  # Linux
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


#: A load that keeps at least this many statements for the index builds it in a process of its
#: own (:class:`WrittenStatements`); a smaller one builds it in the loading process, where
#: starting a second Python would cost more than it saves. None: never, as on a machine that
#: gives this process one core, where the two processes would only take turns on it.
BUILD_PROCESS_FROM: int | None = 50_000 if _cores() > 1 else None
#: How many kept statements are handed to the build process at a time.
BUILD_PROCESS_BATCH = 20_000
#: The file, inside the new snapshot, through which the statements reach the build process.
STATEMENTS_FILE = INDEX_DIR + ".statements"


class SearchBuildError(RuntimeError):
    """The build of a new snapshot's index in its own process failed; the load fails with it."""


class WrittenStatements:
    """The statements a load writes into a new snapshot, of the predicates the index reads, kept
    as they go by (:meth:`quads`), so that the index of the snapshot reads from the store only
    the graphs the load did not write.

    Given the new snapshot's folder (``snapshot``), a load that keeps many statements (see
    :data:`BUILD_PROCESS_FROM`) hands them, as they are written, to a Python process of its own
    that builds the index into ``snapshot/search.partial`` (:func:`_build_process`): it runs on
    another core while this process writes and compacts the snapshot, and the graphs the load
    did not write it reads from the live snapshot, ``stored`` (the new one holds the same
    statements in them). :func:`index_snapshot` waits for it. Given ``graphs``, every graph the
    load will write, the build process is told that the statements are complete as soon as the
    last of them went by, before the store has finished writing them. :meth:`close` stops the
    process when the load fails."""

    def __init__(
        self,
        graphs: Iterable[str] | None = None,
        *,
        snapshot: str | os.PathLike[str] | None = None,
        stored: str | os.PathLike[str] | None = None,
    ) -> None:
        self.graphs: set[str] = set()
        self._expected = set(graphs) if graphs is not None else None
        self._kept: list[Any] = []  # triples (or quads), in the order written
        self._by_predicate: dict[str, list[tuple[str, Any]]] | None = None
        self._snapshot = Path(snapshot) if snapshot is not None else None
        self._stored = str(stored) if stored is not None else None
        self._process_from = BUILD_PROCESS_FROM if snapshot is not None else None
        self._flush_at = max(1, self._process_from) if self._process_from is not None else -1
        self._child: subprocess.Popen[bytes] | None = None
        self._statements: Any = None  # the file the statements are written to
        self._ended = False
        self._statements_sent = False
        #: The build process's report: its own seconds and processor seconds (None without it).
        self.report: dict[str, float] | None = None

    @property
    def builds_apart(self) -> bool:
        """True when the index is built (or was) by a process of its own."""
        return self._statements_sent

    def quads(self, graph: str, triples: Iterable[ox.Triple]) -> Iterator[ox.Quad]:
        """The triples as quads of the graph ``graph``, for the store to write, keeping those
        the index reads on the way. The graph must be written whole, replacing what it held."""
        self.graphs.add(graph)
        kept = self._kept
        indexed = _INDEXED_NODES
        named_node = ox.NamedNode
        named = named_node(graph)
        flush_at = self._flush_at
        with COLLECTOR_PAUSE:  # the terms kept live until the build: not worth walking
            for triple in triples:
                subject, predicate, value = triple.subject, triple.predicate, triple.object
                if predicate in indexed and isinstance(subject, named_node):
                    kept.append(triple)
                    if len(kept) == flush_at:
                        self._flush()
                        flush_at = self._flush_at
                yield ox.Quad(subject, predicate, value, named)
            if self._child is not None:
                self._flush()
            if self._expected is not None and self.graphs >= self._expected:
                self._end()

    def _flush(self) -> None:
        """Hand the statements kept so far to the build process, starting it the first time."""
        if self._child is None:
            self._start()
        if self._kept:
            data = ox.serialize(self._kept, format=ox.RdfFormat.N_TRIPLES)
            self._statements.write(data)
            self._statements.flush()
            self._send(f"batch {len(data)}")
            self._kept.clear()
        self._flush_at = BUILD_PROCESS_BATCH

    def _start(self) -> None:
        assert self._snapshot is not None
        self._statements_sent = True
        self._statements = open(self._snapshot / STATEMENTS_FILE, "wb")  # noqa: SIM115
        self._child = subprocess.Popen(
            [sys.executable, "-c", _CHILD_CODE, json.dumps(sys.path), str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._send(json.dumps([str(self._snapshot), self._stored]))

    def _send(self, line: str) -> None:
        assert self._child is not None and self._child.stdin is not None
        try:
            self._child.stdin.write(line.encode() + b"\n")
            self._child.stdin.flush()
        except BrokenPipeError:
            pass  # the process ended: finish() reports why

    def _end(self) -> None:
        if self._child is not None and not self._ended:
            self._ended = True
            self._send("end " + json.dumps(sorted(self.graphs)))
            self._statements.close()

    def finish(self) -> None:
        """Wait for the build process to have written the index into ``search.partial``;
        SearchBuildError if it failed."""
        assert self._child is not None and self._child.stdout is not None
        if not self._ended:  # the graphs written were not named beforehand
            self._flush()
            self._end()
        with contextlib.suppress(BrokenPipeError):  # the process ended: its code says why
            self._child.stdin.close()  # type: ignore[union-attr]
        answer = self._child.stdout.readline()
        code = self._child.wait()
        try:
            report = json.loads(answer) if answer else {}
        except ValueError:
            report = {}
        if code != 0 or "error" in report or "seconds" not in report:
            raise SearchBuildError(
                "The search index of the new data could not be built (in its own process, "
                f"which ended with code {code}): {report.get('error') or 'no answer'}. Nothing "
                "was written: the store still holds the data it had."
            )
        self.report = report

    def close(self) -> None:
        """Stop the build process if it is still running (a load that failed), and remove the
        file of statements."""
        child, self._child = self._child, None
        if child is not None:
            if child.poll() is None:
                child.kill()
            child.wait()
            for pipe in (child.stdin, child.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
        if self._statements is not None:
            self._statements.close()
            if self._snapshot is not None:
                with contextlib.suppress(OSError):
                    (self._snapshot / STATEMENTS_FILE).unlink()
            self._statements = None

    def _group(self, statements: Iterable[Any]) -> dict[str, list[tuple[str, Any]]]:
        """The statements kept, by predicate: (subject IRI, object) in the order written. The
        build process puts each batch it reads back by predicate as it comes, while the load is
        still writing."""
        by_predicate = self._by_predicate
        if by_predicate is None:
            by_predicate = self._by_predicate = {p: [] for p in INDEXED_PREDICATES}
        for statement in statements:
            by_predicate[statement.predicate.value].append(
                (statement.subject.value, statement.object)
            )
        return by_predicate

    def pairs(
        self, predicates: Iterable[str], objects: Iterable[ox.NamedNode | ox.Literal] = ()
    ) -> Iterable[tuple[str, str, Any]]:
        by_predicate = self._group(self._kept)
        self._kept = []
        wanted = set(objects)
        for predicate in predicates:
            for subject, value in by_predicate[predicate]:
                if not wanted or value in wanted:
                    yield subject, predicate, value


def written_and_stored_pairs(written: WrittenStatements, reader: ox.Store) -> Pairs:
    """The statements ``written`` kept, and those of every other graph of ``reader``."""
    others = [g for g in reader.named_graphs() if g.value not in written.graphs]
    stored = reader_pairs(reader, [ox.DefaultGraph(), *others])

    def pairs(
        predicates: Iterable[str], objects: Iterable[ox.NamedNode | ox.Literal] = ()
    ) -> Iterable[tuple[str, str, Any]]:
        predicates, objects = list(predicates), list(objects)
        yield from written.pairs(predicates, objects)
        yield from stored(predicates, objects)

    return pairs


def query_pairs(store: Any) -> Pairs:
    """Statements read through SPARQL, for a store on a SPARQL server."""

    def pairs(
        predicates: Iterable[str], objects: Iterable[ox.NamedNode | ox.Literal] = ()
    ) -> Iterable[tuple[str, str, Any]]:
        values = " ".join(str(ox.NamedNode(p)) for p in predicates)
        kept = " ".join(str(o) for o in objects)
        only = f"VALUES ?o {{ {kept} }} " if kept else ""
        rows = store.query(
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} {only}?s ?p ?o "
            "FILTER(isIRI(?s)) }"
        )
        return [(row["s"].value, row["p"].value, row["o"]) for row in rows]

    return pairs


def _english_first(values: list[tuple[str, str]]) -> list[str]:
    """The texts, English or untagged ones first, each once."""
    if len(values) == 1:
        return [values[0][0]]
    ordered = sorted(values, key=lambda v: 0 if v[1] in ("", "en") or v[1][:3] == "en-" else 1)
    return list(dict.fromkeys(text for text, _ in ordered))


def _spelt_out(iri: str) -> str:
    """An IRI's local name as words: ``SeriousCaseReview`` and ``serious-case-review`` read
    ``Serious Case Review`` and ``serious case review``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local_name(iri)).replace("-", " ")


class _CollectorPause:
    """Python's cycle collector paused while builds run, and while a load keeps the statements
    it writes for a build: both make millions of small objects that live until the build's end
    and form no cycles, which the collector would otherwise walk again and again. Pauses may
    overlap (in-memory builds, in a web server's threads): the collector is left as it was
    before the first once the last of them ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._builds = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._builds == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._builds += 1

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self._builds -= 1
            if self._builds == 0 and self._was_enabled:
                gc.enable()


COLLECTOR_PAUSE = _CollectorPause()


@dataclass(frozen=True)
class _Records:
    """What a build gathered from the statements, which the tantivy index and the SQLite
    tables are written from."""

    kinds: Mapping[str, str]  # iri: its kind of record
    review_classes: Mapping[str, set[str]]  # review: its classes
    doc_labels: Mapping[str, list[str]]  # iri: its labels, English first
    texts: Mapping[str, Mapping[str, list[str]]]  # iri: {"body": [...], "quote": [...]}
    context: Mapping[str, list[str]]  # review: its members' words
    facets: Mapping[str, Mapping[str, set[str]]]  # review: {facet: values}
    doc_values: Mapping[str, Set[int]]  # iri: the numbers of its facet values
    value_ids: dict[tuple[str, str], int]  # (facet, value): its number
    synthetic: set[str]
    labels: Mapping[str, list[tuple[str, str]]]  # iri: [(label, language)]
    class_labels: Mapping[str, str]


def build_index(pairs: Pairs, folder: str | os.PathLike[str] | None = None) -> SearchIndex:
    """Build the index from the statements ``pairs`` reads, into ``folder`` (which must not
    exist yet), or in memory when it is None. Returns the index, open."""
    with COLLECTOR_PAUSE:
        return _build_index(pairs, folder)


def _build_index(pairs: Pairs, folder: str | os.PathLike[str] | None) -> SearchIndex:
    rank = {kind: position for position, kind in enumerate(KIND_ORDER)}
    kind_of_class = {iri: kind for kind, classes in KIND_CLASSES for iri in classes}
    kinds: dict[str, str] = {}
    review_classes: dict[str, set[str]] = defaultdict(set)
    classes = [ox.NamedNode(iri) for iri in kind_of_class]
    for iri, _, cls in pairs([RDF + "type"], classes):
        kind = kind_of_class.get(cls.value)
        if kind is None:
            continue
        if iri not in kinds or rank[kind] < rank[kinds[iri]]:
            kinds[iri] = kind
        if kind == "review":
            review_classes[iri].add(cls.value)

    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    texts: dict[str, dict[str, list[str]]] = {}
    for iri, predicate, literal in pairs(_TEXT_PROPERTIES):
        if not isinstance(literal, ox.Literal):
            continue
        column, text = _TEXT_PROPERTIES[predicate], clean_text(literal.value)
        if column == "label":
            labels[iri].append((text, literal.language or ""))
        elif iri in kinds:
            found = texts.get(iri)
            if found is None:
                found = texts[iri] = {"body": [], "quote": []}
            if text not in found[column]:
                found[column].append(text)
    doc_labels = {iri: _english_first(labels.get(iri, [])) for iri in kinds}

    synthetic = {iri for iri, _, _ in pairs([SCR + "isSynthetic"], [ox.Literal(True)])}
    coded: dict[str, list[tuple[str, str]]] = defaultdict(list)  # iri: [(facet, value)]
    for iri, predicate, value in pairs(CODED):
        coded[iri].append((CODED[predicate], value.value))

    # A review's facets: its own, then what it takes from its members.
    facets: dict[str, dict[str, set[str]]] = {}
    context: dict[str, list[str]] = defaultdict(list)
    reviews_of: dict[str, list[str]] = defaultdict(list)
    for iri, classes in review_classes.items():
        facets[iri] = defaultdict(set, {"review-type": set(classes)})
        facets[iri]["period"].update(v for f, v in coded.get(iri, ()) if f == "period")
    for link, taken in MEMBER_FACETS.items():
        members = {
            (review, member.value)
            for review, _, member in pairs([link])
            if isinstance(member, ox.NamedNode) and review in review_classes
        }
        for review, member in sorted(members):  # a review's members' text in one order
            reviews_of[member].append(review)
            if taken and member in coded:
                own = facets[review]
                for facet, value in coded[member]:
                    if facet in taken:
                        own[facet].add(value)
            if kinds.get(member) in CONTEXT_KINDS:
                context[review] += doc_labels[member][:1]
                found = texts.get(member)
                if found is not None:
                    context[review] += found["body"] + found["quote"]

    # Every document's facet values, as numbers (each (facet, value) pair numbered when a
    # document first has it): its own, and some of its reviews'.
    value_ids: dict[tuple[str, str], int] = {}
    doc_values: dict[str, Set[int]] = {}
    passes: dict[tuple[str, str], frozenset[int]] = {}  # (review, kind): what it passes on
    for iri in review_classes:
        by_facet = {
            f: {value_ids.setdefault((f, v), len(value_ids) + 1) for v in values}
            for f, values in facets[iri].items()
        }
        doc_values[iri] = frozenset().union(*by_facet.values())
        for kind, inherited in INHERITED.items():
            passes[iri, kind] = frozenset().union(
                *(by_facet[f] for f in inherited & by_facet.keys())
            )
    nothing: frozenset[Any] = frozenset()
    for iri, kind in kinds.items():
        if kind == "review" or kind == "statement":
            continue
        mine = OWN_FACETS.get(kind, nothing)
        values = {
            value_ids.setdefault(pair, len(value_ids) + 1)
            for pair in coded.get(iri, ())
            if pair[0] in mine
        }
        for review in reviews_of.get(iri, ()):  # a review twice, by two links, changes nothing
            values.update(passes[review, kind])
        doc_values[iri] = values
    for statement, _, about in pairs([RDF + "subject"]):
        if kinds.get(statement) == "statement" and about.value in doc_values:
            doc_values[statement] = doc_values.get(statement, nothing) | doc_values[about.value]

    class_labels = {
        cls: _english_first(labels[cls])[0] for cls in REVIEW_CLASSES if labels.get(cls)
    }
    if folder is not None:
        Path(folder).mkdir()
        (Path(folder) / TEXT_DIR).mkdir()
    where = ":memory:" if folder is None else str(Path(folder) / INDEX_FILE)
    connection = sqlite3.connect(where, check_same_thread=False)
    try:
        records = _Records(kinds, review_classes, doc_labels, texts, context, facets,
                           doc_values, value_ids, synthetic, labels, class_labels)  # fmt: skip
        text = _write(connection, folder, records)
    except BaseException:
        connection.close()
        raise
    return SearchIndex(connection, text, "memory" if folder is None else str(folder))


def _write(
    connection: sqlite3.Connection, folder: str | os.PathLike[str] | None, records: _Records
) -> tantivy.Index:
    """Write the tantivy index, then the SQLite tables, both from this thread: tantivy's writer
    threads index the documents while this thread goes on to the tables. (A second Python
    thread writing the tables would take the GIL back and forth with this one at every row
    and document, and both would mostly wait.)"""
    schema = _text_schema()
    if folder is None:
        text = tantivy.Index(schema)
    else:
        text = tantivy.Index(schema, path=str(Path(folder) / TEXT_DIR))
    text.register_tokenizer(ANALYZER, analyzer())
    writer = text.writer(heap_size=TEXT_WRITER_HEAP)
    kinds, texts, context, value_ids = (
        records.kinds,
        records.texts,
        records.context,
        records.value_ids,
    )
    ids = {iri: number for number, iri in enumerate(sorted(kinds), start=1)}
    weights = {kind: kind_weight(kind) for kind in KIND_BOOST}
    kind_values = {kind: value_ids.setdefault(("class", kind), len(value_ids) + 1)
                   for kind in KIND_ORDER}  # fmt: skip
    real_or_synthetic = [
        value_ids.setdefault(("records", r), len(value_ids) + 1) for r in ("real", "synthetic")
    ]
    empty: dict[str, list[str]] = {"body": [], "quote": []}
    nothing: frozenset[int] = frozenset()
    doc_labels, doc_values, synthetic = records.doc_labels, records.doc_values, records.synthetic
    from_dict, add = tantivy.Document.from_dict, writer.add_document
    reviews = []  # the rows of the table docs
    try:
        for iri, number in ids.items():
            kind = kinds[iri]
            names = doc_labels[iri]
            label = "\n".join(names)
            own = texts.get(iri, empty)
            columns = (
                label,
                "\n".join(own["body"]),
                "\n".join(own["quote"]),
                "\n".join(dict.fromkeys(context[iri])) if iri in context else "",
            )
            is_synthetic = iri in synthetic
            values = [
                kind_values[kind],
                real_or_synthetic[is_synthetic],
                *doc_values.get(iri, nothing),
            ]
            cls, class_label = kind, KIND_LABELS[kind]
            if kind == "review":
                cls, class_label = _review_class(records, iri)
            shown = (iri, kind, cls, class_label, names[0] if names else _spelt_out(iri))
            if kind == "review":
                reviews.append((number, *shown, int(is_synthetic)))
            document = from_dict(
                {"text": COLUMN_BREAK.join(columns), "label": label, "weight": weights[kind],
                 "facet": values, "shown": _shown(*shown, is_synthetic)},
                schema,
            )  # fmt: skip
            add(document)
        _write_tables(connection, ids, reviews, records)
        writer.commit()
        writer.wait_merging_threads()  # every file written before the folder is renamed
    except BaseException:
        writer.rollback()
        raise
    text.reload()
    return text


def _review_class(records: _Records, iri: str) -> tuple[str, str]:
    """The class a review is shown as (the most specific one), and its label."""
    found = sorted(records.review_classes[iri])
    cls = ([c for c in found if c != SCR + "CaseReview"] or found)[0]
    return cls, records.class_labels.get(cls, _spelt_out(cls).lower())


def _shown(iri: str, kind: str, cls: str, class_label: str, label: str, synthetic: bool) -> bytes:
    """What a hit shows of a document, kept in the text index beside it: its IRI, kind, class
    and its label, label, and whether it is synthetic, between column breaks (which none of
    them holds: an IRI has no control character, and labels are cleaned)."""
    parts = (iri, kind, cls, class_label, label, "1" if synthetic else "")
    return COLUMN_BREAK.join(parts).encode()


def _write_tables(
    connection: sqlite3.Connection,
    ids: Mapping[str, int],
    reviews: list[tuple[Any, ...]],
    records: _Records,
) -> None:
    """The SQLite tables: the reviews (for "reviews like this one"), the facet values' labels,
    and the features of "reviews like this one"; in one transaction, on a file written once
    before it is published (no journal, no waiting for the disk)."""
    connection.execute("PRAGMA journal_mode = OFF")  # a file left half-written is removed
    connection.execute("PRAGMA synchronous = OFF")
    connection.executescript(_SCHEMA)
    labels, class_labels = records.labels, records.class_labels
    value_rows, label_rows = [], {}
    for (facet, value), value_id in records.value_ids.items():
        names = _english_first(labels.get(value, []))
        label = class_labels.get(value) or (names[0] if names else value)
        if facet == "class":
            label = KIND_LABELS[value]
        elif facet == "records":
            label = RECORDS_LABELS[value]
        else:
            label_rows[value] = label
        value_rows.append((value_id, facet, value, label))
    with connection:
        connection.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", reviews)
        connection.executemany("INSERT INTO facet_values VALUES (?, ?, ?, ?)", value_rows)
        connection.executemany("INSERT INTO labels VALUES (?, ?)", sorted(label_rows.items()))
        _write_features(connection, records, ids)
        connection.executescript(_INDEXES)
        connection.executemany(
            "INSERT INTO about VALUES (?, ?)",
            [("format", FORMAT), ("documents", str(len(ids)))],
        )


def _words(text: str) -> set[str]:
    return {
        word
        for word in _WORD.findall(text.lower())
        if len(word) > 2 and not word.isdigit() and word not in STOP_WORDS
    }


def _write_features(
    connection: sqlite3.Connection, records: _Records, ids: Mapping[str, int]
) -> None:
    """Each review's coded concepts and rarer words, with their inverse document frequencies."""
    kinds, texts, context, facets = records.kinds, records.texts, records.context, records.facets
    reviews = [iri for iri, kind in kinds.items() if kind == "review"]
    count = len(reviews)
    concepts = {
        iri: {(value, facet) for facet in FEATURE_FACETS for value in facets[iri].get(facet, ())}
        for iri in reviews
    }
    words = {
        iri: _words(" ".join([*own["body"], *own["quote"], *context.get(iri, ())]))
        for iri in reviews
        for own in [texts.get(iri, {"body": [], "quote": []})]
    }
    concept_df = Counter(value for features in concepts.values() for value, _ in features)
    word_df = Counter(word for found in words.values() for word in found)
    common = max(2, int(count * COMMON_WORD_SHARE))
    weights = {value: math.log(count / df) for value, df in concept_df.items()}
    rows, totals = [], []
    for iri in reviews:
        number = ids[iri]
        rare = sorted((word_df[w], w) for w in words[iri] if 2 <= word_df[w] <= common)
        kept = [("word:" + word, "word") for _, word in rare[:WORDS_PER_REVIEW]]
        for feature, _ in kept:
            weights[feature] = math.log(count / word_df[feature[5:]])
        for feature, facet in [*concepts[iri], *kept]:
            rows.append((number, feature, facet))
        totals.append(
            (
                number,
                # summed in one order: a set's order changes from one process to the next
                sum(weights[value] for value, _ in sorted(concepts[iri])),
                sum(weights[feature] for feature, _ in kept),
            )
        )
    connection.executemany("INSERT INTO features VALUES (?, ?, ?)", rows)
    connection.executemany("INSERT INTO weights VALUES (?, ?)", sorted(weights.items()))
    connection.executemany("INSERT INTO totals VALUES (?, ?, ?)", totals)


def store_pairs(store: Any) -> Pairs:
    """How to read a store's statements: straight from its pyoxigraph store when it evaluates
    queries here, else through SPARQL."""
    if getattr(store, "evaluates_here", False):
        return reader_pairs(store._reader())
    return query_pairs(store)


def index_snapshot(
    snapshot: str | os.PathLike[str], reader: ox.Store, written: WrittenStatements | None = None
) -> Path:
    """Build the index of a new snapshot of an on-disk store into the folder
    ``snapshot/search``, reading the snapshot through ``reader`` (but the graphs ``written``
    holds: what the load wrote into them is taken from there); written under a temporary name
    and renamed, so the folder is whole or absent. Called by DiskStore before the pointer moves
    to the snapshot. When ``written`` handed its statements to a build process of its own, this
    waits for that process and renames what it wrote."""
    path = Path(snapshot) / INDEX_DIR
    partial = path.with_name(INDEX_DIR + ".partial")
    if written is not None and written.builds_apart:
        try:
            written.finish()
            os.replace(partial, path)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        finally:
            written.close()
        return path
    shutil.rmtree(partial, ignore_errors=True)
    pairs = reader_pairs(reader) if written is None else written_and_stored_pairs(written, reader)
    try:
        build_index(pairs, partial).close()
        os.replace(partial, path)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return path


#: What the build process runs: the loading process's module path, then :func:`_build_process`.
_CHILD_CODE = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from scrkg.graph.search import _build_process; _build_process()"
)


def _end_with(parent: int) -> None:
    """Have the system kill this process when the loading process ends (Linux), so that a load
    killed outright leaves no build writing into its abandoned snapshot while the next load
    removes it; elsewhere it ends when it reads the end of its input."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        return
    if os.getppid() != parent:  # it ended before this was asked for
        os._exit(1)


def _build_process() -> None:
    """The build process of a load (see :class:`WrittenStatements`). On its standard input: the
    new snapshot's folder and the live snapshot's (or null), as JSON; then ``batch N`` for each
    N bytes of N-Triples the load appended to the file of statements; then ``end`` and the
    graphs the load wrote, as JSON. It builds the index into ``search.partial`` and answers one
    line of JSON on its standard output: its seconds from ``end`` to the index written, its
    processor seconds and its peak resident memory in bytes, or the error."""
    started = time.perf_counter()
    _end_with(int(sys.argv[2]))
    lines = sys.stdin.buffer
    report: dict[str, Any]
    try:
        snapshot, stored = json.loads(lines.readline())
        folder = Path(snapshot)
        written = WrittenStatements()
        graphs = None
        with COLLECTOR_PAUSE, open(folder / STATEMENTS_FILE, "rb") as source:
            for line in lines:
                word, _, rest = line.decode().strip().partition(" ")
                if word == "batch":
                    written._group(ox.parse(source.read(int(rest)), ox.RdfFormat.N_TRIPLES))
                elif word == "end":
                    graphs = json.loads(rest)
                    break
        if graphs is None:
            raise SearchBuildError("the load stopped before every statement was written")
        written.graphs = set(graphs)
        complete = time.perf_counter()
        partial = folder / (INDEX_DIR + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        pairs: Pairs = written.pairs
        if stored is not None:
            pairs = written_and_stored_pairs(written, ox.Store.read_only(stored))
        build_index(pairs, partial).close()
        done = time.perf_counter()
        report = {
            "seconds": done - complete,
            "waiting": complete - started,
            "cpu": time.process_time(),
            "memory": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,  # Linux: KiB
        }
    except BaseException as error:  # noqa: BLE001 - told to the loading process
        report = {"error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    sys.exit(1 if "error" in report else 0)


# ---------------------------------------------------------------------------------------------
# Reading the index
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    kind: str
    kind_label: str
    class_iri: str
    class_label: str
    synthetic: bool
    score: float
    snippet: str  # with the private markers around the words found

    @property
    def snippet_html(self) -> str:
        return snippet_html(self.snippet)

    def as_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "kind": self.kind,
            "class": self.class_iri,
            "class_label": self.class_label,
            "synthetic": self.synthetic,
            "score": round(self.score, 4),
            "snippet": self.snippet_html,
            "snippet_text": snippet_text(self.snippet),
        }


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    key: str
    label: str
    values: list[FacetValue]


@dataclass(frozen=True)
class Results:
    query: Query
    hits: list[Hit]
    total: int
    offset: int
    limit: int
    facets: list[Facet]
    filters: dict[str, list[str]]
    any_term: bool = False  # no record had every term: these hits have any of them

    @property
    def notes(self) -> list[str]:
        notes = list(self.query.notes)
        if self.any_term:
            notes.append("No record has all the words; these records have some of them.")
        return notes

    def as_json(self) -> dict[str, Any]:
        return {
            "query": self.query.text,
            "terms": list(self.query.terms),
            "match": "any" if self.any_term else "all",
            "facets_partial": False,  # the counts are over all the hits
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "filters": self.filters,
            "notes": self.notes,
            "hits": [hit.as_json() for hit in self.hits],
            "facets": [
                {
                    "facet": facet.key,
                    "label": facet.label,
                    "values": [
                        {
                            "value": v.value,
                            "label": v.label,
                            "count": v.count,
                            "selected": v.selected,
                        }
                        for v in facet.values
                    ],
                }
                for facet in self.facets
            ],
        }


@dataclass(frozen=True)
class SharedFeature:
    iri: str
    label: str
    facet: str
    weight: float


@dataclass(frozen=True)
class Similar:
    iri: str
    label: str
    synthetic: bool
    score: float
    feature_score: float
    word_score: float
    shared: list[SharedFeature]
    shared_words: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "synthetic": self.synthetic,
            "score": round(self.score, 4),
            "feature_score": round(self.feature_score, 4),
            "word_score": round(self.word_score, 4),
            "shared": [feature.iri for feature in self.shared],
            "shared_features": [
                {
                    "iri": f.iri,
                    "label": f.label,
                    "facet": f.facet,
                    "weight": round(f.weight, 4),
                }
                for f in self.shared
            ],
            "shared_words": self.shared_words,
        }


def check_filters(filters: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """The filters as {facet: [values]}, without empty values; SearchError for an unknown facet
    or too many values."""
    checked: dict[str, list[str]] = {}
    for facet, values in filters.items():
        if facet not in FACET_LABELS:
            raise SearchError(
                f"There is no facet {facet!r}; the facets are: {', '.join(FACET_LABELS)}."
            )
        kept = list(dict.fromkeys(v for v in values if v))
        if len(kept) > 50 or any(len(v) > 2000 for v in kept):
            raise SearchError(f"Too many or too long values for the facet {facet!r}.")
        if kept:
            checked[facet] = kept
    return checked


class SearchIndex:
    """An open index: the SQLite tables and the tantivy text index; safe to share between
    threads (one query at a time)."""

    def __init__(
        self, connection: sqlite3.Connection, text: tantivy.Index, where: str = "memory"
    ) -> None:
        self._connection = connection
        self._text = text
        self._schema = text.schema
        self._searcher = text.searcher()
        self._analyzer = analyzer()
        self._lock = threading.Lock()
        self.where = where
        #: Every facet value: its number in the text index, and (facet, value, label).
        self._value_ids: dict[tuple[str, str], int] = {}
        self._values: dict[int, tuple[str, str, str]] = {}
        for value_id, facet, value, label in connection.execute(
            "SELECT id, facet, value, label FROM facet_values"
        ):
            self._value_ids[facet, value] = value_id
            self._values[value_id] = (facet, value, label)

    @classmethod
    def open_dir(cls, path: str | os.PathLike[str]) -> SearchIndex:
        """Open an index folder, its SQLite file read-only."""
        folder = Path(path).resolve()
        uri = "file:" + pathname2url(str(folder / INDEX_FILE)) + "?mode=ro"
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            found = connection.execute("SELECT value FROM about WHERE key = 'format'").fetchone()
            if found is None or found[0] != FORMAT:
                raise SearchError(f"The search index {path} is of another format.")
            text = tantivy.Index.open(str(folder / TEXT_DIR))
            text.register_tokenizer(ANALYZER, analyzer())
            return cls(connection, text, str(path))
        except BaseException:
            connection.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def _rows(self, sql: str, parameters: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._connection.execute(sql, tuple(parameters)).fetchall()

    def documents(self) -> int:
        return int(self._rows("SELECT value FROM about WHERE key = 'documents'")[0][0])

    # -- search ------------------------------------------------------------------------------

    def search(
        self,
        text: str | None,
        filters: Mapping[str, Iterable[str]] | None = None,
        *,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
    ) -> Results:
        """The documents that have every word and phrase of ``text`` (else any of them), best
        first by bm25, narrowed by ``filters`` ({facet: [values]}: a document must have one of
        the values of each facet given), with the counts of each facet's values over all the
        hits."""
        query = parse_query(text)
        checked = check_filters(filters or {})
        limit = min(max(int(limit), 1), MAX_LIMIT)
        offset = min(max(int(offset), 0), MAX_OFFSET)
        terms = [self._analyzer.analyze(term) for term in query.terms]
        with self._lock:
            kept = self._filters(checked)
            any_term = False
            wanted = self._query(terms, kept, any_term=False)
            found = self._searcher.search(wanted, limit, offset=offset, weight_by_field="weight")
            if found.count == 0 and len(terms) > 1:
                any_term = True
                wanted = self._query(terms, kept, any_term=True)
                found = self._searcher.search(
                    wanted, limit, offset=offset, weight_by_field="weight"
                )
            hits = self._hits(found.hits, terms) if found.hits else []
            facets = self._facets(wanted, checked) if found.count else []
        return Results(query, hits, found.count, offset, limit, facets, checked, any_term)

    def _filters(self, filters: Mapping[str, list[str]]) -> list[tantivy.Query] | None:
        """A query per facet filtered (a document has one of its values), scoring nothing; None
        when a facet's values are on no document at all."""
        kept = []
        for facet, values in filters.items():
            ids = [self._value_ids[facet, v] for v in values if (facet, v) in self._value_ids]
            if not ids:
                return None
            chosen = tantivy.Query.term_set_query(self._schema, "facet", ids)
            kept.append(tantivy.Query.const_score_query(chosen, 0.0))
        return kept

    def _query(
        self, terms: list[list[str]], filters: list[tantivy.Query] | None, *, any_term: bool
    ) -> tantivy.Query:
        """Each term (its words as analysed) as a term or a phrase query over every text field,
        weighted by field; all of them required, or any one of them; and the filters."""
        if filters is None:
            return tantivy.Query.empty_query()
        matches = []
        for words in terms:
            if not words:  # nothing indexable in it (a word too long): matches no document
                matches.append(tantivy.Query.empty_query())
                continue
            fields = []
            for field, weight in FIELD_WEIGHTS.items():
                if len(words) == 1:
                    one = tantivy.Query.term_query(self._schema, field, words[0])
                else:
                    one = tantivy.Query.phrase_query(self._schema, field, words)
                fields.append((tantivy.Occur.Should, tantivy.Query.boost_query(one, weight)))
            matches.append(tantivy.Query.boolean_query(fields))
        if any_term:
            matches = [tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in matches])]
        clauses = [(tantivy.Occur.Must, q) for q in [*matches, *filters]]
        return tantivy.Query.boolean_query(clauses)

    def _hits(self, ranked: list[tuple[float, Any]], terms: list[list[str]]) -> list[Hit]:
        hits = []
        for score, address in ranked:
            document = self._searcher.doc(address)
            shown = (document.get_first("shown") or b"").decode()
            iri, kind, cls, class_label, label, synthetic = shown.split(COLUMN_BREAK)
            columns = (document.get_first("text") or "").split(COLUMN_BREAK)
            hits.append(
                Hit(
                    iri=iri,
                    label=label,
                    kind=kind,
                    kind_label=KIND_LABELS[kind],
                    class_iri=cls if kind == "review" else "",
                    class_label=class_label,
                    synthetic=bool(synthetic),
                    score=float(score) / 2,
                    snippet=make_snippet(self._analyzer, columns, terms),
                )
            )
        # tantivy ranks equal scores by where a document sits in the index, which depends on
        # the order of the build; the page shows them by IRI, the same however it was built
        hits.sort(key=lambda hit: (-hit.score, hit.iri))
        return hits

    def _facets(self, wanted: tantivy.Query, filters: Mapping[str, list[str]]) -> list[Facet]:
        spec = {"values": {"terms": {"field": "facet", "size": max(1, len(self._values))}}}
        buckets = self._searcher.aggregate(wanted, spec)["values"]["buckets"]
        counted: dict[str, list[FacetValue]] = defaultdict(list)
        for bucket in buckets:
            facet, value, label = self._values[int(bucket["key"])]
            selected = value in filters.get(facet, [])
            counted[facet].append(FacetValue(value, label, int(bucket["doc_count"]), selected))
        for facet, values in filters.items():  # a chosen value stays on screen to be removed
            present = {v.value for v in counted[facet]}
            counted[facet] += [FacetValue(v, v, 0, True) for v in values if v not in present]
        facets = []
        for key, label in FACETS:
            values = counted.get(key)
            if values:
                values.sort(key=lambda v: (-v.count, v.label.lower(), v.value))
                facets.append(Facet(key, label, values))
        return facets

    # -- reviews like this one --------------------------------------------------------------

    def is_review(self, iri: str) -> bool:
        return bool(self._rows("SELECT 1 FROM docs WHERE iri = ? AND kind = 'review'", [iri]))

    def similar(self, iri: str, *, limit: int = SIMILAR_LIMIT) -> list[Similar]:
        """The reviews most like the review ``iri``, best first, never the review itself.

        Likeness = FEATURE_SHARE x (weighted Jaccard of coded features) + the rest x (weighted
        Jaccard of rarer words), each feature weighted by log(reviews / reviews having it)."""
        limit = min(max(int(limit), 1), MAX_SIMILAR)
        found = self._rows("SELECT id FROM docs WHERE iri = ? AND kind = 'review'", [iri])
        if not found:
            raise SearchError(
                f"<{iri}> is not a case review in the store, so there is nothing to compare; "
                "give the IRI of a review."
            )
        me = found[0][0]
        word_share = 1 - FEATURE_SHARE
        ranked = self._rows(
            """WITH shared AS (
                 SELECT f2.doc AS doc,
                        SUM(CASE WHEN f1.facet = 'word' THEN 0 ELSE w.weight END) AS concepts,
                        SUM(CASE WHEN f1.facet = 'word' THEN w.weight ELSE 0 END) AS words
                 FROM features f1
                 JOIN weights w ON w.feature = f1.feature AND w.weight > 0
                 JOIN features f2 ON f2.feature = f1.feature AND f2.doc <> f1.doc
                 WHERE f1.doc = ?
                 GROUP BY f2.doc),
               scored AS (
                 SELECT s.doc,
                        COALESCE(s.concepts / NULLIF(me.concepts + o.concepts - s.concepts, 0), 0)
                          AS by_features,
                        COALESCE(s.words / NULLIF(me.words + o.words - s.words, 0), 0) AS by_words
                 FROM shared s JOIN totals o ON o.doc = s.doc JOIN totals me ON me.doc = ?)
             SELECT doc, ? * by_features + ? * by_words AS score, by_features, by_words
             FROM scored ORDER BY score DESC, doc LIMIT ?""",
            [me, me, FEATURE_SHARE, word_share, limit],
        )
        if not ranked:
            return []
        ids = [row[0] for row in ranked]
        marks = ", ".join("?" * len(ids))
        shared: dict[int, list[tuple[str, str, float]]] = defaultdict(list)
        for doc, feature, facet, weight in self._rows(
            "SELECT f2.doc, f1.feature, f1.facet, w.weight FROM features f1 "
            "JOIN weights w ON w.feature = f1.feature "
            f"JOIN features f2 ON f2.feature = f1.feature AND f2.doc IN ({marks}) "
            "WHERE f1.doc = ? ORDER BY w.weight DESC, f1.feature",
            [*ids, me],
        ):
            shared[doc].append((feature, facet, weight))
        docs = {
            row[0]: row
            for row in self._rows(
                f"SELECT id, iri, label, synthetic FROM docs WHERE id IN ({marks})", ids
            )
        }
        concepts = {f for features in shared.values() for f, facet, _ in features}
        labels = self._labels(concepts)
        answer = []
        for doc, score, by_features, by_words in ranked:
            _, other, label, synthetic = docs[doc]
            answer.append(
                Similar(
                    iri=other,
                    label=label,
                    synthetic=bool(synthetic),
                    score=float(score),
                    feature_score=float(by_features),
                    word_score=float(by_words),
                    shared=[
                        SharedFeature(f, labels.get(f, f), facet, weight)
                        for f, facet, weight in shared[doc]
                        if facet != "word"
                    ],
                    shared_words=[f[5:] for f, facet, _ in shared[doc] if facet == "word"],
                )
            )
        return answer

    def _labels(self, values: Iterable[str]) -> dict[str, str]:
        values = list(values)
        if not values:
            return {}
        marks = ", ".join("?" * len(values))
        return dict(self._rows(f"SELECT value, label FROM labels WHERE value IN ({marks})", values))


# ---------------------------------------------------------------------------------------------
# The index of a store, kept per version
# ---------------------------------------------------------------------------------------------

#: Open indexes, one per store version; few, since each may hold a whole index in memory.
INDEXES = Memo(4)


def index_for(store: Any) -> SearchIndex:
    """The index of the store's current data: the file inside the live snapshot of an on-disk
    store, else one built in memory, kept until the data changes."""
    from scrkg.graph.memo import per_version

    return per_version(store, "search-index", lambda: _open_or_build(store), memo=INDEXES)


def _open_or_build(store: Any) -> SearchIndex:
    snapshot = store.snapshot_dir()
    if snapshot is not None:
        path = snapshot / INDEX_DIR
        if (path / INDEX_FILE).is_file():
            try:
                return SearchIndex.open_dir(path)
            except (SearchError, sqlite3.Error, OSError, ValueError):
                pass  # a damaged or older index: build one in memory instead
    return build_index(store_pairs(store))


def search(store: Any, text: str | None, filters: Mapping[str, Iterable[str]] | None = None,
           *, limit: int = DEFAULT_LIMIT, offset: int = 0) -> Results:  # fmt: skip
    """Search the store's records in words (see :meth:`SearchIndex.search`)."""
    return index_for(store).search(text, filters, limit=limit, offset=offset)


def similar(store: Any, iri: str, *, limit: int = SIMILAR_LIMIT) -> list[Similar]:
    """The reviews most like the review ``iri`` (see :meth:`SearchIndex.similar`)."""
    if not isinstance(iri, str) or not iri or len(iri) > 2000:
        raise SearchError("Give the IRI of a case review, at most 2,000 characters.")
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise SearchError(f"Not a valid IRI: {error}") from None
    return index_for(store).similar(iri, limit=limit)
