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
import subprocess
import sys
import tempfile
from pathlib import Path


def peak_rss_mib_of(code: str) -> tuple[float, float]:
    """Run Python ``code`` in a fresh process; return (seconds, its own peak RSS in MiB).

    The peak is the child's VmHWM, read by the child itself: getrusage's ru_maxrss would
    report the parent's peak instead when that was larger at fork time.
    """
    wrapper = (
        "import time\n"
        "start = time.perf_counter()\n"
        f"{code}\n"
        "seconds = time.perf_counter() - start\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(seconds, int(hwm) / 1024)\n"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{proc.stderr}")
    seconds, peak = proc.stdout.split()[-2:]
    return float(seconds), float(peak)


def scrkg(store: Path, *args: str) -> tuple[float, float]:
    """Run one scrkg command in a fresh process; return (seconds, peak RSS in MiB)."""
    argv = ["--store", str(store), *args]
    return peak_rss_mib_of(
        "import sys, io\n"
        "sys.stderr = io.StringIO()\n"
        "from scrkg.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit as exit:\n"
        "    if exit.code:\n"
        "        sys.__stderr__.write(sys.stderr.getvalue()); raise\n"
    )


def bench(reviews: int, work: Path, label: str) -> dict[str, float]:
    data = work / f"cohort-{reviews}.csv"
    store = work / f"store-{reviews}"
    figures: dict[str, float] = {}
    figures["generate_s"], _ = scrkg(
        store, "generate", "--reviews", str(reviews), "--seed", "7", "-o", str(data)
    )
    figures["load_s"], figures["load_peak_mib"] = scrkg(store, "load", str(data))
    from scrkg.graph.store import DiskStore

    disk = DiskStore(store)
    figures["triples"] = disk.triple_count()
    nt = work / f"data-{reviews}.nt"
    with open(nt, "wb") as handle:
        disk.export(handle, "ntriples")
    disk.close()

    floor = work / f"floor-{reviews}"
    figures["pyoxigraph_bulk_load_s"], _ = peak_rss_mib_of(
        "import pyoxigraph as ox\n"
        f"store = ox.Store({str(floor)!r})\n"
        f"store.bulk_load(path={str(nt)!r}, format=ox.RdfFormat.N_TRIPLES)\n"
        "store.flush()\n"
    )
    out = work / f"export-{reviews}.ttl"
    figures["export_s"], figures["export_peak_mib"] = scrkg(
        store, "export", "--format", "turtle", "-o", str(out)
    )
    figures["export_mib"] = out.stat().st_size / 2**20
    print(
        f"{label:>5}: {int(figures['triples']):>9,} triples"
        f" | generate {figures['generate_s']:5.1f} s"
        f" | scrkg load, validated {figures['load_s']:5.1f} s"
        f" (peak {figures['load_peak_mib']:.0f} MiB)"
        f" | pyoxigraph bulk load alone {figures['pyoxigraph_bulk_load_s']:5.1f} s"
        f" | scrkg export Turtle {figures['export_s']:5.1f} s"
        f" ({figures['export_mib']:.0f} MiB file, peak {figures['export_peak_mib']:.0f} MiB)",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reviews", type=int, default=14_000, help="reviews at full size (~72 triples each)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scrkg-bench-") as tmp:
        work = Path(tmp)
        small = bench(max(args.reviews // 10, 1), work, "1/10")
        full = bench(args.reviews, work, "full")
    data_growth = full["triples"] / small["triples"]
    memory_growth = full["export_peak_mib"] / small["export_peak_mib"]
    overhead = full["load_s"] - full["pyoxigraph_bulk_load_s"]
    print(f"export peak memory grows {memory_growth:.2f}x for {data_growth:.1f}x the data")
    print(f"load overhead over pyoxigraph alone: {overhead:.1f} s")


if __name__ == "__main__":
    main()
