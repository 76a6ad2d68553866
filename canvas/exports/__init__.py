"""PDF exports: the canvas poster and the worksheet report (WeasyPrint)."""

from flask import Blueprint, Flask

bp = Blueprint("exports", __name__)


def init_app(app: Flask) -> None:
    """Register the exports blueprint and its CLI command."""
    from . import views  # noqa: F401  (attaches the routes to `bp`)
    from .cli import export_pdf

    app.register_blueprint(bp)
    app.cli.add_command(export_pdf)
