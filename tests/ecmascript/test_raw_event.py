"""Fast paths over event data as the host passed it (scxmlc/ecmascript/speculate.py, RAW).

Machine.send gives the host's payload (ints, lists, tuples, dicts with any keys) as it is to
the plans, selectors and handlers, which are built of fast paths. Every fast path here runs alone over such
a payload and must either fail its guess or give what V8 gives for the converted payload;
and whatever it gives must be a JS value, never a piece of the host's data.
"""

from __future__ import annotations

import ast
import itertools
import json
import math

import pytest

import scxmlc_runtime.js as rt
from scxmlc.ecmascript import ECMAScriptSyntaxError, Transpiler
from scxmlc.ecmascript.names import READONLY_GLOBALS
from scxmlc_runtime.js.values import JSArray

from .differential import V8, encode, our_globals, same
from .jsrun import _namespace

pytest.importorskip("py_mini_racer")

# Host data of every kind a payload may hold; `1` and "1" collide as JS keys (the str key wins).
PAYLOAD = {
    "n": 4,
    "neg": -7,
    "z": 0,
    "big": 2**60,
    "odd": 2**60 + 1,  # no double: to_js rounds it (so must arithmetic and comparisons)
    "f": 1.5,
    "nz": -0.0,
    "s": "ab",
    "e": "",
    "num": "12",
    "t": True,
    "nul": None,
    "arr": [4, 1, 3],
    "empty": [],
    "tup": (1, 2),
    "strs": ["x", "y"],
    "nested": [[1, 2], {"k": 5}],
    "o": {"k": 5, "s": "x", "one": 1},
    1: "int key",
    "1": "str key",
    2: "two",
}
FIELDS = [k for k in PAYLOAD if isinstance(k, str)]
FORMS = [
    "{x}",
    "{x} + 1",
    "1 + {x}",
    "'<' + {x} + '>'",
    "{x} + {x}",
    "{x} * 2",
    "{x} * 1.5",
    "0.5 + {x}",
    "1 + {x} + {x}",
    "{x} + 0.5 + _event.data.arr.length",
    "_event.data.arr.length + {x}",
    "{x} > 1152921504606846976",
    "{x} === 1152921504606846976",
    "{x} - 1152921504606846976",
    "10 % {x}",
    "{x} - 0.5",
    "{x} / 2",
    "{x} % 3",
    "-{x}",
    "{x} === 4",
    "{x} == 4",
    "{x} !== 'ab'",
    "{x} == '12'",
    "{x} < 5",
    "{x} >= 0",
    "{x}.length",
    "{x}[0]",
    "{x}[1]",
    "{x}[{x}.length - 1]",
    "{x}[_event.data.n % 3]",
    "{x}.k",
    "{x}.k * 2",
    "{x} ? 1 : 2",
    "{x} && true",
    "!{x}",
]
EXTRA = [
    "_event.data['1']",
    "_event.data[1]",
    "_event.data[2]",
    "_event.data.nested[1].k * _event.data.n",
    "_event.data.nested[0][1] + 1",
    "_event.data.o.one + _event.data.big",
    "'n' + _event.data.n + ':' + _event.data.s + _event.data.strs[_event.data.n % 2]",
    "_event.data.arr[1] + _event.data.arr.length",
    "_event.data.n % 3 == 1 || _event.data.s == 'skip'",
    "_event.data.missing",
    "_event.data.o.missing",
    "_event.name + _event.data.n",
    "_event.data.tup[0] + 1",
]
CASES = [form.format(x=f"_event.data.{f}") for f, form in itertools.product(FIELDS, FORMS)] + EXTRA


