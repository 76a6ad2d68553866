"""The class's CSV files without Flask or a database (canvas/classroom/spreadsheets.py), read
back with Python's csv reader: Moodle's own offline grading worksheet filled in with the
released grades, and a Canvas LMS gradebook, against the columns those platforms import;
the roster and the progress table; names with commas, quotes, æøå and line breaks in
comments."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from canvas.classroom import roster, spreadsheets
from canvas.classroom.progress import ProgressRow
from canvas.i18n import gettext_in

MOODLE = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
          "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
          "Feedback comments"]
CANVAS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
WHEN = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)  # 14:05 in Oslo
ZONE = "Europe/Oslo"

ROWS = [
    ProgressRow(7, "Berg, Åse", "aase@example.test", "approved", (True, True), WHEN,
                handed_in_at=WHEN - timedelta(days=1), attempt=1, points=17, marked=True,
                released=True, grade=17, graded_at=WHEN,
                comment='Strong work.\nNext time: say "why" for each tactic, æøå.'),
    ProgressRow(8, 'Søren "Sø" Ørsted', "soren@example.test", "submitted", (True, False),
                WHEN, handed_in_at=WHEN, attempt=1, points=9, marked=False),
    ProgressRow(9, "=HYPERLINK(\"http://evil\")", "x@example.test", "not_started",
                (False, False), WHEN, late=True),
]


def read(text: str) -> list[list[str]]:
    """A CSV file as Python's csv module reads it (the file's own CRLF line ends)."""
    return list(csv.reader(io.StringIO(text, newline="")))


def moodle_file(*lines: list[str], bom: bool = True) -> bytes:
    """A worksheet as Moodle's "Download grading worksheet" writes it: its own participant
    numbers, UTF-8 with a byte-order mark, the names and comments quoted where needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # quotes a lone \r as PHP does
    writer.writerow(MOODLE)
    for line in lines:
        writer.writerow(line)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def moodle_line(number: int, name: str, email: str, grade: str = "", comment: str = ""
                ) -> list[str]:
    return [f"Participant {number}", name, email, "Submitted for grading", grade, "21.00",
            "Yes", "Wednesday, 2 December 2026, 2:05 PM", "-", comment]


def test_moodles_worksheet_gets_the_released_grades_by_email_and_keeps_its_own_cells():
    uploaded = moodle_file(
        moodle_line(31, "Åse Berg", "AASE@example.test"),  # Moodle's own number and case
        moodle_line(32, 'Søren "Sø" Ørsted', "soren@example.test", "5.00", "Moodle's comment"),
        moodle_line(33, "Someone Else", "else@example.test"))
    filled = spreadsheets.fill_moodle_worksheet(uploaded, ROWS)
    header, *rows = read(filled.text)
    assert header == MOODLE
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(by_id) == ["Participant 31", "Participant 32", "Participant 33"]
    aase = by_id["Participant 31"]
    assert (aase["Grade"], aase["Maximum Grade"]) == ("17.00", "21.00")
    assert aase["Feedback comments"] == (
        'Strong work.\nNext time: say "why" for each tactic, æøå.')
    assert aase["Full name"] == "Åse Berg" and aase["Status"] == "Submitted for grading"
    # Marked but not released is no grade: Moodle's row stays exactly as it was.
    assert rows[1] == moodle_line(32, 'Søren "Sø" Ørsted', "soren@example.test", "5.00",
                                  "Moodle's comment")
    assert rows[2] == moodle_line(33, "Someone Else", "else@example.test")
    assert (filled.filled, filled.not_in_file) == (1, ())


def test_a_graded_student_missing_from_moodles_worksheet_is_named():
    filled = spreadsheets.fill_moodle_worksheet(
        moodle_file(moodle_line(40, "Someone Else", "else@example.test"), bom=False), ROWS)
    assert (filled.filled, filled.not_in_file) == (0, ("Berg, Åse",))
    assert read(filled.text)[1] == moodle_line(40, "Someone Else", "else@example.test")


def test_a_file_that_is_not_moodles_worksheet_is_refused_with_the_reason():
    def problem(data: bytes) -> tuple[str, dict]:
        try:
            spreadsheets.fill_moodle_worksheet(data, ROWS)
        except spreadsheets.WorksheetError as exc:
            return exc.problem, exc.values
        raise AssertionError("accepted")

    assert problem(b"") == ("empty", {})
    assert problem("Navn;E-mail\nÅse;a@b".encode("latin-1")) == ("not-utf8", {})
    assert problem(b"Name,E-mail\nAse,a@example.test\n") == (
        "columns", {"columns": "Identifier, Email address, Grade"})
    assert problem(b'Identifier,Email address,Grade\n"Participant 1,a@b\n') == ("not-csv", {})
    too_long = moodle_file(*[moodle_line(n, "A", f"{n}@example.test") for n in range(5001)])
    assert problem(too_long)[0] == "too-long"
    # At the limit it is filled in.
    at_limit = moodle_file(*[moodle_line(n, "A", f"{n}@example.test") for n in range(5000)])
    assert len(read(spreadsheets.fill_moodle_worksheet(at_limit, ROWS).text)) == 5001


