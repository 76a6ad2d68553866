"""Validate a content tree: front matter, the id contract, internal links, the signposts
(learning goals, "in short", the core path), the glossary, the labels, the self-checks and
the worksheets."""

from __future__ import annotations

import string
from pathlib import Path

import yaml

from ..languages import LANGUAGES
from .loader import (
    LINK_PATTERN,
    ContentError,
    Guide,
    Page,
    Renderer,
    iter_page_files,
    load_guide,
    load_ids,
    load_labels,
    load_page,
)
from .quizzes import Quiz, check_unique, load_quiz, quiz_files
from .tree import read_glossaries

GOALS = (2, 3)  # learning goals a page opens with: at least, at most
IN_SHORT = 3  # lines of "in short"
# The labels the learning pages and the self-checks use (templates/learn/); each must exist
# in every language, so a page never shows a blank where a heading should be.
REQUIRED_LABELS = (
    "learning_content", "goals", "in_short", "core_path", "core_path_intro", "core_step",
    "deeper", "deeper_intro", "next_core", "core_done", "self_check", "self_check_intro",
    "sort_intro", "check_answer", "check_all", "right", "wrong", "try_again", "choose_first",
    "score", "not_answered", "saved", "sign_in_to_keep", "used_on", "part_example",
    "part_fits", "part_cost", "part_moves_up", "part_better", "part_lesson", "part_help",
    "part_ask", "ladder_example", "ladder_example_link",
)


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
    guide = Guide()
    try:
        guide = load_guide(content_dir)
    except ContentError as exc:
        problems.append(str(exc))
    glossaries = {}
    try:
        glossaries = read_glossaries(content_dir, languages, guide)
    except ContentError as exc:
        problems.append(str(exc))
    for language, path in iter_page_files(content_dir, languages):
        try:
            page = load_page(path, language, renderer, glossaries.get(language))
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
    problems.extend(_check_signposts(pages))
    problems.extend(_check_guide(content_dir, guide, ids, pages, languages))
    problems.extend(_check_labels(content_dir, languages))
    problems.extend(_check_quizzes(content_dir, languages, pages, ids, renderer))
    problems.extend(_check_worksheets(content_dir, languages, pages))
    return problems


def _check_signposts(pages: dict[tuple[str, str], Page]) -> list[str]:
    """Every page opens with two or three learning goals and three lines of "in short"."""
    problems = []
    for (_, _), page in sorted(pages.items()):
        if not GOALS[0] <= len(page.goals) <= GOALS[1]:
            problems.append(f"{page.path}: goals: {len(page.goals)} learning goal(s); a page "
                            f"opens with {GOALS[0]} or {GOALS[1]}")
        if len(page.in_short) != IN_SHORT:
            problems.append(f"{page.path}: in_short: {len(page.in_short)} line(s); "
                            f"\"in short\" is {IN_SHORT} lines")
    return problems


def _check_guide(content_dir: Path, guide: Guide, ids: dict[str, list[str]],
                 pages: dict[tuple[str, str], Page], languages: tuple[str, ...]) -> list[str]:
    """The core path names pages of the contract, once each, and fits in a lesson; the
    glossary page exists and every one of its terms is used somewhere."""
    path = content_dir / "guide.yaml"
    if not path.exists():
        return [f"{path}: the guide (core path and glossary) is missing"]
    problems = []
    page_ids = {key.split("/")[0] for key in ids}
    seen: set[str] = set()
    for n, step in enumerate(guide.core):
        if step.page not in page_ids:
            problems.append(f"{path}: core[{n}].page: no page {step.page!r} in ids.yaml")
        if step.page in seen:
            problems.append(f"{path}: core[{n}].page: {step.page!r} is on the path twice")
        seen.add(step.page)
    if not guide.core:
        problems.append(f"{path}: core: the core path names no page")
    total = sum(step.minutes for step in guide.core)
    if total > guide.lesson_minutes:
        problems.append(f"{path}: core: the core path takes {total} minutes, more than a "
                        f"lesson of {guide.lesson_minutes}")
    if guide.glossary is None:
        problems.append(f"{path}: glossary: name the glossary page")
    elif guide.glossary not in page_ids:
        problems.append(f"{path}: glossary: no page {guide.glossary!r} in ids.yaml")
    else:
        for language in languages:
            glossary = pages.get((language, guide.glossary))
            if glossary is None:
                continue
            used = set().union(*(p.terms for (lang, _), p in pages.items() if lang == language))
            for item in glossary.items:
                if item.id not in used:
                    problems.append(f"{glossary.path}: items.{item.id}.forms: no page in "
                                    f"{language} uses the term, so nothing links to it")
    return problems


def _check_labels(content_dir: Path, languages: tuple[str, ...]) -> list[str]:
    path = content_dir / "labels.yaml"
    try:
        labels = load_labels(content_dir, languages)
    except ContentError as exc:
        return [str(exc)]
    problems = []
    for key in REQUIRED_LABELS:
        if key not in labels:
            problems.append(f"{path}: {key}: the learning pages need this label")
    for key, texts in labels.items():
        english = _placeholders(texts[languages[0]])
        for language in languages[1:]:
            if _placeholders(texts[language]) != english:
                problems.append(f"{path}: {key}.{language}: placeholders differ from "
                                f"{languages[0]}")
    return problems


def _placeholders(text: str) -> list[str]:
    return sorted(p[1] for p in string.Formatter().parse(text) if p[1])


def _check_quizzes(content_dir: Path, languages: tuple[str, ...],
                   pages: dict[tuple[str, str], Page], ids: dict[str, list[str]],
                   renderer: Renderer) -> list[str]:
    """Each quiz file parses (ids, every language, one right option, an explanation for
    every option, items that exist), quiz ids and pages are not repeated, its links lead
    somewhere, and every page has a self-check."""
    folder = content_dir / "quizzes"
    if not folder.is_dir():
        return [f"{folder}: the self-checks folder is missing"]
    problems = []
    found: dict[str, Quiz] = {}
    attempted: set[str] = set()  # pages whose quiz file exists, sound or not
    for path in quiz_files(content_dir):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            attempted.add(str(raw.get("page")) if isinstance(raw, dict) else "")
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            pass  # load_quiz reports it
        try:
            quiz = load_quiz(path, languages, pages, renderer)
            check_unique(quiz, found)
        except ContentError as exc:
            problems.append(str(exc))
            continue
        found[quiz.id] = quiz
        for language, hrefs in quiz.links.items():
            for href in hrefs:
                match = LINK_PATTERN.match(href)
                target = pages.get((language, match["page"])) if match else None
                if target is None:
                    problems.append(f"{path}: link {href!r}: no such page in {language}")
                elif match["anchor"] and match["anchor"] not in _item_ids(target):
                    problems.append(f"{path}: link {href!r}: no such item on that page in "
                                    f"{language}")
    # A page whose quiz file is broken was reported above, not again as having none.
    covered = {q.page for q in found.values()} | attempted
    for page_id in dict.fromkeys(key.split("/")[0] for key in ids):
        if page_id not in covered:
            problems.append(f"{folder}: page {page_id!r} has no self-check")
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
                if f.kind.asks_for_numbers and not f.estimate:
                    problems.append(f"{path}: {step.id}.{f.id}.estimate: say how to find or "
                                    f"estimate the numbers this field asks for")
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
