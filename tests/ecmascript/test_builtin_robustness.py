"""Every built-in function, called with odd receivers and arguments, either returns a JS value
or throws a JS exception: no Python exception may escape (the machine would report it as an
internal error instead of error.execution with a JS error name)."""

from __future__ import annotations

import itertools

import pytest

import scxmlc_runtime.js as rt
from scxmlc_runtime.js.values import (
    ARRAY_PROTO,
    BOOLEAN_PROTO,
    BUILTINS,
    DATE_PROTO,
    ERROR_PROTO,
    FUNCTION_PROTO,
    NUMBER_PROTO,
    OBJECT_PROTO,
    REGEXP_PROTO,
    STRING_PROTO,
    load_all_builtins,
)

from .jsrun import evaluate

ODD = [
    0.0, -0.0, 1.0, -1.0, 2.5, float("nan"), float("inf"), -float("inf"), 1e300, 4294967295.0, 2147483648.0,
    "", "abc", "10", "%", "\ud800", True, None, rt.UNDEFINED,
]


def _objects():
    return [
        {},
        rt.to_js([1, 2]),
        rt.JSArray([rt.HOLE, "x"]),
        evaluate("new Date(0)"),
        evaluate("new Date(NaN)"),
        evaluate("/a(b)?/g"),
        evaluate("new Error('e')"),
        evaluate("(function (a) { return a; })"),
        evaluate("Math"),
        evaluate("new String('s')"),
    ]


def _functions():
    load_all_builtins()  # (Date, JSON, Math and the URI functions are made on first use)
    seen = set()
    out = []
    holders = [("", BUILTINS)] + [
        (name, proto)
        for name, proto in (
            ("Object.prototype", OBJECT_PROTO),
            ("Array.prototype", ARRAY_PROTO),
            ("String.prototype", STRING_PROTO),
            ("Number.prototype", NUMBER_PROTO),
            ("Boolean.prototype", BOOLEAN_PROTO),
            ("Function.prototype", FUNCTION_PROTO),
            ("Date.prototype", DATE_PROTO),
            ("RegExp.prototype", REGEXP_PROTO),
            ("Error.prototype", ERROR_PROTO),
        )
    ]
    for prefix, holder in holders:
        for key, value in list(dict.items(holder)):
            candidates = [(f"{prefix}.{key}" if prefix else key, value)]
            if isinstance(value, rt.JSFunction) and value.props:
                candidates += [(f"{key}.{k}", v) for k, v in value.props.items()]
            elif isinstance(value, rt.JSObject) and not prefix:
                candidates += [(f"{key}.{k}", v) for k, v in dict.items(value)]
            for name, f in candidates:
                if isinstance(f, rt.JSFunction) and id(f) not in seen:
                    seen.add(id(f))
                    out.append((name, f))
    return sorted(out, key=lambda p: p[0])


FUNCTIONS = _functions()


def _call(f, this, args):
    try:
        result = f.fn(this, *args)
    except rt.JSThrow:
        return
    assert result is rt.UNDEFINED or result is None or type(result) in (float, str, bool) or isinstance(
        result, (dict, rt.JSArray, rt.JSFunction, rt.HostObject)
    ), (f.name, type(result))
    if f.construct is not None:
        try:
            f.construct(*args)
        except rt.JSThrow:
            pass


def test_there_are_many_builtins():
    assert len(FUNCTIONS) > 200


@pytest.mark.parametrize("name, f", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_odd_calls(name, f):
    objects = _objects()
    for this in ODD[::4] + objects:
        _call(f, this, ())
        for a in ODD[::2] + objects[:2]:
            _call(f, this, (a,))
    natural = objects[1] if "Array" in name else objects[3] if "Date" in name else "abc"
    for a in ODD:
        _call(f, natural, (a,))
    for a, b in itertools.islice(itertools.product(ODD, repeat=2), 0, None, 5):
        _call(f, natural, (a, b))


BINARY_HELPERS = [
    "js_add", "js_sub", "js_mul", "js_div", "js_mod", "js_pow", "js_bitand", "js_bitor", "js_bitxor",
    "js_shl", "js_shr", "js_ushr", "js_eq", "js_ne", "js_strict_eq", "js_strict_ne", "js_lt", "js_gt",
    "js_le", "js_ge", "js_in", "js_instanceof", "js_get", "js_delete", "js_invoke",
]
UNARY_HELPERS = ["js_neg", "js_pos", "js_inc", "js_dec", "js_bitnot", "js_typeof", "js_truthy", "js_to_string", "js_display", "js_str_add", "js_key", "js_spread", "js_for_in", "to_py"]


@pytest.mark.parametrize("helper", BINARY_HELPERS)
def test_binary_helpers_on_odd_values(helper):
    fn = getattr(rt, helper)
    values = ODD + _objects() + [evaluate("({valueOf: function () { throw 1; }})"), evaluate("({toString: function () { return {}; }, valueOf: function () { return {}; }})")]
    for a in values:
        for b in values:
            try:
                fn(a, b)
            except rt.JSThrow:
                pass


@pytest.mark.parametrize("helper", UNARY_HELPERS)
def test_unary_helpers_on_odd_values(helper):
    fn = getattr(rt, helper)
    for a in ODD + _objects():
        try:
            fn(a)
        except rt.JSThrow:
            pass


def test_set_with_odd_keys():
    for key in ODD + _objects()[:3]:
        for target in [{}, rt.to_js([1, 2]), evaluate("new Date(0)"), "str", 1.0]:
            try:
                rt.js_set(target, key, 1.0)
                rt.js_get(target, key)
            except rt.JSThrow:
                pass


def test_parse_int_of_more_digits_than_a_double_holds():
    # int() refuses more than 4,300 digits in a radix that is no power of two (and takes
    # quadratic time below that): a long digit string is Infinity, as in JS, not a ValueError.
    for radix, digits in ((36, "9" * 99_999), (3, "2" * 5_000), (2, "1" * 5_000), (10, "9" * 100_000)):
        assert evaluate(f"parseInt('{digits}', {radix})") == float("inf"), radix
        assert evaluate(f"parseInt('-{digits}', {radix})") == -float("inf"), radix
    # leading zeros do not count, and the largest values still round as doubles do
    assert evaluate("parseInt(Array(6001).join('0') + 'z', 36)") == 35.0
    assert evaluate("parseInt(Array(1024).join('1'), 2)") == float(2**1023 - 1)  # (2^1023)
    assert evaluate("parseInt(Array(1025).join('1'), 2)") == float("inf")  # (2^1024 - 1 rounds up)
    assert evaluate("parseInt('zz.z', 36)") == 1295.0
