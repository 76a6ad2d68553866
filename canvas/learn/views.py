"""Learning content routes.

    /learn/                 GET   redirect to the user's language
    /learn/<lang>/          GET   the pages: the core path of a first lesson, then the rest
    /learn/<lang>/<page>    GET   one page: goals, in short, the text, items, its self-check
    /learn/<lang>/<page>    POST  answer the page's self-check: the page again with the
                                  feedback (no JavaScript needed), or, asked for JSON, the
                                  feedback alone for static/js/quiz.js to put in place

Every word on these pages is in the page's own language (content/labels.yaml); answers are
kept for signed-in users (learn/results.py), never for visitors.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user

from ..content.loader import Library, Page
from ..content.quizzes import Quiz, Verdict, answers_from_form, mark
from ..library import get_library
from .diagrams import ladder_example
from .results import answers_of, record_answers

bp = Blueprint("learn", __name__, url_prefix="/learn")

PART_PREFIX = "part_"  # labels.yaml keys of the small headings over an item's parts


def _page_or_404(language: str, page_id: str) -> tuple[Library, Page]:
    library = get_library()
    if language not in library.languages:
        abort(404)
    found = library.page(language, page_id)
    if found is None:
        abort(404)
    return library, found


def _words(library: Library, language: str) -> dict[str, Any]:
    """What every learning template needs to speak the page's language."""
    return {"lang": language, "wording": partial(library.label, language),
            "parts": {key.removeprefix(PART_PREFIX): texts[language]
                      for key, texts in library.labels.items() if key.startswith(PART_PREFIX)}}


@bp.get("/")
def index():
    return redirect(url_for("learn.pages", language=str(get_locale() or "en")))


@bp.get("/<language>/")
def pages(language: str):
    library = get_library()
    if language not in library.languages:
        abort(404)
    core = library.core_path(language)
    on_path = {page.id for _, page in core}
    return render_template(
        "learn/index.html", core=core, minutes=sum(step.minutes for step, _ in core),
        deeper=[p for p in library.pages_in(language) if p.id not in on_path],
        **_words(library, language))


@bp.get("/<language>/<page_id>")
def page(language: str, page_id: str):
    library, found = _page_or_404(language, page_id)
    return _render_page(library, found)


@bp.post("/<language>/<page_id>")
def check(language: str, page_id: str):
    """Answer the page's self-check: one question, or every case of a sorting exercise."""
    # CSRFProtect has checked the token of this post, as of every post.
    library, found = _page_or_404(language, page_id)
    quiz = library.quiz_for(found.id)
    if quiz is None:
        abort(404)
    verdicts = mark(quiz, answers_from_form(quiz, request.form))
    if verdicts and current_user.is_authenticated:
        record_answers(current_user.id, quiz, verdicts)
    status = 200 if verdicts else 422
    if request.accept_mimetypes.best == "application/json":
        return jsonify(_feedback_json(library, quiz, language, verdicts)), status
    return _render_page(library, found, verdicts, status)


def _render_page(library: Library, found: Page, posted: dict[str, Verdict] | None = None,
                 status: int = 200):
    """The page with its self-check showing the feedback of the answers just posted, over
    the user's stored ones."""
    language = found.language
    quiz = library.quiz_for(found.id)
    verdicts: dict[str, Verdict] = {}
    if quiz is not None and current_user.is_authenticated:
        stored = answers_of(current_user.id, quiz)
        verdicts = mark(quiz, {qid: row.last_choice for qid, row in stored.items()})
    verdicts.update(posted or {})
    position = library.guide.position(found.id)
    core = library.core_path(language)
    return render_template(
        "learn/page.html", page=found, quiz=quiz, verdicts=verdicts,
        nothing_chosen=posted is not None and not posted, asked=request.form.get("asked"),
        position=position, core=core,
        ladder=ladder_example(library, Path(current_app.config["CONTENT_DIR"]), language,
                              found.id),
        glossary_id=library.guide.glossary,
        term_uses=partial(library.term_uses, language),
        **_words(library, language)), status


def _feedback_json(library: Library, quiz: Quiz, language: str,
                   verdicts: dict[str, Verdict]) -> dict[str, Any]:
    words = _words(library, language)
    out: dict[str, Any] = {
        "answers": {qid: {"right": v.right, "html": render_template(
            "learn/_feedback.html", verdict=v, **words)} for qid, v in verdicts.items()}}
    if not verdicts:
        out["message"] = library.label(language, "choose_first")
    if quiz.layout == "sort":
        out["score_html"] = render_template("learn/_score.html", quiz=quiz,
                                            verdicts=verdicts, **words)
    return out
