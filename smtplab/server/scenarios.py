"""Fault scenarios a learner can trigger on a running lab server.

Why these: each makes a reply code that is hard to meet on purpose visible on demand — a 4xx the
client should retry, a 5xx it must not, a 554 refusal at connect time. (Shutdown and idle-timeout
421s are lifecycle events: ``LabServer.stop()`` and the ``idle_timeout`` option.)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from smtplab.server.personality import COMMANDS

# A reply code's class picks the enhanced code an injected failure carries (RFC 3463: X.3.0 =
# "other or undefined mail system status").
_ENHANCED = {4: "4.3.0", 5: "5.3.0"}


MAX_DELAY = 30.0  # seconds: long enough for a tarpit lesson, short of any client's timeout


@dataclass
class Injection:
    """Answer the next ``times`` uses of ``verb`` (``None``: until cleared) after ``delay``
    seconds, with ``code`` (``None``: the real reply, only late)."""

    verb: str
    code: int | None
    times: int | None
    text: str | None
    delay: float = 0.0

    @property
    def enhanced(self) -> str:
        return _ENHANCED[self.code // 100] if self.code is not None else ""


class Faults:
    """Injected failures and the greeting switch of one server; changeable from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._injections: dict[str, Injection] = {}
        self.refuse_greeting = False

    def inject(
        self,
        verb: str,
        code: int | None = None,
        *,
        times: int | None = None,
        text: str | None = None,
        delay: float = 0.0,
    ) -> None:
        verb = verb.upper()
        if verb not in COMMANDS:
            choices = ", ".join(sorted(COMMANDS))
            raise ValueError(f"cannot inject a fault on {verb!r}; choose one of {choices}")
        if code is not None and (not isinstance(code, int) or not 400 <= code <= 599):
            raise ValueError(f"an injected failure needs a 4xx or 5xx code, not {code!r}")
        if not isinstance(delay, (int, float)) or not 0 <= delay <= MAX_DELAY:
            raise ValueError(f"delay must be 0 to {MAX_DELAY:g} seconds, not {delay!r}")
        if code is None and not delay:
            raise ValueError("inject needs a reply code, a delay, or both")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for 'until cleared')")
        if text is not None and (code is None or "\r" in text or "\n" in text):
            raise ValueError("the reply text must be one line, and goes with a reply code")
        with self._lock:
            self._injections[verb] = Injection(verb, code, times, text, float(delay))

    def take(self, verb: str) -> Injection | None:
        """The failure to answer this use of ``verb`` with, counting it down."""
        with self._lock:
            injection = self._injections.get(verb)
            if injection is None:
                return None
            if injection.times is not None:
                injection.times -= 1
                if injection.times == 0:
                    del self._injections[verb]
            return injection

    def active(self) -> tuple[Injection, ...]:
        with self._lock:
            return tuple(self._injections.values())

    def clear(self, verb: str | None = None) -> None:
        with self._lock:
            if verb is None:
                self._injections.clear()
                self.refuse_greeting = False
            else:
                self._injections.pop(verb.upper(), None)
