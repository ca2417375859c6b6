"""The harness itself: a plain ipywidgets button, clicked in JupyterLab and in Voila.

Needs nothing from smtplab, so a failure here points at the browser / Jupyter setup, not the lab.
"""

from __future__ import annotations

import nbformat
import pytest
from playwright.sync_api import expect

BUTTON = "Press me"
BEFORE = "not pressed yet"
AFTER = "pressed"
SOURCE = f"""\
import ipywidgets as w
label = w.Label({BEFORE!r})
button = w.Button(description={BUTTON!r})
button.on_click(lambda _: setattr(label, "value", {AFTER!r}))
w.VBox([button, label])"""


@pytest.fixture(scope="module")
def button_notebook(jupyter) -> str:
    """A one-cell notebook in the server's root; returns its path relative to that root."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SOURCE)]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    path = jupyter.root / "smoke" / "button.ipynb"
    path.parent.mkdir(exist_ok=True)
    nbformat.write(notebook, path)
    return "smoke/button.ipynb"


def test_button_in_lab(lab, button_notebook) -> None:
    lab.open(button_notebook).run_all()
    label = lab.page.locator(".widget-label")
    expect(label).to_have_text(BEFORE)
    lab.click(BUTTON)
    expect(label).to_have_text(AFTER)  # exact: AFTER is also a substring of BEFORE


def test_button_in_voila(voila, button_notebook) -> None:
    voila.open(button_notebook)
    label = voila.page.locator(".widget-label")
    expect(label).to_have_text(BEFORE, timeout=60_000)  # Voila runs the notebook first
    voila.click(BUTTON)
    expect(label).to_have_text(AFTER)
