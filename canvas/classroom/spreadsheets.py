"""A class's work as CSV files (pure): grades in the layouts Moodle and Canvas LMS import,
the roster, and an assignment's progress table. docs/class-exports.md says how each is
read and where the layouts come from.

A grade is the points of the latest *released* marking of the rubric (ProgressRow.grade):
marking a student has not been shown yet is no grade. Every file is UTF-8 with CRLF line
ends and quoting as RFC 4180 has it (commas, quotes and line breaks inside a cell are
quoted); the two files for spreadsheets (roster, progress) start with a byte-order mark so
Excel reads them as UTF-8, the two for learning platforms do not. A cell that a spreadsheet
would run as a formula (starting with =, +, -, @, a tab or a carriage return) gets a
leading apostrophe (OWASP, "CSV Injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..i18n import gettext_in
from .progress import (
    ProgressRow,
)

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Moodle's offline grading worksheet (mod/assign, feedback plugin "offline"). Its importer
# (mod/assign/feedback/offline/importgradeslib.php) finds a row's student by the number in
# "Identifier" ("Participant 1234"), which is Moodle's own participant number for the
# assignment: a file this app wrote from scratch would match no one, or the wrong student.
# So the teacher downloads Moodle's worksheet and the app fills in its Grade and Feedback
# comments, matched by e-mail, leaving every other cell as Moodle wrote it. The columns are
# found by Moodle's English names (a worksheet downloaded with Moodle in English).
MOODLE_HEADER = ("Identifier", "Full name", "Email address", "Status", "Grade",
                 "Maximum Grade", "Grade can be changed", "Last modified (submission)",
                 "Last modified (grade)", "Feedback comments")
MOODLE_NEEDS = ("Identifier", "Email address", "Grade")
MOODLE_FEEDBACK = "Feedback comments"
MOODLE_MAX_ROWS = 5000
MOODLE_MAX_BYTES = 200 * 1024  # under MAX_CONTENT_LENGTH; a class's worksheet is a few KB


class WorksheetError(ValueError):
    """The uploaded file is not a Moodle grading worksheet this app can fill in."""

    def __init__(self, problem: str, **values: object) -> None:
        super().__init__(problem)
        self.problem, self.values = problem, values


@dataclass(frozen=True)
class FilledWorksheet:
    text: str  # Moodle's worksheet with the grades filled in
    filled: int  # rows given a grade
    not_in_file: tuple[str, ...]  # names of students with a released grade the file lacks


# Canvas LMS's gradebook (app/models/gradebook_importer.rb): a header row starting
# Student, ID, then SIS User ID and SIS Login ID, then Section, then one column per
# assignment; a row whose first cell holds "Points Possible" gives each assignment's
# points. It finds a student by ID, then SIS User ID, then SIS Login ID, then the name.
CANVAS_HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"


def safe_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def write(rows: Iterable[Sequence[object]], *, bom: bool = False) -> str:
    """Rows as CSV text (CRLF, minimal quoting)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return (BOM if bom else "") + out.getvalue()


def _grade(points: int | None) -> str:
    return "" if points is None else f"{points:.2f}"


