"""PDF exports on real output (pypdf): page sizes, blocks, letters, fonts, metadata, the
overflow page, type shrinking, the worksheet report, the CLI and download names."""

from __future__ import annotations

import copy
import io
import json
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from canvas.canvases.blocks import BLOCK_IDS, segment_colours
from canvas.exports import names, pdf, textfit
from canvas.exports import poster as posters
from canvas.exports import report as reports
from canvas.i18n import gettext_in
from canvas.interchange import FormatError, read_document
from tests.conftest import ROOT, squash, text_of
from tests.dom import html_of

STATIC = ROOT / "static"
EXAMPLES = ROOT / "content" / "examples"
WHEN = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
PAGE = {"a4": (842, 595), "a3": (1191, 842), "letter": (792, 612)}
LETTERS = "æøåÆØÅ"


def checked(kit, document: dict, strict: bool = True):
    """The canvas JSON as the checked document the renderer takes."""
    return read_document(document, kit["definitions"], kit["library"], strict=strict)


def poster(kit, document, size="a4") -> bytes:
    return posters.render_poster(checked(kit, document), kit["library"], kit["definitions"],
                                 kit["env"], size, STATIC, kit["fonts"], WHEN)


def report(kit, document, size="a4", index=None) -> bytes:
    document = checked(kit, document)
    index = reports.first_worksheet(document) if index is None else index
    return reports.render_report(document, index, kit["library"], kit["definitions"],
                                 kit["env"], size, STATIC, kit["fonts"], WHEN)


def poster_html(kit, document, size="a4", env=None) -> str:
    return posters.poster_html(checked(kit, document), kit["library"], kit["definitions"],
                               env or kit["env"], size, STATIC, WHEN)


