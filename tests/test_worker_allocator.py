"""The query workers run with the allocator SCRKG_QUERY_ALLOCATOR names when the system has it
(jemalloc, installed by scripts/setup.sh), and with the C library's own otherwise."""

from __future__ import annotations

import ctypes.util
import os
from pathlib import Path

import psutil

from scrkg.graph.gateway import Limits, QueryGateway
from scrkg.graph.settings import preloaded
from scrkg.graph.store import DiskStore


def _libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text(encoding="ascii", errors="replace")


def test_the_workers_load_jemalloc_when_the_system_has_it(bundled_disk_store, monkeypatch):
    monkeypatch.delenv("SCRKG_QUERY_ALLOCATOR", raising=False)
    with QueryGateway(DiskStore(bundled_disk_store), Limits(workers=1)) as gateway:
        gateway.run("ASK { ?s ?p ?o }")
        # The fork server and the worker it forked: every process this one started since.
        maps = [_libraries(p.pid) for p in psutil.Process().children(recursive=True)]
    assert maps, "no worker process was found"
    expected = ctypes.util.find_library("jemalloc") is not None
    assert any("libjemalloc" in m for m in maps) == expected
    # The site's own process keeps the C library's allocator.
    assert "libjemalloc" not in _libraries(os.getpid())


def test_preloaded_adds_a_library_for_the_block_only(monkeypatch):
    monkeypatch.setenv("LD_PRELOAD", "libfirst.so")
    with preloaded("libjemalloc.so.2"):
        assert os.environ["LD_PRELOAD"] == "libfirst.so libjemalloc.so.2"
    assert os.environ["LD_PRELOAD"] == "libfirst.so"
    monkeypatch.delenv("LD_PRELOAD")
    with preloaded("libjemalloc.so.2"):
        assert os.environ["LD_PRELOAD"] == "libjemalloc.so.2"
    assert "LD_PRELOAD" not in os.environ
    with preloaded(None):
        assert "LD_PRELOAD" not in os.environ
