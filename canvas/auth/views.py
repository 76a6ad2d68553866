"""Auth routes.

    /auth/register   GET, POST   create an account and sign in
    /auth/login      GET, POST   sign in
    /auth/logout     POST        sign out
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

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
