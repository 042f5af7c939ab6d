"""The docs are checked against the code: every setting of web/settings.py (the limits of the
query gateway among them) is in the settings table of docs/publishing-safely.md with its real
default, every command of the command line is in the table of docs/command-line.md, and the
README stays short and points to pages that exist."""

from __future__ import annotations

import re
from pathlib import Path

from scrkg.graph.gateway import LIMIT_SETTINGS
from scrkg.web.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SETTINGS_PAGE = ROOT / "docs" / "publishing-safely.md"
COMMANDS_PAGE = ROOT / "docs" / "command-line.md"


def settings_table_rows() -> dict[str, str]:
    """The rows of the settings page's tables whose first cell is a `SCRKG_...` name."""
    rows = {}
    for line in SETTINGS_PAGE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`(SCRKG_[A-Z0-9_]+)`\s*\|(.*)", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_every_site_setting_is_in_the_readme_settings_table():
    rows = settings_table_rows()
    missing = [s.name for s in SETTINGS if s.name not in rows]
    assert not missing, f"settings of web/settings.py missing from {SETTINGS_PAGE.name}: {missing}"


def test_the_readme_gives_each_setting_its_real_default():
    rows = settings_table_rows()
    for setting in SETTINGS:
        default = setting.default
        shown = (
            f"{default:g}" if isinstance(default, float) else str(default) if default != "" else ""
        )
        cell = rows[setting.name].split("|")[0]
        assert (shown or "empty") in cell, (setting.name, shown, cell)


def test_the_gateway_limits_are_settings():
    names = {s.name for s in SETTINGS}
    assert set(LIMIT_SETTINGS) <= names


def test_the_loader_size_cap_and_the_soak_length_are_documented():
    text = SETTINGS_PAGE.read_text(encoding="utf-8")
    for name in ("SCRKG_MAX_SOURCE_MB", "SCRKG_SOAK_SECONDS", "X-SCRKG-Truncated"):
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
