"""Search in words (graph/search.py, web/search.py, `scrkg search` and `scrkg similar`): ranking,
stemming, phrases, hostile queries and hostile data, facets, reviews like this one, and the index
kept in step with the store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from scrkg.graph import search as sr
from scrkg.graph.store import SNAPSHOTS, DiskStore, MemoryStore
from scrkg.ontology import SCR, SCRC
from scrkg.web import create_app

ID = "https://w3id.org/scrkg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
CS1 = ID + "review/OFSTED-2009-10-CS1"
CS2 = ID + "review/OFSTED-2009-10-CS2"
HOSTILE = '<script>alert("x")</script> baby <img src=x onerror=alert(1)> \ue000marked\ue001'


def t(s: str, p: str, o: str | ox.Literal) -> ox.Triple:
    return ox.Triple(
        ox.NamedNode(s), ox.NamedNode(p), o if isinstance(o, ox.Literal) else ox.NamedNode(o)
    )


def review(rid: str, label: str, *, comment: str = "", risk: tuple[str, ...] = (),
           outcome: str = "died", lessons: tuple[str, ...] = ()) -> list[ox.Triple]:  # fmt: skip
    node, child = ID + "review/" + rid, ID + "child/" + rid + "-C1"
    triples = [
        t(node, RDF_TYPE, SCR + "SeriousCaseReview"),
        t(node, RDFS + "label", ox.Literal(label)),
        t(node, SCR + "reportingYear", ox.Literal("2009-10")),
        t(node, SCR + "concernsChild", child),
        t(child, RDF_TYPE, SCR + "Child"),
        t(child, RDFS + "label", ox.Literal("Child " + rid)),
        t(child, SCR + "outcome", SCRC + outcome),
    ]
    if comment:
        triples.append(t(node, RDFS + "comment", ox.Literal(comment)))
    triples += [t(child, SCR + "hasRiskFactor", SCRC + code) for code in risk]
    for number, text in enumerate(lessons, start=1):
        lesson = f"{ID}lesson/{rid}/{number}"
        triples += [
            t(node, SCR + "identifiesLesson", lesson),
            t(lesson, RDF_TYPE, SCR + "Lesson"),
            t(lesson, RDFS + "label", ox.Literal(text)),
        ]
    return triples


@pytest.fixture
def small_store() -> MemoryStore:
    store = MemoryStore()
    store.replace_graph(
        ID + "graph/test",
        review("A", "Review A", comment="The child was missing from school for weeks.",
               risk=("domestic-abuse", "concealed-pregnancy"),
               lessons=("The voice of the child was not heard",))
        + review("B", "Review B", comment="Nobody asked the child; the voice was lost.",
                 risk=("domestic-abuse", "concealed-pregnancy"), lessons=("Child has no voice",))
        + review("C", "Review C", comment="Neglect over years.", risk=("domestic-abuse",),
                 outcome="serious-harm")
        + review("D", "Review D", comment="Nothing in common.", risk=("young-parents",),
                 outcome="serious-harm"),
    )  # fmt: skip
    return store


@pytest.fixture
def store(bundled_store):
    """The store conftest's ``client`` reads: the bundled data."""
    return bundled_store


# -- ranking, stemming, phrases ---------------------------------------------------------------


def test_the_case_studies_come_first(bundled_store):
    assert sr.search(bundled_store, "three-week-old baby").hits[0].iri == CS1
    assert sr.search(bundled_store, "12-year-old girl views").hits[0].iri == CS2


def test_the_api_and_the_page_find_the_case_studies(client):
    found = client.get("/api/search?q=" + quote("three-week-old baby")).get_json()
    first = found["hits"][0]
    assert first["iri"] == CS1 and first["synthetic"] is False
    assert first["class"] == SCR + "SeriousCaseReview"
    assert "<mark>three-week-old</mark>" in first["snippet"]
    page = client.get("/search?q=" + quote("12-year-old girl views")).get_data(as_text=True)
    assert page.index("/id/review/OFSTED-2009-10-CS2") < page.index("</ol>")


def test_words_are_matched_by_their_stem(small_store):
    hits = sr.search(small_store, "missed").hits
    assert [h.iri for h in hits] == [ID + "review/A"]


