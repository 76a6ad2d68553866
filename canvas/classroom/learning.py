"""The students' pages of blueprint `classroom` (URL map in views.py): joining a class, the
assignments, handing in and taking back, and the feedback once released."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from ..access import may_teach, student_assignment
from ..database import write_transaction
from ..extensions import db, limiter
from ..forms import ConfirmForm, require_confirmation
from ..library import get_definitions, get_library
from ..models import Assignment, Canvas, SchoolClass, Submission
from . import assignments as work
from . import classes, review
from .classes import ClassroomError
from .forms import JoinForm
from .teaching import changes_page
from .views import actor, bp, now, refused

join_limit = limiter.limit(lambda: current_app.config["RATELIMIT_JOIN"],
                           methods=["GET", "POST"])


# --- joining ---------------------------------------------------------------------------------

def _joined(outcome: classes.Joined):
    name = outcome.school_class.name
    if outcome.outcome == "joined":
        flash(_("You are in the class “%(name)s”. Its assignments are on your home page.",
                name=name), "success")
    elif outcome.outcome == "waiting":
        flash(_("You asked to join “%(name)s”. A teacher lets you in; then its assignments "
                "are on your home page.", name=name), "info")
    elif outcome.outcome == "teacher":
        flash(_("You teach “%(name)s”.", name=name), "info")
        return redirect(url_for("classroom.show_class", class_id=outcome.school_class.id))
    else:
        flash(_("You are already in “%(name)s”.", name=name), "info")
    return redirect(url_for("canvases.home"))


def _join(school_class: SchoolClass):
    with write_transaction():
        school_class = db.session.get(SchoolClass, school_class.id)
        outcome = classes.join(actor(), school_class,
                               int(current_app.config["CLASS_MAX_STUDENTS"]))
    return _joined(outcome)


@bp.route("/join", methods=["GET", "POST"])
@login_required
@join_limit
def join():
    form = JoinForm()
    if form.validate_on_submit():
        school_class = classes.class_by_code(form.code.data)
        if school_class is None:
            form.code.errors.append(_("No class has that code. Check it with your teacher: "
                                      "it may have been changed."))
        else:
            try:
                return _join(school_class)
            except ClassroomError as exc:
                form.code.errors.append(str(exc.message))
    return render_template("classroom/join.html", form=form), 422 if form.errors else 200


@bp.route("/join/<code>", methods=["GET", "POST"])
@join_limit
def join_link(code: str):
    """The link behind the QR code: who is signed in confirms; a visitor signs in or makes an
    account first and comes back here."""
    school_class = classes.class_by_code(code)
    if school_class is None:
        return render_template("classroom/join_link.html", school_class=None, form=None), 404
    form = ConfirmForm()
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path))
        if not form.validate_on_submit():
            abort(400)
        try:
            return _join(school_class)
        except ClassroomError as exc:
            return refused(exc, url_for("canvases.home"))
    return render_template("classroom/join_link.html", school_class=school_class, form=form)


@bp.post("/invitations/<int:class_id>")
@login_required
def answer_invitation(class_id: int):
    action = request.form.get("action")
    if not ConfirmForm().validate_on_submit() or action not in ("accept", "decline"):
        abort(400)
    try:
        with write_transaction():
            school_class = classes.answer_invitation(actor(), class_id, action == "accept")
            name = school_class.name
    except ClassroomError as exc:
        return refused(exc, url_for("canvases.home"))
    flash(_("You are in the class “%(name)s”.", name=name) if action == "accept" else
          _("You said no to “%(name)s”.", name=name), "success")
    return redirect(url_for("canvases.home"))


# --- assignments -----------------------------------------------------------------------------

@bp.get("/assignments")
@login_required
def my_assignments():
    return render_template("classroom/my_assignments.html",
                           items=work.assignments_for(actor()), now=now(),
                           invitations=classes.invitations(actor()), confirm=ConfirmForm())


def _mine(assignment_id: int) -> Assignment:
    """The student's assignment; its teachers are sent to their own page for it."""
    try:
        return student_assignment(actor(), assignment_id)
    except NotFound:
        assignment = db.session.get(Assignment, assignment_id)
        if assignment is not None and may_teach(current_user):
            member = classes.membership(current_user.id, assignment.class_id)
            if current_user.role == "admin" or (member is not None
                                                and member.role == classes.TEACHER):
                abort(redirect(url_for("classroom.assignment", class_id=assignment.class_id,
                                       assignment_id=assignment.id)))
        raise


