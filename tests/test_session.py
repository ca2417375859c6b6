"""Session against a real aiosmtpd server: replies as sent, clear errors, bounded waits."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from conftest import HOST, BareController, Target

from smtplab.errors import (
    BadCommandError,
    CommandTimeoutError,
    ConnectError,
    SessionClosedError,
    SessionError,
)
from smtplab.server import LabServer
from smtplab.session import CLIENT_HOSTNAME, MAX_COMMAND_OCTETS, Session, aconnect, connect
from smtplab.testing import CANNOT_VRFY, CLOSING, OK, SERVICE_READY, SYNTAX_ERROR


@pytest.fixture(params=["client-loop", "server-loop"])
def session(request: pytest.FixtureRequest, server: Target) -> Iterator[Session]:
    """A session on the shared client loop, and one on the server's own loop (as lab sessions)."""
    loop = server.loop if request.param == "server-loop" else None
    s = connect(server.host, server.port, timeout=5, loop=loop)
    yield s
    s.close()


def test_greeting_is_the_first_exchange(session: Session) -> None:
    first = session.transcript[0]
    assert first.sent is None
    assert first.reply is not None
    assert first.reply.code == SERVICE_READY
    assert first.started <= first.finished


def test_send_returns_each_reply_and_records_it(session: Session) -> None:
    vrfy = session.send("VRFY alice")
    unknown = session.send("FROB")  # 5xx comes back as a reply, not an exception
    assert vrfy.code == CANNOT_VRFY
    assert unknown.code == SYNTAX_ERROR
    assert vrfy.elapsed is not None
    assert vrfy.elapsed > 0
    sent = [ex.sent for ex in session.transcript]
    assert sent == [None, "VRFY alice", "FROB"]
    assert [ex.reply for ex in session.transcript][1:] == [vrfy, unknown]


@pytest.mark.parametrize(
    ("call", "line"),
    [
        (lambda s: s.ehlo(), f"EHLO {CLIENT_HOSTNAME}"),
        (lambda s: s.helo("me.example.test"), "HELO me.example.test"),
        (lambda s: s.vrfy("alice"), "VRFY alice"),
        (lambda s: s.vrfy(""), "VRFY"),
        (lambda s: s.expn("staff"), "EXPN staff"),
        (lambda s: s.help(), "HELP"),
        (lambda s: s.help("VRFY"), "HELP VRFY"),
        (lambda s: s.noop(), "NOOP"),
        (lambda s: s.rset(), "RSET"),
        (lambda s: s.quit(), "QUIT"),
    ],
)
def test_convenience_methods_send_the_line_a_learner_would_type(
    session: Session, call: Callable[[Session], object], line: str
) -> None:
    reply = call(session)
    assert session.transcript[-1].sent == line
    assert session.transcript[-1].reply == reply


def test_ehlo_keeps_every_line_of_a_multiline_reply(session: Session) -> None:
    reply = session.ehlo()
    assert reply.code == OK
    assert len(reply.lines) > 1
    assert all(line.startswith(f"{OK}-") for line in reply.lines[:-1])
    assert reply.lines[-1].startswith(f"{OK} ")


def test_a_command_after_quit_says_what_happened(session: Session) -> None:
    assert session.quit().code == CLOSING
    recorded = len(session.transcript)
    with pytest.raises(SessionClosedError, match=f"closed the connection after {CLOSING}"):
        session.send("NOOP")
    assert session.closed
    assert len(session.transcript) == recorded  # nothing went over the wire


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "NOOP\r\nQUIT",
        "NOOP\n",
        "VRFY \x00alice",
        "VRFY " + "a" * (MAX_COMMAND_OCTETS - 4),
        "VRFY " + "é" * (MAX_COMMAND_OCTETS // 2),  # short in characters, long in octets
        "VRFY \udcff",
    ],
)
def test_bad_lines_are_refused_before_sending(session: Session, line: str) -> None:
    with pytest.raises(BadCommandError):
        session.send(line)
    assert len(session.transcript) == 1
    assert session.noop().code == OK  # the session is still fine


def test_longest_allowed_line_is_sent(session: Session) -> None:
    line = "VRFY " + "a" * (MAX_COMMAND_OCTETS - 5)
    assert len(line.encode()) == MAX_COMMAND_OCTETS
    assert session.send(line).code in (CANNOT_VRFY, SYNTAX_ERROR, 501)


def test_overlong_line_on_purpose_reaches_the_server(session: Session) -> None:
    line = "VRFY " + "a" * 600
    reply = session.send(line, allow_overlong=True)
    assert reply.code // 100 == 5  # the server's verdict on an overlong line
    assert session.transcript[-1].sent == line


def test_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]  # bound, not listening: connect is refused
        with pytest.raises(ConnectError, match=str(port)):
            connect(HOST, port, timeout=2)


def _fake_server(greeting: bytes | None, on_command: bytes | None) -> tuple[int, threading.Event]:
    """A raw TCP server for one client: optional greeting, then one reaction to the first
    line (None: stay silent until told to stop; b"": hang up)."""
    listener = socket.create_server((HOST, 0))
    done = threading.Event()

    def serve() -> None:
        with listener:
            listener.settimeout(5)
            conn, _ = listener.accept()
            with conn:
                if greeting is not None:
                    conn.sendall(greeting)
                conn.settimeout(5)
                try:
                    conn.recv(1024)
                except TimeoutError:
                    return
                if on_command:
                    conn.sendall(on_command)
                if on_command is None:
                    done.wait(5)

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], done


