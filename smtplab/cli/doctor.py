"""``smtplab doctor``: print the environment checks, exit 0 only when all of them pass."""

from __future__ import annotations

import argparse

from smtplab import doctor


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check Python, Jupyter, widgets and the lab server",
        description="Check that this environment can run the smtplab notebooks; "
        "every failed check prints the command that fixes it.",
    )
    parser.set_defaults(handler=_run)


def _run(_args: argparse.Namespace) -> int:
    report = doctor.run()
    print(report)
    return 0 if report.ok else 1
