#!/usr/bin/env bash
# Create .venv with Python 3.11+ and install scrkg into it. With "test": also the test tools,
# Debian's chromium for the browser tests and Debian's OpenLink Virtuoso for the tests of the store
# on a SPARQL server (each installed with apt-get when missing and we are root).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "scrkg needs Python 3.11 or newer")'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# library PACKAGE WHY: install Debian's PACKAGE (the shared library of the same name) with
# apt-get when it is missing and we are root, else say why it is wanted.
library() {
  /sbin/ldconfig -p 2>/dev/null | grep -q "${1%2}\.so\.2" && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's $1 ($2)..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "scrkg wants $1 ($2): sudo apt-get install $1" >&2
  fi
}
# Queries run only where the kernel can refuse them network connections, through libseccomp.
library libseccomp2 "queries are confined with seccomp"
# The query workers write large results faster with jemalloc (SCRKG_QUERY_ALLOCATOR); optional.
library libjemalloc2 "the query workers' allocator"
if [ "${1:-}" = "test" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
  # axe-core, which the browser tests run in each page (WCAG 2.2 AA), from the npm registry.
  if ! command -v npm >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's npm for axe-core..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    npm ci --prefix tests/browser --no-audit --no-fund --silent \
      || echo "The accessibility tests need axe-core: npm ci --prefix tests/browser" >&2
  fi
  if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installing Debian's chromium for the browser tests..." >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2
    fi
  fi
  # OpenLink Virtuoso (virtuoso-t, isql-vt): the remote-store tests start their own, with a
  # throw-away database on free ports of 127.0.0.1; the package's own service is not used.
  if ! command -v virtuoso-t >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installing Debian's virtuoso-opensource for the remote-store tests..." >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null
    else
      echo "The remote-store tests need OpenLink Virtuoso: sudo apt-get install virtuoso-opensource" >&2
    fi
  fi
else
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
fi
