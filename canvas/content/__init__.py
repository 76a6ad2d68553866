"""Learning content: Markdown pages with YAML front matter, loaded and rendered once."""

from .loader import ContentError, Item, Library, Page
from .tree import load_library

__all__ = ["ContentError", "Item", "Library", "Page", "load_library"]
