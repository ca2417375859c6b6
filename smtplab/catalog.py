"""The reply-code catalog: every basic and enhanced SMTP code, looked up and explained.

Facts come from ``data/catalog/*.json`` and words from ``data/catalog/<lang>/*.json``; both are read
once from the installed package and turned into frozen value objects. A well-formed code that the
catalog does not hold is still explained, honestly, from its digits (RFC 5321 §4.2.1 for basic
codes, RFC 3463 §3 for enhanced ones) and marked unregistered.

What counts as well formed: three digits whose first is 2, 3, 4 or 5 (the only outcome classes
SMTP has). A second digit of 6 to 9 (299, 466) is outside RFC 5321's grammar (§4.2 allows 0 to 5)
but servers do send such codes, so it is explained and the card says it names no known category.
Anything else (``"abc"``, ``99``, ``1000``, ``199``, ``650``) raises
:class:`~smtplab.errors.CodeError`. An enhanced code is ``class.subject.detail`` with class 2, 4
or 5 (RFC 3463 §2); subjects above 7 are explained as undefined.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar
from urllib.parse import quote

from smtplab import i18n
from smtplab.datafiles import DataFileError, expect, read_json
from smtplab.errors import CodeError

#: Replies whose RFC text says the server closes the transmission channel (RFC 5321 §4.2.2,
#: §4.1.1.10 for 221 after QUIT, §3.8 for 421 on shutdown or timeout).
CLOSING_CODES = frozenset({221, 421})
#: Outcome classes of basic codes (RFC 5321 §4.2.1) and of enhanced codes (RFC 3463 §3.1).
BASIC_CLASSES = (2, 3, 4, 5)
ENHANCED_CLASSES = (2, 4, 5)
#: Subjects RFC 3463 §3 defines (0 to 7); higher ones are well formed but unassigned.
ENHANCED_SUBJECTS = range(8)

_BASIC_RE = re.compile(r"[2-5][0-9][0-9]")
#: Categories RFC 5321 §4.2.1 defines (x0z to x5z; x3z and x4z are unspecified).
BASIC_CATEGORIES = range(6)
_ENHANCED_RE = re.compile(r"([0-9X])\.([0-9]{1,3})\.([0-9]{1,3})", re.IGNORECASE)


@dataclass(frozen=True)
class RfcRef:
    """A pointer into an RFC: ``RFC 5321 §4.2.2``."""

    rfc: int
    section: str | None = None

    def __str__(self) -> str:
        return f"RFC {self.rfc} §{self.section}" if self.section else f"RFC {self.rfc}"

    @property
    def url(self) -> str:
        """The RFC Editor's HTML page, anchored at the section."""
        base = f"https://www.rfc-editor.org/rfc/rfc{self.rfc}"
        return f"{base}#section-{quote(self.section, safe='.')}" if self.section else base

    def to_dict(self) -> dict[str, Any]:
        return {"rfc": self.rfc, "section": self.section}


@dataclass(frozen=True)
class CodeText:
    """The words of one card in one language; ``lang`` is the language they are written in."""

    name: str
    description: str
    when: str = ""
    action: str = ""
    lang: str = i18n.DEFAULT_LANGUAGE


@dataclass(frozen=True)
class BasicCode:
    """A three-digit reply code with the facts RFC 5321 (or an extension RFC) gives for it."""

    code: int
    example_text: str = ""
    defined_in: RfcRef | None = None
    commands: tuple[str, ...] = ()
    any_command: bool = False
    rfc: tuple[RfcRef, ...] = ()
    enhanced: tuple[str, ...] = ()
    confused_with: tuple[int, ...] = ()
    registered: bool = True

    @property
    def outcome_class(self) -> int:
        """First digit: 2 done, 3 go on, 4 try later, 5 don't retry (RFC 5321 §4.2.1)."""
        return self.code // 100

    @property
    def category(self) -> int:
        """Second digit: 0 syntax, 1 information, 2 connections, 5 mail system."""
        return self.code // 10 % 10

    @property
    def closes_connection(self) -> bool:
        return self.code in CLOSING_CODES

    @property
    def key(self) -> str:
        return str(self.code)

    def text(self, lang: str = i18n.DEFAULT_LANGUAGE) -> CodeText:
        """Words for this code in ``lang``, English when not translated, digits when unknown."""
        if not self.registered:
            return _digits_text(self, lang)
        return _text_for("basic", self.key, lang)

    def labels(self, lang: str = i18n.DEFAULT_LANGUAGE) -> tuple[str, str]:
        """The class and category headings in ``lang`` ("Positive Completion", "Mail system")."""
        klass = i18n.t(f"class_{self.outcome_class}", lang)
        if self.category in BASIC_CATEGORIES:
            return klass, i18n.t(f"category_{self.category}", lang)
        return klass, i18n.phrase("undefined_category", lang, category=self.category)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "class": self.outcome_class,
            "category": self.category,
            "registered": self.registered,
            "example_text": self.example_text,
            "defined_in": self.defined_in.to_dict() if self.defined_in else None,
            "commands": list(self.commands),
            "any_command": self.any_command,
            "rfc": [ref.to_dict() for ref in self.rfc],
            "enhanced": list(self.enhanced),
            "confused_with": list(self.confused_with),
        }


