"""A raw-socket SMTP client for tests: exactly the bytes a plain socket client (like the one that
captured shared/reference/) sends and sees, with no client library in between."""

from __future__ import annotations

import asyncio
import contextlib
import socket


class Wire:
    """One connection to 127.0.0.1:``port``; every read is bounded by a 3 s timeout."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=3)
        self.file = self.sock.makefile("rb")

    def reply(self) -> list[str]:
        """The next reply's lines (all of a multi-line one); ``"<EOF>"`` marks a close."""
        lines: list[str] = []
        while True:
            raw = self.file.readline()
            if not raw:
                return [*lines, "<EOF>"]
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return lines

    def send(self, data: str | bytes) -> list[str]:
        """Send one line (CRLF added) and read the reply to it."""
        self.sock.sendall((data.encode() if isinstance(data, str) else data) + b"\r\n")
        return self.reply()

    def eof(self, wait: float = 1.5) -> bool:
        """Whether the server closes the connection within ``wait`` seconds."""
        self.sock.settimeout(wait)
        try:
            return self.sock.recv(1) == b""
        except TimeoutError:
            return False

    def close(self) -> None:
        self.file.close()
        self.sock.close()


async def send_all_then_read(port: int, data: bytes, guard: float = 5.0) -> list[bytes]:
    """Read the greeting, write ``data`` in one go (pipelined, however long), then every line
    until the server closes; ``b"<reset>"`` ends the list when the connection was reset. Each
    read waits at most ``guard`` seconds: a longer wait is a hang."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines: list[bytes] = []
    try:
        await reader.readline()
        writer.write(data)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        while line := await asyncio.wait_for(reader.readline(), guard):
            lines.append(line)
    except ConnectionError:
        lines.append(b"<reset>")
    finally:
        writer.close()
    return lines