def calls_to(monkeypatch, module, name: str) -> list:
    """Count the calls to module.name (it still runs): the list of their arguments."""
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def reader(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def items(prefix: str, texts: list[str], segment: str | None = None) -> list[dict]:
    return [{"id": f"{prefix}{n}", "text": t, "segment": segment} for n, t in enumerate(texts)]


def document(language="da", title="Glans Rengøring", blocks=None, worksheets=None) -> dict:
    base = {
        "key-partners": items("kp", ["Leverandør af miljømærkede midler"]),
        "key-activities": items("ka", ["Kvartalsopkald til hver kunde"]),
        "key-resources": items("kr", ["Faste kontaktpersoner på Østerbro"]),
        "value-propositions": items("vp", ["Pålidelig aftenrengøring"], "s1"),
        "customer-relationships": items("cr", ["Én fast kontaktperson"], "s1"),
        "channels": items("ch", ["Kontaktformular på hjemmesiden"], "s2"),
        "customer-segments": items("s", ["Små kontorer i København", "Ejendomsadministratorer"]),
        "cost-structure": items("cs", ["Løn til rengøringsassistenter"]),
        "revenue-streams": items("rs", ["Månedlige kontrakter"]),
    }
    base["customer-segments"] = [{"id": "s1", "text": "Små kontorer i København",
                                  "segment": None},
                                 {"id": "s2", "text": "Ejendomsadministratorer",
                                  "segment": None}]
    if blocks is not None:
        base.update(blocks)
    return {"format": "bmc-canvas/1", "title": title, "language": language,
            "author": "Åse Ærø", "version": 3, "blocks": base,
            "worksheets": worksheets if worksheets is not None else []}


def words(n: int, seed: str) -> str:
    """n distinct words (so every one can be found again in the PDF)."""
    return " ".join(f"{seed}{i:03d}ord" for i in range(n))


# --- the poster -------------------------------------------------------------------------------

@pytest.mark.parametrize("size", ["a4", "a3", "letter"])
def test_poster_is_one_landscape_page_of_the_chosen_size(kit, size):
    pdf = reader(poster(kit, document(), size))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == PAGE[size]


@pytest.mark.parametrize("language", ["en", "da", "nb"])
def test_poster_shows_the_nine_block_names_and_the_users_text(kit, language):
    doc = document(language=language)
    text = text_of(poster(kit, doc))
    for block in BLOCK_IDS:
        name = kit["library"].item(language, f"blocks#{block}").name
        assert posters.plain(name) in text, block
        for item in doc["blocks"][block]:
            assert squash(item["text"]) in squash(text)
    assert "Glans Rengøring" in text
    assert "Åse Ærø" in text and "2026-11-22" in text
    assert {"en": "Version", "da": "Version", "nb": "Versjon"}[language] + ": 3" in text


def test_danish_and_norwegian_letters_survive(kit):
    doc = document(title=f"Blåbær {LETTERS}",
                   blocks={"key-partners": items("kp", [f"Ærlige øl og å {LETTERS}"])})
    text = text_of(poster(kit, doc))
    assert LETTERS in text
    assert f"Blåbær {LETTERS}" in text
    assert "Ærlige øl og å" in text


def fonts_of(pdf: PdfReader) -> list[dict]:
    found = []
    for page in pdf.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font \
                else font
            found.append((str(font["/BaseFont"]), descendant["/FontDescriptor"].get_object()))
    return found


def test_every_font_is_embedded_and_is_the_shipped_one(kit):
    for made in (poster(kit, document()), report(kit, example("cleaning-copenhagen.da"))):
        fonts = fonts_of(reader(made))
        assert fonts
        for name, descriptor in fonts:
            assert "/FontFile2" in descriptor, f"{name} is not embedded"
            assert name.split("+")[-1].startswith(pdf.FONT_FAMILY), name


def test_shipped_fonts_have_their_licence_and_cover_the_letters():
    from fontTools.ttLib import TTFont

    licence = (STATIC / "fonts" / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    for bold in (False, True):
        font = TTFont(str(STATIC / textfit.FONT_FILES[bold]))
        cmap = font.getBestCmap()
        assert all(ord(ch) in cmap for ch in LETTERS + "“”«»–→↑•…\u2003\u2005\u202f")


def test_metadata_language_and_tags(kit):
    pdf = reader(poster(kit, document(language="nb", title="Kant Fotballsko")))
    info = pdf.metadata
    assert info["/Title"] == "Kant Fotballsko"
    assert info["/Author"] == "Åse Ærø"
    assert info["/CreationDate"].startswith("D:20261122")
    assert "/ModDate" in info
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "nb"
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged (PDF/UA-1 and PDF/A level A)
    assert "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]


@pytest.mark.parametrize("what", ["poster", "report"])
def test_pdfs_claim_pdf_a_2a_and_pdf_ua_1(kit, what):
    """Archival (PDF/A-2a: sRGB output intent, file id, XMP identification) and accessible
    (PDF/UA-1) at once; the XMP names both parts, and the title is in the XMP too."""
    data = (poster(kit, document(title="Glans Rengøring")) if what == "poster"
            else report(kit, example("cleaning-copenhagen.da")))
    pdf = reader(data)
    root = pdf.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfaid:part="2"', xmp) and re.search(r'pdfaid:conformance="A"', xmp)
    assert re.search(r'pdfuaid:part="1"', xmp)
    assert "Glans Rengøring" in xmp
    intents = root["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"
    assert "/DestOutputProfile" in intents[0].get_object()
    assert "/ID" in pdf.trailer
    assert pdf.pdf_header.endswith("1.7")


def margin_credits(html: str) -> list[str]:
    """The text of each @bottom-left page-margin box in a PDF page's stylesheet."""
    css = "".join(style.string or "" for style in html_of(html).all("style"))
    boxes = re.findall(r'@bottom-left \{ content: "((?:[^"\\]|\\[0-9a-f]{6})*)";', css)
    return [re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), box)
            for box in boxes]


def test_the_credit_is_in_every_pdf(kit):
    """In every language the poster credits Strategyzer and the licence under the canvas and
    at the foot of its overflow pages, and the report at the foot of every page. The page
    feet are @page margin boxes, so one report PDF shows that those reach the pages (and
    test_overflow_a4_with_150_words_a_block_loses_nothing checks the poster's)."""
    for language in ("en", "da", "nb"):
        doc = example(f"cleaning-copenhagen.{language}")
        poster_page = poster_html(kit, doc)
        document = checked(kit, doc)
        report_page = reports.report_html(document, reports.first_worksheet(document),
                                          kit["library"], kit["definitions"], kit["env"],
                                          "a4", WHEN)
        credit = html_of(poster_page).text(".poster-foot .credit")
        assert "Strategyzer" in credit and "CC BY-SA 3.0" in credit, language
        assert margin_credits(poster_page) == [credit]
        assert margin_credits(report_page) == [credit]
    pages = reader(report(kit, example("cleaning-copenhagen.nb"))).pages
    assert len(pages) >= 2
    for page in pages:
        assert squash(credit) in squash(page.extract_text())


def test_items_carry_their_segment_colour_tag(kit):
    doc = document()
    html = poster_html(kit, doc)
    colours = segment_colours(doc["blocks"])
    assert f".seg-1 {{ background-color: {colours['s1']}; }}" in html
    assert f".seg-2 {{ background-color: {colours['s2']}; }}" in html
    assert '<span class="tag seg-1 tag-d1">1</span>Pålidelig aftenrengøring' in html
    assert '<span class="tag seg-2 tag-d1">2</span>Kontaktformular' in html
    # The segments themselves carry their own tag; untagged items get a bullet.
    assert '<span class="tag seg-1 tag-d1">1</span>Små kontorer i København' in html
    assert f"{posters.BULLET}Løn til rengøringsassistenter" in html


def test_empty_blocks_show_their_guiding_questions(kit):
    doc = document(language="da", blocks={"key-partners": [], "channels": []})
    text = squash(text_of(poster(kit, doc)))
    for block in ("key-partners", "channels"):
        for question in kit["library"].item("da", f"blocks#{block}").lists["questions"]:
            assert squash(posters.plain(question)) in text


def test_relationships_block_shows_what_the_worksheet_feeds_it(kit):
    doc = example("cleaning-copenhagen.en")
    answers = doc["worksheets"][0]["answers"]
    text = squash(text_of(poster(kit, doc, "a3")))
    assert squash(answers["summary"]) in text
    assert squash("Dedicated personal assistance, Automated service") in text
    assert squash("Free product, Referrals, Customer care, Add-on products") in text
    assert "Fromtheworksheet" in text


def test_relationships_block_offers_the_draft_when_there_is_no_summary(kit):
    doc = example("cleaning-copenhagen.en")
    del doc["worksheets"][0]["answers"]["summary"]
    text = squash(text_of(poster(kit, doc, "a3")))
    assert "Draftfromyouranswers:" in text
    assert squash("Segment: Small offices") in text


def test_user_text_is_escaped_not_interpreted(kit):
    doc = document(title="<b>Bold</b> & <i>co</i>",
                   blocks={"channels": items("ch", ["<script>alert(1)</script> & <p>x</p>"])})
    html = poster_html(kit, doc)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;p&gt;x&lt;/p&gt;" in html
    page = html_of(html)
    assert page.text(".poster-title") == "<b>Bold</b> & <i>co</i>"
    assert f"{posters.BULLET}<script>alert(1)</script> & <p>x</p>" in page.texts("li.item")
    assert page.all("script, b, i, li p, .poster-title *") == []  # none of it became markup
    text = text_of(poster(kit, doc))
    assert "<b>Bold</b> & <i>co</i>" in text
    assert "<script>alert(1)</script>" in text


# --- shrinking and the overflow page -----------------------------------------------------------

def long_blocks(n_words: int) -> dict:
    """Every block with `n_words` words, in notes of at most 30 words (within the limit of a
    note's length)."""
    return {block: items(block[:2], [words(30, f"{block[:3]}{k}") for k in range(n_words // 30)])
            for block in BLOCK_IDS}


def test_overflow_a4_with_150_words_a_block_loses_nothing(kit):
    doc = document(blocks=long_blocks(150))
    doc["blocks"]["customer-segments"] = items("seg", [words(30, f"seg{k}") for k in range(5)])
    pdf = poster(kit, doc, "a4")
    pages = reader(pdf).pages
    assert len(pages) >= 2
    first = squash(pages[0].extract_text())
    assert "Fortsætterpåside" in first
    text = squash(text_of(pdf))
    missing = [w for block in doc["blocks"].values() for item in block
               for w in item["text"].split() if w not in text]
    assert missing == []
    later = squash("".join(p.extract_text() for p in pages[1:]))
    assert "Fortsatfracanvasset" in later
    # The credit: under the canvas, then at the foot of each overflow page.
    credit = squash(posters.credit("da"))
    assert [credit in squash(p.extract_text()) for p in pages] == [True] * len(pages)
    assert "(fortsat)" in later
    for page in pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == \
            PAGE["a4"]


def test_overflow_marker_points_at_the_right_page(kit):
    doc = document(blocks={"key-activities": items("ka", [words(30, f"x{k}")
                                                          for k in range(12)])})
    layout = posters.layout_poster(checked(kit, doc), kit["definitions"], kit["library"],
                                   "a4", textfit.Measure(STATIC))
    assert [b.id for b in layout.overflow] == ["key-activities"]
    first = reader(poster(kit, doc, "a4")).pages[0].extract_text()
    assert "Fortsætter på side 2" in first


def test_shrink_a_moderately_long_block_fits_a3_on_one_page(kit):
    doc = document(blocks={"value-propositions": items("vp", [words(40, f"v{k}")
                                                              for k in range(3)])})
    layout = posters.layout_poster(checked(kit, doc), kit["definitions"], kit["library"],
                                   "a3", textfit.Measure(STATIC))
    fit = layout.blocks["value-propositions"]
    assert fit.size < posters.SIZES["a3"].steps[0]  # shrunk a step or more
    assert not fit.rest
    pdf = poster(kit, doc, "a3")
    assert len(reader(pdf).pages) == 1
    text = squash(text_of(pdf))
    assert all(w in text for item in doc["blocks"]["value-propositions"]
               for w in item["text"].split())


def test_long_unbroken_words_and_long_titles_stay_on_the_page(kit):
    doc = document(title="Å" * 120, blocks={
        "channels": items("ch", ["x" * 500, "https://example.test/" + "a/" * 200]),
        "key-partners": items("kp", ["ø" * 480] * 12)})
    pdf = poster(kit, doc, "a4")
    text = squash(text_of(pdf))
    assert "Å" * 120 in text
    assert "x" * 500 in text and "ø" * 480 in text


def test_layout_estimate_keeps_every_example_on_one_page(kit):
    """The text estimate agrees with WeasyPrint on the worked examples: no second layout."""
    for path in sorted(EXAMPLES.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for size in ("a4", "a3"):
            html = poster_html(kit, doc, size)
            laid_out = pdf.html_to_document(html, STATIC, kit["fonts"])
            assert "poster-end" in pdf.element_ids(laid_out.pages[0]), (path.name, size)


def test_laying_the_poster_out_again_reuses_the_block_contents(kit, monkeypatch):
    """The tighter layouts after one that ran over use the blocks' contents (with what the
    worksheets feed them) worked out once, not again for every layout."""
    feeds = calls_to(monkeypatch, posters.analysis, "block_feed")
    layouts = []
    monkeypatch.setattr(pdf, "element_ids",
                        lambda page: layouts.append(page) or set())  # every layout runs over
    doc = example("cleaning-copenhagen.en")
    text = squash(text_of(poster(kit, doc)))
    assert len(layouts) == len(posters.SLACKS)
    assert len(feeds) == 1
    assert squash(doc["worksheets"][0]["answers"]["summary"]) in text


def test_the_pdf_templates_get_the_same_filters_as_the_pages(kit, app):
    """One Jinja set-up (canvas/templating.py) for the app and the PDF worker."""
    for name in ("num", "pct", "pp", "dec", "css_string", "pt"):
        assert kit["env"].filters[name] is app.jinja_env.filters[name], name


# --- the worksheet report ----------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "da", "nb"])
def test_report_has_every_step_question_and_answer(kit, language):
    doc = example(f"cleaning-copenhagen.{language}")
    definition = kit["definitions"]["customer-relationships"]
    pdf = report(kit, doc)
    pages = reader(pdf).pages
    assert len(pages) >= 3
    w, h = pages[0].mediabox.width, pages[0].mediabox.height
    assert (round(float(w)), round(float(h))) == (595, 842)  # A4 portrait
    text = squash(text_of(pdf))
    answers = doc["worksheets"][0]["answers"]
    for n, step in enumerate(definition.steps, start=1):
        assert squash(f"{n}. {step.title.get(language)}") in text
    from canvas.worksheets.fields import label_of
    for _, field in definition.all_fields():
        if field.type in ("short_text", "long_text"):
            assert squash(label_of(field, kit["library"], language)) in text, field.id
            assert squash(answers[field.id]) in text, field.id
    def words_(english: str) -> str:
        return gettext_in(language, english)

    # Tactics table: tactic, how, cost, ladder step.
    for header in (words_("Tactic"), {"en": "Step", "da": "Skridt", "nb": "Steg"}[language]):
        assert squash(header) in text
    tactic = answers["tactics_acquisition"][0]
    assert squash(tactic["how"]) in text and squash(tactic["cost"]) in text
    # The follow-up plan (checks with how) and the future needs.
    assert squash(answers["delivery_checks"]["right-time"]["how"]) in text
    assert squash(answers["future_needs"][0]["what"]) in text
    # Economics verdict, the funnel's numbers, page numbers, header and footer.
    assert squash(words_("Yes: a customer is worth more than the relationship costs.")) in text
    assert squash(words_("Expected at the top if every goal is met")) in text
    # The economics verdict's ratio, with the language's decimal mark.
    ratio = {"en": "6.7", "da": "6,7", "nb": "6,7"}[language]
    assert squash(gettext_in(language, "Your numbers: winning costs %(ratio)s times a year of "
                             "keeping.", ratio=ratio)) in text
    for number, page in enumerate(pages, start=1):
        page_text = squash(page.extract_text())
        assert squash(f"{words_('Page')} {number} {words_('of')} {len(pages)}") in page_text
        assert squash(doc["title"]) in page_text
        assert "Strategyzer" in page_text


def test_report_analyses_the_ladder_once_and_draws_the_funnel_in_the_pdf_font(kit,
                                                                               monkeypatch):
    from canvas.worksheets import fields

    ladders = calls_to(monkeypatch, fields, "ladder_of")
    html = reports.report_html(checked(kit, example("cleaning-copenhagen.en")), 0,
                               kit["library"], kit["definitions"], kit["env"], "a4", WHEN)
    assert len(ladders) == 1
    svgs = re.findall(r"<svg [^>]*>", html)
    assert len(svgs) == 1
    assert f'font-family="{pdf.FONT_FAMILY}, sans-serif"' in svgs[0]


def test_report_funnel_is_vector_not_an_image(kit):
    doc = example("cleaning-copenhagen.en")
    pdf = reader(report(kit, doc))
    for page in pdf.pages:
        xobjects = (page["/Resources"].get("/XObject") or {})
        for xobject in xobjects.values():
            assert xobject.get_object().get("/Subtype") != "/Image"
    text = squash(text_of(report(kit, doc)))
    # Text drawn inside the SVG: the rung labels and the log-scale note.
    assert "Customer:21" in text and "barwidthonalogscale" in text


def test_report_of_an_empty_worksheet_says_so(kit):
    doc = document(language="nb", worksheets=[{"definition": "customer-relationships",
                                               "answers": {}}])
    text = text_of(report(kit, doc))
    assert "Ikke besvart ennå." in text
    assert "Fyll inn alle tallene for å se konklusjonen." in text


BAD_ANSWERS = {
    "segment": 42, "weights": "lots", "relationship_types": {"id": "x"},
    "tactics_acquisition": [{"id": "free-product", "how": None}, "junk"],
    "ladder": {"ladder": "customer-ladder", "customer-ladder": {"counts": "x"}},
    "delivery_checks": ["x"], "cost_to_win": "many"}


@pytest.mark.parametrize("field", sorted(BAD_ANSWERS))
def test_answers_in_unexpected_shapes_are_refused_at_the_boundary(kit, field):
    """A document is checked once, where it comes in: a file with an answer that does not
    fit its field is refused, naming the field, before any renderer sees it."""
    doc = document(worksheets=[{"definition": "customer-relationships",
                                "answers": {field: BAD_ANSWERS[field], "summary": "Fine"}}])
    with pytest.raises(FormatError) as caught:
        checked(kit, doc)
    assert f"worksheets[0].answers.{field}:" in str(caught.value)


def test_the_app_s_own_data_renders_without_the_answers_that_do_not_fit(kit):
    """Stored answers that no longer fit (the worksheet changed) are left out, not fatal."""
    doc = document(language="en", worksheets=[{"definition": "customer-relationships",
                                               "answers": {**BAD_ANSWERS, "summary": "Fine"}}])
    lenient = checked(kit, doc, strict=False)
    assert dict(lenient.worksheets[0].answers) == {"summary": "Fine"}
    html = reports.report_html(lenient, 0, kit["library"], kit["definitions"], kit["env"],
                               "a4", WHEN)
    assert "Fine" in html
    assert squash("Fine") in squash(text_of(posters.render_poster(
        lenient, kit["library"], kit["definitions"], kit["env"], "a4", STATIC, kit["fonts"],
        WHEN)))


def test_report_rejects_a_missing_worksheet(kit):
    with pytest.raises(pdf.RenderError):
        report(kit, document(), index=0)


# --- download names ----------------------------------------------------------------------------

def test_download_name_transliterates_and_keeps_safe_characters():
    assert names.download_name("Glans Rengøring", WHEN, "poster", "a4") == \
        "glans-rengoring-2026-11-22-poster-a4.pdf"
    assert names.download_name("Æbleø & Blåbær!", WHEN, "report", "letter") == \
        "aebleo-blabaer-2026-11-22-report-letter.pdf"
    assert names.download_name("../../etc/passwd\r\n\"x\"", WHEN, "poster", "a3") == \
        "etc-passwd-x-2026-11-22-poster-a3.pdf"
    assert names.download_name("日本", WHEN, "poster", "a4") == "canvas-2026-11-22-poster-a4.pdf"
    assert len(names.download_name("a" * 120, WHEN, "poster", "a4")) < 90


def test_content_disposition_has_an_ascii_and_a_utf8_name():
    header = names.content_disposition("Glans Rengøring", WHEN, "poster", "a4")
    assert header.startswith('attachment; filename="glans-rengoring-2026-11-22-poster-a4.pdf"')
    assert "filename*=UTF-8''glans-reng%C3%B8ring-2026-11-22-poster-a4.pdf" in header


# --- the command line ---------------------------------------------------------------------------

def test_cli_exports_a_poster_and_a_report(runner, tmp_path):
    out = tmp_path / "poster.pdf"
    result = runner.invoke(args=["export-pdf", str(EXAMPLES / "cleaning-copenhagen.da.json"),
                                 str(out), "--size", "A3"])
    assert result.exit_code == 0, result.output
    pdf = reader(out.read_bytes())
    assert len(pdf.pages) == 1
    assert round(float(pdf.pages[0].mediabox.width)) == 1191
    out = tmp_path / "report.pdf"
    result = runner.invoke(args=["export-pdf", str(EXAMPLES / "football-boots.nb.json"),
                                 str(out), "--what", "report", "--size", "letter"])
    assert result.exit_code == 0, result.output
    pdf = reader(out.read_bytes())
    assert round(float(pdf.pages[0].mediabox.width)) == 612
    assert "Kundeverving" in text_of(out.read_bytes()) or "kundeverving" in \
        text_of(out.read_bytes())


def test_cli_refuses_bad_input_clearly(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = runner.invoke(args=["export-pdf", str(bad), str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert "not valid JSON" in result.output
    doc = copy.deepcopy(example("cleaning-copenhagen.en"))
    doc["language"] = "sv"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(args=["export-pdf", str(bad), str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert "not a canvas document: language" in result.output
    doc["language"] = "en"
    doc["worksheets"] = []
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(args=["export-pdf", str(bad), str(tmp_path / "x.pdf"),
                                 "--what", "report"])
    assert result.exit_code != 0
    assert "no worksheet" in result.output
    result = runner.invoke(args=["export-pdf", str(bad), str(tmp_path / "x.pdf"),
                                 "--size", "A5"])
    assert result.exit_code != 0
    assert not (tmp_path / "x.pdf").exists()


def test_the_poster_shows_the_worksheet_s_segment_in_customer_segments(kit):
    doc = example("cleaning-copenhagen.en")
    answers = doc["worksheets"][0]["answers"]
    document = checked(kit, doc)
    pieces = posters.block_pieces(document, kit["definitions"], kit["library"])
    segment = [p.text for p in pieces["customer-segments"] if p.kind == "feed"]
    value = [p.text for p in pieces["value-propositions"] if p.kind == "feed"]
    assert segment == [answers["segment"].strip()]
    assert value == [answers["value_proposition"].strip()]
    assert squash(answers["segment"]) in squash(text_of(poster(kit, doc, "a3")))
