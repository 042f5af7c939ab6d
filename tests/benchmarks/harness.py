"""Benchmarks against peers: scrkg beside bare Oxigraph and rdflib-endpoint on the same data.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/pip install -e '.[bench]'                     # oxigraph, rdflib-endpoint, playwright
    .venv/bin/python tests/benchmarks/harness.py                        # 10k, 100k and 1M triples
    .venv/bin/python tests/benchmarks/harness.py --sizes 10k,100k --repeat 5 --skip-rdflib

For each size it generates coded reviews (`scrkg generate --reviews N --seed 7`, about 72
triples a review), loads them into an on-disk store (`scrkg load`, validation on) and exports
them as N-Quads (`scrkg export`); it loads the same N-Quads into an Oxigraph location and then
starts, each on 127.0.0.1 on a free port:

* scrkg (`scrkg --store DIR serve`), its row and byte caps raised so that answers are complete;
* bare Oxigraph (`oxigraph serve-read-only --union-default-graph`), the engine's own limit;
* rdflib-endpoint (`rdflib-endpoint serve FILE.nq`, rdflib's in-memory store with the union
  default graph), what a Python user would reach for. Its start-up is bounded
  (``--rdflib-start-timeout``); one that does not start in time is recorded as "did not finish".

Each saved query (ontology/queries/*.rq) is sent to each server over HTTP (POST
application/sparql-query, Accept application/sparql-results+json), once to warm up and then
``--repeat`` times, scrkg and Oxigraph taking turns. The answers must agree: as multisets of rows,
the parts of a GROUP_CONCAT sorted, SAMPLE columns only checked to be bound, numbers compared by
value. rdflib-endpoint answers one query at a time and cannot be interrupted, so a query that runs
past ``--rdflib-timeout`` is recorded as "timed out" and the server is restarted for the next
query; its repetitions stop when ``--rdflib-budget`` seconds have gone on one query.

Also measured: generate, load and export times; /api/neighbours on a few nodes (a review, a
child, an agency and two hub concepts); the dashboard (/) over HTTP; the dashboard and the
explorer page in Debian's chromium (Playwright) from navigation to the loaded page, and to the
network laid out and drawn (``#network[data-ready='true']``, set by web/static/explore.js once
vis-network has stabilised); and the peak resident memory (VmHWM) of each serving process and of
scrkg's query worker processes. Every server it started is stopped by its process id at the end,
also on Ctrl+C or an error. Last, it prints how each figure grows from the smallest size to the
largest and flags a step that grows faster than the data, and for every size whether each saved
query's median on scrkg is within 1.1x + 2 ms of bare Oxigraph's (with the runs of each and the
load average before and after the queries).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared helpers
from served import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCRKG = [sys.executable, "-m", "scrkg"]
OXIGRAPH = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph") or "oxigraph"
RDFLIB_ENDPOINT = (
    shutil.which("rdflib-endpoint", path=str(BIN)) or shutil.which("rdflib-endpoint") or ""
)
#: The sizes named on the command line and the reviews generated for each (~72 triples each).
SIZES = {"10k": 140, "100k": 1_400, "1M": 14_000}
SPARQL_QUERY = "application/sparql-query"
SPARQL_JSON = "application/sparql-results+json"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int")}
ID = "https://w3id.org/scrkg/id/"
SCRC = "https://w3id.org/scrkg/concept/"
SCR = "https://w3id.org/scrkg/def#"
#: Targets at 1M triples.
TARGET_PEER_RATIO = 1.3  # scrkg / bare Oxigraph, at most
#: Targets at every size: scrkg's median at most this factor of bare Oxigraph's plus this margin.
TARGET_FIXED_FACTOR = 1.1
TARGET_FIXED_MARGIN_S = 0.002
TARGET_RDFLIB_SPEEDUP = 10.0  # rdflib-endpoint / scrkg, at least
TARGET_PAGE_MS = 300.0  # dashboard and neighbour expansion, median
TARGET_EXPLORER_S = 2.0  # explorer page ready in the browser
TARGET_RSS_MIB = 1024.0  # serving process, resident

ENGINES = ("scrkg", "oxigraph", "rdflib")


def say(text: str = "") -> None:
    print(text, flush=True)


def parse_size(text: str) -> tuple[str, int]:
    """A size label (10k, 100k, 1M, or a number of triples such as 50k or 250000) and the
    reviews to generate for it."""
    label = text.strip()
    if label in SIZES:
        return label, SIZES[label]
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", label)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 10k, 100k, 1M)")
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return label, max(1, round(float(match.group(1)) * scale / 72))


# ---------------------------------------------------------------------------------------------
# Processes: each server started here, stopped by its process id
# ---------------------------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS of a process in KiB (empty when it is gone)."""
    found = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                found[key] = int(value.split()[0])
    return found


def descendants(pid: int) -> list[int]:
    """The process ids below ``pid`` (children, their children...)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    found.append(int(child))
                    todo.append(int(child))
    return found


def default_signals() -> None:
    """In the child before exec: SIGINT and SIGTERM handled as usual, even when the harness was
    started with them ignored (as a background job of a script is)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@dataclass
