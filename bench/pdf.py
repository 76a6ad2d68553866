"""PDF render times: the poster (A4, A3) and the report, against a plain reference document.

    .venv/bin/python bench/pdf.py [--runs 7] [--examples cleaning-copenhagen.da,...]

For each worked example in content/examples/ and each export, this times the real render
path (`render_poster` / `render_report`: HTML from the templates, text fitting, WeasyPrint
layout, the one-page check and the PDF with fonts, tags and metadata) and, in the same run,
WeasyPrint rendering a plain reference document: the same visible text as simple paragraphs,
the same fonts (the same stylesheet's @font-face), the same fetcher, page size and PDF
options. One FontConfiguration is shared, as in the render worker. It prints the median of
N runs of each (after one warm-up) and the ratio export/reference; the aim is a poster at
most 1.5 times its reference.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from canvas.exports import pdf, poster, report  # noqa: E402
from canvas.interchange import read_document  # noqa: E402
from canvas.library import load  # noqa: E402

STATIC = ROOT / "static"


def reference_html(export_html: str, page: str) -> str:
    """The visible text of an export as plain paragraphs; `html_to_pdf` adds the same
    stylesheet (fonts) as the exports get."""
    body = export_html.split("<body", 1)[1]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", body, flags=re.S)
    body = re.sub(r"<svg.*?</svg>", "", body, flags=re.S)
    text = re.sub(r"</(p|li|h1|h2|h3|tr|dd|dt|td|th|figure)>", "\n\n", body)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    paragraphs = [p for p in paragraphs if p]
    escaped = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reference</title>'
            f'<style>@page {{ size: {page}; '
            f'margin: 15mm }} body {{ font-size: 9pt }} p {{ margin: 0 0 4pt }}</style></head>'
            f"<body>{escaped}</body></html>")


def median_times(a, b, runs: int) -> tuple[float, float]:
    """Medians of `runs` timings of a and b, interleaved (a, b, a, b...) after a warm-up of
    each, so a noisy neighbour slows both alike."""
    a()
    b()
    times_a, times_b = [], []
    for _ in range(runs):
        for fn, times in ((a, times_a), (b, times_b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(times_a), statistics.median(times_b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--examples", default="",
                        help="comma-separated example names (default: all)")
    args = parser.parse_args()
    library, definitions = load(ROOT / "content")
    env = pdf.make_environment(ROOT / "templates")
    fonts = FontConfiguration()
    when = datetime(2026, 11, 22, tzinfo=UTC)
    names = [n for n in args.examples.split(",") if n] or sorted(
        p.stem for p in (ROOT / "content" / "examples").glob("*.json"))
    print(f"{'example':<28} {'export':<10} {'pages':>5} {'export s':>9} {'reference s':>12} "
          f"{'ratio':>6}")
    ratios: dict[str, list[float]] = {}
    for name in names:
        document = read_document(json.loads(
            (ROOT / "content" / "examples" / f"{name}.json").read_text()), definitions, library)
        index = report.first_worksheet(document)
        jobs = []
        for size in ("a4", "a3"):
            g = poster.geometry(size)
            html_text = poster.poster_html(document, library, definitions, env, size, STATIC,
                                           when)
            jobs.append((f"poster-{size}", g.css_size, html_text,
                         lambda s=size, d=document: poster.render_poster(
                             d, library, definitions, env, s, STATIC, fonts, when)))
        if index >= 0:
            g = poster.geometry("a4")
            html_text = report.report_html(document, index, library, definitions, env, "a4",
                                           when)
            jobs.append(("report-a4", "A4", html_text,
                         lambda d=document, i=index: report.render_report(
                             d, i, library, definitions, env, "a4", STATIC, fonts, when)))
        for label, page, html_text, export in jobs:
            reference = reference_html(html_text, page)
            pages = len(pdf.html_to_document(html_text, STATIC, fonts).pages)
            t_export, t_ref = median_times(
                export, lambda r=reference: pdf.html_to_pdf(r, STATIC, fonts), args.runs)
            ratio = t_export / t_ref
            ratios.setdefault(label.split("-")[0], []).append(ratio)
            print(f"{name:<28} {label:<10} {pages:>5} {t_export:>9.3f} {t_ref:>12.3f} "
                  f"{ratio:>6.2f}")
    for kind, values in ratios.items():
        print(f"median ratio {kind}/reference: {statistics.median(values):.2f} "
              f"(min {min(values):.2f}, max {max(values):.2f})")


if __name__ == "__main__":
    main()
