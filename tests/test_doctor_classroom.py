"""The classroom files say what is true: Binder installs this repo; the guide runs as written."""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from smtplab.cli import build_parser
from smtplab.cli.server_cmds import parse_aliases
from smtplab.server import LabServer

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "classroom.md"
BINDER = REPO / "binder"
SMTPLAB = Path(sys.executable).parent / "smtplab"
GUIDE_PORT = "2525"  # the port the guide's examples use; tests swap in a free one


def _guide_commands() -> list[list[str]]:
    """Every `smtplab ...` command the guide shows in an indented code line."""
    lines = re.findall(r"^ {4}(smtplab [^\n]+)$", GUIDE.read_text(), flags=re.MULTILINE)
    return [shlex.split(line) for line in lines]


def _serve_command() -> list[str]:
    (serve,) = [argv for argv in _guide_commands() if argv[1] == "serve"]
    return serve


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_binder_installs_this_repository_with_an_existing_extra() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    lines = [
        line.strip()
        for line in (BINDER / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    local = [line for line in lines if line.startswith(".")]
    assert local, "Binder must install the repository itself"
    extras = re.findall(r"\[([^\]]+)\]", local[0])
    for extra in ",".join(extras).split(","):
        assert extra.strip() in project["optional-dependencies"]
    runtime = (BINDER / "runtime.txt").read_text().strip()
    major, minor = (int(part) for part in runtime.removeprefix("python-").split("."))
    minimum = re.search(r">=\s*(\d+)\.(\d+)", project["requires-python"])
    assert minimum is not None
    assert (major, minor) >= (int(minimum[1]), int(minimum[2]))


def test_every_command_in_the_guide_parses() -> None:
    parser = build_parser()
    commands = _guide_commands()
    assert commands
    for argv in commands:
        parser.parse_args(argv[1:])  # a usage error exits 2 and fails the test


def test_notebooks_the_guide_links_to_exist() -> None:
    text = unquote(GUIDE.read_text())
    linked = set(re.findall(r"notebooks/([\w-]+\.ipynb)", text))
    assert linked
    for name in linked:
        assert (REPO / "notebooks" / name).is_file(), name


def test_the_guides_shared_server_answers_as_the_guide_says() -> None:
    port = str(_free_port())
    argv = [str(SMTPLAB), *(port if arg == GUIDE_PORT else arg for arg in _serve_command()[1:])]
    options = build_parser().parse_args(argv[1:])
    # what the same options give in-process: the expected VRFY reply, computed, not typed in
    with LabServer(
        hostname=options.hostname,
        personality=options.personality,
        vrfy=options.vrfy,
        mailboxes=options.mailbox,
        aliases=parse_aliases(options.alias),
    ) as lab:
        probe = lab.connect()
        expected = probe.vrfy("labuser").lines
        assert expected
        probe.quit()

    server = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        assert f"127.0.0.1:{port}" in banner
        snippet = re.search(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)
        assert snippet is not None
        scope: dict[str, object] = {}
        exec(snippet[1].replace(GUIDE_PORT, port), scope)
        exchanges = scope["s"].transcript.exchanges
        (vrfy,) = [e for e in exchanges if e.sent == "VRFY labuser"]
        assert vrfy.reply.lines == expected
        if shutil.which("curl"):
            curl = subprocess.run(
                [
                    "curl",
                    "-sS",
                    "--max-time",
                    "10",
                    f"smtp://127.0.0.1:{port}",
                    "--mail-rcpt",
                    "labuser",
                ],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
            assert curl.returncode == 0, curl.stderr
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=10)
    assert server.returncode == 0
    assert "stopped" in out
