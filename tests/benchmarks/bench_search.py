"""Benchmark of search in words: the index build beside the load that triggers it, then search
and "reviews like this one" through the site, on generated data.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/python tests/benchmarks/bench_search.py    # 1,400 reviews, ~135k triples
    .venv/bin/python tests/benchmarks/bench_search.py --reviews 14000    # ~1.2M triples

It loads the bundled data and a generated file into an on-disk store in one write (as `scrkg
load --bundled FILE` does), timing the whole load and, inside it, the build of the search index
of the new snapshot (its own time and its share of the load; the build runs while the snapshot
is compacted, and the compaction's time is given beside it; keeping the statements the load
writes for the index, as they are written, is part of the load's time, not of the build's). A
load this large builds the index in a process of its own, which starts while the load writes:
the build's own time is then what the load waits for it at the end, and the process's own
seconds (from the last statement written to the index whole) and processor seconds (all of its
life, threads included) are printed beside it. With
--compare-load N it loads the same data N more times with the index and N times with the index
left out (the build, and keeping the statements for it), interleaved, into fresh stores: the
difference of the medians is what the index adds to the load's wall time. Then it times each
search (narrow, phrase, broad, hostile, each also with filters), "reviews like this one" and a
review's page: through Flask's test client, and over real HTTP to `scrkg serve` (waitress)
started on 127.0.0.1 and stopped by its process id. Each figure is the median and the 95th
percentile of --repeat runs after one warm-up run. --work DIR keeps the data and the store there
and reuses them on the next run (the load is then not timed).
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from scrkg.graph import search as sr
from scrkg.graph import store as store_module
from scrkg.graph.store import DiskStore
from scrkg.loader import generate_file
from scrkg.loader.load import load_sources
from scrkg.web import create_app

#: (kind, text) of each search timed.
QUERIES = [
    ("narrow", "three-week-old baby"),
    ("narrow", "12-year-old girl views"),
    ("phrase", '"voice of the child"'),
    ("medium", "pre-birth assessment"),
    ("broad", "police"),
    ("broad", "review"),  # in nearly every label: the worst case
    ("hostile", 'NEAR("a" OR * AND -:^"' * 400),  # about 8 KB of operators, capped
]
FILTERS = "&class=lesson&outcome=" + quote("https://w3id.org/scrkg/concept/died")


def timings(action, repeat: int) -> tuple[float, float]:
    """The median and the 95th percentile, in ms, of ``repeat`` runs after a warm-up run."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """`scrkg serve` over the store in a process of its own, with a kept-alive connection."""

    def __init__(self, store: Path) -> None:
        self.port = free_port()
        scrkg = Path(sys.executable).with_name("scrkg")
        self.process = subprocess.Popen(
            [str(scrkg), "--store", str(store), "serve", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("scrkg serve did not start") from None
                time.sleep(0.2)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def get(self, path: str) -> bytes:
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        return response.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Untouched(sr.WrittenStatements):
    """Without the index: the statements a load writes go by, none kept for the index."""

    def quads(self, graph, triples):
        named = ox.NamedNode(graph)
        with sr.COLLECTOR_PAUSE:  # as with the index, so that only keeping and building differ
            for t in triples:
                yield ox.Quad(t.subject, t.predicate, t.object, named)


def load(store: DiskStore, data: Path, *, index: bool) -> tuple[float, float, float, str]:
    """Load the bundled data and ``data`` in one write; the load's seconds, the index build's
    as the load waits for it (0 when ``index`` is False: the build, and keeping the statements
    written for it, are left out), the compaction's that runs beside the build, and what the
    build process of its own reported (its seconds from the last statement to the index
    written, and its processor seconds), when the build ran apart."""
    builds: list[float] = []
    compactions: list[float] = []
    apart: list[str] = []
    build, written, compact = sr.index_snapshot, sr.WrittenStatements, store_module._compact

    def timed_compact(writer):
        started = time.perf_counter()
        try:
            return compact(writer)
        finally:
            compactions.append(time.perf_counter() - started)

    def timed_build(snapshot, reader, statements=None):
        started = time.perf_counter()
        try:
            return build(snapshot, reader, statements) if index else None
        finally:
            builds.append(time.perf_counter() - started)
            report = getattr(statements, "report", None)
            if index and report:
                apart.append(
                    f"built apart: {report['seconds']:.2f} s from the last statement, "
                    f"{report['cpu']:.2f} s of processor time in its process, which peaked "
                    f"at {report['memory'] / 1e6:.0f} MB"
                )

    sr.index_snapshot, store_module._compact = timed_build, timed_compact
    if not index:
        sr.WrittenStatements = Untouched
    try:
        started = time.perf_counter()
        load_sources(store, [data], bundled=True)
        took = time.perf_counter() - started
        return took, builds[-1] if index else 0.0, compactions[-1], (apart or ["in the load"])[-1]
    finally:
        sr.index_snapshot, sr.WrittenStatements, store_module._compact = build, written, compact


def fmt(pair: tuple[float, float]) -> str:
    return f"{pair[0]:7.1f} {pair[1]:7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1400)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--work", type=Path, help="keep the data and the store here, and reuse")
    parser.add_argument(
        "--compare-load",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="also load ROUNDS times with and without the index, interleaved, to compare",
    )
    parser.add_argument("--skip-http", action="store_true", help="no figures over real HTTP")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.work or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        data = folder / f"reviews-{args.reviews}.csv"
        if not data.exists():
            generate_file(data, args.reviews, 1)
        place = folder / f"store-{args.reviews}"
        reused = place.exists() and DiskStore(place).current_snapshot() is not None
        store = DiskStore(place)
        print(f"load average {loadavg()}")
        if not reused:
            load_seconds, build_seconds, compact_seconds, how = load(store, data, index=True)
        triples = store.triple_count()
        index = sr.index_for(store)
        print(f"{args.reviews:,} reviews, {triples:,} triples, {index.documents():,} documents")
        where = Path(index.where)
        files = [where] if where.is_file() else [f for f in where.rglob("*") if f.is_file()]
        size = sum(f.stat().st_size for f in files)
        if reused:
            print(f"store reused from {place}: the load was not timed")
        else:
            print(
                f"load {load_seconds:.1f} s, of which the search index's own build "
                f"{build_seconds:.2f} s ({100 * build_seconds / load_seconds:.1f}% of the load; "
                f"the compaction beside it {compact_seconds:.2f} s); index {size / 1e6:.1f} MB; "
                f"{how}"
            )
        if args.compare_load:
            # Loads with and without the index, interleaved, into fresh stores: the difference
            # of the medians is what the index adds to the load's wall time.
            withs, withouts, own = [], [], []
            for round_ in range(args.compare_load):
                for index in (True, False):
                    other = DiskStore(Path(scratch) / f"compare-{round_}-{index}")
                    took, built, compacted, how = load(other, data, index=index)
                    shutil.rmtree(other.path)
                    (withs if index else withouts).append(took)
                    if index:
                        own.append(built)
                    print(
                        f"round {round_ + 1}: load {'with' if index else 'without'} the index "
                        f"{took:.1f} s (its own build {built:.2f} s, the compaction "
                        f"{compacted:.2f} s{'; ' + how if index else ''}); load average "
                        f"{loadavg()}"
                    )
            with_, without = statistics.median(withs), statistics.median(withouts)
            print(
                f"medians: load with the index {with_:.1f} s, its own build "
                f"{statistics.median(own):.2f} s ({100 * statistics.median(own) / with_:.1f}%); "
                f"without {without:.1f} s: the index adds {with_ - without:.1f} s to the load's "
                f"wall time ({100 * (with_ - without) / with_:.1f}% of the load)"
            )

        client = create_app({"STORE": store, "TESTING": True}).test_client()
        served = None if args.skip_http else Served(place)
        try:
            print(f"load average {loadavg()}")
            print("\nmedian and 95th percentile in ms")
            print(
                f"{'query':<30} {'hits':>7}  {'test client':>15}  {'+filters':>15}  "
                f"{'/search HTML':>15}  {'HTTP /api/search':>15}  {'HTTP +filters':>15}"
            )
            for kind, text in QUERIES:
                url = "/api/search?q=" + quote(text)
                total = client.get(url).get_json().get("total", "-")
                row = [
                    timings(lambda u=url: client.get(u), args.repeat),
                    timings(lambda u=url: client.get(u + FILTERS), args.repeat),
                    timings(lambda t=text: client.get("/search?q=" + quote(t)), args.repeat),
                ]
                if served:
                    row.append(timings(lambda u=url: served.get(u), args.repeat))
                    row.append(timings(lambda u=url: served.get(u + FILTERS), args.repeat))
                shown = f"{kind}: " + (text if len(text) < 100 else text[:14] + "...(8 KB)")
                print(f"{shown:<30} {total:>7}  " + "  ".join(fmt(p) for p in row))

            reviews = [
                "https://w3id.org/scrkg/id/review/OFSTED-2009-10-CS1",
                "https://w3id.org/scrkg/id/review/SYN-1-R000001",
                f"https://w3id.org/scrkg/id/review/SYN-1-R{args.reviews // 2:06d}",
            ]
            print(
                f"\n{'similar reviews (/api/similar)':<30} {'found':>7}  {'test client':>15}",
                end="",
            )
            print(f"  {'HTTP':>15}" if served else "")
            for iri in reviews:
                url = "/api/similar?iri=" + quote(iri)
                found = client.get(url).get_json()["similar"]
                row = [timings(lambda u=url: client.get(u), args.repeat)]
                if served:
                    row.append(timings(lambda u=url: served.get(u), args.repeat))
                print(f"{iri.rsplit('/', 1)[-1]:<30} {len(found):>7}  " + "  ".join(map(fmt, row)))
            page = "/id/review/SYN-1-R000001"
            row = [timings(lambda: client.get(page), args.repeat)]
            if served:
                row.append(timings(lambda: served.get(page), args.repeat))
            print(f"{'review page with the panel':<30} {'':>7}  " + "  ".join(map(fmt, row)))
            print(f"load average {loadavg()}")
        finally:
            if served:
                served.stop()


if __name__ == "__main__":
    main()
