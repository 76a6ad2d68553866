"""The PDF file: WeasyPrint with the static-only fetcher, the embedded fonts, PDF/A-2a and
PDF/UA-1 metadata; and the Jinja environment of the PDF templates outside Flask."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from .. import i18n, templating

FONT_FAMILY = "CanvasSans"
STYLESHEET = "css/pdf.css"
# Every PDF is archival and accessible: PDF/A-2a (level A means tagged, with the sRGB output
# intent and a document id) and PDF/UA-1. WeasyPrint takes one variant at a time, and its
# "pdf/ua-1" only adds tags and its XMP identification, both of which PDF/A-2a already
# carries, so the PDF/A variant is rendered and ArchiveMetadata adds the PDF/UA-1 claim.
PDF_VARIANT = "pdf/a-2a"


class RenderError(RuntimeError):
    """A document that cannot be rendered; the message is safe to show."""


def make_environment(templates_dir: Path | str) -> jinja2.Environment:
    """A Jinja environment for the PDF templates outside Flask (the render worker, the CLI,
    the benchmark): autoescaping on, the app's filters, gettext for the document's language
    (`prepare`)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.i18n"])
    return templating.configure(env)


def prepare(env: jinja2.Environment, language: str) -> jinja2.Environment:
    """The environment, speaking `language` (a PDF is written in its canvas's language)."""
    i18n.install(env, language)
    return env


def today(when: datetime | None) -> datetime:
    return when or datetime.now(UTC)


def meta(when: datetime) -> dict[str, str]:
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"created": stamp, "modified": stamp, "date": when.strftime("%Y-%m-%d")}


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _boxes(child)


def element_ids(page: Any) -> set[str]:
    ids = set()
    for box in _boxes(page._page_box):
        element = getattr(box, "element", None)
        if element is not None and element.get("id"):
            ids.add(element.get("id"))
    return ids


_stylesheets: dict[str, tuple[Any, float, Any]] = {}


def forget_stylesheets() -> None:
    """Let the parsed stylesheets go (with the FontConfiguration they hold)."""
    _stylesheets.clear()


def stylesheet(static_dir: Path | str, font_config: Any) -> Any:
    """static/css/pdf.css parsed once per process and FontConfiguration (its @font-face
    rules register the shipped fonts, loaded through the static-only fetcher)."""
    from weasyprint import CSS

    from .fetcher import StaticFetcher

    path = Path(static_dir) / STYLESHEET
    mtime = path.stat().st_mtime
    found = _stylesheets.get(str(path))
    if found is None or found[0] is not font_config or found[1] != mtime:
        fetcher = StaticFetcher(static_dir)
        css = CSS(string=path.read_text(encoding="utf-8"), base_url=path.resolve().as_uri(),
                  url_fetcher=fetcher, font_config=font_config)
        found = (font_config, mtime, css)
        _stylesheets[str(path)] = found
    return found[2]


def html_to_document(html: str, static_dir: Path | str, font_config: Any) -> Any:
    """Lay out HTML with the static-only fetcher; returns a WeasyPrint Document."""
    from weasyprint import HTML

    from .fetcher import StaticFetcher

    fetcher = StaticFetcher(static_dir)
    return HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher).render(
        font_config=font_config, pdf_variant=PDF_VARIANT,
        stylesheets=[stylesheet(static_dir, font_config)])


@cache
def _archive_metadata_class() -> type:
    # Built on first use: WeasyPrint is imported lazily so the web app starts without it.
    from weasyprint.pdf.metadata import NS, DocumentMetadata

    class ArchiveMetadata(DocumentMetadata):
        """XMP that identifies the file as PDF/UA-1 as well as PDF/A-2a."""

        def generate_rdf_metadata(self, variant, version, conformance):
            from xml.etree.ElementTree import fromstring, tostring

            rdf = fromstring(super().generate_rdf_metadata(variant, version, conformance))
            # The first description is the one that names the PDF/A part and conformance.
            rdf[0].attrib[f"{{{NS['pdfuaid']}}}part"] = "1"
            return tostring(rdf, encoding="utf-8")

    return ArchiveMetadata


def write_pdf(document: Any) -> bytes:
    archive_class = _archive_metadata_class()
    archive = archive_class.__new__(archive_class)
    archive.__dict__.update(document.metadata.__dict__)
    document.metadata = archive
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def html_to_pdf(html: str, static_dir: Path | str, font_config: Any) -> bytes:
    return write_pdf(html_to_document(html, static_dir, font_config))

