"""Sync ``Session.send("VRFY x")`` on an open session vs aiosmtplib awaited directly.

Anchor: ``await smtp.execute_command(b"VRFY", b"x")`` from an asyncio loop in the main thread,
against a bare aiosmtpd Controller (its own loop in its own thread) -- the least any client built
on aiosmtplib can cost. Ours: the blocking ``Session.send`` from a plain thread (a notebook
cell), with the session's I/O on (a) the shared client loop thread and (b) the server's own loop
(what ``lab.connect()`` does). Goal: at most 1.0x the anchor. Rounds are interleaved so drift on a
shared machine hits both sides alike; each figure is the median round, and the ratio is given both
as median/median and as the median of each round's own ratio (steadier when the load swings).

A diagnostic figure splits the cost: the same VRFY through the async API awaited *on* the server's
loop (no thread hop at all); sync send minus that is what the two thread hops cost.

    .venv/bin/python benchmarks/bench_session.py [--calls 300] [--rounds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import time

import aiosmtplib
from aiosmtpd.controller import Controller

from smtplab.session import aconnect, connect

HOST = "127.0.0.1"
GOAL = 1.0


class BareController(Controller):
    """aiosmtpd's Controller on a socket bound beforehand (a free port; port=0 breaks it)."""

    def __init__(self) -> None:
        self._sock = socket.create_server((HOST, 0))
        super().__init__(
            object(), hostname=HOST, port=self._sock.getsockname()[1], server_hostname="bench"
        )

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock)

    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert)
        self._sock.close()


def anchor_round(port: int, calls: int) -> float:
    async def run() -> float:
        smtp = aiosmtplib.SMTP(hostname=HOST, port=port, local_hostname="bench", start_tls=False)
        await smtp.connect()
        for _ in range(calls // 10):  # warm-up
            await smtp.execute_command(b"VRFY", b"x")
        started = time.perf_counter()
        for _ in range(calls):
            await smtp.execute_command(b"VRFY", b"x")
        elapsed = time.perf_counter() - started
        await smtp.quit()
        return elapsed / calls

    return asyncio.run(run())


def session_round(port: int, calls: int, loop: asyncio.AbstractEventLoop | None) -> float:
    session = connect(HOST, port, loop=loop)
    for _ in range(calls // 10):
        session.send("VRFY x")
    started = time.perf_counter()
    for _ in range(calls):
        session.send("VRFY x")
    elapsed = time.perf_counter() - started
    session.quit()
    return elapsed / calls


def on_loop_round(port: int, calls: int, loop: asyncio.AbstractEventLoop) -> float:
    """``await session.asend`` from the session's own loop: the round trip without a hop."""

    async def run() -> float:
        session = await aconnect(HOST, port, loop=loop)
        for _ in range(calls // 10):
            await session.asend("VRFY x")
        started = time.perf_counter()
        for _ in range(calls):
            await session.asend("VRFY x")
        elapsed = time.perf_counter() - started
        await session.aquit()
        return elapsed / calls

    return asyncio.run_coroutine_threadsafe(run(), loop).result(600)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    server = BareController()
    server.start()
    try:
        anchor, client_loop, server_loop, on_loop = [], [], [], []
        for _ in range(args.rounds):
            anchor.append(anchor_round(server.port, args.calls))
            client_loop.append(session_round(server.port, args.calls, None))
            server_loop.append(session_round(server.port, args.calls, server.loop))
            on_loop.append(on_loop_round(server.port, args.calls, server.loop))
    finally:
        server.stop()
    base = statistics.median(anchor)
    print(f"VRFY round trip, median of {args.rounds} rounds x {args.calls} calls")
    print(f"  anchor  aiosmtplib execute_command, awaited  {base * 1e6:8.1f} µs")
    for name, figures in (
        ("Session.send, client loop thread", client_loop),
        ("Session.send, server's loop (lab)", server_loop),
    ):
        ours = statistics.median(figures)
        ratio = ours / base
        paired = statistics.median(o / a for o, a in zip(figures, anchor, strict=True))
        verdict = "ok" if ratio <= GOAL else "MISSED"
        print(
            f"  ours    {name:<34} {ours * 1e6:8.1f} µs  {ratio:5.2f}x (per round {paired:4.2f}x)"
            f"  goal <= {GOAL}x {verdict}"
        )
    hopless = statistics.median(on_loop)
    hops = statistics.median(s - o for s, o in zip(server_loop, on_loop, strict=True))
    print(
        f"  diag    asend awaited on the server's loop    {hopless * 1e6:8.1f} µs  (no thread hop)"
    )
    print(f"  diag    sync send minus that, per round      {hops * 1e6:8.1f} µs  (the two hops)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
