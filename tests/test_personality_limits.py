"""What the real servers do at their limits, on the wire: Sendmail's split overlong line,
OpenSMTPD's refusal of pipelining and of bad HELO/EHLO names, Postfix's slow replies after
too many errors. Expectations come from the personality data (limits, options, reply words).
"""

from __future__ import annotations

import select
from typing import Any

import pytest
from wire import Wire

from smtplab.errors import ServerError
from smtplab.server import LabServer
from smtplab.server.names import is_valid_helo_name
from smtplab.server.personality import load

OPTIONS: dict[str, Any] = {"hostname": "mail.example.test", "mailboxes": ("labuser",)}
FIELDS = {"hostname": OPTIONS["hostname"], "peer_ip": "127.0.0.1", "peer_name": "localhost"}


def opened(lab: LabServer) -> Wire:
    wire = Wire(lab.port)
    assert wire.reply()[0].startswith("220")
    return wire


def render(name: str, key: str, **extra: object) -> list[str]:
    return load(name).render(key, {**FIELDS, **extra})


# --- Sendmail: a line over its limit is run as several commands ---------------------------------
def echoed(name: str, line: str) -> str:
    """How Sendmail quotes a long line back: head, "...", tail (its echo_limit)."""
    limit = load(name).option("echo_limit")
    keep = (limit - 3) // 2
    return line if len(line) < limit else f"{line[:keep]}...{line[-keep:]}"


def test_sendmail_runs_the_rest_of_an_overlong_line_as_a_second_command() -> None:
    sendmail = load("sendmail")
    limit = sendmail.line_limit
    line = "NOOP " + "A" * 3000
    with LabServer(personality="sendmail", **OPTIONS) as lab:
        wire = opened(lab)
        wire.send("EHLO client.example.test")
        assert wire.send(line) == render("sendmail", "NOOP.ok")
        rest = line[limit:]
        assert wire.reply() == render("sendmail", "unknown", line=echoed("sendmail", rest))
        assert wire.send("NOOP") == render("sendmail", "NOOP.ok")  # still open, nothing queued
        wire.close()


def test_sendmail_splits_a_very_long_line_piece_by_piece() -> None:
    limit = load("sendmail").line_limit
    line = "X" * (2 * limit + 5)
    with LabServer(personality="sendmail", **OPTIONS) as lab:
        wire = opened(lab)
        replies = [wire.send(line), wire.reply(), wire.reply()]
        pieces = [line[:limit], line[limit : 2 * limit], line[2 * limit :]]
        assert replies == [
            render("sendmail", "unknown", line=echoed("sendmail", p)) for p in pieces
        ]
        assert wire.send("QUIT") == render("sendmail", "QUIT.ok")
        wire.close()


def test_sendmail_line_of_exactly_its_limit_is_one_command() -> None:
    limit = load("sendmail").line_limit
    with LabServer(personality="sendmail", **OPTIONS) as lab:
        wire = opened(lab)
        line = "NOOP " + "A" * (limit - len("NOOP "))
        assert wire.send(line) == render("sendmail", "NOOP.ok")
        assert wire.send("QUIT") == render("sendmail", "QUIT.ok")  # no second reply came between
        wire.close()


# --- OpenSMTPD: no pipelining, no bogus HELO names ----------------------------------------------
def test_opensmtpd_hangs_up_on_a_pipelining_client() -> None:
    with LabServer(personality="opensmtpd", **OPTIONS) as lab:
        wire = opened(lab)
        assert wire.send("EHLO client.example.test")[-1].startswith("250 ")
        wire.sock.sendall(b"NOOP\r\nNOOP\r\n")
        assert wire.reply() == render("opensmtpd", "pipelining")
        assert wire.eof()
        wire.close()


def test_opensmtpd_refuses_a_command_sent_with_the_final_dot() -> None:
    with LabServer(personality="opensmtpd", **OPTIONS) as lab:
        wire = opened(lab)
        wire.send("EHLO client.example.test")
        assert wire.send("MAIL FROM:<a@client.example.test>")[0].startswith("250")
        assert wire.send("RCPT TO:<labuser@mail.example.test>")[0].startswith("250")
        assert wire.send("DATA")[0].startswith("354")
        wire.sock.sendall(b"Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n")
        assert wire.reply() == render("opensmtpd", "pipelining")
        assert wire.eof()
        wire.close()
        assert lab.messages == ()


