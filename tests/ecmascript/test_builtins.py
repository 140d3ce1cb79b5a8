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


# -- Object.freeze / seal / preventExtensions on JSObjects (ES5.1 15.2.3.8-13) -----------------
# Expected values are V8's (sloppy mode). The objects: `new F()`, Object.create(null), an object
# literal with accessors, a Date (all JSObjects; plain objects are documented to stay open).

_MAKERS = {
    "new F": "new (function F() { this.a = 1; this.b = 'x'; })()",
    "create(null)": "(function () { var o = Object.create(null); o.a = 1; o.b = 'x'; return o; })()",
    "accessor literal": "(function () { var v = 1; return {get a() { return v; }, set a(n) { v = n; }, b: 'x'}; })()",
    "Date": "(function () { var d = new Date(0); d.a = 1; d.b = 'x'; return d; })()",
}


@pytest.mark.parametrize("kind", list(_MAKERS))
@pytest.mark.parametrize("fn", ["freeze", "seal", "preventExtensions"])
def test_integrity_keeps_properties_visible(kind, fn):
    src = f"(function () {{ var o = Object.{fn}({_MAKERS[kind]}); var r = []; for (var k in o) r.push(k);"
    src += " return [Object.keys(o).join(), r.join(), Object.getOwnPropertyNames(o).join(), Object.values(o).join(), o.a, o.b, 'a' in o, Object.prototype.hasOwnProperty.call(o, 'b')].join('|'); })()"
    assert evaluate(src) == "a,b|a,b|a,b|1,x|1|x|true|true"


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("new F", '{"a":1,"b":"x"}'),
        ("create(null)", '{"a":1,"b":"x"}'),
        ("accessor literal", '{"a":1,"b":"x"}'),
        ("Date", '"1970-01-01T00:00:00.000Z"'),
    ],
)
def test_frozen_object_json(kind, expected):
    assert evaluate(f"JSON.stringify(Object.freeze({_MAKERS[kind]}))") == expected
    assert evaluate("JSON.stringify(Object.freeze(new (function F() { this.a = 1; })()))") == '{"a":1}'


# [o.a, o.b, o.c, delete o.b, 'b' in o, Object.keys(o)] after o.a = 2; o.b = 'y'; o.c = 3
@pytest.mark.parametrize(
    "fn, kind, expected",
    [
        ("freeze", "new F", "1|x||false|true|a,b"),
        ("freeze", "create(null)", "1|x||false|true|a,b"),
        ("freeze", "accessor literal", "2|x||false|true|a,b"),  # the setter still runs
        ("freeze", "Date", "1|x||false|true|a,b"),
        ("seal", "new F", "2|y||false|true|a,b"),
        ("seal", "create(null)", "2|y||false|true|a,b"),
        ("seal", "accessor literal", "2|y||false|true|a,b"),
        ("seal", "Date", "2|y||false|true|a,b"),
        ("preventExtensions", "new F", "2|||true|false|a"),
        ("preventExtensions", "create(null)", "2|||true|false|a"),
        ("preventExtensions", "accessor literal", "2|||true|false|a"),
        ("preventExtensions", "Date", "2|||true|false|a"),
    ],
)
def test_integrity_writes_additions_deletes(fn, kind, expected):
    src = f"(function () {{ var o = Object.{fn}({_MAKERS[kind]}); o.a = 2; o.b = 'y'; o.c = 3; var d = delete o.b;"
    src += " return [o.a, o.b, o.c, d, 'b' in o, Object.keys(o).join()].join('|'); })()"
    assert evaluate(src) == expected


def test_frozen_object_other_writes_are_ignored():
    # (sloppy mode: no TypeError, as V8; the old code threw "read only property of built-in object")
    assert evaluate("(function () { var o = Object.freeze(Object.create(null)); o.a = 1; return [o.a, Object.keys(o).length].join(); })()") == ",0"
    assert evaluate("(function () { var o = Object.freeze(new (function F() { this.a = 1; })()); o.a++; o.a += 5; o[0] = 1; o['k'] = 2; return [o.a, Object.keys(o).join()].join('|'); })()") == "1|a"
    assert evaluate("(function () { var e = Object.freeze(new Error('m')); e.message = 'n'; e.x = 1; return [e.message, e.x, Object.isFrozen(e)].join('|'); })()") == "m||true"
    assert evaluate("(function () { var s = Object.freeze(new String('ab')); s.x = 1; return [s.x, Object.keys(s).join(), JSON.stringify(s), Object.isFrozen(s)].join('|'); })()") == "|0,1|\"ab\"|true"
    # a frozen Date's time can still change (an internal slot, not a property)
    assert evaluate("(function () { var d = Object.freeze(new Date(0)); d.setTime(1000); return d.getTime(); })()") == 1000.0
    # nested objects are not frozen
    assert evaluate("(function () { var o = Object.freeze(new (function F() { this.a = {b: 1}; })()); o.a.b = 2; return o.a.b; })()") == 2.0
    # freezing in a class constructor
    assert evaluate("(function () { class A { constructor() { this.a = 1; Object.freeze(this); } } var x = new A(); x.a = 2; x.b = 3; return [x.a, x.b, JSON.stringify(x)].join('|'); })()") == '1||{"a":1}'


