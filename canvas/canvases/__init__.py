"""Home: the user's canvases and worksheets; create, rename, duplicate, delete, restore."""

from .views import bp

__all__ = ["bp"]
