"""Home: the user's canvases and worksheets; create, rename, duplicate, delete, restore."""

from . import board  # noqa: F401  (registers the board routes on bp)
from .views import bp

__all__ = ["bp"]
