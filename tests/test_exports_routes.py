"""PDF routes through the real app and the real render worker process."""

from __future__ import annotations

import io
import re
import threading
import time
from multiprocessing.connection import wait as wait_for
from urllib.parse import unquote

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from canvas import jobs
from canvas.exports import worker
from canvas.extensions import db
from canvas.i18n import gettext_in
from canvas.interchange import CanvasDocument
from canvas.models import Canvas, Job
from tests.dom import html_of

DOWNLOAD = re.compile(r'attachment; filename="([a-z0-9-]+\.pdf)"; filename\*=UTF-8\'\'(\S+)$')


@pytest.fixture(autouse=True, scope="module")
def stop_worker():
    yield
    worker.shutdown()


def fill(app, canvas_id: int) -> None:
    with app.app_context():
        canvas = db.session.get(Canvas, canvas_id)
        canvas.blocks = {
            "customer-segments": [{"id": "s1", "text": "Små kontorer", "segment": None}],
            "customer-relationships": [{"id": "r1", "text": "Én fast kontaktperson",
                                        "segment": "s1"}],
        }
        db.session.commit()


def test_owner_downloads_the_poster(app, make_user, make_canvas, login):
    user = make_user()
    canvas_id, _ = make_canvas(user, title="Glans Rengøring", language="da")
    fill(app, canvas_id)
    response = login(user).get(f"/canvases/{canvas_id}/poster.pdf?size=a3")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    match = DOWNLOAD.match(response.headers["Content-Disposition"])
    assert match, response.headers["Content-Disposition"]
    assert re.fullmatch(r"glans-rengoring-\d{4}-\d{2}-\d{2}-poster-a3\.pdf", match.group(1))
    assert unquote(match.group(2)).startswith("glans-rengøring-")
    assert response.headers["Cache-Control"] == "private, no-store"
    pdf = PdfReader(io.BytesIO(response.data))
    assert len(pdf.pages) == 1
    assert round(float(pdf.pages[0].mediabox.width)) == 1191
    text = pdf.pages[0].extract_text()
    assert "Én fast kontaktperson" in text and "Kunderelationer" in text


def test_owner_downloads_a_worksheet_report(app, make_user, make_canvas, login):
    user = make_user()
    _, (ws,) = make_canvas(user, title="Kant Fotballsko", language="nb")
    session = login(user)
    session.post(f"/worksheets/{ws}/steps/focus", {
        "version": "1", "segment": "Fotballspillere i Bærum", "value_proposition": "Sko",
        "go": "stay"})
    response = session.get(f"/worksheets/{ws}/report.pdf?size=letter")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="kant-fotballsko-' in response.headers["Content-Disposition"]
    assert "-report-letter.pdf" in response.headers["Content-Disposition"]
    pdf = PdfReader(io.BytesIO(response.data))
    assert round(float(pdf.pages[0].mediabox.width)) == 612
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Fotballspillere i Bærum" in text and "Side 1 av" in text


def test_other_users_get_404_and_anonymous_users_sign_in(app, make_user, make_canvas, login,
                                                           client):
    owner, other = make_user(), make_user()
    canvas_id, (ws,) = make_canvas(owner)
    session = login(other)
    for url in (f"/canvases/{canvas_id}/poster.pdf", f"/worksheets/{ws}/report.pdf",
                f"/canvases/{canvas_id}/export", "/canvases/999999/poster.pdf",
                "/worksheets/999999/report.pdf"):
        assert session.get(url).status_code == 404, url
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/auth/login" in response.headers["Location"]


def test_a_bad_size_is_a_clear_400(app, make_user, make_canvas, login):
    user = make_user()
    canvas_id, (ws,) = make_canvas(user)
    session = login(user)
    for url in (f"/canvases/{canvas_id}/poster.pdf?size=a5",
                f"/worksheets/{ws}/report.pdf?size=tabloid"):
        response = session.get(url)
        assert response.status_code == 400
        assert "Choose A4, A3 or Letter" in response.text
        assert response.mimetype == "text/html"


def test_export_page_offers_sizes_and_downloads(app, make_user, make_canvas, login):
    user = make_user()
    canvas_id, (ws,) = make_canvas(user, title="Glans <Rengøring>", language="da")
    page = login(user).get(f"/canvases/{canvas_id}/export")
    assert page.status_code == 200
    html = page.text
    assert "<legend>Paper size</legend>" in html
    for value, label in (("a4", "A4"), ("a3", "A3"), ("letter", "Letter")):
        assert f'<input type="radio" id="size-{value}" name="size" value="{value}"' in html
        assert f'<label for="size-{value}">{label}</label>' in html
    assert 'id="size-a4" name="size" value="a4" checked' in html
    assert f'action="/canvases/{canvas_id}/poster.pdf"' in html
    assert f'formaction="/worksheets/{ws}/report.pdf"' in html
    assert "Glans &lt;Rengøring&gt;" in html


