"""Accounts: create users and check passwords (argon2id), with no Flask request in sight."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from .extensions import db
from .languages import DEFAULT
from .models import ROLES, User


class AccountError(ValueError):
    """A user cannot be created or changed; the message says why."""


@cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                            parallelism=parallelism)
    # Checked against for unknown e-mails, so the time taken does not tell who has an account.
    return hasher, hasher.hash("not-a-real-password")


def hasher() -> PasswordHasher:
    """The app's argon2id hasher (cheap parameters under TESTING only)."""
    return _hasher_and_dummy()[0]


def _hasher_and_dummy() -> tuple[PasswordHasher, str]:
    config = current_app.config
    params = config["PASSWORD_HASH_TEST_PARAMS" if config.get("TESTING") else
                    "PASSWORD_HASH_PARAMS"]
    return _hasher(int(params["time_cost"]), int(params["memory_cost"]),
                   int(params["parallelism"]))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(email: str, password: str, name: str = "", role: str = "student",
                language: str = DEFAULT) -> User:
    """Add a user (not yet committed); raises AccountError for a taken e-mail or bad role."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if find_user(email) is not None:
        raise AccountError("an account with this e-mail already exists")
    email = normalise_email(email)
    user = User(email=email, name=name.strip() or email.split("@")[0],
                password_hash=hasher().hash(password), role=role, language=language)
    db.session.add(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None."""
    user = find_user(email)
    check, dummy = _hasher_and_dummy()
    try:
        check.verify(user.password_hash if user else dummy, password)
    except (VerificationError, InvalidHashError):
        return None
    return user
