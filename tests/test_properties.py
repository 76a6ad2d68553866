"""Property-based tests (Hypothesis) of the autosave endpoint and the forms.

Each test builds its app, user and worksheets once (function-scoped fixtures) and runs the
Hypothesis loop inside, so every example shares that database; the properties are written
so that they hold whatever earlier examples stored.
"""

from __future__ import annotations

import json
import math
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from canvas.accounts import authenticate
from canvas.extensions import db
from canvas.library import get_definitions, get_library
from canvas.models import Canvas, User
from canvas.worksheets.fields import Context
from canvas.worksheets.service import step_inputs
from tests.conftest import csrf_from, path_of, stored_answers
from tests.dom import html_of

SETTINGS = settings(max_examples=75, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
CL = "ladder__customer-ladder"
RUNGS = ("total-market", "target-group", "lead", "warm-lead", "buyer", "customer")


def input_names(app, definition_id: str, step_id: str) -> list[str]:
    """The flat input names of a step (of an empty worksheet)."""
    with app.app_context():
        definition = get_definitions()[definition_id]
        ctx = Context(get_library(), "en", "en", {}, definition)
        return list(step_inputs(definition.step(step_id), ctx))


def text_fields(app) -> list[tuple[str, str, str, int]]:
    """(worksheet definition, step, field id, max length) of every plain text field."""
    with app.app_context():
        return [(d.id, s.id, f.id, f.max_length)
                for d in get_definitions().values() for s, f in d.all_fields()
                if f.type in ("short_text", "long_text")]


def autosave_raw(session, ws: int, step: str, body: str):
    return session.client.post(f"/worksheets/{ws}/steps/{step}/autosave", data=body,
                               headers={"X-CSRFToken": session.csrf,
                                        "Content-Type": "application/json"})


# --- arbitrary JSON never breaks the endpoint ------------------------------------------------

json_leaves = (st.none() | st.booleans() | st.integers()
               # JSON puts no bound on integers: also beyond int64 and beyond float range
               | st.integers(-(10**320), 10**320)
               | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=60))
json_values = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def test_autosave_never_5xx_on_arbitrary_json(app, make_user, make_canvas, login):
    user = make_user()
    _, (ws,) = make_canvas(user)
    session = login(user)
    with app.app_context():
        steps = [s.id for s in get_definitions()["customer-relationships"].steps]
    names = {step: input_names(app, "customer-relationships", step) for step in steps}

    @SETTINGS
    @given(data=st.data())
    def check(data) -> None:
        step = data.draw(st.sampled_from(steps), label="step")
        keys = st.sampled_from(names[step]) | st.text(max_size=40)
        fields = data.draw(st.dictionaries(keys, json_values, max_size=8), label="fields")
        current = stored_answers(app, ws)[0]
        version = data.draw(st.sampled_from([current, current, current - 1, 0]),
                            label="version")
        body = json.dumps({"version": version, "step": step, "fields": fields},
                          allow_nan=True)
        response = autosave_raw(session, ws, step, body)
        assert response.status_code < 500, (response.status_code, body[:500])
        assert response.status_code in (200, 400, 409, 422), response.status_code
        assert response.is_json and isinstance(response.get_json(), dict)
        payload = response.get_json()
        stored = stored_answers(app, ws)[0]
        if response.status_code in (200, 422):
            # A version only when something changed; every answer names the stored one.
            assert payload["version"] == stored and stored in (current, current + 1)
            if response.status_code == 200:
                assert payload["status"] == "saved"
            else:  # partial when something was written, refused when nothing was
                assert payload["status"] == ("partial" if stored == current + 1 else "refused")
            for key in fields:
                if key not in names[step]:
                    assert key in payload["errors"], key
        elif response.status_code == 409:
            assert payload["version"] == stored == current
        elif response.status_code == 400:
            assert payload["message"]
            assert stored_answers(app, ws)[0] == current
        # Whatever was stored, the step still renders.
        page = session.get(f"/worksheets/{ws}/steps/{step}")
        assert page.status_code == 200

    check()


