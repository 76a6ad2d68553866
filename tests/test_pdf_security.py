"""PDF exports are safe by construction: markup typed into any field is text, and even
markup that reached WeasyPrint unescaped could load nothing but the app's static files."""

from __future__ import annotations

import io
import os
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader
from weasyprint.urls import URLFetcher

from canvas.exports import pdf as pdf_file
from canvas.exports import poster, report, textfit
from canvas.exports.fetcher import RefusedURL, StaticFetcher
from canvas.interchange import read_document
from tests.conftest import ROOT, squash, text_of

STATIC = ROOT / "static"
WHEN = datetime(2026, 11, 22, tzinfo=UTC)
PASSWD_MARK = "root:x:0:0"
# A valid 1x1 PNG: were data: URLs loaded, it would be embedded as an image.
PNG_1X1 = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
           "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


class Trap:
    """A tiny HTTP server on a free loopback port that counts every request it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        trap = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                trap.requests.append(self.path)
                self.send_response(302)  # a redirect, in case anything followed it
                self.send_header("Location", "file:///etc/passwd")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def trap() -> Iterator[Trap]:
    server = Trap()
    yield server
    server.close()


def payloads(port: int) -> list[str]:
    return [
        f'<img src="http://127.0.0.1:{port}/x">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        f'<svg><image href="http://127.0.0.1:{port}/y"/></svg>',
        f"<style>@import url(http://127.0.0.1:{port}/z.css);</style>",
        f'<object data="http://127.0.0.1:{port}/o"></object><iframe src="file:///etc/passwd">',
    ]


def hostile_document(port: int) -> dict:
    p = payloads(port)
    blocks = {
        "key-partners": [{"id": "a", "text": p[0], "segment": None}],
        "key-activities": [{"id": "a", "text": p[1], "segment": None}],
        "value-propositions": [{"id": "a", "text": p[2], "segment": None}],
        "channels": [{"id": "a", "text": p[3], "segment": None}],
        "revenue-streams": [{"id": "a", "text": p[4], "segment": None}],
        "customer-segments": [{"id": "s1", "text": p[0], "segment": None}],
    }
    answers = {
        "segment": p[0], "value_proposition": p[2], "weights_why": p[1],
        "summary": p[2] + " " + p[3],
        "relationship_types": [{"id": "self-service", "why": p[4]}],
        "tactics_acquisition": [{"id": "referrals", "how": p[0], "cost": p[1]}],
        "delivery_checks": {"right-time": {"done": True, "how": p[2]}},
        "future_needs": [{"id": "add-on-purchase", "what": p[3]}],
        "own_question": p[4], "own_answer": p[1],
    }
    return {"format": "bmc-canvas/1", "title": p[0][:120], "language": "en",
            "author": p[1], "version": 1, "blocks": blocks,
            "worksheets": [{"definition": "customer-relationships", "answers": answers}]}


def images_in(pdf: bytes) -> int:
    count = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for xobject in (page["/Resources"].get("/XObject") or {}).values():
            if xobject.get_object().get("/Subtype") == "/Image":
                count += 1
    return count


def assert_inert(pdf: bytes, trap: Trap) -> str:
    assert trap.requests == [], f"the renderer made requests: {trap.requests}"
    assert images_in(pdf) == 0
    text = text_of(pdf)
    assert PASSWD_MARK not in text and b"root:x:0:0" not in pdf
    return text


@pytest.mark.parametrize("size", ["a4", "a3"])
def test_markup_in_every_field_is_literal_text_in_the_poster(kit, trap, size):
    doc = hostile_document(trap.port)
    pdf = poster.render_poster(read_document(doc, kit["definitions"], kit["library"]),
                               kit["library"], kit["definitions"], kit["env"], size,
                               STATIC, kit["fonts"], WHEN)
    text = squash(assert_inert(pdf, trap))
    for payload in payloads(trap.port):
        assert squash(payload) in text, payload
    assert squash(doc["author"]) in text  # the author line


def test_markup_in_worksheet_answers_is_literal_text_in_the_report(kit, trap):
    doc = hostile_document(trap.port)
    pdf = report.render_report(read_document(doc, kit["definitions"], kit["library"]), 0,
                               kit["library"], kit["definitions"], kit["env"], "a4",
                               STATIC, kit["fonts"], WHEN)
    text = squash(assert_inert(pdf, trap))
    for payload in payloads(trap.port):
        assert squash(payload) in text, payload


def test_even_unescaped_markup_loads_nothing(kit, trap):
    """Defence in depth: HTML that bypassed the templates still reaches only static/."""
    p = payloads(trap.port)
    html = (f"<html><head>{p[1]}<link rel=stylesheet href='http://127.0.0.1:{trap.port}/s.css'>"
            f"<base href='http://127.0.0.1:{trap.port}/'></head><body><p>visible</p>"
            # The last payload leaves an <iframe> open, whose raw text the rest would be.
            f"{''.join(p)}</iframe><img src='x.png'><img src='{PNG_1X1}'>"
            f"<img src='file:///etc/passwd'><img src='{STATIC.as_uri()}/../../../etc/passwd'>"
            f"<a href='http://127.0.0.1:{trap.port}/link'>link</a>"
            f"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'>"
            f"<image xlink:href='http://127.0.0.1:{trap.port}/svg'/>"
            f"<use href='http://127.0.0.1:{trap.port}/use.svg#a'/></svg>"
            f"<div style=\"background: url('http://127.0.0.1:{trap.port}/bg')\">bg</div>"
            f"</body></html>")
    pdf = pdf_file.html_to_pdf(html, STATIC, kit["fonts"])
    text = assert_inert(pdf, trap)
    assert "visible" in text and "bg" in text
    assert "<img" not in text  # the probes were elements, not text


def test_fetcher_is_a_weasyprint_url_fetcher_serving_static_files():
    fetcher = StaticFetcher(STATIC)
    assert isinstance(fetcher, URLFetcher)
    font = STATIC / textfit.FONT_FILES[False]
    response = fetcher(font.as_uri())
    assert response.read() == font.read_bytes()
    assert fetcher.fetch(fetcher.base_url + "css/pdf.css").content_type == "text/css"
    assert fetcher.served == [font.name, "pdf.css"]


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x", "https://example.test/x.css", "ftp://example.test/x",
    "data:text/css,body{}", "file:///etc/passwd", "file://otherhost/etc/passwd",
    "FILE:///etc/passwd", "javascript:alert(1)", "//example.test/x",
    "file:///etc/../etc/passwd", "file://localhost/etc/passwd",
])
def test_fetcher_refuses_everything_else(url):
    fetcher = StaticFetcher(STATIC)
    with pytest.raises(RefusedURL):
        fetcher(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_escapes_from_the_static_folder(tmp_path):
    static = tmp_path / "static"
    (static / "fonts").mkdir(parents=True)
    shutil.copy(STATIC / textfit.FONT_FILES[False], static / "fonts" / "a.ttf")
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    os.symlink(secret, static / "fonts" / "link.css")
    (static / "notes.txt").write_text("not a font", encoding="utf-8")
    fetcher = StaticFetcher(static)
    assert fetcher((static / "fonts" / "a.ttf").as_uri()).read()[:4] == b"\x00\x01\x00\x00"
    for url in [(static / "fonts" / "link.css").as_uri(),
                static.as_uri() + "/../secret.css",
                static.as_uri() + "/fonts/%2e%2e/%2e%2e/secret.css",
                static.as_uri() + "/notes.txt",
                static.as_uri() + "/fonts/",
                static.as_uri() + "/missing.ttf"]:
        with pytest.raises(RefusedURL):
            fetcher(url)
