#!/usr/bin/env bash
# Set up and run the whole test suite: lint, format check, then pytest (extra args go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/pytest "$@"
