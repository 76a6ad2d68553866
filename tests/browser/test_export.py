"""Fill a canvas in the browser, export it as PDF, and open the downloaded files."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.helpers import check_axe, sign_in
from tests.browser.test_board import make_account

pytestmark = pytest.mark.browser


def add_note(page: Page, block: str, text: str) -> None:
    box = page.locator(f"#new-{block}")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(f"#block-{block} .note textarea").last).to_have_value(text)


def test_fill_a_canvas_export_and_open_the_downloads(live_server, page: Page, tmp_path) -> None:
    email, canvas_id = make_account(live_server)
    sign_in(page, live_server, email)
    page.goto(live_server.url(f"/canvases/{canvas_id}"))
    add_note(page, "customer-segments", "Små kontorer på Østerbro")
    add_note(page, "value-propositions", "Rengøring før kl. 7, så kontoret er klar")
    add_note(page, "revenue-streams", "Månedlige aftaler på 3.500 kr.")
    expect(page.locator("#board-status")).to_have_text("Saved", timeout=10_000)

    page.get_by_role("link", name="Export PDF").click()
    expect(page.get_by_role("heading", name="Download as PDF")).to_be_visible()
    check_axe(page, "the export page")
    page.get_by_label("A3").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Canvas poster (PDF)").click()
    expect(page.locator("#export-status")).to_contain_text("Preparing your PDF")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert "a3" in download.suggested_filename
    poster = tmp_path / download.suggested_filename
    download.save_as(poster)

    reader = PdfReader(poster)
    first = reader.pages[0]
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    assert (round(width), round(height)) == (1191, 842)  # A3 landscape
    text = " ".join(p.extract_text() for p in reader.pages)
    for typed in ("Små kontorer på Østerbro", "3.500 kr.", "Strategyzer", "CC BY-SA 3.0"):
        assert typed in text

    with page.expect_download() as info:
        page.get_by_role("button", name="Report:").click()
    report = tmp_path / info.value.suggested_filename
    info.value.save_as(report)
    reader = PdfReader(report)
    assert len(reader.pages) >= 2
    assert "Customer Relationships" in reader.pages[0].extract_text()