FOCUS_INPUTS = ("segment", "value_proposition")
# Objects with some of the keys an autosave body has, holding anything.
broken_envelopes = st.fixed_dictionaries({}, optional=dict.fromkeys(
    ("version", "step", "fields", "extra"), json_values))


def envelopes(version: int) -> st.SearchStrategy[dict]:
    """Well-formed bodies for the focus step (or, now and then, another step), mostly naming
    the stored version, with input names the step has or not, and any values."""
    return st.fixed_dictionaries({
        "version": st.sampled_from([version, version, version, version - 1, version + 1]),
        "step": st.sampled_from(["focus", "focus", "focus", "goals"]),
        "fields": st.dictionaries(st.sampled_from(FOCUS_INPUTS) | st.text(max_size=10),
                                  st.text(max_size=30) | json_values, max_size=3),
    }, optional={"extra": json_values})


def is_envelope(body: object) -> bool:
    """{"version": a whole number >= 0, "step": text, "fields": an object}, as the editor
    sends; anything else must be refused whole."""
    return (isinstance(body, dict) and type(body.get("version")) is int
            and 0 <= body["version"] < 2**62 and isinstance(body.get("step"), str)
            and isinstance(body.get("fields"), dict))


def test_autosave_arbitrary_keys_and_values_at_top_level(app, make_user, make_canvas, login):
    user = make_user()
    _, (ws,) = make_canvas(user)
    session = login(user)
    outcomes = set()

    @SETTINGS
    @given(data=st.data())
    def check(data) -> None:
        before = stored_answers(app, ws)
        kind = data.draw(st.sampled_from(["well-formed", "well-formed", "broken", "any"]))
        body = data.draw({"any": json_values, "broken": broken_envelopes,
                          "well-formed": envelopes(before[0])}[kind], label="body")
        response = autosave_raw(session, ws, "focus", json.dumps(body, allow_nan=True))
        assert response.status_code in (200, 400, 409, 422), response.status_code
        assert response.is_json
        payload = response.get_json()
        outcomes.add(response.status_code)
        if not is_envelope(body) or body["step"] != "focus":
            assert response.status_code == 400, (response.status_code, body)
        if response.status_code == 400:
            assert payload["status"] == "invalid" and payload["message"]
            assert stored_answers(app, ws) == before  # nothing stored, version unchanged
        elif response.status_code == 409:
            assert body["version"] != before[0]
            assert payload["status"] == "conflict" and payload["version"] == before[0]
            assert stored_answers(app, ws) == before
        else:
            version, answers = stored_answers(app, ws)
            if body["version"] != before[0]:
                # An old version is no conflict when the save would change nothing.
                assert (version, answers) == before, body
            # A save that changes nothing makes no new version.
            assert payload["version"] == version == before[0] + (answers != before[1])
            changed = version != before[0]
            assert payload["status"] == ("saved" if response.status_code == 200
                                         else "partial" if changed else "refused")
            # Only the step's own inputs are stored; every other key with a value (false and
            # [] send nothing, like an unticked box) is refused by name.
            assert set(answers) <= set(FOCUS_INPUTS), answers
            assert {k for k, v in body["fields"].items()
                    if k not in FOCUS_INPUTS and v not in (False, [])} <= set(payload["errors"])
            for key in FOCUS_INPUTS:
                value = body["fields"].get(key)
                if isinstance(value, str) and key not in payload["errors"]:
                    assert answers.get(key, "") == value.replace("\r\n", "\n"), key

    check()
    assert 400 in outcomes and outcomes & {200, 422}, outcomes  # refused ones and saved ones


# --- text fields: saved exactly or refused with a message ------------------------------------

