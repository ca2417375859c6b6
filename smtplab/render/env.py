"""The one Jinja2 environment every HTML view is rendered with.

Autoescaping is forced on for every template (not only ``*.html``), and templates are loaded from
the installed package with :mod:`importlib.resources`, so a wheel renders exactly like a checkout.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("smtplab.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with autoescaping; the only way HTML is made here."""
    return environment().get_template(template).render(**context)
