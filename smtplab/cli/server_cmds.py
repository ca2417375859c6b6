"""``smtplab serve`` (a shared lab server for a class) and ``smtplab personalities``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from smtplab.errors import ServerError
from smtplab.server.lab import DEFAULT_HOST, DEFAULT_HOSTNAME, LabServer, is_loopback
from smtplab.server.personality import DEFAULT_PERSONALITY, VRFY_POLICIES, all_personalities


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run a lab SMTP server until Ctrl-C",
        description="Run a lab SMTP server for a class until SIGINT/SIGTERM. Binds 127.0.0.1 "
        "unless --host names another address (which needs --allow-remote).",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    serve.add_argument("--hostname", default=DEFAULT_HOSTNAME, help="the server's own host name")
    serve.add_argument(
        "--mailbox", action="append", default=[], metavar="USER", help="a known user (repeatable)"
    )
    serve.add_argument(
        "--alias", action="append", default=[], metavar="NAME=USER", help="an alias (repeatable)"
    )
    serve.add_argument("--personality", default=DEFAULT_PERSONALITY, help="which server to imitate")
    serve.add_argument("--vrfy", choices=VRFY_POLICIES, help="VRFY policy (personality default)")
    serve.add_argument("--idle-timeout", type=float, default=300.0, metavar="SECONDS")
    serve.add_argument(
        "--allow-remote", action="store_true", help="allow a --host other than loopback"
    )
    serve.set_defaults(handler=run_serve)
    listing = subparsers.add_parser("personalities", help="list the server personalities")
    listing.set_defaults(handler=run_personalities)


def parse_aliases(items: list[str]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for item in items:
        name, sep, user = item.partition("=")
        if not sep or not name.strip() or not user.strip():
            raise ServerError(f"--alias takes NAME=USER, not {item!r}")
        aliases[name.strip()] = user.strip()
    return aliases


def run_serve(args: argparse.Namespace) -> int:
    if not is_loopback(args.host):
        if not args.allow_remote:
            raise ServerError(
                f"--host {args.host} would let other machines connect; add --allow-remote "
                "if that is what you want"
            )
        print(
            f"smtplab serve: warning: listening on {args.host}, reachable from other machines",
            file=sys.stderr,
            flush=True,
        )
    lab = LabServer(
        args.host,
        args.port,
        hostname=args.hostname,
        personality=args.personality,
        vrfy=args.vrfy,
        mailboxes=args.mailbox,
        aliases=parse_aliases(args.alias),
        idle_timeout=args.idle_timeout,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        lab.start()
        print(
            f"smtplab serve: listening on {lab.host}:{lab.port} as {lab.hostname} "
            f"(personality {lab.personality.name}, VRFY {lab.vrfy}); Ctrl-C stops it",
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    finally:
        lab.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("smtplab serve: stopped", flush=True)
    return 0


def run_personalities(args: argparse.Namespace) -> int:
    for item in all_personalities():
        print(f"{item.name:<10} {item.title} (VRFY default: {item.default_vrfy})")
    return 0
