"""The interface speaks the user's language: chosen in the header (visitors too), taken from
the account's setting, else from the browser's Accept-Language, else English."""

from __future__ import annotations

import re

import pytest

from canvas.extensions import db
from canvas.languages import supported
from canvas.models import User
from tests.conftest import csrf_from
from tests.dom import html_of

SIGN_IN = {"en": "Sign in", "da": "Log ind", "nb": "Logg inn"}


def sign_in_label(response) -> str:
    page = html_of(response)
    assert page.one("main")  # a whole page, not an error fragment
    return page.text("header nav a[href='/auth/login']")


@pytest.mark.parametrize(("header", "expected"), [
    ("da-DK,da;q=0.9,en;q=0.8", "da"), ("nb-NO,nb;q=0.9", "nb"), ("no", "nb"), ("nn-NO", "nb"),
    ("sv-SE,sv;q=0.9", "en"), ("de,da;q=0.5", "da"), ("", "en"),
])
def test_a_visitor_gets_the_browser_s_language(client, header, expected):
    response = client.get("/auth/login", headers={"Accept-Language": header})
    assert html_of(response).one("html").get("lang") == expected
    assert sign_in_label(response) == SIGN_IN[expected]


def test_a_visitor_switches_in_one_click_and_it_sticks(client):
    page = client.get("/learn/en/", headers={"Accept-Language": "en"})
    token = csrf_from(page.text)
    response = client.post("/language", data={"csrf_token": token, "language": "nb",
                                              "next": "/learn/en/"})
    assert response.status_code == 302 and response.headers["Location"] == "/learn/en/"
    page = client.get("/learn/en/", headers={"Accept-Language": "en"})
    assert html_of(page).one("html").get("lang") == "nb"
    assert html_of(page).text("button[aria-current][value=nb]") == "Norsk bokmål"


def test_a_user_s_switch_is_kept_in_their_settings(app, make_user, login):
    user = make_user(language="en")
    session = login(user)
    assert session.post("/language", {"language": "da", "next": "/"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).language == "da"
    home = html_of(session.get("/", headers={"Accept-Language": "nb"}))
    assert home.one("html").get("lang") == "da"  # the setting wins over the browser
    assert home.heading() == "Mine canvasser"


@pytest.mark.parametrize("language", ["xx", "", "DA", "en-GB", "nb'><script>"])
def test_only_the_app_s_languages_can_be_chosen(client, language):
    token = csrf_from(client.get("/auth/login").text)
    response = client.post("/language", data={"csrf_token": token, "language": language})
    assert response.status_code == 400


def test_the_switch_goes_back_only_to_this_site(client):
    token = csrf_from(client.get("/auth/login").text)
    for target in ("https://evil.test/", "//evil.test/x", "/\\evil.test"):
        response = client.post("/language", data={"csrf_token": token, "language": "da",
                                                  "next": target})
        assert response.headers["Location"] == "/", target


def test_the_switch_needs_the_csrf_token(client):
    assert client.post("/language", data={"language": "da"}).status_code == 400


def test_aliases_name_the_app_s_languages():
    assert supported("no") == "nb" and supported("nn") == "nb" and supported("da-dk") == "da"
    assert supported("sv") is None and supported(None) is None


def test_the_site_has_an_icon(client):
    response = client.get("/favicon.ico")
    try:
        assert response.status_code == 200
        assert response.mimetype == "image/vnd.microsoft.icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    finally:
        response.close()
    page = html_of(client.get("/auth/login"))
    icon = page.one("link[rel=icon]").get("href")
    assert re.fullmatch(r"/static/favicon(\.[0-9a-f]{12})?\.svg", icon), icon
    svg = client.get(icon)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    svg.close()
