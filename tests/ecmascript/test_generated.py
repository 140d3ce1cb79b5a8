"""Hypothesis-generated mixed-type expressions, checked against V8.

The grammar mixes literals of every type with variables (whose types the compiler cannot
see), unary, binary, logical and conditional operators, member access and a few calls, so
both the typed fast paths and the generic helpers get exercised on the same shapes.
Derandomised: the same examples run every time.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .differential import V8, ours_expr, ours_fast, same

pytest.importorskip("py_mini_racer")

LITERALS = [
    "0", "-0", "1", "2", "-1", "0.5", "1e21", "1e-7", "NaN", "Infinity", "-Infinity", "4294967296",
    "''", "'0'", "'1'", "'12'", "' 3 '", "'a'", "'abc'", "'0x10'", "'1e3'", "'-'",
    "true", "false", "null", "undefined", "[]", "[1]", "[1, 2]", "['a']", "{}", "({a: 1})",
]
VARIABLES = ["n0", "n1", "n2", "nm1", "nneg0", "nhalf", "nnan", "ninf", "s0", "s1", "s12", "sa", "ssp", "shex", "t", "f", "nul", "und", "a0", "a1", "a3", "o0", "o1"]
BINARY = ["+", "-", "*", "/", "%", "**", "==", "!=", "===", "!==", "<", ">", "<=", ">=", "&", "|", "^", "<<", ">>", ">>>", "&&", "||"]
UNARY = ["-", "+", "!", "~", "typeof ", "void "]
SUFFIX = [".length", "[0]", "[1]", ".a", ".toString()", ".valueOf()"]


def expressions():
    atom = st.sampled_from(LITERALS + VARIABLES)

    def extend(inner):
        return st.one_of(
            st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(BINARY), inner),
            st.builds(lambda op, a: f"({op}{a})", st.sampled_from(UNARY), inner),
            st.builds(lambda c, a, b: f"({c} ? {a} : {b})", inner, inner, inner),
            st.builds(lambda a, s: f"({a}){s}", inner, st.sampled_from(SUFFIX)),
            st.builds(lambda f, a: f"{f}({a})", st.sampled_from(["String", "Number", "Boolean", "parseInt", "parseFloat", "isNaN", "Math.floor", "Math.abs", "JSON.stringify"]), inner),
        )

    return st.recursive(atom, extend, max_leaves=6)


_v8: list = []


def v8() -> V8:
    if not _v8:
        _v8.append(V8())
    return _v8[0]


@settings(max_examples=700, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(expressions())
def test_generated_expression(src):
    theirs = v8().expr(src)
    ours = ours_expr(src)
    assert same(theirs, ours), f"{src}\n  V8:     {theirs}\n  scxmlc: {ours}"
    fast = ours_fast(src)  # the speculative fast path alone: gives up, or agrees
    assert fast is None or same(theirs, fast), f"fast path of {src}\n  V8:     {theirs}\n  fast:   {fast}"
