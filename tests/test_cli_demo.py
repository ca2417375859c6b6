"""`smtplab demo`: a real conversation printed with the catalog's explanation of every reply."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from smtplab import catalog
from smtplab.cli import main
from smtplab.reply import Reply
from smtplab.testing import CANNOT_VRFY, CLOSING, OK, SERVICE_READY

WIRE = re.compile(r"^S: (.*)$", re.MULTILINE)


def replies(output: str) -> list[Reply]:
    """Group the printed ``S:`` lines back into replies."""
    out: list[Reply] = []
    lines: list[str] = []
    for line in WIRE.findall(output):
        lines.append(line)
        if line[3:4] != "-":
            out.append(Reply.from_lines(lines))
            lines = []
    return out


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_demo_prints_real_replies_beside_their_cards(
    capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    assert main(["demo", "--lang", lang, "--user", "bob"]) == 0
    out = capsys.readouterr().out
    got = replies(out)
    assert [r.code for r in got] == [SERVICE_READY, OK, CANNOT_VRFY, CLOSING]
    assert "C: VRFY bob" in out
    for reply in got:
        card = str(catalog.explain(reply.code, enhanced=reply.enhanced, lang=lang))
        first = card.splitlines()[0]
        assert first in out
        assert out.index(reply.lines[-1]) < out.index(first, out.index(reply.lines[-1]))


def test_demo_rejects_a_bad_language_before_starting(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--lang", "xx"]) == 2
    captured = capsys.readouterr()
    assert "unknown language" in captured.err
    assert "listening" not in captured.out


def test_demo_runs_as_a_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "smtplab", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [r.code for r in replies(done.stdout)] == [SERVICE_READY, OK, CANNOT_VRFY, CLOSING]
