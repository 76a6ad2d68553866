"""Error pages: clear words for people, JSON for the autosave script. Never a bare 500."""

from __future__ import annotations

import time

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: _l("The request could not be understood. Go back and try again."),
    403: _l("You do not have access to this page."),
    404: _l("There is nothing here. It may have been deleted, or it belongs to someone else."),
    405: _l("That action is not possible here."),
    409: _l("Someone (perhaps you, in another tab) saved this first."),
    422: _l("Some answers need a look; see the messages beside the fields."),
    429: _l("That was too many tries in a short time. Wait a minute, then try again."),
    500: _l("Something went wrong on our side. Your last saved work is safe."),
}


def _wants_json() -> bool:
    return request.is_json or request.path.endswith("/autosave") or request.path.startswith("/api/")


def _too_many(answer: tuple) -> tuple:
    """A rate-limit answer with Retry-After: when the limit that was hit lets up again."""
    from .extensions import limiter

    limit = limiter.current_limit
    wait = max(1, int(limit.reset_at - time.time())) if limit else 60
    return (*answer, {"Retry-After": str(wait)})


def init_app(app: Flask) -> None:
    def respond(code: int, text: str, reason: str = ""):
        text = str(text)
        if _wants_json():
            return jsonify(status="error", code=code, message=text, reason=reason), code
        return render_template("error.html", code=code, message=text), code

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        from flask_login import current_user

        if _wants_json() and not current_user.is_authenticated:
            # A page whose session ended (signed out in another tab, timed out): its token
            # went with the session. Say "signed out", as for any signed-out save.
            return jsonify(status="signed-out", code=401, reason="signed-out",
                           message=_("You are signed out. Sign in again to save.")), 401
        return respond(400, _("This page was open too long or came from elsewhere, so it was not "
                              "saved. Reload the page; your browser keeps what you typed."), "csrf")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        text = MESSAGES.get(code, exc.description or "")
        if code == 413:  # its message names the limit, so it is made here
            text = _("That is more text than one save can take (the limit is %(limit)d KB). "
                     "Your text is still in the page: shorten it and save again.",
                     limit=app.config["MAX_CONTENT_LENGTH"] // 1024)
        if code == 429:
            return _too_many(respond(code, text))
        return respond(code, text)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return respond(500, MESSAGES[500])
