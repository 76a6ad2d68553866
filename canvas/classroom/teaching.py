"""The teachers' pages of blueprint `classroom` (URL map in views.py): classes, the roster,
assignments, and reviewing students' work. Thin: access, a form, a service call, a page."""

from __future__ import annotations

import io
from typing import Any

import segno
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
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import audit
from ..access import class_student, taught_assignment, taught_class
from ..accounts import NotAllowed, set_password_by
from ..database import write_transaction
from ..extensions import db
from ..forms import ConfirmForm, choices, require_confirmation
from ..library import get_definitions, get_library
from ..models import Assignment, SchoolClass, User
from ..saving import parse_version, save, versioned_save
from ..web import client_address
from ..worksheets.views import teaching as step_teaching
from . import assignments as work
from . import classes, counts, review, roster
from .classes import ClassroomError
from .forms import (
    AssignmentForm,
    ClassForm,
    ExtensionForm,
    ImportForm,
    StudentForm,
    TeacherForm,
    to_local,
    to_utc,
)
from .views import actor, admin_only, bp, now, refused, teaching, zone

# --- classes ---------------------------------------------------------------------------------


@bp.get("/classes")
@teaching
def class_list():
    user = actor()
    taught = classes.all_classes() if user.role == "admin" else classes.classes_taught(user)
    ids = [c.id for c in taught]
    pending = []
    if user.role == "admin":
        pending = list(db.session.scalars(db.select(User).where(
            User.role == "teacher", User.awaiting_approval.is_(True)).order_by(User.email)))
    return render_template("classroom/classes.html", classes=taught,
                           teachers=classes.teachers_of(ids),
                           students=classes.student_counts(ids),
                           waiting=counts.needs_marking_by(user.id, "class_id"),
                           pending_teachers=pending, confirm=ConfirmForm())


@bp.route("/classes/new", methods=["GET", "POST"])
@teaching
def new_class():
    form = ClassForm()
    if not form.is_submitted():
        form.language.data = actor().language  # the teacher's own, to start from
    if form.validate_on_submit():
        try:
            with write_transaction():
                school_class = classes.create_class(actor(), form.name.data, form.language.data,
                                                    form.needs_approval.data)
        except ClassroomError as exc:
            form.name.errors.append(str(exc.message))
        else:
            flash(_("The class is ready. Show the code or the QR code to your students so "
                    "they can join."), "success")
            return redirect(url_for("classroom.show_class", class_id=school_class.id))
    return render_template("classroom/new_class.html", form=form), 422 if form.errors else 200


def _class_page(school_class: SchoolClass, status: int = 200, **forms: Any):
    settings = forms.get("settings") or ClassForm(
        formdata=None, prefix="settings", name=school_class.name,
        language=school_class.language, needs_approval=school_class.join_needs_approval)
    link = (url_for("classroom.join_link", code=school_class.join_code, _external=True)
            if school_class.join_code else None)
    return render_template(
        "classroom/class.html", school_class=school_class, roster=classes.roster(school_class),
        assignments=school_class.assignments, link=link,
        code=classes.format_code(school_class.join_code),
        waiting=counts.waiting_by_assignment(school_class.id), settings=settings,
        student_form=forms.get("student") or StudentForm(formdata=None, prefix="student"),
        import_form=forms.get("upload") or ImportForm(formdata=None, prefix="roster"),
        teacher_form=forms.get("teacher") or TeacherForm(formdata=None, prefix="teacher"),
        confirm=ConfirmForm(), added=forms.get("added"), definitions=get_definitions(),
        now=now()), status


@bp.get("/classes/<int:class_id>")
@teaching
def show_class(class_id: int):
    return _class_page(taught_class(actor(), class_id))


@bp.post("/classes/<int:class_id>/settings")
@teaching
def class_settings(class_id: int):
    school_class = taught_class(actor(), class_id)
    form = ClassForm(prefix="settings")
    if not form.validate_on_submit():
        return _class_page(school_class, 422, settings=form)
    try:
        with write_transaction():
            school_class = taught_class(actor(), class_id)
            classes.update_class(school_class, form.name.data, form.language.data,
                                 form.needs_approval.data)
    except ClassroomError as exc:
        form.name.errors.append(str(exc.message))
        return _class_page(school_class, 422, settings=form)
    flash(_("Saved."), "success")
    return redirect(url_for("classroom.show_class", class_id=class_id))


