"""The docs are checked against the code: docs/settings.md is what scripts/write_docs.py writes
from the settings table (graph/settings.py), every setting the code names is in that table, every
command of the command line is in the table of docs/command-line.md, and the README stays short
and points to pages that exist."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from scrkg.graph.gateway import LIMIT_SETTINGS, Limits
from scrkg.graph.settings import BY_NAME, SETTINGS, markdown
from scrkg.graph.store import MemoryStore

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SETTINGS_PAGE = ROOT / "docs" / "settings.md"
SAFETY_PAGE = ROOT / "docs" / "publishing-safely.md"
COMMANDS_PAGE = ROOT / "docs" / "command-line.md"
PRODUCT = [ROOT / folder for folder in ("graph", "loader", "web", "scrkg", "ontology")]


def product_sources() -> list[Path]:
    return [path for folder in PRODUCT for path in folder.rglob("*.py")]


def test_the_settings_page_is_written_from_the_settings_table():
    assert SETTINGS_PAGE.read_text(encoding="utf-8") == markdown(), (
        "docs/settings.md is out of date: run .venv/bin/python scripts/write_docs.py"
    )


def test_every_setting_the_code_names_is_in_the_settings_table():
    named = set()
    for path in product_sources():
        named |= set(re.findall(r"[\"'](SCRKG_[A-Z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    assert named, "no setting found: the pattern is wrong"
    missing = sorted(named - set(BY_NAME))
    assert not missing, f"settings named in the code but missing from graph/settings.py: {missing}"


def test_the_environment_is_read_in_one_place():
    readers = [
        path.relative_to(ROOT).as_posix()
        for path in product_sources()
        if re.search(r"os\.environ\b|os\.getenv\b|getenv\(", path.read_text(encoding="utf-8"))
    ]
    assert readers == ["graph/settings.py"], readers


def test_the_global_options_take_their_variable_and_default_from_the_table():
    from scrkg.cli import main

    options = [p for p in main.params if p.envvar]
    assert {p.envvar for p in options} == {s.name for s in SETTINGS if s.option}
    for option in options:
        setting = BY_NAME[option.envvar]
        assert option.default == setting.default, option.envvar
        assert setting.option.split()[0] in option.opts, (setting.option, option.opts)


def documented_defaults() -> dict[str, str]:
    """Setting name -> the default docs/settings.md shows for it (the text between backticks)."""
    row = re.compile(r"^\| `(SCRKG_[A-Z0-9_]+)` \| [^|]* \| `([^`]*)` \|")
    lines = SETTINGS_PAGE.read_text(encoding="utf-8").splitlines()
    return {m.group(1): m.group(2) for m in map(row.match, lines) if m}


def test_the_documented_query_limits_are_those_a_site_runs_with(monkeypatch):
    """Every limit of the gateway is a setting of the "query gateway" part, and the defaults
    docs/settings.md shows for them are the limits the gateway of a site started with nothing
    set actually holds (not the table compared with itself)."""
    from scrkg.web import create_app
    from scrkg.web.querying import gateway

    for name in LIMIT_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    assert sorted(LIMIT_SETTINGS.values()) == sorted(f.name for f in fields(Limits))
    documented = documented_defaults()
    app = create_app({"STORE": MemoryStore(), "TESTING": True})
    used = gateway(app)
    try:
        for name, attribute in LIMIT_SETTINGS.items():
            assert BY_NAME[name].part == "query gateway", name
            assert name in documented, f"{name} has no default in {SETTINGS_PAGE.name}"
            assert float(documented[name]) == getattr(used.limits, attribute), name
    finally:
        used.close()


def test_the_safety_page_documents_the_size_cap_the_soak_and_the_truncation_header():
    text = SAFETY_PAGE.read_text(encoding="utf-8")
    for name in ("SCRKG_MAX_SOURCE_MB", "SCRKG_SOAK_SECONDS", "X-SCRKG-Truncated", "settings.md"):
        assert name in text, name


def test_every_command_is_in_the_command_line_page():
    from scrkg.cli import main

    text = COMMANDS_PAGE.read_text(encoding="utf-8")
    missing = [name for name in main.commands if f"`scrkg {name}" not in text]
    assert not missing, f"commands missing from {COMMANDS_PAGE.name}: {missing}"


def test_the_readme_is_short_and_its_links_exist():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    for target in re.findall(r"\]\(([^)#:]+)\)", text):
        assert (ROOT / target).exists(), target


def test_the_docs_link_to_pages_that_exist():
    for page in (ROOT / "docs").glob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+)\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), (page.name, target)


def test_measured_timings_live_in_the_performance_page_not_in_the_code():
    timing = re.compile(r"\b[0-9]+(?:\.[0-9]+)? ?(?:ms|us|µs)\b")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in product_sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if timing.search(line)
    ]
    assert not found, f"timings in the code (move them to docs/performance.md): {found}"
