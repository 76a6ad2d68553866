"""Which language a request's interface speaks (Flask-Babel's locale selector), and the
header's language switcher.

    /language   POST   switch the interface language (a visitor's is kept in the session,
                       a signed-in user's in their settings), then back to the page

The interface language comes from the signed-in user's setting, then (for visitors) the
language picked in the header, then the browser's Accept-Language, then English. The content
language of a canvas is the canvas's own and does not change with it; PDFs use the canvas
language (canvas/i18n.py has the catalogues for code without a request).
"""

from __future__ import annotations

from datetime import UTC, datetime

from babel import Locale
from babel.dates import format_skeleton
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    has_request_context,
    redirect,
    request,
    session,
)
from flask_babel import Domain, get_locale, to_user_timezone
from flask_login import current_user
from markupsafe import Markup

from .i18n import TRANSLATIONS_DIR
from .languages import DEFAULT, supported
from .web import safe_next

bp = Blueprint("language", __name__)


def select_locale() -> str:
    """The interface language of this request; outside one (the command line) the
    CLI_LANGUAGE setting, English unless set."""
    if not has_request_context():
        return supported(current_app.config.get("CLI_LANGUAGE")) or DEFAULT
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



class AppDomain(Domain):
    """Flask-Babel's message domain, with its cache of loaded catalogues kept per app: the
    stock one is shared by every app of the process, so an app with other catalogues (the
    tests' pseudo-locale) would see another's translations."""

    def get_translations_cache(self, ctx: object) -> dict:
        return current_app.extensions.setdefault("canvas.translations", {})


def init_app(app: Flask) -> None:
    from .extensions import babel

    babel.__dict__.setdefault("domain_instance", AppDomain())  # a cached_property of Babel
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS_DIR))

    @app.context_processor
    def interface_language() -> dict[str, str]:
        return {"interface_language": str(get_locale() or DEFAULT)}

    app.jinja_env.filters["when"] = when


def when(moment: datetime | None, exact: bool = False) -> Markup:
    """A stored time (UTC) in the reader's language and the app's time zone, "3 Dec 2026,
    14:05" (with seconds when `exact`: receipts, the audit log), in a <time> element that
    carries the exact moment."""
    if moment is None:
        return Markup("")
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    locale = get_locale() or Locale.parse(DEFAULT)
    local = to_user_timezone(aware)
    # CLDR has no skeleton for date and time together: join the two the locale's way.
    date = format_skeleton("yMMMd", local, locale=locale)
    time = format_skeleton("Hms" if exact else "Hm", local, locale=locale)
    shown = str(locale.datetime_formats["medium"]).format(time, date)
    return Markup('<time datetime="{}">{}</time>').format(
        aware.isoformat(timespec="seconds"), shown)


@bp.post("/language")
def switch():
    """One click in the header: the interface speaks the chosen language from now on."""
    from .database import write_transaction

    chosen = supported(request.form.get("language"))
    if chosen is None or chosen != request.form.get("language"):
        abort(400)
    session["language"] = chosen
    if current_user.is_authenticated:
        with write_transaction():
            current_user.language = chosen
    return redirect(safe_next(request.form.get("next")))