def fill_moodle_worksheet(data: bytes, rows: Sequence[ProgressRow]) -> FilledWorksheet:
    """Moodle's own offline grading worksheet (`data`, as downloaded from the assignment)
    with the released grades and overall comments of `rows` filled in, matched by e-mail
    address; rows without a released grade, and every other cell, stay as Moodle wrote
    them. Raises WorksheetError for a file that is not such a worksheet."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WorksheetError("not-utf8") from exc
    # The csv module refuses a cell over 128 KiB by default: allow one as large as the file.
    csv.field_size_limit(max(csv.field_size_limit(), MOODLE_MAX_BYTES))
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise WorksheetError("not-csv") from exc
    if not lines:
        raise WorksheetError("empty")
    if len(lines) > MOODLE_MAX_ROWS + 1:
        raise WorksheetError("too-long", rows=MOODLE_MAX_ROWS)
    names = [cell.strip().casefold() for cell in lines[0]]
    missing = [name for name in MOODLE_NEEDS if name.casefold() not in names]
    if missing:
        raise WorksheetError("columns", columns=", ".join(missing))
    email_at, grade_at = names.index("email address"), names.index("grade")
    feedback_at = names.index(MOODLE_FEEDBACK.casefold()) if (
        MOODLE_FEEDBACK.casefold() in names) else None
    graded = {row.email.strip().casefold(): row for row in rows if row.grade is not None}
    found: set[str] = set()
    for line in lines[1:]:
        line.extend([""] * (len(names) - len(line)))
        email = line[email_at].strip().casefold()
        row = graded.get(email)
        if row is None:
            continue
        line[grade_at] = _grade(row.grade)
        if feedback_at is not None:
            line[feedback_at] = safe_cell(row.comment or "")
        found.add(email)
    return FilledWorksheet(write(lines), len(found),
                           tuple(row.name for email, row in graded.items() if email not in found))


def canvas_gradebook(rows: Sequence[ProgressRow], assignment: str, section: str,
                     max_points: int | None) -> str:
    """A Canvas LMS gradebook: the assignment as one column (Canvas makes it an assignment
    the first time, and matches it by name after that), its points, and a row per student
    with a released grade, found by the e-mail as SIS Login ID or else by name. Students
    without a grade are left out, so their Canvas grades stay as they are."""
    out: list[Sequence[object]] = [(*CANVAS_HEADER, safe_cell(assignment)),
                                   (POINTS_POSSIBLE, "", "", "", "",
                                    "" if max_points is None else max_points)]
    for row in rows:
        if row.grade is None:
            continue
        out.append((safe_cell(row.name), "", "", safe_cell(row.email), safe_cell(section),
                    row.grade))
    return write(out)


# --- for spreadsheets, in the teacher's language -------------------------------------------------

def status_word(status: str, language: str) -> str:
    """A status as the pages name it."""
    # Whole literal calls, so that the catalogue extraction finds each word.
    match status:
        case "draft":
            return gettext_in(language, "Draft")
        case "submitted":
            return gettext_in(language, "Submitted")
        case "returned":
            return gettext_in(language, "Returned for revision")
        case "resubmitted":
            return gettext_in(language, "Resubmitted")
        case "approved":
            return gettext_in(language, "Approved")
    return gettext_in(language, "Not started")


def _when(moment: datetime | None, zone: str) -> str:
    """'2026-12-03 14:05' in the school's time zone: what spreadsheets read as a date."""
    if moment is None:
        return ""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(ZoneInfo(zone))
    return local.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Member:
    """A roster line: a student in the class."""

    name: str
    email: str


def roster_csv(members: Sequence[Member], language: str) -> str:
    """The class's students, name and e-mail: a roster file the class page reads back (to
    fill another class, say) exactly as it was."""
    out: list[Sequence[object]] = [(gettext_in(language, "Name"), gettext_in(language, "E-mail"))]
    out += [(safe_cell(member.name), safe_cell(member.email)) for member in members]
    return write(out, bom=True)


def progress_csv(rows: Sequence[ProgressRow], steps: Sequence[str], max_points: int | None,
                 language: str, zone: str) -> str:
    """The progress table as the page shows it (its filter and order): one column per step
    (or block), marked done or not."""
    yes, no = gettext_in(language, "yes"), gettext_in(language, "no")
    header = [gettext_in(language, "Student"), gettext_in(language, "E-mail"),
              gettext_in(language, "Status"), *[safe_cell(step) for step in steps],
              gettext_in(language, "Handed in"), gettext_in(language, "Late"),
              gettext_in(language, "Attempt"), gettext_in(language, "Points"),
              gettext_in(language, "Maximum points"), gettext_in(language, "Released"),
              gettext_in(language, "Due"), gettext_in(language, "Extended")]
    out: list[Sequence[object]] = [header]
    for row in rows:
        out.append((safe_cell(row.name), safe_cell(row.email), status_word(row.status, language),
                    *[yes if done else no for done in row.steps],
                    _when(row.handed_in_at, zone), yes if row.late else no,
                    row.attempt or "", "" if row.points is None else row.points,
                    "" if max_points is None else max_points,
                    yes if row.released else no, _when(row.due_at, zone),
                    yes if row.extended else no))
    return write(out, bom=True)