@bp.post("/classes/<int:class_id>/code")
@teaching
def join_code(class_id: int):
    taught_class(actor(), class_id)
    action = request.form.get("action")
    if not ConfirmForm().validate_on_submit() or action not in ("reset", "off"):
        abort(400)
    with write_transaction():
        school_class = taught_class(actor(), class_id)
        if action == "reset":
            classes.reset_code(school_class)
        else:
            classes.switch_off_code(school_class)
    flash(_("The class has a new code; the old code and link no longer work.")
          if action == "reset" else
          _("Joining with a code is switched off. Make a new code to switch it on again."),
          "success")
    return redirect(url_for("classroom.show_class", class_id=class_id, _anchor="join"))


def _qr(link: str) -> bytes:
    """The join link as an SVG QR code, sized by the page (no width or height of its own)."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", border=2, xmldecl=False, omitsize=True,
                                     title=_("QR code for joining the class"))
    return out.getvalue()


@bp.get("/classes/<int:class_id>/qr.svg")
@teaching
def qr_code(class_id: int):
    school_class = taught_class(actor(), class_id)
    if not school_class.join_code:
        abort(404)
    link = url_for("classroom.join_link", code=school_class.join_code, _external=True)
    return Response(_qr(link), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, no-store"})


@bp.get("/classes/<int:class_id>/projector")
@teaching
def projector(class_id: int):
    school_class = taught_class(actor(), class_id)
    link = (url_for("classroom.join_link", code=school_class.join_code, _external=True)
            if school_class.join_code else None)
    return render_template("classroom/projector.html", school_class=school_class, link=link,
                           code=classes.format_code(school_class.join_code),
                           join_page=url_for("classroom.join", _external=True))


def _limit() -> int:
    return int(current_app.config["CLASS_MAX_STUDENTS"])


@bp.post("/classes/<int:class_id>/students")
@teaching
def add_student(class_id: int):
    school_class = taught_class(actor(), class_id)
    form = StudentForm(prefix="student")
    if not form.validate_on_submit():
        return _class_page(school_class, 422, student=form)
    try:
        with write_transaction():
            school_class = taught_class(actor(), class_id)
            added = roster.add_students(school_class, [roster.RosterRow(
                1, form.name.data or "", form.email.data or "")], _limit())
    except ClassroomError as exc:
        form.email.errors.append(str(exc.message))
        return _class_page(school_class, exc.status, student=form)
    if added[0].outcome == "refused":
        form.email.errors.append(str(added[0].problem))
        return _class_page(school_class, 422, student=form)
    return _class_page(taught_class(actor(), class_id), added=added)


@bp.post("/classes/<int:class_id>/students/import")
@teaching
def import_students(class_id: int):
    school_class = taught_class(actor(), class_id)
    form = ImportForm(prefix="roster")
    if not form.validate_on_submit():
        return _class_page(school_class, 422, upload=form)
    try:
        rows, problems = roster.read_csv(form.file.data.read(roster.MAX_FILE_BYTES + 1),
                                         _limit())
        with write_transaction():
            school_class = taught_class(actor(), class_id)
            added = roster.add_students(school_class, rows, _limit())
    except ClassroomError as exc:
        form.file.errors.append(str(exc.message))
        return _class_page(school_class, 422, upload=form)
    added = sorted(added + problems, key=lambda row: row.line)
    return _class_page(taught_class(actor(), class_id), added=added)


@bp.post("/classes/<int:class_id>/teachers")
@teaching
def add_teacher(class_id: int):
    school_class = taught_class(actor(), class_id)
    form = TeacherForm(prefix="teacher")
    if not form.validate_on_submit():
        return _class_page(school_class, 422, teacher=form)
    try:
        with write_transaction():
            school_class = taught_class(actor(), class_id)
            user = classes.add_teacher(school_class, form.email.data)
    except ClassroomError as exc:
        form.email.errors.append(str(exc.message))
        return _class_page(school_class, exc.status, teacher=form)
    flash(_("%(name)s now teaches this class too.", name=user.name), "success")
    return redirect(url_for("classroom.show_class", class_id=class_id, _anchor="teachers"))


@bp.post("/classes/<int:class_id>/members/<int:user_id>/approve")
@teaching
def approve_member(class_id: int, user_id: int):
    taught_class(actor(), class_id)
    require_confirmation()
    try:
        with write_transaction():
            school_class = taught_class(actor(), class_id)
            member = classes.approve(school_class, user_id)
            name = member.user.name
    except ClassroomError as exc:
        return refused(exc, url_for("classroom.show_class", class_id=class_id))
    flash(_("%(name)s is in the class.", name=name), "success")
    return redirect(url_for("classroom.show_class", class_id=class_id, _anchor="students"))


@bp.post("/classes/<int:class_id>/members/<int:user_id>/remove")
@teaching
def remove_member(class_id: int, user_id: int):
    taught_class(actor(), class_id)
    require_confirmation()
    try:
        with write_transaction():
            school_class = taught_class(actor(), class_id)
            member = classes.remove(school_class, user_id)
            name = member.user.name
            audit.record("removed from a class", user_id=user_id, actor_id=actor().id,
                         address=client_address(), class_id=class_id, role=member.role)
    except ClassroomError as exc:
        return refused(exc, url_for("classroom.show_class", class_id=class_id))
    flash(_("%(name)s is no longer in the class.", name=name), "success")
    if user_id == actor().id:
        return redirect(url_for("classroom.class_list"))
    return redirect(url_for("classroom.show_class", class_id=class_id, _anchor="students"))


@bp.post("/classes/<int:class_id>/members/<int:user_id>/password")
@teaching
def new_password(class_id: int, user_id: int):
    """A new password for a student of the class (they are signed out everywhere), shown
    once to hand over."""
    taught_class(actor(), class_id)
    require_confirmation()
    with write_transaction():
        school_class = taught_class(actor(), class_id)
        class_student(school_class.id, user_id)
        student = db.session.get(User, user_id)
        password = roster.new_password()
        try:
            ended = set_password_by(actor(), student, password)
        except NotAllowed:
            abort(403)
        audit.record("password set by teacher", user_id=student.id, actor_id=actor().id,
                     address=client_address(), sessions_ended=ended, class_id=class_id)
        name = student.name
        email = student.email
    return render_template("classroom/new_password.html", school_class=school_class,
                           name=name, email=email, password=password)


@bp.route("/classes/<int:class_id>/delete", methods=["GET", "POST"])
@teaching
def delete_class(class_id: int):
    school_class = taught_class(actor(), class_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with write_transaction():
            school_class = taught_class(actor(), class_id)
            name = school_class.name
            classes.delete_class(school_class)
        flash(_("The class “%(name)s” is deleted. The students keep their canvases.",
                name=name), "info")
        return redirect(url_for("classroom.class_list"))
    return render_template("classroom/delete_class.html", school_class=school_class,
                           form=form)


@bp.post("/classes/teachers/<int:user_id>/approve")
@admin_only
def approve_teacher(user_id: int):
    require_confirmation()
    with write_transaction():
        user = db.session.get(User, user_id)
        if user is None or user.role != "teacher":
            abort(404)
        user.awaiting_approval = False
        audit.record("teacher approved", user_id=user.id, actor_id=actor().id,
                     address=client_address())
        email = user.email
    flash(_("%(email)s can now make classes.", email=email), "success")
    return redirect(url_for("classroom.class_list"))


# --- assignments -----------------------------------------------------------------------------

def _assignment_form(school_class: SchoolClass, **data: Any) -> AssignmentForm:
    form = AssignmentForm(**data)
    form.definition.choices = choices(
        (d.id, d.title.get(school_class.language)) for d in get_definitions().values())
    return form


def _dates(form: AssignmentForm) -> tuple[Any, Any, Any]:
    return (to_utc(form.opens_at.data, zone()), to_utc(form.due_at.data, zone()),
            to_utc(form.closes_at.data, zone()))


@bp.route("/classes/<int:class_id>/assignments/new", methods=["GET", "POST"])
@teaching
def new_assignment(class_id: int):
    school_class = taught_class(actor(), class_id)
    form = _assignment_form(school_class)
    if not form.is_submitted():
        form.opens_at.data = to_local(now(), zone())
        form.definition.data = next(iter(get_definitions()), "")
    if form.validate_on_submit():
        try:
            with write_transaction():
                school_class = taught_class(actor(), class_id)
                assignment = work.create_assignment(
                    school_class, form.title.data, form.kind.data, form.definition.data,
                    form.instructions.data, *_dates(form), get_definitions())
        except ClassroomError as exc:
            form.due_at.errors.append(str(exc.message))
        else:
            flash(_("The assignment is set. Students see it on their home page from when it "
                    "opens."), "success")
            return redirect(url_for("classroom.assignment", class_id=class_id,
                                    assignment_id=assignment.id))
    return render_template("classroom/assignment_form.html", school_class=school_class,
                           form=form, assignment=None), 422 if form.errors else 200


@bp.route("/classes/<int:class_id>/assignments/<int:assignment_id>/edit",
          methods=["GET", "POST"])
@teaching
def edit_assignment(class_id: int, assignment_id: int):
    assignment = taught_assignment(actor(), class_id, assignment_id)
    school_class = assignment.school_class
    if request.method == "GET":
        form = _assignment_form(
            school_class, formdata=None, title=assignment.title, kind=assignment.kind,
            definition=assignment.definition_id, instructions=assignment.instructions,
            opens_at=to_local(assignment.opens_at, zone()),
            due_at=to_local(assignment.due_at, zone()),
            closes_at=to_local(assignment.closes_at, zone()))
    else:
        form = _assignment_form(school_class)
    if form.validate_on_submit():
        try:
            with write_transaction():
                assignment = taught_assignment(actor(), class_id, assignment_id)
                work.update_assignment(assignment, form.title.data, form.kind.data,
                                       form.definition.data, form.instructions.data,
                                       *_dates(form), get_definitions())
        except ClassroomError as exc:
            form.due_at.errors.append(str(exc.message))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("classroom.assignment", class_id=class_id,
                                    assignment_id=assignment_id))
    return render_template("classroom/assignment_form.html", school_class=school_class,
                           form=form, assignment=assignment), 422 if form.errors else 200


def _filter() -> str:
    chosen = request.args.get("filter", "all")
    return chosen if chosen in work.FILTERS else "all"


def _extension_form(rows: list[work.StudentRow], **data: Any) -> ExtensionForm:
    form = ExtensionForm(**data)
    form.student.choices = [(row.student.id, row.student.name) for row in rows]
    return form


def _assignment_page(assignment: Assignment, status: int = 200,
                     extension: ExtensionForm | None = None):
    rows = work.student_rows(assignment, now())
    chosen = _filter()
    return render_template(
        "classroom/assignment.html", assignment=assignment,
        school_class=assignment.school_class, rows=[r for r in rows if r.matches(chosen)],
        tally=work.tally(rows), filter=chosen, filters=work.FILTERS,
        instructions=work.render_instructions(assignment.instructions),
        kind_title=work.kind_title(assignment, get_definitions(),
                                   assignment.school_class.language),
        rubric=review.rubric_of(assignment, get_definitions()), confirm=ConfirmForm(),
        extension_form=extension or _extension_form(rows, formdata=None), now=now()), status


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>")
@teaching
def assignment(class_id: int, assignment_id: int):
    return _assignment_page(taught_assignment(actor(), class_id, assignment_id))


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/extensions")
@teaching
def extension(class_id: int, assignment_id: int):
    assignment = taught_assignment(actor(), class_id, assignment_id)
    form = _extension_form(work.student_rows(assignment, now()))
    if not form.validate_on_submit():
        return _assignment_page(assignment, 422, form)
    try:
        with write_transaction():
            assignment = taught_assignment(actor(), class_id, assignment_id)
            class_student(assignment.class_id, form.student.data)
            given = work.set_extension(assignment, form.student.data,
                                       to_utc(form.due_at.data, zone()),
                                       to_utc(form.closes_at.data, zone()))
    except ClassroomError as exc:
        form.due_at.errors.append(str(exc.message))
        return _assignment_page(assignment, 422, form)
    flash(_("The extension is saved.") if given else _("The extension is taken away."),
          "success")
    return redirect(url_for("classroom.assignment", class_id=class_id,
                            assignment_id=assignment_id))


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/release")
@teaching
def release_all(class_id: int, assignment_id: int):
    """Release every marked hand-in of the assignment: the whole class at once."""
    taught_assignment(actor(), class_id, assignment_id)
    require_confirmation()
    with write_transaction():
        assignment = taught_assignment(actor(), class_id, assignment_id)
        released, waiting = review.release_all(assignment, now())
    message = ngettext("Released the feedback of %(num)d student.",
                       "Released the feedback of %(num)d students.", released)
    if waiting:
        message += " " + ngettext(
            "%(num)d hand-in has no outcome yet and was not released.",
            "%(num)d hand-ins have no outcome yet and were not released.", waiting)
    flash(message, "success" if released else "info")
    return redirect(url_for("classroom.assignment", class_id=class_id,
                            assignment_id=assignment_id))


# --- reviewing one student's work ------------------------------------------------------------

def _editor(class_id: int, assignment_id: int, student_id: int) -> review.Review:
    return review.Review(actor(), class_id, assignment_id, student_id, get_definitions())


def _neighbours(rows: list[work.StudentRow], student_id: int, chosen: str
                ) -> tuple[work.StudentRow | None, work.StudentRow | None, int, int]:
    """The students before and after this one among those the filter shows, and where this
    one stands (1-based) among them."""
    shown = [r for r in rows if r.matches(chosen) or r.student.id == student_id]
    index = next(n for n, r in enumerate(shown) if r.student.id == student_id)
    before = shown[index - 1] if index > 0 else None
    after = shown[index + 1] if index + 1 < len(shown) else None
    return before, after, index + 1, len(shown)


def _review_page(class_id: int, assignment_id: int, student_id: int, *,
                 values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None,
                 conflict: bool = False, message: str = "", status: int = 200):
    assignment = taught_assignment(actor(), class_id, assignment_id)
    class_student(assignment.class_id, student_id)
    rows = work.student_rows(assignment, now())
    row = next(r for r in rows if r.student.id == student_id)
    chosen = _filter()
    before, after, position, shown = _neighbours(rows, student_id, chosen)
    submission = row.submission
    attempts = list(submission.attempts) if submission else []
    number = request.args.get("attempt", "")
    attempt = (next((a for a in attempts if str(a.number) == number), None) if number
               else row.attempt) or row.attempt
    if number and (attempt is None or str(attempt.number) != number):
        abort(404)
    definitions, library = get_definitions(), get_library()
    previous = None
    if attempt is not None:
        earlier = [a for a in attempts if a.number < attempt.number and a.withdrawn_at is None]
        previous = earlier[-1] if earlier else None
    parts = review.sections(assignment, attempt.snapshot if attempt else None,
                            previous.snapshot if previous else None, definitions,
                            library) if attempt else []
    language = assignment.school_class.language
    feedback = attempt.feedback if attempt else None
    rubric = review.rubric_of(assignment, definitions)
    keys = review.field_keys(assignment, definitions)
    shown_values = values if values is not None else (
        review.flat_inputs(feedback, keys, rubric) if feedback else {})
    editor = _editor(class_id, assignment_id, student_id)
    editor.assignment = assignment
    lock = editor.locked(feedback) if feedback else None
    conflict_rows = []
    if conflict and feedback is not None:
        stored = review.flat_inputs(feedback, keys, rubric)
        labels = _input_labels(parts, rubric, language)
        conflict_rows = [{"label": labels.get(name, name), "mine": mine,
                          "theirs": stored.get(name, "")}
                         for name, mine in (values or {}).items()
                         if name in stored and str(mine or "") != str(stored.get(name) or "")]
    return render_template(
        "classroom/review.html", assignment=assignment, school_class=assignment.school_class,
        row=row, student=row.student, attempts=attempts, attempt=attempt, previous=previous,
        sections=parts, teaching={s.id: step_teaching(s.step, library, language)
                                  for s in parts if s.step is not None},
        feedback=feedback, rubric=rubric, values=shown_values, errors=errors or {},
        conflict=conflict, conflict_rows=conflict_rows, lock=lock, message=message,
        marked=review.marked(rubric, (feedback.scores if feedback else {}) or {},
                             feedback.outcome if feedback else ""),
        before=before, after=after, position=position, shown=shown, filter=chosen,
        filters=work.FILTERS, lang=language, confirm=ConfirmForm(), now=now(),
        kind_title=work.kind_title(assignment, definitions, language)), status


def _input_labels(parts: list[review.Section], rubric: Any, language: str) -> dict[str, str]:
    """The review form's inputs named as the page labels them (for the conflict view)."""
    labels = {"overall": _("Overall comment"), "outcome": _("Outcome")}
    for section in parts:
        for view in section.fields:
            labels["comment__" + view.key] = _("Comment on “%(label)s”", label=view.label)
    for criterion in (rubric.criteria if rubric else ()):
        labels["score__" + criterion.id] = criterion.title.get(language)
    return labels


