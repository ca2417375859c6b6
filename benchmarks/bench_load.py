"""500 concurrent SMTP sessions (EHLO, VRFY, QUIT) against `smtplab serve` and a bare aiosmtpd
Controller, each in its own subprocess, in the same run (rounds interleaved).

Every session must get 220, 250, 252 (or the personality's VRFY answer, checked against a first
polite session) and 221; anything else is an error, no reply within 5 s a stall. Prints p50/p99
session latency, throughput and the throughput ratio (goal >= 0.9x, 0 errors, 0 stalls).
Servers are started with `run_server` and `BARE_SERVER` from bench_server.py (the server
helper's benchmark, which measures the same crowd without per-reply checks).

    .venv/bin/python benchmarks/bench_load.py [--clients 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_server import BARE_SERVER, run_server

HOST = "127.0.0.1"
STALL = 5.0
SCRIPT = (b"EHLO load.example.test", b"VRFY alice", b"QUIT")


async def _reply(reader: asyncio.StreamReader) -> int:
    while True:
        line = await asyncio.wait_for(reader.readline(), STALL)
        if not line:
            raise ConnectionError("closed without a reply")
        if line[3:4] != b"-":
            return int(line[:3])


async def session(port: int) -> tuple[float, tuple[int, ...]]:
    started = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), STALL)
    try:
        codes = [await _reply(reader)]
        for command in SCRIPT:
            writer.write(command + b"\r\n")
            codes.append(await _reply(reader))
        return time.perf_counter() - started, tuple(codes)
    finally:
        writer.close()


async def crowd(port: int, clients: int, expected: tuple[int, ...]) -> dict[str, object]:
    started = time.perf_counter()
    results = await asyncio.gather(*(session(port) for _ in range(clients)), return_exceptions=True)
    elapsed = time.perf_counter() - started
    ok = [r[0] for r in results if isinstance(r, tuple) and r[1] == expected]
    stalls = sum(isinstance(r, TimeoutError) for r in results)
    return {
        "elapsed": elapsed,
        "latencies": ok,
        "stalls": stalls,
        "errors": clients - len(ok) - stalls,
        "examples": [repr(r) for r in results if not (isinstance(r, tuple) and r[1] == expected)][
            :3
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    servers = {
        "smtplab serve": [sys.executable, "-m", "smtplab", "serve", "--mailbox", "alice"],
        "bare Controller": [sys.executable, "-c", BARE_SERVER],
    }
    procs = {name: run_server(cmd) for name, cmd in servers.items()}
    runs: dict[str, list[dict[str, object]]] = {name: [] for name in servers}
    try:
        expected = {name: asyncio.run(session(port))[1] for name, (_, port) in procs.items()}
        for _ in range(args.rounds):
            for name, (_, port) in procs.items():
                runs[name].append(asyncio.run(crowd(port, args.clients, expected[name])))
        alive = {name: proc.poll() is None for name, (proc, _) in procs.items()}
    finally:
        for proc, _ in procs.values():
            proc.terminate()
            proc.wait(timeout=10)
    throughput = {}
    for name, rounds in runs.items():
        latencies = [x for r in rounds for x in r["latencies"]]  # type: ignore[attr-defined]
        errors = sum(r["errors"] for r in rounds)  # type: ignore[misc]
        stalls = sum(r["stalls"] for r in rounds)  # type: ignore[misc]
        best = min(r["elapsed"] for r in rounds)  # type: ignore[type-var]
        throughput[name] = args.clients / best
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
        print(
            f"{name:<16} {args.rounds}x{args.clients} sessions {expected[name]}: "
            f"{throughput[name]:.0f} sessions/s (best round), p50 {cuts[49] * 1e3:.0f} ms, "
            f"p99 {cuts[98] * 1e3:.0f} ms, errors {errors}, stalls {stalls}, "
            f"still serving: {alive[name]}"
        )
        for r in rounds:
            for example in r["examples"]:  # type: ignore[attr-defined]
                print(f"    {example}")
    ratio = throughput["smtplab serve"] / throughput["bare Controller"]
    print(f"throughput ratio smtplab serve / bare Controller: {ratio:.2f}x (goal >= 0.9x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
