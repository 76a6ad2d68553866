"""The audit log: security events as rows an admin can read and as JSON log lines.

Kinds, in the users' words: see KINDS. `record` adds a row to the caller's transaction and
writes the log line at once (a line for an event whose transaction is then rolled back is
the lesser harm than none for one that happened).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from .extensions import db
from .models import AuditEvent, utcnow

LOG = logging.getLogger("canvas.audit")

KINDS = ("sign-in", "sign-in failed", "locked out", "signed out", "session ended",
         "password changed", "password reset asked", "password reset",
         "password set by admin", "role changed", "export", "data downloaded",
         "account deleted", "access refused", "password set by teacher",
         "removed from a class", "teacher approved")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, and the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created).astimezone().isoformat(),
                "level": record.levelname, "logger": record.name}
        line.update(getattr(record, "audit", None) or {"message": record.getMessage()})
        return json.dumps(line, ensure_ascii=False, default=str)


def record(kind: str, *, user_id: int | None = None, actor_id: int | None = None,
           email: str = "", address: str = "", **detail: Any) -> AuditEvent:
    """Add an audit event to the current transaction and log it as a JSON line."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    event = AuditEvent(kind=kind, user_id=user_id, actor_id=actor_id, email=email[:254],
                       address=(address or "")[:64], detail=detail, created_at=utcnow())
    db.session.add(event)
    fields = {"event": kind, "user_id": user_id, "actor_id": actor_id, "email": email,
              "address": address, **detail}
    LOG.info("audit %s", kind, extra={"audit": {k: v for k, v in fields.items()
                                                if v not in (None, "")}})
    return event


def events(*, user_id: int | None = None, kind: str | None = None):
    """A query for audit events, the newest first, for one user and/or one kind."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if user_id is not None:
        query = query.where((AuditEvent.user_id == user_id) | (AuditEvent.actor_id == user_id))
    if kind:
        query = query.where(AuditEvent.kind == kind)
    return query


def init_app(app: Flask) -> None:
    """Send the audit logger's lines to standard error as JSON, once per process."""
    if not any(isinstance(h.formatter, JsonFormatter) for h in LOG.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    # One line per event: not again through whatever handlers the root logger has.
    LOG.propagate = False
