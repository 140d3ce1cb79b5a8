"""Test harness: compile JS with the Transpiler and run it against the runtime."""

from __future__ import annotations

import ast
from typing import Any

import scxmlc_runtime.js as rt
from scxmlc.ecmascript import Transpiler


def _namespace(t: Transpiler) -> dict:
    return {n: getattr(rt, n) for n in sorted(t.helpers)}


def _function(body: list[ast.stmt], ret: ast.expr | None = None) -> ast.Module:
    stmts = list(body) or [ast.Pass()]
    if ret is not None:
        stmts.append(ast.Return(ret))
    fn = ast.FunctionDef(
        name="_unit",
        args=ast.arguments(posonlyargs=[], args=[ast.arg("_dm")], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=stmts,
        decorator_list=[],
        returns=None,
        type_params=[],
    )
    mod = ast.Module([fn], [])
    ast.fix_missing_locations(mod)
    return mod


def compile_unit(t: Transpiler, body: list[ast.stmt], ret: ast.expr | None = None):
    mod = _function([*t.hoisted_for([*body, *([ret] if ret is not None else [])]), *body], ret)
    ns = _namespace(t)
    exec(compile(ast.unparse(mod), "<js>", "exec"), ns)
    return ns["_unit"]


def run_script(src: str, dm: dict | None = None) -> dict:
    """Run a <script>; return the datamodel."""
    t = Transpiler()
    fn = compile_unit(t, t.script(src))
    dm = dm if dm is not None else rt.new_globals()
    fn(dm)
    return dm


def evaluate(src: str, dm: dict | None = None, compact: bool = False) -> Any:
    """Value of an expression (`compact`: the exact code as emitted behind a fast path)."""
    t = Transpiler()
    fn = compile_unit(t, [], t.expr(src, compact=compact))
    return fn(dm if dm is not None else rt.new_globals())


def condition(src: str, dm: dict | None = None, compact: bool = False) -> bool:
    t = Transpiler()
    fn = compile_unit(t, [], t.cond(src, compact=compact))
    return fn(dm if dm is not None else rt.new_globals())


def script_value(src: str, result: str = "result") -> Any:
    """Run a script and return the global `result`."""
    return run_script(src)[result]


def throws(fn, *args) -> tuple[str, str]:
    """(name, message) of the JS exception fn(*args) throws; AssertionError if none."""
    try:
        fn(*args)
    except rt.JSThrow as exc:
        return rt.error_name_message(exc.value)
    raise AssertionError("expected a JS exception")