def test_integrity_predicates():
    src = "(function () { var o = new (function F() { this.a = 1; })(); var r = [];"
    src += " function t() { r.push([Object.isFrozen(o), Object.isSealed(o), Object.isExtensible(o)].join()); }"
    src += " t(); Object.preventExtensions(o); t(); Object.seal(o); t(); Object.freeze(o); t(); return r.join('|'); })()"
    assert evaluate(src) == "false,false,true|false,false,false|false,true,false|true,true,false"
    # a non-extensible object without own properties is sealed and frozen; with only accessors, sealed is frozen
    assert evaluate("(function () { var o = Object.preventExtensions(Object.create(null)); return [Object.isFrozen(o), Object.isSealed(o), Object.isExtensible(o)].join(); })()") == "true,true,false"
    assert evaluate("(function () { var o = Object.create(null); o.a = 1; Object.preventExtensions(o); var r = [Object.isFrozen(o), Object.isSealed(o)]; delete o.a; r.push(Object.isFrozen(o), Object.isSealed(o)); return r.join(); })()") == "false,false,true,true"
    assert evaluate("(function () { var o = Object.seal({get x() { return 1; }, set x(v) {}}); return [Object.isFrozen(o), Object.isSealed(o)].join(); })()") == "true,true"
    assert evaluate("(function () { var o = Object.preventExtensions({get x() { return 1; }}); var d = delete o.x; return [d, Object.isExtensible(o), Object.isSealed(o)].join(); })()") == "true,false,true"
    for fn, expected in (("freeze", "true,true,false"), ("seal", "true,true,false"), ("preventExtensions", "true,true,false")):
        assert evaluate(f"(function () {{ var d = Object.{fn}(new Date(0)); return [Object.isFrozen(d), Object.isSealed(d), Object.isExtensible(d)].join(); }})()") == expected
    for fn, expected in (("freeze", "true,true,false"), ("seal", "false,true,false"), ("preventExtensions", "false,false,false")):
        assert evaluate(f"(function () {{ var o = Object.{fn}({_MAKERS['new F']}); return [Object.isFrozen(o), Object.isSealed(o), Object.isExtensible(o)].join(); }})()") == expected
    assert evaluate("(function () { var o = new (function F() {})(); return Object.freeze(o) === o && Object.seal(o) === o && Object.preventExtensions(o) === o; })()") is True
    assert evaluate("[Object.isFrozen(1), Object.isSealed('a'), Object.isExtensible(1), Object.isExtensible({})].join()") == "true,true,false,true"


