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
from typing import Any, cast

from aiosmtpd.smtp import SMTP

from smtplab.server.handler import LabState
from smtplab.server.linger import Linger
from smtplab.server.names import is_valid_helo_name
from smtplab.server.personality import clean
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


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters as Sendmail echoes a long line: head, "...", tail."""
    if len(text) < limit:
        return text
    keep = (limit - 3) // 2
    return f"{text[:keep]}...{text[len(text) - keep :]}"


def split_address(address: str) -> tuple[str, str]:
    local, at, domain = address.rpartition("@")
    return (local, domain) if at else (address, "")


class LabSMTP(SMTP):
    """One connection to the lab server."""

    def __dir__(self) -> list[str]:
        """The public methods the lab's class defines, not the ~170 names it inherits.

        Why: aiosmtpd's ``SMTP.__init__`` scans ``dir(self)`` on every new connection (for
        ``auth_*`` and ``smtp_*`` handlers) and ``getattr``s every name — under load, most of what
        a connection costs. The lab answers every command itself (its own read loop and ``cmd_*``
        methods), so those inherited handlers must not be found anyway.
        """
        return list(_OWN_NAMES)

    def __init__(self, state: LabState, *, loop: asyncio.AbstractEventLoop) -> None:
        personality = state.personality
        # aiosmtpd sizes its stream reader from this attribute; a personality may allow more.
        self.line_length_limit = max(READ_LIMIT, personality.line_limit + 2)
        super().__init__(
            None,  # no aiosmtpd handler hooks: the lab answers every command itself
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
        self.error_count = 0
        self.peer_ip = ""
        self.record: Any = None
        self.linger: Linger | None = None  # set once the lab has hung up
        self.pending = b""  # the rest of a split overlong line (Sendmail): the next command

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
        if self.linger is not None:
            self.linger.close()
        super().connection_lost(error)

    def data_received(self, data: bytes) -> None:
        """After the hang-up nobody reads the stream: input is discarded (see ``linger.py``)."""
        if self.linger is None:
            super().data_received(data)
        else:
            self.linger.discard(data)

    def eof_received(self) -> bool | None:
        if self.linger is None:
            return super().eof_received()
        self.linger.close()  # the client has heard our last words and closed too
        return None

    @property
    def closing(self) -> bool:
        """Whether the lab has hung up (or the connection is gone): nothing more is said."""
        return self.transport is None or self.transport.is_closing() or self.linger is not None

    def quiet_since(self, when: float) -> bool:
        """Whether no input arrived after ``when`` (loop time): closing now loses no reply."""
        return self.linger is None or self.linger.last_input < when

    def close_now(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _stop_idle_timer(self) -> None:
        """Until the next ``_reset_timeout()``: the client is not the one keeping us waiting."""
        if self._timeout_handle is not None:
            self._timeout_handle.cancel()

    def _timeout_cb(self) -> None:
        """aiosmtpd just drops an idle client; real servers say 421 first."""
        self.goodbye("timeout")

    def goodbye(self, key: str) -> None:
        """Say the personality's ``key`` reply (a 421) and hang up, from the server's loop."""
        if self.closing:
            return
        lines = self.personality.render(key, self.fields())
        for line in lines:
            self.record.reply(line)
        self.transport.write(b"".join(line.encode() + b"\r\n" for line in lines))  # type: ignore[union-attr]
        self.hang_up()

    # --- replying --------------------------------------------------------------------------
    def fields(self, **extra: object) -> dict[str, object]:
        fields: dict[str, object] = {
            "hostname": self.state.hostname,
            "helo": self.helo,
            "peer_ip": self.peer_ip,
            "peer_name": "localhost" if self.peer_ip in LOOPBACK else f"[{self.peer_ip}]",
            "size_limit": self.state.advertised_size or "",
        }
        fields.update(extra)
        echo_limit = self.personality.option("echo_limit")
        if echo_limit and "line" in extra:
            fields["line"] = shorten(str(extra["line"]), echo_limit)
        return fields

    async def send_lines(self, lines: Iterable[str]) -> None:
        await self.error_sleep()
        data = bytearray()
        line = ""
        for line in lines:
            self.record.reply(line)
            data += line.encode() + b"\r\n"
        if line[:1] in ("4", "5"):
            self.error_count += 1
        self._writer.write(bytes(data))
        await self._writer.drain()

    async def error_sleep(self) -> None:
        """Postfix: once a session has made ``after`` errors, every reply comes ``seconds`` late
        (smtpd_soft_error_limit, smtpd_error_sleep_time), scaled by the server's option."""
        rule = self.personality.error_sleep
        if not rule or self.error_count < rule["after"]:
            return
        seconds = rule["seconds"] * self.state.error_sleep_scale
        if seconds <= 0:
            return
        self._stop_idle_timer()  # the server is the slow one: the client is not idle
        await asyncio.sleep(seconds)
        self._reset_timeout()

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
        """Stop talking: what was written goes out, then a FIN; the connection lingers, discarding
        input, until the client closes (RFC 5321 §3.8: it must be able to read why)."""
        if self.closing:
            return
        self._stop_idle_timer()
        self.linger = Linger(cast(asyncio.Transport, self.transport), self.loop)
        task = self._handler_coroutine
        if task is not None and task is not asyncio.current_task():
            task.cancel()  # mid-read or mid-delay: it has nothing more to say

    # --- the read loop ---------------------------------------------------------------------
    async def _read_line(self) -> tuple[bytes, bool]:
        """One line and whether it was overlong (then only its first READ_LIMIT bytes are kept)."""
        if self.personality.option("overlong") == "split":
            return await self._read_piece(), False
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

    async def _read_piece(self) -> bytes:
        """Sendmail reads at most ``line_limit`` bytes as one command: the rest of a longer line
        is read as the next command (its own reply), piece by piece."""
        limit = self.personality.line_limit
        if self.pending:
            raw, self.pending = self.pending, b""
        else:
            try:
                raw = await self._reader.readuntil(b"\n")
            except asyncio.LimitOverrunError:
                return await self._reader.readexactly(limit)  # the rest stays in the stream
        if len(raw.rstrip(b"\r\n")) > limit:
            raw, self.pending = raw[:limit], raw[limit:]
        return raw

    def _pipelined(self) -> bool:
        """Whether this server refuses pipelining and more input already waits behind the line
        just read (the stream reader's private buffer: asyncio has no public peek)."""
        if self.personality.option("pipelining") != "refuse":
            return False
        return bool(getattr(self._reader, "_buffer", b""))

    async def _handle_client(self) -> None:
        try:
            self.record.command(None)
            refused = self.state.faults.refuse_greeting
            # "greeting_refused" closes in every personality (the loader checks it).
            await self.reply("greeting_refused" if refused else "greeting")
            while not self.closing:
                raw, overlong = await self._read_line()
                self._reset_timeout()  # the idle timer measures silence, whatever was said
                await self._dispatch(raw, overlong)
        except asyncio.CancelledError:
            if self.linger is None:
                self._writer.close()
            raise
        except (asyncio.IncompleteReadError, ConnectionError):
            self._writer.close()

    def _parse(self, raw: bytes, overlong: bool) -> tuple[str | None, str, str, str]:
        """``(refusal key or None, VERB, argument, line)`` for one command line."""
        line = raw.rstrip(b"\r\n")
        text = line.decode("utf-8", errors="surrogateescape")
        self.record.command(clean(text))
        personality = self.personality
        if overlong or len(line) > personality.line_limit:
            if personality.option("overlong") != "truncate":
                return "line_too_long", "", "", text
            text = line[: personality.line_limit].decode("utf-8", errors="surrogateescape")
        if not text or (personality.option("blank_is_empty") and not text.strip()):
            return "empty_line", "", "", text
        if personality.option("strict_ascii") and not line.isascii():
            return "non_ascii", "", "", text
        stripped = text.strip(" ") if personality.option("blank_is_empty") else text
        verb, _, arg = stripped.partition(" ")
        if not verb.isascii() or not verb.isprintable():
            return ("bad_verb" if personality.template("bad_verb") else "unknown"), verb, arg, text
        verb = verb.upper()
        if personality.is_forbidden(verb):
            return "forbidden", verb, arg.strip(), text
        return None, verb, arg.strip(), text

    async def _dispatch(self, raw: bytes, overlong: bool) -> None:
        refusal, verb, arg, text = self._parse(raw, overlong)
        if self._pipelined():  # OpenSMTPD checks this first, before the line's length
            refusal = "pipelining"
        if refusal is not None:
            await self.reply(refusal, verb=verb, arg=arg, line=text)
            if refusal == "forbidden":
                self.hang_up()
            return
        personality = self.personality
        injection = self.state.faults.take(verb)
        if injection is not None:
            if injection.delay:  # a slow server (tarpit): the reply, or the fault, comes late
                self._stop_idle_timer()  # the server is the slow one: the client is not idle
                await asyncio.sleep(injection.delay)
                self._reset_timeout()
            if injection.code is not None:
                await self.inject(injection.code, injection.enhanced, injection.text)
                return
        command = getattr(self, f"cmd_{verb.lower()}") if verb in personality.commands else None
        if command is None and personality.template(f"fixed.{verb}") is not None:
            command = self.fixed(verb)
        if command is None:
            await self.unknown(verb, arg, text)
            return
        if verb in personality.need_helo and not self.helo:
            await self.reply("need_helo", verb=verb)
            return
        try:
            await command(arg)
        except (asyncio.CancelledError, asyncio.IncompleteReadError, ConnectionError):
            raise
        except Exception:
            log.exception("lab server failed on %r", verb)
            await self.send_lines([INTERNAL_ERROR])
        await self.check_error_limit()

    async def inject(self, code: int, enhanced: str, text: str | None) -> None:
        """A fault scenario's reply (a 421 hangs up, as RFC 5321 §3.8 says it must)."""
        if text is None:
            lines = self.personality.render("injected", self.fields(code=code, enhanced=enhanced))
        else:
            lines = [f"{code} {enhanced} {clean(text)}"]
        await self.send_lines(lines)
        if code == 421:
            self.hang_up()

    async def unknown(self, verb: str, arg: str, text: str) -> None:
        rule = self.personality.error_limit
        if rule.get("counts") == "unknown":
            self.unknown_count += 1
            if rule.get("when") == "instead" and self.unknown_count >= rule["limit"]:
                await self.reply("error_limit", verb=verb, arg=arg, line=text)
                return
        await self.reply("unknown", verb=verb, arg=arg, line=text)
        await self.check_error_limit()

    async def check_error_limit(self) -> None:
        """Postfix-style: once the session has made too many errors, say 421 and hang up."""
        rule = self.personality.error_limit
        if rule.get("when") != "after" or self.closing:
            return
        count = self.error_count if rule.get("counts") == "errors" else self.unknown_count
        if count >= rule["limit"]:
            await self.reply("error_limit")
            self.hang_up()

    def fixed(self, verb: str) -> Command:
        """A command the lab does not implement, answered as the server would refuse it."""

        async def answer(arg: str) -> None:
            prefix = f"fixed.{verb}"
            if isinstance(self.personality.template(prefix), (str, list)):
                await self.reply(prefix, verb=verb, arg=arg)
                return
            situations = ["nohelo"] if not self.helo else ([] if self.extended else ["helo"])
            await self.answer(prefix, [*situations, "arg" if arg else "noarg"], verb=verb, arg=arg)

        return answer

    # --- helpers for the commands ----------------------------------------------------------
    def reset_envelope(self) -> None:
        self.mail_from = None
        self.rcpt_tos = []

    def situations(
        self, address: str, *, expand: bool = False
    ) -> tuple[list[str], dict[str, object]]:
        """What an address is to this server (``nodomain``/``remote``/``known``/``unknown``).

        A known address also tries ``known:<name>`` first (the local part, or with ``expand`` the
        alias target), so a personality can word one mailbox specially (Sendmail's full names).
        """
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
        if target is None:
            return [*found, "unknown"], fields
        return [*found, f"known:{(target if expand else local).lower()}", "known"], fields

    async def answer_address(self, prefix: str, arg: str, *, expand: bool = False) -> str:
        """VRFY / EXPN / RCPT: classify the argument and answer in the personality's words."""
        situations: list[str] = []
        if not self.helo:
            situations.append("nohelo")
        if not arg:
            return await self.answer(prefix, [*situations, "noarg"], arg=arg)
        parsed = parse_address(arg)
        if parsed is None or not parsed[0]:
            unbalanced = ["unbalanced"] if "<" in arg and ">" not in arg else []
            return await self.answer(prefix, [*situations, *unbalanced, "badsyntax"], arg=arg)
        found, fields = self.situations(parsed[0], expand=expand)
        return await self.answer(prefix, [*situations, *found], arg=arg, **fields)

    # --- the commands ----------------------------------------------------------------------
    async def hello(self, verb: str, arg: str, *, extended: bool) -> bool:
        """What HELO and EHLO share: refuse (no name, or a repeat the server refuses) or start
        the session afresh. ``True`` when it started."""
        if not arg:
            await self.reply(f"{verb}.noarg")
            return False
        if self.helo and self.personality.template(f"{verb}.again") is not None:
            await self.reply(f"{verb}.again")
            return False
        rule = self.personality.option("helo_names")
        if rule and not is_valid_helo_name(arg, rule):
            await self.reply(f"{verb}.invalid", arg=arg)
            return False
        self.reset_envelope()
        self.helo, self.extended = arg, extended
        return True

    async def cmd_helo(self, arg: str) -> None:
        if await self.hello("HELO", arg, extended=False):
            await self.reply("HELO.ok", arg=arg)

    async def cmd_ehlo(self, arg: str) -> None:
        if await self.hello("EHLO", arg, extended=True):
            lines = self.personality.ehlo_lines(self.state.vrfy, self.fields(arg=arg))
            await self.send_lines(lines)

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
        topic = f"arg:{arg.upper()}"
        situations = [*([] if self.extended else [f"{topic}:helo"]), topic, "arg"] if arg else []
        by_mode = f"HELP.{self.state.vrfy}"  # Exim lists VRFY/EXPN only when they are on
        prefix = by_mode if self.personality.template(by_mode) is not None else "HELP"
        await self.answer(prefix, [*situations, "ok"], arg=arg)

    async def cmd_vrfy(self, arg: str) -> None:
        await self.answer_address(self.personality.mode_prefix("VRFY", self.state.vrfy), arg)

    async def cmd_expn(self, arg: str) -> None:
        prefix = self.personality.mode_prefix("EXPN", self.state.vrfy)
        await self.answer_address(prefix, arg, expand=True)

    def mail_problem(self, arg: str) -> tuple[list[str], dict[str, object]]:
        """Why ``MAIL <arg>`` cannot start a transaction (``[]``: it can), and reply fields."""
        if self.mail_from is not None:
            return ["nested"], {}
        syntax = ["syntax"] if self.extended else ["syntax_helo", "syntax"]
        match = _MAIL_ARG.match(arg)
        parsed = parse_address(match.group(1)) if match else None
        if match is None:
            return syntax, {}
        if parsed is not None and not parsed[0] and "<>" not in arg:
            return ["empty", *syntax], {}
        if parsed is None:
            return ["badaddr", *syntax], {}
        address, params = parsed
        problem = syntax if params and not self.extended else self.param_problem("MAIL", params)
        if problem:
            return problem, {"address": address, "param": params}
        return (["full"] if self.state.store.full else []), {"address": address}

    def param_problem(self, verb: str, params: str) -> list[str]:
        """The first ESMTP parameter this personality refuses (RFC 1869, RFC 1870 SIZE)."""
        allowed = self.personality.mail_params if verb == "MAIL" else self.personality.rcpt_params
        for param in params.split():
            name, _, value = param.upper().partition("=")
            if name not in allowed:
                return ["param"]
            if name == "BODY" and value not in ("7BIT", "8BITMIME"):
                return ["body", "param"]
            if name == "SMTPUTF8" and self.personality.option("strict_ascii"):
                return ["smtputf8", "param"]
            if name == "SIZE" and value.isdigit() and int(value) > self.state.size_limit:
                return ["size"]
        return []

    async def cmd_mail(self, arg: str) -> None:
        problem, fields = self.mail_problem(arg)
        key = await self.answer("MAIL", problem, arg=arg, **fields)
        if not problem and self.accepted(key):
            self.mail_from = str(fields["address"])

    def rcpt_problem(self, arg: str) -> tuple[list[str], str, str]:
        """Why ``RCPT <arg>`` is refused before looking the address up, the address, params."""
        if self.mail_from is None:
            return ["nomail"], "", ""
        syntax = ["syntax"] if self.extended else ["syntax_helo", "syntax"]
        match = _RCPT_ARG.match(arg)
        if match is None or not match.group(1).strip():
            return syntax, "", ""
        parsed = parse_address(match.group(1))
        if parsed is None or not parsed[0]:
            return ["badaddr", *syntax], "", ""
        address, params = parsed
        if params and not self.extended:
            return syntax, address, params
        problem = self.param_problem("RCPT", params)
        if not problem and len(self.rcpt_tos) >= MAX_RECIPIENTS:
            problem = ["too_many"]
        return problem, address, params

    async def cmd_rcpt(self, arg: str) -> None:
        problem, address, params = self.rcpt_problem(arg)
        if problem == ["too_many"] and self.personality.template("RCPT.too_many") is None:
            await self.send_lines([TOO_MANY_RECIPIENTS])
            return
        if problem:
            await self.answer("RCPT", problem, arg=arg, address=address, param=params)
            return
        found, fields = self.situations(address)
        key = await self.answer("RCPT", [*found, "ok"], arg=arg, **fields)
        if self.accepted(key):
            self.rcpt_tos.append(address)

    async def cmd_data(self, arg: str) -> None:
        if self.mail_from is None and self.personality.template("DATA.nomail"):
            await self.reply("DATA.nomail")
            return
        if not self.rcpt_tos:
            await self.reply("DATA.norcpt")
            return
        if arg and self.personality.template("DATA.arg") is not None:
            await self.reply("DATA.arg", arg=arg)
            return
        # A server without words for "DATA <arg>" ignores the argument (Exim, Sendmail).
        await self.reply("DATA.start")
        content, too_big, long_line = await self._read_data()
        mail_from, rcpt_tos = self.mail_from or "", tuple(self.rcpt_tos)
        self.reset_envelope()
        if self._pipelined():
            await self.reply("pipelining")  # a command sent along with the final "."
            return
        if long_line and self.personality.template("DATA.line_too_long") is not None:
            await self.reply("DATA.line_too_long")
            return
        if too_big:
            await self.reply("DATA.size")
            return
        queue_id = secrets.token_hex(5).upper()
        message = Message(mail_from, rcpt_tos, content, self.peer_ip, queue_id)
        if self.state.store.add(message):
            await self.reply("DATA.ok", queue_id=queue_id)
        else:
            await self.reply("DATA.full")

    async def _read_data(self) -> tuple[bytes, bool, bool]:
        """The message up to the lone "." (dot-unstuffed), whether it was too big, and whether a
        line exceeded RFC 5321's 1000 octets; stops keeping bytes past the size limit."""
        limit = self.state.size_limit
        chunks: list[bytes] = []
        size = 0
        too_big = False
        at_line_start = True
        long_line = False
        while True:
            try:
                chunk = await self._reader.readuntil(b"\n")
            except asyncio.LimitOverrunError as overrun:
                chunk = await self._reader.read(overrun.consumed)
                long_line = True
            self._reset_timeout()  # a slow upload is not an idle client
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
        return b"".join(chunks), too_big, long_line


_OWN_NAMES = tuple(name for name in vars(LabSMTP) if not name.startswith("_"))
