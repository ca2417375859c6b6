"""``Compare(a, b)``: two codes side by side, with code pickers and a language selector."""

from __future__ import annotations

import ipywidgets as widgets

from smtplab import i18n
from smtplab.widgets.models import CompareModel, guarded
from smtplab.widgets.notice import notice_label, show


def _code_options() -> tuple[str, ...]:
    from smtplab.catalog import codes  # noqa: PLC0415 - the catalog loads on first use

    return tuple(str(entry.code) for entry in codes())


class Compare(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """The comparison of :func:`smtplab.compare`; type any code (``550``, ``5.1.1``) or pick one."""

    def __init__(self, a: int | str = 221, b: int | str = 252, *, lang: str = "en") -> None:
        super().__init__()
        self.model = CompareModel(a, b, lang)
        safe = guarded(self._report)
        options = _code_options()
        self.code_a = widgets.Combobox(
            value=self.model.a, options=options, description="Code", layout={"width": "14em"}
        )
        self.code_b = widgets.Combobox(
            value=self.model.b, options=options, description="vs", layout={"width": "14em"}
        )
        self.language = widgets.Dropdown(
            options=i18n.LANGUAGES, value=self.model.lang, description="Language"
        )
        self.notice = notice_label()
        self.view = widgets.HTML()
        self.view.add_class("smtplab-compare-view")
        self.code_a.observe(safe(lambda ch: self.model.update(a=ch["new"])), "value")
        self.code_b.observe(safe(lambda ch: self.model.update(b=ch["new"])), "value")
        self.language.observe(safe(lambda ch: self.model.update(lang=ch["new"])), "value")
        self.model.observe(safe(self._refresh))
        self.children = [
            widgets.HBox([self.code_a, self.code_b, self.language]),
            self.notice,
            self.view,
        ]
        self._refresh()

    def _report(self, notice: object) -> None:
        show(self.notice, notice)  # type: ignore[arg-type]

    def _refresh(self) -> None:
        comparison = self.model.comparison()
        show(self.notice, self.model.notice)
        if comparison is not None:
            self.view.value = comparison._repr_html_()
