"""Fault scenarios: injected 4xx/5xx on a chosen command, 421 hang-up, greeting refusal."""

from __future__ import annotations

import select
import socket
import time

import pytest

from smtplab.errors import ServerError
from smtplab.server import LabServer
from smtplab.server.personality import load
from smtplab.server.scenarios import MAX_DELAY


def reply(file) -> list[str]:
    lines = []
    while True:
        raw = file.readline()
        if not raw:
            return [*lines, "<EOF>"]
        line = raw.decode().rstrip("\r\n")
        lines.append(line)
        if line[3:4] != "-":
            return lines


def session(lab: LabServer):
    sock = socket.create_connection((lab.host, lab.port), timeout=3)
    file = sock.makefile("rb")

    def send(line: str) -> list[str]:
        sock.sendall(line.encode() + b"\r\n")
        return reply(file)

    return sock, file, send


@pytest.mark.parametrize("name", ["aiosmtpd", "postfix"])
def test_inject_temporary_failure_once(name: str) -> None:
    personality = load(name)
    with LabServer(personality=name, mailboxes=("labuser",)) as lab:
        lab.inject("RCPT", 451, times=1)
        sock, file, send = session(lab)
        reply(file)
        send("EHLO client.example.test")
        send("MAIL FROM:<a@b.test>")
        injected = personality.render("injected", {"code": 451, "enhanced": "4.3.0"})
        assert send("RCPT TO:<labuser@lab.example.test>") == injected
        assert send("RCPT TO:<labuser@lab.example.test>") == personality.render("RCPT.ok", {})
        assert lab.injections == ()
        sock.close()


def test_inject_permanent_failure_until_cleared() -> None:
    with LabServer() as lab:
        lab.inject("mail", 550, text="no mail today")
        sock, file, send = session(lab)
        reply(file)
        send("EHLO client.example.test")
        for _ in range(3):
            assert send("MAIL FROM:<a@b.test>") == ["550 5.3.0 no mail today"]
        lab.clear_faults("MAIL")
        assert send("MAIL FROM:<a@b.test>") == ["250 OK"]
        sock.close()


def test_injected_421_hangs_up() -> None:
    with LabServer() as lab:
        lab.inject("NOOP", 421, times=1)
        sock, file, send = session(lab)
        reply(file)
        assert send("NOOP")[0].startswith("421 4.3.0 ")
        assert file.readline() == b""
        sock.close()


@pytest.mark.parametrize("name", ["aiosmtpd", "sendmail"])
def test_greeting_refusal_554(name: str) -> None:
    personality = load(name)
    with LabServer(personality=name) as lab:
        lab.refuse_connections = True
        sock, file, _ = session(lab)
        fields = {"hostname": lab.hostname, "peer_ip": "127.0.0.1", "peer_name": "localhost"}
        assert reply(file) == personality.render("greeting_refused", fields)
        assert file.readline() == b""
        sock.close()
        lab.refuse_connections = False
        sock, file, _ = session(lab)
        assert reply(file)[0].startswith("220 ")
        sock.close()


@pytest.mark.parametrize(
    ("command", "code", "times"), [("FOO", 451, None), ("RCPT", 250, None), ("RCPT", 451, 0)]
)
def test_bad_injection_is_a_clear_error(command: str, code: int, times: int | None) -> None:
    lab = LabServer()
    with pytest.raises(ServerError):
        lab.inject(command, code, times=times)


# --- a slow server: delays, alone or with a failure ---------------------------------------------
def nothing_within(sock: socket.socket, seconds: float) -> bool:
    ready, _, _ = select.select([sock], [], [], seconds)
    return not ready


def test_delay_answers_the_real_reply_late_then_on_time() -> None:
    personality = load("aiosmtpd")
    with LabServer() as lab:
        lab.inject("VRFY", delay=0.5, times=1)
        sock, file, _ = session(lab)
        reply(file)
        sock.sendall(b"VRFY alice\r\n")
        assert nothing_within(sock, 0.2)  # the reply is still in flight
        expected = personality.render("VRFY.hide.any", {"arg": "alice"})
        assert reply(file) == expected
        assert lab.injections == ()  # times=1 used up
        sock.sendall(b"VRFY alice\r\n")
        assert not nothing_within(sock, 3.0)
        assert reply(file) == expected
        sock.close()


def test_delay_with_a_code_is_a_slow_failure() -> None:
    personality = load("postfix")
    with LabServer(personality="postfix") as lab:
        lab.inject("NOOP", 451, delay=0.3)
        sock, file, _ = session(lab)
        reply(file)
        sock.sendall(b"NOOP\r\n")
        assert nothing_within(sock, 0.1)
        fields = {"code": 451, "enhanced": "4.3.0"}
        assert reply(file) == personality.render("injected", fields)
        sock.close()


def test_a_delay_longer_than_the_idle_timeout_does_not_drop_the_client() -> None:
    """The idle timer measures the client's silence; during an injected delay the server is the
    slow one. After the late reply the timer runs again."""
    personality = load("aiosmtpd")
    with LabServer(idle_timeout=0.3) as lab:
        lab.inject("NOOP", delay=0.8, times=1)
        sock, file, _ = session(lab)
        reply(file)
        sock.sendall(b"NOOP\r\n")
        assert reply(file) == personality.render("NOOP.ok", {})
        assert reply(file) == personality.render("timeout", {"hostname": lab.hostname})
        assert reply(file) == ["<EOF>"]
        sock.close()


def test_stop_does_not_wait_for_a_delayed_reply() -> None:
    personality = load("aiosmtpd")
    lab = LabServer().start()
    lab.inject("NOOP", delay=30)
    sock, file, _ = session(lab)
    reply(file)
    sock.sendall(b"NOOP\r\n")
    assert nothing_within(sock, 0.2)
    started = time.monotonic()
    lab.stop()
    assert time.monotonic() - started < 10  # well short of the 30 s delay
    assert reply(file) == personality.render("shutdown", {"hostname": lab.hostname})
    assert reply(file) == ["<EOF>"]
    sock.close()


@pytest.mark.parametrize(
    ("code", "options"),
    [
        (None, {}),  # neither a code nor a delay
        (None, {"delay": -1}),
        (None, {"delay": MAX_DELAY + 1}),
        (None, {"delay": "1"}),
        (None, {"delay": 1, "text": "words need a code"}),
    ],
)
def test_bad_delay_is_a_clear_error(code: int | None, options: dict[str, object]) -> None:
    lab = LabServer()
    with pytest.raises(ServerError):
        lab.inject("VRFY", code, **options)  # type: ignore[arg-type]
    assert lab.injections == ()
