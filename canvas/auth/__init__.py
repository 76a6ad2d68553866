"""Sign-up, sign-in and sign-out."""

from .views import bp

__all__ = ["bp"]
