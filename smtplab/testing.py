"""Helpers for testing code that talks SMTP: a lab server for the length of a ``with`` block, and
the reply codes a lab conversation revolves around, by name (RFC 5321 §4.2.2).

    from smtplab.testing import running_lab, CANNOT_VRFY

    with running_lab() as lab, lab.connect() as session:
        assert session.vrfy("alice").code == CANNOT_VRFY
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smtplab.server import LabServer

__all__ = [
    "CANNOT_VRFY",
    "CLOSING",
    "NOT_IMPLEMENTED",
    "OK",
    "SERVICE_NOT_AVAILABLE",
    "SERVICE_READY",
    "SYNTAX_ERROR",
    "SYNTAX_ERROR_IN_ARGUMENTS",
    "USER_NOT_LOCAL_WILL_FORWARD",
    "running_lab",
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
