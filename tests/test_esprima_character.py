"""The stand-in for esprima.character answers like esprima's own module on every code point."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from scxmlc.ecmascript import (
    esprima_character,
)  # installs the stand-in before esprima loads

import esprima  # noqa: E402


def _original():
    path = Path(esprima.__file__).with_name("character.py")
    spec = importlib.util.spec_from_file_location("esprima._original_character", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Character


def test_stand_in_is_what_esprima_imports():
    # in a fresh interpreter, so that no other test's imports come first; esprima's own module
    # would have built U_CATEGORIES by scanning every code point
    code = (
        "import sys, scxmlc.ecmascript, esprima.scanner\n"
        "from scxmlc.ecmascript.esprima_character import Character\n"
        "print(esprima.scanner.Character is Character, "
        "hasattr(sys.modules['esprima.character'], 'U_CATEGORIES'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "False"]


def test_same_answers_on_every_code_point():
    original, ours = _original(), esprima_character.Character
    predicates = (
        "isWhiteSpace",
        "isLineTerminator",
        "isIdentifierStart",
        "isIdentifierPart",
        "isDecimalDigit",
        "isHexDigit",
        "isOctalDigit",
    )
    for name in predicates:
        theirs, mine = getattr(original, name), getattr(ours, name)
        differ = [
            cp for cp in range(sys.maxunicode + 1) if theirs(chr(cp)) != mine(chr(cp))
        ]
        assert differ == [], f"{name} differs at {[hex(cp) for cp in differ[:10]]}"
        for odd in ("", "ab", None):
            assert theirs(odd) == mine(odd), (name, odd)
    assert ours.fromCodePoint(0x1F600) == original.fromCodePoint(0x1F600)


def test_unicode_identifiers_still_parse():
    from scxmlc.ecmascript import Transpiler

    Transpiler().expr("\u00e9t\u00e9 + \u0394x\u0301 + $_\u2118")
