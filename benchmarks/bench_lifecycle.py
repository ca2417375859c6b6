"""Lifecycle figures: 1,000 LabServer start/stop cycles and 100 re-runs of smtplab.start() in one
process (threads, file descriptors and listening sockets before/after: goal 0 leaked), stop()
with 200 connected clients (goal < 1 s, every client hears 421 or a close), idle drop (421 after
the timeout).

Anchor for the cycles: the same count of bare aiosmtpd Controller start/stop cycles in the same
run (ms per cycle, ratio printed).

    .venv/bin/python benchmarks/bench_lifecycle.py [--cycles 1000] [--reruns 100] [--clients 200]
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
from pathlib import Path

import smtplab
from smtplab.server import LabServer
from smtplab.testing import resources, settled

sys.path.insert(0, str(Path(__file__).parent))
from bench_server import BareController


def leaks(before: tuple[int, int, int], after: tuple[int, int, int]) -> str:
    names = ("threads", "fds", "listening sockets")
    return ", ".join(
        f"{n} {b} -> {a} ({a - b:+d})" for n, b, a in zip(names, before, after, strict=True)
    )


def cycles(count: int) -> None:
    LabServer().start().stop()  # warm-up
    before = resources()
    started = time.perf_counter()
    for _ in range(count):
        LabServer().start().stop()
    ours = (time.perf_counter() - started) / count
    after = settled(before)
    started = time.perf_counter()
    for _ in range(count):
        bare = BareController()
        bare.start()
        bare.stop()
    anchor = (time.perf_counter() - started) / count
    print(
        f"{count} LabServer start/stop cycles: {ours * 1e3:.2f} ms/cycle vs bare Controller "
        f"{anchor * 1e3:.2f} ms/cycle ({ours / anchor:.2f}x); {leaks(before, after)}"
    )


def reruns(count: int) -> None:
    smtplab.stop()
    first = smtplab.start(mailboxes=["alice"])
    before = resources()
    same = sum(smtplab.start(mailboxes=["alice"]) is first for _ in range(count))
    after_same = resources()
    for i in range(count):  # an edited cell: options change, the old server is replaced
        smtplab.start(mailboxes=["alice", f"user{i}"])
    smtplab.stop()
    smtplab.start(mailboxes=["alice"])
    after = settled(before)
    smtplab.stop()
    print(
        f"{count} re-runs of smtplab.start(same options): {same}/{count} returned the running "
        f"server; {leaks(before, after_same)}"
    )
    print(
        f"{count} re-runs with changed options (each replaces the server): {leaks(before, after)}"
    )


def stop_under_load(clients: int) -> None:
    lab = LabServer().start()
    socks = []
    for _ in range(clients):
        sock = socket.create_connection(("127.0.0.1", lab.port), timeout=5)
        file = sock.makefile("rb")
        file.readline()
        sock.sendall(b"EHLO load.example.test\r\n")
        while file.readline()[3:4] == b"-":
            pass
        socks.append(sock)
    started = time.perf_counter()
    lab.stop()
    elapsed = time.perf_counter() - started
    heard = {"421": 0, "close": 0, "other": 0}
    for sock in socks:
        data = b""
        try:
            while chunk := sock.recv(4096):
                data += chunk
        except OSError:
            pass
        sock.close()
        key = "421" if data.startswith(b"421 ") else "close" if not data else "other"
        heard[key] += 1
    verdict = "ok" if elapsed < 1.0 and heard["other"] == 0 else "MISSED"
    print(
        f"stop() with {clients} connected clients: {elapsed * 1e3:.0f} ms (goal < 1000 ms) "
        f"{verdict}; clients heard 421: {heard['421']}, bare close: {heard['close']}, "
        f"other: {heard['other']}"
    )


def idle_drop(timeout: float) -> None:
    with LabServer(idle_timeout=timeout) as lab:
        sock = socket.create_connection(("127.0.0.1", lab.port), timeout=timeout + 5)
        sock.makefile("rb").readline()
        started = time.perf_counter()
        data = sock.recv(4096)
        waited = time.perf_counter() - started
        sock.close()
    print(f"idle client (timeout {timeout:g} s): dropped after {waited:.2f} s with {data[:40]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--reruns", type=int, default=100)
    parser.add_argument("--clients", type=int, default=200)
    args = parser.parse_args()
    cycles(args.cycles)
    reruns(args.reruns)
    stop_under_load(args.clients)
    idle_drop(0.5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
