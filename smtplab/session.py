"""One SMTP conversation over aiosmtplib, with a blocking API that is safe inside Jupyter.

Why a loop of our own: ipykernel already runs an asyncio loop on the main thread, so a widget
callback can neither ``asyncio.run`` nor block on a coroutine scheduled on that same loop. Every
session therefore lives on an event loop running in *another* thread (the lab server's own loop
when it is a lab session, else one shared ``smtplab-client`` thread). The sync methods submit a
coroutine there and wait on a ``concurrent.futures`` result with a timeout; the ``a*`` twins await
the same coroutine from any loop. Either way, every wait is bounded: no hangs.

``send()`` sends a raw line and returns the reply as it is, 4xx and 5xx included (aiosmtplib's
``execute_command``): a learner wants to *see* the 502, not catch an exception. What the server
says on its own between commands (the 421 of an idle timeout or a shutdown) is recorded too, and
quoted when the next ``send()`` finds the connection closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Generic, TypeVar

import aiosmtplib
from aiosmtplib.protocol import SMTPProtocol

from smtplab.client_protocol import ClientProtocol
from smtplab.errors import (
    BadCommandError,
    CommandTimeoutError,
    ConnectError,
    SessionClosedError,
    SessionError,
)
from smtplab.jupyterlite import require_sockets
from smtplab.reply import Reply
from smtplab.transcript import Exchange, Transcript, utcnow

__all__ = ["CLIENT_HOSTNAME", "DEFAULT_TIMEOUT", "Session", "aconnect", "connect"]

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_TIMEOUT = 10.0
# The name our EHLO/HELO announce: stable across machines, and no getfqdn() lookup that can stall.
CLIENT_HOSTNAME = "client.example.test"
# RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF.
MAX_COMMAND_OCTETS = 510
# Even a deliberately overlong line stays bounded.
MAX_OVERLONG_OCTETS = 65_536
# Extra time a blocking caller waits beyond the session timeout, so that aiosmtplib's own
# timeout (which closes the connection cleanly) fires first.
_GRACE = 1.0
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --- the shared client loop --------------------------------------------------------------------
_loop_lock = threading.Lock()
_client_loop: asyncio.AbstractEventLoop | None = None


def client_loop() -> asyncio.AbstractEventLoop:
    """The event loop (in daemon thread ``smtplab-client``) that non-lab sessions run on."""
    global _client_loop  # noqa: PLW0603 - one lazily started loop per process
    with _loop_lock:
        if _client_loop is None or not _client_loop.is_running():
            loop = asyncio.new_event_loop()
            started = threading.Event()
            loop.call_soon(started.set)
            threading.Thread(target=loop.run_forever, name="smtplab-client", daemon=True).start()
            started.wait(DEFAULT_TIMEOUT)
            _client_loop = loop
        return _client_loop


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# --- the session -------------------------------------------------------------------------------
class Session:
    """A conversation with one SMTP server; the 220 greeting is its first exchange.

    Build it with :func:`connect` (or ``lab.connect()``), not directly: the constructor does not
    touch the network.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        local_hostname: str = CLIENT_HOSTNAME,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        require_sockets()  # JupyterLite: one clear sentence instead of a late socket error
        if timeout <= 0:
            raise SessionError(f"timeout must be positive, not {timeout!r}")
        self.host = host
        self.port = port
        self.timeout = timeout
        self.local_hostname = local_hostname
        self._loop = loop if loop is not None else client_loop()
        self._protocol: ClientProtocol | None = None
        self._transcript = Transcript(host, port)
        self._opened = False
        self._in_flight = False  # a command awaits its reply (only touched on the loop)
        self._unsolicited: list[Reply] = []
        self._closed_reason: str | None = None

    # --- state ---------------------------------------------------------------------------
    @property
    def transcript(self) -> Transcript:
        """Everything said so far (live: it grows as the session goes on)."""
        return self._transcript

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop this session's I/O runs on."""
        return self._loop

    @property
    def closed(self) -> bool:
        return self._closed_reason is not None

    @property
    def closed_reason(self) -> str | None:
        """Why the conversation ended, in words (None while it is open); quotes the server's
        parting reply when it said one on its own, e.g. the 421 of an idle timeout."""
        return self._closed_reason

    @property
    def unsolicited(self) -> tuple[Reply, ...]:
        """Replies the server sent while no command was waiting (RFC 5321 §3.8: a 421 before it
        closes), oldest first; each is also in the transcript, with ``sent=None``."""
        return tuple(self._unsolicited)

    @property
    def last_reply(self) -> Reply | None:
        """The newest reply in the transcript, solicited or not: what a view explains next."""
        for exchange in reversed(self._transcript.exchanges):
            if exchange.reply is not None:
                return exchange.reply
        return None

    def __repr__(self) -> str:
        state = f"closed: {self._closed_reason}" if self._closed_reason else "open"
        return f"<Session {self.host}:{self.port} {state}, {len(self._transcript)} exchanges>"

    def _repr_html_(self) -> str:
        return self._transcript.to_html()

    # --- the coroutines (run on self._loop) ----------------------------------------------
    async def _open(self) -> Reply:
        if self._opened:
            raise SessionError("this session is already connected")
        self._opened = True
        started, clock = utcnow(), time.perf_counter()
        protocol = ClientProtocol(self._loop, on_unsolicited=self._heard, on_lost=self._lost)
        self._protocol = protocol
        where = f"{self.host}:{self.port}"
        try:
            await asyncio.wait_for(
                self._loop.create_connection(lambda: protocol, self.host, self.port),
                self.timeout,
            )
            response = await protocol.read_response(timeout=self.timeout)
        except (OSError, asyncio.TimeoutError, aiosmtplib.SMTPException) as exc:
            self._close("the connection could not be opened")
            raise ConnectError(
                f"cannot connect to an SMTP server at {where}: {_connect_failure(exc, self)}"
            ) from None
        reply = Reply.from_response(response, elapsed=time.perf_counter() - clock)
        self._transcript.record(Exchange(None, reply, None, started, utcnow()))
        if reply.code != 220:  # RFC 5321 §3.1: 554 (or 421) instead of 220 refuses the session
            self._close(f"the server refused the session with {reply.code} on connect")
            raise ConnectError(f"{where} greeted with {reply}")
        return reply

    def _heard(self, item: Reply | str) -> None:
        """What the server said on its own (on the loop's thread): record it; a 421 ends it."""
        now = utcnow()
        if isinstance(item, str):
            self._transcript.record(Exchange(None, None, item, now, now))
            return
        self._transcript.record(Exchange(None, item, None, now, now))
        self._unsolicited.append(item)
        if item.code == 421:
            self._close(_parting(item))

    def _lost(self, protocol: SMTPProtocol) -> None:
        """The connection dropped (loop thread); a command in flight words its own reason."""
        if not self._in_flight and self._closed_reason is None:
            said = self._unsolicited[-1] if self._unsolicited else None
            self._closed_reason = (
                _parting(said) if said is not None else "the server closed the connection"
            )

    async def _execute(self, line: str, data: bytes) -> Reply:
        if self._closed_reason is not None:
            raise SessionClosedError(f"cannot send {line!r}: {self._closed_reason}")
        protocol = self._protocol
        if protocol is None or not protocol.is_connected:
            self._close("the server closed the connection")
            raise SessionClosedError(f"cannot send {line!r}: {self._closed_reason}")
        started, clock = utcnow(), time.perf_counter()
        self._in_flight = True
        try:
            response = await protocol.execute_command(data, timeout=self.timeout)
        except aiosmtplib.SMTPTimeoutError:
            error = f"no reply within {self.timeout:g} s"
            self._fail(line, error, started, "the client gave up waiting and closed the connection")
            raise CommandTimeoutError(
                f"{error} to {line!r}; the connection is closed (a late reply could not be told "
                "apart from the next one)"
            ) from None
        except aiosmtplib.SMTPServerDisconnected:
            self._fail(
                line,
                "the server closed the connection without a reply",
                started,
                f"the server closed the connection without replying to {line!r}",
            )
            raise SessionClosedError(str(self._closed_reason)) from None
        except aiosmtplib.SMTPException as exc:  # a reply that is not SMTP (or far too long)
            self._fail(
                line,
                f"unreadable reply: {exc}",
                started,
                "the server's reply was not valid SMTP, so the client hung up",
            )
            raise SessionError(f"the reply to {line!r} was not valid SMTP: {exc}") from None
        finally:
            self._in_flight = False
        elapsed = time.perf_counter() - clock
        reply = Reply.from_response(response, elapsed=elapsed)
        finished = started + timedelta(seconds=elapsed)  # one clock read less per command
        self._transcript.record(Exchange(line, reply, None, started, finished))
        if reply.code in (221, 421):
            self._close(f"the server closed the connection after {reply.code}")
        return reply

    def _fail(self, line: str, error: str, started: datetime, reason: str) -> None:
        self._transcript.record(Exchange(line, None, error, started, utcnow()))
        self._close(reason)

    def _close(self, reason: str) -> None:
        """Mark the session over and drop the connection (on the loop's thread: asyncio is not
        thread-safe)."""
        if self._closed_reason is None:
            self._closed_reason = reason
        if self._protocol is None:
            return
        if _running_loop() is self._loop:
            self._hang_up()
        elif self._loop.is_running():
            self._loop.call_soon_threadsafe(self._hang_up)

    def _hang_up(self) -> None:
        transport = None if self._protocol is None else self._protocol.transport
        if transport is not None and not transport.is_closing():
            transport.close()

    async def _aclose_on_loop(self) -> None:
        self._close("the client closed the session")

    # --- running coroutines from any thread ----------------------------------------------
    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Block the calling thread (never the session's loop) until ``coro`` finishes."""
        if _running_loop() is self._loop:
            coro.close()
            raise SessionError(
                "the blocking API cannot run on the session's own event loop; "
                "use the async twin instead, e.g. `await session.asend(...)`"
            )
        call = _Call(coro)
        self._submit(lambda: self._loop.call_soon_threadsafe(call.begin), coro)
        if not call.wait(self.timeout + _GRACE):
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(call.cancel)
            self._close("the client gave up waiting and closed the connection")
            raise CommandTimeoutError(f"no reply within {self.timeout:g} s") from None
        if call.cancelled:
            self._closed_reason = self._closed_reason or "the server's event loop stopped"
            raise SessionClosedError(self._closed_reason)
        return call.outcome()

    async def _arun(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on the session's loop from whatever loop the caller is on."""
        if _running_loop() is self._loop:
            return await coro
        future = asyncio.wrap_future(
            self._submit(lambda: asyncio.run_coroutine_threadsafe(coro, self._loop), coro)
        )
        try:
            return await asyncio.wait_for(future, self.timeout + _GRACE)
        except asyncio.TimeoutError:
            self._close("the client gave up waiting and closed the connection")
            raise CommandTimeoutError(f"no reply within {self.timeout:g} s") from None
        except asyncio.CancelledError:
            if future.cancelled() and not _current_task_cancelling():
                self._closed_reason = self._closed_reason or "the server's event loop stopped"
                raise SessionClosedError(self._closed_reason) from None
            raise

    def _submit(self, start: Callable[[], R], coro: Coroutine[Any, Any, T]) -> R:
        """Run ``start`` (which hands ``coro`` to the loop) unless the loop is gone."""
        if not self._loop.is_closed() and self._loop.is_running():
            with contextlib.suppress(RuntimeError):  # closed between the check and the call
                return start()
        coro.close()
        self._closed_reason = self._closed_reason or "the server's event loop has stopped"
        raise SessionClosedError(self._closed_reason)

    # --- public API: sync ----------------------------------------------------------------
    def open(self) -> Reply:
        """Connect and read the greeting (what :func:`connect` does for you)."""
        return self._run(self._open())

    def send(self, line: str, *, allow_overlong: bool = False) -> Reply:
        """Send one command line exactly as typed and return the server's reply, whatever it is.

        ``allow_overlong=True`` lets a line longer than RFC 5321's 512 octets through, to see what
        the server does with it.
        """
        data = check_line(line, allow_overlong=allow_overlong)
        return self._run(self._execute(line, data))

    def ehlo(self, name: str | None = None) -> Reply:
        return self.send(_join("EHLO", name or self.local_hostname))

    def helo(self, name: str | None = None) -> Reply:
        return self.send(_join("HELO", name or self.local_hostname))

    def vrfy(self, address: str) -> Reply:
        return self.send(_join("VRFY", address))

    def expn(self, name: str) -> Reply:
        return self.send(_join("EXPN", name))

    def help(self, topic: str = "") -> Reply:
        return self.send(_join("HELP", topic))

    def noop(self) -> Reply:
        return self.send("NOOP")

    def rset(self) -> Reply:
        return self.send("RSET")

    def quit(self) -> Reply:
        return self.send("QUIT")

    def close(self) -> None:
        """Hang up without QUIT (a server sees the connection drop)."""
        if not self._loop.is_closed() and self._loop.is_running():
            self._run(self._aclose_on_loop())
        else:
            self._closed_reason = self._closed_reason or "the client closed the session"

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.closed:
            with contextlib.suppress(SessionError):
                self.quit()
        self.close()

    # --- public API: async ---------------------------------------------------------------
    async def aopen(self) -> Reply:
        return await self._arun(self._open())

    async def asend(self, line: str, *, allow_overlong: bool = False) -> Reply:
        data = check_line(line, allow_overlong=allow_overlong)
        return await self._arun(self._execute(line, data))

    async def aehlo(self, name: str | None = None) -> Reply:
        return await self.asend(_join("EHLO", name or self.local_hostname))

    async def ahelo(self, name: str | None = None) -> Reply:
        return await self.asend(_join("HELO", name or self.local_hostname))

    async def avrfy(self, address: str) -> Reply:
        return await self.asend(_join("VRFY", address))

    async def aexpn(self, name: str) -> Reply:
        return await self.asend(_join("EXPN", name))

    async def ahelp(self, topic: str = "") -> Reply:
        return await self.asend(_join("HELP", topic))

    async def anoop(self) -> Reply:
        return await self.asend("NOOP")

    async def arset(self) -> Reply:
        return await self.asend("RSET")

    async def aquit(self) -> Reply:
        return await self.asend("QUIT")

    async def aclose(self) -> None:
        if not self._loop.is_closed() and self._loop.is_running():
            await self._arun(self._aclose_on_loop())
        else:
            self._closed_reason = self._closed_reason or "the client closed the session"

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.closed:
            with contextlib.suppress(SessionError):
                await self.aquit()
        await self.aclose()


class _Call(Generic[T]):
    """One coroutine run on the session's loop for a thread that blocks until it is done.

    Why not ``run_coroutine_threadsafe(...).result()``: its concurrent Future wakes the caller
    through a Condition, and only from a done-callback one loop turn after the task ends. Here
    the task hands its result over itself and wakes the caller with one plain lock (measured on
    the team VM: an empty hop ≈ 240 µs → ≈ 110 µs).
    """

    __slots__ = ("_coro", "_done", "_error", "_result", "_task", "cancelled")

    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        self._coro = coro
        self._done = threading.Lock()
        self._done.acquire()  # released once, by the loop, when the coroutine is over
        self._result: T | None = None
        self._error: Exception | None = None
        self._task: asyncio.Task[None] | None = None
        self.cancelled = False

    def wait(self, timeout: float) -> bool:
        return self._done.acquire(timeout=timeout)

    def outcome(self) -> T:
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]  # set when no error was raised

    def cancel(self) -> None:
        """Stop waiting for the coroutine (on the loop's thread)."""
        if self._task is not None:
            self._task.cancel()
        else:
            self._coro.close()

    def begin(self) -> None:
        """Start the coroutine as a task (on the loop's thread)."""
        self._task = asyncio.get_running_loop().create_task(self._main())

    async def _main(self) -> None:
        try:
            self._result = await self._coro
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        except Exception as exc:  # handed to the caller, who raises it on its own thread
            self._error = exc
        finally:
            self._done.release()


def _parting(reply: Reply) -> str:
    return f"the server said {reply.lines[0]!r} and closed the connection"


def _connect_failure(exc: BaseException, session: Session) -> str:
    if isinstance(exc, asyncio.TimeoutError | aiosmtplib.SMTPTimeoutError):
        return f"no connection and greeting within {session.timeout:g} s"
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected):
        return "the server closed the connection without a greeting"
    return str(exc)


