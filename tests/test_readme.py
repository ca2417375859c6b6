"""The README's tour is a promise: run its Python block and check what its comments claim."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import smtplab
from smtplab.testing import CANNOT_VRFY, CLOSING

README = Path(__file__).parents[1] / "README.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_the_tour_runs_and_prints_the_replies_it_promises() -> None:
    (tour,) = python_blocks(README.read_text(encoding="utf-8"))
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(tour, str(README), "exec"), {})  # running our own docs
    finally:
        smtplab.stop()
    codes = [int(line[:3]) for line in printed.getvalue().splitlines()]
    assert codes == [CANNOT_VRFY, CLOSING]
    for line in printed.getvalue().splitlines():  # the comments quote these lines verbatim
        assert f"# {line}" in tour
