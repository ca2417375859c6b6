"""Two codes side by side: the seed page's "221 vs 252" structure, for any pair, done right.

Every generated sentence comes from a template in ``data/i18n/phrases.json`` filled with catalog
facts (class, category or subject, commands, what happens next), so the grammar lives with the
translators and the facts live with the catalog. Basic, enhanced and mixed pairs are supported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from smtplab import i18n
from smtplab.catalog import BASIC_CATEGORIES, BasicCode, Card, EnhancedCode, RfcRef, explain
from smtplab.errors import CodeError

Kind = Literal["basic", "enhanced", "mixed"]


@dataclass(frozen=True, repr=False)
class Comparison:
    """A comparison of two cards in one language, with the same four views as a card."""

    a: Card
    b: Card
    lang: str
    kind: Kind
    intro: str
    differences: tuple[str, ...]
    when_which: tuple[tuple[str, str], ...]  # (code, sentence), one per code
    learn_more: tuple[RfcRef, ...]
    phrase_lang: str = i18n.DEFAULT_LANGUAGE

    @property
    def fallback(self) -> bool:
        """True when any part is shown in English because ``lang`` lacks a translation."""
        return self.a.fallback or self.b.fallback or self.phrase_lang != self.lang

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "kind": self.kind,
            "lang": self.lang,
            "fallback": self.fallback,
            "same_class": self.kind != "mixed"
            and self.a.entry.outcome_class == self.b.entry.outcome_class,
            "intro": self.intro,
            "key_differences": list(self.differences),
            "when_which": [{"code": code, "text": text} for code, text in self.when_which],
            "learn_more": [ref.to_dict() | {"url": ref.url} for ref in self.learn_more],
        }

    def __str__(self) -> str:
        from smtplab.render.catalog import comparison_text  # noqa: PLC0415 - render imports us

        return comparison_text(self)

    def __repr__(self) -> str:
        return f"<Comparison {self.a.code} vs {self.b.code} lang={self.lang}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's text/plain view (what nbval compares) is the readable comparison."""
        printer.text(str(self))

    def to_markdown(self) -> str:
        from smtplab.render.catalog import comparison_markdown  # noqa: PLC0415 - render imports us

        return comparison_markdown(self)

    def _repr_html_(self) -> str:
        from smtplab.render.catalog import comparison_html  # noqa: PLC0415 - render imports us

        return comparison_html(self)


def compare(a: int | str, b: int | str, *, lang: str = "en") -> Comparison:
    """Compare two codes: 221 and 252, "5.1.1" and "5.2.2", or 550 and "5.1.1"."""
    tag = i18n.normalize_language(lang)
    card_a, card_b = explain(a, lang=tag), explain(b, lang=tag)
    if card_a.code == card_b.code:
        raise CodeError(
            f"{card_a.code} and {card_b.code} are the same code; give two different codes"
        )
    writer = _Writer(tag)
    ea, eb = card_a.entry, card_b.entry
    if isinstance(ea, BasicCode) and isinstance(eb, BasicCode):
        kind: Kind = "basic"
        intro, differences = writer.basic_pair(card_a, card_b, ea, eb)
    elif isinstance(ea, EnhancedCode) and isinstance(eb, EnhancedCode):
        kind = "enhanced"
        intro, differences = writer.enhanced_pair(card_a, card_b, ea, eb)
    else:
        kind = "mixed"
        intro, differences = writer.mixed_pair(card_a, card_b)
    return Comparison(
        a=card_a,
        b=card_b,
        lang=tag,
        kind=kind,
        intro=intro,
        differences=differences,
        when_which=(writer.when(card_a), writer.when(card_b)),
        learn_more=_learn_more(card_a, card_b),
        phrase_lang=i18n.phrase_language(tag),
    )


def _learn_more(*cards: Card) -> tuple[RfcRef, ...]:
    refs: list[RfcRef] = []
    for card in cards:
        entry = card.entry
        own = (entry.defined_in,) if isinstance(entry, BasicCode) and entry.defined_in else ()
        for ref in (*own, *entry.rfc):
            if ref not in refs:
                refs.append(ref)
    first_seen = {ref.rfc: i for i, ref in reversed(list(enumerate(refs)))}
    return tuple(sorted(refs, key=lambda r: (first_seen[r.rfc], _section_key(r.section))))


