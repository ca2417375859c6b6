"""``CatalogBrowser()``: every code, filtered by class, command or text; pick one, read its card."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from smtplab import i18n
from smtplab.widgets.models import ANY, BrowserModel, Notice, guarded
from smtplab.widgets.notice import notice_label, show

_CLASSES = (("any class", ANY), ("2xx done", "2"), ("3xx go on", "3"),
            ("4xx try later", "4"), ("5xx failed", "5"))  # fmt: skip


class CatalogBrowser(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """Filters on top, the matching codes on the left, the selected code's card on the right."""

    def __init__(self, *, lang: str = "en", select: int | str | None = None) -> None:
        super().__init__()
        self.model = BrowserModel(lang)
        safe = guarded(self._report)
        self.kind = widgets.ToggleButtons(
            options=(("basic codes", "basic"), ("enhanced codes", "enhanced")), value="basic"
        )
        self.klass = widgets.Dropdown(options=_CLASSES, value=ANY, description="Class")
        self.command = widgets.Dropdown(
            options=(("any command", ANY), *((c, c) for c in self.model.commands())),
            value=ANY,
            description="Command",
        )
        self.text = widgets.Text(placeholder="code or words", description="Search")
        self.language = widgets.Dropdown(
            options=i18n.LANGUAGES, value=self.model.lang, description="Language"
        )
        self.codes = widgets.Select(options=(), rows=14, layout={"width": "24em"})
        self.codes.add_class("smtplab-browser-codes")
        self.count = widgets.Label()
        self.notice = notice_label()
        self.card = widgets.HTML()
        self.card.add_class("smtplab-browser-card")
        filters = {
            "kind": self.kind,
            "klass": self.klass,
            "command": self.command,
            "text": self.text,
            "lang": self.language,
            "selected": self.codes,
        }
        for name, control in filters.items():
            control.observe(safe(self._updater(name)), "value")
        self.model.observe(safe(self._refresh))
        self.children = [
            widgets.HBox([self.kind, self.language]),
            widgets.HBox([self.klass, self.command, self.text]),
            self.count,
            self.notice,
            widgets.HBox([self.codes, self.card], layout={"flex_flow": "row wrap"}),
        ]
        self._refresh()
        if select is not None:
            self.codes.value = str(select)

    def _updater(self, name: str) -> Callable[[dict[str, Any]], None]:
        def update(change: dict[str, Any]) -> None:
            value = change["new"]
            self.model.update(**{name: None if value is None else str(value)})

        return update

    def _report(self, notice: Notice) -> None:
        show(self.notice, notice)

    def _refresh(self) -> None:
        entries = self.model.entries()
        self.command.disabled = self.model.kind == "enhanced"
        options = tuple((self.model.label(e), e.key) for e in entries)
        if tuple(self.codes.options) != options:
            keep = self.model.selected if self.model.selected in {k for _, k in options} else None
            self.codes.options = options
            self.codes.value = keep
        self.count.value = f"{len(entries)} codes"
        show(self.notice, None)
        card = self.model.card()
        self.card.value = "" if card is None else card._repr_html_()
