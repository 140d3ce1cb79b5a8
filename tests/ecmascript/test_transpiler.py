"""The Transpiler API: what each method accepts, rejects, and returns."""

from __future__ import annotations

import ast

import pytest

import scxmlc_runtime.js as rt
from scxmlc.ecmascript import ECMAScriptSyntaxError, Transpiler

from .jsrun import compile_unit, condition, evaluate, run_script, throws


def run_assign(location: str, value: float, dm: dict) -> dict:
    t = Transpiler()
    fn = compile_unit(t, t.assign(location, ast.Constant(value)))
    fn(dm)
    return dm


def test_cond_returns_python_bool():
    for src in ("1", "'x'", "[]", "null", "a", "a && b", "!a", "a == 1"):
        dm = rt.new_globals({"a": 1.0, "b": "s"})
        assert type(condition(src, dm)) is bool, src


def test_expr_tolerates_trailing_semicolon_and_bare_literals():
    assert evaluate("1 + 1;") == 2.0
    assert rt.to_py(evaluate("{a: 1}")) == {"a": 1}
    assert evaluate("function (x) { return x; }").name == ""
    assert evaluate("function named() {}").name == "named"


@pytest.mark.parametrize("src", ["", "   ", ";", "1); x(", "x)(y", "(", "a b", "return", "var x = 1", "if (a) b", "{a: 1}; 2"])
def test_expr_rejects(src):
    with pytest.raises(ECMAScriptSyntaxError):
        Transpiler().expr(src)


def test_syntax_error_position():
    with pytest.raises(ECMAScriptSyntaxError) as info:
        Transpiler().script("var a = 1;\nvar b = ;")
    assert info.value.line == 2
    with pytest.raises(ECMAScriptSyntaxError) as info:
        Transpiler().expr("1 +")
    assert info.value.line == 1


def test_assign_identifier_and_member():
    dm = run_assign("x", 5.0, rt.new_globals())
    assert dm["x"] == 5.0
    dm = run_assign("o.p", 6.0, rt.new_globals({"o": {}}))
    assert dm["o"] == {"p": 6.0}
    dm = run_assign("o['q r']", 7.0, rt.new_globals({"o": {}}))
    assert dm["o"]["q r"] == 7.0
    dm = run_assign("a[1]", 8.0, rt.new_globals({"a": rt.to_js([0, 0])}))
    assert dm["a"] == [0.0, 8.0]


def test_assign_run_time_errors():
    # W3C test 286-style: foo.bar.baz with foo.bar undefined fails when run, with a TypeError.
    name, _ = throws(run_assign, "foo.bar.baz", 1.0, rt.new_globals({"foo": {}}))
    assert name == "TypeError"
    name, _ = throws(run_assign, "nothing.x", 1.0, rt.new_globals())
    assert name == "ReferenceError"
    for system in ("_event", "_sessionid", "_name", "_ioprocessors"):
        name, _ = throws(run_assign, system, 1.0, rt.new_globals({system: "v"}))
        assert name == "TypeError", system


@pytest.mark.parametrize("location", ["1", "'x'", "f()", "a + b", "new A()", "a = b", "[a]", "this"])
def test_assign_rejects_non_references(location):
    with pytest.raises(ECMAScriptSyntaxError):
        Transpiler().assign(location, ast.Constant(1.0))


def test_helpers_accumulate_and_exist():
    t = Transpiler()
    t.expr("a + b")
    t.cond("x.y > 2")
    t.script("for (var k in o) { try { f(k); } catch (e) {} }")
    assert {"js_add", "js_getp", "js_for_in", "JSThrow"} <= t.helpers
    for name in t.helpers:
        assert hasattr(rt, name), name


def test_output_is_deterministic():
    src = "function f(a) { let b = a + 1; return function () { return b; }; } var g = f(1);"
    a = ast.unparse(ast.fix_missing_locations(ast.Module(Transpiler().script(src), [])))
    b = ast.unparse(ast.fix_missing_locations(ast.Module(Transpiler().script(src), [])))
    assert a == b