def test_a_phrase_in_quotes_keeps_its_words_together(small_store):
    words = {h.iri for h in sr.search(small_store, "voice child", {"class": ["lesson"]}).hits}
    phrase = {h.iri for h in sr.search(small_store, '"voice of the child"').hits}
    assert words == {ID + "lesson/A/1", ID + "lesson/B/1"}
    assert ID + "lesson/B/1" not in phrase and ID + "lesson/A/1" in phrase


def test_case_and_accents_do_not_matter(small_store):
    small_store.replace_graph(
        ID + "graph/accents", review("E", "Review E", comment="The Café NAÏVE assessments.")
    )
    for text in ("cafe naive assessment", "CAFÉ", "naïve"):
        assert ID + "review/E" in {h.iri for h in sr.search(small_store, text).hits}, text


def test_a_snippet_marks_a_phrase_as_one_match_and_says_what_was_left_out():
    analyse = sr.analyzer()
    words = " ".join(f"w{n}" for n in range(40))
    text = f"{words} the Three-Week-Old babies {words}"
    terms = [analyse.analyze(t) for t in ("three week old", "baby")]
    raw = sr.make_snippet(analyse, ["A label", "", text, ""], terms)
    assert raw.startswith("…") and raw.endswith("…")
    assert sr.snippet_html(raw).count("<mark>") == 2
    assert "<mark>Three-Week-Old</mark> <mark>babies</mark>" in sr.snippet_html(raw)
    assert len(sr.snippet_text(raw).split()) <= sr.SNIPPET_WORDS + 2
    assert sr.make_snippet(analyse, ["Only a label"], terms) == "Only a label"


def test_no_hit_with_every_word_falls_back_to_any_word(small_store):
    results = sr.search(small_store, "neglect missing")
    assert results.any_term and results.total == 2
    assert any("some of them" in note for note in results.notes)


# -- hostile queries --------------------------------------------------------------------------

HOSTILE_QUERIES = [
    "NEAR(baby three, 2)",
    "baby NEAR/2 three",
    "*",
    "bab*",
    "label:baby",
    "{label body}: baby",
    '"unbalanced baby',
    'baby"',
    '"""',
    "baby AND OR NOT",
    "NOT baby",
    "^baby",
    "-baby +three",
    "(((baby",
    "baby)))",
    "'; DROP TABLE docs; --",
    "\x00baby\x1b[31m\u202e",
    "\ue000baby\ue001",
    'NEAR("a" OR * AND -:^"' * 700,  # about 15 KB of operators
    "baby " * 3000,
    "x" * 10_000,
]


@pytest.mark.parametrize("text", HOSTILE_QUERIES)
def test_hostile_queries_never_fail_nor_run_away(client, text):
    started = time.perf_counter()
    response = client.get("/api/search", query_string={"q": text})
    assert response.status_code in (200, 400)
    assert "error" in response.get_json() or "hits" in response.get_json()
    page = client.get("/search", query_string={"q": text})
    assert page.status_code in (200, 400)
    assert time.perf_counter() - started < 5


def test_a_long_search_is_not_copied_into_every_link(client):
    text = "baby " + "x" * 20_000
    page = client.get("/search", query_string={"q": text}).get_data(as_text=True)
    links = [href for href in page.split('href="')[1:] if href.startswith("/search?")]
    assert links and all(len(href.split('"')[0]) < 2 * sr.MAX_QUERY_CHARS for href in links)
    assert len(page) < 100_000


def test_user_text_becomes_quoted_strings_only():
    query = sr.parse_query('NEAR(a b) label:x * "voice of" the child" -c')
    assert query.terms == ("NEAR a", "b", "label x", "voice of", "the", "child", "c")
    assert any("double quote" in note for note in query.notes)


def test_long_queries_are_capped_and_say_so():
    query = sr.parse_query(" ".join(f"word{n}" for n in range(1000)))
    assert len(query.terms) == sr.MAX_TERMS
    assert query.notes
    assert len(sr.parse_query("y" * 20_000).terms[0]) == sr.MAX_QUERY_CHARS


