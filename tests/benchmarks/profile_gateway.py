"""Where the time of a saved query through scrkg's /sparql goes, step by step, in one process.

Run it from the project root on a loaded on-disk store (it prints its figures; it asserts
nothing); tests/benchmarks/harness.py runs it on each size with ``--profile``:

    .venv/bin/python tests/benchmarks/profile_gateway.py --store PATH [--repeat 5]

For each saved query, the median over ``--repeat`` runs after a warm-up, in milliseconds:

* ``check``: the gateway's check of the text (rdflib's SPARQL parser and algebra translation,
  graph/gateway.py ``check_query``), which runs before pyoxigraph sees the query;
* ``engine``: pyoxigraph evaluating the query and yielding every row (the rows are read, not
  written);
* ``ox json``: pyoxigraph evaluating the query and writing SPARQL JSON itself, which is what a
  bare ``oxigraph serve`` does;
* ``py rows``: pyoxigraph evaluating the query and graph/result_writers.py ``write_solutions``
  writing each row of SPARQL JSON in Python (how the gateway wrote every result before it let
  pyoxigraph write SPARQL JSON; it still writes XML, CSV and TSV so);
* ``execute``: the gateway's work in one thread (``execute``: check, evaluation, and the result
  written by pyoxigraph into a capped buffer, graph/result_writers.py), what a worker does;
* ``gateway``: ``QueryGateway.run`` with its worker processes, the answer's bytes sent back
  through a pipe (the worker round trip is ``gateway - execute``);
* ``flask``: the site's /sparql through Flask's test client (no socket, no waitress): the
  request read, the Accept header negotiated, the security hooks, the gateway and its worker,
  the answer's headers (the site's layer is ``flask - gateway``);
* the size of the JSON answer.

The rest of /sparql's time, measured by the harness over HTTP, is waitress, the network stack
and the client: ``HTTP - flask``.

To profile the code of an earlier revision with this script, run it with ``PYTHONPATH`` naming
that revision's package tree (as tests/benchmarks/bench_fixed_cost.py ``unpack`` makes it) and
from that folder, so that the project's own folder is not first on ``sys.path``.

With ``--peer LOCATION`` (an Oxigraph location holding the same data, such as the harness's
``--work DIR/1M/oxigraph``) it also times pyoxigraph alone, in this one process, on three
layouts of the same data, taking turns: scrkg's live snapshot as ``scrkg load`` left it, a copy of
that snapshot after ``Store.optimize()`` (a RocksDB compaction), and the peer's location. The
engine is the same, so a difference is the storage layout's.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from scrkg.graph.gateway import Job, Limits, QueryGateway, check_query, execute
from scrkg.graph.result_writers import SPARQL_JSON, write_solutions
from scrkg.graph.saved import saved_queries
from scrkg.graph.store import DiskStore

HUGE = 10**12


def median_ms(call: Callable[[], object], repeat: int, warm_ups: int = 1) -> float:
    """The median time of ``repeat`` calls, in milliseconds, after ``warm_ups`` calls."""
    for _ in range(warm_ups):
        call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def site_client(store: DiskStore, store_path: str):  # noqa: ANN201 - a Flask test client
    """The site over ``store`` with its caps raised and no background warm-up, as a test client."""
    from scrkg.web import create_app

    settings = {
        "SCRKG_STORE": store_path,
        "STORE": store,
        "SCRKG_QUERY_MAX_ROWS": HUGE,
        "SCRKG_QUERY_MAX_BYTES": HUGE,
        "SCRKG_QUERY_TIMEOUT": 600,
        "SCRKG_WARM_INTERVAL": 0,
        "SCRKG_AUTH": "",
        "SCRKG_AUDIT_LOG": "",
    }
    return create_app(settings)


def close_site(app) -> None:  # noqa: ANN001
    """Stop the query workers the site started."""
    from scrkg.web import querying

    with contextlib.suppress(Exception):
        found = querying.existing_gateway(app)
        if found is not None:
            found.close()


def through_flask(client, sparql: str) -> None:  # noqa: ANN001
    answer = client.post(
        "/sparql",
        data=sparql.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON},
    )
    if answer.status_code != 200:
        raise RuntimeError(f"/sparql answered {answer.status_code}: {answer.data[:300]!r}")


def profile(
    store_path: str, repeat: int = 5, names: list[str] | None = None
) -> dict[str, dict[str, float]]:
    """The steps of each saved query (or of those whose names start with one of ``names``) in
    milliseconds, and its answer's size in bytes."""
    store = DiskStore(store_path)
    limits = Limits(timeout=600, max_rows=HUGE, max_bytes=HUGE, memory_mb=0)
    gateway = QueryGateway(store, limits)
    gateway.warm_up()
    app = site_client(store, store_path)
    client = app.test_client()
    figures: dict[str, dict[str, float]] = {}
    try:
        for saved in saved_queries():
            if names and not saved.name.startswith(tuple(names)):
                continue
            sparql = saved.sparql
            job = Job(sparql, solution_type=SPARQL_JSON, max_rows=HUGE, max_bytes=HUGE)
            row = {
                "check": median_ms(lambda s=sparql: check_query(s), repeat),
                "engine": median_ms(lambda s=sparql: list(store.query(s)), repeat),
                "ox json": median_ms(
                    lambda s=sparql: store.query(s).serialize(format=ox.QueryResultsFormat.JSON),
                    repeat,
                ),
                "py rows": median_ms(
                    lambda s=sparql: write_solutions(
                        store.query(s), SPARQL_JSON, max_rows=HUGE, max_bytes=HUGE
                    ),
                    repeat,
                ),
                "execute": median_ms(lambda j=job: execute(store, j), repeat),
                "gateway": median_ms(lambda s=sparql: gateway.run(s), repeat),
                "flask": median_ms(lambda s=sparql: through_flask(client, s), repeat),
            }
            written = gateway.run(sparql)
            row["rows"] = written.rows
            row["bytes"] = len(written.body)
            figures[saved.name] = row
    finally:
        close_site(app)
        gateway.close()
        store.close()
    return figures


