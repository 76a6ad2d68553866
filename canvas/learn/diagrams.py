"""The ladder pages' picture: a worked example's ladder drawn as a funnel, the way the
worksheet and the report draw a student's own (the content review asked for a picture on
the ladder pages, not only in the worksheet). Which example fits which page is read from
the examples' answers, so no page is named here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..content.loader import Library
from ..worksheets.analysis import funnel_words
from ..worksheets.funnel import funnel_svg
from ..worksheets.ladder import analyse_ladder


@dataclass(frozen=True)
class LadderExample:
    """A worked example's ladder as a picture."""

    example: str  # the example's id (its file name), an anchor on the examples page
    title: str  # the example's business, e.g. "Glans Rengøring"
    svg: Markup


def ladder_example(library: Library, content_dir: Path, language: str, page_id: str
                   ) -> LadderExample | None:
    """The first worked example (in `language`) whose ladder is the page `page_id`, drawn;
    None for a page no example climbs."""
    rungs = library.catalogue(language, page_id)
    page = library.page(language, page_id)
    if not rungs or page is None:
        return None
    for example, title, counts, goals in _ladders(str(content_dir), language, page_id):
        result = analyse_ladder([r.id for r in rungs], counts, goals)
        names = {r.id: Markup(r.name).striptags() for r in rungs}
        return LadderExample(example, title, funnel_svg(result, names, page.title,
                                                        funnel_words(language), language))
    return None


@lru_cache(maxsize=128)
def _ladders(content_dir: str, language: str, page_id: str
             ) -> tuple[tuple[str, str, dict[str, Any], dict[str, Any]], ...]:
    """(example id, title, counts, goals) of every example in `language` that fills in the
    ladder `page_id`; read once per content tree."""
    found = []
    for path in sorted((Path(content_dir) / "examples").glob(f"*.{language}.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for worksheet in document.get("worksheets", ()):
            for value in (worksheet.get("answers") or {}).values():
                if not isinstance(value, dict) or value.get("ladder") != page_id:
                    continue
                part = value.get(page_id) or {}
                if part.get("counts"):
                    found.append((path.name.split(".")[0], str(document.get("title", "")),
                                  dict(part["counts"]), dict(part.get("goals") or {})))
    return tuple(found)
