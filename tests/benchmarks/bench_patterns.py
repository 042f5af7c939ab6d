"""Benchmark of the patterns across reviews (graph/patterns.py): cold, filtered and cached.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/python tests/benchmarks/bench_patterns.py                 # bundled data, then ~1M
    .venv/bin/python tests/benchmarks/bench_patterns.py --store PATH    # ~1M: an existing store
    .venv/bin/python tests/benchmarks/bench_patterns.py --bundled-only

For the large run it generates 14,000 reviews (`scrkg generate --reviews 14000 --seed 7`, about
1M triples) and loads them into an on-disk store in a temporary directory (about a minute),
unless ``--store`` names a store already loaded. Targets: every pattern over the bundled data in
under 1 s, over 1M triples in under 10 s, and a repeat call answered from the cache until a load
changes the data. Figures printed, per store:

* ``cold``: one pattern with an empty cache (the store is read: population and items);
* ``all three cold``: the three patterns one after the other from an empty cache;
* ``new filter``: a pattern under a filter not asked before (the cases are cached, so only the
  counting and networkx run);
* ``cached``: the same call again (one small query for the store's state, then the cache);
* ``after a load``: after a small extra source is loaded, the pattern is recounted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scrkg.graph import patterns as pt
from scrkg.graph.store import DiskStore, MemoryStore, Store
from scrkg.loader import load_bundled, load_source

SCRKG = [sys.executable, "-m", "scrkg"]
EXTRA = (
    "review_id,review_type,board,reporting_year,evaluation_date,quality_grade,review_method,"
    "agencies,lessons,child_id,age_band,outcome,social_care_status,maltreatment,risk_factors,"
    "incident_category,views_sought,synthetic\n"
    "BENCH-R1,serious-case-review,Bench LSCB,2009-10,,,,police;gp,multi-agency-working,"
    "BENCH-R1-C1,under-1,died,child-in-need,,domestic-abuse;young-parents,,,true\n"
)


def seconds(call: Callable[[], object], repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(store: Store, label: str, work: Path, target: float) -> None:
    print(f"\n{label}: {store.triple_count():,} triples", flush=True)
    worst = 0.0
    for kind in pt.KINDS:
        pt.clear_cache()
        cold = seconds(lambda kind=kind: pt.co_occurrence(store, kind))
        pattern = pt.co_occurrence(store, kind)
        worst = max(worst, cold)
        new_filter = seconds(lambda kind=kind: pt.co_occurrence(store, kind, outcome="died"))
        cached = seconds(lambda kind=kind: pt.co_occurrence(store, kind, outcome="died"), 20)
        print(
            f"  {kind:<13} cold {cold:7.3f} s | new filter {new_filter:7.3f} s"
            f" | cached {1000 * cached:6.2f} ms | {pattern.cases:,} {pattern.unit},"
            f" {len(pattern.items)} items, {len(pattern.pairs)} pairs",
            flush=True,
        )
    pt.clear_cache()
    all_three = seconds(lambda: [pt.co_occurrence(store, kind) for kind in pt.KINDS])
    state = seconds(lambda: store.version(), 20)
    print(
        f"  all three cold {all_three:.3f} s; store-state check {1000 * state:.2f} ms;"
        f" slowest single pattern {worst:.3f} s (target under {target:g} s:"
        f" {'met' if worst < target and all_three < target else 'NOT met'})",
        flush=True,
    )
    before = pt.co_occurrence(store, "risk-factors")
    extra = work / f"bench-extra-{label.split()[0]}.csv"
    extra.write_text(EXTRA, encoding="utf-8")
    load_source(store, extra)
    start = time.perf_counter()
    after = pt.co_occurrence(store, "risk-factors")
    recount = time.perf_counter() - start
    print(
        f"  after a load: recounted in {recount:.3f} s"
        f" ({before.cases:,} -> {after.cases:,} children;"
        f" cache invalidated: {after is not before})",
        flush=True,
    )


def large_store(work: Path, reviews: int) -> DiskStore:
    data = work / "cohort.csv"
    store_path = work / "store"
    for args in (
        ["generate", "--reviews", str(reviews), "--seed", "7", "-o", str(data)],
        ["--store", str(store_path), "load", str(data)],
    ):
        start = time.perf_counter()
        subprocess.run([*SCRKG, *args], check=True, capture_output=True)
        print(f"  scrkg {args[0] if args[0] != '--store' else 'load'}: "
              f"{time.perf_counter() - start:.1f} s", flush=True)  # fmt: skip
    return DiskStore(store_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=14_000, help="reviews of the large run")
    parser.add_argument("--store", help="an on-disk store already loaded, for the large run")
    parser.add_argument("--bundled-only", action="store_true", help="skip the large run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scrkg-bench-patterns-") as tmp:
        work = Path(tmp)
        bundled = MemoryStore()
        load_bundled(bundled)
        bench(bundled, "bundled data (in memory)", work, 1.0)
        if args.bundled_only:
            return
        if args.store:
            # Work on a checkpoint of it: the benchmark loads an extra source into the store.
            copy = work / "store-copy"
            (copy / "snapshots").mkdir(parents=True)
            DiskStore(args.store)._reader().backup(str(copy / "snapshots" / "000001"))
            (copy / "CURRENT").write_text("000001\n", encoding="ascii")
            large, label = DiskStore(copy), f"the store at {args.store} (on disk)"
        else:
            print(f"\ngenerating and loading {args.reviews:,} reviews...", flush=True)
            large, label = large_store(work, args.reviews), f"{args.reviews:,} reviews (on disk)"
        bench(large, label, work, 10.0)
        large.close()


if __name__ == "__main__":
    main()
