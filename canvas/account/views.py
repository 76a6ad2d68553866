"""The account page.

    /account                                 GET   sessions, change password, data, delete
    /account/password                        POST  change the password (current one first)
    /account/sessions/<id>/end               POST  sign out one other session
    /account/sessions/end-others             POST  sign out everywhere else
    /account/data.json                       GET   download all my data
    /account/delete                          GET, POST  confirm with the password, then delete
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit, sessions
from ..accounts import AccountError, change_password, delete_account, password_is
from ..auth.signin import current_session_id, limits, log_out
from ..database import write_transaction
from ..extensions import db
from ..forms import ConfirmForm, require_confirmation
from ..library import get_definitions, get_library
from ..models import User, UserSession
from ..web import client_address
from .forms import ChangePasswordForm, DeleteAccountForm
from .service import account_data

bp = Blueprint("account", __name__, url_prefix="/account")


def _me() -> User:
    return db.session.get(User, current_user.id)


def _password_form() -> ChangePasswordForm:
    form = ChangePasswordForm()
    form.email, form.name = current_user.email, current_user.name
    return form


def _page(password_form: ChangePasswordForm, status: int = 200):
    rows = sessions.live_sessions(current_user.id, limits())
    return render_template("account/settings.html", sessions=rows, this=current_session_id(),
                           describe=sessions.describe_device, password_form=password_form,
                           confirm=ConfirmForm()), status


@bp.get("")
@login_required
def settings():
    return _page(_password_form())


@bp.post("/password")
@login_required
def password():
    form = _password_form()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        with write_transaction():
            ended = change_password(_me(), form.current.data, form.password.data,
                                    keep_session=current_session_id())
            audit.record("password changed", user_id=current_user.id, address=client_address(),
                         sessions_ended=ended)
    except AccountError:
        form.current.errors.append(_("That is not your current password."))
        return _page(form, 422)
    flash(_("Your password is changed. Every other session of your account was signed out."),
          "success")
    return redirect(url_for("account.settings"))


def _own_live_session(session_id: int) -> UserSession:
    """One of the user's own open sessions, or 404 (also for someone else's)."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != current_user.id or row.ended_at is not None:
        abort(404)
    return row


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    require_confirmation()
    _own_live_session(session_id)
    if session_id == current_session_id():
        # Ending this one is signing out; the button is the header's.
        log_out()
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.login"))
    with write_transaction():
        sessions.end(_own_live_session(session_id), sessions.SIGNED_OUT_ELSEWHERE)
        audit.record("session ended", user_id=current_user.id, address=client_address(),
                     session=session_id)
    flash(_("That session is signed out."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    require_confirmation()
    with write_transaction():
        ended = sessions.end_sessions(current_user.id, sessions.SIGNED_OUT_EVERYWHERE,
                                      keep=current_session_id())
        audit.record("session ended", user_id=current_user.id, address=client_address(),
                     everywhere_else=True, sessions_ended=ended)
    flash(_("Every other session of your account is signed out."), "success")
    return redirect(url_for("account.settings"))


@bp.get("/data.json")
@login_required
def data():
    document = account_data(_me(), get_definitions(), get_library())
    with write_transaction():
        audit.record("data downloaded", user_id=current_user.id, address=client_address())
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="canvas-my-data.json"'})


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not password_is(_me(), form.password.data):
            form.password.errors.append(_("That is not your password."))
        else:
            user_id, email = current_user.id, current_user.email
            with write_transaction():
                canvases = delete_account(_me())
                audit.record("account deleted", user_id=user_id, actor_id=user_id,
                             address=client_address(), canvases=canvases)
            log_out(sessions.ACCOUNT_DELETED)
            # Clear-Site-Data empties this site's storage in this browser (the unsent copies
            # the scripts keep as canvas:...); js/forget.js does it where the header is
            # not supported.
            return render_template("account/deleted.html", email=email), 200, {
                "Clear-Site-Data": '"storage"'}
    return render_template("account/delete.html", form=form), 200 if not form.errors else 422
