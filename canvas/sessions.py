"""Signed-in sessions that the server can end: one `UserSession` row per sign-in.

The browser keeps a random token in Flask's signed cookie; the database keeps only its
SHA-256, so a copy of the database does not sign anyone in. A request is signed in only
while its row is open, not idle for longer than the idle limit and younger than the absolute
limit; ending the row (sign-out, password change, "sign out everywhere", account deletion,
removal from a class) signs that browser out on its next request, wherever the cookie went.

No Flask request here: callers pass the user agent, the address and the time.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from .database import write_transaction
from .extensions import db
from .models import User, UserSession, utcnow

# Why a session ended, as stored (the settings page and the audit log show these).
SIGNED_OUT = "signed out"
SIGNED_OUT_ELSEWHERE = "signed out from another session"
SIGNED_OUT_EVERYWHERE = "signed out everywhere"
PASSWORD_CHANGED = "password changed"
ACCOUNT_DELETED = "account deleted"
IDLE = "idle"
EXPIRED = "expired"

# last_seen_at is written at most this often, so reading a page is not a database write.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Limits:
    """How long a session lasts: without a request (idle) and at most (absolute)."""

    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(idle=timedelta(minutes=int(config["SESSION_IDLE_MINUTES"])),
                   absolute=timedelta(hours=int(config["SESSION_MAX_HOURS"])))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def start_session(user: User, user_agent: str, address: str,
                  now: datetime | None = None) -> tuple[str, UserSession]:
    """Open a session for `user` (not yet committed); returns (token for the cookie, row)."""
    token = secrets.token_urlsafe(32)
    now = now or utcnow()
    row = UserSession(user_id=user.id, token_hash=_hash(token), created_at=now,
                      last_seen_at=now, user_agent=(user_agent or "")[:255],
                      address=(address or "")[:64])
    db.session.add(row)
    return token, row


def find_session(token: str | None) -> UserSession | None:
    """The row a cookie's token names, open or not (None for an unknown token)."""
    if not token or not isinstance(token, str) or len(token) > 100:
        return None
    # With its user in the same query: every signed-in request asks for both (signin.py).
    return db.session.scalar(select(UserSession).options(joinedload(UserSession.user))
                             .where(UserSession.token_hash == _hash(token)))


def why_not_live(row: UserSession, limits: Limits, now: datetime | None = None) -> str | None:
    """None while `row` signs its browser in; otherwise why not (ended, idle, expired)."""
    now = now or utcnow()
    if row.ended_at is not None:
        return row.end_reason or SIGNED_OUT
    if now - _aware(row.created_at) >= limits.absolute:
        return EXPIRED
    if now - _aware(row.last_seen_at) >= limits.idle:
        return IDLE
    return None


def resolve(token: str | None, limits: Limits, now: datetime | None = None
            ) -> UserSession | None:
    """The live session a token names, touched (committed) when last seen a while ago;
    a session found idle or expired is ended on the spot (committed too)."""
    row = find_session(token)
    if row is None:
        return None
    now = now or utcnow()
    reason = why_not_live(row, limits, now)
    if reason is None and now - _aware(row.last_seen_at) < TOUCH_EVERY:
        return row
    row_id = row.id
    with write_transaction():  # its own transaction, holding the write lock from the start
        if reason is None:
            db.session.execute(update(UserSession).where(UserSession.id == row_id)
                               .values(last_seen_at=now))
        else:
            db.session.execute(update(UserSession).where(UserSession.id == row_id,
                                                         UserSession.ended_at.is_(None))
                               .values(ended_at=now, end_reason=reason[:40]))
    return db.session.get(UserSession, row_id) if reason is None else None


def end(row: UserSession, reason: str, now: datetime | None = None) -> None:
    """End one session (not yet committed); ending an ended one keeps its first reason."""
    if row.ended_at is None:
        row.ended_at = now or utcnow()
        row.end_reason = reason[:40]


def end_sessions(user_id: int, reason: str, *, keep: int | None = None,
                 now: datetime | None = None) -> int:
    """End every open session of a user, except the one with id `keep`; returns how many.

    Not committed: the caller's transaction decides. This is what logout-everywhere, a
    password change, account deletion and (with classes) removal from a class call."""
    query = (update(UserSession)
             .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
             .values(ended_at=now or utcnow(), end_reason=reason[:40]))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    return db.session.execute(query, execution_options={"synchronize_session": False}).rowcount


def live_sessions(user_id: int, limits: Limits, now: datetime | None = None
                  ) -> list[UserSession]:
    """The user's sessions that still sign a browser in, the latest seen first."""
    rows = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc()))
    return [row for row in rows if why_not_live(row, limits, now) is None]


# Browsers and systems as a person names them, checked in this order (Edge and Opera say
# "Chrome" too, Chrome says "Safari", so the more specific come first).
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chromium/", "Chromium"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
            ("CrOS", "ChromeOS"), ("Windows", "Windows"), ("Mac OS X", "macOS"),
            ("Linux", "Linux"))


def describe_device(user_agent: str) -> tuple[str, str]:
    """(browser, system) named from a User-Agent string; '' for what is not recognised."""
    ua = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in ua), "")
    system = next((name for marker, name in _SYSTEMS if marker in ua), "")
    return browser, system
