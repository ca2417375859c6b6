"""Personalities: how a real server words its replies, loaded from ``data/personalities/*.json``.

A personality is data: a table of reply templates keyed by *situation* (``"QUIT.ok"``,
``"VRFY.reveal.unknown"``…), the EHLO extensions it advertises, which replies close the
connection and a few limits. The protocol (``protocol.py``) decides the situation; this module
only finds the words. Templates use ``str.format`` fields (:data:`FIELDS`); a template that is a
list is a multi-line reply.
"""

from __future__ import annotations

import datetime as _dt
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from smtplab.datafiles import data_file, read_json
from smtplab.errors import ServerError

DEFAULT_PERSONALITY = "aiosmtpd"
VRFY_POLICIES = ("hide", "reveal", "disabled")
# The commands the lab implements (``LabSMTP.cmd_*``); a personality lists those its server has.
COMMANDS = frozenset(
    {"HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP"}
)

# The fields a template may use; every one is filled (sanitised) for every reply.
FIELDS = frozenset(
    {
        "hostname",  # the server's own host name
        "helo",  # the name the client gave in HELO/EHLO ("" before)
        "peer_ip",  # the client's address
        "peer_name",  # what reverse DNS would say: "localhost" on loopback, else "[ip]"
        "date",  # RFC 5322 date, numeric zone ("Sat, 28 Nov 2026 16:44:20 +0000")
        "date_gmt",  # the same with "GMT"
        "arg",  # the command's argument as typed (stripped)
        "arg_lower",  # the same in lower case (Sendmail's HELP)
        "line",  # the whole command line as typed
        "verb",  # the command verb, upper-cased
        "address",  # the address inside the argument, without <>
        "local",  # its local part
        "domain",  # its domain ("" when none)
        "canonical",  # local@hostname
        "target",  # alias target (or the local part itself)
        "queue_id",  # id of a message just accepted
        "size_limit",  # the message size limit in bytes
        "code",  # an injected fault's reply code
        "enhanced",  # its enhanced status code
        "param",  # a MAIL/RCPT parameter the server does not support
    }
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_FORMATTER = string.Formatter()


class PersonalityError(ServerError, ValueError):
    """An unknown personality name, or a personality data file that does not fit the schema."""


def clean(value: object) -> str:
    """A field value safe to put on the wire: controls, CR/LF and undecodable bytes become '?'."""
    return _CONTROL.sub("?", str(value))


@dataclass(frozen=True)
class Personality:
    """One server's voice. Built from its JSON file by :func:`load`."""

    name: str
    title: str
    description: str
    default_vrfy: str
    size_limit: int | None
    line_limit: int
    error_limit: Mapping[str, Any]
    error_sleep: Mapping[str, Any]
    forbidden: Mapping[str, Any]
    options: Mapping[str, Any]
    mail_params: frozenset[str]
    rcpt_params: frozenset[str]
    need_helo: frozenset[str]
    commands: frozenset[str]
    ehlo_first: str
    ehlo_extensions: tuple[str, ...]
    ehlo_hidden: Mapping[str, tuple[str, ...]]
    replies: Mapping[str, Any]
    closes: frozenset[str]
    sources: tuple[str, ...]

    # --- finding the words ---------------------------------------------------------------
    def template(self, key: str) -> Any:
        """The raw template at dotted ``key`` (``"VRFY.reveal.known"``), or ``None``."""
        node: Any = self.replies
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node

    def pick(self, prefix: str, situations: Iterable[str]) -> str:
        """The first ``prefix.situation`` key that has a template (then ``ok``, then ``any``)."""
        for situation in (*situations, "ok", "any"):
            key = f"{prefix}.{situation}" if prefix else situation
            if isinstance(self.template(key), (str, list)):
                return key
        raise PersonalityError(f"personality {self.name!r} has no reply for {prefix} {situations}")

    def render(self, key: str, fields: Mapping[str, object]) -> list[str]:
        """The reply lines for ``key`` with ``fields`` filled in."""
        raw = self.template(key)
        if raw is None:
            raise PersonalityError(f"personality {self.name!r} has no reply {key!r}")
        lines = [raw] if isinstance(raw, str) else list(raw)
        if not any("{" in line for line in lines):
            return lines
        safe = _Cleaned(fields)
        if any("{date" in line for line in lines):
            safe.update(now_fields())
        return [line.format_map(safe) for line in lines]

    def option(self, name: str) -> Any:
        """A behaviour switch (``blank_is_empty``, ``overlong``, ``strict_ascii``, ``pipelining``,
        ``helo_names``, ``echo_limit``)."""
        return self.options.get(name)

    def is_forbidden(self, verb: str) -> bool:
        """Whether ``verb`` makes this server hang up at once (Postfix's answer to HTTP/headers)."""
        rules = self.forbidden
        if not rules:
            return False
        return (
            verb in rules.get("verbs", ())
            or (bool(rules.get("header_like")) and verb.endswith(":"))
            or (bool(rules.get("nonletter")) and not verb[:1].isalpha())
        )

    def closes_after(self, key: str) -> bool:
        return key in self.closes

    def mode_prefix(self, verb: str, mode: str) -> str:
        """``"VRFY.reveal"`` when the personality words that mode itself, else ``"VRFY.*"``."""
        return f"{verb}.{mode}" if self.template(f"{verb}.{mode}") is not None else f"{verb}.*"

    def ehlo_lines(self, vrfy: str, fields: Mapping[str, object]) -> list[str]:
        """The EHLO reply: first line, then the extensions this VRFY policy leaves advertised."""
        hidden = set(self.ehlo_hidden.get(vrfy, ()))
        items = [self.ehlo_first]
        for ext in self.ehlo_extensions:
            if ext.split(" ", 1)[0] in hidden:
                continue
            if "{size_limit}" in ext and not fields.get("size_limit"):
                continue
            items.append(ext)
        texts = [item.format_map(_Cleaned(fields)) for item in items]
        return [f"250-{t}" for t in texts[:-1]] + [f"250 {texts[-1]}"]


class _Cleaned(dict[str, object]):
    """Template fields, sanitised on use; a field nobody filled in is empty."""

    def __getitem__(self, name: str) -> str:
        if name == "arg_lower":
            return clean(self.get("arg", "")).lower()
        return clean(self.get(name, ""))


def now_fields() -> dict[str, str]:
    """The date fields, in the two styles real servers use in their greetings."""
    now = _dt.datetime.now(_dt.timezone.utc)
    return {
        "date": now.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "date_gmt": now.strftime("%a, %d %b %Y %H:%M:%S GMT"),
    }


def _check_template(name: str, key: str, raw: object) -> None:
    """The run-time part of a template's rules: it can be rendered. (Its shape — a reply code
    first — is the schema's rule, tested on every shipped file.)"""
    lines = [raw] if isinstance(raw, str) else raw
    if not isinstance(lines, list) or not lines or not all(isinstance(x, str) for x in lines):
        raise PersonalityError(f"personality {name!r}: {key} must be a string or list of strings")
    for line in lines:
        for _, field_name, _, _ in _FORMATTER.parse(line):
            if field_name is not None and field_name not in FIELDS:
                raise PersonalityError(f"personality {name!r}: {key}: unknown field {field_name!r}")


def _walk(name: str, prefix: str, node: Mapping[str, Any]) -> Iterable[str]:
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            yield from _walk(name, path, value)
        else:
            _check_template(name, path, value)
            yield path


REQUIRED = (
    "greeting",
    "greeting_refused",
    "unknown",
    "empty_line",
    "line_too_long",
    "need_helo",
    "timeout",
    "shutdown",
    "injected",
    "QUIT.ok",
    "NOOP.ok",
    "RSET.ok",
    "HELO.ok",
    "HELO.noarg",
    "EHLO.noarg",
    "MAIL.ok",
    "RCPT.ok",
    "DATA.start",
    "DATA.ok",
    "DATA.size",
    "DATA.full",
)

# Replies after which every server hangs up (the protocol relies on it).
MUST_CLOSE = ("QUIT.ok", "timeout", "shutdown", "greeting_refused")

# What ``LabSMTP.answer_address`` may ask a VRFY/EXPN table for, besides the optional ``nohelo``,
# ``unbalanced``, ``nodomain`` and ``known:<name>`` refinements (each falls back to one of these).
ADDRESS_SITUATIONS = ("noarg", "badsyntax", "remote", "unknown", "known")


def _check_address_tables(name: str, replies: Mapping[str, Any], commands: frozenset[str]) -> None:
    """Every VRFY/EXPN table the lab can consult answers every situation (or has ``any``/``ok``),
    so no argument a client sends can find a personality without words (the lab's 451)."""
    for verb in ("VRFY", "EXPN"):
        table = replies.get(verb)
        if verb not in commands or not isinstance(table, Mapping):
            continue
        for mode in VRFY_POLICIES:
            node = table.get(mode, table.get("*"))
            if not isinstance(node, Mapping) or "any" in node or "ok" in node:
                continue
            missing = [s for s in ADDRESS_SITUATIONS if s not in node]
            if missing:
                where = f"{verb}.{mode if mode in table else '*'}"
                raise PersonalityError(f"personality {name!r}: {where} lacks {', '.join(missing)}")


# The problems ``LabSMTP.mail_problem``/``rcpt_problem`` end their situation lists with (the other
# situations fall back to one of these). Without words for them, ``pick`` would fall back to the
# table's ``ok``: a 250 for a malformed or out-of-order command.
PROBLEM_SITUATIONS = {
    "MAIL": ("nested", "syntax", "param", "full"),
    "RCPT": ("nomail", "syntax", "param"),
}


def _check_problem_tables(
    name: str, replies: Mapping[str, Any], params: Mapping[str, frozenset[str]]
) -> None:
    """Every refusal MAIL/RCPT can give has the personality's words, never the ``ok`` fallback."""
    for verb, situations in PROBLEM_SITUATIONS.items():
        table = replies.get(verb, {})
        needed = [*situations, *(["size"] if "SIZE" in params[verb] else [])]
        missing = [s for s in needed if s not in table]
        if missing:
            raise PersonalityError(f"personality {name!r}: {verb} lacks {', '.join(missing)}")


def _check_option_replies(
    name: str, options: Mapping[str, Any], keys: set[str], closes: frozenset[str]
) -> None:
    """A switch that makes the server refuse something needs the words for it (and a pipelining
    refusal hangs up, as OpenSMTPD does)."""
    needed = []
    if options.get("pipelining") == "refuse":
        needed.append("pipelining")
        if "pipelining" not in closes:
            raise PersonalityError(f"personality {name!r}: 'closes' lacks pipelining")
    if options.get("helo_names"):
        needed += ["HELO.invalid", "EHLO.invalid"]
    missing = [key for key in needed if key not in keys]
    if missing:
        raise PersonalityError(f"personality {name!r} lacks replies: {', '.join(missing)}")


def _build(raw: Mapping[str, Any]) -> Personality:
    name = str(raw["name"])
    replies = raw["replies"]
    keys = set(_walk(name, "", replies))
    missing = [key for key in REQUIRED if key not in keys]
    if missing:
        raise PersonalityError(f"personality {name!r} lacks replies: {', '.join(missing)}")
    closes = frozenset(raw.get("closes", ()))
    unknown = closes - keys
    if unknown:
        raise PersonalityError(f"personality {name!r}: 'closes' names no reply: {sorted(unknown)}")
    stays_open = [key for key in MUST_CLOSE if key not in closes]
    if stays_open:
        raise PersonalityError(f"personality {name!r}: 'closes' lacks {', '.join(stays_open)}")
    default_vrfy = raw.get("default_vrfy", "hide")
    commands = frozenset(raw["commands"])
    if not commands <= COMMANDS:
        extra = sorted(commands - COMMANDS)
        raise PersonalityError(f"personality {name!r}: the lab has no command {extra}")
    _check_address_tables(name, replies, commands)
    mail_params = frozenset(raw.get("mail_params", ("SIZE", "BODY")))
    rcpt_params = frozenset(raw.get("rcpt_params", ()))
    _check_problem_tables(name, replies, {"MAIL": mail_params, "RCPT": rcpt_params})
    _check_option_replies(name, raw.get("options", {}), keys, closes)
    ehlo = raw["ehlo"]
    return Personality(
        name=name,
        title=str(raw["title"]),
        description=str(raw.get("description", "")),
        default_vrfy=default_vrfy,
        size_limit=raw.get("size_limit"),
        line_limit=int(raw.get("line_limit", 512)),
        error_limit=raw.get("error_limit", {}),
        error_sleep=raw.get("error_sleep", {}),
        forbidden=raw.get("forbidden", {}),
        options=raw.get("options", {}),
        mail_params=mail_params,
        rcpt_params=rcpt_params,
        need_helo=frozenset(raw.get("need_helo", ())),
        commands=commands,
        ehlo_first=str(ehlo["first"]),
        ehlo_extensions=tuple(ehlo["extensions"]),
        ehlo_hidden={mode: tuple(v) for mode, v in ehlo.get("hidden", {}).items()},
        replies=replies,
        closes=closes,
        sources=tuple(raw.get("sources", ())),
    )


def names() -> tuple[str, ...]:
    """Every personality shipped in ``data/personalities/``, the default first."""
    found = sorted(
        entry.name[: -len(".json")]
        for entry in data_file("personalities").iterdir()
        if entry.name.endswith(".json")
    )
    return (DEFAULT_PERSONALITY, *(n for n in found if n != DEFAULT_PERSONALITY))


@cache
def load(name: str = DEFAULT_PERSONALITY) -> Personality:
    """The personality called ``name`` (cached: personalities are immutable)."""
    if not isinstance(name, str) or name not in names():
        known = ", ".join(names())
        raise PersonalityError(f"unknown personality {name!r}; choose one of: {known}")
    raw = read_json("personalities", f"{name}.json")
    try:
        return _build(raw)
    except (KeyError, TypeError) as exc:
        raise PersonalityError(f"personality {name!r} is malformed: {exc}") from exc


def all_personalities() -> Sequence[Personality]:
    return tuple(load(n) for n in names())
