"""The interface's words: every Danish and Norwegian entry translated, placeholders kept,
the catalogues holding every string of the code, and no translation call built from pieces
(an f-string or % inside `_()` cannot be translated)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT

CATALOGUES = ROOT / "canvas" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
# Functions whose first text argument is looked up in the catalogues.
CALLS = {"_": 0, "_l": 0, "gettext": 0, "lazy_gettext": 0, "ngettext": 0, "say": 0,
         "gettext_in": 1, "ngettext_in": 1, "pgettext_in": 2, "pgettext": 1}
# The wrappers themselves pass their caller's literal on.
WRAPPERS = {"canvas/i18n.py", "canvas/worksheets/fields.py"}


def entries(language: str) -> list:
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return [m for m in read_po(handle, locale=language) if m.id]


def texts(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


@pytest.mark.parametrize("language", ["da", "nb"])
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    found = entries(language)
    assert len(found) > 100
    missing = [m.id for m in found if not all(texts(m))]
    fuzzy = [m.id for m in found if m.fuzzy]
    assert missing == [], f"{len(missing)} untranslated in {language}: {missing[:10]}"
    assert fuzzy == [], f"fuzzy in {language}: {fuzzy[:10]}"


@pytest.mark.parametrize("language", ["da", "nb"])
def test_translations_keep_their_placeholders(language):
    wrong = []
    for message in entries(language):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in texts(message):
            used = set(PLACEHOLDER.findall(text))
            singular = not isinstance(message.id, tuple)
            if text and (used - wanted or (singular and used != wanted)):
                wrong.append((ids[0], text))
    assert wrong == []


def test_the_catalogues_hold_every_string_of_the_code(tmp_path):
    """What `make messages` would extract now is all in the catalogues (no string added to
    the code without being extracted and translated)."""
    pot = tmp_path / "messages.pot"
    keywords = re.search(r"^BABEL_KEYWORDS := (.*)$", (ROOT / "Makefile").read_text(),
                         re.M).group(1).split()
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F",
                    "babel.cfg", *keywords, "-o", str(pot), "."], cwd=ROOT, check=True,
                   timeout=120)
    with pot.open("rb") as handle:
        extracted = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                     for m in read_po(handle) if m.id}
    for language in ("da", "nb"):
        have = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                for m in entries(language)}
        missing = sorted(str(x) for x in extracted - have)
        assert missing == [], f"not in the {language} catalogue (run make messages): " \
                              f"{missing[:10]}"


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else None)
            if name in CALLS and len(node.args) > CALLS[name]:
                yield name, node.args[CALLS[name]], node.lineno


def test_no_translation_call_is_built_from_pieces():
    bad = []
    for path in sorted((ROOT / "canvas").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, argument, line in _calls(tree):
            literal = isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            passed_on = (str(path.relative_to(ROOT)) in WRAPPERS and isinstance(argument, ast.Name)
                         and argument.id in ("message", "singular"))
            if not literal and not passed_on:
                bad.append(f"{path.relative_to(ROOT)}:{line} {name}({ast.unparse(argument)[:50]})")
    assert bad == [], "translation calls need a whole literal sentence:\n" + "\n".join(bad)


def test_templates_translate_whole_literal_sentences():
    call = re.compile(r"\b(_|gettext|ngettext|pgettext)\(\s*([^'\"\s])")
    formatted = re.compile(r"\b_\(\s*(['\"])(?:(?!\1).)*\1\s*%")
    bad = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if call.search(line) or formatted.search(line):
                bad.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert bad == [], "\n".join(bad)


def test_the_lint_catches_a_call_built_from_pieces():
    tree = ast.parse('_(f"Hello {name}")\n_("Hello %s" % name)\n_("Fine %(name)s", name=x)')
    found = [ast.unparse(argument) for _name, argument, _line in _calls(tree)]
    literal = [a for a in found if a.startswith("'Fine")]
    assert len(found) == 3 and len(literal) == 1
