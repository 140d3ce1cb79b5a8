"""URI handling functions (ES5.1 15.1.3) and the Annex B escape/unescape."""

from __future__ import annotations

from ..budget import MAX_STRING_LENGTH
from ..errors import throw_range_error
from ..conversions import to_string
from ..errors import throw
from ..values import BUILTINS
from ._util import freeze_all, native

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_MARK = "-_.!~*'()"
_RESERVED = ";/?:@&=+$,"
_UNESCAPED_COMPONENT = frozenset(_ALNUM + _MARK)
_UNESCAPED_URI = frozenset(_ALNUM + _MARK + _RESERVED + "#")


def _uri_error(msg: str = "URI malformed"):
    throw("URIError", msg)


def _encode(s: str, unescaped: frozenset) -> str:
    """Encode (ES5.1 15.1.3 abstract operation)."""
    if len(s) * 12 > MAX_STRING_LENGTH:  # (at most 12 characters each: counted when it may matter)
        if sum(1 if c in unescaped else 3 * len(c.encode("utf-8", "surrogatepass")) for c in s) > MAX_STRING_LENGTH:
            throw_range_error("Invalid string length")
    out = []
    for c in s:
        if c in unescaped:
            out.append(c)
            continue
        if "\udc00" <= c <= "\udfff" or "\ud800" <= c <= "\udbff":
            _uri_error()  # a lone surrogate (a pair is one Python character)
        out.extend(f"%{b:02X}" for b in c.encode("utf-8"))
    return "".join(out)


def _hex_byte(s: str, i: int) -> int:
    """The byte written as %XX at s[i]; URIError unless two hex digits follow."""
    digits = s[i + 1 : i + 3]
    if len(digits) != 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
        _uri_error()
    return int(digits, 16)


def _decode(s: str, reserved: frozenset) -> str:
    """Decode (ES5.1 15.1.3): %XX UTF-8 sequences; characters in `reserved` stay escaped."""
    out = []
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        start = i
        b = _hex_byte(s, i)
        i += 3
        if b < 0x80:
            ch = chr(b)
            out.append(s[start:i] if ch in reserved else ch)
            continue
        if b & 0xE0 == 0xC0:
            count = 1
        elif b & 0xF0 == 0xE0:
            count = 2
        elif b & 0xF8 == 0xF0:
            count = 3
        else:
            _uri_error()
        octets = [b]
        for _ in range(count):
            if i >= n or s[i] != "%":
                _uri_error()
            nb = _hex_byte(s, i)
            if nb & 0xC0 != 0x80:
                _uri_error()
            octets.append(nb)
            i += 3
        try:
            ch = bytes(octets).decode("utf-8")
        except UnicodeDecodeError:
            _uri_error()
        out.append(ch)
    return "".join(out)


_RESERVED_DECODE = frozenset(_RESERVED + "#")


def _arg(args):
    return to_string(args[0]) if args else "undefined"


_ESCAPE_SAFE = frozenset(_ALNUM + "@*_+-./")


def _escape(this, *args):
    s = _arg(args)
    if len(s) * 12 > MAX_STRING_LENGTH:
        if sum(1 if c in _ESCAPE_SAFE else 3 if ord(c) < 256 else 6 if ord(c) <= 0xFFFF else 12 for c in s) > MAX_STRING_LENGTH:
            throw_range_error("Invalid string length")
    out = []
    for c in s:
        o = ord(c)
        if c in _ESCAPE_SAFE:
            out.append(c)
        elif o < 256:
            out.append(f"%{o:02X}")
        elif o <= 0xFFFF:
            out.append(f"%u{o:04X}")
        else:
            o -= 0x10000
            out.append(f"%u{0xD800 + (o >> 10):04X}%u{0xDC00 + (o & 0x3FF):04X}")
    return "".join(out)


def _unescape(this, *args):
    import re

    s = _arg(args)
    return re.sub(
        r"%u([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})",
        lambda m: chr(int(m.group(1) or m.group(2), 16)),
        s,
    )


BUILTINS.update(
    encodeURIComponent=native(lambda this, *a: _encode(_arg(a), _UNESCAPED_COMPONENT), "encodeURIComponent", 1),
    encodeURI=native(lambda this, *a: _encode(_arg(a), _UNESCAPED_URI), "encodeURI", 1),
    decodeURIComponent=native(lambda this, *a: _decode(_arg(a), frozenset()), "decodeURIComponent", 1),
    decodeURI=native(lambda this, *a: _decode(_arg(a), _RESERVED_DECODE), "decodeURI", 1),
    escape=native(_escape, "escape", 1),
    unescape=native(_unescape, "unescape", 1),
)

# Made on first use of one of these (values.LAZY_BUILTINS): frozen here, whoever imports this first.
freeze_all(*(BUILTINS[k] for k in ("encodeURIComponent", "encodeURI", "decodeURIComponent", "decodeURI", "escape", "unescape")))
