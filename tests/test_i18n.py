"""Languages, headings and sentence templates: complete, consistent, with English fallback."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

from smtplab import i18n
from smtplab.errors import SmtplabError, UnknownLanguageError

DATA = Path(__file__).resolve().parent.parent / "data"
UI = json.loads((DATA / "i18n" / "ui.json").read_text(encoding="utf-8"))
PHRASES = json.loads((DATA / "i18n" / "phrases.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((DATA / "schema" / "ui.schema.json").read_text(encoding="utf-8"))
UI_KEYS = SCHEMA["$defs"]["strings"]["required"]


def test_fourteen_languages_with_headings() -> None:
    assert len(i18n.LANGUAGES) == 14
    assert set(i18n.LANGUAGES) == set(UI)
    assert set(i18n.CONTENT_LANGUAGES) <= set(i18n.LANGUAGES)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_heading_exists_in_every_language(lang: str) -> None:
    for key in UI_KEYS:
        assert i18n.has_text(key, lang), (lang, key)
        assert i18n.t(key, lang) == UI[lang][key]


@pytest.mark.parametrize(("given", "tag"), [("EN", "en"), ("zh_Hans", "zh-hans"), (" vi ", "vi")])
def test_language_tags_are_normalised(given: str, tag: str) -> None:
    assert i18n.normalize_language(given) == tag


@pytest.mark.parametrize("bad", ["xx", "", "english", "zh"])
def test_unknown_language_is_a_clear_error(bad: str) -> None:
    with pytest.raises(UnknownLanguageError) as info:
        i18n.t("description", bad)
    assert isinstance(info.value, SmtplabError)
    assert "en, vi" in str(info.value)


def test_ar_is_right_to_left() -> None:
    assert i18n.is_rtl("ar")
    assert not i18n.is_rtl("vi")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_phrase_templates_exist_in_english_and_vietnamese_with_the_same_fields() -> None:
    assert set(PHRASES) >= {"en", "vi"}
    assert set(PHRASES["en"]) == set(PHRASES["vi"])
    for key, template in PHRASES["en"].items():
        assert _placeholders(template) == _placeholders(PHRASES["vi"][key]), key


def test_phrases_fall_back_to_english_for_other_languages() -> None:
    assert i18n.phrase_language("fr") == "en"
    assert i18n.phrase_language("vi") == "vi"
    assert not i18n.has_text("next_close", "fr", table="phrases")
    assert i18n.phrase("diff_next_same", "fr", next="x") == PHRASES["en"]["diff_next_same"].format(
        next="x"
    )
    assert i18n.phrase("next_close", "vi") == PHRASES["vi"]["next_close"]


def test_missing_key_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        i18n.t("no_such_heading_anywhere")
