"""Learning content routes.

    /learn/                 GET  redirect to the user's language
    /learn/<lang>/          GET  the list of pages
    /learn/<lang>/<page>    GET  one page with its items
"""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from ..library import get_library

bp = Blueprint("learn", __name__, url_prefix="/learn")

# Small headings for the parts of an item, per language; parts not listed get none.
PART_HEADINGS = {
    "en": {"example": "Example", "fits": "When it fits", "cost": "What it costs",
           "moves_up": "What moves people up", "better": "Do this instead",
           "lesson": "The lesson", "help": "To get you started"},
    "da": {"example": "Eksempel", "fits": "Hvornår det passer", "cost": "Hvad det koster",
           "moves_up": "Hvad får folk op ad stigen", "better": "Gør i stedet sådan",
           "lesson": "Læren", "help": "Til at komme i gang"},
    "nb": {"example": "Eksempel", "fits": "Når det passer", "cost": "Hva det koster",
           "moves_up": "Hva får folk oppover", "better": "Gjør heller slik",
           "lesson": "Lærdommen", "help": "For å komme i gang"},
}


@bp.get("/")
def index():
    language = current_user.language if current_user.is_authenticated else "en"
    return redirect(url_for("learn.pages", language=language))


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
                           headings=PART_HEADINGS.get(language, PART_HEADINGS["en"]))
