"""The catalog against the RFCs: digits, §4.3.2 command lists, completeness, lookup rules."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from smtplab import catalog, i18n
from smtplab.catalog import BasicCode, EnhancedCode, explain, lookup
from smtplab.errors import CodeError, SmtplabError

DATA = Path(__file__).resolve().parent.parent / "data"

# --- RFC 5321 §4.3.2 "Command-Reply Sequences", transcribed once ------------------------------
# S = success, I = intermediate, E = error. "CONNECT" is connection establishment, "DATA_END" the
# reply after the final "." of the message data ("I: 354 -> data -> S: 250 / E: ...").
RFC5321_SEQUENCES: dict[str, dict[str, set[int]]] = {
    "CONNECT": {"S": {220}, "E": {554}},
    "EHLO": {"S": {250}, "E": {504, 550, 502}},
    "HELO": {"S": {250}, "E": {504, 550, 502}},
    "MAIL": {"S": {250}, "E": {552, 451, 452, 550, 553, 503, 455, 555}},
    "RCPT": {"S": {250, 251}, "E": {550, 551, 552, 553, 450, 451, 452, 503, 455, 555}},
    "DATA": {"I": {354}, "E": {503, 554}},
    "DATA_END": {"S": {250}, "E": {552, 554, 451, 452, 450, 550}},
    "RSET": {"S": {250}},
    "VRFY": {"S": {250, 251, 252}, "E": {550, 551, 553, 502, 504}},
    "EXPN": {"S": {250, 252}, "E": {550, 500, 502, 504}},
    "HELP": {"S": {211, 214}, "E": {502, 504}},
    "NOOP": {"S": {250}},
    "QUIT": {"S": {221}},
}
# §4.3.2: "any SMTP command can return any of the following codes": 500, 501, 421.
RFC5321_ANY_COMMAND = {421, 500, 501}
# 421 may also be the greeting of a server that cannot serve (RFC 5321 §3.1, §4.2.2's note on 421
# "may be a reply to any command"): the one extra verb the catalog may list for an any-command code.
ALLOWED_EXTRA = {(421, "CONNECT")}
# The reply codes RFC 5321 §4.2.2 / §4.2.3 list.
RFC5321_CODES = {
    211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451, 452, 455,
    500, 501, 502, 503, 504, 550, 551, 552, 553, 554, 555,
}  # fmt: skip
# Extension codes the issue names, with the RFC that must be cited for each.
EXTENSION_CODES = {
    235: 4954, 334: 4954, 432: 4954, 454: 4954, 530: 4954, 534: 4954, 535: 4954, 538: 4954,
    220: 3207, 501: 3207,
    521: 7504, 556: 7504,
    253: 1985, 458: 1985, 459: 1985,
}  # fmt: skip


def _raw(*parts: str) -> object:
    return json.loads((DATA.joinpath(*parts)).read_text(encoding="utf-8"))


def _all_rfcs(entry: BasicCode) -> set[int]:
    return {r.rfc for r in entry.rfc} | ({entry.defined_in.rfc} if entry.defined_in else set())


ALL_CODES = catalog.codes()
ALL_ENHANCED = catalog.enhanced_codes()


def test_catalog_holds_every_code_of_basic_json() -> None:
    raw = _raw("catalog", "basic.json")
    assert isinstance(raw, dict)
    assert [c.code for c in ALL_CODES] == sorted(item["code"] for item in raw["codes"])
    assert all(c.registered for c in ALL_CODES)


@pytest.mark.parametrize("entry", ALL_CODES, ids=lambda c: str(c.code))
def test_class_and_category_come_from_the_digits(entry: BasicCode) -> None:
    digits = f"{entry.code:03d}"
    assert entry.outcome_class == int(digits[0])
    assert entry.category == int(digits[1])
    assert entry.outcome_class in catalog.BASIC_CLASSES
    as_json = explain(entry.code).to_dict()
    assert (as_json["class"], as_json["category"]) == (int(digits[0]), int(digits[1]))
    assert as_json["class_name"] == i18n.t(f"class_{digits[0]}")


def test_every_rfc5321_code_is_there_and_defined_in_5321() -> None:
    table = {c.code: c for c in ALL_CODES}
    missing = RFC5321_CODES - set(table)
    assert not missing
    for code in RFC5321_CODES:
        assert table[code].defined_in is not None
        assert table[code].defined_in.rfc == 5321, code


@pytest.mark.parametrize(("code", "rfc"), sorted(EXTENSION_CODES.items()))
def test_extension_codes_are_there_and_cite_their_rfc(code: int, rfc: int) -> None:
    entry = lookup(code)
    assert isinstance(entry, BasicCode)
    assert entry.registered
    assert rfc in _all_rfcs(entry)


def _expected_commands(code: int) -> set[str]:
    return {
        verb for verb, kinds in RFC5321_SEQUENCES.items() if any(code in s for s in kinds.values())
    }


@pytest.mark.parametrize(
    "entry",
    [c for c in ALL_CODES if c.defined_in and c.defined_in.rfc == 5321],
    ids=lambda c: str(c.code),
)
def test_commands_match_rfc5321_section_4_3_2(entry: BasicCode) -> None:
    listed = {verb for verb in entry.commands if verb in RFC5321_SEQUENCES}
    allowed_extra = {verb for code, verb in ALLOWED_EXTRA if code == entry.code}
    assert listed - allowed_extra == _expected_commands(entry.code)
    assert entry.any_command == (entry.code in RFC5321_ANY_COMMAND)


def test_seed_page_errors_are_fixed() -> None:
    """252 also answers EXPN; 221 answers only QUIT (a shutdown is 421)."""
    r252, r221, r421 = lookup(252), lookup(221), lookup(421)
    assert isinstance(r252, BasicCode)
    assert isinstance(r221, BasicCode)
    assert isinstance(r421, BasicCode)
    assert {"VRFY", "EXPN"} <= set(r252.commands)
    assert {(5321, "3.5.3"), (5321, "7.3")} <= {(r.rfc, r.section) for r in r252.rfc}
    assert [v for v in r221.commands if v in RFC5321_SEQUENCES] == ["QUIT"]
    assert r421.any_command
    assert r221.closes_connection
    assert r421.closes_connection


def test_cross_references_point_at_catalog_entries() -> None:
    known = {c.code for c in ALL_CODES}
    for entry in ALL_CODES:
        assert entry.code not in entry.confused_with
        assert set(entry.confused_with) <= known, entry.code
        for code in entry.enhanced:
            enhanced = catalog.lookup_enhanced(code)
            assert enhanced.registered, f"{entry.code} lists unregistered {code}"
            assert enhanced.outcome_class == entry.outcome_class, (entry.code, code)
    for enhanced in ALL_ENHANCED:
        assert set(enhanced.basic) <= known, enhanced.code


# --- completeness in English and Vietnamese ---------------------------------------------------
@pytest.mark.parametrize("lang", i18n.CONTENT_LANGUAGES)
def test_every_basic_code_has_all_sections(lang: str) -> None:
    raw = _raw("catalog", lang, "basic.json")
    assert isinstance(raw, dict)
    incomplete = [
        c.code
        for c in ALL_CODES
        if not all(
            str(raw.get(str(c.code), {}).get(f, "")).strip()
            for f in ("name", "description", "when", "action")
        )
    ]
    assert not incomplete, f"{lang}: incomplete text for {incomplete}"
    for c in ALL_CODES:
        card = explain(c.code, lang=lang)
        assert not card.fallback
        assert card.text.name == raw[str(c.code)]["name"]


@pytest.mark.parametrize("lang", i18n.CONTENT_LANGUAGES)
def test_every_enhanced_code_has_title_and_description(lang: str) -> None:
    raw = _raw("catalog", lang, "enhanced.json")
    assert isinstance(raw, dict)
    incomplete = [
        e.code
        for e in ALL_ENHANCED
        if not all(str(raw.get(e.code, {}).get(f, "")).strip() for f in ("title", "description"))
    ]
    assert not incomplete, f"{lang}: incomplete text for {incomplete}"


def test_untranslated_language_falls_back_to_english_visibly() -> None:
    card = explain(252, lang="fr")
    english = explain(252)
    assert card.fallback
    assert card.text == english.text
    assert i18n.t("fallback_notice", "fr") in str(card)
    assert i18n.t("description", "fr") in str(card)
    vi = explain(252, lang="vi")
    assert not vi.fallback
    assert i18n.t("fallback_notice", "vi") not in str(vi)


# --- lookup rules -----------------------------------------------------------------------------
def _first_unregistered(category_ok: bool) -> int:
    known = {c.code for c in ALL_CODES}
    return next(
        n for n in range(200, 600) if n not in known and ((n // 10 % 10) <= 5) == category_ok
    )


@pytest.mark.parametrize("code", [299, 466, "466", _first_unregistered(True)])
def test_unknown_well_formed_codes_are_explained_from_digits(code: int | str) -> None:
    entry = lookup(code)
    assert isinstance(entry, BasicCode)
    assert not entry.registered
    number = int(code)
    assert (entry.outcome_class, entry.category) == (number // 100, number // 10 % 10)
    card = explain(code)
    text = str(card)
    assert i18n.t("unregistered") in text
    assert i18n.t(f"class_{number // 100}") in text
    assert card.to_dict()["registered"] is False
    vi = explain(code, lang="vi")
    assert not vi.fallback
    assert i18n.t("unregistered", "vi") in str(vi)


@pytest.mark.parametrize(
    "bad",
    ["abc", 99, 1000, "7.1.1", 199, 650, "", " ", "25a", "2.5", True, None, 2.5, "5.1", "5..1"],
)
def test_malformed_codes_raise_a_one_line_code_error(bad: object) -> None:
    with pytest.raises(CodeError) as info:
        lookup(bad)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    assert message
    assert isinstance(info.value, SmtplabError)


def test_registered_lookups_are_cached_and_immutable() -> None:
    assert lookup(252) is lookup("252")
    assert lookup(" 252 ") is lookup(252)
    entry = lookup(252)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.code = 250  # type: ignore[misc]


def test_enhanced_lookup_presents_registry_entry_in_the_asked_class() -> None:
    generic = {e.code: e for e in ALL_ENHANCED}
    x11 = generic["X.1.1"]
    entry = lookup("5.1.1")
    assert isinstance(entry, EnhancedCode)
    assert entry.code == "5.1.1"
    assert entry.registry_code == "X.1.1"
    assert entry.outcome_class == 5
    assert set(entry.basic) == {c for c in x11.basic if c // 100 == 5}
    assert lookup("x.1.1") == x11
    assert lookup("5.01.1").code == "5.1.1"
    card = explain("5.1.1")
    raw = _raw("catalog", "en", "enhanced.json")
    assert isinstance(raw, dict)
    assert card.text.name == raw["X.1.1"]["title"]
    assert i18n.t("eclass_5") in str(card)


def test_unknown_enhanced_codes_are_explained_from_parts() -> None:
    detail = 1 + max(e.detail for e in ALL_ENHANCED if e.subject == 1)
    entry = lookup(f"4.1.{detail}")
    assert isinstance(entry, EnhancedCode)
    assert not entry.registered
    text = str(explain(f"4.1.{detail}"))
    assert i18n.t("eclass_4") in text
    assert i18n.t("subject_1") in text
    assert i18n.t("unregistered") in text
    odd = lookup("5.9.1")
    assert isinstance(odd, EnhancedCode)
    assert not odd.registered


def test_explain_with_enhanced_code_shows_both() -> None:
    card = explain(550, enhanced="5.1.1", lang="vi")
    assert card.enhanced is not None
    assert card.enhanced.code == "5.1.1"
    text = str(card)
    assert card.enhanced.text.name in text
    assert i18n.t("enhanced_code", "vi") in text
    assert card.to_dict()["enhanced_card"]["code"] == "5.1.1"
    assert explain("550 5.1.1", lang="vi") == card
    with pytest.raises(CodeError):
        explain("5.1.1", enhanced="5.1.1")
    with pytest.raises(CodeError):
        explain("550 abc")


def test_rfc_view_lists_the_codes_an_rfc_defines() -> None:
    view = catalog.by_rfc(5321)
    defined = {c.code for c, _ in view.defined}
    assert defined == {c.code for c in ALL_CODES if c.defined_in and c.defined_in.rfc == 5321}
    assert defined >= RFC5321_CODES
    auth = catalog.by_rfc("RFC 4954")
    assert {c.code for c, _ in (*auth.defined, *((c, r[0]) for c, r in auth.cited))} >= {
        code for code, rfc in EXTENSION_CODES.items() if rfc == 4954
    }
    assert 3463 in catalog.cited_rfcs()
    with pytest.raises(CodeError):
        catalog.by_rfc(1)
    with pytest.raises(CodeError):
        catalog.by_rfc("five")
