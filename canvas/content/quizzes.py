"""Self-checks: short questions with options, the right answer and an explanation for every
option, declared in `content/quizzes/*.yaml` with every text in every language.

A quiz belongs to one page and is shown at its end. Its layout is `questions` (a form per
question, checked one at a time) or `sort` (one form: every case is sorted into one of a few
look-alike tactics, checked together). The structure (ids, which option is right) is
declared once for all languages, so a translation cannot move the right answer. An option
is a text of its own or a content item (`item: acquisition#freemium`), whose name in each
language is the option's text.

Marking is plain functions of the quiz and the answers: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup

from ..languages import LANGUAGES
from .loader import ID_PATTERN, MAX_ID_LENGTH, ContentError, Page, Renderer

LAYOUTS = ("questions", "sort")
ANSWER_PREFIX = "answer__"  # a posted answer is `answer__<question id>=<option id>`


@dataclass(frozen=True)
class Option:
    id: str
    text: dict[str, Markup]  # per language, rendered inline
    explain: dict[str, Markup]  # why this option is right or wrong, per language
    right: bool = False
    item: str | None = None  # the content item (`page#item`) the option names


@dataclass(frozen=True)
class Question:
    id: str
    prompt: dict[str, Markup]
    options: tuple[Option, ...]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def right(self) -> Option:
        return next(o for o in self.options if o.right)

    @property
    def input_name(self) -> str:
        """The name of the question's radio buttons in a form."""
        return f"{ANSWER_PREFIX}{self.id}"


@dataclass(frozen=True)
class Quiz:
    id: str
    page: str
    layout: str
    questions: tuple[Question, ...]
    intro: dict[str, Markup] = field(default_factory=dict)
    path: Path | None = None
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per language, as written

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Verdict:
    """A question answered with one of its options."""

    question: Question
    option: Option

    @property
    def right(self) -> bool:
        return self.option.right


def answers_from_form(quiz: Quiz, form: Mapping[str, Any]) -> dict[str, str]:
    """The answers in a posted form, question id -> option id; anything that is not one of
    the quiz's questions with one of its options is left out."""
    out = {}
    for question in quiz.questions:
        value = form.get(question.input_name)
        if isinstance(value, str) and question.option(value) is not None:
            out[question.id] = value
    return out


def mark(quiz: Quiz, answers: Mapping[str, str]) -> dict[str, Verdict]:
    """A verdict for every valid answer, in the quiz's order."""
    out = {}
    for question in quiz.questions:
        option = question.option(answers.get(question.id, ""))
        if option is not None:
            out[question.id] = Verdict(question, option)
    return out


# --- reading the YAML ---------------------------------------------------------------------

QUIZ_KEYS = {"id", "page", "layout", "intro", "questions"}
QUESTION_KEYS = {"id", "prompt", "options"}
OPTION_KEYS = {"id", "text", "item", "right", "explain"}


