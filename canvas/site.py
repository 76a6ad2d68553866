"""The site's own files at the addresses browsers ask for.

    /favicon.ico   GET   the icon (browsers ask for it on every site, link or not)
"""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("site", __name__)


@bp.get("/favicon.ico")
def favicon():
    response = send_from_directory(current_app.static_folder, "favicon.ico",
                                   mimetype="image/vnd.microsoft.icon", max_age=86400)
    return response