def test_opensmtpd_one_command_at_a_time_is_served() -> None:
    with LabServer(personality="opensmtpd", **OPTIONS) as lab:
        wire = opened(lab)
        wire.send("EHLO client.example.test")
        assert wire.send("NOOP") == render("opensmtpd", "NOOP.ok")
        assert wire.send("NOOP") == render("opensmtpd", "NOOP.ok")
        wire.close()


@pytest.mark.parametrize("verb", ["HELO", "EHLO"])
def test_opensmtpd_refuses_an_invalid_helo_name(verb: str) -> None:
    with LabServer(personality="opensmtpd", **OPTIONS) as lab:
        wire = opened(lab)
        assert wire.send(f"{verb} bad!name") == render("opensmtpd", f"{verb}.invalid")
        # not identified: MAIL still needs a HELO/EHLO, and a good name is then accepted
        assert wire.send("MAIL FROM:<a@client.example.test>") == render("opensmtpd", "need_helo")
        assert wire.send(f"{verb} [127.0.0.1]")[-1].startswith("250 ")
        wire.close()


def test_other_servers_take_any_helo_name() -> None:
    with LabServer(personality="postfix", **OPTIONS) as lab:
        wire = opened(lab)
        assert wire.send("HELO bad!name") == render("postfix", "HELO.ok")
        wire.close()


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("client.example.test", True),
        ("my_host-1.example", True),
        ("localhost", True),
        ("[127.0.0.1]", True),
        ("[IPv6:::1]", True),
        ("bad!name", False),
        ("-lead.example", False),
        ("trail-.example", False),
        ("dot.at.end.", False),
        ("two words", False),
        ("[300.1.1.1]", False),
        ("[127.0.0.1", False),
        ("a" * 256, False),
    ],
)
def test_helo_name_rule(name: str, valid: bool) -> None:
    assert is_valid_helo_name(name, "hostname") is valid


# --- Postfix: after smtpd_soft_error_limit errors, every reply comes late -------------------------
def make_errors(wire: Wire, count: int) -> None:
    for _ in range(count):
        assert wire.send("XYZZY") == render("postfix", "unknown")


def test_postfix_replies_late_after_its_soft_error_limit() -> None:
    """Ordering only: a fresh session's reply overtakes the erring session's NOOP sent before."""
    after = load("postfix").error_sleep["after"]
    with LabServer(personality="postfix", error_sleep_scale=0.5, **OPTIONS) as lab:
        slow, fresh = opened(lab), opened(lab)
        make_errors(slow, after)
        slow.sock.sendall(b"NOOP\r\n")
        fresh.sock.sendall(b"NOOP\r\n")
        readable, _, _ = select.select([slow.sock, fresh.sock], [], [], 3)
        assert readable == [fresh.sock]
        assert fresh.reply() == render("postfix", "NOOP.ok")
        assert slow.reply() == render("postfix", "NOOP.ok")
        slow.close()
        fresh.close()


def test_postfix_slow_reply_is_not_the_clients_idle_time() -> None:
    """The delay (longer than the idle timeout) is the server's: the reply comes, then the 421."""
    after = load("postfix").error_sleep["after"]
    with LabServer(
        personality="postfix", idle_timeout=0.3, error_sleep_scale=0.6, **OPTIONS
    ) as lab:
        wire = opened(lab)
        make_errors(wire, after)
        assert wire.send("NOOP") == render("postfix", "NOOP.ok")
        assert wire.reply() == render("postfix", "timeout")
        assert wire.eof()
        wire.close()


def test_postfix_hard_limit_still_closes_after_the_slow_replies() -> None:
    postfix = load("postfix")
    limit = postfix.error_limit["limit"]
    with LabServer(personality="postfix", error_sleep_scale=0.01, **OPTIONS) as lab:
        wire = opened(lab)
        make_errors(wire, limit)
        assert wire.reply() == render("postfix", "error_limit")
        assert wire.eof()
        wire.close()


@pytest.mark.parametrize("scale", [-0.1, 1.5, "fast"])
def test_error_sleep_scale_is_checked(scale: object) -> None:
    with pytest.raises(ServerError, match="error_sleep_scale"):
        LabServer(personality="postfix", error_sleep_scale=scale)  # type: ignore[arg-type]
