"""Adding students to a class by name and e-mail: one at a time or a CSV file.

A new e-mail gets an account with a password the teacher hands out (shown once). An e-mail
that already has an account is invited instead: its owner accepts on their home page, so a
teacher cannot take over someone's account by typing their e-mail (a teacher may set the
passwords of students in their classes).
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from ..accounts import AccountError, create_user, find_user, normalise_email
from ..extensions import db
from ..models import ClassMember, SchoolClass
from ..text import encodable
from .classes import (
    ACTIVE,
    INVITED,
    PENDING,
    REMOVED,
    STUDENT,
    TEACHER,
    ClassroomError,
    check_room,
    membership,
)

MAX_FILE_BYTES = 64 * 1024
MAX_NAME = 120
MAX_EMAIL = 254
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass
class RosterRow:
    """One student to add, from the form or a line of a CSV file."""

    line: int
    name: str
    email: str


@dataclass
class Added:
    """What adding one row did. `outcome`: created (a new account, `password` to hand out),
    added (an account already in the class before, back in), invited (an existing account,
    until its owner accepts), already (in the class), refused (`problem` says why)."""

    line: int
    name: str
    email: str
    outcome: str
    password: str | None = None
    problem: object = ""


def new_password() -> str:
    """A password for a new student to type from a slip of paper: 12 letters and digits
    without look-alikes, in groups of four (about 59 bits)."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[n:n + 4] for n in range(0, 12, 4))


def _check(row: RosterRow) -> tuple[str, str] | Added:
    email = (row.email or "").strip()
    name = " ".join((row.name or "").split())
    if not email or len(email) > MAX_EMAIL or not encodable(email):
        return Added(row.line, name, email, "refused", problem=_l("An e-mail is missing."))
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        return Added(row.line, name, email, "refused",
                     problem=_l("“%(email)s” is not an e-mail address.", email=email[:80]))
    if len(name) > MAX_NAME or not encodable(name):
        return Added(row.line, name[:MAX_NAME], email, "refused",
                     problem=_l("The name is longer than %(max)d characters.", max=MAX_NAME))
    return normalise_email(email), name or email.split("@")[0]


def add_students(school_class: SchoolClass, rows: list[RosterRow], limit: int) -> list[Added]:
    """Add each row to the class (not committed); one row's problem does not stop the rest."""
    out: list[Added] = []
    seen: set[str] = set()
    new_ones = 0
    for row in rows:
        checked = _check(row)
        if isinstance(checked, Added):
            out.append(checked)
            continue
        email, name = checked
        if email in seen:
            out.append(Added(row.line, name, email, "refused",
                             problem=_l("This e-mail is on an earlier line too.")))
            continue
        seen.add(email)
        user = find_user(email)
        if user is None:
            new_ones += 1
            check_room(school_class, limit, new_ones)
            password = new_password()
            try:
                user = create_user(email, password, name, "student", school_class.language)
            except AccountError as exc:  # the policy refused the name or e-mail's words
                out.append(Added(row.line, name, email, "refused", problem=str(exc)))
                continue
            db.session.flush()
            db.session.add(ClassMember(class_id=school_class.id, user_id=user.id,
                                       role=STUDENT, status=ACTIVE))
            out.append(Added(row.line, name, email, "created", password=password))
            continue
        member = membership(user.id, school_class.id)
        if member is None:
            new_ones += 1
            check_room(school_class, limit, new_ones)
            db.session.add(ClassMember(class_id=school_class.id, user_id=user.id,
                                       role=STUDENT, status=INVITED))
            out.append(Added(row.line, user.name, email, "invited"))
        elif member.role == TEACHER:
            out.append(Added(row.line, user.name, email, "refused",
                             problem=_l("This person teaches the class.")))
        elif member.status in (REMOVED, PENDING):
            # They were in the class before (or asked to join): the teacher lets them back.
            member.status = ACTIVE
            out.append(Added(row.line, user.name, email, "added"))
        else:
            out.append(Added(row.line, user.name, email,
                             "already" if member.status == ACTIVE else "invited"))
    return out


def _delimiter(text: str) -> str:
    """The separator most of the first lines use: Scandinavian spreadsheets save CSV with
    semicolons, others with commas or tabs. (csv.Sniffer guesses wrong on short rosters
    with blank or one-cell lines.)"""
    sample = [line for line in text.splitlines()[:30] if line.strip()]
    return max((";", "\t", ","), key=lambda mark: (sum(mark in line for line in sample),
                                                    mark == ","))


def read_csv(data: bytes, max_rows: int) -> tuple[list[RosterRow], list[Added]]:
    """The rows of a roster file (name and e-mail in any order, a header line or not, comma,
    semicolon or tab separated, UTF-8 or Windows-1252 as spreadsheets save it), and the
    lines that could not be read. Raises ClassroomError for a file that is not a roster."""
    if len(data) > MAX_FILE_BYTES:
        raise ClassroomError(_l("The file is larger than %(kb)d KB; a roster is much smaller.",
                                kb=MAX_FILE_BYTES // 1024), 413)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ClassroomError(_l("That is not a CSV file. Save the roster as CSV and try "
                                "again."))
    rows: list[RosterRow] = []
    problems: list[Added] = []
    try:
        lines = list(csv.reader(io.StringIO(text), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise ClassroomError(_l("The file could not be read as CSV.")) from exc
    for number, cells in enumerate(lines, start=1):
        cells = [c.strip() for c in cells if c and c.strip()]
        if not cells:
            continue
        emails = [c for c in cells if "@" in c]
        if not emails:
            if number == 1 or not rows and not problems:
                continue  # a header line (Name;E-mail, Navn;E-post...)
            problems.append(Added(number, " ".join(cells)[:MAX_NAME], "", "refused",
                                  problem=_l("No e-mail on this line.")))
            continue
        others = [c for c in cells if c != emails[0]]
        rows.append(RosterRow(number, " ".join(others), emails[0]))
        if len(rows) > max_rows:
            raise ClassroomError(_l("The file has more than %(max)d students; a class takes "
                                    "at most that many.", max=max_rows))
    if not rows and not problems:
        raise ClassroomError(_l("The file holds no names and e-mails."))
    return rows, problems
