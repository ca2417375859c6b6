"""Lab server benchmarks: each prints our figure, its anchor measured in the same run, the ratio.

    .venv/bin/python benchmarks/bench_server.py [--quick]

1. round trips: LabServer vs a bare aiosmtpd Controller, same raw-socket client (goal <= 1.1x)
2. start: smtplab.start() vs Controller.start() (goal <= 1.2x); plus 1,000 start/stop cycles
   counting threads and file descriptors (goal: no growth)
3. 500 concurrent sessions against `smtplab serve` vs a bare Controller, both in subprocesses
   (goal: 0 errors, 0 stalls, >= 0.9x bare throughput; p99 session latency and server CPU per
   session shown, medians of 5 interleaved rounds)
Loopback only; every server is stopped at the end.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time

from aiosmtpd.controller import Controller

import smtplab
from smtplab.server import LabServer

HOST = "127.0.0.1"
QUICK = "--quick" in sys.argv


class BareController(Controller):
    """aiosmtpd as shipped (no handler), on a socket bound first (port=0 breaks its ready check)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind((HOST, 0))
        super().__init__(
            object(),
            hostname=HOST,
            port=self.sock.getsockname()[1],
            server_hostname="bare.example.test",
            ident="Python SMTP",
        )

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self.sock, backlog=1024)

    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert)
        self.sock.close()


def report(name: str, ours: float, anchor: float, unit: str, goal: str) -> None:
    print(
        f"{name}: ours {ours:.3f} {unit}, anchor {anchor:.3f} {unit}, "
        f"ratio {ours / anchor:.2f}x (goal {goal})"
    )


# --- 1. round trips ----------------------------------------------------------------------------
def round_trips(port: int, count: int) -> float:
    """Median microseconds for one VRFY round trip on an open connection."""
    with socket.create_connection((HOST, port)) as sock:
        file = sock.makefile("rb")
        file.readline()
        sock.sendall(b"EHLO bench.example.test\r\n")
        while file.readline()[3:4] == b"-":
            pass
        times = []
        for _ in range(count):
            started = time.perf_counter()
            sock.sendall(b"VRFY alice\r\n")
            file.readline()
            times.append(time.perf_counter() - started)
        sock.sendall(b"QUIT\r\n")
        file.readline()
    return statistics.median(times) * 1e6


def bench_round_trips() -> None:
    count = 500 if QUICK else 3000
    bare = BareController()
    bare.start()
    lab = LabServer().start()
    try:
        ours, anchor = [], []
        for _ in range(3):  # interleave to share the machine's noise
            anchor.append(round_trips(bare.port, count))
            ours.append(round_trips(lab.port, count))
    finally:
        lab.stop()
        bare.stop()
    report("VRFY round trip, LabServer vs bare Controller", min(ours), min(anchor), "us", "<= 1.1x")


# --- 2. start ----------------------------------------------------------------------------------
def bench_start() -> None:
    cycles = 50 if QUICK else 200
    ours, anchor = [], []
    for _ in range(cycles):
        bare = BareController()
        started = time.perf_counter()
        bare.start()
        anchor.append(time.perf_counter() - started)
        bare.stop()
        started = time.perf_counter()
        smtplab.start()
        ours.append(time.perf_counter() - started)
        smtplab.stop()
    report(
        "start, smtplab.start() vs Controller.start()",
        statistics.median(ours) * 1e3,
        statistics.median(anchor) * 1e3,
        "ms",
        "<= 1.2x",
    )

    cycles = 100 if QUICK else 1000
    threads, fds = threading.active_count(), len(os.listdir("/proc/self/fd"))
    started = time.perf_counter()
    for _ in range(cycles):
        LabServer().start().stop()
    elapsed = time.perf_counter() - started
    print(
        f"{cycles} LabServer start/stop cycles: {elapsed:.2f} s, threads {threads} -> "
        f"{threading.active_count()}, fds {fds} -> {len(os.listdir('/proc/self/fd'))}"
    )


