"""The saved queries through scrkg on two SPARQL servers: `oxigraph serve` and OpenLink Virtuoso.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/python tests/benchmarks/bench_servers.py                      # 100k and 1M triples
    .venv/bin/python tests/benchmarks/bench_servers.py --sizes 100k --repeat 5

For each size it prepares the data as tests/benchmarks/harness.py does (`scrkg generate`, `scrkg
load` into a local store, `scrkg export` to N-Quads, `oxigraph load` into a location), then
starts, each on 127.0.0.1 on free ports and stopped by its process id at the end:

* `oxigraph serve --union-default-graph` on a copy of that location;
* Virtuoso (`virtuoso-t`, tests/served.py) with a throw-away database, into which the local
  store is copied by `scrkg copy --to-endpoint` (timed: the upload, the atomic switch and the
  isomorphism check).

Each saved query (ontology/queries/*.rq) then goes through scrkg's store on each server
(`RemoteStore.query`, as the command line and the site call it), once to warm up and then
``--repeat`` times, the servers taking turns. On Oxigraph the server evaluates it; on Virtuoso
scrkg evaluates it on its copy of the server's graphs (docs/sparql-servers.md), so the first
query there includes fetching that copy, timed apart. For comparison, Virtuoso's own engine
(`RemoteStore.server_query`) is timed too, and whether its answer agrees with Oxigraph's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # served.py
import pyoxigraph as ox  # noqa: E402
from harness import (  # noqa: E402
    OXIGRAPH,
    SCRKG,
    Server,
    Timed,
    answer_rows,
    compare,
    machine,
    ms,
    parse_size,
    prepare,
    say,
    stop_all,
)
from served import VirtuosoServer, free_port  # noqa: E402

from scrkg.graph.remote import Credentials, RemoteStore, RemoteStoreError  # noqa: E402
from scrkg.graph.saved import saved_queries  # noqa: E402


def rows_of(results: object, sparql: str) -> Counter:
    """The answer as harness.py compares answers (a multiset of normalised rows)."""
    if isinstance(results, ox.QueryBoolean):
        return Counter([("boolean", bool(results))])
    body = results.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[attr-defined]
    return answer_rows(body, sparql)


def timed_query(store: RemoteStore, sparql: str, server: bool = False) -> tuple[float, Counter]:
    start = time.perf_counter()
    results = store.server_query(sparql) if server else store.query(sparql)
    answer = rows_of(results, sparql)  # read to the end
    return time.perf_counter() - start, answer


def oxigraph_serve(folder: Path) -> Server:
    """`oxigraph serve` on a copy of the prepared location (it may write to its own)."""
    location = folder / "oxigraph-serve"
    shutil.rmtree(location, ignore_errors=True)
    shutil.copytree(folder / "oxigraph", location)
    port = free_port()
    argv = [OXIGRAPH, "serve", "--location", str(location), "--union-default-graph"]
    argv += ["--bind", f"127.0.0.1:{port}"]
    return Server(
        "oxigraph",
        argv,
        f"http://127.0.0.1:{port}",
        f"http://127.0.0.1:{port}/query?query=ASK%7B%7D",
        folder / "oxigraph-serve.log",
    )


def bench_size(label: str, reviews: int, work: Path, repeat: int) -> dict:
    folder = work / label
    say(f"\n== {label} triples ({reviews} generated reviews) in {folder}")
    figures: dict[str, object] = {"size": label, **prepare(folder, reviews)}
    say(f"  {figures['triples']:,} triples prepared")

    oxigraph = oxigraph_serve(folder)
    if not oxigraph.start(120):
        raise SystemExit("oxigraph serve did not start")
    shutil.rmtree(folder / "virtuoso", ignore_errors=True)
    # Buffers for the data (Virtuoso's advice: about 2/3 of the memory it may use).
    virtuoso = VirtuosoServer(folder / "virtuoso", buffers=170_000)
    try:
        virtuoso.start()
        env_credentials = {
            "SCRKG_ENDPOINT_USER": virtuoso.user,
            "SCRKG_ENDPOINT_PASSWORD": virtuoso.password,
        }
        start = time.perf_counter()
        done = subprocess.run(
            [*SCRKG, "--store", str(folder / "store"), "copy", "--to-endpoint", virtuoso.url],
            capture_output=True,
            text=True,
            env={**os.environ, **env_credentials},
        )
        figures["virtuoso_copy_s"] = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"scrkg copy to Virtuoso failed:\n{done.stdout}{done.stderr}")
        say(f"  copied into Virtuoso in {figures['virtuoso_copy_s']:.1f} s (scrkg copy)")

        on_oxigraph = RemoteStore(oxigraph.url, credentials=Credentials())
        on_virtuoso = RemoteStore(
            virtuoso.url, credentials=Credentials(virtuoso.user, virtuoso.password)
        )
        start = time.perf_counter()
        on_virtuoso._reader()  # scrkg's copy of Virtuoso's graphs, fetched once
        figures["virtuoso_fetch_s"] = time.perf_counter() - start
        say(f"  scrkg's copy of Virtuoso's graphs fetched in {figures['virtuoso_fetch_s']:.1f} s")

        say(
            f"  {'query':<36} | {'oxigraph serve':>16} | {'Virtuoso (scrkg)':>16} | "
            f"{'Virtuoso engine':>16} | rows, Virtuoso engine's answer"
        )
        results: dict[str, dict[str, Timed]] = {}
        for saved in saved_queries():
            timed = {n: Timed() for n in ("oxigraph", "virtuoso", "engine")}
            results[saved.name] = timed
            runs = {
                "oxigraph": lambda s=saved.sparql: timed_query(on_oxigraph, s),
                "virtuoso": lambda s=saved.sparql: timed_query(on_virtuoso, s),
                "engine": lambda s=saved.sparql: timed_query(on_virtuoso, s, server=True),
            }
            for attempt in range(repeat + 1):  # the first is the warm-up
                for name, run in runs.items():
                    if timed[name].status:
                        continue
                    try:
                        seconds, answer = run()
                    except (RemoteStoreError, SyntaxError) as error:
                        timed[name].status = "failed: " + str(error)[:80]
                        continue
                    if attempt == 0:
                        timed[name].first, timed[name].rows = seconds, answer
                    else:
                        timed[name].samples.append(seconds)
            reference = timed["oxigraph"].rows
            notes = []
            for name in ("virtuoso", "engine"):
                if reference is not None and timed[name].rows is not None:
                    verdict = compare(reference, timed[name].rows)
                    if name == "virtuoso" and verdict != "agree":
                        notes.append(f"scrkg on Virtuoso {verdict}")
                    if name == "engine":
                        notes.append(verdict)
                elif timed[name].status:
                    notes.append(timed[name].status if name == "engine" else "")
            cells = [
                f"{ms(t.median)} ms".rjust(16) if t.samples else t.status[:16].rjust(16)
                for t in timed.values()
            ]
            count = sum(reference.values()) if reference is not None else 0
            say(f"  {saved.name:<36} | {' | '.join(cells)} | {count:,}, {'; '.join(notes)}")
        figures["queries"] = {
            name: {
                engine: {
                    "median_s": t.median if t.samples else None,
                    "first_s": t.first,
                    "status": t.status,
                }
                for engine, t in timed.items()
            }
            for name, timed in results.items()
        }
        for engine in ("oxigraph", "virtuoso", "engine"):
            medians = [t[engine].median for t in results.values() if t[engine].samples]
            if medians:
                total = sum(medians)
                say(f"  sum of medians, {engine:<8}: {ms(total)} ms over {len(medians)} queries")
                figures[f"sum_of_medians_{engine}_s"] = total
        for engine in ("oxigraph", "virtuoso"):
            medians = [t[engine].median for t in results.values() if t[engine].samples]
            if medians:
                say(f"  median of the medians, {engine:<8}: {ms(statistics.median(medians))} ms")
        on_oxigraph.close()
        on_virtuoso.close()
    finally:
        virtuoso.stop()
        oxigraph.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100k,1M", help="comma-separated: 10k, 100k, 1M...")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    parser.add_argument("--work", type=Path, help="keep the prepared data here (reused)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    say(f"bench_servers: {machine()}")
    work = args.work or Path(tempfile.mkdtemp(prefix="scrkg-bench-servers-"))
    all_figures = []
    try:
        for label, reviews in sizes:
            all_figures.append(bench_size(label, reviews, work, args.repeat))
    finally:
        stop_all()
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(all_figures, indent=1, default=str))


if __name__ == "__main__":
    main()
