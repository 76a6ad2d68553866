"""What views need to know about the request for the security services: the address and
the browser. Kept here so the services themselves take plain arguments."""

from __future__ import annotations

from flask import request


def client_address() -> str:
    """The client's address (ProxyFix has applied X-Forwarded-For when PROXIES is set)."""
    return (request.remote_addr or "")[:64]


def user_agent() -> str:
    return request.headers.get("User-Agent", "")[:255]
