"""Benchmark of the site: neighbour expansion and dashboard on the bundled data, and what /sparql
adds to pyoxigraph's own time for each saved query on a generated ~100k-triple dataset.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/python tests/benchmarks/bench_site.py
    .venv/bin/python tests/benchmarks/bench_site.py --reviews 1400 --repeat 15

It starts `scrkg serve` on 127.0.0.1 (stopped by process id at the end) over stores in a
temporary directory. pyoxigraph's own time is the query run in-process on the same on-disk
snapshot, with its results serialised as SPARQL JSON, which is what /sparql returns; /sparql's
time is the whole HTTP round trip with a keep-alive connection (gateway checks, a worker
process, serialisation, transfer).
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from served import served  # noqa: E402 - tests/served.py, the helper the tests use

from scrkg.graph.saved import saved_queries  # noqa: E402
from scrkg.graph.store import DiskStore  # noqa: E402
from scrkg.ontology import PREFIXES  # noqa: E402

CHILD = "https://w3id.org/scrkg/id/child/OFSTED-2009-10-CS1-C1"
REVIEW = "https://w3id.org/scrkg/id/review/OFSTED-2009-10-CS1"
DIED = "https://w3id.org/scrkg/concept/died"
ENV = {"SCRKG_QUERY_MAX_ROWS": "10000000", "SCRKG_QUERY_MAX_BYTES": "1000000000"}


def timed(call, repeat: int) -> list[float]:
    """Milliseconds of each call after one warm-up call."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def median(times: list[float]) -> float:
    return statistics.median(times)


def site_figures(work: Path, repeat: int) -> None:
    store = work / "bundled"
    subprocess.run(
        [sys.executable, "-m", "scrkg", "--store", str(store), "load", "--bundled"],
        check=True,
        capture_output=True,
    )
    with served(store, ENV) as url, requests.Session() as http:

        def get(path: str, **params: str) -> None:
            answer = http.get(url + path, params=params, timeout=30)
            answer.raise_for_status()

        print("bundled data (median of", repeat, "after a warm-up):")
        for label, call in [
            ("neighbour expansion, a child", lambda: get("/api/neighbours", iri=CHILD)),
            ("neighbour expansion, a review", lambda: get("/api/neighbours", iri=REVIEW)),
            ("neighbour expansion, 'died' (90 links)", lambda: get("/api/neighbours", iri=DIED)),
            ("dashboard /", lambda: get("/")),
        ]:
            times = timed(call, repeat)
            print(f"  {label:<42} {median(times):8.1f} ms   (max {max(times):.1f} ms)")


def sparql_overhead(work: Path, reviews: int, repeat: int) -> None:
    data = work / "generated.csv"
    store = work / "generated"
    for args in (
        ["generate", "--reviews", str(reviews), "--seed", "7", "-o", str(data)],
        ["--store", str(store), "load", str(data)],
    ):
        subprocess.run(
            [sys.executable, "-m", "scrkg", *args], check=True, capture_output=True, text=True
        )
    disk = DiskStore(store)
    triples = disk.triple_count()
    snapshot = ox.Store.read_only(str(store / "snapshots" / disk.current_snapshot()))

    def in_process(sparql: str) -> None:
        results = snapshot.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
        results.serialize(io.BytesIO(), ox.QueryResultsFormat.JSON)

    print(f"\n/sparql against pyoxigraph in-process, {triples:,} generated triples (median ms):")
    print(f"  {'saved query':<42} {'pyoxigraph':>10} {'/sparql':>10} {'added':>8}")
    with served(store, ENV) as url, requests.Session() as http:

        def over_http(sparql: str) -> None:
            answer = http.post(
                url + "/sparql",
                data=sparql.encode("utf-8"),
                headers={
                    "Content-Type": "application/sparql-query",
                    "Accept": "application/sparql-results+json",
                },
                timeout=60,
            )
            answer.raise_for_status()

        for query in saved_queries():
            own = median(timed(lambda q=query.sparql: in_process(q), repeat))
            site = median(timed(lambda q=query.sparql: over_http(q), repeat))
            added = (site - own) / own * 100 if own else float("nan")
            print(f"  {query.name:<42} {own:10.1f} {site:10.1f} {added:7.0f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_400, help="~72 triples each")
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scrkg-bench-site-") as tmp:
        site_figures(Path(tmp), args.repeat)
        sparql_overhead(Path(tmp), args.reviews, args.repeat)


if __name__ == "__main__":
    main()
