"""Each personality replays the sessions captured from its real server and must answer alike.

Expectations come from ``shared/reference/real-servers/*.json`` (captured on loopback from the
real Postfix, Exim, Sendmail, OpenSMTPD and aiosmtpd); only the greeting's date is normalised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from wire import Wire

from smtplab.server import LabServer, personalities
from smtplab.server.personality import REQUIRED, load

REFERENCE = Path(__file__).parents[1].parent / "shared" / "reference" / "real-servers"
LAB_OPTIONS: dict[str, Any] = {
    "hostname": "mail.example.test",
    "mailboxes": ("labuser", "root"),
    "aliases": {"postmaster": "root"},
}
DATE = re.compile(r"[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d (?:[+-]\d{4}|GMT)")


def captures() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    if not REFERENCE.is_dir():
        return []
    found = []
    for path in sorted(REFERENCE.glob("*.json")):
        capture = json.loads(path.read_text(encoding="utf-8"))
        for session in capture["sessions"]:
            if session["name"].startswith("client_"):
                continue  # run from another source address: not reproducible on 127.0.0.1
            found.append((capture["server"], capture, session))
    return found


CAPTURES = captures()
needs_reference = pytest.mark.skipif(
    not CAPTURES, reason=f"captured reference sessions not found at {REFERENCE}"
)


def normalise(lines: list[str], captured_host: str) -> list[str]:
    """Dates differ by run; the aiosmtpd capture's host name was the machine's ('localhost')."""
    out = []
    for raw in lines:
        line = DATE.sub("<date>", raw)
        if captured_host != LAB_OPTIONS["hostname"]:
            line = re.sub(rf"(?<=^\d\d\d[ -]){re.escape(captured_host)}\b", "<host>", line)
        out.append(line.replace(LAB_OPTIONS["hostname"], "<host>"))
    return out


@pytest.fixture(scope="module")
def labs() -> Iterator[dict[tuple[str, str | None], LabServer]]:
    started: dict[tuple[str, str | None], LabServer] = {}
    for name in {server for server, _, _ in CAPTURES}:
        for vrfy in (None, "disabled"):
            started[(name, vrfy)] = LabServer(personality=name, vrfy=vrfy, **LAB_OPTIONS).start()
    yield started
    for lab in started.values():
        lab.stop()


def replay(port: int, capture: dict[str, Any], session: dict[str, Any]) -> None:
    captured_host = capture["sessions"][0]["exchange"][0]["reply_lines"][0].split()[1]
    wire = Wire(port)
    try:
        for step in session["exchange"]:
            if step.get("event") == "EOF":
                assert wire.eof(), f"{session['name']}: the server stayed open"
                continue
            got = wire.reply() if step["sent"] is None else wire.send(step["sent"])
            expected = normalise(step["reply_lines"], captured_host)
            assert normalise(got, captured_host) == expected, f"after {step['sent']!r}"
    finally:
        wire.close()


@needs_reference
@pytest.mark.parametrize(
    ("server", "capture", "session"),
    CAPTURES,
    ids=[f"{server}-{session['name']}" for server, _, session in CAPTURES],
)
def test_replays_captured_session(
    labs: dict[tuple[str, str | None], LabServer],
    server: str,
    capture: dict[str, Any],
    session: dict[str, Any],
) -> None:
    vrfy = "disabled" if session["name"].startswith("vrfy_disabled:") else None
    replay(labs[(server, vrfy)].port, capture, session)


@needs_reference
def test_every_captured_server_has_a_personality() -> None:
    assert {server for server, _, _ in CAPTURES} <= set(personalities())


@pytest.mark.parametrize("name", personalities())
def test_personality_data_is_complete(name: str) -> None:
    personality = load(name)
    for key in REQUIRED:
        assert personality.template(key) is not None
    assert personality.closes_after("QUIT.ok")


@pytest.mark.parametrize("name", personalities())
def test_quit_with_argument_follows_the_personality(name: str) -> None:
    personality = load(name)
    closes = personality.closes_after("QUIT.arg") or personality.template("QUIT.arg") is None
    with LabServer(personality=name, **LAB_OPTIONS) as lab:
        wire = Wire(lab.port)
        wire.reply()
        wire.send("EHLO client.example.test")
        reply = wire.send("QUIT now")
        key = "QUIT.arg" if personality.template("QUIT.arg") is not None else "QUIT.ok"
        assert reply == personality.render(key, {"hostname": lab.hostname})
        assert wire.eof(0.5 if not closes else 1.5) is closes
        wire.close()


@pytest.mark.parametrize("name", personalities())
def test_vrfy_before_helo_and_without_argument(name: str) -> None:
    """Words for the edge cases come from the personality's own table, situation by situation."""
    personality = load(name)
    with LabServer(personality=name, **LAB_OPTIONS) as lab:
        prefix = personality.mode_prefix("VRFY", lab.vrfy)
        wire = Wire(lab.port)
        wire.reply()
        if "VRFY" not in personality.commands:
            assert wire.send("VRFY labuser") == personality.render("unknown", {})
        else:
            before = wire.send("VRFY labuser")
            key = personality.pick(prefix, ["nohelo", "nodomain", "known:labuser", "known"])
            fields = {
                "hostname": lab.hostname,
                "arg": "labuser",
                "address": "labuser",
                "local": "labuser",
                "target": "labuser",
                "canonical": "labuser@mail.example.test",
            }
            assert before == personality.render(key, fields)
            wire.send("EHLO client.example.test")
            noarg = personality.pick(prefix, ["noarg"])
            assert wire.send("VRFY") == personality.render(noarg, {"hostname": lab.hostname})
        wire.close()


