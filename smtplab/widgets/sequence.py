"""A transcript's sequence diagram (the client's SVG renderer), as a widget or a display object."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as widgets

from smtplab.transcript import Transcript

if TYPE_CHECKING:
    from smtplab.session import Session
    from smtplab.transcript import Diagram


def diagram(source: Session | Transcript) -> Diagram:
    """The sequence diagram of a session or transcript; Jupyter displays it inline as SVG."""
    transcript = source if isinstance(source, Transcript) else source.transcript
    return transcript.diagram()


class SequenceDiagram(widgets.HTML):  # type: ignore[misc]  # ipywidgets ships no types
    """The diagram as a widget; :meth:`refresh` redraws it after more exchanges."""

    def __init__(self, source: Session | Transcript) -> None:
        super().__init__()
        self.source = source
        self.add_class("smtplab-diagram")
        self.refresh()

    def refresh(self) -> None:
        self.value = diagram(self.source).svg