def test_text_fields_save_exactly_or_refuse(app, make_user, make_canvas, login):
    user = make_user()
    _, wss = make_canvas(user, worksheets=("customer-relationships", "first-lesson"))
    ws_of = dict(zip(("customer-relationships", "first-lesson"), wss, strict=True))
    session = login(user)
    fields = text_fields(app)
    assert len(fields) >= 15

    @SETTINGS
    @given(data=st.data())
    def check(data) -> None:
        definition, step, field, limit = data.draw(st.sampled_from(fields), label="field")
        ws = ws_of[definition]
        # Any text, and text made of the characters that forms and browsers tend to mangle.
        prefix = data.draw(st.text(max_size=40) | st.text(" \t\r\n\x00\u00a0\u2028é😀<&>\"'",
                                                          max_size=12), label="prefix")
        if data.draw(st.booleans(), label="near the limit"):
            low = max(0, limit - len(prefix) - 3)
            pad = data.draw(st.integers(low, low + 6), label="pad")
            text = prefix + "x" * pad
        else:
            text = prefix
        version, before = stored_answers(app, ws)
        response = session.autosave(ws, step, version, {field: text})
        assert response.status_code in (200, 422), response.status_code
        payload = response.get_json()
        _, after = stored_answers(app, ws)
        # Line breaks are stored and counted as LF (form posts send CRLF); nothing else changes.
        expected = text.replace("\r\n", "\n")
        if len(expected) <= limit:
            assert response.status_code == 200, payload["errors"]
            assert after[field] == expected
        else:
            assert response.status_code == 422
            (message,) = payload["errors"][field]
            assert f"This is {len(expected)} characters; the limit is {limit}." in message
            assert after.get(field) == before.get(field)

    check()


# --- counts and goals: numbers stored as numbers, everything else refused --------------------

def _spaced(n: int) -> str:
    return f"{n:,}".replace(",", " ")


valid_counts = st.one_of(
    st.integers(0, 10**12).map(lambda n: (n, n)),
    st.integers(0, 10**12).map(lambda n: (str(n), n)),
    st.integers(0, 10**9).map(lambda n: (_spaced(n), n)),
    st.integers(0, 10**6).map(lambda n: (f" {n}.0 ", n)),
    st.integers(0, 10**6).map(lambda n: (float(n), n)),
)
invalid_counts = st.one_of(
    st.integers(max_value=-1).map(str),
    st.integers(-10**9, -1),
    st.integers(0, 10**6).map(lambda n: n + 0.5),
    st.integers(0, 10**6).map(lambda n: f"{n},5"),
)
valid_goals = st.one_of(
    st.integers(0, 100).map(lambda n: (n, float(n))),
    st.floats(0, 100).map(lambda x: (x, x)),
    # A decimal comma works in English too, except where it reads as a thousands comma.
    st.tuples(st.integers(0, 99), st.integers(0, 10**6), st.sampled_from(".,")).filter(
        lambda t: t[2] == "." or t[0] == 0 or len(str(t[1])) != 3).map(
        lambda t: (f"{t[0]}{t[2]}{t[1]}", float(f"{t[0]}.{t[1]}"))),
)
invalid_goals = st.one_of(
    st.floats(min_value=100, exclude_min=True, allow_infinity=False),
    st.floats(max_value=0, exclude_max=True, allow_infinity=False),
    st.integers(101, 10**9).map(str),
    st.integers(max_value=-1).map(str),
    st.integers(1, 99).map(lambda n: f"{n},500"),  # an English canvas: 1,500 is 1500, not 1.5
)
# Text that is not a number in any notation: it holds a character that is neither a digit,
# a space nor a sign or separator.
non_numbers = st.text(max_size=30).filter(
    lambda s: any(not (c.isdigit() or c.isspace() or c in ".,+-") for c in s))


