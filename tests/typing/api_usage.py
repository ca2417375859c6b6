"""Type-checked (not run) by mypy --strict in `make test`: the public API as a learner's script
uses it must type-check without casts, so a change to a signature shows up here."""

from __future__ import annotations

import smtplab
from smtplab.catalog import BasicCode, Card, EnhancedCode
from smtplab.comparison import Comparison
from smtplab.errors import SessionClosedError, SmtplabError
from smtplab.reply import Reply
from smtplab.server import LabServer
from smtplab.session import Session
from smtplab.testing import CANNOT_VRFY, running_lab
from smtplab.transcript import Transcript


def vrfy_then_quit(lab: LabServer) -> tuple[int, int]:
    session: Session = lab.connect()
    reply: Reply = session.vrfy("alice")
    card: Card = reply.explain(lang="vi")
    assert card.code == "252"
    bye = session.quit()
    try:
        session.noop()
    except SessionClosedError as error:
        print(error)
    transcript: Transcript = session.transcript
    assert transcript.to_json()
    return reply.code, bye.code


def read_the_catalog() -> list[str]:
    entry: BasicCode | EnhancedCode = smtplab.lookup("5.1.1")
    comparison: Comparison = smtplab.compare(221, 252, lang="vi")
    names = [code.key for code in smtplab.codes()]
    return [entry.key, str(comparison), *names]


def with_a_lab() -> bool:
    try:
        with running_lab(vrfy="hide") as lab:
            return vrfy_then_quit(lab)[0] == CANNOT_VRFY
    except SmtplabError:
        return False
