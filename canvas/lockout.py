"""Failed sign-ins counted per account, with growing locks. No Flask request here.

Counted for the typed e-mail from one address, and for the e-mail from any address (address
"*", with a higher threshold). So one student mistyping their password does not lock out the
rest of a class behind the same school address (their e-mails differ), a guesser at one
account from one address is slowed after a few tries, and a guesser spreading over many
addresses is slowed too. Unknown e-mails are counted the same way, so a lock tells nothing
about whether an account exists.

After `after` failures the key is locked for `first`; each failure after a lock has run out
locks it again for twice as long, up to `cap`. A sign-in that succeeds clears both keys; a
key left alone for a day starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from .database import serialize
from .extensions import db
from .models import SignInFailure, utcnow

ANY_ADDRESS = "*"
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Rules:
    after: int
    after_any_address: int
    first: timedelta
    cap: timedelta

    @classmethod
    def from_config(cls, config) -> Rules:
        return cls(after=int(config["LOGIN_LOCK_AFTER"]),
                   after_any_address=int(config["LOGIN_LOCK_AFTER_ANY_ADDRESS"]),
                   first=timedelta(seconds=int(config["LOGIN_LOCK_FIRST_SECONDS"])),
                   cap=timedelta(seconds=int(config["LOGIN_LOCK_MAX_SECONDS"])))

    def lock_for(self, failures: int, threshold: int) -> timedelta | None:
        """How long `failures` in a row lock a key (None: not yet)."""
        if failures < threshold:
            return None
        doublings = min(failures - threshold, 30)
        return min(self.first * (2 ** doublings), self.cap)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo:
        return moment
    return moment.replace(tzinfo=UTC)


def _rows(email: str, address: str) -> list[SignInFailure]:
    return list(db.session.scalars(select(SignInFailure).where(
        SignInFailure.email == email, SignInFailure.address.in_((address, ANY_ADDRESS)))))


def locked_for(email: str, address: str, now: datetime | None = None) -> timedelta | None:
    """How much longer sign-in to `email` from `address` is locked (None: it is not)."""
    now = now or utcnow()
    waits = [_aware(row.locked_until) - now for row in _rows(email, address)
             if row.locked_until is not None and _aware(row.locked_until) > now]
    return max(waits) if waits else None


def record_failure(email: str, address: str, rules: Rules,
                   now: datetime | None = None) -> timedelta | None:
    """Count a failed sign-in (not committed); returns the lock it earned, if any."""
    now = now or utcnow()
    # Two failures for one e-mail at once must both count (and not both insert its row).
    serialize(f"sign-in-failures:{email}")
    rows = {row.address: row for row in _rows(email, address)}
    earned: list[timedelta] = []
    for key, threshold in ((address, rules.after), (ANY_ADDRESS, rules.after_any_address)):
        row = rows.get(key)
        if row is None:
            row = SignInFailure(email=email, address=key, count=0, locks=0)
            db.session.add(row)
        elif now - _aware(row.last_failure_at) > FORGET_AFTER:
            row.count, row.locks, row.locked_until = 0, 0, None
        row.count += 1
        row.last_failure_at = now
        lock = rules.lock_for(row.count, threshold)
        if lock is not None:
            row.locks += 1
            row.locked_until = now + lock
            earned.append(lock)
    return max(earned) if earned else None


def clear(email: str, address: str) -> None:
    """Forget the failures of `email` after it signed in from `address` (not committed)."""
    db.session.execute(delete(SignInFailure).where(
        SignInFailure.email == email, SignInFailure.address.in_((address, ANY_ADDRESS))))
