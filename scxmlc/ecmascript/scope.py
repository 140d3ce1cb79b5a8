"""Scope analysis: which names a JS function or block declares, and how they map to Python.

JavaScript has function-scoped `var`/function declarations and block-scoped `let`/`const`/
`catch` bindings; Python has one scope per function. Every JS binding therefore gets a
Python local name unique within the compilation unit, so block scoping becomes renaming and
closures become Python closures (with `nonlocal` where an inner function assigns).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator


@dataclass
class Binding:
    name: str  # JS name
    py: str  # Python local name
    kind: str  # var | let | const | param | function | catch | class | self
    owner: "FunctionCtx"
    numeric: bool = False  # always holds a number (numeric.py)


@dataclass
class Scope:
    """A JS scope level: a function body or a block."""

    bindings: dict[str, Binding] = field(default_factory=dict)
    parent: "Scope | None" = None
    func: "FunctionCtx | None" = None

    def lookup(self, name: str) -> Binding | None:
        s: Scope | None = self
        while s is not None:
            b = s.bindings.get(name)
            if b is not None:
                return b
            s = s.parent
        return None


@dataclass
class JumpTarget:
    """A JS construct that `break`/`continue` can target, compiled to one Python loop."""

    kind: str  # loop | switch | block
    labels: frozenset
    ident: int
    has_continue: bool = False  # a continue targets it (for-loops then need the flag form)
    pending: set = field(default_factory=set)  # jump codes that must propagate past it


@dataclass
class FunctionCtx:
    """One Python function being generated (a JS function, or the top-level unit)."""

    parent: "FunctionCtx | None"
    is_arrow: bool = False
    lambda_mode: bool = False  # compiled to a Python lambda (expression contexts)
    top: bool = False  # the unit's top level (globals live in _dm)
    nonlocals: set = field(default_factory=set)
    jumps: list = field(default_factory=list)
    this_name: str = "_this"
    args_name: str = "_targs"
    uses_jump_flag: bool = False
    captured: set = field(default_factory=set)
    factory: bool = False  # made by a hoisted factory (factory_function): enclosing variables are copies
    loop_body: bool = False  # the body of a loop with per-iteration bindings (see statements.py)
    escapes: set = field(default_factory=set)  # jump codes a loop body hands back to its loop
    returns: bool = False  # a loop body contains `return`
    per_iteration: list = field(default_factory=list)  # a loop body's per-iteration bindings
    numeric: set = field(default_factory=set)  # names of numeric locals (numeric.py)
    home: str | None = None  # class methods: the Python name holding their class (for super)
    home_static: bool = False
    class_ctor: bool = False  # a class constructor (super(...) allowed)
    # strict code (ES5.1 10.1.1: a Use Strict Directive, a strict enclosing function, class
    # code): `this` is passed as it is, never coerced to the global object (10.4.3)
    strict: bool = False
    # the Python name that holds this function's own JSFunction, for `arguments.callee`
    # (non-strict functions that use `arguments`: ES5.1 10.6 step 13)
    callee: str | None = None


def walk(node: Any) -> Iterator[Any]:
    """Every esprima node under `node` (inclusive), not descending into nested functions."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        if isinstance(n, list):
            stack.extend(reversed(n))
            continue
        if not hasattr(n, "type"):
            continue
        yield n
        if n is not node and n.type in ("FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"):
            continue
        for key, value in vars(n).items():
            if key in ("loc", "range", "type", "regex"):
                continue
            if isinstance(value, list) or hasattr(value, "type"):
                stack.append(value)


