"""A class's work as one ZIP of PDFs: each student's poster and report, the report with the
teacher's released feedback. A long job of kind "class-zip" (canvas/jobs.py), so it runs
in the background on either backend, survives a page reload and reports its progress.

The task reads the attempts, then renders the PDFs with `jobs.fan_out`: in its own process
and `JOB_FAN_OUT - 1` helpers (both cores of a two-core server by default), the same code
under the local pool and RQ. Each PDF is made exactly as a student's own download is
(canvas/exports/worker.py's renderers): the attempt's canvas JSON in, bytes out.

What goes in for a student: the latest attempt whose marking is released, with that
marking; else the current hand-in, without feedback (nothing unreleased leaves the app);
a student with no hand-in is left out.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import jobs
from ..access import taught_assignment
from ..exports.names import dated_name
from ..extensions import db
from ..models import Assignment, Attempt, Submission, User
from .assignments import CANVAS, current_attempt

KIND = "class-zip"
POSTER, REPORT = "poster", "report"
# Not in a file name on any of the systems a teacher unpacks the ZIP on.
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def folder_names(students: Sequence[tuple[int, str]]) -> dict[int, str]:
    """Student id -> a folder name in the ZIP: the name, without characters a file system
    refuses, unique (a second "Sam Berg" is "Sam Berg (2)")."""
    out: dict[int, str] = {}
    taken: set[str] = set()
    for student_id, name in students:
        base = UNSAFE.sub(" ", unicodedata.normalize("NFC", name or "")).strip(" .")[:80]
        base = " ".join(base.split()) or f"student-{student_id}"
        folder, n = base, 1
        while folder.casefold() in taken:
            n += 1
            folder = f"{base} ({n})"
        taken.add(folder.casefold())
        out[student_id] = folder
    return out


def _feedback(assignment: Assignment, attempt: Attempt) -> dict[str, Any] | None:
    """The released marking as the report shows it (review.report_feedback's form)."""
    feedback = attempt.feedback
    if feedback is None or feedback.released_at is None:
        return None
    return {"assignment": assignment.title, "comments": dict(feedback.comments or {}),
            "overall": feedback.overall or "", "scores": dict(feedback.scores or {}),
            "outcome": feedback.outcome or "", "attempt": attempt.number}


def pieces(assignment: Assignment, student_ids: Sequence[int], size: str, when: datetime
           ) -> list[dict[str, Any]]:
    """The PDFs to make, as plain data a helper process can take: path in the ZIP, kind,
    the attempt's canvas JSON, the worksheet, the released feedback."""
    submissions = list(db.session.scalars(
        select(Submission).options(selectinload(Submission.attempts)
                                   .joinedload(Attempt.feedback))
        .where(Submission.assignment_id == assignment.id,
               Submission.student_id.in_(list(student_ids)))))
    chosen: dict[int, Attempt] = {}
    for submission in submissions:
        live = [a for a in submission.attempts if a.withdrawn_at is None]
        released = [a for a in live if a.feedback is not None
                    and a.feedback.released_at is not None]
        attempt = released[-1] if released else current_attempt(submission)
        if attempt is not None:
            chosen[submission.student_id] = attempt
    if not chosen:
        return []
    snapshots = dict(db.session.execute(select(Attempt.id, Attempt.snapshot).where(
        Attempt.id.in_([a.id for a in chosen.values()]))).all())
    students = list(db.session.execute(
        select(User.id, User.name).where(User.id.in_(list(chosen)))
        .order_by(db.func.lower(User.name), User.id)))
    folders = folder_names([(sid, name) for sid, name in students])
    out = []
    for student_id, _name in students:
        attempt = chosen[student_id]
        base = {"document": snapshots[attempt.id], "size": size, "when": when.isoformat(),
                "definition": assignment.definition_id}
        out.append({**base, "path": f"{folders[student_id]}/{POSTER}.pdf", "kind": POSTER})
        if assignment.kind != CANVAS:
            out.append({**base, "path": f"{folders[student_id]}/{REPORT}.pdf", "kind": REPORT,
                        "feedback": _feedback(assignment, attempt)})
    return out


def render_piece(piece: Mapping[str, Any]) -> bytes:
    """One PDF, as the student's own download makes it (in a worker or a helper process)."""
    from ..exports.report import first_worksheet
    from ..exports.worker import RENDERERS
    from ..library import load_document

    document = load_document(piece["document"], strict=False)
    when = datetime.fromisoformat(piece["when"])
    if piece["kind"] == REPORT:
        index = first_worksheet(document, piece["definition"] or "")
        return RENDERERS[REPORT](document, piece["size"], index, when,
                                 feedback=piece.get("feedback"))
    return RENDERERS[POSTER](document, piece["size"], 0, when)


def archive_name(assignment: Assignment, when: datetime) -> str:
    """`2b-business-plan-the-customer-relationships-2026-12-03-pdfs.zip`."""
    return dated_name(f"{assignment.school_class.name} {assignment.title}", when, "pdfs", "zip")


@jobs.task(KIND)
def build_zip(progress: jobs.Progress, params: dict[str, Any]) -> jobs.Result:
    """The ZIP: params are the assignment, its class, the teacher who asked (still its
    teacher, or the job fails), the students, the paper size and the time to print."""
    owner = db.session.get(User, params["owner_id"])
    assignment = taught_assignment(owner, params["class_id"], params["assignment_id"])
    when = datetime.fromisoformat(params["when"])
    items = pieces(assignment, params["student_ids"], params["size"], when)
    name = archive_name(assignment, when)
    db.session.commit()  # end the read: the renders take a while
    progress(0, len(items))
    buffer = io.BytesIO()
    stamp = when.astimezone(UTC).timetuple()[:6]
    # PDFs are compressed already: stored, the ZIP costs no time of its own.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for done, (n, pdf) in enumerate(jobs.fan_out(render_piece, items), start=1):
            archive.writestr(zipfile.ZipInfo(items[n]["path"], date_time=stamp), pdf)
            progress(done, len(items))
    return jobs.Result(buffer.getvalue(), name, "application/zip")


def start(config: Mapping[str, Any], assignment: Assignment, owner_id: int,
          student_ids: Sequence[int], size: str, when: datetime | None = None) -> str:
    """Queue the ZIP of these students' PDFs for the teacher `owner_id` (one at a time per
    teacher: jobs.JobBusy otherwise); returns the job's id. Its time limit grows with the
    PDFs it makes."""
    when = when or datetime.now(UTC)
    per_student = 1 if assignment.kind == CANVAS else 2
    timeout = max(float(config["PDF_TIMEOUT_SECONDS"]),
                  float(config["CLASS_ZIP_SECONDS_PER_PDF"]) * per_student * len(student_ids))
    return jobs.submit(KIND, {"assignment_id": assignment.id, "class_id": assignment.class_id,
                              "owner_id": owner_id, "student_ids": sorted(set(student_ids)),
                              "size": size, "when": when.isoformat()},
                       owner_id=owner_id, per_owner=1, timeout=timeout)
