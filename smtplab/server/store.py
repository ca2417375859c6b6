"""A bounded in-memory store of accepted messages.

Why bounded: a class shares one ``smtplab serve``; a learner's loop must not be able to exhaust the
server's memory. Why the store decides at the end of DATA: a message is either stored (and the
client gets 250) or refused (452 / 552) — an accepted message is never silently dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

DEFAULT_MAX_MESSAGES = 100
DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024


@dataclass(frozen=True)
class Message:
    """One message the lab accepted with a 250 after DATA."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    peer: str
    queue_id: str
    received_at: float = field(default_factory=time.time)

    @property
    def text(self) -> str:
        """The content decoded for display (undecodable bytes shown as U+FFFD)."""
        return self.content.decode("utf-8", errors="replace")


class MessageStore:
    """Keeps at most ``max_messages`` messages of at most ``max_size`` bytes each.

    Written by the server's thread, read by the learner's: a lock keeps the two consistent.
    """

    def __init__(
        self, max_messages: int = DEFAULT_MAX_MESSAGES, max_size: int = DEFAULT_MAX_MESSAGE_SIZE
    ) -> None:
        if max_messages < 1 or max_size < 1:
            raise ValueError("store limits must be positive")
        self.max_messages = max_messages
        self.max_size = max_size
        self._messages: list[Message] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._messages)

    def __iter__(self) -> Iterator[Message]:
        return iter(self.snapshot())

    @property
    def full(self) -> bool:
        return len(self._messages) >= self.max_messages

    def add(self, message: Message) -> bool:
        """Store ``message``; ``False`` (nothing stored) when the store is full or it is too big."""
        if len(message.content) > self.max_size:
            return False
        with self._lock:
            if len(self._messages) >= self.max_messages:
                return False
            self._messages.append(message)
            return True

    def snapshot(self) -> tuple[Message, ...]:
        with self._lock:
            return tuple(self._messages)

    def clear(self) -> None:
        """Make room again (the learner's call: the server never discards on its own)."""
        with self._lock:
            self._messages.clear()
