#!/usr/bin/env bash
# The main job: set up, load the bundled data into the embedded store, print the headline figures.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/scrkg load --bundled
.venv/bin/scrkg stats
