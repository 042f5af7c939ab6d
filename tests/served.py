"""Helpers for tests that need the real server or a network listener (not a test module).

* :func:`served` runs ``scrkg serve`` in a subprocess on a free port of 127.0.0.1, waits for it
  to answer, and stops it by its process id.
* :class:`Listener` counts the TCP connections made to it, to prove nothing calls out.
* :data:`SLOW_WRITER`: a script that starts a load into the store at ``argv[1]``, prints
  ``writing`` once it holds the writer lock, and then waits two minutes to be killed.
* :data:`CHROMIUM` and :data:`CHROMIUM_ARGS`: Debian's chromium, as the browser tests and the
  benchmarks drive it through Playwright (never `playwright install`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SERVE = (
    "import sys; from scrkg.cli import main; "
    "main(['--store', sys.argv[1], 'serve', '--host', '127.0.0.1', '--port', sys.argv[2]])"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(
    store: Path,
    env: Mapping[str, str] | None = None,
    *,
    log: Path | None = None,
    wait: float = 120,
    headers: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """``scrkg serve`` over ``store`` on 127.0.0.1; yields its base URL. ``headers`` go with
    the /health requests that wait for it (credentials, for a site that needs them)."""
    port = free_port()
    log = log or store.parent / f"server-{port}.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(store), str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    probe = urllib.request.Request(url + "/health", headers=dict(headers or {}))
                    with urllib.request.urlopen(probe, timeout=5) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    output.flush()
                    text = log.read_text(errors="replace")[-3000:]
                    raise AssertionError(f"The site did not start on {url}:\n{text}")
                time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives."""

    def __init__(self) -> None:
        self.connections = 0
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.2)  # a connection made at the last moment is still counted
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()


SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    import pyoxigraph as ox
    from scrkg.graph.store import DiskStore

    def slow():
        yield ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                        ox.Literal("new"))
        print("writing", flush=True)
        time.sleep(120)

    DiskStore(sys.argv[1]).replace_graph("http://example.org/g", slow())
    """
)