@pytest.mark.parametrize("text", ["", "   ", "*", '"', "-- ( ) :"])
def test_an_empty_query_gets_a_clear_answer(client, text):
    response = client.get("/api/search", query_string={"q": text})
    assert response.status_code == 400
    assert "word" in response.get_json()["error"]
    page = client.get("/search", query_string={"q": text}).get_data(as_text=True)
    assert 'class="search-error"' in page or not text.strip()


def test_bad_parameters_are_refused(client):
    assert client.get("/api/search?q=baby&colour=red").status_code == 200  # not a facet: ignored
    assert client.get("/api/search?q=baby&limit=many").status_code == 400
    with pytest.raises(sr.SearchError):
        sr.check_filters({"colour": ["red"]})


# -- hostile data -----------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def test_hostile_labels_never_become_markup():
    store = MemoryStore()
    child = ID + "child/H"
    store.replace_graph(
        ID + "graph/hostile",
        [
            t(child, RDF_TYPE, SCR + "Child"),
            t(child, RDFS + "label", ox.Literal(HOSTILE)),
            t(child, RDFS + "comment", ox.Literal("A baby " + HOSTILE)),
        ],
    )
    client = create_app({"STORE": store, "TESTING": True}).test_client()
    page = client.get("/search?q=baby").get_data(as_text=True)
    parser = _Tags()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    assert "script" not in tags and "img" not in tags
    assert not any(name.startswith("on") for _, attrs in parser.tags for name, _ in attrs)
    assert "&lt;script&gt;" in page and "<mark>baby</mark>" in page
    assert "<mark>marked</mark>" not in page  # the data's own marker characters were removed
    hit = client.get("/api/search?q=baby").get_json()["hits"][0]
    assert "<script" not in hit["snippet"] and "<img" not in hit["snippet"]
    assert "<mark>" in hit["snippet"] and "\ue000" not in hit["snippet_text"]


def test_labels_iris_and_values_are_kept_exactly_in_the_tables():
    # The tables' rows reach SQLite as JSON text: quotes, backslashes, JSON's own escapes,
    # accents, characters beyond the Basic Multilingual Plane and line separators come back as
    # they were, in a hit's label and IRI and in a facet value's label.
    odd = 'Review "Ä\\u0041" \\ \u2028 \U0001f600 \x1e end'
    node = ID + "review/Ä\U0001f600"
    year = 'year "\\n\u2029\U0001f600'
    store = MemoryStore()
    store.replace_graph(
        ID + "graph/odd",
        [
            t(node, RDF_TYPE, SCR + "SeriousCaseReview"),
            t(node, RDFS + "label", ox.Literal(odd)),
            t(node, SCR + "reportingYear", ox.Literal(year)),
        ],
    )
    results = sr.search(store, "end")
    assert [(h.iri, h.label) for h in results.hits] == [(node, sr.clean_text(odd))]
    period = next(f for f in results.facets if f.key == "period")
    assert [(v.value, v.label) for v in period.values] == [(year, year)]
    assert sr.search(store, "end", {"period": [year]}).total == 1


# -- facets -----------------------------------------------------------------------------------


def test_facets_filter_and_count(small_store):
    everything = sr.search(small_store, "voice")
    counts = {f.key: {v.value: v.count for v in f.values} for f in everything.facets}
    assert counts["class"]["review"] == 2
    assert counts["outcome"][SCRC + "died"] >= 2
    assert counts["risk-factor"][SCRC + "domestic-abuse"] >= 2
    reviews = sr.search(small_store, "voice", {"class": ["review"]})
    assert {h.kind for h in reviews.hits} == {"review"} and reviews.total == 2
    harmed = sr.search(small_store, "review", {"outcome": [SCRC + "serious-harm"]})
    assert {h.iri for h in harmed.hits} == {ID + "review/C", ID + "review/D"}
    chosen = next(f for f in harmed.facets if f.key == "outcome")
    assert [v.selected for v in chosen.values] == [True]


def test_facet_counts_are_over_all_the_hits(bundled_store):
    results = sr.search(bundled_store, "child", limit=1)
    kinds = next(f for f in results.facets if f.key == "class")
    records = next(f for f in results.facets if f.key == "records")
    assert results.total > 1 and len(results.hits) == 1
    assert sum(v.count for v in kinds.values) == results.total
    assert sum(v.count for v in records.values) == results.total
    assert not results.as_json()["facets_partial"]


