"""Benchmark of the backbone: load ~1M generated triples with validation, then export Turtle.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/python tests/benchmarks/bench_backbone.py            # about 1M triples
    .venv/bin/python tests/benchmarks/bench_backbone.py --reviews 1200

It writes in a temporary directory and removes it afterwards. It measures:

* `scrkg generate` writing the dataset (CSV);
* `scrkg load` of that CSV into a fresh on-disk store, validation on (the whole pipeline);
* pyoxigraph alone bulk-loading the same triples from N-Triples into a fresh on-disk store,
  the floor that the pipeline's time is compared with;
* `scrkg export --format turtle -o FILE` of the whole store, with the peak resident memory of the
  export process, at the full size and at a tenth of it, to show memory does not grow with data.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

SCRKG = [sys.executable, "-m", "scrkg"]


def run(args: list[str], store: Path) -> tuple[float, float]:
    """Run a scrkg command in its own process; return (seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [*SCRKG, "--store", str(store), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"scrkg {' '.join(args)} failed:\n{proc.stderr}")
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far, so measure with a fresh process
    return seconds, _child_peak_mib()


def _child_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def measure_export(store: Path, out: Path) -> tuple[float, float]:
    """Export in a separate Python process so that its peak memory is its own."""
    code = (
        "import resource, sys, time\n"
        "from scrkg.cli import main\n"
        "start = time.perf_counter()\n"
        "try:\n"
        f"    main(['--store', {str(store)!r}, 'export', '--format', 'turtle', '-o', {str(out)!r}])\n"
        "except SystemExit as e:\n"
        "    if e.code: raise\n"
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, peak = proc.stdout.split()[-2:]
    return float(seconds), float(peak)


def bench(reviews: int, work: Path, label: str) -> dict[str, float]:
    data = work / f"cohort-{reviews}.csv"
    store = work / f"store-{reviews}"
    figures: dict[str, float] = {}
    figures["generate_s"], _ = run(["generate", "--reviews", str(reviews), "--seed", "7", "-o", str(data)], store)

    figures["load_s"], _ = run(["load", str(data)], store)
    from scrkg.graph.store import DiskStore

    disk = DiskStore(store)
    figures["triples"] = disk.triple_count()

    nt = work / f"data-{reviews}.nt"
    with open(nt, "wb") as handle:
        disk.export(handle, "ntriples")
    disk.close()
    start = time.perf_counter()
    floor = ox.Store(str(work / f"floor-{reviews}"))
    floor.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    floor.flush()
    figures["pyoxigraph_bulk_load_s"] = time.perf_counter() - start
    del floor

    out = work / f"export-{reviews}.ttl"
    figures["export_s"], figures["export_peak_mib"] = measure_export(store, out)
    figures["export_mib"] = out.stat().st_size / 2**20
    print(
        f"{label:>6}: {int(figures['triples']):>9,} triples | generate {figures['generate_s']:6.1f} s"
        f" | scrkg load (validated) {figures['load_s']:6.1f} s"
        f" | pyoxigraph bulk load alone {figures['pyoxigraph_bulk_load_s']:6.1f} s"
        f" | export Turtle {figures['export_s']:6.1f} s, {figures['export_mib']:.0f} MiB file,"
        f" peak RSS {figures['export_peak_mib']:.0f} MiB",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=14_000, help="reviews at full size (~72 triples each)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scrkg-bench-") as tmp:
        work = Path(tmp)
        small = bench(max(args.reviews // 10, 1), work, "1/10")
        full = bench(args.reviews, work, "full")
    growth = full["export_peak_mib"] / small["export_peak_mib"]
    print(
        f"export peak memory grows {growth:.2f}x for {full['triples'] / small['triples']:.1f}x the data;"
        f" load overhead over pyoxigraph alone: {full['load_s'] - full['pyoxigraph_bulk_load_s']:.1f} s"
    )


if __name__ == "__main__":
    main()
