"""``smtplab serve`` as a real subprocess: prints where it listens, answers, stops on a signal."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smtplab.server import personalities
from smtplab.server.personality import load

REFERENCE = Path(__file__).parents[1].parent / "shared" / "reference" / "real-servers"
LISTENING = re.compile(r"listening on ([\d.]+):(\d+)")


def serve(*args: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "smtplab", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = LISTENING.search(line)
    if match is None:
        proc.kill()
        raise AssertionError(f"no 'listening on' line: {line!r} {proc.stderr.read()!r}")
    return proc, int(match.group(2))


def talk(port: int, *lines: str) -> list[str]:
    with socket.create_connection(("127.0.0.1", port), timeout=3) as sock:
        file = sock.makefile("rb")
        replies = [file.readline().decode().rstrip("\r\n")]
        for line in lines:
            sock.sendall(line.encode() + b"\r\n")
            while True:
                got = file.readline().decode().rstrip("\r\n")
                replies.append(got)
                if got[3:4] != "-":
                    break
        return replies


@pytest.mark.skipif(not (REFERENCE / "postfix-3.7.11.json").is_file(), reason="no reference")
@pytest.mark.parametrize("vrfy", [None, "disabled"])
def test_serve_answers_like_the_captured_postfix(vrfy: str | None) -> None:
    capture = json.loads((REFERENCE / "postfix-3.7.11.json").read_text())
    prefix = "vrfy_disabled:" if vrfy else ""
    session = next(s for s in capture["sessions"] if s["name"] == prefix + "vrfy_full_address")
    args = ["--personality", "postfix", "--hostname", "mail.example.test"]
    args += ["--mailbox", "labuser", "--mailbox", "root", "--alias", "postmaster=root"]
    proc, port = serve(*args, *(["--vrfy", vrfy] if vrfy else []))
    try:
        sent = [step["sent"] for step in session["exchange"] if step["sent"]]
        expected = [line for step in session["exchange"] for line in step["reply_lines"]]
        assert talk(port, *sent) == expected
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=5)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_serve_stops_on_sigint_and_tells_clients_421() -> None:
    proc, port = serve("--hostname", "lab.example.test")
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=3)
        file = sock.makefile("rb")
        file.readline()
        started = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        shutdown = load("aiosmtpd").render("shutdown", {"hostname": "lab.example.test"})
        assert file.readline().decode().rstrip("\r\n") == shutdown[0]
        proc.wait(timeout=5)
        assert time.perf_counter() - started < 2.0
        sock.close()
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 0


def test_non_loopback_host_needs_allow_remote() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "smtplab", "serve", "--host", "0.0.0.0"],
        check=False,
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 2
    assert "--allow-remote" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_alias_and_personality_are_one_line_errors() -> None:
    for args in (["--alias", "nonsense"], ["--personality", "qmail"]):
        result = subprocess.run(
            [sys.executable, "-m", "smtplab", "serve", *args],
            check=False,
            capture_output=True,
            text=True,
            timeout=10,
        )
        assert result.returncode == 2
        assert result.stderr.startswith("smtplab: error:")
        assert "Traceback" not in result.stderr


def test_personalities_lists_every_one() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "smtplab", "personalities"],
        check=False,
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == list(personalities())
