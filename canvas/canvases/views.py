"""Home and canvas routes.

    /                              GET        the user's canvases and worksheets (or welcome)
    /canvases/new                  GET, POST  start a canvas
    /canvases/<id>...              the board and versions: see board.py
    /canvases/<id>/rename          GET, POST  rename
    /canvases/<id>/duplicate       POST       copy with all answers
    /canvases/<id>/delete          GET, POST  confirm, then move to the recycle bin
    /canvases/<id>/restore         POST       take back out of the bin (also "undo")
    /canvases/<id>/purge           POST       delete for good, from the bin
    /canvases/<id>/worksheets      POST       add a worksheet to the canvas
    /bin                           GET        the recycle bin
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import owned_canvas
from ..database import write_transaction
from ..extensions import db
from ..forms import ConfirmForm, choices, require_confirmation
from ..library import get_definitions, get_library
from ..worksheets.analysis import progress
from . import service
from .forms import AddWorksheetForm, CanvasForm, RenameForm

bp = Blueprint("canvases", __name__)

def _worksheet_choices(language: str) -> list:
    return choices((d.id, d.title.get(language)) for d in get_definitions().values())


def add_worksheet_form(canvas) -> AddWorksheetForm:
    """The "add a worksheet" form, offering the worksheets in the canvas's language."""
    form = AddWorksheetForm()
    form.definition.choices = _worksheet_choices(canvas.language)
    return form


def worksheet_rows(canvas) -> list[dict]:
    """What the lists show for each worksheet: title, progress, where to continue."""
    definitions = get_definitions()
    rows = []
    for ws in canvas.worksheets:
        definition = definitions.get(ws.definition_id)
        if definition is None:
            continue
        done, total = progress(definition, ws.answers or {})
        rows.append({"worksheet": ws, "title": definition.title.get(canvas.language),
                     "done": done, "total": total,
                     "percent": round(100 * done / total) if total else 0})
    return rows


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render_template("canvases/welcome.html")
    from ..classroom.views import home_sections

    # A page at a time: a student with 200 canvases got a page 200 cards long.
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), 1_000_000)
    page = db.paginate(service.live_canvases_query(current_user), page=number,
                       per_page=int(current_app.config["HOME_PAGE_SIZE"]), error_out=False)
    canvases = page.items
    return render_template("canvases/home.html", canvases=canvases, page=page,
                           rows={c.id: worksheet_rows(c) for c in canvases},
                           classroom=home_sections(current_user), confirm=ConfirmForm())


@bp.route("/canvases/new", methods=["GET", "POST"])
@login_required
def new():
    form = CanvasForm()
    form.worksheet.choices = [*_worksheet_choices(form.language.data or current_user.language),
                              *choices([("", _("No worksheet yet"))])]
    if not form.is_submitted():
        form.language.data = current_user.language
        form.worksheet.data = next(iter(get_definitions()), "")
    if form.validate_on_submit():
        chosen = get_definitions().get(form.worksheet.data)
        with write_transaction():
            canvas = service.create_canvas(current_user, form.title.data, form.language.data,
                                           [chosen] if chosen else [])
        if chosen:
            return redirect(url_for("worksheets.edit", worksheet_id=canvas.worksheets[0].id))
        return redirect(url_for("canvases.show", canvas_id=canvas.id))
    return render_template("canvases/new.html", form=form,
                           worksheet_language=form.language.data or current_user.language
                           ), 422 if form.errors else 200


@bp.route("/canvases/<int:canvas_id>/rename", methods=["GET", "POST"])
@login_required
def rename(canvas_id: int):
    canvas = owned_canvas(current_user, canvas_id)
    form = RenameForm(title=canvas.title)
    if form.validate_on_submit():
        with write_transaction():
            canvas = owned_canvas(current_user, canvas_id)
            service.rename_canvas(canvas, form.title.data)
        flash(_("Renamed to “%(title)s”.", title=canvas.title), "success")
        return redirect(url_for("canvases.home"))
    return render_template("canvases/rename.html", canvas=canvas, form=form), (
        422 if form.errors else 200)


@bp.post("/canvases/<int:canvas_id>/duplicate")
@login_required
def duplicate(canvas_id: int):
    require_confirmation()
    with write_transaction():
        canvas = owned_canvas(current_user, canvas_id)
        twin = service.duplicate_canvas(
            canvas, _("%(title)s (copy)", title=canvas.title), get_definitions(), get_library())
    flash(_("Made a copy: “%(title)s”.", title=twin.title), "success")
    return redirect(url_for("canvases.home"))


@bp.route("/canvases/<int:canvas_id>/delete", methods=["GET", "POST"])
@login_required
def delete(canvas_id: int):
    canvas = owned_canvas(current_user, canvas_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with write_transaction():
            canvas = owned_canvas(current_user, canvas_id)
            service.trash_canvas(canvas)
        flash(_("“%(title)s” was moved to the recycle bin.", title=canvas.title), "undo")
        return redirect(url_for("canvases.home", undo=canvas.id))
    return render_template("canvases/delete.html", canvas=canvas, form=form,
                           days=current_app.config["RECYCLE_BIN_DAYS"])


@bp.post("/canvases/<int:canvas_id>/restore")
@login_required
def restore(canvas_id: int):
    require_confirmation()
    with write_transaction():
        canvas = owned_canvas(current_user, canvas_id, deleted=True)
        service.restore_canvas(canvas)
    flash(_("“%(title)s” is back.", title=canvas.title), "success")
    return redirect(url_for("canvases.home"))


@bp.post("/canvases/<int:canvas_id>/purge")
@login_required
def purge(canvas_id: int):
    require_confirmation()
    with write_transaction():
        canvas = owned_canvas(current_user, canvas_id, deleted=True)
        title = canvas.title
        service.purge_canvas(canvas)
    flash(_("“%(title)s” was deleted for good.", title=title), "info")
    return redirect(url_for("canvases.recycle_bin"))


@bp.post("/canvases/<int:canvas_id>/worksheets")
@login_required
def add_worksheet(canvas_id: int):
    canvas = owned_canvas(current_user, canvas_id)
    form = add_worksheet_form(canvas)
    if not form.validate_on_submit():
        flash(_("Pick one of the worksheets on the list."), "error")
        return redirect(url_for("canvases.show", canvas_id=canvas_id))
    with write_transaction():
        canvas = owned_canvas(current_user, canvas_id)
        worksheet = service.add_worksheet(canvas, get_definitions()[form.definition.data])
    return redirect(url_for("worksheets.edit", worksheet_id=worksheet.id))


@bp.get("/bin")
@login_required
def recycle_bin():
    return render_template("canvases/bin.html", canvases=service.binned_canvases(current_user),
                           confirm=ConfirmForm(), days=current_app.config["RECYCLE_BIN_DAYS"])
