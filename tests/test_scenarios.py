"""Fault scenarios: injected 4xx/5xx on a chosen command, 421 hang-up, greeting refusal."""

from __future__ import annotations

import socket

import pytest

from smtplab.errors import ServerError
from smtplab.server import LabServer
from smtplab.server.personality import load


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
