"""The learning library: every content page, readable on its own."""

from .views import bp

__all__ = ["bp"]
