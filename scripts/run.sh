#!/usr/bin/env bash
# The main job: set up, load the bundled data into the embedded store (a no-op when it is already
# there), print the headline figures, and serve the site at http://127.0.0.1:5000/.
# Extra arguments go to `scrkg serve` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/scrkg load --bundled
.venv/bin/scrkg stats
exec .venv/bin/scrkg serve "$@"
