"""``Quiz(name, lab)``: multiple-choice and predict-then-send questions with instant feedback.

The questions and the checking live in :mod:`smtplab.quiz`; a predict question's answer key is
the lab's real reply, sent when the learner clicks *Send it*.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as widgets

from smtplab import quiz as quizzes
from smtplab.widgets.models import Notice, guarded
from smtplab.widgets.notice import notice_label, show

if TYPE_CHECKING:
    from smtplab.server import LabServer


class QuestionBox(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """One question: the prompt, the choices, one button, and the verdict underneath."""

    def __init__(self, number: int, question: quizzes.Question, lab: LabServer | None) -> None:
        super().__init__()
        self.question = question
        self.lab = lab
        self.correct: bool | None = None
        self.prompt = widgets.Label(value=f"{number}. {question.prompt}")
        self.prompt.style.font_weight = "bold"
        if isinstance(question, quizzes.ChoiceQuestion):
            options = [(text, i) for i, text in enumerate(question.choices)]
            label = "Check"
        else:
            options = [(str(code), code) for code in question.choices]
            label = f"Send {question.command!r} to the lab"
        self.choices = widgets.RadioButtons(options=options, value=None, layout={"width": "auto"})
        self.button = widgets.Button(description=label, layout=widgets.Layout(width="auto"))
        self.feedback = notice_label()
        self.feedback.add_class("smtplab-quiz-feedback")
        self.button.on_click(guarded(self._show)(self._answer))
        self.children = [self.prompt, self.choices, self.button, self.feedback]
        self.add_class("smtplab-quiz-question")

    def _show(self, notice: Notice) -> None:
        show(self.feedback, notice)

    def _answer(self, _button: widgets.Button) -> None:
        picked = self.choices.value
        if picked is None:
            self._show(Notice("info", "Pick an answer first."))
            return
        question = self.question
        if isinstance(question, quizzes.ChoiceQuestion):
            verdict = question.check(picked)
        else:
            if self.lab is None:
                self._show(Notice("error", "This question needs a lab: Quiz(name, lab=lab)."))
                return
            self.button.disabled = True
            try:
                verdict = question.check(picked, question.ask(self.lab))
            finally:
                self.button.disabled = False
        self.correct = verdict.correct
        self._show(Notice("info" if verdict.correct else "error", verdict.text))
        if verdict.correct:
            self.feedback.value = "✔ " + verdict.text


class Quiz(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """All questions of the quiz ``name`` (``data/quiz/<name>.json``), answered in any order."""

    def __init__(self, name: str | quizzes.Quiz, lab: LabServer | None = None) -> None:
        super().__init__()
        self.quiz = quizzes.load(name) if isinstance(name, str) else name
        self.questions = [QuestionBox(i, q, lab) for i, q in enumerate(self.quiz.questions, 1)]
        title = widgets.Label(value=self.quiz.title)
        title.style.font_weight = "bold"
        self.children = [title, *self.questions]
        self.add_class("smtplab-quiz")

    @property
    def score(self) -> int:
        """How many questions were last answered right."""
        return sum(1 for box in self.questions if box.correct)
