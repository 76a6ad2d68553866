"""Reading pages with a real HTML parser, so a check does not pass just because markup moved."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag


class Node:
    """An element with CSS queries that insist on what they find."""

    def __init__(self, tag: Tag) -> None:
        self.tag = tag

    def one(self, css: str) -> Node:
        """The one element matching `css` (fails when there are none or several)."""
        found = self.tag.select(css)
        assert len(found) == 1, f"expected one {css!r}, found {len(found)}"
        return Node(found[0])

    def all(self, css: str) -> list[Node]:
        return [Node(t) for t in self.tag.select(css)]

    def has(self, css: str) -> bool:
        return self.tag.select_one(css) is not None

    def get(self, attribute: str, default: Any = None) -> Any:
        return self.tag.get(attribute, default)

    def get_text(self, strip: bool = False) -> str:
        return self.tag.get_text(" " if strip else "", strip=strip)

    @property
    def text(self) -> str:
        """The visible text, whitespace squeezed."""
        return " ".join(self.tag.get_text(" ").split())

    def __repr__(self) -> str:
        return f"<Node {str(self.tag)[:80]!r}>"


class Page(Node):
    """A parsed page: `root` is <html>."""

    def __init__(self, markup: str) -> None:
        soup = BeautifulSoup(markup, "html.parser")
        super().__init__(soup)
        self.root = Node(soup.html) if soup.html else self

    @property
    def heading(self) -> str:
        """The text of the page's <h1>."""
        return self.one("h1").text


def html_of(response_or_text: Any) -> Page:
    """A response's (or a string's) HTML, parsed."""
    markup = response_or_text if isinstance(response_or_text, str) else response_or_text.text
    return Page(markup)
