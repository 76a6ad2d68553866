"""The glue between Flask's cookie session, Flask-Login and the `UserSession` rows: what
signs a browser in and out. The rules themselves live in `canvas.sessions`."""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_login import current_user, login_user, logout_user

from .. import audit, sessions
from ..database import write_transaction
from ..extensions import db, login_manager
from ..models import User
from ..web import client_address, user_agent

# The key in Flask's signed cookie that holds the session's random token.
TOKEN_KEY = "session_token"
# What survives the clearing of the cookie session at sign-in: the visitor's language.
KEPT_AT_SIGN_IN = ("language",)


def limits() -> sessions.Limits:
    return sessions.Limits.from_config(current_app.config)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user whose live session this browser's cookie names, or None (signed out)."""
    row = sessions.resolve(session.get(TOKEN_KEY), limits())
    if row is None or str(row.user_id) != user_id:
        for key in (TOKEN_KEY, "_user_id", "_fresh", "_id"):
            session.pop(key, None)
        return None
    g.user_session_id = row.id
    return db.session.get(User, row.user_id)


def current_session_id() -> int | None:
    """The id of this browser's `UserSession` row (None when signed out)."""
    return g.get("user_session_id") if current_user.is_authenticated else None


def log_in(user: User, how: str = "password") -> None:
    """Sign `user` in on this browser: a fresh cookie session (so a new session token and a
    new CSRF token, whatever the cookie held before) and a new `UserSession` row."""
    kept = {key: session[key] for key in KEPT_AT_SIGN_IN if key in session}
    with write_transaction():
        token, row = sessions.start_session(user, user_agent(), client_address())
        db.session.flush()
        audit.record("sign-in", user_id=user.id, address=client_address(), how=how,
                     session=row.id)
    session.clear()
    session.update(kept)
    login_user(user)
    session[TOKEN_KEY] = token


def log_out(reason: str = sessions.SIGNED_OUT) -> None:
    """End this browser's session row and clear its cookie session."""
    row = sessions.find_session(session.get(TOKEN_KEY))
    if row is not None and row.ended_at is None:
        with write_transaction():
            row = sessions.find_session(session.get(TOKEN_KEY))
            sessions.end(row, reason)
            audit.record("signed out", user_id=row.user_id, address=client_address(),
                         session=row.id)
    logout_user()
    kept = {key: session[key] for key in KEPT_AT_SIGN_IN if key in session}
    session.clear()
    session.update(kept)


def init_app(app: Flask) -> None:
    # Resolve the signed-in user at the start of every request, so the session row is
    # touched (a commit) before any view opens a transaction of its own.
    @app.before_request
    def _load_signed_in_user() -> None:
        if request.endpoint != "static":
            _ = current_user.is_authenticated
