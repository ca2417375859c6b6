"""``smtplab lab``: the course folder is prepared (copied when needed, learner's work kept) and
JupyterLab is started on it; the tests stop before starting JupyterLab (``--dry-run``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtplab.cli import main
from smtplab.cli.notebook_cmds import checkout_notebooks, copy_course, course_folder

CHECKOUT = Path(__file__).resolve().parents[1] / "notebooks"
LEARNER_NOTEBOOKS = sorted(p.name for p in CHECKOUT.glob("[0-9]*.ipynb"))


def test_checkout_is_used_in_place() -> None:
    assert checkout_notebooks() == CHECKOUT
    assert course_folder(None) == CHECKOUT


def test_copy_course_copies_learner_notebooks_only(tmp_path: Path) -> None:
    written = copy_course(CHECKOUT, tmp_path / "course")
    assert sorted(p.name for p in written) == LEARNER_NOTEBOOKS
    assert not (tmp_path / "course" / "solutions").exists()
    first = tmp_path / "course" / LEARNER_NOTEBOOKS[0]
    assert first.read_bytes() == (CHECKOUT / LEARNER_NOTEBOOKS[0]).read_bytes()


def test_copy_course_keeps_the_learners_work(tmp_path: Path) -> None:
    copy_course(CHECKOUT, tmp_path)
    mine = tmp_path / LEARNER_NOTEBOOKS[0]
    mine.write_text("my answers", encoding="utf-8")
    assert copy_course(CHECKOUT, tmp_path) == []
    assert mine.read_text(encoding="utf-8") == "my answers"


def test_lab_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "smtplab-notebooks"
    assert main(["lab", "--dry-run", "--no-browser", "--dir", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"--ServerApp.root_dir={target}" in out
    assert "--no-browser" in out
    assert sorted(p.name for p in target.glob("*.ipynb")) == LEARNER_NOTEBOOKS


def test_lab_unwritable_folder_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    assert main(["lab", "--dry-run", "--dir", str(blocker / "course")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("smtplab: error: cannot create")
    assert "Traceback" not in err


def test_lab_command_allows_root_only_for_root(tmp_path) -> None:
    import os

    from smtplab.cli.notebook_cmds import lab_command

    command = lab_command(tmp_path, browser=False)
    assert ("--allow-root" in command) == (os.geteuid() == 0)
