"""Quiz data and checking: every shipped quiz loads, answers are judged, and a predict question's
answer key is the lab's real reply."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from smtplab import quiz
from smtplab.datafiles import data_file
from smtplab.reply import Reply
from smtplab.server import LabServer, personalities
from smtplab.testing import running_lab


@pytest.fixture
def lab() -> Iterator[LabServer]:
    with running_lab(mailboxes=["alice", "bob"]) as server:
        yield server


def all_questions() -> list[tuple[str, quiz.Question]]:
    return [(name, q) for name in quiz.names() for q in quiz.load(name).questions]


def test_every_quiz_loads_with_unique_ids() -> None:
    assert {"basics", "classroom", "servers"} <= set(quiz.names())
    for name in quiz.names():
        raw = json.loads(data_file("quiz", f"{name}.json").read_text(encoding="utf-8"))
        assert len(quiz.load(name)) == len(raw["questions"])


def test_choice_questions_judge_every_choice() -> None:
    for _, question in all_questions():
        if isinstance(question, quiz.ChoiceQuestion):
            verdicts = [question.check(i).correct for i in range(len(question.choices))]
            assert verdicts.count(True) == 1
            assert verdicts.index(True) == question.answer


def test_which_server_questions_name_real_personalities() -> None:
    for _, question in all_questions():
        if isinstance(question, quiz.ChoiceQuestion) and question.commands:
            assert set(question.choices) <= set(personalities())


@pytest.mark.parametrize(
    "question_id", [q.id for _, q in all_questions() if isinstance(q, quiz.PredictQuestion)]
)
def test_predict_answer_key_is_the_labs_reply(lab: LabServer, question_id: str) -> None:
    name = next(n for n, q in all_questions() if q.id == question_id)
    question = quiz.load(name).question(question_id)
    assert isinstance(question, quiz.PredictQuestion)
    reply = question.ask(lab)
    assert reply.code in question.choices  # the right answer is among the offered ones
    assert question.check(reply.code, reply).correct
    wrong = next(code for code in question.choices if code != reply.code)
    feedback = question.check(wrong, reply)
    assert not feedback.correct
    assert str(reply) in feedback.text


def test_check_helper() -> None:
    question = quiz.load("basics").question("first-digit")
    assert isinstance(question, quiz.ChoiceQuestion)
    assert not quiz.check("basics", "first-digit", None).correct
    assert quiz.check("basics", "first-digit", question.answer).correct
    assert quiz.check("basics", "first-digit", question.choices[question.answer]).correct
    assert str(quiz.check("basics", "first-digit", question.answer)).startswith("✔")
    with pytest.raises(quiz.QuizError):
        quiz.check("basics", "first-digit", 99)
    with pytest.raises(quiz.QuizError):
        quiz.check("basics", "vrfy-hidden-predict", 252)  # a prediction needs the reply
    with pytest.raises(quiz.QuizError):
        quiz.check("basics", "no-such-question", 1)
    with pytest.raises(quiz.QuizError):
        quiz.load("../basics")


def test_expect() -> None:
    reply = Reply.from_lines(["421 4.3.0 try later"])
    assert quiz.expect(reply, 421, "say 421").correct
    assert not quiz.expect(reply, 221, "say 221").correct
    assert not quiz.expect(None, 421, "say 421").correct


def test_mystery_transcript_is_the_hidden_servers_voice() -> None:
    question = quiz.load("servers").question("fingerprint")
    assert isinstance(question, quiz.ChoiceQuestion)
    transcript = quiz.mystery("servers", "fingerprint")
    hidden = question.choices[question.answer]
    with (
        LabServer(personality=hidden, hostname="mail.example.test") as server,
        server.connect() as session,
    ):
        greeting = session.transcript[0].reply
    assert greeting is not None
    assert transcript[0].reply is not None
    assert transcript[0].reply.lines == greeting.lines
    assert [e.sent for e in transcript][1:] == list(question.commands)
