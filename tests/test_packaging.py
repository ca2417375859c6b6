"""The wheel built from this repo, installed in a fresh venv, serves the catalog from its data."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EN = json.loads((ROOT / "data" / "catalog" / "en" / "basic.json").read_text(encoding="utf-8"))


def _run(*cmd: str | Path, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_serves_the_catalog(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run(
        sys.executable, "-m", "build", "--wheel", "--outdir", dist, ROOT, cwd=tmp_path, timeout=300
    )
    (wheel,) = dist.glob("smtplab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for data_file in ROOT.joinpath("data").rglob("*.json"):
        assert f"smtplab/data/{data_file.relative_to(ROOT / 'data').as_posix()}" in names
    assert "smtplab/render/templates/card.html" in names

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path, timeout=120)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path, timeout=600)

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    code = "import smtplab; print(smtplab.__file__); print(smtplab.explain(252))"
    out = _run(python, "-c", code, cwd=outside, timeout=60).stdout
    installed_at, card = out.split("\n", 1)
    assert str(venv) in installed_at  # not the checkout
    assert card.startswith("252")
    assert EN["252"]["name"] in card
    assert " ".join(EN["252"]["description"].split()[:5]) in " ".join(card.split())
    cli = _run(venv / "bin" / "smtplab", "explain", "5.1.1", "--json", cwd=outside, timeout=60)
    assert json.loads(cli.stdout)["code"] == "5.1.1"
