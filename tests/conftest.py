"""Shared fixtures, in the style of Flask's tutorial: stores, clients of the site, a command-line
runner, the site served over the bundled data and Debian's chromium.

The suite runs on every core with pytest-xdist (``scripts/test.sh``: ``-n auto --dist
loadgroup``). Each module is a group of its own, so a module's fixtures start once, on one worker;
the modules that read the site over the bundled data name ``served.SITE_GROUP`` and so share one
``site``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from served import AXE, CHROMIUM, CHROMIUM_ARGS, served

from scrkg.graph import memo
from scrkg.graph.store import DiskStore, MemoryStore


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): run on the worker of that group")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each test the xdist group of its module, unless it names one itself. Without
    xdist's ``--dist loadgroup`` the marks change nothing."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            module = item.path.relative_to(item.config.rootpath).as_posix()
            item.add_marker(pytest.mark.xdist_group(module))


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
def client(store):
    """A test client of the site over the module's own ``store`` fixture."""
    from scrkg.web import create_app

    return create_app({"STORE": store, "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def bundled_client(bundled_store):
    """A test client of the site over `bundled_store`, its charts computed afresh."""
    from scrkg.web import create_app

    memo.MEMO.clear()
    return create_app({"STORE": bundled_store, "TESTING": True}).test_client()


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    """A command-line runner whose store is a fresh directory."""
    monkeypatch.setenv("SCRKG_STORE", str(tmp_path / "cli-store"))
    monkeypatch.delenv("SCRKG_BASE", raising=False)
    return CliRunner()


@pytest.fixture
def umask():
    """Set the process's umask for one test (``umask(0o027)``); the old one is put back."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """`scrkg serve` over an empty store (which it fills with the bundled data), in a subprocess
    on a free port of 127.0.0.1, stopped by its process id at the end. The browser tests only
    read it."""
    with served(tmp_path_factory.mktemp("site") / "store") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright (never `playwright install`), with axe-core at hand."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get update && "
            "apt-get install -y chromium); the browser tests never run `playwright install`."
        )
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm install --prefix tests/browser` (setup does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
