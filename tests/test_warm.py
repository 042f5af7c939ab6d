"""web/warm.py: the caches behind the first pages are computed after a start and after each
load, in the background, on a real on-disk store and through a real `scrkg serve`."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from served import served, until

from scrkg.graph import memo
from scrkg.graph.store import DiskStore
from scrkg.loader import load_source
from scrkg.ontology import DEFAULT_BASE
from scrkg.web.warm import Warmer, warm

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "coded-reviews.csv"


def test_the_warmer_computes_at_start_and_again_after_a_load(tmp_path):
    store = DiskStore(tmp_path / "store")
    load_source(store, EXAMPLE)
    versions: list[object] = []

    def recording(store_: DiskStore) -> None:
        versions.append(store_.version())
        warm(store_)

    asked = []  # each time the warmer (or the recording) asks the store for its version
    version = store.version
    store.version = lambda: asked.append(1) or version()  # type: ignore[method-assign]
    warmer = Warmer(store, 0.05, recording).start()
    try:
        until(lambda: warmer.status()["ready"], timeout=60)
        first = store.version()
        assert versions == [first] and (first, "dashboard") in memo.MEMO
        seen = len(asked)
        until(lambda: len(asked) >= seen + 5, timeout=60)  # it looked again and again
        assert warmer.status()["runs"] == 1  # an unchanged store is not warmed again

        # the same reviews under another graph, superseding the first
        load_source(
            store,
            EXAMPLE,
            graph=DEFAULT_BASE + "graph/second-copy",
            replace=[DEFAULT_BASE + "graph/coded-reviews"],
        )
        second = store.version()
        assert second != first
        until(lambda: warmer.status()["runs"] == 2, timeout=60)
        assert versions == [first, second] and (second, "dashboard") in memo.MEMO
        assert warmer.status()["ready"] and warmer.status()["error"] is None
    finally:
        warmer.stop()


def test_a_failed_warm_up_is_reported_and_tried_again(tmp_path):
    store = DiskStore(tmp_path / "store")
    attempts: list[int] = []

    def flaky(store_: DiskStore) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("the disk went away for a moment")

    warmer = Warmer(store, 0.05, flaky).start()
    try:
        until(lambda: warmer.status()["runs"] == 1, timeout=60)
        assert len(attempts) == 2 and warmer.status()["error"] is None
    finally:
        warmer.stop()
    failing = Warmer(store, 10, lambda s: 1 / 0).start()
    try:
        until(lambda: failing.status()["error"] is not None, timeout=60)
        assert failing.status()["ready"] is False and "division" in failing.status()["error"]
    finally:
        failing.stop()


def health(site: str) -> dict:
    with urllib.request.urlopen(site + "/health", timeout=10) as response:
        return json.load(response)


@pytest.mark.slow
def test_serve_warms_the_caches_and_warms_them_again_after_a_load(tmp_path):
    store = tmp_path / "store"
    load_source(DiskStore(store), EXAMPLE)
    with served(store, {"SCRKG_WARM_INTERVAL": "0.2"}) as site:
        until(lambda: health(site)["cache"]["ready"], timeout=60)
        assert health(site)["cache"]["runs"] == 1
        with urllib.request.urlopen(site + "/", timeout=10) as response:
            before = response.read().decode()
        loaded = subprocess.run(
            [sys.executable, "-m", "scrkg", "--store", str(store), "load", "--bundled"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert loaded.returncode == 0, loaded.stderr
        until(lambda: health(site)["cache"]["runs"] == 2, timeout=120)
        with urllib.request.urlopen(site + "/", timeout=10) as response:
            after = response.read().decode()
        assert "children who died" in after and "children who died" not in before


def test_serve_without_warming_says_nothing_about_the_cache(tmp_path):
    store = tmp_path / "store"
    load_source(DiskStore(store), EXAMPLE)
    with served(store, {"SCRKG_WARM_INTERVAL": "0"}) as site:
        assert "cache" not in health(site)
