"""Configuration layers: defaults here, then the instance folder, then CANVAS_* variables."""

from __future__ import annotations

import json
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": "dev-only-change-me",
    "CONTENT_DIR": str(PROJECT_ROOT / "content"),
    "TEMPLATES_DIR": str(PROJECT_ROOT / "templates"),
    "STATIC_DIR": str(PROJECT_ROOT / "static"),
    "LANGUAGES": ["en", "da", "nb"],
    # Bodies above this are refused with 413 before any view sees them.
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
    # Writes take the lock at BEGIN; False only to measure the difference (bench/autosave.py).
    "SQLITE_IMMEDIATE_WRITES": True,
    "AUTOSAVE_DEBOUNCE_MS": 800,
    "RECYCLE_BIN_DAYS": 30,
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PDF_TIMEOUT_SECONDS": 60,
    "PDF_MAX_BYTES": 20 * 1024 * 1024,
}


def env_overrides(environ: os._Environ | dict[str, str]) -> dict[str, object]:
    """Read CANVAS_<KEY> variables; values that parse as JSON (numbers, lists) are decoded."""
    found: dict[str, object] = {}
    for name, raw in environ.items():
        if not name.startswith("CANVAS_"):
            continue
        key = name.removeprefix("CANVAS_")
        try:
            found[key] = json.loads(raw)
        except ValueError:
            found[key] = raw
    return found
