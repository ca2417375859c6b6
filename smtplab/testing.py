"""Helpers for testing code that talks SMTP: a lab server for the length of a ``with`` block, and
the reply codes a lab conversation revolves around, by name (RFC 5321 §4.2.2).

    from smtplab.testing import running_lab, CANNOT_VRFY

    with running_lab() as lab, lab.connect() as session:
        assert session.vrfy("alice").code == CANNOT_VRFY
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from smtplab.server import LabServer

__all__ = [
    "CANNOT_VRFY",
    "CLOSING",
    "NOT_IMPLEMENTED",
    "NO_GROWTH",
    "OK",
    "SERVICE_NOT_AVAILABLE",
    "SERVICE_READY",
    "SYNTAX_ERROR",
    "SYNTAX_ERROR_IN_ARGUMENTS",
    "USER_NOT_LOCAL_WILL_FORWARD",
    "Resources",
    "resources",
    "running_lab",
    "settled",
]

SERVICE_READY = 220
CLOSING = 221
OK = 250
USER_NOT_LOCAL_WILL_FORWARD = 251
CANNOT_VRFY = 252
SERVICE_NOT_AVAILABLE = 421
SYNTAX_ERROR = 500
SYNTAX_ERROR_IN_ARGUMENTS = 501
NOT_IMPLEMENTED = 502


@contextmanager
def running_lab(**options: Any) -> Iterator[LabServer]:
    """A fresh :class:`~smtplab.server.LabServer` (own free port) that is stopped on exit, even
    when the block fails; ``options`` are LabServer's."""
    from smtplab.server import LabServer  # noqa: PLC0415 - the server loads only when used

    lab = LabServer(**options)
    lab.start()
    try:
        yield lab
    finally:
        lab.stop()


# --- leak checks (Linux: they read /proc) -----------------------------------------------------
class Resources(NamedTuple):
    """What a server that stopped cleanly gives back: compare before and after."""

    threads: int
    fds: int
    listening_sockets: int

    def growth_since(self, before: Resources) -> Resources:
        """How much each count grew; 0 where it shrank (other work finishing is not a leak)."""
        return Resources(*(max(0, now - then) for now, then in zip(self, before, strict=True)))


NO_GROWTH = Resources(0, 0, 0)


def _listening_inodes() -> set[str]:
    """Socket inodes in LISTEN state (any process): /proc/net/tcp{,6} rows in state 0A."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[3] == "0A":
                    found.add(fields[9])
    return found


def resources() -> Resources:
    """Threads, open file descriptors and listening sockets of this process, right now."""
    fds = os.listdir("/proc/self/fd")
    sockets = set()
    for fd in fds:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the fd closed while we looked (listdir's own fd, for one)
            continue
        if target.startswith("socket:["):
            sockets.add(target[8:-1])
    return Resources(threading.active_count(), len(fds), len(sockets & _listening_inodes()))


def settled(before: Resources, timeout: float = 3.0) -> Resources:
    """:func:`resources` once no count exceeds ``before`` (daemon threads and lingering
    connections finishing), or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while (now := resources()).growth_since(before) != NO_GROWTH and time.monotonic() < deadline:
        time.sleep(0.02)
    return now
