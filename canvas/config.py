"""Configuration defaults. `create_app` layers the instance folder's `config.py` and
`CANVAS_*` environment variables (Flask's `from_prefixed_env`) over these."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The built-in key: outside debug and tests `create_app` refuses to start with it.
DEV_SECRET_KEY = "dev-only-change-me"

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": DEV_SECRET_KEY,
    "CONTENT_DIR": str(PROJECT_ROOT / "content"),
    "TEMPLATES_DIR": str(PROJECT_ROOT / "templates"),
    "STATIC_DIR": str(PROJECT_ROOT / "static"),
    # Bodies above this are refused with 413 before any view sees them.
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
    # Writes take the lock at BEGIN; False only to measure the difference (bench/autosave.py).
    "SQLITE_IMMEDIATE_WRITES": True,
    # Durability of each commit (PRAGMA synchronous); NORMAL only to measure the difference.
    "SQLITE_SYNCHRONOUS": "FULL",
    "AUTOSAVE_DEBOUNCE_MS": 800,
    # Times are stored in UTC and shown in the users' time zone (Denmark and Norway share it).
    "BABEL_DEFAULT_TIMEZONE": "Europe/Oslo",
    "RECYCLE_BIN_DAYS": 30,
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # The one setting for a site served over TLS: HSTS, Secure cookies, https links and a
    # redirect from http. Behind a proxy that terminates TLS, set PROXIES too.
    "HTTPS": False,
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none, so
    # those headers are ignored and the address is the peer's).
    "PROXIES": 0,
    # A signed-in session ends after this long without a request, and this long after sign-in
    # whatever happens (a school day, so a shared computer does not stay signed in overnight).
    "SESSION_IDLE_MINUTES": 120,
    "SESSION_MAX_HOURS": 12,
    # Sign-in failures for one account from one address before a lock, the first lock, and
    # the cap it doubles up to; the account is also locked from every address after
    # LOGIN_LOCK_AFTER_ANY_ADDRESS failures, so guessing from many addresses is slowed too.
    "LOGIN_LOCK_AFTER": 5,
    "LOGIN_LOCK_AFTER_ANY_ADDRESS": 50,
    "LOGIN_LOCK_FIRST_SECONDS": 60,
    "LOGIN_LOCK_MAX_SECONDS": 3600,
    # Rate limits per address (Flask-Limiter); a class of 30 behind one school address must
    # fit in the sign-in limit. Memory storage unless REDIS_URL is set (several processes).
    "REDIS_URL": None,
    "RATELIMIT_SIGN_IN": "60 per minute; 600 per hour",
    "RATELIMIT_REGISTER": "30 per minute; 200 per hour",
    "RATELIMIT_PASSWORD_RESET": "5 per minute; 30 per hour",
    "RATELIMIT_PDF": "20 per minute",
    # Joining a class by code: a whole class joins at once from one school address, and a
    # guesser of codes is slowed down (codes have 31^8 values).
    "RATELIMIT_JOIN": "60 per minute; 600 per hour",
    # Off: Flask-Limiter would put its Retry-After on every response of a limited route
    # (and over the PDF worker's own); errors.py sends Retry-After on a 429 instead.
    "RATELIMIT_HEADERS_ENABLED": False,
    # Password reset by e-mail only when MAIL_SERVER is set (Flask-Mail's settings).
    "MAIL_SERVER": None,
    "MAIL_DEFAULT_SENDER": None,
    "PASSWORD_RESET_HOURS": 2,
    # PDF renders one user may have in flight at once: one running and one waiting.
    "PDF_RENDERS_PER_USER": 2,
    "AUDIT_PAGE_SIZE": 50,
    # Teachers signing up wait for an admin's approval before they can make classes.
    "TEACHERS_NEED_APPROVAL": False,
    # The most students a class takes, and rows a roster import reads.
    "CLASS_MAX_STUDENTS": 200,
    # Canvases on one page of the home page (query count and time stay flat with more).
    "HOME_PAGE_SIZE": 20,
    # Long jobs (canvas/jobs.py): "local" worker processes beside each web process, or "rq"
    # workers through Redis; unset: rq when REDIS_URL is set, else local.
    "JOB_BACKEND": None,
    "JOB_QUEUE": "canvas",
    # Worker processes per web process (local backend). One each, as the PDF worker always
    # had: gunicorn's web processes already give one per core (see gunicorn.conf.py).
    "JOB_PROCESSES": 1,
    # Processes one job may use at once (jobs.fan_out: a class's ZIP renders its PDFs in
    # parallel): its own and helpers, never more than the CPU count.
    "JOB_FAN_OUT": 2,
    # Limits of a job that sets none: its run, its result, its wait for a worker.
    "JOB_TIMEOUT_SECONDS": 600,
    "JOB_MAX_BYTES": 256 * 1024 * 1024,
    "JOB_QUEUE_SECONDS": 600,
    # Finished jobs (a class's ZIP waiting to be downloaded) are kept this long.
    "JOB_KEEP_HOURS": 24,
    "PDF_TIMEOUT_SECONDS": 60,
    # A class's ZIP of PDFs may run this long per PDF (at least PDF_TIMEOUT_SECONDS).
    "CLASS_ZIP_SECONDS_PER_PDF": 10,
    "PDF_MAX_BYTES": 20 * 1024 * 1024,
    # argon2id, sized so a class signing in at once fits in memory (see BENCHMARKS.md).
    "PASSWORD_HASH_PARAMS": {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1},
    # argon2 runs at most this many at once per process, so memory peaks at this many times
    # memory_cost however many sign in together (bench/signin_memory.py).
    "PASSWORD_HASH_CONCURRENCY": 4,
    # Used instead when TESTING: the suite creates and signs in hundreds of users.
    "PASSWORD_HASH_TEST_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
}


def rate_limit_storage(config) -> str:
    """Where Flask-Limiter counts: Redis when REDIS_URL is set (several server processes
    share the counts), else this process's memory."""
    url = config.get("REDIS_URL") or "memory://"
    # redis-py writes a socket as unix://; the limits library calls the same redis+unix://.
    return "redis+unix://" + url.removeprefix("unix://") if url.startswith("unix://") else url


