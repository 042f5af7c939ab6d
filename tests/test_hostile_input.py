"""Hostile files and requests, collected in one place.

Every file below is refused by `load` (and `validate`) with a message naming the file and the
cause, and the store's triple count is unchanged. The same files, fed through `scrkg load` in a
subprocess, fail with one line and exit code 1. The loader's own tests (tests/test_loader_*.py)
cover each rule in more depth; this file is the checklist.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from served import Listener

from scrkg.graph.store import DiskStore
from scrkg.loader import LoadError, load_source, validate_source
from scrkg.loader.iris import Minter
from scrkg.web import create_app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "coded-reviews.csv"
CTX = "http://127.0.0.1:{port}/context.jsonld"

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n  <!ENTITY lol "lol">\n'
    + "".join(
        f'  <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="http://example.org/a"><rdf:value>&lol9;</rdf:value>'
    "</rdf:Description></rdf:RDF>\n"
)


def jsonld(context: object) -> bytes:
    return json.dumps({"@context": context, "@id": "http://example.org/a", "ex:p": "x"}).encode()


#: (file name, content, words the refusal must contain)
CASES: list[tuple[str, bytes, list[str]]] = [
    ("lolz.rdf", BILLION_LAUGHS.encode(), ["RDF/XML is not accepted", "Turtle"]),
    ("lolz.owl", BILLION_LAUGHS.encode(), ["RDF/XML (OWL) is not accepted"]),
    ("lolz.xml", BILLION_LAUGHS.encode(), ["RDF/XML is not accepted"]),
    ("disguised.ttl", BILLION_LAUGHS.encode(), ["is not valid RDF", "line 1"]),
    ("notes.n3", b"@prefix : <#> .", ["N3 is not accepted"]),
    ("remote.jsonld", jsonld(CTX), ["remote or file @context", "@context"]),
    ("file.jsonld", jsonld("file:///etc/passwd"), ["remote or file @context"]),
    ("listed.jsonld", jsonld([{"ex": "http://x/"}, CTX]), ["remote or file @context"]),
    ("import.jsonld", jsonld({"@import": CTX}), ["remote or file @context"]),
    (
        "scoped.jsonld",
        jsonld({"ex": {"@id": "http://example.org/p", "@context": CTX}}),
        ["$.@context.ex.@context"],
    ),
    (
        "escaped.jsonld",
        b'{"@cont\\u0065xt": "' + CTX.encode() + b'", "@id": "http://example.org/a"}',
        ["remote or file @context"],
    ),
    ("deep.jsonld", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", ["nested too deeply"]),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, ["nested too deeply"]),
    ("latin1.csv", EXAMPLES.read_bytes().replace(b"\n", b"\n\xe9", 1), ["not valid UTF-8"]),
    ("latin1.json", b'{"reviews": [{"review_id": "caf\xe9"}]}', ["not valid UTF-8"]),
    ("latin1.jsonld", b'{"@id": "http://example.org/caf\xe9"}', ["not valid UTF-8"]),
    ("latin1.ttl", b'<http://a> <http://b> "caf\xe9" .\n', ["Invalid UTF-8", "line 1"]),
    ("latin1.nt", b'<http://a> <http://b> "caf\xe9" .\n', ["Invalid UTF-8"]),
    ("broken.ttl", b'<a> <x:isAdmin> "true" . <b', ["is not valid RDF"]),
    ("duplicate.json", b'{"reviews": [], "reviews": []}', ["appears twice"]),
    ("nan.json", b'{"reviews": [NaN]}', ["not valid JSON"]),
    ("no-extension", b"whatever", ["without an extension", "Accepted formats"]),
    ("names.csv", b"review_id,name\nR1,Jane Smith\n", ["name"]),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> DiskStore:
    """An on-disk store holding the example coded reviews (and the ontology)."""
    store = DiskStore(tmp_path_factory.mktemp("hostile") / "store")
    load_source(store, EXAMPLES)
    return store


@pytest.mark.parametrize(("name", "content", "words"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_file_is_refused_with_its_cause_and_changes_nothing(
    store, tmp_path, name, content, words
):
    before = store.triple_count()
    path = tmp_path / name
    with Listener() as listener:
        path.write_bytes(content.replace(b"{port}", str(listener.port).encode()))
        with pytest.raises(LoadError) as refused:
            load_source(store, path)
        with pytest.raises(LoadError):
            validate_source(path)
    message = str(refused.value)
    assert name in message
    for word in words:
        assert word in message, message
    assert "\n" not in message.split("\n")[0]  # one line first, whatever follows
    assert store.triple_count() == before
    assert listener.connections == 0  # no context, entity or DTD was fetched


@pytest.mark.parametrize("suffix", [".csv", ".json", ".ttl", ".nt", ".nq", ".trig", ".jsonld"])
def test_every_kind_of_file_has_a_size_cap(store, tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("SCRKG_MAX_SOURCE_MB", "0.001")  # about 1 KB
    before = store.triple_count()
    path = tmp_path / f"big{suffix}"
    path.write_bytes(b" " * 2000)
    with pytest.raises(LoadError, match=r"over the [0-9.]+ MiB limit.*SCRKG_MAX_SOURCE_MB"):
        load_source(store, path)
    assert store.triple_count() == before


def test_ids_that_would_break_an_iri_are_encoded():
    minter = Minter("https://w3id.org/scrkg/id/")
    for hostile in ['a> <x:isAdmin> "true" . <b', "../../etc/passwd", "a b#c?d", "\u202e", "%41"]:
        iri = minter.review(hostile).value
        tail = iri.removeprefix("https://w3id.org/scrkg/id/review/")
        assert all(c.isalnum() or c in "-._~%" for c in tail), iri
        assert "/" not in tail and ">" not in iri and " " not in iri


def test_the_command_line_refuses_with_one_line_and_exit_code_1(store, tmp_path):
    bad = tmp_path / "lolz.rdf"
    bad.write_text(BILLION_LAUGHS)
    before = store.triple_count()
    result = subprocess.run(
        [sys.executable, "-m", "scrkg", "--store", str(store.path), "load", str(bad)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "RDF/XML is not accepted" in result.stderr
    assert "Traceback" not in result.stderr
    assert DiskStore(store.path).triple_count() == before


def test_every_request_is_capped(store):
    """Bodies by SCRKG_MAX_REQUEST_BYTES (413), query text by SCRKG_QUERY_MAX_LENGTH (413),
    whichever way the query comes."""
    client = create_app(
        {"STORE": store, "SCRKG_MAX_REQUEST_BYTES": 50_000, "SCRKG_QUERY_MAX_LENGTH": 5_000}
    ).test_client()
    body = "ASK { " + "?s ?p ?o . " * 10_000 + "}"  # 110 KB
    query = "ASK { " + "?s ?p ?o . " * 1_000 + "}"  # 11 KB
    assert (
        client.post("/sparql", data=body, content_type="application/sparql-query").status_code
        == 413
    )
    assert client.post("/sparql", data={"query": body}).status_code == 413
    assert client.post("/sparql", data={"query": query}).status_code == 413
    assert client.get("/sparql", query_string={"query": query}).status_code == 413
    assert client.get("/export", query_string={"query": query}).status_code == 413
    assert client.get("/api/view", query_string={"query": query}).status_code == 413
