"""The Console in a real IPython kernel, clicked the way JupyterLab clicks: a ``comm_msg`` with a
``click`` event to the button's model. Covers a click while a command is in flight (a second click
must not send) and a click after the lab server stopped (a message in the widget, no traceback)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

TESTS = Path(__file__).resolve().parent
TIMEOUT = 30


class Kernel:
    def __init__(self, client: BlockingKernelClient) -> None:
        self.client = client
        self.errors: list[str] = []

    def _hook(self, out: list[str]) -> Any:
        def hook(msg: dict[str, Any]) -> None:
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind in {"stream", "error"}:
                self.errors.append(str(content))

        return hook

    def run(self, code: str) -> str:
        out: list[str] = []
        reply = self.client.execute_interactive(code, timeout=TIMEOUT, output_hook=self._hook(out))
        assert reply["content"]["status"] == "ok", self.errors
        return "".join(out).strip()

    def click(self, button: str) -> None:
        """What the browser sends when the learner clicks ``button`` (a Python expression)."""
        comm_id = self.run(f"print({button}.model_id)")
        msg = self.client.session.msg(
            "comm_msg",
            {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}},
        )
        self.client.shell_channel.send(msg)

    def wait_for(self, condition: str, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while self.run(f"print(bool({condition}))") != "True":
            assert time.monotonic() < deadline, f"never true: {condition}"
            time.sleep(0.05)


@pytest.fixture
def kernel(kernel_session: Kernel) -> Kernel:
    kernel_session.errors.clear()
    return kernel_session


@pytest.fixture(scope="module")
def kernel_session() -> Iterator[Kernel]:
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(TESTS))
    client = manager.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=TIMEOUT)
        k = Kernel(client)
        k.run(
            "import sys, smtplab\n"
            f"sys.path.insert(0, {str(TESTS)!r})\n"
            "from smtplab.widgets import Console\n"
            "from smtplab.server import LabServer\n"
            "from test_widgets import slow_server\n"
        )
        yield k
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_click_vrfy_then_quit(kernel: Kernel) -> None:
    kernel.run("lab = LabServer(mailboxes=['alice']).start(); c = Console(lab)")
    kernel.click("c.buttons['VRFY']")
    kernel.wait_for("c.model.latest.code != 220 and not c.model.busy")
    expected = kernel.run("with lab.connect() as p: print(p.vrfy('alice').lines[0])")
    assert kernel.run("print(c.model.latest.lines[0])") == expected
    assert kernel.run("print('VRFY alice' in c.transcript.value)") == "True"
    assert kernel.run("print(c.card.value == c.model.latest.explain()._repr_html_())") == "True"
    kernel.click("c.buttons['QUIT']")
    kernel.wait_for("c.model.closed")
    assert kernel.run(
        "print(c.buttons['VRFY'].disabled, c.reconnect_button.layout.display == '')"
    ) == ("True True")
    kernel.run("lab.stop()")
    assert kernel.errors == []


def test_click_in_flight_is_not_sent(kernel: Kernel) -> None:
    kernel.run(
        "slow = slow_server(0.5); host, port = slow.__enter__()\n"
        "c2 = Console(LabServer(), connect=lambda: smtplab.connect(host, port))"
    )
    kernel.click("c2.buttons['NOOP']")
    kernel.click("c2.buttons['VRFY']")  # arrives while NOOP waits for its slow reply
    kernel.wait_for("c2.model.latest is not None and c2.model.latest.code == 250")
    sent = kernel.run("print([e.sent for e in c2.model.transcript])")
    assert sent == "[None, 'NOOP']"
    assert kernel.run("print('not sent' in c2.notice.value or c2.notice.value == '')") == "True"
    assert kernel.run("print(c2.buttons['VRFY'].disabled)") == "False"
    kernel.run("c2.model.session.close(); slow.__exit__(None, None, None)")
    assert kernel.errors == []


def test_click_after_server_stopped(kernel: Kernel) -> None:
    kernel.run("lab3 = LabServer().start(); c3 = Console(lab3); lab3.stop()")
    kernel.click("c3.buttons['NOOP']")
    kernel.wait_for("c3.notice.value != ''")
    notice = kernel.run("print(c3.notice.value)")
    assert notice.startswith("⚠")
    assert "stopped" in notice
    assert kernel.run("print(c3.model.busy, c3.reconnect_button.layout.display == '')") == (
        "False True"
    )
    assert kernel.errors == []