def test_integrity_descriptors_and_define_property():
    desc = "(function () {{ var o = Object.{}(new (function F() {{ this.a = 1; }})()); return JSON.stringify(Object.getOwnPropertyDescriptor(o, 'a')); }})()"
    assert evaluate(desc.format("freeze")) == '{"value":1,"writable":false,"enumerable":true,"configurable":false}'
    assert evaluate(desc.format("seal")) == '{"value":1,"writable":true,"enumerable":true,"configurable":false}'
    assert evaluate(desc.format("preventExtensions")) == '{"value":1,"writable":true,"enumerable":true,"configurable":true}'
    assert evaluate("JSON.stringify(Object.getOwnPropertyDescriptor(Object.freeze(new Error('m')), 'message'))") == '{"value":"m","writable":false,"enumerable":false,"configurable":false}'
    frozen = "Object.freeze(new (function F() { this.a = 1; })())"
    assert throws(evaluate, f"Object.defineProperty({frozen}, 'a', {{value: 2}})") == ("TypeError", "Cannot redefine property: a")
    assert throws(evaluate, f"Object.defineProperty({frozen}, 'a', {{writable: true}})") == ("TypeError", "Cannot redefine property: a")
    assert throws(evaluate, f"Object.defineProperty({frozen}, 'a', {{get: function () {{}}}})") == ("TypeError", "Cannot redefine property: a")
    assert evaluate(f"Object.defineProperty({frozen}, 'a', {{value: 1, writable: false, enumerable: true, configurable: false}}).a") == 1.0
    non_ext = "Object.preventExtensions(new (function F() { this.a = 1; })())"
    assert throws(evaluate, f"Object.defineProperty({non_ext}, 'b', {{value: 2}})") == ("TypeError", "Cannot define property b, object is not extensible")
    sealed = "Object.seal(new (function F() { this.a = 1; })())"
    assert evaluate(f"(function () {{ var o = Object.defineProperty({sealed}, 'a', {{value: 2}}); return [o.a, Object.keys(o).join()].join('|'); }})()") == "2|a"
    assert throws(evaluate, f"Object.defineProperty({sealed}, 'a', {{get: function () {{ return 1; }}}})") == ("TypeError", "Cannot redefine property: a")
    assert throws(evaluate, f"Object.defineProperty({sealed}, 'a', {{value: 1, enumerable: false}})") == ("TypeError", "Cannot redefine property: a")
    assert evaluate(f"(function () {{ var o = {sealed}; Object.defineProperties(o, {{a: {{value: 3}}}}); try {{ Object.defineProperties(o, {{b: {{value: 3}}}}); }} catch (e) {{ return [o.a, e.message].join('|'); }} }})()") == "3|Cannot define property b, object is not extensible"
    assert evaluate("(function () { var g = function () { return 5; }; var o = Object.seal(Object.create(null, {x: {get: g, enumerable: true}})); return Object.defineProperty(o, 'x', {get: g}).x; })()") == 5.0
    # redefining an existing property keeps the attributes the descriptor leaves out (8.12.9 step 12)
    assert evaluate("(function () { var o = new (function F() { this.a = 1; })(); Object.defineProperty(o, 'a', {value: 2}); return [o.a, Object.keys(o).join()].join('|'); })()") == "2|a"
    assert evaluate("(function () { var o = new (function F() { this.a = 1; })(); Object.defineProperty(o, 'a', {enumerable: false}); return [o.a, Object.keys(o).length].join('|'); })()") == "1|0"
    assert evaluate("(function () { var o = {get x() { return 1; }}; Object.defineProperty(o, 'x', {get: function () { return 2; }}); return [o.x, Object.keys(o).join()].join('|'); })()") == "2|x"
    assert evaluate("(function () { var g = function () { return 5; }; var o = Object.seal(Object.create(null, {x: {get: g, enumerable: true}})); Object.defineProperty(o, 'x', {get: g}); return Object.keys(o).join(); })()") == "x"


def test_integrity_prototype_chain_assign_and_set_prototype():
    # an inherited frozen data property cannot be shadowed by assignment; inherited setters run
    assert evaluate("(function () { var p = Object.freeze(new (function F() { this.a = 1; })()); var o = Object.create(p); o.a = 2; o.b = 3; return [o.a, o.hasOwnProperty('a'), o.b].join('|'); })()") == "1|false|3"
    assert evaluate("(function () { function F() {} F.prototype = Object.freeze(Object.create(Object.prototype, {a: {value: 1, enumerable: true}})); var o = new F(); o.a = 2; return [o.a, o.hasOwnProperty('a')].join('|'); })()") == "1|false"
    assert evaluate("(function () { var v = 0; var p = Object.freeze({get x() { return v; }, set x(n) { v = n * 2; }}); var o = Object.create(p); o.x = 4; return [o.x, v, o.hasOwnProperty('x')].join('|'); })()") == "8|8|false"
    # Object.assign throws where assignment is refused (ES2015 19.1.2.1: [[Set]] with throw)
    assert throws(evaluate, "Object.assign(Object.freeze(new (function F() { this.a = 1; })()), {a: 2})") == ("TypeError", "Cannot assign to read only property 'a' of object '#<F>'")
    assert throws(evaluate, "Object.assign(Object.preventExtensions(new (function F() { this.a = 1; })()), {b: 2})") == ("TypeError", "Cannot add property b, object is not extensible")
    assert evaluate("Object.assign(Object.seal(new (function F() { this.a = 1; })()), {a: 2}).a") == 2.0
    assert throws(evaluate, "Object.setPrototypeOf(Object.preventExtensions(new (function F() {})()), {})") == ("TypeError", "#<F> is not extensible")
    assert evaluate("(function () { var o = Object.preventExtensions(new (function F() {})()); return Object.setPrototypeOf(o, Object.getPrototypeOf(o)) === o; })()") is True


def test_object_freeze_leaves_builtins_as_they_are():
    assert evaluate("Object.freeze(Math) === Math && Object.isFrozen(Math)") is True
    name, _ = throws(evaluate, "(Object.freeze(Math), Math.PI = 3)")
    assert name == "TypeError"
    assert evaluate("Math.PI") == math.pi
    m = evaluate("Math")
    assert m.frozen is True and m.integrity == 0


