"""One Jinja set-up for the web pages and the PDF worker: the filters and globals every
template may use. `create_app` configures `app.jinja_env` with it, the render worker its own
environment, so a template renders the same in both."""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from . import numbers
from .languages import NAMES


def css_string(text: str) -> Markup:
    """A CSS string literal whose characters other than letters, digits and spaces are
    escaped, so it is safe inside a <style> element (no quote, no `<`, no backslash)."""
    out = []
    for ch in str(text):
        if ch.isalnum() or ch == " ":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return Markup('"' + "".join(out) + '"')


def points(value: float) -> str:
    """A length in PostScript points for CSS."""
    return f"{float(value):.2f}pt"


def configure(env: jinja2.Environment) -> jinja2.Environment:
    """Add the app's filters and globals to `env`: `|num`, `|pct(language)`,
    `|pp(language)`, `|dec(places, language)`, `|css_string`, `|pt`, `language_names`."""
    env.filters.update(num=numbers.whole, pct=numbers.percent, pp=numbers.points,
                       dec=numbers.decimal, css_string=css_string, pt=points)
    env.globals.update(language_names=NAMES, zip=zip)
    return env
