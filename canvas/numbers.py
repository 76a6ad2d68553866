"""Numbers as people read and write them in the app's three languages.

English writes 1,200.5; Danish and Norwegian write 1.200,5. Everything the app shows uses the
language's decimal mark and thin spaces between thousands (which every language reads);
everything people type is read by `parse_number`, which takes either convention where it is
unambiguous and refuses where it is not. Pure functions: no Flask, no database.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

# Decimal mark and thousands mark per language.
MARKS = {"en": (".", ","), "da": (",", "."), "nb": (",", ".")}
THIN = "\u202f"  # the narrow no-break space between thousands
DASH = "–"  # shown for a number that cannot be computed yet

# Spaces people (and the app's own formatting) put between thousands.
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")
_PLAIN = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")  # ASCII digits only


def _marks(language: str) -> tuple[str, str]:
    return MARKS.get(language, MARKS["en"])


def parse_number(raw: str, language: str = "en") -> float:
    """Parse what people type as a number, the way their language writes it. Raises ValueError.

    Spaces group thousands in every language ('1 200'). The language's thousands mark does
    too when it groups exactly three digits ('1,200' in English, '1.200' in Danish and
    Norwegian, where 1.200 is twelve hundred, not 1.2); otherwise a single mark of either
    kind is a decimal point ('12,5' and '12.5' are 12.5 everywhere). Anything ambiguous is
    refused rather than guessed, so a number is never silently a thousand times off.
    """
    decimal, group = _marks(language)
    text = raw.strip().translate(_SPACES)
    sign = text[:1] if text[:1] in "+-" else ""
    body = text[len(sign):]
    if decimal in body and group in body:
        whole, _, fraction = body.rpartition(decimal)
        if not _grouped(whole, group):
            raise ValueError(raw)
        body = whole.replace(group, "") + "." + fraction
    elif body.count(group) > 1 or (group in body and _grouped(body, group)):
        if not _grouped(body, group):
            raise ValueError(raw)
        body = body.replace(group, "")
    body = body.replace(",", ".")
    if not _PLAIN.match(sign + body):
        raise ValueError(raw)
    value = float(sign + body)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def _grouped(text: str, mark: str) -> bool:
    """'1,200' or '12,345,678': a first group of 1-3 digits (no leading zero), then groups of 3."""
    return re.fullmatch(rf"[1-9][0-9]{{0,2}}(?:{re.escape(mark)}[0-9]{{3}})+", text) is not None


def input_text(value: float, language: str = "en") -> str:
    """A stored number as a form field shows it again: exact, no grouping, the language's
    decimal mark; `parse_number` reads it back unchanged."""
    # Decimal(repr()) keeps the shortest exact digits and "f" never writes an exponent.
    text = str(int(value)) if float(value).is_integer() else format(Decimal(repr(value)), "f")
    return text.replace(".", _marks(language)[0])


def decimal(value: float, places: int, language: str = "en", *, sign: bool = False) -> str:
    """`value` rounded to `places` (halves up, as people round: 6.25 -> 6.3), thousands
    grouped by thin spaces, a trailing ',0' dropped."""
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{exact:{'+' if sign else ''},f}"
    if places:
        whole, _, fraction = text.partition(".")
        text = whole if not fraction.strip("0") else whole + "." + fraction.rstrip("0")
    if text.startswith("-") and not text.strip("-0,."):
        text = text[1:]  # -0.04 rounds to 0, not "-0"
    return text.replace(",", THIN).replace(".", _marks(language)[0])


def whole(value: float | None) -> str:
    """Rounded to whole units, thousands grouped by thin spaces: 31500 -> '31 500'."""
    return DASH if value is None else decimal(value, 0)


def percent(fraction: float | None, language: str = "en") -> str:
    """0.125 -> '12.5 %' (English) or '12,5 %' (Danish, Norwegian)."""
    return DASH if fraction is None else decimal(fraction * 100, 1, language) + " %"


def points(fraction: float | None, language: str = "en") -> str:
    """A gap in percentage points, signed, one decimal: 0.02 -> '+2.0 pp' / '+2,0 pp'."""
    if fraction is None:
        return DASH
    exact = Decimal(repr(fraction * 100)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    text = f"{abs(exact) if exact == 0 else exact:+f}"  # never "-0.0"
    return text.replace(".", _marks(language)[0]) + " pp"
