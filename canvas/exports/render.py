"""PDF exports, pure: a canvas document (docs/canvas-format.md) in, HTML and PDF bytes out.

No request, session or `g`: everything comes in as arguments (the document, the content
library, the worksheet definitions, a Jinja environment, the size), so the same code runs in
the web app's render worker, in `flask export-pdf` and in the benchmark.

The poster is one landscape page holding the nine blocks as an HTML table (a table lays out
about twice as fast as a CSS grid, and WeasyPrint crashes on a clipped grid block spanning two
rows). Each block's text is measured here, with the advance widths of the shipped font, before
WeasyPrint sees it: a block takes the largest type size of a fixed scale at which its text fits;
what does not fit at the smallest size is cut at a word and continues on an overflow page,
with a marker in the block. Nothing is clipped: no block has `overflow: hidden`, and after
layout the renderer checks that the poster is still one page, tightening the estimate and
laying out again in the rare case it is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .. import numbers, templating
from ..canvases.blocks import BLOCK_IDS, RELATIONSHIPS, SEGMENTS, segment_colours
from ..content.loader import Library
from ..funnel import funnel_svg
from ..worksheets import analysis
from ..worksheets.definition import Field, Step, WorksheetDefinition
from ..worksheets.forms import ladder_steps, options_for
from ..worksheets.messages import EDITOR, FUNNEL_WORDS, message

FONT_FAMILY = "CanvasSans"
FONT_FILES = {False: "fonts/LiberationSans-Regular.ttf", True: "fonts/LiberationSans-Bold.ttf"}
STYLESHEET = "css/pdf.css"
# Every PDF is archival and accessible: PDF/A-2a (level A means tagged, with the sRGB output
# intent and a document id) and PDF/UA-1. WeasyPrint takes one variant at a time, and its
# "pdf/ua-1" only adds tags and its XMP identification, both of which PDF/A-2a already
# carries, so the PDF/A variant is rendered and ArchiveMetadata adds the PDF/UA-1 claim.
PDF_VARIANT = "pdf/a-2a"

# What the PDFs say besides the user's text, per canvas language.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "author": "Author", "date": "Date", "version": "Version",
        "credit": "The Business Model Canvas is by Strategyzer, published under CC BY-SA 3.0.",
        "page": "Page", "of": "of", "continued": "continued",
        "continued_on": "Continued on page", "more": "more",
        "overflow_title": "Continued from the canvas",
        "from_worksheet": "From the worksheet", "poster": "Business Model Canvas",
        "report": "Worksheet report", "no_answer": "Not answered yet.", "done": "Done",
        "yes": "Yes", "no": "No", "tactic": "Tactic", "chosen_ladder": "Ladder",
        "count": "People", "summary": "Summary", "canvas": "Canvas",
        "questions": "Guiding questions",
    },
    "da": {
        "author": "Forfatter", "date": "Dato", "version": "Version",
        "credit": "Business Model Canvas er udviklet af Strategyzer og udgivet under "
                  "CC BY-SA 3.0.",
        "page": "Side", "of": "af", "continued": "fortsat",
        "continued_on": "Fortsætter på side", "more": "mere",
        "overflow_title": "Fortsat fra canvasset",
        "from_worksheet": "Fra arbejdsarket", "poster": "Business Model Canvas",
        "report": "Rapport fra arbejdsarket", "no_answer": "Ikke besvaret endnu.",
        "done": "Udført", "yes": "Ja", "no": "Nej", "tactic": "Taktik",
        "chosen_ladder": "Stige", "count": "Personer", "summary": "Opsummering",
        "canvas": "Canvas", "questions": "Spørgsmål at besvare",
    },
    "nb": {
        "author": "Forfatter", "date": "Dato", "version": "Versjon",
        "credit": "Business Model Canvas er utviklet av Strategyzer og publisert under "
                  "CC BY-SA 3.0.",
        "page": "Side", "of": "av", "continued": "fortsatt",
        "continued_on": "Fortsetter på side", "more": "mer",
        "overflow_title": "Fortsatt fra canvaset",
        "from_worksheet": "Fra arbeidsarket", "poster": "Business Model Canvas",
        "report": "Rapport fra arbeidsarket", "no_answer": "Ikke besvart ennå.",
        "done": "Utført", "yes": "Ja", "no": "Nei", "tactic": "Taktikk",
        "chosen_ladder": "Stige", "count": "Personer", "summary": "Oppsummering",
        "canvas": "Canvas", "questions": "Spørsmål å svare på",
    },
}

class RenderError(RuntimeError):
    """A document that cannot be rendered; the message is safe to show."""


def words_for(language: str) -> dict[str, str]:
    return {**EDITOR["en"], **WORDS["en"], **EDITOR.get(language, {}), **WORDS.get(language, {})}


def plain(html: Any) -> str:
    """Content-library HTML (names, questions) as plain text."""
    return Markup(str(html)).striptags() if html is not None else ""


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


# --- measuring text with the shipped font ----------------------------------------------------

@lru_cache(maxsize=2)
def _advances(static_dir: str, bold: bool) -> tuple[dict[int, float], float]:
    """Advance width of every character of the font, in em, and a generous default."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(Path(static_dir) / FONT_FILES[bold]), lazy=True)
    upem = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    widths = {cp: metrics[glyph][0] / upem for cp, glyph in font.getBestCmap().items()}
    font.close()
    return widths, 1.0  # characters the font lacks fall back to another font: assume 1 em