def test_names_unique_across_calls_in_one_function():
    # Two <script>s lowered into the same Python function must not share block bindings.
    t = Transpiler()
    body = t.script("{ let x = 1; var f1 = function () { return x; }; }") + t.script("{ let x = 2; var f2 = function () { return x; }; }")
    dm = rt.new_globals()
    compile_unit(t, body)(dm)
    assert dm["f1"].call(rt.UNDEFINED) == 1.0 and dm["f2"].call(rt.UNDEFINED) == 2.0


def test_script_globals_keep_existing_values():
    dm = run_script("var a; var b = 2;", rt.new_globals({"a": "kept"}))
    assert dm["a"] == "kept" and dm["b"] == 2.0
    dm = run_script("var Math;")
    assert rt.js_lookup(dm, "Math") is not rt.UNDEFINED  # a var does not clobber a built-in


def test_script_rejects_system_variable_declarations():
    with pytest.raises(ECMAScriptSyntaxError):
        Transpiler().script("var _event;")


def test_identifier_ok_table():
    t = Transpiler()
    good = ["a", "_x", "$", "ünïcode", "a1", "yield_", "letter"]
    bad = ["", "1a", "a-b", "'continue'", "continue", "class", "let", "null", "true", "_event", "_ioprocessors", "a b"]
    assert all(t.identifier_ok(n) for n in good)
    assert not any(t.identifier_ok(n) for n in bad)


@pytest.mark.parametrize("n", [20, 300, 1000])
def test_long_chains_compile(n):
    # Python's compiler rejects deeply nested expressions; long chains are emitted flat.
    dm = rt.new_globals({"a": 1.0, "s": "x"})
    assert evaluate("+".join(["a"] * n), dm) == float(n)
    assert evaluate("s + " + " + ".join(["a"] * n), dm) == "x" + "1" * n
    assert evaluate(" - ".join(["a"] * n), dm) == float(2 - n)
    assert condition(" && ".join(["a"] * n), dm) is True
    assert condition(" || ".join(["!a"] * n), dm) is False


def test_constant_folding_is_exact():
    t = Transpiler()
    assert ast.unparse(t.expr("1 + 2 * 3")) == "7.0"
    assert ast.unparse(t.expr("'a' + 1 + 2")) == "'a12'"
    assert ast.unparse(t.expr("0.1 + 0.2")) == "0.30000000000000004"
    assert evaluate("5 % -3") == 2.0 and evaluate("1 / 0") == float("inf")


@pytest.mark.parametrize("n", [50, 150])
def test_deep_nesting_within_limits(n):
    dm = rt.new_globals({"f": rt.js_native(lambda this, x=1.0, *_: x, "f")})
    assert evaluate("[" * n + "]" * n) is not None
    assert evaluate("f(" * n + "2" + ")" * n, dm) == 2.0


@pytest.mark.parametrize("src", ["[" * 400 + "]" * 400, "f(" * 400 + ")" * 400, "{a:" * 2000 + "1" + "}" * 2000])
def test_too_deep_is_a_syntax_error(src):
    # Rejected at compile time (a warning and error.execution), never a module that fails to load.
    with pytest.raises(ECMAScriptSyntaxError):
        Transpiler().expr(src)


def test_generated_code_catches_only_what_a_failed_guess_raises():
    # a bug in a fast path (an unbound temporary), RecursionError or MemoryError must surface,
    # not silently run the exact code instead
    for error in (NameError, UnboundLocalError, RecursionError, MemoryError, AttributeError):
        assert not issubclass(error, rt.js_guess_failed), error
    for error in (KeyError, IndexError, TypeError, ZeroDivisionError, OverflowError, ValueError, rt.JSThrow):
        assert issubclass(error, rt.js_guess_failed), error


@pytest.mark.parametrize("a, b, expected", [(-5.0, 3.0, -2.0), (5.0, -3.0, 2.0), (-5.0, -3.0, -2.0), (5.5, 2.0, 1.5)])
def test_fast_remainder_keeps_its_guess_for_every_sign(a, b, expected):
    # the fast path of `%` used to leave the divisor unbound when the dividend was not
    # positive, so its guess failed (UnboundLocalError) every time
    t = Transpiler()
    node = t.fast_expr("a % b", always=True)
    assert node is not None
    fn = compile_unit(t, [], node)
    dm = rt.new_globals()
    dm["a"], dm["b"] = a, b
    assert fn(dm) == expected
