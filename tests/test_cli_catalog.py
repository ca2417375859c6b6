"""``smtplab explain | compare | codes | rfc | glossary``: real processes and in-process main()."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from smtplab import i18n
from smtplab.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"
EN = json.loads((DATA / "catalog" / "en" / "basic.json").read_text(encoding="utf-8"))
VI = json.loads((DATA / "catalog" / "vi" / "basic.json").read_text(encoding="utf-8"))
EN_ENHANCED = json.loads((DATA / "catalog" / "en" / "enhanced.json").read_text(encoding="utf-8"))
BASIC = json.loads((DATA / "catalog" / "basic.json").read_text(encoding="utf-8"))["codes"]
ENHANCED = json.loads((DATA / "catalog" / "enhanced.json").read_text(encoding="utf-8"))["codes"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smtplab", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PYTHONIOENCODING": "utf-8", "COLUMNS": "90", "PATH": ""},
    )


def test_explain_252_in_english_and_vietnamese() -> None:
    en = _run("explain", "252")
    assert en.returncode == 0, en.stderr
    assert en.stdout.startswith("252")
    assert EN["252"]["name"] in en.stdout
    assert " ".join(EN["252"]["description"].split()[:6]) in " ".join(en.stdout.split())
    vi = _run("explain", "252", "--lang", "vi")
    assert vi.returncode == 0, vi.stderr
    assert VI["252"]["name"] in vi.stdout
    assert i18n.t("description", "vi") in vi.stdout


def test_compare_221_252() -> None:
    out = _run("compare", "221", "252")
    assert out.returncode == 0, out.stderr
    for code in ("221", "252"):
        assert EN[code]["name"] in out.stdout
    for key in ("key_differences", "when_which", "learn_more"):
        assert i18n.t(key) in out.stdout


def test_explain_enhanced_code() -> None:
    out = _run("explain", "5.1.1")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("5.1.1")
    assert EN_ENHANCED["X.1.1"]["title"] in out.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("explain", "abc"),
        ("explain", "99"),
        ("explain", "7.1.1"),
        ("compare", "221"),
        ("explain", "252", "--lang", "xx"),
        ("codes", "--class", "9"),
        ("rfc", "99999"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(args: tuple[str, ...]) -> None:
    out = _run(*args)
    assert out.returncode == 2
    assert out.stdout == ""
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "error:" in out.stderr


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, dict)
    assert data["version"] == 1
    return data


def test_codes_json_lists_every_entry_with_the_documented_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _json(capsys, "codes")
    basic, enhanced = data["basic"], data["enhanced"]
    assert isinstance(basic, list)
    assert isinstance(enhanced, list)
    assert [b["code"] for b in basic] == sorted(item["code"] for item in BASIC)
    for item in basic:
        assert isinstance(item["code"], int)
        assert item["name"] == EN[str(item["code"])]["name"]
        assert item["class"] == item["code"] // 100
        assert isinstance(item["commands"], list)
        assert all(isinstance(r["rfc"], int) for r in item["rfc"])
    assert len(enhanced) == len(ENHANCED)
    for item in enhanced:
        assert isinstance(item["code"], str)
        assert item["title"] == EN_ENHANCED[item["code"]]["title"]


def test_codes_filters(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "codes", "--class", "4")
    assert data["basic"]
    assert {b["class"] for b in data["basic"]} == {4}  # type: ignore[union-attr]
    data = _json(capsys, "codes", "--command", "vrfy")
    expected = {b["code"] for b in BASIC if "VRFY" in b["commands"] or b["any_command"]}
    assert {b["code"] for b in data["basic"]} == expected  # type: ignore[union-attr]
    assert main(["codes", "--command", "QUIT"]) == 0
    listed = capsys.readouterr().out
    assert listed.splitlines()[0].startswith(
        str(min(b["code"] for b in BASIC if "QUIT" in b["commands"] or b["any_command"]))
    )


def test_explain_and_compare_json(capsys: pytest.CaptureFixture[str]) -> None:
    card = _json(capsys, "explain", "550", "5.1.1", "--lang", "vi")
    assert card["code"] == 550
    assert card["name"] == VI["550"]["name"]
    assert card["enhanced_card"]["code"] == "5.1.1"  # type: ignore[index]
    comp = _json(capsys, "compare", "221", "252")
    assert comp["same_class"] is True
    assert comp["a"]["code"] == 221  # type: ignore[index]
    assert len(comp["key_differences"]) >= 3  # type: ignore[arg-type]


def test_markdown_and_html_views(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "221", "--markdown"]) == 0
    assert capsys.readouterr().out.startswith("### 221")
    assert main(["compare", "221", "421", "--html"]) == 0
    assert 'class="smtplab-compare"' in capsys.readouterr().out


def test_rfc_view(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "rfc", "5321")
    defined = {d["code"] for d in data["defined"]}  # type: ignore[union-attr]
    assert defined == {b["code"] for b in BASIC if b["defined_in"]["rfc"] == 5321}
    assert main(["rfc", "4954"]) == 0
    text = capsys.readouterr().out
    for item in BASIC:
        if item["defined_in"]["rfc"] == 4954:
            assert str(item["code"]) in text
    assert main(["rfc"]) == 0
    assert "RFC 5321" in capsys.readouterr().out.splitlines()


def test_glossary(capsys: pytest.CaptureFixture[str]) -> None:
    terms = json.loads((DATA / "glossary.json").read_text(encoding="utf-8"))["terms"]
    data = _json(capsys, "glossary", "--lang", "vi")
    assert {t["term"] for t in data["terms"]} == {t["term"] for t in terms}  # type: ignore[union-attr]
    assert main(["glossary"]) == 0
    out = capsys.readouterr().out
    assert all(t["term"] in out for t in terms)