@pytest.mark.parametrize("name", personalities())
def test_malformed_address_is_answered_in_the_personality_words(name: str) -> None:
    """VRFY/EXPN with an argument the lab cannot parse: the personality's own refusal (never the
    lab's internal 451), for every VRFY policy."""
    personality = load(name)
    for policy in ("hide", "reveal", "disabled"):
        with LabServer(personality=name, vrfy=policy, **LAB_OPTIONS) as lab:
            wire = Wire(lab.port)
            wire.reply()
            wire.send("EHLO client.example.test")
            for verb in ("VRFY", "EXPN"):
                for arg, situations in (
                    ("<alice", ["unbalanced", "badsyntax"]),
                    ("<>", ["badsyntax"]),
                ):
                    got = wire.send(f"{verb} {arg}")
                    if verb not in personality.commands:
                        key = "unknown"
                    else:
                        key = personality.pick(personality.mode_prefix(verb, policy), situations)
                    fields = {"hostname": lab.hostname, "arg": arg, "verb": verb}
                    assert got == personality.render(key, fields), (policy, verb, arg)
            wire.close()


@pytest.mark.parametrize("name", personalities())
def test_refused_mail_and_data_with_argument_are_never_a_250(name: str) -> None:
    """A second MAIL gets the personality's "nested" refusal, and "DATA <arg>" its own refusal or
    a plain 354 (the server ignores the argument) — never a 250 that was not earned."""
    personality = load(name)
    with LabServer(personality=name, **LAB_OPTIONS) as lab:
        wire = Wire(lab.port)
        wire.reply()
        wire.send("EHLO client.example.test")
        assert wire.send("MAIL FROM:<first@example.test>")[-1].startswith("250")
        nested = wire.send("MAIL FROM:<second@example.test>")
        expected = personality.render("MAIL.nested", {"hostname": lab.hostname})
        assert nested == expected
        assert nested[-1].startswith("503")
        assert wire.send("RCPT TO:<labuser@mail.example.test>")[-1].startswith("250")
        data = wire.send("DATA now")
        key = "DATA.arg" if personality.template("DATA.arg") is not None else "DATA.start"
        assert data == personality.render(key, {"hostname": lab.hostname, "arg": "now"})
        assert not data[-1].startswith("2")
        wire.close()
