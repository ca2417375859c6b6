"""The ``smtplab`` command line: a thin shell over the library.

Each command group lives in its own module with a ``register(subparsers)`` function; this module
only builds the parser, dispatches, and turns :class:`~smtplab.errors.SmtplabError` into a one-line
message on stderr with exit status 2 (never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from smtplab import __version__
from smtplab.errors import SmtplabError

# Modules that contribute subcommands, in the order `smtplab --help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "smtplab.cli.catalog_cmds",
    "smtplab.cli.server_cmds",
    "smtplab.cli.lab_cmds",
    "smtplab.cli.notebook_cmds",
    "smtplab.cli.doctor",
)

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors exit 2 with one line, like every other error here."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="smtplab", description="Learn SMTP by talking to a real server.")
    parser.add_argument("--version", action="version", version=f"smtplab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command group not built yet
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except SmtplabError as exc:
        print(f"smtplab: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `smtplab codes | head`: the reader left. Point stdout at /dev/null so the interpreter's
        # final flush cannot raise again, and exit like other Unix tools do (128 + SIGPIPE).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
