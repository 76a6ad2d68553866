"""The class at a glance: the teachers' pages of blueprint `classroom` (URL map in views.py)
for a whole class at once. An assignment's progress table and its bulk actions, the class
picture and its projector view, and the class's work out to the school's systems: the
roster, the progress table and the grades as CSV, every student's PDFs as one ZIP made in
the background. Thin: access, a form, a call into overview / progress / picture / charts /
spreadsheets / class_zip, a page or a file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from .. import audit, jobs
from ..access import class_students, owned_job, taught_assignment, taught_class
from ..database import write_transaction
from ..exports.names import attachment
from ..forms import choices
from ..learn import results
from ..library import get_definitions, get_library
from ..models import Assignment, SchoolClass
from ..web import client_address
from . import assignments as work
from . import charts, class_zip, overview, picture, progress, review, spreadsheets
from .classes import ClassroomError, active_students
from .forms import BulkForm, MoodleForm, ZipForm, to_utc
from .views import actor, bp, now, teaching, zone


def _language() -> str:
    """The teacher's interface language (the CSV files' headers are in it)."""
    return str(get_locale() or "en")


def _file(text: str, title: str, what: str, assignment: Assignment | None,
          school_class: SchoolClass) -> Response:
    """A CSV download, recorded in the audit log (it holds students' names and grades)."""
    with write_transaction():
        audit.record("export", user_id=actor().id, address=client_address(), csv=what,
                     class_id=school_class.id,
                     assignment_id=assignment.id if assignment else None)
    return Response(text.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": attachment(title, now(), what, "csv"),
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


# --- the progress table ----------------------------------------------------------------------

def _view() -> tuple[str, str, bool]:
    """The filter and the order the page shows (?filter=&sort=&order=)."""
    chosen = request.args.get("filter", "all")
    key = request.args.get("sort", "name")
    return (chosen if chosen in progress.FILTERS else "all",
            key if key in progress.SORTS else "name", request.args.get("order") == "desc")


def _bulk_form(rows: list[progress.ProgressRow], **data: Any) -> BulkForm:
    form = BulkForm(**data)
    form.student.choices = choices((row.student_id, _("Select %(name)s", name=row.name))
                                   for row in rows)
    return form


def _progress_page(assignment: Assignment, status: int = 200, *, form: BulkForm | None = None,
                   zip_form: ZipForm | None = None, moodle_form: MoodleForm | None = None):
    definitions = get_definitions()
    rows = overview.progress_rows(assignment, definitions, now())
    chosen, key, descending = _view()
    form = form or _bulk_form(rows, formdata=None)
    rubric = review.rubric_of(assignment, definitions)
    return render_template(
        "classroom/progress.html", assignment=assignment, school_class=assignment.school_class,
        rows=progress.shown(rows, chosen, key, descending), tally=progress.counts(rows),
        steps=overview.step_titles(assignment, definitions, get_library()),
        lang=assignment.school_class.language, filter=chosen, filters=progress.FILTERS,
        sort=key, descending=descending, form=form,
        boxes={box.data: box for box in form.student},
        zip_form=zip_form or ZipForm(formdata=None, prefix="zip"),
        moodle_form=moodle_form or MoodleForm(formdata=None, prefix="moodle"),
        max_points=rubric.max_points if rubric else None,
        kind_title=work.kind_title(assignment, definitions, assignment.school_class.language),
        view_args={"filter": chosen, "sort": key, "order": "desc" if descending else "asc"}
    ), status


# One rule for both methods: with two, an id too large for the database is a 405 for the
# method the other rule has, not the 404 every other missing id is (werkzeug checks the
# method before the converter).
@bp.route("/classes/<int:class_id>/assignments/<int:assignment_id>/progress",
          methods=["GET", "POST"])
@teaching
def progress_table(class_id: int, assignment_id: int):
    assignment = taught_assignment(actor(), class_id, assignment_id)
    if request.method == "POST":
        return _bulk_action(assignment, class_id, assignment_id)
    return _progress_page(assignment)


def _bulk_action(assignment: Assignment, class_id: int, assignment_id: int):
    """Return for revision, give more time, or download the PDFs of the ticked students."""
    rows = overview.progress_rows(assignment, get_definitions(), now())
    form = _bulk_form(rows)
    if not form.validate_on_submit():
        return _progress_page(assignment, 422, form=form)
    chosen, key, descending = _view()
    back = url_for("classroom.progress_table", class_id=class_id, assignment_id=assignment_id,
                   filter=chosen, sort=key, order="desc" if descending else "asc")
    if form.action.data == "download":
        ticked = set(class_students(assignment.class_id, form.student.data))
        return _start_zip(assignment, _handed_in(rows, ticked), form.size.data, back)
    try:
        with write_transaction():
            assignment = taught_assignment(actor(), class_id, assignment_id)
            students = class_students(assignment.class_id, form.student.data)
            if form.action.data == "return":
                returned, skipped = review.return_for_revision(assignment, students,
                                                               actor().id, now())
            else:
                for student_id in students:
                    work.set_extension(assignment, student_id, to_utc(form.due_at.data, zone()),
                                       to_utc(form.closes_at.data, zone()))
    except ClassroomError as exc:
        form.due_at.errors.append(str(exc.message))
        return _progress_page(assignment, 422, form=form)
    if form.action.data == "return":
        message = ngettext("Returned the work of %(num)d student for revision.",
                           "Returned the work of %(num)d students for revision.", returned)
        if skipped:
            message += " " + ngettext(
                "%(num)d student had no hand-in waiting to be returned.",
                "%(num)d students had no hand-in waiting to be returned.", skipped)
        flash(message, "success" if returned else "info")
    else:
        flash(ngettext("%(num)d student has more time.", "%(num)d students have more time.",
                       len(students)), "success")
    return redirect(back)


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>/progress.csv")
@teaching
def progress_csv(class_id: int, assignment_id: int):
    """The progress table as the page shows it (the same filter and order)."""
    assignment = taught_assignment(actor(), class_id, assignment_id)
    definitions = get_definitions()
    chosen, key, descending = _view()
    rows = progress.shown(overview.progress_rows(assignment, definitions, now()), chosen, key,
                          descending)
    rubric = review.rubric_of(assignment, definitions)
    text = spreadsheets.progress_csv(
        rows, overview.step_titles(assignment, definitions, get_library()),
        rubric.max_points if rubric else None, _language(), zone())
    return _file(text, f"{assignment.school_class.name} {assignment.title}", "progress",
                 assignment, assignment.school_class)


@bp.get("/classes/<int:class_id>/roster.csv")
@teaching
def roster_csv(class_id: int):
    school_class = taught_class(actor(), class_id)
    text = spreadsheets.roster_csv(overview.roster_members(school_class), _language())
    return _file(text, school_class.name, "roster", None, school_class)


# --- grades for the school's learning platform --------------------------------------------------

def _grades(class_id: int, assignment_id: int) -> tuple[Assignment, list, int | None]:
    assignment = taught_assignment(actor(), class_id, assignment_id)
    definitions = get_definitions()
    rubric = review.rubric_of(assignment, definitions)
    rows = progress.sort_rows(overview.progress_rows(assignment, definitions, now()))
    return assignment, rows, rubric.max_points if rubric else None


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/grades/moodle")
@teaching
def moodle_grades(class_id: int, assignment_id: int):
    """Moodle's own grading worksheet, uploaded, back with the released grades filled in
    (docs/class-exports.md); on a file that is not one, the progress page says why."""
    assignment, rows, _max_points = _grades(class_id, assignment_id)
    form = MoodleForm(prefix="moodle")
    if form.validate_on_submit():
        data = form.worksheet.data.read(spreadsheets.MOODLE_MAX_BYTES + 1)
        try:
            if len(data) > spreadsheets.MOODLE_MAX_BYTES:
                raise spreadsheets.WorksheetError("too-big")
            filled = spreadsheets.fill_moodle_worksheet(data, rows)
        except spreadsheets.WorksheetError as exc:
            form.worksheet.errors.append(_worksheet_problem(exc))
        else:
            if filled.not_in_file:  # shown on the next page the teacher opens
                flash(ngettext("%(num)d student with a released grade is not in Moodle's "
                               "worksheet: %(names)s.",
                               "%(num)d students with a released grade are not in Moodle's "
                               "worksheet: %(names)s.", len(filled.not_in_file),
                               names=", ".join(filled.not_in_file)), "info")
            return _file(filled.text, f"{assignment.school_class.name} {assignment.title}",
                         "grades-moodle", assignment, assignment.school_class)
    return _progress_page(assignment, 422, moodle_form=form)


def _worksheet_problem(exc: spreadsheets.WorksheetError) -> str:
    """What the teacher reads when the uploaded file is not a worksheet to fill in."""
    match exc.problem:
        case "not-utf8":
            return _("The file is not UTF-8 text. Upload the CSV file Moodle gave you, "
                     "unchanged.")
        case "columns":
            return _("The file lacks Moodle's columns %(columns)s. Download the grading "
                     "worksheet from the assignment in Moodle (with Moodle in English) and "
                     "upload it unchanged.", columns=exc.values.get("columns", ""))
        case "too-long" | "too-big":
            return _("The file is too large for one class's grading worksheet.")
        case "empty":
            return _("The file is empty.")
    return _("The file is not a CSV file. Upload the CSV file Moodle gave you, unchanged.")


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>/grades/canvas.csv")
@teaching
def canvas_grades(class_id: int, assignment_id: int):
    """A Canvas LMS gradebook (docs/class-exports.md)."""
    assignment, rows, max_points = _grades(class_id, assignment_id)
    text = spreadsheets.canvas_gradebook(rows, assignment.title, assignment.school_class.name,
                                         max_points)
    return _file(text, f"{assignment.school_class.name} {assignment.title}", "grades-canvas",
                 assignment, assignment.school_class)


# --- the class picture ---------------------------------------------------------------------------

def _picture_page(assignment: Assignment, projector: bool):
    definitions, library = get_definitions(), get_library()
    language = assignment.school_class.language
    definition = definitions.get(assignment.definition_id or "")
    entries = overview.class_answers(assignment)
    drawn = picture.class_picture(definition, entries, library, language) if definition else []
    names = None
    if not projector:
        names = {s.id: s.name for s in active_students(assignment.class_id)}
    shown = [(chart, charts.chart_svg(chart, language, names) if chart.answered else None,
              charts.table_rows(chart, language)) for chart in drawn]
    return render_template(
        "classroom/picture_projector.html" if projector else "classroom/picture.html",
        assignment=assignment, school_class=assignment.school_class, charts=shown,
        names=names or {}, started=len(entries), lang=language,
        kind_title=work.kind_title(assignment, definitions, language))


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>/picture")
@teaching
def class_picture(class_id: int, assignment_id: int):
    """The class picture for the teacher: a tooltip and a table row name each answer."""
    return _picture_page(taught_assignment(actor(), class_id, assignment_id), False)


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>/picture/projector")
@teaching
def picture_projector(class_id: int, assignment_id: int):
    """The class picture to show the class: the same charts, no name anywhere."""
    return _picture_page(taught_assignment(actor(), class_id, assignment_id), True)


# --- every student's PDFs as one ZIP --------------------------------------------------------------

def _handed_in(rows: list[progress.ProgressRow], among: set[int] | None = None) -> list[int]:
    """The students of `rows` (of `among`, when given) who have handed in: PDFs to make."""
    return [row.student_id for row in rows
            if row.attempt is not None and (among is None or row.student_id in among)]


def _start_zip(assignment: Assignment, students: list[int], size: str, back: str):
    if not students:
        flash(_("No student has handed in yet, so there are no PDFs to make."), "info")
        return redirect(back)
    try:
        job_id = class_zip.start(current_app.config, assignment, actor().id, students, size)
    except jobs.JobBusy:
        flash(_("A ZIP of yours is still being made. When it is ready, start the next one."),
              "info")
        return redirect(back)
    return redirect(url_for("classroom.zip_job", class_id=assignment.class_id,
                            assignment_id=assignment.id, job_id=job_id))


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/pdfs")
@teaching
def start_zip(class_id: int, assignment_id: int):
    """Make the ZIP of every student's PDFs who has handed in."""
    assignment = taught_assignment(actor(), class_id, assignment_id)
    form = ZipForm(prefix="zip")
    if not form.validate_on_submit():
        return _progress_page(assignment, 422, zip_form=form)
    back = url_for("classroom.progress_table", class_id=class_id, assignment_id=assignment_id)
    rows = overview.progress_rows(assignment, get_definitions(), now())
    return _start_zip(assignment, _handed_in(rows), form.size.data, back)


def _job(class_id: int, assignment_id: int, job_id: str
         ) -> tuple[Assignment, jobs.Status, dict[str, Any]]:
    assignment = taught_assignment(actor(), class_id, assignment_id)
    job = owned_job(actor(), job_id, class_zip.KIND)
    if (job.params or {}).get("assignment_id") != assignment.id:
        abort(404)
    state = jobs.status(job_id)
    if state is None:
        abort(404)
    return assignment, state, job.params or {}


def _job_words(state: jobs.Status) -> str:
    """Where the ZIP is, in the teacher's words."""
    if state.state == jobs.QUEUED:
        return _("Waiting for a free worker…")
    if state.state == jobs.RUNNING:
        return ngettext("Made %(done)d of %(num)d PDF.", "Made %(done)d of %(num)d PDFs.",
                        state.total, done=state.done) if state.total else _("Starting…")
    if state.state == jobs.DONE:
        return _("The ZIP is ready.")
    if state.error == jobs.TIMEOUT:
        return _("Making the ZIP took too long and was stopped. Try again with fewer students "
                 "ticked in the progress table.")
    return _("The ZIP could not be made. Try again in a moment; if it keeps failing, tell the "
             "site's administrator.")


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>/pdfs/<job_id>")
@teaching
def zip_job(class_id: int, assignment_id: int, job_id: str):
    """The ZIP being made: a progress bar (kept up to date by static/js/class-zip.js, or by
    reloading the page without JavaScript), then the download."""
    assignment, state, _ = _job(class_id, assignment_id, job_id)
    return render_template("classroom/zip_job.html", assignment=assignment,
                           school_class=assignment.school_class, job=state,
                           words=_job_words(state), zip_form=ZipForm(formdata=None, prefix="zip"))


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>/pdfs/<job_id>/status")
@teaching
def zip_status(class_id: int, assignment_id: int, job_id: str):
    """The job's state as JSON, for the progress bar."""
    assignment, state, _ = _job(class_id, assignment_id, job_id)
    download = (url_for("classroom.zip_download", class_id=class_id,
                        assignment_id=assignment_id, job_id=job_id)
                if state.state == jobs.DONE else None)
    return jsonify(state=state.state, done=state.done, total=state.total,
                   finished=state.finished, words=_job_words(state), download=download), 200, {
        "Cache-Control": "no-store"}


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>/pdfs/<job_id>/download")
@teaching
def zip_download(class_id: int, assignment_id: int, job_id: str):
    """The finished ZIP (kept for JOB_KEEP_HOURS, so it downloads again after a reload)."""
    assignment, state, params = _job(class_id, assignment_id, job_id)
    if state.state != jobs.DONE:
        return redirect(url_for("classroom.zip_job", class_id=class_id,
                                assignment_id=assignment_id, job_id=job_id))
    made = jobs.result(job_id)
    with write_transaction():
        audit.record("export", user_id=actor().id, address=client_address(), pdf="class-zip",
                     class_id=class_id, assignment_id=assignment_id)
    title = f"{assignment.school_class.name} {assignment.title}"
    # Named for the day the ZIP was asked for, the date its PDFs print (not today's).
    when = datetime.fromisoformat(params["when"])
    return Response(made.data, mimetype="application/zip", headers={
        "Content-Disposition": attachment(title, when, "pdfs", "zip"),
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


# --- the class's self-check results ---------------------------------------------------------------

@bp.get("/classes/<int:class_id>/self-checks")
@teaching
def self_check_results(class_id: int):
    """How the class did on each self-check question: counts only, no student named, in the
    class's language (the questions are content)."""
    school_class = taught_class(actor(), class_id)
    library = get_library()
    students = active_students(class_id)
    lang = school_class.language
    quizzes = {quiz.id: quiz for quiz in library.quizzes.values()}
    sections: list[tuple[Any, list[tuple[Any, Any]]]] = []
    for result in results.class_results([s.id for s in students], library):
        quiz = quizzes[result.quiz_id]
        if not sections or sections[-1][0] is not quiz:
            sections.append((quiz, []))
        sections[-1][1].append((quiz.question(result.question_id), result))
    return render_template(
        "classroom/self_checks.html", school_class=school_class, lang=lang,
        students=len(students), sections=sections,
        page_titles={p.id: p.title for p in library.pages_in(lang)})
