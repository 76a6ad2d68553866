"""Classes and who is in them: making a class, join codes, joining, approving, removing and
co-teachers. Plain functions over the database session; the caller commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..access import may_teach
from ..extensions import db
from ..languages import LANGUAGES
from ..models import ClassMember, SchoolClass, User

# No 0/O, 1/I/L: a code read off a projector is typed without guessing. 31^8 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_NAME = 120

TEACHER, STUDENT = "teacher", "student"
ACTIVE, PENDING, INVITED, REMOVED = "active", "pending", "invited", "removed"


class ClassroomError(ValueError):
    """Something a teacher or student asked for that cannot be done; `message` says why in
    their words (a lazy string, translated when shown)."""

    def __init__(self, message: object, status: int = 422) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status


def aware(moment: datetime | None) -> datetime | None:
    """A stored time as UTC (SQLite hands back naive datetimes; they were stored as UTC)."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- join codes ------------------------------------------------------------------------------

def new_code() -> str:
    """A random join code not used by any class."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(SchoolClass.id).where(SchoolClass.join_code == code)) is None:
            return code


def format_code(code: str | None) -> str:
    """A code as it is shown: two groups of four (ABCD-EFGH)."""
    if not code:
        return ""
    return f"{code[:4]}-{code[4:]}"


def normalise_code(raw: object) -> str | None:
    """What someone typed as a code, without spaces, dashes or case; None if it cannot be
    one (so a wrong guess costs no query)."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    code = "".join(ch for ch in raw.upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def class_by_code(raw: object) -> SchoolClass | None:
    code = normalise_code(raw)
    if code is None:
        return None
    return db.session.scalar(select(SchoolClass).where(SchoolClass.join_code == code))


def reset_code(school_class: SchoolClass) -> str:
    """A new code; the old one (and links and QR codes made from it) stops working."""
    school_class.join_code = new_code()
    return school_class.join_code


def switch_off_code(school_class: SchoolClass) -> None:
    school_class.join_code = None


# --- classes ---------------------------------------------------------------------------------

def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise ClassroomError(_l("Give the class a name of 1 to %(max)d characters.",
                                max=MAX_NAME))
    return name


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ClassroomError(_l("Choose one of the languages on the list."))
    return language


def create_class(teacher: User, name: str, language: str, needs_approval: bool = False
                 ) -> SchoolClass:
    """A class taught by `teacher`, with a join code."""
    school_class = SchoolClass(name=check_name(name), language=check_language(language),
                               join_code=new_code(), join_needs_approval=needs_approval)
    db.session.add(school_class)
    db.session.add(ClassMember(school_class=school_class, user_id=teacher.id, role=TEACHER,
                               status=ACTIVE))
    return school_class


def update_class(school_class: SchoolClass, name: str, language: str,
                 needs_approval: bool) -> None:
    """Rename, change the language (canvases already started keep theirs) or the approval."""
    school_class.name = check_name(name)
    school_class.language = check_language(language)
    school_class.join_needs_approval = bool(needs_approval)


def membership(user_id: int, class_id: int) -> ClassMember | None:
    return db.session.scalar(select(ClassMember).where(ClassMember.class_id == class_id,
                                                       ClassMember.user_id == user_id))


def classes_taught(user: User) -> list[SchoolClass]:
    """The classes the user teaches, by name."""
    return list(db.session.scalars(
        select(SchoolClass).join(ClassMember)
        .where(ClassMember.user_id == user.id, ClassMember.role == TEACHER)
        .order_by(func.lower(SchoolClass.name), SchoolClass.id)))


def all_classes() -> list[SchoolClass]:
    """Every class (for admins), by name."""
    return list(db.session.scalars(select(SchoolClass)
                                   .order_by(func.lower(SchoolClass.name), SchoolClass.id)))


def teachers_of(class_ids: list[int]) -> dict[int, list[User]]:
    """Class id -> its teachers, in one query."""
    out: dict[int, list[User]] = {cid: [] for cid in class_ids}
    if not class_ids:
        return out
    rows = db.session.execute(
        select(ClassMember.class_id, User).join(User, User.id == ClassMember.user_id)
        .where(ClassMember.class_id.in_(class_ids), ClassMember.role == TEACHER)
        .order_by(func.lower(User.name)))
    for class_id, user in rows:
        out[class_id].append(user)
    return out


def student_counts(class_ids: list[int]) -> dict[int, int]:
    """Class id -> how many active students, in one query."""
    out = dict.fromkeys(class_ids, 0)
    if not class_ids:
        return out
    rows = db.session.execute(
        select(ClassMember.class_id, func.count(ClassMember.id))
        .where(ClassMember.class_id.in_(class_ids), ClassMember.role == STUDENT,
               ClassMember.status == ACTIVE).group_by(ClassMember.class_id))
    out.update({class_id: count for class_id, count in rows})
    return out


@dataclass
class Roster:
    """Who is in a class, sorted by name: teachers, students, and those waiting."""

    teachers: list[ClassMember]
    students: list[ClassMember]
    pending: list[ClassMember]  # asked to join; a teacher lets them in
    invited: list[ClassMember]  # added by a teacher; they accept


def roster(school_class: SchoolClass) -> Roster:
    """The class's members with their accounts, in one query."""
    members = list(db.session.scalars(
        select(ClassMember).join(User, User.id == ClassMember.user_id)
        .options(joinedload(ClassMember.user))
        .where(ClassMember.class_id == school_class.id)
        .order_by(func.lower(User.name), User.id)))
    return Roster([m for m in members if m.role == TEACHER],
                  [m for m in members if m.role == STUDENT and m.status == ACTIVE],
                  [m for m in members if m.role == STUDENT and m.status == PENDING],
                  [m for m in members if m.role == STUDENT and m.status == INVITED])