@dataclass(frozen=True)
class EnhancedCode:
    """An RFC 3463 ``class.subject.detail`` code, as asked for ("5.1.1") or as registered ("X.1.1").

    ``registry_code`` is the IANA registry entry it matched (``None`` when unregistered).
    """

    code: str
    registry_code: str | None = None
    basic: tuple[int, ...] = ()
    rfc: tuple[RfcRef, ...] = ()

    @property
    def registered(self) -> bool:
        return self.registry_code is not None

    @property
    def outcome_class(self) -> int | None:
        """2 success, 4 persistent transient failure, 5 permanent failure; ``None`` for "X"."""
        head = self.code.split(".")[0]
        return int(head) if head.isdigit() else None

    @property
    def subject(self) -> int:
        return int(self.code.split(".")[1])

    @property
    def detail(self) -> int:
        return int(self.code.split(".")[2])

    @property
    def key(self) -> str:
        return self.code

    def text(self, lang: str = i18n.DEFAULT_LANGUAGE) -> CodeText:
        if self.registry_code is None:
            return _digits_text(self, lang)
        return _text_for("enhanced", self.registry_code, lang)

    def labels(self, lang: str = i18n.DEFAULT_LANGUAGE) -> tuple[str, str]:
        """The class heading (or "any class" for X) and the subject heading in ``lang``."""
        klass = self.outcome_class
        class_label = (
            i18n.t(f"eclass_{klass}", lang)
            if klass is not None
            else i18n.phrase("any_enhanced_class", lang)
        )
        if self.subject in ENHANCED_SUBJECTS:
            subject_label = i18n.t(f"subject_{self.subject}", lang)
        else:
            subject_label = i18n.phrase("undefined_subject", lang, subject=self.subject)
        return class_label, subject_label

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "registry_code": self.registry_code,
            "class": self.outcome_class,
            "subject": self.subject,
            "detail": self.detail,
            "registered": self.registered,
            "basic": list(self.basic),
            "rfc": [ref.to_dict() for ref in self.rfc],
        }


Entry = BasicCode | EnhancedCode


@dataclass(frozen=True, repr=False)
class Card:
    """One code explained in one language: what a learner reads in Jupyter, a terminal or docs.

    ``enhanced`` is the card of an enhanced code shown together with a basic one (``550 5.1.1``).
    """

    entry: Entry
    text: CodeText
    lang: str = i18n.DEFAULT_LANGUAGE
    enhanced: Card | None = None

    @property
    def code(self) -> str:
        return self.entry.key

    @property
    def fallback(self) -> bool:
        """True when the words are shown in English because ``lang`` has no translation yet."""
        return self.text.lang != self.lang

    def to_dict(self) -> dict[str, Any]:
        data = self.entry.to_dict()
        class_label, second_label = self.entry.labels(self.lang)
        data["class_name"] = class_label
        if isinstance(self.entry, BasicCode):
            data["category_name"] = second_label
            data.update(
                name=self.text.name,
                description=self.text.description,
                when=self.text.when,
                action=self.text.action,
            )
            data["enhanced_card"] = self.enhanced.to_dict() if self.enhanced else None
        else:
            data["subject_name"] = second_label
            data.update(title=self.text.name, description=self.text.description)
        data.update(lang=self.lang, text_lang=self.text.lang, fallback=self.fallback)
        return data

    def __str__(self) -> str:
        from smtplab.render.catalog import card_text  # noqa: PLC0415 - render imports us

        return card_text(self)

    def __repr__(self) -> str:
        return f"<Card {self.code} {self.text.name!r} lang={self.lang}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's text/plain view (what nbval compares) is the readable card, not the repr."""
        printer.text(str(self))

    def to_markdown(self) -> str:
        from smtplab.render.catalog import card_markdown  # noqa: PLC0415 - render imports us

        return card_markdown(self)

    def _repr_html_(self) -> str:
        from smtplab.render.catalog import card_html  # noqa: PLC0415 - render imports us

        return card_html(self)


