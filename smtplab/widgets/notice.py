"""The message line every widget shows errors and progress in (plain text: nothing to escape)."""

from __future__ import annotations

import ipywidgets as widgets

from smtplab.widgets.models import Notice

_COLOURS = {"info": "#1565c0", "busy": "#6d4c41", "error": "#c62828"}


def notice_label() -> widgets.Label:
    label = widgets.Label(value="")
    label.add_class("smtplab-notice")
    return label


def show(label: widgets.Label, notice: Notice | None) -> None:
    """Put ``notice`` in ``label`` (a Label renders text as text, so wire bytes stay inert)."""
    for kind in _COLOURS:
        label.remove_class(f"smtplab-notice-{kind}")
    if notice is None:
        label.value = ""
        return
    label.add_class(f"smtplab-notice-{notice.kind}")
    label.style.text_color = _COLOURS[notice.kind]
    label.style.font_weight = "bold" if notice.kind == "error" else "normal"
    prefix = "⚠ " if notice.kind == "error" else ""
    label.value = prefix + notice.text
