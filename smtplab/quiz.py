"""Quiz questions as data, and the checking of answers: no widgets here.

Two kinds, both read from ``data/quiz/<name>.json``:

- *choice* — pick one answer; the feedback explains why it is (not) the right one.
- *predict* — predict the reply code a command will get, then send it to the lab: the *server's*
  actual reply decides whether the prediction was right, so the quiz can never disagree with the
  lab (change the lab's VRFY policy and the right answer changes with it).

File format::

    {"title": "...", "questions": [
      {"id": "quit-reply", "kind": "choice", "prompt": "...",
       "choices": ["221", "421"], "answer": 0, "explanation": "..."},
      {"id": "vrfy-hidden", "kind": "predict", "prompt": "...", "command": "VRFY alice",
       "setup": {"vrfy": "hide"}, "choices": [250, 252, 550], "explanation": "..."}]}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from smtplab.datafiles import DataFileError, data_file, read_json
from smtplab.errors import SmtplabError

if TYPE_CHECKING:
    from smtplab.reply import Reply
    from smtplab.server import LabServer
    from smtplab.transcript import Transcript

__all__ = [
    "ChoiceQuestion",
    "Feedback",
    "PredictQuestion",
    "Question",
    "Quiz",
    "QuizError",
    "check",
    "expect",
    "load",
    "mystery",
    "names",
]

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
#: Lab settings a predict question may ask for before its command is sent.
SETUP_KEYS = frozenset({"vrfy"})


class QuizError(SmtplabError, ValueError):
    """An answer that does not fit the question (no such choice, not a reply code)."""


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer, written for the learner."""

    correct: bool
    text: str

    def __str__(self) -> str:
        return ("✔ " if self.correct else "✘ ") + self.text


@dataclass(frozen=True)
class ChoiceQuestion:
    """A multiple-choice question with one right answer."""

    id: str
    prompt: str
    choices: tuple[str, ...]
    answer: int
    explanation: str
    commands: tuple[str, ...] = ()  # for "which server said this?": the session to replay

    def check(self, picked: int) -> Feedback:
        if not isinstance(picked, int) or not 0 <= picked < len(self.choices):
            raise QuizError(
                f"pick one of the {len(self.choices)} choices (0 to {len(self.choices) - 1})"
            )
        right = self.choices[self.answer]
        if picked == self.answer:
            return Feedback(True, f"Right: {right}. {self.explanation}")
        return Feedback(False, f"Not quite: the answer is {right}. {self.explanation}")


@dataclass(frozen=True)
class PredictQuestion:
    """Predict the reply code of ``command``; the lab's real reply is the answer key."""

    id: str
    prompt: str
    command: str
    choices: tuple[int, ...]
    explanation: str
    setup: dict[str, str] = field(default_factory=dict)

    def prepare(self, lab: LabServer) -> None:
        """Put the lab in the state the question assumes (e.g. its VRFY policy)."""
        if "vrfy" in self.setup:
            lab.vrfy = self.setup["vrfy"]

    def ask(self, lab: LabServer) -> Reply:
        """Send the question's command to ``lab`` in a fresh session and return the real reply."""
        self.prepare(lab)
        with lab.connect() as session:
            return session.send(self.command)

    def check(self, predicted: int | str, reply: Reply) -> Feedback:
        code = _code(predicted)
        said = str(reply)
        if code == reply.code:
            return Feedback(True, f"Right: the lab answered {said!r}. {self.explanation}")
        return Feedback(
            False,
            f"You predicted {code}; the lab answered {said!r}. {self.explanation}",
        )


Question = ChoiceQuestion | PredictQuestion


@dataclass(frozen=True)
class Quiz:
    """A named list of questions."""

    name: str
    title: str
    questions: tuple[Question, ...]

    def __len__(self) -> int:
        return len(self.questions)

    def __getitem__(self, index: int) -> Question:
        return self.questions[index]

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise QuizError(f"quiz {self.name!r} has no question {question_id!r}")


def _code(value: int | str) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"[2-5][0-9][0-9]", text):
        raise QuizError(f"a reply code is three digits starting with 2 to 5, not {value!r}")
    return int(text)


def names() -> tuple[str, ...]:
    """The quizzes shipped in ``data/quiz/``."""
    folder = data_file("quiz")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json")))