# The unprefixed environment variables a host (systemd, a container platform, a PaaS) sets by
# convention, and the config keys they fill; CANVAS_<KEY> variables still override them.
ENVIRONMENT: dict[str, tuple[str, type]] = {
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "REDIS_URL": ("REDIS_URL", str),
    "HTTPS": ("HTTPS", bool),
    "PROXIES": ("PROXIES", int),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", bool),
    "MAIL_USE_SSL": ("MAIL_USE_SSL", bool),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_DEFAULT_SENDER": ("MAIL_DEFAULT_SENDER", str),
}
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def database_uri(url: str) -> str:
    """SQLAlchemy's name for a DATABASE_URL: postgres:// and postgresql:// (what hosts
    write) use the psycopg 3 driver the `postgres` extra installs."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Config keys from the unprefixed variables in ENVIRONMENT that are set and not empty.

    A value that cannot be read (HTTPS=maybe, MAIL_PORT=abc) raises ValueError naming the
    variable: a typo must stop start-up, not quietly serve without TLS."""
    environ = os.environ if environ is None else environ
    config: dict[str, object] = {}
    for name, (key, kind) in ENVIRONMENT.items():
        raw = environ.get(name, "").strip()
        if not raw:
            continue
        if kind is bool:
            if raw.lower() not in TRUE + FALSE:
                raise ValueError(f"{name}={raw!r}: expected one of {', '.join(TRUE + FALSE)}")
            config[key] = raw.lower() in TRUE
        elif kind is int:
            try:
                config[key] = int(raw)
            except ValueError:
                raise ValueError(f"{name}={raw!r}: expected a whole number") from None
        else:
            config[key] = raw
    if "SQLALCHEMY_DATABASE_URI" in config:
        config["SQLALCHEMY_DATABASE_URI"] = database_uri(str(config["SQLALCHEMY_DATABASE_URI"]))
    return config
