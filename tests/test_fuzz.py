"""The lab server against hostile input: a short seeded fuzz run per personality, and a sweep of
broken arguments to the address commands.

The generator and the client that classifies each line's outcome live in
``benchmarks/bench_fuzz.py`` (the full run: 10,000 lines per personality); this is the fast
version for the normal suite. A failure message names the session index and seed: rerun
``bench_fuzz.py --seed N`` to see it again.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

import pytest
from wire import send_all_then_read

from smtplab.server import LabServer, personalities

_BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_fuzz.py"
_spec = importlib.util.spec_from_file_location("bench_fuzz", _BENCH)
assert _spec is not None
assert _spec.loader is not None
bench_fuzz = importlib.util.module_from_spec(_spec)
sys.modules["bench_fuzz"] = bench_fuzz
_spec.loader.exec_module(bench_fuzz)

SEED = 20261128
LINES = 500
PERSONALITIES = personalities()


def test_generator_is_seeded_and_hostile():
    first, again = bench_fuzz.generate(SEED, LINES), bench_fuzz.generate(SEED, LINES)
    assert first == again
    assert bench_fuzz.generate(SEED + 1, LINES) != first
    lines = [line for session in first for write in session for line in write]
    assert len(lines) >= LINES
    kinds = {line.kind for line in lines}
    assert {"garbage", "tainted", "overlong", "verb", "valid", "blank"} <= kinds
    data = b"".join(line.data for line in lines)
    assert b"\x00" in data
    assert any(len(line.data) > 1001 for line in lines)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert any(len(write) > 1 for session in first for write in session)  # pipelined bursts
    quit_then_more = [
        write for session in first for write in session
        if len(write) == 2 and write[0].data == b"QUIT\r\n"
    ]  # fmt: skip
    assert quit_then_more


@pytest.mark.parametrize("name", PERSONALITIES)
def test_fuzz_every_line_gets_a_reply_or_a_clean_close(name):
    run = bench_fuzz.fuzz(name, lines=LINES, seed=SEED, workers=4)
    counts = run.outcomes.counts
    assert run.outcomes.lines >= LINES
    # "reset" (replies lost when the server closes on a client still sending) has its own
    # test below; any other failure fails here.
    assert run.outcomes.failures == counts["reset"], run.outcomes.examples
    assert run.problems == []
    assert counts["5xx"] > 0
    assert counts["2xx"] > 0
    # the generator's QUITs were honoured (OpenSMTPD hangs up on the pipelined ones with a 500)
    refuses = bench_fuzz.load(name).option("pipelining") == "refuse"
    assert counts["closed-after-limit" if refuses else "closed-after-221"] > 0


# --- the address commands with broken arguments, in every state and VRFY policy -------------------
ADDRESS_ARGS = (
    "", "<>", "<", ">", "<alice", "alice>", "TO:<alice>", "FROM:<>", "alice@[127.0.0.1]",
    "<@relay.example:alice@lab.example.test>", "a@b@c", "@", "\\", '"q"@x', "ü@ä.example",
    "{hostname}", "alice\rbob", "<alice@lab.example.test> X=Y", "postmaster", "root",
)  # fmt: skip
ADDRESS_VERBS = ("VRFY", "EXPN")
MAIL_ARGS = (
    "FROM:", "FROM:<", "FROM:<>", "FROM:<a@b", "FROM:<a@b> SIZE=x", "FROM:<a@b> BODY=9BIT",
    "FROM:<a@b> SMTPUTF8", "FROM:<@r:a@b>", "FROM:a@b", "FROM: <a@b>",
)  # fmt: skip
RCPT_ARGS = (*(f"TO:{arg}" for arg in ADDRESS_ARGS), "TO:", "TO:<bob@far.example>")


def _sweep_sessions() -> list[list[tuple[object, ...]]]:
    """Sessions of at most 8 commands, each after HELO, EHLO or nothing (so limits rarely bite)."""
    line = bench_fuzz.Line
    commands = [f"{verb} {arg}".rstrip() for verb in ADDRESS_VERBS for arg in ADDRESS_ARGS]
    sessions = []
    for opener in ((), (b"HELO sweep.example",), (b"EHLO sweep.example",)):
        for start in range(0, len(commands), 8):
            writes = [(line("valid", greet + b"\r\n"),) for greet in opener]
            writes += [
                (line("verb", c.encode("utf-8", "surrogateescape") + b"\r\n"),)
                for c in commands[start : start + 8]
            ]
            sessions.append(writes)
    ehlo = (line("valid", b"EHLO sweep.example\r\n"),)
    mail = (line("valid", b"MAIL FROM:<sweep@example.test>\r\n"),)
    for arg in MAIL_ARGS:
        sessions.append([ehlo, (line("verb", f"MAIL {arg}".encode() + b"\r\n"),)])
    for arg in RCPT_ARGS:
        data = f"RCPT {arg}".encode("utf-8", "surrogateescape") + b"\r\n"
        sessions.append([ehlo, mail, (line("verb", data),)])
    return sessions


def _sweep(name: str) -> tuple[list[object], list[str]]:
    """The sweep under each VRFY policy in turn (switched live on one server)."""
    judge = bench_fuzz.Judge(name)
    lab = LabServer(
        personality=name,
        mailboxes=("alice", "root"),
        aliases={"postmaster": "root"},
        error_sleep_scale=0,  # Postfix's slow replies after 10 errors: not what is tested here
    )
    outs = []
    with lab, bench_fuzz.watched(lab) as errors:
        for policy in ("hide", "reveal", "disabled"):
            lab.vrfy = policy
            outs.append(asyncio.run(bench_fuzz._drive(lab.port, _sweep_sessions(), judge, 4, SEED)))
    failed = [
        f"{record.lines()[-2:]}"
        for record in lab.log
        if any("the lab server failed" in line for line in record.lines())
    ]
    return outs, errors.seen + failed


@pytest.mark.parametrize("name", PERSONALITIES)
def test_address_commands_with_broken_arguments_never_fail_inside(name):
    """VRFY/EXPN/MAIL/RCPT with malformed addresses, before and after HELO/EHLO, under every VRFY
    policy: a reply in the personality's words, never the lab's internal-error 451 (a
    personality without words for the situation)."""
    outs, problems = _sweep(name)
    assert [out.examples for out in outs if out.failures] == []
    assert problems == []


# --- a server that hangs up on a client still sending ---------------------------------------------
FLOOD = b"xyzzy\r\n" * 25 + b"NOOP\r\n" * 30_000  # past Postfix's error limit (20), then 180 KB


def test_client_still_sending_reads_the_closing_421():
    """RFC 5321 §3.8: a server that closes says 421 first -- the client must be able to read it."""
    with LabServer(personality="postfix", error_sleep_scale=0) as lab:  # no 1 s per late reply
        lines = asyncio.run(send_all_then_read(lab.port, FLOOD))
    assert lines[-1].startswith(b"421 "), lines[-3:]
