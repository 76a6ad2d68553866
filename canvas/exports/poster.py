"""The canvas poster: one landscape page holding the nine blocks as an HTML table, and an
overflow page for what does not fit (pure: a checked document in, HTML and PDF bytes out).

A table lays out about twice as fast as a CSS grid, and WeasyPrint crashes on a clipped grid
block spanning two rows. Each block's text is measured here (textfit.py) before WeasyPrint
sees it: a block takes the largest type size of a fixed scale at which its text fits; what
does not fit at the smallest size is cut at a word and continues on an overflow page, with a
marker in the block. Nothing is clipped: no block has `overflow: hidden`, and after layout
the renderer checks that the poster is still one page, tightening the estimate and laying
out again in the rare case it is not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..canvases.blocks import BLOCK_IDS, RELATIONSHIPS, SEGMENTS, segment_colours
from ..content.loader import Library
from ..i18n import gettext_in
from ..interchange import CanvasDocument
from ..worksheets import analysis
from ..worksheets.definition import WorksheetDefinition
from . import pdf
from .pdf import FONT_FAMILY, RenderError
from .textfit import Measure, Token, join_tokens, tokens_of, wrap


def plain(html: Any) -> str:
    """Content-library HTML (names, questions) as plain text."""
    return Markup(str(html)).striptags() if html is not None else ""


def credit(language: str) -> str:
    """The licence line every PDF carries, in the document's language."""
    return gettext_in(language, "The Business Model Canvas is by Alexander Osterwalder and "
                                "published by Strategyzer under CC BY-SA 3.0.")


# --- page geometry ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Geometry:
    """The poster's page, in PostScript points (WeasyPrint's `pt`)."""

    paper: str  # the CSS name of the paper size (the report's portrait page size)
    width: float
    height: float
    margin: float
    title_sizes: tuple[float, ...]
    meta_size: float
    name_size: float
    question_size: float
    steps: tuple[float, ...]  # block type sizes, largest first; the last is the smallest
    pad: float
    footer_size: float
    overflow_size: float
    overflow_columns: int

    @property
    def css_size(self) -> str:
        """The poster's CSS page size: the paper, landscape."""
        return f"{self.paper} landscape"


MM = 72 / 25.4
SIZES: dict[str, Geometry] = {
    "a4": Geometry("A4", 297 * MM, 210 * MM, 8 * MM, (18, 16, 14, 12, 10),
                   7.5, 8.5, 6.5, (10, 9, 8.5, 8, 7.5, 7, 6.5, 6), 4.0, 6.5, 8.5, 2),
    "a3": Geometry("A3", 420 * MM, 297 * MM, 10 * MM, (24, 20, 17, 14, 12),
                   9.5, 11, 8, (13, 12, 11, 10, 9.5, 9, 8.5, 8, 7.5, 7), 5.5, 8, 10, 3),
    "letter": Geometry("letter", 792.0, 612.0, 0.3 * 72, (18, 16, 14, 12, 10),
                       7.5, 8.5, 6.5, (10, 9, 8.5, 8, 7.5, 7, 6.5, 6), 4.0, 6.5, 8.5, 2),
}
PAGE_SIZES = tuple(SIZES)

LINE = 1.2  # line-height of block text (pdf.css: .block)
ITEM_GAP = 0.3  # em between items (pdf.css: .piece margin-bottom)
INDENT = 1.6  # em of the hanging indent that holds an item's bullet or colour tag
# A bullet as text, exactly INDENT wide: bullet 0.350 + em space 1.0 + four-per-em space 0.25
# (an element per bullet would double the layout time of a full poster).
BULLET = "\u2022\u2003\u2005"
NAME_GAP = 3.0  # pt under a block's name
HEADER_GAP = 4.0  # pt between the header and the table
FOOTER_GAP = 3.0
BORDER = 1.0  # pt; cell borders are 0.75 pt, collapsed
FEED_GAP = 0.5  # em above the worksheet feed, plus its rule