class Measure:
    """Text widths in em for the regular and bold faces, cached per word."""

    def __init__(self, static_dir: Path | str) -> None:
        self.static_dir = str(static_dir)
        self._cache: dict[tuple[str, bool], float] = {}

    def width(self, text: str, bold: bool = False) -> float:
        key = (text, bold)
        found = self._cache.get(key)
        if found is None:
            widths, default = _advances(self.static_dir, bold)
            found = sum(widths.get(ord(ch), default) for ch in text)
            if len(self._cache) < 50_000:
                self._cache[key] = found
        return found


@dataclass(frozen=True)
class Token:
    text: str
    bold: bool
    join: str  # what goes before it: " ", "\n" (a forced break) or "" (a broken long word)


def tokens_of(text: str, bold: bool = False) -> list[Token]:
    """Words of a text as CSS `white-space: pre-line` sees them (newlines kept)."""
    out: list[Token] = []
    for n, line in enumerate(str(text).split("\n")):
        for m, word in enumerate(line.split()):
            out.append(Token(word, bold, "\n" if n and not m else " "))
        if n and not line.split():
            out.append(Token("", bold, "\n"))
    return out


def wrap(tokens: Sequence[Token], width_em: float, measure: Measure) -> list[list[Token]]:
    """Greedy line breaking as the browser does it; words wider than a line are broken
    anywhere (pdf.css sets `overflow-wrap: anywhere`)."""
    lines: list[list[Token]] = [[]]
    x = 0.0
    for token in tokens:
        if token.join == "\n" and (lines[-1] or x or len(lines) > 1 or token.text == ""):
            lines.append([])
            x = 0.0
        if not token.text:
            continue
        w = measure.width(token.text, token.bold)
        space = measure.width(" ", token.bold) if lines[-1] else 0.0
        if x + space + w <= width_em:
            lines[-1].append(token)
            x += space + w
            continue
        if w <= width_em:
            lines.append([token])
            x = w
            continue
        # A word longer than a line: break it by characters.
        chunk, cw = "", 0.0
        join = token.join if token.join != "\n" else " "
        if lines[-1] and x + space < width_em * 0.5:
            x += space  # start on the current line when there is room
        else:
            if lines[-1]:
                lines.append([])
            x = 0.0
        for ch in token.text:
            chw = measure.width(ch, token.bold)
            if x + cw + chw > width_em and chunk:
                lines[-1].append(Token(chunk, token.bold, join))
                lines.append([])
                x, chunk, cw, join = 0.0, "", 0.0, ""
            chunk += ch
            cw += chw
        if chunk:
            lines[-1].append(Token(chunk, token.bold, join))
            x += cw
    return lines


def join_tokens(tokens: Iterable[Token]) -> str:
    out = ""
    for token in tokens:
        out += (token.join if out else "") + token.text
    return out


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