class _Reader:
    """Walks one quiz file's YAML, rendering texts and naming the key of every problem."""

    def __init__(self, path: Path, languages: tuple[str, ...], renderer: Renderer,
                 pages: Mapping[tuple[str, str], Page]) -> None:
        self.path, self.languages, self.renderer, self.pages = path, languages, renderer, pages
        self.links: dict[str, list[str]] = {lang: [] for lang in languages}

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(self.path, key, problem)

    def ident(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not ID_PATTERN.match(value) \
                or len(value) > MAX_ID_LENGTH:
            raise self.fail(key, f"expected an id of lowercase letters, digits and '-' "
                            f"(at most {MAX_ID_LENGTH}), got {value!r}")
        return value

    def keys(self, raw: dict, allowed: set[str], where: str) -> None:
        unknown = sorted(str(k) for k in set(raw) - allowed)
        if unknown:
            raise self.fail(where or "quiz", f"unknown key(s): {', '.join(unknown)}; use "
                            f"{', '.join(sorted(allowed))}")

    def text(self, raw: dict, key: str, where: str, required: bool = True
             ) -> dict[str, Markup]:
        value = raw.get(key)
        at = f"{where}.{key}" if where else key
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(at, f"expected a text per language ({', '.join(self.languages)})")
        missing = [lang for lang in self.languages
                   if not isinstance(value.get(lang), str) or not value[lang].strip()]
        if missing:
            raise self.fail(at, f"missing language(s): {', '.join(missing)}")
        # Languages the app has but this load leaves out are fine; others are typos.
        unknown = set(value) - set(LANGUAGES) - set(self.languages)
        if unknown:
            raise self.fail(at, f"unknown language(s): {', '.join(sorted(map(str, unknown)))}")
        out = {}
        for lang in self.languages:
            html, found = self.renderer.render(value[lang], lang, inline=True)
            out[lang] = html
            self.links[lang].extend(found)
        return out

    def item_name(self, ref: Any, where: str) -> dict[str, Markup]:
        """The names of a content item (`page#item`) in every language."""
        if not isinstance(ref, str) or "#" not in ref:
            raise self.fail(where, f"expected a content item as page#item, got {ref!r}")
        page_id, _, item_id = ref.partition("#")
        out = {}
        for lang in self.languages:
            page = self.pages.get((lang, page_id))
            item = page.item(item_id) if page else None
            if item is None:
                raise self.fail(where, f"{ref!r} does not exist in {lang}")
            out[lang] = Markup(item.name)
        return out

    def option(self, raw: Any, where: str) -> Option:
        if not isinstance(raw, dict):
            raise self.fail(where, "an option must be a mapping")
        self.keys(raw, OPTION_KEYS, where)
        if ("text" in raw) == ("item" in raw):
            raise self.fail(where, "an option has either `text:` or `item:` (a content item)")
        if "item" in raw:
            text = self.item_name(raw["item"], f"{where}.item")
            option_id = self.ident(raw.get("id", str(raw["item"]).partition("#")[2]),
                                   f"{where}.id")
        else:
            option_id = self.ident(raw.get("id"), f"{where}.id")
            text = self.text(raw, "text", where)
        right = raw.get("right", False)
        if not isinstance(right, bool):
            raise self.fail(f"{where}.right", f"expected true or false, got {right!r}")
        if raw.get("explain") is None:
            raise self.fail(f"{where}.explain", f"option {option_id!r} needs an explanation: "
                            "say why it is right or wrong")
        explain = self.text(raw, "explain", where)
        return Option(option_id, text, explain, right, raw.get("item"))

    def question(self, raw: Any, where: str) -> Question:
        if not isinstance(raw, dict):
            raise self.fail(where, "a question must be a mapping")
        self.keys(raw, QUESTION_KEYS, where)
        question_id = self.ident(raw.get("id"), f"{where}.id")
        prompt = self.text(raw, "prompt", where)
        options_raw = raw.get("options")
        if not isinstance(options_raw, list) or len(options_raw) < 2:
            raise self.fail(f"{where}.options", f"question {question_id!r} needs at least two "
                            "options")
        options = tuple(self.option(o, f"{where}.options[{n}]")
                        for n, o in enumerate(options_raw))
        seen: set[str] = set()
        for option in options:
            if option.id in seen:
                raise self.fail(f"{where}.options", f"duplicate option id {option.id!r}")
            seen.add(option.id)
        right = [o.id for o in options if o.right]
        if len(right) != 1:
            raise self.fail(f"{where}.options", f"question {question_id!r} needs exactly one "
                            f"option with `right: true`, found {len(right)}")
        return Question(question_id, prompt, options)


def load_quiz(path: Path, languages: tuple[str, ...], pages: Mapping[tuple[str, str], Page],
              renderer: Renderer | None = None) -> Quiz:
    """Parse one quiz file, or raise ContentError naming the file and the key."""
    r = _Reader(path, languages, renderer or Renderer(), pages)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise r.fail("yaml", f"not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise r.fail("quiz", "expected a mapping with id, page and questions")
    r.keys(raw, QUIZ_KEYS, "")
    quiz_id = r.ident(raw.get("id"), "id")
    page = r.ident(raw.get("page"), "page")
    for lang in languages:
        if (lang, page) not in pages:
            raise r.fail("page", f"page {page!r} does not exist in {lang}")
    layout = raw.get("layout", "questions")
    if layout not in LAYOUTS:
        raise r.fail("layout", f"expected one of {', '.join(LAYOUTS)}, got {layout!r}")
    intro = r.text(raw, "intro", "", required=False)
    questions_raw = raw.get("questions")
    if not isinstance(questions_raw, list) or not questions_raw:
        raise r.fail("questions", "a quiz needs at least one question")
    questions = tuple(r.question(q, f"questions[{n}]") for n, q in enumerate(questions_raw))
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise r.fail("questions", f"duplicate question id {question.id!r}")
        seen.add(question.id)
    return Quiz(quiz_id, page, layout, questions, intro, path,
                {lang: tuple(found) for lang, found in r.links.items()})


def quiz_files(content_dir: Path) -> list[Path]:
    folder = content_dir / "quizzes"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def load_quizzes(content_dir: Path, languages: Iterable[str],
                 pages: Mapping[tuple[str, str], Page], renderer: Renderer | None = None
                 ) -> dict[str, Quiz]:
    """Every quiz under `content/quizzes/`, by id; a quiz id and a page are used once."""
    languages = tuple(languages)
    found: dict[str, Quiz] = {}
    for path in quiz_files(content_dir):
        quiz = load_quiz(path, languages, pages, renderer)
        check_unique(quiz, found)
        found[quiz.id] = quiz
    return found


def check_unique(quiz: Quiz, found: Mapping[str, Quiz]) -> None:
    """Raise if `quiz` repeats the id or the page of one already loaded."""
    if quiz.id in found:
        raise ContentError(quiz.path or "", "id", f"quiz id {quiz.id!r} is also used by "
                           f"{found[quiz.id].path}")
    other = next((q for q in found.values() if q.page == quiz.page), None)
    if other is not None:
        raise ContentError(quiz.path or "", "page", f"page {quiz.page!r} already has the "
                           f"self-check {other.path}")
