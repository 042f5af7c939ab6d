"""What scrkg adds to each SPARQL query over HTTP, beside bare Oxigraph, at a partnership's size.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/python tests/benchmarks/bench_fixed_cost.py                      # 10k triples
    .venv/bin/python tests/benchmarks/bench_fixed_cost.py --baseline HEAD~1   # and scrkg then
    .venv/bin/python tests/benchmarks/bench_fixed_cost.py --work /tmp/bench   # harness's data
    .venv/bin/python tests/benchmarks/bench_fixed_cost.py --size 100k --queries 01,02,10,12

It prepares the data as tests/benchmarks/harness.py does (``--work DIR`` reuses what the harness
or an earlier run left in ``DIR/SIZE``, ``--size`` 10k by default), starts ``scrkg serve`` and
``oxigraph serve-read-only --union-default-graph`` on 127.0.0.1 (with ``--baseline REV``, also a
second ``scrkg serve`` running the code of that git revision, unpacked with ``git archive``), and
sends each query POST application/sparql-query with Accept application/sparql-results+json. The
queries are ``ASK {}`` (nothing but the fixed cost) and the saved queries with the fewest rows,
or those named by ``--queries``. The servers
take turns on every round, in an order that rotates, so that a busy moment of the machine falls
on each of them alike; the figures are medians over ``--rounds`` rounds after a warm-up, and
the fixed cost is the median of the paired differences (scrkg minus Oxigraph in the same round).
It also prints each server's 95th percentile and whether scrkg's median is within 1.1x + 2 ms of
Oxigraph's.

With ``--steps`` it also times, in this process and on the same store, where a query's time
goes: pyoxigraph alone (rows read), the gateway's work in one thread (graph/gateway.py
``execute``: the engine and the rows written), the gateway with its worker process
(``QueryGateway.run``), and the site's /sparql through Flask's test client (no socket).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    ROOT,
    SIZES,
    Server,
    descendants,
    oxigraph_server,
    post_query,
    prepare,
    say,
    scrkg_server,
    stop_all,
    wait_for_warm_caches,
)
from profile_gateway import median_ms  # noqa: E402

ASK = "ASK {}"
#: The saved queries with the fewest rows at 10k triples, where the fixed cost shows most.
SMALL = (
    "12-single-source-statements",
    "13-published-series",
    "14-recommendations",
    "11-quality-grades",
    "03-maltreatment-by-age-and-outcome",
)
#: The folders of the source tree that are the subpackages of scrkg (pyproject.toml).
PACKAGES = {"scrkg": "scrkg", "ontology": "ontology", "graph": "graph", "loader": "loader",
            "web": "web"}  # fmt: skip


def queries(chosen: str | None = None) -> dict[str, str]:
    """``ASK {}`` and the saved queries named in ``chosen`` (comma-separated names or their
    numbers, or ``all``), by default those of :data:`SMALL`."""
    from scrkg.graph.saved import saved_queries

    saved = {s.name: s.sparql for s in saved_queries()}
    if chosen is None:
        names = [name for name in SMALL if name in saved]
    elif chosen == "all":
        names = list(saved)
    else:
        wanted = [w.strip() for w in chosen.split(",") if w.strip()]
        names = [n for n in saved if any(n == w or n.split("-", 1)[0] == w for w in wanted)]
    return {"ASK {}": ASK, **{name: saved[name] for name in names}}


def unpack(revision: str, into: Path) -> Path:
    """The package tree of scrkg at ``revision``, importable with PYTHONPATH=<returned path>."""
    source = into / "source"
    source.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    tree = into / "packages"
    shutil.copytree(source / "scrkg", tree / "scrkg")
    for name, folder in PACKAGES.items():
        if name != "scrkg":
            shutil.copytree(source / folder, tree / "scrkg" / name)
    return tree


def baseline_server(folder: Path, revision: str, tree: Path, timeout: float) -> Server:
    server = scrkg_server(folder, timeout)
    server.name = f"scrkg {revision}"
    server.env["PYTHONPATH"] = str(tree)
    server.cwd = tree  # so that the project's own folder is not first on sys.path
    server.log = folder / "scrkg-baseline.log"
    return server


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """The processor time (user and system) used so far by a process and those below it that
    are still running (scrkg's query workers live as long as the server)."""
    total = 0
    for each in (pid, *descendants(pid)):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def bench_http(servers: list[Server], texts: dict[str, str], rounds: int) -> tuple[dict, dict]:
    """Per query and server: the samples in seconds, the servers taking turns each round; and
    the processor seconds each server used for one query (its whole time over the rounds)."""
    sessions = {s.name: requests.Session() for s in servers}
    samples: dict[str, dict[str, list[float]]] = {q: {s.name: [] for s in servers} for q in texts}
    cpu: dict[str, dict[str, float]] = {q: {} for q in texts}
    for name, text in texts.items():
        for server in servers:  # warm-up
            for _ in range(5):
                post_query(sessions[server.name], server.url, text, 60)
        before = {s.name: cpu_seconds(s.pid) for s in servers if s.pid}
        orders = itertools.cycle(itertools.permutations(servers))
        for _ in range(rounds):
            for server in next(orders):
                seconds, _, _ = post_query(sessions[server.name], server.url, text, 60)
                samples[name][server.name].append(seconds)
        for server in servers:
            if server.pid:
                used = cpu_seconds(server.pid) - before[server.name]
                cpu[name][server.name] = used / rounds
    return samples, cpu


def bench_steps(store_path: Path, texts: dict[str, str], repeat: int) -> dict[str, dict]:
    """Where a query's time goes, in this process (see the module's docstring)."""
    from scrkg.graph.gateway import Job, Limits, QueryGateway, execute
    from scrkg.graph.store import DiskStore
    from scrkg.web import create_app

    huge = 10**12
    store = DiskStore(store_path)
    limits = Limits(timeout=600, max_rows=huge, max_bytes=huge, memory_mb=0)
    gateway = QueryGateway(store, limits)
    gateway.warm_up()
    app = create_app(
        {
            "SCRKG_STORE": str(store_path),
            "STORE": store,
            "SCRKG_QUERY_MAX_ROWS": huge,
            "SCRKG_QUERY_MAX_BYTES": huge,
            "SCRKG_WARM_INTERVAL": 0,
        }
    )
    client = app.test_client()
    headers = {"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON}
    steps: dict[str, dict] = {}
    try:
        for name, text in texts.items():
            job = Job(text, max_rows=huge, max_bytes=huge)
            body = text.encode()
            steps[name] = {
                "engine": median_ms(lambda t=text: _read_all(store.query(t)), repeat, warm_ups=5),
                "execute": median_ms(lambda j=job: execute(store, j), repeat, warm_ups=5),
                "gateway": median_ms(lambda t=text: gateway.run(t), repeat, warm_ups=5),
                "flask": median_ms(
                    lambda b=body: client.post("/sparql", data=b, headers=headers),
                    repeat,
                    warm_ups=5,
                ),
            }
    finally:
        gateway.close()
        with contextlib.suppress(Exception):
            from scrkg.web import querying

            found = querying.existing_gateway(app)
            if found is not None:
                found.close()
        store.close()
    return steps


SPARQL_JSON = "application/sparql-results+json"


def _read_all(results: object) -> object:
    if hasattr(results, "__iter__"):
        return list(results)  # type: ignore[call-overload]
    return bool(results)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def paired_ms(a: list[float], b: list[float]) -> float:
    """The median of the differences of two servers' samples taken in the same rounds."""
    return 1000 * statistics.median(x - y for x, y in zip(a, b, strict=True))


def report(samples: dict, cpu: dict, steps: dict | None, peer: str) -> None:
    names = list(next(iter(samples.values())))
    others = [n for n in names if n != peer]
    columns = [f"{n} ms" for n in names] + [f"{n} - {peer} ms" for n in others]
    if len(others) == 2:
        columns.append(f"{others[0]} - {others[1]} ms")
    columns += [f"{n} p95 ms" for n in names]
    columns += [f"{n} CPU ms" for n in names]
    columns += [f"{n} within 1.1x + 2 ms of {peer}" for n in others]
    say(f"| query | {' | '.join(columns)} |")
    say("|---" * (1 + len(columns)) + "|")
    for query, by_server in samples.items():
        cells = [f"{1000 * statistics.median(by_server[n]):.2f}" for n in names]
        cells += [f"{paired_ms(by_server[n], by_server[peer]):+.2f}" for n in others]
        if len(others) == 2:
            cells.append(f"{paired_ms(by_server[others[0]], by_server[others[1]]):+.2f}")
        cells += [f"{1000 * percentile(by_server[n], 0.95):.2f}" for n in names]
        cells += [f"{1000 * cpu[query].get(n, math.nan):.2f}" for n in names]
        bound = 1.1 * statistics.median(by_server[peer]) + 0.002
        cells += ["yes" if statistics.median(by_server[n]) <= bound else "no" for n in others]
        say(f"| {query} | {' | '.join(cells)} |")
    if steps:
        say("")
        say("In this process (ms, median): pyoxigraph alone, the gateway's work in one thread,")
        say("the gateway with its worker process, /sparql through Flask's test client.")
        say("| query | engine | execute | gateway | flask |")
        say("|---|---|---|---|---|")
        for query, row in steps.items():
            say(
                f"| {query} | {row['engine']:.2f} | {row['execute']:.2f} | {row['gateway']:.2f}"
                f" | {row['flask']:.2f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300, help="timed rounds of each query")
    parser.add_argument("--work", help="data folder; DIR/SIZE is reused when already prepared")
    parser.add_argument("--size", default="10k", choices=list(SIZES), help="triples of data")
    parser.add_argument(
        "--queries", help="saved queries: comma-separated names or numbers (01,10), or all"
    )
    parser.add_argument("--baseline", help="also run scrkg at this git revision, taking turns")
    parser.add_argument("--steps", action="store_true", help="also time the steps in-process")
    parser.add_argument("--step-repeat", type=int, default=200, help="runs of each step")
    args = parser.parse_args()
    with contextlib.suppress(OSError):
        say(f"load average at start: {Path('/proc/loadavg').read_text().split()[:3]}")
    scratch = tempfile.TemporaryDirectory(prefix="scrkg-bench-fixed-")
    work = Path(args.work).resolve() if args.work else Path(scratch.name)
    folder = work / args.size
    try:
        prepare(folder, SIZES[args.size])
        texts = queries(args.queries)
        servers = [scrkg_server(folder, 60), oxigraph_server(folder)]
        if args.baseline:
            tree = unpack(args.baseline, Path(scratch.name) / "baseline")
            servers.insert(1, baseline_server(folder, args.baseline, tree, 60))
        for server in servers:
            if not server.start(120):
                raise SystemExit(f"{server.name} did not start; see {server.log}")
            if server.name.startswith("scrkg"):
                wait_for_warm_caches(server)
        samples, cpu = bench_http(servers, texts, args.rounds)
        stop_all()
        steps = bench_steps(folder / "store", texts, args.step_repeat) if args.steps else None
        say(
            f"\n{args.rounds} rounds: medians over HTTP, the differences paired by round, and "
            "the processor time of each server (and its workers) for one query:"
        )
        report(samples, cpu, steps, peer="oxigraph")
    finally:
        stop_all()
        scratch.cleanup()
    with contextlib.suppress(OSError):
        say(f"load average at the end: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