def test_facets_in_the_page_and_the_api(client):
    found = client.get("/api/search?q=baby&class=review&records=real").get_json()
    assert found["total"] >= 1 and all(h["iri"].startswith(ID + "review/") for h in found["hits"])
    assert {f["facet"] for f in found["facets"]} >= {"class", "records", "outcome", "age-band"}
    page = client.get("/search?q=baby").get_data(as_text=True)
    assert "Kind of record" in page and "class=review" in page


# -- reviews like this one --------------------------------------------------------------------


def test_similar_reviews_share_what_both_really_have(small_store):
    found = sr.similar(small_store, ID + "review/A")
    assert found[0].iri == ID + "review/B"
    assert ID + "review/A" not in [s.iri for s in found]
    assert set(found[0].shared) >= set()
    shared = {f.iri for f in found[0].shared}
    assert shared == {SCRC + "domestic-abuse", SCRC + "concealed-pregnancy", SCRC + "died"}
    c = next(s for s in found if s.iri == ID + "review/C")
    assert {f.iri for f in c.shared} == {SCRC + "domestic-abuse"}
    assert found[0].score > c.score  # the rarer concealed pregnancy counts


def test_similar_through_the_api_and_the_review_page(client, bundled_store):
    answer = client.get("/api/similar?iri=" + quote(CS1)).get_json()["similar"]
    assert answer and CS1 not in [s["iri"] for s in answer]
    top = answer[0]
    held = {
        row["c"].value
        for iri in (CS1, top["iri"])
        for row in bundled_store.query(
            f"SELECT DISTINCT ?c {{ <{iri}> (scr:concernsChild|scr:involvedAgency|"
            f"scr:identifiesLesson)/(scr:hasRiskFactor|scr:agencyType|scr:lessonTheme|"
            f"scr:outcome|scr:ageBand) ?c }}"
        )
        if iri == CS1
    }
    assert set(top["shared"]) <= held and top["score"] > 0
    page = client.get("/id/review/OFSTED-2009-10-CS1").get_data(as_text=True)
    assert "Reviews like this one" in page
    child = client.get("/id/child/OFSTED-2009-10-CS1-C1").get_data(as_text=True)
    assert "Reviews like this one" not in child
    assert (
        client.get("/api/similar?iri=" + quote(ID + "child/OFSTED-2009-10-CS1-C1")).status_code
        == 400
    )
    assert client.get("/api/similar?iri=not%20an%20iri").status_code == 400
    assert client.get("/api/similar").status_code == 400


def test_every_page_has_the_search_box(client):
    for path in ("/", "/explore", "/search", "/id/review/OFSTED-2009-10-CS1"):
        page = client.get(path).get_data(as_text=True)
        assert 'action="/search"' in page and 'name="q"' in page, path


# -- kept in step -----------------------------------------------------------------------------


def test_a_memory_store_index_follows_the_data(small_store):
    assert sr.search(small_store, "giraffe").total == 0
    small_store.replace_graph(ID + "graph/more", review("E", "Review E", comment="A giraffe."))
    assert sr.search(small_store, "giraffe").hits[0].iri == ID + "review/E"


def test_a_load_writes_the_index_inside_the_new_snapshot(tmp_path):
    store = DiskStore(tmp_path / "store")
    store.replace_graph(ID + "graph/one", review("A", "Review A", comment="A baby."))
    first = store.current_snapshot()
    assert (store.path / SNAPSHOTS / first / sr.INDEX_DIR / sr.INDEX_FILE).is_file()
    assert (store.path / SNAPSHOTS / first / sr.INDEX_DIR / sr.TEXT_DIR).is_dir()
    assert sr.index_for(store).where.endswith(sr.INDEX_DIR)
    assert sr.search(store, "baby").hits[0].iri == ID + "review/A"
    store.replace_graph(ID + "graph/two", review("B", "Review B", comment="A giraffe."))
    assert store.current_snapshot() != first
    assert sr.search(DiskStore(tmp_path / "store"), "giraffe").total == 1


