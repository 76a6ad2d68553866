"""Load a whole content tree into one Library: the guide, the labels, every language's pages
(glossary terms linked) and the self-checks."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..languages import LANGUAGES
from .loader import (
    ContentError,
    Glossary,
    Guide,
    Library,
    LinkBuilder,
    Page,
    Renderer,
    default_link,
    find_page_file,
    iter_page_files,
    load_guide,
    load_ids,
    load_labels,
    load_page,
    read_glossary,
)
from .quizzes import load_quizzes


def read_glossaries(content_dir: Path, languages: Iterable[str], guide: Guide
                    ) -> dict[str, Glossary]:
    """Each language's glossary terms (none when the guide names no glossary page)."""
    out = {}
    if guide.glossary is None:
        return out
    for language in languages:
        path = find_page_file(content_dir, language, guide.glossary)
        if path is not None:
            out[language] = read_glossary(path, guide.glossary)
    return out


def load_library(content_dir: Path | str, languages: Iterable[str] = LANGUAGES,
                 link_builder: LinkBuilder = default_link) -> Library:
    """Load every language's pages; raise ContentError on the first bad file."""
    content_dir = Path(content_dir)
    languages = tuple(languages)
    renderer = Renderer(link_builder)
    guide = load_guide(content_dir)
    glossaries = read_glossaries(content_dir, languages, guide)
    pages: dict[tuple[str, str], Page] = {}
    for language, path in iter_page_files(content_dir, languages):
        page = load_page(path, language, renderer, glossaries.get(language))
        if (language, page.id) in pages:
            raise ContentError(path, "id", f"page id {page.id!r} is also used by "
                               f"{pages[(language, page.id)].path.name}")
        pages[(language, page.id)] = page
    return Library(languages=languages, pages=pages, ids=load_ids(content_dir), guide=guide,
                   labels=load_labels(content_dir, languages),
                   quizzes=load_quizzes(content_dir, languages, pages, renderer))
