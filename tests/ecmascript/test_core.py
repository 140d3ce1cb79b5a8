"""Core expression and statement semantics (quick checks; the V8 differential test covers breadth)."""

from __future__ import annotations

import math

import pytest

import scxmlc_runtime.js as rt
from scxmlc.ecmascript import ECMAScriptSyntaxError, Transpiler

from .jsrun import condition, evaluate, run_script, script_value, throws


@pytest.mark.parametrize(
    "src, expected",
    [
        ("1 + 2 * 3", 7.0),
        ("'a' + 1", "a1"),
        ("1 + '2'", "12"),
        ("'3' * '4'", 12.0),
        ("[1,2] + ''", "1,2"),
        ("({}) + ''", "[object Object]"),
        ("7 % -3", 1.0),
        ("-7 % 3", -1.0),
        ("1 / 0", math.inf),
        ("-1 / 0", -math.inf),
        ("0.1 + 0.2", 0.30000000000000004),
        ("String(1e21)", "1e+21"),
        ("String(123456789012345680000)", "123456789012345680000"),
        ("String(0.000001)", "0.000001"),
        ("String(1e-7)", "1e-7"),
        ("(-1 >>> 0)", 4294967295.0),
        ("1 << 31", -2147483648.0),
        ("~5", -6.0),
        ("typeof undeclared", "undefined"),
        ("typeof null", "object"),
        ("typeof function(){}", "function"),
        ("typeof Math", "object"),
        ("null == undefined", True),
        ("null === undefined", False),
        ("'1' == 1", True),
        ("NaN == NaN", False),
        ("[1] == 1", True),
        ("'b' > 'a'", True),
        ("'10' < '9'", True),
        ("'10' < 9", False),
        ("void 0", rt.UNDEFINED),
        ("(1, 2, 3)", 3.0),
        ("0 || 'x'", "x"),
        ("1 && 'y'", "y"),
        ("`a${1+1}b`", "a2b"),
        # a number (not folded) divided by a constant that is no number: ToNumber of it, not
        # Python's `/` (TypeError: unsupported operand types)
        ("(function (x) { return (x * 2) / '2'; })(3)", 3.0),
        ("(function (x) { return (x * 2) / 'b'; })(3)", math.nan),
        ("(function (x) { return (x * 2) / null; })(3)", math.inf),
        ("(function (x) { return (x * 2) / true; })(3)", 6.0),
        ("(function (x) { return -(x * 2) / '0'; })(3)", -math.inf),
    ],
)
def test_expressions(src, expected):
    result = evaluate(src)
    if isinstance(expected, float) and math.isnan(expected):
        assert result != result
    else:
        assert result == expected and type(result) is type(expected)


def test_negative_zero():
    assert math.copysign(1, evaluate("-0")) == -1
    assert evaluate("1 / -0") == -math.inf
    assert evaluate("String(-0)") == "0"


def test_undeclared_read_is_reference_error():
    name, message = throws(evaluate, "nosuchvar + 1")
    assert name == "ReferenceError" and message == "nosuchvar is not defined"


def test_condition_truthiness():
    assert condition("'0'") is True
    assert condition("''") is False
    assert condition("NaN") is False
    assert condition("[]") is True
    assert condition("({})") is True


def test_w3c_starts_with_function():
    src = (
        "(function(str, starts){if (starts === '') return true;if (str == null || starts == null) return false;"
        "str = String(str); starts = String(starts);return str.length >= starts.length && "
        "str.slice(0, starts.length) === starts;})(Var1, Var2)"
    )
    dm = rt.new_globals({"Var1": "abc", "Var2": "ab"})
    assert condition(src, dm) is True
    dm["Var2"] = "x"
    assert condition(src, dm) is False


def test_script_globals_and_functions():
    dm = run_script("var x = 1; function f(a) { return a + x; } var y = f(2); z = 3;")
    assert dm["x"] == 1.0 and dm["y"] == 3.0 and dm["z"] == 3.0


def test_closures_and_counters():
    src = """
    function counter() { var n = 0; return function() { n += 1; return n; }; }
    var c = counter(); c(); c();
    var result = c();
    """
    assert script_value(src) == 3.0


def test_labelled_loops_and_switch():
    src = """
    var out = [];
    outer: for (var i = 0; i < 3; i++) {
      for (var j = 0; j < 3; j++) {
        if (j == 1) continue outer;
        if (i == 2) break outer;
        out.push(i + ':' + j);
      }
    }
    switch (2) { case 1: out.push('one'); case 2: out.push('two'); case 3: out.push('three'); break; default: out.push('d'); }
    var result = out.join(',');
    """
    assert script_value(src) == "0:0,1:0,two,three"


def test_try_catch_finally():
    src = """
    var log = [];
    try { null.x; } catch (e) { log.push(e instanceof TypeError, e.name); } finally { log.push('f'); }
    try { throw {code: 7}; } catch (e) { log.push(e.code); }
    var result = log.join(',');
    """
    assert script_value(src) == "true,TypeError,f,7"


def test_new_with_user_constructor():
    src = """
    function P(x) { this.x = x; }
    P.prototype.get = function() { return this.x; };
    var p = new P(4);
    var result = [p.get(), p instanceof P, p.constructor === P, Object.keys(p).join()].join();
    """
    assert script_value(src) == "4,true,true,x"


def test_readonly_system_variables():
    t = Transpiler()
    name, _ = throws(run_script, "_event = 1;")
    assert name == "TypeError"


@pytest.mark.parametrize("src", ["return", "var e = eval", "a b", "with (a) {}"])
def test_rejected_at_compile_time(src):
    with pytest.raises(ECMAScriptSyntaxError):
        Transpiler().expr(src)


def test_assignment_location_errors():
    t = Transpiler()
    with pytest.raises(ECMAScriptSyntaxError):
        t.assign('"1"', rt_const(1.0))
    # foo.bar.baz is fine syntactically; it fails when run because foo.bar is undefined.
    assert t.assign("foo.bar.baz", rt_const(1.0))


def rt_const(v):
    import ast

    return ast.Constant(v)


def test_identifier_ok():
    t = Transpiler()
    assert t.identifier_ok("item")
    assert t.identifier_ok("$x")
    assert not t.identifier_ok("'continue'")
    assert not t.identifier_ok("continue")
    assert not t.identifier_ok("1abc")
