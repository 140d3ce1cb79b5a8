"""Differential testing against V8 (py_mini_racer): run the same JS in both, compare results.

Both sides reduce a result to the same JSON-able structure: ["number", text] (compared by
value, with the sign of zero and NaN), ["string", s], ["boolean", b], ["undefined"],
["null"], ["array", [...]], ["object", [[key, ...], ...]], ["function"], ["error", name],
or ["throw", name] for an exception (messages differ between engines and are not compared).
"""

from __future__ import annotations

import json
import math
from typing import Any

import scxmlc_runtime.js as rt
from scxmlc.ecmascript import ECMAScriptSyntaxError
from scxmlc_runtime.js.properties import js_getp, own_keys
from scxmlc_runtime.js.values import HOLE, JSArray, JSFunction, JSObject

from .jsrun import evaluate, run_script

ENCODER = r"""
function __enc(v, seen) {
  if (v === undefined) return ['undefined'];
  if (v === null) return ['null'];
  var t = typeof v;
  if (t === 'number') return ['number', (v === 0 && 1 / v < 0) ? '-0' : String(v)];
  if (t === 'string') return ['string', v];
  if (t === 'boolean') return ['boolean', v];
  if (t === 'function') return ['function'];
  if (seen.indexOf(v) >= 0) return ['cycle'];
  seen = seen.concat([v]);
  if (Array.isArray(v)) {
    var out = [];
    for (var i = 0; i < v.length; i++) out.push(i in v ? __enc(v[i], seen) : ['hole']);
    return ['array', out];
  }
  var cls = Object.prototype.toString.call(v);
  if (cls === '[object Error]') return ['error', String(v.name)];
  if (cls === '[object RegExp]') return ['regexp', String(v)];
  if (cls === '[object Date]') return ['date', String(v.getTime())];
  if (cls === '[object Number]' || cls === '[object String]' || cls === '[object Boolean]')
    return ['wrapper', __enc(v.valueOf(), seen)];
  var keys = Object.keys(v);
  return ['object', keys.map(function (k) { return [k, __enc(v[k], seen)]; })];
}
function __run(f) {
  try { return JSON.stringify(__enc(f(), [])); }
  catch (e) { return JSON.stringify(['throw', (e instanceof Error) ? e.name : __enc(e, [])]); }
}
"""

# Globals both sides start with, so expressions can hide operand types from the compiler.
PRELUDE = r"""
var n0 = 0, n1 = 1, n2 = 2, n5 = 5, nm1 = -1, nneg0 = -0, nhalf = 0.5, nbig = 1e21, nnan = NaN, ninf = Infinity;
var s0 = '', s1 = '1', s12 = '12', sa = 'a', sabc = 'abc', ssp = ' 12 ', shex = '0x1F', sx = 'x';
var t = true, f = false, nul = null, und = undefined;
var a0 = [], a1 = [1], a3 = [1, 2, 3], as = ['b', 'a', 'c'], o0 = {}, o1 = {a: 1, b: 'two'};
var box = {n0: n0, nneg0: nneg0, n1: n1, nhalf: nhalf, nnan: nnan, ninf: ninf, s0: s0, s1: s1,
  s12: s12, ssp: ssp, sa: sa, t: t, f: f, nul: nul, und: und, a0: a0, a1: a1, o0: o0};
var row = [n0, nneg0, n1, nhalf, nnan, ninf, s0, s1, s12, ssp, sa, t, f, nul, und, a0, a1, o0, , 7];
"""


def _number(text: str) -> float:
    if text == "-0":
        return -0.0
    if text == "NaN":
        return math.nan
    if text == "Infinity":
        return math.inf
    if text == "-Infinity":
        return -math.inf
    return float(text)


def encode(v: Any, seen: tuple = ()) -> list:
    """Our value in the structure V8's __enc produces."""
    if v is rt.UNDEFINED:
        return ["undefined"]
    if v is None:
        return ["null"]
    t = type(v)
    if t is bool:
        return ["boolean", v]
    if t is float or t is int:
        v = float(v)
        if v == 0 and math.copysign(1, v) < 0:
            return ["number", "-0"]
        return ["number", rt.number_to_string(v)]
    if t is str:
        return ["string", v]
    if t is JSFunction:
        return ["function"]
    if any(v is s for s in seen):
        return ["cycle"]
    seen = seen + (v,)
    if t is JSArray:
        return ["array", [["hole"] if x is HOLE else encode(x, seen) for x in v]]
    if isinstance(v, JSObject):
        if v.cls == "Error":
            return ["error", rt.js_to_string(js_getp(v, "name"))]
        if v.cls == "RegExp":
            return ["regexp", rt.js_to_string(v)]
        if v.cls == "Date":
            return ["date", rt.number_to_string(v.internal)]
        if v.cls in ("Number", "String", "Boolean"):
            return ["wrapper", encode(v.internal, seen)]
    return ["object", [[k, encode(js_getp(v, k), seen)] for k in own_keys(v)]]


