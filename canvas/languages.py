"""The languages the app speaks: one definition for the interface, the content and numbers.

Adding a language means a content tree under `content/<code>/`, its texts in the worksheet
YAML, a gettext catalogue under `canvas/translations/<code>/` and a line here.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "da", "nb")
DEFAULT = "en"
# Each language's name in itself, as the language switcher and the forms show it.
NAMES: dict[str, str] = {"en": "English", "da": "Dansk", "nb": "Norsk bokmål"}
# Tags browsers send for a language we speak under another code (Norwegian: no, nn → nb).
ALIASES: dict[str, str] = {"no": "nb", "nn": "nb", "nb": "nb"}


def pairs() -> list[tuple[str, str]]:
    """(code, name) for every language, in the app's order (for choice fields)."""
    return [(code, NAMES[code]) for code in LANGUAGES]


def supported(code: object) -> str | None:
    """`code` when it is one of the app's languages (or an alias of one), else None."""
    if not isinstance(code, str):
        return None
    code = code.strip().lower().replace("_", "-")
    if code in LANGUAGES:
        return code
    return ALIASES.get(code.split("-")[0]) or (code.split("-")[0] if code.split("-")[0]
                                               in LANGUAGES else None)
