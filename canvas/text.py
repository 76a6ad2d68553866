"""Text rules every store shares (pure)."""

from __future__ import annotations


def encodable(text: str) -> bool:
    """False for strings with lone surrogates (possible from JSON), which cannot be stored."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
