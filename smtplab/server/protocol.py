"""The SMTP conversation, answered in a personality's words.

aiosmtpd's ``SMTP`` class gives us the connection plumbing (stream reader/writer, peer, idle timer,
cancellation on EOF); its command methods push fixed reply strings, so this subclass runs its own
read loop and command methods that decide the *situation* (``"VRFY.reveal.unknown"``) and ask the
personality for the words. Lifecycle (ports, threads) lives in ``listener.py`` / ``lab.py``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiosmtpd.smtp import SMTP

from smtplab.server.handler import LabState
from smtplab.server.personality import clean, now_fields
from smtplab.server.store import Message

log = logging.getLogger("smtplab.server")

# Our own words, for situations no real server has an opinion on.
INTERNAL_ERROR = "451 4.3.0 Error: the lab server failed on this command"
TOO_MANY_RECIPIENTS = "452 4.5.3 Error: too many recipients"
MAX_RECIPIENTS = 1000  # RFC 5321 §4.5.3.1.8 asks for at least 100
READ_LIMIT = 1001  # bytes a command line may take in the reader before it counts as overlong

LOOPBACK = ("127.0.0.1", "::1")
_MAIL_ARG = re.compile(r"^FROM:\s*(.*)$", re.IGNORECASE)
_RCPT_ARG = re.compile(r"^TO:\s*(.*)$", re.IGNORECASE)
_BAD_ADDRESS = re.compile(r"[\s<>()\[\],;:\\\"]")

Command = Callable[[str], Awaitable[None]]


def parse_address(text: str) -> tuple[str, str] | None:
    """``(address, rest)`` from ``<a@b> rest`` or ``a@b rest``; ``None`` when malformed."""
    text = text.strip()
    if text.startswith("<"):
        end = text.find(">")
        if end < 0:
            return None
        address, rest = text[1:end].strip(), text[end + 1 :].strip()
        if address.startswith("@") and ":" in address:  # a source route: keep the mailbox
            address = address.split(":", 1)[1]
    else:
        address, _, rest = text.partition(" ")
    if _BAD_ADDRESS.search(address[address.find("@") + 1 :] if "@" in address else address):
        return None
    return address, rest.strip()


def split_address(address: str) -> tuple[str, str]:
    local, at, domain = address.rpartition("@")
    return (local, domain) if at else (address, "")


class LabSMTP(SMTP):
    """One connection to the lab server."""

    def __init__(self, state: LabState, *, loop: asyncio.AbstractEventLoop) -> None:
        personality = state.personality
        # aiosmtpd sizes its stream reader from this attribute; a personality may allow more.
        self.line_length_limit = max(READ_LIMIT, personality.line_limit + 2)
        super().__init__(
            state,
            hostname=state.hostname,
            ident="smtplab",
            timeout=state.idle_timeout,
            data_size_limit=None,
            enable_SMTPUTF8=True,
            loop=loop,
        )
        self.state = state
        self.personality = personality
        self.helo = ""
        self.extended = False
        self.mail_from: str | None = None
        self.rcpt_tos: list[str] = []
        self.unknown_count = 0
        self.peer_ip = ""
        self.record: Any = None
        self._verbs: dict[str, Command] = {
            "HELO": self.cmd_helo,
            "EHLO": self.cmd_ehlo,
            "NOOP": self.cmd_noop,
            "QUIT": self.cmd_quit,
            "RSET": self.cmd_rset,
            "HELP": self.cmd_help,
            "VRFY": self.cmd_vrfy,
            "EXPN": self.cmd_expn,
            "MAIL": self.cmd_mail,
            "RCPT": self.cmd_rcpt,
            "DATA": self.cmd_data,
        }

    # --- connection lifecycle --------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        self.peer_ip = str(peer[0]) if peer else ""
        self.record = self.state.log.open(f"{peer[0]}:{peer[1]}" if peer else "?")
        self.state.live.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self.state.live.discard(self)
        if self.record is not None:
            self.record.close()
        super().connection_lost(error)

    def _timeout_cb(self) -> None:
        """aiosmtpd just drops an idle client; real servers say 421 first."""
        self.goodbye("timeout")

    def goodbye(self, key: str) -> None:
        """Say the personality's ``key`` reply (a 421) and hang up, from the server's loop."""
        if self.transport is None or self.transport.is_closing():
            return
        lines = self.personality.render(key, self.fields())
        for line in lines:
            self.record.reply(line)
        self.transport.write(b"".join(line.encode() + b"\r\n" for line in lines))  # type: ignore[attr-defined]
        self.transport.close()

    # --- replying --------------------------------------------------------------------------
    def fields(self, **extra: object) -> dict[str, object]:
        fields: dict[str, object] = {
            "hostname": self.state.hostname,
            "helo": self.helo,
            "peer_ip": self.peer_ip,
            "peer_name": "localhost" if self.peer_ip in LOOPBACK else f"[{self.peer_ip}]",
            "size_limit": self.state.advertised_size or "",
            **now_fields(),
        }
        fields.update(extra)
        return fields

    async def send_lines(self, lines: Iterable[str]) -> None:
        data = bytearray()
        for line in lines:
            self.record.reply(line)
            data += line.encode() + b"\r\n"
        self._writer.write(bytes(data))
        await self._writer.drain()

    async def reply(self, key: str, **extra: object) -> None:
        """Send the personality's reply for ``key``; hang up when that reply closes."""
        lines = self.personality.render(key, self.fields(**extra))
        await self.send_lines(lines)
        if self.personality.closes_after(key) or lines[-1].startswith("421"):
            self.hang_up()

    async def answer(self, prefix: str, situations: Iterable[str], **extra: object) -> str:
        """Reply with the first situation the personality words; return the reply's key."""
        key = self.personality.pick(prefix, situations)
        await self.reply(key, **extra)
        return key

    def accepted(self, key: str) -> bool:
        """Whether the reply at ``key`` is a 2xx (the command took effect)."""
        raw = self.personality.template(key)
        return str(raw if isinstance(raw, str) else raw[0]).startswith("2")

    def hang_up(self) -> None:
        if self.transport is not None:
            self.transport.close()

    # --- the read loop ---------------------------------------------------------------------
    async def _read_line(self) -> tuple[bytes, bool]:
        """One line and whether it was overlong (then only its first READ_LIMIT bytes are kept)."""
        try:
            return await self._reader.readuntil(b"\n"), False
        except asyncio.LimitOverrunError as overrun:
            head = await self._reader.read(overrun.consumed)
            while True:
                try:
                    await self._reader.readuntil(b"\n")
                    return head, True
                except asyncio.LimitOverrunError as more:
                    await self._reader.read(more.consumed)

    async def _handle_client(self) -> None:
        try:
            if self.state.faults.refuse_greeting:
                self.record.command(None)
                await self.reply("greeting_refused")
                return
            self.record.command(None)
            await self.reply("greeting")
            while self.transport is not None and not self.transport.is_closing():
                raw, overlong = await self._read_line()
                await self._dispatch(raw, overlong)
        except asyncio.CancelledError:
            self._writer.close()
            raise
        except (asyncio.IncompleteReadError, ConnectionError):
            self._writer.close()

    async def _dispatch(self, raw: bytes, overlong: bool) -> None:
        line = raw.rstrip(b"\r\n")
        text = line.decode("utf-8", errors="surrogateescape")
        self.record.command(clean(text))
        if overlong or len(line) > self.personality.line_limit:
            await self.reply("line_too_long", line=text)
            return
        if not line.strip():
            await self.reply("empty_line")
            return
        verb, _, arg = text.partition(" ")
        if not verb.isascii() or not verb.isprintable():
            await self.reply(
                "bad_verb" if self.personality.template("bad_verb") else "unknown",
                verb=verb,
                line=text,
            )
            return
        verb, arg = verb.upper(), arg.strip()
        injection = self.state.faults.take(verb)
        if injection is not None:
            lines = self.personality.render(
                "injected", self.fields(code=injection.code, enhanced=injection.enhanced)
            )
            if injection.text is not None:
                lines = [f"{injection.code} {injection.enhanced} {clean(injection.text)}"]
            await self.send_lines(lines)
            if injection.code == 421:
                self.hang_up()
            return
        command = self._verbs.get(verb) if verb in self.personality.commands else None
        if command is None:
            fixed = f"fixed.{verb}"
            if self.personality.template(fixed) is not None:
                self._reset_timeout()
                await self.reply(fixed, verb=verb, arg=arg, line=text)
                return
            self.unknown_count += 1
            limit = self.personality.unknown_limit
            key = "unknown_limit" if limit and self.unknown_count >= limit else "unknown"
            await self.reply(key, verb=verb, arg=arg, line=text)
            return
        self._reset_timeout()
        try:
            await command(arg)
        except (asyncio.CancelledError, asyncio.IncompleteReadError, ConnectionError):
            raise
        except Exception:
            log.exception("lab server failed on %r", verb)
            await self.send_lines([INTERNAL_ERROR])

    # --- helpers for the commands ----------------------------------------------------------
    def reset_envelope(self) -> None:
        self.mail_from = None
        self.rcpt_tos = []

    async def needs_helo(self, verb: str) -> bool:
        if verb in self.personality.need_helo and not self.helo:
            await self.reply("need_helo", verb=verb)
            return True
        return False

    def situations(self, address: str) -> tuple[list[str], dict[str, object]]:
        """What an address is to this server (``nodomain``/``remote``/``known``/``unknown``)."""
        local, domain = split_address(address)
        target = self.state.resolve(local)
        fields: dict[str, object] = {
            "address": address,
            "local": local,
            "domain": domain,
            "canonical": f"{local}@{self.state.hostname}",
            "target": target or local,
        }
        found: list[str] = []
        if not domain:
            found.append("nodomain")
        elif not self.state.is_local(domain):
            return [*found, "remote"], fields
        found.append("known" if target is not None else "unknown")
        return found, fields

    async def answer_address(self, prefix: str, arg: str, *, quoted: str | None = None) -> str:
        """VRFY / EXPN / RCPT: classify the argument and answer in the personality's words."""
        situations: list[str] = []
        if not self.helo:
            situations.append("nohelo")
        if quoted is None:
            quoted = arg
        if not quoted:
            return await self.answer(prefix, [*situations, "noarg"], arg=arg)
        parsed = parse_address(quoted)
        if parsed is None or not parsed[0]:
            return await self.answer(prefix, [*situations, "badsyntax"], arg=arg)
        found, fields = self.situations(parsed[0])
        return await self.answer(prefix, [*situations, *found], arg=arg, **fields)

    # --- the commands ----------------------------------------------------------------------
    async def cmd_helo(self, arg: str) -> None:
        if not arg:
            await self.reply("HELO.noarg")
            return
        self.reset_envelope()
        self.helo, self.extended = arg, False
        await self.reply("HELO.ok", arg=arg)

    async def cmd_ehlo(self, arg: str) -> None:
        if not arg:
            await self.reply("EHLO.noarg")
            return
        self.reset_envelope()
        self.helo, self.extended = arg, True
        await self.send_lines(self.personality.ehlo_lines(self.state.vrfy, self.fields(arg=arg)))

    async def cmd_noop(self, arg: str) -> None:
        await self.answer("NOOP", ["arg"] if arg else [], arg=arg)

    async def cmd_quit(self, arg: str) -> None:
        await self.answer("QUIT", ["arg"] if arg else [], arg=arg)
        # "QUIT.ok" is in every personality's closes; "QUIT.arg" only where the server hangs up.

    async def cmd_rset(self, arg: str) -> None:
        key = await self.answer("RSET", ["arg"] if arg else ["ok"], arg=arg)
        if key == "RSET.ok":
            self.reset_envelope()

    async def cmd_help(self, arg: str) -> None:
        situations = [f"arg:{arg.upper()}", "arg"] if arg else []
        await self.answer("HELP", [*situations, "ok"], arg=arg)

    async def cmd_vrfy(self, arg: str) -> None:
        await self.answer_address(self.personality.mode_prefix("VRFY", self.state.vrfy), arg)

    async def cmd_expn(self, arg: str) -> None:
        await self.answer_address(self.personality.mode_prefix("EXPN", self.state.vrfy), arg)

    def mail_problem(self, arg: str) -> tuple[list[str], str]:
        """Why ``MAIL <arg>`` cannot start a transaction (``[]``: it can), and the sender."""
        if self.mail_from is not None:
            return ["nested"], ""
        syntax = ["syntax"] if self.extended else ["syntax_helo", "syntax"]
        match = _MAIL_ARG.match(arg)
        if match is None:
            return syntax, ""
        parsed = parse_address(match.group(1))
        if parsed is None:
            return ["badaddr", *syntax], ""
        address, params = parsed
        if params and not self.extended:
            return syntax, address
        if self.declared_too_big(params):
            return ["size"], address
        return (["full"] if self.state.store.full else []), address

    def declared_too_big(self, params: str) -> bool:
        """Whether a ``SIZE=`` parameter (RFC 1870) already exceeds the size limit."""
        for param in params.upper().split():
            name, _, value = param.partition("=")
            if name == "SIZE" and value.isdigit() and int(value) > self.state.size_limit:
                return True
        return False

    async def cmd_mail(self, arg: str) -> None:
        if await self.needs_helo("MAIL"):
            return
        problem, address = self.mail_problem(arg)
        key = await self.answer("MAIL", problem, arg=arg, address=address)
        if not problem and self.accepted(key):
            self.mail_from = address

    async def cmd_rcpt(self, arg: str) -> None:
        if await self.needs_helo("RCPT"):
            return
        if self.mail_from is None:
            await self.answer("RCPT", ["nomail"], arg=arg)
            return
        syntax = ["syntax"] if self.extended else ["syntax_helo", "syntax"]
        match = _RCPT_ARG.match(arg)
        if match is None or not match.group(1).strip():
            await self.answer("RCPT", syntax, arg=arg)
            return
        parsed = parse_address(match.group(1))
        if parsed is None or not parsed[0]:
            await self.answer("RCPT", ["badaddr", *syntax], arg=arg)
            return
        if len(self.rcpt_tos) >= MAX_RECIPIENTS:
            await self.send_lines([TOO_MANY_RECIPIENTS])
            return
        found, fields = self.situations(parsed[0])
        key = await self.answer("RCPT", [*found, "ok"], arg=arg, **fields)
        if self.accepted(key):
            self.rcpt_tos.append(parsed[0])

    async def cmd_data(self, arg: str) -> None:
        if await self.needs_helo("DATA"):
            return
        if self.mail_from is None and self.personality.template("DATA.nomail"):
            await self.reply("DATA.nomail")
            return
        if not self.rcpt_tos:
            await self.reply("DATA.norcpt")
            return
        if arg:
            await self.answer("DATA", ["arg"], arg=arg)
            return
        await self.reply("DATA.start")
        content, too_big = await self._read_data()
        mail_from, rcpt_tos = self.mail_from or "", tuple(self.rcpt_tos)
        self.reset_envelope()
        if too_big:
            await self.reply("DATA.size")
            return
        queue_id = secrets.token_hex(5).upper()
        message = Message(mail_from, rcpt_tos, content, self.peer_ip, queue_id)
        if self.state.store.add(message):
            await self.reply("DATA.ok", queue_id=queue_id)
        else:
            await self.reply("DATA.full")

    async def _read_data(self) -> tuple[bytes, bool]:
        """The message up to the lone ".", dot-unstuffed; stops keeping bytes past the limit."""
        limit = self.state.size_limit
        chunks: list[bytes] = []
        size = 0
        too_big = False
        at_line_start = True
        while True:
            try:
                chunk = await self._reader.readuntil(b"\n")
            except asyncio.LimitOverrunError as overrun:
                chunk = await self._reader.read(overrun.consumed)
            if at_line_start and chunk in (b".\r\n", b".\n"):
                break
            if at_line_start and chunk.startswith(b"."):
                chunk = chunk[1:]
            at_line_start = chunk.endswith(b"\n")
            size += len(chunk)
            if size > limit:
                too_big = True
                chunks.clear()
            elif not too_big:
                chunks.append(chunk)
        return b"".join(chunks), too_big
