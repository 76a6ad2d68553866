"""Revocable sessions: a copied cookie stops working once its session ends (sign-out,
password change, "sign out everywhere", account deletion, timeouts); sign-in renews the
session and its CSRF token; the account page lists and ends sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, update

from canvas import sessions
from canvas.extensions import db
from canvas.models import UserSession, utcnow
from tests.conftest import PASSWORD, csrf_from

NEW_PASSWORD = "a brand new passphrase"


def signed_in_as(client) -> str | None:
    """The name in the header's sign-out button, or None when the page shows none."""
    page = BeautifulSoup(client.get("/").text, "html.parser")
    button = page.select_one("header form[action='/auth/logout'] button")
    return button.get_text(" ", strip=True) if button else None


def copy_cookie(source, target) -> None:
    """What an attacker does with a stolen cookie: put it in their own browser."""
    target.set_cookie("session", source.get_cookie("session").value)


def rows(app, user_id: int) -> list[UserSession]:
    with app.app_context():
        found = list(db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)
                                        .order_by(UserSession.id)))
        db.session.expunge_all()
        return found


def age_sessions(app, user_id: int, **delta) -> None:
    """Move a user's sessions back in time (created and last seen)."""
    back = timedelta(**delta)
    with app.app_context():
        for row in db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)):
            row.created_at = row.created_at - back
            row.last_seen_at = row.last_seen_at - back
        db.session.commit()


# --- sign-out ends the session on the server ---------------------------------------------------

def test_a_copied_cookie_is_signed_out_when_its_owner_signs_out(app, login, make_user):
    user = make_user()
    session = login(user)
    thief = app.test_client()
    copy_cookie(session.client, thief)
    assert signed_in_as(thief) is not None  # the copy works while the session is open

    assert session.post("/auth/logout").status_code == 302
    assert signed_in_as(thief) is None
    assert thief.get("/canvases/new").status_code == 302  # sent to sign in
    # Writes too: the thief's POST with the old CSRF token does not create a canvas.
    response = thief.post("/canvases/new", data={"csrf_token": session.csrf, "title": "Mine",
                                                 "language": "en"})
    assert response.status_code in (302, 400)
    (row,) = rows(app, user.id)
    assert row.ended_at is not None and row.end_reason == "signed out"


def test_sign_in_renews_the_session_cookie_and_the_csrf_token(app, make_user):
    user = make_user()
    client = app.test_client()
    page = client.get("/auth/login")
    before_token = csrf_from(page.text)
    before_cookie = client.get_cookie("session").value
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD,
                                                 "csrf_token": before_token})
    assert response.status_code == 302
    after_token = csrf_from(client.get("/").text)
    assert after_token != before_token
    assert client.get_cookie("session").value != before_cookie
    # A form posted with the token of before the sign-in is refused (fixation of the token).
    stale = client.post("/canvases/new", data={"csrf_token": before_token, "title": "x",
                                               "language": "en"})
    assert stale.status_code == 400


def test_a_cookie_fixed_before_sign_in_does_not_become_signed_in(app, make_user):
    user = make_user()
    victim = app.test_client()
    victim.get("/auth/login")
    attacker = app.test_client()
    copy_cookie(victim, attacker)  # the attacker planted (or knows) the pre-sign-in cookie
    victim.post("/auth/login", data={"email": user.email, "password": PASSWORD,
                                     "csrf_token": csrf_from(victim.get("/auth/login").text)})
    assert signed_in_as(victim) is not None
    assert signed_in_as(attacker) is None


def test_every_sign_in_is_its_own_session(app, login, make_user):
    user = make_user()
    first, second = login(user), login(user)
    assert len(rows(app, user.id)) == 2
    first.post("/auth/logout")
    assert signed_in_as(first.client) is None
    assert signed_in_as(second.client) is not None


def test_the_database_holds_only_a_hash_of_the_session_token(app, login, make_user):
    user = make_user()
    session = login(user)
    with session.client.session_transaction() as cookie:
        token = cookie["session_token"]
    (row,) = rows(app, user.id)
    assert token not in row.token_hash and len(row.token_hash) == 64


def test_a_made_up_or_foreign_session_token_signs_no_one_in(app, login, make_user):
    alice, bob = make_user(), make_user()
    login(bob)
    client = app.test_client()
    client.get("/auth/login")
    # With the app's key (a forged cookie) but a token that is not any session's: signed out.
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(alice.id)
        cookie["session_token"] = "made-up"
    assert signed_in_as(client) is None
    # Bob's real token with Alice's id: signed out too (the row names its user).
    bobs = login(bob)
    with bobs.client.session_transaction() as cookie:
        token = cookie["session_token"]
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(alice.id)
        cookie["session_token"] = token
    assert signed_in_as(client) is None


def test_a_cookie_signed_with_another_key_is_ignored(app, login, make_user):
    from flask.sessions import SecureCookieSessionInterface

    user = make_user()
    real = login(user)
    with real.client.session_transaction() as cookie:
        token = cookie["session_token"]
    forger = app.test_client()
    # The built-in development key: what an attacker would try first.
    forged_app = type("A", (), {"secret_key": "dev-only-change-me", "config": app.config})
    serializer = SecureCookieSessionInterface().get_signing_serializer(forged_app)
    forger.set_cookie("session", serializer.dumps({"_user_id": str(user.id),
                                                  "session_token": token}))
    assert signed_in_as(forger) is None


# --- timeouts ----------------------------------------------------------------------------------

