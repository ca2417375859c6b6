"""Widgets, headless: instantiate, click, and read back transcript, card, disabled state, notice.

Every widget talks to a real lab server (127.0.0.1, free port); expectations come from the
library itself (a plain Session's replies, the catalog's cards), never from pasted text.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import smtplab
from smtplab import catalog, i18n
from smtplab.comparison import compare
from smtplab.server import LabServer
from smtplab.testing import CANNOT_VRFY, CLOSING, running_lab
from smtplab.widgets import CatalogBrowser, Compare, Console, SequenceDiagram, diagram
from smtplab.widgets.models import ConsoleModel, Notice, guarded

GREETING = b"220 slow.example.test ESMTP at your leisure\r\n"
REPLY = b"250 2.0.0 eventually\r\n"


@contextmanager
def slow_server(delay: float) -> Iterator[tuple[str, int]]:
    loop = asyncio.new_event_loop()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.setblocking(False)

    open_writers: set[asyncio.StreamWriter] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        open_writers.add(writer)
        writer.write(GREETING)
        while line := await reader.readline():
            await asyncio.sleep(delay)
            writer.write(b"221 bye\r\n" if line.upper().startswith(b"QUIT") else REPLY)
        writer.close()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()  # the server lives on its own loop: this also works inside a kernel
    server = asyncio.run_coroutine_threadsafe(asyncio.start_server(handle, sock=sock), loop).result(
        5
    )
    try:
        yield sock.getsockname()[:2]
    finally:

        async def shut() -> None:
            server.close()
            # connections a test left open: close them, so their handlers see EOF and end
            for writer in open_writers:
                writer.close()
            talking = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            if talking:
                await asyncio.wait(talking, timeout=2)

        asyncio.run_coroutine_threadsafe(shut(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
        sock.close()


@pytest.fixture
def lab() -> Iterator[LabServer]:
    with running_lab(mailboxes=["alice", "bob"]) as server:
        yield server


def sent(console: Console) -> list[str | None]:
    transcript = console.model.transcript
    assert transcript is not None
    return [exchange.sent for exchange in transcript]


def test_models_import_without_ipywidgets() -> None:
    code = "import sys, smtplab.widgets.models, smtplab.quiz; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_console_has_the_exact_buttons(lab: LabServer) -> None:
    console = Console(lab)
    labels = {b.description for b in console.buttons.values()}
    assert {"QUIT", "VRFY", "EHLO", "NOOP", "RSET", "HELP", "EXPN"} <= labels
    assert console.send_button.description == "Send"
    assert console.reconnect_button.description == "Reconnect"


def test_console_opens_with_the_greeting(lab: LabServer) -> None:
    console = Console(lab)
    with lab.connect() as plain:
        greeting = plain.transcript[0].reply
    assert greeting is not None
    assert console.model.latest is not None
    assert console.model.latest.lines == greeting.lines
    assert greeting.lines[0] in console.transcript.value
    assert console.reconnect_button.layout.display == "none"


def test_vrfy_click_shows_reply_beside_its_card(lab: LabServer) -> None:
    console = Console(lab)
    console.address.value = "alice"
    console.click("VRFY")
    assert sent(console)[-1] == "VRFY alice"
    latest = console.model.latest
    assert latest is not None
    assert latest.code == CANNOT_VRFY
    assert (
        console.card.value == catalog.explain(latest.code, enhanced=latest.enhanced)._repr_html_()
    )
    assert latest.lines[0] in console.latest.value
    assert "VRFY alice" in console.transcript.value
    assert "<svg" in console.diagram.value
    assert console.notice.value == ""


def test_card_follows_the_language(lab: LabServer) -> None:
    console = Console(lab)
    console.click("VRFY")
    console.language.value = "vi"
    assert console.card.value == catalog.explain(CANNOT_VRFY, lang="vi")._repr_html_()


def test_quit_closes_and_offers_reconnect(lab: LabServer) -> None:
    console = Console(lab)
    console.click("QUIT")
    assert console.model.latest is not None
    assert console.model.latest.code == CLOSING
    assert console.model.closed
    assert all(b.disabled for b in console.buttons.values())
    assert console.send_button.disabled
    assert console.reconnect_button.layout.display == ""
    before = len(sent(console))
    console.click("VRFY")  # a click on the (disabled) button after QUIT
    assert len(sent(console)) == before
    assert "Reconnect" in console.notice.value
    console.click("Reconnect")
    assert not console.model.closed
    assert sent(console) == [None]
    assert not console.buttons["VRFY"].disabled
    assert console.reconnect_button.layout.display == "none"


def test_policy_selector_changes_the_lab(lab: LabServer) -> None:
    console = Console(lab)
    console.vrfy_policy.value = "reveal"
    assert lab.vrfy == "reveal"
    console.address.value = "alice"
    console.click("VRFY")
    with lab.connect() as plain:
        expected = plain.vrfy("alice")
    assert console.model.latest is not None
    assert console.model.latest.lines == expected.lines


def test_free_command_line(lab: LabServer) -> None:
    console = Console(lab)
    console.line.value = "QUIT now"
    console.click("Send")
    with lab.connect() as plain:
        expected = plain.send("QUIT now")
    assert sent(console)[-1] == "QUIT now"
    assert console.model.latest is not None
    assert console.model.latest.lines == expected.lines


@pytest.mark.parametrize("line", ["", "   ", "NOOP\r\nQUIT", "x" * 600])
def test_bad_input_is_a_message_not_a_traceback(lab: LabServer, line: str) -> None:
    console = Console(lab)
    console.line.value = line
    console.click("Send")
    assert console.notice.value.startswith("⚠")
    assert "Traceback" not in console.notice.value
    assert sent(console) == [None]
    assert not console.model.busy
    assert not console.buttons["NOOP"].disabled  # the session is still usable


def test_click_after_the_server_stopped(lab: LabServer) -> None:
    console = Console(lab)
    lab.stop()
    console.click("NOOP")
    assert "stopped" in console.notice.value
    assert console.notice.value.startswith("⚠")
    assert not console.model.busy
    assert console.reconnect_button.layout.display == ""
    console.click("Reconnect")  # still stopped: a message again
    assert console.notice.value.startswith("⚠")
    lab.start()
    console.click("Reconnect")
    assert not console.model.closed
    assert console.notice.value == ""


def test_console_on_a_stopped_lab() -> None:
    lab = LabServer()
    console = Console(lab)
    assert console.model.closed
    assert "not running" in console.notice.value
    assert console.reconnect_button.layout.display == ""


def test_personality_selector_switches_the_voice(lab: LabServer) -> None:
    console = Console(lab)
    other = next(name for name in console.personality.options if name != lab.personality.name)
    console.personality.value = other
    assert lab.personality.name == other
    with lab.connect() as plain:
        greeting = plain.transcript[0].reply
    assert greeting is not None
    assert console.model.latest is not None
    assert console.model.latest.lines == greeting.lines  # reconnected, in the new voice
    assert sent(console) == [None]


def test_guarded_turns_any_exception_into_a_notice() -> None:
    shown: list[Notice] = []

    @guarded(shown.append)
    def callback() -> None:
        raise ZeroDivisionError("boom")

    callback()
    assert shown[0].kind == "error"
    assert "ZeroDivisionError" in shown[0].text
    assert "bug" in shown[0].text


def test_unexpected_error_while_connecting_is_shown(lab: LabServer) -> None:
    def broken() -> smtplab.Session:
        raise RuntimeError("wires crossed")

    console = Console(lab, connect=broken)
    assert "wires crossed" in console.notice.value
    assert console.model.closed


def test_a_click_in_flight_is_ignored() -> None:
    """In a running event loop (as in a kernel) a click sends in the background; a second click
    while the first waits is refused, so the server sees one command."""
    with slow_server(delay=0.4) as (host, port):

        async def scenario() -> tuple[Console, bool, bool, str]:
            console = Console(LabServer(), connect=lambda: smtplab.connect(host, port))
            console.click("NOOP")
            busy_disabled = console.buttons["VRFY"].disabled
            console.click("VRFY")  # in flight: ignored
            notice = console.notice.value
            assert console._task is not None
            await console._task
            return console, busy_disabled, console.buttons["VRFY"].disabled, notice

        console, disabled_in_flight, disabled_after, notice = asyncio.run(scenario())
    assert disabled_in_flight
    assert not disabled_after
    assert "NOOP" in notice
    assert "not sent" in notice
    assert sent(console) == [None, "NOOP"]
    assert console.model.latest is not None
    assert console.model.latest.lines[0].encode() + b"\r\n" == REPLY


def test_timeout_is_a_message() -> None:
    with slow_server(delay=1.5) as (host, port):
        model = ConsoleModel(LabServer(), connect=lambda: smtplab.connect(host, port, timeout=0.3))
        model.connect()
        assert model.send("NOOP") is None
    assert model.notice is not None
    assert model.notice.kind == "error"
    assert "0.3" in model.notice.text
    assert model.closed
    assert not model.busy


# --- Compare, CatalogBrowser, SequenceDiagram ---------------------------------------------------
def test_compare_widget_renders_the_comparison() -> None:
    widget = Compare(221, 252)
    assert widget.view.value == compare(221, 252)._repr_html_()
    widget.language.value = "vi"
    widget.code_b.value = "421"
    assert widget.view.value == compare(221, 421, lang="vi")._repr_html_()
    assert set(i18n.LANGUAGES) == set(widget.language.options)


def test_compare_widget_bad_code_is_a_message() -> None:
    widget = Compare(221, 252)
    before = widget.view.value
    widget.code_a.value = "abc"
    assert widget.notice.value.startswith("⚠")
    assert widget.view.value == before
    widget.code_a.value = "550"
    assert widget.notice.value == ""


def test_browser_filters() -> None:
    browser = CatalogBrowser()
    assert len(browser.codes.options) == len(catalog.codes())
    browser.klass.value = "5"
    assert browser.codes.options
    assert all(key.startswith("5") for _, key in browser.codes.options)
    browser.klass.value = ""
    browser.command.value = "VRFY"
    keys = {key for _, key in browser.codes.options}
    expected = {str(c.code) for c in catalog.codes() if "VRFY" in c.commands or c.any_command}
    assert keys == expected
    browser.command.value = ""
    browser.text.value = "252"
    assert [key for _, key in browser.codes.options] == ["252"]


def test_browser_selects_a_card_and_enhanced_codes() -> None:
    browser = CatalogBrowser(select=252)
    assert browser.card.value == catalog.explain(252)._repr_html_()
    browser.kind.value = "enhanced"
    assert len(browser.codes.options) == len(catalog.enhanced_codes())
    first = browser.codes.options[0][1]
    browser.codes.value = first
    assert browser.card.value == catalog.explain(first)._repr_html_()


def test_sequence_diagram(lab: LabServer) -> None:
    session = lab.connect()
    widget = SequenceDiagram(session)
    assert widget.value == session.transcript.diagram().svg
    session.vrfy("alice")
    widget.refresh()
    assert "VRFY alice" in widget.value
    assert diagram(session.transcript).svg == widget.value
    session.quit()


def test_help_button_sends_bare_help(lab: LabServer) -> None:
    console = Console(lab)
    console.click("HELP")
    assert sent(console)[-1] == "HELP"
