"""Lifecycle: start/stop cycles and re-run cells leak no threads, file descriptors or listening
sockets; stop under load tells clients 421 (or closes) promptly; idle clients get 421.

The long versions (1,000 cycles, 100 re-runs, timing figures) are benchmarks/bench_lifecycle.py.
"""

from __future__ import annotations

import socket
import time

import smtplab
from smtplab.server import LabServer
from smtplab.testing import NO_GROWTH, resources, settled

CYCLES = 50
HANG_GUARD = 5.0  # seconds: only catches a hang; the benchmark measures the real figure


def test_start_stop_cycles_leak_nothing():
    with LabServer():  # warm-up: imports, the first loop's one-off allocations
        pass
    before = resources()
    for _ in range(CYCLES):
        lab = LabServer().start()
        assert lab.running
        lab.stop()
        assert not lab.running
    assert settled(before).growth_since(before) == NO_GROWTH


def test_a_stopped_server_starts_again_and_serves():
    lab = LabServer()
    try:
        for _ in range(3):
            lab.start()
            with lab.connect() as session:
                assert session.noop().code == 250
            lab.stop()
    finally:
        lab.stop()


def test_rerunning_start_returns_the_running_server_and_leaks_nothing():
    smtplab.stop()
    first = smtplab.start(mailboxes=["alice"])
    before = resources()
    try:
        for _ in range(20):
            assert smtplab.start(mailboxes=["alice"]) is first  # the same cell, run again
        assert resources().growth_since(before) == NO_GROWTH
        other = smtplab.start(mailboxes=["alice", "bob"])  # the cell, edited
        assert other is not first
        assert not first.running
        assert settled(before).growth_since(before) == NO_GROWTH
    finally:
        smtplab.stop()


def _idle_clients(port: int, count: int) -> list[socket.socket]:
    clients = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
        file = sock.makefile("rb")
        file.readline()  # greeting
        sock.sendall(b"EHLO load.example.test\r\n")
        while file.readline()[3:4] == b"-":
            pass
        clients.append(sock)
    return clients


def _last_words(sock: socket.socket) -> bytes:
    """What the server sent before closing: its lines, or b'' for a bare close."""
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except ConnectionResetError:
        data += b"<reset>"
    finally:
        sock.close()
    return data


def test_stop_under_load_says_421_and_returns_promptly():
    lab = LabServer().start()
    clients = _idle_clients(lab.port, 20)
    started = time.perf_counter()
    lab.stop()
    elapsed = time.perf_counter() - started
    words = [_last_words(sock) for sock in clients]
    assert elapsed < HANG_GUARD
    assert all(w == b"" or w.startswith(b"421 ") for w in words), words
    assert sum(w.startswith(b"421 ") for w in words) == len(words)  # the lab does say 421


def test_idle_client_is_dropped_with_421():
    with LabServer(idle_timeout=0.3) as lab:
        sock = socket.create_connection(("127.0.0.1", lab.port), timeout=HANG_GUARD)
        sock.makefile("rb").readline()
        started = time.perf_counter()
        words = _last_words(sock)
        waited = time.perf_counter() - started
    assert words.startswith(b"421 "), words
    assert 0.2 < waited < HANG_GUARD


def test_a_client_that_keeps_talking_is_not_idle():
    """The idle timer measures silence, not known commands (found here, #R4; fixed b666b0b)."""
    with LabServer(personality="opensmtpd", idle_timeout=0.4) as lab:  # no error limit
        sock = socket.create_connection(("127.0.0.1", lab.port), timeout=HANG_GUARD)
        file = sock.makefile("rb")
        file.readline()
        replies = []
        for _ in range(8):  # 8 x 0.1 s = twice the idle timeout, never silent for long
            try:
                sock.sendall(b"HLEO typo.example.test\r\n")
                replies.append(file.readline())
            except OSError as exc:
                replies.append(repr(exc).encode())
            time.sleep(0.1)
        sock.close()
    assert all(r.startswith(b"500") for r in replies), replies
