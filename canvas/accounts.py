"""Accounts: create users, check and change passwords (argon2id), delete an account, with
no Flask request in sight."""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, func, select

from . import sessions
from .extensions import db
from .languages import DEFAULT
from .models import ROLES, Canvas, SignInFailure, User
from .passwords import PasswordRejected, check_password


class AccountError(ValueError):
    """A user cannot be created or changed; the message says why."""


class NotAllowed(PermissionError):
    """The acting user may not do this to that user."""


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def _give_back_argon2_memory() -> None:
    """Make glibc return argon2's blocks to the system when a check ends.

    Measured (bench/signin_memory.py): glibc raises its mmap threshold after the first big
    block is freed, so later argon2 blocks come from per-thread heaps that keep them; the
    process then holds memory_cost for every thread that ever hashed, whatever
    PASSWORD_HASH_CONCURRENCY says. A fixed threshold keeps big blocks mmap'd and unmapped
    on free. Other C libraries (musl, macOS) do not keep them this way."""
    if not sys.platform.startswith("linux"):
        return
    with suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, 1024 * 1024)


@cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> tuple[PasswordHasher, str]:
    _give_back_argon2_memory()
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                            parallelism=parallelism)
    # Checked against for unknown e-mails, so the time taken does not tell who has an account.
    return hasher, hasher.hash("not-a-real-password")


@cache
def _slots(count: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(count)


@contextmanager
def _hashing() -> Iterator[None]:
    """Hold one of PASSWORD_HASH_CONCURRENCY places while argon2 runs.

    Each argon2id check takes its memory_cost at once (argon2-cffi releases the GIL, so the
    server's threads hash side by side): a class of 30 signing in together would need 30
    times that. With a few places the peak stays a few times memory_cost (BENCHMARKS.md) and
    the sign-ins take no longer, since the CPU cores were the limit anyway."""
    slots = _slots(int(current_app.config["PASSWORD_HASH_CONCURRENCY"]))
    with slots:
        yield


def hash_params(config: Any) -> dict[str, int]:
    """The argon2id parameters in force (cheap ones under TESTING only)."""
    params = config["PASSWORD_HASH_TEST_PARAMS" if config.get("TESTING") else
                    "PASSWORD_HASH_PARAMS"]
    return {key: int(params[key]) for key in ("time_cost", "memory_cost", "parallelism")}


def hasher() -> PasswordHasher:
    """The app's argon2id hasher (cheap parameters under TESTING only)."""
    return _hasher_and_dummy()[0]


def _hasher_and_dummy() -> tuple[PasswordHasher, str]:
    params = hash_params(current_app.config)
    return _hasher(params["time_cost"], params["memory_cost"], params["parallelism"])


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def check_policy(password: str, email: str, name: str = "") -> None:
    """Raise AccountError (with the policy's words) for a password the policy refuses."""
    try:
        check_password(password, email, name)
    except PasswordRejected as exc:
        raise AccountError(str(exc.message)) from None


def create_user(email: str, password: str, name: str = "", role: str = "student",
                language: str = DEFAULT) -> User:
    """Add a user (not yet committed); raises AccountError for a taken e-mail, a bad role
    or a password the policy refuses."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if find_user(email) is not None:
        raise AccountError("an account with this e-mail already exists")
    email = normalise_email(email)
    name = name.strip() or email.split("@")[0]
    check_policy(password, email, name)
    user = User(email=email, name=name, password_hash=hash_password(password), role=role,
                language=language)
    db.session.add(user)
    return user


def hash_password(password: str) -> str:
    """An argon2id hash of `password` with the configured parameters."""
    with _hashing():
        return hasher().hash(password)


def password_is(user: User, password: str) -> bool:
    """Whether `password` is the user's."""
    try:
        with _hashing():
            return hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def rehash_if_needed(user: User, password: str) -> bool:
    """After a good sign-in: hash the password again (not committed) when the configured
    argon2id parameters have changed since it was hashed. Returns whether it did."""
    if not hasher().check_needs_rehash(user.password_hash):
        return False
    user.password_hash = hash_password(password)
    return True


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None (in the same time either way)."""
    user = find_user(email)
    if user is None:
        check, dummy = _hasher_and_dummy()
        with suppress(VerificationError, InvalidHashError), _hashing():
            check.verify(dummy, password)
        return None
    return user if password_is(user, password) else None


def set_password(user: User, new_password: str, reason: str = sessions.PASSWORD_CHANGED,
                 keep_session: int | None = None) -> int:
    """Give the user a new password (policy checked) and end their other sessions; not
    committed. Returns how many sessions were ended."""
    check_policy(new_password, user.email, user.name)
    user.password_hash = hash_password(new_password)
    return sessions.end_sessions(user.id, reason, keep=keep_session)


def change_password(user: User, current: str, new_password: str,
                    keep_session: int | None = None) -> int:
    """The user's own change: the current password first. AccountError when it is wrong."""
    if not password_is(user, current):
        raise AccountError("current password")
    return set_password(user, new_password, keep_session=keep_session)


def teaches(actor: User, user: User) -> bool:
    """Whether `actor` teaches a class that `user` is a student of: an active student with a
    student's account (a teacher or admin who joined a class as a student is not one)."""
    from sqlalchemy.orm import aliased

    from .models import ClassMember

    if user.role != "student":
        return False
    teacher, student = aliased(ClassMember), aliased(ClassMember)
    found = db.session.scalar(
        select(teacher.id).join(student, student.class_id == teacher.class_id)
        .where(teacher.user_id == actor.id, teacher.role == "teacher",
               student.user_id == user.id, student.role == "student",
               student.status == "active").limit(1))
    return found is not None


def may_set_password(actor: User, user: User) -> bool:
    """The rule for setting someone else's password: an admin, or a teacher of a class the
    user is in (see `teaches`)."""
    if actor.id == user.id:
        return False  # one's own password is changed with the current one, not set
    return actor.role == "admin" or (actor.role == "teacher" and teaches(actor, user))


def set_password_by(actor: User, user: User, new_password: str) -> int:
    """`actor` sets `user`'s password (policy checked, all their sessions ended); raises
    NotAllowed unless `may_set_password`. Not committed."""
    if not may_set_password(actor, user):
        raise NotAllowed("may not set this user's password")
    return set_password(user, new_password, reason="password set by " + actor.role)


def set_role(actor: User, user: User, role: str) -> None:
    """An admin changes someone's role (not their own: an admin cannot lock themselves out
    of admin by mistake). Not committed."""
    if actor.role != "admin" or actor.id == user.id:
        raise NotAllowed("may not change this user's role")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    user.role = role


def delete_account(user: User) -> int:
    """Delete the user, their canvases (with worksheets and versions) and sessions; returns
    how many canvases went. Not committed."""
    sessions.end_sessions(user.id, sessions.ACCOUNT_DELETED)
    count = db.session.scalar(select(func.count(Canvas.id)).where(Canvas.owner_id == user.id))
    db.session.execute(delete(SignInFailure).where(SignInFailure.email == user.email))
    db.session.delete(user)
    return int(count or 0)
