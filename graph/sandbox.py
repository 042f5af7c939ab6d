"""The kernel's refusal: code that runs a user's query cannot open a network connection.

A SPARQL query may say ``SERVICE <http://host:port/>``, and pyoxigraph then connects to that
host. The gateway refuses SERVICE when it reads the query, but it reads with rdflib's parser
while pyoxigraph runs the query with its own, and two parsers never agree on every spelling
(comments ended by a carriage return, ``\\u`` escapes inside strings). So the guarantee is the
operating system's instead: before a thread (or a whole worker process) touches a user's query,
it installs a seccomp filter that makes the kernel answer "permission denied" to every call that
creates, connects, binds or accepts a socket, and to io_uring (which could do the same outside
the filter's sight). A filter cannot be lifted by the code it confines.

* :func:`confine_process` confines every thread of a worker process, for the rest of its life.
* :func:`confine_thread` confines the calling thread only (the threads of an in-memory store's
  queries); other threads of the process keep their network (the web server's sockets).
* :func:`confined` runs a function in a confined thread, or directly when the calling thread is
  confined already.

The filter is built with libseccomp (through pyseccomp). Where it cannot be installed (not
Linux, no libseccomp, a kernel without seccomp) nothing runs a user's query:
:class:`SandboxUnavailable` says why, and the gateway reports it as a failed query.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: System calls refused (with EACCES) inside the sandbox.
REFUSED_CALLS = (
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
)

_local = threading.local()
_process_confined = False
_lock = threading.Lock()


class SandboxUnavailable(RuntimeError):
    """The kernel cannot be asked to refuse network connections here."""


def _filter(synchronise: bool) -> object:
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError, RuntimeError) as error:
        raise SandboxUnavailable(
            "queries run only where the kernel can stop them from connecting out, and "
            f"libseccomp could not be loaded ({error}); install it (Debian: libseccomp2)"
        ) from None
    try:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        for call in REFUSED_CALLS:
            rules.add_rule(seccomp.ERRNO(errno.EACCES), call)
        if synchronise:
            rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)
    except OSError as error:
        raise SandboxUnavailable(f"the seccomp filter could not be built ({error})") from None
    return rules


def _load(synchronise: bool) -> None:
    rules = _filter(synchronise)
    try:
        with _lock:
            rules.load()  # type: ignore[attr-defined]
    except OSError as error:
        raise SandboxUnavailable(
            f"the kernel refused the seccomp filter ({error}); queries cannot run on this "
            "machine without it"
        ) from None


def confine_process() -> None:
    """Refuse sockets to every thread of this process, now and later. For worker processes."""
    global _process_confined
    if not _process_confined:
        _load(synchronise=True)
        _process_confined = True


def confine_thread() -> None:
    """Refuse sockets to the calling thread (and threads it starts), for the rest of its life."""
    if not is_confined():
        _load(synchronise=False)
        _local.confined = True


def is_confined() -> bool:
    return _process_confined or getattr(_local, "confined", False)


def confined(function: Callable[[], T]) -> T:
    """``function()`` run where it cannot connect out: here when this thread is confined
    already, else in a new thread that confines itself first (a small cost: docs/performance.md)."""
    if is_confined():
        return function()
    box: dict[str, object] = {}

    def run() -> None:
        try:
            confine_thread()
            box["value"] = function()
        except BaseException as error:  # noqa: BLE001 - raised again in the caller
            box["error"] = error

    thread = threading.Thread(target=run, name="scrkg-confined", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