def geometry(size: str) -> Geometry:
    try:
        return SIZES[size.lower()]
    except (KeyError, AttributeError):
        raise RenderError(f"unknown page size {size!r}; use one of "
                          f"{', '.join(PAGE_SIZES)}") from None



# --- block content ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Piece:
    """One paragraph of a block: an item, or a line of what the worksheet feeds the block."""

    kind: str  # item | feed-heading | feed
    text: str
    label: str = ""  # bold lead-in ("Tactics:")
    tag: str = ""  # segment number shown in the colour tag
    colour: str = ""
    continues: bool = False  # the rest of a piece cut on the poster
    breaks: bool = False  # holds a word wider than a line: break it anywhere (pdf.css .brk)

    @property
    def classes(self) -> str:
        """Costly CSS only where needed: `pre` keeps typed line breaks, `brk` breaks long
        words anywhere (each adds about a tenth to the layout time of a full poster)."""
        return ("pre " if "\n" in self.text else "") + ("brk" if self.breaks else "")

    @property
    def indented(self) -> bool:
        return self.kind == "item"


    def tokens(self) -> list[Token]:
        lead = tokens_of(self.label, bold=True) if self.label else []
        if self.continues:
            lead = [Token("…", False, " "), *lead]
        return [*lead, *tokens_of(self.text)]


@dataclass
class BlockFit:
    """How a block goes on the poster."""

    id: str
    name: Markup
    questions: tuple[Markup, ...]
    pieces: list[Piece]  # on the poster
    rest: list[Piece] = field(default_factory=list)  # on the overflow page
    size: float = 10.0
    feeds: bool = False  # the block shows a worksheet feed
    size_class: str = ""  # fs-N: the N-th size of the scale (poster.html)

    @property
    def empty(self) -> bool:
        return not self.pieces and not self.rest


def tag_margin(digits: int) -> float:
    """Right margin of a colour tag, in the tag's em (0.75 of the item's), so that tag and
    margin fill the hanging indent: digits are 0.556 em wide, the padding 0.8 tag em."""
    width = digits * 0.556 * 0.75 + 0.8 * 0.75
    return round(max(0.15, (INDENT - width) / 0.75), 3)


def _piece_height(piece: Piece, size: float, width: float, measure: Measure,
                  first_feed: bool) -> tuple[float, list[list[Token]]]:
    avail = width / size - (INDENT if piece.indented else 0.0)
    lines = wrap(piece.tokens(), avail, measure)
    height = len(lines) * LINE * size + ITEM_GAP * size
    if first_feed:
        height += FEED_GAP * size + 1.5  # space and the rule above the feed
    return height, lines


def _content_height(pieces: Sequence[Piece], size: float, width: float,
                    measure: Measure) -> float:
    total = 0.0
    seen_feed = False
    for piece in pieces:
        first_feed = piece.kind != "item" and not seen_feed
        seen_feed = seen_feed or piece.kind != "item"
        total += _piece_height(piece, size, width, measure, first_feed)[0]
    return total


