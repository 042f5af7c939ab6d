"""The README documents every setting: each one of web/settings.py (and the limits of the query
gateway, which are among them) must appear in the README's settings table."""

from __future__ import annotations

import re
from pathlib import Path

from scrkg.graph.gateway import LIMIT_SETTINGS
from scrkg.web.settings import SETTINGS

README = Path(__file__).resolve().parents[1] / "README.md"


def settings_table_rows() -> dict[str, str]:
    """The rows of README tables whose first cell is a `SCRKG_...` name."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`(SCRKG_[A-Z0-9_]+)`\s*\|(.*)", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_every_site_setting_is_in_the_readme_settings_table():
    rows = settings_table_rows()
    missing = [s.name for s in SETTINGS if s.name not in rows]
    assert not missing, f"settings of web/settings.py missing from README.md's table: {missing}"


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
    text = README.read_text(encoding="utf-8")
    for name in ("SCRKG_MAX_SOURCE_MB", "SCRKG_SOAK_SECONDS", "X-SCRKG-Truncated"):
        assert name in text, name
