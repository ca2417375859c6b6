"""One exception hierarchy: callers (widgets, CLI, learners) catch ``SmtplabError``, show a message.

Every error a learner can trigger derives from :class:`SmtplabError` and carries a message written
for that learner; no widget or CLI command should ever show a traceback instead.
"""

from __future__ import annotations


class SmtplabError(Exception):
    """Base class of every error smtplab raises on purpose."""


# --- catalog ---------------------------------------------------------------------------------
class CodeError(SmtplabError, ValueError):
    """A reply code that is not well formed (``"abc"``, ``99``, ``"7.1.1"``)."""


class ReplyFormatError(CodeError):
    """Reply lines that are not an SMTP reply (no three-digit code, mixed codes, bad separator)."""


class TranscriptFormatError(SmtplabError, ValueError):
    """A transcript file that is not smtplab's transcript JSON (wrong shape or version)."""


class UnknownLanguageError(SmtplabError, ValueError):
    """A language tag smtplab has no headings for."""


# --- server ----------------------------------------------------------------------------------
class ServerError(SmtplabError):
    """The lab server could not do what was asked (start, stop, bind)."""


class SocketsUnavailableError(ServerError):
    """This Python cannot open sockets at all (JupyterLite / Pyodide in a browser tab)."""


class ServerNotRunningError(ServerError):
    """An operation needs a running lab server and there is none."""


# --- session ---------------------------------------------------------------------------------
class SessionError(SmtplabError):
    """Talking to an SMTP server failed: nothing was lost, but no reply came back."""


class ConnectError(SessionError):
    """The server could not be reached (stopped, wrong port, refused)."""


class SessionClosedError(SessionError):
    """The conversation is over (after QUIT, a 421, or the server hung up)."""


class CommandTimeoutError(SessionError, TimeoutError):
    """The server did not answer within the session's timeout."""


class BadCommandError(SessionError, ValueError):
    """A command line that cannot be sent as typed (empty, contains CR/LF, too long)."""