def load(name: str) -> Quiz:
    """The quiz ``data/quiz/<name>.json``, checked; an unknown name → :class:`QuizError`."""
    if not _NAME.fullmatch(name) or name not in names():
        raise QuizError(f"no quiz named {name!r}; choose one of: {', '.join(names())}")
    raw = read_json("quiz", f"{name}.json")
    where = f"data/quiz/{name}.json"
    _expect(isinstance(raw, dict) and isinstance(raw.get("questions"), list), where, "shape")
    questions = tuple(_question(item, f"{where}[{i}]") for i, item in enumerate(raw["questions"]))
    ids = [q.id for q in questions]
    _expect(len(ids) == len(set(ids)), where, "question ids must be unique")
    return Quiz(name, str(raw.get("title", name)), questions)


def _expect(condition: bool, where: str, what: str) -> None:
    if not condition:
        raise DataFileError(f"{where}: {what}")


def _question(item: Any, where: str) -> Question:
    _expect(isinstance(item, dict), where, "a question is an object")
    for key in ("id", "kind", "prompt", "explanation"):
        _expect(isinstance(item.get(key), str) and item[key], where, f"needs text {key!r}")
    choices = item.get("choices")
    _expect(isinstance(choices, list) and len(choices) >= 2, where, "needs 2 or more choices")
    if item["kind"] == "choice":
        answer = item.get("answer")
        _expect(all(isinstance(c, str) for c in choices), where, "choices are text")
        _expect(isinstance(answer, int) and 0 <= answer < len(choices), where, "bad 'answer'")
        commands = item.get("commands", [])
        _expect(all(isinstance(c, str) for c in commands), where, "commands are text")
        return ChoiceQuestion(
            item["id"], item["prompt"], tuple(choices), answer, item["explanation"], tuple(commands)
        )
    _expect(item["kind"] == "predict", where, "kind is 'choice' or 'predict'")
    _expect(isinstance(item.get("command"), str) and item["command"], where, "needs 'command'")
    _expect(all(isinstance(c, int) for c in choices), where, "choices are reply codes")
    setup = item.get("setup", {})
    _expect(isinstance(setup, dict) and set(setup) <= SETUP_KEYS, where, "unknown setup key")
    return PredictQuestion(
        item["id"],
        item["prompt"],
        item["command"],
        tuple(choices),
        item["explanation"],
        dict(setup),
    )


# --- self-checks for notebook exercises ------------------------------------------------------
def check(quiz: str, question_id: str, answer: object, reply: Reply | None = None) -> Feedback:
    """Check a notebook answer: a choice's number or text, or a predicted code plus the reply."""
    question = load(quiz).question(question_id)
    if answer is None:
        return Feedback(False, "Not answered yet: replace None with your answer and run again.")
    if isinstance(question, ChoiceQuestion):
        if isinstance(answer, str) and answer in question.choices:
            answer = question.choices.index(answer)
        if not isinstance(answer, int):
            raise QuizError(
                f"answer with the number of a choice (0 to {len(question.choices) - 1})"
            )
        return question.check(answer)
    if reply is None:
        raise QuizError(f"send {question.command!r} and pass its reply: check(..., reply=reply)")
    if not isinstance(answer, (int, str)):
        raise QuizError(f"a prediction is a reply code such as 250, not {answer!r}")
    return question.check(answer, reply)


def expect(reply: Reply | None, code: int, goal: str) -> Feedback:
    """Self-check of a "make the server say …" exercise: did ``reply`` carry ``code``?"""
    if reply is None:
        return Feedback(False, f"Not done yet: {goal}, then run this cell again.")
    if reply.code == code:
        return Feedback(True, f"Done: the server said {reply.lines[0]!r}.")
    return Feedback(False, f"Not yet: the server said {reply.lines[0]!r}, not {code}. {goal}.")


def mystery(quiz: str, question_id: str) -> Transcript:
    """The transcript a "which server said this?" question shows: its commands, sent to a lab
    answering as the (hidden) right choice, so the evidence is real server behaviour."""
    from smtplab.server import LabServer  # noqa: PLC0415 - the lab starts only when asked

    question = load(quiz).question(question_id)
    if not isinstance(question, ChoiceQuestion) or not question.commands:
        raise QuizError(f"{question_id!r} is not a which-server question")
    with (
        LabServer(
            personality=question.choices[question.answer],
            hostname="mail.example.test",
            mailboxes=("alice",),
        ) as lab,
        lab.connect() as session,
    ):
        for line in question.commands:
            if session.closed:
                break
            session.send(line)
        return session.transcript
