"""Accounts: create users and check passwords (argon2), with no Flask request in sight."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from .extensions import db
from .models import ROLES, User

_hasher = PasswordHasher()
# Used to spend the same time on unknown e-mails, so timing does not reveal who has an account.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class AccountError(ValueError):
    """A user cannot be created or changed; the message says why."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(email: str, password: str, name: str = "", role: str = "student",
                language: str = "en") -> User:
    """Add a user (not yet committed); raises AccountError for a taken e-mail or bad role."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if find_user(email) is not None:
        raise AccountError("an account with this e-mail already exists")
    email = normalise_email(email)
    user = User(email=email, name=name.strip() or email.split("@")[0],
                password_hash=_hasher.hash(password), role=role, language=language)
    db.session.add(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None."""
    user = find_user(email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user
