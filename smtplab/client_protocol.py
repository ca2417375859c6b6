"""aiosmtplib's client protocol, keeping what a server says while no command is waiting.

Why: a server may speak on its own — RFC 5321 §3.8 and §4.5.3.2 have it send ``421`` before it
closes for a shutdown or an idle timeout. aiosmtplib's :class:`SMTPProtocol` drops such bytes (so
they cannot be mistaken for the next command's reply); a learner should *see* that 421. This
subclass keeps aiosmtplib's reading of solicited replies untouched and only diverts the bytes it
would drop: a few complete replies (bounded in lines and octets) go to a callback, anything else
is discarded as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiosmtplib.protocol import SMTPProtocol

from smtplab.errors import ReplyFormatError
from smtplab.reply import Reply

__all__ = ["MAX_UNSOLICITED_OCTETS", "MAX_UNSOLICITED_REPLIES", "ClientProtocol"]

# A 421 is one line; a chatty server gets a few lines and a few KB, never more memory.
MAX_UNSOLICITED_OCTETS = 4096
MAX_UNSOLICITED_REPLIES = 3
MAX_UNSOLICITED_LINES = 16

Unsolicited = Callable[[Reply | str], None]


class ClientProtocol(SMTPProtocol):
    """:class:`SMTPProtocol` that hands unsolicited replies to ``on_unsolicited``.

    The callback gets a :class:`Reply`, or a short description (``str``) of bytes that were not an
    SMTP reply; it runs on the event loop's thread.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        on_unsolicited: Unsolicited,
        on_lost: Callable[[SMTPProtocol], None],
    ) -> None:
        super().__init__(loop=loop, connection_lost_callback=on_lost)
        self._on_unsolicited = on_unsolicited
        self._idle_bytes = bytearray()
        self._idle_seen = 0  # octets taken in; past the bound, the rest is dropped
        self._idle_replies = 0

    def data_received(self, data: bytes) -> None:
        waiter = self._response_waiter
        if waiter is not None and self._response_pending and not waiter.done():
            super().data_received(data)  # a reply someone awaits: aiosmtplib's own path
        elif waiter is not None:
            self._keep(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle_bytes:  # a last line without CRLF before the server hung up
            self._idle_bytes += b"\n"
            self._deliver()
        super().connection_lost(exc)

    def _keep(self, data: bytes) -> None:
        room = MAX_UNSOLICITED_OCTETS - self._idle_seen
        if room <= 0 or self._idle_replies >= MAX_UNSOLICITED_REPLIES:
            return
        data = data[:room]
        self._idle_seen += len(data)
        self._idle_bytes += data
        self._deliver()

    def _deliver(self) -> None:
        """Hand over every complete reply in the idle buffer (a line whose 4th octet is not '-')."""
        lines: list[str] = []
        start = 0
        while self._idle_replies < MAX_UNSOLICITED_REPLIES:
            end = self._idle_bytes.find(b"\n", start)
            if end == -1:
                break
            raw = bytes(self._idle_bytes[start:end]).rstrip(b"\r")
            start = end + 1
            lines.append(raw.decode("utf-8", "surrogateescape"))
            if raw[3:4] != b"-" or len(lines) >= MAX_UNSOLICITED_LINES:
                del self._idle_bytes[:start]
                start = 0
                self._idle_replies += 1
                self._on_unsolicited(_parse(lines))
                lines = []
        if self._idle_seen >= MAX_UNSOLICITED_OCTETS or self._idle_replies >= (
            MAX_UNSOLICITED_REPLIES
        ):
            self._idle_bytes.clear()  # the bound is reached: a partial rest is never completed


def _parse(lines: list[str]) -> Reply | str:
    try:
        return Reply.from_lines(lines)
    except ReplyFormatError as exc:
        return f"the server sent {len(lines)} line(s) that are not an SMTP reply ({exc})"
