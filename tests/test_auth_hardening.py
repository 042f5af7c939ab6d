"""Sign-ins that are not a fast, unmetered oracle, and an audit log that is whole and keyed.

A password check (scrypt) costs a large part of a core on purpose. These tests hold that an
unknown user costs as much as a known one, that failed sign-ins are limited per client address
and per user, that password checks never take the threads /health needs, that every refused
request is audited (static files too), that an audit record is written whole or the request
fails, and that the log names a query by a keyed hash.
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import errno
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import threading
import time
import types
import urllib.error
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from served import served

from scrkg.graph.store import DiskStore, MemoryStore
from scrkg.web import create_app, security
from scrkg.web.security import basic_entry, token_entry

PASSWORD = "correct horse battery staple"
ALICE = basic_entry("alice", PASSWORD)
BOB = basic_entry("bob", "another long password")
TOKEN, TOKEN_ENTRY = token_entry("monitor")
QUERY = "SELECT ?s { ?s ?p ?o } LIMIT 3"
EX = "https://example.org/"


def basic(user: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


BEARER = {"Authorization": f"Bearer {TOKEN}"}


def small_store() -> MemoryStore:
    store = MemoryStore()
    store.replace_graph(
        EX + "graph/one",
        [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o"))],
    )
    return store


def app_with(**settings: object):
    return create_app({"STORE": small_store(), **settings})


@pytest.fixture
def password_checks(monkeypatch) -> list[str]:
    """The password hashes checked, in order (each check is one scrypt)."""
    checked: list[str] = []
    real = security.check_password_hash

    def counting(hashed: str, password: str) -> bool:
        checked.append(hashed)
        return real(hashed, password)

    monkeypatch.setattr(security, "check_password_hash", counting)
    return checked


# -- basic auth is a slow, unmetered oracle -----------------------------------------------------


def test_known_and_unknown_users_take_the_same_time():
    """A wrong password for a known user and any password for an unknown one both cost one
    scrypt: the medians of the two may differ by at most a quarter."""
    client = app_with(SCRKG_AUTH=ALICE, SCRKG_AUTH_FAILURES=0).test_client()
    known, unknown = [], []
    for i in range(7):
        for user, times in (("alice", known), (f"nobody{i}", unknown)):
            started = time.perf_counter()
            response = client.get("/health", headers=basic(user, f"wrong password {i}"))
            times.append(time.perf_counter() - started)
            assert response.status_code == 401
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    print(f"known user {known_median * 1000:.0f} ms, unknown user {unknown_median * 1000:.0f} ms")
    assert abs(known_median - unknown_median) < 0.25 * max(known_median, unknown_median)


def test_failed_sign_ins_are_limited_per_client_and_per_user(password_checks):
    client = app_with(
        SCRKG_AUTH=f"{ALICE} {BOB}", SCRKG_AUTH_FAILURES=3, SCRKG_AUTH_FAILURE_WINDOW=60
    ).test_client()

    def sign_in(user: str, password: str, address: str):
        headers = basic(user, password)
        return client.get("/health", headers=headers, environ_base={"REMOTE_ADDR": address})

    for i in range(3):
        assert sign_in("alice", f"guess {i}", "10.0.0.1").status_code == 401
    assert len(password_checks) == 3
    limited = sign_in("alice", PASSWORD, "10.0.0.1")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "Too many failed sign-ins" in limited.get_data(as_text=True)
    assert sign_in("bob", "another long password", "10.0.0.1").status_code == 429  # the address
    assert sign_in("alice", PASSWORD, "10.0.0.2").status_code == 429  # the user, elsewhere
    assert len(password_checks) == 3  # no scrypt ran for a limited sign-in
    assert sign_in("bob", "another long password", "10.0.0.2").status_code == 200
    # an unknown name is limited just like a known one, so the limit tells nothing either
    for i in range(3):
        assert sign_in("nobody", "guess", f"10.0.1.{i}").status_code == 401
    assert sign_in("nobody", "guess", "10.0.1.9").status_code == 429


def test_the_limit_lifts_when_the_window_has_passed(monkeypatch):
    clock = [1000.0]  # the site's clock, moved by the test instead of waiting
    monkeypatch.setattr(security, "time", types.SimpleNamespace(monotonic=lambda: clock[0]))
    client = app_with(
        SCRKG_AUTH=ALICE, SCRKG_AUTH_FAILURES=2, SCRKG_AUTH_FAILURE_WINDOW=1
    ).test_client()
    for _ in range(2):
        assert client.get("/health", headers=basic("alice", "guess")).status_code == 401
    limited = client.get("/health", headers=basic("alice", PASSWORD))
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    clock[0] += 0.9
    assert client.get("/health", headers=basic("alice", PASSWORD)).status_code == 429
    clock[0] += 0.15
    assert client.get("/health", headers=basic("alice", PASSWORD)).status_code == 200


def test_a_signed_in_user_costs_one_password_check(password_checks):
    client = app_with(SCRKG_AUTH=ALICE).test_client()
    for _ in range(5):
        assert client.get("/health", headers=basic("alice", PASSWORD)).status_code == 200
    assert len(password_checks) == 1
    assert client.get("/health", headers=basic("alice", PASSWORD + "x")).status_code == 401
    assert len(password_checks) == 2  # a failure is never remembered


def test_a_sign_in_that_finds_the_checks_busy_is_refused_at_once():
    app = app_with(SCRKG_AUTH=f"{TOKEN_ENTRY} {ALICE}")
    client = app.test_client()
    assert client.get("/health", headers=basic("alice", PASSWORD)).status_code == 200
    checks = app.extensions["scrkg.auth"].checks
    assert checks.acquire(blocking=False)  # as while another sign-in is being checked
    try:
        started = time.perf_counter()
        busy = client.get("/health", headers=basic("alice", "a wrong password"))
        elapsed = time.perf_counter() - started
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert "busy checking other sign-ins" in busy.get_data(as_text=True)
        assert elapsed < 0.05, elapsed  # one scrypt takes more than 0.05 s
        assert client.get("/health", headers=basic("alice", PASSWORD)).status_code == 200
        assert client.get("/health", headers=BEARER).status_code == 200
    finally:
        checks.release()


def get(url: str, headers: dict[str, str], timeout: float = 30) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        with error:
            error.read()
            return error.code


def served_with_credentials(store: Path, env: dict[str, str]):  # noqa: ANN201
    """``scrkg serve`` on 127.0.0.1 that needs credentials: it is waited for with the token."""
    return served(store, env, headers=BEARER)


def test_health_stays_fast_while_wrong_passwords_flood_in(tmp_path):
    """20 clients send wrong passwords without pause (the failure limit off, so every one asks
    for a password check); /health, by token and by a signed-in user, answers within 1 s."""
    DiskStore(tmp_path / "store").replace_graph(
        EX + "graph/one",
        [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o"))],
    )
    env = {
        "SCRKG_AUTH": f"{TOKEN_ENTRY} {ALICE}",
        "SCRKG_AUTH_FAILURES": "0",
        "SCRKG_WARM_INTERVAL": "0",
    }
    with served_with_credentials(tmp_path / "store", env) as site:
        assert get(site + "/health", basic("alice", PASSWORD)) == 200  # signs in before
        stop = threading.Event()
        statuses: list[int] = []

        def flood(i: int) -> None:
            while not stop.is_set():
                statuses.append(get(site + "/health", basic("alice", f"wrong password {i}")))

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            flooding = [pool.submit(flood, i) for i in range(20)]
            try:
                time.sleep(1.0)
                health_times = []
                for i in range(10):
                    headers = BEARER if i % 2 else basic("alice", PASSWORD)
                    started = time.monotonic()
                    assert get(site + "/health", headers, timeout=10) == 200
                    health_times.append(time.monotonic() - started)
                    time.sleep(0.2)
            finally:
                stop.set()
            for future in flooding:
                future.result()
    print(
        f"/health under a flood of {len(statuses)} wrong passwords: "
        f"median {statistics.median(health_times) * 1000:.0f} ms, "
        f"max {max(health_times) * 1000:.0f} ms; "
        f"{statuses.count(401)} checked (401), {statuses.count(503)} turned away (503)"
    )
    assert max(health_times) < 1.0, health_times
    assert statuses.count(401) >= 5 and statuses.count(503) >= 20
    assert set(statuses) <= {401, 503}


# -- failed sign-ins on /static are not audited -------------------------------------------------


def test_refused_requests_for_static_files_are_audited(tmp_path):
    log = tmp_path / "audit.log"
    client = app_with(SCRKG_AUTH=f"{TOKEN_ENTRY} {ALICE}", SCRKG_AUDIT_LOG=str(log)).test_client()
    assert client.get("/static/site.css", headers=basic("alice", "wrong")).status_code == 401
    assert client.get("/static/query.js", headers={"Authorization": "Bearer x"}).status_code == 401
    assert client.get("/static/site.css").status_code == 401
    client.get("/static/site.css", headers=BEARER).close()  # served: not logged
    records = [json.loads(line) for line in log.read_text().splitlines()][1:]
    assert [r["status"] for r in records] == [401, 401, 401]
    assert {r["route"] for r in records} == {"/static/<path:filename>"}
    assert [r.get("auth") for r in records] == ["refused", "refused", None]


# -- audit log writes can be partial ------------------------------------------------------------


def audit_lines(log: Path) -> list[dict]:
    text = log.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]  # no line is cut or joined


def writes_to(log: Path, fd: int) -> bool:
    try:
        return os.readlink(f"/proc/self/fd/{fd}") == str(log)
    except OSError:
        return False


def test_a_record_written_in_pieces_is_written_whole(tmp_path, monkeypatch):
    log = tmp_path / "audit.log"
    client = app_with(SCRKG_AUDIT_LOG=str(log)).test_client()
    real_write = os.write

    def seven_bytes_at_a_time(fd: int, data: bytes) -> int:
        return real_write(fd, data[:7] if writes_to(log, fd) else data)

    monkeypatch.setattr(os, "write", seven_bytes_at_a_time)
    for _ in range(3):
        assert client.get("/health").status_code == 200
    assert [r["route"] for r in audit_lines(log)[1:]] == ["/health"] * 3


def test_a_record_that_cannot_be_written_whole_fails_the_request(tmp_path, monkeypatch):
    log = tmp_path / "audit.log"
    client = app_with(SCRKG_AUDIT_LOG=str(log)).test_client()
    assert client.get("/health").status_code == 200
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        if not writes_to(log, fd):
            return real_write(fd, data)
        if len(data) > 20:
            return real_write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", half_then_full)
    failed = client.get("/health")
    assert failed.status_code == 503
    assert "audit log cannot be written" in failed.get_data(as_text=True)
    monkeypatch.setattr(os, "write", real_write)
    assert client.get("/health").status_code == 200
    assert [r.get("route") for r in audit_lines(log)] == [None, "/health", "/health"]


def test_a_full_disk_stops_the_site_with_no_cut_line(tmp_path):
    """The audit log on a 64 KiB tmpfs, filled up: every answered request has its whole record,
    the first that cannot be recorded gets 503, and the site answers again once there is room."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode().strip()}")
    try:
        log = disk / "audit.log"
        client = app_with(SCRKG_AUDIT_LOG=str(log)).test_client()
        filler = disk / "filler"
        with open(filler, "wb", buffering=0) as out, contextlib.suppress(OSError):
            while True:  # until the disk is full
                out.write(b"x" * 512)
        answered = 0
        for _ in range(1000):
            status = client.get("/health").status_code
            if status != 200:
                break
            answered += 1
        assert status == 503
        assert len(audit_lines(log)) == 1 + answered  # the start, then one per answer
        filler.unlink()
        assert client.get("/health").status_code == 200
        assert len(audit_lines(log)) == 2 + answered
    finally:
        subprocess.run(["umount", str(disk)], check=True)


