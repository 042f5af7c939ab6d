"""What makes the site safe to publish: hosts, credentials, headers, limits, the audit log.

:func:`init_app` installs, for every request (static files included):

1. **Host allow-list** (SCRKG_ALLOWED_HOSTS): a request for any other Host gets 400, which
   stops DNS-rebinding pages from reading the site through a browser.
2. **Credentials** (SCRKG_AUTH): when set, every route answers 401 without a valid bearer token
   or HTTP basic user and password. The setting holds only hashes: ``token:NAME:SHA256HEX`` (the
   SHA-256 of a random token, for programs) or ``basic:USER:HASH`` (a werkzeug password hash,
   scrypt or pbkdf2, for people with browsers); several entries are separated by spaces.
   ``scrkg credentials`` makes them. Password checks are metered (:class:`Authenticator`):
   failed sign-ins are limited per client address and per user name (SCRKG_AUTH_FAILURES in
   SCRKG_AUTH_FAILURE_WINDOW, then 429), at most SCRKG_AUTH_CHECKS run at once (others 503),
   and an unknown user costs the same time as a known one.
3. **Headers**: a Content-Security-Policy that allows nothing from another origin and no inline
   script or style, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
   ``X-Frame-Options: DENY`` (with ``frame-ancestors 'none'``), and, when credentials are
   required, ``Cache-Control: no-store``.
4. **Limits**: the request body is capped (SCRKG_MAX_REQUEST_BYTES, 413); the app refuses to
   answer in debug mode; a method a route does not take gets 405 with the methods it does.
5. **Audit log** (SCRKG_AUDIT_LOG): one JSON line per request (static files only when
   refused): time, user, client address, method, route *rule* (``/id/<path:path>``, never the
   path, which may hold an id), status, why credentials were refused, and for a query a keyed
   hash of it (``query_hmac``), its length, rows, whether it was cut, and seconds. No query
   text, no data values. If a record cannot be written whole the site answers 503 rather than
   go unaudited.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import hmac
import json
import math
import os
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, g, request
from werkzeug.security import check_password_hash, generate_password_hash

from scrkg.graph.errors import SettingError
from scrkg.web.errors import text_response

#: The Content-Security-Policy of every response: nothing from another origin, no inline script
#: or style, no plugins, no framing, forms and fetches only to this site.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_HEADERS_LOWER = tuple((name, name.lower(), value) for name, value in HEADERS.items())
REALM = "scrkg"
_PASSWORD_CACHE_SECONDS = 300
_PASSWORD_CACHE_SIZE = 256


# -- credentials --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    scheme: str  # "token" or "basic"
    user: str  # the name the audit log records
    secret_hash: str  # token: SHA-256 hex of the token; basic: a werkzeug password hash


def parse_auth(setting: str) -> list[Credential]:
    """The entries of SCRKG_AUTH; an empty setting means no credentials are required."""
    credentials = []
    for entry in setting.split():
        scheme, _, rest = entry.partition(":")
        if scheme == "token":
            name, _, digest = rest.rpartition(":")
            digest = digest.lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise SettingError(
                    "SCRKG_AUTH: a token entry is token:NAME:SHA256 where SHA256 is the 64 hex "
                    "digits of the token's SHA-256 (never the token itself); "
                    "`scrkg credentials token NAME` makes one."
                )
            credentials.append(Credential("token", name or "token", digest))
        elif scheme == "basic":
            user, _, hashed = rest.partition(":")
            if not user or not hashed.startswith(("scrypt:", "pbkdf2:")) or "$" not in hashed:
                raise SettingError(
                    "SCRKG_AUTH: a basic entry is basic:USER:HASH where HASH is a scrypt or "
                    "pbkdf2 password hash (never the password); "
                    "`scrkg credentials basic USER` makes one."
                )
            credentials.append(Credential("basic", user, hashed))
        else:
            raise SettingError(
                f"SCRKG_AUTH: {scheme!r} is not a kind of credential; use token:NAME:SHA256 or "
                "basic:USER:HASH (several separated by spaces), or leave it empty."
            )
    return credentials


def token_entry(name: str) -> tuple[str, str]:
    """A new random bearer token and the SCRKG_AUTH entry that accepts it."""
    if not name or ":" in name or any(c.isspace() for c in name):
        raise SettingError("A token's NAME must be a word without ':' or spaces.")
    token = secrets.token_urlsafe(32)
    return token, f"token:{name}:{hashlib.sha256(token.encode()).hexdigest()}"


def basic_entry(user: str, password: str) -> str:
    """The SCRKG_AUTH entry for an HTTP basic user and password (the password only hashed)."""
    if not user or ":" in user or any(c.isspace() for c in user):
        raise SettingError("A user name must be a word without ':' or spaces.")
    if len(password) < 12:
        raise SettingError("Choose a password of at least 12 characters.")
    return f"basic:{user}:{generate_password_hash(password)}"


class FailureLimit:
    """Failed sign-ins counted per key (a client address, a user name) over a sliding window.

    Keys are forgotten oldest first beyond ``keys``, so made-up user names cannot fill memory."""

    def __init__(self, most: int, window: float, keys: int = 10_000) -> None:
        self.most, self.window, self.keys = most, window, keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again; 0 when it may now."""
        if self.most <= 0:
            return 0.0
        with self._lock:
            times = self._failures.get(key)
            while times and times[0] <= now - self.window:
                times.popleft()
            if not times:
                self._failures.pop(key, None)
                return 0.0
            return times[0] + self.window - now if len(times) >= self.most else 0.0

    def fail(self, key: str, now: float) -> None:
        if self.most <= 0:
            return
        with self._lock:
            times = self._failures.setdefault(key, deque(maxlen=self.most))
            times.append(now)
            self._failures.move_to_end(key)
            while len(self._failures) > self.keys:
                self._failures.popitem(last=False)


