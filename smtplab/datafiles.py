"""Reading the JSON files under ``data/`` from the *installed* package.

Everything goes through :func:`importlib.resources.files`, so a wheel installed elsewhere reads the
same catalog as a checkout (``smtplab/data`` is a symlink to ``../data`` that the wheel carries).
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importlib.resources.abc only exists from Python 3.11
    from importlib.abc import Traversable


class DataFileError(ValueError):
    """A data file is missing or malformed: a packaging or content bug, not a learner's mistake."""


def data_file(*parts: str) -> Traversable:
    """The resource ``data/<parts...>`` inside the installed ``smtplab`` package."""
    node = files("smtplab") / "data"
    for part in parts:
        node = node / part
    return node


def read_json(*parts: str, required: bool = True) -> Any:
    """Parse ``data/<parts...>``; ``None`` for an absent optional file, loud failure otherwise."""
    resource = data_file(*parts)
    name = "data/" + "/".join(parts)
    if not resource.is_file():
        if required:
            raise DataFileError(f"{name} is missing from the installed smtplab package")
        return None
    try:
        return json.loads(resource.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{name} is not valid JSON: {exc}") from exc


def expect(condition: bool, where: str, what: str) -> None:
    """Fail loudly, naming the file and entry, when a data file breaks its format."""
    if not condition:
        raise DataFileError(f"{where}: {what}")
