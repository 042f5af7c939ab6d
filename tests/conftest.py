"""Shared fixtures, in the style of Flask's tutorial: stores, clients of the site, a command-line
runner, the site served over the bundled data and Debian's chromium.

The suite runs on every core with pytest-xdist (``scripts/test.sh``: ``-n auto --dist
loadgroup``). Each module is a group of its own, so a module's fixtures start once, on one worker;
the modules that read the site over the bundled data name ``served.SITE_GROUP`` and so share one
``site``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from served import AXE, CHROMIUM, CHROMIUM_ARGS, SITE_GROUP, served

from scrkg.graph import memo
from scrkg.graph.store import DiskStore, MemoryStore


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): run on the worker of that group")


#: Modules whose tests on one server (``oxigraph`` or ``virtuoso``, the value of one of these
#: parametrized fixtures) form a group of their own: each worker starts only the servers of its
#: groups, and the two halves of a long module run side by side.
SPLIT_BY_SERVER = {
    "tests/test_remote_cli.py": ("cli_server",),
    "tests/test_remote_store.py": ("server", "scratch_server"),
}


def xdist_group_of(item: pytest.Item) -> str:
    """The module's path, or for a module of :data:`SPLIT_BY_SERVER` the module and the server
    its test runs on (``tests/test_remote_cli.py:virtuoso``).

    A group's name must not end with ``]``: xdist takes the text after the last ``@`` of a test's
    id as its group only when that ``@`` comes after the last ``]``. Named
    ``tests/test_remote_store.py[virtuoso]``, each test of a server was a group of its own, and
    both workers started that server and loaded the bundled data into it."""
    module = item.path.relative_to(item.config.rootpath).as_posix()
    params = getattr(getattr(item, "callspec", None), "params", {})
    for fixture in SPLIT_BY_SERVER.get(module, ()):
        if fixture in params:
            return f"{module}:{params[fixture]}"
    return module


def pytest_itemcollected(item: pytest.Item) -> None:
    """Give each test the xdist group of its module (:func:`xdist_group_of`), unless it names
    one itself. Without xdist's ``--dist loadgroup`` the marks change nothing."""
    if item.get_closest_marker("xdist_group") is None:
        item.add_marker(pytest.mark.xdist_group(xdist_group_of(item)))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a worker under ``--dist loadgroup``, end each test's id with ``@`` and its group, the
    way xdist's scheduler finds the groups, where xdist could not.

    xdist 3.8 adds the suffix by setting ``item._nodeid``, which pytest 9 no longer reads (the id
    is ``item._id``): with no suffix every test was a group of its own and the tests of a module
    were spread over both workers, each starting the module's servers and fixtures again. Where
    xdist did add it, this changes nothing."""
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # a pytest before 9, whose ids xdist can still mark
        return

    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(names))
        if suffix.endswith("]"):  # xdist would not see it (xdist_group_of)
            raise pytest.UsageError(f"{item.nodeid}: an xdist group's name ends with ']'")
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


#: About how many seconds each long group took on one worker (the sums of its tests' durations,
#: setup included, in a whole run of 2,217 tests with two workers on the 2-core machine, at
#: 20:24 UTC on 2 December 2026, load average 1.8 at the start). They only decide the order in
#: which the groups are handed out, longest first, so that no long group starts last and runs
#: alone; a group not named here counts a tenth of a second a test.
GROUP_SECONDS = {
    SITE_GROUP: 73,
    "tests/test_remote_store.py:virtuoso": 30,
    "tests/test_faults.py": 24,
    "tests/test_remote_cli.py:virtuoso": 24,
    "tests/test_gateway.py": 17,
    "tests/test_load_soak.py": 17,
    "tests/test_guard.py": 13,
    "tests/test_hardening_gateway.py": 12,
    "tests/test_remote_store.py:oxigraph": 11,
    "tests/test_remote_cli.py:oxigraph": 9,
    "tests/test_hardening_store.py": 8,
    "tests/test_remote_store.py": 8,
    "tests/test_loader_csv.py": 8,
    "tests/test_auth_hardening.py": 7,
    "tests/test_search.py": 7,
    "tests/test_turtle_conformance.py": 6,
    "tests/test_warm.py": 6,
    "tests/test_hostile_input.py": 6,
    "tests/test_drafts.py": 6,
    "tests/test_todays_reviews.py": 5,
}


def group_seconds(group: str, tests: int) -> float:
    return GROUP_SECONDS.get(group, 0.1 * tests)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under ``--dist loadgroup``, xdist's own scheduling but the groups handed out longest
    first (:data:`GROUP_SECONDS`) instead of those with the most tests first, which left the
    soak and the servers' groups, with few tests each, to run last on one worker."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class LongestFirst(LoadGroupScheduling):
        ordered = False

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the first call: the whole queue is known
                units = sorted(
                    self.workqueue.items(), key=lambda unit: -group_seconds(unit[0], len(unit[1]))
                )
                self.workqueue.clear()
                self.workqueue.update(units)
                self.ordered = True
            super()._assign_work_unit(node)

    return LongestFirst(config, log)


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


@pytest.fixture(scope="session")
def bundled_disk_store(tmp_path_factory) -> Path:
    """The folder of an on-disk store holding the bundled data, loaded once for the worker.

    Never open it to write: take `copy_of_bundled` for a store of the test's own."""
    from scrkg.loader import load_bundled

    path = tmp_path_factory.mktemp("bundled-disk") / "store"
    with DiskStore(path) as store:
        load_bundled(store)
    return path


@pytest.fixture
def copy_of_bundled(bundled_disk_store):
    """``copy_of_bundled(folder)`` copies `bundled_disk_store` to ``folder`` (the same files a
    `scrkg load --bundled` into an empty store leaves) and returns it."""

    def copy(folder: Path) -> Path:
        shutil.copytree(bundled_disk_store, folder, symlinks=True)
        return folder

    return copy


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


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright (never `playwright install`), with axe-core at hand;
    started once for the worker (each test opens a context of its own)."""
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