def _index_rows(index: sr.SearchIndex) -> dict[str, list[tuple]]:
    """The index's tables (a facet value's number depends on the order statements are read)."""
    tables = ("docs", "labels", "features", "weights", "totals")
    rows = {table: index._rows(f"SELECT * FROM {table} ORDER BY 1, 2") for table in tables}
    rows["facet_values"] = index._rows("SELECT facet, value, label FROM facet_values ORDER BY 1, 2")
    return rows


def test_the_index_of_a_load_takes_what_it_wrote_and_reads_the_rest(tmp_path):
    store = DiskStore(tmp_path / "store")
    store.replace_graphs(
        {ID + "graph/one": review("A", "Review A", comment="A baby.", risk=("young-parents",)),
         ID + "graph/two": review("B", "Review B", comment="A giraffe.", lessons=("Listen",))}
    )  # fmt: skip
    store.replace_graphs(
        {ID + "graph/two": review("C", "Review C", comment="A zebra.", outcome="serious-harm"),
         ID + "graph/three": review("D", "Review D", comment="A baby zebra.")}
    )  # fmt: skip
    index = sr.index_for(store)
    assert sr.search(store, "baby").total == 2 and sr.search(store, "zebra").total == 2
    assert sr.search(store, "giraffe").total == 0 and sr.search(store, "listen").total == 0
    assert [s.iri for s in sr.similar(store, ID + "review/A")] == [ID + "review/D"]
    read_back = sr.build_index(sr.reader_pairs(store._reader()))
    assert _index_rows(index) == _index_rows(read_back)
    results = index.search("review", limit=100)
    assert results == read_back.search("review", limit=100)
    assert results.hits == sorted(results.hits, key=lambda hit: (-hit.score, hit.iri))  # ties
    store.replace_graphs({ID + "graph/three": []})  # a graph removed: its records go too
    assert sr.search(store, "zebra").total == 1 and sr.search(store, "baby").total == 1


def test_a_review_holds_its_members_text_in_one_order_however_it_was_read(tmp_path):
    # The text of a review's children and lessons goes into the review's own document in one
    # order (by the members' IRIs), whether the build takes the statements a load wrote or
    # reads them back from the store: the same snippet either way.
    lessons = tuple(f"Lesson {word} about listening" for word in ("kilo", "alpha", "echo", "bravo"))
    store = DiskStore(tmp_path / "store")
    store.replace_graph(ID + "graph/one", review("A", "Review A", lessons=lessons))
    written = sr.index_for(store).search("listening", {"class": ["review"]})
    read_back = sr.build_index(sr.reader_pairs(store._reader()))
    assert written == read_back.search("listening", {"class": ["review"]})
    shown = sr.snippet_text(written.hits[0].snippet)
    assert shown.index("alpha") < shown.index("echo") < shown.index("bravo")  # lessons 2, 3, 4


def test_a_failed_index_build_leaves_data_and_index_as_they_were(tmp_path, monkeypatch):
    store = DiskStore(tmp_path / "store")
    store.replace_graph(ID + "graph/one", review("A", "Review A", comment="A baby."))
    before = store.current_snapshot()

    def broken(snapshot, reader, written=None):
        raise RuntimeError("index build failed")

    monkeypatch.setattr(sr, "index_snapshot", broken)
    with pytest.raises(RuntimeError):
        store.replace_graph(ID + "graph/two", review("B", "Review B", comment="A giraffe."))
    assert store.current_snapshot() == before
    assert sorted(p.name for p in (store.path / SNAPSHOTS).iterdir()) == [before]
    assert sr.search(store, "giraffe").total == 0 and sr.search(store, "baby").total == 1


def _loads_building_apart(monkeypatch, setting: int | None) -> list[sr.WrittenStatements]:
    """Loads from now on build their index apart from ``setting`` kept statements on (None:
    never); returns the list of what each load handed its index build."""
    monkeypatch.setattr(sr, "BUILD_PROCESS_FROM", setting)
    handed: list[sr.WrittenStatements] = []
    real = sr.index_snapshot

    def watched(snapshot, reader, written=None):
        handed.append(written)
        return real(snapshot, reader, written)

    monkeypatch.setattr(sr, "index_snapshot", watched)
    return handed


