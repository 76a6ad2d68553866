"""Security headers on every response: Flask-Talisman for the standard set, and what it does
not do (no-store for signed-in users) in one after_request.

The CSP allows only the site's own files: no inline script or style, no plug-ins, no
framing by anyone (the delete confirmations must not be clickjacked), no <base> and forms
that post only here. With `HTTPS = True` (the one setting for a site served over TLS) the
session cookie is Secure, HSTS is sent, and plain http is redirected to https.
"""

from __future__ import annotations

from flask import Flask, Response
from flask_login import current_user
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = {
    "default-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
# Nothing here uses these powerful features; a page that is attacked cannot either.
PERMISSIONS = {feature: "()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "payment", "usb", "browsing-topics")}


def _no_store_when_signed_in(response: Response) -> Response:
    # A signed-in page holds a student's work: no shared computer's cache may keep it after
    # sign-out, and no proxy may keep it at all.
    signed_in = current_user and current_user.is_authenticated
    if signed_in and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def static_headers(app: Flask) -> dict[str, str]:
    """The security headers for files served outside Flask (static_files.py): the same as
    Talisman puts on pages, and HSTS under HTTPS."""
    headers = {
        "Content-Security-Policy": "; ".join(f"{key} {value}" for key, value in CSP.items()),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": ", ".join(f"{key}={value}" for key, value in PERMISSIONS.items()),
    }
    if app.config["HTTPS"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def init_app(app: Flask) -> None:
    """Bind the headers to `app`; trust `PROXIES` reverse proxies' forwarded headers."""
    https = bool(app.config["HTTPS"])
    proxies = int(app.config["PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.config["SESSION_COOKIE_SECURE"] = https
    if https:
        app.config["PREFERRED_URL_SCHEME"] = "https"
        # __Host-: the browser accepts it only from https, for this host, path / (ASVS 3.3.3).
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = False
    # One Talisman per app: it keeps its options on itself, and tests make many apps.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=https,
        strict_transport_security=https,
        session_cookie_secure=https,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy=PERMISSIONS,
        # Both are superseded (Permissions-Policy, and nothing) and would only add bytes.
        feature_policy={},
        document_policy={},
        x_content_type_options=True,
    )
    app.after_request(_no_store_when_signed_in)
