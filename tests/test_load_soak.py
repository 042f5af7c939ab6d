"""A bounded load test: 20 concurrent clients against the real server.

`scrkg serve` runs in a subprocess on a free port of 127.0.0.1, over the bundled data, with its
default settings. Twenty client threads, each with its own keep-alive connection, mix the saved
queries (through /sparql, so through the query gateway's worker processes), page views and
explorer expansions (/api/neighbours, /api/node) for SCRKG_SOAK_SECONDS (60 by default; set it
lower while developing, e.g. SCRKG_SOAK_SECONDS=10). It must finish with no errors and no lost
responses, and prints the median and 99th-percentile latency per kind of request.

Run alone it takes about 65 s (60 s of load, the rest starting the server). The whole suite
(``scripts/test.sh``) sets SCRKG_SOAK_SECONDS to 15 unless it is set already: the same clients and
checks for a quarter of the time; ``SCRKG_SOAK_SECONDS=60 bash scripts/test.sh`` runs the full
minute there too.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import threading
import time
from collections import defaultdict
from urllib.parse import urlencode, urlsplit

import pytest
from served import served

from scrkg.graph.saved import saved_queries
from scrkg.ontology import DEFAULT_BASE

SECONDS = float(os.environ.get("SCRKG_SOAK_SECONDS", "60"))
CLIENTS = max(20, int(os.environ.get("SCRKG_SOAK_CLIENTS", "20")))
PAGES = [
    "/",
    "/query",
    "/explore",
    "/ontology",
    "/id/review/OFSTED-2009-10-CS1",
    "/id/child/OFSTED-2009-10-CS1-C1",
    "/concept/died",
    "/def/Child",
    "/health",
]


class Client(threading.Thread):
    """One client: a keep-alive connection, requests of one kind until the end time."""

    def __init__(self, site: str, kind: str, until: float, work: dict[str, list[str]]) -> None:
        super().__init__(daemon=True)
        self.kind = kind
        self.until = until
        self.work = work
        parts = urlsplit(site)
        self.host, self.port = parts.hostname, parts.port
        self.random = random.Random(f"{kind}-{id(self)}")
        self.latencies: list[float] = []
        self.sent = 0
        self.answered = 0
        self.errors: list[str] = []

    def request(self) -> tuple[str, dict[str, str]]:
        if self.kind == "query":
            sparql = self.random.choice(self.work["queries"])
            return "/sparql?" + urlencode({"query": sparql}), {
                "Accept": "application/sparql-results+json"
            }
        if self.kind == "page":
            return self.random.choice(PAGES), {"Accept": "text/html"}
        iri = self.random.choice(self.work["iris"])
        api = self.random.choice(["/api/neighbours", "/api/neighbours", "/api/node"])
        return f"{api}?{urlencode({'iri': iri})}", {"Accept": "application/json"}

    def run(self) -> None:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            while time.monotonic() < self.until:
                path, headers = self.request()
                self.sent += 1
                started = time.monotonic()
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as error:
                    self.errors.append(f"{path}: {type(error).__name__}: {error}")
                    connection.close()
                    connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                    continue
                self.latencies.append(time.monotonic() - started)
                self.answered += 1
                if response.status != 200 or not body:
                    self.errors.append(f"{path}: HTTP {response.status} {body[:200]!r}")
                elif self.kind != "page":
                    json.loads(body)  # a whole JSON document, not a cut one
        finally:
            connection.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@pytest.mark.slow
def test_twenty_clients_for_a_minute_without_errors(tmp_path):
    with served(tmp_path / "store", wait=180) as site:
        work = {"queries": [q.sparql for q in saved_queries()], "iris": []}
        connection = http.client.HTTPConnection(urlsplit(site).hostname, urlsplit(site).port)
        connection.request(
            "GET",
            "/sparql?"
            + urlencode(
                {
                    "query": "SELECT DISTINCT ?x { { ?x a scr:SeriousCaseReview } UNION "
                    "{ ?x a scr:Child } UNION { ?c scr:hasRiskFactor ?x } } LIMIT 300"
                }
            ),
        )
        found = json.loads(connection.getresponse().read())
        connection.close()
        work["iris"] = [row["x"]["value"] for row in found["results"]["bindings"]]
        assert len(work["iris"]) > 100 and work["iris"][0].startswith(DEFAULT_BASE)

        kinds = ["query", "page", "explorer"]
        until = time.monotonic() + SECONDS
        clients = [Client(site, kinds[i % 3], until, work) for i in range(CLIENTS)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(SECONDS + 120)
        assert not any(client.is_alive() for client in clients), "a client never finished"

    by_kind: dict[str, list[float]] = defaultdict(list)
    for client in clients:
        by_kind[client.kind] += client.latencies
    every = [latency for latencies in by_kind.values() for latency in latencies]
    sent = sum(c.sent for c in clients)
    answered = sum(c.answered for c in clients)
    errors = [error for c in clients for error in c.errors]
    print(
        f"\n{CLIENTS} clients for {SECONDS:g} s: {sent} requests, {answered} answered, "
        f"{len(errors)} errors, {answered / SECONDS:.0f} requests/s"
    )
    for kind, latencies in [*sorted(by_kind.items()), ("all", every)]:
        print(
            f"  {kind:<9} {len(latencies):>6} requests  median "
            f"{statistics.median(latencies) * 1000:7.1f} ms  "
            f"p99 {percentile(latencies, 0.99) * 1000:7.1f} ms"
        )
    assert not errors, errors[:10]
    assert answered == sent, f"{sent - answered} responses lost"
    assert all(by_kind[kind] for kind in kinds)
