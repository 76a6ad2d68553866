"""Nothing a user types is lost (issue #6), on the server side: signed-out saves are told so,
ids are never reused, every answer names the stored version, refused texts are kept (only
what the editor knows, bounded) and can be put back, a copy holds everything, a body that
leaves a field out keeps it, commits are durable, and a backup restores what it holds."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from canvas.backup import BackupError, backup, check
from canvas.canvases.service import MAX_SNAPSHOTS
from canvas.extensions import db
from canvas.library import document_of, get_definitions, get_library
from canvas.models import Canvas, RefusedSave, Snapshot, User, Worksheet, utcnow
from canvas.worksheets.fields import Context
from canvas.worksheets.service import MAX_REFUSED, step_inputs
from tests.conftest import csrf_from, migrated_app, stored_answers
from tests.databases import on_postgres
from tests.dom import html_of, squeeze

FOCUS = {"segment": "Offices", "value_proposition": "Spotless desks"}


@pytest.fixture
def owner(make_user):
    return make_user()


@pytest.fixture
def sheet(owner, make_canvas, login):
    """(session, canvas id, worksheet id) of a fresh Customer Relationships worksheet."""
    canvas_id, (ws,) = make_canvas(owner)
    return login(owner), canvas_id, ws


def refused_rows(app, ws: int) -> list[RefusedSave]:
    with app.app_context():
        rows = list(db.session.scalars(select(RefusedSave).where(
            RefusedSave.editor == "worksheet", RefusedSave.object_id == ws)
            .order_by(RefusedSave.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


# --- 1. a save after the session ended is told it was not saved ------------------------------

def test_saves_after_signing_out_are_401_with_the_protocol_s_words(app, sheet):
    session, canvas_id, ws = sheet
    token = session.csrf
    assert session.post("/auth/logout").status_code == 302
    worksheet = session.client.post(
        f"/worksheets/{ws}/steps/focus/autosave",
        data=json.dumps({"version": 1, "step": "focus", "fields": FOCUS}),
        headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    board = session.client.post(
        f"/canvases/{canvas_id}/blocks", data=json.dumps({"version": 1, "blocks": {}}),
        headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    for response in (worksheet, board):
        assert response.status_code == 401  # never a redirect the script would follow
        assert "Location" not in response.headers
        assert response.get_json()["status"] == "signed-out"
    assert stored_answers(app, ws) == (1, {})


def test_the_session_endpoint_says_who_is_signed_in_and_hands_a_fresh_token(sheet, client):
    session, _, _ = sheet
    mine = session.get("/auth/session").get_json()
    assert mine["signed_in"] is True and mine["user"] == session.user.id and mine["csrf"]
    assert session.get("/auth/session").headers["Cache-Control"] == "no-store"
    assert client.get("/auth/session").get_json() == {"signed_in": False, "user": None}


# --- 2. ids are never reused -----------------------------------------------------------------

def test_the_id_of_a_purged_canvas_is_never_given_to_another(app, make_user, make_canvas):
    """A page keeps unsent notes under the canvas id: a new canvas must not get an old id."""
    from canvas.canvases.service import purge_canvas

    a, b = make_user(), make_user()
    first, (first_ws,) = make_canvas(a)
    with app.app_context():
        purge_canvas(db.session.get(Canvas, first))
        db.session.commit()
    second, (second_ws,) = make_canvas(b)
    assert second > first and second_ws > first_ws


# SQLite file backups, its pragmas and its schema table: not there on PostgreSQL, whose own
# tools (pg_dump) and sequences do these jobs.
sqlite_only = pytest.mark.skipif(on_postgres(), reason="SQLite's own behaviour")
postgres_only = pytest.mark.skipif(not on_postgres(), reason="runs under make test-postgres")
IDS = ["users", "canvases", "worksheets", "snapshots", "refused_saves"]


@sqlite_only
@pytest.mark.parametrize("table", IDS)
def test_the_migrated_tables_never_reuse_ids(app, table):
    with app.app_context():
        sql = db.session.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"),
                                 {"t": table}).scalar()
    assert "AUTOINCREMENT" in sql.upper(), sql


@postgres_only
@pytest.mark.parametrize("table", IDS)
def test_the_migrated_tables_never_reuse_ids_on_postgresql(app, table):
    """A sequence hands out each number once, deleted rows or not."""
    with app.app_context():
        default = db.session.execute(text(
            "SELECT column_default FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = :t AND column_name = 'id'"),
            {"t": table}).scalar()
        kind = db.session.execute(text(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = :t AND column_name = 'id'"), {"t": table}).scalar()
    assert default and default.startswith("nextval("), default
    assert kind == "bigint"


# --- 3. every answer names the stored version ------------------------------------------------

def test_a_refused_value_answers_with_the_stored_version(app, sheet):
    """Valid, then a margin over 100: refused, nothing written, and the answer says which
    version is stored, so the page adopts it and its next save is no conflict."""
    session, _, ws = sheet
    first = session.autosave(ws, "economics", 1, {"margin": "40"})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    refused = session.autosave(ws, "economics", 2, {"margin": "150"})
    assert refused.status_code == 422
    assert refused.get_json()["status"] == "refused"
    assert refused.get_json()["version"] == 2 == stored_answers(app, ws)[0]
    mixed = session.autosave(ws, "economics", 2, {"margin": "150", "years": "3"})
    assert mixed.get_json()["status"] == "partial"
    assert mixed.get_json()["version"] == 3 == stored_answers(app, ws)[0]
    assert session.autosave(ws, "economics", 3, {"years": "4"}).status_code == 200
    page = html_of(session.get(f"/worksheets/{ws}/steps/economics"))
    assert page.one("#version").get("value") == "4"
    assert page.one("#conflict").get("hidden") is not None


def test_a_retried_save_that_already_landed_is_no_conflict(app, sheet):
    session, _, ws = sheet
    assert session.autosave(ws, "focus", 1, FOCUS).status_code == 200
    again = session.autosave(ws, "focus", 1, FOCUS)  # the first answer was lost on the way
    assert again.status_code == 200 and again.get_json()["version"] == 2
    assert refused_rows(app, ws) == []
    stale = session.autosave(ws, "focus", 1, {"segment": "Something else"})
    assert stale.status_code == 409 and stale.get_json()["theirs"]["segment"] == "Offices"


# --- 4. texts refused as conflicts are shown to their owner ----------------------------------

def test_texts_not_saved_are_listed_and_can_be_put_back_or_dismissed(app, sheet, make_user,
                                                                     login):
    session, _, ws = sheet
    assert session.autosave(ws, "focus", 1, FOCUS).status_code == 200
    assert session.autosave(ws, "focus", 1, {"segment": "Typed in the old tab"}
                            ).status_code == 409
    assert session.autosave(ws, "focus", 1, {"value_proposition": "Also old"}
                            ).status_code == 409
    step = html_of(session.get(f"/worksheets/{ws}/steps/focus"))
    assert "2 texts were not saved" in step.text(".notice a[href$=not-saved]")
    listing = html_of(session.get(f"/worksheets/{ws}/not-saved"))
    assert listing.heading() == "Texts not saved"
    sections = listing.all("section.not-saved")
    assert len(sections) == 2
    cells = [squeeze(row.get_text(" ")) for row in sections[1].select("tbody tr")]
    assert cells == ["Customer segment Typed in the old tab Offices"]
    (first, second) = refused_rows(app, ws)
    # Someone else cannot see or touch them.
    intruder = login(make_user())
    assert intruder.get(f"/worksheets/{ws}/not-saved").status_code == 404
    assert intruder.post(f"/worksheets/{ws}/not-saved/{first.id}",
                         {"action": "restore"}).status_code == 404
    # Put the first back: it is saved over what is there now, as a new version.
    response = session.post(f"/worksheets/{ws}/not-saved/{first.id}", {"action": "restore"})
    assert response.status_code == 302
    assert stored_answers(app, ws) == (3, {**FOCUS, "segment": "Typed in the old tab"})
    # Dismiss the second: the worksheet keeps what it holds.
    assert session.post(f"/worksheets/{ws}/not-saved/{second.id}",
                        {"action": "dismiss"}).status_code == 302
    assert stored_answers(app, ws)[0] == 3
    assert all(row.dealt_with_at is not None for row in refused_rows(app, ws))
    step = html_of(session.get(f"/worksheets/{ws}/steps/focus"))
    assert not step.has(".notice a[href$=not-saved]")
    assert session.post(f"/worksheets/{ws}/not-saved/{first.id}",
                        {"action": "restore"}).status_code == 404  # dealt with already


def test_a_refused_board_save_is_kept_too(app, sheet):
    session, canvas_id, _ = sheet
    blocks = {"channels": [{"id": "c1", "text": "A shop", "segment": None}]}

    def save(version: int, body: dict):
        return session.client.post(
            f"/canvases/{canvas_id}/blocks", data=json.dumps({"version": version, **body}),
            headers={"X-CSRFToken": session.csrf, "Content-Type": "application/json"})

    assert save(1, {"blocks": blocks}).status_code == 200
    stale = save(1, {"blocks": {"channels": [{"id": "c2", "text": "Old tab", "segment": None}]}})
    assert stale.status_code == 409
    assert stale.get_json()["theirs"]["channels"] == blocks["channels"]
    with app.app_context():
        (row,) = db.session.scalars(select(RefusedSave).where(RefusedSave.editor == "board"))
        assert row.payload["blocks"]["channels"][0]["text"] == "Old tab"
        assert row.canvas_id == canvas_id and row.based_on_version == 1


# --- 5. a copy holds everything --------------------------------------------------------------

def test_duplicating_a_canvas_copies_blocks_segments_and_worksheets(app, sheet):
    session, canvas_id, ws = sheet
    blocks = {"customer-segments": [{"id": "s1", "text": "Offices", "segment": None}],
              "customer-relationships": [{"id": "r1", "text": "A named contact",
                                          "segment": "s1"}],
              "channels": [{"id": "c1", "text": "A shop", "segment": "s1"}]}
    assert session.client.post(
        f"/canvases/{canvas_id}/blocks", data=json.dumps({"version": 1, "blocks": blocks}),
        headers={"X-CSRFToken": session.csrf, "Content-Type": "application/json"}
    ).status_code == 200
    assert session.autosave(ws, "focus", 1, FOCUS).status_code == 200
    assert session.post(f"/canvases/{canvas_id}/duplicate").status_code == 302
    with app.app_context():
        original, twin = db.session.scalars(select(Canvas).order_by(Canvas.id)).all()
        a, b = document_of(original).as_json(), document_of(twin).as_json()
        assert b["title"] == "My business (copy)"
    for document in (a, b):
        del document["title"], document["version"]
    assert a == b
    assert b["blocks"]["customer-relationships"][0]["segment"] == "s1"


# --- 6. a body that leaves a field out keeps it ----------------------------------------------

STORED = {"segment": "Offices", "value_proposition": "Clean",
          "weights": {"acquisition": 50, "retention": 30, "upselling": 20},
          "weights_why": "Growth", "cost_to_win": 4000, "years": 3, "margin": 25,
          "relationship_types": [{"id": "self-service", "why": "Online booking"}],
          "delivery_checks": {"right-time": {"done": True, "how": "A call"}}}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_only_the_inputs_present_change_the_answers(app, data):
    """Whatever subset of a step's inputs a body holds, the fields whose inputs are all left
    out keep exactly their stored answers."""
    from canvas.worksheets.service import read_step

    with app.app_context():
        definition = get_definitions()["customer-relationships"]
        ctx = Context(get_library(), "en", "en", STORED, definition)
        step = data.draw(st.sampled_from(definition.steps), label="step")
        inputs = list(step_inputs(step, ctx))
        sent = data.draw(st.lists(st.sampled_from(inputs), unique=True) if inputs
                         else st.just([]), label="inputs sent")
        values = {name: data.draw(st.one_of(st.text(max_size=20), st.booleans(),
                                            st.integers(0, 100), st.none()), label=name)
                  for name in sent}
        reading = read_step(step, values, ctx)
    for f in step.fields:
        touched = any(name == f.id or name.startswith(f.id + "__") for name in sent)
        if not touched:
            assert f.id not in reading.changes, f.id


# --- 7. refused saves are bounded; versions are capped with a clear message ------------------

def test_refused_saves_keep_only_known_inputs_and_at_most_twenty(app, sheet):
    session, _, ws = sheet
    assert session.autosave(ws, "focus", 1, FOCUS).status_code == 200
    junk = {f"unknown{n}": "x" * 1000 for n in range(240)}
    for n in range(MAX_REFUSED + 10):
        response = session.autosave(ws, "focus", 1, {"segment": f"stale {n}", **junk})
        assert response.status_code == 409
    rows = refused_rows(app, ws)
    assert len(rows) == MAX_REFUSED
    assert [r.payload for r in rows] == [{"segment": f"stale {n}"}
                                         for n in range(10, MAX_REFUSED + 10)]


def test_emptying_the_bin_also_drops_refused_saves_older_than_thirty_days(app, sheet, runner):
    session, _, ws = sheet
    assert session.autosave(ws, "focus", 1, FOCUS).status_code == 200
    for n in range(3):
        session.autosave(ws, "focus", 1, {"segment": f"stale {n}"})
    with app.app_context():
        rows = list(db.session.scalars(select(RefusedSave).order_by(RefusedSave.id)))
        rows[0].created_at = utcnow() - timedelta(days=31)
        db.session.commit()
    result = runner.invoke(args=["purge-bin"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 text that was not saved, older than 30 days." in result.output
    assert [r.payload["segment"] for r in refused_rows(app, ws)] == ["stale 1", "stale 2"]


def test_a_canvas_keeps_at_most_its_cap_of_versions_and_says_so(app, sheet):
    session, canvas_id, _ = sheet
    with app.app_context():
        for n in range(1, MAX_SNAPSHOTS + 1):
            db.session.add(Snapshot(canvas_id=canvas_id, number=n, note="", data={}))
        db.session.commit()
    response = session.post(f"/canvases/{canvas_id}/versions", {"note": "one more"})
    assert response.status_code == 302
    page = html_of(session.get(f"/canvases/{canvas_id}/versions"))
    assert f"already has {MAX_SNAPSHOTS} saved versions" in page.text(".flash-error")
    with app.app_context():
        count = db.session.scalar(select(db.func.count(Snapshot.id)))
    assert count == MAX_SNAPSHOTS


# --- 8. commits are durable ------------------------------------------------------------------

# (On PostgreSQL durability is the server's synchronous_commit, on unless a server turns it
# off; the tests' throwaway server does, for speed.)
@sqlite_only
def test_sqlite_commits_are_durable(app):
    with app.app_context():
        level = db.session.execute(text("PRAGMA synchronous")).scalar()
    assert level == 2  # FULL


# --- 9. backup and restore -------------------------------------------------------------------

def _everything(path) -> dict:
    connection = sqlite3.connect(path)
    try:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: sorted(map(repr, connection.execute(f"SELECT * FROM {t}"))) for t in tables}
    finally:
        connection.close()


@sqlite_only
def test_backup_and_restore_round_trip_a_populated_database(app, sheet, runner, tmp_path):
    session, canvas_id, ws = sheet
    assert session.autosave(ws, "focus", 1, FOCUS).status_code == 200
    assert session.post(f"/canvases/{canvas_id}/versions", {"note": "v1"}).status_code == 302
    copy = tmp_path / "backups" / "canvas.sqlite3"
    result = runner.invoke(args=["backup", str(copy)])  # while the app holds connections
    assert result.exit_code == 0, result.output
    source = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    assert _everything(copy) == _everything(source)
    # A fresh install restores it, checked, and serves the same answers.
    fresh = migrated_app(tmp_path / "fresh.sqlite3")
    result = fresh.test_cli_runner().invoke(args=["restore", str(copy), "--yes"])
    assert result.exit_code == 0, result.output
    assert _everything(tmp_path / "fresh.sqlite3") == _everything(source)
    with fresh.app_context():
        worksheet = db.session.get(Worksheet, ws)
        assert worksheet.answers == FOCUS
        assert db.session.get(User, session.user.id).email == session.user.email
        db.session.remove()
        db.engine.dispose()
    # A second backup to the same name is refused rather than overwritten.
    again = runner.invoke(args=["backup", str(copy)])
    assert again.exit_code != 0 and "exists already" in again.output


@sqlite_only
def test_restore_refuses_what_is_not_a_sound_backup_of_this_app(app, runner, tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE notes (x)").connection.commit()
    for path, words in ((tmp_path / "missing.sqlite3", "no file"), (damaged, "SQLite"),
                        (other, "not a database of this app")):
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code != 0
        assert words in result.output, result.output
    with pytest.raises(BackupError, match="pg_dump"):
        backup("postgresql://canvas@localhost/canvas", tmp_path / "x")
    with pytest.raises(BackupError, match="does not know"):
        source = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        check(source, known_revisions={"0000"})


@postgres_only
def test_on_postgresql_backup_names_its_own_tools(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "x.sqlite3")])
    assert result.exit_code != 0 and "pg_dump" in result.output


@sqlite_only
def test_sign_in_page_still_works_after_a_restore(app, tmp_path, make_user, login, runner):
    """The live app's pooled connections see the restored file, not the old one."""
    user = make_user()
    copy = tmp_path / "b.sqlite3"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    later = make_user()  # made after the backup: gone after the restore
    assert runner.invoke(args=["restore", str(copy), "--yes"]).exit_code == 0
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").text)
    from tests.conftest import PASSWORD

    gone = client.post("/auth/login", data={"email": later.email, "password": PASSWORD,
                                            "csrf_token": token})
    assert gone.status_code == 422
    assert login(user).get("/").status_code == 200


def test_a_body_over_the_size_limit_is_a_413_that_names_the_limit(app, sheet):
    """The page keeps the text (the save protocol treats a 413 as not saved); the answer says
    how much one save can take, as JSON to the script and as a page to a form post."""
    session, canvas_id, ws = sheet
    limit_kb = app.config["MAX_CONTENT_LENGTH"] // 1024
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    answer = session.autosave(ws, "focus", 1, {"segment": too_big})
    assert answer.status_code == 413
    assert f"(the limit is {limit_kb} KB)" in answer.get_json()["message"]
    page = session.post(f"/canvases/{canvas_id}/rename", {"title": too_big})
    assert page.status_code == 413
    assert f"(the limit is {limit_kb} KB)" in html_of(page).text("main")