class Authenticator:
    """Checks a request's Authorization header against the configured credentials.

    A password check (scrypt) is slow on purpose, so it is guarded four ways:

    * an unknown user name is checked against a dummy hash made like the first user's, so it
      takes as long as a known user with a wrong password and the time tells nothing;
    * after ``failures`` failed sign-ins within ``window`` seconds from one client address, or
      for one user name (known or not), the next get 429 with Retry-After and no check runs;
    * at most ``checks`` password checks run at once; a sign-in that finds them all busy gets
      503 with Retry-After at once, so a flood of guesses cannot take the threads that serve
      pages and /health;
    * a verified user and password is remembered for a few minutes (under an HMAC with a key of
      this process, never the password), so a signed-in user's requests cost no scrypt.

    Bearer tokens are random 256-bit values checked by one SHA-256: guessing them is hopeless,
    so they are neither limited nor counted.
    """

    def __init__(
        self,
        credentials: list[Credential],
        *,
        failures: int = 10,
        window: float = 300,
        checks: int = 1,
    ) -> None:
        self.tokens = [c for c in credentials if c.scheme == "token"]
        self.basics = [c for c in credentials if c.scheme == "basic"]
        self.by_client = FailureLimit(failures, window)
        self.by_user = FailureLimit(failures, window)
        self.checks = threading.BoundedSemaphore(max(1, checks))
        self._cache_key = secrets.token_bytes(32)
        self._verified: OrderedDict[bytes, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._dummy_hash = ""
        if self.basics:
            method = self.basics[0].secret_hash.split("$", 1)[0]
            self._dummy_hash = generate_password_hash(secrets.token_urlsafe(16), method=method)

    @property
    def required(self) -> bool:
        return bool(self.tokens or self.basics)

    def check(self) -> str | Response:
        """The authenticated user of this request, or the response that refuses it (and, on
        ``g.audit_auth``, why, for the audit log)."""
        auth = request.authorization
        if auth is None:
            return self.challenge()
        if auth.type == "bearer" and auth.token:
            digest = hashlib.sha256(auth.token.encode("utf-8", "surrogatepass")).hexdigest()
            for credential in self.tokens:
                if hmac.compare_digest(digest, credential.secret_hash):
                    return credential.user
        elif auth.type == "basic" and auth.username is not None and auth.password is not None:
            return self._check_password(auth.username, auth.password)
        g.audit_auth = "refused"
        return self.challenge()

    def _check_password(self, name: str, password: str) -> str | Response:
        client, now = request.remote_addr or "-", time.monotonic()
        user_key = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()  # bounded
        wait = max(self.by_client.wait(client, now), self.by_user.wait(user_key, now))
        if wait > 0:
            g.audit_auth = "limited"
            return text_response(
                429,
                "Too many failed sign-ins from this address or for this user; try again in "
                f"{math.ceil(wait)} seconds.",
                retry_after=math.ceil(wait),
            )
        given = f"{name}:{password}".encode("utf-8", "surrogatepass")  # a name holds no ':'
        key = hmac.new(self._cache_key, given, hashlib.sha256).digest()
        with self._lock:
            user, expires = self._verified.get(key, ("", 0.0))
        if expires > now:
            return user
        if not self.checks.acquire(blocking=False):
            g.audit_auth = "busy"
            return text_response(
                503,
                "The site is busy checking other sign-ins; try again in a moment.",
                retry_after=1,
            )
        try:
            credential = self._basic(name)
            hashed = credential.secret_hash if credential is not None else self._dummy_hash
            verified = check_password_hash(hashed, password)
        finally:
            self.checks.release()
        if credential is None or not verified:
            self.by_client.fail(client, now)
            self.by_user.fail(user_key, now)
            g.audit_auth = "refused"
            return self.challenge()
        with self._lock:
            self._verified[key] = (credential.user, now + _PASSWORD_CACHE_SECONDS)
            while len(self._verified) > _PASSWORD_CACHE_SIZE:
                self._verified.popitem(last=False)
        return credential.user

    def _basic(self, name: str) -> Credential | None:
        wanted = name.encode("utf-8", "surrogatepass")
        for credential in self.basics:
            if hmac.compare_digest(credential.user.encode("utf-8"), wanted):
                return credential
        return None

    def challenge(self) -> Response:
        response = Response(
            "This scrkg site needs credentials: sign in, or send a bearer token.\n",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        if self.basics:
            response.headers.add("WWW-Authenticate", f'Basic realm="{REALM}", charset="UTF-8"')
        if self.tokens:
            response.headers.add("WWW-Authenticate", f'Bearer realm="{REALM}"')
        return response


# -- hosts ------------------------------------------------------------------------------------


def allowed_hosts(setting: str) -> frozenset[str] | None:
    """The host names of SCRKG_ALLOWED_HOSTS (comma or space separated); None for ``*``."""
    names = {n.strip().lower().strip("[]") for n in setting.replace(",", " ").split()}
    if "*" in names:
        return None
    return frozenset(n for n in names if n)


def host_name(host: str) -> str:
    """The name part of a Host header: ``[::1]:5000`` -> ``::1``, ``a.b:80`` -> ``a.b``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    name, sep, port = host.rpartition(":")
    return name if sep and port.isdigit() and ":" not in name else host


# -- audit log ----------------------------------------------------------------------------------


class AuditLog:
    """JSON lines appended to a file (created readable by its owner only).

    Each record is written whole or not at all: a short write is continued, and a write that
    fails (a full disk) cuts the file back to where the line began and raises OSError, which
    the site turns into 503. A query is named by ``query_hmac``, an HMAC-SHA256 of the query's
    SHA-256 under a random key kept beside the log in ``<log>.key`` (made, readable by its
    owner only, on first use), so the log does not let anyone test guesses of a query.
    """

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.write({"event": "start", "time": _now()})  # fail at start, not at the first query
        self.key = _audit_key(Path(f"{path}.key"))

    def query_hmac(self, query_sha256: str) -> str:
        return hmac.new(self.key, bytes.fromhex(query_sha256), hashlib.sha256).hexdigest()

    def write(self, record: dict[str, object]) -> None:
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                start = os.lseek(fd, 0, os.SEEK_END)
                if start and os.pread(fd, 1, start - 1) != b"\n":
                    data = b"\n" + data  # a line cut short by a crash never joins this one
                try:
                    _write_all(fd, data)
                except OSError:
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, start)
                    raise
            finally:
                os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    written = 0
    while written < len(data):
        count = os.write(fd, data[written:])
        if count <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written += count


def _audit_key(path: Path) -> bytes:
    """The audit log's HMAC key: 32 random bytes in ``path``, made on first use."""
    if not path.exists():
        draft = path.with_name(f"{path.name}.{os.getpid()}.new")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(fd, secrets.token_bytes(32))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(draft, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_bytes()
    if len(key) != 32:
        raise OSError(errno.EINVAL, f"{path} is not a 32-byte key; remove it to make a new one")
    return key


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- the app --------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Apply the web server settings (graph/settings.py) that protect the site (see the module
    docstring)."""
    app.debug = False
    app.config["DEBUG"] = False
    limit = int(app.config["SCRKG_MAX_REQUEST_BYTES"])
    app.config["MAX_CONTENT_LENGTH"] = limit
    app.config["MAX_FORM_MEMORY_SIZE"] = limit
    hosts = allowed_hosts(str(app.config["SCRKG_ALLOWED_HOSTS"]))
    auth = Authenticator(
        parse_auth(str(app.config["SCRKG_AUTH"])),
        failures=int(app.config["SCRKG_AUTH_FAILURES"]),
        window=float(app.config["SCRKG_AUTH_FAILURE_WINDOW"]),
        checks=int(app.config["SCRKG_AUTH_CHECKS"]),
    )
    audit_path = str(app.config["SCRKG_AUDIT_LOG"]).strip()
    try:
        audit = AuditLog(audit_path) if audit_path else None
    except OSError as error:
        raise SettingError(
            f"SCRKG_AUDIT_LOG: cannot write the audit log {audit_path}: {error.strerror}"
        ) from None
    app.extensions["scrkg.auth"] = auth

    @app.before_request
    def _guard() -> Response | None:
        g.started = time.monotonic()
        if current_app.debug:
            return text_response(
                500,
                "scrkg does not answer in debug mode, which would show code and data to "
                "anyone; run it with `scrkg serve`.",
            )
        if hosts is not None and host_name(request.host) not in hosts:
            g.refused = True
            return text_response(
                400,
                f"This site does not answer for the host {host_name(request.host)!r}. Its "
                "administrator can add the name to SCRKG_ALLOWED_HOSTS.",
            )
        if auth.required:
            user = auth.check()
            if isinstance(user, Response):
                g.refused = True
                return user
            g.user = user
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        # What a page set itself stays; the rest is added. (Headers.setdefault looks a name up
        # by raising and catching KeyError, on every answer: slow.)
        present = {name.lower() for name, _ in response.headers}
        for name, lower, value in _HEADERS_LOWER:
            if lower not in present:
                response.headers.add(name, value)
        if auth.required:
            response.headers["Cache-Control"] = "no-store"
        if audit is not None and (request.endpoint != "static" or g.get("refused")):
            try:
                audit.write(_record(audit, response.status_code))
            except OSError as error:
                app.logger.error("cannot write the audit log: %s", error)
                failed = text_response(
                    503,
                    "The audit log cannot be written, so this site answers nothing until its "
                    "administrator fixes it (SCRKG_AUDIT_LOG).",
                )
                for name, value in HEADERS.items():
                    failed.headers[name] = value
                return failed
        return response


def _record(audit: AuditLog, status: int) -> dict[str, object]:
    record: dict[str, object] = {
        "time": _now(),
        "user": g.get("user", "-"),
        "client": request.remote_addr,
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule is not None else "-",
        "status": status,
    }
    if g.get("audit_auth"):
        record["auth"] = g.audit_auth  # refused, limited or busy
    query = dict(g.get("audit_query", {}))
    digest = query.pop("query_sha256", None)
    if isinstance(digest, str):
        record["query_hmac"] = audit.query_hmac(digest)
    record.update(query)
    started = g.get("started")
    if started is not None:
        record["ms"] = round((time.monotonic() - started) * 1000, 1)
    return record
