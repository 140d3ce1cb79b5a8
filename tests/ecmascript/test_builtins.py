"""Built-ins that V8 does not have (uneval/toSource) or whose output depends on the host,
and interop functions of the runtime API."""

from __future__ import annotations

import math

import pytest

import scxmlc_runtime.js as rt

from .jsrun import run_script, evaluate, script_value, throws


@pytest.mark.parametrize(
    "src, expected",
    [
        # SpiderMonkey's formats (js/src/builtin/Object.cpp ObjectToSource, jsarray ArrayToSource).
        ("uneval(undefined)", "(void 0)"),
        ("uneval(null)", "null"),
        ("uneval(-0)", "-0"),
        ("uneval(1.5)", "1.5"),
        ("uneval('a\"b\\n')", '"a\\"b\\n"'),
        ("uneval('\\u00e9\\u20ac')", '"\\xE9\\u20AC"'),
        ("uneval([1, , 3])", "[1, , 3]"),
        ("uneval([1, ,])", "[1, ,]"),
        ("uneval([])", "[]"),
        ("uneval({})", "({})"),
        ("uneval({a: 1, b: [2]})", "({a:1, b:[2]})"),
        ("uneval({a: {b: {}}})", "({a:{b:{}}})"),
        ("uneval({'b c': 1, 2: 3, '-1': 4})", "({2:3, 'b c':1, '-1':4})"),
        ("uneval({a: undefined})", "({a:(void 0)})"),
        ("uneval(function f(x) { return x; })", "(function f(x) { return x; })"),
        ("uneval(new Date(0))", "(new Date(0))"),
        ("uneval(/a+/gi)", "/a+/gi"),
        ("uneval(new RangeError('r'))", '(new RangeError("r"))'),
        ("({x: 'y'}).toSource()", '({x:"y"})'),
        ("[1, 'a'].toSource()", '[1, "a"]'),
        ("(5).toSource()", "(new Number(5))"),
        ("'s'.toSource()", '(new String("s"))'),
        ("true.toSource()", "(new Boolean(true))"),
    ],
)
def test_uneval(src, expected):
    assert evaluate(src) == expected


def test_uneval_cycles():
    assert script_value("var o = {a: 1}; o.self = o; var result = uneval(o);") == "({a:1, self:{}})"
    assert script_value("var a = [1]; a.push(a); var result = uneval(a);") == "[1, []]"


def test_to_js_and_to_py():
    v = rt.to_js({"a": [1, 2.5, None, True], "b": {"c": "x"}, 3: "k"})
    assert type(v["a"]) is rt.JSArray and v["a"][0] == 1.0 and type(v["a"][0]) is float
    assert v["3"] == "k"
    back = rt.to_py(v)
    assert back == {"a": [1, 2.5, None, True], "b": {"c": "x"}, "3": "k"}
    assert type(back["a"][0]) is int and type(back["a"][1]) is float
    assert rt.to_py(rt.UNDEFINED) is None
    assert math.copysign(1, rt.to_py(-0.0)) == -1


def test_js_display():
    assert rt.js_display("text") == "text"
    assert rt.js_display(1.0) == "1"
    assert rt.js_display(rt.UNDEFINED) == "undefined"
    assert rt.js_display(None) == "null"
    assert rt.js_display(rt.to_js({"a": [1, "x"]})) == '{"a":[1,"x"]}'
    assert rt.js_display(rt.make_error("TypeError", "bad")) == "TypeError: bad"


def test_json_parse_errors_are_syntax_errors():
    name, _ = throws(rt.json_parse, "{bad json}")
    assert name == "SyntaxError"
    assert rt.json_parse('{"a": [1]}')["a"][0] == 1.0


def test_error_name_message():
    assert rt.error_name_message(rt.make_error("ReferenceError", "x is not defined")) == ("ReferenceError", "x is not defined")
    assert rt.error_name_message("plain") == ("Error", "plain")
    assert rt.error_name_message(rt.to_js({"name": "Custom", "message": "m"})) == ("Custom", "m")


def test_js_native_and_call():
    f = rt.js_native(lambda this, a=rt.UNDEFINED, *_: a, "id")
    assert f.call(rt.UNDEFINED, [5.0]) == 5.0
    dm = rt.new_globals({"f": f})
    assert evaluate("f(7) + 1", dm) == 8.0
    assert evaluate("typeof f", dm) == "function"
    name, _ = throws(evaluate, "new f()", dm)
    assert name == "TypeError"


class Host(rt.HostObject):
    __slots__ = ("data",)

    def __init__(self):
        self.data = {"name": "ev", "n": 4.0}

    def js_get(self, key):
        return self.data.get(key, rt.UNDEFINED)

    def js_keys(self):
        return list(self.data)


def test_host_object_access():
    dm = rt.new_globals({"h": Host()})
    assert evaluate("h.name + h.n", dm) == "ev4"
    assert evaluate("'name' in h && !('zz' in h)", dm) is True
    assert evaluate("Object.keys(h).join()", dm) == "name,n"
    assert evaluate("JSON.stringify(h)", dm) == '{"name":"ev","n":4}'
    assert evaluate("h.__class__", dm) is rt.UNDEFINED
    name, _ = throws(evaluate, "h.name = 'x'", dm)
    assert name == "TypeError"


def test_globals_fall_back_to_builtins():
    dm = rt.new_globals()
    assert type(dm) is dict  # exact dicts: CPython's fastest subscripts
    assert rt.js_global(dm, "Math") is evaluate("Math")
    name, message = throws(rt.js_global, dm, "nope")
    assert (name, message) == ("ReferenceError", "nope is not defined")
    assert rt.js_lookup(dm, "nope") is rt.UNDEFINED


def test_global_object_is_a_view_of_the_datamodel():
    dm = rt.new_globals({"x": 1.0, "_event": rt.UNDEFINED})
    run_script("this.y = this.x + 1; var same = this === this; var m = this.Math === Math;", dm)
    assert dm["y"] == 2.0 and dm["same"] is True and dm["m"] is True
    name, _ = throws(run_script, "this._event = 1;", dm)
    assert name == "TypeError" and dm["_event"] is rt.UNDEFINED
    run_script("var d1 = delete this._event; var d2 = delete this.y;", dm)
    assert dm["d1"] is False and dm["d2"] is True and "y" not in dm and "_event" in dm


def test_builtins_are_frozen():
    name, _ = throws(evaluate, "Math.PI = 3")
    assert name == "TypeError"
    name, _ = throws(evaluate, "Array.prototype.evil = 1")
    assert name == "TypeError"
    assert evaluate("Math.PI") == math.pi


def test_date_local_and_parse():
    assert evaluate("new Date(2020, 0, 15, 10, 30).getHours()") == 10.0
    assert evaluate("new Date(2020, 0, 15).getDate()") == 15.0
    assert evaluate("Date.parse('Thu, 01 Jan 1970 00:00:00 GMT')") == 0.0
    assert evaluate("new Date(0).toUTCString()") == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert evaluate("String(new Date(NaN))") == "Invalid Date"


def test_dict_subclasses_from_the_host_are_plain_objects():
    import collections

    dm = rt.new_globals({"o": collections.OrderedDict(a=1.0, b="x")})
    assert evaluate("o.a + o.b", dm) == "1x"
    assert evaluate("Object.keys(o).join()", dm) == "a,b"
    assert evaluate("(o.c = 3, o.c)", dm) == 3.0
    assert evaluate("o.hasOwnProperty('a') && 'b' in o", dm) is True