def same(a: Any, b: Any) -> bool:
    """Structural equality where numbers compare as doubles (NaN equal to NaN, -0 != +0)."""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) == 2 and len(b) == 2 and a[0] == b[0] == "number":
            x, y = _number(a[1]), _number(b[1])
            if x != x or y != y:
                return x != x and y != y
            return x == y and math.copysign(1, x) == math.copysign(1, y)
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


class V8:
    """One V8 context with the encoder and the prelude."""

    def __init__(self) -> None:
        from py_mini_racer import MiniRacer

        self.MiniRacer = MiniRacer
        self.ctx = MiniRacer()
        self.ctx.eval(ENCODER + PRELUDE)
        from py_mini_racer import JSParseException

        self.parse_error = JSParseException

    def expr(self, src: str) -> list:
        self.ctx.eval(PRELUDE)  # fresh values: earlier cases may have mutated them
        try:
            return json.loads(self.ctx.eval(f"__run(function () {{ return ({src}\n); }})"))
        except self.parse_error:
            return ["syntax-error"]

    def script(self, src: str, result: str = "result") -> list:
        ctx = self.MiniRacer()
        ctx.eval(ENCODER + PRELUDE)
        # Indirect eval runs the text as a global script, and __run catches what it throws.
        return json.loads(ctx.eval(f"__run(function () {{ (0, eval)({json.dumps(src)}); return {result}; }})"))


_prelude_cache: dict = {}


def our_globals() -> dict:
    """A datamodel with fresh prelude values (the prelude is compiled once, run each time)."""
    if "fn" not in _prelude_cache:
        from scxmlc.ecmascript import Transpiler

        from .jsrun import compile_unit

        t = Transpiler()
        _prelude_cache["fn"] = compile_unit(t, t.script(PRELUDE))
    dm = rt.new_globals()
    _prelude_cache["fn"](dm)
    return dm


def ours_expr(src: str, compact: bool = False) -> list:
    dm = our_globals()
    try:
        return encode(evaluate(src, dm, compact))
    except ECMAScriptSyntaxError:
        return ["syntax-error"]
    except rt.JSThrow as exc:
        v = exc.value
        if isinstance(v, JSObject) and v.cls == "Error":
            return ["throw", rt.error_name_message(v)[0]]
        return ["throw", encode(v)]


def ours_fast(src: str, cond: bool = False) -> list | None:
    """The speculative fast path of src alone (scxmlc/ecmascript/speculate.py), forced even
    where the compiler would not use it: None when there is none or its guess failed (then
    the exact code decides, which ours_expr checks); else its value, which must be V8's."""
    from scxmlc.ecmascript import Transpiler

    from .jsrun import compile_unit

    t = Transpiler()
    try:
        node = t.fast_cond(src, always=True) if cond else t.fast_expr(src, always=True)
    except ECMAScriptSyntaxError:
        return None
    if node is None:
        return None
    fn = compile_unit(t, [], node)
    try:
        return encode(fn(our_globals()))
    except rt.js_guess_failed:  # a failed guess: the generated code runs the exact path
        return None


def ours_script(src: str, result: str = "result") -> list:
    dm = our_globals()
    try:
        run_script(src, dm)
        return encode(rt.js_lookup(dm, result))
    except ECMAScriptSyntaxError:
        # A script's syntax error surfaces when it runs (the W3C model), as V8's does here.
        return ["throw", "SyntaxError"]
    except rt.JSThrow as exc:
        v = exc.value
        if isinstance(v, JSObject) and v.cls == "Error":
            return ["throw", rt.error_name_message(v)[0]]
        return ["throw", encode(v)]


__all__ = ["V8", "ours_expr", "ours_fast", "ours_script", "same", "encode", "ECMAScriptSyntaxError"]
