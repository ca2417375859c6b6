"""Jupyter widgets for the lab: thin ipywidgets shells over :mod:`smtplab.widgets.models`.

Exports are loaded lazily (PEP 562), so ``smtplab.widgets.models`` — the plain-Python state the
widgets link to — imports without ipywidgets.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "Console": "smtplab.widgets.console",
    "Compare": "smtplab.widgets.compare",
    "CatalogBrowser": "smtplab.widgets.browser",
    "Quiz": "smtplab.widgets.quiz",
    "SequenceDiagram": "smtplab.widgets.sequence",
    "diagram": "smtplab.widgets.sequence",
}

__all__ = ["CatalogBrowser", "Compare", "Console", "Quiz", "SequenceDiagram", "diagram"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from smtplab.widgets.browser import CatalogBrowser
    from smtplab.widgets.compare import Compare
    from smtplab.widgets.console import Console
    from smtplab.widgets.quiz import Quiz
    from smtplab.widgets.sequence import SequenceDiagram, diagram


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'smtplab.widgets' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
