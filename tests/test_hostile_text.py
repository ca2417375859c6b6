"""Hostile text from the wire or the catalog is shown as text in every HTML view.

A raw asyncio SMTP server on 127.0.0.1 answers every command with markup (``<script>``,
``<img onerror>``, Markdown links to ``javascript:``); a lab server runs with a host name that is
markup. Each view — reply HTML, transcript HTML, the sequence-diagram SVG, catalog cards, the
Console widget's HTML values — is parsed (html.parser / xml.etree): no element or event attribute
may come from the text, and the text must be there, escaped.
"""

from __future__ import annotations

import asyncio
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

from smtplab.catalog import BasicCode, Card, CodeText
from smtplab.server import LabServer
from smtplab.session import connect

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
MARKDOWN = "**bold** [click](javascript:alert(1)) <b onclick=alert(1)>b</b>"
HOSTILE = f"{SCRIPT} {IMG} {MARKDOWN}"
FORBIDDEN_TAGS = {"script", "img", "iframe", "object", "embed", "foreignobject", "b"}


class Markup(HTMLParser):
    """Every start tag with its attributes, and the text between tags (entities decoded)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_inert_html(html: str, *, shows: str = SCRIPT) -> None:
    """No hostile element, no ``on*`` attribute, no javascript: URL; the text is shown."""
    parsed = Markup(html)
    for tag, attrs in parsed.tags:
        assert tag not in FORBIDDEN_TAGS, f"<{tag}> became markup in {html[:300]!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"{name}= became an attribute"
            assert not (value or "").strip().lower().startswith("javascript:")
    assert shows in "".join(parsed.text), f"{shows!r} is not shown as text"
    if "<" in shows:
        assert shows not in html, "the raw markup is in the HTML unescaped"


def assert_inert_svg(svg: str, *, shows: str = SCRIPT) -> None:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1].lower()
        assert local not in FORBIDDEN_TAGS, f"<{local}> in the SVG"
        for name, value in element.attrib.items():
            assert not name.rsplit("}", 1)[-1].lower().startswith("on")
            assert not value.strip().lower().startswith("javascript:")
    assert shows in "".join(root.itertext())


# --- a server that answers with markup -----------------------------------------------------------
class HostileServer:
    """SMTP-shaped: every reply's text is markup; QUIT gets 221 and a close."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.writers: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self.talk, "127.0.0.1", 0), self.loop
        ).result(5)
        self.port = self.server.sockets[0].getsockname()[1]

    async def talk(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        writer.write(f"220 {HOSTILE}\r\n".encode())
        while line := await reader.readline():
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb == b"QUIT":
                writer.write(f"221 2.0.0 {HOSTILE}\r\n".encode())
                break
            writer.write(f"250-{SCRIPT}\r\n252 2.1.5 {IMG} {MARKDOWN}\r\n".encode())
            await writer.drain()
        writer.close()

    def stop(self) -> None:
        async def close() -> None:
            self.server.close()
            for writer in self.writers:  # connections a client left open: EOF ends them
                writer.close()
            talking = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            if talking:
                await asyncio.wait(talking, timeout=2)
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def transcript(hostile: HostileServer):
    with connect("127.0.0.1", hostile.port, timeout=5) as session:
        vrfy = session.send("VRFY <script>alert(1)</script>")
        session.send(f"NOOP {IMG}")
        session.quit()
        return session.transcript, vrfy


def test_hostile_reply_parsed_as_sent(transcript):
    _, vrfy = transcript
    assert vrfy.code == 252
    assert vrfy.lines == (f"252-{SCRIPT}", f"252 2.1.5 {IMG} {MARKDOWN}")


def test_reply_html_shows_markup_as_text(transcript):
    _, vrfy = transcript
    assert_inert_html(vrfy._repr_html_())
    assert_inert_html(vrfy._repr_html_(), shows=IMG)


def test_transcript_html_shows_markup_as_text(transcript):
    session_transcript, _ = transcript
    html = session_transcript.to_html()
    assert_inert_html(html)
    assert_inert_html(html, shows=IMG)


def test_sequence_diagram_svg_shows_markup_as_text(transcript):
    session_transcript, _ = transcript
    svg = session_transcript.diagram().svg
    assert_inert_svg(svg, shows="<script>")  # the diagram may shorten long lines
    assert_inert_html(session_transcript.diagram()._repr_html_(), shows="<script>")


def test_card_with_hostile_catalog_text():
    text = CodeText(name=SCRIPT, description=IMG, when=MARKDOWN, action=SCRIPT)
    card = Card(entry=BasicCode(code=299, example_text=IMG, registered=False), text=text)
    html = card._repr_html_()
    assert_inert_html(html)
    assert_inert_html(html, shows=IMG)
    markdown = card.to_markdown()
    assert "<script>" not in markdown  # Markdown passes raw HTML through: it must be escaped
    assert "<img" not in markdown


# --- the widgets -------------------------------------------------------------------------------
def _console_values(console) -> dict[str, str]:
    return {
        "transcript": console.transcript.value,
        "diagram": console.diagram.value,
        "card": console.card.value,
    }


def test_console_after_a_hostile_server(hostile):
    pytest.importorskip("ipywidgets")
    from smtplab.widgets import Console

    with LabServer() as lab:
        console = Console(lab, connect=lambda: connect("127.0.0.1", hostile.port, timeout=5))
        console.address.value = SCRIPT
        console.click("VRFY")  # no running loop here: the click sends and waits for the reply
        values = _console_values(console)
        assert console.model.latest is not None
        assert console.model.latest.code == 252
        assert_inert_html(values["transcript"])
        assert_inert_html(values["transcript"], shows=IMG)
        assert_inert_svg(values["diagram"], shows="<script>")
        assert_inert_html(values["card"], shows="252")
        assert SCRIPT in console.latest.value  # a Label: shown as text by construction


def test_console_on_a_lab_with_a_hostile_host_name():
    pytest.importorskip("ipywidgets")
    from smtplab.widgets import Console

    name = "<img/src=x/onerror=alert(1)>"
    with LabServer(hostname=name) as lab:
        console = Console(lab)
        console.click("QUIT")
        values = _console_values(console)
        assert_inert_html(values["transcript"], shows=name)
        assert_inert_svg(values["diagram"], shows="<img")