def _whole_answers(index: sr.SearchIndex) -> list[object]:
    """Searches whose every hit fits on one page (tantivy picks among equal scores at a page's
    edge by where documents sit in the index), their facets, and reviews like two reviews."""
    answers: list[object] = [_index_rows(index)]
    for text in ("baby", "zebra", "voice of the child", "listen", "child", "review"):
        for filters in ({}, {"class": ["review"]}, {"outcome": [SCRC + "died"]}):
            try:
                answers.append(index.search(text, filters, limit=100))
            except sr.SearchError as error:
                answers.append(str(error))
    for iri in (ID + "review/A", ID + "review/C"):
        answers.append(index.similar(iri) if index.is_review(iri) else None)
    return answers


def test_an_index_built_in_a_process_of_its_own_answers_as_one_built_in_the_load(
    tmp_path, monkeypatch
):
    # A large load hands the statements it writes to a build process of its own, which reads
    # the graphs the load did not write from the live snapshot; forced here for small loads, it
    # must give the same index as a build in the loading process, load after load.
    loads = [
        {ID + "graph/one": review("A", "Review A", comment="A baby.", risk=("young-parents",)),
         ID + "graph/two": review("B", "Review B", comment="A giraffe.", lessons=("Listen",))},
        {ID + "graph/two": review("C", "Review C", comment="A zebra.", outcome="serious-harm",
                                  lessons=("Listen to the voice of the child",)),
         ID + "graph/three": review("D", "Review D", comment="A baby zebra.")},
        {ID + "graph/three": []},
    ]  # fmt: skip
    answers = {}
    for setting in (None, 1):
        handed = _loads_building_apart(monkeypatch, setting)
        store = DiskStore(tmp_path / f"store-{setting}")
        answers[setting] = []
        for graphs in loads:
            store.replace_graphs(graphs)
            answers[setting].append(_whole_answers(sr.index_for(store)))
            # (a load that writes no statement, one that only removes a graph, has none to hand)
            assert handed[-1].builds_apart == (setting is not None and any(graphs.values()))
            files = {p.name for p in (store.path / SNAPSHOTS / store.current_snapshot()).iterdir()}
            assert sr.INDEX_DIR in files and sr.STATEMENTS_FILE not in files
        if setting is not None:
            assert all(w.report["seconds"] > 0 for w in handed if w.builds_apart)
            assert all(w.report["memory"] > 1e6 for w in handed if w.builds_apart)
            assert all(w._child is None for w in handed)  # the process ended and was reaped
    assert answers[None] == answers[1]
    second = answers[1][1]  # after the second load: baby {}, ... then zebra {}
    assert {hit.iri for hit in second[1].hits} == {ID + "review/A", ID + "review/D"}  # A: stored
    assert {hit.iri for hit in second[4].hits} == {ID + "review/C", ID + "review/D"}


def test_the_bundled_data_indexed_apart_answers_as_indexed_in_the_load(tmp_path, monkeypatch):
    from scrkg.loader.load import load_bundled

    indexes = {}
    for setting in (None, 1):
        handed = _loads_building_apart(monkeypatch, setting)
        store = DiskStore(tmp_path / f"store-{setting}")
        load_bundled(store)
        assert handed[-1].builds_apart == (setting is not None)
        indexes[setting] = sr.index_for(store)
    inline, apart = indexes[None], indexes[1]
    assert inline.documents() == apart.documents() > 1000
    assert _index_rows(inline) == _index_rows(apart)
    for text in ("three-week-old baby", '"voice of the child"', "pre-birth assessment", "police"):
        for filters in ({}, {"class": ["lesson"]}, {"class": ["review"]}):
            one, other = (
                inline.search(text, filters, limit=100),
                apart.search(text, filters, limit=100),
            )
            if one.total <= 100:
                assert one == other
            else:  # equal scores at the page's edge may be picked differently: all but the hits
                assert (one.total, one.facets) == (other.total, other.facets)
                assert [h.score for h in one.hits] == [h.score for h in other.hits]
    for iri in (CS1, CS2):
        assert inline.similar(iri, limit=50) == apart.similar(iri, limit=50)


