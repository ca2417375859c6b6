"""The state behind the widgets, as plain Python: no ipywidgets here.

Why a separate layer: a widget class should only lay out controls and link them to a model (the
pattern of the jupyter-widgets tutorial). Everything that can go wrong — a stopped server, a
timeout, a bad command line, a bug — is caught *here* and turned into a :class:`Notice`, so it
can be tested headless and shown in the widget instead of vanishing into Jupyter's log console.
The SMTP itself is :class:`smtplab.session.Session`'s job; the words are the catalog's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from smtplab import i18n
from smtplab.errors import SmtplabError

if TYPE_CHECKING:
    from smtplab.catalog import BasicCode, Card, EnhancedCode
    from smtplab.comparison import Comparison
    from smtplab.reply import Reply
    from smtplab.server import LabServer
    from smtplab.session import Session
    from smtplab.transcript import Transcript

__all__ = [
    "BrowserModel",
    "CompareModel",
    "ConsoleModel",
    "Notice",
    "guarded",
]

#: Seconds a Console waits for a reply: short enough that a hung server is noticed quickly.
CONSOLE_TIMEOUT = 5.0
#: The buttons of a Console, in display order; each maps to a Session method of the same name.
VERBS: tuple[str, ...] = ("EHLO", "NOOP", "RSET", "HELP", "VRFY", "EXPN", "QUIT")
#: Verbs whose button sends the text box's value as the argument.
VERBS_WITH_ARGUMENT = frozenset({"VRFY", "EXPN"})  # HELP <topic>: use the command line
#: The pseudo-verb of the free command line.
LINE = "LINE"

NoticeKind = Literal["info", "busy", "error"]


@dataclass(frozen=True)
class Notice:
    """A message for the learner inside the widget; ``kind`` picks its colour."""

    kind: NoticeKind
    text: str


def describe_error(exc: BaseException) -> Notice:
    """A one-line message for any exception: ours say what happened, anything else is a bug."""
    if isinstance(exc, SmtplabError):
        return Notice("error", str(exc))
    return Notice(
        "error",
        f"Unexpected error ({type(exc).__name__}: {exc}). This is a bug in smtplab; "
        "the lab is still usable — please report what you clicked.",
    )


def guarded(
    report: Callable[[Notice], None],
) -> Callable[[Callable[..., object]], Callable[..., None]]:
    """Decorate a widget callback so that any exception becomes a visible :class:`Notice`."""

    def wrap(callback: Callable[..., object]) -> Callable[..., None]:
        def run(*args: object) -> None:
            try:
                callback(*args)
            except Exception as exc:
                report(describe_error(exc))

        run.__name__ = getattr(callback, "__name__", "callback")
        run.__doc__ = callback.__doc__
        return run

    return wrap


class _Observable:
    """Listeners called after every state change (the widget re-reads the model then)."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def observe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()


