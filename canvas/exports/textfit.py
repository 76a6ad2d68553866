"""Measuring and breaking text the way WeasyPrint will, before it sees it (pure).

Widths come from the advance widths of the shipped font (static/fonts/), so the poster can
choose type sizes and cut points without laying anything out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FONT_FILES = {False: "fonts/LiberationSans-Regular.ttf", True: "fonts/LiberationSans-Bold.ttf"}


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

