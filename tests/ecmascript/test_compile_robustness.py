"""Whatever text a chart holds, the Transpiler either returns code or raises
ECMAScriptSyntaxError: no other exception may escape the compiler (hypothesis-generated token
soups, mostly invalid, some valid)."""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scxmlc.ecmascript import ECMAScriptSyntaxError, Transpiler

TOKENS = [
    "a", "b", "_event", "this", "arguments", "super", "new", "function", "class", "extends", "return",
    "var", "let", "const", "if", "else", "for", "while", "do", "in", "of", "break", "continue",
    "switch", "case", "default", "try", "catch", "finally", "throw", "typeof", "void", "delete",
    "get", "set", "static", "yield", "async", "await", "L:", "=>", "...", "=", "+=", "==", "===",
    "+", "-", "*", "/", "%", "**", "++", "--", "!", "~", "&&", "||", "?", ":", ",", ";", ".",
    "(", ")", "[", "]", "{", "}", "1", "0.5", "'s'", "`t${", "}`", "/re/g", "null", "undefined",
]


@settings(max_examples=400, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14), st.sampled_from(["expr", "cond", "script", "assign"]))
def test_only_syntax_errors_escape(tokens, kind):
    src = " ".join(tokens)
    t = Transpiler()
    try:
        if kind == "expr":
            out = [ast.Expr(t.expr(src))]
        elif kind == "cond":
            out = [ast.Expr(t.cond(src))]
        elif kind == "assign":
            out = t.assign(src, ast.Constant(1.0))
        else:
            out = t.script(src)
    except ECMAScriptSyntaxError:
        return
    fn = ast.FunctionDef(
        name="_probe",
        args=ast.arguments(posonlyargs=[], args=[ast.arg("_dm")], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=out or [ast.Pass()],
        decorator_list=[],
        returns=None,
        type_params=[],
    )
    compile(ast.unparse(ast.fix_missing_locations(ast.Module([fn], []))), "<probe>", "exec")


@settings(max_examples=400, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14), st.sampled_from(["expr", "cond", "region"]))
def test_fast_paths_give_code_or_none(tokens, kind):
    """The optional speculative fast paths never raise: code, or None (no fast path)."""
    src = " ".join(tokens)
    t = Transpiler(hoist_event=True, declared=frozenset({"a", "b"}))
    if kind == "expr":
        nodes = [t.fast_expr(src, always=True)]
    elif kind == "cond":
        nodes = [t.fast_cond(src, always=True)]
    else:
        region = t.fast_assigns([("a", src), ("b", src)])
        nodes = [v for _, v in region] if region else [None]
    for node in nodes:
        if node is not None:
            compile(ast.unparse(ast.fix_missing_locations(ast.Expression(node))), "<probe>", "eval")
