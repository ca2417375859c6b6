"""A server's reply as a value: code, every wire line, enhanced status code, time taken.

Replies reach us two ways: live, as aiosmtplib's ``SMTPResponse`` (aiosmtplib already parsed the
wire, so we rebuild the lines from it rather than parse twice), and from stored wire lines (a
transcript handed in as JSON). Both end in the same frozen :class:`Reply`, so a reply looks the
same whether it just arrived or was imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smtplab.errors import ReplyFormatError

if TYPE_CHECKING:
    from aiosmtplib import SMTPResponse

    from smtplab.catalog import Card

__all__ = ["Reply"]

# RFC 5321 §4.2: a reply line is three digits, then "-" (more lines follow) or " " (last line) and
# text; a last line may also be the bare code.
_LINE = re.compile(r"(?P<code>[2-5][0-5][0-9])(?:(?P<sep>[ -])(?P<text>.*))?", re.DOTALL)
# RFC 3463 §2: class "." subject "." detail, class 2/4/5, subject and detail 1-3 digits.
_ENHANCED = re.compile(r"([245])\.([0-9]{1,3})\.([0-9]{1,3})(?= |$)")
# Bounds what an imported reply may hold (aiosmtplib caps live replies at 32 KiB itself).
MAX_LINES = 1000
MAX_LINE_CHARS = 8192


def enhanced_code(text: str) -> str | None:
    """The RFC 3463 code that opens ``text`` (``"2.1.5 <alice@x>"`` → ``"2.1.5"``), else None."""
    match = _ENHANCED.match(text)
    return match.group(0) if match else None


@dataclass(frozen=True)
class Reply:
    """One complete SMTP reply, e.g. ``252 Cannot VRFY user, …``, as the server sent it."""

    code: int
    lines: tuple[str, ...]
    enhanced: str | None = None
    elapsed: float | None = None

    @property
    def text(self) -> str:
        """The message without the code prefixes; one line per wire line."""
        return "\n".join(line[4:] for line in self.lines)

    @property
    def first_text(self) -> str:
        """The first line's message: what a one-line summary shows."""
        return self.lines[0][4:] if self.lines else ""

    @classmethod
    def from_response(cls, response: SMTPResponse, *, elapsed: float | None = None) -> Reply:
        """Rebuild the wire lines from aiosmtplib's parsed ``(code, "line\\nline")`` pair."""
        code, message = response.code, response.message
        if "\n" not in message:  # the common one-line reply: no list building (a hot path)
            line = f"{code} {message}" if message else str(code)
            return cls(code, (line,), enhanced_code(message), elapsed)
        texts = message.split("\n")
        lines = [_wire_line(response.code, "-", text) for text in texts[:-1]]
        lines.append(_wire_line(response.code, " ", texts[-1]))
        return cls(response.code, tuple(lines), enhanced_code(texts[0]), elapsed)

    @classmethod
    def from_lines(cls, lines: Iterable[str], *, elapsed: float | None = None) -> Reply:
        """Parse stored wire lines (no CRLF); a non-reply line → :class:`ReplyFormatError`."""
        lines = tuple(lines)
        if not lines:
            raise ReplyFormatError("a reply needs at least one line, e.g. '250 OK'")
        if len(lines) > MAX_LINES:
            raise ReplyFormatError(f"a reply of {len(lines)} lines is over {MAX_LINES} lines")
        for number, line in enumerate(lines, start=1):
            _check_line(line, number, last=number == len(lines))
            if line[:3] != lines[0][:3]:
                raise ReplyFormatError(
                    f"reply line {number} has code {line[:3]}, but the reply began with "
                    f"{lines[0][:3]}: every line of one reply carries the same code"
                )
        return cls(int(lines[0][:3]), lines, enhanced_code(lines[0][4:]), elapsed)

    def explain(self, lang: str = "en") -> Card:
        """The catalog card for this reply's code (and enhanced code, when it has one)."""
        from smtplab.catalog import explain  # noqa: PLC0415 - keeps `import smtplab.reply` light

        return explain(self.code, enhanced=self.enhanced, lang=lang)

    def __str__(self) -> str:
        return "\n".join(self.lines)

    def _repr_html_(self) -> str:
        from smtplab.render.transcript import reply_html  # noqa: PLC0415 - Jinja2 only on display

        return reply_html(self)


def _wire_line(code: int, sep: str, text: str) -> str:
    return f"{code}{sep}{text}" if text or sep == "-" else str(code)


def _check_line(line: object, number: int, *, last: bool) -> None:
    if not isinstance(line, str):
        raise ReplyFormatError(f"reply line {number} is {type(line).__name__}, not text")
    if len(line) > MAX_LINE_CHARS:
        raise ReplyFormatError(f"reply line {number} is longer than {MAX_LINE_CHARS} characters")
    if "\r" in line or "\n" in line:
        raise ReplyFormatError(
            f"reply line {number} contains a line break; give one wire line per item"
        )
    match = _LINE.fullmatch(line)
    if match is None:
        raise ReplyFormatError(
            f"reply line {number} {line[:40]!r} does not start with a reply code "
            "(RFC 5321: digits 2-5, 0-5, 0-9) followed by ' ' or '-'"
        )
    sep = match.group("sep")
    if last and sep == "-":
        raise ReplyFormatError(f"reply line {number} ends with '-', which promises another line")
    if not last and sep != "-":
        raise ReplyFormatError(
            f"reply line {number} is not the last line, so its code must be followed by '-'"
        )