def print_profile(figures: dict[str, dict[str, float]], http_ms: dict[str, float]) -> None:
    """One line a query; ``http_ms`` holds the harness's median over HTTP, where known."""
    print(
        f"  {'query':<36} {'check':>7} {'engine':>8} {'ox json':>8} {'py rows':>8} {'execute':>8}"
        f" {'gateway':>8} {'flask':>8} {'HTTP':>8} | serialise  worker    site  waitress"
        " | rows, KiB",
        flush=True,
    )
    nan = float("nan")
    for name, row in figures.items():
        http = http_ms.get(name, nan)
        serialise = row["execute"] - row["check"] - row["engine"]
        worker = row["gateway"] - row["execute"]
        site = row.get("flask", nan) - row["gateway"]
        waitress = http - row.get("flask", nan)
        print(
            f"  {name:<36} {row['check']:7.2f} {row['engine']:8.2f} {row['ox json']:8.2f}"
            f" {row.get('py rows', nan):8.2f} {row['execute']:8.2f} {row['gateway']:8.2f}"
            f" {row.get('flask', nan):8.2f} {http:8.2f} |"
            f" {serialise:9.2f} {worker:7.2f} {site:7.2f} {waitress:9.2f} |"
            f" {int(row['rows']):,}, {row['bytes'] / 1024:,.0f}",
            flush=True,
        )


def layouts(store_path: str, peer: str, repeat: int = 3) -> dict[str, dict[str, float]]:
    """pyoxigraph's time (ms, median) for each saved query on scrkg's live snapshot, on an
    optimised copy of it, and on the peer's location; and the seconds the optimisation took."""
    live = Path(store_path) / "snapshots" / (Path(store_path) / "CURRENT").read_text().strip()
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="scrkg-layout-") as tmp:
        copy = Path(tmp) / "optimised"
        shutil.copytree(live, copy, ignore=shutil.ignore_patterns("LOCK"))
        writable = ox.Store(str(copy))
        start = time.perf_counter()
        writable.optimize()
        writable.flush()
        figures["optimize"] = {"seconds": time.perf_counter() - start}
        del writable
        stores = {
            "snapshot": ox.Store.read_only(str(live)),
            "optimised": ox.Store.read_only(str(copy)),
            "peer": ox.Store.read_only(peer),
        }
        for saved in saved_queries():
            times: dict[str, list[float]] = {name: [] for name in stores}
            for round_ in range(repeat + 1):  # the first round warms up
                for name, store in stores.items():
                    start = time.perf_counter()
                    list(store.query(saved.sparql, use_default_graph_as_union=True))
                    if round_:
                        times[name].append(time.perf_counter() - start)
            figures[saved.name] = {n: 1000 * statistics.median(t) for n, t in times.items()}
        del stores
    return figures


def print_layouts(figures: dict[str, dict[str, float]]) -> None:
    print(
        f"  pyoxigraph alone (ms, median) on scrkg's snapshot, on an optimised copy of it"
        f" (optimize() took {figures['optimize']['seconds']:.1f} s), and on the peer's location:",
        flush=True,
    )
    for name, row in figures.items():
        if name == "optimize":
            continue
        print(
            f"  {name:<36} snapshot {row['snapshot']:9.1f} | optimised {row['optimised']:9.1f}"
            f" | peer {row['peer']:9.1f} | snapshot/peer {row['snapshot'] / row['peer']:5.2f}"
            f" | optimised/peer {row['optimised'] / row['peer']:5.2f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a loaded on-disk store")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--peer", help="an Oxigraph location with the same data: compare layouts")
    parser.add_argument("--json", help="also write the steps to this JSON file")
    parser.add_argument("--queries", help="comma-separated starts of names (05-toxic-trio-c,10)")
    args = parser.parse_args()
    names = [n.strip() for n in args.queries.split(",")] if args.queries else None
    figures = profile(args.store, args.repeat, names)
    print_profile(figures, {})
    if args.json:
        import json

        Path(args.json).write_text(json.dumps(figures, indent=1))
    if args.peer:
        print_layouts(layouts(args.store, args.peer, max(1, args.repeat // 2)))


if __name__ == "__main__":
    main()
