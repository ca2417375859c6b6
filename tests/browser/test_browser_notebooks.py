"""The learner notebooks in a real browser: JupyterLab (run all, click) and Voila (app mode).

Expected reply lines are not typed in: a LabServer started here with the notebook's own
``smtplab.start(...)`` options is asked the same VRFY and QUIT, and card titles come from the
catalog. Assertions are scoped to the Console widget, because the notebooks also print the same
replies from plain Python cells.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

import smtplab
from smtplab.server import LabServer

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9]*.ipynb"))
ADDRESS = "alice"  # the Console's default address box
HIDE = "hide"  # the VRFY policy that answers 252


def _code(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def _uses(path: Path, name: str) -> bool:
    return any(f"{name}(" in source for source in _code(path))


def start_options(path: Path) -> dict[str, Any]:
    """The keyword arguments of the notebook's first ``smtplab.start(...)`` call."""
    for source in _code(path):
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "start"
            ):
                return {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
    return {}


@cache
def expected_replies(options: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, ...], ...]:
    """(greeting, VRFY, QUIT) reply lines of a lab with these options and VRFY hidden."""
    kwargs = {key: list(value) if isinstance(value, tuple) else value for key, value in options}
    kwargs["vrfy"] = HIDE
    with LabServer(**kwargs) as lab:
        session = lab.connect()
        greeting = session.transcript.exchanges[0].reply
        vrfy = session.vrfy(ADDRESS)
        quit_ = session.quit()
    assert greeting is not None
    return greeting.lines, vrfy.lines, quit_.lines


def _frozen(options: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))


def _ids(paths: list[Path]) -> list[str]:
    return [path.stem for path in paths]


def check_console(page: Any, path: Path) -> None:
    """Click VRFY then QUIT in the notebook's Console; each real reply appears beside its card."""
    greeting, vrfy, quit_ = expected_replies(_frozen(start_options(path)))
    console = page.locator(".smtplab-console").first
    latest = console.locator(".smtplab-latest-reply")
    title = console.locator(".smtplab-console-card .smtplab-name").first
    transcript = console.locator(".smtplab-console-transcript")
    expect(latest).to_contain_text(greeting[0])  # the Console opened its own session
    # Run All may have left the lab in another VRFY policy: choose one, then "hide" (→ 252)
    policy = console.get_by_label("VRFY policy")
    other = next(p for p in ("reveal", "disabled") if p != HIDE)
    policy.select_option(other)
    policy.select_option(HIDE)
    console.get_by_role("button", name="VRFY", exact=True).click()
    expect(latest).to_have_text(f"Latest reply: {vrfy[0]}")
    expect(title).to_have_text(smtplab.explain(252).text.name)
    for line in vrfy:
        expect(transcript).to_contain_text(line)
    console.get_by_role("button", name="QUIT", exact=True).click()
    expect(latest).to_have_text(f"Latest reply: {quit_[0]}")
    expect(title).to_have_text(smtplab.explain(221).text.name)
    for line in quit_:
        expect(transcript).to_contain_text(line)
    expect(console.get_by_role("button", name="Reconnect", exact=True)).to_be_visible()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_and_console_answers(lab, path: Path) -> None:
    lab.open(f"notebooks/{path.name}").run_all()
    errors = lab.page.locator(".jp-OutputArea-output[data-mime-type*='stderr']")
    assert errors.count() == 0, errors.all_inner_texts()
    broken = lab.page.get_by_text("Error displaying widget")
    assert broken.count() == 0
    if _uses(path, "Console"):
        check_console(lab.page, path)


COMPARE = [path for path in NOTEBOOKS if _uses(path, "Compare")]


@pytest.mark.parametrize("path", COMPARE[:1], ids=_ids(COMPARE[:1]))
def test_compare_pick_codes_and_switch_to_vietnamese(lab, path: Path) -> None:
    lab.open(f"notebooks/{path.name}").run_all()
    view = lab.page.locator(".smtplab-compare-view").first
    widget = lab.page.locator(".widget-vbox", has=view).last
    language = widget.get_by_label("Language")
    language.select_option("en")
    names = view.locator(".smtplab-card .smtplab-name")
    expect(names).to_have_text([smtplab.explain(221).text.name, smtplab.explain(252).text.name])
    picker = widget.get_by_label("vs")
    picker.fill("550")
    picker.press("Enter")
    expect(names).to_have_text([smtplab.explain(221).text.name, smtplab.explain(550).text.name])
    language.select_option("vi")
    expect(names).to_have_text(
        [smtplab.explain(221, lang="vi").text.name, smtplab.explain(550, lang="vi").text.name]
    )
    expect(view.locator(".smtplab-compare")).to_have_attribute("lang", "vi")


VOILA = [path for path in NOTEBOOKS if "vrfy" in path.stem and _uses(path, "Console")]


@pytest.mark.parametrize("path", VOILA[:1], ids=_ids(VOILA[:1]))
def test_voila_console_vrfy_252(voila, path: Path) -> None:
    voila.open(f"notebooks/{path.name}")
    check_console(voila.page, path)


def test_every_kind_of_browser_test_has_a_notebook() -> None:
    """Guards against the parametrized tests above silently collecting nothing."""
    assert NOTEBOOKS
    assert COMPARE
    assert VOILA
