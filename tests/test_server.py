"""The lab server's lifecycle, limits, log and fault scenarios, with real clients on loopback."""

from __future__ import annotations

import asyncio
import os
import smtplib
import threading
import time

import aiosmtplib
import pytest
from wire import Wire

import smtplab
from smtplab.errors import ServerError, ServerNotRunningError
from smtplab.server import LabServer
from smtplab.server.personality import COMMANDS, load
from smtplab.server.protocol import LabSMTP

AIOSMTPD = load("aiosmtpd")
POSTFIX = load("postfix")


def words(key: str, personality=AIOSMTPD, **fields: object) -> list[str]:
    return personality.render(key, {"hostname": "lab.example.test", **fields})


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def lab():
    server = LabServer(mailboxes=("labuser",), aliases={"postmaster": "labuser"}).start()
    yield server
    server.stop()


# --- lifecycle ---------------------------------------------------------------------------------
def test_binds_loopback_and_a_free_port(lab: LabServer) -> None:
    assert lab.host == "127.0.0.1"
    assert lab.port > 0
    wire = Wire(lab.port)
    assert wire.reply() == words("greeting")
    wire.close()


def test_double_start_is_a_no_op(lab: LabServer) -> None:
    port, loop = lab.port, lab.loop
    assert lab.start() is lab
    assert (lab.port, lab.loop) == (port, loop)


def test_restart_after_stop() -> None:
    lab = LabServer()
    for _ in range(3):
        lab.start()
        wire = Wire(lab.port)
        assert wire.reply() == words("greeting")
        wire.close()
        lab.stop()
        assert not lab.running
    lab.stop()  # twice is fine


def test_explicit_port_is_reused_on_restart() -> None:
    with LabServer() as first:
        port = first.port
    with LabServer(port=port) as again:
        assert again.port == port
        again.stop()
        again.start()
        assert again.port == port


def test_port_in_use_is_a_clear_error(lab: LabServer) -> None:
    with pytest.raises(ServerError, match="cannot listen"):
        LabServer(port=lab.port).start()


def test_stopped_server_has_no_loop() -> None:
    with pytest.raises(ServerNotRunningError):
        _ = LabServer().loop


def test_start_stop_cycles_leak_no_threads_or_fds() -> None:
    LabServer().start().stop()  # warm up lazy imports
    threads, fds = threading.active_count(), open_fds()
    for _ in range(50):
        lab = LabServer().start()
        lab.stop()
    assert threading.active_count() == threads
    assert open_fds() == fds


def test_smtplab_start_is_idempotent() -> None:
    try:
        first = smtplab.start(mailboxes=["labuser"])
        threads = threading.active_count()
        for _ in range(100):
            assert smtplab.start(mailboxes=("labuser",)) is first
        assert threading.active_count() == threads
        second = smtplab.start(mailboxes=["labuser"], personality="postfix")
        assert second is not first
        assert not first.running
        assert second.running
    finally:
        smtplab.stop()
    assert smtplab.server.current() is None


def test_stop_tells_clients_421_within_a_second(lab: LabServer) -> None:
    wires = [Wire(lab.port) for _ in range(5)]
    for wire in wires:
        wire.reply()
    started = time.perf_counter()
    lab.stop()
    assert time.perf_counter() - started < 1.0
    for wire in wires:
        assert wire.reply() == words("shutdown")
        assert wire.eof()
        wire.close()


def test_idle_timeout_says_421_then_closes() -> None:
    with LabServer(personality="postfix", idle_timeout=0.3) as lab:
        wire = Wire(lab.port)
        wire.reply()
        started = time.perf_counter()
        assert wire.reply() == words("timeout", POSTFIX)
        assert time.perf_counter() - started >= 0.25
        assert wire.eof()
        wire.close()


