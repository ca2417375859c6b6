"""Detect Python running inside a browser (JupyterLite / Pyodide), where no socket can be opened.

The lab needs a real TCP server and client on loopback. In JupyterLite the kernel is Pyodide
(WebAssembly in the browser tab): ``socket`` exists but cannot listen or connect, and the failure
shows up late and cryptically. Checking first turns that into one clear sentence.
"""

from __future__ import annotations

import sys

from smtplab.errors import SocketsUnavailableError

MESSAGE = (
    "smtplab needs a real network socket, and this Python runs inside the browser "
    "(JupyterLite / Pyodide), where sockets cannot be opened. Open the notebooks in JupyterLab, "
    "Binder or a JupyterHub instead."
)


def in_browser(platform: str | None = None) -> bool:
    """True under Pyodide/Emscripten, the runtime JupyterLite kernels use."""
    return (platform or sys.platform) == "emscripten" or "pyodide" in sys.modules


def require_sockets(platform: str | None = None) -> None:
    """Raise :class:`SocketsUnavailableError` (:data:`MESSAGE`) when sockets cannot work here."""
    if in_browser(platform):
        raise SocketsUnavailableError(MESSAGE)
