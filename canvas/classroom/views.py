"""Classroom routes, blueprint `classroom`: the teachers' pages are in teaching.py (and, for
the whole class at a glance, glance.py), the students' in learning.py (create_app imports
them, which adds their routes to `bp`); what they all use is here.

Teachers (of the class, or an admin):
    /classes                                          GET        my classes (admins: all)
    /classes/new                                      GET, POST  make a class
    /classes/<c>                                      GET        roster, join code, assignments
    /classes/<c>/settings                             POST       name, language, approval
    /classes/<c>/code                                 POST       reset or switch off the code
    /classes/<c>/qr.svg                               GET        the join link as a QR code
    /classes/<c>/projector                            GET        code and QR code, large
    /classes/<c>/students                             POST       add a student (name, e-mail)
    /classes/<c>/students/import                      POST       add students from a CSV file
    /classes/<c>/teachers                             POST       add a co-teacher
    /classes/<c>/members/<u>/approve                  POST       let in a student who asked
    /classes/<c>/members/<u>/remove                   POST       take someone out
    /classes/<c>/members/<u>/password                 POST       a new password for a student
    /classes/<c>/delete                               GET, POST  delete the class
    /classes/<c>/assignments/new                      GET, POST  set an assignment
    /classes/<c>/assignments/<a>                      GET        the students' work (?filter=)
    /classes/<c>/assignments/<a>/edit                 GET, POST  change it
    /classes/<c>/assignments/<a>/extensions           POST       more time for one student
    /classes/<c>/assignments/<a>/release              POST       release all marked work
    /classes/<c>/assignments/<a>/students/<s>         GET, POST  review (POST: no JavaScript)
    /classes/<c>/assignments/<a>/students/<s>/autosave POST      JSON save of the marking
    /classes/<c>/assignments/<a>/students/<s>/release POST       release this marking
    /classes/<c>/assignments/<a>/students/<s>/changes GET        what changed between attempts
    /classes/teachers/<u>/approve                     POST       (admins) approve a teacher
  the class at a glance (glance.py):
    /classes/<c>/roster.csv                           GET        the roster as CSV
    /classes/<c>/assignments/<a>/progress             GET        the progress table (?filter=
                                                                 &sort=&order=)
    /classes/<c>/assignments/<a>/progress             POST       return, more time, or PDFs
                                                                 for the students ticked
    /classes/<c>/assignments/<a>/progress.csv         GET        the progress table as CSV
    /classes/<c>/assignments/<a>/picture              GET        the class picture
    /classes/<c>/assignments/<a>/picture/projector    GET        the same without names
    /classes/<c>/assignments/<a>/grades/moodle        POST       Moodle's worksheet, filled in
    /classes/<c>/assignments/<a>/grades/canvas.csv    GET        a Canvas LMS gradebook
    /classes/<c>/assignments/<a>/pdfs                 POST       a ZIP of every student's PDFs
    /classes/<c>/assignments/<a>/pdfs/<job>           GET        its progress, then the link
    /classes/<c>/assignments/<a>/pdfs/<job>/status    GET        its progress as JSON
    /classes/<c>/assignments/<a>/pdfs/<job>/download  GET        the ZIP
Students:
    /join                                             GET, POST  join with a code
    /join/<code>                                      GET, POST  the join link (QR code)
    /invitations/<c>                                  POST       accept or decline
    /assignments                                      GET        my assignments
    /assignments/<a>                                  GET        one: instructions, feedback
    /assignments/<a>/start                            POST       start or go on with my canvas
    /assignments/<a>/submit                           POST       hand in
    /assignments/<a>/take-back                        POST       take a hand-in back
    /assignments/<a>/changes                          GET        what changed between attempts
"""

from __future__ import annotations

from datetime import datetime
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from ..access import may_teach
from ..extensions import db
from ..models import User, utcnow
from . import counts
from .classes import ClassroomError

bp = Blueprint("classroom", __name__)


def now() -> datetime:
    return utcnow()


def zone() -> str:
    """The time zone dates are typed and shown in."""
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def actor() -> User:
    """The signed-in user as a row of this request's session."""
    return db.session.get(User, current_user.id)


def refused(exc: ClassroomError, back: str | None = None):
    """A page saying why something could not be done, with the error's status."""
    return render_template("classroom/refused.html", message=exc.message, back=back,
                           code=exc.status), exc.status


def teaching(view):
    """Signed in (else the sign-in page) as someone who may teach (else 403: a student, or a
    teacher waiting for an admin's approval, is told so)."""
    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any):
        if not may_teach(current_user):
            if request.path.endswith("/autosave"):
                abort(403)  # the save protocol's scripts read JSON errors
            return render_template("classroom/not_teacher.html"), 403
        return view(*args, **kwargs)
    return wrapper


def admin_only(view):
    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any):
        if current_user.role != "admin":
            abort(403)
        return view(*args, **kwargs)
    return wrapper


@bp.app_context_processor
def classroom_nav() -> dict[str, Any]:
    """`classroom_counts()` for the header: computed only when a page asks (one query)."""
    def classroom_counts() -> dict[str, int]:
        if not current_user.is_authenticated:
            return {}
        if may_teach(current_user):
            return {"needs_marking": counts.needs_marking(current_user.id)}
        return {"new_feedback": counts.new_feedback(current_user.id)}
    return {"classroom_counts": classroom_counts}


def home_sections(user: User) -> dict[str, Any]:
    """What the home page shows of classes: a teacher's classes with what needs marking, a
    student's assignments, invitations and classes they wait to get into."""
    from . import assignments, classes

    if may_teach(user):
        taught = classes.classes_taught(user)
        return {"classes": taught, "waiting": counts.needs_marking_by(user.id, "class_id"),
                "students": classes.student_counts([c.id for c in taught])}
    return {"assignments": assignments.assignments_for(user), "now": now(),
            "invitations": classes.invitations(user),
            "asked": classes.waiting_to_join(user)}
