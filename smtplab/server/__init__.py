"""The lab server: a real aiosmtpd SMTP server running inside this Python process.

``smtplab.start(**options)`` is what a notebook calls: idempotent per process, so re-running the
cell returns the running server (or replaces it when the options changed) instead of failing with
"address already in use". ``LabServer`` is the object behind it, for code that wants several.
"""

from __future__ import annotations

import threading
from typing import Any

from smtplab.server.lab import LabServer
from smtplab.server.personality import Personality, all_personalities, names
from smtplab.server.store import Message

__all__ = [
    "LabServer",
    "Message",
    "Personality",
    "all_personalities",
    "current",
    "personalities",
    "start",
    "stop",
]

_lock = threading.Lock()
_current: LabServer | None = None
_current_options: dict[str, Any] = {}


def _normalised(options: dict[str, Any]) -> dict[str, Any]:
    """Options in a comparable form (a list of mailboxes equals the same tuple)."""
    out = dict(options)
    if "mailboxes" in out:
        out["mailboxes"] = tuple(out["mailboxes"])
    if "aliases" in out and out["aliases"] is not None:
        out["aliases"] = dict(out["aliases"])
    return out


def start(**options: Any) -> LabServer:
    """The process's lab server, started with ``options`` (see :class:`LabServer`).

    Same options as the running one: that server. Different options: the old one stops (its
    clients hear 421) and a new one starts.
    """
    global _current, _current_options  # noqa: PLW0603 - one lab server per kernel, by design
    wanted = _normalised(options)
    with _lock:
        if _current is not None and _current.running and wanted == _current_options:
            return _current
        if _current is not None:
            _current.stop()
            _current = None
        server = LabServer(**wanted)
        server.start()
        _current, _current_options = server, wanted
        return server


def stop() -> None:
    """Stop the server :func:`start` returned (nothing to do when there is none)."""
    global _current  # noqa: PLW0603 - see start()
    with _lock:
        if _current is not None:
            _current.stop()
            _current = None


def current() -> LabServer | None:
    """The running server :func:`start` returned, if any."""
    return _current if _current is not None and _current.running else None


def personalities() -> tuple[str, ...]:
    """The names of the shipped personalities, the default first."""
    return names()
