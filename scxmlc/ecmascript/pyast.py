"""Small constructors for Python `ast` nodes used by the code generator."""

from __future__ import annotations

import ast
from typing import Any


def name(n: str) -> ast.Name:
    return ast.Name(n, ast.Load())


def store(n: str) -> ast.Name:
    return ast.Name(n, ast.Store())


def const(v: Any) -> ast.Constant:
    return ast.Constant(v)


def call(func: str | ast.expr, *args: ast.expr, starred: bool = False) -> ast.Call:
    f = name(func) if isinstance(func, str) else func
    return ast.Call(f, list(args), [])


def walrus(n: str, value: ast.expr) -> ast.NamedExpr:
    return ast.NamedExpr(store(n), value)


def seq(*items: ast.expr) -> ast.expr:
    """Evaluate items left to right, value of the last: `(a, b, c)[-1]`."""
    if len(items) == 1:
        return items[0]
    return ast.Subscript(ast.Tuple(list(items), ast.Load()), const(-1), ast.Load())


def is_(a: ast.expr, b: ast.expr) -> ast.Compare:
    return ast.Compare(a, [ast.Is()], [b])


def type_of(e: ast.expr) -> ast.Call:
    return call("type", e)


def class_of(e: ast.expr) -> ast.Attribute:
    """`e.__class__`: type(e), read as an attribute rather than called (faster), for values
    of the runtime's own types (a proxy's `__class__` may name another class, and runs code:
    the host's objects are checked with type_of)."""
    return ast.Attribute(e, "__class__", ast.Load())


def ifexp(test: ast.expr, body: ast.expr, orelse: ast.expr) -> ast.IfExp:
    return ast.IfExp(test, body, orelse)


def not_(e: ast.expr) -> ast.expr:
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
        return e.operand
    return ast.UnaryOp(ast.Not(), e)


def assign(target: ast.expr, value: ast.expr) -> ast.Assign:
    return ast.Assign([target], value)


def expr_stmt(e: ast.expr) -> ast.Expr:
    return ast.Expr(e)


def subscript(value: ast.expr, key: ast.expr, ctx=None) -> ast.Subscript:
    return ast.Subscript(value, key, ctx or ast.Load())


def is_pure(e: ast.expr) -> bool:
    """Evaluating e has no side effects and cannot throw (so it may be evaluated twice)."""
    if isinstance(e, ast.Constant):
        return True
    if isinstance(e, ast.Name):
        return True
    if isinstance(e, ast.UnaryOp) and isinstance(e.operand, ast.Constant):
        return True
    return False


def names_tuple(names) -> ast.Tuple:
    """A tuple of string constants (`("a", "b")`)."""
    return ast.Tuple([const(n) for n in names], ast.Load())
