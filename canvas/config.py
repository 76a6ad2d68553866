"""Configuration defaults. `create_app` layers the instance folder's `config.py` and
`CANVAS_*` environment variables (Flask's `from_prefixed_env`) over these."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": "dev-only-change-me",
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
    "PDF_TIMEOUT_SECONDS": 60,
    "PDF_MAX_BYTES": 20 * 1024 * 1024,
    # argon2id, sized so a class signing in at once fits in memory (see BENCHMARKS.md).
    "PASSWORD_HASH_PARAMS": {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1},
    # Used instead when TESTING: the suite creates and signs in hundreds of users.
    "PASSWORD_HASH_TEST_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
}
