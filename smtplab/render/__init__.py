"""Pure functions from models to strings (text, HTML, Markdown, SVG).

ALL escaping happens in this package: HTML comes from Jinja2 templates with autoescaping on
(see :mod:`smtplab.render.env`), so text that came off the wire or out of the catalog can never
become markup. Models call into here from their ``_repr_html_``.
"""