# --- parsing what a learner typed ------------------------------------------------------------
def _describe(code: object) -> str:
    return repr(code) if isinstance(code, str) else str(code)


def parse_basic(code: int | str) -> int:
    """The reply code as an int, or a :class:`CodeError` saying what a reply code looks like."""
    if isinstance(code, bool) or not isinstance(code, int | str):
        raise CodeError(f"{_describe(code)} is not an SMTP reply code: give three digits like 250")
    digits = str(code).strip()
    if not (len(digits) == 3 and digits.isascii() and digits.isdigit()):
        raise CodeError(
            f"{_describe(code)} is not an SMTP reply code: a reply code has exactly three digits,"
            " like 250 or 550"
        )
    if not _BASIC_RE.fullmatch(digits):
        raise CodeError(
            f"{digits} is not an SMTP reply code: the first digit must be 2, 3, 4 or 5"
            " (RFC 5321 §4.2.1)"
        )
    return int(digits)


def parse_enhanced(code: str) -> str:
    """Normalise ``"5.01.1"`` / ``"x.1.1"`` to ``"5.1.1"`` / ``"X.1.1"``, or raise CodeError."""
    if not isinstance(code, str):  # explain(550, enhanced=5.11): a float is not "5.1.1"
        raise CodeError(f"{code!r} is not an enhanced status code: give it as text, like '5.1.1'")
    match = _ENHANCED_RE.fullmatch(code.strip())
    if match is None:
        raise CodeError(
            f"{code!r} is not an enhanced status code: expected class.subject.detail, like 5.1.1"
        )
    klass, subject, detail = match.groups()
    klass = klass.upper()
    if klass != "X" and int(klass) not in ENHANCED_CLASSES:
        raise CodeError(
            f"{code.strip()} is not an enhanced status code: its class (first number) must be"
            " 2, 4 or 5 (RFC 3463)"
        )
    return f"{klass}.{int(subject)}.{int(detail)}"


def _is_enhanced_form(code: int | str) -> bool:
    return isinstance(code, str) and "." in code


# --- loading ---------------------------------------------------------------------------------
def _refs(raw: object, where: str) -> tuple[RfcRef, ...]:
    expect(isinstance(raw, list), where, "'rfc' must be a list")
    assert isinstance(raw, list)
    return tuple(_ref(item, where) for item in raw)


def _ref(raw: object, where: str) -> RfcRef:
    expect(isinstance(raw, dict) and isinstance(raw.get("rfc"), int), where, f"bad RFC ref {raw}")
    assert isinstance(raw, dict)
    section = raw.get("section")
    expect(section is None or isinstance(section, str), where, f"bad RFC section {section!r}")
    return RfcRef(raw["rfc"], section)


_T = TypeVar("_T", str, int)


def _list_of(kind: type[_T], raw: object, where: str, field: str) -> tuple[_T, ...]:
    """``raw`` as a tuple when it is a JSON list of ``kind`` (str or int), else a DataFileError."""
    expect(
        isinstance(raw, list) and all(isinstance(x, kind) for x in raw),
        where,
        f"{field!r} must be a list of {'strings' if kind is str else 'integers'}",
    )
    assert isinstance(raw, list)
    return tuple(raw)


def _entries(raw: object, where: str) -> list[dict[str, Any]]:
    expect(isinstance(raw, dict) and isinstance(raw.get("codes"), list), where, "needs 'codes'")
    assert isinstance(raw, dict)
    items = raw["codes"]
    expect(all(isinstance(item, dict) for item in items), where, "every code must be an object")
    return list(items)


@cache
def _basic_table() -> Mapping[int, BasicCode]:
    table: dict[int, BasicCode] = {}
    for item in _entries(read_json("catalog", "basic.json"), "data/catalog/basic.json"):
        where = f"data/catalog/basic.json: code {item.get('code')!r}"
        code = item.get("code")
        expect(isinstance(code, int) and bool(_BASIC_RE.fullmatch(str(code))), where, "bad code")
        expect(code not in table, where, "listed twice")
        assert isinstance(code, int)
        example = item.get("example_text", "")
        expect(isinstance(example, str), where, "'example_text' must be a string")
        defined = item.get("defined_in")
        table[code] = BasicCode(
            code=code,
            example_text=example,
            defined_in=_ref(defined, where) if defined is not None else None,
            commands=_list_of(str, item.get("commands", []), where, "commands"),
            any_command=item.get("any_command", False) is True,
            rfc=_refs(item.get("rfc", []), where),
            enhanced=tuple(
                map(parse_enhanced, _list_of(str, item.get("enhanced", []), where, "enhanced"))
            ),
            confused_with=_list_of(int, item.get("confused_with", []), where, "confused_with"),
        )
    _check_texts("basic", [str(code) for code in table])
    return dict(sorted(table.items()))


