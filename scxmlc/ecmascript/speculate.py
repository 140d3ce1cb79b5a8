"""Speculative fast paths: an expression compiled for the types it usually sees, with no fallbacks inside.

The exact code (compiler.py) checks the type of every operand at every operation and falls
back to a runtime helper when the check fails, so a property read costs a type test, a key
test and the read. The fast path made here instead *guesses*: it reads properties of plain
objects by subscript (a missing key raises KeyError), requires numbers where arithmetic needs
them (anything else raises), and reuses every value it has read (`_event.data` once, not at
each mention). The generated function runs it inside `try`; on an exception that a failed
guess raises (js_guess_failed, runtime/js/codegen_support.py) it runs the exact code instead,
from the start:

    try:
        _v = <fast path>
    except js_guess_failed:
        _v = <exact code>

That is sound because the fast path is pure. It is built only from operations that cannot
run JavaScript code or change anything: subscripts of plain dicts (which never hold
accessors), arrays and strings, float arithmetic, string concatenation, comparisons of
floats, `len`, and the lookup tables of the runtime. JavaScript code runs only through
helpers the fast path never calls (ToPrimitive, getters, setters, calls), so a guess that
fails has had no effect and the exact code sees the same state. A guess that succeeds took
only steps whose JavaScript meaning equals their Python meaning for the types it checked,
so it computes what the exact code would.

Anything else (calls, `new`, assignments, `typeof`, `in`, objects that are not plain,
strings compared by `<`) makes the expression not speculable: `None`, and the exact code
alone is emitted.
"""

from __future__ import annotations

import ast
from typing import Any

from . import pyast as P
from .compiler import EV, NUM, STR, ExprCompiler

# What the fast path knows of a value: a Python float, str or bool, a plain dict, a JSArray,
# or "any" (some valid JS value: never HOLE, never an Accessor).
# INT is a Python int from len(): exact, and as good as a float in float arithmetic and
# comparisons; it becomes a float before it can escape. ELEMENT is an array element that may
# still be HOLE: any type check excludes that, else an explicit check does.
FLOAT, STRING, BOOL, DICT, ARRAY, ANY = "float", "str", "bool", "dict", "array", "any"
INT, ELEMENT = "int", "element"
# The hoisted `_event` (Transpiler(hoist_event=True)): the runtime binds it only to plain
# dicts (its events) or, before the first event, to undefined, which raises TypeError when
# subscripted. So reading its properties needs no check.
EVENT = "event"
# RAW: a value inside `_event.data`. Machine.send leaves the host's data there (dicts, lists,
# ints) until code other than a fast path could observe it (docs/architecture.md), so a
# fast path reads it as either: a list or a JSArray for an array, an int or a float for a
# number (an int becomes the float to_js would make). A raw value never escapes: it is
# settled into a float, str, bool or null first, and a container read from it is only
# indexed, never kept (a dict or list of the host's is not a JS value).
RAW = "raw"
_PY_TYPE = {FLOAT: "float", STRING: "str", BOOL: "bool", DICT: "dict"}
_CMP = {"<": ast.Lt, ">": ast.Gt, "<=": ast.LtE, ">=": ast.GtE}
_ARITH = {"-": ast.Sub, "*": ast.Mult, "/": ast.Div}


class NotSpeculable(Exception):
    """The expression uses something the fast path does not cover."""


class Fast:
    __slots__ = ("node", "t", "key", "raw")

    def __init__(self, node: ast.expr, t: str, key: Any = None, raw: bool = False):
        self.node = node
        self.t = t
        self.key = key  # what was read (for reuse), e.g. ("get", ("id", "_event"), "data")
        self.raw = raw  # a DICT or ARRAY inside event data: its elements are RAW


