"""The content loader and checker on the real tree, on broken copies, and through the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import frontmatter
import pytest
import yaml
from markupsafe import Markup

from canvas import create_app
from canvas.content import ContentError, Item, Library, Page, load_library
from canvas.content.check import check_tree
from canvas.content.loader import Renderer, default_link, load_page
from tests.conftest import ROOT
from tests.dom import html_of

CONTENT = ROOT / "content"
LANGUAGES = ("en", "da", "nb")
IDS: dict[str, list[str]] = yaml.safe_load((CONTENT / "ids.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(CONTENT)


# --- the real tree ----------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", list(IDS))
def test_every_contract_id_is_present(library, language, key):
    page_id = key.split("/")[0]
    page = library.page(language, page_id)
    assert isinstance(page, Page), f"{language}/{page_id} missing"
    assert page.language == language
    assert page.title.strip()
    got = [item.id for item in library.catalogue(language, key)]
    assert got == IDS[key]
    for item_id in IDS[key]:
        item = library.item(language, f"{key}#{item_id}")
        assert isinstance(item, Item)
        assert item.id == item_id
        assert str(item.name).strip()


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_pages_outside_the_contract(library, language):
    page_ids = {key.split("/")[0] for key in IDS}
    assert {p.id for p in library.pages_in(language)} == page_ids
    # pages_in follows the order of ids.yaml.
    order = list(dict.fromkeys(key.split("/")[0] for key in IDS))
    assert [p.id for p in library.pages_in(language)] == order


def test_library_languages_and_ids(library):
    assert library.languages == LANGUAGES
    assert library.ids == IDS


def test_markdown_is_rendered_to_html_once(library):
    item = library.item("en", "service#personal-assistance")
    definition = item["definition"]
    assert isinstance(definition, Markup)
    assert definition.startswith("<p>") and definition.endswith("</p>")
    assert "served by a person" in definition
    # Names are rendered inline: no wrapping paragraph.
    assert isinstance(item.name, str)
    assert "<p>" not in item.name
    assert item.name == "Personal assistance"
    # Rendered at load time: looking it up again hands back the very same object.
    assert library.item("en", "service#personal-assistance")["definition"] is definition
    # A missing key gives empty markup, not an error.
    assert item["no-such-key"] == Markup("")
    page = library.page("en", "customer-relationships")
    assert isinstance(page.body, Markup)
    assert "<h2" in page.body
    assert isinstance(page.summary, Markup)
    assert not page.summary.startswith("<p>")
    # Emphasis in an item becomes HTML.
    assert "<strong>more than five times as much</strong>" in library.item(
        "en", "customer-relationships#cost-rule")["text"]


def test_lists_of_strings_are_rendered_inline(library):
    case = library.item("en", "cases#expert-2013")
    assert case.lists["questions"]
    for question in case.lists["questions"]:
        assert isinstance(question, Markup)
        assert not question.startswith("<p>")


def test_internal_links_are_rewritten_to_learn_routes(library):
    text = library.item("en", "customer-relationships#retain")["text"]
    assert '<a href="/learn/en/retention#loyalty-programme">loyalty programme</a>' in text
    assert '<a href="/learn/en/retention">keeping your customers</a>' in text
    item = html_of(str(text))
    assert [a["href"] for a in item.all("a")] == ["/learn/en/retention#loyalty-programme",
                                                  "/learn/en/retention"]
    assert not item.mentions(".md")
    page = library.page("en", "customer-relationships")
    assert 'href="/learn/en/blocks#customer-segments"' in page.body
    # The links as written are kept for the checker.
    assert "blocks.md#customer-segments" in page.links
    assert "retention.md#loyalty-programme" in page.links


def _all_html(page: Page) -> str:
    parts = [page.summary, page.body]
    stack = list(page.items)
    while stack:
        item = stack.pop()
        stack.extend(item.items)
        parts.extend(item.html.values())
        parts.append(item.name)
        for values in item.lists.values():
            parts.extend(values)
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_written_link_becomes_a_learn_route(library, language):
    seen = 0
    for page in library.pages_in(language):
        html = _all_html(page)
        for href in page.links:
            target, _, anchor = href.partition("#")
            route = f"/learn/{language}/{target.removesuffix('.md')}"
            route += f"#{anchor}" if anchor else ""
            assert f'href="{route}"' in html, (page.path, href)
            seen += 1
    assert seen > 10


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_markdown_links_left_anywhere(library, language):
    links = []  # (page, href) of every link in the rendered pages and items
    for page in library.pages_in(language):
        fragments = [page.body]
        stack = list(page.items)
        while stack:
            item = stack.pop()
            stack.extend(item.items)
            fragments.extend(item.html.values())
        links += [(page.path, a["href"]) for fragment in fragments
                  for a in html_of(str(fragment)).all("a[href]")]
    local = [(path, urlsplit(href).path) for path, href in links
             if not urlsplit(href).scheme and not urlsplit(href).netloc]
    assert len(local) > 10
    assert [(path, href) for path, href in local if href.lower().endswith(".md")] == []


def test_custom_link_builder(tmp_path):
    library = load_library(CONTENT, ("en",), lambda lang, page, anchor: f"/x/{page}/{anchor}")
    assert 'href="/x/retention/loyalty-programme"' in library.item(
        "en", "customer-relationships#retain")["text"]
    assert library.page("da", "service") is None
    assert default_link("nb", "service", None) == "/learn/nb/service"
    assert default_link("nb", "service", "self-service") == "/learn/nb/service#self-service"


def test_catalogue_and_item_lookups(library):
    delivery = library.catalogue("en", "after-purchase/delivery-check")
    assert [i.id for i in delivery] == ["right-time", "right-quality", "right-place",
                                       "right-person", "right-price"]
    item = library.item("en", "after-purchase/delivery-check#right-time")
    assert item is not None and item.id == "right-time"
    assert item.name == "At the right time"
    assert "<p>" in item["text"]
    assert library.item("da", "after-purchase/usage-check#can-maintain").id == "can-maintain"
    assert [i.id for i in library.catalogue("nb", "after-purchase")] == [
        "delivery-check", "usage-check", "future-needs"]
    assert library.page("en", "after-purchase").item("delivery-check").child(
        "right-price").id == "right-price"
    assert library.item("en", "service#co-creation").id == "co-creation"
    # Unknown things give empty results, not errors.
    assert library.catalogue("en", "no-such-page") == ()
    assert library.catalogue("en", "after-purchase/no-such-list") == ()
    assert library.catalogue("xx", "service") == ()
    assert library.item("en", "service#no-such-item") is None
    assert library.item("en", "after-purchase/delivery-check#no-such") is None
    assert library.item("en", "nowhere#right-time") is None
    assert library.page("en", "nowhere") is None


def test_languages_differ(library):
    en = library.item("en", "service#dedicated-assistance")
    da = library.item("da", "service#dedicated-assistance")
    assert en.name != da.name
    assert da.name == "Allokeret personlig betjening"


def test_real_content_is_sound():
    assert check_tree(CONTENT) == []


# --- broken copies ---------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path) -> Path:
    """A private copy of the real content tree to break."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def _edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _edit_meta(path: Path, change: Callable[[dict], None]) -> None:
    post = frontmatter.loads(path.read_text(encoding="utf-8"))
    change(post.metadata)
    path.write_text(frontmatter.dumps(post), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def bad_yaml(root: Path) -> list[str]:
    path = root / "en" / "service.md"
    _edit_text(path, "title: Serving the customer", "title: [Serving the customer")
    return [f"{path}: front matter: not valid YAML"]


def missing_title(root: Path) -> list[str]:
    path = root / "nb" / "upselling.md"
    _edit_meta(path, lambda meta: meta.pop("title"))
    return [f"{path}: title: required text is missing"]


def item_without_name(root: Path) -> list[str]:
    path = root / "en" / "retention.md"
    _edit_meta(path, lambda meta: meta["items"][0].pop("name"))
    return [f"{path}: items[0].name: item 'customer-service' needs a name"]


def bad_item_id(root: Path) -> list[str]:
    path = root / "da" / "retention.md"

    def change(meta):
        meta["items"][1]["id"] = "Membership Club"

    _edit_meta(path, change)
    return [f"{path}: items[1].id: expected an id"]


def missing_id_in_da(root: Path) -> list[str]:
    # An item nothing else links to or asks about, so the one problem is the missing id.
    path = root / "da" / "retention.md"

    def change(meta):
        meta["items"] = [i for i in meta["items"] if i["id"] != "one-stop-shop"]

    _edit_meta(path, change)
    return [f"{path}: items: missing id retention#one-stop-shop"]


def missing_nested_id(root: Path) -> list[str]:
    path = root / "nb" / "after-purchase.md"

    def change(meta):
        delivery = next(i for i in meta["items"] if i["id"] == "delivery-check")
        delivery["items"] = [i for i in delivery["items"] if i["id"] != "right-place"]

    _edit_meta(path, change)
    return [f"{path}: items: missing id after-purchase/delivery-check#right-place"]


def unknown_item(root: Path) -> list[str]:
    path = root / "en" / "retention.md"
    _edit_meta(path, lambda meta: meta["items"].append(
        {"id": "mystery-tactic", "name": "Mystery", "definition": "Nobody knows."}))
    return [f"{path}: items: unknown id retention#mystery-tactic"]


def missing_page(root: Path) -> list[str]:
    (root / "nb" / "cases.md").unlink()
    return [f"{root / 'nb'}: missing page 'cases'"]


def unknown_page(root: Path) -> list[str]:
    path = root / "en" / "extra.md"
    path.write_text("---\nid: extra\ntitle: Extra\nsummary: Not in the contract.\n---\nBody\n",
                    encoding="utf-8")
    return [f"{path}: id: unknown page id 'extra' (not in ids.yaml)"]


def link_to_missing_page(root: Path) -> list[str]:
    path = root / "en" / "service.md"
    _append(path, "\n\nRead [more](nowhere.md) first.\n")
    return [f"{path}: link 'nowhere.md': no such page"]


def link_to_missing_anchor(root: Path) -> list[str]:
    path = root / "da" / "service.md"
    _append(path, "\n\nSe [mere](retention.md#no-such-tactic).\n")
    return [f"{path}: link 'retention.md#no-such-tactic': no such item on that page"]


def link_in_item_to_missing_anchor(root: Path) -> list[str]:
    path = root / "nb" / "retention.md"

    def change(meta):
        meta["items"][0]["example"] = "Se [stigen](loyalty-ladder.md#no-rung)."

    _edit_meta(path, change)
    return [f"{path}: link 'loyalty-ladder.md#no-rung': no such item on that page"]


def teaches_missing_ref(root: Path) -> list[str]:
    path = root / "worksheets" / "first-lesson.yaml"
    _edit_text(path, "teaches: [service, mistakes#channels-confusion]",
               "teaches: [service, mistakes#no-such-mistake]")
    return [f"{path}: steps.serve.teaches: 'mistakes#no-such-mistake' does not exist in {lang}"
            for lang in LANGUAGES]


def teaches_missing_page(root: Path) -> list[str]:
    path = root / "worksheets" / "customer-relationships.yaml"
    _edit_text(path, "teaches: [reflection, cases]", "teaches: [reflection, no-such-page]")
    return [f"{path}: steps.reflection.teaches: 'no-such-page' does not exist in {lang}"
            for lang in LANGUAGES]


def unknown_field_type(root: Path) -> list[str]:
    path = root / "worksheets" / "first-lesson.yaml"
    _edit_text(path, "        type: short_text\n", "        type: essay\n")
    return [f"{path}: steps[0].fields[0].type: unknown field type 'essay'"]


def missing_nb_label(root: Path) -> list[str]:
    path = root / "worksheets" / "first-lesson.yaml"
    _edit_text(path, "          nb: Kundesegment\n", "")
    return [f"{path}: steps[0].fields[0].label: missing language(s): nb"]


def summary_placeholder_mismatch(root: Path) -> list[str]:
    path = root / "worksheets" / "first-lesson.yaml"
    _edit_text(path, '"Til kundefastholdelse bruker vi {retention_tactic}."',
               '"Til kundefastholdelse bruker vi {retention}."')
    return [f"{path}: summary_template.nb[2]: placeholders differ from English"]


def summary_line_count_mismatch(root: Path) -> list[str]:
    path = root / "worksheets" / "first-lesson.yaml"
    _edit_text(path, '    - "Vi betjener dem gennem {relationship_type}."\n', "")
    return [f"{path}: summary_template.da: 2 lines, English has 3"]


def missing_catalogue(root: Path) -> list[str]:
    path = root / "worksheets" / "first-lesson.yaml"
    _edit_text(path, "catalogue: retention", "catalogue: keeping")
    return [f"{path}: keep.retention_tactic.catalogue: 'keeping' does not exist in {lang}"
            for lang in LANGUAGES]


def unknown_coach_rule(root: Path) -> list[str]:
    path = root / "worksheets" / "first-lesson.yaml"
    _edit_text(path, "      - rule: empty\n", "      - rule: be_nice\n")
    return [f"{path}: steps.customer.coach[0]: unknown rule 'be_nice'"]


# --- signposts, the guide, the glossary, the labels and the self-checks --------------------------

def _edit_yaml(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def quiz_two_right_answers(root: Path) -> list[str]:
    path = root / "quizzes" / "service.yaml"
    _edit_yaml(path, lambda q: q["questions"][0]["options"][0].update(right=True))
    return [f"{path}: questions[0].options: question 'cinema-app' needs exactly one option "
            "with `right: true`, found 2"]


def quiz_no_right_answer(root: Path) -> list[str]:
    path = root / "quizzes" / "glossary.yaml"
    _edit_yaml(path, lambda q: q["questions"][1]["options"][0].pop("right"))
    return [f"{path}: questions[1].options: question 'hoodie-margin' needs exactly one option "
            "with `right: true`, found 0"]


def quiz_option_without_explanation(root: Path) -> list[str]:
    path = root / "quizzes" / "customer-relationships.yaml"
    _edit_yaml(path, lambda q: q["questions"][0]["options"][0].pop("explain"))
    return [f"{path}: questions[0].options[0].explain: option 'one-for-all' needs an "
            "explanation"]


def quiz_prompt_without_nb(root: Path) -> list[str]:
    path = root / "quizzes" / "loyalty-ladder.yaml"
    _edit_yaml(path, lambda q: q["questions"][2]["prompt"].pop("nb"))
    return [f"{path}: questions[2].prompt: missing language(s): nb"]


def quiz_explanation_without_da(root: Path) -> list[str]:
    path = root / "quizzes" / "look-alikes.yaml"
    _edit_yaml(path, lambda q: q["questions"][4]["options"][1]["explain"].pop("da"))
    return [f"{path}: questions[4].options[1].explain: missing language(s): da"]


def quiz_item_missing(root: Path) -> list[str]:
    path = root / "quizzes" / "acquisition.yaml"
    _edit_yaml(path, lambda q: q["questions"][0]["options"][0].update(item="acquisition#nope"))
    return [f"{path}: questions[0].options[0].item: 'acquisition#nope' does not exist in en"]


def quiz_unknown_key(root: Path) -> list[str]:
    path = root / "quizzes" / "upselling.yaml"
    _edit_yaml(path, lambda q: q["questions"][1].update(hint={"en": "Think."}))
    return [f"{path}: questions[1]: unknown key(s): hint"]


def quiz_duplicate_question(root: Path) -> list[str]:
    path = root / "quizzes" / "cases.yaml"
    _edit_yaml(path, lambda q: q["questions"][1].update(id="why-they-left"))
    return [f"{path}: questions: duplicate question id 'why-they-left'"]


def quiz_link_to_missing_page(root: Path) -> list[str]:
    path = root / "quizzes" / "mistakes.yaml"
    _edit_yaml(path, lambda q: q["questions"][0]["options"][0]["explain"].update(
        en="See [the missing page](nowhere.md)."))
    return [f"{path}: link 'nowhere.md': no such page in en"]


def page_without_self_check(root: Path) -> list[str]:
    (root / "quizzes" / "blocks.yaml").unlink()
    return [f"{root / 'quizzes'}: page 'blocks' has no self-check"]


def page_without_goals(root: Path) -> list[str]:
    path = root / "en" / "service.md"
    _edit_meta(path, lambda meta: meta.pop("goals"))
    return [f"{path}: goals: 0 learning goal(s); a page opens with 2 or 3"]


def in_short_of_two_lines(root: Path) -> list[str]:
    path = root / "nb" / "cases.md"
    _edit_meta(path, lambda meta: meta["in_short"].pop())
    return [f"{path}: in_short: 2 line(s); \"in short\" is 3 lines"]


def core_path_too_long(root: Path) -> list[str]:
    path = root / "guide.yaml"
    _edit_text(path, "  - page: service\n    minutes: 15", "  - page: service\n    minutes: 30")
    return [f"{path}: core: the core path takes 60 minutes, more than a lesson of 45"]


def core_path_unknown_page(root: Path) -> list[str]:
    path = root / "guide.yaml"
    _edit_text(path, "  - page: service\n", "  - page: nowhere\n")
    return [f"{path}: core[1].page: no page 'nowhere' in ids.yaml"]


def glossary_form_used_twice(root: Path) -> list[str]:
    path = root / "en" / "glossary.md"
    _edit_text(path, "forms: [prospect, prospects]", "forms: [prospect, prospects, lead]")
    return [f"{path}: items[3].forms: 'lead' already links to 'lead'"]


def glossary_term_nobody_uses(root: Path) -> list[str]:
    path = root / "da" / "glossary.md"
    _edit_text(path, "forms: [dækningsgrad, dækningsgraden]", "forms: [bruttoavance]")
    return [f"{path}: items.margin.forms: no page in da uses the term"]


def label_without_nb(root: Path) -> list[str]:
    path = root / "labels.yaml"
    _edit_text(path, "in_short: {en: In short, da: Kort fortalt, nb: Kort sagt}",
               "in_short: {en: In short, da: Kort fortalt}")
    return [f"{path}: in_short: missing language(s): nb"]


def label_placeholder_mismatch(root: Path) -> list[str]:
    path = root / "labels.yaml"
    _edit_text(path, '"{right} af {total} rigtige."', '"{right} af {alle} rigtige."')
    return [f"{path}: score.da: placeholders differ from en"]


def label_the_pages_need_is_missing(root: Path) -> list[str]:
    path = root / "labels.yaml"
    _edit_text(path, 'used_on: {en: "Used on:", da: "Bruges på:", nb: "Brukes på:"}\n', "")
    return [f"{path}: used_on: the learning pages need this label"]


LEARNING_BREAKERS = [
    quiz_two_right_answers, quiz_no_right_answer, quiz_option_without_explanation,
    quiz_prompt_without_nb, quiz_explanation_without_da, quiz_item_missing, quiz_unknown_key,
    quiz_duplicate_question, quiz_link_to_missing_page, page_without_self_check,
    page_without_goals, in_short_of_two_lines, core_path_too_long, core_path_unknown_page,
    glossary_form_used_twice, glossary_term_nobody_uses, label_without_nb,
    label_placeholder_mismatch, label_the_pages_need_is_missing]


BREAKERS = [bad_yaml, missing_title, item_without_name, bad_item_id, missing_id_in_da,
            missing_nested_id, unknown_item, missing_page, unknown_page, link_to_missing_page,
            link_to_missing_anchor, link_in_item_to_missing_anchor, teaches_missing_ref,
            teaches_missing_page, unknown_field_type, missing_nb_label,
            summary_placeholder_mismatch, summary_line_count_mismatch, missing_catalogue,
            unknown_coach_rule, *LEARNING_BREAKERS]


def test_frontmatter_rewrite_alone_keeps_the_tree_sound(tree):
    """The helper used to break trees does not break anything by itself."""
    for language in LANGUAGES:
        for path in (tree / language).glob("*.md"):
            _edit_meta(path, lambda meta: None)
    assert check_tree(tree) == []


@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda f: f.__name__)
def test_check_tree_reports_each_problem(tree, breaker):
    wanted = breaker(tree)
    problems = check_tree(tree)
    assert problems, "the broken tree was reported sound"
    for line in wanted:
        assert any(p.startswith(line) for p in problems), (line, problems)


@pytest.mark.parametrize("breaker", [bad_yaml, missing_title, item_without_name, bad_item_id,
                                     quiz_two_right_answers, quiz_option_without_explanation,
                                     quiz_prompt_without_nb, quiz_item_missing,
                                     glossary_form_used_twice, label_without_nb],
                         ids=lambda f: f.__name__)
def test_loader_raises_content_error_naming_file_and_key(tree, breaker):
    (wanted,) = breaker(tree)
    with pytest.raises(ContentError) as caught:
        load_library(tree)
    assert str(caught.value).startswith(wanted)
    path, key = wanted.split(": ")[:2]
    assert caught.value.path == path
    assert caught.value.key == key


def test_load_page_reports_bad_yaml(tmp_path):
    path = tmp_path / "x.md"
    path.write_text("---\nid: x\ntitle: [oops\n---\nBody\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_page(path, "en", Renderer())
    assert caught.value.path == str(path)
    assert caught.value.key == "front matter"


def test_duplicate_item_ids_are_refused(tree):
    path = tree / "en" / "service.md"

    def change(meta):
        meta["items"].append(dict(meta["items"][0]))

    _edit_meta(path, change)
    with pytest.raises(ContentError, match="duplicate item id 'personal-assistance'"):
        load_library(tree)
    assert any("duplicate item id" in p and str(path) in p for p in check_tree(tree))


def test_unreadable_id_contract(tree):
    (tree / "ids.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    problems = check_tree(tree)
    assert problems == [f"{tree / 'ids.yaml'}: ids: expected a mapping of page id to item ids"]


def test_missing_language_folder(tree):
    shutil.rmtree(tree / "nb")
    problems = check_tree(tree)
    assert f"{tree / 'nb'}: the language folder is missing" in problems


# --- the CLI ---------------------------------------------------------------------------------

def test_cli_content_check_passes_on_real_content(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "is sound" in result.output


def test_cli_content_check_good_copy(runner, tree):
    result = runner.invoke(args=["content", "check", "--dir", str(tree)])
    assert result.exit_code == 0, result.output
    assert str(tree) in result.output


@pytest.mark.parametrize("breaker", [missing_id_in_da, link_to_missing_anchor,
                                     summary_placeholder_mismatch], ids=lambda f: f.__name__)
def test_cli_content_check_fails_on_broken_copy(runner, tree, breaker):
    (wanted,) = breaker(tree)
    result = runner.invoke(args=["content", "check", "--dir", str(tree)])
    assert result.exit_code != 0
    assert f"- {wanted}" in result.output
    assert "1 problem" in result.output


# --- the factory -----------------------------------------------------------------------------

def _config(tmp_path: Path) -> dict:
    return {"TESTING": True, "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'factory.sqlite3'}"}


@pytest.mark.parametrize("breaker", [bad_yaml, missing_title, unknown_field_type,
                                     missing_nb_label], ids=lambda f: f.__name__)
def test_factory_fails_loudly_on_broken_content(tmp_path, tree, monkeypatch, breaker):
    (wanted,) = breaker(tree)
    with pytest.raises(ContentError) as caught:
        create_app({**_config(tmp_path), "CONTENT_DIR": str(tree)})
    assert str(caught.value).startswith(wanted)
    assert caught.value.path == wanted.split(": ")[0]


def test_factory_uses_content_dir_from_environment(tmp_path, tree, monkeypatch):
    # Outside tests the CANVAS_* variables override the defaults (Flask's from_prefixed_env).
    monkeypatch.setenv("CANVAS_CONTENT_DIR", str(tree))
    monkeypatch.setenv("CANVAS_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("CANVAS_SECRET_KEY", "a key of this test's own")  # the built-in is refused
    # Change one title so the app is visibly reading the copy.
    _edit_text(tree / "en" / "service.md", "title: Serving the customer",
               "title: Serving the customer (copy)")
    app = create_app()
    assert app.config["CONTENT_DIR"] == str(tree)
    with app.app_context():
        from canvas.library import get_definitions, get_library

        assert get_library().page("en", "service").title == "Serving the customer (copy)"
        assert set(get_definitions()) == {"customer-relationships", "first-lesson"}


def test_tests_read_nothing_from_the_environment(tmp_path, tree, monkeypatch):
    # A developer's CANVAS_* variables must not leak into a test's app (as in flaskr).
    monkeypatch.setenv("CANVAS_CONTENT_DIR", str(tree))
    monkeypatch.setenv("CANVAS_RECYCLE_BIN_DAYS", "3")
    app = create_app(_config(tmp_path))
    assert app.config["CONTENT_DIR"] != str(tree)
    assert app.config["RECYCLE_BIN_DAYS"] == 30


# The same command through Flask's own `flask` entry point (FlaskGroup), which is what
# `flask --app canvas content check` runs; it pushes the app context itself.

def _flask_cli(app):
    from flask.cli import FlaskGroup

    return FlaskGroup(create_app=lambda: app, load_dotenv=False, set_debug_flag=False)


def test_flask_entry_content_check_passes(app, runner):
    result = runner.invoke(_flask_cli(app), args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert f"Content in {app.config['CONTENT_DIR']} is sound." in result.output


@pytest.mark.parametrize("breaker", [missing_id_in_da, link_to_missing_anchor,
                                     summary_placeholder_mismatch], ids=lambda f: f.__name__)
def test_flask_entry_content_check_fails_on_broken_copy(app, runner, tree, breaker):
    (wanted,) = breaker(tree)
    result = runner.invoke(_flask_cli(app), args=["content", "check", "--dir", str(tree)])
    assert result.exit_code == 1
    assert f"- {wanted}" in result.output
    assert f"1 problem in {tree}" in result.output


def test_rendered_content_is_cleaned_of_scripts_and_handlers(tmp_path):
    """A content tree from elsewhere cannot smuggle script into the pages."""
    from canvas.content.loader import Renderer

    html, _ = Renderer().render(
        'Hello <script>alert(1)</script><img src=x onerror="alert(2)"> '
        '[ok](acquisition.md#referrals) <a href="javascript:alert(3)">bad</a>', "en")
    assert 'href="/learn/en/acquisition#referrals"' in html
    cleaned = html_of(str(html))
    assert cleaned.text() == "Hello ok bad"  # the script's text is gone too
    assert [a.get("href") for a in cleaned.all("a")] == ["/learn/en/acquisition#referrals", None]
    assert not cleaned.has("script")
    assert [(tag.name, name) for tag in cleaned.all("*") for name in tag.attrs
            if name.lower().startswith("on")] == []
    for words in ("alert(", "onerror", "javascript:"):
        assert not cleaned.mentions(words), words


def test_glossary_links_whole_words_longest_form_first_once_per_scope():
    from canvas.content.loader import make_glossary

    glossary = make_glossary("glossary", {"lead": ["lead", "leads", "warm lead"],
                                          "conversion-goal": ["conversion goal"],
                                          "conversion": ["conversion"]})
    seen: set[str] = set()
    html, _ = Renderer().render(
        "A warm\nlead, a lead-time, misleading [lead](service.md), `lead` and a lead again;\n"
        "the conversion goal, then conversion.", "en", glossary=glossary, seen=seen)
    assert html.count('class="gloss"') == 3
    assert '<a class="gloss" href="/learn/en/glossary#lead">warm\nlead</a>' in html
    assert 'href="/learn/en/glossary#conversion-goal">conversion goal</a>' in html
    assert 'href="/learn/en/glossary#conversion">conversion</a>.' in html
    assert seen == {"lead", "conversion-goal", "conversion"}
    # A new scope links again; without a glossary nothing is linked.
    again, _ = Renderer().render("Leads.", "en", glossary=glossary, seen=set())
    assert '<a class="gloss" href="/learn/en/glossary#lead">Leads</a>' in again
    plain, _ = Renderer().render("Leads.", "en")
    assert "gloss" not in plain


def test_a_content_tree_cannot_smuggle_classes_or_styles_through_tables():
    html, _ = Renderer().render('| a | b |\n|:--|--:|\n| <span class="x" style="color:red">'
                                'c</span> | d |\n', "en")
    assert "<table>" in html and "<th" in html
    assert "style=" not in html and 'class="x"' not in html