# -- the audit log's query hash is unsalted -----------------------------------------------------


def test_the_audit_log_names_a_query_by_a_keyed_hash(tmp_path):
    log = tmp_path / "audit.log"
    client = app_with(SCRKG_AUDIT_LOG=str(log)).test_client()
    other = "ASK { ?s ?p ?o }"
    for query in (QUERY, QUERY, other):
        assert client.get("/sparql", query_string={"query": query}).status_code == 200
    key_file = tmp_path / "audit.log.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    key = key_file.read_bytes()
    assert len(key) == 32
    first, again, third = audit_lines(log)[1:]
    assert "query_sha256" not in first
    assert first["query_hmac"] == again["query_hmac"] != third["query_hmac"]
    plain = hashlib.sha256(QUERY.encode()).hexdigest()
    assert first["query_hmac"] != plain and plain not in log.read_text()
    digest = hashlib.sha256(QUERY.encode()).digest()
    assert first["query_hmac"] == hmac.new(key, digest, hashlib.sha256).hexdigest()
    # the key stays with the log across restarts; another log has another key
    restarted = app_with(SCRKG_AUDIT_LOG=str(log)).test_client()
    restarted.get("/sparql", query_string={"query": QUERY})
    assert audit_lines(log)[-1]["query_hmac"] == first["query_hmac"]
    elsewhere = tmp_path / "other.log"
    app_with(SCRKG_AUDIT_LOG=str(elsewhere)).test_client().get(
        "/sparql", query_string={"query": QUERY}
    )
    assert audit_lines(elsewhere)[-1]["query_hmac"] != first["query_hmac"]
