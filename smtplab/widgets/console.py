"""``Console(lab)``: buttons for SMTP commands, the running transcript, and the latest reply's card.

Only layout and wiring live here; :class:`~smtplab.widgets.models.ConsoleModel` holds the session
and turns every failure into a notice, and every callback is wrapped so that even a bug shows up
in the widget rather than in Jupyter's log console.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from smtplab import i18n
from smtplab.widgets.models import LINE, VERBS, VERBS_WITH_ARGUMENT, ConsoleModel, guarded
from smtplab.widgets.notice import notice_label, show

if TYPE_CHECKING:
    from smtplab.reply import Reply
    from smtplab.server import LabServer
    from smtplab.session import Session


class Console(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """Talk to ``lab`` with a click: one button per command, VRFY/EXPN take the address box."""

    def __init__(
        self,
        lab: LabServer,
        *,
        lang: str = "en",
        address: str = "alice",
        connect: Callable[[], Session] | None = None,
    ) -> None:
        """``connect`` opens a session (default: ``lab.connect()``), e.g. to another server."""
        super().__init__()
        self.model = ConsoleModel(lab, lang=lang, connect=connect)
        self._task: asyncio.Task[Reply | None] | None = None
        safe = guarded(self.model.report)

        self.buttons: dict[str, widgets.Button] = {}
        for verb in VERBS:
            button = widgets.Button(
                description=verb,
                tooltip=f"send {verb}"
                + (" with the address" if verb in VERBS_WITH_ARGUMENT else ""),
                layout=widgets.Layout(width="auto"),
                button_style="danger" if verb == "QUIT" else "",
            )
            button.on_click(safe(self._sender(verb)))
            self.buttons[verb] = button
        self.address = widgets.Text(
            value=address, placeholder="alice", description="Address", layout={"width": "16em"}
        )
        self.line = widgets.Text(
            placeholder="any command line, e.g. VRFY <bob@lab.example.test>",
            description="Command",
            layout={"width": "32em"},
        )
        self.send_button = widgets.Button(description="Send", layout=widgets.Layout(width="auto"))
        self.send_button.on_click(safe(lambda _b: self._submit(LINE, self.line.value)))
        self.reconnect_button = widgets.Button(
            description="Reconnect", button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.reconnect_button.on_click(safe(lambda _b: self.model.connect()))

        self.personality = widgets.Dropdown(
            options=_personalities(), value=lab.personality.name, description="Server"
        )
        self.personality.observe(
            safe(lambda ch: self.model.set_personality(ch["new"])), names="value"
        )
        self.vrfy_policy = widgets.Dropdown(
            options=_policies(), value=lab.vrfy, description="VRFY policy"
        )
        self.vrfy_policy.observe(safe(lambda ch: self.model.set_vrfy_policy(ch["new"])), "value")
        self.language = widgets.Dropdown(
            options=i18n.LANGUAGES, value=self.model.lang, description="Language"
        )
        self.language.observe(safe(lambda ch: self.model.set_language(ch["new"])), "value")

        self.notice = notice_label()
        self.transcript = widgets.HTML()
        self.transcript.add_class("smtplab-console-transcript")
        self.diagram = widgets.HTML()
        self.views = widgets.Tab(children=[self.transcript, self.diagram])
        self.views.titles = ("Transcript", "Sequence diagram")
        self.latest = widgets.Label()
        self.latest.add_class("smtplab-latest-reply")
        self.card = widgets.HTML()
        self.card.add_class("smtplab-console-card")

        command_row = [self.buttons[v] for v in ("EHLO", "NOOP", "RSET", "HELP")]
        self.children = [
            widgets.HBox([self.personality, self.vrfy_policy, self.language]),
            widgets.HBox(
                [
                    *command_row,
                    self.address,
                    self.buttons["VRFY"],
                    self.buttons["EXPN"],
                    self.buttons["QUIT"],
                    self.reconnect_button,
                ]
            ),
            widgets.HBox([self.line, self.send_button]),
            self.notice,
            widgets.HBox(
                [
                    widgets.Box([self.views], layout={"flex": "1 1 55%", "min_width": "22em"}),
                    widgets.VBox(
                        [self.latest, self.card], layout={"flex": "1 1 45%", "min_width": "18em"}
                    ),
                ],
                layout={"flex_flow": "row wrap"},
            ),
        ]
        self.add_class("smtplab-console")
        self.model.observe(safe(self._refresh))
        self.model.connect()

    # --- wiring ------------------------------------------------------------------------------
    def _sender(self, verb: str) -> Any:
        def send(_button: widgets.Button) -> None:
            argument = self.address.value if verb in VERBS_WITH_ARGUMENT else ""
            self._submit(verb, argument)

        return send

    def _submit(self, verb: str, argument: str) -> None:
        task = self.model.submit(verb, argument)
        if task is not None:
            self._task = task  # keep a reference: the loop holds tasks only weakly

    def _refresh(self) -> None:
        """Re-read the model into the controls (called after every model change)."""
        model = self.model
        idle_open = not model.busy and not model.closed
        for button in (*self.buttons.values(), self.send_button):
            button.disabled = not idle_open
        self.reconnect_button.disabled = model.busy
        self.reconnect_button.layout.display = "" if model.closed else "none"
        self.vrfy_policy.disabled = self.personality.disabled = model.busy
        show(self.notice, model.notice)
        transcript = model.transcript
        self.transcript.value = "" if transcript is None else transcript.to_html()
        self.diagram.value = "" if transcript is None else transcript.diagram().svg
        latest = model.latest
        self.latest.value = "" if latest is None else f"Latest reply: {latest.lines[0]}"
        card = model.card()
        self.card.value = "" if card is None else card._repr_html_()

    # --- for scripts and tests ---------------------------------------------------------------
    def click(self, verb: str) -> None:
        """Click the button labelled ``verb`` ("VRFY", "QUIT", "Send", "Reconnect")."""
        extra = {"Send": self.send_button, "Reconnect": self.reconnect_button}
        extra.update(self.buttons)
        extra[verb].click()


def _personalities() -> tuple[str, ...]:
    from smtplab.server import personalities  # noqa: PLC0415 - the lab is already loaded here

    return personalities()


def _policies() -> tuple[str, ...]:
    from smtplab.server.personality import VRFY_POLICIES  # noqa: PLC0415 - see _personalities

    return VRFY_POLICIES
