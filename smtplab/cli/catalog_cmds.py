"""``smtplab explain | compare | codes | rfc | glossary``: the catalog from a terminal.

A thin shell: every command calls the library and prints one of its views. ``--json`` output is a
stable interface, documented in ``docs/cli-json.md``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from smtplab import catalog, i18n
from smtplab.comparison import compare
from smtplab.glossary import glossary
from smtplab.render.catalog import codes_text, rfc_text

#: Version of the --json document layout; bumped only on incompatible changes.
JSON_VERSION = 1


def _emit(data: dict[str, Any]) -> None:
    print(json.dumps({"version": JSON_VERSION, **data}, ensure_ascii=False, indent=2))


def _add_format(parser: argparse.ArgumentParser, *, markdown: bool = True) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="machine-readable output")
    if markdown:
        group.add_argument("--markdown", action="store_true", help="Markdown output")
        group.add_argument("--html", action="store_true", help="HTML output")


def _add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        default=i18n.DEFAULT_LANGUAGE,
        metavar="L",
        help=f"language: {', '.join(i18n.LANGUAGES)} (default en)",
    )


def _show(view: Any, args: argparse.Namespace) -> None:
    if args.json:
        _emit(view.to_dict())
    elif args.markdown:
        print(view.to_markdown(), end="")
    elif args.html:
        print(view._repr_html_())
    else:
        print(view)


def _explain(args: argparse.Namespace) -> int:
    _show(catalog.explain(args.code, enhanced=args.enhanced, lang=args.lang), args)
    return 0


def _compare(args: argparse.Namespace) -> int:
    _show(compare(args.a, args.b, lang=args.lang), args)
    return 0


def _codes(args: argparse.Namespace) -> int:
    lang = i18n.normalize_language(args.lang)
    basic = [
        c
        for c in catalog.codes()
        if (args.klass is None or c.outcome_class == args.klass)
        and (args.command is None or args.command.upper() in c.commands or c.any_command)
    ]
    wanted = {c.code for c in basic}
    enhanced = [
        e
        for e in catalog.enhanced_codes()
        if (args.klass is None or e.outcome_class in (None, args.klass))
        and (args.command is None or wanted.intersection(e.basic))
    ]
    if args.json:
        _emit(
            {
                "lang": lang,
                "basic": [catalog.explain(c.code, lang=lang).to_dict() for c in basic],
                "enhanced": [catalog.explain(e.code, lang=lang).to_dict() for e in enhanced],
            }
        )
    else:
        print(codes_text(basic, enhanced, lang))
    return 0


def _rfc(args: argparse.Namespace) -> int:
    lang = i18n.normalize_language(args.lang)
    if args.number is None:
        numbers = catalog.cited_rfcs()
        if args.json:
            _emit({"rfcs": list(numbers)})
        else:
            print("\n".join(f"RFC {n}" for n in numbers))
        return 0
    view = catalog.by_rfc(args.number)
    if args.json:
        _emit(
            {
                "rfc": view.rfc,
                "defined": [{"code": c.code, "section": r.section} for c, r in view.defined],
                "cited": [
                    {"code": c.code, "sections": [r.section for r in refs]}
                    for c, refs in view.cited
                ],
                "enhanced": [
                    {"code": e.code, "sections": [r.section for r in refs]}
                    for e, refs in view.enhanced
                ],
            }
        )
    else:
        print(rfc_text(view, lang))
    return 0


def _glossary(args: argparse.Namespace) -> int:
    terms = glossary(args.lang)
    if args.json:
        _emit(terms.to_dict())
    else:
        print(terms)
    return 0


def _class_digit(text: str) -> int:
    if text not in {"2", "3", "4", "5"}:
        raise argparse.ArgumentTypeError("the class is the first digit: 2, 3, 4 or 5")
    return int(text)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the catalog commands to the ``smtplab`` parser."""
    p = subparsers.add_parser("explain", help="explain a reply code (250, 5.1.1, 550 5.1.1)")
    p.add_argument("code", help="a basic code like 252 or an enhanced code like 5.1.1")
    p.add_argument("enhanced", nargs="?", help="the enhanced code sent with it, e.g. 5.1.1")
    _add_lang(p)
    _add_format(p)
    p.set_defaults(handler=_explain)

    p = subparsers.add_parser("compare", help="compare two codes (221 252)")
    p.add_argument("a", help="first code")
    p.add_argument("b", help="second code")
    _add_lang(p)
    _add_format(p)
    p.set_defaults(handler=_compare)

    p = subparsers.add_parser("codes", help="list every code in the catalog")
    p.add_argument("--class", dest="klass", type=_class_digit, metavar="N", help="2, 3, 4 or 5")
    p.add_argument("--command", metavar="VERB", help="only replies this command can get (VRFY)")
    _add_lang(p)
    _add_format(p, markdown=False)
    p.set_defaults(handler=_codes)

    p = subparsers.add_parser("rfc", help="the codes an RFC defines or that cite it")
    p.add_argument("number", nargs="?", help="RFC number, e.g. 5321 (omit to list RFCs)")
    _add_lang(p)
    _add_format(p, markdown=False)
    p.set_defaults(handler=_rfc)

    p = subparsers.add_parser("glossary", help="the terms the cards use")
    _add_lang(p)
    _add_format(p, markdown=False)
    p.set_defaults(handler=_glossary)
