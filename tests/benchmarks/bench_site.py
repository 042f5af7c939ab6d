"""Benchmark of the site: neighbour expansion and dashboard on the bundled data, and what /sparql
adds to pyoxigraph's own time for each saved query on a generated ~100k-triple dataset; with
``--heavy``, the site's heavy pages beside bare Oxigraph answering the same SPARQL.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/python tests/benchmarks/bench_site.py
    .venv/bin/python tests/benchmarks/bench_site.py --reviews 1400 --repeat 15
    .venv/bin/python tests/benchmarks/bench_site.py --heavy --work /tmp/bench --size 100k --rounds 7

``--heavy`` takes the data tests/benchmarks/harness.py prepares (``--work DIR`` reuses
``DIR/SIZE``; it is prepared there when missing) and times three requests that find no answer
remembered, each in ``--rounds`` rounds:

* the dashboard (``GET /``), the first request after a load;
* the explorer's first expansion of a hub (``/api/neighbours``, the JSON the explorer page calls
  when a node is clicked), on the concepts with the most links, one a round;
* a pattern with a filter not asked before (``/patterns/risk-factors?outcome=..&age-band=..``,
  after the unfiltered pattern, as a visitor who narrows it).

``scrkg serve`` runs over a copy of the harness's store (``DIR/SIZE-site``) with
SCRKG_WARM_INTERVAL=0, so that no background warm-up answers for the page; before each round a
one-triple Turtle file is loaded into its own graph, which makes a new snapshot and so a new
version of the store for every cache. The SPARQL each request runs is captured first, in this
process, by the same site over the same store with a store that records its queries (every cache
emptied at the start of a round, as a load does); ``oxigraph serve-read-only
--union-default-graph`` over the
harness's Oxigraph location then answers the same queries one after the other over HTTP in the
same round, and its time is their sum. Printed: medians and 95th percentiles of both, and whether
scrkg is within 1.1x + 2 ms of Oxigraph.

It starts `scrkg serve` on 127.0.0.1 (stopped by process id at the end) over stores in a
temporary directory. pyoxigraph's own time is the query run in-process on the same on-disk
snapshot, with its results serialised as SPARQL JSON, which is what /sparql returns; /sparql's
time is the whole HTTP round trip with a keep-alive connection (gateway checks, a worker
process, serialisation, transfer).
"""

from __future__ import annotations

import argparse
import io
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from served import served  # noqa: E402 - tests/served.py, the helper the tests use

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    SCRC,
    SIZES,
    load_average,
    oxigraph_server,
    prepare,
    scrkg_server,
    stop_all,
)

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


# ---------------------------------------------------------------------------------------------
# The heavy pages beside bare Oxigraph (--heavy)
# ---------------------------------------------------------------------------------------------

PAGES = ("dashboard, first request after a load", "explorer, first expansion of a hub",
         "pattern, a new filter")  # fmt: skip
PATTERN = "/patterns/risk-factors"
FILTERS = [
    {"outcome": outcome, "age-band": band}
    for band in ("under-1", "age-1-to-5", "age-6-to-10", "age-11-to-15", "age-16-plus")
    for outcome in ("died", "serious-harm")
]
HUBS_QUERY = f"""
SELECT ?concept (COUNT(*) AS ?links) WHERE {{
  ?other ?p ?concept FILTER(STRSTARTS(STR(?concept), "{SCRC}"))
}}
GROUP BY ?concept ORDER BY DESC(?links) ?concept LIMIT %d
"""
PREFIX_LINES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


