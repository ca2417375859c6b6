"""``LabServer``: the lifecycle of one in-process SMTP server (start, stop, restart, options).

Protocol behaviour lives in ``protocol.py`` and the personality data; this module only owns the
socket, the server thread and the things a learner inspects (messages, log, live settings).
"""

from __future__ import annotations

import asyncio
import atexit
import ipaddress
import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from smtplab.errors import ServerError, ServerNotRunningError
from smtplab.jupyterlite import require_sockets
from smtplab.server.handler import LabState, check_vrfy
from smtplab.server.listener import DEFAULT_BACKLOG, LabController, bind_socket
from smtplab.server.log import DEFAULT_MAX_SESSIONS, SessionLog, SessionRecord
from smtplab.server.personality import DEFAULT_PERSONALITY, Personality, load
from smtplab.server.scenarios import Injection
from smtplab.server.store import (
    DEFAULT_MAX_MESSAGE_SIZE,
    DEFAULT_MAX_MESSAGES,
    Message,
    MessageStore,
)

if TYPE_CHECKING:
    from smtplab.session import Session

DEFAULT_HOST = "127.0.0.1"
DEFAULT_HOSTNAME = "lab.example.test"
DEFAULT_IDLE_TIMEOUT = 300.0  # RFC 5321 §4.5.3.2.7: a server should wait at least 5 minutes