@cache
def _enhanced_table() -> Mapping[str, EnhancedCode]:
    table: dict[str, EnhancedCode] = {}
    raw = read_json("catalog", "enhanced.json")
    for item in _entries(raw, "data/catalog/enhanced.json"):
        where = f"data/catalog/enhanced.json: code {item.get('code')!r}"
        code = item.get("code")
        expect(isinstance(code, str), where, "'code' must be a string like 'X.1.1'")
        assert isinstance(code, str)
        try:
            key = parse_enhanced(code)
        except CodeError as exc:
            raise DataFileError(f"{where}: {exc}") from None
        expect(key == code, where, f"write it as {key!r}")
        expect(key not in table, where, "listed twice")
        table[key] = EnhancedCode(
            code=key,
            registry_code=key,
            basic=_list_of(int, item.get("basic", []), where, "basic"),
            rfc=_refs(item.get("rfc", []), where),
        )
    _check_texts("enhanced", list(table))
    return dict(sorted(table.items(), key=lambda kv: _enhanced_sort_key(kv[0])))


def _enhanced_sort_key(code: str) -> tuple[int, int, int]:
    klass, subject, detail = code.split(".")
    return (0 if klass == "X" else int(klass), int(subject), int(detail))


_TEXT_FIELDS: Mapping[str, tuple[str, ...]] = {
    "basic": ("name", "description", "when", "action"),
    "enhanced": ("title", "description"),
}


@cache
def _texts(kind: str, lang: str) -> Mapping[str, CodeText]:
    """Complete entries of ``data/catalog/<lang>/<kind>.json`` (absent file = no translation)."""
    raw = read_json("catalog", lang, f"{kind}.json", required=lang == i18n.DEFAULT_LANGUAGE)
    if raw is None:
        return {}
    where = f"data/catalog/{lang}/{kind}.json"
    expect(isinstance(raw, dict), where, "expected an object keyed by code")
    fields = _TEXT_FIELDS[kind]
    texts: dict[str, CodeText] = {}
    for key, entry in raw.items():
        expect(isinstance(entry, dict), where, f"{key}: expected an object")
        values = [entry.get(f) for f in fields]
        if not all(isinstance(v, str) and v.strip() for v in values):
            continue  # an incomplete translation is shown in English, visibly
        words = dict(zip(("name", "description", "when", "action"), map(str, values), strict=False))
        texts[key] = CodeText(**words, lang=lang)
    return texts


def _check_texts(kind: str, keys: list[str]) -> None:
    english = _texts(kind, i18n.DEFAULT_LANGUAGE)
    missing = [key for key in keys if key not in english]
    expect(
        not missing,
        f"data/catalog/en/{kind}.json",
        f"no complete English text for {', '.join(missing)}",
    )


def _text_for(kind: str, key: str, lang: str) -> CodeText:
    tag = i18n.normalize_language(lang)
    translated = _texts(kind, tag).get(key) if tag in i18n.CONTENT_LANGUAGES else None
    return translated or _texts(kind, i18n.DEFAULT_LANGUAGE)[key]


def _digits_text(entry: Entry, lang: str) -> CodeText:
    """Words for an unregistered code, built from what its digits mean."""
    text_lang = i18n.phrase_language(lang)
    class_label, second_label = entry.labels(lang)
    if isinstance(entry, BasicCode):
        fields: dict[str, object] = {
            "code": entry.code,
            "class_digit": entry.outcome_class,
            "category_digit": entry.category,
            "class_label": class_label,
            "category_label": second_label,
        }
        return CodeText(
            name=i18n.phrase("unregistered_name", lang, **fields),
            description=i18n.phrase(
                "unregistered_description"
                if entry.category in BASIC_CATEGORIES
                else "unregistered_description_offgrid",
                lang,
                **fields,
            ),
            when=i18n.phrase("unregistered_when", lang, **fields),
            action=i18n.phrase(f"advice_{entry.outcome_class}", lang, **fields),
            lang=text_lang,
        )
    fields = {
        "code": entry.code,
        "class_label": class_label,
        "subject_label": second_label,
        "subject": entry.subject,
        "detail": entry.detail,
    }
    return CodeText(
        name=i18n.phrase("enhanced_unregistered_title", lang, **fields),
        description=i18n.phrase("enhanced_unregistered_description", lang, **fields),
        lang=text_lang,
    )