def test_canvas_gradebook_has_its_columns_points_possible_and_graded_students_only():
    text = spreadsheets.canvas_gradebook(ROWS, 'Plan, "relationships"', "2B, Business", 21)
    header, points, *rows = read(text)
    assert header == [*CANVAS, 'Plan, "relationships"']
    assert points == ["Points Possible", "", "", "", "", "21"]
    # Only a released grade goes in, so Canvas grades of the rest stay as they are.
    assert rows == [["Berg, Åse", "", "", "aase@example.test", "2B, Business", "17"]]


def test_a_formula_is_shown_as_text_in_every_file():
    table = [row[0] for row in read(spreadsheets.progress_csv(
        ROWS, ["Focus", "Goals"], 21, "en", ZONE).removeprefix("\ufeff"))]
    assert "'=HYPERLINK(\"http://evil\")" in table
    assert '=HYPERLINK("http://evil")' not in table
    evil = ProgressRow(1, "A", "a@example.test", "approved", (), WHEN, grade=3, graded_at=WHEN,
                       comment="=cmd|' /C calc'!A0")
    filled = spreadsheets.fill_moodle_worksheet(
        moodle_file(moodle_line(1, "A", "a@example.test")), [evil])
    assert read(filled.text)[1][-1] == "'=cmd|' /C calc'!A0"
    assert spreadsheets.safe_cell("-5 points") == "'-5 points"
    assert spreadsheets.safe_cell("Berg, Åse") == "Berg, Åse"


def test_the_roster_is_a_file_the_class_page_reads_back():
    members = [spreadsheets.Member("Berg, Åse", "aase@example.test"),
               spreadsheets.Member('Søren "Sø" Ørsted', "soren@example.test")]
    text = spreadsheets.roster_csv(members, "en")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    assert read(text.removeprefix("\ufeff")) == [
        ["Name", "E-mail"], ["Berg, Åse", "aase@example.test"],
        ['Søren "Sø" Ørsted', "soren@example.test"]]
    danish = read(spreadsheets.roster_csv(members, "da").removeprefix("\ufeff"))
    assert danish[0] == [gettext_in("da", "Name"), gettext_in("da", "E-mail")]
    # The class page's roster import reads it back exactly (to fill another class).
    again, problems = roster.read_csv(text.encode("utf-8"), 200)
    assert problems == []
    assert [(r.name, r.email) for r in again] == [(m.name, m.email) for m in members]


def test_the_progress_table_as_csv():
    header, *rows = read(spreadsheets.progress_csv(ROWS, ["Fokus", "Mål"], 21, "en",
                                                   ZONE).removeprefix("\ufeff"))
    assert header == ["Student", "E-mail", "Status", "Fokus", "Mål", "Handed in", "Late",
                      "Attempt", "Points", "Maximum points", "Released", "Due", "Extended"]
    first = dict(zip(header, rows[0], strict=True))
    assert (first["Student"], first["Status"], first["Fokus"], first["Mål"]) == (
        "Berg, Åse", "Approved", "yes", "yes")
    assert (first["Points"], first["Maximum points"], first["Released"]) == ("17", "21", "yes")
    assert dict(zip(header, rows[1], strict=True))["Mål"] == "no"
    assert dict(zip(header, rows[2], strict=True))["Late"] == "yes"


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=40)


@given(TEXT, TEXT, st.integers(0, 21))
def test_any_name_and_comment_come_back_whole(name, comment, grade):
    row = ProgressRow(1, name, "a@example.test", "approved", (), WHEN, handed_in_at=WHEN,
                      grade=grade, graded_at=WHEN, comment=comment)
    filled = spreadsheets.fill_moodle_worksheet(
        moodle_file(moodle_line(9, name, "a@example.test")), [row])
    header, line = read(filled.text)
    got = dict(zip(header, line, strict=True))
    assert got["Full name"] == name  # Moodle's own cell, untouched
    assert got["Feedback comments"] == spreadsheets.safe_cell(comment)
    assert got["Grade"] == f"{grade}.00"
