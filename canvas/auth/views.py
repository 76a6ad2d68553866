"""Auth routes.

    /auth/register   GET, POST   create an account and sign in
    /auth/login      GET, POST   sign in
    /auth/logout     POST        sign out
    /auth/session    GET         JSON: who is signed in here, and a fresh CSRF token
    /auth/signed-in  GET         "you are back": the tab opened to sign in again
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from ..accounts import AccountError, authenticate, create_user
from ..database import write_transaction
from ..extensions import db, login_manager
from ..models import User
from .forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site."""
    local = target and target.startswith("/") and not target.startswith("//")
    if local and urlsplit(target).netloc == "":
        return target
    return url_for("canvases.home")


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            with write_transaction():
                user = create_user(form.email.data, form.password.data, form.name.data,
                                   form.role.data, form.language.data)
        except AccountError as exc:
            form.email.errors.append(str(exc).capitalize() + ".")
        else:
            login_user(user)
            flash("Welcome! Your account is ready. Start your first canvas below.", "success")
            return redirect(url_for("canvases.home"))
    return render_template("auth/register.html", form=form), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("The e-mail or the password is not right.")
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


# --- for pages that save as people type (static/js/save-core.js) ---------------------------


@login_manager.unauthorized_handler
def unauthorized():  # noqa: ANN201
    """Signed out: pages go to the sign-in page; JSON endpoints answer 401, never a
    redirect, so a save is never mistaken for one that worked."""
    if request.is_json or request.accept_mimetypes.best == "application/json" \
            or request.path.endswith("/autosave"):
        return jsonify(status="signed-out",
                       message=_("You are signed out. Sign in again to save.")), 401
    flash(_("Please sign in to see that page."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@bp.get("/session")
def session_state():  # noqa: ANN201
    """Who is signed in on this browser, and (if someone is) a CSRF token for their saves."""
    if not current_user.is_authenticated:
        response = jsonify(signed_in=False, user=None)
    else:
        response = jsonify(signed_in=True, user=current_user.id, csrf=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/signed-in")
@login_required
def signed_in():  # noqa: ANN201
    """Where the tab opened to sign in again lands."""
    return render_template("auth/signed_in.html")