def test_statements_handed_apart_without_the_graphs_named_beforehand(tmp_path, monkeypatch):
    # Told the graphs only when the build is asked for (not when the last one is written), the
    # build process still gets every statement, and its index answers as the one built here.
    monkeypatch.setattr(sr, "BUILD_PROCESS_FROM", 2)
    triples = review("A", "Review A", comment="A baby.", lessons=("Listen",)) + review(
        "B", "Review B", comment="A baby zebra.", risk=("young-parents",)
    )
    written = sr.WrittenStatements(snapshot=tmp_path)
    try:
        quads = list(written.quads(ID + "graph/one", triples))
        assert written.builds_apart and len(quads) == len(triples)
        sr.index_snapshot(tmp_path, ox.Store(), written)
    finally:
        written.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [sr.INDEX_DIR]
    apart = sr.SearchIndex.open_dir(tmp_path / sr.INDEX_DIR)
    here = ox.Store()
    here.extend(quads)
    inline = sr.build_index(sr.reader_pairs(here))
    assert _whole_answers(apart) == _whole_answers(inline)
    assert apart.search("baby").total == 2 and apart.documents() == inline.documents() == 5


def _garbled(monkeypatch) -> None:
    """The build process is handed a batch that is not N-Triples after the first real one."""
    real = sr.WrittenStatements._flush

    def garbled(self):
        first = not self.builds_apart
        real(self)
        if not first:
            return
        self._statements.write(b"this is not N-Triples\n")
        self._statements.flush()
        self._send("batch 22")

    monkeypatch.setattr(sr.WrittenStatements, "_flush", garbled)


def _killed(monkeypatch) -> None:
    """The build process is killed once it has its first statements."""
    real = sr.WrittenStatements._flush

    def killed(self):
        real(self)
        self._child.kill()

    monkeypatch.setattr(sr.WrittenStatements, "_flush", killed)


@pytest.mark.parametrize("breaking", [_garbled, _killed])
def test_a_failed_build_process_fails_the_load_and_leaves_store_and_index_as_they_were(
    tmp_path, monkeypatch, breaking
):
    store = DiskStore(tmp_path / "store")
    store.replace_graph(ID + "graph/one", review("A", "Review A", comment="A baby."))
    before = store.current_snapshot()
    handed = _loads_building_apart(monkeypatch, 1)
    children = []
    real_start = sr.WrittenStatements._start

    def start(self):
        real_start(self)
        children.append(self._child)

    monkeypatch.setattr(sr.WrittenStatements, "_start", start)
    breaking(monkeypatch)
    with pytest.raises(sr.SearchBuildError, match="could not be built"):
        store.replace_graph(ID + "graph/two", review("B", "Review B", comment="A giraffe."))
    assert handed and handed[-1].builds_apart and handed[-1]._child is None  # closed
    assert len(children) == 1 and children[0].poll() is not None  # ended and reaped
    assert store.current_snapshot() == before
    assert sorted(p.name for p in (store.path / SNAPSHOTS).iterdir()) == [before]
    assert sr.search(store, "giraffe").total == 0 and sr.search(store, "baby").total == 1


_HELD_LOAD = """
import sys
from scrkg.graph import search as sr
from scrkg.graph.store import DiskStore
import pyoxigraph as ox

sr.BUILD_PROCESS_FROM = 1
real = sr.WrittenStatements._flush

def held(self):
    real(self)
    print(self._child.pid, flush=True)
    sys.stdin.readline()  # held here, its build process started, until it is killed

sr.WrittenStatements._flush = held
node = ox.NamedNode("https://w3id.org/scrkg/id/review/A")
label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DiskStore(sys.argv[1]).replace_graph(
    "https://w3id.org/scrkg/id/graph/one", [ox.Triple(node, label, ox.Literal("Review A"))]
)
"""


