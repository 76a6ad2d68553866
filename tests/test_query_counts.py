"""The SQL a page runs does not grow with the data: the home page with 1, 20 and 200
canvases (paginated), the board with 0, 50, 200 and the most notes a canvas may hold."""

from __future__ import annotations

import pytest

from canvas.canvases.blocks import BLOCK_IDS, MAX_ITEMS
from canvas.extensions import db
from canvas.models import Canvas
from tests.conftest import sql_statements

MOST_NOTES = len(BLOCK_IDS) * MAX_ITEMS


def statements_for(app, session, url: str) -> list[str]:
    session.get(url)  # once first: a session's last-seen time is written at most a minute
    with sql_statements(app) as statements:
        response = session.get(url)
    assert response.status_code == 200, url
    return statements


def test_the_home_page_runs_the_same_queries_for_1_20_and_200_canvases(app, make_user,
                                                                        make_canvas, login):
    user = make_user()
    session = login(user)
    counts = {}
    made = 0
    for total in (1, 20, 200):
        while made < total:
            make_canvas(user, title=f"Canvas {made}")
            made += 1
        counts[total] = len(statements_for(app, session, "/"))
    assert counts[1] == counts[20] == counts[200], counts
    # The session, a page of canvases with their worksheets, the count for the pager, and
    # the classroom's sections (assignments, submissions, extensions, classes, counts).
    assert counts[1] <= 12, counts
    # The last page is paginated the same way.
    assert len(statements_for(app, session, "/?page=10")) == counts[200]


def notes(count: int) -> dict[str, list[dict]]:
    """`count` notes spread over the blocks, every other one tagged with a segment."""
    blocks: dict[str, list[dict]] = {block: [] for block in BLOCK_IDS}
    blocks["customer-segments"] = [{"id": f"s{n}", "text": f"Segment {n}", "segment": None}
                                   for n in range(min(count, 5))]
    placed = len(blocks["customer-segments"])
    others = [b for b in BLOCK_IDS if b != "customer-segments"]
    n = 0
    while placed < count:
        block = others[n % len(others)]
        if len(blocks[block]) < MAX_ITEMS:
            blocks[block].append({"id": f"n{n}", "text": f"Note {n} " + "x" * 40,
                                  "segment": "s0" if n % 2 else None})
            placed += 1
        elif all(len(blocks[b]) >= MAX_ITEMS for b in others):
            blocks["customer-segments"].append({"id": f"s{n}", "text": "more",
                                                "segment": None})
            placed += 1
        n += 1
    return blocks


@pytest.mark.parametrize("count", [50, 200, MOST_NOTES])
def test_the_board_runs_the_same_queries_for_any_number_of_notes(app, make_user, make_canvas,
                                                                  login, count):
    user = make_user()
    empty, _ = make_canvas(user, title="Empty")
    full, _ = make_canvas(user, title="Full")
    with app.app_context():
        canvas = db.session.get(Canvas, full)
        canvas.blocks = notes(count)
        db.session.commit()
    session = login(user)
    baseline = statements_for(app, session, f"/canvases/{empty}")
    page = session.get(f"/canvases/{full}").text
    assert page.count('class="note') >= count
    assert len(statements_for(app, session, f"/canvases/{full}")) == len(baseline)
