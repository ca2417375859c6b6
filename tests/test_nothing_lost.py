"""Nothing lost: every message the lab accepted with 250 can be read back byte for byte; a full
store answers 452 and an oversized message 552 (never a 250 without the message); transcripts
survive a JSON round trip exactly, non-ASCII and hostile text included.
"""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from smtplab.server import LabServer, personalities
from smtplab.transcript import Transcript

TIMEOUT = 5.0


class Client:
    """A raw SMTP client: exact bytes out, last reply line back."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.file = self.sock.makefile("rb")
        self.reply()

    def reply(self) -> bytes:
        while (line := self.file.readline())[3:4] == b"-":
            pass
        return line

    def command(self, line: bytes) -> bytes:
        self.sock.sendall(line + b"\r\n")
        return self.reply()

    def send_message(self, sender: bytes, rcpt: bytes, body: bytes) -> tuple[bytes, bytes]:
        """(reply to MAIL..DATA start, reply after the final dot) -- body dot-stuffed here."""
        for line in (b"MAIL FROM:<" + sender + b">", b"RCPT TO:<" + rcpt + b">", b"DATA"):
            got = self.command(line)
            if not got.startswith((b"250", b"354")):
                return got, b""
        stuffed = b"\r\n".join(b"." + x if x.startswith(b".") else x for x in body.split(b"\r\n"))
        self.sock.sendall(stuffed + b"\r\n.\r\n")
        return got, self.reply()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def body(n: int) -> bytes:
    """A message with the awkward parts: a leading dot, non-ASCII, NUL, a long line."""
    return (
        f"Subject: message {n}\r\n\r\n".encode()
        + b".a line that starts with a dot\r\n..two\r\n"
        + "tiếng Việt, 中文, emoji 📬\r\n".encode()
        + b"raw bytes \xff\xfe and a NUL \x00 here\r\n"
        + b"x" * 990
        + f"\r\nend of {n}\r\n".encode()
    )


def _deliver(port: int, numbers: range, rcpt: bytes) -> list[tuple[int, bytes]]:
    client = Client(port)
    try:
        client.command(b"EHLO sender.example.test")
        return [(n, client.send_message(b"s@example.test", rcpt, body(n))[1]) for n in numbers]
    finally:
        client.close()


@pytest.mark.parametrize("name", personalities())
def test_every_accepted_message_can_be_read_back(name):
    with LabServer(personality=name, mailboxes=("alice",), max_messages=100) as lab:
        rcpt = f"alice@{lab.hostname}".encode()
        batches = [range(i, 60, 6) for i in range(6)]  # 6 concurrent clients, 60 messages
        with ThreadPoolExecutor(6) as pool:
            results = [
                r for rs in pool.map(lambda b: _deliver(lab.port, b, rcpt), batches) for r in rs
            ]
        accepted = {n for n, reply in results if reply.startswith(b"250")}
        assert len(accepted) == 60, [r for r in results if not r[1].startswith(b"250")][:3]
        stored = {m.content for m in lab.messages}
        expected = {body(n) + b"\r\n" for n in accepted}
        assert stored == expected
        assert len(lab.messages) == len(accepted)


def test_a_full_store_says_452_and_never_accepts_silently():
    with LabServer(mailboxes=("alice",), max_messages=3) as lab:
        rcpt = f"alice@{lab.hostname}".encode()
        client = Client(lab.port)
        client.command(b"EHLO sender.example.test")
        outcomes = []
        for n in range(6):
            start, end = client.send_message(b"s@example.test", rcpt, body(n))
            outcomes.append(end or start)
            if not end:
                client.command(b"RSET")
        client.close()
        accepted = [o for o in outcomes if o.startswith(b"250")]
        assert len(accepted) == 3
        assert len(lab.messages) == 3
        assert all(o.startswith(b"452") for o in outcomes[3:]), outcomes


def test_an_oversized_message_says_552_and_is_not_kept():
    with LabServer(mailboxes=("alice",), max_message_size=2000) as lab:
        client = Client(lab.port)
        client.command(b"EHLO sender.example.test")
        rcpt = f"alice@{lab.hostname}".encode()
        _, big = client.send_message(
            b"s@example.test", rcpt, b"Subject: big\r\n\r\n" + (b"y" * 98 + b"\r\n") * 50
        )
        _, small = client.send_message(b"s@example.test", rcpt, b"Subject: small\r\n\r\nok")
        client.close()
        assert big.startswith(b"552"), big
        assert small.startswith(b"250"), small
        assert [m.content for m in lab.messages] == [b"Subject: small\r\n\r\nok\r\n"]


HOSTILE_LINES = [
    "VRFY tiếng-việt@lab.example.test",
    "VRFY <script>alert(1)</script>",
    'NOOP "quotes" \\backslash\\ {braces} %s',
    "HELP 中文 📬",
    "EXPN <img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("name", ["aiosmtpd", "sendmail"])
def test_transcript_json_round_trip_is_exact(name):
    with LabServer(personality=name, mailboxes=("alice",)) as lab, lab.connect() as session:
        session.ehlo()
        for line in HOSTILE_LINES:
            session.send(line)
        session.quit()
        original = session.transcript
    text = original.to_json()
    again = Transcript.from_json(text)
    assert again.to_json() == text
    assert Transcript.from_json(text.encode()).to_json() == text
    assert len(again) == len(original)
    for before, after in zip(original, again, strict=True):
        assert after.sent == before.sent
        assert after.reply is not None
        assert before.reply is not None
        assert after.reply.lines == before.reply.lines
        assert after.reply.code == before.reply.code
        assert after.reply.enhanced == before.reply.enhanced
        assert after.started == before.started
        assert after.finished == before.finished
    assert [x.sent for x in again][2:-1] == HOSTILE_LINES
