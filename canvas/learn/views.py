"""Learning content routes.

    /learn/                 GET  redirect to the user's language
    /learn/<lang>/          GET  the list of pages
    /learn/<lang>/<page>    GET  one page with its items
"""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import get_locale

from ..i18n import gettext_in
from ..library import get_library

bp = Blueprint("learn", __name__, url_prefix="/learn")

def part_headings(language: str) -> dict[str, str]:
    """Small headings for the parts of an item, in the page's language (they are part of
    the content's reading, not the interface); parts not listed get none."""
    return {"example": gettext_in(language, "Example"),
            "fits": gettext_in(language, "When it fits"),
            "cost": gettext_in(language, "What it costs"),
            "moves_up": gettext_in(language, "What moves people up"),
            "better": gettext_in(language, "Do this instead"),
            "lesson": gettext_in(language, "The lesson"),
            "help": gettext_in(language, "To get you started")}


@bp.get("/")
def index():
    return redirect(url_for("learn.pages", language=str(get_locale() or "en")))


@bp.get("/<language>/")
def pages(language: str):
    library = get_library()
    if language not in library.languages:
        abort(404)
    return render_template("learn/index.html", pages=library.pages_in(language), lang=language)


@bp.get("/<language>/<page_id>")
def page(language: str, page_id: str):
    found = get_library().page(language, page_id)
    if found is None:
        abort(404)
    return render_template("learn/page.html", page=found, lang=language,
                           headings=part_headings(language))
