"""Cards, comparisons, code lists, RFC views and the glossary as text, Markdown and HTML.

The functions here build plain view dictionaries; HTML comes only from the templates through
:func:`smtplab.render.env.render` (autoescaped), Markdown escapes every catalog string with
:func:`md_escape`, and text is wrapped for a terminal.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from smtplab import i18n
from smtplab.catalog import BasicCode, Card, EnhancedCode, RfcRef, lookup
from smtplab.render.env import render

if TYPE_CHECKING:
    from smtplab.catalog import RfcView
    from smtplab.comparison import Comparison
    from smtplab.glossary import Glossary

#: The UI strings the views use, fetched once per render.
_LABELS = (
    "description", "when", "action", "rfc", "key_differences", "when_which", "learn_more",
    "compare_with", "commands", "any_command", "example_text", "enhanced_code", "unregistered",
    "fallback_notice", "glossary", "vs", "same_class", "different_class",
)  # fmt: skip
_SECTIONS = ("description", "when", "action")


_PHRASE_LABELS = ("label_pairs", "label_defined", "label_cited", "label_enhanced")


def labels(lang: str) -> dict[str, str]:
    """Headings (``ui.json``) and a few list labels (``phrases.json``) in ``lang``."""
    names = {key: i18n.t(key, lang) for key in _LABELS}
    names.update({key: i18n.phrase(key, lang) for key in _PHRASE_LABELS})
    return names


def width() -> int:
    """Terminal width, kept between 60 and 100 columns so cards stay readable."""
    return max(60, min(100, shutil.get_terminal_size((80, 24)).columns))


# --- shared view model -----------------------------------------------------------------------
def refs_text(refs: Sequence[RfcRef]) -> str:
    """ "RFC 5321 §3.5.3, §7.3; RFC 3463 §3.2": one RFC name per group of sections."""
    groups: dict[int, list[str]] = {}
    for ref in refs:
        groups.setdefault(ref.rfc, [])
        if ref.section and f"§{ref.section}" not in groups[ref.rfc]:
            groups[ref.rfc].append(f"§{ref.section}")
    return "; ".join(" ".join([f"RFC {rfc}", ", ".join(s)]).strip() for rfc, s in groups.items())


def _card_refs(entry: BasicCode | EnhancedCode) -> tuple[RfcRef, ...]:
    if isinstance(entry, BasicCode) and entry.defined_in and entry.defined_in not in entry.rfc:
        return (entry.defined_in, *entry.rfc)
    return entry.rfc


def verb_label(verb: str, lang: str) -> str:
    """How a command list shows the pseudo-verbs: "connect", "end of DATA"; real verbs as is."""
    key = f"verb_{verb}"
    return i18n.phrase(key, lang) if i18n.has_text(key, "en", table="phrases") else verb


def compare_with(card: Card) -> list[tuple[str, str]]:
    """(code, name in the card's language) for every code the card says it is confused with."""
    if not isinstance(card.entry, BasicCode):
        return []
    return [(str(code), lookup(code).text(card.lang).name) for code in card.entry.confused_with]


def card_view(card: Card) -> dict[str, Any]:
    entry = card.entry
    first, second = entry.labels(card.lang)
    view: dict[str, Any] = {
        "code": card.code,
        "kind": "basic" if isinstance(entry, BasicCode) else "enhanced",
        "lang": card.lang,
        "dir": "rtl" if i18n.is_rtl(card.lang) else "ltr",
        "name": card.text.name,
        "sections": [
            (key, getattr(card.text, key)) for key in _SECTIONS if getattr(card.text, key)
        ],
        "registered": entry.registered,
        "fallback": card.fallback,
        "refs": [(str(ref), ref.url) for ref in _card_refs(entry)],
        "refs_text": refs_text(_card_refs(entry)),
        "enhanced": card_view(card.enhanced) if card.enhanced else None,
    }
    if isinstance(entry, BasicCode):
        view.update(
            class_digit=entry.outcome_class,
            badge=f"{entry.outcome_class}xx {first} · x{entry.category}z {second}",
            example_text=entry.example_text,
            commands=[verb_label(verb, card.lang) for verb in entry.commands],
            any_command=entry.any_command,
            compare_with=compare_with(card),
            pairs=[],
        )
    else:
        klass = entry.outcome_class
        view.update(
            class_digit=klass if klass is not None else "x",
            badge=f"{klass if klass is not None else 'X'}.{entry.subject}.x {first} · {second}",
            example_text="",
            commands=[],
            any_command=False,
            compare_with=[],
            pairs=[str(code) for code in entry.basic],
        )
    return view


def comparison_views(comp: Comparison) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both cards' views for a comparison: "when" moves to *when you meet which*, shown once."""
    views = []
    for card in (comp.a, comp.b):
        view = card_view(card)
        view["sections"] = [(key, text) for key, text in view["sections"] if key != "when"]
        views.append(view)
    return views[0], views[1]


# --- text ------------------------------------------------------------------------------------
def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(
        " ".join(text.split()), width(), initial_indent=indent, subsequent_indent=indent
    )


def _field(label: str, value: str, pad: int) -> str:
    return textwrap.fill(
        " ".join(value.split()),
        width(),
        initial_indent=f"{label + ':':<{pad}}",
        subsequent_indent=" " * pad,
    )


def _commands_text(view: dict[str, Any], names: dict[str, str]) -> str:
    parts = list(view["commands"])
    if view["any_command"]:
        parts.insert(0, names["any_command"].lower())
    return ", ".join(parts)


def card_text(card: Card) -> str:
    """The card for a terminal: heading line, badge, wrapped sections, facts."""
    return "\n".join(_card_lines(card_view(card), labels(card.lang)))


def _card_lines(view: dict[str, Any], names: dict[str, str]) -> list[str]:
    lines = [f"{view['code']}  {view['name']}", f"[{view['badge']}]"]
    if not view["registered"]:
        lines[-1] += f"  ({names['unregistered']})"
    if view["fallback"]:
        lines.append(f"({names['fallback_notice']})")
    for key, text in view["sections"]:
        lines += ["", names[key], _wrap(text)]
    facts: list[tuple[str, str]] = []
    if view["example_text"]:
        facts.append((names["example_text"], f"{view['code']} {view['example_text']}"))
    if view["commands"] or view["any_command"]:
        facts.append((names["commands"], _commands_text(view, names)))
    if view["pairs"]:
        facts.append((names["label_pairs"], ", ".join(view["pairs"])))
    if view["refs_text"]:
        facts.append((names["rfc"], view["refs_text"]))
    if view["compare_with"]:
        facts.append(
            (names["compare_with"], ", ".join(f"{c} ({n})" for c, n in view["compare_with"]))
        )
    if facts:
        pad = max(len(label) for label, _ in facts) + 2
        lines.append("")
        lines += [_field(label, value, pad) for label, value in facts]
    if view["enhanced"]:
        sub = view["enhanced"]
        lines += ["", f"{names['enhanced_code']} {sub['code']}  {sub['name']}", f"[{sub['badge']}]"]
        lines += [_wrap(text) for _, text in sub["sections"]]
    return lines


def comparison_text(comp: Comparison) -> str:
    names = labels(comp.lang)
    a, b = comparison_views(comp)
    lines = [f"{a['code']} {a['name']}  {names['vs']}  {b['code']} {b['name']}"]
    if comp.fallback:
        lines.append(f"({names['fallback_notice']})")
    lines += ["", _wrap(comp.intro, "")]
    for view in (a, b):
        lines += [
            "",
            "=" * min(width(), 40),
            f"{view['code']}  {view['name']}",
            f"[{view['badge']}]",
        ]
        for key, text in view["sections"]:
            lines += ["", names[key], _wrap(text)]
    lines += ["", "=" * min(width(), 40), names["key_differences"]]
    lines += [
        textwrap.fill(d, width(), initial_indent=f"{i}. ", subsequent_indent="   ")
        for i, d in enumerate(comp.differences, 1)
    ]
    lines += ["", names["when_which"]]
    lines += [
        textwrap.fill(" ".join(text.split()), width(), initial_indent=f"- {code}: ",
                      subsequent_indent="  ")
        for code, text in comp.when_which
        if text
    ]  # fmt: skip
    lines += ["", names["learn_more"]]
    lines += [f"- {ref}  {ref.url}" for ref in comp.learn_more]
    return "\n".join(lines)


# --- Markdown --------------------------------------------------------------------------------
_MD_INLINE = re.compile(r"([\\`*_\[\]#|~])")  # with [ ] escaped, ( ) and ! are inert
_MD_BULLET = re.compile(r"^([-+>])(?=\s)")
_MD_ORDERED = re.compile(r"^(\d+)([.)])(?=\s)")


def md_escape(text: str) -> str:
    """Make catalog text inert in Markdown: no emphasis, links, HTML, headings or lists."""
    flat = " ".join(str(text).split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = _MD_INLINE.sub(r"\\\1", flat)
    flat = _MD_BULLET.sub(r"\\\1", flat)
    return _MD_ORDERED.sub(r"\1\\\2", flat)


def _md_refs(refs: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"[{md_escape(label)}](<{url}>)" for label, url in refs)


def _md_card(view: dict[str, Any], names: dict[str, str], level: str) -> list[str]:
    lines = [f"{level} {md_escape(view['code'])} · {md_escape(view['name'])}", ""]
    badge = f"*{md_escape(view['badge'])}*"
    if not view["registered"]:
        badge += f" — **{md_escape(names['unregistered'])}**"
    lines += [badge, ""]
    if view["fallback"]:
        lines += [f"> {md_escape(names['fallback_notice'])}", ""]
    for key, text in view["sections"]:
        lines += [f"**{md_escape(names[key])}**", "", md_escape(text), ""]
    if view["example_text"]:
        example = md_escape(f"{view['code']} {view['example_text']}")
        lines.append(f"- **{md_escape(names['example_text'])}:** {example}")
    if view["commands"] or view["any_command"]:
        commands = md_escape(_commands_text(view, names))
        lines.append(f"- **{md_escape(names['commands'])}:** {commands}")
    if view["pairs"]:
        pairs = md_escape(", ".join(view["pairs"]))
        lines.append(f"- **{md_escape(names['label_pairs'])}:** {pairs}")
    if view["refs"]:
        lines.append(f"- **{md_escape(names['rfc'])}:** {_md_refs(view['refs'])}")
    if view["compare_with"]:
        codes = ", ".join(f"{md_escape(c)} ({md_escape(n)})" for c, n in view["compare_with"])
        lines.append(f"- **{md_escape(names['compare_with'])}:** {codes}")
    if view["enhanced"]:
        sub = view["enhanced"]
        lines += ["", f"**{md_escape(names['enhanced_code'])}**", ""]
        lines += _md_card(sub, names, level + "#")
    return lines


def card_markdown(card: Card) -> str:
    return "\n".join(_md_card(card_view(card), labels(card.lang), "###")).rstrip() + "\n"


def comparison_markdown(comp: Comparison) -> str:
    names = labels(comp.lang)
    a, b = comparison_views(comp)
    title = f"{md_escape(a['code'])} {md_escape(names['vs'])} {md_escape(b['code'])}"
    lines = [f"## {title}", ""]
    if comp.fallback:
        lines += [f"> {md_escape(names['fallback_notice'])}", ""]
    lines += [md_escape(comp.intro), ""]
    for view in (a, b):
        lines += [f"### {md_escape(view['code'])} · {md_escape(view['name'])}", ""]
        lines += [f"*{md_escape(view['badge'])}*", ""]
        for key, text in view["sections"]:
            lines += [f"**{md_escape(names[key])}**", "", md_escape(text), ""]
    lines += [f"### {md_escape(names['key_differences'])}", ""]
    lines += [f"{i}. {md_escape(d)}" for i, d in enumerate(comp.differences, 1)]
    lines += ["", f"### {md_escape(names['when_which'])}", ""]
    lines += [
        f"- **{md_escape(code)}:** {md_escape(text)}" for code, text in comp.when_which if text
    ]
    lines += ["", f"### {md_escape(names['learn_more'])}", ""]
    lines += [f"- {_md_refs([(str(ref), ref.url)])}" for ref in comp.learn_more]
    return "\n".join(lines).rstrip() + "\n"


# --- HTML ------------------------------------------------------------------------------------
def card_html(card: Card) -> str:
    return render("card.html", card=card_view(card), labels=labels(card.lang))


def comparison_html(comp: Comparison) -> str:
    views = comparison_views(comp)
    return render(
        "comparison.html",
        a=views[0],
        b=views[1],
        comp=comp,
        fallback=comp.fallback,
        labels=labels(comp.lang),
        dir="rtl" if i18n.is_rtl(comp.lang) else "ltr",
        refs=[(str(ref), ref.url) for ref in comp.learn_more],
    )


# --- code lists, RFC view, glossary ----------------------------------------------------------
def code_rows(entries: Iterable[BasicCode], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "class": c.outcome_class,
            "name": c.text(lang).name,
            "commands": ", ".join(c.commands) + (" (+any)" if c.any_command else ""),
        }
        for c in entries
    ]


def codes_text(
    entries: Sequence[BasicCode], enhanced: Sequence[EnhancedCode], lang: str = "en"
) -> str:
    """A compact table: one line per basic code, then one per enhanced code."""
    names = labels(lang)
    lines = []
    for row in code_rows(entries, lang):
        lines.append(f"{row['code']}  {row['name'][:38]:<38}  {row['commands']}".rstrip())
    if enhanced:
        lines += ["", names["enhanced_code"]]
        lines += [f"{e.code:<8} {e.text(lang).name}" for e in enhanced]
    return "\n".join(lines)


def codes_html(entries: Sequence[BasicCode], lang: str = "en") -> str:
    return render("codes.html", rows=code_rows(entries, lang), labels=labels(lang))


def _sections(refs: Iterable[RfcRef]) -> str:
    return ", ".join(f"§{ref.section}" for ref in refs if ref.section) or "-"


def rfc_text(view: RfcView, lang: str = "en") -> str:
    """The codes an RFC defines and the codes that cite it, one line each."""
    names = labels(lang)
    lines = [f"RFC {view.rfc}  https://www.rfc-editor.org/rfc/rfc{view.rfc}"]
    if view.defined:
        lines += ["", names["label_defined"]]
        lines += [f"  {c.code}  {_sections([r]):<10} {c.text(lang).name}" for c, r in view.defined]
    if view.cited:
        lines += ["", names["label_cited"]]
        lines += [f"  {c.code}  {_sections(r):<10} {c.text(lang).name}" for c, r in view.cited]
    if view.enhanced:
        lines += ["", names["label_enhanced"]]
        lines += [f"  {e.code:<8} {_sections(r):<10} {e.text(lang).name}" for e, r in view.enhanced]
    return "\n".join(lines)


def glossary_text(glossary: Glossary) -> str:
    lines = [i18n.t("glossary", glossary.lang), ""]
    for entry in glossary.entries:
        lines.append(entry.term)
        lines.append(_wrap(entry.text))
    if glossary.fallback:
        lines.insert(1, f"({i18n.t('fallback_notice', glossary.lang)})")
    return "\n".join(lines)


def glossary_html(glossary: Glossary) -> str:
    return render(
        "glossary.html",
        entries=glossary.entries,
        lang=glossary.lang,
        fallback=glossary.fallback,
        labels=labels(glossary.lang),
    )