def open_url(submission) -> str | None:
    """Where the student's work on an assignment is edited."""
    canvas = work.live_canvas(submission)
    if canvas is None:
        return None
    if submission.worksheet_id and any(w.id == submission.worksheet_id
                                       for w in canvas.worksheets):
        return url_for("worksheets.edit", worksheet_id=submission.worksheet_id)
    return url_for("canvases.show", canvas_id=canvas.id)


@bp.get("/assignments/<int:assignment_id>")
@login_required
def student_assignment_page(assignment_id: int):
    assignment = _mine(assignment_id)
    submission = work.submission_of(assignment.id, current_user.id)
    extension = work.extension_of(assignment.id, current_user.id)
    definitions = get_definitions()
    rubric = review.rubric_of(assignment, definitions)
    shown = review.released(submission) if submission else []
    views = [(a, review.feedback_view(f, rubric)) for a, f in shown]
    labels = {}
    if shown:
        # Field labels for the comments, in the class's language.
        for section in review.sections(assignment, shown[0][0].snapshot, None, definitions,
                                       get_library()):
            labels.update({v.key: (section.title, v.label) for v in section.fields})
        seen = submission.feedback_seen_at
        if seen is None or any(f.released_at and classes.aware(f.released_at)
                               > classes.aware(seen) for _a, f in shown):
            with write_transaction():
                db.session.get(Submission, submission.id).feedback_seen_at = now()
    canvas = work.live_canvas(submission)
    binned = (submission is not None and canvas is None and submission.canvas_id is not None
              and db.session.get(Canvas, submission.canvas_id) is not None)
    return render_template(
        "classroom/student_assignment.html", assignment=assignment,
        school_class=assignment.school_class, submission=submission,
        dates=work.dates_for(assignment, extension), status=work.status_of(submission),
        attempt=work.current_attempt(submission), feedback=views, labels=labels,
        rubric=rubric, open_url=open_url(submission) if submission else None, binned=binned,
        instructions=work.render_instructions(assignment.instructions),
        kind_title=work.kind_title(assignment, definitions, assignment.school_class.language),
        lang=assignment.school_class.language, confirm=ConfirmForm(), now=now())


@bp.post("/assignments/<int:assignment_id>/start")
@login_required
def start(assignment_id: int):
    require_confirmation()
    back = url_for("classroom.student_assignment_page", assignment_id=assignment_id)
    try:
        with write_transaction():
            assignment = _mine(assignment_id)
            submission = work.start(actor(), assignment, get_definitions(), now())
            submission_id = submission.id
    except ClassroomError as exc:
        return refused(exc, back)
    submission = db.session.get(Submission, submission_id)
    return redirect(open_url(submission) or back)


@bp.post("/assignments/<int:assignment_id>/submit")
@login_required
def submit(assignment_id: int):
    require_confirmation()
    back = url_for("classroom.student_assignment_page", assignment_id=assignment_id)
    try:
        with write_transaction():
            assignment = _mine(assignment_id)
            submission = work.submission_of(assignment.id, current_user.id)
            canvas = work.live_canvas(submission)
            if canvas is None:
                raise ClassroomError(_("There is no work to hand in yet: start the "
                                       "assignment first."), 409)
            snapshot = work.snapshot_of(canvas, get_definitions(), get_library())
            attempt = work.submit(submission, assignment,
                                  work.extension_of(assignment.id, current_user.id),
                                  snapshot, now())
            receipt, late = attempt.receipt[:12], attempt.late
    except ClassroomError as exc:
        return refused(exc, back)
    flash(_("Handed in. Receipt %(receipt)s: your teacher sees exactly this version.",
            receipt=receipt) + (" " + _("It is after the due date, so it is marked late.")
                                if late else ""), "success")
    return redirect(back)


@bp.post("/assignments/<int:assignment_id>/take-back")
@login_required
def take_back(assignment_id: int):
    require_confirmation()
    back = url_for("classroom.student_assignment_page", assignment_id=assignment_id)
    try:
        with write_transaction():
            assignment = _mine(assignment_id)
            submission = work.submission_of(assignment.id, current_user.id)
            if submission is None:
                raise ClassroomError(_("There is no hand-in to take back."), 409)
            work.take_back(submission, now())
    except ClassroomError as exc:
        return refused(exc, back)
    flash(_("Taken back. You can change your work and hand it in again."), "success")
    return redirect(back)


@bp.get("/assignments/<int:assignment_id>/changes")
@login_required
def student_changes(assignment_id: int):
    assignment = _mine(assignment_id)
    return changes_page(assignment, current_user.id, actor(), False)
