"""Adding a field type is one class and two template partials: shown here by adding one,
a star rating, in the test suite only (no change to the app)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from flask import Blueprint, Flask

from canvas.accounts import create_user
from canvas.canvases.service import create_canvas
from canvas.exports.pdf import make_environment
from canvas.exports.report import report_html
from canvas.extensions import db
from canvas.interchange import read_document
from canvas.library import get_definitions, get_library
from canvas.worksheets.fields import (
    TYPES,
    AnswerError,
    Context,
    FieldType,
    Input,
    Line,
    Reading,
    Refused,
    _apply,
    register,
)
from tests.conftest import PASSWORD, ROOT, Session, migrated_app, stored_answers
from tests.dom import html_of

TEMPLATES = Path(__file__).parent / "templates"
RATING = """
id: rating
title: {en: Rate it, da: Bedøm det, nb: Vurder det}
description: {en: One question., da: Ét spørgsmål., nb: Ett spørsmål.}
steps:
  - id: rate
    title: {en: Rate, da: Bedøm, nb: Vurder}
    teaches: [customer-relationships]
    fields:
      - id: how_close
        type: stars
        label:
          en: How close is the relationship?
          da: Hvor tæt er relationen?
          nb: Hvor tett er relasjonen?
"""


class StarsType(FieldType):
    """A rating from one to five stars, stored as a whole number."""

    def inputs(self, f, ctx: Context) -> list[Input]:
        return [Input(f.id, "radio", choices=tuple((str(n), str(n)) for n in range(1, 6)))]

    def read(self, f, stored: Any, inputs, ctx: Context) -> Reading:
        def stars(raw: Any) -> int | None:
            if raw in (None, ""):
                return None
            if str(raw) not in {"1", "2", "3", "4", "5"}:
                raise Refused(ctx.say("That choice is not on the list. Pick one of the "
                                      "options shown."))
            return int(raw)

        reading = Reading(stored)
        _apply(reading, inputs, f.id, stars, lambda n: setattr(reading, "value", n))
        return reading

    def clean(self, f, value: Any, ctx: Context) -> Any:
        if value is None or (isinstance(value, int) and 1 <= value <= 5):
            return value
        raise AnswerError(f"expected 1 to 5 stars, got {value!r}")

    def shown(self, f, value: Any, ctx: Context) -> dict[str, Any]:
        return {f.id: "" if value is None else str(value)}

    def answered(self, f, value: Any) -> bool:
        return value is not None

    def report(self, f, value: Any, ctx: Context) -> dict[str, Any]:
        return {"empty": value is None, "stars": "★" * (value or 0) + "☆" * (5 - (value or 0))}

    def lines(self, f, value: Any, ctx: Context) -> list[Line]:
        return [Line(f.id, ctx.label(f), "" if value is None else f"{value} / 5")]


@pytest.fixture
def stars_app(tmp_path: Path) -> Iterator[Flask]:
    """The app with the stars type registered, its partials found, and a worksheet using it."""
    register("stars")(StarsType)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "worksheets" / "rating.yaml").write_text(RATING, encoding="utf-8")
    app = migrated_app(tmp_path / "stars.sqlite3", CONTENT_DIR=str(content))
    # The partials come from the test suite's templates, as a plug-in's would.
    app.register_blueprint(Blueprint("stars", __name__, template_folder=str(TEMPLATES)))
    try:
        yield app
    finally:
        TYPES.pop("stars")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_new_field_type_works_in_the_editor_the_autosave_and_the_report(stars_app):
    app = stars_app
    with app.app_context():
        user = create_user("rater@example.test", PASSWORD)
        canvas = create_canvas(user, "Stars", "en", [get_definitions()["rating"]])
        db.session.commit()
        ws = canvas.worksheets[0].id
        db.session.refresh(user)
        db.session.expunge(user)
    session = Session(app.test_client(), user)
    page = html_of(session.get(f"/worksheets/{ws}/steps/rate"))
    assert page.text("fieldset.stars legend") == "How close is the relationship?"
    assert len(page.all("input[type=radio][name=how_close]")) == 5

    saved = session.autosave(ws, "rate", 1, {"how_close": "4"})
    assert saved.status_code == 200, saved.get_json()
    assert stored_answers(app, ws) == (2, {"how_close": 4})
    refused = session.autosave(ws, "rate", 2, {"how_close": "7"})
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["how_close"] == [
        "That choice is not on the list. Pick one of the options shown."]
    page = html_of(session.get(f"/worksheets/{ws}/steps/rate"))
    assert page.one("#how_close-4").get("checked") is not None

    with app.app_context():
        data = json.loads(json.dumps({
            "format": "bmc-canvas/1", "title": "Stars", "language": "en", "blocks": {},
            "worksheets": [{"definition": "rating", "answers": {"how_close": 4}}]}))
        document = read_document(data, get_definitions(), get_library())
        env = make_environment(ROOT / "templates")
        env.loader = jinja2.ChoiceLoader([env.loader, jinja2.FileSystemLoader(str(TEMPLATES))])
        html = report_html(document, 0, get_library(), get_definitions(), env, "a4")
    report = html_of(html)
    assert report.text("p.stars") == "★★★★☆"
    with app.app_context(), pytest.raises(Exception, match="1 to 5 stars"):
        read_document({**data, "worksheets": [{"definition": "rating",
                                                "answers": {"how_close": 9}}]},
                      get_definitions(), get_library())


def test_a_worksheet_naming_an_unknown_type_stops_loading(tmp_path: Path):
    from canvas.content.loader import ContentError
    from canvas.worksheets.definition import load_definition

    path = tmp_path / "rating.yaml"
    path.write_text(RATING, encoding="utf-8")
    with pytest.raises(ContentError, match="unknown field type 'stars'"):
        load_definition(path)
