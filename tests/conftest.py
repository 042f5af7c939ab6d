"""Shared fixtures, in the style of Flask's tutorial: stores and a command-line runner."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from scrkg.graph.store import DiskStore, MemoryStore


@pytest.fixture
def memory_store() -> MemoryStore:
    """An empty in-memory store."""
    return MemoryStore()


@pytest.fixture
def disk_store(tmp_path) -> DiskStore:
    """An empty on-disk store in a temporary directory."""
    return DiskStore(tmp_path / "store")


@pytest.fixture(scope="session")
def bundled_store() -> MemoryStore:
    """An in-memory store holding the bundled data, loaded once for the session.

    Tests must not write to it; take `memory_store` and load what you need instead."""
    from scrkg.loader import load_bundled

    store = MemoryStore()
    load_bundled(store)
    return store


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    """A command-line runner whose store is a fresh directory."""
    monkeypatch.setenv("SCRKG_STORE", str(tmp_path / "cli-store"))
    monkeypatch.delenv("SCRKG_BASE", raising=False)
    return CliRunner()
