"""Views of replies and transcripts: terminal text, HTML and an SVG sequence diagram.

Wire text can hold anything a server sent, including control characters and undecodable bytes
(aiosmtplib keeps those as surrogate escapes). :func:`visible` turns them into ``\\xNN`` first,
so a view never carries characters that break a terminal or an SVG (XML) document; Jinja2's
autoescape then makes the text safe as markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from smtplab.errors import SmtplabError
from smtplab.render.env import render

if TYPE_CHECKING:
    from smtplab.reply import Reply
    from smtplab.transcript import Exchange, Transcript

__all__ = ["diagram_svg", "reply_html", "transcript_html", "transcript_text", "visible"]

_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
# Diagram geometry, in SVG user units.
WIDTH = 760
CLIENT_X = 90
SERVER_X = 670
TOP = 62
LINE_HEIGHT = 16
GAP = 14
MAX_LABEL = 78
MAX_REPLY_LINES = 8


def _escape_char(match: re.Match[str]) -> str:
    point = ord(match.group())
    if 0xDC80 <= point <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{point - 0xDC00:02x}"
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def visible(text: str) -> str:
    """``text`` with control characters and stray bytes written out as ``\\xNN``."""
    return _INVISIBLE.sub(_escape_char, text)


def reply_class(code: int) -> str:
    """CSS class by outcome (RFC 5321 §4.2.1): the first digit is what a reader scans for."""
    return f"smtplab-c{str(code)[0]}"


def _card_html(reply: Reply) -> Markup | None:
    try:
        card = reply.explain()
    except (ImportError, SmtplabError):
        return None
    return Markup(card._repr_html_())  # noqa: S704 - the catalog renders via the autoescape env


def reply_html(reply: Reply) -> str:
    """The reply's wire lines beside its catalog card."""
    return render(
        "transcript_reply.html",
        lines=[visible(line) for line in reply.lines],
        css=reply_class(reply.code),
        elapsed_ms=None if reply.elapsed is None else reply.elapsed * 1000,
        card=_card_html(reply),
    )


def _exchange_text(exchange: Exchange) -> list[str]:
    out = []
    if exchange.sent is not None:
        out.append(f"C: {visible(exchange.sent)}")
    if exchange.reply is not None:
        out.extend(f"S: {visible(line)}" for line in exchange.reply.lines)
    if exchange.error is not None:
        out.append(f"!  {visible(exchange.error)}")
    return out


def transcript_text(transcript: Transcript) -> str:
    """``C:``/``S:`` lines, as RFC 5321's examples write a conversation."""
    return "\n".join(line for ex in transcript.exchanges for line in _exchange_text(ex))


def transcript_html(transcript: Transcript) -> str:
    rows = [
        {
            "sent": None if ex.sent is None else visible(ex.sent),
            "lines": [] if ex.reply is None else [visible(line) for line in ex.reply.lines],
            "css": "" if ex.reply is None else reply_class(ex.reply.code),
            "error": None if ex.error is None else visible(ex.error),
            "elapsed_ms": None
            if ex.reply is None or ex.reply.elapsed is None
            else ex.reply.elapsed * 1000,
        }
        for ex in transcript.exchanges
    ]
    return render("transcript.html", rows=rows, server=_server_label(transcript))


@dataclass(frozen=True)
class Arrow:
    """One arrow of the sequence diagram and the text lines written above it."""

    y: int
    rightward: bool
    labels: tuple[str, ...]
    css: str
    full: str  # the untruncated text, for the SVG <title> tooltip


def _shorten(text: str) -> str:
    text = visible(text)
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _arrows(transcript: Transcript) -> tuple[list[Arrow], int]:
    arrows: list[Arrow] = []
    y = TOP
    for index, exchange in enumerate(transcript.exchanges):
        # Nothing sent: the greeting answers the connect; later, the server spoke on its own
        # (a 421 before it hangs up), so no client arrow at all.
        if exchange.sent is not None or index == 0:
            sent = "(connect)" if exchange.sent is None else exchange.sent
            y += LINE_HEIGHT + 4
            css = "smtplab-connect" if exchange.sent is None else "smtplab-sent"
            arrows.append(Arrow(y, True, (_shorten(sent),), css, visible(sent)))
        if exchange.reply is not None:
            lines = list(exchange.reply.lines)
            shown = [_shorten(line) for line in lines[:MAX_REPLY_LINES]]
            if len(lines) > MAX_REPLY_LINES:
                shown.append(f"… {len(lines) - MAX_REPLY_LINES} more lines")
            y += GAP + LINE_HEIGHT * len(shown)
            full = visible("\n".join(lines))
            arrows.append(Arrow(y, False, tuple(shown), reply_class(exchange.reply.code), full))
        if exchange.error is not None:
            y += GAP + LINE_HEIGHT
            error = f"✕ {exchange.error}"
            arrows.append(Arrow(y, False, (_shorten(error),), "smtplab-error", visible(error)))
        y += GAP
    return arrows, y + GAP


def diagram_svg(transcript: Transcript) -> str:
    """Client and server lifelines with one arrow per line sent and per reply received."""
    arrows, height = _arrows(transcript)
    return render(
        "transcript_diagram.svg",
        arrows=arrows,
        width=WIDTH,
        height=height,
        client_x=CLIENT_X,
        server_x=SERVER_X,
        top=TOP,
        line_height=LINE_HEIGHT,
        server=_server_label(transcript),
    )


def _server_label(transcript: Transcript) -> str:
    if transcript.host is None:
        return "server"
    return visible(f"server {transcript.host}:{transcript.port}")
