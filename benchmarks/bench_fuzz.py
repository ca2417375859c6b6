"""Fuzz the lab server: seeded hostile command lines against every personality.

A generator (``random.Random(seed)``: the same seed gives the same lines) writes sessions of
random bytes, NULs, non-UTF-8, overlong lines, SMTP verbs with broken arguments, pipelined bursts
and commands after QUIT. A raw asyncio client sends them to a real ``LabServer`` and classifies
what every line got back:

- ``2xx`` … ``5xx``: a well-formed reply (RFC 5321 §4.2) of that class;
- ``closed-after-221`` / ``closed-after-421`` / ``closed-after-limit``: no reply because the
  server had closed the connection after a 221, a 421, or a personality's closing 5xx (error
  limit, OpenSMTPD's overlong line);
- failures: ``stall`` (no reply in time), ``malformed`` (not a reply line), ``unexpected-close``
  (EOF without a closing reply before it), ``open-after-close`` (a 221/421 that did not close),
  ``wrong-reply`` (a 354 to anything but DATA, a 221 to anything but QUIT, a 2xx/3xx to garbage),
  ``reset`` (the connection was reset: the server closed while the client was still sending, so
  TCP threw away replies the client had not read yet, the closing reply among them).

Besides the lines, a run fails on any ERROR logged by aiosmtpd/asyncio/smtplab, any exception
the server loop's exception handler sees, a session left in the server's live set, or a health
check (EHLO, QUIT on a fresh session) that does not get 250 and 221.

    .venv/bin/python benchmarks/bench_fuzz.py [--lines 10000] [--seed 7] [--workers 8]

Anchor-free by nature (a robustness figure, not a speed target); it prints the lines per second
for the record.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from smtplab.server import LabServer, personalities
from smtplab.server.personality import load

HOST = "127.0.0.1"
READ_TIMEOUT = 5.0  # seconds a reply may take before the line counts as a stall
CLOSE_TIMEOUT = 2.0  # seconds a 221/421 may take to be followed by the close
REPLY_LINE = re.compile(rb"^[2-5][0-9][0-9](?:[ -].*)?\r\n$", re.DOTALL)
FAILURES = ("stall", "malformed", "unexpected-close", "open-after-close", "wrong-reply", "reset")

# --- the generator -----------------------------------------------------------------------------
VERBS = (
    "HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "VRFY", "EXPN", "HELP", "NOOP", "QUIT",
    "STARTTLS", "AUTH", "ETRN", "VERB", "BDAT", "TURN", "SEND", "GET", "POST", "CONNECT",
    "X-FOO", "Subject:", "MAIL FROM",
)  # fmt: skip
BROKEN_ARGS = (
    "", " ", "\t", "FROM:", "FROM:<", "FROM:<>", "FROM:<a@b", "FROM: <a@b> SIZE=abc",
    "FROM:<a@b> SIZE=99999999999999999999", "FROM:<a@b> BODY=9BIT", "FROM:<a@b> SMTPUTF8",
    "FROM:<a@b> X=Y", "TO:", "TO:<", "TO:<>", "TO:<alice>", "TO:<@relay.example:bob@far.example>",
    "TO:<bob@far.example>", "TO:<alice@lab.example.test> NOTIFY=NEVER", "TO:<postmaster>",
    "<>", "<", ">", "alice", "root", "postmaster", "labuser", "<alice@lab.example.test>",
    "a@b@c", "@", "a b c", "{hostname}", "{0}", "{arg!r:>99999}", "%s%n%x", "\\", '"q"@x',
    "ü@ä.example", "用户", "alice\rbob", "x" * 600, "arg:HELP", "VRFY.reveal", "ok", "any",
    "HELP", "a.b.c", "arg:VRFY:helo", "=?utf-8?q?x?=", "<script>alert(1)</script>",
)  # fmt: skip
VALID = (
    b"EHLO fuzz.example.test", b"HELO fuzz.example.test", b"MAIL FROM:<fuzz@example.test>",
    b"RCPT TO:<alice@lab.example.test>", b"RCPT TO:<postmaster@lab.example.test>",
    b"NOOP", b"RSET", b"VRFY alice", b"EXPN postmaster", b"HELP", b"DATA",
)  # fmt: skip
BAD_UTF8 = (b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80")
OVERLONG = (513, 1000, 1001, 1024, 2047, 2048, 2049, 4096, 16385, 70_000)
ENDINGS = (b"\r\n",) * 8 + (b"\n", b"\r\r\n")


@dataclass(frozen=True)
class Line:
    """One command line as sent (terminator included) and what kind of hostility it is."""

    kind: str  # "garbage" | "tainted" | "overlong" | "verb" | "valid" | "blank"
    data: bytes

    @property
    def verb(self) -> str:
        head = self.data.rstrip(b"\r\n").split(b" ", 1)[0]
        return head.decode("ascii", "replace").upper()


Write = tuple[Line, ...]  # lines sent in one write: a pipelined burst when more than one


def _garbage(rng: random.Random) -> bytes:
    """Random bytes: no verb any server knows."""
    if rng.random() < 0.5:
        return rng.randbytes(rng.randrange(0, 120))
    return bytes(rng.randrange(0x80, 0x100) for _ in range(rng.randrange(1, 40)))


def _tainted(rng: random.Random) -> bytes:
    """A real command with NULs or bytes that are not UTF-8 somewhere in it."""
    base = bytearray(rng.choice(VALID))
    if rng.random() < 0.5:
        for _ in range(rng.randrange(1, 4)):
            base.insert(rng.randrange(len(base) + 1), 0)
        return bytes(base)
    at = rng.randrange(len(base) + 1)
    return bytes(base[:at] + rng.choice(BAD_UTF8) + base[at:])


def _broken_verb(rng: random.Random) -> bytes:
    verb = rng.choice(VERBS)
    verb = rng.choice((verb, verb.lower(), verb.title()))
    arg = rng.choice(BROKEN_ARGS)
    sep = rng.choice((" ", " ", "  ", "\t", ""))
    return f"{verb}{sep}{arg}".encode("utf-8", "surrogateescape")


def _line(rng: random.Random) -> Line:
    roll = rng.random()
    if roll < 0.12:
        kind, data = "garbage", _garbage(rng)
    elif roll < 0.25:
        kind, data = "tainted", _tainted(rng)
    elif roll < 0.33:
        kind = "overlong"
        data = rng.choice((b"NOOP ", b"VRFY ", b"", b"MAIL FROM:<")) + b"x" * rng.choice(OVERLONG)
    elif roll < 0.65:
        kind, data = "verb", _broken_verb(rng)
    elif roll < 0.95:
        kind, data = "valid", rng.choice(VALID)
    else:
        kind, data = "blank", rng.choice((b"", b" ", b"\t", b"   "))
    # a line break inside would make two commands of one; a bare CR stays (it is hostile too)
    data = data.replace(b"\n", b"")
    return Line(kind, data + rng.choice(ENDINGS))


def generate(seed: int, count: int) -> list[list[Write]]:
    """Sessions (each a list of writes) holding ``count`` lines in all; same seed, same lines."""
    rng = random.Random(seed)
    sessions: list[list[Write]] = []
    total = 0
    while total < count:
        writes: list[Write] = []
        for _ in range(rng.randrange(1, 25)):
            if rng.random() < 0.15:  # a pipelined burst (DATA only alone, as RFC 2920 asks)
                burst = [_line(rng) for _ in range(rng.randrange(2, 9))]
                writes.append(tuple(x for x in burst if x.verb != "DATA") or (burst[0],))
            else:
                writes.append((_line(rng),))
        ending = rng.random()
        if ending < 0.3:  # a command after QUIT, pipelined
            after = _line(rng)
            writes.append((Line("valid", b"QUIT\r\n"), after))
        elif ending < 0.6:
            writes.append((Line("valid", b"QUIT\r\n"),))
        sessions.append(writes)
        total += sum(len(w) for w in writes)
    return sessions


# --- the client --------------------------------------------------------------------------------
@dataclass
class Outcomes:
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    lines: int = 0

    def add(self, outcome: str, line: Line | None = None, detail: str = "") -> None:
        self.counts[outcome] += 1
        if outcome in FAILURES:
            shown = self.examples.setdefault(outcome, [])
            if len(shown) < 5:
                sent = repr(line.data[:60]) if line is not None else ""
                shown.append(f"{sent} -> {detail}")

    @property
    def failures(self) -> int:
        return sum(self.counts[name] for name in FAILURES)


Note = Callable[..., None]  # note(outcome, line=None, detail="")


class ClosedError(Exception):
    """The server closed the connection (EOF, or a reset when ``reset``)."""

    def __init__(self, reset: bool = False) -> None:
        super().__init__("reset" if reset else "EOF")
        self.reset = reset


async def read_reply(reader: asyncio.StreamReader) -> list[bytes]:
    """One complete reply's raw lines; :class:`ClosedError` on EOF; TimeoutError on a stall."""
    lines: list[bytes] = []
    while True:
        try:
            raw = await asyncio.wait_for(reader.readline(), READ_TIMEOUT)
        except ConnectionError:
            raise ClosedError(reset=True) from None
        except ValueError:  # a reply line over the reader's 64 KiB limit
            return [*lines, b"<overlong reply line>"]
        if not raw:
            raise ClosedError
        lines.append(raw)
        if not REPLY_LINE.match(raw) or raw[3:4] != b"-":
            return lines