@pytest.mark.parametrize(
    "fn, level, predicates, after",
    [
        ("preventExtensions", 1, "false,false,false", "2||true|"),
        ("seal", 2, "false,true,false", "2||false|a"),
        ("freeze", 3, "true,true,false", "1||false|a"),
    ],
)
def test_integrity_survives_the_heap_encoding(fn, level, predicates, after):
    import json

    from scxmlc_runtime.js.heap import HeapReader, HeapWriter
    from scxmlc_runtime.js.values import ACCESSORS_EXIST

    o = evaluate(f"(function () {{ var o = Object.create(null); o.a = 1; return Object.{fn}(o); }})()")
    w = HeapWriter()
    ref = w.value(o)
    heap = json.loads(json.dumps(w.heap))
    saved = ACCESSORS_EXIST[0]
    ACCESSORS_EXIST[0] = False  # (as in a fresh process: the reader must turn the checks on)
    try:
        back = HeapReader(heap).value(ref)
        assert ACCESSORS_EXIST[0] is True
    finally:
        ACCESSORS_EXIST[0] = ACCESSORS_EXIST[0] or saved
    assert type(back) is rt.JSObject and back is not o and back.integrity == level
    dm = rt.new_globals({"o": back})
    assert evaluate("[Object.isFrozen(o), Object.isSealed(o), Object.isExtensible(o)].join()", dm) == predicates
    assert evaluate("(function () { o.a = 2; o.c = 3; var r = [o.a, o.c]; r.push(delete o.a); r.push(Object.keys(o).join()); return r.join('|'); })()", dm) == after


def test_a_restored_accessor_turns_the_accessor_checks_on():
    # (in a fresh process, e.g. a server restarted, an inherited setter restored from a snapshot
    # was skipped: a write made an own data property instead of calling it)
    import json

    from scxmlc_runtime.js.heap import HeapReader, HeapWriter
    from scxmlc_runtime.js.values import ACCESSORS_EXIST

    o = evaluate("(function () { var p = Object.create(Object.prototype); Object.defineProperty(p, 'x', {set: Math.max}); return Object.create(p); })()")
    w = HeapWriter()
    ref = w.value(o)
    heap = json.loads(json.dumps(w.heap))
    saved = ACCESSORS_EXIST[0]
    ACCESSORS_EXIST[0] = False  # (as in a fresh process)
    try:
        back = HeapReader(heap).value(ref)
        dm = rt.new_globals({"o": back})
        # (a built-in setter, which the heap stores by name: it runs, and o gets no own x)
        assert evaluate("(function () { o.x = 5; return Object.keys(o).join(); })()", dm) == ""
    finally:
        ACCESSORS_EXIST[0] = ACCESSORS_EXIST[0] or saved


@pytest.mark.parametrize(
    "src, expected",
    [  # (V8's answers)
        ("[1, 2, 3].at(-1)", 3.0),
        ("[1, 2, 3].at(1.7)", 2.0),
        ("String([1, 2, 3].at(5))", "undefined"),
        ("String([, 1].at(0))", "undefined"),
        ("[1, 2, 3, 4].findLast(function (x) { return x % 2 == 1; })", 3.0),
        ("[1, 2, 3, 4].findLastIndex(function (x) { return x < 3; })", 1.0),
        ("[1, 2, 3, 4].findLastIndex(function (x) { return x > 5; })", -1.0),
        ("JSON.stringify([1, [2, [3]], 4].flatMap(function (x) { return x; }))", "[1,2,[3],4]"),
        ("JSON.stringify([[1, 2], 3].flatMap(function (x, i) { return [x, i]; }))", "[[1,2],0,3,1]"),
        ("JSON.stringify([1, 2, 3, 4, 5].copyWithin(0, 3))", "[4,5,3,4,5]"),
        ("JSON.stringify([1, 2, 3, 4, 5].copyWithin(-2, 0, 2))", "[1,2,3,1,2]"),
        ("JSON.stringify([1, 2, 3, 4, 5].copyWithin(1, 3, 4))", "[1,4,3,4,5]"),
        ("Object.hasOwn({a: 1}, 'a') && !Object.hasOwn({a: 1}, 'toString') && Object.hasOwn('ab', 'length')", True),
        ("JSON.stringify(Object.getOwnPropertyDescriptors({a: 1}))", '{"a":{"value":1,"writable":true,"enumerable":true,"configurable":true}}'),
    ],
)
def test_the_later_editions_built_ins_that_v8_has(src, expected):
    assert evaluate(src) == expected


def test_json_stringify_writes_a_surrogate_pair_as_its_character_and_escapes_a_lone_one():
    # (V8's answers; a pair written as escapes is two code points here, see Strings)
    assert evaluate('JSON.stringify("\\ud83d\\ude00")') == '"\U0001f600"'
    assert evaluate('JSON.stringify("\\ud83d")') == '"\\ud83d"'
    assert evaluate('JSON.stringify("\\ude00\\ud83d")') == '"\\ude00\\ud83d"'
    assert evaluate('JSON.stringify({"\\ud83d\\ude00": "x\\ud83d"})') == '{"\U0001f600":"x\\ud83d"}'
