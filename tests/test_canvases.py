"""Home, canvases, the recycle bin and access rules, through the Flask test client."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from canvas.extensions import db
from canvas.models import Canvas, RefusedSave, User, Worksheet, utcnow
from tests.conftest import (
    assert_not_found,
    csrf_from,
    field_error,
    input_value,
    path_of,
    stored_answers,
)
from tests.dom import html_of

CR_STEPS = 9  # steps of the customer-relationships worksheet


# --- helpers ---------------------------------------------------------------------------------

def canvas_row(app, canvas_id: int) -> Canvas | None:
    with app.app_context():
        canvas = db.session.get(Canvas, canvas_id)
        if canvas is not None:
            db.session.expunge(canvas)
        return canvas


def canvases_of(app, user: User) -> list[Canvas]:
    with app.app_context():
        rows = list(db.session.scalars(
            select(Canvas).where(Canvas.owner_id == user.id).order_by(Canvas.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def worksheets_of(app, canvas_id: int) -> list[tuple[int, str, dict, int]]:
    with app.app_context():
        return [(w.id, w.definition_id, dict(w.answers), w.version) for w in db.session.scalars(
            select(Worksheet).where(Worksheet.canvas_id == canvas_id).order_by(Worksheet.id))]


def snapshot(app) -> dict:
    """Everything a canvas route could change, to compare before and after a request."""
    with app.app_context():
        canvases = {c.id: (c.owner_id, c.title, c.language, c.deleted_at)
                    for c in db.session.scalars(select(Canvas))}
        worksheets = {w.id: (w.canvas_id, w.definition_id, json.dumps(w.answers, sort_keys=True),
                             w.version, w.current_step)
                      for w in db.session.scalars(select(Worksheet))}
        refused = db.session.scalar(select(db.func.count(RefusedSave.id)))
        return {"canvases": canvases, "worksheets": worksheets, "refused": refused}


def trash(app, canvas_id: int, days_ago: float = 0) -> None:
    """Put a canvas in the bin directly in the database, `days_ago` days back."""
    with app.app_context():
        canvas = db.session.get(Canvas, canvas_id)
        canvas.deleted_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()


def home_lists(page: str, canvas_id: int) -> bool:
    """Whether the home page (which it checks this is) has a card linking to the canvas."""
    home = html_of(page)
    assert home.heading() == "My canvases"
    return f"/canvases/{canvas_id}" in [a["href"] for a in home.all(".card h2 a")]


# --- home ------------------------------------------------------------------------------------

def test_home_anonymous_shows_welcome(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Plan the relationships that keep your customers" in page.text
    assert 'href="/auth/register"' in page.text
    welcome = html_of(page)
    assert welcome.heading() == "Plan the relationships that keep your customers"
    assert not welcome.has(".cards")  # no list of canvases


def test_home_lists_own_canvases_with_progress(app, login, make_user, make_canvas):
    user, other = make_user(), make_user()
    canvas_id, (ws,) = make_canvas(user, title="Bike repairs in Aarhus")
    make_canvas(other, title="Someone else's shop")
    session = login(user)

    page = session.get("/")
    assert page.status_code == 200
    assert "Bike repairs in Aarhus" in page.text
    home = html_of(page)
    assert home.heading() == "My canvases"
    assert home.texts(".cards .card h2") == ["Bike repairs in Aarhus"]
    assert not home.mentions("Someone else's shop")
    assert f"0 of {CR_STEPS} steps" in page.text
    assert f'href="/worksheets/{ws}"' in page.text

    assert session.autosave(ws, "focus", 1, {"segment": "Students", "value_proposition": ""}
                            ).status_code == 200
    assert session.autosave(ws, "goals", 2, {"weights__acquisition": "50",
                                             "weights__retention": "50",
                                             "weights__upselling": "0",
                                             "weights_why": "New shop"}).status_code == 200
    page = session.get("/")
    assert f"2 of {CR_STEPS} steps" in page.text
    assert re.search(rf'<progress max="{CR_STEPS}" value="2"', page.text)


def test_home_shows_empty_state_for_a_new_user(login, make_user):
    page = login(make_user()).get("/")
    assert "You have no canvases yet" in page.text


# --- new canvas ------------------------------------------------------------------------------

def test_new_canvas_form_renders(login, make_user):
    page = login(make_user(language="nb")).get("/canvases/new")
    assert page.status_code == 200
    assert 'name="title"' in page.text
    assert 'value="customer-relationships"' in page.text
    assert 'value="first-lesson"' in page.text
    # The user's own language is preselected.
    assert re.search(r'<option selected value="nb">|<option value="nb" selected', page.text)


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_new_canvas_with_worksheet_goes_into_the_editor(app, login, make_user, language):
    user = make_user()
    session = login(user)
    response = session.post("/canvases/new", {"title": "  Glans Rengøring  ",
                                              "language": language,
                                              "worksheet": "customer-relationships"})
    assert response.status_code == 302
    (canvas,) = canvases_of(app, user)
    assert canvas.title == "Glans Rengøring"
    assert canvas.language == language
    ((ws, definition, answers, version),) = worksheets_of(app, canvas.id)
    assert definition == "customer-relationships" and answers == {} and version == 1
    assert path_of(response) == f"/worksheets/{ws}"

    step = session.get(f"/worksheets/{ws}")
    assert step.status_code == 302
    assert path_of(step) == f"/worksheets/{ws}/steps/focus"
    page = html_of(session.get(path_of(step)))
    # The questions are in the canvas's language; the buttons in the user's (English).
    assert page.one("#step-form > div[lang]").get("lang") == language
    assert page.one("html").get("lang") == "en"


def test_new_canvas_with_first_lesson(app, login, make_user):
    user = make_user()
    session = login(user)
    response = session.post("/canvases/new", {"title": "Lesson", "language": "en",
                                              "worksheet": "first-lesson"})
    assert response.status_code == 302
    (canvas,) = canvases_of(app, user)
    ((ws, definition, _, _),) = worksheets_of(app, canvas.id)
    assert definition == "first-lesson"
    assert path_of(session.get(f"/worksheets/{ws}")) == f"/worksheets/{ws}/steps/customer"


def test_new_canvas_without_worksheet_goes_to_the_canvas(app, login, make_user):
    user = make_user()
    session = login(user)
    response = session.post("/canvases/new", {"title": "Empty", "language": "en",
                                              "worksheet": ""})
    assert response.status_code == 302
    (canvas,) = canvases_of(app, user)
    assert path_of(response) == f"/canvases/{canvas.id}"
    assert worksheets_of(app, canvas.id) == []


def test_new_canvas_title_is_required(app, login, make_user):
    user = make_user()
    session = login(user)
    response = session.post("/canvases/new", {"title": "   ", "language": "en",
                                              "worksheet": "customer-relationships"})
    assert response.status_code == 422
    assert "Give the canvas a title." in field_error(response.text, "title")
    assert canvases_of(app, user) == []


def test_new_canvas_long_title_is_refused_and_kept(app, login, make_user):
    user = make_user()
    session = login(user)
    title = "Ø" * 121
    response = session.post("/canvases/new", {"title": title, "language": "da",
                                              "worksheet": "customer-relationships"})
    assert response.status_code == 422
    assert "under 120 characters" in field_error(response.text, "title")
    assert input_value(response.text, "title") == title
    assert canvases_of(app, user) == []

    ok = session.post("/canvases/new", {"title": "Ø" * 120, "language": "da",
                                        "worksheet": "customer-relationships"})
    assert ok.status_code == 302
    assert [c.title for c in canvases_of(app, user)] == ["Ø" * 120]


@pytest.mark.parametrize("field, value", [("language", "sv"), ("worksheet", "no-such-sheet")])
def test_new_canvas_refuses_unknown_choices(app, login, make_user, field, value):
    user = make_user()
    session = login(user)
    data = {"title": "Shop", "language": "en", "worksheet": "customer-relationships",
            field: value}
    response = session.post("/canvases/new", data)
    assert response.status_code == 422
    assert input_value(response.text, "title") == "Shop"
    assert canvases_of(app, user) == []


# --- show, rename, duplicate -----------------------------------------------------------------

def test_show_canvas(login, make_user, make_canvas):
    user = make_user()
    canvas_id, (ws,) = make_canvas(user, title="Fodboldstøvler", language="da")
    page = login(user).get(f"/canvases/{canvas_id}")
    assert page.status_code == 200
    assert "Fodboldstøvler" in page.text
    assert "Kunderelationer" in page.text  # the worksheet title in the canvas's language
    assert f'href="/worksheets/{ws}"' in page.text
    assert f'action="/canvases/{canvas_id}/worksheets"' in page.text


def test_rename(app, login, make_user, make_canvas):
    user = make_user()
    canvas_id, _ = make_canvas(user, title="Old name")
    session = login(user)
    page = session.get(f"/canvases/{canvas_id}/rename")
    assert page.status_code == 200
    assert input_value(page.text, "title") == "Old name"

    response = session.post(f"/canvases/{canvas_id}/rename", {"title": " New name "})
    assert response.status_code == 302
    assert canvas_row(app, canvas_id).title == "New name"
    assert "Renamed to “New name”." in session.get("/").text


@pytest.mark.parametrize("title, message", [("", "cannot be empty"),
                                            ("x" * 121, "under 120 characters")])
def test_rename_refuses_bad_titles_and_keeps_them(app, login, make_user, make_canvas, title,
                                                  message):
    user = make_user()
    canvas_id, _ = make_canvas(user, title="Old name")
    session = login(user)
    response = session.post(f"/canvases/{canvas_id}/rename", {"title": title})
    assert response.status_code == 422
    assert message in field_error(response.text, "title")
    assert input_value(response.text, "title") == title
    assert canvas_row(app, canvas_id).title == "Old name"


def test_duplicate_copies_worksheets_and_answers(app, login, make_user, make_canvas):
    user = make_user()
    canvas_id, (ws, _) = make_canvas(user, title="Original", language="nb",
                                   worksheets=("customer-relationships", "first-lesson"))
    session = login(user)
    assert session.autosave(ws, "focus", 1, {"segment": "Skoleelever",
                                             "value_proposition": "Billige sko"}
                            ).status_code == 200
    original_sheets = worksheets_of(app, canvas_id)

    response = session.post(f"/canvases/{canvas_id}/duplicate")
    assert response.status_code == 302
    assert path_of(response) == "/"
    original, twin = canvases_of(app, user)
    assert original.id == canvas_id
    assert twin.title == "Original (copy)"
    assert twin.language == "nb"
    assert twin.deleted_at is None
    twin_sheets = worksheets_of(app, twin.id)
    assert [(d, a) for _, d, a, _ in twin_sheets] == [(d, a) for _, d, a, _ in original_sheets]
    assert {w[0] for w in twin_sheets}.isdisjoint({w[0] for w in original_sheets})
    assert twin_sheets[0][2]["segment"] == "Skoleelever"

    # The copy is independent: editing it leaves the original alone.
    twin_ws = twin_sheets[0][0]
    assert session.autosave(twin_ws, "focus", twin_sheets[0][3], {
        "segment": "Changed", "value_proposition": ""}).status_code == 200
    assert stored_answers(app, ws)[1]["segment"] == "Skoleelever"
    assert "Original (copy)" in session.get("/").text


# --- delete, bin, restore, purge -------------------------------------------------------------

def test_delete_asks_first(app, login, make_user, make_canvas):
    user = make_user()
    canvas_id, _ = make_canvas(user, title="Doomed")
    page = login(user).get(f"/canvases/{canvas_id}/delete")
    assert page.status_code == 200
    assert "Delete “Doomed”?" in page.text
    assert "Move to the recycle bin" in page.text
    assert canvas_row(app, canvas_id).deleted_at is None


def test_delete_moves_to_bin_with_undo(app, login, make_user, make_canvas):
    user = make_user()
    canvas_id, _ = make_canvas(user, title="Doomed")
    session = login(user)
    response = session.post(f"/canvases/{canvas_id}/delete")
    assert response.status_code == 302
    assert path_of(response) == "/"
    assert canvas_row(app, canvas_id).deleted_at is not None

    home = session.get(response.headers["Location"])
    assert home.status_code == 200
    assert not home_lists(home.text, canvas_id)
    assert "“Doomed” was moved to the recycle bin." in home.text
    undo = re.search(rf'<form method="post"[^>]*action="/canvases/{canvas_id}/restore">\s*'
                     r'<input type="hidden" name="csrf_token" value="([^"]+)">\s*'
                     r'<button type="submit"[^>]*>Undo</button>', home.text)
    assert undo, "the flash has no Undo form"

    binned = session.get("/bin")
    assert binned.status_code == 200
    assert "Doomed" in binned.text
    assert f'action="/canvases/{canvas_id}/restore"' in binned.text
    assert f'action="/canvases/{canvas_id}/purge"' in binned.text

    restored = session.client.post(f"/canvases/{canvas_id}/restore",
                                   data={"csrf_token": undo.group(1)})
    assert restored.status_code == 302
    assert canvas_row(app, canvas_id).deleted_at is None
    assert home_lists(session.get("/").text, canvas_id)
    binned = html_of(session.get("/bin"))
    assert binned.heading() == "Recycle bin"
    assert binned.texts(".cards .card h2") == []
    assert binned.text("p.empty") == "The recycle bin is empty."
    assert not binned.mentions("Doomed")


def test_restore_from_bin(app, login, make_user, make_canvas):
    user = make_user()
    canvas_id, (ws,) = make_canvas(user, title="Back again")
    session = login(user)
    assert session.post(f"/canvases/{canvas_id}/delete").status_code == 302
    assert session.get(f"/worksheets/{ws}/steps/focus").status_code == 404
    response = session.post(f"/canvases/{canvas_id}/restore")
    assert response.status_code == 302
    assert canvas_row(app, canvas_id).deleted_at is None
    assert "“Back again” is back." in session.get("/").text
    assert session.get(f"/worksheets/{ws}/steps/focus").status_code == 200


def test_restore_of_a_live_canvas_is_404(app, login, make_user, make_canvas):
    user = make_user()
    canvas_id, _ = make_canvas(user)
    assert login(user).post(f"/canvases/{canvas_id}/restore").status_code == 404
    assert canvas_row(app, canvas_id).deleted_at is None


def test_purge_deletes_for_good(app, login, make_user, make_canvas):
    user = make_user()
    canvas_id, (ws,) = make_canvas(user, title="Gone")
    keep_id, _ = make_canvas(user, title="Kept")
    session = login(user)
    # A refused save hangs off the worksheet; purging must take it along.
    assert session.autosave(ws, "focus", 1, {"segment": "a"}).status_code == 200
    assert session.autosave(ws, "focus", 1, {"segment": "b"}).status_code == 409

    # A live canvas cannot be purged directly: it has to go through the bin.
    assert session.post(f"/canvases/{canvas_id}/purge").status_code == 404
    assert canvas_row(app, canvas_id) is not None

    assert session.post(f"/canvases/{canvas_id}/delete").status_code == 302
    response = session.post(f"/canvases/{canvas_id}/purge")
    assert response.status_code == 302
    assert path_of(response) == "/bin"
    assert canvas_row(app, canvas_id) is None
    assert worksheets_of(app, canvas_id) == []
    with app.app_context():
        assert db.session.scalar(select(db.func.count(RefusedSave.id))) == 0
    assert canvas_row(app, keep_id) is not None
    page = session.get("/bin")
    assert "“Gone” was deleted for good." in page.text
    # Purged is purged: restoring it now finds nothing.
    assert session.post(f"/canvases/{canvas_id}/restore").status_code == 404


def test_purge_bin_command_removes_only_expired(app, runner, make_user, make_canvas):
    user = make_user()
    old_id, _ = make_canvas(user, title="Old")
    recent_id, _ = make_canvas(user, title="Recent")
    live_id, _ = make_canvas(user, title="Live")
    trash(app, old_id, days_ago=31)
    trash(app, recent_id, days_ago=29)

    with app.app_context():  # as `flask --app canvas purge-bin` runs it
        result = runner.invoke(args=["purge-bin"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 canvas" in result.output
    assert canvas_row(app, old_id) is None
    assert worksheets_of(app, old_id) == []
    assert canvas_row(app, recent_id).deleted_at is not None
    assert canvas_row(app, live_id).deleted_at is None


# --- add a worksheet -------------------------------------------------------------------------

def test_add_worksheet_to_canvas(app, login, make_user, make_canvas):
    user = make_user()
    canvas_id, (ws,) = make_canvas(user)
    session = login(user)
    response = session.post(f"/canvases/{canvas_id}/worksheets", {"definition": "first-lesson"})
    assert response.status_code == 302
    sheets = worksheets_of(app, canvas_id)
    assert [d for _, d, _, _ in sheets] == ["customer-relationships", "first-lesson"]
    assert path_of(response) == f"/worksheets/{sheets[1][0]}"


def test_add_unknown_worksheet_is_refused(app, login, make_user, make_canvas):
    user = make_user()
    canvas_id, _ = make_canvas(user)
    session = login(user)
    response = session.post(f"/canvases/{canvas_id}/worksheets", {"definition": "nope"})
    assert response.status_code == 302
    assert path_of(response) == f"/canvases/{canvas_id}"
    assert len(worksheets_of(app, canvas_id)) == 1
    assert "Pick one of the worksheets on the list." in session.get(f"/canvases/{canvas_id}").text


# --- access ----------------------------------------------------------------------------------

def _requests(canvas_id: int, binned_id: int, ws: int) -> list[tuple[str, str, dict | None]]:
    """(method, url, form data) for every canvas and worksheet URL that takes an id."""
    return [
        ("GET", f"/canvases/{canvas_id}", None),
        ("GET", f"/canvases/{canvas_id}/rename", None),
        ("POST", f"/canvases/{canvas_id}/rename", {"title": "Hijacked"}),
        ("POST", f"/canvases/{canvas_id}/duplicate", {}),
        ("GET", f"/canvases/{canvas_id}/delete", None),
        ("POST", f"/canvases/{canvas_id}/delete", {}),
        ("POST", f"/canvases/{binned_id}/restore", {}),
        ("POST", f"/canvases/{binned_id}/purge", {}),
        ("POST", f"/canvases/{canvas_id}/worksheets", {"definition": "first-lesson"}),
        ("GET", f"/worksheets/{ws}", None),
        ("GET", f"/worksheets/{ws}/steps/focus", None),
        ("GET", f"/worksheets/{ws}/steps/economics", None),
        ("POST", f"/worksheets/{ws}/steps/focus", {"version": "2", "segment": "Hijacked",
                                                   "go": "next"}),
        ("AUTOSAVE", f"/worksheets/{ws}/steps/focus/autosave", {"segment": "Hijacked"}),
    ]


def _send(session, method: str, url: str, data: dict | None):
    if method == "GET":
        return session.get(url)
    if method == "AUTOSAVE":
        ws = int(url.split("/")[2])
        return session.autosave(ws, "focus", 2, data)
    return session.post(url, data)


@pytest.fixture
def victim(app, make_user, make_canvas, login):
    """A user with one live canvas with answers and one canvas in the bin."""
    owner = make_user()
    canvas_id, (ws,) = make_canvas(owner, title="Private plans")
    binned_id, _ = make_canvas(owner, title="Binned plans")
    session = login(owner)
    assert session.autosave(ws, "focus", 1, {"segment": "Secret segment"}).status_code == 200
    trash(app, binned_id)
    return {"canvas": canvas_id, "binned": binned_id, "ws": ws}


def test_other_users_get_404_everywhere(app, login, make_user, victim):
    intruder = login(make_user())
    before = snapshot(app)
    for method, url, data in _requests(victim["canvas"], victim["binned"], victim["ws"]):
        response = _send(intruder, method, url, data)
        assert_not_found(response, "Secret segment", "Private plans")
    assert snapshot(app) == before


def test_other_users_cannot_see_the_canvas_on_home_or_bin(login, make_user, victim):
    intruder = login(make_user())
    home = intruder.get("/")
    assert home.status_code == 200
    home = html_of(home)
    assert home.heading() == "My canvases"
    assert home.texts(".cards .card h2") == []
    assert "You have no canvases yet" in home.text("p.empty")
    assert not home.mentions("Private plans") and not home.mentions("Binned plans")
    binned = intruder.get("/bin")
    assert binned.status_code == 200
    binned = html_of(binned)
    assert binned.heading() == "Recycle bin"
    assert binned.texts(".cards .card h2") == []
    assert binned.text("p.empty") == "The recycle bin is empty."
    assert not binned.mentions("Binned plans") and not binned.mentions("Private plans")


def test_anonymous_users_are_sent_to_login(app, client, victim):
    token = csrf_from(client.get("/auth/login").text)
    before = snapshot(app)
    urls = [("GET", "/canvases/new", None), ("GET", "/bin", None),
            ("POST", "/canvases/new", {"title": "x", "language": "en", "worksheet": ""}),
            *_requests(victim["canvas"], victim["binned"], victim["ws"])]
    for method, url, data in urls:
        if method == "GET":
            response = client.get(url)
        elif method == "AUTOSAVE":
            response = client.post(url, data=json.dumps({"version": 2, "step": "focus",
                                                         "fields": data}),
                                   headers={"X-CSRFToken": token,
                                            "Content-Type": "application/json"})
        else:
            response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code in (302, 401), (method, url, response.status_code)
        if response.status_code == 302:
            assert path_of(response) == "/auth/login", (method, url)
    assert snapshot(app) == before


def test_a_trashed_canvas_and_its_worksheets_are_404(app, login, make_user, make_canvas):
    user = make_user()
    canvas_id, (ws,) = make_canvas(user, title="In the bin")
    session = login(user)
    trash(app, canvas_id)
    before = snapshot(app)
    for method, url, data in [
        ("GET", f"/canvases/{canvas_id}", None),
        ("GET", f"/canvases/{canvas_id}/rename", None),
        ("POST", f"/canvases/{canvas_id}/rename", {"title": "Renamed in the bin"}),
        ("GET", f"/canvases/{canvas_id}/delete", None),
        ("POST", f"/canvases/{canvas_id}/worksheets", {"definition": "first-lesson"}),
        ("GET", f"/worksheets/{ws}", None),
        ("GET", f"/worksheets/{ws}/steps/focus", None),
        ("POST", f"/worksheets/{ws}/steps/focus", {"version": "1", "segment": "x"}),
        ("AUTOSAVE", f"/worksheets/{ws}/steps/focus/autosave", {"segment": "x"}),
    ]:
        if method == "AUTOSAVE":
            response = session.autosave(ws, "focus", 1, data)
        else:
            response = _send(session, method, url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert snapshot(app) == before


def test_unknown_ids_are_404(login, make_user):
    session = login(make_user())
    for url in ("/canvases/999", "/canvases/999/rename", "/canvases/999/delete",
                "/worksheets/999", "/worksheets/999/steps/focus"):
        assert session.get(url).status_code == 404, url
    assert session.autosave(999, "focus", 1, {}).status_code == 404


def test_unknown_step_is_404(login, make_user, make_canvas):
    user = make_user()
    _, (ws,) = make_canvas(user)
    session = login(user)
    assert session.get(f"/worksheets/{ws}/steps/no-such-step").status_code == 404
    assert session.autosave(ws, "no-such-step", 1, {}).status_code == 404


# --- CSRF ------------------------------------------------------------------------------------

@pytest.fixture
def owner_state(app, make_user, make_canvas, login):
    user = make_user()
    canvas_id, (ws,) = make_canvas(user, title="Mine")
    binned_id, _ = make_canvas(user, title="Mine, binned")
    trash(app, binned_id)
    return {"session": login(user), "canvas": canvas_id, "binned": binned_id, "ws": ws}


CSRF_POSTS = [
    ("/canvases/new", {"title": "Forged", "language": "en", "worksheet": ""}),
    ("/canvases/{canvas}/rename", {"title": "Forged"}),
    ("/canvases/{canvas}/duplicate", {}),
    ("/canvases/{canvas}/delete", {}),
    ("/canvases/{binned}/restore", {}),
    ("/canvases/{binned}/purge", {}),
    ("/canvases/{canvas}/worksheets", {"definition": "first-lesson"}),
    ("/worksheets/{ws}/steps/focus", {"version": "1", "segment": "Forged", "go": "next"}),
    ("/auth/logout", {}),
]


def test_posts_without_csrf_token_are_refused(app, owner_state):
    session = owner_state["session"]
    before = snapshot(app)
    refused = {}
    for url, data in CSRF_POSTS:
        refused[url] = session.client.post(url.format(**owner_state), data=data).status_code
    assert refused == {url: 400 for url, _ in CSRF_POSTS}
    assert snapshot(app) == before
    assert "My canvases</h1>" in session.get("/").text  # still signed in


def test_posts_with_a_forged_csrf_token_are_refused(app, owner_state):
    session = owner_state["session"]
    # A token from another browser session is as good as none.
    foreign = csrf_from(app.test_client().get("/auth/login").text)
    before = snapshot(app)
    refused = {}
    for url, data in CSRF_POSTS:
        for name, token in (("altered", session.csrf + "x"), ("foreign", foreign)):
            response = session.client.post(url.format(**owner_state),
                                           data={"csrf_token": token, **data})
            refused[(url, name)] = response.status_code
    assert refused == {(url, name): 400 for url, _ in CSRF_POSTS
                       for name in ("altered", "foreign")}
    assert snapshot(app) == before
    assert "My canvases</h1>" in session.get("/").text


def test_autosave_without_csrf_header_is_refused(app, owner_state):
    session, ws = owner_state["session"], owner_state["ws"]
    before = snapshot(app)
    body = json.dumps({"version": 1, "step": "focus", "fields": {"segment": "Forged"}})
    response = session.client.post(f"/worksheets/{ws}/steps/focus/autosave", data=body,
                                   headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.is_json
    assert response.json["message"]
    assert snapshot(app) == before
