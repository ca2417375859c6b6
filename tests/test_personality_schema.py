"""Every personality file fits data/schema/personality.schema.json, the schema agrees with the
loader's constants, and the loader's run-time checks refuse what the schema cannot express."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from smtplab.server.personality import (
    ADDRESS_SITUATIONS,
    COMMANDS,
    VRFY_POLICIES,
    PersonalityError,
    _build,
)

DATA = Path(__file__).parents[1] / "data"
SCHEMA = json.loads((DATA / "schema" / "personality.schema.json").read_text(encoding="utf-8"))
FILES = sorted((DATA / "personalities").glob("*.json"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _raw(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "personalities" / f"{name}.json").read_text("utf-8"))
    return data


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_personality_file_matches_the_schema(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(data)]
    assert errors == []
    assert data["name"] == path.stem  # load(name) reads <name>.json


def test_schema_enums_are_the_loader_constants() -> None:
    assert set(SCHEMA["$defs"]["command"]["enum"]) == COMMANDS
    assert tuple(SCHEMA["$defs"]["policy"]["enum"]) == VRFY_POLICIES


@pytest.mark.parametrize(
    "line",
    ["250 ok", "250-first", "221", "{code} {enhanced} injected", "550 5.1.1 <{address}>"],
)
def test_reply_line_pattern_accepts(line: str) -> None:
    assert re.fullmatch(SCHEMA["$defs"]["line"]["pattern"], line)


@pytest.mark.parametrize("line", ["hello", "199 too low", "600 too high", "250ok", "250 a\r\nb"])
def test_reply_line_pattern_refuses(line: str) -> None:
    assert not re.fullmatch(SCHEMA["$defs"]["line"]["pattern"], line)


def test_schema_refuses_a_broken_personality() -> None:
    data = _raw("postfix")
    data["commands"].append("STARTTLS")  # the lab implements no such command
    data["replies"]["QUIT"]["ok"] = "Bye"  # not a reply line
    data["replies"]["VRFY.x"] = "250 dotted key"  # unreachable key
    data["options"]["overlong"] = "explode"
    messages = " ".join(e.message for e in VALIDATOR.iter_errors(data))
    for needle in ("'STARTTLS'", "'Bye'", "'VRFY.x'", "'explode'"):
        assert needle in messages


# --- what the loader checks at run time (cross-references a schema cannot express) ---------------
def _broken(name: str, change: Any) -> dict[str, Any]:
    data = copy.deepcopy(_raw(name))
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["replies"].pop("greeting"), "lacks replies: greeting"),
        (lambda d: d["closes"].append("NOOP.arg"), "'closes' names no reply"),
        (lambda d: d["closes"].remove("greeting_refused"), "'closes' lacks greeting_refused"),
        (lambda d: d["replies"].update(unknown="500 {nonsense}"), "unknown field 'nonsense'"),
        (lambda d: d["commands"].append("STARTTLS"), "the lab has no command"),
        (lambda d: d["replies"]["VRFY"]["reveal"].pop("any"), "VRFY.reveal lacks badsyntax"),
        (lambda d: d["replies"]["MAIL"].pop("nested"), "MAIL lacks nested"),
        (lambda d: d["rcpt_params"].append("SIZE"), "RCPT lacks size"),
    ],
)
def test_loader_refuses_what_would_fail_at_run_time(change: Any, message: str) -> None:
    with pytest.raises(PersonalityError, match=re.escape(message)):
        _build(_broken("postfix", change))


def test_address_tables_cover_every_situation_of_every_shipped_personality() -> None:
    """The check that would have caught Sendmail's VRFY.reveal without 'badsyntax'."""
    for path in FILES:
        _build(_raw(path.stem))
    data = _broken("sendmail", lambda d: d["replies"]["VRFY"]["reveal"].pop("badsyntax"))
    with pytest.raises(PersonalityError, match=re.escape("VRFY.reveal lacks badsyntax")):
        _build(data)
    assert "badsyntax" in ADDRESS_SITUATIONS
