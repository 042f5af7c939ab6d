"""The site's defences: headers, the Host allow-list, request limits, no debug mode, no route
that writes, data shown only as text, credentials and the audit log (tests/test_auth_hardening.py
holds the metering of password checks and the audit log's whole lines and keyed hash)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

import scrkg.web
from scrkg.graph.errors import SettingError
from scrkg.graph.store import MemoryStore
from scrkg.ontology import DEFAULT_BASE as ID
from scrkg.ontology import PREFIXES, SCR, SCRC
from scrkg.web import create_app
from scrkg.web.security import CSP, basic_entry, parse_auth, token_entry

WEB = Path(scrkg.web.__file__).parent
RDF, RDFS, SKOS = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["skos"]
PWN = "window.__pwned = 1"
HOSTILE = [
    f"<script>{PWN}</script>",
    f'<img src=x onerror="{PWN}">',
    f'"><svg onload="{PWN}"></svg>',
    f"javascript:{PWN}",
    "\u202eevil\u202c {{7*7}} {% raw %}",
]
REVIEW, CHILD = ID + "review/H1", ID + "child/H1-C1"
SECRET = "SECRET-LITERAL-4711"


def hostile_store() -> MemoryStore:
    def t(s, p, o):
        return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o)

    def n(iri):
        return ox.NamedNode(iri)

    store = MemoryStore()
    store.replace_graph(
        ID + "graph/hostile",
        [
            t(REVIEW, RDF + "type", n(SCR + "SeriousCaseReview")),
            t(REVIEW, RDFS + "label", ox.Literal("Review " + HOSTILE[0])),
            t(REVIEW, RDFS + "comment", ox.Literal(HOSTILE[1])),
            t(REVIEW, SCR + "concernsChild", n(CHILD)),
            t(CHILD, RDF + "type", n(SCR + "Child")),
            t(CHILD, RDFS + "label", ox.Literal("Child " + HOSTILE[2])),
            t(CHILD, RDFS + "comment", ox.Literal(HOSTILE[3])),
            t(CHILD, SCR + "outcome", n(SCRC + "died")),
            t(SCRC + "died", SKOS + "prefLabel", ox.Literal("died " + HOSTILE[4])),
            t(SCRC + "died", SKOS + "inScheme", n(SCRC + "outcomes")),
        ],
    )
    return store


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    return hostile_store()


PAGES = [
    "/",
    "/query",
    "/query?query=SELECT+*+%7B+%3Fs+%3Fp+%3Fo+%7D",
    "/explore",
    "/explore?focus=" + REVIEW,
    "/ontology",
    "/id/review/H1",
    "/id/child/H1-C1",
    "/def",
    "/concept/died",
    "/health",
    "/sparql?query=ASK+%7B%7D",
    "/export",
    "/api/node?iri=" + CHILD,
    "/static/site.css",
    "/static/query.js",
    "/no/such/page",
]


# -- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()  # static files are streamed
    assert response.status_code in (200, 404), path
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_policy_allows_no_other_origin_and_no_inline_script():
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    sources = " ".join(directives.values()).split()
    assert all(s in ("'self'", "'none'", "data:") for s in sources), sources
    assert "unsafe" not in CSP and "http" not in CSP and "*" not in CSP


def test_templates_have_no_inline_script_or_style_and_never_turn_escaping_off():
    for template in sorted((WEB / "templates").glob("*")):
        assert template.suffix == ".html", template  # autoescaped by Flask
        text = template.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), template
        assert not re.search(r"{%-?\s*autoescape", text), template
        assert "Markup" not in text, template
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template, tag)
        assert "<style" not in text, template
        assert not re.search(r"\sstyle\s*=", text), template
        assert not re.search(r"\son[a-z]+\s*=", text), template
        assert "javascript:" not in text, template
    for module in WEB.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert "Markup(" not in source and "render_template_string" not in source, module


def test_our_scripts_never_write_html():
    for script in (WEB / "static").glob("*.js"):
        text = script.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, (script, sink)
        assert "new Function" not in text, script


@pytest.mark.parametrize(
    "path", ["/", "/explore?focus=" + REVIEW, "/id/review/H1", "/id/child/H1-C1", "/ontology"]
)
def test_hostile_labels_reach_the_page_as_text(client, path):
    html = client.get(path).get_data(as_text=True)
    assert "<script>window" not in html
    assert "<img src=x" not in html and "<svg onload" not in html
    assert 'onerror="window' not in html
    if path.startswith("/id/"):
        assert "&lt;script&gt;" in html or "&lt;svg" in html or "&lt;img" in html


# -- hosts, limits, debug, methods ------------------------------------------------------------


def test_hosts_outside_the_allow_list_are_refused(store):
    client = create_app({"STORE": store}).test_client()
    assert client.get("/health", base_url="http://localhost").status_code == 200
    assert client.get("/health", base_url="http://127.0.0.1:5000").status_code == 200
    assert client.get("/health", base_url="http://[::1]:5000").status_code == 200
    refused = client.get("/", base_url="http://attacker.example")
    assert refused.status_code == 400
    assert "SCRKG_ALLOWED_HOSTS" in refused.get_data(as_text=True)
    assert client.get("/", headers={"Host": "127.0.0.1.attacker.example"}).status_code == 400
    named = create_app({"STORE": store, "SCRKG_ALLOWED_HOSTS": "scrkg.example.org"}).test_client()
    assert named.get("/health", base_url="https://scrkg.example.org").status_code == 200
    assert named.get("/health", base_url="http://localhost").status_code == 400
    anyone = create_app({"STORE": store, "SCRKG_ALLOWED_HOSTS": "*"}).test_client()
    assert anyone.get("/health", base_url="http://anything.example").status_code == 200


def test_request_bodies_over_the_limit_get_413(store):
    client = create_app({"STORE": store, "SCRKG_MAX_REQUEST_BYTES": 10_000}).test_client()
    big = "ASK { " + "?s ?p ?o . " * 2000 + "}"
    for response in (
        client.post("/sparql", data=big, content_type="application/sparql-query"),
        client.post("/sparql", data={"query": big}),
    ):
        assert response.status_code == 413
        assert "SCRKG_MAX_REQUEST_BYTES" in response.get_data(as_text=True)
    assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 200


def test_there_is_no_debug_mode(store, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app({"STORE": store})
    assert app.debug is False
    app.debug = True  # as `flask run --debug` or app.run(debug=True) would
    response = app.test_client().get("/")
    assert response.status_code == 500
    assert "debug mode" in response.get_data(as_text=True)


def test_no_route_writes(store):
    """Every rule answers GET, HEAD and OPTIONS only; /sparql also takes POST, for queries."""
    app = create_app({"STORE": store})
    seen = set()
    for rule in app.url_map.iter_rules():
        allowed = {"GET", "HEAD", "OPTIONS"} | ({"POST"} if rule.rule == "/sparql" else set())
        assert rule.methods <= allowed, (rule.rule, rule.methods)
        seen.add(rule.rule)
    assert {"/sparql", "/export", "/health", "/static/<path:filename>"} <= seen
    client = app.test_client()
    for method in ("put", "delete", "patch"):
        response = getattr(client, method)("/sparql", data="x")
        assert response.status_code == 405
        assert "only reads" in response.get_data(as_text=True)
        assert "POST" in response.headers["Allow"]
    assert client.post("/export").status_code == 405
    assert client.post("/").status_code == 405


# -- credentials ------------------------------------------------------------------------------


def basic(user: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@pytest.fixture(scope="module")
def secured(store):
    token, token_setting = token_entry("monitor")
    password = "correct horse battery staple"
    setting = f"{token_setting} {basic_entry('alice', password)}"
    assert token not in setting and password not in setting  # only hashes are stored
    app = create_app({"STORE": store, "SCRKG_AUTH": setting})
    return app.test_client(), token, password


@pytest.mark.parametrize("path", PAGES)
def test_every_route_needs_credentials(secured, path):
    client, token, password = secured
    refused = client.get(path)
    assert refused.status_code == 401, path
    challenges = refused.headers.getlist("WWW-Authenticate")
    assert any(c.startswith("Basic ") for c in challenges)
    assert any(c.startswith("Bearer ") for c in challenges)
    assert refused.headers["Content-Security-Policy"] == CSP
    for headers in ({"Authorization": f"Bearer {token}"}, basic("alice", password)):
        response = client.get(path, headers=headers)
        response.close()
        assert response.status_code in (200, 404), (path, headers)
        assert response.headers["Cache-Control"] == "no-store"


def test_wrong_credentials_are_refused(secured):
    client, token, password = secured
    for headers in (
        {"Authorization": f"Bearer {token}x"},
        {"Authorization": "Bearer "},
        basic("alice", password + "x"),
        basic("bob", password),
        basic("alice", ""),
        {"Authorization": f"Basic {token}"},
        {"Authorization": "Digest username=alice"},
    ):
        assert client.get("/sparql?query=ASK+%7B%7D", headers=headers).status_code == 401
    assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 401
    assert client.get("/export").status_code == 401


def test_the_auth_setting_holds_only_hashes_in_a_checked_form():
    assert parse_auth("") == []
    for bad in (
        "token:monitor:not-a-hash",
        "token:plain-secret-token",
        "basic:alice:plain-password",
        "basic::scrypt:1$2$3",
        "digest:alice:x",
    ):
        with pytest.raises(SettingError, match="SCRKG_AUTH"):
            parse_auth(bad)
    with pytest.raises(SettingError):
        basic_entry("alice", "short")


# -- the audit log ----------------------------------------------------------------------------


def test_the_audit_log_records_who_ran_which_query_without_data(store, tmp_path):
    log = tmp_path / "audit.log"
    token, setting = token_entry("analyst")
    app = create_app({"STORE": store, "SCRKG_AUTH": setting, "SCRKG_AUDIT_LOG": str(log)})
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    query = f'SELECT ?label {{ ?s rdfs:label ?label FILTER(?label != "{SECRET}") }}'
    assert client.get("/sparql", query_string={"query": query}, headers=auth).status_code == 200
    assert client.get("/id/child/H1-C1", headers=auth).status_code == 200
    refused = "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert client.post("/sparql", data={"query": refused}, headers=auth).status_code == 400
    assert client.get("/sparql", query_string={"query": query}).status_code == 401
    client.get("/static/site.css", headers=auth).close()

    text = log.read_text(encoding="utf-8")
    assert SECRET not in text and "H1-C1" not in text and "SERVICE" not in text
    for value in HOSTILE:
        assert value not in text
    assert "Child" not in text and "Review" not in text  # no labels, no data values
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    records = [json.loads(line) for line in text.splitlines()]
    assert records[0]["event"] == "start"
    ran, page, bad, anonymous = records[1:]
    assert ran["user"] == "analyst" and ran["route"] == "/sparql" and ran["status"] == 200
    key = (tmp_path / "audit.log.key").read_bytes()
    digest = hashlib.sha256(query.encode()).digest()
    assert ran["query_hmac"] == hmac.new(key, digest, hashlib.sha256).hexdigest()
    assert ran["query_length"] == len(query) and ran["rows"] == 2
    assert {"time", "client", "method", "ms", "seconds"} <= set(ran)
    assert page["route"] == "/id/<path:path>" and page["status"] == 200
    assert bad["status"] == 400 and bad["query_length"] == len(refused) and "rows" not in bad
    assert anonymous["user"] == "-" and anonymous["status"] == 401
    assert len(records) == 5  # static files are logged only when refused


def test_an_audit_log_that_cannot_be_written_stops_the_site(store, tmp_path):
    with pytest.raises(SettingError, match="SCRKG_AUDIT_LOG"):
        create_app({"STORE": store, "SCRKG_AUDIT_LOG": str(tmp_path / "missing" / "a.log")})
    log = tmp_path / "audit.log"
    client = create_app({"STORE": store, "SCRKG_AUDIT_LOG": str(log)}).test_client()
    log.unlink()
    log.mkdir()  # now it cannot be appended to
    response = client.get("/health")
    assert response.status_code == 503
    assert "audit log" in response.get_data(as_text=True)


def test_scrkg_credentials_prints_entries_that_the_site_accepts(store):
    from click.testing import CliRunner

    from scrkg.cli import main

    runner = CliRunner()
    made = runner.invoke(main, ["credentials", "token", "monitor"])
    assert made.exit_code == 0, made.output
    entry = made.output.split("SCRKG_AUTH entry: ")[1].split()[0]
    token = made.output.rsplit(": ", 1)[1].strip()
    assert token not in entry
    password = "a long enough password"
    basic_made = runner.invoke(
        main, ["credentials", "basic", "alice", "--password-stdin"], input=password + "\n"
    )
    assert basic_made.exit_code == 0, basic_made.output
    basic_setting = basic_made.output.split("SCRKG_AUTH entry: ")[1].strip()
    assert password not in basic_setting
    client = create_app({"STORE": store, "SCRKG_AUTH": f"{entry} {basic_setting}"}).test_client()
    assert client.get("/health", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/health", headers=basic("alice", password)).status_code == 200
    assert client.get("/health").status_code == 401
    short = runner.invoke(main, ["credentials", "basic", "bob", "--password-stdin"], input="x\n")
    assert short.exit_code == 2 and "12 characters" in short.output
