"""What was said in one SMTP conversation: a list of exchanges, exportable as JSON.

A learner hands in a transcript, so its JSON shape is a contract (version 1)::

    {
      "format": "smtplab.transcript",
      "version": 1,
      "server": {"host": "127.0.0.1", "port": 8025},        # or null
      "exchanges": [
        {"sent": null,                                        # null: the server spoke first
                                                              # (greeting; later: e.g. a 421)
         "reply": {"code": 220, "enhanced": null,
                   "lines": ["220 lab.example.test ESMTP"],   # full wire lines, no CRLF
                   "elapsed": 0.0012},                        # seconds, or null
         "error": null,                                       # text when no reply came back
         "started": "2026-01-31T09:00:00.000000+00:00",       # UTC, ISO 8601, microseconds
         "finished": "2026-01-31T09:00:00.001200+00:00"}
      ]
    }

Every exchange has exactly one of ``reply`` and ``error``; ``code`` and ``enhanced`` must agree
with ``lines``. :meth:`Transcript.to_json` is canonical (fixed key order, ASCII, two-space indent),
so ``Transcript.from_json(t.to_json()).to_json() == t.to_json()``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from smtplab.errors import CodeError, TranscriptFormatError
from smtplab.reply import Reply

__all__ = ["Diagram", "Exchange", "Transcript", "TranscriptFormatError"]

FORMAT = "smtplab.transcript"
VERSION = 1
# Bounds what an import may allocate: a hand-in is a few dozen exchanges, not megabytes.
MAX_JSON_CHARS = 2_000_000
MAX_EXCHANGES = 10_000
MAX_SENT_CHARS = 65_536


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Exchange:
    """One turn: the line the client sent and the reply or the failure. ``sent`` is None when
    the server spoke unprompted: the greeting, or e.g. a 421 before it closes (RFC 5321 §3.8)."""

    sent: str | None
    reply: Reply | None
    error: str | None
    started: datetime
    finished: datetime

    def to_dict(self) -> dict[str, Any]:
        reply = None
        if self.reply is not None:
            reply = {
                "code": self.reply.code,
                "enhanced": self.reply.enhanced,
                "lines": list(self.reply.lines),
                "elapsed": self.reply.elapsed,
            }
        return {
            "sent": self.sent,
            "reply": reply,
            "error": self.error,
            "started": _stamp(self.started),
            "finished": _stamp(self.finished),
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "exchange") -> Exchange:
        obj = _object(data, where, {"sent", "reply", "error", "started", "finished"})
        sent = _optional(obj["sent"], str, f"{where}.sent")
        if sent is not None and len(sent) > MAX_SENT_CHARS:
            raise TranscriptFormatError(f"{where}.sent is longer than {MAX_SENT_CHARS} characters")
        error = _optional(obj["error"], str, f"{where}.error")
        reply = None if obj["reply"] is None else _reply(obj["reply"], f"{where}.reply")
        if (reply is None) == (error is None):
            raise TranscriptFormatError(f"{where} needs exactly one of 'reply' and 'error'")
        return cls(
            sent,
            reply,
            error,
            _parse_stamp(obj["started"], f"{where}.started"),
            _parse_stamp(obj["finished"], f"{where}.finished"),
        )


@dataclass
class Transcript:
    """The exchanges of one session, in order; a live session appends to it as replies arrive."""

    host: str | None = None
    port: int | None = None
    _exchanges: list[Exchange] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        with self._lock:
            return tuple(self._exchanges)

    def record(self, exchange: Exchange) -> None:
        """Append one exchange (the session calls this; it is thread-safe)."""
        with self._lock:
            self._exchanges.append(exchange)

    def __len__(self) -> int:
        return len(self._exchanges)

    def __iter__(self) -> Iterator[Exchange]:
        return iter(self.exchanges)

    def __getitem__(self, index: int) -> Exchange:
        return self.exchanges[index]

    # --- views ---------------------------------------------------------------------------
    def text(self) -> str:
        """``C:``/``S:`` lines, the way RFC 5321 writes its examples."""
        from smtplab.render.transcript import transcript_text  # noqa: PLC0415 - render is lazy

        return transcript_text(self)

    def __str__(self) -> str:
        return self.text()

    def to_html(self) -> str:
        from smtplab.render.transcript import transcript_html  # noqa: PLC0415 - Jinja2 on display

        return transcript_html(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def diagram(self) -> Diagram:
        """A sequence diagram (SVG): client and server lifelines, one arrow per line sent."""
        from smtplab.render.transcript import diagram_svg  # noqa: PLC0415 - Jinja2 on display

        return Diagram(diagram_svg(self))

    # --- JSON ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        server = None if self.host is None else {"host": self.host, "port": self.port}
        return {
            "format": FORMAT,
            "version": VERSION,
            "server": server,
            "exchanges": [exchange.to_dict() for exchange in self.exchanges],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=True, allow_nan=False) + "\n"

    @classmethod
    def from_dict(cls, data: object) -> Transcript:
        obj = _object(data, "transcript", {"format", "version", "server", "exchanges"})
        if obj["format"] != FORMAT:
            raise TranscriptFormatError(f"'format' must be {FORMAT!r}, not {obj['format']!r}")
        if obj["version"] != VERSION or isinstance(obj["version"], bool):
            raise TranscriptFormatError(
                f"this smtplab reads transcript version {VERSION}, not {obj['version']!r}"
            )
        host = port = None
        if obj["server"] is not None:
            server = _object(obj["server"], "server", {"host", "port"})
            host = _optional(server["host"], str, "server.host")
            port = _optional(server["port"], int, "server.port")
        items = obj["exchanges"]
        if not isinstance(items, list):
            raise TranscriptFormatError("'exchanges' must be a list")
        if len(items) > MAX_EXCHANGES:
            raise TranscriptFormatError(f"more than {MAX_EXCHANGES} exchanges")
        exchanges = [Exchange.from_dict(item, f"exchanges[{i}]") for i, item in enumerate(items)]
        return cls(host, port, exchanges)

    @classmethod
    def from_json(cls, text: str | bytes) -> Transcript:
        if len(text) > MAX_JSON_CHARS:
            raise TranscriptFormatError(f"a transcript is at most {MAX_JSON_CHARS} characters")
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise TranscriptFormatError(f"not JSON: {exc}") from None
        return cls.from_dict(data)


class Diagram:
    """An SVG sequence diagram that Jupyter displays inline."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg


# --- JSON helpers --------------------------------------------------------------------------
def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _parse_stamp(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise TranscriptFormatError(f"{where} must be an ISO 8601 time string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise TranscriptFormatError(f"{where} is not an ISO 8601 time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise TranscriptFormatError(f"{where} needs a time zone, e.g. '+00:00'")
    return moment


def _object(data: object, where: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TranscriptFormatError(f"{where} must be a JSON object")
    if set(data) != keys:
        missing, extra = sorted(keys - set(data)), sorted(set(data) - keys)
        raise TranscriptFormatError(f"{where}: missing keys {missing}, unknown keys {extra}")
    return data


def _optional(value: object, kind: type, where: str) -> Any:
    if value is None or (isinstance(value, kind) and not isinstance(value, bool)):
        return value
    raise TranscriptFormatError(f"{where} must be {kind.__name__} or null")


def _reply(data: object, where: str) -> Reply:
    obj = _object(data, where, {"code", "enhanced", "lines", "elapsed"})
    lines = obj["lines"]
    if not isinstance(lines, list):
        raise TranscriptFormatError(f"{where}.lines must be a list of wire lines")
    elapsed = obj["elapsed"]
    if isinstance(elapsed, int) and not isinstance(elapsed, bool):
        elapsed = float(elapsed)
    elapsed = _optional(elapsed, float, f"{where}.elapsed")
    try:
        reply = Reply.from_lines(lines, elapsed=elapsed)
    except CodeError as exc:
        raise TranscriptFormatError(f"{where}: {exc}") from None
    if obj["code"] != reply.code or obj["enhanced"] != reply.enhanced:
        raise TranscriptFormatError(
            f"{where}: code {obj['code']!r} / enhanced {obj['enhanced']!r} do not match its lines "
            f"({reply.code} / {reply.enhanced!r})"
        )
    return reply
