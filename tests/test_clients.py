"""Four real clients, one real server: all of them see the same 252 for VRFY and 221 for QUIT.

Also what a raw socket can do that a polite client cannot: overlong lines, NUL and non-UTF-8
bytes, pipelined commands. (How the server *should* answer is the server's tests' business;
here every answer must be a well-formed reply and the conversation must go on.)
"""

from __future__ import annotations

import shutil
import smtplib
import socket
import subprocess

import pytest
from conftest import Target

from smtplab.reply import Reply
from smtplab.session import CLIENT_HOSTNAME, connect
from smtplab.testing import CANNOT_VRFY, CLOSING, OK

USER = "alice"


class RawClient:
    """Bytes in, reply lines out; every read bounded by a timeout."""

    def __init__(self, target: Target) -> None:
        self.sock = socket.create_connection((target.host, target.port), timeout=5)
        self.file = self.sock.makefile("rb")

    def reply(self) -> Reply:
        lines = []
        while True:
            raw = self.file.readline(10_000)
            assert raw.endswith(b"\r\n"), f"incomplete reply line {raw!r}"
            lines.append(raw[:-2].decode("utf-8", "surrogateescape"))
            if raw[3:4] != b"-":
                return Reply.from_lines(lines)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@pytest.fixture
def raw(server: Target) -> RawClient:
    client = RawClient(server)
    client.reply()  # greeting
    return client


@pytest.fixture
def expected(server: Target) -> tuple[Reply, Reply]:
    """What aiosmtplib (through Session) gets: the yardstick for the other clients."""
    with connect(server.host, server.port, timeout=5) as session:
        vrfy = session.vrfy(USER)
        bye = session.quit()
    assert (vrfy.code, bye.code) == (CANNOT_VRFY, CLOSING)
    return vrfy, bye


def test_smtplib_gets_the_same_replies(server: Target, expected: tuple[Reply, Reply]) -> None:
    vrfy, bye = expected
    client = smtplib.SMTP(server.host, server.port, local_hostname=CLIENT_HOSTNAME, timeout=5)
    try:
        got_vrfy = client.verify(USER)
        got_bye = client.docmd("QUIT")
    finally:
        client.close()
    assert (got_vrfy[0], got_vrfy[1].decode()) == (vrfy.code, vrfy.text)
    assert (got_bye[0], got_bye[1].decode()) == (bye.code, bye.text)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_gets_the_same_replies(server: Target, expected: tuple[Reply, Reply]) -> None:
    url = f"smtp://{server.host}:{server.port}"
    # curl sends VRFY for --mail-rcpt without a message, and a custom command for -X
    for args, reply in (["--mail-rcpt", USER], expected[0]), (["-X", "QUIT"], expected[1]):
        done = subprocess.run(
            ["curl", "-s", "--max-time", "5", url, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        assert done.stdout.splitlines() == list(reply.lines)


def test_raw_socket_gets_the_same_replies(raw: RawClient, expected: tuple[Reply, Reply]) -> None:
    raw.send(f"VRFY {USER}\r\n".encode())
    vrfy = raw.reply()
    raw.send(b"QUIT\r\n")
    bye = raw.reply()
    raw.close()
    assert (vrfy.code, vrfy.lines) == (expected[0].code, expected[0].lines)
    assert (bye.code, bye.lines) == (expected[1].code, expected[1].lines)


@pytest.mark.parametrize(
    "line",
    [
        b"VRFY " + b"a" * 2000,  # beyond RFC 5321's 512 octets and aiosmtpd's 1001
        b"VRFY al\x00ice",
        b"VRFY \xff\xfe\xc3",
        b"\x00\x01\x02",
        b"",
    ],
)
def test_hostile_lines_get_a_reply_and_the_conversation_goes_on(
    raw: RawClient, line: bytes
) -> None:
    raw.send(line + b"\r\n")
    reply = raw.reply()
    assert 200 <= reply.code < 600
    raw.send(b"NOOP\r\n")
    assert raw.reply().code == OK
    raw.close()


def test_pipelined_commands_are_answered_in_order(
    raw: RawClient, expected: tuple[Reply, Reply]
) -> None:
    raw.send(f"NOOP\r\nVRFY {USER}\r\nQUIT\r\n".encode())
    replies = [raw.reply() for _ in range(3)]
    raw.close()
    assert [r.code for r in replies] == [OK, expected[0].code, expected[1].code]
    assert replies[1].lines == expected[0].lines