def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _blocks(document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    raw = document.get("blocks") or {}
    out: dict[str, list[dict[str, Any]]] = {}
    for block in BLOCK_IDS:
        items = raw.get(block) if isinstance(raw, Mapping) else None
        out[block] = [i for i in (items or []) if isinstance(i, Mapping)]
    return out


def _answers(ws: Mapping[str, Any]) -> dict[str, Any]:
    answers = ws.get("answers")
    return answers if isinstance(answers, dict) else {}


def _option_names(f: Field, library: Library, language: str) -> dict[str, str]:
    return {o.id: plain(o.label) for o in options_for(f, library, language)}


def relationship_feed(document: Mapping[str, Any], definitions: Mapping[str, WorksheetDefinition],
                      library: Library, language: str) -> list[Piece]:
    """What the Customer Relationships worksheets feed the block: the summary, the chosen
    relationship types and tactics, from every such worksheet in the document."""
    words = words_for(language)
    definition = definitions.get(RELATIONSHIPS)
    pieces: list[Piece] = []
    for ws in document.get("worksheets") or []:
        ours = isinstance(ws, Mapping) and ws.get("definition") == RELATIONSHIPS
        if definition is None or not ours:
            continue
        try:
            feed = analysis.relationship_feed(definition, _answers(ws), library, language)
        except (TypeError, ValueError, AttributeError, KeyError):
            continue  # answers not in the shapes the engine expects: nothing to feed
        found: list[Piece] = []
        if feed.summary:
            found.append(Piece("feed", feed.summary,
                               label=f"{words['draft']}:" if feed.summary_is_draft else ""))
        if feed.types:
            found.append(Piece("feed", ", ".join(feed.types), label=f"{feed.types_title}:"))
        if feed.tactics:
            found.append(Piece("feed", ", ".join(feed.tactics),
                               label=f"{feed.tactics_title or words['tactic']}:"))
        if found:
            pieces.append(Piece("feed-heading", f"{words['from_worksheet']}: "
                                f"{definition.title.get(language)}"))
            pieces.extend(found)
    return pieces


def block_pieces(document: Mapping[str, Any], definitions: Mapping[str, WorksheetDefinition],
                 library: Library, language: str) -> dict[str, list[Piece]]:
    blocks = _blocks(document)
    colours = segment_colours({SEGMENTS: [i for i in blocks[SEGMENTS] if i.get("id")]})
    tags = {item_id: str(n + 1) for n, item_id in enumerate(colours)}
    out: dict[str, list[Piece]] = {}
    for block in BLOCK_IDS:
        pieces = []
        for item in blocks[block]:
            tag_id = _text(item.get("id")) if block == SEGMENTS else _text(item.get("segment"))
            pieces.append(Piece("item", _text(item.get("text")), tag=tags.get(tag_id, ""),
                                colour=colours.get(tag_id, "")))
        if block == RELATIONSHIPS:
            pieces.extend(relationship_feed(document, definitions, library, language))
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


def layout_poster(document: Mapping[str, Any], definitions: Mapping[str, WorksheetDefinition],
                  library: Library, language: str, size: str, measure: Measure,
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
    pieces = pieces if pieces is not None else block_pieces(document, definitions, library,
                                                           language)
    content_w = g.width - 2 * g.margin
    content_h = g.height - 2 * g.margin
    title = _text(document.get("title"))
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


# --- templates -------------------------------------------------------------------------------

def make_environment(templates_dir: Path | str) -> jinja2.Environment:
    """A Jinja environment for the PDF templates outside Flask (the render worker, the CLI,
    the benchmark): autoescaping on, the filters the templates use."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.i18n"])
    return templating.configure(env)


def _today(when: datetime | None) -> datetime:
    return when or datetime.now(UTC)


def _meta(when: datetime) -> dict[str, str]:
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"created": stamp, "modified": stamp, "date": when.strftime("%Y-%m-%d")}


def poster_html(document: Mapping[str, Any], library: Library,
                definitions: Mapping[str, WorksheetDefinition], env: jinja2.Environment,
                size: str, static_dir: Path | str, when: datetime | None = None,
                slack: float = 1.0, measure: Measure | None = None,
                pieces: dict[str, list[Piece]] | None = None) -> str:
    """The poster as HTML (one landscape page, plus overflow pages when needed); `pieces`
    are the document's `block_pieces` when the caller has them already."""
    language = _language(document)
    layout = layout_poster(document, definitions, library, language, size,
                           measure or Measure(static_dir), slack, pieces)
    when = _today(when)
    version = document.get("version")
    return env.get_template("pdf/poster.html").render(
        title=_text(document.get("title")), author=_text(document.get("author")),
        version=version if isinstance(version, int) and not isinstance(version, bool) else None,
        language=language, words=words_for(language), layout=layout, g=layout.geometry,
        blocks=layout.blocks, meta=_meta(when), font=FONT_FAMILY, bullet=BULLET,
        tag_margins={1: tag_margin(1), 2: tag_margin(2)},
    )


def _language(document: Mapping[str, Any]) -> str:
    language = document.get("language")
    return language if language in WORDS else "en"


# --- the worksheet report --------------------------------------------------------------------

@dataclass
class Answer:
    """One field of a step as the report shows it."""

    field: Field
    label: str
    kind: str  # text | number | choice | list | table | weights | ladder | empty
    text: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _tactic_steps(definition: WorksheetDefinition, answers: dict[str, Any], library: Library,
                  language: str) -> tuple[dict[str, str], set[str]]:
    """Tactic id -> the ladder step it is placed on (as names), and the fields feeding it."""
    placed: dict[str, str] = {}
    sources: set[str] = set()
    for _, f in definition.all_fields():
        if f.type != "ladder":
            continue
        sources.update(f.tactics_from)
        value = answers.get(f.id) if isinstance(answers.get(f.id), dict) else {}
        steps = {}
        for lid in f.ladders:
            page = library.page(language, lid)
            for low, high in ladder_steps(library, language, lid):
                steps[f"{lid}:{low.id}"] = (f"{page.title}: " if page and len(f.ladders) > 1
                                           and value.get("ladder") != lid else "") + \
                    f"{plain(low.name)} → {plain(high.name)}"
        tactics = value.get("tactics") if isinstance(value.get("tactics"), dict) else {}
        for tactic, where in tactics.items():
            if where in steps:
                placed[tactic] = steps[where]
    return placed, sources


def _number_text(value: Any, f: Field, language: str) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return _text(value)
    text = numbers.decimal(value, 2, language)
    unit = f.unit.get(language) if f.unit else ""
    return f"{text} {unit}".strip()


def report_answers(definition: WorksheetDefinition, step: Step, answers: dict[str, Any],
                   library: Library, language: str, placed: dict[str, str],
                   tactic_fields: set[str]) -> list[Answer]:
    words = words_for(language)
    out: list[Answer] = []
    tactic_rows: list[dict[str, Any]] = []
    tactic_columns: list[str] = []
    tactic_anchor: Answer | None = None
    for f in step.fields:
        label = analysis.label_of(f, library, language)
        value = answers.get(f.id)
        if f.type in ("short_text", "long_text"):
            text = _text(value).strip()
            out.append(Answer(f, label, "text" if text else "empty", text=text))
        elif f.type == "number":
            shown = value is not None and value != ""
            out.append(Answer(f, label, "number" if shown else "empty",
                              text=_number_text(value, f, language)))
        elif f.type == "single_choice":
            names = _option_names(f, library, language)
            out.append(Answer(f, label, "choice" if value else "empty",
                              text=names.get(_text(value), _text(value))))
        elif f.type == "weights":
            names = _option_names(f, library, language)
            rows = [{"name": names.get(oid, oid), "value": v}
                    for oid, v in (value.items() if isinstance(value, dict) else ())
                    if v is not None]
            out.append(Answer(f, label, "weights" if rows else "empty", rows=rows))
        elif f.type == "multi_choice" and f.id in tactic_fields:
            names = _option_names(f, library, language)
            if not tactic_columns:
                tactic_columns = [words["tactic"], *[d.label.get(language) for d in f.details],
                                  words["step_col"]]
            group = []
            for entry in value if isinstance(value, list) else []:
                if not isinstance(entry, Mapping) or not entry.get("id"):
                    continue
                tid = _text(entry["id"])
                group.append({"cells": [names.get(tid, tid),
                                        *[_text(entry.get(d.id)).strip() for d in f.details],
                                        placed.get(tid, message("no_step", language))]})
            if group:
                tactic_rows.append({"group": label, "rows": group})
            if tactic_anchor is None:
                tactic_anchor = Answer(f, step.title.get(language), "tactics")
                out.append(tactic_anchor)
        elif f.type == "multi_choice":
            names = _option_names(f, library, language)
            rows = []
            for entry in value if isinstance(value, list) else []:
                if not isinstance(entry, Mapping) or not entry.get("id"):
                    continue
                oid = _text(entry["id"])
                rows.append({"name": names.get(oid, oid),
                             "details": [(d.label.get(language), _text(entry.get(d.id)).strip())
                                         for d in f.details]})
            out.append(Answer(f, label, "list" if rows else "empty", rows=rows))
        elif f.type == "checklist":
            names = _option_names(f, library, language)
            value = value if isinstance(value, dict) else {}
            rows = []
            for o in options_for(f, library, language):
                entry = value.get(o.id) if isinstance(value.get(o.id), Mapping) else {}
                rows.append({"name": plain(o.label), "done": bool(entry.get("done")),
                             "details": [_text(entry.get(d.id)).strip() for d in f.details]})
            columns = [label, words["done"], *[d.label.get(language) for d in f.details]]
            answered = any(r["done"] or any(r["details"]) for r in rows)
            out.append(Answer(f, label, "checklist" if answered else "empty", rows=rows,
                              columns=columns))
        elif f.type == "ladder":
            out.append(_ladder_answer(step, f, label, answers, library, language))
        else:  # pragma: no cover - every type is handled above
            out.append(Answer(f, label, "empty"))
    if tactic_anchor is not None:
        tactic_anchor.label = step.title.get(language)
        tactic_anchor.rows = tactic_rows
        tactic_anchor.columns = tactic_columns
        if not tactic_rows:
            tactic_anchor.kind = "empty"
    return _group_numbers(out)


def _group_numbers(answers: list[Answer]) -> list[Answer]:
    """Consecutive number fields become one two-column table."""
    out: list[Answer] = []
    for a in answers:
        if a.field.type == "number":
            if not out or out[-1].kind != "numbers":
                out.append(Answer(a.field, a.label, "numbers"))
            out[-1].rows.append({"label": a.label, "text": a.text if a.kind != "empty" else ""})
        else:
            out.append(a)
    return out


def _ladder_answer(step: Step, f: Field, label: str, answers: dict[str, Any],
                   library: Library, language: str) -> Answer:
    try:
        ladder_id, result = analysis.ladder_of(f, answers, library, language)
    except (TypeError, ValueError, AttributeError):
        ladder_id, result = None, None
    if result is None:
        return Answer(f, label, "empty")
    page = library.page(language, ladder_id)
    title = page.title if page else ladder_id
    names = {r.id: plain(r.name) for r in library.catalogue(language, ladder_id)}
    rows = [{"name": names.get(r, r), "count": c} for r, c in zip(result.rungs, result.counts,
                                                                   strict=False)]
    steps = [{"name": f"{names.get(s.from_rung)} → {names.get(s.to_rung)}", "step": s}
             for s in result.steps]
    svg = None
    if step.panel == "funnel" and step.panel_params.get("field") == f.id:
        # The step's funnel, as the worksheet page draws it, in the embedded font.
        try:
            svg = funnel_svg(result, names, title, FUNNEL_WORDS.get(language), language,
                             font_family=f"{FONT_FAMILY}, sans-serif")
        except (TypeError, ValueError, AttributeError):
            svg = None
    return Answer(f, label, "ladder", text=title, rows=rows,
                  extra={"steps": steps, "result": result, "svg": svg})


def report_html(document: Mapping[str, Any], worksheet_index: int, library: Library,
                definitions: Mapping[str, WorksheetDefinition], env: jinja2.Environment,
                size: str, when: datetime | None = None) -> str:
    """One worksheet of the document as a report: every step, its questions and answers."""
    worksheets = [w for w in document.get("worksheets") or [] if isinstance(w, Mapping)]
    if not 0 <= worksheet_index < len(worksheets):
        raise RenderError("the document has no such worksheet")
    ws = worksheets[worksheet_index]
    definition = definitions.get(_text(ws.get("definition")))
    if definition is None:
        raise RenderError(f"unknown worksheet {ws.get('definition')!r}")
    language = _language(document)
    words = words_for(language)
    answers = _answers(ws)
    placed, tactic_fields = _tactic_steps(definition, answers, library, language)
    steps = []
    for n, step in enumerate(definition.steps, start=1):
        panel = None
        if step.panel == "economics":
            try:
                panel = analysis.panel_context(definition, step, answers, library, language)
            except (TypeError, ValueError, AttributeError):
                panel = None
        steps.append({"n": n, "step": step, "title": step.title.get(language),
                      "intro": step.intro.get(language) if step.intro else "",
                      "answers": report_answers(definition, step, answers, library, language,
                                                placed, tactic_fields),
                      "economics": panel["result"] if panel else None})
    try:
        done, total = analysis.progress(definition, answers)
    except (TypeError, ValueError, AttributeError):
        done, total = 0, len(definition.steps)
    paper = geometry(size).paper
    when = _today(when)
    version = document.get("version")
    return env.get_template("pdf/report.html").render(
        title=_text(document.get("title")), author=_text(document.get("author")),
        version=version if isinstance(version, int) and not isinstance(version, bool) else None,
        language=language, words=words, definition=definition,
        worksheet_title=definition.title.get(language), steps=steps, done=done, total=total,
        meta=_meta(when), font=FONT_FAMILY, page_size=paper,
    )


def first_worksheet(document: Mapping[str, Any], definition_id: str = RELATIONSHIPS) -> int:
    """Index of the first worksheet of that kind (else the first worksheet), or -1."""
    worksheets = [w for w in document.get("worksheets") or [] if isinstance(w, Mapping)]
    for n, ws in enumerate(worksheets):
        if ws.get("definition") == definition_id:
            return n
    return 0 if worksheets else -1


# --- PDF -------------------------------------------------------------------------------------

def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _boxes(child)


def _element_ids(page: Any) -> set[str]:
    ids = set()
    for box in _boxes(page._page_box):
        element = getattr(box, "element", None)
        if element is not None and element.get("id"):
            ids.add(element.get("id"))
    return ids


_stylesheets: dict[str, tuple[Any, float, Any]] = {}


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

        def generate_rdf_metadata(self, variant, version, conformance):  # noqa: ANN001, ANN202
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


SLACKS = (1.0, 0.96, 0.9, 0.8, 0.65)


def render_poster(document: Mapping[str, Any], library: Library,
                  definitions: Mapping[str, WorksheetDefinition], env: jinja2.Environment,
                  size: str, static_dir: Path | str, font_config: Any,
                  when: datetime | None = None) -> bytes:
    """The poster as PDF bytes. Lays out again, more carefully, in the rare case the
    estimate let the poster run over one page; whatever happens nothing is clipped."""
    measure = Measure(static_dir)
    when = _today(when)
    pieces = block_pieces(document, definitions, library, _language(document))
    rendered = None
    for slack in SLACKS:
        html = poster_html(document, library, definitions, env, size, static_dir, when,
                           slack=slack, measure=measure, pieces=pieces)
        rendered = html_to_document(html, static_dir, font_config)
        if rendered.pages and "poster-end" in _element_ids(rendered.pages[0]):
            break
    return write_pdf(rendered)


def render_report(document: Mapping[str, Any], worksheet_index: int, library: Library,
                  definitions: Mapping[str, WorksheetDefinition], env: jinja2.Environment,
                  size: str, static_dir: Path | str, font_config: Any,
                  when: datetime | None = None) -> bytes:
    html = report_html(document, worksheet_index, library, definitions, env, size, when)
    return html_to_pdf(html, static_dir, font_config)


# --- download names --------------------------------------------------------------------------

TRANSLITERATE = str.maketrans({"æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "å": "a", "Å": "a",
                               "ß": "ss", "œ": "oe", "Œ": "oe", "ð": "d", "þ": "th"})


def _slug(text: str, keep_unicode: bool) -> str:
    import re
    import unicodedata

    text = str(text).lower()
    if not keep_unicode:
        text = unicodedata.normalize("NFKD", text.translate(TRANSLITERATE))
        text = text.encode("ascii", "ignore").decode("ascii")
        text = re.sub(r"[^a-z0-9]+", "-", text)
    else:
        text = unicodedata.normalize("NFC", text)
        text = "".join(ch if ch.isalnum() else "-" for ch in text)
        text = re.sub(r"-+", "-", text)
    return text.strip("-")[:60].strip("-")


def download_name(title: str, when: datetime | None, what: str, size: str,
                  keep_unicode: bool = False) -> str:
    """`glans-rengoring-2026-11-22-poster-a4.pdf`: ASCII letters, digits and `-` only
    (æ→ae, ø→o, å→a); with `keep_unicode` the letters stay (for `filename*`)."""
    stem = _slug(title, keep_unicode) or "canvas"
    day = _today(when).strftime("%Y-%m-%d")
    return f"{stem}-{day}-{what}-{size.lower()}.pdf"


def content_disposition(title: str, when: datetime | None, what: str, size: str) -> str:
    from urllib.parse import quote

    ascii_name = download_name(title, when, what, size)
    unicode_name = download_name(title, when, what, size, keep_unicode=True)
    return (f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(unicode_name, safe='')}")


__all__ = [
    "PAGE_SIZES", "RenderError", "content_disposition", "download_name", "first_worksheet",
    "html_to_pdf", "make_environment", "poster_html", "render_poster", "render_report",
    "report_html",
]
