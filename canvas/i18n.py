"""Interface language: Flask-Babel for pages, and the same catalogues without a request.

Interface text is English in the code and translated through gettext catalogues under
`canvas/translations/` (compiled by `make`). The interface language comes from the signed-in
user's setting, then (for visitors) the language picked in the header, then the browser's
Accept-Language, then English. The content language of a canvas is the canvas's own and
does not change with it; PDFs use the canvas language.

Code that runs without a request (the PDF worker, the class export, CLI output in a given
language) uses `translations(language)`, which loads the same compiled catalogues.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from flask import Flask, has_request_context, request, session
from flask_babel import Babel
from flask_login import current_user

from .languages import DEFAULT, LANGUAGES, supported

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
babel = Babel()


def select_locale() -> str:
    """The interface language of this request (English outside one: the CLI, services)."""
    if not has_request_context():
        return DEFAULT
    if current_user and current_user.is_authenticated:
        chosen = supported(getattr(current_user, "language", None))
        if chosen:
            return chosen
    chosen = supported(session.get("language"))
    if chosen:
        return chosen
    for tag, _quality in request.accept_languages:
        chosen = supported(tag)
        if chosen:
            return chosen
    return DEFAULT


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


def ngettext_in(language: str, singular: str, plural: str, n: int, **values: object) -> str:
    """The singular or plural of a message in `language`; `num` is `n` unless given."""
    text = translations(language).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def install(env, language: str) -> None:  # noqa: ANN001 - a jinja2.Environment
    """Give a Jinja environment outside Flask the catalogue of `language` (newstyle
    gettext, as Flask-Babel installs it for the pages)."""
    env.install_gettext_translations(translations(language), newstyle=True)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS_DIR))
