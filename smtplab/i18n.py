"""Headings, UI strings and sentence templates per language, with a visible English fallback.

Headings live in ``data/i18n/ui.json`` (all 14 languages of the seed site); sentence templates for
generated text (comparisons, codes explained from their digits) live in ``data/i18n/phrases.json``
(English and Vietnamese). A string missing in a language falls back to English; callers that show
*content* in English for another language say so with the ``fallback_notice`` string.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from smtplab.datafiles import expect, read_json
from smtplab.errors import UnknownLanguageError

#: The seed site's languages, in its order. Headings exist for all of them.
LANGUAGES: tuple[str, ...] = (
    "en", "vi", "ru", "fr", "de", "id", "tr", "ko", "pt", "zh-hans", "ar", "hi", "es", "th",
)  # fmt: skip
#: Languages with full explanatory content (cards, comparisons); others fall back to English.
CONTENT_LANGUAGES: tuple[str, ...] = ("en", "vi")
DEFAULT_LANGUAGE = "en"
_RTL = frozenset({"ar"})


def normalize_language(lang: str) -> str:
    """The canonical tag for ``lang`` ("zh_Hans" → "zh-hans"); raise for an unknown one."""
    tag = str(lang).strip().lower().replace("_", "-")
    if tag not in LANGUAGES:
        raise UnknownLanguageError(
            f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}"
        )
    return tag


def is_rtl(lang: str) -> bool:
    """Whether ``lang`` is written right to left (HTML views set ``dir`` from this)."""
    return normalize_language(lang) in _RTL


@cache
def _table(name: str) -> Mapping[str, Mapping[str, str]]:
    raw: dict[str, dict[str, str]] = read_json("i18n", f"{name}.json")
    where = f"data/i18n/{name}.json"
    expect(isinstance(raw, dict), where, "expected an object of languages")
    expect(DEFAULT_LANGUAGE in raw, where, "has no English ('en') strings")
    for lang, strings in raw.items():
        expect(lang in LANGUAGES, where, f"unknown language {lang!r}")
        expect(
            isinstance(strings, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in strings.items()),
            where,
            f"{lang!r} must map string keys to strings",
        )
    return raw


def has_text(key: str, lang: str, *, table: str = "ui") -> bool:
    """Whether ``key`` is translated into ``lang`` itself (no fallback)."""
    return key in _table(table).get(normalize_language(lang), {})


def t(key: str, lang: str = DEFAULT_LANGUAGE, *, table: str = "ui") -> str:
    """The string ``key`` in ``lang``, or in English when that language lacks it."""
    strings = _table(table)
    tag = normalize_language(lang)
    text = strings.get(tag, {}).get(key)
    if text is None:
        text = strings[DEFAULT_LANGUAGE].get(key)
    if text is None:
        raise KeyError(f"no string {key!r} in data/i18n/{table}.json")
    return text


def phrase(key: str, lang: str = DEFAULT_LANGUAGE, **fields: object) -> str:
    """Fill the sentence template ``key`` (``data/i18n/phrases.json``) with ``fields``."""
    return t(key, lang, table="phrases").format(**fields)


def phrase_language(lang: str) -> str:
    """The language generated sentences will actually be written in for ``lang``."""
    tag = normalize_language(lang)
    return tag if tag in _table("phrases") else DEFAULT_LANGUAGE