_running: weakref.WeakSet[LabServer] = weakref.WeakSet()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LabServer:
    """A real aiosmtpd server in its own thread, answering as a chosen personality.

    ``port=0`` (the default) takes a free port. Calling :meth:`start` on a running server is a
    no-op (re-running a notebook cell must not fail); a stopped server starts again on request,
    on the same port when it was given explicitly, else on a fresh free port.

    ``error_sleep_scale`` (0 to 1) scales a personality's own delays (Postfix's 1 s per reply
    once a session has made 10 errors): 1 is the real server, a smaller value keeps tests fast.
    """

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = 0,
        *,
        hostname: str = DEFAULT_HOSTNAME,
        personality: str = DEFAULT_PERSONALITY,
        vrfy: str | None = None,
        mailboxes: Iterable[str] = (),
        aliases: Mapping[str, str] | None = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_message_size: int | None = None,
        max_messages: int = DEFAULT_MAX_MESSAGES,
        max_log_sessions: int = DEFAULT_MAX_SESSIONS,
        backlog: int = DEFAULT_BACKLOG,
        error_sleep_scale: float = 1.0,
    ) -> None:
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ServerError(f"port must be 0 (any free port) or 1-65535, not {port!r}")
        if idle_timeout <= 0:
            raise ServerError(f"idle_timeout must be positive, not {idle_timeout!r}")
        if not isinstance(error_sleep_scale, (int, float)) or not 0 <= error_sleep_scale <= 1:
            raise ServerError(f"error_sleep_scale must be 0 to 1, not {error_sleep_scale!r}")
        if not hostname or any(c.isspace() for c in hostname):
            raise ServerError(f"hostname must be one word, not {hostname!r}")
        self.host = host
        self._requested_port = port
        self._port = port
        self.hostname = hostname
        self.personality: Personality = load(personality)
        if vrfy is not None:
            check_vrfy(vrfy)
        self.mailboxes = tuple(mailboxes)
        self.aliases = dict(aliases or {})
        self.idle_timeout = float(idle_timeout)
        self.backlog = backlog
        self._max_message_size = max_message_size
        size = max_message_size or self.personality.size_limit or DEFAULT_MAX_MESSAGE_SIZE
        try:
            self.store = MessageStore(max_messages, size)
        except ValueError as exc:
            raise ServerError(str(exc)) from None
        self._log = SessionLog(max_log_sessions)
        self._state = LabState(
            personality=self.personality,
            hostname=hostname,
            vrfy=vrfy,
            mailboxes=self.mailboxes,
            aliases=self.aliases,
            store=self.store,
            log=self._log,
            idle_timeout=self.idle_timeout,
            size_limit=size,
            advertised_size=max_message_size or self.personality.size_limit,
            error_sleep_scale=float(error_sleep_scale),
        )
        self._controller: LabController | None = None
        self._lock = threading.Lock()

    # --- lifecycle -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def port(self) -> int:
        """The port the server listens on (the free port picked at start when 0 was asked)."""
        return self._port

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The server's own event loop (lab sessions may run on it: no cross-thread hops)."""
        if self._controller is None:
            raise ServerNotRunningError("the lab server is not running; call start() first")
        loop: asyncio.AbstractEventLoop = self._controller.loop
        return loop

    def start(self) -> LabServer:
        """Start listening; a no-op when already running. Returns ``self`` for chaining."""
        with self._lock:
            if self._controller is not None:
                return self
            require_sockets()  # JupyterLite: one clear sentence instead of a late socket error
            try:
                sock = bind_socket(self.host, self._requested_port, self.backlog)
            except OSError as exc:
                raise ServerError(
                    f"cannot listen on {self.host}:{self._requested_port}: {exc.strerror or exc}"
                ) from None
            controller = LabController(self._state, sock, backlog=self.backlog)
            try:
                controller.start()
            except BaseException as exc:
                controller.stop(no_assert=True)
                sock.close()
                raise ServerError(f"the lab server failed to start: {exc}") from exc
            self._port = sock.getsockname()[1]
            self._controller = controller
            _running.add(self)
            return self

    def stop(self) -> None:
        """Tell connected clients 421, stop listening, end the thread. Safe to call twice."""
        with self._lock:
            controller, self._controller = self._controller, None
            _running.discard(self)
            if controller is None:
                return
            if controller.loop.is_running():
                future = asyncio.run_coroutine_threadsafe(controller.say_goodbye(), controller.loop)
                try:
                    future.result(timeout=1.0)
                except Exception:  # a stuck goodbye must not block stop()
                    future.cancel()
            controller.stop(no_assert=True)
            if self._requested_port == 0:
                self._port = 0

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"listening on {self.host}:{self.port}" if self.running else "stopped"
        return f"<LabServer {self.personality.name} {self.hostname} {state}>"

    # --- talking to it ---------------------------------------------------------------------
    def connect(self, **kwargs: Any) -> Session:
        """A :class:`smtplab.session.Session` with this server (its 220 already received)."""
        from smtplab.session import connect  # noqa: PLC0415 - the client side loads on demand

        if self._controller is None:
            raise ServerNotRunningError("the lab server is not running; call start() first")
        kwargs.setdefault("loop", self.loop)
        return connect(self.host, self.port, **kwargs)

    # --- what the learner inspects and changes ---------------------------------------------
    @property
    def messages(self) -> tuple[Message, ...]:
        """Every message accepted with 250, oldest first."""
        return self.store.snapshot()

    @property
    def log(self) -> tuple[SessionRecord, ...]:
        """The server's record of recent sessions, oldest first."""
        return self._log.records()

    @property
    def vrfy(self) -> str:
        """The VRFY policy: ``hide`` (252), ``reveal`` (answer from the mailboxes), ``disabled``."""
        return self._state.vrfy

    @vrfy.setter
    def vrfy(self, policy: str) -> None:
        self._state.vrfy = policy

    def set_personality(self, name: str) -> None:
        """Answer as ``name`` from the next connection on (open ones keep their voice)."""
        personality = load(name)
        self.personality = personality
        self._state.personality = personality
        if self._max_message_size is None:  # EHLO SIZE follows the server unless set explicitly
            self._state.advertised_size = personality.size_limit

    @property
    def connected(self) -> int:
        """How many clients are connected right now."""
        return len(self._state.live)

    def inject(
        self,
        command: str,
        code: int | None = None,
        *,
        times: int | None = None,
        text: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``times`` uses of ``command`` (``None``: until cleared) with ``code``.

        ``delay`` (seconds, at most 30) makes the server wait before answering: with a ``code``,
        a slow failure; without, the real reply, late (a tarpit; in-flight clicks in a widget).
        """
        try:
            self._state.faults.inject(command, code, times=times, text=text, delay=delay)
        except ValueError as exc:
            raise ServerError(str(exc)) from None

    @property
    def injections(self) -> tuple[Injection, ...]:
        return self._state.faults.active()

    @property
    def refuse_connections(self) -> bool:
        """When true, new connections get the personality's 554 greeting and are closed."""
        return self._state.faults.refuse_greeting

    @refuse_connections.setter
    def refuse_connections(self, value: bool) -> None:
        self._state.faults.refuse_greeting = bool(value)

    def clear_faults(self, command: str | None = None) -> None:
        self._state.faults.clear(command)


@atexit.register
def _stop_all() -> None:
    """Servers stop at interpreter exit (their clients hear 421, the port is released)."""
    for server in list(_running):
        server.stop()
