"""smtplab: learn SMTP by talking to a real server.

The public API is re-exported here lazily, so ``import smtplab`` stays as cheap as importing
aiosmtpd and aiosmtplib themselves and never imports ipywidgets (see ``benchmarks/``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "explain": "smtplab.catalog",
    "lookup": "smtplab.catalog",
    "codes": "smtplab.catalog",
    "enhanced_codes": "smtplab.catalog",
    "compare": "smtplab.comparison",
    "Reply": "smtplab.reply",
    "Exchange": "smtplab.transcript",
    "Transcript": "smtplab.transcript",
    "Session": "smtplab.session",
    "connect": "smtplab.session",
    "LabServer": "smtplab.server",
    "start": "smtplab.server",
    "stop": "smtplab.server",
    "SmtplabError": "smtplab.errors",
}

# submodules reachable as attributes (``smtplab.widgets.Console(lab)``), imported on first use
_SUBMODULES = frozenset({"widgets", "quiz", "testing", "glossary"})

__all__ = [  # kept literal for linters and IDEs; a test checks it matches _EXPORTS
    "Exchange",
    "LabServer",
    "Reply",
    "Session",
    "SmtplabError",
    "Transcript",
    "__version__",
    "codes",
    "compare",
    "connect",
    "enhanced_codes",
    "explain",
    "lookup",
    "start",
    "stop",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from smtplab.catalog import codes, enhanced_codes, explain, lookup
    from smtplab.comparison import compare
    from smtplab.errors import SmtplabError
    from smtplab.reply import Reply
    from smtplab.server import LabServer, start, stop
    from smtplab.session import Session, connect
    from smtplab.transcript import Exchange, Transcript


def __getattr__(name: str) -> Any:
    """Import the defining module on first use (PEP 562)."""
    if name in _SUBMODULES:
        return importlib.import_module(f"smtplab.{name}")
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'smtplab' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