@bp.route("/classes/<int:class_id>/assignments/<int:assignment_id>/students/<int:student_id>",
          methods=["GET", "POST"])
@teaching
def review_student(class_id: int, assignment_id: int, student_id: int):
    if request.method == "GET":
        return _review_page(class_id, assignment_id, student_id)
    # Access first: a body another teacher's page could not have made tells them nothing.
    class_student(taught_assignment(actor(), class_id, assignment_id).class_id, student_id)
    # CSRFProtect has checked the token. Without JavaScript the form posts every input.
    posted = {k: v for k, v in request.form.items()
              if k not in ("csrf_token", "version", "attempt")}
    attempt = request.form.get("attempt", "")
    answer = save(_editor(class_id, assignment_id, student_id), {
        "version": parse_version(request.form.get("version", "")),
        "attempt": int(attempt) if attempt.isdigit() and len(attempt) < 7 else 0,
        "fields": posted})
    if answer.status == "invalid":
        abort(400)
    if answer.status == "conflict":
        return _review_page(class_id, assignment_id, student_id, values=posted,
                            conflict=True, status=409)
    if answer.status == "locked":
        return _review_page(class_id, assignment_id, student_id, values=posted,
                            message=answer.message, status=423)
    if answer.errors:
        return _review_page(class_id, assignment_id, student_id, values=posted,
                            errors=answer.errors, status=422)
    flash(_("Saved."), "success")
    return redirect(url_for("classroom.review_student", class_id=class_id,
                            assignment_id=assignment_id, student_id=student_id,
                            filter=_filter(), _anchor="marking"))


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/students/<int:student_id>"
         "/autosave")
