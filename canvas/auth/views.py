"""Auth routes.

    /auth/register        GET, POST   create an account and sign in
    /auth/login           GET, POST   sign in (rate-limited; an account locks after failures)
    /auth/logout          POST        sign out (this browser's session ends on the server)
    /auth/reset           GET, POST   ask for a password reset link by e-mail
    /auth/reset/<token>   GET, POST   set a new password from that link
    /auth/session         GET         JSON: who is signed in here, and a fresh CSRF token
    /auth/signed-in       GET         "you are back": the tab opened to sign in again
"""

from __future__ import annotations

import math

from flask import (
    Blueprint,
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
from flask_login import current_user, login_required
from flask_mail import Message
from flask_wtf.csrf import generate_csrf

from .. import audit, lockout, sessions
from ..accounts import (
    AccountError,
    authenticate,
    create_user,
    find_user,
    normalise_email,
    rehash_if_needed,
    set_password,
)
from ..database import write_transaction
from ..extensions import db, limiter, login_manager, mail
from ..models import User
from ..passwords import read_reset_token, reset_token, token_matches
from ..web import client_address, safe_next
from .forms import LoginForm, RegisterForm, ResetForm, ResetRequestForm
from .signin import log_in, log_out

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _limit(key: str):
    """A rate limit read from config when the request comes (tests and deployments differ)."""
    return limiter.limit(lambda: current_app.config[key], methods=["POST"])


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


@bp.route("/register", methods=["GET", "POST"])
@_limit("RATELIMIT_REGISTER")
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            with write_transaction():
                user = create_user(form.email.data, form.password.data, form.name.data,
                                   form.role.data, form.language.data)
                # An install may want an admin to approve teachers before they make classes.
                user.awaiting_approval = (user.role == "teacher" and bool(
                    current_app.config["TEACHERS_NEED_APPROVAL"]))
        except AccountError as exc:
            form.email.errors.append(str(exc).capitalize() + ".")
        else:
            log_in(user, how="registered")
            if user.awaiting_approval:
                flash(_("Welcome! Your account is ready. An administrator of this site "
                        "approves teacher accounts before they make classes; until then you "
                        "can use the app as everyone else does."), "info")
            else:
                flash(_("Welcome! Your account is ready. Start your first canvas below."),
                      "success")
            # Back to where the person came from, e.g. the link to join a class.
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/register.html", form=form), 200 if not form.errors else 422


def _locked_message(wait) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return ngettext("Too many wrong passwords for this account. Try again in %(num)d minute; "
                    "if you have forgotten the password, ask your teacher or reset it.",
                    "Too many wrong passwords for this account. Try again in %(num)d minutes; "
                    "if you have forgotten the password, ask your teacher or reset it.",
                    minutes)


@bp.route("/login", methods=["GET", "POST"])
@_limit("RATELIMIT_SIGN_IN")
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email, address = normalise_email(form.email.data), client_address()
        rules = lockout.Rules.from_config(current_app.config)
        wait = lockout.locked_for(email, address)
        if wait is not None:
            # Refused before the password is checked: a lock must also save the argon2 work.
            form.password.errors.append(_locked_message(wait))
            return render_template("auth/login.html", form=form), 429, {
                "Retry-After": str(math.ceil(wait.total_seconds()))}
        user = authenticate(email, form.password.data)
        if user is not None:
            with write_transaction():
                lockout.clear(email, address)
                rehash_if_needed(user, form.password.data)
            log_in(user)
            return redirect(safe_next(request.args.get("next")))
        with write_transaction():
            lock = lockout.record_failure(email, address, rules)
            audit.record("sign-in failed", email=email, address=address)
            if lock is not None:
                audit.record("locked out", email=email, address=address,
                             seconds=int(lock.total_seconds()))
        if lock is not None:
            form.password.errors.append(_locked_message(lock))
            return render_template("auth/login.html", form=form), 429, {
                "Retry-After": str(math.ceil(lock.total_seconds()))}
        form.password.errors.append(_("The e-mail or the password is not right."))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
@login_required
def logout():
    log_out()
    flash(_("You are signed out."), "info")
    # The browser's cache of signed-in pages goes too (its storage keeps unsent work).
    response = redirect(url_for("auth.login"))
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/reset", methods=["GET", "POST"])
@_limit("RATELIMIT_PASSWORD_RESET")
def reset_request():
    if not mail_configured():
        return render_template("auth/reset_request.html", form=None)
    form = ResetRequestForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        user = find_user(email)
        with write_transaction():
            audit.record("password reset asked", user_id=user.id if user else None,
                         email=email, address=client_address())
        if user is not None:
            _send_reset(user)
        # The same answer whether or not there is such an account.
        flash(ngettext("If an account uses that e-mail, a link to set a new password is on its "
                       "way. It works once, for %(num)d hour.",
                       "If an account uses that e-mail, a link to set a new password is on its "
                       "way. It works once, for %(num)d hours.",
                       current_app.config["PASSWORD_RESET_HOURS"]), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 200 if not form.errors else 422


def _send_reset(user: User) -> None:
    token = reset_token(current_app.config["SECRET_KEY"], user.id, user.password_hash)
    link = url_for("auth.reset", token=token, _external=True)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    message = Message(
        subject=_("Set a new password for Canvas"), recipients=[user.email],
        body=_("Someone (we hope you) asked to set a new password for your Canvas account.\n\n"
               "Open this link within %(hours)d hours to choose one; it works once:\n"
               "%(link)s\n\nIf it was not you, ignore this e-mail: your password stays as it "
               "is.", hours=hours, link=link))
    try:
        mail.send(message)
    except OSError:  # the mail server is down: the page must not tell who has an account
        current_app.logger.exception("could not send a password reset e-mail")


def _user_of_token(token: str) -> User | None:
    found = read_reset_token(current_app.config["SECRET_KEY"], token,
                             int(current_app.config["PASSWORD_RESET_HOURS"]) * 3600)
    if found is None:
        return None
    user = db.session.get(User, found[0])
    return user if user is not None and token_matches(found[1], user.password_hash) else None


@bp.route("/reset/<token>", methods=["GET", "POST"])
@_limit("RATELIMIT_PASSWORD_RESET")
def reset(token: str):
    user = _user_of_token(token) if len(token) < 300 else None
    if user is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetForm()
    form.email, form.name = user.email, user.name
    if form.validate_on_submit():
        with write_transaction():
            user = db.session.get(User, user.id)
            set_password(user, form.password.data, reason=sessions.PASSWORD_CHANGED)
            audit.record("password reset", user_id=user.id, address=client_address())
        if current_user.is_authenticated:
            log_out(sessions.PASSWORD_CHANGED)
        flash(_("Your new password is set, and every session of your account was signed "
                "out. Sign in with the new password."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 200 if not form.errors else 422


# --- for pages that save as people type (static/js/save-core.js) ---------------------------


@login_manager.unauthorized_handler
def unauthorized():
    """Signed out: pages go to the sign-in page; JSON endpoints answer 401, never a
    redirect, so a save is never mistaken for one that worked."""
    if request.is_json or request.accept_mimetypes.best == "application/json" \
            or request.path.endswith("/autosave"):
        return jsonify(status="signed-out",
                       message=_("You are signed out. Sign in again to save.")), 401
    flash(_("Please sign in to see that page."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@bp.get("/session")
def session_state():
    """Who is signed in on this browser, and (if someone is) a CSRF token for their saves."""
    if not current_user.is_authenticated:
        response = jsonify(signed_in=False, user=None)
    else:
        response = jsonify(signed_in=True, user=current_user.id, csrf=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/signed-in")
@login_required
def signed_in():
    """Where the tab opened to sign in again lands."""
    return render_template("auth/signed_in.html")
