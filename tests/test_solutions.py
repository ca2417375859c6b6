"""The teachers' answers (notebooks/solutions/README.md) are right: every `quiz.check(...)` they
give is judged correct by the very check cell a learner runs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from smtplab import quiz

SOLUTIONS = Path(__file__).parents[1] / "notebooks" / "solutions" / "README.md"
CHECK = re.compile(r'quiz\.check\(("[^"]+"), ("[^"]+"), ([^)]+)\)')


def answers() -> list[tuple[str, str, object]]:
    found = CHECK.findall(SOLUTIONS.read_text(encoding="utf-8"))
    return [(ast.literal_eval(q), ast.literal_eval(i), ast.literal_eval(a)) for q, i, a in found]


def test_the_solutions_give_checkable_answers() -> None:
    assert len(answers()) >= 6


@pytest.mark.parametrize(("name", "question", "answer"), answers())
def test_each_answer_is_judged_correct(name: str, question: str, answer: object) -> None:
    feedback = quiz.check(name, question, answer)
    assert feedback.correct, feedback.text