# --- Console ---------------------------------------------------------------------------------
class ConsoleModel(_Observable):
    """One learner's conversation with a lab server: session, busy flag, latest reply, notice.

    At most one command is in flight: :meth:`begin` refuses a second one while the first waits
    for its reply, so two clicks never produce two concurrent sends.
    """

    def __init__(
        self,
        lab: LabServer,
        *,
        lang: str = i18n.DEFAULT_LANGUAGE,
        timeout: float = CONSOLE_TIMEOUT,
        connect: Callable[[], Session] | None = None,
    ) -> None:
        super().__init__()
        self.lab = lab
        self.lang = i18n.normalize_language(lang)
        self.timeout = timeout
        self._connect = connect or (lambda: lab.connect(timeout=timeout))
        self.session: Session | None = None
        self.latest: Reply | None = None
        self.notice: Notice | None = None
        self.pending: str | None = None  # the command in flight, if any

    # --- state for the view ------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.pending is not None

    @property
    def closed(self) -> bool:
        """True when there is no open session (after QUIT, a 421, a failure, or before connect)."""
        return self.session is None or self.session.closed

    @property
    def transcript(self) -> Transcript | None:
        return None if self.session is None else self.session.transcript

    def card(self) -> Card | None:
        """The catalog card of the latest reply, in the console's language."""
        if self.latest is None:
            return None
        try:
            return self.latest.explain(self.lang)
        except SmtplabError:
            return None

    def report(self, notice: Notice | None) -> None:
        self.notice = notice
        self._changed()

    # --- settings ------------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        self.lang = i18n.normalize_language(lang)
        self._changed()

    def set_vrfy_policy(self, policy: str) -> None:
        """Change how the lab answers VRFY (the server applies it to the very next VRFY)."""
        self.lab.vrfy = policy
        self.report(Notice("info", f"The lab's VRFY policy is now {policy!r}."))

    def set_personality(self, name: str) -> None:
        """Make the lab answer as another real server (from the next connection) and reconnect."""
        if name == self.lab.personality.name:
            return
        self.lab.set_personality(name)
        self.connect()

    # --- connecting ------------------------------------------------------------------------
    def connect(self) -> Reply | None:
        """Open a new session (the greeting becomes the latest reply); a failure → notice."""
        if self.busy:
            self.report(self._busy_notice("Reconnect"))
            return None
        if self.session is not None and not self.session.closed:
            self.session.close()
        self.session = None
        try:
            self.session = self._connect()
        except Exception as exc:
            self.latest = None
            self.report(describe_error(exc))
            return None
        greeting = self.session.transcript.exchanges[0].reply
        self.latest = greeting
        self.report(None)
        return greeting

    # --- sending -----------------------------------------------------------------------
    def line_for(self, verb: str, argument: str = "") -> str:
        """What a button sends, for the label shown while it is in flight."""
        return argument.strip() if verb == LINE else f"{verb} {argument.strip()}".strip()

    def begin(self, verb: str, argument: str = "") -> bool:
        """Claim the session for one command; False (and a notice) when that is not possible."""
        if self.busy:
            self.report(self._busy_notice(self.line_for(verb, argument)))
            return False
        if self.session is None or self.session.closed:
            reason = self.session.closed_reason if self.session is not None else None
            if self.session is not None:  # a 421 the server said on its own gets its card
                self.latest = self.session.last_reply or self.latest
            why = f" ({reason})" if reason else ""
            then = (
                "Click Reconnect to start a new one."
                if self.lab.running
                else "The lab server is stopped: start it again with lab.start() "
                "(or smtplab.start()), then click Reconnect."
            )
            self.report(Notice("error", f"The session is closed{why}. {then}"))
            return False
        self.pending = self.line_for(verb, argument)
        self.report(Notice("busy", f"Sent {self.pending!r}, waiting for the reply…"))
        return True

    def finish(self, outcome: Reply | BaseException) -> Reply | None:
        """Record the reply (or the failure) of the command in flight."""
        self.pending = None
        if isinstance(outcome, BaseException):
            notice = describe_error(outcome)
            if not self.lab.running:
                notice = Notice(
                    "error",
                    f"{notice.text} — the lab server is stopped: start it again with lab.start() "
                    "(or smtplab.start()), then click Reconnect.",
                )
            self.notice = notice
            self._changed()
            return None
        self.latest = outcome
        self.notice = None
        if self.session is not None and self.session.closed:
            reason = str(self.session.closed_reason)
            self.notice = Notice(
                "info", f"{reason[:1].upper()}{reason[1:]}. Click Reconnect for a new session."
            )
        self._changed()
        return outcome

    def send(self, verb: str, argument: str = "") -> Reply | None:
        """Send one command and wait for its reply (blocking; for scripts and tests)."""
        if not self.begin(verb, argument):
            return None
        assert self.session is not None
        try:
            reply = _call(self.session, verb, argument)
        except Exception as exc:
            return self.finish(exc)
        return self.finish(reply)

    async def asend(self, verb: str, argument: str = "") -> Reply | None:
        """:meth:`send` without blocking the caller's event loop (a widget in a live kernel)."""
        if not self.begin(verb, argument):
            return None
        return await self._asend_claimed(verb, argument)

    async def _asend_claimed(self, verb: str, argument: str) -> Reply | None:
        assert self.session is not None
        try:
            reply = await _acall(self.session, verb, argument)
        except Exception as exc:
            return self.finish(exc)
        return self.finish(reply)

    def submit(self, verb: str, argument: str = "") -> asyncio.Task[Reply | None] | None:
        """What a click does. In a running event loop (a kernel) the session is claimed at once
        (buttons grey out, a second click is refused) and the reply awaited in the background, so
        the kernel stays responsive; without a loop (a script, a test) it simply sends."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.send(verb, argument)
            return None
        if not self.begin(verb, argument):
            return None
        return loop.create_task(self._asend_claimed(verb, argument))

    def _busy_notice(self, what: str) -> Notice:
        return Notice(
            "busy",
            f"Still waiting for the reply to {self.pending!r}; {what!r} was not sent. "
            "One command at a time: SMTP answers in order.",
        )


def _call(session: Session, verb: str, argument: str) -> Reply:
    if verb == LINE:
        return session.send(argument)
    method: Callable[..., Reply] = getattr(session, _method(verb))
    return method(argument.strip()) if verb in VERBS_WITH_ARGUMENT else method()


def _acall(session: Session, verb: str, argument: str) -> Awaitable[Reply]:
    if verb == LINE:
        return session.asend(argument)
    method: Callable[..., Awaitable[Reply]] = getattr(session, "a" + _method(verb))
    return method(argument.strip()) if verb in VERBS_WITH_ARGUMENT else method()


def _method(verb: str) -> str:
    if verb not in VERBS:
        raise SmtplabError(f"the console has no {verb!r} button; use the command line instead")
    return verb.lower()


# --- Compare ---------------------------------------------------------------------------------
class CompareModel(_Observable):
    """Two codes and a language; :meth:`comparison` asks :func:`smtplab.comparison.compare`."""

    def __init__(self, a: int | str = 221, b: int | str = 252, lang: str = "en") -> None:
        super().__init__()
        self.a, self.b = str(a), str(b)
        self.lang = i18n.normalize_language(lang)
        self.notice: Notice | None = None

    def update(
        self, *, a: str | None = None, b: str | None = None, lang: str | None = None
    ) -> None:
        if a is not None:
            self.a = a.strip()
        if b is not None:
            self.b = b.strip()
        if lang is not None:
            self.lang = i18n.normalize_language(lang)
        self._changed()

    def comparison(self) -> Comparison | None:
        """The comparison, or None with :attr:`notice` saying why (e.g. a malformed code)."""
        from smtplab.comparison import compare  # noqa: PLC0415 - the catalog loads on first use

        try:
            result = compare(self.a, self.b, lang=self.lang)
        except SmtplabError as exc:
            self.notice = Notice("error", str(exc))
            return None
        self.notice = None
        return result


# --- Catalog browser -------------------------------------------------------------------------
ANY = ""


def _matches(entry: BasicCode | EnhancedCode, needle: str, lang: str) -> bool:
    if not needle:
        return True
    text = entry.text(lang)
    haystack = " ".join((entry.key, text.name, text.description)).casefold()
    return needle.casefold() in haystack


class BrowserModel(_Observable):
    """Filters over the catalog (class, command, free text) and the code picked."""

    def __init__(self, lang: str = "en") -> None:
        super().__init__()
        self.lang = i18n.normalize_language(lang)
        self.kind: Literal["basic", "enhanced"] = "basic"
        self.klass = ANY
        self.command = ANY
        self.text = ""
        self.selected: str | None = None

    @staticmethod
    def commands() -> tuple[str, ...]:
        """Every command some basic code answers, for the command filter."""
        from smtplab.catalog import codes  # noqa: PLC0415 - the catalog loads on first use

        return tuple(sorted({verb for entry in codes() for verb in entry.commands}))

    def entries(self) -> tuple[BasicCode | EnhancedCode, ...]:
        """The catalog entries that pass every filter, in catalog order."""
        from smtplab.catalog import codes, enhanced_codes  # noqa: PLC0415 - see commands()

        found: Iterable[BasicCode | EnhancedCode]
        if self.kind == "basic":
            found = (
                entry
                for entry in codes()
                if (not self.klass or str(entry.outcome_class) == self.klass)
                and (not self.command or self.command in entry.commands or entry.any_command)
            )
        else:
            found = (
                entry
                for entry in enhanced_codes()
                if not self.klass or any(str(code)[0] == self.klass for code in entry.basic)
            )
        return tuple(entry for entry in found if _matches(entry, self.text.strip(), self.lang))

    def label(self, entry: BasicCode | EnhancedCode) -> str:
        return f"{entry.key}  {entry.text(self.lang).name}"

    def update(self, **changes: str | None) -> None:
        for name, value in changes.items():
            if name == "lang" and value:
                self.lang = i18n.normalize_language(value)
            elif name in {"kind", "klass", "command", "text", "selected"}:
                setattr(self, name, value)
            else:
                raise SmtplabError(f"the catalog browser has no filter {name!r}")
        self._changed()

    def card(self) -> Card | None:
        """The card of the selected code (None when nothing is selected)."""
        from smtplab.catalog import explain  # noqa: PLC0415 - see commands()

        return None if not self.selected else explain(self.selected, lang=self.lang)
