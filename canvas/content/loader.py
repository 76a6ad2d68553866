"""Load `content/<lang>/*.md` into an immutable, pre-rendered library.

Every Markdown string (page bodies and item values) is rendered to HTML once here, so
requests only look things up. Bad front matter stops loading with the file and key named.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import markdown
import nh3
import yaml
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from ..languages import LANGUAGES

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LINK_PATTERN = re.compile(r"^(?P<page>[a-z0-9-]+)\.md(?:#(?P<anchor>[a-z0-9-]+))?$")

LinkBuilder = Callable[[str, str, str | None], str]


def default_link(language: str, page: str, anchor: str | None) -> str:
    """Where a `page.md#anchor` link points in the app."""
    return f"/learn/{language}/{page}" + (f"#{anchor}" if anchor else "")


class ContentError(ValueError):
    """A content file is malformed; the message names the file and the key."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = str(path), key, problem
        super().__init__(f"{path}: {key}: {problem}")


@dataclass(frozen=True)
class Item:
    """One entry of a page's `items:` list: a tactic, a rung, a check, a question..."""

    id: str
    name: str
    html: dict[str, Markup]  # every other string value, rendered
    lists: dict[str, tuple[Markup, ...]]  # list-of-strings values (questions), rendered inline
    items: tuple[Item, ...] = ()

    def __getitem__(self, key: str) -> Markup:
        return self.html.get(key, Markup(""))

    def child(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)


@dataclass(frozen=True)
class Page:
    """A content page in one language."""

    id: str
    language: str
    title: str
    summary: Markup
    body: Markup
    items: tuple[Item, ...]
    path: Path
    meta: dict[str, Any] = field(default_factory=dict)
    links: tuple[str, ...] = ()  # internal link targets as written, for the checker

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)


class _LinkRewriter(Treeprocessor):
    def __init__(self, md: markdown.Markdown, build: LinkBuilder) -> None:
        super().__init__(md)
        self.build = build
        self.language = "en"
        self.found: list[str] = []

    def run(self, root):
        for element in root.iter("a"):
            href = element.get("href", "")
            match = LINK_PATTERN.match(href)
            if match:
                self.found.append(href)
                element.set("href", self.build(self.language, match["page"], match["anchor"]))


class _LinkExtension(Extension):
    def __init__(self, build: LinkBuilder) -> None:
        super().__init__()
        self.build = build
        self.processor: _LinkRewriter | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        self.processor = _LinkRewriter(md, self.build)
        md.treeprocessors.register(self.processor, "canvas_links", 5)


class Renderer:
    """Markdown to HTML with our internal `.md` links rewritten; records the links seen."""

    def __init__(self, build: LinkBuilder = default_link) -> None:
        self._links = _LinkExtension(build)
        self._md = markdown.Markdown(extensions=["sane_lists", "smarty", self._links])

    def render(self, text: str, language: str, inline: bool = False) -> tuple[Markup, list[str]]:
        """Render one Markdown string; `inline` drops the wrapping paragraph of a one-liner."""
        assert self._links.processor is not None
        self._md.reset()
        self._links.processor.language = language
        self._links.processor.found = []
        # Content trees can come from outside the project (CANVAS_CONTENT_DIR), so the HTML
        # is cleaned like user input: no scripts, handlers or unknown tags survive.
        html = nh3.clean(self._md.convert(text), link_rel=None)
        if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html), list(self._links.processor.found)


