"""The class's CSV files without Flask or a database (canvas/classroom/spreadsheets.py), read
back with Python's csv reader: Moodle's offline grading worksheet and a Canvas LMS gradebook
against the columns those platforms import, the roster and the progress table; names with
commas, quotes, æøå and line breaks in comments."""

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


def test_moodle_worksheet_has_moodles_columns_and_the_released_grades():
    text = spreadsheets.moodle_worksheet(ROWS, 21, ZONE)
    assert not text.startswith("\ufeff") and text.endswith("\r\n")
    header, *rows = read(text)
    assert header == MOODLE
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(by_id) == ["Participant 7", "Participant 8", "Participant 9"]
    graded = by_id["Participant 7"]
    assert graded["Full name"] == "Berg, Åse"
    assert graded["Email address"] == "aase@example.test"
    assert (graded["Grade"], graded["Maximum Grade"]) == ("17.00", "21.00")
    assert graded["Status"] == "Submitted for grading - Graded"
    assert graded["Grade can be changed"] == "Yes"
    assert graded["Last modified (grade)"] == "Thursday, 03 December 2026, 02:05 PM"
    assert graded["Last modified (submission)"] == "Wednesday, 02 December 2026, 02:05 PM"
    assert graded["Feedback comments"] == (
        'Strong work.\nNext time: say "why" for each tactic, æøå.')
    # Marked but not released is no grade (Moodle's import leaves an empty grade alone).
    waiting = by_id["Participant 8"]
    assert (waiting["Full name"], waiting["Grade"], waiting["Feedback comments"]) == (
        'Søren "Sø" Ørsted', "", "")
    assert waiting["Last modified (grade)"] == "-"
    assert by_id["Participant 9"]["Status"] == "No submission"


def test_moodle_reads_its_dates_back():
    """The importer reads dates with strtotime(); this is the English form Moodle writes,
    which parses back to the same minute."""
    text = spreadsheets.moodle_date(WHEN, ZONE)
    parsed = datetime.strptime(text, "%A, %d %B %Y, %I:%M %p")
    assert parsed == datetime(2026, 12, 3, 14, 5)
    assert spreadsheets.moodle_date(None, ZONE) == "-"
    assert spreadsheets.moodle_date(datetime(2026, 7, 1, 0, 30, tzinfo=UTC), ZONE) == (
        "Wednesday, 01 July 2026, 02:30 AM")


def test_canvas_gradebook_has_its_columns_points_possible_and_graded_students_only():
    text = spreadsheets.canvas_gradebook(ROWS, 'Plan, "relationships"', "2B, Business", 21)
    header, points, *rows = read(text)
    assert header == [*CANVAS, 'Plan, "relationships"']
    assert points == ["Points Possible", "", "", "", "", "21"]
    # Only a released grade goes in, so Canvas grades of the rest stay as they are.
    assert rows == [["Berg, Åse", "", "", "aase@example.test", "2B, Business", "17"]]


def test_a_formula_is_shown_as_text_in_every_file():
    moodle = [row[1] for row in read(spreadsheets.moodle_worksheet(ROWS, 21, ZONE))]
    table = [row[0] for row in read(spreadsheets.progress_csv(
        ROWS, ["Focus", "Goals"], 21, "en", ZONE).removeprefix("\ufeff"))]
    for names in (moodle, table):
        assert "'=HYPERLINK(\"http://evil\")" in names
        assert '=HYPERLINK("http://evil")' not in names
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
    header, line = read(spreadsheets.moodle_worksheet([row], 21, ZONE))
    got = dict(zip(header, line, strict=True))
    assert got["Full name"] == spreadsheets.safe_cell(name)
    assert got["Feedback comments"] == spreadsheets.safe_cell(comment)
    assert got["Grade"] == f"{grade}.00"
    _header, _points, canvas_line = read(spreadsheets.canvas_gradebook([row], "A", "B", 21))
    assert canvas_line[0] == spreadsheets.safe_cell(name) and canvas_line[-1] == str(grade)
