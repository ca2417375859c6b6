"""Property-based tests: whatever a learner (or a hostile transcript) hands to the reply parser, the
catalog lookups or the transcript loader, the answer is a valid result or a clear SmtplabError —
never another exception. Valid input round-trips.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtplab.catalog import explain, lookup
from smtplab.comparison import compare
from smtplab.errors import SmtplabError
from smtplab.reply import Reply
from smtplab.transcript import Transcript

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Anything a learner might type or a file might hold where a code is expected.
codes = st.one_of(
    st.integers(-(10**6), 10**6),
    st.text(max_size=20),
    st.from_regex(r"\A\s*[0-9xX]{1,3}(\.[0-9]{1,4}){0,3}\s*\Z"),
    st.from_regex(r"\A[2-5][0-5][0-9] [245]\.[0-9]{1,3}\.[0-9]{1,3}\Z"),
    st.sampled_from(["252", "X.1.1", "5.1.1", "2.0.0", "7.1.1", "5.01.1", "250 2.1.5", "", " "]),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.binary(max_size=8),
)
langs = st.one_of(
    st.sampled_from(["en", "vi", "fr", "zh-hans", "EN", "vi-VN", "xx", ""]),
    st.text(max_size=8),
    st.none(),
)


def _result_or_clear_error(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except SmtplabError as exc:
        message = str(exc)
    assert message, "an SmtplabError must carry a message for the learner"
    return None


@FAST
@given(code=codes)
def test_lookup_gives_an_entry_or_a_clear_error(code):
    entry = _result_or_clear_error(lookup, code)
    if entry is not None:
        assert str(entry.code)


@FAST
@given(code=codes, lang=langs)
def test_explain_gives_a_card_or_a_clear_error(code, lang):
    card = _result_or_clear_error(explain, code, lang=lang)
    if card is not None:
        assert card.to_markdown()
        assert str(card)


@FAST
@given(
    code=st.sampled_from([250, "550", 252]),
    enhanced=st.text(max_size=12) | codes.filter(lambda value: isinstance(value, str)),
)
def test_explain_with_any_enhanced_text(code, enhanced):
    _result_or_clear_error(explain, code, enhanced=enhanced)


@pytest.mark.parametrize("enhanced", [0, 5.11, b"5.1.1"])
def test_explain_with_a_non_text_enhanced_code_is_a_clear_error(enhanced):
    """A learner types ``explain(550, enhanced=5.11)``: a CodeError, not an AttributeError."""
    with pytest.raises(SmtplabError):
        explain(550, enhanced=enhanced)


@FAST
@given(a=codes, b=codes)
def test_compare_gives_a_comparison_or_a_clear_error(a, b):
    comparison = _result_or_clear_error(compare, a, b)
    if comparison is not None:
        assert str(comparison)


# --- replies ------------------------------------------------------------------------------------
wire_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=60
)


@FAST
@given(lines=st.lists(st.one_of(st.text(max_size=40), wire_text, st.integers()), max_size=5))
def test_reply_from_any_lines_is_a_reply_or_a_clear_error(lines):
    reply = _result_or_clear_error(Reply.from_lines, lines)
    if reply is not None:
        assert 200 <= reply.code <= 559
        assert reply.lines == tuple(lines)


@st.composite
def wire_replies(draw):
    code = draw(st.integers(200, 559).filter(lambda c: (c // 10) % 10 <= 5))
    texts = draw(st.lists(wire_text, min_size=1, max_size=4))
    lines = [f"{code}-{t}" for t in texts[:-1]] + [f"{code} {texts[-1]}"]
    return code, lines


@FAST
@given(wire=wire_replies())
def test_well_formed_replies_parse_to_their_own_lines(wire):
    code, lines = wire
    reply = Reply.from_lines(lines)
    assert reply.code == code
    assert reply.lines == tuple(lines)
    assert reply.text.split("\n") == [line[4:] for line in lines]


# --- transcripts -------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
exchange_like = st.fixed_dictionaries(
    {
        "sent": st.none() | st.text(max_size=20),
        "reply": st.none() | json_values | st.fixed_dictionaries(
            {"code": st.integers(), "enhanced": st.none() | st.text(max_size=8),
             "lines": st.lists(st.text(max_size=20), max_size=3), "elapsed": json_values}
        ),
        "error": st.none() | st.text(max_size=10),
        "started": st.text(max_size=30) | st.just("2026-11-28T17:00:00.000000+00:00"),
        "finished": json_values | st.just("2026-11-28T17:00:00.000000+00:00"),
    }
)  # fmt: skip
transcript_like = st.fixed_dictionaries(
    {
        "format": st.sampled_from(["smtplab.transcript"]) | st.text(max_size=5),
        "version": st.integers(0, 3) | json_values,
        "server": st.none() | json_values,
        "exchanges": st.lists(exchange_like, max_size=3) | json_values,
    }
)


@FAST
@given(data=st.one_of(json_values, transcript_like))
def test_transcript_from_any_json_is_a_transcript_or_a_clear_error(data):
    text = json.dumps(data)
    transcript = _result_or_clear_error(Transcript.from_json, text)
    if transcript is not None:
        assert Transcript.from_json(transcript.to_json()).to_json() == transcript.to_json()


@FAST
@given(raw=st.binary(max_size=200) | st.text(max_size=200))
def test_transcript_from_any_bytes_or_text(raw):
    _result_or_clear_error(Transcript.from_json, raw)
