"""Dynamic code: `eval` and `Function` for the code that uses them (Composer's `eval('(' + json + ')')`, ors-dialect.md §5.3).

`eval(text)` first reads `text` as an ECMAScript *literal* (objects, arrays, strings in either
quote style, numbers, booleans, `null`, unquoted keys, trailing commas; wrapped in parentheses
or not): the idiom that parses fetched JSON needs nothing more, and no compiler. Any other text
is compiled at run time by the transpiler, through the hook the compiler installs
(`install_script_compiler`; the scxmlc package installs it when imported and advertises it as the
entry point `scxmlc_runtime.script_compilers`), cached by text, and run in the global scope of
the session: the same sandbox as all generated code. Without the compiler it throws an EvalError.
`Function(p1, ..., body)` and `new Function(...)` build the function's source and go the same way.
"""

from __future__ import annotations

import _thread  # (threading.Lock is _thread.allocate_lock: threading is not imported, see host.py)
import math

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any, Callable

from .conversions import to_string
from .errors import make_error
from .values import MISSING, UNDEFINED, JSArray, JSThrow

_script_compiler: Callable[[str], Callable[[dict], Any]] | None = None
_found = False
_compiled: dict[str, Callable[[dict], Any]] = {}
_lock = _thread.allocate_lock()
SCRIPT_COMPILERS_ENTRY_POINT = "scxmlc_runtime.script_compilers"
CACHE_LIMIT = 2000
# The longest code (not a literal) that eval and Function compile at run time: compiling takes
# about 0.05 ms a character and cannot be interrupted by the script budget, so longer code, which
# event data could carry into an eval, would hold the host for seconds (16 KB: under a second).
MAX_COMPILED_SOURCE = 16_384


def install_script_compiler(compile_script: Callable[[str], Callable[[dict], Any]] | None) -> None:
    """`compile_script(text)` returns a function of a datamodel that runs the program `text` in
    that global scope and returns its completion value; it raises JSThrow(SyntaxError) for text
    that does not parse."""
    global _script_compiler, _found
    _script_compiler = compile_script
    _found = compile_script is not None


def _find() -> Callable | None:
    global _found
    if not _found:
        _found = True
        from ..extensions import first_entry_point

        found = first_entry_point(SCRIPT_COMPILERS_ENTRY_POINT)
        if found is not None:
            install_script_compiler(found)
    return _script_compiler


def compiled(text: str) -> Callable[[dict], Any]:
    with _lock:
        fn = _compiled.get(text)
    if fn is not None:
        return fn
    if len(text) > MAX_COMPILED_SOURCE:
        raise JSThrow(make_error("RangeError", f"code of {len(text):,} characters is longer than eval and Function compile here ({MAX_COMPILED_SOURCE:,}: an implementation limit; literals are read at any length)"))
    compile_script = _find()
    if compile_script is None:
        raise JSThrow(make_error("EvalError", "eval of code (not a literal) needs the scxmlc compiler at run time"))
    fn = compile_script(text)
    with _lock:
        if len(_compiled) < CACHE_LIMIT:
            _compiled[text] = fn
    return fn


def js_eval(dm: dict, x: Any = UNDEFINED, *_: Any) -> Any:
    """eval(x) (ES5.1 15.1.2.1), in the global scope: a non-string is returned as it is."""
    if type(x) is not str:
        return x
    value = parse_literal(x)
    if value is not MISSING:
        return value
    return compiled(x)(dm)


def js_new_function(dm: dict, *args: Any) -> Any:
    """Function(p1, ..., body) and new Function(...) (ES5.1 15.3.2.1)."""
    params = ", ".join(to_string(a) for a in args[:-1])
    body = to_string(args[-1]) if args else ""
    return compiled(f"(function anonymous({params}\n) {{\n{body}\n}})")(dm)


# -- the literal reader -----------------------------------------------------------------------


