"""``smtplab demo``: one real conversation with an in-process lab server, explained line by line.

The server is the same :class:`~smtplab.server.LabServer` a notebook starts, on 127.0.0.1 and a
free port; the client is the same :class:`~smtplab.session.Session`. Nothing here is canned:
every reply printed is the one that just came off the wire.
"""

from __future__ import annotations

import argparse
import textwrap

from smtplab.i18n import DEFAULT_LANGUAGE, LANGUAGES, normalize_language
from smtplab.render.transcript import visible
from smtplab.reply import Reply

INDENT = "      "


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="talk to an in-process lab server: greeting, EHLO, VRFY, QUIT, each explained",
        description="Start a lab server on 127.0.0.1, hold one real SMTP conversation with it "
        "(greeting, EHLO, VRFY, QUIT) and print every reply beside its explanation.",
    )
    parser.add_argument("--user", default="alice", help="who to VRFY (default alice)")
    parser.add_argument("--personality", help="answer as this server (see `smtplab personalities`)")
    parser.add_argument(
        "--lang",
        default=DEFAULT_LANGUAGE,
        metavar="L",
        help=f"language of the explanations: {', '.join(LANGUAGES)} (default en)",
    )
    parser.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from smtplab.testing import running_lab  # noqa: PLC0415 - the server loads only for `demo`

    lang = normalize_language(args.lang)  # fail before the server starts, not halfway through
    options = {} if args.personality is None else {"personality": args.personality}
    with running_lab(**options) as lab:
        print(f"lab server {lab.hostname} listening on {lab.host}:{lab.port}\n")
        with lab.connect() as session:
            steps = [session.ehlo, lambda: session.vrfy(args.user), session.quit]
            greeting = session.transcript[0].reply
            if greeting is not None:
                _show(None, greeting, lang)
            for step in steps:
                reply = step()
                _show(session.transcript[-1].sent, reply, lang)
    return 0


def _show(sent: str | None, reply: Reply, lang: str) -> None:
    print(f"C: {visible(sent)}" if sent is not None else "C: (connects)")
    for line in reply.lines:
        print(f"S: {visible(line)}")
    print(textwrap.indent(str(reply.explain(lang=lang)), INDENT))
    print()
