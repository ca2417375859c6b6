"""What a server says on its own: the 421 of an idle timeout or a shutdown (RFC 5321 §3.8) is
recorded, quoted when the next command finds the connection closed, and explained by its card."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from conftest import HOST

from smtplab.client_protocol import MAX_UNSOLICITED_OCTETS, MAX_UNSOLICITED_REPLIES
from smtplab.errors import SessionClosedError
from smtplab.server import LabServer
from smtplab.session import Session, connect
from smtplab.testing import CANNOT_VRFY, SERVICE_NOT_AVAILABLE, running_lab
from smtplab.transcript import Transcript

IDLE_TIMEOUT = 0.3  # seconds: the lab says 421 after this much silence
WAIT = 3.0  # every wait below is bounded by this


def parting_line(lab: LabServer, key: str) -> str:
    """The 421 line the lab's personality says for ``key`` ("timeout" or "shutdown")."""
    return lab.personality.render(key, {"hostname": lab.hostname})[0]


def wait_until_closed(session: Session) -> None:
    deadline = time.monotonic() + WAIT
    while not session.closed and time.monotonic() < deadline:
        time.sleep(0.02)
    assert session.closed, "the session did not notice the server's 421 in time"


def assert_ends_with_parting_421(session: Session, line: str) -> None:
    last = session.transcript[-1]
    assert last.sent is None
    assert last.reply is not None
    assert last.reply.lines == (line,)
    assert session.unsolicited == (last.reply,)
    assert session.last_reply == last.reply
    assert session.transcript.text().endswith(f"S: {line}")
    card = last.reply.explain()
    assert card.code == str(SERVICE_NOT_AVAILABLE)
    with pytest.raises(SessionClosedError) as caught:
        session.noop()
    assert re.search(
        f"the server said '{re.escape(line)}' and closed the connection", str(caught.value)
    )
    assert session.transcript[-1] is last  # nothing more went over the wire


@pytest.fixture
def idle_lab() -> Iterator[LabServer]:
    with running_lab(idle_timeout=IDLE_TIMEOUT) as lab:
        yield lab


@pytest.mark.parametrize("on_server_loop", [False, True])
def test_idle_timeout_421_is_kept_and_quoted(idle_lab: LabServer, on_server_loop: bool) -> None:
    loop = idle_lab.loop if on_server_loop else None
    session = connect(idle_lab.host, idle_lab.port, timeout=2, loop=loop)
    assert session.vrfy("alice").code == CANNOT_VRFY
    wait_until_closed(session)
    assert_ends_with_parting_421(session, parting_line(idle_lab, "timeout"))


@pytest.mark.parametrize("on_server_loop", [False, True])
def test_shutdown_421_is_kept_and_quoted(lab: LabServer, on_server_loop: bool) -> None:
    loop = lab.loop if on_server_loop else None
    session = connect(lab.host, lab.port, timeout=2, loop=loop)
    line = parting_line(lab, "shutdown")
    lab.stop()
    wait_until_closed(session)
    assert_ends_with_parting_421(session, line)


def test_the_parting_421_survives_a_json_round_trip(idle_lab: LabServer) -> None:
    session = idle_lab.connect(timeout=2)
    wait_until_closed(session)
    again = Transcript.from_json(session.transcript.to_json())
    assert again.to_json() == session.transcript.to_json()
    assert again[-1].reply == session.transcript[-1].reply


def test_diagram_draws_the_421_without_a_client_arrow(idle_lab: LabServer) -> None:
    session = idle_lab.connect(timeout=2)
    wait_until_closed(session)
    svg = session.transcript.diagram().svg
    assert svg.count('<g class="smtplab-connect">') == 1  # only the greeting answers a connect
    assert svg.count("<g class=") == 3  # connect, 220, 421: no client arrow before the 421
    assert parting_line(idle_lab, "timeout").split()[0] in svg


def test_console_explains_the_421_on_the_next_click(idle_lab: LabServer) -> None:
    from smtplab.widgets.models import ConsoleModel

    model = ConsoleModel(idle_lab, timeout=2)
    model.connect()
    wait_until_closed(model.session)  # type: ignore[arg-type]
    assert model.send("NOOP") is None  # refused: the session is closed
    assert model.latest is not None
    assert model.latest.code == SERVICE_NOT_AVAILABLE
    card = model.card()
    assert card is not None
    assert card.code == str(SERVICE_NOT_AVAILABLE)
    assert model.notice is not None
    assert parting_line(idle_lab, "timeout") in model.notice.text


# --- a raw server that talks out of turn: the bounds ----------------------------------------
def _chatty_server(burst: bytes) -> tuple[int, threading.Event]:
    """Greets, sends ``burst`` unprompted, then stays silent until told to stop."""
    listener = socket.create_server((HOST, 0))
    done = threading.Event()

    def serve() -> None:
        with listener:
            listener.settimeout(WAIT)
            conn, _ = listener.accept()
            with conn:
                conn.sendall(b"220 chatty.example.test\r\n")
                time.sleep(0.1)  # after the client has read the greeting
                conn.sendall(burst)
                done.wait(WAIT)

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], done


def _wait_for_exchanges(session: Session, count: int) -> None:
    deadline = time.monotonic() + WAIT
    while len(session.transcript) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def test_unsolicited_replies_are_bounded() -> None:
    replies = [f"250-line {i}\r\n250 end of {i}\r\n".encode() for i in range(50)]
    burst = b"".join(replies) + b"x" * (10 * MAX_UNSOLICITED_OCTETS)
    port, done = _chatty_server(burst)
    session = connect(HOST, port, timeout=2)
    _wait_for_exchanges(session, 1 + MAX_UNSOLICITED_REPLIES)
    time.sleep(0.2)  # let the rest of the burst arrive: it must not be kept
    done.set()
    kept = session.transcript.exchanges[1:]
    assert len(kept) == MAX_UNSOLICITED_REPLIES
    assert [ex.reply.lines[-1] for ex in kept if ex.reply] == [
        f"250 end of {i}" for i in range(MAX_UNSOLICITED_REPLIES)
    ]
    assert not session.closed  # only a 421 ends the session
    session.close()


def test_unsolicited_bytes_that_are_not_a_reply_are_noted_as_an_error() -> None:
    port, done = _chatty_server(b"hello there\r\n")
    session = connect(HOST, port, timeout=2)
    _wait_for_exchanges(session, 2)
    done.set()
    noted = session.transcript[-1]
    assert (noted.sent, noted.reply) == (None, None)
    assert noted.error is not None
    assert "not an SMTP reply" in noted.error
    assert session.unsolicited == ()
    session.close()


def test_a_421_without_crlf_before_the_hang_up_is_still_kept() -> None:
    port, done = _chatty_server(b"421 chatty.example.test going away")
    session = connect(HOST, port, timeout=2)
    done.set()  # the raw server closes the connection now
    wait_until_closed(session)
    assert session.unsolicited[-1].lines == ("421 chatty.example.test going away",)
