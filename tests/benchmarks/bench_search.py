"""Benchmark of search in words: the index build beside the load that triggers it, search and
"reviews like this one" through Flask's test client, on generated data.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/python tests/benchmarks/bench_search.py    # 1,400 reviews, ~120k triples
    .venv/bin/python tests/benchmarks/bench_search.py --reviews 14000    # ~1.2M triples

It loads the bundled data and a generated file into an on-disk store in a temporary directory in
one write (as `scrkg load --bundled FILE` does), timing the whole load and, inside it, the build
of the search index of the new snapshot. Then it times /api/find, /search and /api/similar
(medians of --repeat runs, after one warm-up run each).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from scrkg.graph import search as sr
from scrkg.graph.store import DiskStore
from scrkg.loader import generate_file
from scrkg.loader.load import load_sources
from scrkg.web import create_app

QUERIES = [
    "three-week-old baby",  # a few hits
    "12-year-old girl views",
    '"voice of the child"',  # a phrase, about one lesson in four
    "pre-birth assessment",
    "police",  # an agency type: many hits
    "review",  # in nearly every label: the worst case
    'NEAR("a" OR * AND -:^"' * 400,  # hostile, capped
]
FILTERS = "&class=lesson&outcome=" + quote("https://w3id.org/scrkg/concept/died")


def median_ms(action, repeat: int) -> float:
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1400)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / f"reviews-{args.reviews}.csv"
        generate_file(data, args.reviews, 1)
        store = DiskStore(Path(folder) / "store")

        builds: list[float] = []
        build = sr.index_snapshot

        def timed_build(snapshot, reader):
            started = time.perf_counter()
            try:
                return build(snapshot, reader)
            finally:
                builds.append(time.perf_counter() - started)

        sr.index_snapshot = timed_build
        started = time.perf_counter()
        load_sources(store, [data], bundled=True)
        load_seconds = time.perf_counter() - started
        sr.index_snapshot = build
        triples = store.triple_count()
        index = sr.index_for(store)
        size = (Path(index.where).stat().st_size / 1e6) if index.where != "memory" else 0
        print(f"{args.reviews:,} reviews, {triples:,} triples, {index.documents():,} documents")
        print(
            f"load {load_seconds:.1f} s, of which the search index {builds[-1]:.2f} s "
            f"({100 * builds[-1] / load_seconds:.1f}% of the load); index file {size:.1f} MB"
        )

        client = create_app({"STORE": store, "TESTING": True}).test_client()
        print("\nquery                              hits     /api/find  +filters  /search (HTML)")
        for text in QUERIES:
            url = "/api/find?q=" + quote(text)
            total = client.get(url).get_json().get("total", "-")
            find = median_ms(lambda u=url: client.get(u), args.repeat)
            filtered = median_ms(lambda u=url: client.get(u + FILTERS), args.repeat)
            page = median_ms(lambda t=text: client.get("/search?q=" + quote(t)), args.repeat)
            shown = text if len(text) < 30 else text[:24] + "...(8 KB)"
            print(f"{shown:<32} {total:>7} {find:>10.1f} {filtered:>9.1f} {page:>10.1f}  ms")

        reviews = [
            "https://w3id.org/scrkg/id/review/OFSTED-2009-10-CS1",
            "https://w3id.org/scrkg/id/review/SYN-1-R000001",
            f"https://w3id.org/scrkg/id/review/SYN-1-R{args.reviews // 2:06d}",
        ]
        print("\nsimilar reviews (/api/similar)")
        for iri in reviews:
            url = "/api/similar?iri=" + quote(iri)
            found = client.get(url).get_json()["similar"]
            took = median_ms(lambda u=url: client.get(u), args.repeat)
            print(f"{iri.rsplit('/', 1)[-1]:<24} {len(found):>3} similar {took:>8.1f} ms")
        page = "/id/review/SYN-1-R000001"
        took = median_ms(lambda: client.get(page), args.repeat)
        print(f"review page with the similar panel {took:.1f} ms")


if __name__ == "__main__":
    main()
