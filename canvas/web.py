"""What views need to know about the request for the security services: the address and
the browser. Kept here so the services themselves take plain arguments."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for


def client_address() -> str:
    """The client's address (ProxyFix has applied X-Forwarded-For when PROXIES is set)."""
    return (request.remote_addr or "")[:64]


def user_agent() -> str:
    return request.headers.get("User-Agent", "")[:255]


def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site, else the home page (no open redirects)."""
    local = target and target.startswith("/") and not target.startswith("//") \
        and "\\" not in target
    if local and urlsplit(target).netloc == "":
        return target
    return url_for("canvases.home")


def _has_nul(values) -> bool:  # a werkzeug MultiDict
    return any("\x00" in key or (isinstance(value, str) and "\x00" in value)
               for key, value in values.items(multi=True))


def refuse_nul_characters() -> None:
    """400 for a query string or form that holds a NUL character, before any view.

    No form of the app asks for one, and PostgreSQL cannot hold one in a text column (a
    title with one was a 500 there, found by hypothesis under make test-postgres); SQLite
    stored it. Refusing it everywhere keeps the two databases alike. JSON bodies go into
    JSON columns, which hold it escaped."""
    from flask import abort

    if _has_nul(request.args) or (request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data") and _has_nul(request.form)):
        abort(400)
