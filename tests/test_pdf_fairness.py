"""Fair PDFs: one running and one waiting render per user (counted in the database, so
across every web process), a clear 429 for one more, other users unaffected; and no render
worker outlives the server that started it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from canvas.exports import worker
from canvas.interchange import read_document
from tests.conftest import ROOT


def _example():
    from canvas.library import load

    library, definitions = load(ROOT / "content")
    return read_document(json.loads((ROOT / "content" / "examples" /
                                     "cleaning-copenhagen.en.json").read_text(encoding="utf-8")),
                         definitions, library)


EXAMPLE = _example()


@pytest.fixture(autouse=True, scope="module")
def stop_worker():
    yield
    worker.shutdown()


def in_flight(app, user_id: int, states: tuple[str, ...] = ("running", "queued"),
              deadline: timedelta = timedelta(minutes=1)) -> list[str]:
    """Rows for renders of the user's in flight (as another web process would have made)."""
    from canvas.extensions import db
    from canvas.models import Job, utcnow

    ids = []
    with app.app_context():
        for n, state in enumerate(states):
            ids.append(f"inflight{user_id}x{n}")
            db.session.add(Job(id=ids[-1], kind="pdf", owner_id=user_id, state=state, params={},
                               timeout_seconds=60, max_bytes=1, deadline=utcnow() + deadline))
        db.session.commit()
    return ids


def forget(app, ids: list[str]) -> None:
    from sqlalchemy import delete

    from canvas.extensions import db
    from canvas.models import Job

    with app.app_context():
        db.session.execute(delete(Job).where(Job.id.in_(ids)))
        db.session.commit()


def test_a_third_export_of_one_user_is_refused_with_a_clear_429(app, login, make_user,
                                                               make_canvas):
    user, other = make_user(), make_user()
    canvas_id, _ = make_canvas(user)
    others_canvas, _ = make_canvas(other)
    mine, theirs = login(user), login(other)
    assert app.config["PDF_RENDERS_PER_USER"] == 2
    # Two renders of this user in flight (one running, one waiting) ...
    held = in_flight(app, user.id)
    started = time.monotonic()
    response = mine.get(f"/canvases/{canvas_id}/poster.pdf")
    assert time.monotonic() - started < 5  # refused at once, not queued
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    message = BeautifulSoup(response.text, "html.parser").select_one("main").get_text(" ")
    assert "You already have an export running" in message
    # ... do not hold up anyone else's.
    assert theirs.get(f"/canvases/{others_canvas}/poster.pdf").status_code == 200
    # Once they are done, the user exports again.
    forget(app, held)
    assert mine.get(f"/canvases/{canvas_id}/poster.pdf").status_code == 200


def test_renders_past_their_deadline_do_not_count(app, login, make_user, make_canvas):
    """A worker that died leaves its rows unfinished; they stop counting at their deadline."""
    user = make_user()
    canvas_id, _ = make_canvas(user)
    in_flight(app, user.id, deadline=timedelta(seconds=-1))
    assert login(user).get(f"/canvases/{canvas_id}/poster.pdf").status_code == 200


def test_in_flight_renders_are_counted_per_user_in_the_real_worker(app, make_user):
    results: dict[str, object] = {}
    app.config["JOB_WORKER_MODULES"] = ["tests.pdf_seams"]  # "paused-poster"
    config = dict(app.config)
    first_user, second_user = make_user().id, make_user().id

    def render(name: str, owner: int, paused: bool) -> None:
        owner = first_user if owner == 1 else second_user
        with app.app_context():
            try:
                results[name] = worker.render_pdf(
                    config, "paused-poster" if paused else "poster", EXAMPLE, "a4",
                    owner=owner)[:5]
            except worker.PdfError as exc:
                results[name] = type(exc).__name__

    with app.app_context():
        worker.render_pdf(config, "poster", EXAMPLE, "a4")  # start the worker first
    first = threading.Thread(target=render, args=("first", 1, True))
    second = threading.Thread(target=render, args=("second", 1, False))
    first.start()
    second.start()
    time.sleep(0.5)
    render("third", 1, False)  # refused at once: two of user 1's are in flight
    assert results["third"] == "PdfBusy"
    other = threading.Thread(target=render, args=("other", 2, False))
    other.start()
    for thread in (first, second, other):
        thread.join(timeout=60)
    assert results["first"] == results["second"] == results["other"] == b"%PDF-"
    render("again", 1, False)
    assert results["again"] == b"%PDF-"


def test_pdf_exports_are_rate_limited_per_user(app, login, make_user, make_canvas):
    app.config["RATELIMIT_PDF"] = "2 per minute"
    user, other = make_user(), make_user()
    canvas_id, _ = make_canvas(user)
    others_canvas, _ = make_canvas(other)
    mine = login(user)
    statuses = [mine.get(f"/canvases/{canvas_id}/poster.pdf").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert login(other).get(f"/canvases/{others_canvas}/poster.pdf").status_code == 200


def test_an_export_is_in_the_audit_log(app, login, make_user, make_canvas):
    from sqlalchemy import select

    from canvas.extensions import db
    from canvas.models import AuditEvent

    user = make_user()
    canvas_id, _ = make_canvas(user, title="Glans")
    assert login(user).get(f"/canvases/{canvas_id}/poster.pdf?size=a3").status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "export"))
        assert event.user_id == user.id
        assert event.detail == {"pdf": "poster", "size": "a3", "title": "Glans"}


# --- no orphans --------------------------------------------------------------------------------

SERVER = textwrap.dedent("""
    import sys
    from pathlib import Path

    from werkzeug.serving import make_server

    from canvas.accounts import create_user
    from canvas.canvases.service import create_canvas
    from canvas.exports import worker
    from canvas.extensions import db
    from tests.conftest import PASSWORD, Session, migrated_app

    app = migrated_app(Path(sys.argv[1]), SECRET_KEY="orphan-test")
    with app.app_context():
        user = create_user("orphan@example.test", PASSWORD)
        canvas = create_canvas(user, "Orphans", "en")
        db.session.commit()
        user_id, canvas_id = user.id, canvas.id
        db.session.expunge(user)
    session = Session(app.test_client(), user)
    assert session.get(f"/canvases/{canvas_id}/poster.pdf").status_code == 200
    from canvas import jobs
    with app.app_context():
        lanes = jobs.backend().lanes
    print(" ".join(str(p.pid) for lane in lanes for p in lane.processes()), flush=True)
    make_server("127.0.0.1", 0, app, threaded=True).serve_forever()
""")


def gone(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie waiting to be reaped has ended too)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_stopping_the_server_leaves_no_render_worker_running(tmp_path, how):
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp_path / "o.sqlite3")],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    pids: list[int] = []
    try:
        line = server.stdout.readline()
        pids = [int(pid) for pid in line.split()]
        assert pids, "the server rendered no PDF"
        assert not any(gone(pid) for pid in pids)
        server.send_signal(how)
        server.wait(timeout=30)
        deadline = time.monotonic() + 15
        while not all(gone(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(gone(pid) for pid in pids), f"render worker(s) {pids} outlived the server"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        server.stdout.close()
        for pid in pids:  # never leave one behind, even when the test fails
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
