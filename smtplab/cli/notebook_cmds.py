"""``smtplab lab``: open JupyterLab on the course notebooks.

From a checkout the notebooks are used where they are (``notebooks/`` next to the package). From
an installed wheel they live inside site-packages, which a learner must never edit: they are first
copied to a writable folder (``~/smtplab-notebooks`` by default), and a notebook already there is
never overwritten — it holds the learner's work.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

from smtplab.errors import SmtplabError

DEFAULT_FOLDER = Path("~/smtplab-notebooks")


def checkout_notebooks() -> Path | None:
    """``notebooks/`` of a source checkout (the package's parent folder), if this is one."""
    folder = Path(__file__).resolve().parents[2] / "notebooks"
    return folder if (folder / "00_start_here.ipynb").is_file() else None


def packaged_notebooks() -> Path | None:
    """The notebooks a wheel carries (``smtplab/notebooks``), if any."""
    folder = Path(str(files("smtplab") / "notebooks"))
    return folder if folder.is_dir() and any(folder.glob("[0-9]*.ipynb")) else None


def copy_course(source: Path, target: Path) -> list[Path]:
    """Copy the learner's notebooks from ``source`` into ``target``; returns the files written.

    Only missing files are copied: an existing notebook is the learner's work and stays as it is.
    """
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SmtplabError(f"cannot create {target}: {exc.strerror or exc}") from None
    written = []
    for notebook in sorted(source.glob("[0-9]*.ipynb")):
        destination = target / notebook.name
        if not destination.exists():
            shutil.copyfile(notebook, destination)
            written.append(destination)
    return written


def course_folder(folder: Path | None) -> Path:
    """Where JupyterLab should open: the checkout's notebooks, or a writable copy of the wheel's."""
    checkout = checkout_notebooks()
    if folder is None and checkout is not None:
        return checkout
    source = checkout or packaged_notebooks()
    if source is None:
        raise SmtplabError("this smtplab installation carries no notebooks; reinstall smtplab")
    target = (folder or DEFAULT_FOLDER).expanduser()
    if target.resolve() == source.resolve():
        return target
    copy_course(source, target)
    return target


def lab_command(folder: Path, *, browser: bool) -> list[str]:
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if not browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and Binder-like boxes run as root

    command.append(str(folder / "00_start_here.ipynb"))
    return command


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="open JupyterLab on the course notebooks",
        description="Open JupyterLab on the smtplab course. Installed from a wheel, the "
        f"notebooks are first copied to a writable folder ({DEFAULT_FOLDER} by default); "
        "notebooks already there are kept as they are.",
    )
    parser.add_argument(
        "--dir", type=Path, default=None, help="the folder to copy the notebooks to and open"
    )
    parser.add_argument("--no-browser", action="store_true", help="don't open a web browser")
    parser.add_argument(
        "--dry-run", action="store_true", help="prepare the folder, print the command, stop"
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    folder = course_folder(args.dir)
    command = lab_command(folder, browser=not args.no_browser)
    print(f"smtplab: the course is in {folder}")
    if args.dry_run:
        print(" ".join(command))
        return 0
    if importlib.util.find_spec("jupyterlab") is None:
        raise SmtplabError("JupyterLab is not installed: pip install 'smtplab[lab]'")
    return subprocess.call(command)  # noqa: S603 - our own interpreter, arguments we built