# --- the public API --------------------------------------------------------------------------
def codes() -> tuple[BasicCode, ...]:
    """Every registered basic reply code, in numeric order."""
    return tuple(_basic_table().values())


def enhanced_codes() -> tuple[EnhancedCode, ...]:
    """Every enhanced status code of the registry, as registered ("X.1.1", "5.7.8", …)."""
    return tuple(_enhanced_table().values())


def lookup(code: int | str) -> Entry:
    """The catalog entry for ``252``, ``"252"``, ``"5.1.1"`` or ``"X.1.1"``.

    Unknown but well-formed codes come back with ``registered`` false; malformed ones raise
    :class:`~smtplab.errors.CodeError` with a one-line message for the learner.
    """
    if _is_enhanced_form(code):
        assert isinstance(code, str)
        return lookup_enhanced(code)
    number = parse_basic(code)
    return _basic_table().get(number) or BasicCode(code=number, registered=False)


def lookup_enhanced(code: str) -> EnhancedCode:
    """``"5.1.1"`` finds the registry's "5.1.1" or else "X.1.1", shown as 5.1.1."""
    key = parse_enhanced(code)
    table = _enhanced_table()
    if key in table:
        return table[key]
    _, subject, detail = key.split(".")
    generic = table.get(f"X.{subject}.{detail}")
    if generic is None:
        return EnhancedCode(code=key)
    klass = int(key.split(".")[0])
    return EnhancedCode(
        code=key,
        registry_code=generic.code,
        basic=tuple(c for c in generic.basic if c // 100 == klass),  # 5.1.1 goes with 5xx only
        rfc=generic.rfc,
    )


def explain(code: int | str, *, enhanced: str | None = None, lang: str = "en") -> Card:
    """The card for ``code`` in ``lang``; ``enhanced`` adds the enhanced code sent with it.

    ``explain("550 5.1.1")`` reads the two codes the way a reply line starts.
    """
    tag = i18n.normalize_language(lang)
    if enhanced is None and isinstance(code, str) and len(parts := code.split()) == 2:
        code, enhanced = parts
    entry = lookup(code)
    extra: Card | None = None
    if enhanced is not None:
        if isinstance(entry, EnhancedCode):
            raise CodeError(f"{entry.code} is already an enhanced code; pass a basic code with it")
        extra = explain(lookup_enhanced(enhanced).code, lang=tag)
    return Card(entry=entry, text=entry.text(tag), lang=tag, enhanced=extra)


@dataclass(frozen=True)
class RfcView:
    """What the catalog holds from one RFC: codes it defines, codes that cite it."""

    rfc: int
    defined: tuple[tuple[BasicCode, RfcRef], ...]
    cited: tuple[tuple[BasicCode, tuple[RfcRef, ...]], ...]
    enhanced: tuple[tuple[EnhancedCode, tuple[RfcRef, ...]], ...]

    def __str__(self) -> str:
        from smtplab.render.catalog import rfc_text  # noqa: PLC0415 - render imports us

        return rfc_text(self, i18n.DEFAULT_LANGUAGE)


def by_rfc(number: int | str) -> RfcView:
    """The codes an RFC defines (``defined_in``) and the codes whose references cite it."""
    text = str(number).strip().upper().removeprefix("RFC").strip()
    if not (text.isascii() and text.isdigit()):
        raise CodeError(f"{number!r} is not an RFC number: give digits, like 5321")
    rfc = int(text)
    defined = tuple(
        (c, c.defined_in) for c in codes() if c.defined_in is not None and c.defined_in.rfc == rfc
    )
    defined_codes = {c.code for c, _ in defined}
    cited = tuple(
        (c, refs)
        for c in codes()
        if c.code not in defined_codes and (refs := tuple(r for r in c.rfc if r.rfc == rfc))
    )
    enhanced = tuple(
        (e, refs) for e in enhanced_codes() if (refs := tuple(r for r in e.rfc if r.rfc == rfc))
    )
    if not (defined or cited or enhanced):
        raise CodeError(f"no code in the catalog comes from or cites RFC {rfc}")
    return RfcView(rfc=rfc, defined=defined, cited=cited, enhanced=enhanced)


def cited_rfcs() -> tuple[int, ...]:
    """Every RFC number the catalog mentions, for ``smtplab rfc`` without an argument."""
    numbers = {r.rfc for c in codes() for r in (*c.rfc, *([c.defined_in] if c.defined_in else []))}
    numbers.update(r.rfc for e in enhanced_codes() for r in e.rfc)
    return tuple(sorted(numbers))
