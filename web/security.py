"""What makes the site safe to publish: hosts, credentials, headers, limits, the audit log.

:func:`init_app` installs, for every request (static files included):

1. **Host allow-list** (SCRKG_ALLOWED_HOSTS): a request for any other Host gets 400, which
   stops DNS-rebinding pages from reading the site through a browser.
2. **Credentials** (SCRKG_AUTH): when set, every route answers 401 without a valid bearer token
   or HTTP basic user and password. The setting holds only hashes: ``token:NAME:SHA256HEX`` (the
   SHA-256 of a random token, for programs) or ``basic:USER:HASH`` (a werkzeug password hash,
   scrypt or pbkdf2, for people with browsers); several entries are separated by spaces.
   ``scrkg credentials`` makes them.
3. **Headers**: a Content-Security-Policy that allows nothing from another origin and no inline
   script or style, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
   ``X-Frame-Options: DENY`` (with ``frame-ancestors 'none'``), and, when credentials are
   required, ``Cache-Control: no-store``.
4. **Limits**: the request body is capped (SCRKG_MAX_REQUEST_BYTES, 413); the app refuses to
   answer in debug mode; a method a route does not take gets 405 with the methods it does.
5. **Audit log** (SCRKG_AUDIT_LOG): one JSON line per request: time, user, client address,
   method, route *rule* (``/id/<path:path>``, never the path, which may hold an id), status, and
   for a query its SHA-256, length, rows, whether it was cut, and seconds. No query text, no
   data values. If the log cannot be written the site answers 503 rather than go unaudited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.security import check_password_hash, generate_password_hash

from scrkg.graph.errors import SettingError

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


class Authenticator:
    """Checks a request's Authorization header against the configured credentials."""

    def __init__(self, credentials: list[Credential]) -> None:
        self.tokens = [c for c in credentials if c.scheme == "token"]
        self.basics = [c for c in credentials if c.scheme == "basic"]
        self._verified: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def required(self) -> bool:
        return bool(self.tokens or self.basics)

    def user(self) -> str | None:
        """The authenticated user of this request, or None."""
        auth = request.authorization
        if auth is None:
            return None
        if auth.type == "bearer" and auth.token:
            digest = hashlib.sha256(auth.token.encode("utf-8", "surrogatepass")).hexdigest()
            for credential in self.tokens:
                if hmac.compare_digest(digest, credential.secret_hash):
                    return credential.user
            return None
        if auth.type == "basic" and auth.username is not None and auth.password is not None:
            for credential in self.basics:
                same_user = hmac.compare_digest(credential.user.encode(), auth.username.encode())
                if same_user and self._password_ok(credential, auth.password):
                    return credential.user
            return None
        return None

    def _password_ok(self, credential: Credential, password: str) -> bool:
        """scrypt costs tens of milliseconds, so a verified password is remembered (as a hash
        of user, password and stored hash) for a few minutes; failures are never cached."""
        key = hashlib.sha256(
            "\0".join((credential.user, password, credential.secret_hash)).encode(
                "utf-8", "surrogatepass"
            )
        ).hexdigest()
        now = time.monotonic()
        with self._lock:
            expires = self._verified.get(key)
            if expires is not None and expires > now:
                return True
        if not check_password_hash(credential.secret_hash, password):
            return False
        with self._lock:
            self._verified[key] = now + _PASSWORD_CACHE_SECONDS
            while len(self._verified) > _PASSWORD_CACHE_SIZE:
                self._verified.popitem(last=False)
        return True

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
    """JSON lines appended to a file (created readable by its owner only)."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.write({"event": "start", "time": _now()})  # fail at start, not at the first query

    def write(self, record: dict[str, object]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- the app --------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Apply the settings of web/settings.py that protect the site (see the module docstring)."""
    app.debug = False
    app.config["DEBUG"] = False
    limit = int(app.config["SCRKG_MAX_REQUEST_BYTES"])
    app.config["MAX_CONTENT_LENGTH"] = limit
    app.config["MAX_FORM_MEMORY_SIZE"] = limit
    hosts = allowed_hosts(str(app.config["SCRKG_ALLOWED_HOSTS"]))
    auth = Authenticator(parse_auth(str(app.config["SCRKG_AUTH"])))
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
            return _text(
                500,
                "scrkg does not answer in debug mode, which would show code and data to "
                "anyone; run it with `scrkg serve`.",
            )
        if hosts is not None and host_name(request.host) not in hosts:
            return _text(
                400,
                f"This site does not answer for the host {host_name(request.host)!r}. Its "
                "administrator can add the name to SCRKG_ALLOWED_HOSTS.",
            )
        if auth.required:
            user = auth.user()
            if user is None:
                g.audit_refused = request.authorization is not None
                return auth.challenge()
            g.user = user
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if auth.required:
            response.headers["Cache-Control"] = "no-store"
        if audit is not None and request.endpoint != "static":
            try:
                audit.write(_record(response.status_code))
            except OSError as error:
                app.logger.error("cannot write the audit log: %s", error)
                failed = _text(
                    503,
                    "The audit log cannot be written, so this site answers nothing until its "
                    "administrator fixes it (SCRKG_AUDIT_LOG).",
                )
                for name, value in HEADERS.items():
                    failed.headers[name] = value
                return failed
        return response

    @app.errorhandler(405)
    def _method_not_allowed(error: HTTPException) -> Response:
        response = error.get_response()
        response.set_data(
            f"{request.method} is not allowed here: this site only reads (GET; a SPARQL query "
            "may also be POSTed to /sparql). Data is loaded with `scrkg load`.\n"
        )
        response.content_type = "text/plain; charset=utf-8"
        return response

    @app.errorhandler(413)
    def _too_large(_error: HTTPException) -> Response:
        return _text(
            413,
            f"The request is larger than {limit:,} bytes, the most this site takes "
            "(SCRKG_MAX_REQUEST_BYTES).",
        )


def _record(status: int) -> dict[str, object]:
    record: dict[str, object] = {
        "time": _now(),
        "user": g.get("user", "-"),
        "client": request.remote_addr,
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule is not None else "-",
        "status": status,
    }
    if g.get("audit_refused"):
        record["auth"] = "refused"
    record.update(g.get("audit_query", {}))
    started = g.get("started")
    if started is not None:
        record["ms"] = round((time.monotonic() - started) * 1000, 1)
    return record


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")
