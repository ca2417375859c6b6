"""The typed public API: what ``import smtplab`` promises, and that it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import smtplab


def test_all_names_every_lazy_export() -> None:
    assert sorted(smtplab.__all__) == sorted(["__version__", *smtplab._EXPORTS])


def test_every_export_resolves() -> None:
    for name in smtplab.__all__:
        assert getattr(smtplab, name) is not None


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        smtplab.no_such_thing  # noqa: B018 - the access is the test


def test_import_loads_neither_widgets_nor_server() -> None:
    code = (
        "import sys, smtplab; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('ipywidgets', 'aiosmtpd', 'aiosmtplib', 'jinja2')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_package_is_typed() -> None:
    from importlib.resources import files

    assert files("smtplab").joinpath("py.typed").is_file()


def test_widgets_load_on_first_attribute_access() -> None:
    code = (
        "import sys, smtplab; assert 'ipywidgets' not in sys.modules; "
        "print(smtplab.widgets.Console.__name__, 'ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["Console", "True"]


def test_no_export_shares_its_name_with_a_submodule() -> None:
    """Importing ``smtplab.x`` sets the attribute ``smtplab.x`` to the module, silently replacing
    an exported function of the same name (``smtplab.compare(...)`` became a module once)."""
    import pkgutil

    submodules = {info.name for info in pkgutil.iter_modules(smtplab.__path__)}
    assert submodules & set(smtplab._EXPORTS) == set()


def test_exports_survive_importing_every_submodule() -> None:
    code = (
        "import importlib, pkgutil, smtplab\n"
        "for info in pkgutil.walk_packages(smtplab.__path__, 'smtplab.'):\n"
        "    if not info.name.endswith('__main__'):\n"
        "        importlib.import_module(info.name)\n"
        "print(smtplab.compare(221, 252).a.code, smtplab.explain(252).code)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["221", "252"]
