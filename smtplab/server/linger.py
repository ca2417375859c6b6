"""Lingering close: hang up without the kernel throwing the last reply away.

Why: closing a TCP socket that still holds unread input makes the kernel send a reset, and a reset
makes the client's kernel drop replies the client has not read yet — among them the 421 (or 221)
that says why the server hung up, which RFC 5321 §3.8 wants the client to hear. So a hang-up
sends the reply, then a FIN (``write_eof``: "I have nothing more to say"), then reads and
discards whatever the client still sends until it closes too — bounded in time and bytes, so a
client that keeps sending cannot hold the connection open.
"""

from __future__ import annotations

import asyncio

LINGER_SECONDS = 1.0  # how long a hung-up connection waits for the client to close
LINGER_BYTES = 1 << 20  # how much input it discards meanwhile before closing anyway


class Linger:
    """The end of one connection: FIN sent, input discarded, closed at EOF or a bound."""

    def __init__(
        self,
        transport: asyncio.Transport,
        loop: asyncio.AbstractEventLoop,
        *,
        seconds: float = LINGER_SECONDS,
        max_bytes: int = LINGER_BYTES,
    ) -> None:
        self._transport = transport
        self._loop = loop
        self._left = max_bytes
        self.last_input = loop.time()
        self._timer: asyncio.TimerHandle | None = None
        if not transport.can_write_eof():
            transport.close()
            return
        try:
            transport.write_eof()  # the FIN goes out after the queued reply
        except OSError:  # the client is already gone (reset): nothing left to linger for
            transport.close()
            return
        transport.resume_reading()  # the stream reader may have paused it: input must drain
        self._timer = loop.call_later(seconds, self.close)

    def discard(self, data: bytes) -> None:
        """Input that arrived after the hang-up: counted, then dropped."""
        self.last_input = self._loop.time()
        self._left -= len(data)
        if self._left < 0:
            self.close()

    def close(self) -> None:
        """Close now (idempotent): the client closed, or a bound was reached."""
        if self._timer is not None:
            self._timer.cancel()
        self._transport.close()
