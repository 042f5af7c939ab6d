#!/usr/bin/env bash
# Set up and run the whole test suite: lint, format check, then pytest on every core with
# pytest-xdist (extra args go to pytest, e.g. `bash scripts/test.sh -k loader`). Each test module
# runs on one worker (tests/conftest.py gives it an xdist group), so a module's servers start once.
# SCRKG_TEST_WORKERS sets the number of workers (default: auto, one per core; 0 runs in-process).
# The soak (tests/test_load_soak.py) runs for 15 s here; SCRKG_SOAK_SECONDS=60 runs its full
# minute, as `pytest tests/test_load_soak.py` does.
set -euo pipefail
export SCRKG_SOAK_SECONDS="${SCRKG_SOAK_SECONDS:-15}"
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/pytest -n "${SCRKG_TEST_WORKERS:-auto}" --dist loadgroup "$@"
