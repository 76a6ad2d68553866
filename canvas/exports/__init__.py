"""PDF exports: the canvas poster and the worksheet report (WeasyPrint)."""

from flask import Blueprint, Flask

bp = Blueprint("exports", __name__)


def init_app(app: Flask) -> None:
    """Register the exports blueprint and its CLI command."""
    app.register_blueprint(bp)