class RecordingStore(DiskStore):
    """The on-disk store, which also keeps the text of every SPARQL query run on it (through
    :meth:`query` or on its pyoxigraph store directly, as ``triple_count`` does)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.sent: list[str] = []

    def _reader(self) -> object:
        return _Recorder(super()._reader(), self.sent)


class _Recorder:
    """A pyoxigraph store whose ``query`` notes each query's text (with the options it was
    given, only the union default graph and the prefixes can be replayed) and runs it."""

    def __init__(self, store: ox.Store, sent: list[str]) -> None:
        self._store = store
        self._sent = sent

    def query(self, sparql: str, **options: object) -> object:
        extra = set(options) - {"prefixes", "use_default_graph_as_union"}
        if extra or options.get("use_default_graph_as_union") is False:
            raise SystemExit(f"a page ran a query with options {options}: not replayed")
        self._sent.append(sparql)
        return self._store.query(sparql, **options)

    def __len__(self) -> int:
        # Counting the store's quads has no HTTP form: bare Oxigraph is asked the COUNT query
        # that answers the same question.
        self._sent.append("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
        return len(self._store)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def forget_answers() -> None:
    """Empty every cache of answers the pages keep (as a new version of the store does)."""
    from scrkg.graph import neighbours, patterns
    from scrkg.graph.memo import MEMO

    MEMO.clear()
    neighbours.MEMBER_LISTS.clear()
    patterns.clear_cache()


def round_requests(hub: str, filters: dict[str, str]) -> list[tuple[str, list[str], str]]:
    """(page, untimed requests before it, the timed request) for one round."""
    neighbours = "/api/neighbours?" + urlencode({"iri": hub})
    return [
        (PAGES[0], [], "/"),
        (PAGES[1], [], neighbours),
        (PAGES[2], [PATTERN], PATTERN + "?" + urlencode(filters)),
    ]


def capture(store_path: Path, rounds: list[list[tuple[str, list[str], str]]]) -> list[list]:
    """The queries each timed request of each round runs, caught in this process by the site
    over a store that records them; every cache is emptied at the start of a round."""
    from scrkg.web import create_app

    store = RecordingStore(store_path)
    app = create_app({"SCRKG_STORE": str(store_path), "STORE": store, "SCRKG_AUTH": ""})
    client = app.test_client()
    captured = []
    for requests_ in rounds:
        forget_answers()
        each = []
        for _, before, path in requests_:
            for untimed in before:
                client.get(untimed).close()
            store.sent.clear()
            answer = client.get(path)
            if answer.status_code != 200:
                raise SystemExit(f"GET {path}: HTTP {answer.status_code}")
            answer.close()
            each.append(list(store.sent))
        captured.append(each)
    store.close()
    return captured


def replay(session: requests.Session, url: str, queries: list[str]) -> float:
    """Seconds for Oxigraph to answer ``queries`` one after the other over HTTP."""
    start = time.perf_counter()
    for sparql in queries:
        answer = session.post(
            url,
            data=(PREFIX_LINES + sparql).encode("utf-8"),
            headers={
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json, application/n-triples;q=0.5",
            },
            timeout=300,
        )
        answer.content  # noqa: B018 - read the whole body
        if answer.status_code != 200:
            raise SystemExit(f"Oxigraph refused a page's query: {answer.text[:300]}\n{sparql}")
    return time.perf_counter() - start


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def heavy_pages(work: Path, size: str, rounds: int) -> None:
    data = work / size
    prepare(data, SIZES[size])
    site = work / f"{size}-site"
    if not (site / "store").exists():
        shutil.copytree(data / "store", site / "store")
    touch = site / "bench-touch.ttl"
    oxigraph = oxigraph_server(data)
    scrkg = scrkg_server(site, 120)
    scrkg.env["SCRKG_WARM_INTERVAL"] = "0"
    scrkg.log = site / "scrkg.log"
    try:
        if not oxigraph.start(300):
            raise SystemExit(f"oxigraph did not start: see {oxigraph.log}")
        with requests.Session() as http:
            answer = http.post(
                oxigraph.url,
                data=(HUBS_QUERY % rounds).encode("utf-8"),
                headers={"Content-Type": "application/sparql-query",
                         "Accept": "application/sparql-results+json"},
                timeout=300,
            )  # fmt: skip
            bindings = answer.json()["results"]["bindings"]
        hubs = [(b["concept"]["value"], int(b["links"]["value"])) for b in bindings]
        plan = [
            round_requests(hubs[r % len(hubs)][0], FILTERS[r % len(FILTERS)]) for r in range(rounds)
        ]
        named = ", ".join(f"{h.rsplit('/', 1)[-1]} ({n:,})" for h, n in hubs)
        print(f"heavy pages at {size}; hubs (links): {named}", flush=True)
        captured = capture(site / "store", plan)
        for page, queries in zip(PAGES, captured[0], strict=True):
            repeated = len(queries) - len(set(queries))
            print(f"  {page}: {len(queries)} queries ({repeated} repeated) in round 1", flush=True)
        if not scrkg.start(300):
            raise SystemExit(f"scrkg did not start: see {scrkg.log}")
        print(f"  load average at the start: {load_average()}", flush=True)
        times: dict[str, dict[str, list[float]]] = {
            page: {"scrkg": [], "oxigraph": []} for page in PAGES
        }
        base = scrkg.url.rsplit("/", 1)[0]
        with requests.Session() as site_http, requests.Session() as peer_http:
            site_http.get(base + "/health", timeout=30).close()
            for number, (requests_, queries) in enumerate(zip(plan, captured, strict=True)):
                touch.write_text(f"<urn:scrkg:bench> <urn:scrkg:round> {number} .\n")
                subprocess.run(
                    [sys.executable, "-m", "scrkg", "--store", str(site / "store"), "load",
                     str(touch), "--graph", "urn:scrkg:bench-graph"],
                    check=True, capture_output=True,
                )  # fmt: skip
                for (page, before, path), sent in zip(requests_, queries, strict=True):
                    for untimed in before:
                        site_http.get(base + untimed, timeout=300).close()
                    start = time.perf_counter()
                    answer = site_http.get(base + path, timeout=300)
                    answer.content  # noqa: B018 - read the whole body
                    times[page]["scrkg"].append(time.perf_counter() - start)
                    if answer.status_code != 200:
                        raise SystemExit(f"GET {path}: HTTP {answer.status_code}")
                    times[page]["oxigraph"].append(replay(peer_http, oxigraph.url, sent))
        print(f"  load average at the end: {load_average()}", flush=True)
    finally:
        scrkg.stop()
        oxigraph.stop()
        stop_all()
    print(
        f"\n| page ({size}) | queries | scrkg median / p95 ms | Oxigraph, the same SPARQL,"
        " median / p95 ms | rounds | within 1.1x + 2 ms |\n|---|---|---|---|---|---|"
    )
    for page, (sent) in zip(PAGES, captured[0], strict=True):
        ours, peer = times[page]["scrkg"], times[page]["oxigraph"]
        ours_ms, peer_ms = 1000 * statistics.median(ours), 1000 * statistics.median(peer)
        over = ours_ms - (1.1 * peer_ms + 2)
        verdict = "yes" if over <= 0 else f"no (+{over:.1f} ms)"
        print(
            f"| {page} | {len(sent)} | {ours_ms:.1f} / {1000 * p95(ours):.1f}"
            f" | {peer_ms:.1f} / {1000 * p95(peer):.1f} | {len(ours)} | {verdict} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_400, help="~72 triples each")
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--heavy", action="store_true", help="the heavy pages beside Oxigraph")
    parser.add_argument("--work", help="the harness's work folder (--heavy)")
    parser.add_argument("--size", default="100k", choices=list(SIZES), help="(--heavy) 100k")
    parser.add_argument("--rounds", type=int, default=7, help="(--heavy) new versions timed")
    args = parser.parse_args()
    if args.heavy:
        with tempfile.TemporaryDirectory(prefix="scrkg-bench-site-") as tmp:
            heavy_pages(Path(args.work or tmp), args.size, args.rounds)
        return
    with tempfile.TemporaryDirectory(prefix="scrkg-bench-site-") as tmp:
        site_figures(Path(tmp), args.repeat)
        sparql_overhead(Path(tmp), args.reviews, args.repeat)


if __name__ == "__main__":
    main()