class Server:
    name: str
    argv: list[str]
    url: str  # the SPARQL query URL
    ready_url: str
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None  # where it runs (default: this process's folder)
    process: subprocess.Popen | None = None
    started_s: float = math.nan

    def start(self, deadline_s: float) -> bool:
        """Start the server and wait until ``ready_url`` answers; False when it did not in
        ``deadline_s`` seconds or exited (it is then stopped)."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
                cwd=self.cwd,
                start_new_session=True,  # Ctrl+C reaches the harness, which stops it
                preexec_fn=default_signals,
            )
        STARTED.append(self)
        begin = time.perf_counter()
        while time.perf_counter() - begin < deadline_s:
            if self.process.poll() is not None:
                say(f"  {self.name} exited with {self.process.returncode}: see {self.log}")
                say("    " + self.log.read_text(errors="replace")[-1500:].replace("\n", "\n    "))
                return False
            try:
                answer = requests.get(self.ready_url, timeout=5, headers={"Accept": "*/*"})
                if answer.status_code < 500:
                    self.started_s = time.perf_counter() - begin
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        return False

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def memory(self) -> dict[str, float]:
        """Peak (VmHWM) and current (VmRSS) resident memory in MiB of the server process, and
        the largest peak among its descendants (scrkg's query workers)."""
        if self.process is None or self.process.poll() is not None:
            return {}
        own = proc_status(self.process.pid)
        below = [(p, proc_status(p)) for p in descendants(self.process.pid)]
        below = [(p, s) for p, s in below if s]
        figures = {
            "peak_mib": own.get("VmHWM", 0) / 1024,
            "rss_mib": own.get("VmRSS", 0) / 1024,
        }
        if below:
            figures["children"] = len(below)
            figures["child_peak_mib"] = max(s.get("VmHWM", 0) for _, s in below) / 1024
            figures["children_rss_mib"] = sum(s.get("VmRSS", 0) for _, s in below) / 1024
        return figures

    def stop(self) -> None:
        """Stop the server (SIGINT, then SIGKILL after 15 s) and whatever it started, each by
        its process id."""
        process = self.process
        if process is None:
            return
        self.process = None
        if self in STARTED:
            STARTED.remove(self)
        if process.poll() is not None:
            return
        children = descendants(process.pid)
        # scrkg closes its query workers on SIGINT (KeyboardInterrupt); the peers stop on SIGTERM.
        stop_signal = signal.SIGINT if self.name == "scrkg" else signal.SIGTERM
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(stop_signal)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait()
        time.sleep(0.2)
        for pid in children:
            if proc_status(pid):  # still there: ours, started by the server
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


STARTED: list[Server] = []


def stop_all() -> None:
    for server in list(STARTED):
        server.stop()


# ---------------------------------------------------------------------------------------------
# Answers: SPARQL JSON results as multisets of rows
# ---------------------------------------------------------------------------------------------


def sampled_columns(sparql: str) -> set[str]:
    """Variables bound by SAMPLE(), which may pick any value of its group."""
    return set(re.findall(r"SAMPLE\s*\([^)]*\)\s+AS\s+\?(\w+)", sparql, re.IGNORECASE))


def concatenated_columns(sparql: str) -> set[str]:
    """Variables bound by GROUP_CONCAT(): Oxigraph keeps the parts' common language tag, rdflib
    gives a plain literal; the value is compared, the parts sorted."""
    return set(re.findall(r"GROUP_CONCAT\s*\(.*?\)\s+AS\s+\?(\w+)", sparql, re.I | re.S))


def cell(term: dict | None, concatenated: bool = False) -> object:
    if term is None:
        return None
    kind = term.get("type")
    if kind == "bnode":
        return "_:"
    if kind == "uri":
        return ("uri", term["value"])
    value = term["value"]
    datatype = term.get("datatype", "")
    if datatype in NUMERIC:
        with contextlib.suppress(InvalidOperation, ValueError):
            number = Decimal(value)
            return ("number", round(float(number), 6))
    if datatype == XSD + "string":
        datatype = ""
    if concatenated:  # the parts' order is the engine's storage order
        for separator in ("; ", " | "):
            if separator in value:
                value = separator.join(sorted(value.split(separator)))
        return ("concatenated", value)
    return ("literal", value, datatype, term.get("xml:lang", "").lower())


def answer_rows(body: bytes, sparql: str) -> Counter:
    """The answer as a multiset of rows (see :func:`cell`)."""
    sampled, concatenated = sampled_columns(sparql), concatenated_columns(sparql)
    data = json.loads(body)
    if "boolean" in data:
        return Counter([("boolean", data["boolean"])])
    names = data["head"]["vars"]
    rows: Counter = Counter()
    for binding in data["results"]["bindings"]:
        rows[
            tuple(
                (name in binding)
                if name in sampled
                else cell(binding.get(name), name in concatenated)
                for name in names
            )
        ] += 1
    return rows


def compare(reference: Counter, other: Counter) -> str:
    if reference == other:
        return "agree"
    missing = sum((reference - other).values())
    extra = sum((other - reference).values())
    return (
        f"DIFFER ({sum(other.values())} rows vs {sum(reference.values())}: "
        f"{missing} missing, {extra} extra)"
    )


# ---------------------------------------------------------------------------------------------
# Timing over HTTP
# ---------------------------------------------------------------------------------------------


@dataclass
class Timed:
    samples: list[float] = field(default_factory=list)  # seconds
    first: float = math.nan  # the warm-up's seconds (rdflib-endpoint parses a query only then)
    status: str = ""  # "", "timed out", "failed: ...", "did not finish", "skipped"
    rows: Counter | None = None
    bytes: int = 0
    truncated: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else math.nan

    @property
    def p95(self) -> float:
        if not self.samples:
            return math.nan
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


class TimedOut(Exception):
    pass


def post_query(session: requests.Session, url: str, sparql: str, timeout: float):
    start = time.perf_counter()
    try:
        response = session.post(
            url,
            data=sparql.encode("utf-8"),
            headers={"Content-Type": SPARQL_QUERY, "Accept": SPARQL_JSON},
            timeout=(5, timeout),
        )
        body = response.content
    except requests.Timeout:
        raise TimedOut() from None
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]!r}")
    return seconds, body, response.headers


