"""The short glossary of terms the cards use (VRFY, EXPN, MTA, enhanced status code, …).

Read from ``data/glossary.json``; a term without a definition in the asked language is shown in
English and the glossary says so, like a card does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from smtplab import i18n
from smtplab.datafiles import expect, read_json


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    text: str
    lang: str


@dataclass(frozen=True)
class Glossary:
    """Every term in one language, with a visible English fallback."""

    lang: str
    entries: tuple[GlossaryEntry, ...]

    @property
    def fallback(self) -> bool:
        return any(entry.lang != self.lang for entry in self.entries)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "fallback": self.fallback,
            "terms": [{"term": e.term, "text": e.text, "lang": e.lang} for e in self.entries],
        }

    def __str__(self) -> str:
        from smtplab.render.catalog import glossary_text  # noqa: PLC0415 - render imports us

        return glossary_text(self)

    def _repr_html_(self) -> str:
        from smtplab.render.catalog import glossary_html  # noqa: PLC0415 - render imports us

        return glossary_html(self)


@cache
def _data() -> Mapping[str, Any]:
    raw = read_json("glossary.json")
    where = "data/glossary.json"
    expect(isinstance(raw, dict) and isinstance(raw.get("terms"), list), where, "needs 'terms'")
    for item in raw["terms"]:
        expect(
            isinstance(item, dict)
            and isinstance(item.get("term"), str)
            and isinstance(item.get(i18n.DEFAULT_LANGUAGE), str),
            where,
            f"every term needs 'term' and an English text: {item!r}",
        )
    return raw  # type: ignore[no-any-return]


def glossary(lang: str = i18n.DEFAULT_LANGUAGE) -> Glossary:
    """The glossary in ``lang`` (English for terms not yet translated), sorted by term."""
    tag = i18n.normalize_language(lang)
    entries = []
    for item in _data()["terms"]:
        text_lang = tag if isinstance(item.get(tag), str) and item[tag].strip() else "en"
        entries.append(GlossaryEntry(term=item["term"], text=item[text_lang], lang=text_lang))
    entries.sort(key=lambda e: e.term.casefold())
    return Glossary(lang=tag, entries=tuple(entries))


def house_terms() -> Mapping[str, str]:
    """The Vietnamese house glossary (English term → Vietnamese term) the content follows."""
    terms = _data().get("vi_terms", {})
    return dict(terms) if isinstance(terms, dict) else {}
