"""Browser test harness: a real ``jupyter lab`` server and Debian's Chromium driven by Playwright.

One JupyterLab server per test session (127.0.0.1, a free port, a random token, every Jupyter
directory in tmp, a COPY of ``notebooks/`` as its root so tests never write outputs into the
repo), one Chromium per session, one fresh browser context per test. Everything started here is
stopped here, also when a test fails; a failing test leaves a screenshot in ``test-artifacts/``.

Without ``/usr/bin/chromium`` the browser tests skip with one line; under ``CI=true`` that is a
failure instead, because CI must run them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
VENV_BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 60.0
KERNEL_TIMEOUT_MS = 60_000
ACTION_TIMEOUT_MS = 30_000
EXPECT_TIMEOUT_MS = 20_000

# JupyterLab settings for a quiet, deterministic UI: no news/update toasts over the notebook, and
# every cell kept in the DOM (no windowing) so a test can read all outputs.
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    """Skip outside CI, fail inside it: CI must never silently drop the browser tests."""
    if _in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (kernels run in their own session, so killpg misses them)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _kill(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


@dataclass
class Jupyter:
    """A running ``jupyter lab`` server started by :func:`jupyter`."""

    base_url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` with the token, so a fresh browser context is logged in."""
        joiner = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{joiner}token={self.token}"

    def api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # only 127.0.0.1
            body = response.read()
        return json.loads(body) if body else None

    def status(self, path: str) -> int:
        """HTTP status of ``GET path`` (404 for a route no server extension provides)."""
        request = urllib.request.Request(
            f"{self.base_url}{path}", headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # only 127.0.0.1
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    def stop(self) -> None:
        """Stop the server and the kernels it started; escalate to SIGKILL if it lingers."""
        kernels = _children(self.process.pid)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, sig)
            for pid in kernels:
                _kill(pid, sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                continue
            if not any(Path(f"/proc/{pid}").exists() for pid in kernels):
                break
            time.sleep(1)


def _write_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.rsplit("/", 1)
        target = settings_dir / package / f"{name}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))


# Package scope, not session: Playwright's sync API keeps an asyncio loop marked as running in
# the main thread while it lives, which would make every later asyncio.run() in the suite fail.
@pytest.fixture(scope="package")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jupyter]:
    """``jupyter lab`` from this venv on 127.0.0.1, a free port and a random token."""
    home = tmp_path_factory.mktemp("jupyter")
    root = home / "root"
    shutil.copytree(
        REPO / "notebooks",
        root / "notebooks",
        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
    )
    _write_settings(home / "settings")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),  # no user kernelspec can shadow the venv's
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    token = secrets.token_hex(16)
    port = _free_port()
    command = [
        str(VENV_BIN / "jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--ServerApp.shutdown_no_activity_timeout=900",  # a safety net if this process dies
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = home / "jupyter.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = Jupyter(f"http://127.0.0.1:{port}", token, root, process, log)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited early:\n{log.read_text()[-3000:]}")
            try:
                server.api("/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer:\n{log.read_text()[-3000:]}")
                time.sleep(0.1)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright (``playwright install`` cannot download here).

    ``launch()`` gives the browser a new, empty temporary user-data dir, removed on close.
    """
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)  # the default 5 s is short on 2 busy cores
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's report on the item, so fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A new browser context and page per test; screenshot into test-artifacts/ on failure."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        call = getattr(request.node, "report_call", None)
        if call is not None and call.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            try:
                tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            except Exception as exc:  # a lost screenshot must not hide the failure
                print(f"screenshot failed: {exc}")
        context.close()


class LabPage:
    """What a learner does in JupyterLab, as test steps (see DESIGN.md for why each wait)."""

    def __init__(self, page: Any, jupyter: Jupyter) -> None:
        self.page = page
        self.jupyter = jupyter

    def open(self, path: str) -> LabPage:
        """Open ``path`` (relative to the server root) in a fresh layout (``?reset``)."""
        self.page.goto(self.jupyter.url(f"/lab/tree/{path}?reset"))
        self.page.locator(".jp-Notebook").first.wait_for()
        return self

    def wait_kernel_idle(self) -> None:
        """The status bar's ``| Idle`` appears only once a kernel exists (the toolbar lies)."""
        self.page.locator(".jp-StatusBar-TextItem", has_text="| Idle").first.wait_for(
            timeout=KERNEL_TIMEOUT_MS
        )

    def run_all(self) -> None:
        """Run > Run All Cells, then wait until every code cell has an execution count."""
        self.wait_kernel_idle()
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        self.wait_cells_done()

    def wait_cells_done(self) -> None:
        self.page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll(
                    '.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')];
                return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            }""",
            timeout=KERNEL_TIMEOUT_MS,
        )
        self.wait_kernel_idle()

    def click(self, button: str) -> None:
        self.page.get_by_role("button", name=button, exact=True).first.click()


@pytest.fixture
def lab(page: Any, jupyter: Jupyter) -> LabPage:
    return LabPage(page, jupyter)


class VoilaPage:
    """A notebook rendered as an app by Voila (``/voila/render/<path>`` on the same server)."""

    def __init__(self, page: Any, jupyter: Jupyter) -> None:
        self.page = page
        self.jupyter = jupyter

    def open(self, path: str) -> VoilaPage:
        """Render ``path``; Voila runs every cell itself, so wait for its kernel to go idle."""
        self.page.goto(self.jupyter.url(f"/voila/render/{path}"), timeout=KERNEL_TIMEOUT_MS)
        self.page.locator("body[data-voila='voila']").first.wait_for(timeout=KERNEL_TIMEOUT_MS)
        return self

    def click(self, button: str) -> None:
        self.page.get_by_role("button", name=button, exact=True).first.click()


@pytest.fixture(scope="package")
def voila_enabled(jupyter: Jupyter) -> None:
    """Voila's server extension answers on the same server (it enables itself when installed)."""
    if jupyter.status("/voila/tree") != 200:
        pytest.fail("Voila's server extension is not enabled: pip install -e '.[lab]'")


@pytest.fixture
def voila(page: Any, jupyter: Jupyter, voila_enabled: None) -> VoilaPage:
    return VoilaPage(page, jupyter)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives a browser: mark it so ``-m 'not browser'`` skips it."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
