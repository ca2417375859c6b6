"""``smtplab doctor``: each check on real inputs, and the CLI on this very environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smtplab import doctor
from smtplab.cli import main
from smtplab.errors import ServerError
from smtplab.jupyterlite import MESSAGE, in_browser, require_sockets
from smtplab.server import LabServer

VENV_BIN = Path(sys.executable).parent
TEST_NET_ADDRESS = "192.0.2.1"  # RFC 5737 documentation address: never on this machine


def _mismatched_front(kernel_major: int) -> int:
    """A jupyterlab_widgets major that does NOT belong to ``kernel_major``."""
    return next(f for f in doctor.WIDGET_PAIRS.values() if f != doctor.WIDGET_PAIRS[kernel_major])


def test_matching_widget_pair_passes() -> None:
    for kernel, front in doctor.WIDGET_PAIRS.items():
        check = doctor.check_widget_pair(f"{kernel}.1.0", f"{front}.0.2")
        assert check.ok is (kernel == doctor.REQUIRED_IPYWIDGETS)


def test_mismatched_widget_pair_reports_model_not_found_and_fix() -> None:
    kernel = doctor.REQUIRED_IPYWIDGETS
    wrong = _mismatched_front(kernel)
    check = doctor.check_widget_pair(f"{kernel}.1.9", f"{wrong}.1.7")
    expected = doctor.WIDGET_PAIRS[kernel]
    assert not check.ok
    assert "model not found" in check.detail
    assert check.fix is not None
    assert f"jupyterlab_widgets>={expected},<{expected + 1}" in check.fix
    text = str(check)
    assert text.startswith(doctor.FAIL_MARK)
    assert "fix: " in text


def test_old_ipywidgets_asks_for_the_required_major() -> None:
    old = next(k for k in doctor.WIDGET_PAIRS if k != doctor.REQUIRED_IPYWIDGETS)
    check = doctor.check_widget_pair(f"{old}.8.5", f"{doctor.WIDGET_PAIRS[old]}.1.9")
    assert not check.ok
    assert check.fix is not None
    assert f"ipywidgets>={doctor.REQUIRED_IPYWIDGETS}" in check.fix


def test_missing_front_end_is_a_failure() -> None:
    check = doctor.check_widget_pair("8.1.0", None)
    assert not check.ok
    assert "jupyterlab_widgets" in check.detail


def test_installed_widget_pair_matches() -> None:
    check = doctor.check_widget_pair(
        doctor.installed_version("ipywidgets"), doctor.installed_version("jupyterlab_widgets")
    )
    assert check.ok, str(check)


def test_python_version() -> None:
    assert doctor.check_python().ok
    too_old = (doctor.MIN_PYTHON[0], doctor.MIN_PYTHON[1] - 1, 0)
    check = doctor.check_python(too_old)
    assert not check.ok
    assert check.fix is not None
    assert ".".join(map(str, doctor.MIN_PYTHON)) in check.fix


def test_package_installed_and_missing() -> None:
    assert doctor.check_package("ipywidgets").detail == doctor.installed_version("ipywidgets")
    missing = doctor.check_package("smtplab-no-such-distribution")
    assert not missing.ok
    assert missing.fix is not None
    assert 'pip install "smtplab-no-such-distribution"' in missing.fix


def test_kernel_of_this_environment_is_found() -> None:
    check = doctor.check_kernel()
    assert check.ok, str(check)
    assert sys.executable in check.detail


def test_kernel_pointing_elsewhere_fails_with_install_command(tmp_path: Path) -> None:
    other = tmp_path / "other-env" / "bin" / "python3"
    other.parent.mkdir(parents=True)
    other.touch()
    specs = {
        "elsewhere": {
            "resource_dir": str(tmp_path / "kernels" / "elsewhere"),
            "spec": {"argv": [str(other), "-m", "ipykernel_launcher"]},
        },
        # a bare "python" outside this prefix belongs to some other Jupyter's interpreter
        "bare": {"resource_dir": str(tmp_path / "kernels" / "bare"), "spec": {"argv": ["python"]}},
    }
    check = doctor.check_kernel(specs)
    assert not check.ok
    assert check.fix is not None
    assert "ipykernel install" in check.fix
    specs["this"] = {"resource_dir": str(tmp_path), "spec": {"argv": [sys.executable, "-m", "x"]}}
    assert doctor.check_kernel(specs).ok


def test_jupyterlite_is_detected_with_a_clear_message() -> None:
    assert not in_browser()
    require_sockets()  # a normal CPython: nothing to say
    assert in_browser("emscripten")
    with pytest.raises(ServerError, match="JupyterLite"):
        require_sockets("emscripten")
    assert "sockets cannot be opened" in MESSAGE


def test_lab_server_answers_vrfy() -> None:
    with LabServer() as lab:
        session = lab.connect()
        expected = session.vrfy("alice").lines[-1]
        session.quit()
    check = doctor.check_lab_server()
    assert check.ok, str(check)
    assert "127.0.0.1:" in check.detail
    assert repr(expected) in check.detail


def test_lab_server_that_cannot_bind_is_a_failure_with_a_fix() -> None:
    check = doctor.check_lab_server(TEST_NET_ADDRESS)
    assert not check.ok
    assert TEST_NET_ADDRESS in check.detail
    assert check.fix is not None


def test_cli_exit_1_lists_the_failed_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(doctor, "PACKAGES", (*doctor.PACKAGES, "smtplab-no-such-distribution"))
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    failed = [line for line in out.splitlines() if line.startswith(doctor.FAIL_MARK)]
    assert any("smtplab-no-such-distribution: not installed" in line for line in failed)
    assert 'pip install "smtplab-no-such-distribution"' in out


def test_cli_in_this_environment_is_all_green() -> None:
    done = subprocess.run(
        [str(VENV_BIN / "smtplab"), "doctor"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(doctor.checks())
    assert all(line.startswith(doctor.OK_MARK) for line in lines)
