"""Reply: built from aiosmtplib's SMTPResponse and from stored wire lines, the same either way."""

from __future__ import annotations

import pytest
from aiosmtplib import SMTPResponse
from hypothesis import given
from hypothesis import strategies as st

from smtplab.errors import CodeError
from smtplab.reply import Reply, enhanced_code

# RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39
codes = st.builds(
    lambda a, b, c: a * 100 + b * 10 + c,
    st.integers(2, 5),
    st.integers(0, 5),
    st.integers(0, 9),
)
# Text as a server would send it: printable, no line breaks, no padding (aiosmtplib strips it).
texts = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E) | st.just(" "), max_size=40
).map(str.strip)


def wire(code: int, parts: list[str]) -> list[str]:
    lines = [f"{code}-{text}" for text in parts[:-1]]
    lines.append(f"{code} {parts[-1]}" if parts[-1] else str(code))
    return lines


@given(codes, st.lists(texts, min_size=1, max_size=6))
def test_from_lines_and_from_response_agree(code: int, parts: list[str]) -> None:
    lines = wire(code, parts)
    parsed = Reply.from_lines(lines)
    live = Reply.from_response(SMTPResponse(code, "\n".join(parts)))
    assert parsed == live
    assert parsed.code == code
    assert parsed.lines == tuple(lines)
    assert parsed.text == "\n".join(parts)


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("250 2.1.5 <alice@example.test>", "2.1.5"),
        ("550 5.1.1", "5.1.1"),
        ("451 4.7.100 try later", "4.7.100"),
        ("252 Cannot VRFY user", None),
        ("250 2.1.5000 too many digits", None),
        ("550 5.1.1x glued", None),
        ("250 3.1.1 no such class", None),
    ],
)
def test_enhanced_code_only_when_the_first_text_opens_with_one(
    first_line: str, expected: str | None
) -> None:
    assert Reply.from_lines([first_line]).enhanced == expected
    assert enhanced_code(first_line[4:]) == expected


def test_enhanced_code_is_read_from_the_first_line_of_a_multiline_reply() -> None:
    reply = Reply.from_lines(["250-2.0.0 first", "250 2.1.5 second"])
    assert reply.enhanced == "2.0.0"


@pytest.mark.parametrize(
    "lines",
    [
        [],
        ["hello"],
        ["25 short"],
        ["2500 long"],
        ["600 no such class"],
        ["260 no such category"],
        ["250-more promised"],
        ["250 first", "250 second"],
        ["250-first", "251 second"],
        ["250 ok\r\n"],
        ["250 ok\nsecond"],
        [b"250 ok"],
        [250],
        ["250 " + "x" * 9000],
    ],
)
def test_malformed_lines_raise_code_error_with_a_message(lines: list[object]) -> None:
    with pytest.raises(CodeError) as info:
        Reply.from_lines(lines)  # type: ignore[arg-type]
    assert str(info.value)


def test_explain_asks_the_catalog_with_code_and_enhanced_code() -> None:
    from smtplab import catalog

    reply = Reply.from_lines(["252 2.0.0 alice"])
    assert str(reply.explain()) == str(catalog.explain(252, enhanced="2.0.0"))
    assert str(reply.explain(lang="vi")) == str(catalog.explain(252, enhanced="2.0.0", lang="vi"))


def test_html_view_escapes_wire_text() -> None:
    hostile = '<script>alert("x")</script>'
    reply = Reply.from_lines([f"500 {hostile}"])
    html = reply._repr_html_()
    assert hostile not in html
    assert "&lt;script&gt;" in html


def test_str_is_the_wire_lines() -> None:
    lines = ["250-lab.example.test", "250 HELP"]
    assert str(Reply.from_lines(lines)) == "\n".join(lines)
