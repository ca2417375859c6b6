"""Under JupyterLite (Pyodide) sockets cannot exist: every entry point says so in one sentence."""

from __future__ import annotations

import sys
import types

import pytest

from smtplab.errors import SocketsUnavailableError
from smtplab.jupyterlite import MESSAGE
from smtplab.server import LabServer
from smtplab.session import Session


@pytest.fixture
def in_pyodide(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a JupyterLite kernel looks like from inside: the ``pyodide`` module is loaded."""
    monkeypatch.setitem(sys.modules, "pyodide", types.ModuleType("pyodide"))


@pytest.mark.usefixtures("in_pyodide")
def test_a_session_refuses_before_touching_the_network() -> None:
    with pytest.raises(SocketsUnavailableError) as caught:
        Session("127.0.0.1", 25)
    assert str(caught.value) == MESSAGE


@pytest.mark.usefixtures("in_pyodide")
def test_the_lab_server_refuses_to_start_and_stays_stopped() -> None:
    lab = LabServer()
    with pytest.raises(SocketsUnavailableError, match="JupyterLite"):
        lab.start()
    assert not lab.running
