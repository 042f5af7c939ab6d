"""Helpers for tests that need the real server or a network listener (not a test module).

* :func:`served` runs ``scrkg serve`` in a subprocess on a free port of 127.0.0.1, waits for it
  to answer, and stops it by its process id.
* :class:`Listener` counts the TCP connections made to it, to prove nothing calls out.
* :func:`until` waits for a condition, and :func:`wait_until` for a page's JavaScript expression,
  instead of sleeping for a guess; :func:`arrived` for a page to finish what it does on arrival.
* :data:`SLOW_WRITER`: a script that starts a load into the store at ``argv[1]``, prints
  ``writing`` once it holds the writer lock, and then waits two minutes to be killed.
* :data:`CHROMIUM` and :data:`CHROMIUM_ARGS`: Debian's chromium, as the browser tests and the
  benchmarks drive it through Playwright (never `playwright install`); :data:`AXE`, axe-core
  as ``scripts/setup.sh test`` installs it for the browser tests, and :data:`SCREENSHOTS`, where
  they save what they saw.
* :class:`VirtuosoServer`: OpenLink Virtuoso (Debian's virtuoso-opensource) with a throw-away
  database, both its ports on 127.0.0.1, and a user of its own allowed to update.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

AXE = Path(__file__).resolve().parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
#: The WCAG rule sets axe-core checks: WCAG 2.2 AA and everything it includes.
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> list[tuple[str, str, int, str, str]]:
    """axe-core's findings on the page as it stands, each as (rule, impact, nodes, help, the
    first node's selector); the page's context must let its script in (``bypass_csp=True``)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (rules) => {
            const result = await axe.run(document, {runOnly: rules});
            return result.violations.map(v => [
                v.id, v.impact, v.nodes.length, v.help, v.nodes[0].target.join(" ")]);
        }""",
        AXE_RULES,
    )
    return [tuple(v) for v in found]


def serious(found: list[tuple]) -> list[tuple]:
    """The serious and critical findings of :func:`axe_violations`."""
    return [v for v in found if v[1] in ("serious", "critical")]


SCREENSHOTS = Path(__file__).resolve().parent / "output" / "screenshots"
#: The xdist group of the modules that read the session's ``site`` (tests/conftest.py): under
#: ``--dist loadgroup`` they run on one worker, which starts the site once.
SITE_GROUP = "site-over-the-bundled-data"

SERVE = (
    "import sys; from scrkg.cli import main; "
    "main(['--store', sys.argv[1], 'serve', '--host', '127.0.0.1', '--port', sys.argv[2]])"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def until(condition: Callable[[], object], timeout: float = 30, interval: float = 0.01) -> None:
    """Return as soon as ``condition()`` is true; AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still false after {timeout:g} s"
        time.sleep(interval)


def wait_until(page, expression: str, timeout: float = 20.0) -> None:
    """Poll a JavaScript expression in a Playwright page until it is true (page.wait_for_function
    evaluates a string with eval, which the strict Content-Security-Policy of the pages refuses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


#: True once a page has done what it does on arrival, which is what the tests used to wait 500 ms
#: of network silence for ("networkidle"): the document loaded; a query the page runs on arrival
#: (a saved query, ``autorun``) answered, its table appended only once its labels came back;
#: and a network the page draws (the explorer's start, the patterns' drawing) laid out, which
#: explore.js and patterns.js mark with ``#network[data-ready='true']``.
ARRIVED = """() => {
  if (document.readyState !== "complete") return false;
  const data = document.getElementById("page-data");
  let page = {};
  try { page = data ? JSON.parse(data.textContent) : {}; } catch (e) { return true; }
  if (page.autorun && !document.querySelector(
      "#results table.results-table, #results .ask-answer, #results pre, #query-status.error")) {
    return false;
  }
  const start = page.start ? page.start.kind : null;
  const draws = !!window.scrkgPatterns || ["focus", "view", "query"].includes(start);
  const network = document.getElementById("network");
  return !(draws && network && network.dataset.ready !== "true");
}"""


def arrived(page, timeout: float = 60.0) -> None:
    """Wait until the page has done its work on arrival (:data:`ARRIVED`), polling every
    100 ms as :func:`wait_until` does."""
    page.wait_for_load_state("load")
    wait_until(page, ARRIVED, timeout)


@contextlib.contextmanager
def served(
    store: Path,
    env: Mapping[str, str] | None = None,
    *,
    log: Path | None = None,
    wait: float = 120,
    headers: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """``scrkg serve`` over ``store`` on 127.0.0.1; yields its base URL. ``headers`` go with
    the /health requests that wait for it (credentials, for a site that needs them)."""
    port = free_port()
    log = log or store.parent / f"server-{port}.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(store), str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    probe = urllib.request.Request(url + "/health", headers=dict(headers or {}))
                    with urllib.request.urlopen(probe, timeout=5) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    output.flush()
                    text = log.read_text(errors="replace")[-3000:]
                    raise AssertionError(f"The site did not start on {url}:\n{text}")
                time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives."""

    def __init__(self) -> None:
        self.connections = 0
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.2)  # a connection made at the last moment is still counted
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()


SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    import pyoxigraph as ox
    from scrkg.graph.store import DiskStore

    def slow():
        yield ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                        ox.Literal("new"))
        print("writing", flush=True)
        time.sleep(120)

    DiskStore(sys.argv[1]).replace_graph("http://example.org/g", slow())
    """
)


VIRTUOSO = "virtuoso-t"
VIRTUOSO_ISQL = "isql-vt"

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {folder}
CheckpointInterval = 60
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
ThreadsPerQuery = 2
MaxClientConnections = 20

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10
MaxClientConnections = 20

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_seconds}
MaxQueryCostEstimationTime = {max_estimate}
"""


class VirtuosoServer:
    """OpenLink Virtuoso (``virtuoso-t``) with a database of its own in ``folder``, its SQL and
    HTTP ports free ports of 127.0.0.1, started and stopped by its process id.

    The SPARQL settings are scrkg's advice (docs/sparql-servers.md): no row limit
    (``max_rows=0``) and no time limit unless asked. At its first start a user of its own
    (:attr:`user`, a random :attr:`password`) is given the SPARQL_UPDATE role with isql-vt, and
    the graphs the fresh database holds are kept in :attr:`own_graphs` (Virtuoso's own).
    Failures raise AssertionError with Virtuoso's log.
    """

    name = "virtuoso"
    user = "scrkg"

    def __init__(
        self,
        folder: Path,
        *,
        max_rows: int = 0,
        max_seconds: int = 0,
        max_estimate: int = 0,
        buffers: int = 20_000,
    ) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.http_port = free_port()
        self.sql_port = free_port()
        while self.sql_port == self.http_port:
            self.sql_port = free_port()
        self.password = secrets.token_hex(12)
        self.settings = {
            "max_rows": max_rows,
            "max_seconds": max_seconds,
            "max_estimate": max_estimate,
            "buffers": buffers,
            "dirty_buffers": buffers * 3 // 4,
        }
        self.own_graphs: set[str] = set()
        self.process: subprocess.Popen[bytes] | None = None
        self._created = False

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def url(self) -> str:
        """The address to give scrkg: Virtuoso's SPARQL endpoint."""
        return f"{self.root}/sparql"

    @property
    def log(self) -> Path:
        return self.folder / "virtuoso.log"

    def _log_tail(self) -> str:
        texts = []
        for path in (self.log, self.folder / "virtuoso.out"):
            if path.exists():
                texts.append(path.read_text(errors="replace")[-2000:])
        return "\n".join(texts)

    def start(self, wait: float = 120) -> VirtuosoServer:
        binary = shutil.which(VIRTUOSO)
        if not binary:
            raise AssertionError(
                "OpenLink Virtuoso is missing (no virtuoso-t): scripts/setup.sh test installs "
                "it, or: sudo apt-get install virtuoso-opensource"
            )
        ini = self.folder / "virtuoso.ini"
        ini.write_text(
            VIRTUOSO_INI.format(
                folder=self.folder,
                sql_port=self.sql_port,
                http_port=self.http_port,
                **self.settings,
            )
        )
        with open(self.folder / "virtuoso.out", "ab") as output:
            self.process = subprocess.Popen(
                [binary, "+foreground", "+configfile", str(ini)],
                cwd=self.folder,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + wait
        probe = f"{self.url}?query=ASK%7B%7D"
        while True:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"virtuoso-t exited with {self.process.returncode}:\n{self._log_tail()}"
                )
            try:
                with urllib.request.urlopen(probe, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(
                    f"Virtuoso did not answer on {self.url} within {wait:g} s:\n{self._log_tail()}"
                )
            time.sleep(0.2)
        if not self._created:
            self._create_user()
            self.own_graphs = self.raw_graphs(every=True)
            self._created = True
        return self

    def isql(self, sql: str) -> str:
        """Run SQL statements as dba (the password of a fresh database) through isql-vt."""
        binary = shutil.which(VIRTUOSO_ISQL)
        if not binary:
            raise AssertionError("isql-vt is missing: sudo apt-get install virtuoso-opensource")
        done = subprocess.run(
            [binary, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise AssertionError(f"isql-vt failed on {sql!r}:\n{done.stdout}{done.stderr}")
        return done.stdout

    def _create_user(self) -> None:
        self.isql(
            f"DB.DBA.USER_CREATE('{self.user}', '{self.password}'); "
            f'GRANT SPARQL_UPDATE TO "{self.user}";'
        )

    def raw_graphs(self, *, every: bool = False) -> set[str]:
        """The graphs holding triples, asked without scrkg: all of them with ``every``, else
        all but Virtuoso's own (those of the fresh database)."""
        query = urllib.parse.urlencode({"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"})
        request = urllib.request.Request(
            f"{self.url}?{query}", headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        found = {b["g"]["value"] for b in answer["results"]["bindings"] if "g" in b}
        return found if every else found - self.own_graphs

    def kill(self) -> None:
        """SIGKILL: no chance to finish anything."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)  # Virtuoso checkpoints and exits
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
