"""Every word of the interface goes through the catalogues: pages rendered with a pseudo
catalogue (each entry turned into ⟦…⟧) must show no visible text without the marks, except
what the page marks as another language (the learning content, the worksheet's own text),
what the user typed (marked here too), numbers and a few names."""

from __future__ import annotations

import json
import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup, Comment, Doctype, NavigableString

from canvas.accounts import create_user
from canvas.canvases.service import create_canvas, import_canvas, take_snapshot, trash_canvas
from canvas.extensions import db
from canvas.library import get_definitions, get_library, load_document
from tests.conftest import PASSWORD, ROOT, Session, migrated_app

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%")
# Visible text that is the same in every language.
NAMES = {"Canvas", "PDF", "A4", "A3", "Letter", "English", "Dansk", "Norsk bokmål", "CSV",
         "Business Model Canvas", "CC BY-SA 3.0", "Strategyzer"}
SKIP = {"script", "style", "template", "textarea", "title", "time"}  # time: Babel writes it


def pseudo(text: str) -> str:
    """⟦Ẁôŕðš⟧ with the placeholders untouched."""
    out, last = [], 0
    for match in PLACEHOLDER.finditer(text):
        out.append(_accent(text[last:match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_accent(text[last:]))
    return "⟦" + "".join(out) + "⟧"


def _accent(text: str) -> str:
    return text.translate(str.maketrans("aeiouAEIOU", "àéîöûÀÉÎÖÛ"))


@pytest.fixture(scope="module")
def pseudo_app(tmp_path_factory):
    """The app with a pseudo catalogue standing in for Danish, and a user who reads
    "Danish" with an English canvas (the content stays English, marked lang="en")."""
    folder = tmp_path_factory.mktemp("pseudo")
    with (ROOT / "canvas" / "translations" / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    catalog = Catalog(locale="da")
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            string = tuple(pseudo(part) for part in message.id)
        else:
            string = pseudo(message.id)
        catalog.add(message.id, string, context=message.context)
    target = folder / "da" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    app = migrated_app(folder / "pseudo.sqlite3", BABEL_TRANSLATION_DIRECTORIES=str(folder))
    with app.app_context():
        user = create_user("pseudo@example.test", PASSWORD, "⟦Walker⟧", "admin", "da")
        data = json.loads((ROOT / "content" / "examples" / "cleaning-copenhagen.en.json")
                          .read_text(encoding="utf-8"))
        data["title"] = "⟦Glans⟧"
        data["author"] = "⟦Author⟧"
        for items in data["blocks"].values():
            for item in items:
                item["text"] = f"⟦{item['text']}⟧"
        canvas = import_canvas(user, load_document(data), get_definitions())
        db.session.flush()
        take_snapshot(canvas, "⟦first⟧", get_definitions(), get_library())
        binned = create_canvas(user, "⟦Old⟧", "en", [get_definitions()["first-lesson"]])
        db.session.flush()
        trash_canvas(binned)
        db.session.commit()
        ids = {"canvas": canvas.id, "worksheet": canvas.worksheets[0].id, "user": user.id}
        db.session.refresh(user)
        db.session.expunge(user)
    yield app, user, ids


def leftovers(markup: str) -> list[str]:
    """Visible text outside the catalogue: text nodes without ⟦ that are not in an element
    of another language, not a name, not only digits and punctuation."""
    soup = BeautifulSoup(markup, "html.parser")
    found = []
    for node in soup.find_all(string=True):
        if isinstance(node, Comment | Doctype) or not isinstance(node, NavigableString):
            continue
        text = " ".join(node.split())
        if not text or "⟦" in text or "⟧" in text:
            continue
        parents = list(node.parents)
        if any(p.name in SKIP for p in parents):
            continue
        if any(p.get("lang") is not None for p in parents if p.name and p.name != "html"):
            continue  # content in its own language, marked so
        if any(p.get("translate") == "no" for p in parents if p.name):
            continue  # data shown as it is stored (an audit event's details, a class code)
        if _inside_a_sentence(node):
            continue  # the middle of a translated sentence cut by inline elements (<time>)
        # The currency and percentage points are units in every language; e-mail addresses.
        words = re.sub(r"\b(kr|pp)\b|\S+@\S+", "", text)
        if text in NAMES or not re.search(r"[^\W\d_]{2,}", words):
            continue  # a name, or numbers and signs only
        found.append(text)
    return found


def _inside_a_sentence(node: NavigableString) -> bool:
    """Whether the text node lies within one ⟦…⟧ of its parent's whole text."""
    whole, start = node.parent.get_text(), 0
    for child in node.parent.descendants:
        if child is node:
            break
        if isinstance(child, NavigableString):
            start += len(child)
    opened = whole.rfind("⟦", 0, start)
    return opened != -1 and whole.find("⟧", opened) >= start + len(node)


def pages(ids: dict) -> list[str]:
    c, w = ids["canvas"], ids["worksheet"]
    steps = [s.id for s in
             __import__("canvas.library", fromlist=["x"]).get_definitions()[
                 "customer-relationships"].steps]
    return ["/", "/bin", "/canvases/new", f"/canvases/{c}", f"/canvases/{c}/rename",
            f"/canvases/{c}/delete", f"/canvases/{c}/versions",
            f"/canvases/{c}/versions/compare?a=1&b=current", f"/canvases/{c}/export",
            f"/worksheets/{w}/not-saved", "/account", "/account/delete", "/auth/signed-in",
            "/admin/audit", "/admin/users", f"/admin/users/{ids['user']}", "/learn/en/",
            "/learn/en/customer-ladder", "/canvases/999999999/rename",
            *[f"/worksheets/{w}/steps/{s}" for s in steps]]


def test_every_page_shows_only_words_from_the_catalogue(pseudo_app):
    app, user, ids = pseudo_app
    session = Session(app.test_client(), user)
    with app.app_context():
        targets = pages(ids)
    problems = {}
    for path in targets:
        response = session.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        found = leftovers(response.text)
        if found:
            problems[path] = found[:8]
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


def test_pages_for_visitors_too(pseudo_app):
    app, _user, _ids = pseudo_app
    client = app.test_client()
    problems = {}
    for path in ("/", "/auth/login", "/auth/register", "/auth/reset", "/learn/en/"):
        response = client.get(path, headers={"Accept-Language": "da"})
        found = leftovers(response.text)
        if found:
            problems[path] = found[:8]
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


@pytest.fixture(scope="module")
def pseudo_class(pseudo_app):
    """A class in the pseudo app: a teacher and two students who read "Danish"; one has
    handed in twice (marked, released, returned, handed in again), the other has not started."""
    from tests.classroom import add_assignment, hand_in, make_class, mark, start

    app, _user, _ids = pseudo_app
    with app.app_context():
        teacher = create_user("teacher@example.test", PASSWORD, "⟦Tove⟧", "teacher", "da")
        student = create_user("student@example.test", PASSWORD, "⟦Sune⟧", "student", "da")
        idle = create_user("idle@example.test", PASSWORD, "⟦Ida⟧", "student", "da")
        db.session.commit()
        for person in (teacher, student, idle):
            db.session.refresh(person)
            db.session.expunge(person)
    room = make_class(app, teacher, [student, idle], name="⟦2B⟧", language="en")
    add_assignment(app, room, title="⟦Plan⟧", instructions="⟦Work⟧")
    start(app, room, student, {"segment": "⟦Offices⟧"})
    hand_in(app, room, student)
    mark(app, room, student, comments={"segment": "⟦Sharper⟧"}, overall="⟦Good⟧",
         outcome="return", release=True)
    hand_in(app, room, student)
    return app, room, teacher, student


def classroom_pages(room, student) -> tuple[list[str], list[str]]:
    """(the teacher's pages, the student's pages) of the class."""
    review = room.review_url(student)
    teacher = ["/", "/classes", "/classes/new", room.url(), room.url("/projector"),
               room.url("/delete"), room.url("/assignments/new"), room.assignment_url(),
               room.assignment_url("/edit"), review, review + "?attempt=1",
               room.assignment_url("/progress"), room.assignment_url("/progress?sort=-score"),
               room.assignment_url("/picture"), room.assignment_url("/picture/projector"),
               room.url("/self-checks")]
    mine = f"/assignments/{room.assignment_id}"
    return teacher, ["/", "/assignments", mine, mine + "/changes", "/join"]


def test_every_classroom_page_shows_only_words_from_the_catalogue(pseudo_class):
    app, room, teacher, student = pseudo_class
    problems = {}
    for person, paths in zip((teacher, student), classroom_pages(room, student), strict=True):
        session = Session(app.test_client(), person)
        for path in paths:
            response = session.get(path)
            assert response.status_code == 200, (person.email, path, response.status_code)
            found = leftovers(response.text)
            if found:
                problems[f"{person.role} {path}"] = found[:8]
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


def test_the_check_finds_a_word_that_skipped_the_catalogue():
    page = ('<html lang="da"><body><p>⟦Gém⟧</p><p lang="en">Customer ladder</p>'
            "<p>Forgotten words</p><p>12 %</p>"
            "<p>⟦Hàndéd în <time>3 Dec</time>, còmpàréd <time>4 Dec</time>⟧</p>"
            "<p>⟦Done⟧ <time>3 Dec</time> and then some</p></body></html>")
    assert leftovers(page) == ["Forgotten words", "and then some"]