# --- clients -----------------------------------------------------------------------------------
def test_stdlib_smtplib_and_aiosmtplib_see_the_same_replies(lab: LabServer) -> None:
    vrfy = words("VRFY.hide.any")[0]
    with smtplib.SMTP(lab.host, lab.port, local_hostname="client.example.test", timeout=3) as c:
        code, text = c.verify("alice")
        assert f"{code} {text.decode()}" == vrfy

    async def talk() -> tuple[str, str]:
        client = aiosmtplib.SMTP(hostname=lab.host, port=lab.port, timeout=3)
        await client.connect()
        got = await client.execute_command(b"VRFY", b"alice")
        bye = await client.execute_command(b"QUIT")
        client.close()
        return f"{got.code} {got.message}", f"{bye.code} {bye.message}"

    assert asyncio.run(talk()) == (vrfy, words("QUIT.ok")[0])


# --- VRFY policy -------------------------------------------------------------------------------
def test_vrfy_policy_switches_live(lab: LabServer) -> None:
    wire = Wire(lab.port)
    wire.reply()
    assert wire.send("VRFY labuser") == words("VRFY.hide.any")
    lab.vrfy = "reveal"
    assert wire.send("VRFY labuser") == words(
        "VRFY.reveal.known", canonical="labuser@lab.example.test"
    )
    assert wire.send("VRFY postmaster") == words(
        "VRFY.reveal.known", canonical="postmaster@lab.example.test"
    )
    assert wire.send("VRFY nobody") == words("VRFY.reveal.unknown", address="nobody")
    lab.vrfy = "disabled"
    assert wire.send("VRFY labuser")[0].startswith("252 ")  # RFC 5321 §7.3
    with pytest.raises(ServerError):
        lab.vrfy = "sometimes"
    wire.close()


def test_postfix_disabled_vrfy_leaves_ehlo() -> None:
    with LabServer(personality="postfix", vrfy="disabled") as lab:
        wire = Wire(lab.port)
        wire.reply()
        assert "250-VRFY" not in wire.send("EHLO client.example.test")
        assert wire.send("VRFY labuser") == words("VRFY.disabled.any", POSTFIX)
        lab.vrfy = "reveal"
        assert "250-VRFY" in wire.send("EHLO client.example.test")
        wire.close()


# --- store and limits --------------------------------------------------------------------------
def send_message(wire: Wire, body: bytes = b"Subject: hi\r\n\r\nhello\r\n") -> list[str]:
    wire.send("MAIL FROM:<a@client.example.test>")
    wire.send("RCPT TO:<labuser@lab.example.test>")
    assert wire.send("DATA") == words("DATA.start")
    wire.sock.sendall(body + b".\r\n")
    return wire.reply()


def test_accepted_messages_are_kept(lab: LabServer) -> None:
    wire = Wire(lab.port)
    wire.reply()
    wire.send("EHLO client.example.test")
    assert send_message(wire, b"Subject: hi\r\n\r\n..leading dot\r\n") == words("DATA.ok")
    (message,) = lab.messages
    assert message.mail_from == "a@client.example.test"
    assert message.rcpt_tos == ("labuser@lab.example.test",)
    assert message.content == b"Subject: hi\r\n\r\n.leading dot\r\n"
    wire.close()


def test_message_size_limit_552() -> None:
    with LabServer(max_message_size=100) as lab:
        wire = Wire(lab.port)
        wire.reply()
        wire.send("EHLO client.example.test")
        assert wire.send("MAIL FROM:<a@b.test> SIZE=500") == words("MAIL.size")
        assert send_message(wire, b"x" * 200 + b"\r\n") == words("DATA.size")
        assert lab.messages == ()
        assert send_message(wire, b"small\r\n") == words("DATA.ok")
        wire.close()


