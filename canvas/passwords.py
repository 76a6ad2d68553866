"""The password policy, one function for the forms and the `create-user` command, and the
signed, expiring, single-use tokens of a password reset by e-mail. No Flask request here.

The policy follows NIST SP 800-63B and OWASP ASVS 5.0 (6.2): a length floor, a ceiling that
only stops abuse, no composition rules, and a refusal of passwords that are known to be
common or that contain the account's own e-mail or name.

`common-passwords.txt` is the list Django ships (20,000 common passwords from Royce
Williams' list, lowercased and deduplicated); `scripts/common-passwords.sh` regenerates it.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

MIN_LENGTH = 10
MAX_LENGTH = 200
COMMON_PASSWORDS = Path(__file__).resolve().parent / "common-passwords.txt"

TOO_SHORT = _l("Use at least %(min)d characters.", min=MIN_LENGTH)
TOO_LONG = _l("Use at most %(max)d characters.", max=MAX_LENGTH)
TOO_COMMON = _l("This password is on a list of common passwords that are guessed first. "
                "Choose another, for example a few words that belong together only for you.")
HAS_EMAIL = _l("The password must not contain your e-mail address or the part before @.")
HAS_NAME = _l("The password must not contain your name.")


# Words of this site and its users (ASVS 6.1.2): refused on their own, whatever digits and
# signs are added ("Canvas2026!"), in the three languages of the interface.
CONTEXT_WORDS = frozenset({
    "canvas", "businessmodel", "businessmodelcanvas", "customerrelationships",
    "kunderelationer", "kunderelasjoner", "strategyzer", "password", "passord", "adgangskode",
    "student", "elev", "teacher", "laerer", "lærer", "skole", "school", "entrepreneur",
    "ivaerksaetter", "iværksætter", "grunder", "gründer", "admin", "administrator",
})


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalpha())


class PasswordRejected(ValueError):
    """A password the policy refuses; `message` (lazy, translated when shown) says why."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@cache
def common_passwords() -> frozenset[str]:
    """The shipped common passwords, lowercased."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def check_password(password: str, email: str = "", name: str = "") -> None:
    """Raise PasswordRejected when `password` breaks the policy for this e-mail and name."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(TOO_LONG)
    lowered = password.lower()
    if (lowered.strip() in common_passwords() or _squash(password) in common_passwords()
            or _letters(password) in CONTEXT_WORDS):
        raise PasswordRejected(TOO_COMMON)
    squashed = _squash(password)
    email = email.strip().lower()
    local = email.split("@")[0]
    # Parts of three letters or fewer ("bo", "ann") occur in too many good passwords.
    if email and (email in lowered or (len(_squash(local)) > 3 and _squash(local) in squashed)):
        raise PasswordRejected(HAS_EMAIL)
    name_parts = [_squash(part) for part in re.split(r"[\s.@_-]+", name or "")]
    if any(len(part) > 3 and part in squashed for part in name_parts) or (
            len(_squash(name or "")) > 3 and _squash(name) in squashed):
        raise PasswordRejected(HAS_NAME)


# --- reset tokens ----------------------------------------------------------------------------

_SALT = "password-reset"


def _fingerprint(password_hash: str) -> str:
    # The token names the password it replaces, so it stops working once the password has
    # changed (by this token or any other way): single use without a table of used tokens.
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:32]


def reset_token(secret_key: str, user_id: int, password_hash: str) -> str:
    """A signed, timestamped token to set a new password for this user."""
    return URLSafeTimedSerializer(secret_key, salt=_SALT).dumps(
        {"user": user_id, "password": _fingerprint(password_hash)})


def read_reset_token(secret_key: str, token: str, max_age_seconds: int) -> tuple[int, str] | None:
    """(user id, password fingerprint) from a token that is genuine and young enough."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=_SALT).loads(token, max_age=max_age_seconds)
    except (BadSignature, SignatureExpired):
        return None
    if (not isinstance(data, dict) or not isinstance(data.get("user"), int)
            or not isinstance(data.get("password"), str)):
        return None
    return data["user"], data["password"]


def token_matches(fingerprint: str, password_hash: str) -> bool:
    """Whether a token's fingerprint is of this (current) password hash."""
    return fingerprint == _fingerprint(password_hash)
