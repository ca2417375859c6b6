"""The server's own record of each conversation: who connected, what was said, what came back.

Bounded twice (how many sessions, how many exchanges per session, how long a logged line) so a
long-running class server keeps a fixed memory footprint.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

DEFAULT_MAX_SESSIONS = 200
MAX_EXCHANGES = 500
MAX_LOGGED_LINE = 1000


@dataclass
class LoggedExchange:
    """One command (``None`` for the greeting or a server-initiated reply) and its reply lines."""

    command: str | None
    at: float
    replies: list[str] = field(default_factory=list)


@dataclass
class SessionRecord:
    """One connection as the server saw it."""

    peer: str
    started: float = field(default_factory=time.time)
    ended: float | None = None
    exchanges: deque[LoggedExchange] = field(default_factory=lambda: deque(maxlen=MAX_EXCHANGES))

    def command(self, line: str | None) -> None:
        text = None if line is None else line[:MAX_LOGGED_LINE]
        self.exchanges.append(LoggedExchange(text, time.time()))

    def reply(self, line: str) -> None:
        if not self.exchanges:
            self.command(None)
        self.exchanges[-1].replies.append(line[:MAX_LOGGED_LINE])

    def close(self) -> None:
        if self.ended is None:
            self.ended = time.time()

    def lines(self) -> list[str]:
        """The conversation as text: ``C: ...`` for the client, ``S: ...`` for the server."""
        out: list[str] = []
        for exchange in tuple(self.exchanges):
            if exchange.command is not None:
                out.append("C: " + exchange.command)
            out.extend("S: " + reply for reply in exchange.replies)
        return out


class SessionLog:
    """The most recent ``max_sessions`` session records, oldest first."""

    def __init__(self, max_sessions: int = DEFAULT_MAX_SESSIONS) -> None:
        self._records: deque[SessionRecord] = deque(maxlen=max_sessions)

    def open(self, peer: str) -> SessionRecord:
        record = SessionRecord(peer)
        self._records.append(record)
        return record

    def __len__(self) -> int:
        return len(self._records)

    def records(self) -> tuple[SessionRecord, ...]:
        return tuple(self._records)

    def clear(self) -> None:
        self._records.clear()