def js_literal(v) -> str:
    """A converted payload as JS source."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "-0" if v == 0 and math.copysign(1, v) < 0 else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, JSArray):
        return "[" + ", ".join(js_literal(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)}: {js_literal(x)}" for k, x in v.items()) + "}"


def v8_value(v8: V8, src: str) -> list:
    data = js_literal(rt.to_js(PAYLOAD))
    return v8.expr(f"(function (_event) {{ return ({src}); }})({{name: 'e', data: {data}}})")


GAVE_UP = object()


def fast_over_raw(src: str, cond: bool):
    """The fast path (as the compiler emits it: `_event` hoisted) over the raw payload:
    its value, or GAVE_UP when it has none or its guess failed."""
    t = Transpiler(hoist_event=True, declared=DECLARED)
    try:
        node = t.fast_cond(src, always=True) if cond else t.fast_expr(src, always=True)
    except ECMAScriptSyntaxError:
        return GAVE_UP
    if node is None:
        return GAVE_UP
    load = ast.Subscript(ast.Name("_dm", ast.Load()), ast.Constant("_event"), ast.Load())
    fn = ast.FunctionDef(
        name="_unit",
        args=ast.arguments(posonlyargs=[], args=[ast.arg("_dm")], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=[ast.Assign([ast.Name("_ev", ast.Store())], load), ast.Return(node)],
        decorator_list=[],
        returns=None,
        type_params=[],
    )
    mod = ast.fix_missing_locations(ast.Module([fn], []))
    ns = _namespace(t)
    exec(compile(mod, "<fast>", "exec"), ns)
    dm = our_globals()
    dm["_event"] = {"name": "e", "data": PAYLOAD}  # not converted: the host's data
    try:
        return ns["_unit"](dm)
    except Exception:  # noqa: BLE001 - a failed guess: the generated code converts and runs the exact code
        return GAVE_UP


DECLARED = READONLY_GLOBALS | {"In"}  # as scxmlc/lowering.py declares them (no data items here)
JS_PRIMITIVES = (float, str, bool, type(None))


@pytest.fixture(scope="module")
def v8():
    return V8()


@pytest.mark.parametrize("cond", [False, True], ids=["value", "condition"])
def test_fast_paths_over_host_data_agree_with_v8_or_give_up(v8, cond):
    checked = 0
    for src in CASES:
        value = fast_over_raw(src, cond)
        if value is GAVE_UP:
            continue
        checked += 1
        if cond:
            assert type(value) is bool, (src, value)
            theirs = v8_value(v8, f"!!({src})")
        else:
            # settled: a JS primitive (or the `_event` fields, JS values), never the host's int,
            # list, tuple or dict
            assert type(value) in JS_PRIMITIVES, (src, type(value))
            theirs = v8_value(v8, src)
        assert same(theirs, encode(value)), f"{src}\n  V8:   {theirs}\n  fast: {encode(value)}"
    assert checked > 100, checked  # the fast paths ran over host data, not just gave up


def test_host_containers_and_ints_never_escape_a_fast_path():
    # The event object is never handed out by a fast path (its data may be the host's)...
    t = Transpiler(hoist_event=True, declared=DECLARED)
    assert t.fast_expr("_event", always=True) is None
    for src in ["_event", "_data._event", "this._event", "[_event][0]", "_event.data.n ? _event : 1"]:
        assert fast_over_raw(src, False) is GAVE_UP, src
    # ...nor is a container of the host's: reading one as a value fails the guess.
    for src in ["_event.data", "_event.data.arr", "_event.data.o", "_event.data.nested[0]", "_event.data.tup"]:
        assert t.fast_expr(src, always=True) is not None, src
        assert fast_over_raw(src, False) is GAVE_UP, src
    # An int read from the payload comes out as the float to_js makes of it.
    assert type(fast_over_raw("_event.data.n", False)) is float
    assert type(fast_over_raw("_event.data.arr[0]", False)) is float


def test_fast_paths_give_up_on_what_to_js_cannot_convert():
    # past the doubles: float() overflows, the guess fails (the exact code then reports it)
    t = Transpiler(hoist_event=True, declared=DECLARED)
    assert t.fast_expr("_event.data.n + 1", always=True) is not None
    saved = PAYLOAD["n"]
    try:
        PAYLOAD["n"] = 10**400
        assert fast_over_raw("_event.data.n + 1", False) is GAVE_UP
        PAYLOAD["n"] = {1, 2}  # not JSON-like at all
        assert fast_over_raw("_event.data.n + 1", False) is GAVE_UP
        assert fast_over_raw("'<' + _event.data.n", False) is GAVE_UP
        assert fast_over_raw("_event.data.n === 'x'", False) is GAVE_UP
    finally:
        PAYLOAD["n"] = saved
