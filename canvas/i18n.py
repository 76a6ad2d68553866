"""Interface text in a given language, from the gettext catalogues, without a request.

Interface text is English in the code and translated through gettext catalogues under
`canvas/translations/` (compiled by `make`). The interface language comes from the signed-in
user's setting, then (for visitors) the language picked in the header, then the browser's
Accept-Language, then English. The content language of a canvas is the canvas's own and
does not change with it; PDFs use the canvas language.

This module imports no Flask at the top, so the pure modules (the worksheet engine, the PDF
renderer) can use it. Code that runs without a request (the PDF worker, the class export,
CLI output in a given language) uses `translations(language)`, which loads the same
compiled catalogues.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from .languages import DEFAULT, LANGUAGES

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of `language` (English, the source language, needs none)."""
    if language not in LANGUAGES or language == DEFAULT:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [language], domain="messages")


def gettext_in(language: str, message: str, **values: object) -> str:
    """`message` translated into `language`, with %(name)s placeholders filled in."""
    text = translations(language).gettext(message)
    return text % values if values else text


def pgettext_in(language: str, context: str, message: str, **values: object) -> str:
    """`message` in `language` where the same English means different things (`context`)."""
    text = translations(language).pgettext(context, message)
    return text % values if values else text


def ngettext_in(language: str, singular: str, plural: str, n: int, **values: object) -> str:
    """The singular or plural of a message in `language`; `num` is `n` unless given."""
    text = translations(language).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def install(env, language: str) -> None:
    """Give a Jinja environment outside Flask the catalogue of `language` (newstyle
    gettext, as Flask-Babel installs it for the pages)."""
    env.install_gettext_translations(translations(language), newstyle=True)
