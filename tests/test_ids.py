"""Integer ids too large for the database are a 404 on every route, like any id that is not
there (they were a 500: the database driver cannot take them)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas.converters import MAX_ID

INT_ARG = re.compile(r"<int:(\w+)>")
OTHER_ARG = re.compile(r"<(?:\w+:)?(\w+)>")
FILLERS = {"block": "channels", "item_id": "x1", "step_id": "segment", "language": "en",
           "page_id": "x", "token": "x", "filename": "css/app.css", "job_id": "x"}


def int_routes(app) -> list[tuple[str, str]]:
    """(rule, method) for every route with an integer in its path."""
    return sorted((rule.rule, method) for rule in app.url_map.iter_rules()
                  if INT_ARG.search(rule.rule)
                  for method in rule.methods - {"HEAD", "OPTIONS"})


def fill(rule: str, number: int) -> str:
    path = INT_ARG.sub(str(number), rule)
    return OTHER_ARG.sub(lambda m: FILLERS[m.group(1)], path)


def test_there_are_integer_routes_to_check(app):
    assert len(int_routes(app)) >= 20


def test_ids_over_the_64_bit_limit_are_404_everywhere(app, login, make_user, make_canvas):
    user = make_user(role="admin")  # admins reach the most routes
    make_canvas(user)
    session = login(user)
    routes = int_routes(app)

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(number=st.integers(min_value=MAX_ID + 1, max_value=2**200)
           | st.sampled_from([2**63, 2**64, 2**64 + 1, 10**30]),
           route=st.sampled_from(routes))
    def check(number: int, route: tuple[str, str]) -> None:
        rule, method = route
        url = fill(rule, number)
        response = session.get(url) if method == "GET" else session.post(url)
        assert response.status_code == 404, (method, url, response.status_code)

    check()


def test_the_largest_id_the_database_holds_is_not_found_either(app, login, make_user):
    session = login(make_user(role="admin"))
    for rule, method in int_routes(app):
        url = fill(rule, MAX_ID)
        response = session.get(url) if method == "GET" else session.post(url)
        # 404, or 400 where a JSON endpoint refuses the (empty form) body before looking.
        assert response.status_code in (400, 404), (method, url, response.status_code)
