"""The one type vocabulary of the expression compiler: what is known of a value at compile time, by the exact code and by the fast paths alike.

Every expression compiles to a `Typed`: a Python expression and what is known of its value.
The exact code (compiler.py) knows static JavaScript types, which hold wherever the
expression runs: `a + b` of two numbers is a Python `+`. The fast paths (speculate.py) know
more at one point of their code, after a check that either passed or failed the guess: that
a value is a plain object (a Python dict), an array (a JSArray), a number still held as a
Python int, and so on. Both speak these names; a fast path's knowledge refines a static type
and never contradicts it.
"""

from __future__ import annotations

import ast
from typing import Any

# Static JavaScript types (ES5.1 8), spelled as `typeof` spells them (compiler.py folds
# `typeof` of a value whose type is known into the string). None: nothing is known.
NUMBER, STRING, BOOLEAN, UNDEFINED, NULL, OBJECT, FUNCTION = "number", "string", "boolean", "undefined", "null", "object", "function"
ANY = None

# Finer knowledge of the fast paths (speculate.py), each a representation of one of the above:
PLAIN = "plain"  # an object that is a plain dict: own properties by subscript, no accessors
ARRAY = "array"  # an object that is a JSArray
INT = "int"  # a number held as a Python int (from len()): exact; made a float before it escapes
ELEMENT = "element"  # an array element that may still be a hole: checked before it is used
EVENT = "event"  # the hoisted `_event`: a plain dict, or undefined before the first event
EV = "_ev"  # (the Python name it is hoisted to: Transpiler(hoist_event=True))
# A value inside `_event.data`: the host's data until the runtime converts it (a list or a
# JSArray for an array, an int or a float for a number, docs/architecture.md). Never escapes.
HOST = "host"

# The Python type of a value of these types (a number is a float, an object a dict...).
PY_TYPE = {NUMBER: "float", STRING: "str", BOOLEAN: "bool", PLAIN: "dict"}
# Static types of keys whose conversion to a property name runs no JS code.
PRIMITIVE_KEY = (NUMBER, STRING, BOOLEAN, UNDEFINED, NULL)


class Typed:
    """A compiled expression and what is known of its value: `t`, a type above (None when
    nothing is); for the fast paths also `key`, what was read (so later mentions reuse it,
    e.g. ("get", ("id", "_event"), "data")), and `host`, whether a PLAIN or ARRAY value is
    inside event data (its elements are then HOST)."""

    __slots__ = ("node", "t", "key", "host")

    def __init__(self, node: ast.expr, t: str | None = None, key: Any = None, host: bool = False):
        self.node = node
        self.t = t
        self.key = key
        self.host = host

    def __repr__(self) -> str:
        return f"Typed({ast.unparse(self.node)!r}, {self.t!r})"
