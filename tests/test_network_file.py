"""A network as one HTML page (web/network_file.py): `scrkg network` and /network.html.

The page must open anywhere without asking any server for anything, show hostile labels as
text, mark synthetic records, say where its data came from and when, and list every node and
link in tables. Bad input is one line on stderr, and no file.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import stat
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from scrkg.cli import main
from scrkg.graph import patterns as pt
from scrkg.graph.store import DiskStore, MemoryStore
from scrkg.web import network_file as nf

H = "https://w3id.org/scrkg/id/"
C = "https://w3id.org/scrkg/concept/"
REVIEW = H + "review/HOSTILE-1"
REAL_REVIEW = H + "review/REAL-1"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
COMMENT = "<!-- the inline scripts --> & 'quoted' \u202eevil"


def hostile_turtle() -> str:
    """A synthetic review and a real one, each of two children with two risk factors (so that
    the pattern has an associated pair), labels that try to break out of HTML and script."""

    def lit(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "@prefix scr: <https://w3id.org/scrkg/def#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        f"<{REVIEW}> a scr:SeriousCaseReview ; rdfs:label {lit('Review ' + IMG)} ;",
        "  scr:isSynthetic true ;",
        f"  scr:concernsChild <{H}child/H-1>, <{H}child/H-2> .",
        f"<{REAL_REVIEW}> a scr:SeriousCaseReview ; rdfs:label {lit('Real review ' + COMMENT)} ;",
        f"  scr:concernsChild <{H}child/R-1>, <{H}child/R-2> .",
    ]
    for child, synthetic in (("H-1", True), ("H-2", True), ("R-1", False), ("R-2", False)):
        flag = " scr:isSynthetic true ;" if synthetic else ""
        lines.append(
            f"<{H}child/{child}> a scr:Child ;{flag} rdfs:label {lit('Child ' + SCRIPT)} ;"
            f" scr:hasRiskFactor <{C}hostile-a>, <{C}hostile-b> ."
        )
    lines += [
        f"<{C}hostile-a> skos:prefLabel {lit('factor ' + SCRIPT)} ;"
        f" skos:inScheme <{C}risk-factors> .",
        f"<{C}hostile-b> skos:prefLabel {lit('factor ' + IMG)} ; skos:inScheme <{C}risk-factors> .",
    ]
    return "\n".join(lines) + "\n"


def hostile_triples() -> list[ox.Triple]:
    return list(ox.parse(hostile_turtle(), ox.RdfFormat.TURTLE))


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    store.replace_graph(H + "graph/hostile", hostile_triples())
    return store


class Page(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._open: str | None = None
        self._attrs: dict[str, str | None] = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open, self._attrs = tag, dict(attrs)

    def handle_data(self, data):
        if self._open == "script":
            self.scripts.append((self._attrs, data))
        elif self._open == "style":
            self.styles.append(data)

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None

    def policy(self) -> dict[str, list[str]]:
        for tag, attrs in self.tags:
            if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
                return {d.split()[0]: d.split()[1:] for d in (attrs["content"] or "").split(";")}
        raise AssertionError("no Content-Security-Policy in the page")

    def data(self) -> dict:
        [(_, text)] = [(a, t) for a, t in self.scripts if a.get("type") == "application/json"]
        return json.loads(text)


def digest(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


def assert_self_contained(text: str) -> Page:
    page = Page(text)
    for tag, attrs in page.tags:
        for name in ("src", "href", "action", "data", "poster", "srcset"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:")), (tag, name, value)
        assert tag not in ("link", "iframe", "img", "object", "embed", "form", "base"), tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    scripts = [(attrs, body) for attrs, body in page.scripts]
    assert all("src" not in attrs for attrs, _ in scripts)
    inline = [body for attrs, body in scripts if attrs.get("type") != "application/json"]
    assert len(inline) == 2  # vis-network and the page's own
    assert "vis-network" in inline[0][:400] and "@license" in inline[0][:2000]
    policy = page.policy()
    assert policy["default-src"] == ["'none'"]
    assert sorted(policy["script-src"]) == sorted(digest(body) for body in inline)
    assert sorted(policy["style-src"]) == sorted(digest(body) for body in page.styles)
    assert "connect-src" not in policy and "unsafe" not in str(policy)
    assert "Licence of vis-network" in text and "Apache License" in text
    return page


def focus_page(store, iri: str = REVIEW, **render) -> str:
    return nf.render(nf.focus_network(store, iri), source="the store at test-store", **render)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def test_the_page_asks_no_other_host_for_anything(store):
    assert_self_contained(focus_page(store))
    pattern = pt.co_occurrence(store, "risk-factors", min_cases=1)
    assert_self_contained(nf.render(nf.pattern_network(store, pattern), source="x"))


def test_hostile_labels_stay_text(store):
    text = focus_page(store)
    page = Page(text)
    for hostile in (IMG, SCRIPT, "<!-- the inline scripts -->"):
        assert hostile not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in text
    assert [tag for tag, _ in page.tags].count("script") == 3
    assert not [tag for tag, _ in page.tags if tag == "img"]
    data = page.data()
    labels = {node["id"]: node for node in data["nodes"]}
    assert labels[REVIEW]["title"].startswith("Review " + IMG)  # the JSON gives the text back
    assert labels[H + "child/H-1"]["title"].startswith("Child " + SCRIPT)
    # The bidirectional override is shown, not obeyed (as the explorer shows it).
    text = focus_page(store, REAL_REVIEW)
    labels = {node["id"]: node for node in Page(text).data()["nodes"]}
    assert "[U+202E]evil" in labels[REAL_REVIEW]["title"]
    assert "\u202e" not in text and "<!-- the inline scripts -->" not in text


def test_synthetic_records_are_marked(store):
    everything = store.query("SELECT ?x WHERE { ?x a ?type }")
    data = nf.query_network(store, everything, "q")
    page = Page(nf.render(data, source="x"))
    nodes = {node["id"]: node for node in page.data()["nodes"]}
    assert len(nodes) == 6
    assert nodes[REVIEW]["shapeProperties"] == {"borderDashes": [4, 3]}
    assert nodes[H + "child/H-1"]["synthetic"] is True
    assert "Synthetic record" in nodes[H + "child/H-1"]["title"]
    assert "shapeProperties" not in nodes[REAL_REVIEW]
    assert not nodes[REAL_REVIEW]["synthetic"]
    assert "Synthetic record" not in nodes[REAL_REVIEW]["title"]
    assert data.synthetic_nodes == 3 and data.includes_synthetic
    assert nf.download_name(data).endswith("-includes-synthetic.html")
    text = nf.render(data, source="x")
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>", text, re.S)
    tagged = [row for row in rows if "synthetic-tag" in row]
    assert len(rows) == 6 and len(tagged) == 3
    assert not [row for row in tagged if "Real review" in row]
    assert "3 of the 6 resources are generated examples" in " ".join(text.split())

    real = nf.focus_network(store, H + "child/R-1")
    assert real.synthetic_nodes == 0 and not real.includes_synthetic
    assert not nf.download_name(real).endswith("-includes-synthetic.html")
    assert "Contains synthetic records" not in nf.render(real, source="x")


def test_the_page_names_its_source_and_date(store):
    when = dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    text = focus_page(store, when=when)
    assert "the store at test-store" in text
    assert '<time datetime="2025-03-04T05:06:07+00:00">04 March 2025 at 05:06 UTC</time>' in text
    assert REVIEW in text
    query = "SELECT ?r WHERE { ?r a scr:SeriousCaseReview } # <b>&"
    results = store.query("SELECT ?r WHERE { ?r a scr:SeriousCaseReview }")
    text = nf.render(nf.query_network(store, results, query), source="x")
    assert "SELECT ?r WHERE { ?r a scr:SeriousCaseReview } # &lt;b&gt;&amp;" in text


def test_the_tables_list_every_node_and_link(store):
    data = nf.focus_network(store, REVIEW)
    page = Page(nf.render(data, source="x"))
    vis = page.data()
    assert len(vis["nodes"]) == data.graph.number_of_nodes() == 3  # the review, two children
    assert len(vis["edges"]) == data.graph.number_of_edges() == 2
    assert all(edge["arrows"] == "to" for edge in vis["edges"])
    text = nf.render(data, source="x")
    assert "<caption>3 nodes</caption>" in text and "<caption>2 links</caption>" in text
    assert text.count("<td>concerns child</td>") == 2


def test_a_query_result_and_a_pattern_as_networks(store):
    select = store.query("SELECT ?c WHERE { ?c a scr:Child }")
    data = nf.query_network(store, select, "q")
    assert set(data.graph.nodes) == {H + f"child/{c}" for c in ("H-1", "H-2", "R-1", "R-2")}
    sparql = (
        "CONSTRUCT { ?r scr:concernsChild ?c } WHERE { ?r scr:concernsChild ?c "
        f"FILTER(?r = <{REAL_REVIEW}>) }}"
    )
    construct = list(store.query(sparql))
    data = nf.query_network(store, construct, "q")
    assert data.graph.number_of_nodes() == 3 and data.graph.number_of_edges() == 2
    assert not data.includes_synthetic

    pattern = pt.co_occurrence(store, "risk-factors", min_cases=1)
    data = nf.pattern_network(store, pattern)
    assert data.graph.number_of_nodes() == 2 and data.graph.number_of_edges() == 0  # lift 1
    assert any("not associated" in note for note in data.notes)
    assert data.includes_synthetic


@pytest.mark.parametrize(
    "sparql, message",
    [
        ("ASK { ?s ?p ?o }", "ASK query"),
        ("SELECT ?n WHERE { BIND(1 AS ?n) }", "names no resources"),
    ],
)
def test_a_query_that_gives_no_network_is_refused(store, sparql, message):
    with pytest.raises(nf.NetworkFileError, match=message):
        nf.query_network(store, store.query(sparql), sparql)


def test_an_unknown_resource_is_refused(store):
    with pytest.raises(nf.NetworkFileError, match="holds nothing about"):
        nf.focus_network(store, "https://example.org/nothing")
    with pytest.raises(nf.NetworkFileError, match="not an IRI"):
        nf.focus_network(store, "not an iri")


# ---------------------------------------------------------------------------------------------
# scrkg network
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def cli_store(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "cli-store"
    DiskStore(path).replace_graph(H + "graph/hostile", hostile_triples())
    monkeypatch.setenv("SCRKG_STORE", str(path))
    monkeypatch.delenv("SCRKG_ENDPOINT", raising=False)
    return path


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640)])
@pytest.mark.parametrize("how", ["focus", "select", "construct", "pattern"])
def test_scrkg_network_writes_a_group_readable_page(
    runner, cli_store, tmp_path, umask, mask, mode, how
):
    select = tmp_path / "children.rq"
    select.write_text("SELECT ?c WHERE { ?c a scr:Child }\n", encoding="utf-8")
    construct = tmp_path / "links.rq"
    construct.write_text(
        "CONSTRUCT { ?r scr:concernsChild ?c } WHERE { ?r scr:concernsChild ?c }\n",
        encoding="utf-8",
    )
    options = {
        "focus": ["--focus", REVIEW],
        "select": ["--query", str(select)],
        "construct": ["--query", str(construct)],
        "pattern": ["--pattern", "risk-factors", "--min-cases", "1"],
    }[how]
    out = tmp_path / "network.html"
    umask(mask)
    result = runner.invoke(main, ["network", *options, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == mode
    text = out.read_text(encoding="utf-8")
    page = assert_self_contained(text)
    assert f"the store at {cli_store}" in text
    assert IMG not in text and SCRIPT not in text
    nodes = page.data()["nodes"]
    assert nodes and f"wrote {out} ({len(nodes)} nodes" in result.stderr
    assert "SYNTHETIC" in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".network.html")]


@pytest.mark.parametrize(
    "options, query, message",
    [
        (["--focus", "https://example.org/nothing"], None, "holds nothing about"),
        (["--focus", "not an iri"], None, "is not an IRI"),
        (["--query", "{query}"], "ASK { ?s ?p ?o }", "ASK query"),
        (["--query", "{query}"], "SELECT WHERE {", "not valid"),
        (["--query", "{query}"], "INSERT DATA { <a:b> <a:c> <a:d> }", "read-only"),
        (["--query", "{query}"], "SELECT ?n WHERE { BIND(1 AS ?n) }", "names no resources"),
        (["--query", "{folder}/missing.rq"], None, "No such file"),
        (["--pattern", "no-such-pattern"], None, "Unknown pattern"),
        (["--pattern", "themes", "--outcome", "lost"], None, "outcome"),
        ([], None, "Give one of"),
        (["--focus", REVIEW, "--pattern", "themes"], None, "Give one of"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    runner, cli_store, tmp_path, options, query, message
):
    path = tmp_path / "query.rq"
    if query is not None:
        path.write_text(query, encoding="utf-8")
    options = [o.format(query=path, folder=tmp_path) for o in options]
    out = tmp_path / "out.html"
    result = runner.invoke(main, ["network", *options, "-o", str(out)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert lines[0].startswith("Error: ")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if "out.html" in p.name) == []


# ---------------------------------------------------------------------------------------------
# /network.html
# ---------------------------------------------------------------------------------------------


def test_the_site_sends_the_same_page_as_a_download(client):
    response = client.get("/network.html?focus=" + quote(REVIEW, safe=""))
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=scrkg-network-HOSTILE-1-includes-synthetic.html"
    assert response.headers["X-SCRKG-Synthetic"] == "true"
    text = response.get_data(as_text=True)
    page = assert_self_contained(text)
    assert "the scrkg site at http://localhost/" in text
    assert {n["id"] for n in page.data()["nodes"]} == {REVIEW, H + "child/H-1", H + "child/H-2"}
    # Served from the site it keeps the site's strict policy, so its inline script never runs
    # on the site's origin.
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_site_saves_a_pattern_with_its_filters(client):
    response = client.get("/network.html?pattern=risk-factors&min-cases=1")
    assert response.status_code == 200
    assert (
        "scrkg-network-risk-factors-includes-synthetic.html"
        in response.headers["Content-Disposition"]
    )
    text = response.get_data(as_text=True)
    assert "4 children (all cases)" in text
    refused = client.get("/network.html?pattern=risk-factors&min-cases=0")
    assert refused.status_code == 400 and b"min-cases" in refused.data


@pytest.mark.parametrize(
    "query, status, message",
    [
        ("", 400, "Give one of"),
        ("focus=" + quote("https://example.org/nothing", safe=""), 404, "holds nothing"),
        ("focus=nothing", 400, "not an IRI"),
        ("pattern=nothing", 404, "Unknown pattern"),
        ("view=nothing", 404, "no saved view"),
        ("focus=" + quote(REVIEW, safe="") + "&pattern=themes", 400, "Give one of"),
    ],
)
def test_the_site_refuses_bad_requests_in_one_line(client, query, status, message):
    response = client.get("/network.html?" + query)
    assert response.status_code == status
    assert response.content_type == "text/plain; charset=utf-8"
    assert message in response.get_data(as_text=True)
    assert "Content-Disposition" not in response.headers


def test_the_explorer_and_patterns_pages_offer_to_save(client):
    explore = client.get("/explore?focus=" + quote(REVIEW, safe="")).get_data(as_text=True)
    link = re.search(r'<a id="save-page" href="([^"]+)" download', explore)
    assert link and link.group(1) == "/network.html?focus=" + quote(REVIEW)
    assert client.get(link.group(1)).status_code == 200
    patterns = client.get("/patterns/risk-factors?min-cases=1").get_data(as_text=True)
    link = re.search(r'<a id="save-page" href="([^"]+)" download', patterns)
    assert link and link.group(1) == "/network.html?pattern=risk-factors&amp;min-cases=1"
    assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200