@teaching
def review_autosave(class_id: int, assignment_id: int, student_id: int):
    answer = versioned_save(_editor(class_id, assignment_id, student_id),
                            request.get_data(cache=False))
    return jsonify(answer.as_json()), answer.http_status


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/students/<int:student_id>"
         "/release")
@teaching
def release_one(class_id: int, assignment_id: int, student_id: int):
    class_student(taught_assignment(actor(), class_id, assignment_id).class_id, student_id)
    require_confirmation()
    version = parse_version(request.form.get("version", ""))
    back = url_for("classroom.review_student", class_id=class_id, assignment_id=assignment_id,
                   student_id=student_id, filter=_filter())
    try:
        with write_transaction():
            assignment = taught_assignment(actor(), class_id, assignment_id)
            class_student(assignment.class_id, student_id)
            submission = work.submission_of(assignment.id, student_id)
            attempt = work.current_attempt(submission)
            if submission is None or attempt is None:
                raise ClassroomError(_("There is nothing to release: this student has not "
                                       "handed in."), 409)
            status = review.release(submission, attempt, version, now())
    except ClassroomError as exc:
        return refused(exc, back)
    flash(_("Released: the student sees the feedback and can revise and hand in again.")
          if status == work.RETURNED else
          _("Released: the student sees the feedback and that the work is approved."),
          "success")
    return redirect(back)


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>/students/<int:student_id>"
        "/changes")