def active_students(class_id: int) -> list[User]:
    """The class's students, by name, in one query."""
    return list(db.session.scalars(
        select(User).join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.class_id == class_id, ClassMember.role == STUDENT,
               ClassMember.status == ACTIVE)
        .order_by(func.lower(User.name), User.id)))


def count_students(class_id: int) -> int:
    return db.session.scalar(select(func.count(ClassMember.id)).where(
        ClassMember.class_id == class_id, ClassMember.role == STUDENT,
        ClassMember.status.in_((ACTIVE, PENDING, INVITED)))) or 0


def check_room(school_class: SchoolClass, limit: int, adding: int = 1) -> None:
    if count_students(school_class.id) + adding > limit:
        raise ClassroomError(_l("A class takes at most %(max)d students.", max=limit))


# --- joining ---------------------------------------------------------------------------------

@dataclass
class Joined:
    """What joining did: `outcome` is joined, waiting, already or teacher."""

    outcome: str
    school_class: SchoolClass


def join(user: User, school_class: SchoolClass, limit: int) -> Joined:
    """The user joins with the class's code: in at once, or waiting for a teacher when the
    class needs approval or the user was removed before (a code alone must not bring back
    someone a teacher took out)."""
    member = membership(user.id, school_class.id)
    if member is not None:
        if member.role == TEACHER:
            return Joined("teacher", school_class)
        if member.status == ACTIVE:
            return Joined("already", school_class)
        if member.status in (PENDING, INVITED):
            # An invited student who uses the code has said yes.
            if member.status == INVITED and not school_class.join_needs_approval:
                member.status = ACTIVE
                return Joined("joined", school_class)
            member.status = PENDING
            return Joined("waiting", school_class)
        member.status = PENDING  # removed before
        return Joined("waiting", school_class)
    check_room(school_class, limit)
    status = PENDING if school_class.join_needs_approval else ACTIVE
    db.session.add(ClassMember(class_id=school_class.id, user_id=user.id, role=STUDENT,
                               status=status))
    return Joined("joined" if status == ACTIVE else "waiting", school_class)


def answer_invitation(user: User, class_id: int, accept: bool) -> SchoolClass:
    """The user says yes (in the class) or no (the invitation goes) to a teacher's."""
    member = membership(user.id, class_id)
    if member is None or member.role != STUDENT or member.status != INVITED:
        raise ClassroomError(_l("There is no invitation to answer."), 404)
    school_class = member.school_class
    if accept:
        member.status = ACTIVE
    else:
        db.session.delete(member)
    return school_class


def invitations(user: User) -> list[ClassMember]:
    """Classes that invited the user, waiting for an answer."""
    return list(db.session.scalars(
        select(ClassMember).options(joinedload(ClassMember.school_class))
        .where(ClassMember.user_id == user.id, ClassMember.role == STUDENT,
               ClassMember.status == INVITED)))


def waiting_to_join(user: User) -> list[ClassMember]:
    """Classes the user asked to join, waiting for a teacher."""
    return list(db.session.scalars(
        select(ClassMember).options(joinedload(ClassMember.school_class))
        .where(ClassMember.user_id == user.id, ClassMember.role == STUDENT,
               ClassMember.status == PENDING)))


# --- a teacher manages members ---------------------------------------------------------------

def student_member(school_class: SchoolClass, user_id: int,
                   statuses: tuple[str, ...] = (ACTIVE, PENDING, INVITED)) -> ClassMember:
    member = membership(user_id, school_class.id)
    if member is None or member.role != STUDENT or member.status not in statuses:
        raise ClassroomError(_l("That student is not in this class."), 404)
    return member


def approve(school_class: SchoolClass, user_id: int) -> ClassMember:
    """Let in a student who asked to join."""
    member = student_member(school_class, user_id, (PENDING,))
    member.status = ACTIVE
    return member


def remove(school_class: SchoolClass, user_id: int) -> ClassMember:
    """Take someone out of the class. A student keeps a `removed` row, so the code alone does
    not bring them back, and loses access at their next request (access is read from the
    database on every request). A teacher's row goes, but never the last teacher's."""
    member = membership(user_id, school_class.id)
    if member is None or member.status == REMOVED:
        raise ClassroomError(_l("That person is not in this class."), 404)
    if member.role == TEACHER:
        teachers = db.session.scalar(select(func.count(ClassMember.id)).where(
            ClassMember.class_id == school_class.id, ClassMember.role == TEACHER)) or 0
        if teachers <= 1:
            raise ClassroomError(_l("A class needs at least one teacher. Add another teacher "
                                    "first, or delete the class."), 409)
        db.session.delete(member)
        return member
    if member.status == INVITED:
        db.session.delete(member)  # never joined: nothing to keep them out of
        return member
    member.status = REMOVED
    return member


def add_teacher(school_class: SchoolClass, email: str) -> User:
    """Make the teacher with this e-mail a co-teacher of the class."""
    from ..accounts import find_user

    user = find_user(email or "")
    if user is None or not may_teach(user):
        raise ClassroomError(_l("There is no teacher account with that e-mail. They sign up "
                                "as a teacher first."))
    member = membership(user.id, school_class.id)
    if member is not None and member.role == TEACHER:
        raise ClassroomError(_l("%(name)s already teaches this class.", name=user.name), 409)
    if member is not None:
        member.role, member.status = TEACHER, ACTIVE  # a student account made co-teacher
    else:
        db.session.add(ClassMember(class_id=school_class.id, user_id=user.id, role=TEACHER,
                                   status=ACTIVE))
    return user


def delete_class(school_class: SchoolClass) -> None:
    """Delete the class with its assignments, submissions and feedback; the students'
    canvases stay theirs."""
    db.session.delete(school_class)