def _current_task_cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and bool(getattr(task, "cancelling", lambda: 0)())


def _join(verb: str, argument: str) -> str:
    return f"{verb} {argument}" if argument else verb


def check_line(line: object, *, allow_overlong: bool = False) -> bytes:
    """The octets to send for ``line`` (CRLF is added later), or a :class:`BadCommandError`."""
    if not isinstance(line, str):
        raise BadCommandError(f"a command is text, not {type(line).__name__}")
    if not line.strip():
        raise BadCommandError("an empty line is not a command; try e.g. 'NOOP'")
    if "\r" in line or "\n" in line:
        raise BadCommandError(
            "a command is a single line: it cannot contain CR or LF (the client ends it with CRLF)"
        )
    control = _CONTROL.search(line)
    if control:
        raise BadCommandError(
            f"the line contains the control character U+{ord(control.group()):04X}, which "
            "aiosmtplib refuses to send; use a raw socket to see how a server handles it"
        )
    try:
        data = line.encode("utf-8")
    except UnicodeEncodeError:
        raise BadCommandError("the line is not valid Unicode text") from None
    limit = MAX_OVERLONG_OCTETS if allow_overlong else MAX_COMMAND_OCTETS
    if len(data) > limit:
        hint = (
            f"smtplab sends at most {MAX_OVERLONG_OCTETS} octets"
            if allow_overlong
            else "pass allow_overlong=True to send it anyway and see how the server reacts"
        )
        raise BadCommandError(
            f"the line is {len(data)} octets; RFC 5321 §4.5.3.1.4 allows {MAX_COMMAND_OCTETS} "
            f"plus CRLF ({hint})"
        )
    return data


# --- opening sessions --------------------------------------------------------------------------
def connect(
    host: str,
    port: int,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    local_hostname: str = CLIENT_HOSTNAME,
    loop: asyncio.AbstractEventLoop | None = None,
) -> Session:
    """Open a session with the SMTP server at ``host:port`` (any server: say which, explicitly).

    ``loop`` is the event loop (running in another thread) to do the I/O on; the lab server
    passes its own, so client and server share a thread. By default a shared client thread.
    """
    session = Session(host, port, timeout=timeout, local_hostname=local_hostname, loop=loop)
    session.open()
    return session


async def aconnect(
    host: str,
    port: int,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    local_hostname: str = CLIENT_HOSTNAME,
    loop: asyncio.AbstractEventLoop | None = None,
) -> Session:
    """:func:`connect` for ``await``."""
    session = Session(host, port, timeout=timeout, local_hostname=local_hostname, loop=loop)
    await session.aopen()
    return session
