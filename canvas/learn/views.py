"""Learning content routes.

    /learn/                 GET  redirect to the user's language
    /learn/<lang>/          GET  the list of pages
    /learn/<lang>/<page>    GET  one page with its items
"""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from ..library import get_library

bp = Blueprint("learn", __name__, url_prefix="/learn")


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
    return render_template("learn/page.html", page=found, lang=language)