class Judge:
    """What a personality may answer, for the ``wrong-reply`` check."""

    def __init__(self, personality: str) -> None:
        p = load(personality)
        self.truncates = p.option("overlong") == "truncate"
        self.splits = p.option("overlong") == "split"  # Sendmail: one command per line_limit bytes
        self.line_limit = p.line_limit
        forbidden = p.template("forbidden")
        self.forbidden_221 = isinstance(forbidden, str) and forbidden.startswith("221")
        limit = p.template("error_limit")
        self.limit_codes = {int(limit[:3])} if isinstance(limit, str) else set()
        too_long = p.template("line_too_long")
        if "line_too_long" in p.closes:
            self.limit_codes.add(int(too_long[:3]))
        if "pipelining" in p.closes:  # OpenSMTPD hangs up on a pipelining client
            self.limit_codes.add(int(p.template("pipelining")[:3]))
        self.limit_codes.discard(221)
        self.limit_codes.discard(421)

    def replies(self, line: Line) -> int:
        """How many replies ``line`` gets: one, or one per piece of a line the server splits."""
        size = len(line.data.rstrip(b"\r\n"))
        return max(1, -(-size // self.line_limit)) if self.splits else 1

    def wrong(self, line: Line, code: int) -> str | None:
        verb = line.verb
        if code == 354 and verb != "DATA":
            return "354 to a line that is not DATA"
        if code == 221 and verb != "QUIT" and not self.forbidden_221:
            return "221 to a line that is not QUIT"
        if code == 221 and self.forbidden_221:
            return None  # Postfix hangs up on non-SMTP input with its own 221
        if code < 400 and line.kind == "garbage" and not line.data[:1].isalpha():
            return f"{code} to garbage"
        too_long = len(line.data.rstrip(b"\r\n")) > self.line_limit
        if code < 400 and too_long and not (self.truncates or self.splits):
            return f"{code} to an overlong line"
        return None


@dataclass
class Conversation:
    """One fuzz session on the wire: its streams, the last reply code, why it is over."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    judge: Judge
    note: Note
    rng: random.Random
    last_code: int = 0
    closed_after: str | None = None  # the outcome of every line sent after the close
    stop: bool = False  # a failure was seen: the rest of the session is not played

    async def answer(self, line: Line) -> None:
        """Read and classify the reply to ``line``."""
        if self.closed_after is not None:
            self.note(self.closed_after, line)
            return
        try:
            reply = await read_reply(self.reader)
        except ClosedError as closed:
            reason = "reset" if closed.reset else _close_reason(self.last_code, self.judge)
            self.note(reason, line, f"{closed} after {self.last_code}")
            self.closed_after, self.stop = reason, reason in FAILURES
            return
        except TimeoutError:
            self.note("stall", line, f"no reply in {READ_TIMEOUT} s")
            self.stop = True
            return
        if not REPLY_LINE.match(reply[-1]):
            self.note("malformed", line, repr(reply[-1][:80]))
            self.stop = True
            return
        self.last_code = int(reply[-1][:3])
        wrong = self.judge.wrong(line, self.last_code)
        self.note("wrong-reply" if wrong else f"{self.last_code // 100}xx", line, wrong or "")
        if self.last_code == 354:
            self.last_code = await _send_body(self.reader, self.writer, self.rng, self.note, line)
        if self.last_code in (221, 421):
            self.closed_after = await _expect_close(self.reader, self.last_code, self.note, line)
            self.stop = self.closed_after is None


async def run_session(
    port: int, writes: list[Write], judge: Judge, out: Outcomes, *, index: int, seed: int
) -> None:
    """Play one generated session; every line's outcome goes to ``out``."""

    def note(outcome: str, line: Line | None = None, detail: str = "") -> None:
        out.add(outcome, line, f"{detail} (session {index})")

    out.lines += sum(len(burst) for burst in writes)
    reader, writer = await asyncio.open_connection(HOST, port)
    talk = Conversation(reader, writer, judge, note, random.Random(seed * 1_000_003 + index))
    try:
        greeting = await read_reply(reader)
        if not greeting[-1].startswith(b"220"):
            note("malformed", None, f"greeting {greeting!r}")
            return
        for burst in writes:
            if talk.closed_after is None:
                writer.write(b"".join(line.data for line in burst))
                with suppress(ConnectionError):  # the server hung up: the reads say why
                    await writer.drain()
            for line in burst:
                for _ in range(judge.replies(line)):
                    await talk.answer(line)
                    if talk.stop:
                        return
    except ClosedError as closed:
        note("reset" if closed.reset else "unexpected-close", None, "before the greeting")
    finally:
        writer.close()
        with suppress(ConnectionError):
            await writer.wait_closed()


def _close_reason(last_code: int, judge: Judge) -> str:
    if last_code in (221, 421):
        return f"closed-after-{last_code}"
    if last_code in judge.limit_codes:
        return "closed-after-limit"
    return "unexpected-close"


async def _send_body(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    rng: random.Random,
    note: Note,
    line: Line,
) -> int:
    """A hostile message body after 354, then the final ".": the reply's code (0 if none)."""
    body = [
        b"Subject: fuzz \xff\x00",
        b"",
        b".leading dot",
        b"..two dots",
        rng.randbytes(rng.randrange(0, 60)).replace(b"\n", b""),
        b"y" * rng.choice((10, 998, 1200)),
    ]
    writer.write(b"\r\n".join(body) + b"\r\n.\r\n")
    await writer.drain()
    try:
        reply = await read_reply(reader)
    except (ClosedError, TimeoutError) as exc:
        note("stall" if isinstance(exc, TimeoutError) else "unexpected-close", line, "DATA end")
        return 0
    note(f"data-end-{reply[-1][:1].decode()}xx")
    return int(reply[-1][:3]) if REPLY_LINE.match(reply[-1]) else 0


async def _expect_close(
    reader: asyncio.StreamReader, code: int, note: Note, line: Line
) -> str | None:
    """After a 221/421 the server must hang up: the later lines' outcome, or None if it did not."""
    try:
        extra = await asyncio.wait_for(reader.read(100), CLOSE_TIMEOUT)
    except ConnectionError:
        extra = b""
    except TimeoutError:
        note("open-after-close", line, f"{code}, then no close within {CLOSE_TIMEOUT} s")
        return None
    if extra:
        note("open-after-close", line, f"{code}, then {extra[:60]!r}")
        return None
    return f"closed-after-{code}"


# --- watching the server -----------------------------------------------------------------------
class ErrorLog(logging.Handler):
    """Every ERROR (or worse) any logger emits while installed, plus loop exception contexts."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        cause = f" ({record.exc_info[1]!r})" if record.exc_info else ""
        self.seen.append(f"{record.name}: {record.getMessage()}{cause}")

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        self.seen.append(f"loop: {context.get('message')} {context.get('exception')!r}")


@contextmanager
def watched(lab: LabServer) -> Iterator[ErrorLog]:
    errors = ErrorLog()
    root = logging.getLogger()
    root.addHandler(errors)
    lab.loop.call_soon_threadsafe(lab.loop.set_exception_handler, errors.loop_exception)
    try:
        yield errors
    finally:
        gc.collect()  # "Task exception was never retrieved" is reported at collection
        root.removeHandler(errors)


async def _drive(port: int, sessions: list[list[Write]], judge: Judge, workers: int, seed: int):
    out = Outcomes()
    queue = list(enumerate(sessions))

    async def worker() -> None:
        while queue:
            index, writes = queue.pop()
            await run_session(port, writes, judge, out, index=index, seed=seed)

    await asyncio.gather(*(worker() for _ in range(workers)))
    return out


def _health(lab: LabServer) -> list[str]:
    problems = []
    with lab.connect(timeout=5) as session:
        ehlo, quit_ = session.ehlo(), session.quit()
    if ehlo.code != 250 or quit_.code != 221:
        problems.append(f"health check got {ehlo.code}/{quit_.code}")
    deadline = time.monotonic() + 2.0
    while lab.connected and time.monotonic() < deadline:
        time.sleep(0.01)
    if lab.connected:
        problems.append(f"{lab.connected} sessions still live after every client left")
    return problems


@dataclass
class Run:
    personality: str
    outcomes: Outcomes
    problems: list[str]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems and self.outcomes.failures == 0


def fuzz(personality: str, *, lines: int, seed: int, workers: int = 8) -> Run:
    """Fuzz one personality's lab server with ``lines`` generated lines; what came back."""
    sessions = generate(seed, lines)
    judge = Judge(personality)
    # error_sleep_scale=0: Postfix's 1 s per reply after 10 errors would make the run hours long
    lab = LabServer(
        personality=personality, mailboxes=("alice", "root"), max_messages=50, error_sleep_scale=0
    )
    with lab, watched(lab) as errors:
        started = time.perf_counter()
        out = asyncio.run(_drive(lab.port, sessions, judge, workers, seed))
        seconds = time.perf_counter() - started
        problems = _health(lab)
    problems += errors.seen
    problems += [
        f"lab answered {line}"
        for record in lab.log
        for line in record.lines()
        if "the lab server failed" in line
    ][:5]
    return Run(personality, out, problems, seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=10_000, help="lines per personality")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=8, help="concurrent fuzz sessions")
    parser.add_argument("--personality", action="append", help="only these (repeatable)")
    parser.add_argument("--show", type=int, metavar="INDEX", help="print session INDEX and exit")
    args = parser.parse_args()
    if args.show is not None:
        for burst in generate(args.seed, args.lines)[args.show]:
            print(" | ".join(repr(line.data[:70]) for line in burst))
        return 0
    print(f"fuzz: {args.lines} lines per personality, seed {args.seed}, {args.workers} workers")
    all_ok = True
    for name in args.personality or personalities():
        run = fuzz(name, lines=args.lines, seed=args.seed, workers=args.workers)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(run.outcomes.counts.items()))
        rate = run.outcomes.lines / run.seconds
        verdict = "ok" if run.ok else "FAILED"
        print(f"{name:<10} {run.outcomes.lines} lines, {rate:,.0f} lines/s: {verdict}")
        print(f"           {counts}")
        for outcome, shown in run.outcomes.examples.items():
            for example in shown:
                print(f"           {outcome}: {example}")
        for problem in run.problems[:10]:
            print(f"           problem: {problem}")
        all_ok &= run.ok
    print("all personalities ok" if all_ok else "FAILURES above")
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
