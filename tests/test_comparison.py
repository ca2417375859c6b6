"""Comparisons: intro by class, grammatical generated sentences, every pair the catalog suggests."""

from __future__ import annotations

import re

import pytest

from smtplab import catalog, i18n
from smtplab.catalog import BasicCode
from smtplab.comparison import compare
from smtplab.errors import CodeError

# Every pair a card suggests ("compare with"), in both directions the catalog lists them.
SUGGESTED = sorted(
    {(c.code, other) for c in catalog.codes() for other in c.confused_with},
)
# The seed page's broken phrasings, which generated text must never produce again.
SEED_MISTAKES = ("when after", "when when", "You encounter")


def _check_sentence(text: str) -> None:
    assert text.strip() == text
    assert text[0].isupper() or text[0].isdigit(), text
    assert text.endswith((".", "”")), text
    assert "{" not in text
    assert "}" not in text
    assert "None" not in text
    assert not any(m in text for m in SEED_MISTAKES), text
    assert "  " not in text


@pytest.mark.parametrize("lang", i18n.CONTENT_LANGUAGES)
@pytest.mark.parametrize(("a", "b"), SUGGESTED, ids=str)
def test_every_suggested_pair_compares_cleanly(a: int, b: int, lang: str) -> None:
    comp = compare(a, b, lang=lang)
    assert comp.kind == "basic"
    assert not comp.fallback
    _check_sentence(comp.intro)
    assert str(a) in comp.intro
    assert str(b) in comp.intro
    assert len(comp.differences) == 4
    for sentence in comp.differences:
        _check_sentence(sentence)
    assert [code for code, _ in comp.when_which] == [str(a), str(b)]
    assert [text for _, text in comp.when_which] == [comp.a.text.when, comp.b.text.when]


def _entry(code: int) -> BasicCode:
    entry = catalog.lookup(code)
    assert isinstance(entry, BasicCode)
    return entry


def test_intro_depends_on_whether_the_class_is_shared() -> None:
    same = compare(221, 252)
    assert i18n.t("class_2") in same.intro
    assert same.to_dict()["same_class"] is True
    different = compare(252, 550)
    assert i18n.t("class_2") in different.intro
    assert i18n.t("class_5") in different.intro
    assert different.to_dict()["same_class"] is False
    assert same.intro.split()[0] != different.intro.split()[0]


def test_221_vs_252_differences_are_computed_from_the_catalog() -> None:
    comp = compare(221, 252)
    r221, r252 = _entry(221), _entry(252)
    topic, commands, after = comp.differences[1], comp.differences[2], comp.differences[3]
    assert f"x{r221.category}z" in topic
    assert f"x{r252.category}z" in topic
    for verb in r221.commands:
        assert verb in commands
    for verb in r252.commands:
        assert verb in commands
    assert after == i18n.phrase(
        "diff_next", a=221, b=252, next_a=i18n.phrase("next_close"), next_b=i18n.phrase("next_2")
    )  # 221 closes the connection, after 252 the session goes on


def test_vietnamese_comparison_uses_vietnamese_sentences_and_headings() -> None:
    comp = compare(221, 252, lang="vi")
    assert not comp.fallback
    assert comp.a.text.lang == "vi"
    text = str(comp)
    for key in ("key_differences", "when_which", "learn_more", "description", "action"):
        assert i18n.t(key, "vi") in text
    flat = " ".join(text.split())
    for card in (comp.a, comp.b):  # all three sections, each shown once
        for section in (card.text.description, card.text.when, card.text.action):
            assert flat.count(" ".join(section.split())) == 1
    assert i18n.phrase("next_close", "vi") in text


def test_other_languages_fall_back_visibly() -> None:
    comp = compare(221, 252, lang="de")
    assert comp.fallback
    assert i18n.t("fallback_notice", "de") in str(comp)
    assert i18n.t("key_differences", "de") in str(comp)


def test_learn_more_holds_every_reference_of_both_codes() -> None:
    comp = compare(221, 421)
    refs = set(comp.learn_more)
    for code in (221, 421):
        entry = _entry(code)
        assert set(entry.rfc) <= refs
        assert entry.defined_in in refs
    assert len(refs) == len(comp.learn_more)


def test_enhanced_pair() -> None:
    comp = compare("5.1.1", "4.2.2")
    assert comp.kind == "enhanced"
    assert i18n.t("eclass_5") in comp.intro
    assert i18n.t("eclass_4") in comp.intro
    assert any(i18n.t("subject_1") in d and i18n.t("subject_2") in d for d in comp.differences)
    for sentence in (comp.intro, *comp.differences, *(t for _, t in comp.when_which)):
        _check_sentence(sentence)


def test_mixed_pair_says_so() -> None:
    comp = compare(550, "5.1.1", lang="vi")
    assert comp.kind == "mixed"
    expected = i18n.phrase(
        "intro_mixed",
        "vi",
        basic=550,
        enhanced="5.1.1",
        name_basic=comp.a.text.name,
        name_enhanced=comp.b.text.name,
    )
    assert comp.intro == expected
    assert compare("5.1.1", 550, lang="vi").intro == expected  # order does not matter
    joined = " ".join(comp.differences)
    assert "550 5.1.1" in joined  # the pairing is registered: shown as one reply
    mismatch = compare(250, "5.1.1")
    assert any(
        d == i18n.phrase("diff_class_mismatch", basic_class=2, enhanced_class=5)
        for d in mismatch.differences
    )


@pytest.mark.parametrize(("a", "b"), [(221, 221), (221, "abc"), ("5.1.1", "5.1.1"), (99, 250)])
def test_bad_pairs_are_code_errors(a: object, b: object) -> None:
    with pytest.raises(CodeError):
        compare(a, b)  # type: ignore[arg-type]


def test_every_view_renders() -> None:
    comp = compare(221, 252, lang="vi")
    html = comp._repr_html_()
    markdown = comp.to_markdown()
    data = comp.to_dict()
    for name in (comp.a.text.name, comp.b.text.name):
        assert name in str(comp)
        assert name in markdown
    assert re.search(r"<ol>\s*<li", html)
    assert data["key_differences"] == list(comp.differences)
    assert data["a"]["code"] == 221


# Every basic code with each enhanced code it carries, plus unregistered codes of every class.
MIXED = sorted({(c.code, e) for c in catalog.codes() for e in c.enhanced})
ODD = [(299, 252), (466, 421), (430, 533), ("5.9.1", "5.1.1"), (466, "4.9.9"), ("X.1.1", "5.1.1")]


@pytest.mark.parametrize("lang", i18n.CONTENT_LANGUAGES)
@pytest.mark.parametrize(("a", "b"), MIXED + ODD, ids=str)
def test_mixed_and_odd_pairs_compare_cleanly(a: int | str, b: int | str, lang: str) -> None:
    comp = compare(a, b, lang=lang)
    assert not comp.fallback
    for sentence in (comp.intro, *comp.differences):
        _check_sentence(sentence)
    for _, text in comp.when_which:
        _check_sentence(text)