class Speculator:
    """Builds the fast path of one expression (see the module docstring)."""

    def __init__(self, c: ExprCompiler, memo: dict | None = None):
        self.c = c
        # values read so far on every path to here (shared by the assigns of a region)
        self.memo: dict[Any, Fast] = {} if memo is None else memo
        self.members = 0  # property reads: without any, the fast path gains nothing

    # -- entry points ---------------------------------------------------------------------

    def value(self, node: Any) -> ast.expr:
        return self.settled(self.ex(node)).node

    def condition(self, node: Any) -> ast.expr:
        """node as a Python bool (ToBoolean); && || ! by truthiness, short-circuiting as JS."""
        if node.type == "LogicalExpression" and node.operator in ("&&", "||"):
            left = self.condition(node.left)
            right = self.scoped(lambda: self.condition(node.right))
            return ast.BoolOp(ast.And() if node.operator == "&&" else ast.Or(), [left, right])
        if node.type == "UnaryExpression" and node.operator == "!":
            return P.not_(self.condition(node.argument))
        f = self.settled(self.ex(node))
        if f.t == BOOL:
            return f.node
        if f.t == FLOAT:
            first, ref = self.bind(f)
            # ToBoolean of a number: false for +0, -0 and NaN (ES5.1 9.2)
            return ast.BoolOp(ast.And(), [ast.Compare(first, [ast.NotEq()], [P.const(0.0)]), ast.Compare(ref, [ast.Eq()], [ref])])
        if f.t == STRING:
            return ast.Compare(f.node, [ast.NotEq()], [P.const("")])
        return self.c.hcall("js_truthy", f.node)  # pure: no conversion of objects runs code

    # -- helpers --------------------------------------------------------------------------

    def deopt(self) -> ast.expr:
        return self.c.hcall("js_deopt")

    def bind(self, f: Fast) -> tuple[ast.expr, ast.expr]:
        """(first use, later uses) of a value needed twice."""
        if isinstance(f.node, (ast.Name, ast.Constant)):
            return f.node, f.node
        if isinstance(f.node, ast.NamedExpr):
            return f.node, P.name(f.node.target.id)
        t = self.c.tmp("_f")
        return P.walrus(t, f.node), P.name(t)

    def remember(self, f: Fast) -> Fast:
        """Bind a value read from the datamodel to a temporary so later mentions reuse it."""
        if f.key is None:
            return f
        if not isinstance(f.node, (ast.Name, ast.Constant)):
            t = self.c.tmp("_f")
            self.memo[f.key] = Fast(P.name(t), f.t, f.key)
            return Fast(P.walrus(t, f.node), f.t, f.key)
        self.memo[f.key] = f
        return f

    def settled(self, f: Fast) -> Fast:
        """f as a valid JS value: ints become floats, holes fail."""
        if f.t == INT:
            return Fast(P.call("float", f.node), FLOAT)
        if f.t == EVENT or f.raw:
            # The event object holds the host's data until converted; a container of that
            # data is not a JS value. Either would escape here: the exact code keeps them.
            raise NotSpeculable("event data escapes")
        if f.t == RAW:
            first, ref = self.bind(f)
            plain = ast.Compare(P.type_of(ref), [ast.In()], [self.c.helper("js_RAW_PLAIN")])
            return Fast(self.from_int(first, ref, P.ifexp(plain, ref, self.deopt())), ANY, f.key)
        if f.t == ELEMENT:
            first, ref = self.bind(f)
            return Fast(P.ifexp(ast.Compare(first, [ast.IsNot()], [self.c.helper("HOLE")]), ref, self.deopt()), ANY, f.key)
        return f

    def from_int(self, first: ast.expr, ref: ast.expr, otherwise: ast.expr) -> ast.expr:
        """`float(ref) if type(ref) is int else <otherwise>`: a host int in event data as the
        number to_js makes of it (OverflowError past the doubles fails the guess). Ints are
        tested first: host data holds them more often than floats."""
        return P.ifexp(P.is_(P.type_of(first), P.name("int")), P.call("float", ref), otherwise)

    def number(self, f: Fast) -> Fast:
        """An operand of float arithmetic: a float, or an int from len()."""
        return f if f.t == INT else self.need(f, FLOAT)

    def numbers(self, left: Fast, right: Fast) -> tuple[Fast, Fast]:
        a, b = self.number(left), self.number(right)
        if a.t == INT and b.t == INT:
            a = Fast(P.call("float", a.node), FLOAT)  # int arithmetic could leave the doubles
        return a, b

    def need(self, f: Fast, want: str) -> Fast:
        """f, known to be of type `want` from here on, or a failed guess."""
        if f.t == want:
            return f
        if f.t == INT and want == FLOAT:
            return self.settled(f)
        if f.t == EVENT and want == DICT:
            return f
        if f.t not in (ANY, ELEMENT, EVENT, RAW):
            raise NotSpeculable(f"{f.t} used as {want}")  # would fail every time
        first, ref = self.bind(f)
        raw = f.t == RAW
        if raw and want == FLOAT:
            # `ref` may be the host's int: later mentions must reuse the float made of it
            t = self.c.tmp("_f")
            as_float = P.ifexp(P.is_(P.type_of(ref), P.name("float")), ref, self.deopt())
            node: ast.expr = P.walrus(t, self.from_int(first, ref, as_float))
            ref = P.name(t)
        else:
            if raw and want == ARRAY:
                test = ast.Compare(P.type_of(first), [ast.In()], [self.c.helper("js_RAW_ARRAYS")])
            else:
                py = self.c.helper("JSArray") if want == ARRAY else P.name(_PY_TYPE[want])
                test = P.is_(P.type_of(first), py)
            node = P.ifexp(test, ref, self.deopt())
        raw = raw and want in (DICT, ARRAY)
        if f.key is not None:
            # Later mentions reuse the checked value (this check dominates them).
            self.memo[f.key] = Fast(ref, want, f.key, raw)
        return Fast(node, want, f.key, raw)

    def assigned(self, name: str, temp: str, t: str) -> None:
        """Global `name` now holds the value in `temp`: later reads use it, and nothing read
        through the old value is reused."""
        root = ("id", name)
        for key in [k for k in self.memo if _rooted(k, root)]:
            del self.memo[key]
        self.memo[root] = Fast(P.name(temp), t, root)

    def scoped(self, build):
        """Run build() for code that may not run (a branch): what it reads is not reused after."""
        saved = dict(self.memo)
        try:
            return build()
        finally:
            self.memo.clear()  # the same dict: a region's speculators share it
            self.memo.update(saved)

    # -- expressions ----------------------------------------------------------------------

    def ex(self, node: Any) -> Fast:
        method = getattr(self, "x_" + node.type, None)
        if method is None:
            raise NotSpeculable(node.type)
        return method(node)

    def x_Literal(self, node: Any) -> Fast:
        v = node.value
        if getattr(node, "regex", None) is not None or v is None:
            raise NotSpeculable("literal")
        if isinstance(v, bool):
            return Fast(P.const(v), BOOL)
        if isinstance(v, str):
            return Fast(P.const(v), STRING)
        typed = self.c.ex(node)
        return Fast(typed.node, FLOAT)

    def x_Identifier(self, node: Any) -> Fast:
        if node.name == "undefined":
            raise NotSpeculable("undefined")
        key = ("id", node.name)
        if key in self.memo:
            return self.memo[key]
        typed = self.c.read_ident(node.name, node)
        if isinstance(typed.node, ast.Name) and typed.node.id == EV:
            return self.remember(Fast(typed.node, EVENT, key))
        if node.name == "_event":
            raise NotSpeculable("_event not hoisted")  # its data may be the host's: see RAW
        if typed.t == NUM:
            return Fast(typed.node, FLOAT)
        if typed.t is not None and typed.t != STR:
            raise NotSpeculable("identifier")
        # A global read may raise ReferenceError: a failed guess like any other.
        return self.remember(Fast(typed.node, STRING if typed.t == STR else ANY, key))

    def x_MemberExpression(self, node: Any) -> Fast:
        if node.object.type == "Super":
            raise NotSpeculable("super")
        item = self.c.data_item(node)
        if item is not None:
            # `_data.x` is the data item x: the same value, reused and forwarded as `x`
            key = ("id", item)
            if key in self.memo:
                return self.memo[key]
            return self.remember(Fast(self.c.ex(node).node, ANY, key))
        prop = node.property
        if not node.computed or (prop.type == "Literal" and isinstance(prop.value, str)):
            name = prop.name if not node.computed else prop.value
            if name == "__proto__":
                raise NotSpeculable("__proto__")
            obj = self.ex(node.object)
            key = ("get", obj.key, name) if obj.key is not None else None
            if key is not None and key in self.memo:
                return self.memo[key]
            self.members += 1
            if name == "length":
                # strings and arrays: len(); on anything else `length` is a property: not guessed
                if obj.t in (ARRAY, STRING):
                    return self.remember(Fast(P.call("len", obj.node), INT, key))
                if obj.t == EVENT:
                    raise NotSpeculable("_event.length")
                first, ref = self.bind(obj)
                types = "js_RAW_LENGTH_TYPES" if obj.t == RAW else "js_LENGTH_TYPES"
                test = ast.Compare(P.type_of(first), [ast.In()], [self.c.helper(types)])
                return self.remember(Fast(P.ifexp(test, P.call("len", ref), self.deopt()), INT, key))
            d = self.need(obj, DICT)
            # A plain object's own property, or KeyError (the exact code then walks the
            # prototypes). The event's `data`, and anything inside it, may be the host's.
            raw = d.raw or (obj.t == EVENT and name == "data")
            return self.remember(Fast(P.subscript(d.node, P.const(name)), RAW if raw else ANY, key))
        # a[i]: an array element by numeric index. The array check comes first (JS evaluates
        # the object first), so the index expression knows `a` is an array.
        obj = self.ex(node.object)
        key = None
        if prop.type == "Literal" and isinstance(prop.value, (int, float)) and not isinstance(prop.value, bool):
            k = float(prop.value)
            if not (k.is_integer() and 0 <= k < 2**31):
                raise NotSpeculable("index")
            index: ast.expr = P.const(int(k))
            key = ("idx", obj.key, int(k)) if obj.key is not None else None
            if key is not None and key in self.memo:
                return self.memo[key]
            a = self.need(obj, ARRAY)
        elif (back := self.from_end(node)) is not None:
            # a[a.length - k]: Python's a[-k], the same element, or IndexError when a is
            # shorter than k (JS reads undefined there: the exact code's business)
            a = self.need(obj, ARRAY)
            index = P.const(-back)
        else:
            a = self.need(obj, ARRAY)
            i = self.ex(prop)
            if i.t not in (FLOAT, INT):
                raise NotSpeculable("computed key")
            # integral floats below 1024 to list indexes; anything else: KeyError
            index = P.subscript(self.c.helper("js_ARRAY_INDEX"), i.node)
        self.members += 1
        # IndexError past the end; a hole reads as `undefined` (via the prototypes): not
        # guessed, so the element is checked before it is used (settled or need).
        element = Fast(P.subscript(a.node, index), RAW if a.raw else ELEMENT, key)
        return self.remember(element)

    def from_end(self, node: Any) -> int | None:
        """k for `a[a.length - k]` (the same `a`, an integer k >= 1), else None. The two
        mentions of `a` read the same value: the fast path changes nothing in between."""
        p = node.property
        if not (p.type == "BinaryExpression" and p.operator == "-" and p.left.type == "MemberExpression"):
            return None
        length, k = p.left, p.right
        if length.computed or length.property.name != "length" or k.type != "Literal":
            return None
        if isinstance(k.value, bool) or not isinstance(k.value, (int, float)) or not float(k.value).is_integer():
            return None
        same = self.c.src_text(length.object) == self.c.src_text(node.object) is not None
        return int(k.value) if same and 1 <= k.value < 2**31 else None

    def x_UnaryExpression(self, node: Any) -> Fast:
        if node.operator == "!":
            f = self.ex(node.argument)
            if f.t != BOOL:
                raise NotSpeculable("!")
            return Fast(P.not_(f.node), BOOL)
        if node.operator == "-":
            f = self.need(self.ex(node.argument), FLOAT)
            return Fast(ast.UnaryOp(ast.USub(), f.node), FLOAT)
        raise NotSpeculable(node.operator)

    def x_LogicalExpression(self, node: Any) -> Fast:
        left = self.ex(node.left)
        right = self.scoped(lambda: self.ex(node.right))
        if left.t != BOOL or right.t != BOOL:
            raise NotSpeculable("&& on non-booleans")  # JS returns operands, not booleans
        op = ast.And() if node.operator == "&&" else ast.Or()
        return Fast(ast.BoolOp(op, [left.node, right.node]), BOOL)

    def x_ConditionalExpression(self, node: Any) -> Fast:
        test = self.ex(node.test)
        if test.t != BOOL:
            raise NotSpeculable("?: test")
        yes = self.scoped(lambda: self.settled(self.ex(node.consequent)))
        no = self.scoped(lambda: self.settled(self.ex(node.alternate)))
        return Fast(P.ifexp(test.node, yes.node, no.node), yes.t if yes.t == no.t else ANY)

    def x_BinaryExpression(self, node: Any) -> Fast:
        op = node.operator
        if op == "+":
            return self.plus(node)
        left = self.ex(node.left)
        right = self.ex(node.right)
        if op in _ARITH:
            # float / 0.0 raises ZeroDivisionError: the exact code gives Infinity or NaN
            a, b = self.numbers(left, right)
            return Fast(ast.BinOp(a.node, _ARITH[op](), b.node), FLOAT)
        if op == "%":
            a, b = self.need(left, FLOAT), self.need(right, FLOAT)
            a1, a2 = self.bind(a)
            b1, b2 = self.bind(b)
            # Python's % equals JS's (the dividend's sign) when both are positive; else fmod,
            # which is JS's % for finite operands and raises ValueError otherwise.
            positive: ast.expr = ast.Compare(a1, [ast.Gt()], [P.const(0.0)])
            if not (isinstance(b1, ast.Constant) and b1.value > 0.0):
                # `&`, not `and`: b must be bound on both branches (js_fmod reads it)
                positive = ast.BinOp(positive, ast.BitAnd(), ast.Compare(b1, [ast.Gt()], [P.const(0.0)]))
            return Fast(P.ifexp(positive, ast.BinOp(a2, ast.Mod(), b2), self.c.hcall("js_fmod", a2, b2)), FLOAT)
        if op in _CMP:
            a, b = self.number(left), self.number(right)
            return Fast(ast.Compare(a.node, [_CMP[op]()], [b.node]), BOOL)
        if op in ("===", "!==", "==", "!="):
            return self.equality(op, left, right)
        raise NotSpeculable(op)

    def plus(self, node: Any) -> Fast:
        """A chain a + b + c ...: all numbers when some operand is one and none is a string
        (one check per operand); else pairwise, left to right, as JS evaluates it."""
        chain = []
        n = node
        while n.type == "BinaryExpression" and n.operator == "+":
            chain.append(n.right)
            n = n.left
        chain.append(n)
        operands = [self.ex(x) for x in reversed(chain)]
        types = {f.t for f in operands}
        if STRING not in types and types & {FLOAT, INT}:
            nums = [self.number(f) for f in operands]
            if all(f.t == INT for f in nums[:2]):
                nums[0] = Fast(P.call("float", nums[0].node), FLOAT)
            out = nums[0].node
            for f in nums[1:]:
                out = ast.BinOp(out, ast.Add(), f.node)
            return Fast(out, FLOAT)
        # (a RAW operand is settled by add: as_string reads a host int as it is)
        acc = operands[0] if operands[0].t == RAW else self.settled(operands[0])
        for f in operands[1:]:
            acc = self.add(acc, f if f.t == RAW else self.settled(f))
        return acc

    def add(self, left: Fast, right: Fast) -> Fast:
        if left.t == STRING or right.t == STRING:
            return Fast(self.c.concat(self.as_string(left), self.as_string(right)), STRING)
        left, right = self.settled(left), self.settled(right)
        if left.t == ANY and right.t == ANY:
            # Two numbers or two strings add as in Python; a mix (or objects) is not guessed.
            a1, a2 = self.bind(left)
            b1, b2 = self.bind(right)
            same = ast.Compare(P.type_of(a1), [ast.Is()], [P.type_of(b1)])
            plain = ast.Compare(P.type_of(a2), [ast.In()], [self.c.helper("js_ADD_TYPES")])
            # two strings: within the size cap (runtime/js/budget.py), else the exact code's
            # RangeError
            total = ast.BinOp(P.call(P.name("len"), a2), ast.Add(), P.call(P.name("len"), b2))
            small = ast.BoolOp(ast.Or(), [P.is_(P.type_of(a2), P.name("float")), ast.Compare(total, [ast.LtE()], [self.c.helper("js_MAX_STRING")])])
            checked = P.ifexp(small, ast.BinOp(a2, ast.Add(), b2), self.deopt())
            return Fast(P.ifexp(ast.BoolOp(ast.And(), [same, plain]), checked, self.deopt()), ANY)
        a, b = self.need(left, FLOAT), self.need(right, FLOAT)
        return Fast(ast.BinOp(a.node, ast.Add(), b.node), FLOAT)

    def as_string(self, f: Fast) -> ast.expr:
        """The string `+` appends for f: strings as they are, numbers by ES5.1 9.8.1."""
        if f.t == STRING:
            return f.node
        if isinstance(f.node, ast.Constant):
            raise NotSpeculable("constant operand")  # the exact code folds these
        if f.t not in (FLOAT, ANY, RAW):
            raise NotSpeculable("string + " + f.t)
        first, ref = self.bind(f)

        def number(x: ast.expr) -> ast.expr:
            # integral numbers from the runtime's table, the rest by ES5.1 9.8.1; a host int
            # (RAW) is looked up as it is (it equals the float to_js makes of it, and hashes
            # alike) and converted for the rest
            table = ast.Attribute(self.c.helper("js_INT_STRINGS"), "get", ast.Load())
            exact = P.call("float", ref) if f.t == RAW else ref
            return ast.BoolOp(ast.Or(), [ast.Call(table, [x], []), self.c.hcall("js_number_to_string", exact)])

        if f.t == FLOAT:
            return number(first)
        if f.t == RAW:
            numeric = ast.Compare(P.type_of(ref), [ast.In()], [self.c.helper("js_RAW_NUMBERS")])
        else:
            numeric = P.is_(P.type_of(ref), P.name("float"))
        return P.ifexp(P.is_(P.type_of(first), P.name("str")), ref, P.ifexp(numeric, number(ref), self.deopt()))

    def equality(self, op: str, left: Fast, right: Fast) -> Fast:
        strict = op in ("===", "!==")
        negate = op in ("!==", "!=")
        if isinstance(left.node, ast.Constant) and not isinstance(right.node, ast.Constant):
            left, right = right, left  # the literal on the right
        if left.t == RAW and right.t in (STRING, FLOAT):
            # Event data compared with a string or a number: guessed to be one too (a host
            # int as its float), and compared as such.
            left = self.need(left, right.t)
        left, right = self.settled(left), self.settled(right)
        if left.t == right.t and left.t in (FLOAT, STRING, BOOL):
            test: ast.expr = ast.Compare(left.node, [ast.Eq()], [right.node])
        elif isinstance(right.node, ast.Constant) and right.t == STRING and left.t == ANY:
            if strict:
                # A str equals only an equal str; every other JS value compares unequal.
                test = ast.Compare(left.node, [ast.Eq()], [right.node])
            else:
                first, ref = self.bind(left)
                test = P.ifexp(P.is_(P.type_of(first), P.name("str")), ast.Compare(ref, [ast.Eq()], [right.node]), self.deopt())
        elif right.t == FLOAT and left.t == ANY:
            test = ast.Compare(self.need(left, FLOAT).node, [ast.Eq()], [right.node])
        elif left.t == FLOAT and right.t == ANY:
            test = ast.Compare(left.node, [ast.Eq()], [self.need(right, FLOAT).node])
        else:
            raise NotSpeculable("equality of unknown types")
        return Fast(P.not_(test) if negate else test, BOOL)


def _rooted(key: Any, root: tuple) -> bool:
    """Is `key` (nested read keys) a read through `root`?"""
    while isinstance(key, tuple) and key:
        if key == root:
            return True
        key = key[1] if key[0] in ("get", "idx") else None
    return False
