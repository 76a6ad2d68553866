"""The whole worksheet round-trip through the plain form post, as a no-JavaScript user."""

from tests.conftest import stored_answers


def test_plain_post_saves_and_moves_on(app, make_user, make_canvas, login):
    user = make_user()
    _, (ws,) = make_canvas(user)
    session = login(user)
    page = session.get(f"/worksheets/{ws}/steps/focus")
    assert page.status_code == 200
    response = session.post(f"/worksheets/{ws}/steps/focus", {
        "version": "1", "segment": "Cyclists in Aarhus", "value_proposition": "Fast repairs",
        "go": "next"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/steps/goals")
    version, answers = stored_answers(app, ws)
    assert version == 2
    assert answers["segment"] == "Cyclists in Aarhus"