def _section_key(section: str | None) -> tuple[int, ...]:
    if not section:
        return ()
    return tuple(int(part) if part.isdigit() else 0 for part in section.split("."))


class _Writer:
    """Fills the phrase templates of one language with facts from the catalog."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def p(self, key: str, **fields: object) -> str:
        return i18n.phrase(key, self.lang, **fields)

    def join(self, items: list[str], last: str = "list_last") -> str:
        if len(items) <= 1:
            return "".join(items)
        return self.p("list_sep").join(items[:-1]) + self.p(last) + items[-1]

    def commands(self, entry: BasicCode) -> str:
        """ "VRFY or EXPN", "the connection greeting", "any command, and also …", or ""."""
        names = [self.command(verb) for verb in entry.commands]
        listed = self.join(names)
        if entry.any_command:
            return self.p("commands_any_and", commands=listed) if names else self.p("commands_any")
        return listed

    def commands_clause(self, entry: BasicCode) -> str:
        commands = self.commands(entry)
        if not commands:
            return self.p("commands_clause_none", code=entry.code)
        return self.p("commands_clause", code=entry.code, commands=commands)

    def command(self, verb: str) -> str:
        key = f"command_{verb}"
        return self.p(key) if i18n.has_text(key, "en", table="phrases") else verb

    def topic(self, entry: BasicCode) -> str:
        if entry.category in BASIC_CATEGORIES:
            return self.p(f"topic_{entry.category}")
        return self.p("topic_undefined")

    def next_step(self, entry: BasicCode) -> str:
        if entry.closes_connection:
            return self.p("next_close")
        return self.p(f"next_{entry.outcome_class}")

    def basic_pair(
        self, ca: Card, cb: Card, a: BasicCode, b: BasicCode
    ) -> tuple[str, tuple[str, ...]]:
        fields = {
            "a": a.code,
            "b": b.code,
            "name_a": ca.text.name,
            "name_b": cb.text.name,
            "class_a": a.outcome_class,
            "class_b": b.outcome_class,
            "class_label_a": a.labels(self.lang)[0],
            "class_label_b": b.labels(self.lang)[0],
        }
        same_class = a.outcome_class == b.outcome_class
        intro = self.p("intro_same" if same_class else "intro_different", **fields)
        diffs: list[str] = []
        if same_class:
            diffs.append(self.p("diff_outcome_same", outcome=self.p(f"outcome_{a.outcome_class}")))
        else:
            diffs.append(
                self.p(
                    "diff_outcome",
                    a=a.code,
                    b=b.code,
                    outcome_a=self.p(f"outcome_{a.outcome_class}"),
                    outcome_b=self.p(f"outcome_{b.outcome_class}"),
                )
            )
        if a.category == b.category:
            diffs.append(self.p("diff_topic_same", topic=self.topic(a), digit=a.category))
        else:
            diffs.append(
                self.p(
                    "diff_topic",
                    a=a.code,
                    b=b.code,
                    topic_a=self.topic(a),
                    topic_b=self.topic(b),
                    digit_a=a.category,
                    digit_b=b.category,
                )
            )
        if (set(a.commands), a.any_command) == (set(b.commands), b.any_command):
            shared = self.commands(a)
            diffs.append(
                self.p("diff_commands_same", commands=shared)
                if shared
                else self.p("diff_commands_none")
            )
        else:
            diffs.append(
                self.p(
                    "diff_commands",
                    clause_a=self.commands_clause(a),
                    clause_b=self.commands_clause(b),
                )
            )
        next_a, next_b = self.next_step(a), self.next_step(b)
        if next_a == next_b:
            diffs.append(self.p("diff_next_same", next=next_a))
        else:
            diffs.append(self.p("diff_next", a=a.code, b=b.code, next_a=next_a, next_b=next_b))
        return intro, tuple(diffs)

    def basics(self, codes: tuple[int, ...]) -> str:
        return self.join([str(code) for code in codes]) or self.p("pairs_none")

    def enhanced_pair(
        self, ca: Card, cb: Card, a: EnhancedCode, b: EnhancedCode
    ) -> tuple[str, tuple[str, ...]]:
        (label_a, subject_a), (label_b, subject_b) = a.labels(self.lang), b.labels(self.lang)
        same_class = a.outcome_class == b.outcome_class
        intro = self.p(
            "intro_enhanced_same" if same_class else "intro_enhanced_different",
            a=a.code,
            b=b.code,
            name_a=ca.text.name,
            name_b=cb.text.name,
            class_label_a=label_a,
            class_label_b=label_b,
        )
        diffs = [
            self.p("diff_eclass_same", label=label_a)
            if same_class
            else self.p("diff_eclass", a=a.code, b=b.code, label_a=label_a, label_b=label_b)
        ]
        if a.subject == b.subject:
            diffs.append(self.p("diff_subject_same", label=subject_a, subject=a.subject))
        else:
            diffs.append(
                self.p(
                    "diff_subject",
                    a=a.code,
                    b=b.code,
                    label_a=subject_a,
                    label_b=subject_b,
                    subject_a=a.subject,
                    subject_b=b.subject,
                )
            )
        diffs.append(
            self.p(
                "diff_pairs",
                a=a.code,
                b=b.code,
                basic_a=self.basics(a.basic),
                basic_b=self.basics(b.basic),
            )
        )
        return intro, tuple(diffs)

    def mixed_pair(self, ca: Card, cb: Card) -> tuple[str, tuple[str, ...]]:
        basic_card, enhanced_card = (ca, cb) if isinstance(ca.entry, BasicCode) else (cb, ca)
        intro = self.p(
            "intro_mixed",
            basic=basic_card.code,
            enhanced=enhanced_card.code,
            name_basic=basic_card.text.name,
            name_enhanced=enhanced_card.text.name,
        )
        basic, enhanced = basic_card.entry, enhanced_card.entry
        assert isinstance(basic, BasicCode)
        assert isinstance(enhanced, EnhancedCode)
        diffs = [self.p("diff_layers", basic=basic.code, enhanced=enhanced.code)]
        if enhanced.outcome_class is None:
            diffs.append(self.p("diff_class_any", basic=basic.code, enhanced=enhanced.code))
        else:
            key = (
                "diff_class_match"
                if enhanced.outcome_class == basic.outcome_class
                else "diff_class_mismatch"
            )
            diffs.append(
                self.p(key, basic_class=basic.outcome_class, enhanced_class=enhanced.outcome_class)
            )
        paired = basic.code in enhanced.basic or _same_family(basic, enhanced)
        if paired:
            example = f"{basic.outcome_class}.{enhanced.subject}.{enhanced.detail}"
            diffs.append(
                self.p(
                    "diff_pairing_yes", basic=basic.code, enhanced=enhanced.code, example=example
                )
            )
        else:
            diffs.append(
                self.p(
                    "diff_pairing_no",
                    basic=basic.code,
                    enhanced=enhanced.code,
                    basic_list=self.basics(enhanced.basic),
                )
            )
        return intro, tuple(diffs)

    def when(self, card: Card) -> tuple[str, str]:
        entry = card.entry
        if isinstance(entry, BasicCode):
            return card.code, card.text.when
        if entry.basic:
            text = self.p(
                "when_enhanced",
                code=entry.code,
                basic=self.basics(entry.basic),
                title=card.text.name,
            )
        else:
            text = self.p("when_enhanced_alone", code=entry.code, title=card.text.name)
        return card.code, text


def _same_family(basic: BasicCode, enhanced: EnhancedCode) -> bool:
    """Whether the basic code's own entry lists this enhanced code (or its registry entry)."""
    wanted = {enhanced.code, enhanced.registry_code}
    for code in basic.enhanced:
        _, subject, detail = code.split(".")
        if code in wanted or f"X.{subject}.{detail}" in wanted:
            return True
    return False
