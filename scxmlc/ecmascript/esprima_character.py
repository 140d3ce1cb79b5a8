"""A stand-in for `esprima.character` that classifies characters on demand instead of at import.

esprima's own module builds its identifier sets by asking `unicodedata` for the category of
every code point (1.1 million calls, about half a second): most of `scxmlc compile`'s start-up.
The scanner only needs the predicates of `Character` and two digit tables, so this module
answers them from the same definitions (ES2017 §11.6: ID_Start = letters Lu Ll Lt Lm Lo Nl and
Other_ID_Start, plus `$`, `_` and `\\`; ID_Continue adds Mn Mc Nd Pc, Other_ID_Continue, ZWNJ and
ZWJ), with ASCII answered from small sets. `install()` puts it in `sys.modules` under esprima's
name before esprima is first imported; tests/test_esprima_character.py checks that it agrees
with the original on every code point.
"""

from __future__ import annotations

import sys
import types
import unicodedata

# the lists esprima 4.0.1 spells out (Unicode 8.0 and 9.0 additions included)
_OTHER_ID_START = frozenset(
    "\u1885\u1886\u2118\u212e\u309b\u309c"
    "\u08b3\u0af9\u13f8\u9fcd\uab60\U00010cc0\U000108e0\U0002b820"
    "\u1c80\U000104db\U0001e922\U0001ee00\U0001ee06\U0001ee0a"
)
_OTHER_ID_CONTINUE = frozenset(
    "\xb7\u0387\u1369\u136a\u136b\u136c\u136d\u136e\u136f\u1370\u1371\u19da"
    "\u08e3\ua69e\U00011730\u08d4\u1dfb\ua8c5\U00011450\U0001ee03\U0001ee0b"
)
_START_CATEGORIES = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Nl"))
_PART_CATEGORIES = _START_CATEGORIES | {"Mn", "Mc", "Nd", "Pc"}
_ASCII_START = frozenset(
    "$_\\" "abcdefghijklmnopqrstuvwxyz" "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
_ASCII_PART = _ASCII_START | frozenset("0123456789")

WHITE_SPACE = frozenset(
    "\x09\x0b\x0c\x20\xa0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u202f\u205f\u3000\ufeff"
)
LINE_TERMINATOR = frozenset("\x0a\x0d\u2028\u2029")
DECIMAL_CONV = {c: n for n, c in enumerate("0123456789")}
OCTAL_CONV = {c: n for n, c in enumerate("01234567")}
HEX_CONV = {c: n for n, c in enumerate("0123456789abcdef")}
HEX_CONV.update({c: n for n, c in enumerate("ABCDEF", 10)})
DECIMAL_DIGIT = frozenset(DECIMAL_CONV)
OCTAL_DIGIT = frozenset(OCTAL_CONV)
HEX_DIGIT = frozenset(HEX_CONV)


def _single(ch) -> bool:
    # the original tests set membership, which is False for anything but one character
    return type(ch) is str and len(ch) == 1


class Character:
    """esprima's `Character` predicates, answered per call."""

    @staticmethod
    def fromCodePoint(code):
        return chr(code)

    @staticmethod
    def isWhiteSpace(ch):
        return ch in WHITE_SPACE

    @staticmethod
    def isLineTerminator(ch):
        return ch in LINE_TERMINATOR

    @staticmethod
    def isIdentifierStart(ch):
        if ch in _ASCII_START:
            return True
        if not _single(ch) or ch < "\x80":
            return False
        return unicodedata.category(ch) in _START_CATEGORIES or ch in _OTHER_ID_START

    @staticmethod
    def isIdentifierPart(ch):
        if ch in _ASCII_PART:
            return True
        if not _single(ch) or ch < "\x80":
            return False
        return (
            unicodedata.category(ch) in _PART_CATEGORIES
            or ch in _OTHER_ID_START
            or ch in _OTHER_ID_CONTINUE
            or ch in "\u200c\u200d"
        )

    @staticmethod
    def isDecimalDigit(ch):
        return ch in DECIMAL_DIGIT

    @staticmethod
    def isHexDigit(ch):
        return ch in HEX_DIGIT

    @staticmethod
    def isOctalDigit(ch):
        return ch in OCTAL_DIGIT


def install() -> None:
    """Register this module as `esprima.character`, unless esprima's own is already loaded."""
    if "esprima.character" in sys.modules:
        return
    module = types.ModuleType("esprima.character", __doc__)
    for name in (
        "Character",
        "WHITE_SPACE",
        "LINE_TERMINATOR",
        "DECIMAL_CONV",
        "OCTAL_CONV",
        "HEX_CONV",
        "DECIMAL_DIGIT",
        "OCTAL_DIGIT",
        "HEX_DIGIT",
    ):
        setattr(module, name, globals()[name])
    sys.modules["esprima.character"] = module
