"""Hanging up on a client that is still sending: the closing reply must reach it (RFC 5321 §3.8).

Closing a socket with unread input makes TCP reset the connection, and the client loses the
replies it had not read yet. The lab sends its last reply, a FIN, and discards input until the
client closes (``smtplab/server/linger.py``), within bounds. Real server, raw asyncio clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time

import pytest
from wire import send_all_then_read

from smtplab.server import LabServer, personalities
from smtplab.server.linger import LINGER_BYTES, Linger
from smtplab.server.personality import load

HANG_GUARD = 5.0  # seconds: a test that waits longer has found a hang
BURST = b"NOOP\r\n" * 30_000  # 180 KB: far past what asyncio's reader buffers before pausing


@pytest.mark.parametrize("name", personalities())
def test_quit_followed_by_a_burst_still_reads_the_221(name: str) -> None:
    with LabServer(personality=name) as lab:
        lines = asyncio.run(send_all_then_read(lab.port, b"QUIT\r\n" + BURST))
    # A server that refuses pipelining (OpenSMTPD) answers the QUIT with that refusal instead.
    pipelining = lab.personality.option("pipelining") == "refuse"
    closing = lab.personality.render(
        "pipelining" if pipelining else "QUIT.ok", {"hostname": lab.hostname}
    )
    assert [line.decode().rstrip("\r\n") for line in lines] == closing


def test_injected_421_followed_by_a_burst_is_read() -> None:
    with LabServer(personality="postfix") as lab:
        lab.inject("RSET", 421, times=1)
        lines = asyncio.run(send_all_then_read(lab.port, b"RSET\r\n" + BURST))
    assert len(lines) == 1
    assert lines[0].startswith(b"421 4.3.0 "), lines


def test_stop_while_a_client_pipelines_says_421() -> None:
    """stop() shortens the linger, but a client whose input went quiet still reads the 421."""
    lab = LabServer().start()

    async def client() -> list[bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", lab.port)
        await reader.readline()
        writer.write(b"DATA\r\n" + b"x" * 200_000)  # no MAIL: one 503, then an overlong line
        await writer.drain()
        await asyncio.get_running_loop().run_in_executor(None, lab.stop)
        lines = []
        with contextlib.suppress(ConnectionError):
            while line := await asyncio.wait_for(reader.readline(), HANG_GUARD):
                lines.append(line)
        writer.close()
        return lines

    lines = asyncio.run(client())
    expected = load("aiosmtpd").render("shutdown", {"hostname": lab.hostname})[0]
    assert lines[-1].decode().rstrip("\r\n") == expected, lines


async def _linger_on_a_real_connection(*, seconds: float, send: int) -> tuple[bytes, float]:
    """A bare server whose protocol lingers at once; the client sends ``send`` bytes and reads.
    Returns what the client read and how long the server took to close."""
    loop = asyncio.get_running_loop()
    closed: asyncio.Future[float] = loop.create_future()
    started = loop.time()

    class Hangs(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            transport.write(b"421 bye\r\n")
            self.linger = Linger(transport, loop, seconds=seconds, max_bytes=LINGER_BYTES)

        def data_received(self, data: bytes) -> None:
            self.linger.discard(data)

        def connection_lost(self, exc: Exception | None) -> None:
            closed.set_result(loop.time() - started)

    server = await loop.create_server(Hangs, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        heard = await asyncio.wait_for(reader.read(100), HANG_GUARD)
        assert await asyncio.wait_for(reader.read(100), HANG_GUARD) == b""  # the FIN came at once
        writer.write(b"x" * send)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        took = await asyncio.wait_for(closed, HANG_GUARD)
    finally:
        writer.close()
        server.close()
        await server.wait_closed()
    return heard, took


def test_linger_is_bounded_in_bytes() -> None:
    heard, took = asyncio.run(
        _linger_on_a_real_connection(seconds=HANG_GUARD, send=LINGER_BYTES * 2)
    )
    assert heard == b"421 bye\r\n"
    assert took < HANG_GUARD  # closed by the byte bound, not the time bound


def test_linger_is_bounded_in_time() -> None:
    heard, took = asyncio.run(_linger_on_a_real_connection(seconds=0.2, send=0))
    assert heard == b"421 bye\r\n"
    assert 0.2 <= took < HANG_GUARD


def test_linger_on_a_client_that_already_reset_just_closes() -> None:
    """The client reset the connection before our FIN: ``write_eof`` fails (ENOTCONN). With
    reading paused nothing else notices the reset, so the connection must be closed right there,
    not left open (found by bench_fuzz: a session still live after every client left)."""

    async def run() -> bool:
        loop = asyncio.get_running_loop()
        closed: asyncio.Future[bool] = loop.create_future()

        class Resets(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                assert isinstance(transport, asyncio.Transport)
                self.transport = transport

            def data_received(self, data: bytes) -> None:
                self.transport.pause_reading()  # as a full stream reader does after a burst
                loop.call_soon(self.hang_up)  # outside the transport's own error handling

            def hang_up(self) -> None:  # as LabSMTP does, from its handler task
                time.sleep(0.3)  # the client's reset lands before the loop notices it
                Linger(self.transport, loop)

            def connection_lost(self, exc: Exception | None) -> None:
                closed.set_result(True)

        server = await loop.create_server(Resets, "127.0.0.1", 0)
        client = socket.create_connection(server.sockets[0].getsockname()[:2])
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.sendall(b"QUIT\r\n")
        resets = threading.Timer(0.05, client.close)  # SO_LINGER 0: a reset, not a FIN
        resets.start()  # from another thread: it lands while the server's loop is busy
        try:
            return await asyncio.wait_for(closed, HANG_GUARD)
        finally:
            resets.join()
            server.close()
            await server.wait_closed()

    assert asyncio.run(run())