class _Literal:
    """A reader of ECMAScript literal expressions (see the module docstring)."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def fail(self):
        raise ValueError

    def ws(self) -> None:
        s, i = self.s, self.i
        while i < len(s) and s[i] in " \t\n\r\f\v\u00a0\ufeff\u2028\u2029":
            i += 1
        self.i = i

    def peek(self) -> str:
        self.ws()
        return self.s[self.i] if self.i < len(self.s) else ""

    def eat(self, c: str) -> None:
        if self.peek() != c:
            self.fail()
        self.i += 1

    def value(self, depth: int = 0) -> Any:
        if depth > 200:
            self.fail()
        c = self.peek()
        if c == "(":
            self.i += 1
            v = self.value(depth + 1)
            self.eat(")")
            return v
        if c == "{":
            return self.obj(depth)
        if c == "[":
            return self.arr(depth)
        if c in "'\"":
            return self.string()
        if c in "-+.0123456789":
            return self.number()
        for word, v in (("true", True), ("false", False), ("null", None), ("undefined", UNDEFINED), ("NaN", math.nan), ("Infinity", math.inf)):
            if self.s.startswith(word, self.i) and not self._ident_char(self.i + len(word)):
                self.i += len(word)
                return v
        self.fail()

    def _ident_char(self, i: int) -> bool:
        return i < len(self.s) and (self.s[i].isalnum() or self.s[i] in "_$")

    def obj(self, depth: int) -> dict:
        self.eat("{")
        out: dict = {}
        while self.peek() != "}":
            c = self.peek()
            if c in "'\"":
                key = self.string()
            elif c and (c.isdigit() or c == "."):
                key = to_string(self.number())
            else:
                start = self.i
                while self._ident_char(self.i):
                    self.i += 1
                if self.i == start:
                    self.fail()
                key = self.s[start : self.i]
            self.eat(":")
            out[key] = self.value(depth + 1)  # a repeated key: the last wins
            if self.peek() == ",":
                self.i += 1
            elif self.peek() != "}":
                self.fail()
        self.i += 1
        return out

    def arr(self, depth: int) -> JSArray:
        self.eat("[")
        out = JSArray()
        while self.peek() != "]":
            out.append(self.value(depth + 1))
            if self.peek() == ",":
                self.i += 1
            elif self.peek() != "]":
                self.fail()
        self.i += 1
        return out

    _ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}

    def string(self) -> str:
        q = self.s[self.i]
        self.i += 1
        out = []
        s = self.s
        while True:
            if self.i >= len(s):
                self.fail()
            c = s[self.i]
            if c == q:
                self.i += 1
                return "".join(out)
            if c in "\n\r":
                self.fail()
            if c == "\\":
                self.i += 1
                if self.i >= len(s):
                    self.fail()
                e = s[self.i]
                if e in self._ESCAPES and not (e == "0" and self.i + 1 < len(s) and s[self.i + 1].isdigit()):
                    out.append(self._ESCAPES[e])
                    self.i += 1
                elif e in "xu":
                    n = 2 if e == "x" else 4
                    digits = s[self.i + 1 : self.i + 1 + n]
                    if len(digits) != n or not all(d in "0123456789abcdefABCDEF" for d in digits):
                        self.fail()
                    out.append(chr(int(digits, 16)))
                    self.i += 1 + n
                elif e in "\r\n":  # a line continuation
                    self.i += 2 if s[self.i : self.i + 2] == "\r\n" else 1
                elif e.isdigit():
                    self.fail()  # octal escapes: left to the compiler
                else:
                    out.append(e)
                    self.i += 1
                continue
            out.append(c)
            self.i += 1

    def number(self) -> float:
        s = self.s
        start = self.i
        sign = 1.0
        if s[self.i] in "+-":
            sign = -1.0 if s[self.i] == "-" else 1.0
            self.i += 1
            self.ws()
            if s.startswith("Infinity", self.i):
                self.i += 8
                return sign * math.inf
        if s[self.i : self.i + 2].lower() == "0x":
            j = self.i + 2
            while j < len(s) and s[j] in "0123456789abcdefABCDEF":
                j += 1
            if j == self.i + 2:
                self.fail()
            try:
                value = float(int(s[self.i + 2 : j], 16))
            except OverflowError:  # (2**1024 and above, after rounding: Infinity, as V8 reads it)
                value = math.inf
            self.i = j
            return sign * value
        j = self.i
        while j < len(s) and (s[j].isdigit() or s[j] in ".eE" or (s[j] in "+-" and s[j - 1] in "eE")):
            j += 1
        text = s[self.i : j]
        if not text or text == "." or (len(text) > 1 and text[0] == "0" and text[1].isdigit()):
            self.fail()  # (legacy octal: left to the compiler)
        try:
            value = float(text)
        except ValueError:
            self.fail()
        self.i = j
        if self._ident_char(self.i):
            self.i = start
            self.fail()
        return sign * value


def parse_literal(text: str) -> Any:
    """The value of `text` when it is one ECMAScript literal expression, else MISSING."""
    reader = _Literal(text)
    if reader.peek() == "{":
        return MISSING  # a block, as a statement: not an object (only `({...})` is one)
    try:
        value = reader.value()
        reader.ws()
        if reader.i != len(text):
            return MISSING
        return value
    except (ValueError, IndexError, RecursionError, OverflowError):
        return MISSING  # (the compiler says what is wrong with it, if anything)


__all__ = ["install_script_compiler", "js_eval", "js_new_function", "parse_literal"]