def _split(pieces: Sequence[Piece], size: float, width: float, avail: float,
           measure: Measure) -> tuple[list[Piece], list[Piece]]:
    """Fill `avail` points with whole lines; return (what fits, the rest)."""
    kept: list[Piece] = []
    used = 0.0
    seen_feed = False
    for n, piece in enumerate(pieces):
        first_feed = piece.kind != "item" and not seen_feed
        height, lines = _piece_height(piece, size, width, measure, first_feed)
        if used + height <= avail:
            kept.append(piece)
            used += height
            seen_feed = seen_feed or piece.kind != "item"
            continue
        extra = ITEM_GAP * size + (FEED_GAP * size + 1.5 if first_feed else 0.0)
        room = int((avail - used - extra) // (LINE * size))
        # Cut inside the piece when at least two lines fit and two lines are left over;
        # a heading is never cut.
        if piece.kind != "feed-heading" and 2 <= room <= len(lines) - 2:
            head = [t for line in lines[:room] for t in line]
            tail = [t for line in lines[room:] for t in line]
            lead = 1 if piece.continues else 0
            label_len = len(tokens_of(piece.label, True)) if piece.label else 0
            head_label = label_len + lead
            head_text = join_tokens(head[head_label:])
            tail_text = join_tokens(tail)
            kept.append(replace(piece, text=head_text))
            rest = [replace(piece, text=tail_text, label="", continues=True),
                    *pieces[n + 1:]]
            return kept, rest
        return kept, list(pieces[n:])
    return kept, []



# --- the document ----------------------------------------------------------------------------

def feed_pieces(document: CanvasDocument, block: str,
                definitions: Mapping[str, WorksheetDefinition], library: Library,
                language: str) -> list[Piece]:
    """What the document's worksheets feed a block: the summary, the relationship types
    chosen and the tactics mapped, from every worksheet that feeds it."""
    pieces: list[Piece] = []
    for ws in document.worksheets:
        definition = definitions.get(ws.definition)
        if definition is None or definition.feeds is None:
            continue
        text = analysis.other_block_texts(definition, dict(ws.answers)).get(block)
        if text:
            pieces += [Piece("feed-heading", gettext_in(language, "From the worksheet")
                             + f": {definition.title.get(language)}"), Piece("feed", text)]
        if definition.feeds.block != block:
            continue
        feed = analysis.block_feed(definition, dict(ws.answers), library, language)
        found: list[Piece] = []
        if feed.summary:
            label = gettext_in(language, "Draft from your answers") + ":"
            found.append(Piece("feed", feed.summary, label=label if feed.summary_is_draft else ""))
        if feed.types:
            found.append(Piece("feed", ", ".join(feed.types), label=f"{feed.types_title}:"))
        if feed.tactics:
            found.append(Piece("feed", ", ".join(feed.tactics), label=(
                feed.tactics_title or gettext_in(language, "Tactic")) + ":"))
        if found:
            pieces.append(Piece("feed-heading", gettext_in(language, "From the worksheet")
                                + f": {definition.title.get(language)}"))
            pieces.extend(found)
    return pieces


def block_pieces(document: CanvasDocument, definitions: Mapping[str, WorksheetDefinition],
                 library: Library) -> dict[str, list[Piece]]:
    """Every block's paragraphs: its notes (with their segment's colour tag), then what the
    worksheets feed it."""
    colours = segment_colours(document.blocks)
    tags = {item_id: str(n + 1) for n, item_id in enumerate(colours)}
    out: dict[str, list[Piece]] = {}
    for block in BLOCK_IDS:
        pieces = []
        for item in document.blocks.get(block, []):
            tag_id = item["id"] if block == SEGMENTS else (item.get("segment") or "")
            pieces.append(Piece("item", item["text"], tag=tags.get(tag_id, ""),
                                colour=colours.get(tag_id, "")))
        pieces.extend(feed_pieces(document, block, definitions, library, document.language))
        out[block] = pieces
    return out


# --- poster layout ---------------------------------------------------------------------------

@dataclass
class PosterLayout:
    geometry: Geometry
    blocks: dict[str, BlockFit]
    title_size: float
    header_height: float
    rows: tuple[float, float, float]  # heights of the three table rows
    segments: list[tuple[str, str]]  # (tag number, colour) of each customer segment

    @property
    def overflow(self) -> list[BlockFit]:
        return [b for b in self.blocks.values() if b.rest]


# Cells: block id -> (columns of the five it spans, which top rows it covers)
TOP_CELLS = {
    "key-partners": (1, (0, 1)), "key-activities": (1, (0,)), "key-resources": (1, (1,)),
    "value-propositions": (1, (0, 1)), "customer-relationships": (1, (0,)),
    "channels": (1, (1,)), "customer-segments": (1, (0, 1)),
}
BOTTOM_CELLS = ("cost-structure", "revenue-streams")
# The canonical canvas splits the top rows in half and gives the bottom row about a quarter;
# the split moves a little towards the blocks that need room before any type shrinks.
SPLITS = (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65)
BOTTOMS = (0.27, 0.24, 0.21, 0.30)


@dataclass
class _Prepared:
    block: str
    name: Markup
    questions: tuple[Markup, ...]
    inner_w: float
    name_h: float
    content: list[Piece]
    needed: list[tuple[float, float]]  # (type size, height needed), largest size first


def _mark_long_words(pieces: list[Piece], size: float, width: float, measure: Measure
                     ) -> list[Piece]:
    out = []
    for piece in pieces:
        line = width / size - (INDENT if piece.indented else 0.0)
        long = any(measure.width(t.text, t.bold) > line for t in piece.tokens())
        out.append(replace(piece, breaks=True) if long else piece)
    return out


def _cell_heights(table_h: float, split: float, bottom_frac: float) -> dict[str, float]:
    bottom = table_h * bottom_frac
    top = table_h - bottom
    rows = (top * split, top * (1 - split))
    heights = {b: sum(rows[r] for r in spans) for b, (_, spans) in TOP_CELLS.items()}
    heights.update({b: bottom for b in BOTTOM_CELLS})
    return heights


def layout_poster(document: CanvasDocument, definitions: Mapping[str, WorksheetDefinition],
                  library: Library, size: str, measure: Measure,
                  slack: float = 1.0, pieces: dict[str, list[Piece]] | None = None
                  ) -> PosterLayout:
    """Choose row heights, type sizes and cut points so the poster is one page.

    Each block takes the largest type size of the scale at which its text fits; the split
    of the rows moves (within limits) to let the most crowded blocks keep the largest type;
    text that does not fit at the smallest size is cut at a line and goes to the overflow
    page. `slack` < 1 makes every estimate more careful (used when a layout came out too
    tall, which the renderer checks).
    """
    g = geometry(size)
    language = document.language
    pieces = pieces if pieces is not None else block_pieces(document, definitions, library)
    content_w = g.width - 2 * g.margin
    content_h = g.height - 2 * g.margin
    title = document.title
    title_size = g.title_sizes[-1]
    for candidate in g.title_sizes:
        if measure.width(title, True) * candidate <= content_w * 0.96 * slack:
            title_size = candidate
            break
    title_lines = len(wrap(tokens_of(title, True), content_w * 0.96 / title_size, measure))
    header_h = title_lines * title_size * 1.15 + g.meta_size * 1.3 * 2 + HEADER_GAP
    footer_h = g.footer_size * 1.3 * 2 + FOOTER_GAP
    table_h = (content_h - header_h - footer_h - 2) * slack
    column = content_w / 5

    prepared: dict[str, _Prepared] = {}
    for block in BLOCK_IDS:
        item = library.item(language, f"blocks#{block}")
        name = Markup(item.name) if item else Markup.escape(block)
        questions = tuple(item.lists.get("questions", ())) if item else ()
        width = column * TOP_CELLS[block][0] if block in TOP_CELLS else content_w / 2
        inner_w = (width - 2 * g.pad - BORDER) * 0.97 * min(slack, 1.0)
        name_lines = len(wrap(tokens_of(plain(name), True), inner_w / g.name_size, measure))
        name_h = name_lines * g.name_size * 1.15 + NAME_GAP + 2 * g.pad + BORDER
        content = pieces[block]
        if content:
            # A size at which a word is wider than a line would break it mid-word: such a
            # size does not count as fitting (Danish and Norwegian compounds are long).
            widest = max((measure.width(t.text, t.bold) + (INDENT if piece.indented else 0.0)
                          for piece in content for t in piece.tokens()), default=0.0)
            needed = [(sz, _content_height(content, sz, inner_w, measure)
                       if widest * sz <= inner_w or sz == g.steps[-1] else float("inf"))
                      for sz in g.steps]
        else:
            asked = [Piece("question", plain(q)) for q in questions]
            needed = [(g.question_size,
                       _content_height(asked, g.question_size, inner_w, measure))]
        prepared[block] = _Prepared(block, name, questions, inner_w, name_h, content, needed)

    def chosen(p: _Prepared, height: float) -> float | None:
        avail = height - p.name_h
        return next((sz for sz, need in p.needed if need <= avail), None)

    best_key, best = None, (0.5, 0.27)
    for bottom_frac in BOTTOMS:
        for split in SPLITS:
            heights = _cell_heights(table_h, split, bottom_frac)
            sizes = [chosen(p, heights[b]) for b, p in prepared.items()]
            misses = sum(1 for sz in sizes if sz is None)
            key = (-misses, sorted(sz or 0 for sz in sizes),
                   -abs(split - 0.5) - abs(bottom_frac - 0.27))
            if best_key is None or key > best_key:
                best_key, best = key, (split, bottom_frac)
    split, bottom_frac = best
    heights = _cell_heights(table_h, split, bottom_frac)
    top = table_h * (1 - bottom_frac)
    rows = (top * split, top * (1 - split), table_h * bottom_frac)

    fits: dict[str, BlockFit] = {}
    for block, p in prepared.items():
        fit = BlockFit(block, p.name, p.questions, [], feeds=block == RELATIONSHIPS)
        if not p.content:
            fit.size = g.question_size
        else:
            size_ok = chosen(p, heights[block])
            if size_ok is not None:
                fit.size, fit.pieces = size_ok, list(p.content)
            else:
                smallest = g.steps[-1]
                marker = LINE * smallest * 1.1 + 2
                avail = heights[block] - p.name_h - marker
                kept, rest = _split(p.content, smallest, p.inner_w, avail, measure)
                fit.size, fit.pieces, fit.rest = smallest, kept, rest
            fit.size_class = f"fs-{g.steps.index(fit.size)}"
            fit.pieces = _mark_long_words(fit.pieces, fit.size, p.inner_w, measure)
            fit.rest = _mark_long_words(fit.rest, fit.size, p.inner_w, measure)
        fits[block] = fit
    segments = sorted({(p.tag, p.colour) for ps in pieces.values() for p in ps if p.tag},
                      key=lambda t: int(t[0]))
    return PosterLayout(g, fits, title_size, header_h, rows, segments)



def poster_html(document: CanvasDocument, library: Library,
                definitions: Mapping[str, WorksheetDefinition], env: jinja2.Environment,
                size: str, static_dir: Path | str, when: datetime | None = None,
                slack: float = 1.0, measure: Measure | None = None,
                pieces: dict[str, list[Piece]] | None = None) -> str:
    """The poster as HTML (one landscape page, plus overflow pages when needed); `pieces`
    are the document's `block_pieces` when the caller has them already."""
    language = document.language
    layout = layout_poster(document, definitions, library, size,
                           measure or Measure(static_dir), slack, pieces)
    when = pdf.today(when)
    return pdf.prepare(env, language).get_template("pdf/poster.html").render(
        title=document.title, author=document.author, version=document.version,
        language=language, layout=layout, geometry=layout.geometry, blocks=layout.blocks,
        meta=pdf.meta(when), font=FONT_FAMILY, bullet=BULLET, credit=credit(language),
        tag_margins={1: tag_margin(1), 2: tag_margin(2)},
    )


SLACKS = (1.0, 0.96, 0.9, 0.8, 0.65)


def render_poster(document: CanvasDocument, library: Library,
                  definitions: Mapping[str, WorksheetDefinition], env: jinja2.Environment,
                  size: str, static_dir: Path | str, font_config: Any,
                  when: datetime | None = None) -> bytes:
    """The poster as PDF bytes. Lays out again, more carefully, in the rare case the
    estimate let the poster run over one page; whatever happens nothing is clipped."""
    measure = Measure(static_dir)
    when = pdf.today(when)
    pieces = block_pieces(document, definitions, library)
    rendered = None
    for slack in SLACKS:
        html = poster_html(document, library, definitions, env, size, static_dir, when,
                           slack=slack, measure=measure, pieces=pieces)
        rendered = pdf.html_to_document(html, static_dir, font_config)
        if rendered.pages and "poster-end" in pdf.element_ids(rendered.pages[0]):
            break
    return pdf.write_pdf(rendered)
