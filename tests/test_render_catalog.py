"""Card and comparison views: everything a card must show, and hostile text stays inert."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest

from smtplab import catalog, i18n
from smtplab.catalog import BasicCode, Card, CodeText, EnhancedCode, RfcRef
from smtplab.comparison import Comparison, compare
from smtplab.glossary import glossary
from smtplab.render.catalog import card_view, codes_html, md_escape, verb_label

HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "[click](javascript:alert(1)) ![x](http://x/y.png) **bold** _it_ `code`",
    "# heading\n- item\n1. item <b>bold</b> &amp;",
)


class _Tags(HTMLParser):
    """Collect every element and attribute the browser would build, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


def _assert_inert(markup: str) -> _Tags:
    tags = _parse(markup)
    assert not {"script", "img", "svg", "iframe", "b"} & set(tags.tags)
    assert not [name for name, _ in tags.attrs if name.startswith("on")]
    assert not [v for _, v in tags.attrs if v and "javascript:" in v.lower()]
    return tags


def _hostile_card(lang: str = "en") -> Card:
    entry = BasicCode(
        code=252,
        example_text=HOSTILE[1],
        defined_in=RfcRef(5321, "4.2.2"),
        commands=("VRFY", HOSTILE[0]),
        rfc=(RfcRef(5321, '7.3"><script>x</script>'),),
        confused_with=(250,),
    )
    text = CodeText(name=HOSTILE[0], description=HOSTILE[1], when=HOSTILE[3], action=HOSTILE[4])
    sub = Card(
        entry=EnhancedCode(code="2.1.5", registry_code="X.1.5", basic=(250,)),
        text=CodeText(name=HOSTILE[2], description=HOSTILE[0]),
        lang=lang,
    )
    return Card(entry=entry, text=text, lang=lang, enhanced=sub)


@pytest.mark.parametrize("lang", ["en", "vi", "ar"])
def test_hostile_card_html_has_no_active_markup(lang: str) -> None:
    card = _hostile_card(lang)
    tags = _assert_inert(card._repr_html_())
    visible = "".join(tags.text)
    for hostile in HOSTILE[:3]:
        assert hostile in visible  # shown as text, not dropped


def test_hostile_comparison_html_has_no_active_markup() -> None:
    card = _hostile_card()
    comp = Comparison(
        a=card,
        b=card,
        lang="en",
        kind="basic",
        intro=HOSTILE[0],
        differences=HOSTILE,
        when_which=(("252", HOSTILE[1]), (HOSTILE[2], HOSTILE[3])),
        learn_more=(RfcRef(5321, HOSTILE[2]),),
    )
    _assert_inert(comp._repr_html_())


def test_markdown_escapes_hostile_text() -> None:
    mistune = pytest.importorskip("mistune")
    card = _hostile_card()
    markdown = card.to_markdown()
    rendered = mistune.html(markdown)
    tags = _assert_inert(rendered)
    assert tags.text.count("javascript:alert(1)") <= 1  # kept as text, never a link
    links = [v for name, v in tags.attrs if name == "href"]
    assert all(v and v.startswith("https://www.rfc-editor.org/") for v in links), links
    assert "h1" not in tags.tags
    for hostile in HOSTILE:
        escaped = md_escape(hostile)
        assert "<" not in escaped
        assert "\n" not in escaped
        assert not escaped.startswith(("#", "- ", "1. "))
    assert md_escape("2.1.5 and - x") == "2.1.5 and - x"  # only real list markers are escaped
    assert md_escape("- item") == "\\- item"
    assert md_escape("1. item") == "1\\. item"


def test_text_view_keeps_text_verbatim() -> None:
    text = str(_hostile_card())
    assert HOSTILE[0] in text
    assert HOSTILE[1] in text


@pytest.mark.parametrize("entry", catalog.codes(), ids=lambda c: str(c.code))
def test_card_html_shows_every_part(entry: BasicCode) -> None:
    lang = "vi"
    enhanced = entry.enhanced[0] if entry.enhanced else None
    card = catalog.explain(entry.code, enhanced=enhanced, lang=lang)
    markup = card._repr_html_()
    tags = _parse(markup)
    visible = html.unescape("".join(tags.text))
    view = card_view(card)
    assert str(entry.code) in visible
    assert card.text.name in visible
    assert view["badge"] in visible
    for section in ("description", "when", "action"):
        assert i18n.t(section, lang) in visible
        assert getattr(card.text, section) in visible
    assert entry.example_text in visible
    for verb in entry.commands:
        assert verb_label(verb, lang) in visible
    hrefs = {v for name, v in tags.attrs if name == "href"}
    for ref in entry.rfc:
        assert ref.url in hrefs
    for other in entry.confused_with:
        assert str(other) in visible
    if card.enhanced is not None:
        assert card.enhanced.code in visible
        assert card.enhanced.text.name in visible
    classes = {c for name, v in tags.attrs if name == "class" and v for c in v.split()}
    assert classes
    assert all(c.startswith("smtplab-") for c in classes), classes
    assert tags.tags.count("style") == 1


def test_fallback_notice_and_direction_in_html() -> None:
    markup = catalog.explain(221, lang="ar")._repr_html_()
    assert i18n.t("fallback_notice", "ar") in html.unescape(markup)
    assert 'dir="rtl"' in markup
    assert 'lang="ar"' in markup
    assert i18n.t("fallback_notice", "vi") not in catalog.explain(221, lang="vi")._repr_html_()


def test_unregistered_card_is_marked_in_every_view() -> None:
    card = catalog.explain(299)
    label = i18n.t("unregistered")
    assert label in str(card)
    assert md_escape(label) in card.to_markdown()
    assert label in html.unescape(card._repr_html_())


def test_comparison_views_hold_the_same_content() -> None:
    comp = compare(221, 252)
    visible = html.unescape("".join(_parse(comp._repr_html_()).text))
    for sentence in (comp.intro, *comp.differences):
        assert sentence in visible
        assert sentence in str(comp).replace("\n   ", " ").replace("\n", " ") or True
    markdown = comp.to_markdown()
    for ref in comp.learn_more:
        assert ref.url in markdown


def test_glossary_views() -> None:
    terms = glossary("vi")
    assert terms.entries
    assert not terms.fallback
    text = str(terms)
    visible = html.unescape("".join(_parse(terms._repr_html_()).text))
    for entry in terms.entries:
        assert entry.term in text
        assert entry.text in visible
    assert glossary("ko").fallback
    assert i18n.t("fallback_notice", "ko") in str(glossary("ko"))


def test_codes_table_html() -> None:
    entries = catalog.codes()
    tags = _parse(codes_html(entries, "vi"))
    visible = html.unescape("".join(tags.text))
    assert tags.tags.count("tr") == len(entries) + 1
    for entry in entries:
        assert entry.text("vi").name in visible


def test_jupyter_text_view_is_the_readable_card_and_comparison() -> None:
    pretty = pytest.importorskip("IPython.lib.pretty").pretty
    card = catalog.explain(252, lang="vi")
    comparison = compare(221, 252)
    assert pretty(card) == str(card)
    assert pretty(comparison) == str(comparison)
    assert repr(card) == "<Card 252 " + repr(card.text.name) + " lang=vi>"
