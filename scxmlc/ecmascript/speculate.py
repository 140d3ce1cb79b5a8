"""Speculative fast paths: the expression compiler's second emission policy, for the types an expression usually sees, with no fallbacks inside.

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

The policy is a mixin of the one expression compiler (compiler.ExprCompiler): the same object
compiles an expression's exact code (`ex`, the `x_` methods) and its fast path (`fx`, the `f_`
methods), with the same temporaries, helpers and scope, and both describe values in the one
vocabulary of types.py (a fast path only knows more: a PLAIN dict, an ARRAY, an INT, a HOST
value). Like jinja2's optimizer it is a pass that can be left out: `speculate=False` (the
reference mode) emits the exact code alone.
"""

from __future__ import annotations

import ast
from typing import Any

from . import pyast as P
from .types import ANY, ARRAY, BOOLEAN, ELEMENT, EV, EVENT, HOST, INT, NUMBER, PLAIN, PY_TYPE, STRING, Typed

_CMP = {"<": ast.Lt, ">": ast.Gt, "<=": ast.LtE, ">=": ast.GtE}
_ARITH = {"-": ast.Sub, "*": ast.Mult, "/": ast.Div}


class NotSpeculable(Exception):
    """The expression uses something the fast path does not cover."""


class FastPaths:
    """The fast paths of the expression compiler (see the module docstring): mixed into
    ExprCompiler, whose visitor they are a second emission policy of. `fx(node)` is their
    `ex(node)`; `f_<Type>` their `x_<Type>`; they read identifiers, literals and data items
    through the exact visitor's own methods, in the one vocabulary of types.py."""

    def speculating(self, memo: dict | None = None) -> None:
        """Start a fast path; `memo` is shared by the fast paths of one region (values read so
        far on every path to here, reused rather than read again)."""
        self.fast_memo: dict[Any, Typed] = {} if memo is None else memo
        self.fast_reads = 0  # property reads: without any, the fast path gains nothing

    # -- entry points ---------------------------------------------------------------------

    def fast_value(self, node: Any) -> ast.expr:
        return self.fast_settled(self.fx(node)).node

    def fast_condition(self, node: Any) -> ast.expr:
        """node as a Python bool (ToBoolean); && || ! by truthiness, short-circuiting as JS."""
        if node.type == "LogicalExpression" and node.operator in ("&&", "||"):
            left = self.fast_condition(node.left)
            right = self.fast_scoped(lambda: self.fast_condition(node.right))
            return ast.BoolOp(ast.And() if node.operator == "&&" else ast.Or(), [left, right])
        if node.type == "UnaryExpression" and node.operator == "!":
            return P.not_(self.fast_condition(node.argument))
        f = self.fast_settled(self.fx(node))
        if f.t == BOOLEAN:
            return f.node
        if f.t == NUMBER:
            first, ref = self.fast_bind(f)
            # ToBoolean of a number: false for +0, -0 and NaN (ES5.1 9.2)
            return ast.BoolOp(ast.And(), [ast.Compare(first, [ast.NotEq()], [P.const(0.0)]), ast.Compare(ref, [ast.Eq()], [ref])])
        if f.t == STRING:
            return ast.Compare(f.node, [ast.NotEq()], [P.const("")])
        return self.hcall("js_truthy", f.node)  # pure: no conversion of objects runs code

    # -- helpers --------------------------------------------------------------------------

    def fast_deopt(self) -> ast.expr:
        return self.hcall("js_deopt")

    @staticmethod
    def fast_type(e: ast.expr, host: bool) -> ast.expr:
        """The class a type check compares: `type(e)` for the host's data (HOST), whose
        objects are not ours and may say another class (a proxy's `__class__` runs its code,
        and a fast path runs none), else `e.__class__` (JS values are the runtime's own
        types; an attribute read is faster than the call)."""
        return P.type_of(e) if host else P.class_of(e)

    def fast_bind(self, f: Typed) -> tuple[ast.expr, ast.expr]:
        """(first use, later uses) of a value needed twice."""
        if isinstance(f.node, (ast.Name, ast.Constant)):
            return f.node, f.node
        if isinstance(f.node, ast.NamedExpr):
            return f.node, P.name(f.node.target.id)
        t = self.tmp("_f")
        return P.walrus(t, f.node), P.name(t)

    def fast_remember(self, f: Typed) -> Typed:
        """Bind a value read from the datamodel to a temporary so later mentions reuse it."""
        if f.key is None:
            return f
        if not isinstance(f.node, (ast.Name, ast.Constant)):
            t = self.tmp("_f")
            self.fast_memo[f.key] = Typed(P.name(t), f.t, f.key)
            return Typed(P.walrus(t, f.node), f.t, f.key)
        self.fast_memo[f.key] = f
        return f

    def fast_settled(self, f: Typed) -> Typed:
        """f as a valid JS value: ints become floats, holes fail."""
        if f.t == INT:
            return Typed(P.call("float", f.node), NUMBER)
        if f.t == EVENT or f.host:
            # The event object holds the host's data until converted; a container of that
            # data is not a JS value. Either would escape here: the exact code keeps them.
            raise NotSpeculable("event data escapes")
        if f.t == HOST:
            first, ref = self.fast_bind(f)
            plain = ast.Compare(P.type_of(ref), [ast.In()], [self.helper("js_RAW_PLAIN")])
            return Typed(self.fast_from_int(first, ref, P.ifexp(plain, ref, self.fast_deopt())), ANY, f.key)
        if f.t == ELEMENT:
            first, ref = self.fast_bind(f)
            return Typed(P.ifexp(ast.Compare(first, [ast.IsNot()], [self.helper("HOLE")]), ref, self.fast_deopt()), ANY, f.key)
        return f

    def fast_from_int(self, first: ast.expr, ref: ast.expr, otherwise: ast.expr) -> ast.expr:
        """`float(ref) if type(ref) is int else <otherwise>`: a host int in event data as the
        number to_js makes of it (OverflowError past the doubles fails the guess). Ints are
        tested first: host data holds them more often than floats."""
        return P.ifexp(P.is_(P.type_of(first), P.name("int")), P.call("float", ref), otherwise)

    def fast_number(self, f: Typed) -> Typed:
        """An operand of float arithmetic: a float, or an int from len()."""
        return f if f.t == INT else self.fast_need(f, NUMBER)

    def fast_numbers(self, left: Typed, right: Typed) -> tuple[Typed, Typed]:
        a, b = self.fast_number(left), self.fast_number(right)
        if a.t == INT and b.t == INT:
            a = Typed(P.call("float", a.node), NUMBER)  # int arithmetic could leave the doubles
        return a, b

    def fast_need(self, f: Typed, want: str) -> Typed:
        """f, known to be of type `want` from here on, or a failed guess."""
        if f.t == want:
            return f
        if f.t == INT and want == NUMBER:
            return self.fast_settled(f)
        if f.t == EVENT and want == PLAIN:
            return f
        if f.t not in (ANY, ELEMENT, EVENT, HOST):
            raise NotSpeculable(f"{f.t} used as {want}")  # would fail every time
        first, ref = self.fast_bind(f)
        host = f.t == HOST
        if host and want == NUMBER:
            # `ref` may be the host's int: later mentions must reuse the float made of it
            t = self.tmp("_f")
            as_float = P.ifexp(P.is_(P.type_of(ref), P.name("float")), ref, self.fast_deopt())
            node: ast.expr = P.walrus(t, self.fast_from_int(first, ref, as_float))
            ref = P.name(t)
        else:
            if host and want == ARRAY:
                test = ast.Compare(P.type_of(first), [ast.In()], [self.helper("js_RAW_ARRAYS")])
            else:
                py = self.helper("JSArray") if want == ARRAY else P.name(PY_TYPE[want])
                test = P.is_(self.fast_type(first, host), py)
            node = P.ifexp(test, ref, self.fast_deopt())
        host = host and want in (PLAIN, ARRAY)
        if f.key is not None:
            # Later mentions reuse the checked value (this check dominates them).
            self.fast_memo[f.key] = Typed(ref, want, f.key, host)
        return Typed(node, want, f.key, host)

    def fast_assigned(self, name: str, temp: str, t: str) -> None:
        """Global `name` now holds the value in `temp`: later reads use it, and nothing read
        through the old value is reused."""
        root = ("id", name)
        for key in [k for k in self.fast_memo if _rooted(k, root)]:
            del self.fast_memo[key]
        self.fast_memo[root] = Typed(P.name(temp), t, root)

    def fast_scoped(self, build):
        """Run build() for code that may not run (a branch): what it reads is not reused after."""
        saved = dict(self.fast_memo)
        try:
            return build()
        finally:
            self.fast_memo.clear()  # the same dict: a region's speculators share it
            self.fast_memo.update(saved)

    # -- expressions ----------------------------------------------------------------------

    def fx(self, node: Any) -> Typed:
        method = getattr(self, "f_" + node.type, None)
        if method is None:
            raise NotSpeculable(node.type)
        return method(node)

    def f_Literal(self, node: Any) -> Typed:
        v = node.value
        if getattr(node, "regex", None) is not None or v is None:
            raise NotSpeculable("literal")
        if isinstance(v, bool):
            return Typed(P.const(v), BOOLEAN)
        if isinstance(v, str):
            return Typed(P.const(v), STRING)
        typed = self.ex(node)
        return Typed(typed.node, NUMBER)

    def f_Identifier(self, node: Any) -> Typed:
        if node.name == "undefined":
            raise NotSpeculable("undefined")
        key = ("id", node.name)
        if key in self.fast_memo:
            return self.fast_memo[key]
        typed = self.read_ident(node.name, node)
        if isinstance(typed.node, ast.Name) and typed.node.id == EV:
            return self.fast_remember(Typed(typed.node, EVENT, key))
        if node.name == "_event":
            raise NotSpeculable("_event not hoisted")  # its data may be the host's: see HOST
        if typed.t == NUMBER:
            return Typed(typed.node, NUMBER)
        if typed.t is not None and typed.t != STRING:
            raise NotSpeculable("identifier")
        # A global read may raise ReferenceError: a failed guess like any other.
        return self.fast_remember(Typed(typed.node, STRING if typed.t == STRING else ANY, key))

    def f_MemberExpression(self, node: Any) -> Typed:
        if node.object.type == "Super":
            raise NotSpeculable("super")
        item = self.data_item(node)
        if item is not None:
            # `_data.x` is the data item x: the same value, reused and forwarded as `x`
            key = ("id", item)
            if key in self.fast_memo:
                return self.fast_memo[key]
            return self.fast_remember(Typed(self.ex(node).node, ANY, key))
        prop = node.property
        if not node.computed or (prop.type == "Literal" and isinstance(prop.value, str)):
            name = prop.name if not node.computed else prop.value
            if name == "__proto__":
                raise NotSpeculable("__proto__")
            obj = self.fx(node.object)
            key = ("get", obj.key, name) if obj.key is not None else None
            if key is not None and key in self.fast_memo:
                return self.fast_memo[key]
            self.fast_reads += 1
            if name == "length":
                # strings and arrays: len(); on anything else `length` is a property: not guessed
                if obj.t in (ARRAY, STRING):
                    return self.fast_remember(Typed(P.call("len", obj.node), INT, key))
                if obj.t == EVENT:
                    raise NotSpeculable("_event.length")
                first, ref = self.fast_bind(obj)
                types = "js_RAW_LENGTH_TYPES" if obj.t == HOST else "js_LENGTH_TYPES"
                test = ast.Compare(self.fast_type(first, obj.t == HOST), [ast.In()], [self.helper(types)])
                return self.fast_remember(Typed(P.ifexp(test, P.call("len", ref), self.fast_deopt()), INT, key))
            d = self.fast_need(obj, PLAIN)
            # A plain object's own property, or KeyError (the exact code then walks the
            # prototypes). The event's `data`, and anything inside it, may be the host's.
            host = d.host or (obj.t == EVENT and name == "data")
            return self.fast_remember(Typed(P.subscript(d.node, P.const(name)), HOST if host else ANY, key))
        # a[i]: an array element by numeric index. The array check comes first (JS evaluates
        # the object first), so the index expression knows `a` is an array.
        obj = self.fx(node.object)
        key = None
        if prop.type == "Literal" and isinstance(prop.value, (int, float)) and not isinstance(prop.value, bool):
            k = float(prop.value)
            if not (k.is_integer() and 0 <= k < 2**31):
                raise NotSpeculable("index")
            index: ast.expr = P.const(int(k))
            key = ("idx", obj.key, int(k)) if obj.key is not None else None
            if key is not None and key in self.fast_memo:
                return self.fast_memo[key]
            a = self.fast_need(obj, ARRAY)
        elif (back := self.fast_from_end(node)) is not None:
            # a[a.length - k]: Python's a[-k], the same element, or IndexError when a is
            # shorter than k (JS reads undefined there: the exact code's business)
            a = self.fast_need(obj, ARRAY)
            index = P.const(-back)
        else:
            a = self.fast_need(obj, ARRAY)
            i = self.fx(prop)
            if i.t not in (NUMBER, INT):
                raise NotSpeculable("computed key")
            # integral floats below 1024 to list indexes; anything else: KeyError
            index = P.subscript(self.helper("js_ARRAY_INDEX"), i.node)
        self.fast_reads += 1
        # IndexError past the end; a hole reads as `undefined` (via the prototypes): not
        # guessed, so the element is checked before it is used (settled or need).
        element = Typed(P.subscript(a.node, index), HOST if a.host else ELEMENT, key)
        return self.fast_remember(element)

    def fast_from_end(self, node: Any) -> int | None:
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
        same = self.src_text(length.object) == self.src_text(node.object) is not None
        return int(k.value) if same and 1 <= k.value < 2**31 else None

    def f_UnaryExpression(self, node: Any) -> Typed:
        if node.operator == "!":
            f = self.fx(node.argument)
            if f.t != BOOLEAN:
                raise NotSpeculable("!")
            return Typed(P.not_(f.node), BOOLEAN)
        if node.operator == "-":
            f = self.fast_need(self.fx(node.argument), NUMBER)
            return Typed(ast.UnaryOp(ast.USub(), f.node), NUMBER)
        raise NotSpeculable(node.operator)

    def f_LogicalExpression(self, node: Any) -> Typed:
        left = self.fx(node.left)
        right = self.fast_scoped(lambda: self.fx(node.right))
        if left.t != BOOLEAN or right.t != BOOLEAN:
            raise NotSpeculable("&& on non-booleans")  # JS returns operands, not booleans
        op = ast.And() if node.operator == "&&" else ast.Or()
        return Typed(ast.BoolOp(op, [left.node, right.node]), BOOLEAN)

    def f_ConditionalExpression(self, node: Any) -> Typed:
        test = self.fx(node.test)
        if test.t != BOOLEAN:
            raise NotSpeculable("?: test")
        yes = self.fast_scoped(lambda: self.fast_settled(self.fx(node.consequent)))
        no = self.fast_scoped(lambda: self.fast_settled(self.fx(node.alternate)))
        return Typed(P.ifexp(test.node, yes.node, no.node), yes.t if yes.t == no.t else ANY)

    def f_BinaryExpression(self, node: Any) -> Typed:
        op = node.operator
        if op == "+":
            return self.fast_plus(node)
        left = self.fx(node.left)
        right = self.fx(node.right)
        if op in _ARITH or op == "%":
            # Arithmetic on values read before is pure: computed once, reused (a selection's
            # `_event.data.n % 3 == 0` and `_event.data.n % 3 == 1`)
            key = _operation_key(op, left, right)
            if key is not None and key in self.fast_memo:
                return self.fast_memo[key]
            value = self.fast_arithmetic(op, left, right)
            return self.fast_remember(Typed(value.node, value.t, key)) if key is not None else value
        if op in _CMP:
            a, b = self.fast_number(left), self.fast_number(right)
            return Typed(ast.Compare(a.node, [_CMP[op]()], [b.node]), BOOLEAN)
        if op in ("===", "!==", "==", "!="):
            return self.fast_equality(op, left, right)
        raise NotSpeculable(op)

    def fast_arithmetic(self, op: str, left: Typed, right: Typed) -> Typed:
        if op in _ARITH:
            # float / 0.0 raises ZeroDivisionError: the exact code gives Infinity or NaN
            a, b = self.fast_numbers(left, right)
            return Typed(ast.BinOp(a.node, _ARITH[op](), b.node), NUMBER)
        if op == "%":
            a, b = self.fast_need(left, NUMBER), self.fast_need(right, NUMBER)
            a1, a2 = self.fast_bind(a)
            b1, b2 = self.fast_bind(b)
            # Python's % equals JS's (the dividend's sign) when both are positive; else fmod,
            # which is JS's % for finite operands and raises ValueError otherwise.
            positive: ast.expr = ast.Compare(a1, [ast.Gt()], [P.const(0.0)])
            if not (isinstance(b1, ast.Constant) and b1.value > 0.0):
                # `&`, not `and`: b must be bound on both branches (js_fmod reads it)
                positive = ast.BinOp(positive, ast.BitAnd(), ast.Compare(b1, [ast.Gt()], [P.const(0.0)]))
            return Typed(P.ifexp(positive, ast.BinOp(a2, ast.Mod(), b2), self.hcall("js_fmod", a2, b2)), NUMBER)
        raise NotSpeculable(op)

    def fast_plus(self, node: Any) -> Typed:
        """A chain a + b + c ...: all numbers when some operand is one and none is a string
        (one check per operand); else pairwise, left to right, as JS evaluates it."""
        chain = []
        n = node
        while n.type == "BinaryExpression" and n.operator == "+":
            chain.append(n.right)
            n = n.left
        chain.append(n)
        operands = [self.fx(x) for x in reversed(chain)]
        types = {f.t for f in operands}
        if STRING not in types and types & {NUMBER, INT}:
            nums = [self.fast_number(f) for f in operands]
            if all(f.t == INT for f in nums[:2]):
                nums[0] = Typed(P.call("float", nums[0].node), NUMBER)
            out = nums[0].node
            for f in nums[1:]:
                out = ast.BinOp(out, ast.Add(), f.node)
            return Typed(out, NUMBER)
        # (a HOST operand is settled by add: as_string reads a host int as it is)
        acc = operands[0] if operands[0].t == HOST else self.fast_settled(operands[0])
        for f in operands[1:]:
            acc = self.fast_add(acc, f if f.t == HOST else self.fast_settled(f))
        return acc

    def fast_add(self, left: Typed, right: Typed) -> Typed:
        if left.t == STRING or right.t == STRING:
            return Typed(self.concat(self.fast_as_string(left), self.fast_as_string(right)), STRING)
        left, right = self.fast_settled(left), self.fast_settled(right)
        if left.t == ANY and right.t == ANY:
            # Two numbers or two strings add as in Python; a mix (or objects) is not guessed.
            a1, a2 = self.fast_bind(left)
            b1, b2 = self.fast_bind(right)
            same = ast.Compare(P.class_of(a1), [ast.Is()], [P.class_of(b1)])
            plain = ast.Compare(P.class_of(a2), [ast.In()], [self.helper("js_ADD_TYPES")])
            # two strings: within the size cap (runtime/js/budget.py), else the exact code's
            # RangeError
            total = ast.BinOp(P.call(P.name("len"), a2), ast.Add(), P.call(P.name("len"), b2))
            small = ast.BoolOp(ast.Or(), [P.is_(P.class_of(a2), P.name("float")), ast.Compare(total, [ast.LtE()], [self.helper("js_MAX_STRING")])])
            checked = P.ifexp(small, ast.BinOp(a2, ast.Add(), b2), self.fast_deopt())
            return Typed(P.ifexp(ast.BoolOp(ast.And(), [same, plain]), checked, self.fast_deopt()), ANY)
        a, b = self.fast_need(left, NUMBER), self.fast_need(right, NUMBER)
        return Typed(ast.BinOp(a.node, ast.Add(), b.node), NUMBER)

    def fast_as_string(self, f: Typed) -> ast.expr:
        """The string `+` appends for f: strings as they are, numbers by ES5.1 9.8.1."""
        if f.t == STRING:
            return f.node
        if isinstance(f.node, ast.Constant):
            raise NotSpeculable("constant operand")  # the exact code folds these
        if f.t not in (NUMBER, ANY, HOST):
            raise NotSpeculable("string + " + f.t)
        first, ref = self.fast_bind(f)

        def number(x: ast.expr) -> ast.expr:
            # integral numbers from the runtime's table, the rest by ES5.1 9.8.1; a host int
            # (HOST) is looked up as it is (it equals the float to_js makes of it, and hashes
            # alike) and converted for the rest
            table = ast.Attribute(self.helper("js_INT_STRINGS"), "get", ast.Load())
            exact = P.call("float", ref) if f.t == HOST else ref
            return ast.BoolOp(ast.Or(), [ast.Call(table, [x], []), self.hcall("js_number_to_string", exact)])

        if f.t == NUMBER:
            return number(first)
        if f.t == HOST:
            numeric = ast.Compare(P.type_of(ref), [ast.In()], [self.helper("js_RAW_NUMBERS")])
        else:
            numeric = P.is_(P.class_of(ref), P.name("float"))
        return P.ifexp(P.is_(self.fast_type(first, f.t == HOST), P.name("str")), ref, P.ifexp(numeric, number(ref), self.fast_deopt()))

    def fast_equality(self, op: str, left: Typed, right: Typed) -> Typed:
        strict = op in ("===", "!==")
        negate = op in ("!==", "!=")
        if isinstance(left.node, ast.Constant) and not isinstance(right.node, ast.Constant):
            left, right = right, left  # the literal on the right
        if left.t == HOST and right.t in (STRING, NUMBER):
            # Event data compared with a string or a number: guessed to be one too (a host
            # int as its float), and compared as such.
            left = self.fast_need(left, right.t)
        left, right = self.fast_settled(left), self.fast_settled(right)
        if left.t == right.t and left.t in (NUMBER, STRING, BOOLEAN):
            test: ast.expr = ast.Compare(left.node, [ast.Eq()], [right.node])
        elif isinstance(right.node, ast.Constant) and right.t == STRING and left.t == ANY:
            if strict:
                # A str equals only an equal str; every other JS value compares unequal.
                test = ast.Compare(left.node, [ast.Eq()], [right.node])
            else:
                first, ref = self.fast_bind(left)
                test = P.ifexp(P.is_(P.class_of(first), P.name("str")), ast.Compare(ref, [ast.Eq()], [right.node]), self.fast_deopt())
        elif right.t == NUMBER and left.t == ANY:
            test = ast.Compare(self.fast_need(left, NUMBER).node, [ast.Eq()], [right.node])
        elif left.t == NUMBER and right.t == ANY:
            test = ast.Compare(left.node, [ast.Eq()], [self.fast_need(right, NUMBER).node])
        else:
            raise NotSpeculable("equality of unknown types")
        return Typed(P.not_(test) if negate else test, BOOLEAN)


def _operation_key(op: str, left: Typed, right: Typed) -> tuple | None:
    """The memo key of `left op right` when both are values read before (or constants)."""
    operands = []
    for f in (left, right):
        if f.key is not None:
            operands.append(f.key)
        elif isinstance(f.node, ast.Constant) and f.t is not None:
            operands.append(("const", f.t, f.node.value))
        else:
            return None
    return ("op", op, *operands)


def _rooted(key: Any, root: tuple) -> bool:
    """Is `key` (nested read keys) a read through `root`, or an operation on one?"""
    if key == root:
        return True
    if isinstance(key, tuple) and key:
        if key[0] in ("get", "idx"):
            return _rooted(key[1], root)
        if key[0] == "op":
            return _rooted(key[2], root) or _rooted(key[3], root)
    return False
