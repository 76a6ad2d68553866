"""Brute force: failed sign-ins lock an account (per address, and from any address), the
locks grow, a class behind one school address is not locked out by one student, and the
rate limits of Flask-Limiter answer 429 with Retry-After."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from canvas import lockout
from canvas.extensions import db
from canvas.models import AuditEvent, SignInFailure, utcnow
from tests.conftest import PASSWORD, csrf_from, field_error, input_value

WRONG = "not the password at all"


def attempt(client, email: str, password: str, address: str = "127.0.0.1"):
    token = csrf_from(client.get("/auth/login").text)
    return client.post("/auth/login", data={"email": email, "password": password,
                                            "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def let_locks_run_out(app) -> None:
    with app.app_context():
        db.session.execute(update(SignInFailure).values(
            locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()


@pytest.fixture
def app(app):  # the shared app, with the address rate limit out of the way
    app.config["RATELIMIT_SIGN_IN"] = "10000 per minute"
    return app


def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in(app, make_user):
    user = make_user()
    client = app.test_client()
    statuses = [attempt(client, user.email, WRONG).status_code for _ in range(50)]
    assert statuses[:4] == [422] * 4
    assert statuses[4] == 429  # the fifth earns the lock
    assert set(statuses[5:]) == {429}
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert client.get("/account").status_code == 302  # not signed in


def test_the_lock_says_when_to_try_again_and_keeps_the_email(app, make_user):
    user = make_user()
    client = app.test_client()
    for _ in range(5):
        response = attempt(client, user.email, WRONG)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert "Try again in 1 minute;" in field_error(response.text, "password")
    assert input_value(response.text, "email") == user.email
    assert WRONG not in response.text


def test_locks_double_up_to_the_cap_and_a_good_sign_in_clears_them(app, make_user):
    user = make_user()
    client = app.test_client()
    for _ in range(5):
        attempt(client, user.email, WRONG)
    waits = []
    for _ in range(8):
        let_locks_run_out(app)
        waits.append(int(attempt(client, user.email, WRONG).headers["Retry-After"]))
    assert waits == [120, 240, 480, 960, 1920, 3600, 3600, 3600]
    let_locks_run_out(app)
    assert attempt(client, user.email, PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(SignInFailure)).all() == []


def test_one_student_locked_out_does_not_lock_the_class_behind_the_same_address(app,
                                                                               make_user):
    school = "192.0.2.10"
    careless, *classmates = [make_user() for _ in range(5)]
    for _ in range(6):
        attempt(app.test_client(), careless.email, WRONG, school)
    assert attempt(app.test_client(), careless.email, PASSWORD, school).status_code == 429
    for classmate in classmates:
        assert attempt(app.test_client(), classmate.email, PASSWORD, school).status_code == 302


def test_a_lock_from_one_address_leaves_the_account_usable_from_another(app, make_user):
    user = make_user()
    for _ in range(5):
        attempt(app.test_client(), user.email, WRONG, "198.51.100.7")
    assert attempt(app.test_client(), user.email, PASSWORD, "198.51.100.7").status_code == 429
    assert attempt(app.test_client(), user.email, PASSWORD, "192.0.2.10").status_code == 302


def test_guessing_from_many_addresses_locks_the_account_everywhere(app, make_user):
    user = make_user()
    limit = app.config["LOGIN_LOCK_AFTER_ANY_ADDRESS"]
    for n in range(limit):
        attempt(app.test_client(), user.email, WRONG, f"203.0.113.{n % 250}")
    assert attempt(app.test_client(), user.email, PASSWORD, "192.0.2.99").status_code == 429


def test_unknown_emails_lock_the_same_way(app):
    client = app.test_client()
    statuses = [attempt(client, "nobody@example.test", WRONG).status_code for _ in range(6)]
    assert statuses == [422, 422, 422, 422, 429, 429]


def test_failures_and_locks_are_in_the_audit_log(app, make_user):
    user = make_user()
    client = app.test_client()
    for _ in range(5):
        attempt(client, user.email, WRONG)
    with app.app_context():
        kinds = [e.kind for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert kinds.count("sign-in failed") == 5
    assert kinds.count("locked out") == 1


def test_lock_rules_are_pure():
    rules = lockout.Rules(after=5, after_any_address=50, first=timedelta(minutes=1),
                          cap=timedelta(hours=1))
    assert [rules.lock_for(n, 5) for n in (1, 4)] == [None, None]
    assert rules.lock_for(5, 5) == timedelta(minutes=1)
    assert rules.lock_for(7, 5) == timedelta(minutes=4)
    assert rules.lock_for(10_000, 5) == timedelta(hours=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(email=st.text(max_size=300), password=st.text(max_size=300),
       address=st.sampled_from(["127.0.0.1", "::1", "192.0.2.1"]))
def test_the_sign_in_form_never_errs(app, email, password, address):
    response = attempt(app.test_client(), email, password, address)
    if "\x00" in email + password:  # refused before any view (canvas/web.py)
        assert response.status_code == 400
        return
    assert response.status_code in (422, 429)
    if response.status_code == 422:
        page = BeautifulSoup(response.text, "html.parser")
        assert page.select(".field-error:not([hidden])")


# --- Flask-Limiter --------------------------------------------------------------------------------

def test_sign_in_is_rate_limited_per_address_with_retry_after(app, make_user):
    app.config["RATELIMIT_SIGN_IN"] = "3 per minute"
    users = [make_user() for _ in range(4)]
    client = app.test_client()
    statuses = [attempt(client, u.email, PASSWORD, "192.0.2.50").status_code for u in users]
    assert statuses == [302, 302, 302, 429]
    last = attempt(client, users[0].email, PASSWORD, "192.0.2.50")
    assert 0 < int(last.headers["Retry-After"]) <= 60
    # Another address is not affected.
    assert attempt(app.test_client(), users[3].email, PASSWORD, "192.0.2.51").status_code == 302


def test_registration_is_rate_limited(app):
    app.config["RATELIMIT_REGISTER"] = "2 per minute"
    client = app.test_client()
    statuses = []
    for n in range(3):
        token = csrf_from(client.get("/auth/register").text)
        statuses.append(client.post("/auth/register", data={
            "name": f"Person {n}", "email": f"p{n}@example.com", "role": "student",
            "language": "en", "password": "a sound password", "confirm": "a sound password",
            "csrf_token": token}, environ_base={"REMOTE_ADDR": "192.0.2.60"}).status_code)
        client = app.test_client()
    assert statuses == [302, 302, 429]


def test_password_reset_is_rate_limited(app):
    app.config["RATELIMIT_PASSWORD_RESET"] = "2 per minute"
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").text)
    statuses = [client.post("/auth/reset", data={"email": "x@example.com",
                                                 "csrf_token": token}).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_redis_url_chooses_redis_storage():
    from canvas.config import rate_limit_storage

    assert rate_limit_storage({"REDIS_URL": "redis://cache:6379/0"}) == "redis://cache:6379/0"
    assert rate_limit_storage({"REDIS_URL": None}) == "memory://"
