"""JSON and text at the HTTP boundary: bodies clients send, parsed with the limits every entry point shares; bodies sent, encoded so that any JavaScript string goes out as UTF-8.

Python's `json` accepts more than JSON (the literals `NaN`, `Infinity` and `-Infinity`) and
nests as deep as the interpreter's stack allows; what it makes then travels through recursive
code (the conversion to ECMAScript values, snapshots, `JSON.stringify`), which a body nested a
few hundred levels deep would overflow. So a body deeper than MAX_DEPTH is refused here, at the
door, where it is a 400 and nothing else has seen it.

Lone surrogates (`"\\ud800"`) are valid JSON and valid JavaScript strings, so they are kept;
UTF-8 has no bytes for them. JSON going out writes them as the escapes they came in as
(json_bytes), and text going out has U+FFFD in their place (text_bytes), as Node's UTF-8 does.
"""

from __future__ import annotations

import json

# Arrays and objects inside each other. Far above what a real payload nests (ORS data is a few
# levels deep), far below what the recursive code after it can take (docs/ors.md, The REST API).
MAX_DEPTH = 100


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str | bytes) -> object:
    """The value of a JSON text; ValueError (with the reason) for anything that is not JSON or
    nests deeper than MAX_DEPTH."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError(f"the JSON nests deeper than {MAX_DEPTH} levels") from None
    if depth_over(value, MAX_DEPTH):
        raise ValueError(f"the JSON nests deeper than {MAX_DEPTH} levels")
    return value


def depth_over(value: object, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit` in `value` (without recursion)."""
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, dict):
            children = v.values()
        elif isinstance(v, list):
            children = v
        else:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def json_bytes(value: object, **dumps: object) -> bytes:
    """`value` as JSON in UTF-8 (json.dumps with `dumps`), a lone surrogate as its escape:
    json.dumps writes non-ASCII characters as they are and only ever inside a string, where
    the backslash escape Python writes for one (\\udXXX) is JSON's own."""
    return json.dumps(value, ensure_ascii=False, **dumps).encode("utf-8", "backslashreplace")


def text_bytes(text: str) -> bytes:
    """`text` in UTF-8, with U+FFFD for each lone surrogate (a pair written as two code points
    becomes its character)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


__all__ = ["MAX_DEPTH", "depth_over", "json_bytes", "parse_json", "text_bytes"]