# --- 3. concurrency ----------------------------------------------------------------------------
BARE_SERVER = textwrap.dedent("""
    import signal, socket, sys, threading
    from aiosmtpd.controller import Controller
    sock = socket.socket(); sock.bind(("127.0.0.1", 0))
    class Bare(Controller):
        def _create_server(self):
            return self.loop.create_server(self._factory_invoker, sock=sock, backlog=1024)
    c = Bare(object(), hostname="127.0.0.1", port=sock.getsockname()[1],
             server_hostname="bare.example.test", ident="Python SMTP")
    c.start()
    print("listening on 127.0.0.1:%d" % sock.getsockname()[1], flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    done.wait()
    c.stop()
""")


async def one_session(port: int, stall: float) -> float:
    started = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), stall)

    async def reply() -> bytes:
        while True:
            line = await asyncio.wait_for(reader.readline(), stall)
            if line[3:4] != b"-":
                return line

    await reply()
    for command in (b"EHLO bench.example.test", b"VRFY alice", b"QUIT"):
        writer.write(command + b"\r\n")
        line = await reply()
        if not line[:1].isdigit():
            raise ConnectionError(f"bad reply {line!r}")
    writer.close()
    await writer.wait_closed()
    return time.perf_counter() - started


async def crowd(port: int, clients: int, stall: float = 5.0) -> tuple[float, list[float], int, int]:
    started = time.perf_counter()
    results = await asyncio.gather(
        *(one_session(port, stall) for _ in range(clients)), return_exceptions=True
    )
    elapsed = time.perf_counter() - started
    latencies = [r for r in results if isinstance(r, float)]
    stalls = sum(isinstance(r, TimeoutError) for r in results)
    errors = len(results) - len(latencies) - stalls
    return elapsed, latencies, errors, stalls


def run_server(args: list[str]) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    match = re.search(r":(\d+)", proc.stdout.readline())
    assert match, "server did not say where it listens"
    return proc, int(match.group(1))


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far (Linux /proc; ``None`` elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_concurrency() -> None:
    """Throughput is what the goal names; server CPU per session is the steadier figure on a busy
    machine (wall-clock throughput also measures whoever else is using the cores)."""
    clients = 500
    rounds = 1 if QUICK else 5
    servers = {
        "bare": [sys.executable, "-c", BARE_SERVER],
        "serve": [sys.executable, "-m", "smtplab", "serve", "--hostname", "lab.example.test"],
    }
    rows: dict[str, list[tuple[float, float | None, float, int, int]]] = {n: [] for n in servers}
    procs = {name: run_server(args) for name, args in servers.items()}
    try:
        for _ in range(rounds):  # interleaved: both servers share the machine's noise
            for name, (proc, port) in procs.items():
                cpu_before = cpu_seconds(proc.pid)
                elapsed, latencies, errors, stalls = asyncio.run(crowd(port, clients))
                cpu_after = cpu_seconds(proc.pid)
                cpu = None
                if cpu_before is not None and cpu_after is not None:
                    cpu = (cpu_after - cpu_before) / clients * 1e3
                p99 = statistics.quantiles(latencies, n=100)[98] * 1e3 if len(latencies) > 1 else 0
                rows[name].append((clients / elapsed, cpu, p99, errors, stalls))
    finally:
        for proc, _ in procs.values():
            proc.terminate()
            proc.wait(timeout=10)

    def median(name: str, column: int) -> float:
        values = [row[column] for row in rows[name] if row[column] is not None]
        return statistics.median(values) if values else float("nan")

    def faults(name: str) -> str:
        errors = sum(row[3] for row in rows[name])
        stalls = sum(row[4] for row in rows[name])
        return f"errors {errors}, stalls {stalls}"

    print(
        f"{clients} concurrent sessions, median of {rounds} rounds: smtplab serve "
        f"{median('serve', 0):.0f} sessions/s (p99 {median('serve', 2):.0f} ms, "
        f"{faults('serve')}); bare Controller {median('bare', 0):.0f} sessions/s "
        f"(p99 {median('bare', 2):.0f} ms, {faults('bare')}); throughput ratio "
        f"{median('serve', 0) / median('bare', 0):.2f}x (goal >= 0.9x, 0 errors, 0 stalls)"
    )
    report(
        "server CPU per session, smtplab serve vs bare Controller",
        median("serve", 1),
        median("bare", 1),
        "ms",
        "lower is better",
    )


if __name__ == "__main__":
    bench_round_trips()
    bench_start()
    bench_concurrency()
