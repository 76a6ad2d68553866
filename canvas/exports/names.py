"""File names for downloads: `glans-rengoring-2026-11-22-poster-a4.pdf` (pure); a class's
files the same way (`2b-business-plan-2026-12-03-grades-moodle.csv`)."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import quote

TRANSLITERATE = str.maketrans({"æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "å": "a", "Å": "a",
                               "ß": "ss", "œ": "oe", "Œ": "oe", "ð": "d", "þ": "th"})


def _slug(text: str, keep_unicode: bool) -> str:
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


def dated_name(title: str, when: datetime | None, what: str, extension: str,
               keep_unicode: bool = False) -> str:
    """`glans-rengoring-2026-11-22-poster-a4.pdf` (what: `poster-a4`): ASCII letters,
    digits and `-` only (æ→ae, ø→o, å→a); with `keep_unicode` the letters stay (for
    `filename*`)."""
    stem = _slug(title, keep_unicode) or "canvas"
    day = (when or datetime.now(UTC)).strftime("%Y-%m-%d")
    return f"{stem}-{day}-{what}.{extension}"


def download_name(title: str, when: datetime | None, what: str, size: str,
                  keep_unicode: bool = False) -> str:
    """A PDF's name: `glans-rengoring-2026-11-22-poster-a4.pdf`."""
    return dated_name(title, when, f"{what}-{size.lower()}", "pdf", keep_unicode)


def attachment(title: str, when: datetime | None, what: str, extension: str) -> str:
    """A Content-Disposition naming the file in ASCII and, for browsers that read it, with
    the title's own letters."""
    ascii_name = dated_name(title, when, what, extension)
    unicode_name = dated_name(title, when, what, extension, keep_unicode=True)
    return (f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(unicode_name, safe='')}")


def content_disposition(title: str, when: datetime | None, what: str, size: str) -> str:
    return attachment(title, when, f"{what}-{size.lower()}", "pdf")

