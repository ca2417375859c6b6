"""Environment checks behind ``smtplab doctor`` and the start-here notebook's check cell.

Each check is a plain function returning a :class:`Check`: whether it passed, what was found, and
-- when it failed -- the one command or step that fixes it. The CLI prints them; a notebook cell
can print the same :class:`Report`. Checks never raise: a broken environment is what they report.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

from smtplab.errors import SmtplabError
from smtplab.jupyterlite import require_sockets

MIN_PYTHON = (3, 10)

# ipywidgets major (kernel side) -> jupyterlab_widgets major (front-end side) that can talk to it.
WIDGET_PAIRS: Mapping[int, int] = {8: 3, 7: 1}
REQUIRED_IPYWIDGETS = 8

PACKAGES: tuple[str, ...] = ("ipykernel", "ipywidgets", "jupyterlab_widgets", "jupyterlab")

OK_MARK = "\u2713"  # check mark
FAIL_MARK = "\u2717"  # ballot x


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None

    def __str__(self) -> str:
        line = f"{OK_MARK if self.ok else FAIL_MARK} {self.name}: {self.detail}"
        if not self.ok and self.fix:
            line += f"\n    fix: {self.fix}"
        return line


@dataclass(frozen=True)
class Report:
    """All checks, in order; ``ok`` only when every one passed."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def __str__(self) -> str:
        return "\n".join(str(check) for check in self.checks)


def _pip(requirement: str) -> str:
    return f'{Path(sys.executable).name} -m pip install "{requirement}"'


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution`` in this interpreter, or None."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _major(version: str) -> int | None:
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> Check:
    shown = ".".join(str(part) for part in version)
    wanted = ".".join(str(part) for part in MIN_PYTHON)
    if tuple(version[:2]) >= MIN_PYTHON:
        return Check("Python", True, f"{shown} ({sys.executable})")
    return Check(
        "Python",
        False,
        f"{shown} is too old; smtplab needs {wanted} or newer",
        f"install Python {wanted}+ and create the environment again with it",
    )


def check_package(distribution: str, version: str | None = None) -> Check:
    """Whether ``distribution`` is installed; ``version`` overrides the lookup (for tests)."""
    found = version if version is not None else installed_version(distribution)
    if found is None:
        return Check(distribution, False, "not installed", _pip(distribution))
    return Check(distribution, True, found)


def check_widget_pair(ipywidgets: str | None, jupyterlab_widgets: str | None) -> Check:
    """Kernel-side ipywidgets and front-end jupyterlab_widgets must speak the same protocol.

    A mismatch is the usual cause of "Error displaying widget: model not found".
    """
    name = "widget versions"
    if ipywidgets is None or jupyterlab_widgets is None:
        missing = "ipywidgets" if ipywidgets is None else "jupyterlab_widgets"
        return Check(name, False, f"{missing} is not installed", _pip("ipywidgets>=8"))
    kernel, front = _major(ipywidgets), _major(jupyterlab_widgets)
    pair = f"ipywidgets {ipywidgets} / jupyterlab_widgets {jupyterlab_widgets}"
    if kernel != REQUIRED_IPYWIDGETS:
        return Check(
            name,
            False,
            f"{pair}: smtplab's widgets need ipywidgets {REQUIRED_IPYWIDGETS}",
            _pip("ipywidgets>=8") + ", then restart JupyterLab and the kernel",
        )
    expected = WIDGET_PAIRS[kernel]
    if front != expected:
        return Check(
            name,
            False,
            f"{pair} do not match (ipywidgets {kernel} needs jupyterlab_widgets {expected}); "
            'widgets would show "Error displaying widget: model not found"',
            _pip(f"jupyterlab_widgets>={expected},<{expected + 1}")
            + " in the environment that runs JupyterLab, then restart it",
        )
    return Check(name, True, f"{pair} match")


def _runs_python(argv0: str, resource_dir: str, executable: str, prefix: str) -> bool:
    """Whether a kernelspec's ``argv[0]`` starts ``executable``.

    A bare ``python`` is replaced by the Jupyter server's own interpreter when the kernel starts,
    so it counts when the spec is installed inside this environment's prefix.
    """
    if os.path.basename(argv0) == argv0 and argv0.startswith("python"):
        return Path(resource_dir).resolve().is_relative_to(Path(prefix).resolve())
    try:
        return Path(argv0).resolve() == Path(executable).resolve()
    except OSError:
        return False


def check_kernel(
    specs: Mapping[str, Mapping[str, Any]] | None = None,
    executable: str = sys.executable,
    prefix: str = sys.prefix,
) -> Check:
    """Whether some Jupyter kernel runs this interpreter (the one smtplab is installed in).

    ``specs`` is ``KernelSpecManager().get_all_specs()``-shaped; None means ask jupyter_client.
    """
    name = "kernel"
    fix = (
        f"{Path(executable).name} -m ipykernel install --user --name smtplab"
        ' --display-name "Python (smtplab)"'
    )
    if specs is None:
        try:
            from jupyter_client.kernelspec import KernelSpecManager  # noqa: PLC0415 - optional
        except ImportError:
            return Check(name, False, "jupyter_client is not installed", _pip("ipykernel"))
        specs = KernelSpecManager().get_all_specs()
    for kernel_name, entry in sorted(specs.items()):
        argv = entry.get("spec", {}).get("argv") or [""]
        if _runs_python(str(argv[0]), str(entry.get("resource_dir", "")), executable, prefix):
            return Check(name, True, f"kernel {kernel_name!r} runs {executable}")
    return Check(
        name,
        False,
        f"no Jupyter kernel runs {executable}, so notebooks cannot import smtplab",
        fix + ", then pick that kernel in the notebook",
    )


def check_lab_server(host: str = "127.0.0.1") -> Check:
    """Start a real lab server on ``host`` and a free port, send VRFY and QUIT, stop it."""
    name = "lab server"
    try:
        require_sockets()
        from smtplab.server import LabServer  # noqa: PLC0415 - keeps `import smtplab.doctor` light

        with LabServer(host) as lab:
            session = lab.connect()
            try:
                reply = session.vrfy("alice")
                session.quit()
            finally:
                session.close()
            where = f"{lab.host}:{lab.port}"
    except SmtplabError as exc:
        return Check(
            name,
            False,
            str(exc),
            f"make sure this machine lets Python listen on {host} (no sandbox, port free); "
            "`smtplab serve` shows the same error in a terminal",
        )
    except ImportError as exc:
        return Check(
            name, False, f"smtplab is incomplete: {exc}", "reinstall smtplab into this environment"
        )
    line = reply.lines[-1] if reply.lines else str(reply.code)
    if 200 <= reply.code < 300:
        return Check(name, True, f"{where} answered VRFY alice with {line!r}")
    return Check(name, False, f"{where} answered VRFY alice with {line!r}", "report this as a bug")


def _widget_pair() -> Check:
    kernel, front = installed_version("ipywidgets"), installed_version("jupyterlab_widgets")
    return check_widget_pair(kernel, front)


def checks() -> tuple[Callable[[], Check], ...]:
    """The checks ``smtplab doctor`` runs, in report order."""
    packages = tuple(partial(check_package, dist) for dist in PACKAGES)
    return (check_python, *packages, check_kernel, _widget_pair, check_lab_server)


def run(selected: Iterable[Callable[[], Check]] | None = None) -> Report:
    """Run ``selected`` checks (default: all) and collect them into a :class:`Report`."""
    return Report(tuple(check() for check in (selected or checks())))
