"""Load `content/<lang>/*.md` into an immutable, pre-rendered library.

Every Markdown string (page bodies and item values) is rendered to HTML once here, so
requests only look things up. Bad front matter stops loading with the file and key named.

Besides the pages, a tree holds `guide.yaml` (the core path of a first lesson and which page
is the glossary), `labels.yaml` (the learning pages' own words, per language) and
`quizzes/*.yaml` (the self-checks, canvas/content/quizzes.py). The glossary's terms are
linked wherever a page uses them, by the renderer, so no paragraph links them by hand.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import frontmatter
import markdown
import nh3
import yaml
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

if TYPE_CHECKING:  # quizzes.py builds on this module
    from .quizzes import Quiz

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_ID_LENGTH = 80  # ids are stored (self-check results) in columns of this size
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
    terms: frozenset[str] = frozenset()  # glossary terms linked in this item

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
    goals: tuple[Markup, ...] = ()  # "after this page you can ...", rendered inline
    in_short: tuple[Markup, ...] = ()  # the page in three lines, rendered inline
    terms: frozenset[str] = frozenset()  # glossary terms linked from this page

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)


@dataclass(frozen=True)
class Glossary:
    """One language's glossary: which words (`forms:` of its items) link to which entry."""

    page: str  # the glossary page's id
    forms: dict[str, str]  # a form, lower case, -> the term's item id
    pattern: re.Pattern[str] | None

    def first_match(self, text: str, skip: set[str]) -> tuple[re.Match[str], str] | None:
        """The first use in `text` of a term not in `skip`, and that term's id."""
        if self.pattern is None:
            return None
        for match in self.pattern.finditer(text):
            term = self.forms[_squash(match.group(0))]
            if term not in skip:
                return match, term
        return None


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def make_glossary(page_id: str, terms: dict[str, list[str]]) -> Glossary:
    """A glossary from {term id: [forms]}; longer forms win ("warm lead" before "lead")."""
    forms = {_squash(form): term for term, found in terms.items() for form in found}
    if not forms:
        return Glossary(page_id, {}, None)
    # Whole words only: not inside a longer word or a hyphenated compound, and a space in a
    # form matches a line break too (Markdown keeps the source's line breaks in text).
    alternatives = "|".join(
        r"\s+".join(re.escape(word) for word in form.split())
        for form in sorted(forms, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
    return Glossary(page_id, forms, pattern)


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


GLOSSARY_LINK_CLASS = "gloss"
# Where a glossary link would be wrong or noise: inside a link, a heading, code.
_NO_TERM_LINKS = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre"}


class _TermLinker(Treeprocessor):
    """Links the first use of each glossary term in a scope (a page's body, or one item) to
    its entry. Once per scope, not every use: a paragraph of identical links is noise to
    read and to a screen reader, and each item is its own scope because readers arrive at
    items from links elsewhere."""

    def __init__(self, md: markdown.Markdown, build: LinkBuilder) -> None:
        super().__init__(md)
        self.build = build
        self.language = "en"
        self.glossary: Glossary | None = None
        self.seen: set[str] | None = None  # terms linked in this scope so far

    def run(self, root):
        if self.glossary is not None and self.seen is not None:
            self._walk(root)

    def _walk(self, element) -> None:
        index = 0
        if element.text:
            before = len(element)
            element.text = self._link(element, 0, element.text)
            index = len(element) - before
        while index < len(element):
            child = element[index]
            if child.tag not in _NO_TERM_LINKS:
                self._walk(child)
            if child.tail:
                before = len(element)
                child.tail = self._link(element, index + 1, child.tail)
                index += len(element) - before
            index += 1

    def _link(self, parent, position: int, text: str) -> str:
        """Link terms in `text`, which stands before parent[position]; the text that stays."""
        found = self.glossary.first_match(text, self.seen)
        if found is None:
            return text
        match, term = found
        self.seen.add(term)
        anchor = etree.Element("a", {
            "href": self.build(self.language, self.glossary.page, term),
            "class": GLOSSARY_LINK_CLASS})
        anchor.text = match.group(0)
        parent.insert(position, anchor)
        anchor.tail = self._link(parent, position + 1, text[match.end():])
        return text[:match.start()]


class _TermExtension(Extension):
    def __init__(self, build: LinkBuilder) -> None:
        super().__init__()
        self.build = build
        self.processor: _TermLinker | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        self.processor = _TermLinker(md, self.build)
        md.treeprocessors.register(self.processor, "canvas_terms", 4)


class Renderer:
    """Markdown to HTML with our internal `.md` links rewritten and glossary terms linked;
    records the links seen."""

    def __init__(self, build: LinkBuilder = default_link) -> None:
        self._links = _LinkExtension(build)
        self._terms = _TermExtension(build)
        self._md = markdown.Markdown(
            extensions=["sane_lists", "smarty", "tables", self._links, self._terms])

    def render(self, text: str, language: str, inline: bool = False,
               glossary: Glossary | None = None, seen: set[str] | None = None
               ) -> tuple[Markup, list[str]]:
        """Render one Markdown string; `inline` drops the wrapping paragraph of a one-liner.
        With a `glossary`, terms not yet in `seen` are linked, and added to it."""
        assert self._links.processor is not None and self._terms.processor is not None
        self._md.reset()
        self._links.processor.language = language
        self._links.processor.found = []
        self._terms.processor.language = language
        self._terms.processor.glossary = glossary
        self._terms.processor.seen = seen
        # Content trees can come from outside the project (CANVAS_CONTENT_DIR), so the HTML
        # is cleaned like user input: no scripts, handlers or unknown tags survive, and the
        # only class kept is the glossary links' own.
        html = nh3.clean(self._md.convert(text), link_rel=None,
                         allowed_classes={"a": {GLOSSARY_LINK_CLASS}})
        if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html), list(self._links.processor.found)


def _require_id(value: Any, path: Path, key: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ContentError(path, key,
                           f"expected an id of lowercase letters, digits and '-', got {value!r}")
    return value


# Item keys that are headings or look-up data, never linked to the glossary.
_PLAIN_KEYS = {"name", "term", "forms"}


def _parse_item(raw: Any, path: Path, key: str, language: str, renderer: Renderer,
                links: list[str], glossary: Glossary | None = None,
                seen: set[str] | None = None) -> Item:
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
        linked = (glossary, seen) if k not in _PLAIN_KEYS else (None, None)
        if k == "items":
            children = _parse_items(v, path, where, language, renderer, links, glossary, seen)
        elif isinstance(v, str):
            rendered, found = renderer.render(v, language, k in ("name", "term", "question"),
                                              *linked)
            html[k] = rendered
            links.extend(found)
        elif isinstance(v, list) and all(isinstance(s, str) for s in v):
            # Lists are questions, which the canvas board and the exports show beside the
            # student's work: a glossary link there would lead away from it.
            out = []
            for s in v:
                rendered, found = renderer.render(s, language, True)
                out.append(rendered)
                links.extend(found)
            lists[k] = tuple(out)
        elif isinstance(v, int | float) and not isinstance(v, bool):
            html[k] = Markup.escape(str(v))
        else:
            raise ContentError(path, where,
                               f"expected text or a list of texts, got {type(v).__name__}")
    return Item(id=item_id, name=str(html.pop("name")), html=html, lists=lists, items=children,
                terms=frozenset(seen or ()))


def _parse_items(raw: Any, path: Path, key: str, language: str, renderer: Renderer,
                 links: list[str], glossary: Glossary | None = None,
                 scope: set[str] | None = None) -> tuple[Item, ...]:
    """A list of items; each top-level item is its own glossary scope, nested ones share
    their parent's (`scope`)."""
    if not isinstance(raw, list):
        raise ContentError(path, key, "expected a list of items")
    items = tuple(
        _parse_item(entry, path, f"{key}[{n}]", language, renderer, links, glossary,
                    scope if scope is not None else set())
        for n, entry in enumerate(raw)
    )
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ContentError(path, key, f"duplicate item id {item.id!r}")
        seen.add(item.id)
    return items


def _front_matter(path: Path) -> frontmatter.Post:
    try:
        return frontmatter.loads(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(path, "front matter", f"not valid YAML: {exc}") from exc


def _texts(meta: dict, key: str, path: Path) -> list[str]:
    """An optional list of non-empty texts (`goals`, `in_short`)."""
    value = meta.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ContentError(path, key, "expected a list of texts")
    return value


def _all_items(items: tuple[Item, ...]) -> list[Item]:
    return [x for i in items for x in (i, *_all_items(i.items))]


def load_page(path: Path, language: str, renderer: Renderer,
              glossary: Glossary | None = None) -> Page:
    """Parse and render one content file, or raise ContentError naming file and key. With a
    `glossary`, the body and every item link the first use of each of its terms (never on
    the glossary page itself)."""
    post = _front_matter(path)
    meta = dict(post.metadata)
    page_id = _require_id(meta.get("id"), path, "id")
    for key in ("title", "summary"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise ContentError(path, key, "required text is missing")
    if glossary is not None and glossary.page == page_id:
        glossary = None
    links: list[str] = []
    signposts = {}
    # The summary and the signposts stay plain: they are read before the page, in lists.
    for key in ("summary", "goals", "in_short"):
        texts = [meta["summary"]] if key == "summary" else _texts(meta, key, path)
        rendered = []
        for text in texts:
            html, found = renderer.render(text, language, inline=True)
            rendered.append(html)
            links.extend(found)
        signposts[key] = tuple(rendered)
    body_terms: set[str] = set()
    body, found = renderer.render(post.content, language, glossary=glossary, seen=body_terms)
    links.extend(found)
    items = _parse_items(meta.get("items", []), path, "items", language, renderer, links,
                         glossary)
    terms = set(body_terms)
    for item in _all_items(items):
        terms.update(item.terms)
    extra = {k: v for k, v in meta.items()
             if k not in ("id", "title", "summary", "items", "goals", "in_short")}
    return Page(id=page_id, language=language, title=meta["title"],
                summary=signposts["summary"][0], body=body, items=items, path=path,
                meta=extra, links=tuple(links), goals=signposts["goals"],
                in_short=signposts["in_short"], terms=frozenset(terms))


@dataclass(frozen=True)
class CoreStep:
    """A page on the core path of a first lesson, and the minutes it takes with its
    self-check."""

    page: str
    minutes: int


@dataclass(frozen=True)
class Guide:
    """How the pages teach (`content/guide.yaml`): the core path, in order, and which page
    is the glossary. Every page not on the core path goes deeper."""

    lesson_minutes: int = 45
    core: tuple[CoreStep, ...] = ()
    glossary: str | None = None

    def position(self, page_id: str) -> int | None:
        """The page's place on the core path (0 is the first), or None if it goes deeper."""
        return next((n for n, step in enumerate(self.core) if step.page == page_id), None)


@dataclass
class Library:
    """All pages of all languages, looked up by language and id, with the guide, the
    learning pages' labels and the self-checks."""

    languages: tuple[str, ...]
    pages: dict[tuple[str, str], Page]
    ids: dict[str, list[str]]  # the id contract from content/ids.yaml
    guide: Guide = field(default_factory=Guide)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> language -> text
    quizzes: dict[str, Quiz] = field(default_factory=dict)  # by quiz id

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

    def label(self, language: str, key: str, **values: object) -> str:
        """One of the learning pages' own words in `language`, placeholders filled in;
        a KeyError for a label the tree does not define, so a template cannot miss one."""
        return self.labels[key][language].format(**values)

    def core_path(self, language: str) -> list[tuple[CoreStep, Page]]:
        """The core path's pages in `language`, in order."""
        found = [(step, self.page(language, step.page)) for step in self.guide.core]
        return [(step, page) for step, page in found if page is not None]

    def quiz_for(self, page_id: str) -> Quiz | None:
        """The self-check shown at the end of a page, if it has one."""
        return next((q for q in self.quizzes.values() if q.page == page_id), None)

    def term_uses(self, language: str, term: str) -> list[Page]:
        """The pages in `language` that link a glossary term, in the usual order."""
        return [p for p in self.pages_in(language) if term in p.terms]


def _read_yaml(path: Path, key: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(path, key, f"cannot read it: {exc}") from exc


def load_guide(content_dir: Path) -> Guide:
    """Read `content/guide.yaml` (no file: no core path, no glossary)."""
    path = content_dir / "guide.yaml"
    if not path.exists():
        return Guide()
    raw = _read_yaml(path, "guide")
    if not isinstance(raw, dict):
        raise ContentError(path, "guide", "expected a mapping with lesson_minutes, core and "
                           "glossary")
    minutes = raw.get("lesson_minutes", 45)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise ContentError(path, "lesson_minutes", f"expected whole minutes, got {minutes!r}")
    core = []
    for n, entry in enumerate(raw.get("core") or []):
        where = f"core[{n}]"
        if not isinstance(entry, dict):
            raise ContentError(path, where, "expected {page, minutes}")
        page = _require_id(entry.get("page"), path, f"{where}.page")
        step_minutes = entry.get("minutes")
        if isinstance(step_minutes, bool) or not isinstance(step_minutes, int) \
                or step_minutes <= 0:
            raise ContentError(path, f"{where}.minutes",
                               f"expected whole minutes, got {step_minutes!r}")
        core.append(CoreStep(page, step_minutes))
    glossary = raw.get("glossary")
    if glossary is not None:
        glossary = _require_id(glossary, path, "glossary")
    return Guide(minutes, tuple(core), glossary)


def load_labels(content_dir: Path, languages: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Read `content/labels.yaml`: {key: {language: text}}, every language required."""
    path = content_dir / "labels.yaml"
    if not path.exists():
        return {}
    raw = _read_yaml(path, "labels")
    if not isinstance(raw, dict):
        raise ContentError(path, "labels", "expected a mapping of label keys")
    out = {}
    for key, texts in raw.items():
        if not isinstance(texts, dict):
            raise ContentError(path, str(key), "expected a text per language")
        missing = [lang for lang in languages
                   if not isinstance(texts.get(lang), str) or not texts[lang].strip()]
        if missing:
            raise ContentError(path, str(key), f"missing language(s): {', '.join(missing)}")
        out[str(key)] = {lang: texts[lang] for lang in languages}
    return out


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


def read_glossary(path: Path, page_id: str) -> Glossary:
    """The terms of a glossary page, from its items' `forms:`, before anything is rendered
    (the other pages link them). A form must belong to one term only."""
    meta = _front_matter(path).metadata
    terms: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    items = meta.get("items") or []
    if not isinstance(items, list):
        raise ContentError(path, "items", "expected a list of items")
    for n, raw in enumerate(items):
        if not isinstance(raw, dict):
            raise ContentError(path, f"items[{n}]", "each item must be a mapping")
        term = _require_id(raw.get("id"), path, f"items[{n}].id")
        forms = raw.get("forms")
        if not isinstance(forms, list) or not forms or not all(
                isinstance(f, str) and f.strip() for f in forms):
            raise ContentError(path, f"items[{n}].forms",
                               f"term {term!r} needs `forms:`, the words that link to it")
        for form in forms:
            key = _squash(form)
            if owner.get(key, term) != term:
                raise ContentError(path, f"items[{n}].forms",
                                   f"{form!r} already links to {owner[key]!r}")
            owner[key] = term
        terms[term] = forms
    return make_glossary(page_id, terms)


def find_page_file(content_dir: Path, language: str, page_id: str) -> Path | None:
    """The file of a page by its front-matter id (files are named by id, but need not be)."""
    named = content_dir / language / f"{page_id}.md"
    candidates = [named] if named.exists() else []
    candidates += [p for _, p in iter_page_files(content_dir, (language,)) if p != named]
    for path in candidates:
        try:
            if _front_matter(path).metadata.get("id") == page_id:
                return path
        except ContentError:
            continue
    return None
