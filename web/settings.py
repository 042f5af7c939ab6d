"""The site's settings: one table of name, default and help (Datasette style).

Every setting can be given to `create_app` by name, or as an environment variable of the same
name. tests/test_docs.py fails when a setting here is missing from the README.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: list[Setting] = [
    Setting("SCRKG_STORE", "scrkg-store", "Directory of the on-disk store the site reads."),
    Setting(
        "SCRKG_BASE",
        "https://w3id.org/scrkg/id/",
        "Base IRI of the instance data; the site shows <base>PATH at /id/PATH.",
    ),
    Setting(
        "SCRKG_PAGE_SIZE",
        50,
        "Links shown per property on a resource page before a next-page link.",
    ),
    Setting(
        "SCRKG_EXPLORE_GROUP_LIMIT",
        20,
        "Neighbours the explorer shows per property when a node is expanded; the rest sit "
        "behind a '+N more' node.",
    ),
    Setting(
        "SCRKG_EXPLORE_MAX_NODES",
        3000,
        "Most nodes the explorer draws for a saved view or a query result (the whole bundled "
        "graph is about 2,000).",
    ),
]


def read_settings(given: Mapping[str, Any]) -> dict[str, Any]:
    """Each setting from ``given``, else the environment, else its default, cast to the
    default's type."""
    values = {}
    for setting in SETTINGS:
        raw = given.get(setting.name, os.environ.get(setting.name, setting.default))
        kind = type(setting.default)
        values[setting.name] = (
            raw if isinstance(raw, kind) or setting.default is None else kind(raw)
        )
    return values