def _require_id(value: Any, path: Path, key: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ContentError(path, key,
                           f"expected an id of lowercase letters, digits and '-', got {value!r}")
    return value


def _parse_item(raw: Any, path: Path, key: str, language: str, renderer: Renderer,
                links: list[str]) -> Item:
    if not isinstance(raw, dict):
        raise ContentError(path, key, "each item must be a mapping with an id and a name")
    item_id = _require_id(raw.get("id"), path, f"{key}.id")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ContentError(path, f"{key}.name", f"item {item_id!r} needs a name")
    html: dict[str, Markup] = {}
    lists: dict[str, tuple[Markup, ...]] = {}
    children: tuple[Item, ...] = ()
    for k, v in raw.items():
        if k in ("id",):
            continue
        where = f"{key}.{k}"
        if k == "items":
            children = _parse_items(v, path, where, language, renderer, links)
        elif isinstance(v, str):
            rendered, found = renderer.render(v, language, inline=k in ("name", "term", "question"))
            html[k] = rendered
            links.extend(found)
        elif isinstance(v, list) and all(isinstance(s, str) for s in v):
            out = []
            for s in v:
                rendered, found = renderer.render(s, language, inline=True)
                out.append(rendered)
                links.extend(found)
            lists[k] = tuple(out)
        elif isinstance(v, int | float) and not isinstance(v, bool):
            html[k] = Markup.escape(str(v))
        else:
            raise ContentError(path, where,
                               f"expected text or a list of texts, got {type(v).__name__}")
    return Item(id=item_id, name=str(html.pop("name")), html=html, lists=lists, items=children)


def _parse_items(raw: Any, path: Path, key: str, language: str, renderer: Renderer,
                 links: list[str]) -> tuple[Item, ...]:
    if not isinstance(raw, list):
        raise ContentError(path, key, "expected a list of items")
    items = tuple(
        _parse_item(entry, path, f"{key}[{n}]", language, renderer, links)
        for n, entry in enumerate(raw)
    )
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ContentError(path, key, f"duplicate item id {item.id!r}")
        seen.add(item.id)
    return items


def load_page(path: Path, language: str, renderer: Renderer) -> Page:
    """Parse and render one content file, or raise ContentError naming file and key."""
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(path, "front matter", f"not valid YAML: {exc}") from exc
    meta = dict(post.metadata)
    page_id = _require_id(meta.get("id"), path, "id")
    for key in ("title", "summary"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise ContentError(path, key, "required text is missing")
    links: list[str] = []
    summary, found = renderer.render(meta["summary"], language, inline=True)
    links.extend(found)
    body, found = renderer.render(post.content, language)
    links.extend(found)
    items = _parse_items(meta.get("items", []), path, "items", language, renderer, links)
    extra = {k: v for k, v in meta.items() if k not in ("id", "title", "summary", "items")}
    return Page(id=page_id, language=language, title=meta["title"], summary=summary, body=body,
                items=items, path=path, meta=extra, links=tuple(links))


@dataclass
class Library:
    """All pages of all languages, looked up by language and id."""

    languages: tuple[str, ...]
    pages: dict[tuple[str, str], Page]
    ids: dict[str, list[str]]  # the id contract from content/ids.yaml

    def page(self, language: str, page_id: str) -> Page | None:
        return self.pages.get((language, page_id))

    def pages_in(self, language: str) -> list[Page]:
        order = list(self.ids)
        found = [p for (lang, _), p in self.pages.items() if lang == language]
        return sorted(found, key=lambda p: order.index(p.id) if p.id in order else len(order))

    def catalogue(self, language: str, key: str) -> tuple[Item, ...]:
        """Items of a page (`service`) or of a nested list (`after-purchase/delivery-check`)."""
        page_id, _, sub = key.partition("/")
        page = self.page(language, page_id)
        if page is None:
            return ()
        if not sub:
            return page.items
        parent = page.item(sub)
        return parent.items if parent else ()

    def item(self, language: str, ref: str) -> Item | None:
        """An item by reference `page#item` or `page/sub#item`."""
        key, _, item_id = ref.partition("#")
        return next((i for i in self.catalogue(language, key) if i.id == item_id), None)


def load_ids(content_dir: Path) -> dict[str, list[str]]:
    """Read the id contract, `content/ids.yaml`."""
    path = content_dir / "ids.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(path, "ids", f"cannot read the id contract: {exc}") from exc
    if not isinstance(raw, dict):
        raise ContentError(path, "ids", "expected a mapping of page id to item ids")
    return {str(k): [str(i) for i in (v or [])] for k, v in raw.items()}


def iter_page_files(content_dir: Path, languages: Iterable[str]) -> Iterable[tuple[str, Path]]:
    for language in languages:
        for path in sorted((content_dir / language).glob("*.md")):
            yield language, path


def load_library(content_dir: Path | str, languages: Iterable[str] = LANGUAGES,
                 link_builder: LinkBuilder = default_link) -> Library:
    """Load every language's pages; raise ContentError on the first bad file."""
    content_dir = Path(content_dir)
    languages = tuple(languages)
    renderer = Renderer(link_builder)
    pages: dict[tuple[str, str], Page] = {}
    for language, path in iter_page_files(content_dir, languages):
        page = load_page(path, language, renderer)
        if (language, page.id) in pages:
            raise ContentError(path, "id", f"page id {page.id!r} is also used by "
                               f"{pages[(language, page.id)].path.name}")
        pages[(language, page.id)] = page
    return Library(languages=languages, pages=pages, ids=load_ids(content_dir))
