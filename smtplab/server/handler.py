"""What every connection of one lab server shares: policy, mailboxes, store, log, live sessions.

The protocol instances (one per connection, on the server's loop) read it on each command, so a
learner's change from another thread — ``lab.vrfy = "reveal"`` — applies to the very next VRFY.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from smtplab.server.log import SessionLog
from smtplab.server.personality import VRFY_POLICIES, Personality, PersonalityError
from smtplab.server.scenarios import Faults
from smtplab.server.store import MessageStore

if TYPE_CHECKING:
    from smtplab.server.protocol import LabSMTP


def check_vrfy(policy: str) -> str:
    if policy not in VRFY_POLICIES:
        raise PersonalityError(f"vrfy must be one of {', '.join(VRFY_POLICIES)}; not {policy!r}")
    return policy


class LabState:
    """The server-wide state behind all connections (given to each protocol, not as aiosmtpd's
    handler: the lab answers every command itself, so aiosmtpd has no hooks to look up)."""

    def __init__(
        self,
        *,
        personality: Personality,
        hostname: str,
        vrfy: str | None,
        mailboxes: Iterable[str],
        aliases: Mapping[str, str],
        store: MessageStore,
        log: SessionLog,
        idle_timeout: float,
        size_limit: int,
        advertised_size: int | None,
        error_sleep_scale: float = 1.0,
    ) -> None:
        self.personality = personality
        self.hostname = hostname
        self._vrfy = check_vrfy(vrfy if vrfy is not None else personality.default_vrfy)
        self.mailboxes = frozenset(m.lower() for m in mailboxes)
        self.aliases = {k.lower(): v for k, v in aliases.items()}
        self.store = store
        self.log = log
        self.idle_timeout = idle_timeout
        self.size_limit = size_limit
        self.advertised_size = advertised_size
        self.error_sleep_scale = error_sleep_scale
        self.faults = Faults()
        self.live: set[LabSMTP] = set()
        self.local_domains = frozenset({hostname.lower(), "localhost"})

    @property
    def vrfy(self) -> str:
        return self._vrfy

    @vrfy.setter
    def vrfy(self, policy: str) -> None:
        self._vrfy = check_vrfy(policy)

    def is_local(self, domain: str) -> bool:
        return domain.lower().strip("[]") in self.local_domains

    def resolve(self, local: str) -> str | None:
        """The mailbox ``local`` delivers to (through one alias), or ``None`` if unknown."""
        name = local.lower()
        if name in self.mailboxes:
            return local
        target = self.aliases.get(name)
        if target is not None and (target.lower() in self.mailboxes or "@" in target):
            return target
        return None