@teaching
def review_changes(class_id: int, assignment_id: int, student_id: int):
    assignment = taught_assignment(actor(), class_id, assignment_id)
    class_student(assignment.class_id, student_id)
    return changes_page(assignment, student_id, db.session.get(User, student_id), True)


def changes_page(assignment: Assignment, student_id: int, student: User, teacher: bool):
    """What changed between two attempts (?a=1&b=2; by default the last two), for either
    side."""
    submission = work.submission_of(assignment.id, student_id)
    attempts = list(submission.attempts) if submission else []
    if len(attempts) < 2:
        return render_template("classroom/changes.html", assignment=assignment,
                               student=student, attempts=attempts, first=None, second=None,
                               changes=[], teacher=teacher), 200

    def pick(key: str, default: Any) -> Any:
        raw = request.args.get(key, "")
        if not raw:
            return default
        found = next((a for a in attempts if str(a.number) == raw), None)
        if found is None:
            abort(404)
        return found

    live = [a for a in attempts if a.withdrawn_at is None] or attempts
    first = pick("a", live[-2] if len(live) > 1 else attempts[-2])
    second = pick("b", live[-1])
    changes = review.changes_between(assignment, first.snapshot, second.snapshot,
                                     get_definitions(), get_library())
    return render_template("classroom/changes.html", assignment=assignment, student=student,
                           attempts=attempts, first=first, second=second, changes=changes,
                           teacher=teacher), 200
