"""Validate a content tree: front matter, the id contract, internal links, worksheets."""

from __future__ import annotations

import string
from pathlib import Path

from ..languages import LANGUAGES
from .loader import LINK_PATTERN, ContentError, Page, Renderer, iter_page_files, load_ids, load_page


def _item_ids(page: Page) -> set[str]:
    found = set()
    for item in page.items:
        found.add(item.id)
        found.update(child.id for child in item.items)
    return found


def check_tree(content_dir: Path | str, languages: tuple[str, ...] = LANGUAGES
               ) -> list[str]:
    """Every problem found, as readable lines; an empty list means the tree is sound."""
    content_dir = Path(content_dir)
    problems: list[str] = []
    try:
        ids = load_ids(content_dir)
    except ContentError as exc:
        return [str(exc)]
    renderer = Renderer()
    pages: dict[tuple[str, str], Page] = {}
    for language in languages:
        if not (content_dir / language).is_dir():
            problems.append(f"{content_dir / language}: the language folder is missing")
    for language, path in iter_page_files(content_dir, languages):
        try:
            page = load_page(path, language, renderer)
        except ContentError as exc:
            problems.append(str(exc))
            continue
        if (language, page.id) in pages:
            problems.append(f"{path}: id: page id {page.id!r} is used twice in {language}")
        pages[(language, page.id)] = page

    page_ids = {key.split("/")[0] for key in ids}
    for language in languages:
        present = {pid for (lang, pid) in pages if lang == language}
        for missing in sorted(page_ids - present):
            problems.append(f"{content_dir / language}: missing page {missing!r}")
        for unknown in sorted(present - page_ids):
            path = pages[(language, unknown)].path
            problems.append(f"{path}: id: unknown page id {unknown!r} (not in ids.yaml)")
        for key, wanted in ids.items():
            page_id, _, sub = key.partition("/")
            page = pages.get((language, page_id))
            if page is None:
                continue
            items = page.items
            if sub:
                parent = page.item(sub)
                items = parent.items if parent else ()
            got = [i.id for i in items]
            for missing in [w for w in wanted if w not in got]:
                problems.append(f"{page.path}: items: missing id {key}#{missing}")
            for unknown in [g for g in got if g not in wanted]:
                problems.append(f"{page.path}: items: unknown id {key}#{unknown}")
        for (lang, _), page in sorted(pages.items()):
            if lang != language:
                continue
            for href in page.links:
                match = LINK_PATTERN.match(href)
                target = pages.get((language, match["page"])) if match else None
                if target is None:
                    problems.append(f"{page.path}: link {href!r}: no such page")
                elif match["anchor"] and match["anchor"] not in _item_ids(target):
                    problems.append(f"{page.path}: link {href!r}: no such item on that page")
    problems.extend(_check_worksheets(content_dir, languages, pages))
    return problems


def _check_worksheets(content_dir: Path, languages: tuple[str, ...],
                      pages: dict[tuple[str, str], Page]) -> list[str]:
    from ..worksheets.analysis import RULES
    from ..worksheets.definition import load_definition

    problems: list[str] = []
    folder = content_dir / "worksheets"
    if not folder.is_dir():
        return [f"{folder}: the worksheets folder is missing"]

    def catalogue_exists(language: str, key: str) -> bool:
        page_id, _, sub = key.partition("/")
        page = pages.get((language, page_id))
        return page is not None and (not sub or page.item(sub) is not None)

    def ref_exists(language: str, ref: str) -> bool:
        key, _, item_id = ref.partition("#")
        page_id, _, sub = key.partition("/")
        page = pages.get((language, page_id))
        if page is None:
            return False
        return not item_id or item_id in _item_ids(page)

    for path in sorted(folder.glob("*.yaml")):
        try:
            definition = load_definition(path, languages)
        except ContentError as exc:
            problems.append(str(exc))
            continue
        field_ids = {f.id for _, f in definition.all_fields()}
        for step in definition.steps:
            for language in languages:
                for ref in step.teaches:
                    if not ref_exists(language, ref):
                        problems.append(f"{path}: steps.{step.id}.teaches: {ref!r} does not "
                                        f"exist in {language}")
                for f in step.fields:
                    if f.catalogue and not catalogue_exists(language, f.catalogue):
                        problems.append(f"{path}: {step.id}.{f.id}.catalogue: {f.catalogue!r} "
                                        f"does not exist in {language}")
                    if f.label_from and not ref_exists(language, f.label_from):
                        problems.append(f"{path}: {step.id}.{f.id}.label_from: "
                                        f"{f.label_from!r} does not exist in {language}")
                    for ladder in f.ladders:
                        if not catalogue_exists(language, ladder):
                            problems.append(f"{path}: {step.id}.{f.id}.ladders: {ladder!r} "
                                            f"does not exist in {language}")
            for f in step.fields:
                for source in f.tactics_from:
                    if source not in field_ids:
                        problems.append(f"{path}: {step.id}.{f.id}.tactics_from: no field "
                                        f"{source!r}")
            for n, rule in enumerate(step.coach):
                if rule.rule not in RULES:
                    problems.append(f"{path}: steps.{step.id}.coach[{n}]: unknown rule "
                                    f"{rule.rule!r}")
        if definition.rubric is not None:
            # The parser has checked the rubric's shape; this checks it covers the worksheet.
            covered = {step_id for c in definition.rubric.criteria for step_id in c.steps}
            for step in definition.steps:
                if step.fields and step.id not in covered:
                    problems.append(f"{path}: rubric.criteria: no criterion covers the step "
                                    f"{step.id!r} (name it in a criterion's `steps`)")
        template = definition.summary_template
        if template:
            def fields_of(line: str) -> list[str]:
                return sorted(p[1] for p in string.Formatter().parse(line) if p[1])

            english = template.get("en", ())
            for language in languages:
                lines = template.get(language, ())
                if len(lines) != len(english):
                    problems.append(f"{path}: summary_template.{language}: {len(lines)} lines, "
                                    f"English has {len(english)}")
                    continue
                for n, (a, b) in enumerate(zip(english, lines, strict=True)):
                    if fields_of(a) != fields_of(b):
                        problems.append(f"{path}: summary_template.{language}[{n}]: "
                                        f"placeholders differ from English")
    return problems
