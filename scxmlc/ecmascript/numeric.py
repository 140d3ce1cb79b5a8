"""Which local variables of a function always hold numbers (so reads can skip type tests).

A `var`/`let`/`const` local is numeric when, in its function:
- it is declared exactly once, not as a parameter, and no nested function mentions it (a
  closure could run before the initialisation, or assign it);
- its first textual occurrence is the declarator of a declaration with an initialiser that is
  a statement of the function body itself, or the head of a `for` statement that is one
  (straight-line code: nothing can read it before that initialiser has run), and that
  initialiser does not read it;
- every assignment to it (initialiser, `=`, compound assignment, `++`/`--`) yields a number
  when all numeric locals hold numbers (a greatest fixpoint: start from all candidates and
  drop any with a non-numeric assignment until nothing changes);
- it is never the target of for-in/for-of or destructuring.

The static types used are those the code generator itself assigns (compiler.Typed), so a
numeric local is a Python float at run time.
"""

from __future__ import annotations

from typing import Any

from .scope import pattern_names, walk, walk_all

_FUNCTIONS = ("FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression")
_ALWAYS_NUMBER_BINARY = {"-", "*", "/", "%", "**", "&", "|", "^", "<<", ">>", ">>>"}
_ALWAYS_NUMBER_UNARY = {"-", "+", "~"}


def expression_is_number(node: Any, numeric: set[str]) -> bool:
    """Does `node` always evaluate to a number, given that the `numeric` names hold numbers?"""
    t = node.type
    if t == "Literal":
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool) and getattr(node, "regex", None) is None
    if t == "Identifier":
        return node.name in numeric
    if t == "UnaryExpression":
        return node.operator in _ALWAYS_NUMBER_UNARY
    if t == "UpdateExpression":
        return True
    if t == "BinaryExpression":
        if node.operator in _ALWAYS_NUMBER_BINARY:
            return True
        if node.operator == "+":
            return expression_is_number(node.left, numeric) and expression_is_number(node.right, numeric)
        return False
    if t == "AssignmentExpression":
        if node.operator == "=":
            return expression_is_number(node.right, numeric)
        if node.operator == "+=":
            return expression_is_number(node.left, numeric) and expression_is_number(node.right, numeric)
        return node.operator[:-1] in _ALWAYS_NUMBER_BINARY
    if t == "ConditionalExpression":
        return expression_is_number(node.consequent, numeric) and expression_is_number(node.alternate, numeric)
    if t == "LogicalExpression":
        return node.operator in ("&&", "||") and expression_is_number(node.left, numeric) and expression_is_number(node.right, numeric)
    if t == "SequenceExpression":
        return expression_is_number(node.expressions[-1], numeric)
    return False


def numeric_locals(fn: Any, params: set[str]) -> set[str]:
    """Names of the numeric locals of function node `fn` (see the module docstring)."""
    body = fn.body
    if body.type != "BlockStatement":
        return set()
    declared: dict[str, int] = {}
    first_decl: dict[str, Any] = {}  # name -> declarator that may initialise it first
    for stmt in body.body:
        decl = stmt
        if stmt.type == "ForStatement" and stmt.init is not None and stmt.init.type == "VariableDeclaration":
            decl = stmt.init
        if decl.type == "VariableDeclaration":
            for d in decl.declarations:
                if d.id.type == "Identifier" and d.init is not None and d.id.name not in first_decl:
                    first_decl[d.id.name] = d
    disqualified: set[str] = set(params) | {"arguments"}
    assignments: dict[str, list[Any]] = {}
    first_seen: dict[str, int] = {}
    for n in walk(body):
        t = n.type
        if t in _FUNCTIONS:
            for m in walk_all(n):
                if m.type == "Identifier":
                    disqualified.add(m.name)
            if t == "FunctionDeclaration":
                disqualified.add(n.id.name)
            continue
        if t == "VariableDeclaration":
            for d in n.declarations:
                for name in pattern_names(d.id):
                    declared[name] = declared.get(name, 0) + 1
                if d.id.type != "Identifier":
                    disqualified.update(pattern_names(d.id))
                elif d.init is not None:
                    assignments.setdefault(d.id.name, []).append(d.init)
                elif n.kind != "var":
                    disqualified.add(d.id.name)  # `let x;` holds undefined
        elif t in ("ForInStatement", "ForOfStatement"):
            left = n.left
            target = left.declarations[0].id if left.type == "VariableDeclaration" else left
            disqualified.update(pattern_names(target) or ([target.name] if target.type == "Identifier" else []))
        elif t == "AssignmentExpression":
            if n.left.type == "Identifier":
                assignments.setdefault(n.left.name, []).append(n)
            else:
                disqualified.update(pattern_names(n.left))
        elif t == "UpdateExpression":
            pass  # always a number
        elif t == "CatchClause" and n.param is not None:
            disqualified.update(pattern_names(n.param))
        elif t == "Identifier":
            start = n.range[0]
            if n.name not in first_seen or start < first_seen[n.name]:
                first_seen[n.name] = start
    numeric = set()
    for name, d in first_decl.items():
        if name in disqualified or declared.get(name) != 1:
            continue
        if first_seen.get(name) != d.id.range[0]:
            continue  # read or written before its initialiser
        if any(m.type == "Identifier" and m.name == name for m in walk(d.init)):
            continue
        numeric.add(name)
    changed = True
    while changed:
        changed = False
        for name in sorted(numeric):
            for a in assignments.get(name, []):
                value = a if a.type == "AssignmentExpression" else None
                ok = expression_is_number(value, numeric) if value is not None else expression_is_number(a, numeric)
                if not ok:
                    numeric.discard(name)
                    changed = True
                    break
    return numeric
