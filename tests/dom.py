"""Rendered HTML, parsed, for assertions: ask for elements by CSS selector instead of
searching the markup for a substring.

    page = html_of(response)                    # asserts the response is HTML
    assert page.heading() == "My canvases"      # the right page...
    assert page.texts(".cards h2") == ["Bike repairs in Aarhus"]
    assert not page.has(".feed")                # ...and what is (not) on it
    assert not page.mentions("Private plans")

A check that something is absent means little unless the same test shows it is looking at
the right page, so pair every `not page.has(...)` or `not page.mentions(...)` with a check of
the status and the heading or landmark.

Text is what a reader sees: entities decoded, runs of HTML whitespace (space, tab, line
breaks) squeezed to one space, and the insides of <script> and <template> left out. Other
whitespace, such as the thin spaces between thousands, is kept.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from werkzeug.test import TestResponse

__all__ = ["Element", "Html", "html_of", "squeeze"]


def squeeze(text: str) -> str:
    """Text with each run of HTML whitespace made one space, and none at the ends."""
    return re.sub(r"[ \t\n\r\f]+", " ", text).strip()


class Element:
    """One element found on a page: queries chain (`row.one("a").text`); anything else is
    asked of the BeautifulSoup tag (`["lang"]`, `.get(...)`, `.select(...)`)."""

    def __init__(self, tag: Tag) -> None:
        self.tag = tag

    def one(self, css: str) -> Element:
        """The one element inside matching the selector; fails unless there is exactly one."""
        found = self.tag.select(css)
        assert len(found) == 1, f"{len(found)} elements match {css!r}"
        return Element(found[0])

    def all(self, css: str) -> list[Element]:
        """Every element inside matching the selector, in document order."""
        return [Element(tag) for tag in self.tag.select(css)]

    def has(self, css: str) -> bool:
        return self.tag.select_one(css) is not None

    @property
    def text(self) -> str:
        """The text a reader sees, whitespace squeezed."""
        return squeeze(self.tag.get_text())

    def __getitem__(self, attribute: str) -> object:
        return self.tag[attribute]

    def __getattr__(self, name: str) -> object:
        return getattr(self.tag, name)

    def __repr__(self) -> str:
        return f"<Element {str(self.tag)[:80]!r}>"


class Html:
    """A parsed page or fragment (Python's html.parser, through BeautifulSoup)."""

    def __init__(self, markup: str) -> None:
        self.soup = BeautifulSoup(markup, "html.parser")

    def all(self, css: str) -> list[Element]:
        """Every element matching the CSS selector, in document order."""
        return [Element(tag) for tag in self.soup.select(css)]

    def one(self, css: str) -> Element:
        """The one element matching the selector; fails unless there is exactly one."""
        found = self.soup.select(css)
        assert len(found) == 1, f"{len(found)} elements match {css!r}"
        return Element(found[0])

    def has(self, css: str) -> bool:
        """Whether any element matches the selector."""
        return self.soup.select_one(css) is not None

    def text(self, css: str | None = None) -> str:
        """The text of the one element matching `css`, or of the whole document."""
        return squeeze((self.soup if css is None else self.one(css).tag).get_text())

    def texts(self, css: str) -> list[str]:
        """The text of each element matching the selector."""
        return [squeeze(tag.get_text()) for tag in self.soup.select(css)]

    def heading(self) -> str:
        """The text of the page's one <h1>."""
        return self.text("h1")

    def mentions(self, words: str, css: str | None = None) -> bool:
        """Whether `words` occur anywhere in the document (or the one element matching
        `css`): in its text, in any string including scripts, templates and comments, or in
        any attribute value. Broader than a substring search of the markup, since entities
        are decoded first."""
        root = self.soup if css is None else self.one(css).tag
        if words in squeeze(root.get_text()):
            return True
        if any(words in string for string in root.find_all(string=True)):
            return True
        tags = root.find_all(True) + ([root] if css is not None else [])
        for tag in tags:
            for value in tag.attrs.values():
                if words in (" ".join(value) if isinstance(value, list) else value):
                    return True
        return False


def html_of(source: TestResponse | str) -> Html:
    """Parse a test-client response (which must be HTML) or a string of markup."""
    if isinstance(source, str):
        return Html(source)
    assert source.mimetype == "text/html", f"not HTML: {source.mimetype}"
    return Html(source.get_data(as_text=True))