def test_a_load_killed_outright_leaves_no_build_process_behind(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    import psutil

    load = subprocess.Popen(
        [sys.executable, "-c", _HELD_LOAD, str(tmp_path / "store")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        build = psutil.Process(int(load.stdout.readline()))
        assert build.is_running() and build.ppid() == load.pid
        ready = time.monotonic() + 30  # it opens the file of statements once set up
        while not any(f.path.endswith(sr.STATEMENTS_FILE) for f in build.open_files()):
            assert time.monotonic() < ready, "the build process never read its statements"
            time.sleep(0.02)
        # stopped, it cannot see the end of its input: only the system can end it now
        build.suspend()
    finally:
        os.kill(load.pid, signal.SIGKILL)
        load.wait()
        load.stdin.close()
        load.stdout.close()
    deadline = time.monotonic() + 30
    while True:
        try:
            if build.status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        if time.monotonic() > deadline:
            build.kill()
            pytest.fail("the build process outlived the load")
        time.sleep(0.02)


def test_a_load_that_fails_beside_its_build_process_stops_it(tmp_path, monkeypatch):
    store = DiskStore(tmp_path / "store")
    store.replace_graph(ID + "graph/one", review("A", "Review A", comment="A baby."))
    before = store.current_snapshot()
    monkeypatch.setattr(sr, "BUILD_PROCESS_FROM", 1)
    children = []

    def broken(snapshot, reader, written=None):
        children.append(written._child)
        raise RuntimeError("the load failed beside the build")

    monkeypatch.setattr(sr, "index_snapshot", broken)
    with pytest.raises(RuntimeError, match="beside the build"):
        store.replace_graph(ID + "graph/two", review("B", "Review B", comment="A giraffe."))
    assert children and children[0] is not None and children[0].poll() is not None
    assert store.current_snapshot() == before
    assert sorted(p.name for p in (store.path / SNAPSHOTS).iterdir()) == [before]
    assert sr.search(store, "giraffe").total == 0 and sr.search(store, "baby").total == 1


def test_an_old_snapshot_without_an_index_gets_one_in_memory(tmp_path):
    store = DiskStore(tmp_path / "store")
    store.replace_graph(ID + "graph/one", review("A", "Review A", comment="A baby."))
    shutil.rmtree(store.path / SNAPSHOTS / store.current_snapshot() / sr.INDEX_DIR)
    fresh = DiskStore(tmp_path / "store")
    assert sr.index_for(fresh).where == "memory"
    assert sr.search(fresh, "baby").total == 1


# -- the command line -------------------------------------------------------------------------


def test_the_search_and_similar_commands(runner):
    from scrkg.cli import main

    assert runner.invoke(main, ["load", "--bundled"]).exit_code == 0
    result = runner.invoke(main, ["search", "three-week-old", "baby", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "OFSTED-2009-10-CS1" in result.output.splitlines()[1]
    answer = json.loads(
        runner.invoke(main, ["search", "12-year-old girl views", "--format", "json"]).output
    )
    assert answer["hits"][0]["iri"] == CS2
    assert runner.invoke(main, ["search", '"', "*"]).exit_code == 2
    assert runner.invoke(main, ["search", "baby", "--filter", "nonsense"]).exit_code == 2
    similar = json.loads(runner.invoke(main, ["similar", CS2, "--format", "json"]).output)
    assert similar["similar"] and all(s["iri"] != CS2 for s in similar["similar"])
    table = runner.invoke(main, ["similar", CS2, "--limit", "2"])
    assert table.exit_code == 0 and "both have:" in table.output
    assert runner.invoke(main, ["similar", ID + "child/X"]).exit_code == 2


def test_a_build_leaves_the_cycle_collector_as_it_found_it(small_store, tmp_path):
    import gc

    assert gc.isenabled()
    sr.build_index(sr.store_pairs(small_store)).close()
    assert gc.isenabled()
    DiskStore(tmp_path / "store").replace_graph(ID + "graph/one", review("A", "Review A"))
    assert gc.isenabled()
    gc.disable()
    try:
        sr.build_index(sr.store_pairs(small_store)).close()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_process_given_one_core_builds_the_index_itself():
    # Two processes on one core would only take turns: a load there builds its index in the
    # loading process, whatever its size; with two cores, large loads build it apart.
    code = (
        "import os, sys; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))} if sys.argv[1] "
        "== '1' else os.sched_getaffinity(0)); from scrkg.graph import search; "
        "print(search.BUILD_PROCESS_FROM)"
    )
    answers = {
        cores: subprocess.run(
            [sys.executable, "-c", code, cores], capture_output=True, text=True, check=True
        ).stdout.strip()
        for cores in ("1", "all")
    }
    assert answers["1"] == "None"
    assert answers["all"] == ("50000" if len(os.sched_getaffinity(0)) > 1 else "None")