def test_server_that_never_greets_is_a_connect_error() -> None:
    port, done = _fake_server(None, None)
    started = time.monotonic()
    with pytest.raises(ConnectError):
        connect(HOST, port, timeout=0.5)
    done.set()
    assert time.monotonic() - started < 3


def test_server_that_never_replies_is_a_timeout_and_closes_the_session() -> None:
    port, done = _fake_server(b"220 quiet.example.test\r\n", None)
    session = connect(HOST, port, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(CommandTimeoutError):
        session.send("NOOP")
    done.set()
    assert time.monotonic() - started < 3
    assert session.closed
    last = session.transcript[-1]
    assert (last.sent, last.reply) == ("NOOP", None)
    assert last.error
    with pytest.raises(SessionClosedError):
        session.send("NOOP")


def test_server_hanging_up_mid_command_is_reported() -> None:
    port, _ = _fake_server(b"220 rude.example.test\r\n", b"")
    session = connect(HOST, port, timeout=2)
    with pytest.raises(SessionClosedError, match="without replying to 'VRFY alice'"):
        session.send("VRFY alice")
    assert session.transcript[-1].error


def test_reply_that_is_not_smtp_is_a_session_error() -> None:
    port, _ = _fake_server(b"220 odd.example.test\r\n", b"hello there\r\n")
    session = connect(HOST, port, timeout=2)
    with pytest.raises(SessionError, match="not valid SMTP"):
        session.send("NOOP")
    assert session.closed


def test_421_greeting_is_recorded_and_refuses_the_session() -> None:
    port, _ = _fake_server(b"421 busy.example.test try later\r\n", b"")
    session = Session(HOST, port, timeout=2)
    with pytest.raises(ConnectError, match="421"):
        session.open()
    reply = session.transcript[0].reply
    assert reply is not None
    assert reply.code == 421
    assert session.closed


def test_sync_api_inside_a_running_event_loop_does_not_deadlock(server: Target) -> None:
    """ipykernel runs a loop on the main thread and calls widget callbacks from it."""

    async def cell() -> tuple[int, int]:
        session = connect(server.host, server.port, timeout=2)
        return session.vrfy("alice").code, session.quit().code

    started = time.monotonic()
    assert asyncio.run(cell()) == (CANNOT_VRFY, CLOSING)
    assert time.monotonic() - started < 2


def test_sync_api_on_the_sessions_own_loop_is_refused_not_deadlocked(server: Target) -> None:
    session = connect(server.host, server.port, timeout=2, loop=server.loop)

    async def on_server_loop() -> None:
        session.noop()

    future = asyncio.run_coroutine_threadsafe(on_server_loop(), server.loop)
    with pytest.raises(SessionError, match="async twin"):
        future.result(3)
    session.close()


@pytest.mark.parametrize("own_loop", [False, True])
def test_async_twins_from_a_foreign_loop(server: Target, own_loop: bool) -> None:
    loop = server.loop if own_loop else None

    async def cell() -> list[int]:
        async with await aconnect(server.host, server.port, timeout=2, loop=loop) as s:
            replies = [await s.aehlo(), await s.avrfy("alice"), await s.anoop(), await s.arset()]
            replies += [await s.ahelp(), await s.aexpn("staff"), await s.ahelo()]
            replies.append(await s.aquit())
            return [r.code for r in replies]

    codes = asyncio.run(cell())
    assert codes[1] == CANNOT_VRFY
    assert codes[-1] == CLOSING


def test_async_twins_on_the_sessions_own_loop(server: Target) -> None:
    async def on_server_loop() -> tuple[int, int]:
        session = await aconnect(server.host, server.port, timeout=2, loop=server.loop)
        return (await session.avrfy("alice")).code, (await session.aquit()).code

    future = asyncio.run_coroutine_threadsafe(on_server_loop(), server.loop)
    assert future.result(3) == (CANNOT_VRFY, CLOSING)


def test_sends_from_many_threads_are_serialised(session: Session) -> None:
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(session.vrfy("alice").code))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert results == [CANNOT_VRFY] * 8
    assert [ex.sent for ex in session.transcript][1:] == ["VRFY alice"] * 8


def test_context_manager_says_quit(server: Target) -> None:
    with connect(server.host, server.port, timeout=2) as session:
        session.noop()
    assert session.transcript[-1].sent == "QUIT"
    assert session.closed


def test_server_going_away_closes_the_session(
    start_bare_server: Callable[[], BareController],
) -> None:
    """(A session on the server's own loop: see the lab-stopping test below.)"""
    controller = start_bare_server()
    session = connect(HOST, controller.port, timeout=2)
    controller.stop()
    started = time.monotonic()
    with pytest.raises(SessionClosedError):
        session.send("NOOP")
    assert time.monotonic() - started < 3


def test_lab_sessions_run_on_the_lab_servers_loop(lab: LabServer) -> None:
    session = lab.connect()
    assert session.loop is lab.loop
    assert session.vrfy("alice").code == CANNOT_VRFY


def test_lab_stopping_ends_its_sessions_without_a_hang(lab: LabServer) -> None:
    session = lab.connect(timeout=2)
    lab.stop()
    started = time.monotonic()
    with pytest.raises(SessionClosedError):
        session.noop()
    assert time.monotonic() - started < 3


def test_running_lab_stops_the_server_even_when_the_block_fails() -> None:
    from smtplab.testing import running_lab

    seen: list[LabServer] = []

    def lesson() -> None:
        with running_lab() as lab:
            seen.append(lab)
            raise RuntimeError("learner's bug")

    with pytest.raises(RuntimeError, match="learner's bug"):
        lesson()
    assert len(seen) == 1
    assert not seen[0].running