def worker_pids(app) -> set[int]:
    """The process ids of the app's local job workers (the PDF renderers)."""
    with app.app_context():
        backend = jobs.backend()
    return {process.pid for lane in backend.lanes for process in lane.processes()}


def test_a_render_over_time_gives_a_clear_page_and_the_app_carries_on(app, make_user,
                                                                        make_canvas, login):
    user = make_user()
    canvas_id, (ws,) = make_canvas(user)
    session = login(user)
    assert session.get(f"/canvases/{canvas_id}/poster.pdf").status_code == 200
    before = worker_pids(app)
    app.config["PDF_TIMEOUT_SECONDS"] = 0.001
    response = session.get(f"/canvases/{canvas_id}/poster.pdf")
    assert response.status_code == 503
    assert "took longer than 0.001 seconds" in response.text
    assert response.headers["Retry-After"] == "30"
    assert before and not before & worker_pids(app)  # the stuck worker was replaced
    assert session.get("/").status_code == 200  # other requests are answered
    app.config["PDF_TIMEOUT_SECONDS"] = 60
    response = session.get(f"/worksheets/{ws}/report.pdf")  # a fresh worker takes over
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")


EMPTY = CanvasDocument("T", "en", "", None, {}, ())


@pytest.fixture
def slow_app(app):
    """The app, its workers importing tests.pdf_seams (the kinds "slow", "paused-poster")."""
    app.config["JOB_WORKER_MODULES"] = ["tests.pdf_seams"]
    return app


def render(app, kind: str = "poster", **config) -> bytes:
    with app.app_context():
        return worker.render_pdf(dict(app.config, **config), kind, EMPTY, "a4")


def test_a_render_that_hangs_is_stopped_without_blocking_others(slow_app):
    """A render that sleeps past the limit: the caller gets PdfTimeout, the worker goes."""
    render(slow_app)  # start the worker first (spawn is slow)
    with slow_app.app_context():
        (lane,) = jobs.backend().lanes
    procs = lane.processes()
    started = time.monotonic()
    with pytest.raises(worker.PdfTimeout):
        render(slow_app, "slow", PDF_TIMEOUT_SECONDS=1.0)
    assert time.monotonic() - started < 10  # stopped at the limit, not after its 30 s
    # Every process has exited (its sentinel is ready). Not is_alive(): that can still say
    # True for a moment while the pool's own thread reaps the process.
    assert procs and len(wait_for([p.sentinel for p in procs], timeout=5)) == len(procs)
    assert render(slow_app).startswith(b"%PDF-")


def test_a_render_queued_behind_one_that_hangs_is_made_by_the_fresh_worker(slow_app, caplog):
    """The one worker renders one PDF at a time. When the render ahead in line is stopped for
    taking too long, the one waiting behind it is made by the fresh worker, not failed."""
    render(slow_app)  # start the worker first
    slow: dict[str, object] = {}

    def hang() -> None:
        try:
            render(slow_app, "slow", PDF_TIMEOUT_SECONDS=2.0)
        except worker.PdfError as exc:
            slow["error"] = exc

    thread = threading.Thread(target=hang)
    thread.start()
    deadline = time.monotonic() + 10
    running = []
    while not running and time.monotonic() < deadline:
        with slow_app.app_context():
            running = db.session.scalars(select(Job.id).where(Job.state == "running")).all()
        time.sleep(0.01)
    assert running  # the hanging render is being made
    pdf = render(slow_app)  # waits in line behind it
    thread.join(timeout=30)
    assert isinstance(slow.get("error"), worker.PdfTimeout)
    assert pdf.startswith(b"%PDF-")
    assert "failed" not in caplog.text


def test_a_pdf_over_the_size_limit_is_refused_clearly(app, make_user, make_canvas, login):
    user = make_user()
    canvas_id, _ = make_canvas(user)
    app.config["PDF_MAX_BYTES"] = 1000
    response = login(user).get(f"/canvases/{canvas_id}/poster.pdf")
    assert response.status_code == 422
    assert "larger than the limit" in response.text


def test_a_render_that_fails_is_a_clear_page_not_a_500(app):
    with pytest.raises(worker.PdfFailed) as caught:
        render(app, "report")  # it has no worksheet to report on
    assert caught.value.status == 503
    assert "could not be made" in caught.value.message


def test_a_render_whose_process_was_lost_says_so_in_the_readers_language(
        app, make_user, make_canvas, login, monkeypatch):
    """The renderer replaced under the render (after one before it overran): a 503 that says
    to try again, told by the kind of failure, not by the English words of its message."""
    def lost(*args, **kwargs):
        raise jobs.JobLost("gone")

    user = make_user(language="da")
    canvas_id, _ = make_canvas(user)
    monkeypatch.setattr(worker.jobs, "run", lost)
    response = login(user).get(f"/canvases/{canvas_id}/poster.pdf?size=a4")
    assert response.status_code == 503
    expected = gettext_in("da", "The PDF was not made because the renderer was busy with a PDF "
                          "that took too long and had to be restarted. Try again in a moment.")
    assert expected in html_of(response).text("main")
