"""Admin pages (admins only; anyone else gets 403).

    /admin/audit                      GET   the audit log (?user=<id or e-mail>&kind=&page=)
    /admin/users                      GET   users (?q= part of an e-mail or name)
    /admin/users/<id>                 GET   one user: set a password, change the role
    /admin/users/<id>/password        POST  set a new password (signs the user out everywhere)
    /admin/users/<id>/role            POST  change the role
    /admin/users/<id>/sessions/end    POST  sign the user out everywhere
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import PasswordField, SelectField
from wtforms.validators import DataRequired

from .. import audit, sessions
from ..accounts import AccountError, NotAllowed, find_user, set_password_by, set_role
from ..auth.forms import policy_error
from ..database import write_transaction
from ..extensions import db
from ..forms import choices, require_confirmation
from ..models import User
from ..web import client_address

# What each kind of audit event is called on the admin's page (the log keeps the kind).
KIND_LABELS = {
    "sign-in": _l("Signed in"), "sign-in failed": _l("Sign-in failed"),
    "locked out": _l("Locked out"), "signed out": _l("Signed out"),
    "session ended": _l("Session ended"), "password changed": _l("Password changed"),
    "password reset asked": _l("Password reset requested"),
    "password reset": _l("Password reset"), "password set by admin": _l("Password set by an admin"),
    "role changed": _l("Role changed"), "export": _l("PDF exported"),
    "data downloaded": _l("Data downloaded"), "account deleted": _l("Account deleted"),
    "access refused": _l("Access refused"),
    "password set by teacher": _l("Password set by a teacher"),
    "removed from a class": _l("Removed from a class"),
    "teacher approved": _l("Teacher approved"),
}

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_NAMES = {"student": _l("Student"), "teacher": _l("Teacher"),
              "entrepreneur": _l("Entrepreneur"), "admin": _l("Admin")}


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password for this user"), validators=[DataRequired()])
    email = name = ""

    def validate_password(self, field: PasswordField) -> None:
        policy_error(field.data, self.email, self.name)


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=choices(ROLE_NAMES.items()))


def admin_required(view):
    """Signed in (else the sign-in page) and an admin (else 403)."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role != "admin":
            with write_transaction():
                audit.record("access refused", user_id=current_user.id,
                             address=client_address(), page=request.path[:200])
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def _page_number() -> int:
    """?page=, within what the database can count (a huge one was a 500: OFFSET overflow)."""
    number = request.args.get("page", 1, type=int) or 1
    return min(max(number, 1), 1_000_000)


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _actor() -> User:
    return db.session.get(User, current_user.id)


@bp.get("/audit")
@admin_required
def audit_log():
    who = request.args.get("user", "").strip()[:254]
    kind = request.args.get("kind", "").strip()
    kind = kind if kind in audit.KINDS else ""
    user = None
    if who:
        user = db.session.get(User, int(who)) if who.isdigit() and len(who) < 19 else \
            find_user(who)
    page = db.paginate(audit.events(user_id=user.id if user else (-1 if who else None),
                                    kind=kind or None),
                       page=_page_number(), per_page=int(current_app.config["AUDIT_PAGE_SIZE"]),
                       max_per_page=200, error_out=False)
    names = {u.id: u.email for u in db.session.scalars(select(User).where(User.id.in_(
        {e.user_id for e in page.items} | {e.actor_id for e in page.items})))}
    return render_template("admin/audit.html", page=page, kinds=audit.KINDS, kind=kind,
                           who=who, names=names, labels=KIND_LABELS)


@bp.get("/users")
@admin_required
def users():
    q = request.args.get("q", "").strip()[:100]
    query = select(User).order_by(User.email)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.email).like(pattern),
                                func.lower(User.name).like(pattern)))
    page = db.paginate(query, page=_page_number(), per_page=50, max_per_page=50,
                       error_out=False)
    return render_template("admin/users.html", page=page, q=q, roles=ROLE_NAMES)


def _user_page(user: User, password_form: SetPasswordForm | None = None,
               role_form: RoleForm | None = None, status: int = 200):
    role_form = role_form or RoleForm(formdata=None, role=user.role)
    return render_template("admin/user.html", user=user, roles=ROLE_NAMES,
                           password_form=password_form or SetPasswordForm(formdata=None),
                           role_form=role_form, confirm=ConfirmForm(),
                           is_self=user.id == current_user.id,
                           live=len(sessions.live_sessions(user.id, _limits()))), status


def _limits() -> sessions.Limits:
    return sessions.Limits.from_config(current_app.config)


@bp.get("/users/<int:user_id>")
@admin_required
def user(user_id: int):
    return _user_page(_user(user_id))


@bp.post("/users/<int:user_id>/password")
@admin_required
def set_password(user_id: int):
    user = _user(user_id)
    form = SetPasswordForm()
    form.email, form.name = user.email, user.name
    if not form.validate_on_submit():
        return _user_page(user, password_form=form, status=422)
    try:
        with write_transaction():
            user = _user(user_id)
            ended = set_password_by(_actor(), user, form.password.data)
            audit.record("password set by admin", user_id=user.id, actor_id=current_user.id,
                         address=client_address(), sessions_ended=ended)
    except NotAllowed:
        abort(403)
    flash(_("The new password is set for %(email)s, and they were signed out everywhere. "
            "Give them the password in person.", email=user.email), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int):
    user = _user(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _user_page(user, role_form=form, status=422)
    before = user.role
    try:
        with write_transaction():
            user = _user(user_id)
            set_role(_actor(), user, form.role.data)
            audit.record("role changed", user_id=user.id, actor_id=current_user.id,
                         address=client_address(), before=before, after=user.role)
    except (NotAllowed, AccountError):
        abort(403)
    flash(_("%(email)s is now: %(role)s.", email=user.email, role=ROLE_NAMES[user.role]),
          "success")
    return redirect(url_for("admin.user", user_id=user_id))



@bp.post("/users/<int:user_id>/sessions/end")
@admin_required
def end_sessions(user_id: int):
    require_confirmation()
    user = _user(user_id)
    if user.id == current_user.id:
        abort(403)  # one's own: the account page's "sign out everywhere else"
    with write_transaction():
        ended = sessions.end_sessions(user_id, "signed out by an admin")
        audit.record("session ended", user_id=user_id, actor_id=current_user.id,
                     address=client_address(), sessions_ended=ended)
    flash(_("%(email)s is signed out everywhere.", email=user.email), "success")
    return redirect(url_for("admin.user", user_id=user_id))