def test_full_store_452_and_nothing_accepted_is_lost() -> None:
    with LabServer(max_messages=1) as lab:
        one, two = Wire(lab.port), Wire(lab.port)
        for wire in (one, two):
            wire.reply()
            wire.send("EHLO client.example.test")
            wire.send("MAIL FROM:<a@b.test>")
            wire.send("RCPT TO:<x@lab.example.test>")
            wire.send("DATA")
        one.sock.sendall(b"first\r\n.\r\n")
        assert one.reply() == words("DATA.ok")
        two.sock.sendall(b"second\r\n.\r\n")
        assert two.reply() == words("DATA.full")
        assert one.send("MAIL FROM:<a@b.test>") == words("MAIL.full")
        assert [m.content for m in lab.messages] == [b"first\r\n"]
        lab.store.clear()
        assert one.send("MAIL FROM:<a@b.test>") == words("MAIL.ok")
        one.close()
        two.close()


# --- hostile input -----------------------------------------------------------------------------
def test_hostile_input(lab: LabServer) -> None:
    wire = Wire(lab.port)
    wire.reply()
    assert wire.send("NOOP " + "A" * 3000) == words("line_too_long")
    assert wire.send(b"VRFY a\x00b\xff") == words("non_ascii")
    assert wire.send(b"\xff\xfe") == words("non_ascii")
    wire.sock.sendall(b"NOOP\r\nNOOP\r\nHELO x\r\n")  # pipelined
    assert [wire.reply(), wire.reply(), wire.reply()] == [
        words("NOOP.ok"),
        words("NOOP.ok"),
        words("HELO.ok"),
    ]
    wire.sock.sendall(b"QUIT\r\nNOOP\r\n")  # a command after QUIT is never answered
    assert wire.reply() == words("QUIT.ok")
    assert wire.reply() == ["<EOF>"]
    wire.close()


def test_session_log_records_both_sides(lab: LabServer) -> None:
    wire = Wire(lab.port)
    wire.reply()
    wire.send("VRFY alice")
    wire.send("QUIT")
    wire.eof()
    wire.close()
    (record,) = lab.log
    assert record.peer.startswith("127.0.0.1:")
    assert record.lines() == [
        "S: " + words("greeting")[0],
        "C: VRFY alice",
        "S: " + words("VRFY.hide.any")[0],
        "C: QUIT",
        "S: " + words("QUIT.ok")[0],
    ]


def test_set_personality_applies_to_the_next_connection(lab: LabServer) -> None:
    lab.set_personality("postfix")
    wire = Wire(lab.port)
    assert wire.reply() == words("greeting", POSTFIX)
    wire.close()
    with pytest.raises(ServerError):
        lab.set_personality("qmail")


# --- aiosmtpd's own command handlers stay out of reach -------------------------------------------
def test_protocol_hides_aiosmtpd_handlers_but_lists_its_own(lab: LabServer) -> None:
    """aiosmtpd scans ``dir()`` of every new protocol for ``smtp_*``/``auth_*`` handlers (what made
    ``smtplab serve`` slower than bare aiosmtpd); the lab's ``dir()`` offers only its own."""
    loop = asyncio.new_event_loop()
    try:
        protocol = LabSMTP(lab._state, loop=loop)
    finally:
        loop.close()
    names = dir(protocol)
    assert not [n for n in names if n.startswith(("smtp_", "auth_", "handle_"))]
    assert {f"cmd_{verb.lower()}" for verb in COMMANDS} <= set(names)
    assert protocol._smtp_methods == {}
    assert protocol._auth_methods == {}


def test_auth_is_answered_in_the_personality_words(lab: LabServer) -> None:
    """aiosmtpd's AUTH handler hidden: AUTH gets the personality's reply, before and after EHLO."""
    wire = Wire(lab.port)
    wire.reply()
    assert wire.send("AUTH PLAIN AGFsaWNlAHNlY3JldA==") == words("fixed.AUTH.nohelo")
    wire.send("EHLO client.example.test")
    assert wire.send("AUTH PLAIN AGFsaWNlAHNlY3JldA==") == words("fixed.AUTH.any")
    wire.close()