def test_a_session_idle_longer_than_the_limit_is_signed_out(app, login, make_user):
    user = make_user()
    session = login(user)
    age_sessions(app, user.id, minutes=app.config["SESSION_IDLE_MINUTES"] - 5)
    assert signed_in_as(session.client) is not None  # and that request counts as activity
    age_sessions(app, user.id, minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    assert signed_in_as(session.client) is None
    (row,) = rows(app, user.id)
    assert row.end_reason == "idle"


def test_a_session_older_than_the_absolute_limit_is_signed_out_even_if_busy(app, login,
                                                                         make_user):
    user = make_user()
    session = login(user)
    with app.app_context():
        db.session.execute(update(UserSession).values(
            created_at=utcnow() - timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1),
            last_seen_at=utcnow()))
        db.session.commit()
    assert signed_in_as(session.client) is None
    (row,) = rows(app, user.id)
    assert row.end_reason == "expired"


def test_last_seen_is_kept_up_to_date_but_not_written_on_every_request(app, login, make_user):
    user = make_user()
    session = login(user)
    (first,) = rows(app, user.id)
    session.get("/")
    (same,) = rows(app, user.id)
    assert same.last_seen_at == first.last_seen_at
    age_sessions(app, user.id, minutes=5)
    session.get("/")
    (later,) = rows(app, user.id)
    assert later.last_seen_at > first.last_seen_at - timedelta(minutes=5)


def test_no_remember_me_cookie_is_ever_set(app, make_user):
    user = make_user()
    client = app.test_client()
    response = client.post("/auth/login", data={
        "email": user.email, "password": PASSWORD, "remember": "y",
        "csrf_token": csrf_from(client.get("/auth/login").text)})
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None
    assert [c for c in response.headers.getlist("Set-Cookie") if "remember" in c] == []


# --- the account page --------------------------------------------------------------------------

def session_rows(page_html: str) -> list:
    return BeautifulSoup(page_html, "html.parser").select("table.sessions tbody tr")


def test_the_account_page_lists_my_live_sessions_and_marks_this_one(app, login, make_user):
    user = make_user()
    laptop = login(user)
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
    phone.post("/auth/login", data={"email": user.email, "password": PASSWORD,
                                    "csrf_token": csrf_from(phone.get("/auth/login").text)})
    stranger = login(make_user())  # someone else's sessions are not listed
    page = laptop.get("/account")
    assert page.status_code == 200
    listed = session_rows(page.text)
    assert len(listed) == 2
    texts = [row.get_text(" ", strip=True) for row in listed]
    assert sum("this browser" in text for text in texts) == 1
    assert any("Safari on iPhone" in text for text in texts)
    assert stranger.user.email not in page.text


def test_sign_out_one_other_session(app, login, make_user):
    user = make_user()
    mine, other = login(user), login(user)
    other_id = rows(app, user.id)[1].id
    response = mine.post(f"/account/sessions/{other_id}/end")
    assert response.status_code == 302
    assert signed_in_as(other.client) is None
    assert signed_in_as(mine.client) is not None
    assert len(session_rows(mine.get("/account").text)) == 1


def test_sign_out_everywhere_else_keeps_only_this_session(app, login, make_user):
    user = make_user()
    mine = login(user)
    others = [login(user) for _ in range(3)]
    assert mine.post("/account/sessions/end-others").status_code == 302
    assert all(signed_in_as(o.client) is None for o in others)
    assert signed_in_as(mine.client) is not None
    ended = [r for r in rows(app, user.id) if r.ended_at is not None]
    assert {r.end_reason for r in ended} == {"signed out everywhere"}


def test_cannot_end_someone_elses_session(app, login, make_user):
    alice, bob = make_user(), make_user()
    alices = login(alice)
    bobs = login(bob)
    bobs_id = rows(app, bob.id)[0].id
    assert alices.post(f"/account/sessions/{bobs_id}/end").status_code == 404
    assert signed_in_as(bobs.client) is not None


@pytest.mark.parametrize("path", ["/account/sessions/1/end", "/account/sessions/end-others"])
def test_ending_sessions_needs_the_csrf_token(login, make_user, path):
    user = make_user()
    mine, other = login(user), login(user)
    response = mine.client.post(path)
    assert response.status_code == 400
    assert signed_in_as(other.client) is not None


def test_ending_this_session_from_the_list_signs_out(app, login, make_user):
    user = make_user()
    mine = login(user)
    this_id = rows(app, user.id)[0].id
    response = mine.post(f"/account/sessions/{this_id}/end")
    assert response.status_code == 302
    assert signed_in_as(mine.client) is None


def test_the_account_page_needs_a_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


# --- the service, for removal from a class -----------------------------------------------------

def test_end_sessions_signs_a_user_out_everywhere_at_once(app, login, make_user):
    user, other = make_user(), make_user()
    mine = [login(user), login(user)]
    theirs = login(other)
    with app.app_context():
        assert sessions.end_sessions(user.id, "removed from a class") == 2
        db.session.commit()
    assert all(signed_in_as(s.client) is None for s in mine)
    assert signed_in_as(theirs.client) is not None
    assert {r.end_reason for r in rows(app, user.id)} == {"removed from a class"}


def test_describe_device_names_common_browsers():
    chrome_windows = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                      "(KHTML, like Gecko) Chrome/120.0 Safari/537.36")
    edge = chrome_windows + " Edg/120.0"
    firefox_linux = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
    chromebook = ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/120.0 Safari/537.36")
    assert sessions.describe_device(chrome_windows) == ("Chrome", "Windows")
    assert sessions.describe_device(edge) == ("Edge", "Windows")
    assert sessions.describe_device(firefox_linux) == ("Firefox", "Linux")
    assert sessions.describe_device(chromebook) == ("Chrome", "ChromeOS")
    assert sessions.describe_device("") == ("", "")
