"""Exposure: the lab listens on loopback unless told otherwise, `smtplab serve` refuses a public
address without --allow-remote (and warns with it), and the lab never relays or delivers mail.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import subprocess
import sys

import pytest

from smtplab.server import LabServer
from smtplab.server import protocol as lab_protocol

SERVE = [sys.executable, "-m", "smtplab", "serve", "--port", "0"]


def _established_to_elsewhere() -> set[str]:
    """TCP connections of this machine whose remote end is not loopback (from /proc/net/tcp)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = open(table).read().splitlines()[1:]  # noqa: SIM115 - a /proc read
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            remote, state = fields[2], fields[3]
            address_hex, port_hex = remote.split(":")
            raw = bytes.fromhex(address_hex)
            if len(raw) == 4:
                address = ipaddress.ip_address(raw[::-1])
            else:
                words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
                address = ipaddress.ip_address(b"".join(words))
                address = getattr(address, "ipv4_mapped", None) or address
            if state != "0A" and not address.is_loopback and not address.is_unspecified:
                found.add(f"{address}:{int(port_hex, 16)}")
    return found


def test_lab_binds_loopback_by_default():
    with LabServer() as lab:
        sock = lab._controller.sock  # the listening socket the lab bound
        host, port = sock.getsockname()[:2]
        assert ipaddress.ip_address(host).is_loopback
        assert port == lab.port


def test_serve_refuses_a_public_address_without_the_flag():
    result = subprocess.run(
        [*SERVE, "--host", "0.0.0.0"], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 2
    assert "--allow-remote" in result.stderr
    assert "Traceback" not in result.stderr
    assert "listening" not in result.stdout


def test_serve_warns_when_allowed_to_listen_publicly():
    proc = subprocess.Popen(
        [*SERVE, "--host", "0.0.0.0", "--allow-remote"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stderr is not None
        first = proc.stdout.readline()  # printed once it listens
        assert re.search(r"listening on 0\.0\.0\.0:\d+", first), first
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "warning" in err.lower()
    assert "0.0.0.0" in err


def _talk(port: int, lines: list[bytes]) -> list[bytes]:
    """Send each line, read each reply's last line (bounded by a timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        file = sock.makefile("rb")
        file.readline()
        replies = []
        for line in lines:
            sock.sendall(line + b"\r\n")
            while (reply := file.readline())[3:4] == b"-":
                pass
            replies.append(reply)
        return replies


@pytest.mark.parametrize("name", ["aiosmtpd", "postfix", "exim", "sendmail", "opensmtpd"])
def test_foreign_recipient_is_never_relayed(name):
    """RCPT to another domain gets what the real server gives an unauthenticated loopback client
    (refused, deferred -- or accepted where the real one trusts localhost); an accepted message
    only lands in the lab's store: no connection leaves the machine."""
    before = _established_to_elsewhere()
    with LabServer(personality=name, mailboxes=("alice",)) as lab:
        replies = _talk(
            lab.port,
            [
                b"EHLO learner.example.test",
                b"MAIL FROM:<learner@example.test>",
                b"RCPT TO:<victim@far-away.example>",
                f"RCPT TO:<alice@{lab.hostname}>".encode(),
                b"DATA",
                b"Subject: relay test\r\n\r\nhello\r\n.",
                b"QUIT",
            ],
        )
        relay_accepted = replies[2].startswith(b"2")
        assert replies[2][:1] in b"245", replies[2]
        assert replies[5].startswith(b"250"), replies[5]
        (message,) = lab.messages
        assert ("victim@far-away.example" in message.rcpt_tos) == relay_accepted
    assert _established_to_elsewhere() <= before


def test_the_server_has_no_delivery_path():
    """No module of the server imports a client that could send mail onward."""
    import smtplab.server as package

    sources = " ".join(
        open(path).read()  # noqa: SIM115 - reading our own source
        for path in {lab_protocol.__file__, *(m.__file__ for m in _server_modules(package))}
    )
    for client in ("smtplib", "aiosmtplib", "socket.create_connection", "open_connection"):
        assert client not in sources, f"the server imports {client}"


def _server_modules(package):
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(package.__path__):
        yield importlib.import_module(f"{package.__name__}.{info.name}")


@pytest.mark.parametrize("host", ["::1"])
def test_other_loopback_names_are_allowed_without_the_flag(host):
    proc = subprocess.Popen(
        [*SERVE, "--host", host], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "listening on" in first
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "warning" not in err.lower()
