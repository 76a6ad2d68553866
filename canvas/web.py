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