def get(session: requests.Session, url: str, timeout: float = 60) -> float:
    start = time.perf_counter()
    response = session.get(url, timeout=(5, timeout))
    response.content  # noqa: B018 - read the whole body
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: HTTP {response.status_code}: {response.text[:300]!r}")
    return seconds


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as /proc/loadavg gives them."""
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


def within_fixed_cost(scrkg: Timed, oxigraph: Timed) -> str:
    """Whether scrkg's median is within 1.1x + 2 ms of Oxigraph's: "yes", or "no (+X ms)" with
    how far over the bound it is."""
    if not (scrkg.samples and oxigraph.samples):
        return "-"
    bound = TARGET_FIXED_FACTOR * oxigraph.median + TARGET_FIXED_MARGIN_S
    over = scrkg.median - bound
    return "yes" if over <= 0 else f"no (+{1000 * over:.1f} ms)"


def ms(seconds: float) -> str:
    if seconds is None or math.isnan(seconds):
        return "-"
    return f"{1000 * seconds:,.0f}" if seconds >= 0.1 else f"{1000 * seconds:.1f}"


# ---------------------------------------------------------------------------------------------
# One size
# ---------------------------------------------------------------------------------------------


def run(argv: list[str], **kwargs) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def prepare(folder: Path, reviews: int) -> dict[str, float]:
    """Generate, load, export and load the peer copy, timing each step; reused when a previous
    run left them in ``folder`` (with ``--work``)."""
    record = folder / "prepared.json"
    if record.exists():
        figures = json.loads(record.read_text())
        say(f"  reusing the data prepared in {folder}")
        if "oxigraph_optimize_s" not in figures:  # prepared by an earlier version of this script
            figures["oxigraph_optimize_s"] = optimize_peer(folder / "oxigraph")
            record.write_text(json.dumps(figures, indent=1))
        return figures
    folder.mkdir(parents=True, exist_ok=True)
    csv, store, nquads, oxi = (folder / n for n in ("cohort.csv", "store", "data.nq", "oxigraph"))
    for path in (store, oxi):
        shutil.rmtree(path, ignore_errors=True)
    figures: dict[str, float] = {}
    figures["generate_s"] = run(
        [*SCRKG, "generate", "--reviews", str(reviews), "--seed", "7", "-o", str(csv)]
    )
    figures["load_s"] = run([*SCRKG, "--store", str(store), "load", str(csv)])
    figures["export_s"] = run(
        [*SCRKG, "--store", str(store), "export", "--format", "nquads", "-o", str(nquads)]
    )
    with open(nquads, "rb") as handle:
        figures["triples"] = sum(1 for line in handle if line.strip())
    figures["export_mib"] = nquads.stat().st_size / 2**20
    figures["oxigraph_load_s"] = run(
        [OXIGRAPH, "load", "--location", str(oxi), "--file", str(nquads)]
    )
    figures["oxigraph_optimize_s"] = optimize_peer(oxi)
    record.write_text(json.dumps(figures, indent=1))
    return figures


def optimize_peer(location: Path) -> float:
    """Compact the peer's location, as Oxigraph's documentation advises for a read-only
    endpoint (`oxigraph serve` does it in the background; `serve-read-only` cannot): the
    engine's own limit is measured on its best layout."""
    return run([OXIGRAPH, "optimize", "--location", str(location)])