def test_counts_and_goals(app, make_user, make_canvas, login):
    user = make_user()
    _, (ws,) = make_canvas(user)
    session = login(user)

    @SETTINGS
    @given(data=st.data())
    def check(data) -> None:
        kind = data.draw(st.sampled_from(["count", "goal"]), label="kind")
        rungs = RUNGS if kind == "count" else RUNGS[:-1]
        rung = data.draw(st.sampled_from(rungs), label="rung")
        name = f"{CL}__{kind}__{rung}"
        valid, invalid = (valid_counts, invalid_counts) if kind == "count" else (
            valid_goals, invalid_goals)
        if data.draw(st.booleans(), label="valid"):
            value, expected = data.draw(valid, label="value")
        else:
            value, expected = data.draw(invalid | non_numbers, label="value"), None
        version, before = stored_answers(app, ws)
        response = session.autosave(ws, "ladder", version,
                                    {"ladder__ladder": "customer-ladder", name: value})
        assert response.status_code in (200, 422), (response.status_code, value)
        payload = response.get_json()
        _, after = stored_answers(app, ws)
        if expected is not None:
            assert response.status_code == 200, (value, payload["errors"])
            stored = after["ladder"]["customer-ladder"][f"{kind}s"][rung]
            assert isinstance(stored, int | float) and not isinstance(stored, bool)
            assert math.isclose(stored, expected, rel_tol=1e-12, abs_tol=1e-12), (value, stored)
            if kind == "count":
                assert isinstance(stored, int)
        else:
            assert response.status_code == 422, (value, after.get("ladder"))
            assert payload["errors"][name]
            # The refused number is not stored: its rung keeps what it held.
            old = ((before.get("ladder") or {}).get("customer-ladder") or {}).get(f"{kind}s") or {}
            new = after["ladder"]["customer-ladder"][f"{kind}s"]
            assert new.get(rung) == old.get(rung)

    check()


# --- forms with arbitrary text ---------------------------------------------------------------

def test_register_form_never_5xx(app):
    app.config["RATELIMIT_REGISTER"] = "10000 per minute"  # every example comes from one address
    made = []  # the e-mails of the accounts made so far

    @SETTINGS
    @given(name=st.text(max_size=150), email=st.text(max_size=60) | st.emails(),
           password=st.text(max_size=40), confirm=st.text(max_size=40) | st.none(),
           role=st.sampled_from(["student", "entrepreneur", "admin"]) | st.text(max_size=10),
           language=st.sampled_from(["en", "da", "nb"]) | st.text(max_size=5))
    def check(name, email, password, confirm, role, language) -> None:
        client = app.test_client()
        token = csrf_from(client.get("/auth/register").text)
        response = client.post("/auth/register", data={
            "name": name, "email": email, "password": password,
            "confirm": password if confirm is None else confirm, "role": role,
            "language": language, "csrf_token": token})
        if "\x00" in "".join((name, email, password, confirm or "", role, language)):
            assert response.status_code == 400  # refused before any view (web.py)
            return
        assert response.status_code in (302, 422), response.status_code
        with app.app_context():
            accounts = db.session.scalar(select(db.func.count(User.id)))
        if response.status_code == 422:  # a message is shown beside some field
            assert re.search(r'class="field-error" id="\w+-error">', response.text)
            assert accounts == len(made)  # and no account is made
            return
        # One account more, made as asked for, whose password works; its owner is signed in.
        made.append(email)
        assert accounts == len(made)
        assert path_of(response) == "/"
        assert len(password) >= 8 and confirm in (None, password)
        with app.app_context():
            user = authenticate(email, password)
            assert user is not None and user.id == db.session.scalar(select(db.func.max(User.id)))
            assert (user.email, user.name, user.role, user.language) == (
                email.strip().lower(), name.strip(), role, language)
        home = client.get("/")
        assert home.status_code == 200 and html_of(home).heading() == "My canvases"

    check()


def test_new_canvas_form_never_5xx(app, make_user, login):
    user = make_user()
    session = login(user)

    @SETTINGS
    @given(title=st.text(max_size=140),
           language=st.sampled_from(["en", "da", "nb"]) | st.text(max_size=5),
           worksheet=st.sampled_from(["", "customer-relationships", "first-lesson"])
           | st.text(max_size=20))
    def check(title, language, worksheet) -> None:
        response = session.post("/canvases/new", {"title": title, "language": language,
                                                  "worksheet": worksheet})
        if "\x00" in title + language + worksheet:  # refused before any view (web.py)
            assert response.status_code == 400
            return
        assert response.status_code in (302, 422), response.status_code
        if response.status_code == 302:
            with app.app_context():
                newest = db.session.scalar(select(Canvas).where(Canvas.owner_id == user.id)
                                           .order_by(Canvas.id.desc()))
                assert newest.title == title.strip()
                assert newest.language == language
            assert len(title.strip()) > 0 and len(title) <= 120
        else:
            assert re.search(r'class="field-error" id="\w+-error">', response.text)

    check()
