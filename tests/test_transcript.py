"""Transcript: views that escape everything, and a JSON shape that round-trips byte for byte."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import Target
from hypothesis import given
from hypothesis import strategies as st

from smtplab.reply import Reply
from smtplab.session import connect
from smtplab.transcript import Exchange, Transcript, TranscriptFormatError

SVG = "{http://www.w3.org/2000/svg}"
EPOCH = datetime(2026, 1, 31, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def live(server: Target) -> Transcript:
    """A real conversation: greeting, EHLO, VRFY, an unknown command, QUIT."""
    session = connect(server.host, server.port, timeout=5)
    session.ehlo()
    session.vrfy("alice")
    session.send("FROB")
    session.quit()
    return session.transcript


def make(*exchanges: tuple[str | None, list[str] | None, str | None]) -> Transcript:
    transcript = Transcript("127.0.0.1", 2525)
    for i, (sent, lines, error) in enumerate(exchanges):
        reply = None if lines is None else Reply.from_lines(lines, elapsed=0.25)
        moment = EPOCH + timedelta(seconds=i)
        transcript.record(Exchange(sent, reply, error, moment, moment + timedelta(seconds=0.25)))
    return transcript


def test_json_round_trips_byte_for_byte(live: Transcript) -> None:
    text = live.to_json()
    again = Transcript.from_json(text)
    assert again.to_json() == text
    assert again == live


def test_json_has_the_documented_shape(live: Transcript) -> None:
    doc = json.loads(live.to_json())
    assert (doc["format"], doc["version"]) == ("smtplab.transcript", 1)
    assert doc["server"] == {"host": live.host, "port": live.port}
    for item, exchange in zip(doc["exchanges"], live, strict=True):
        assert set(item) == {"sent", "reply", "error", "started", "finished"}
        assert item["sent"] == exchange.sent
        assert exchange.reply is not None
        assert item["reply"]["lines"] == list(exchange.reply.lines)
        assert item["reply"]["code"] == exchange.reply.code
        assert datetime.fromisoformat(item["started"]) == exchange.started


wire_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FFF), max_size=30)


@given(
    st.lists(
        st.tuples(
            st.none() | wire_text.filter(str.strip),
            st.booleans(),
            st.integers(200, 559).filter(lambda c: c % 100 < 60),
            st.lists(wire_text, min_size=1, max_size=3),
        ),
        max_size=6,
    )
)
def test_any_transcript_round_trips(items: list[tuple[Any, bool, int, list[str]]]) -> None:
    rows = []
    for sent, failed, code, texts in items:
        lines = [f"{code}-{t}" for t in texts[:-1]] + [f"{code} {texts[-1]}"]
        rows.append((sent, None, "no reply") if failed else (sent, lines, None))
    transcript = make(*rows)
    text = transcript.to_json()
    assert Transcript.from_json(text).to_json() == text


def _doc(live: Transcript) -> dict[str, Any]:
    return json.loads(live.to_json())  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(format="something else"), "format"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.pop("server"), "missing keys"),
        (lambda d: d.update(extra=1), "unknown keys"),
        (lambda d: d.update(exchanges={}), "list"),
        (lambda d: d["exchanges"][1]["reply"].update(code=999), "do not match"),
        (lambda d: d["exchanges"][1]["reply"].update(enhanced="2.1.5"), "do not match"),
        (lambda d: d["exchanges"][1]["reply"].update(lines=["hello"]), "reply code"),
        (lambda d: d["exchanges"][1]["reply"].update(lines=[]), "at least one line"),
        (lambda d: d["exchanges"][1].update(error="both"), "exactly one"),
        (lambda d: d["exchanges"][1].update(reply=None), "exactly one"),
        (lambda d: d["exchanges"][1].update(started="yesterday"), "ISO 8601"),
        (lambda d: d["exchanges"][1].update(started="2026-01-31T09:00:00"), "time zone"),
        (lambda d: d["exchanges"][1].update(sent=42), "sent"),
        (lambda d: d["exchanges"][1]["reply"].update(elapsed="fast"), "elapsed"),
        (lambda d: d["server"].update(port="25"), "port"),
    ],
)
def test_bad_documents_give_a_clear_error(live: Transcript, edit: Any, message: str) -> None:
    doc = _doc(live)
    edit(doc)
    with pytest.raises(TranscriptFormatError, match=message):
        Transcript.from_json(json.dumps(doc))


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", "null", b"\xff\xfe"])
def test_non_transcripts_give_a_clear_error(text: str | bytes) -> None:
    with pytest.raises(TranscriptFormatError):
        Transcript.from_json(text)


def test_oversized_import_is_refused_before_parsing() -> None:
    from smtplab.transcript import MAX_JSON_CHARS

    with pytest.raises(TranscriptFormatError, match="at most"):
        Transcript.from_json(" " * (MAX_JSON_CHARS + 1))


def test_text_view_writes_c_and_s_lines_in_order(live: Transcript) -> None:
    expected = []
    for exchange in live:
        if exchange.sent is not None:
            expected.append(f"C: {exchange.sent}")
        assert exchange.reply is not None
        expected += [f"S: {line}" for line in exchange.reply.lines]
    assert live.text().splitlines() == expected
    assert str(live) == live.text()


HOSTILE = '<img src=x onerror="alert(1)">&'


def hostile() -> Transcript:
    return make(
        (None, ["220 lab <b>bold</b>"], None),
        (f"VRFY {HOSTILE}", [f"252 {HOSTILE}"], None),
        ("NOOP\x7f", [f"250-\x00\x1b[31m{chr(0xDCFF)}", "250 ok"], None),
        ("QUIT", None, f"gone {HOSTILE}"),
    )


def test_html_view_escapes_wire_text() -> None:
    html = hostile().to_html()
    assert HOSTILE not in html
    assert "<b>" not in html
    assert "&lt;img src=x" in html
    assert "\x00" not in html
    assert "\\x00" in html


def test_diagram_is_well_formed_svg_with_an_arrow_per_line_and_reply() -> None:
    transcript = hostile()
    svg = transcript.diagram()
    assert svg._repr_svg_() == svg._repr_html_() == str(svg)
    root = ET.fromstring(svg.svg)  # raises on unescaped markup or control characters
    groups = root.findall(f"{SVG}g")
    expected = sum(1 + (ex.reply is not None) + (ex.error is not None) for ex in transcript)
    assert len(groups) == expected
    titles = [g.find(f"{SVG}title") for g in groups]
    assert f"VRFY {HOSTILE}" in [t.text for t in titles if t is not None]
    assert root.find(f"{SVG}script") is None
    assert "onerror" not in {attr for el in root.iter() for attr in el.attrib}


def test_diagram_of_a_live_session(live: Transcript) -> None:
    root = ET.fromstring(live.diagram().svg)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    for exchange in live:
        assert exchange.reply is not None
        assert exchange.reply.lines[0] in labels
        if exchange.sent is not None:
            assert exchange.sent in labels


def test_long_replies_are_shortened_in_the_diagram_but_kept_in_the_title() -> None:
    from smtplab.render.transcript import MAX_LABEL, MAX_REPLY_LINES

    lines = [f"250-{'x' * (MAX_LABEL * 2)}"] * (MAX_REPLY_LINES + 3) + ["250 end"]
    root = ET.fromstring(make((None, lines, None)).diagram().svg)
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert max(len(t) for t in texts) <= MAX_LABEL
    assert any("more lines" in t for t in texts)
    assert any((t.text or "").endswith("250 end") for t in root.iter(f"{SVG}title"))