def scrkg_server(folder: Path, timeout: float) -> Server:
    port = free_port()
    return Server(
        "scrkg",
        [
            *SCRKG,
            "--store",
            str(folder / "store"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        f"http://127.0.0.1:{port}/sparql",
        f"http://127.0.0.1:{port}/health",
        folder / "scrkg.log",
        env={
            # Complete answers, comparable with the peers': the caps far above any result here.
            "SCRKG_QUERY_MAX_ROWS": str(10**9),
            "SCRKG_QUERY_MAX_BYTES": str(2**40),
            "SCRKG_QUERY_TIMEOUT": str(timeout),
            "SCRKG_AUTH": "",
            "SCRKG_AUDIT_LOG": "",
            "SCRKG_ALLOWED_HOSTS": "127.0.0.1,localhost",
        },
    )


def oxigraph_server(folder: Path) -> Server:
    port = free_port()
    argv = [OXIGRAPH, "serve-read-only", "--location", str(folder / "oxigraph")]
    argv += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return Server(
        "oxigraph",
        argv,
        f"http://127.0.0.1:{port}/query",
        f"http://127.0.0.1:{port}/query?query=ASK%7B%7D",
        folder / "oxigraph.log",
    )


def rdflib_server(folder: Path) -> Server:
    port = free_port()
    argv = [RDFLIB_ENDPOINT, "serve", "--host", "127.0.0.1", "--port", str(port)]
    return Server(
        "rdflib",
        [*argv, str(folder / "data.nq")],
        f"http://127.0.0.1:{port}/",
        f"http://127.0.0.1:{port}/?query=ASK%7B%7D",
        folder / "rdflib.log",
    )


def bench_queries(
    servers: dict[str, Server],
    args: argparse.Namespace,
    restart_rdflib: Callable[[], bool],
) -> dict[str, dict[str, Timed]]:
    from scrkg.graph.saved import saved_queries

    sessions = {name: requests.Session() for name in servers}
    results: dict[str, dict[str, Timed]] = {}
    for saved in saved_queries():
        timed = {name: Timed() for name in ENGINES}
        results[saved.name] = timed
        fast = [n for n in ("scrkg", "oxigraph") if n in servers]
        for name in fast:  # warm-up: the answer kept for the comparison
            try:
                timed[name].first, body, headers = post_query(
                    sessions[name], servers[name].url, saved.sparql, args.timeout
                )
                timed[name].rows = answer_rows(body, saved.sparql)
                timed[name].bytes = len(body)
                timed[name].truncated = "X-SCRKG-Truncated" in headers
            except TimedOut:
                timed[name].status = "timed out"
            except (RuntimeError, requests.RequestException) as error:
                timed[name].status = f"failed: {error}"
        for _ in range(args.repeat):  # scrkg and Oxigraph take turns
            for name in fast:
                if timed[name].status:
                    continue
                try:
                    seconds, _, _ = post_query(
                        sessions[name], servers[name].url, saved.sparql, args.timeout
                    )
                    timed[name].samples.append(seconds)
                except TimedOut:
                    timed[name].status = "timed out"
                except (RuntimeError, requests.RequestException) as error:
                    timed[name].status = f"failed: {error}"
        rdflib = timed["rdflib"]
        if "rdflib" not in servers:
            rdflib.status = "skipped" if args.skip_rdflib else "did not finish"
        elif servers["rdflib"].process is None:
            rdflib.status = "did not finish"  # it did not restart after a time-out
        else:
            spent = 0.0
            for attempt in range(args.repeat + 1):  # the first is the warm-up
                try:
                    seconds, body, _ = post_query(
                        sessions["rdflib"], servers["rdflib"].url, saved.sparql, args.rdflib_timeout
                    )
                except TimedOut:
                    rdflib.status = "timed out"
                    sessions["rdflib"].close()
                    sessions["rdflib"] = requests.Session()
                    if not restart_rdflib():  # it answers one query at a time: start afresh
                        servers.pop("rdflib", None)
                    break
                except (RuntimeError, requests.RequestException) as error:
                    rdflib.status = f"failed: {error}"
                    break
                spent += seconds
                if attempt == 0:
                    rdflib.first = seconds
                    rdflib.rows = answer_rows(body, saved.sparql)
                    rdflib.bytes = len(body)
                    # One slow answer is its own figure: repeating it would take minutes.
                    if seconds > args.rdflib_budget / 2:
                        rdflib.samples.append(seconds)
                        break
                else:
                    rdflib.samples.append(seconds)
                if spent > args.rdflib_budget:
                    break
        reference = timed["scrkg"].rows
        notes = []
        for name in ("oxigraph", "rdflib"):
            if reference is not None and timed[name].rows is not None:
                verdict = compare(reference, timed[name].rows)
                timed[name].status = timed[name].status or ("" if verdict == "agree" else verdict)
                notes.append(f"{name} {verdict}")
        if timed["scrkg"].truncated:
            notes.append("scrkg's answer was CUT")
        line = f"  {saved.name:<36}"
        for name in ENGINES:
            t = timed[name]
            line += f" | {name} " + (
                f"{ms(t.median)} / {ms(t.p95)} ms ({len(t.samples)})" if t.samples else t.status
            )
        rows = sum(reference.values()) if reference is not None else 0
        say(f"{line} | {rows:,} rows, {timed['scrkg'].bytes / 1024:,.0f} KiB | {'; '.join(notes)}")
    for session in sessions.values():
        session.close()
    return results


def pick_nodes(session: requests.Session, url: str) -> dict[str, str]:
    """A review, one of its children, an agency and two hub concepts of the generated data."""
    sparql = (
        f"PREFIX scr: <{SCR}>\n"
        "SELECT ?review ?child ?agency WHERE { ?review scr:concernsChild ?child ; "
        "scr:involvedAgency ?agency . FILTER(CONTAINS(STR(?review), '/review/SYN')) } LIMIT 1"
    )
    _, body, _ = post_query(session, url, sparql, 60)
    bindings = json.loads(body)["results"]["bindings"]
    nodes = {}
    if bindings:
        nodes = {name: term["value"] for name, term in bindings[0].items()}
    nodes["outcome died (hub)"] = SCRC + "died"
    nodes["risk factor domestic abuse (hub)"] = SCRC + "domestic-abuse"
    return nodes


def wait_for_warm_caches(server: Server, timeout: float = 600) -> dict[str, float]:
    """Seconds from scrkg answering to its caches being warm (web/warm.py: the dashboard,
    explorer menus and pattern measures computed in the background after a start), so that the
    warm-up does not share the machine with the timed queries."""
    health = server.ready_url
    begin = time.perf_counter()
    while time.perf_counter() - begin < timeout:
        cache = requests.get(health, timeout=10).json().get("cache")
        if cache is None:
            say("  scrkg does not warm its caches (SCRKG_WARM_INTERVAL=0)")
            return {}
        if cache["ready"]:
            waited = time.perf_counter() - begin
            took = cache["seconds"]
            say(f"  scrkg caches warm {waited:.1f} s after it answered (warm-up {took} s)")
            return {"warm_wait_s": waited, "warm_s": cache["seconds"]}
        time.sleep(0.2)
    say(f"  scrkg caches were not warm after {timeout:.0f} s")
    return {}


def bench_pages(server: Server, nodes: dict[str, str], repeat: int) -> dict[str, object]:
    base = server.url.rsplit("/", 1)[0]
    session = requests.Session()
    figures: dict[str, object] = {}
    figures["dashboard_cold_s"] = get(session, base + "/", 300)
    dashboard = [get(session, base + "/") for _ in range(repeat)]
    figures["dashboard_s"] = statistics.median(dashboard)
    each: dict[str, float] = {}
    everything: list[float] = []
    for label, iri in nodes.items():
        url = f"{base}/api/neighbours?iri={quote(iri, safe='')}"
        first = get(session, url, 300)
        times = [get(session, url) for _ in range(repeat)]
        each[label] = statistics.median(times)
        each[label + " (first)"] = first
        everything += times
    figures["neighbours_s"] = statistics.median(everything) if everything else math.nan
    figures["neighbours_each_s"] = each
    session.close()
    return figures


@contextlib.contextmanager
def chromium() -> Iterator[object | None]:
    if not Path(CHROMIUM).exists():
        say(f"  {CHROMIUM} is missing (apt-get install -y chromium): no browser figures")
        yield None
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def bench_browser(browser, base: str, repeat: int) -> dict[str, object]:
    """Seconds from navigation to the dashboard's load event, and to the explorer's network laid
    out and drawn; each in a fresh browser context (nothing cached), first visit and median."""
    figures: dict[str, object] = {}

    def visit(path: str, ready: str | None) -> float:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = context.new_page()
            start = time.perf_counter()
            page.goto(base + path, wait_until="load", timeout=120_000)
            if ready:
                page.wait_for_selector(ready, timeout=120_000)
            return time.perf_counter() - start
        finally:
            context.close()

    ready = "#network[data-ready='true']"
    for key, path, signal_ in (
        ("browser_dashboard", "/", None),
        ("explorer", "/explore", ready),
        ("explorer_whole", "/explore?view=whole", ready),
    ):
        try:
            times = [visit(path, signal_) for _ in range(repeat if key != "explorer_whole" else 2)]
        except Exception as error:  # noqa: BLE001 - a figure that could not be taken is reported
            say(f"  {path}: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
            continue
        figures[key + "_first_s"] = times[0]
        figures[key + "_s"] = statistics.median(times[1:] if len(times) > 1 else times)
    return figures


def larger(memory: dict | None, before: dict | None) -> dict | None:
    """The memory figures with the larger peak (rdflib-endpoint is restarted after a time-out)."""
    if not memory or (before and before.get("peak_mib", 0) > memory.get("peak_mib", 0)):
        return before
    return memory


def bench_size(label: str, reviews: int, work: Path, args: argparse.Namespace, browser) -> dict:
    folder = work / label
    say(f"\n== {label}: {reviews:,} reviews ==")
    figures: dict[str, object] = {"label": label, "reviews": reviews}
    prepared = prepare(folder, reviews)
    figures["load_average_start"] = load_average()
    figures.update(prepared)
    say(
        f"  {int(prepared['triples']):,} triples | generate {prepared['generate_s']:.1f} s"
        f" | scrkg load (validated) {prepared['load_s']:.1f} s"
        f" | scrkg export N-Quads {prepared['export_s']:.1f} s ({prepared['export_mib']:.0f} MiB)"
        f" | oxigraph load {prepared['oxigraph_load_s']:.1f} s"
        f" and optimize {prepared['oxigraph_optimize_s']:.1f} s"
    )
    servers: dict[str, Server] = {}
    try:
        for server in (scrkg_server(folder, args.timeout), oxigraph_server(folder)):
            if not server.start(300):
                raise SystemExit(f"{server.name} did not start: see {server.log}")
            servers[server.name] = server
            say(f"  {server.name} ready in {server.started_s:.1f} s (process {server.pid})")
        figures.update(wait_for_warm_caches(servers["scrkg"]))
        rdflib_starts: list[float] = []

        def start_rdflib() -> bool:
            server = rdflib_server(folder)
            if server.start(args.rdflib_start_timeout):
                servers["rdflib"] = server
                rdflib_starts.append(server.started_s)
                return True
            say(f"  rdflib-endpoint did not finish starting in {args.rdflib_start_timeout:.0f} s")
            return False

        def restart_rdflib() -> bool:
            old = servers.get("rdflib")
            if old is not None:
                figures["rdflib_memory"] = larger(old.memory(), figures.get("rdflib_memory"))
                old.stop()
            say("  (rdflib-endpoint timed out: restarting it for the next query)")
            return start_rdflib()

        if not args.skip_rdflib:
            if not RDFLIB_ENDPOINT:
                say("  rdflib-endpoint is not installed (pip install -e '.[bench]'): skipped")
            elif start_rdflib():
                say(f"  rdflib ready in {rdflib_starts[0]:.1f} s (process {servers['rdflib'].pid})")
        figures["rdflib_start_s"] = rdflib_starts[0] if rdflib_starts else None
        say(f"  query: median / p95 ms (samples); load average {load_average()}")
        figures["queries"] = bench_queries(servers, args, restart_rdflib)
        figures["load_average_queries"] = load_average()
        say(f"  load average after the queries: {figures['load_average_queries']}")
        figures["rdflib_restarts"] = max(0, len(rdflib_starts) - 1)
        nodes = pick_nodes(requests.Session(), servers["oxigraph"].url)
        figures.update(bench_pages(servers["scrkg"], nodes, args.repeat))
        base = servers["scrkg"].url.rsplit("/", 1)[0]
        if browser is not None:
            figures.update(bench_browser(browser, base, args.browser_repeat))
        for name, server in servers.items():
            figures[f"{name}_memory"] = larger(server.memory(), figures.get(f"{name}_memory"))
        print_size(figures)
    finally:
        for server in list(servers.values()):
            server.stop()
    if args.profile:
        from profile_gateway import layouts, print_layouts, print_profile, profile

        say("  where scrkg's time goes (in one process, servers stopped; ms, median):")
        figures["profile"] = profile(str(folder / "store"), max(3, args.repeat // 2))
        http = {
            name: 1000 * timed["scrkg"].median
            for name, timed in figures["queries"].items()
            if timed["scrkg"].samples
        }
        print_profile(figures["profile"], http)
        figures["layouts"] = layouts(
            str(folder / "store"), str(folder / "oxigraph"), max(1, args.repeat // 3)
        )
        print_layouts(figures["layouts"])
    return figures


# ---------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------


def print_size(f: dict) -> None:
    each = f.get("neighbours_each_s", {})
    say(
        f"  dashboard GET / first {ms(f['dashboard_cold_s'])} ms, median {ms(f['dashboard_s'])} ms"
        f" | /api/neighbours median {ms(f['neighbours_s'])} ms: "
        + ", ".join(f"{k} {ms(v)}" for k, v in each.items())
    )
    if "explorer_s" in f or "browser_dashboard_s" in f:
        say(
            "  in chromium: dashboard loaded first "
            f"{ms(f.get('browser_dashboard_first_s', math.nan))} ms, median "
            f"{ms(f.get('browser_dashboard_s', math.nan))} ms | explorer ready first "
            f"{ms(f.get('explorer_first_s', math.nan))} ms, median "
            f"{ms(f.get('explorer_s', math.nan))} ms | whole-graph view ready first "
            f"{ms(f.get('explorer_whole_first_s', math.nan))} ms, then "
            f"{ms(f.get('explorer_whole_s', math.nan))} ms"
        )
    for name in ENGINES:
        memory = f.get(f"{name}_memory")
        if memory:
            text = f"peak {memory['peak_mib']:,.0f} MiB (now {memory['rss_mib']:,.0f} MiB)"
            if "child_peak_mib" in memory:
                text += (
                    f"; {memory['children']} child processes (forkserver, query workers): "
                    f"largest peak {memory['child_peak_mib']:,.0f} MiB, together now "
                    f"{memory['children_rss_mib']:,.0f} MiB"
                )
            say(f"  memory of {name}: {text}")


def query_table(f: dict) -> list[str]:
    lines = [
        f"{f['label']}: load average {f.get('load_average_start', '?')} before the queries,"
        f" {f.get('load_average_queries', '?')} after",
        "",
        f"| query ({int(f['triples']):,} triples) | scrkg median / p95 ms | Oxigraph median / p95"
        " ms | runs | scrkg / Oxigraph | within 1.1x + 2 ms | rdflib-endpoint median / p95 ms"
        " | rdflib / scrkg | rows |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, timed in f["queries"].items():
        s, o, r = (timed[e] for e in ENGINES)

        def cell_of(t: Timed) -> str:
            text = f"{ms(t.median)} / {ms(t.p95)}" if t.samples else (t.status or "-")
            if t.samples and t.status:
                text += f" ({t.status})"
            return text

        ratio = s.median / o.median if s.samples and o.samples else math.nan
        if s.samples and r.samples:
            speedup = (
                f"{r.median / s.median:,.0f}x"
                if r.median / s.median >= 10
                else (f"{r.median / s.median:.1f}x")
            )
        elif s.samples and r.status == "timed out":
            speedup = "timed out"
        else:
            speedup = "-"
        rows = sum(s.rows.values()) if s.rows is not None else 0
        runs = f"{len(s.samples)} / {len(o.samples)}"
        lines.append(
            f"| {name} | {cell_of(s)} | {cell_of(o)} | {runs} | {ratio:.2f}"
            f" | {within_fixed_cost(s, o)} | {cell_of(r)} | {speedup} | {rows:,} |"
        )
    return lines


def figure_rows(f: dict) -> dict[str, float]:
    """Every single figure of a size, by name (seconds, MiB), for the growth table."""
    rows: dict[str, float] = {}
    for key in (
        "load_s",
        "export_s",
        "oxigraph_load_s",
        "oxigraph_optimize_s",
        "rdflib_start_s",
        "warm_s",
    ):
        if f.get(key) is not None:
            rows[key] = f[key]
    for key in (
        "dashboard_cold_s",
        "dashboard_s",
        "neighbours_s",
        "browser_dashboard_s",
        "explorer_first_s",
        "explorer_s",
        "explorer_whole_first_s",
    ):
        if key in f:
            rows[key] = f[key]
    for label, seconds in f.get("neighbours_each_s", {}).items():
        rows[f"neighbours {label}"] = seconds
    for name in ENGINES:
        memory = f.get(f"{name}_memory") or {}
        if "peak_mib" in memory:
            rows[f"{name} peak MiB"] = memory["peak_mib"]
        if "child_peak_mib" in memory:
            rows[f"{name} worker peak MiB"] = memory["child_peak_mib"]
    for query, timed in f["queries"].items():
        for name in ENGINES:
            if timed[name].samples:
                rows[f"{query} {name}"] = timed[name].median
    return rows


def growth(all_figures: list[dict]) -> None:
    if len(all_figures) < 2:
        return
    say("\n== growth (each step: how much the figure grew / how much the data grew) ==")
    triples = [f["triples"] for f in all_figures]
    steps = [triples[i + 1] / triples[i] for i in range(len(triples) - 1)]
    say("  data: " + " -> ".join(f"{int(t):,}" for t in triples) + " triples; steps "
        + ", ".join(f"{s:.1f}x" for s in steps))  # fmt: skip
    tables = [figure_rows(f) for f in all_figures]
    flagged = 0
    for name in tables[0]:
        values = [t.get(name) for t in tables]
        if any(v is None or v != v or v <= 0 for v in values):
            continue
        grew = [values[i + 1] / values[i] for i in range(len(values) - 1)]
        flags = [g > s for g, s in zip(grew, steps, strict=True)]
        flagged += any(flags)
        unit = "MiB" if name.endswith("MiB") else "ms"
        shown = [v if unit == "MiB" else 1000 * v for v in values]
        say(
            f"  {'FASTER THAN DATA' if any(flags) else '':<16} {name:<52} "
            + " -> ".join(f"{v:,.1f}" for v in shown)
            + f" {unit}; steps "
            + ", ".join(f"{g:.1f}x" for g in grew)
        )
    say(f"  {flagged} figure(s) grew faster than the data in some step")


def targets(f: dict) -> None:
    say(f"\n== targets at {f['label']} ({int(f['triples']):,} triples) ==")
    worst = []
    slower = []
    for name, timed in f["queries"].items():
        s, o, r = (timed[e] for e in ENGINES)
        if s.samples and o.samples:
            ratio = s.median / o.median
            worst.append((ratio, name))
        if s.samples and r.samples and r.median / s.median < TARGET_RDFLIB_SPEEDUP:
            slower.append(f"{name} ({r.median / s.median:.1f}x)")
    missed = [f"{n} ({x:.2f}x)" for x, n in sorted(worst, reverse=True) if x > TARGET_PEER_RATIO]
    over = [
        f"{name} {verdict[3:]}"
        for name, timed in f["queries"].items()
        if (verdict := within_fixed_cost(timed["scrkg"], timed["oxigraph"])).startswith("no")
    ]
    say(
        f"  within {TARGET_FIXED_FACTOR}x + {1000 * TARGET_FIXED_MARGIN_S:.0f} ms of bare Oxigraph"
        " (medians): " + ("met" if not over else f"MISSED by {len(over)}: {', '.join(over)}")
    )
    say(
        f"  within {TARGET_PEER_RATIO}x of bare Oxigraph: "
        + ("met" if not missed else f"MISSED by {len(missed)}: {', '.join(missed)}")
    )
    say(
        f"  at least {TARGET_RDFLIB_SPEEDUP:.0f}x faster than rdflib-endpoint where it finishes: "
        + ("met" if not slower else f"MISSED: {', '.join(slower)}")
    )
    for key, label, target in (
        ("dashboard_s", "dashboard median", TARGET_PAGE_MS / 1000),
        ("neighbours_s", "neighbour expansion median", TARGET_PAGE_MS / 1000),
        ("explorer_s", "explorer page ready", TARGET_EXPLORER_S),
    ):
        if key in f:
            verdict = "met" if f[key] < target else "MISSED"
            say(f"  {label} {ms(f[key])} ms (target < {ms(target)} ms): {verdict}")
    memory = f.get("scrkg_memory") or {}
    if memory:
        peak = memory["peak_mib"]
        verdict = "met" if peak < TARGET_RSS_MIB else "MISSED"
        text = f"  scrkg serving process peak {peak:,.0f} MiB (target < 1 GiB): {verdict}"
        if "child_peak_mib" in memory:
            text += f"; largest query worker peak {memory['child_peak_mib']:,.0f} MiB"
        say(text)


def machine() -> str:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import pyoxigraph

    versions = [f"Python {platform.python_version()}", f"pyoxigraph {pyoxigraph.__version__}"]
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        versions.append(f"rdflib {version('rdflib')}")
        versions.append(f"rdflib-endpoint {version('rdflib-endpoint')}")
    oxigraph = subprocess.run([OXIGRAPH, "--version"], capture_output=True, text=True).stdout
    versions.append(oxigraph.strip() or "oxigraph ?")
    return f"{os.cpu_count()} cores ({cpu}); " + ", ".join(versions)


def to_json(value: object) -> object:
    if isinstance(value, Timed):
        return {
            "samples_s": value.samples,
            "first_s": value.first,
            "median_s": None if not value.samples else value.median,
            "p95_s": None if not value.samples else value.p95,
            "status": value.status,
            "rows": None if value.rows is None else sum(value.rows.values()),
            "bytes": value.bytes,
            "truncated": value.truncated,
        }
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="10k,100k,1M",
        help="comma-separated sizes in triples (default 10k,100k,1M; ~72 triples a review)",
    )
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each query (10)")
    parser.add_argument("--skip-rdflib", action="store_true", help="leave rdflib-endpoint out")
    parser.add_argument("--skip-browser", action="store_true", help="no chromium figures")
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds a query may take on scrkg or Oxigraph"
    )
    parser.add_argument(
        "--rdflib-timeout", type=float, default=60, help="seconds a query may take on rdflib (60)"
    )
    parser.add_argument(
        "--rdflib-budget",
        type=float,
        default=30,
        help="seconds of repetitions of one query on rdflib before stopping (30)",
    )
    parser.add_argument(
        "--rdflib-start-timeout",
        type=float,
        default=600,
        help="seconds rdflib-endpoint may take to load the data and start (600)",
    )
    parser.add_argument("--browser-repeat", type=int, default=5, help="page loads in chromium (5)")
    parser.add_argument(
        "--work",
        help="keep the data here, and reuse what an earlier run prepared (default: a temporary "
        "directory, removed afterwards)",
    )
    parser.add_argument("--json", help="also write every figure to this JSON file")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also break scrkg's query time down, and compare storage layouts "
        "(tests/benchmarks/profile_gateway.py)",
    )
    args = parser.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    say(f"machine: {machine()}")
    with contextlib.suppress(OSError):
        say(f"load average at start: {Path('/proc/loadavg').read_text().split()[:3]}")
    all_figures: list[dict] = []
    temporary = None
    if args.work:
        work = Path(args.work).resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        temporary = tempfile.TemporaryDirectory(prefix="scrkg-bench-peers-")
        work = Path(temporary.name)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        with chromium() if not args.skip_browser else contextlib.nullcontext() as browser:
            for label, reviews in sizes:
                all_figures.append(bench_size(label, reviews, work, args, browser))
                if args.json:
                    Path(args.json).write_text(json.dumps(to_json(all_figures), indent=1))
    except KeyboardInterrupt:
        say("\ninterrupted: stopping the servers")
    finally:
        stop_all()
        signal.signal(signal.SIGTERM, previous)
        if temporary is not None:
            temporary.cleanup()
    for f in all_figures:
        say("")
        for line in query_table(f):
            say(line)
    growth(all_figures)
    for f in all_figures:
        targets(f)
    with contextlib.suppress(OSError):
        say(f"\nload average at the end: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