def walk_all(node: Any) -> Iterator[Any]:
    """Every esprima node under `node`, nested functions included."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        if isinstance(n, list):
            stack.extend(reversed(n))
            continue
        if not hasattr(n, "type"):
            continue
        yield n
        for key, value in vars(n).items():
            if key in ("loc", "range", "type", "regex"):
                continue
            if isinstance(value, list) or hasattr(value, "type"):
                stack.append(value)


def pattern_names(p: Any) -> list[str]:
    """Names bound by a binding pattern (identifier, object/array destructuring)."""
    if p is None:
        return []
    t = p.type
    if t == "Identifier":
        return [p.name]
    if t == "ObjectPattern":
        out = []
        for prop in p.properties:
            out.extend(pattern_names(prop.argument if prop.type == "RestElement" else prop.value))
        return out
    if t == "ArrayPattern":
        out = []
        for e in p.elements:
            out.extend(pattern_names(e))
        return out
    if t == "AssignmentPattern":
        return pattern_names(p.left)
    if t == "RestElement":
        return pattern_names(p.argument)
    return []


def var_declarations(body: Any) -> tuple[list[str], list[Any]]:
    """(var-declared names, function declarations) of a function body or script, in source
    order (ES5.1 10.5 Declaration Binding Instantiation), not looking into nested functions.
    Function declarations nested in blocks are included (Annex B.3.3 hoists them)."""
    names: list[str] = []
    funcs: list[Any] = []
    for n in walk(body):
        if n.type == "VariableDeclaration" and n.kind == "var":
            for d in n.declarations:
                for name in pattern_names(d.id):
                    if name not in names:
                        names.append(name)
        elif n.type == "FunctionDeclaration" and n is not body:
            funcs.append(n)
    return names, funcs


def use_strict(stmts: list) -> bool:
    """Does this function body or program start with a Use Strict Directive (ES5.1 14.1)? Only
    the directive prologue counts: the leading expression statements that are string literals
    (esprima marks them with `directive`, their raw text, so an escaped `'use\\x20strict'` is
    not one)."""
    for s in stmts:
        d = getattr(s, "directive", None)
        if d is None:
            return False
        if d == "use strict":
            return True
    return False


def lexical_declarations(stmts: list) -> list[tuple[str, str]]:
    """(name, kind) of let/const/class declared directly in a statement list (a block)."""
    out = []
    for s in stmts:
        if s.type == "VariableDeclaration" and s.kind in ("let", "const"):
            for d in s.declarations:
                for name in pattern_names(d.id):
                    out.append((name, s.kind))
        elif s.type == "ClassDeclaration" and s.id is not None:
            out.append((s.id.name, "class"))
    return out


_FUNCTIONS = ("FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression")


def free_references(text: str, name: str) -> list[tuple[int, int, bool, bool]] | None:
    """Where the script or expression `text` refers to the variable `name` that it does not
    declare itself: (start, end, assigned, shorthand) of each such identifier, or None when
    `text` is neither. Not counted: property names, a function's parameters and own variables
    (and what refers to them), labels. Assigned: the target of `=`, `+=`, `++` and the like,
    or declared outside any function (a global). Shorthand: `{name}` (the span is the whole
    property). ORS includes replace `_my_prefix` so (compose.py, ors-dialect.md §3.5)."""
    from . import _parse_script  # (this package's parser: scope.py is imported by it)

    tree, shift = None, 0
    for candidate, offset in ((text, 0), ("(\n" + text + "\n)", 2)):
        try:
            tree, shift = _parse_script(candidate), offset
            break
        except Exception:  # noqa: BLE001 - esprima's own error type
            continue
    if tree is None:
        return None
    spans: list[tuple[int, int, bool, bool]] = []

    def declared(fn: Any) -> set:
        names = {n for p in fn.params for n in pattern_names(p)}
        if fn.type == "FunctionExpression" and fn.id is not None:
            names.add(fn.id.name)
        body = fn.body
        if body.type == "BlockStatement":
            vars_, funcs = var_declarations(body)
            names.update(vars_, (f.id.name for f in funcs))
            for n in walk(body):
                if n.type == "BlockStatement":
                    names.update(d for d, _ in lexical_declarations(n.body))
                elif n.type == "CatchClause" and n.param is not None:
                    names.update(pattern_names(n.param))
        return names

    def span(node: Any, assigned: bool, shorthand: bool = False) -> None:
        spans.append((node.range[0] - shift, node.range[1] - shift, assigned, shorthand))

    def is_it(node: Any) -> bool:
        return node is not None and node.type == "Identifier" and node.name == name

    # (node, names bound there, whether it is an assignment's target, outside any function)
    stack: list = [(tree.body, frozenset(), False, True)]
    while stack:
        n, bound, assigned, top = stack.pop()
        if n is None:
            continue
        if isinstance(n, list):
            stack.extend((x, bound, assigned, top) for x in n)
            continue
        if not hasattr(n, "type"):
            continue
        t = n.type
        if t == "Identifier":
            if n.name == name and name not in bound:
                span(n, assigned)
            continue
        if t in _FUNCTIONS:
            if t == "FunctionDeclaration" and top and is_it(n.id):
                span(n.id, True)
            inner = bound | declared(n)
            stack.extend((p.right, inner, False, False) for p in n.params if p.type == "AssignmentPattern")
            stack.append((n.body, inner, False, False))
        elif t == "AssignmentExpression":
            stack.append((n.left, bound, True, top))
            stack.append((n.right, bound, False, top))
        elif t == "UpdateExpression":
            stack.append((n.argument, bound, True, top))
        elif t == "MemberExpression":
            stack.append((n.object, bound, False, top))
            if n.computed:
                stack.append((n.property, bound, False, top))
        elif t == "Property":
            if getattr(n, "shorthand", False) and n.value.type == "Identifier":
                if n.value.name == name and name not in bound:
                    span(n, False, shorthand=True)
                continue
            if n.computed:
                stack.append((n.key, bound, False, top))
            stack.append((n.value, bound, False, top))
        elif t == "VariableDeclarator":
            if top and is_it(n.id):
                span(n.id, True)  # (a global declared: an assignment of it)
            stack.append((n.init, bound, False, top))
        elif t in ("LabeledStatement", "BreakStatement", "ContinueStatement"):
            stack.append((getattr(n, "body", None), bound, False, top))
        elif t == "CatchClause":
            stack.append((n.body, bound | set(pattern_names(n.param) if n.param is not None else ()), False, top))
        else:
            for key, value in vars(n).items():
                if key not in ("loc", "range", "type", "regex") and (isinstance(value, list) or hasattr(value, "type")):
                    stack.append((value, bound, False, top))
    return spans
