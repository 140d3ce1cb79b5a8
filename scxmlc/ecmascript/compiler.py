"""Code generation for expressions: esprima ESTree nodes to Python `ast` expressions.

Every expression compiles to a `Typed` pair (Python expression, static JS type or None). The
static type lets operators skip the generic runtime helpers: `a + b` on two numbers is a plain
Python `+`, a comparison result is a Python bool, and where operand types are unknown the
generated code tries an inline guard first, e.g.
`(_t1 + _t2) if type(_t1 := a) is type(_t2 := b) is float else js_add(_t1, _t2)`,
which is exact because for two numbers JS `+` is IEEE addition, i.e. Python's (ES5.1 11.6.3).
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any

from . import pyast as P
from .names import READONLY_GLOBALS
from .scope import Binding, FunctionCtx, Scope
from .speculate import FastPaths
from .types import BOOLEAN, EV, FUNCTION, NULL, NUMBER, OBJECT, PRIMITIVE_KEY, PY_TYPE, STRING, UNDEFINED, Typed

DM = "_dm"
TICKS = "_ticks"  # the unit's tick iterator (tick)


def ticks_binding() -> ast.stmt:
    """`_ticks = js_ticks(_dm)`: what a unit of code that ticks binds first."""
    return ast.Assign([ast.Name(TICKS, ast.Store())], ast.Call(ast.Name("js_ticks", ast.Load()), [ast.Name(DM, ast.Load())], []))
DATA = "_data"  # ORS: the datamodel object

# Constructs rejected at compile time (the runtime has no interpreter to fall back on).
# Dynamic code (ES5.1 15.1.2.1, 15.3.2.1): compiled when run, in the global scope (runtime/js/dynamic.py).
DYNAMIC_CALLEES = {"eval": "js_eval", "Function": "js_new_function"}



_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def code_points(text: str) -> str:
    """A string literal's value as this runtime holds strings, by code point: escapes of a
    surrogate pair (`'\\ud83d\\ude00'`) are the one character they make, as `JSON.parse` and
    `String.fromCharCode` make it ('\\ud83d\\ude00' === '😀', and encodeURIComponent takes
    it); a lone surrogate stays one."""
    return _PAIR.sub(lambda m: chr(0x10000 + ((ord(m[0][0]) - 0xD800) << 10) + (ord(m[0][1]) - 0xDC00)), text) if "\ud800" <= max(text, default="") else text


class Unsupported(Exception):
    """Raised inside the compiler; turned into ECMAScriptSyntaxError with the node position."""

    def __init__(self, message: str, node: Any = None):
        super().__init__(message)
        self.node = node


def _loc(node: Any) -> tuple[int, int]:
    try:
        return node.loc.start.line, node.loc.start.column + 1
    except AttributeError:
        return 1, 1


_BINOP_PY = {"-": ast.Sub, "*": ast.Mult}
_BINOP_HELPER = {
    "-": "js_sub",
    "*": "js_mul",
    "/": "js_div",
    "%": "js_mod",
    "**": "js_pow",
    "&": "js_bitand",
    "|": "js_bitor",
    "^": "js_bitxor",
    "<<": "js_shl",
    ">>": "js_shr",
    ">>>": "js_ushr",
}
_CMP_PY = {"<": ast.Lt, ">": ast.Gt, "<=": ast.LtE, ">=": ast.GtE}
_CMP_HELPER = {"<": "js_lt", ">": "js_gt", "<=": "js_le", ">=": "js_ge"}


class ExprCompiler(FastPaths):
    """Expression half of the code generator (statements.StmtCompiler adds statements): the
    exact code (`ex`), and the fast paths as a second emission policy (speculate.FastPaths)."""

    def __init__(self, unit: Any, source: str, offset: int, lambda_mode: bool):
        self.unit = unit  # the Transpiler: shared counters and helper set
        self.source = source
        self.offset = offset
        self.func = FunctionCtx(None, top=True, lambda_mode=lambda_mode)
        self.func.this_name = DM
        self.scope = Scope(func=self.func)
        self.prelude_stack: list[list[ast.stmt]] = []
        # Compact: the exact code behind a speculative fast path (speculate.py), which runs
        # only after a failed guess. Operations whose operand types are not known call their
        # runtime helper at once instead of testing for the common case inline: the same
        # semantics, a fraction of the code.
        self.compact = False
        # The globals the script being compiled declares at its top level (var, function,
        # let/const/class): `delete` of one is false (ES5.1 10.5 step 8, 11.4.1).
        self.script_names: frozenset[str] = frozenset()

    # -- infrastructure -------------------------------------------------------------------

    def helper(self, n: str) -> ast.Name:
        self.unit.helpers.add(n)
        return P.name(n)

    def hcall(self, n: str, *args: ast.expr) -> ast.Call:
        return P.call(self.helper(n), *args)

    def tmp(self, prefix: str = "_t") -> str:
        self.unit.counter += 1
        return f"{prefix}{self.unit.counter}"

    def concat(self, a: ast.expr, b: ast.expr) -> ast.expr:
        """a + b for two Python strings, within the size cap (runtime/js/budget.py: `s = s + s`
        must stop at MAX_STRING_LENGTH with V8's RangeError, before anything is built). A chain
        a + b + c is checked once: the lengths of its parts are added up first,
        `(_s1 + ":" + _s2 if len(_s1 := a) + 1 + len(_s2 := b) <= js_MAX_STRING else ...)`,
        parts evaluated left to right as before. Constants alone need no check."""
        parts = [*getattr(a, "scxmlc_concat", (a,)), *getattr(b, "scxmlc_concat", (b,))]
        if all(isinstance(p, ast.Constant) for p in parts):
            out = parts[0]
            for p in parts[1:]:
                out = ast.BinOp(out, ast.Add(), p)
            return out
        lengths: list[ast.expr] = []
        names: list[ast.expr] = []
        for p in parts:
            if isinstance(p, ast.Constant):
                lengths.append(P.const(len(p.value)))
                names.append(p)
            else:
                t = self.tmp("_s")
                lengths.append(P.call(P.name("len"), P.walrus(t, p)))
                names.append(P.name(t))
        total = lengths[0]
        for n in lengths[1:]:
            total = ast.BinOp(total, ast.Add(), n)
        joined = names[0]
        for n in names[1:]:
            joined = ast.BinOp(joined, ast.Add(), n)
        checked = P.ifexp(ast.Compare(total, [ast.LtE()], [self.helper("js_MAX_STRING")]), joined, self.hcall("js_string_too_long"))
        checked.scxmlc_concat = tuple(parts)  # (a longer chain takes the parts, not the check)
        return checked

    def tick(self) -> ast.stmt:
        """`next(_ticks)`: one step of the session's script budget, at a loop's back-edge or
        a function's entry (runtime/js/budget.py: a C-level iterator that raises, past the
        budget, an exception no JS `catch` takes). The unit binds `_ticks` once
        (TICKS_BINDING), where it sees one used."""
        self.unit.ticks += 1
        self.unit.helpers.add("js_ticks")
        return P.expr_stmt(P.call(P.name("next"), P.name(TICKS)))

    def fail(self, message: str, node: Any = None):
        raise Unsupported(message, node)

    def undefined(self) -> ast.Name:
        return self.helper("UNDEFINED")

    def number(self, v: float) -> ast.expr:
        if v != v:
            return self.helper("js_NAN")
        if v == math.inf:
            return self.helper("js_INF")
        if v == -math.inf:
            return ast.UnaryOp(ast.USub(), self.helper("js_INF"))
        return P.const(float(v))

    def src_text(self, node: Any) -> str | None:
        try:
            a, b = node.range
        except (AttributeError, TypeError):
            return None
        return self.source[a - self.offset : b - self.offset]

    def bind_temp(self, e: Typed) -> tuple[ast.expr, ast.expr]:
        """(first use, later uses) of a value needed twice: a walrus temp unless pure."""
        if isinstance(e.node, ast.Constant):
            return e.node, e.node
        t = self.tmp()
        return P.walrus(t, e.node), P.name(t)

    # -- identifiers ----------------------------------------------------------------------

    def resolve(self, name: str) -> Binding | None:
        return self.scope.lookup(name)

    def global_ref(self, name: str) -> ast.expr:
        if name in self.unit.shadowed or self.unit.dynamic_scope:
            return self.hcall("js_shadow_get", P.name(DM), P.const(name))
        if name in self.unit.declared:
            # Exists whenever code runs (the runtime creates it first): a plain subscript.
            return P.subscript(P.name(DM), P.const(name))
        return self.hcall("js_global", P.name(DM), P.const(name))

    def read_ident(self, name: str, node: Any = None) -> Typed:
        b = self.resolve(name)
        if b is not None:
            self.note_read(b.owner, b.py)
            if b.numeric:
                return Typed(P.name(b.py), NUMBER)
            return Typed(P.name(b.py), FUNCTION if b.kind == "self" else None)
        if name == DATA:
            # ORS: the datamodel object (_data.x is data item x): the global object's view
            return Typed(self.hcall("js_global_this", P.name(DM)))
        if name == "_event" and self.func.top and self.unit.hoist_event:
            # Not inside nested functions: one stored and called later must see the event of
            # its call, not of its creation.
            return Typed(P.name(EV))
        if name == "undefined":
            return Typed(self.undefined(), UNDEFINED)
        if name == "NaN":
            return Typed(self.number(math.nan), NUMBER)
        if name == "Infinity":
            return Typed(self.number(math.inf), NUMBER)
        if name == "eval":
            self.fail("eval can only be called (eval(text)), not used as a value", node)
        return Typed(self.global_ref(name))

    def note_read(self, owner: FunctionCtx, py: str) -> None:
        """Record that the current function (and those between it and `owner`) close over py."""
        f = self.func
        while f is not None and f is not owner:
            f.captured.add(py)
            f = f.parent

    def note_assign(self, b: Binding, node: Any = None) -> None:
        """Assigning an outer function's variable needs `nonlocal` in the current one."""
        if b.kind == "const":
            return
        if b.owner is not self.func:
            if self.func.lambda_mode or self.func.factory:
                self.fail("assigning an enclosing function's variable from a function inside an expression is not supported; move the code into a <script>", node)
            # Python resolves `nonlocal` to the nearest enclosing function that binds the
            # name, so only the assigning function itself needs the declaration.
            self.func.nonlocals.add(b.py)

    def assign_ident_expr(self, name: str, value: ast.expr, node: Any = None) -> ast.expr:
        """An expression that assigns a JS variable and yields the value."""
        b = self.resolve(name)
        if b is not None:
            if b.kind == "const":
                return self.hcall("js_const_assign", P.const(name), value)
            if b.kind == "self":
                return value  # assigning a named function expression's own name: ignored (13 note)
            self.note_assign(b, node)
            return P.walrus(b.py, value)
        if name in READONLY_GLOBALS:
            return self.hcall("js_readonly", P.const(name), value)
        if name in ("undefined", "NaN", "Infinity"):
            return value  # non-writable globals (ES5.1 15.1.1): sloppy-mode writes are ignored
        if name in self.unit.shadowed or self.unit.dynamic_scope:
            return self.hcall("js_shadow_set", P.name(DM), P.const(name), value)
        return self.hcall("js_setg", P.name(DM), P.const(name), value)

    def assign_ident_stmts(self, name: str, value: ast.expr, node: Any = None) -> list[ast.stmt]:
        b = self.resolve(name)
        if b is not None:
            if b.kind == "const":
                return [P.expr_stmt(self.hcall("js_const_assign", P.const(name), value))]
            if b.kind == "self":
                return [P.expr_stmt(value)]
            self.note_assign(b, node)
            return [P.assign(P.store(b.py), value)]
        if name in READONLY_GLOBALS:
            return [P.expr_stmt(self.hcall("js_readonly", P.const(name), value))]
        if name in ("undefined", "NaN", "Infinity"):
            return [P.expr_stmt(value)]
        if name in self.unit.shadowed or self.unit.dynamic_scope:
            return [P.expr_stmt(self.hcall("js_shadow_set", P.name(DM), P.const(name), value))]
        return [P.assign(P.subscript(P.name(DM), P.const(name), ast.Store()), value)]

    # -- expressions ----------------------------------------------------------------------

    def ex(self, node: Any) -> Typed:
        method = getattr(self, "x_" + node.type, None)
        if method is None:
            self.fail(f"{node.type} is not supported", node)
        return method(node)

    def v(self, node: Any) -> ast.expr:
        return self.ex(node).node

    def x_Literal(self, node: Any) -> Typed:
        if getattr(node, "regex", None) is not None:
            return Typed(self.hcall("js_regexp", P.const(node.regex.pattern), P.const(node.regex.flags)), OBJECT)
        v = node.value
        if v is None:
            return Typed(P.const(None), NULL)
        if isinstance(v, bool):
            return Typed(P.const(v), BOOLEAN)
        if isinstance(v, str):
            return Typed(P.const(code_points(v)), STRING)
        if isinstance(v, (int, float)):
            try:
                return Typed(self.number(float(v)), NUMBER)
            except OverflowError:
                return Typed(self.number(math.inf), NUMBER)
        self.fail("unsupported literal", node)

    def x_Identifier(self, node: Any) -> Typed:
        return self.read_ident(node.name, node)

    def x_ThisExpression(self, node: Any) -> Typed:
        f = self.func
        while f.is_arrow and f.parent is not None:
            f = f.parent
        if f.this_name == DM:
            return Typed(self.hcall("js_global_this", P.name(DM)))  # the global object
        if f is not self.func:
            self.note_read(f, f.this_name)
        return Typed(P.name(f.this_name))

    def x_TemplateLiteral(self, node: Any) -> Typed:
        parts: list[ast.expr] = []
        for i, q in enumerate(node.quasis):
            cooked = q.value.cooked
            if cooked:
                parts.append(P.const(code_points(cooked)))
            if i < len(node.expressions):
                e = self.ex(node.expressions[i])
                parts.append(e.node if e.t == STRING else self.hcall("js_tostr", e.node))
        if not parts:
            return Typed(P.const(""), STRING)
        out = parts[0]
        if not (isinstance(out, ast.Constant) or (isinstance(out, ast.Call) and out.func.id == "js_tostr")):
            out = self.hcall("js_tostr", out)
        for p in parts[1:]:
            out = self.concat(out, p)
        return Typed(out, STRING)

    def x_ArrayExpression(self, node: Any) -> Typed:
        items: list[ast.expr] = []
        for e in node.elements:
            if e is None:
                items.append(self.helper("HOLE"))
            elif e.type == "SpreadElement":
                items.append(ast.Starred(self.hcall("js_spread", self.v(e.argument)), ast.Load()))
            else:
                items.append(self.v(e))
        spread = any(isinstance(i, ast.Starred) for i in items)  # (may grow past the array cap)
        return Typed(self.hcall("js_array_spread" if spread else "js_array", *items), OBJECT)

    def property_key(self, prop: Any) -> ast.expr:
        k = prop.key
        if prop.computed:
            kt = self.ex(k)
            return kt.node if kt.t == STRING else self.hcall("js_key", kt.node)
        if k.type == "Identifier":
            return P.const(k.name)
        if isinstance(k.value, str):
            return P.const(code_points(k.value))
        from scxmlc_runtime.js.conversions import to_property_key

        return P.const(to_property_key(float(k.value)))

    def x_ObjectExpression(self, node: Any) -> Typed:
        if any(p.type == "Property" and p.kind in ("get", "set") for p in node.properties):
            return self.accessor_object(node)
        keys: list[ast.expr | None] = []
        values: list[ast.expr] = []
        for prop in node.properties:
            if prop.type == "SpreadElement":
                keys.append(None)
                values.append(self.hcall("js_object_items", self.v(prop.argument)))
                continue
            keys.append(self.property_key(prop))
            if prop.value.type in ("FunctionExpression", "ArrowFunctionExpression") and not prop.computed:
                key_name = keys[-1].value if isinstance(keys[-1], ast.Constant) else ""
                values.append(self.function_value(prop.value, name_hint=key_name, method=bool(getattr(prop, "method", False))))
            else:
                values.append(self.v(prop.value))
        return Typed(ast.Dict(keys, values), OBJECT)

    def accessor_object(self, node: Any) -> Typed:
        """An object literal with getters/setters: (key, kind, value) triples in source order
        for js_object_literal, which builds a JSObject holding Accessor values."""
        triples: list[ast.expr] = []
        for prop in node.properties:
            if prop.type == "SpreadElement":
                self.fail("spread in an object literal with getters or setters is not supported", prop)
            key = self.property_key(prop)
            hint = key.value if isinstance(key, ast.Constant) else ""
            if prop.kind in ("get", "set") or prop.value.type in ("FunctionExpression", "ArrowFunctionExpression"):
                method = prop.kind != "init" or bool(getattr(prop, "method", False))
                value = self.function_value(prop.value, name_hint=(f"{prop.kind} {hint}" if prop.kind != "init" else hint), method=method)
            else:
                value = self.v(prop.value)
            triples.append(ast.Tuple([key, P.const(prop.kind), value], ast.Load()))
        return Typed(self.hcall("js_object_literal", ast.Tuple(triples, ast.Load())), OBJECT)

    def x_SequenceExpression(self, node: Any) -> Typed:
        parts = [self.ex(e) for e in node.expressions]
        return Typed(P.seq(*[p.node for p in parts]), parts[-1].t)

    # -- member access and calls ----------------------------------------------------------

    def member_key(self, node: Any) -> tuple[ast.expr, bool]:
        """(key expression, is a compile-time string)."""
        if not node.computed:
            return P.const(node.property.name), True
        p = node.property
        if p.type == "Literal" and isinstance(p.value, str):
            return P.const(p.value), True
        k = self.ex(p)
        self.last_key_type = k.t
        return k.node, False

    last_key_type: Any = None  # the type of the computed key member_key compiled last

    def x_MemberExpression(self, node: Any) -> Typed:
        if node.object.type == "Super":
            f = self.super_context(node.object)
            key, _ = self.member_key(node)
            return Typed(self.hcall("js_super_get", P.name(f.home), P.const(f.home_static), key, self.x_ThisExpression(node).node))
        data_item = self.data_item(node)
        if data_item is not None:
            return Typed(P.subscript(P.name(DM), P.const(data_item)))
        obj = self.ex(node.object)
        key, static = self.member_key(node)
        key_type = None if static else self.last_key_type
        if static:
            if key.value == "length":
                if obj.t == STRING:
                    return Typed(P.call("float", P.call("len", obj.node)), NUMBER)
                if self.compact:
                    return Typed(self.hcall("js_length", obj.node))
                first, ref = self.bind_temp(obj) if not isinstance(obj.node, ast.Name) else (obj.node, obj.node)
                # Strings and arrays (the common cases) answer len(); anything else asks js_length.
                test = ast.Compare(P.type_of(first), [ast.In()], [self.helper("js_LENGTH_TYPES")])
                return Typed(P.ifexp(test, P.call("float", P.call("len", ref)), self.hcall("js_length", ref)))
            if obj.t in (STRING, NUMBER, BOOLEAN, NULL, UNDEFINED):
                return Typed(self.hcall("js_getp", obj.node, key))
            return Typed(self.getp(obj.node, key))
        if isinstance(key, ast.Constant) and type(key.value) is float and key.value.is_integer() and 0 <= key.value < 2**31:
            if obj.t in (STRING, NUMBER, BOOLEAN, NULL, UNDEFINED):
                return Typed(self.hcall("js_index", obj.node, P.const(int(key.value))))
            if self.compact:
                return Typed(self.hcall("js_index", obj.node, P.const(int(key.value))))
            if str(key.value) != "-0.0":
                # a[k] for a constant index k: arrays answer inline unless out of range or a hole.
                i = P.const(int(key.value))
                first, ref = (obj.node, obj.node) if isinstance(obj.node, ast.Name) else self.bind_temp(obj)
                v = self.tmp()
                test = ast.BoolOp(
                    ast.And(),
                    [
                        P.is_(P.type_of(first), self.helper("JSArray")),
                        ast.Compare(P.call("len", ref), [ast.Gt()], [i]),
                        ast.Compare(P.walrus(v, P.subscript(ref, i)), [ast.IsNot()], [self.helper("HOLE")]),
                    ],
                )
                return Typed(P.ifexp(test, P.name(v), self.hcall("js_index", ref, i)))
        if key_type == NUMBER and not isinstance(key, ast.Constant) and obj.t not in (STRING, NUMBER, BOOLEAN, NULL, UNDEFINED) and not self.compact:
            # a[i] with a numeric index: an integral i below 1024 in range of an array, and not
            # a hole, is read inline (js_ARRAY_INDEX maps such floats to list indexes; -0 too,
            # as in JS); everything else goes through js_get.
            first, ref = (obj.node, obj.node) if isinstance(obj.node, ast.Name) else self.bind_temp(obj)
            conjuncts: list[ast.expr] = []
            if isinstance(key, (ast.Name, ast.Constant)):
                kref = key
                array_test = P.is_(P.type_of(first), self.helper("JSArray"))
            else:
                # JS evaluates the object, then the key, whatever they turn out to be: both
                # first, in a tuple (always true), before any test can cut the chain short.
                kfirst, kref = self.bind_temp(Typed(key, NUMBER))
                conjuncts.append(ast.Tuple([first, kfirst], ast.Load()))
                array_test = P.is_(P.type_of(ref), self.helper("JSArray"))
            k, v = self.tmp(), self.tmp()
            index = ast.Call(ast.Attribute(self.helper("js_ARRAY_INDEX"), "get", ast.Load()), [kref], [])
            test = ast.BoolOp(
                ast.And(),
                [
                    *conjuncts,
                    array_test,
                    ast.Compare(P.walrus(k, index), [ast.IsNot()], [P.const(None)]),
                    ast.Compare(P.name(k), [ast.Lt()], [P.call("len", ref)]),
                    ast.Compare(P.walrus(v, P.subscript(ref, P.name(k))), [ast.IsNot()], [self.helper("HOLE")]),
                ],
            )
            return Typed(P.ifexp(test, P.name(v), self.hcall("js_get", ref, kref)))
        return Typed(self.hcall("js_get", obj.node, key))

    def data_item(self, node: Any) -> str | None:
        """`_data.x` for a data item x the runtime always has: its name (read as `_dm["x"]`)."""
        if node.object.type != "Identifier" or node.object.name != DATA or self.resolve(DATA) is not None:
            return None
        p = node.property
        name = p.name if not node.computed else (p.value if p.type == "Literal" and isinstance(p.value, str) else None)
        if name in self.unit.declared and name not in READONLY_GLOBALS and name != "In":
            return name
        return None

    def getp(self, obj: ast.expr, key: ast.Constant) -> ast.expr:
        """obj.key: plain objects (dicts) that have the key inline; all else via js_getp."""
        if self.compact:
            return self.hcall("js_getp", obj, key)
        if isinstance(obj, ast.Name):
            first = ref = obj
        else:
            t = self.tmp()
            first, ref = P.walrus(t, obj), P.name(t)
        test = ast.BoolOp(ast.And(), [P.is_(P.type_of(first), P.name("dict")), ast.Compare(key, [ast.In()], [ref])])
        return P.ifexp(test, P.subscript(ref, key), self.hcall("js_getp", ref, key))

    def args(self, nodes: list) -> list[ast.expr]:
        out = []
        for a in nodes:
            if a.type == "SpreadElement":
                out.append(ast.Starred(self.hcall("js_spread", self.v(a.argument)), ast.Load()))
            else:
                out.append(self.v(a))
        return out

    def describe(self, node: Any) -> str:
        text = self.src_text(node)
        if text is None:
            return "expression"
        text = " ".join(text.split())
        return text if len(text) <= 40 else text[:37] + "..."

    def x_CallExpression(self, node: Any) -> Typed:
        callee = node.callee
        if callee.type == "Identifier" and callee.name in DYNAMIC_CALLEES and self.resolve(callee.name) is None:
            return Typed(self.hcall(DYNAMIC_CALLEES[callee.name], P.name(DM), *self.args(node.arguments)))
        if callee.type == "Super":
            f = self.super_context(callee)
            if not f.class_ctor:
                self.fail("'super' keyword unexpected here", callee)
            this = self.x_ThisExpression(callee).node
            return Typed(self.hcall("js_super_call", P.name(f.home), this, *self.args(node.arguments)), OBJECT)
        if callee.type == "MemberExpression" and callee.object.type == "Super":
            f = self.super_context(callee.object)
            key, static = self.member_key(callee)
            this = self.x_ThisExpression(callee).node
            return Typed(self.hcall("js_super_invoke", P.name(f.home), P.const(f.home_static), key, this, *self.args(node.arguments)))
        if callee.type == "MemberExpression":
            obj = self.ex(callee.object)
            key, static = self.member_key(callee)
            if not static:
                if self.last_key_type in PRIMITIVE_KEY:
                    key = self.hcall("js_key", key)
                else:
                    # o[k](args): an undefined/null o throws before k is converted and before
                    # the arguments are evaluated (11.2.1 steps 5-6, 11.2.3 steps 1-3)
                    first, ref = (obj.node, obj.node) if isinstance(obj.node, ast.Name) else self.bind_temp(obj)
                    return Typed(self.hcall("js_invoke", first, self.hcall("js_ref_key", ref, key), *self.args(node.arguments)))
            return Typed(self.hcall("js_invoke", obj.node, key, *self.args(node.arguments)))
        f = self.v(callee)
        # f(args) (11.2.3): call JSFunction.fn directly; anything else is swapped for a stand-in
        # whose fn throws the TypeError, so the arguments are still evaluated first.
        t = self.tmp()
        target = P.ifexp(
            P.is_(P.type_of(P.walrus(t, f)), self.helper("JSFunction")),
            P.name(t),
            self.hcall("js_not_callable", P.name(t), P.const(self.describe(callee))),
        )
        fn = ast.Attribute(target, "fn", ast.Load())
        return Typed(ast.Call(fn, [self.undefined(), *self.args(node.arguments)], []))

    def x_NewExpression(self, node: Any) -> Typed:
        callee = node.callee
        if callee.type == "Identifier" and callee.name == "Function" and self.resolve(callee.name) is None:
            return Typed(self.hcall("js_new_function", P.name(DM), *self.args(node.arguments)), FUNCTION)
        f = self.v(callee)
        return Typed(self.hcall("js_new", f, P.const(self.describe(node.callee)), *self.args(node.arguments)), OBJECT)

    # -- unary and update -----------------------------------------------------------------

    def x_UnaryExpression(self, node: Any) -> Typed:
        op = node.operator
        arg = node.argument
        if op == "typeof":
            if arg.type == "Identifier" and self.resolve(arg.name) is None and arg.name not in ("undefined", "NaN", "Infinity", DATA):
                lookup = "js_shadow_lookup" if arg.name in self.unit.shadowed or self.unit.dynamic_scope else "js_lookup"
                return Typed(self.hcall("js_typeof", self.hcall(lookup, P.name(DM), P.const(arg.name))), STRING)
            a = self.ex(arg)
            if a.t in (NUMBER, STRING, BOOLEAN, UNDEFINED, FUNCTION):
                return Typed(P.seq(a.node, P.const(a.t)) if not P.is_pure(a.node) else P.const(a.t), STRING)
            if a.t == NULL:
                return Typed(P.const("object"), STRING)
            return Typed(self.hcall("js_typeof", a.node), STRING)
        if op == "delete":
            return Typed(self.delete(arg), BOOLEAN)
        if op == "!":
            return Typed(P.not_(self.test(arg)), BOOLEAN)
        a = self.ex(arg)
        if op == "-":
            if isinstance(a.node, ast.Constant) and a.t == NUMBER:
                return Typed(self.number(-a.node.value), NUMBER)
            if a.t == NUMBER:
                return Typed(ast.UnaryOp(ast.USub(), a.node), NUMBER)
            return Typed(self.hcall("js_neg", a.node), NUMBER)
        if op == "+":
            if a.t == NUMBER:
                return a
            return Typed(self.hcall("js_pos", a.node), NUMBER)
        if op == "~":
            return Typed(self.hcall("js_bitnot", a.node), NUMBER)
        if op == "void":
            return Typed(P.seq(a.node, self.undefined()) if not P.is_pure(a.node) else self.undefined(), UNDEFINED)
        self.fail(f"unary operator {op} is not supported", node)

    def ref_key(self, obj: ast.Name, key: ast.expr, key_type: str | None) -> ast.expr:
        """The property name of obj[key] for a reference read and then written (`++o[k]`,
        `o[k] += v`): an undefined/null obj throws before the key is converted (ES5.1 11.2.1
        steps 5-6). Converting a primitive runs no code, so that order shows only for
        objects (js_ref_key)."""
        if key_type in PRIMITIVE_KEY:
            return self.hcall("js_key", key)
        return self.hcall("js_ref_key", obj, key)

    def delete(self, arg: Any) -> ast.expr:
        """`delete` (ES5.1 11.4.1). Declared bindings are not deletable (10.5 step 8: false):
        locals and parameters, the script's own top-level declarations, the chart's data items
        (declared variables, docs/ecmascript.md), the system variables (SCXML 5.10), and
        undefined/NaN/Infinity (15.1.1). Other globals are decided when run: a var of another
        script is kept, an implicit global is removed (js_delete_global)."""
        if arg.type == "MemberExpression":
            p = arg.property
            name = p.name if not arg.computed else (p.value if p.type == "Literal" and isinstance(p.value, str) else None)
            if name is not None and self.is_global_object(arg.object) and self.undeletable_global(name):
                return P.const(False)  # `delete this.x`, `delete _data.x` of a declared x
            obj = self.v(arg.object)
            key, _ = self.member_key(arg)
            return self.hcall("js_delete", obj, key)
        if arg.type == "Identifier":
            if self.resolve(arg.name) is not None or self.undeletable_global(arg.name):
                return P.const(False)
            return self.hcall("js_delete_global", P.name(DM), P.const(arg.name))
        e = self.v(arg)
        return P.seq(e, P.const(True))

    def undeletable_global(self, name: str) -> bool:
        return (
            name in READONLY_GLOBALS
            or name in self.unit.declared
            or name in self.script_names
            or name in ("undefined", "NaN", "Infinity")
        )

    def is_global_object(self, node: Any) -> bool:
        """Is node the global object for sure: `this` of top-level code, or `_data`?"""
        if node.type == "Identifier":
            return node.name == DATA and self.resolve(DATA) is None
        if node.type != "ThisExpression":
            return False
        f = self.func
        while f.is_arrow and f.parent is not None:
            f = f.parent
        return f.this_name == DM

    def step(self, cur: ast.expr, operator: str, numeric: bool = False) -> ast.expr:
        """ToNumber(cur) + 1 or - 1 (11.3.1, 11.4.4): inline for numbers, js_inc/js_dec else."""
        op = "js_inc" if operator == "++" else "js_dec"
        pyop = ast.Add() if operator == "++" else ast.Sub()
        if numeric:
            return ast.BinOp(cur, pyop, P.const(1.0))
        if self.compact:
            return self.hcall(op, cur)
        if isinstance(cur, ast.Name):
            return P.ifexp(P.is_(P.type_of(cur), P.name("float")), ast.BinOp(cur, pyop, P.const(1.0)), self.hcall(op, cur))
        t = self.tmp()
        return P.ifexp(P.is_(P.type_of(P.walrus(t, cur)), P.name("float")), ast.BinOp(P.name(t), pyop, P.const(1.0)), self.hcall(op, P.name(t)))

    def x_UpdateExpression(self, node: Any) -> Typed:
        target = node.argument
        if target.type == "Identifier":
            cur_t = self.read_ident(target.name, target)
            cur = cur_t.node
            if node.prefix:
                return Typed(self.assign_ident_expr(target.name, self.step(cur, node.operator, cur_t.t == NUMBER), target), NUMBER)
            old = self.tmp()
            new = ast.BinOp(P.name(old), ast.Add() if node.operator == "++" else ast.Sub(), P.const(1.0))
            return Typed(
                ast.Subscript(
                    ast.Tuple([P.walrus(old, self.hcall("js_pos", cur)), self.assign_ident_expr(target.name, new, target)], ast.Load()),
                    P.const(0),
                    ast.Load(),
                ),
                NUMBER,
            )
        if target.type != "MemberExpression":
            self.fail("Invalid left-hand side expression in postfix operation", node)
        return Typed(self.update_member(target, node.operator, node.prefix), NUMBER)

    def update_member(self, target: Any, operator: str, prefix: bool) -> ast.expr:
        """obj[key]++ and friends (11.3.1, 11.4.4): obj and key are evaluated once."""
        op = "js_inc" if operator == "++" else "js_dec"
        o = self.tmp()
        k = self.tmp()
        key, static = self.member_key(target)
        key_type = self.last_key_type
        parts: list[ast.expr] = [P.walrus(o, self.v(target.object))]
        if static:
            kref: ast.expr = key
        else:
            # an undefined/null base throws before the key is converted (11.2.1 steps 5-6)
            parts.append(P.walrus(k, self.ref_key(P.name(o), key, key_type)))
            kref = P.name(k)
        get = self.hcall("js_getp", P.name(o), kref)
        if prefix:
            parts.append(self.hcall("js_setp", P.name(o), kref, self.hcall(op, get)))
            return P.seq(*parts)
        old = self.tmp()
        parts.append(P.walrus(old, self.hcall("js_pos", get)))
        new = ast.BinOp(P.name(old), ast.Add() if operator == "++" else ast.Sub(), P.const(1.0))
        parts.append(self.hcall("js_setp", P.name(o), kref, new))
        parts.append(P.name(old))
        return P.seq(*parts)

    # -- binary ---------------------------------------------------------------------------

    def pair(self, left: Typed, right: Typed) -> tuple[ast.expr, ast.expr, ast.expr, ast.expr]:
        """(first-eval left, first-eval right, left ref, right ref) for a guarded fast path.
        Operands are evaluated once, left to right; pure operands are used directly only when
        the other one cannot change them."""
        both_pure = P.is_pure(left.node) and P.is_pure(right.node)
        if isinstance(left.node, ast.Constant) or (both_pure and isinstance(left.node, ast.Name)):
            l1 = lr = left.node
        else:
            t = self.tmp()
            l1, lr = P.walrus(t, left.node), P.name(t)
        if isinstance(right.node, ast.Constant) or (both_pure and isinstance(right.node, ast.Name)):
            r1 = rr = right.node
        else:
            t = self.tmp()
            r1, rr = P.walrus(t, right.node), P.name(t)
        return l1, r1, lr, rr

    def guard(self, left: Typed, right: Typed, fast, helper: str, types: tuple = ("float",)) -> ast.expr:
        """`fast(l, r) if <operand types known-good> else helper(l, r)`.

        Operands are evaluated exactly once, left to right, inside the type test; `types`
        are the Python types for which `fast` is exactly the JS operator."""
        if self.compact and (left.t is None or right.t is None):
            return self.hcall(helper, left.node, right.node)
        l1, r1, lr, rr = self.pair(left, right)
        if left.t is not None and right.t is not None:
            if PY_TYPE.get(left.t) in types and left.t == right.t:
                return fast(l1, r1)
            return self.hcall(helper, l1, r1)
        simple_left = l1 is lr
        simple_right = r1 is rr
        if left.t is not None and simple_left:
            if PY_TYPE.get(left.t) not in types:
                return self.hcall(helper, l1, r1)
            test = P.is_(P.type_of(r1), P.name(PY_TYPE[left.t]))
        elif right.t is not None and simple_right:
            if PY_TYPE.get(right.t) not in types:
                return self.hcall(helper, l1, r1)
            test = P.is_(P.type_of(l1), P.name(PY_TYPE[right.t]))
        else:
            # Both unknown: test for two numbers only (a `(float, str)` tuple would be built on
            # every evaluation); two strings take the helper, whose first test is theirs.
            test = ast.Compare(P.type_of(l1), [ast.Is(), ast.Is()], [P.type_of(r1), P.name("float")])
        return P.ifexp(test, fast(lr, rr), self.hcall(helper, lr, rr))

    # A left-nested chain of binary operators longer than this is compiled flat (a tuple of
    # steps through one temporary) instead of nested: Python's compiler refuses expressions
    # nested a few hundred levels deep, and `s = a + b + ... + z` easily gets there.
    FLAT_CHAIN = 8

    def x_BinaryExpression(self, node: Any) -> Typed:
        spine = []
        n = node
        while n.type == "BinaryExpression":
            spine.append(n)
            n = n.left
        if len(spine) > self.FLAT_CHAIN:
            return self.flat_chain(n, list(reversed(spine)))
        left = self.ex(node.left) if node.operator not in ("==", "!=", "===", "!==") else None
        return self.binary(node, left)

    def flat_chain(self, first: Any, steps: list) -> Typed:
        """((a op b) op c) ... as (_t := a, _t := _t op b, _t := _t op c, ...)[-1]: the same
        evaluation order as the nested form, constant nesting depth."""
        acc = self.tmp()
        head = self.ex(first)
        parts: list[ast.expr] = [P.walrus(acc, head.node)]
        t = head.t
        for node in steps:
            result = self.binary(node, Typed(P.name(acc), t))
            parts.append(P.walrus(acc, result.node))
            t = result.t
        return Typed(P.seq(*parts), t)

    def fold(self, op: str, left: Typed, right: Typed) -> Typed | None:
        """Constant folding with the runtime's own operators (so exactly JS's results)."""
        if not (isinstance(left.node, ast.Constant) and isinstance(right.node, ast.Constant)):
            return None
        a, b = left.node.value, right.node.value
        if not all(type(v) in (float, str) for v in (a, b)):
            return None
        from scxmlc_runtime.js import operators as ops

        fn = {"+": ops.js_add, "-": ops.js_sub, "*": ops.js_mul, "/": ops.js_div, "%": ops.js_mod}.get(op)
        if fn is None:
            return None
        value = fn(a, b)
        if type(value) is str:
            return Typed(P.const(value), STRING) if len(value) <= 1000 else None
        return Typed(self.number(value), NUMBER)

    def binary(self, node: Any, left: Typed | None) -> Typed:
        """A BinaryExpression whose left operand is already compiled (None for equality)."""
        op = node.operator
        if op in ("==", "!=", "===", "!=="):
            if left is None:
                return Typed(self.equality(node), BOOLEAN)
            right = self.ex(node.right)
            result = self.eq(left, right, op in ("===", "!=="))
            return Typed(P.not_(result) if op in ("!=", "!==") else result, BOOLEAN)
        right = self.ex(node.right)
        folded = self.fold(op, left, right)
        if folded is not None:
            return folded
        if op == "+":
            return self.add(left, right)
        if op in _CMP_PY:
            pyop = _CMP_PY[op]
            if left.t == NUMBER and right.t == NUMBER:
                return Typed(ast.Compare(left.node, [pyop()], [right.node]), BOOLEAN)
            return Typed(self.guard(left, right, lambda a, b: ast.Compare(a, [pyop()], [b]), _CMP_HELPER[op]), BOOLEAN)
        if op in _BINOP_PY:
            pyop = _BINOP_PY[op]
            if left.t == NUMBER and right.t == NUMBER:
                return Typed(ast.BinOp(left.node, pyop(), right.node), NUMBER)
            return Typed(self.guard(left, right, lambda a, b: ast.BinOp(a, pyop(), b), _BINOP_HELPER[op]), NUMBER)
        if op == "/":
            # (a non-zero number constant only: '2', null or true would reach Python's `/`)
            if left.t == NUMBER and isinstance(right.node, ast.Constant) and type(right.node.value) is float and right.node.value != 0:
                return Typed(ast.BinOp(left.node, ast.Div(), right.node), NUMBER)
            return Typed(self.hcall("js_div", left.node, right.node), NUMBER)
        if op == "%" and isinstance(right.node, ast.Constant) and type(right.node.value) is float and 0 < right.node.value < math.inf and not self.compact:
            # For a positive dividend and a positive finite divisor, Python's % is C fmod,
            # i.e. JS % (11.5.3); zero, negative and non-float dividends take the helper.
            l1, _, lr, _ = self.pair(left, right)
            test = ast.BoolOp(ast.And(), [P.is_(P.type_of(l1), P.name("float")), ast.Compare(lr, [ast.Gt()], [P.const(0.0)])])
            return Typed(P.ifexp(test, ast.BinOp(lr, ast.Mod(), right.node), self.hcall("js_mod", lr, right.node)), NUMBER)
        if op in _BINOP_HELPER:
            return Typed(self.hcall(_BINOP_HELPER[op], left.node, right.node), NUMBER)
        if op == "in":
            key = left.node if left.t == STRING else self.hcall("js_key", left.node)
            if isinstance(key, ast.Constant) and right.t is None:
                # An own key of a plain object answers at once; anything else (inherited
                # names, other objects, the TypeError for primitives) goes to js_in.
                first, ref = (right.node, right.node) if isinstance(right.node, ast.Name) else self.bind_temp(right)
                own = ast.BoolOp(ast.And(), [P.is_(P.type_of(first), P.name("dict")), ast.Compare(key, [ast.In()], [ref])])
                return Typed(ast.BoolOp(ast.Or(), [own, self.hcall("js_in", key, ref)]), BOOLEAN)
            # js_in converts the key itself, after its TypeError for a non-object (11.8.7 steps 5-6)
            return Typed(self.hcall("js_in", left.node, right.node), BOOLEAN)
        if op == "instanceof":
            return Typed(self.hcall("js_instanceof", left.node, right.node), BOOLEAN)
        self.fail(f"operator {op} is not supported", node)

    def add(self, left: Typed, right: Typed) -> Typed:
        if left.t == NUMBER and right.t == NUMBER:
            return Typed(ast.BinOp(left.node, ast.Add(), right.node), NUMBER)
        if left.t == STRING and right.t == STRING:
            return Typed(self.concat(left.node, right.node), STRING)
        if left.t == STRING:
            return Typed(self.concat(left.node, self.str_operand(right)), STRING)
        if right.t == STRING:
            return Typed(self.concat(self.str_operand(left), right.node), STRING)
        if left.t in (NUMBER, BOOLEAN, NULL, UNDEFINED) and right.t in (NUMBER, BOOLEAN, NULL, UNDEFINED):
            return Typed(self.hcall("js_add", left.node, right.node), NUMBER)
        return Typed(self.guard(left, right, lambda a, b: ast.BinOp(a, ast.Add(), b), "js_add", ("float", "str")))

    def str_operand(self, e: Typed) -> ast.expr:
        """ToString(ToPrimitive(e)) for the other operand of a string `+`."""
        if e.t == STRING:
            return e.node
        if isinstance(e.node, ast.Constant):
            from scxmlc_runtime.js.conversions import to_string

            v = e.node.value
            return P.const(to_string(v if v is not None else None))
        if e.t in (NUMBER, BOOLEAN, NULL, UNDEFINED):
            return self.hcall("js_to_string", e.node)
        if self.compact:
            return self.hcall("js_str_add", e.node)
        if isinstance(e.node, ast.Name):
            first = ref = e.node
        else:
            t = self.tmp()
            first, ref = P.walrus(t, e.node), P.name(t)
        # Strings as they are; integral numbers from a table (the usual `'n' + count`); the
        # rest through js_str_add (ToPrimitive, then ToString).
        s = self.tmp()
        number = ast.BoolOp(
            ast.And(),
            [
                P.is_(P.type_of(ref), P.name("float")),
                ast.Compare(P.walrus(s, ast.Call(ast.Attribute(self.helper("js_INT_STRINGS"), "get", ast.Load()), [ref], [])), [ast.IsNot()], [P.const(None)]),
            ],
        )
        return P.ifexp(P.is_(P.type_of(first), P.name("str")), ref, P.ifexp(number, P.name(s), self.hcall("js_str_add", ref)))

    def equality(self, node: Any) -> ast.expr:
        op = node.operator
        strict = op in ("===", "!==")
        negate = op in ("!=", "!==")
        left = self.ex(node.left)
        right = self.ex(node.right)
        result = self.eq(left, right, strict)
        return P.not_(result) if negate else result

    def eq(self, left: Typed, right: Typed, strict: bool) -> ast.expr:
        lt, rt = left.t, right.t
        # Comparisons with null/undefined literals.
        for a, b in ((left, right), (right, left)):
            if b.t in (NULL, UNDEFINED) and isinstance(b.node, (ast.Constant, ast.Name)):
                if a.t in (NULL, UNDEFINED):
                    return P.seq(a.node, P.const(not strict or a.t == b.t)) if not P.is_pure(a.node) else P.const(not strict or a.t == b.t)
                if a.t is not None:
                    return P.seq(a.node, P.const(False)) if not P.is_pure(a.node) else P.const(False)
                if strict:
                    if a is right and not P.is_pure(b.node):
                        return P.is_(b.node, a.node)  # keep left-to-right evaluation
                    return P.is_(a.node, b.node)
                # x == null is true exactly for null and undefined (11.9.3 steps 2-3).
                t = self.tmp()
                return ast.BoolOp(ast.Or(), [P.is_(P.walrus(t, a.node), P.const(None)), P.is_(P.name(t), self.undefined())])
        if lt is not None and lt == rt and lt in (NUMBER, STRING, BOOLEAN):
            if lt == BOOLEAN:
                return ast.Compare(left.node, [ast.Is()], [right.node])
            return ast.Compare(left.node, [ast.Eq()], [right.node])
        if strict and lt is not None and rt is not None and lt != rt and lt != OBJECT and rt != OBJECT:
            return P.seq(left.node, right.node, P.const(False))
        if strict and (lt, rt) in ((STRING, None), (None, STRING), (BOOLEAN, None), (None, BOOLEAN)):
            # x === 'a' holds only for a str equal to 'a' (js_strict_eq compares exact types),
            # x === true only for True: no helper needed for the other types.
            l1, r1, lr, rr = self.pair(left, right)
            known_t = lt or rt
            if known_t == BOOLEAN:
                return ast.Compare(l1, [ast.Is()], [r1])
            unknown_first = r1 if lt == STRING else l1
            if l1 is lr and r1 is rr or (lt == STRING and l1 is lr) or (rt == STRING and r1 is rr):
                return ast.BoolOp(ast.And(), [P.is_(P.type_of(unknown_first), P.name("str")), ast.Compare(lr, [ast.Eq()], [rr])])
        helper = "js_strict_eq" if strict else "js_eq"
        if lt in (NUMBER, STRING) or rt in (NUMBER, STRING):
            return self.guard(left, right, lambda a, b: ast.Compare(a, [ast.Eq()], [b]), helper, ("float", "str"))
        if lt is None and rt is None:
            return self.guard(left, right, lambda a, b: ast.Compare(a, [ast.Eq()], [b]), helper, ("float", "str"))
        return self.hcall(helper, left.node, right.node)

    # -- logical and conditional ----------------------------------------------------------

    def test(self, node: Any) -> ast.expr:
        """node as a Python bool (ToBoolean, ES5.1 9.2), short-circuiting like JS."""
        t = node.type
        if t == "LogicalExpression" and node.operator in ("&&", "||"):
            # a && b && c is one flat BoolOp (no nesting depth for long chains).
            values = []
            n = node
            chain = []
            while n.type == "LogicalExpression" and n.operator == node.operator:
                chain.append(n.right)
                n = n.left
            chain.append(n)
            for operand in reversed(chain):
                values.append(self.test(operand))
            return ast.BoolOp(ast.And() if node.operator == "&&" else ast.Or(), values)
        if t == "UnaryExpression" and node.operator == "!":
            return P.not_(self.test(node.argument))
        e = self.ex(node)
        return self.truthy(e)

    def truthy(self, e: Typed) -> ast.expr:
        if e.t == BOOLEAN:
            return e.node
        if e.t in (NULL, UNDEFINED):
            return P.seq(e.node, P.const(False)) if not P.is_pure(e.node) else P.const(False)
        if e.t in (OBJECT, FUNCTION) and not isinstance(e.node, ast.Name):
            return P.seq(e.node, P.const(True))
        if e.t == STRING:
            return ast.Compare(e.node, [ast.NotEq()], [P.const("")])
        return self.hcall("js_truthy", e.node)

    def x_LogicalExpression(self, node: Any) -> Typed:
        op = node.operator
        if op == "??":
            left = self.ex(node.left)
            right = self.ex(node.right)
            t = self.tmp()
            test = ast.BoolOp(ast.Or(), [P.is_(P.walrus(t, left.node), P.const(None)), P.is_(P.name(t), self.undefined())])
            return Typed(P.ifexp(test, right.node, P.name(t)))
        left = self.ex(node.left)
        right = self.ex(node.right)
        rtype = left.t if left.t == right.t else None
        t = self.tmp()
        first = Typed(P.walrus(t, left.node), left.t)
        cond = self.truthy(first)
        if op == "&&":
            return Typed(P.ifexp(cond, right.node, P.name(t)), rtype)
        return Typed(P.ifexp(cond, P.name(t), right.node), rtype)

    def x_ConditionalExpression(self, node: Any) -> Typed:
        test = self.test(node.test)
        a = self.ex(node.consequent)
        b = self.ex(node.alternate)
        return Typed(P.ifexp(test, a.node, b.node), a.t if a.t == b.t else None)

    # -- assignment -----------------------------------------------------------------------

    def x_AssignmentExpression(self, node: Any) -> Typed:
        op = node.operator
        target = node.left
        if target.type in ("ObjectPattern", "ArrayPattern"):
            if op != "=":
                self.fail("Invalid left-hand side in assignment", node)
            return Typed(self.destructure_expr(target, self.v(node.right)))
        if op == "=":
            value = self.ex(node.right) if not self.is_anon_fn(node.right) else Typed(self.function_value(node.right, name_hint=self.target_name(target)), FUNCTION)
            return Typed(self.assign_to(target, value.node, node), value.t)
        binop = op[:-1]
        return self.compound(target, binop, node.right, node)

    def is_anon_fn(self, n: Any) -> bool:
        return n.type in ("FunctionExpression", "ArrowFunctionExpression") and getattr(n, "id", None) is None

    def target_name(self, target: Any) -> str:
        if target.type == "Identifier":
            return target.name
        if target.type == "MemberExpression" and not target.computed:
            return target.property.name
        return ""

    def assign_to(self, target: Any, value: ast.expr, node: Any) -> ast.expr:
        if target.type == "Identifier":
            return self.assign_ident_expr(target.name, value, target)
        if target.type == "MemberExpression":
            obj = self.v(target.object)
            key, static = self.member_key(target)
            return self.hcall("js_setp" if static else "js_set", obj, key, value)
        self.fail("Invalid left-hand side in assignment", node)

    def binop_typed(self, op: str, left: Typed, right: Typed, node: Any) -> Typed:
        """left op right for the binary operator of a compound assignment (11.13.2)."""
        if op == "+":
            return self.add(left, right)
        if op in _BINOP_PY:
            pyop = _BINOP_PY[op]
            if left.t == NUMBER and right.t == NUMBER:
                return Typed(ast.BinOp(left.node, pyop(), right.node), NUMBER)
            return Typed(self.guard(left, right, lambda a, b: ast.BinOp(a, pyop(), b), _BINOP_HELPER[op]), NUMBER)
        if op in _BINOP_HELPER:
            return Typed(self.hcall(_BINOP_HELPER[op], left.node, right.node), NUMBER)
        if op in ("&&", "||", "??"):
            self.fail("logical assignment operators are not supported", node)
        self.fail(f"operator {op}= is not supported", node)

    def compound(self, target: Any, op: str, rhs: Any, node: Any) -> Typed:
        """a op= b (ES5.1 11.13.2): the reference is evaluated once."""
        if target.type == "Identifier":
            cur = self.read_ident(target.name, target)
            result = self.binop_typed(op, cur, self.ex(rhs), node)
            return Typed(self.assign_ident_expr(target.name, result.node, target), result.t)
        if target.type != "MemberExpression":
            self.fail("Invalid left-hand side in assignment", node)
        o = self.tmp()
        parts: list[ast.expr] = [P.walrus(o, self.v(target.object))]
        key, static = self.member_key(target)
        if static:
            kref: ast.expr = key
        else:
            # an undefined/null base throws before the key is converted (11.2.1 steps 5-6)
            k = self.tmp()
            parts.append(P.walrus(k, self.ref_key(P.name(o), key, self.last_key_type)))
            kref = P.name(k)
        cur = Typed(self.hcall("js_getp", P.name(o), kref))
        result = self.binop_typed(op, cur, self.ex(rhs), node)
        parts.append(self.hcall("js_setp", P.name(o), kref, result.node))
        return Typed(P.seq(*parts), result.t)

    # -- destructuring --------------------------------------------------------------------

    def destructure_expr(self, pattern: Any, value: ast.expr) -> ast.expr:
        """Assign a pattern from value; yields the value (ES2015 12.14.5)."""
        t = self.tmp()
        parts = [P.walrus(t, value)]
        parts.extend(self.pattern_parts(pattern, P.name(t), lambda name, v, n: self.assign_ident_expr(name, v, n)))
        parts.append(P.name(t))
        return P.seq(*parts)

    def pattern_parts(self, pattern: Any, src: ast.expr, bind) -> list[ast.expr]:
        """Expressions that bind each name of `pattern` from the value `src` (a Name)."""
        out: list[ast.expr] = []
        t = pattern.type
        if t == "Identifier":
            out.append(bind(pattern.name, src, pattern))
        elif t == "MemberExpression":
            out.append(self.assign_to(pattern, src, pattern))
        elif t == "AssignmentPattern":
            d = self.tmp()
            default = self.v(pattern.right)
            value = P.ifexp(P.is_(P.walrus(d, src), self.undefined()), default, P.name(d))
            tmp2 = self.tmp()
            out.append(P.walrus(tmp2, value))
            out.extend(self.pattern_parts(pattern.left, P.name(tmp2), bind))
        elif t == "ObjectPattern":
            out.append(self.hcall("js_require_object", src))
            used: list[ast.expr] = []
            for prop in pattern.properties:
                if prop.type == "RestElement":
                    r = self.tmp()
                    out.append(P.walrus(r, self.hcall("js_object_rest", src, ast.Tuple(used, ast.Load()))))
                    out.extend(self.pattern_parts(prop.argument, P.name(r), bind))
                    continue
                key = self.property_key(prop)
                used.append(key)
                v = self.tmp()
                out.append(P.walrus(v, self.hcall("js_get", src, key)))
                out.extend(self.pattern_parts(prop.value, P.name(v), bind))
        elif t == "ArrayPattern":
            items = self.tmp()
            out.append(P.walrus(items, self.hcall("js_spread", src)))
            for i, el in enumerate(pattern.elements):
                if el is None:
                    continue
                if el.type == "RestElement":
                    r = self.tmp()
                    out.append(P.walrus(r, self.hcall("js_array", ast.Starred(ast.Subscript(P.name(items), ast.Slice(P.const(i), None, None), ast.Load()), ast.Load()))))
                    out.extend(self.pattern_parts(el.argument, P.name(r), bind))
                    break
                v = self.tmp()
                out.append(P.walrus(v, self.hcall("js_item", P.name(items), P.const(i))))
                out.extend(self.pattern_parts(el, P.name(v), bind))
        else:
            self.fail(f"unsupported binding pattern {t}", pattern)
        return out
