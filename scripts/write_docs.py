"""Write the pages of docs/ that are generated from the code: docs/settings.md from the settings
table (graph/settings.py). tests/test_docs.py fails when a page differs from what this writes.

    .venv/bin/python scripts/write_docs.py
"""

from pathlib import Path

from scrkg.graph.settings import markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"

GENERATED = {"settings.md": markdown}

if __name__ == "__main__":
    for name, write in GENERATED.items():
        (DOCS / name).write_text(write(), encoding="utf-8")
        print(f"wrote docs/{name}")
