"""ECMAScript to Python ast transpiler (see docs/ecmascript.md for the contract).

`Transpiler` is the public face: it parses with esprima, rejects what scxmlc cannot run,
and hands the tree to the code generator (compiler.py for expressions, statements.py for
statements and functions). One Transpiler compiles one chart; its counters make every
generated name unique within the chart, so code from several calls can share one Python
function without clashes, and the output is deterministic for a given call sequence.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import sys
from typing import Any

from . import esprima_character

esprima_character.install()  # before esprima's first import: see esprima_character's docstring

import esprima  # noqa: E402
import esprima.nodes  # noqa: E402
import esprima.parser  # noqa: E402
import esprima.scanner  # noqa: E402
import esprima.syntax  # noqa: E402
import esprima.token  # noqa: E402

from . import pyast as P
from .compiler import DM, Unsupported, _loc, ticks_binding
from .errors import ECMAScriptSyntaxError
from .names import READONLY_GLOBALS, identifier_ok as _identifier_ok
from .scope import lexical_declarations, use_strict, var_declarations, walk, walk_all
from .speculate import NotSpeculable
from .statements import StmtCompiler
from .types import HOST, Typed

__all__ = ["Transpiler", "ECMAScriptSyntaxError"]

_OPTIONS = {"range": True, "loc": True}


@functools.lru_cache(maxsize=16)
def _parse_script(text: str):
    """esprima's tree of `text`. Lowering asks for the same text several times in a row (the
    exact code, its fast path, a selector's guess), and a parse is the costliest step, so the
    last few trees are kept; the code generators only read them."""
    return esprima.parseScript(text, _OPTIONS)


def _test_regexp(self, pattern: str, flags: str):
    """esprima validates regex literals by compiling them with Python's `re`, which rejects
    valid JS (`[^]`, `\\cJ`, forward references) and accepts invalid JS. Validate with the
    runtime's JS-to-Python translator instead, the one that will run the pattern."""
    from scxmlc_runtime.js.regexp import RegExpSyntaxError, compile_js_regexp

    try:
        compile_js_regexp(pattern, flags)
    except RegExpSyntaxError:
        self.tolerateUnexpectedToken(esprima.messages.Messages.InvalidRegExp)
    return None


esprima.scanner.Scanner.testRegExp = _test_regexp


def _parse_exponentiation(self):
    """esprima 4.0.1 rejects `(-2) ** 3`: the parenthesised unary comes back as a bare
    UnaryExpression node, which the ** rule (ES2016 12.6) must refuse only when unparenthesised
    (`-2 ** 3`). A UnaryExpression whose first token is `(` was parenthesised."""
    start = self.lookahead
    expr = self.inheritCoverGrammar(self.parseUnaryExpression)
    parenthesised = start.type == esprima.token.Token.Punctuator and start.value == "("
    if (expr.type != esprima.syntax.Syntax.UnaryExpression or parenthesised) and self.match("**"):
        self.nextToken()
        self.context.isAssignmentTarget = False
        self.context.isBindingElement = False
        left = expr
        right = self.isolateCoverGrammar(self.parseExponentiationExpression)
        expr = self.finalize(self.startNode(start), esprima.nodes.BinaryExpression("**", left, right))
    return expr


esprima.parser.Parser.parseExponentiationExpression = _parse_exponentiation


def _scan_identifier(self):
    """esprima 4.0.1 refuses a reserved word written with unicode escapes (`def\\u0061ult`) as
    soon as it scans it, before the parser knows whether an IdentifierName is enough there.
    It is (ES5.1 7.6, 11.2.1, 11.1.5): after `.` and as a property name in object literals and
    classes (`o.def\\u0061ult`, `{ def\\u0061ult: 1 }`). Scan it as an Identifier token (an escaped
    word is never the keyword itself); `_check_supported` then rejects it wherever an
    Identifier is required (a variable, a label, `th\\u0069s`: 7.6.1)."""
    start = self.index
    name = self.getComplexIdentifier() if self.source[start] == "\\" else self.getIdentifier()
    Token = esprima.token.Token
    escaped = start + len(name) != self.index
    if len(name) == 1 or escaped:
        kind = Token.Identifier
    elif self.isKeyword(name):
        kind = Token.Keyword
    elif name == "null":
        kind = Token.NullLiteral
    elif name in ("true", "false"):
        kind = Token.BooleanLiteral
    else:
        kind = Token.Identifier
    return esprima.scanner.RawToken(
        type=kind, value=name, lineNumber=self.lineNumber, lineStart=self.lineStart, start=start, end=self.index
    )


esprima.scanner.Scanner.scanIdentifier = _scan_identifier


def _syntax_error(exc: Exception, text: str, line_shift: int = 0) -> ECMAScriptSyntaxError:
    """An esprima error as ECMAScriptSyntaxError, positioned in `text` (the caller's source;
    line_shift undoes the wrapper lines added around expressions)."""
    message = getattr(exc, "message", None) or str(exc)
    if message.startswith("Line ") and ": " in message:
        message = message.split(": ", 1)[1]
    lines = text.split("\n") or [""]
    line = max(1, (getattr(exc, "lineNumber", None) or 1) - line_shift)
    column = getattr(exc, "column", None) or 1
    if line > len(lines):
        # Past the end (the wrapper's closing parenthesis): report the end of the text.
        line, column = len(lines), len(lines[-1]) + 1
    return ECMAScriptSyntaxError(message, line, column)


# Words an escaped IdentifierName must not spell where an Identifier is required (ES5.1 7.6.1:
# keywords, future reserved words, null/true/false; the strict-mode-only ones are identifiers
# in sloppy code, and esprima itself refuses them in strict code).
_ESCAPE_RESERVED = frozenset(
    """break case catch continue debugger default delete do else finally for function if in
    instanceof new return switch this throw try typeof var void while with class const enum
    export extends import super null true false""".split()
)


def _name_positions(n: Any) -> tuple:
    """The Identifier children of `n` that are IdentifierNames (property names), not
    Identifiers: the property after `.`, and non-computed keys of object literal properties
    (not shorthand ones, whose key is also a variable reference) and class members."""
    t = n.type
    if t == "MemberExpression" and not n.computed:
        return (n.property,)
    if t == "Property" and not n.computed and not n.shorthand:
        return (n.key,)
    if t == "MethodDefinition" and not n.computed:
        return (n.key,)
    if t == "MetaProperty":
        return (n.meta, n.property)
    return ()


def _check_supported(tree: Any) -> None:
    """Reject constructs with no safe or faithful translation, before generating anything."""
    names: set[int] = set()  # ids of Identifier nodes in IdentifierName positions
    for n in walk_all(tree):
        t = n.type
        if t == "Identifier":
            if n.name in _ESCAPE_RESERVED and id(n) not in names:
                # only an escaped reserved word gets here as an Identifier (_scan_identifier)
                raise ECMAScriptSyntaxError("Keyword must not contain escaped characters", *_loc(n))
            continue
        for child in _name_positions(n):
            names.add(id(child))
        if t == "WithStatement":
            raise ECMAScriptSyntaxError("with statements are not supported", *_loc(n))
        if t in ("YieldExpression", "AwaitExpression") or (
            t in ("FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression")
            and (n.generator or getattr(n, "isAsync", False))
        ):
            raise ECMAScriptSyntaxError("generators and async functions are not supported", *_loc(n))
        if t == "MetaProperty":
            raise ECMAScriptSyntaxError("new.target is not supported", *_loc(n))
        if t == "TaggedTemplateExpression":
            raise ECMAScriptSyntaxError("tagged templates are not supported", *_loc(n))
        if t in ("ImportDeclaration", "ExportNamedDeclaration", "ExportDefaultDeclaration", "ExportAllDeclaration", "Import"):
            raise ECMAScriptSyntaxError("modules are not supported", *_loc(n))


def _deeper_than(node: ast.AST, limit: int, blocks: int | None = None) -> bool:
    """Is the Python AST nested more than `limit` levels, or (given `blocks`) are more than
    `blocks` loops, try and with statements nested in one function? (Iterative, one pass,
    stops early.)"""
    stack = [(node, 1, 0)]
    AST = ast.AST
    while stack:
        n, d, b = stack.pop()
        if d > limit:
            return True
        if blocks is not None:
            if isinstance(n, _FUNCTIONS):
                b = 0  # (a function's blocks are counted afresh)
            elif isinstance(n, _BLOCKS):
                b += 1
                if b > blocks:
                    return True
        d += 1
        for name in n._fields:
            v = getattr(n, name, None)
            if isinstance(v, list):
                stack.extend((c, d, b) for c in v if isinstance(c, AST))
            elif isinstance(v, AST):
                stack.append((v, d, b))
    return False


_SAFE_DEPTH = 60
# CPython refuses more than 20 loops, try and with statements inside each other in one function
# ("too many statically nested blocks"), at an AST depth far below _SAFE_DEPTH.
_SAFE_BLOCKS = 16
_BLOCKS = (ast.For, ast.AsyncFor, ast.While, ast.Try, ast.TryStar, ast.With, ast.AsyncWith)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _check_compilable(result):
    """Deeply nested JS (`[[[[...]]]]`, `f(f(f(...)))`) can produce Python that CPython's
    compiler refuses (it caps nesting at about 200 brackets). Compile suspiciously deep
    output once here, so such source is a diagnosed ECMAScriptSyntaxError instead of a
    generated module that does not load."""
    nodes = result if isinstance(result, list) else [ast.Expr(result)]
    if not any(_deeper_than(n, _SAFE_DEPTH, _SAFE_BLOCKS) for n in nodes):
        return result
    probe = ast.Module(
        [
            ast.FunctionDef(
                name="_tprobe",
                args=ast.arguments(posonlyargs=[], args=[ast.arg(DM)], kwonlyargs=[], kw_defaults=[], defaults=[]),
                body=list(nodes),
                decorator_list=[],
                returns=None,
                type_params=[],
            )
        ],
        [],
    )
    try:
        compile(ast.unparse(ast.fix_missing_locations(probe)), "<scxmlc ecmascript>", "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        raise Unsupported("code nested too deeply for Python") from None
    return result


@contextlib.contextmanager
def _deep_recursion():
    """esprima is a recursive-descent parser using about a dozen Python frames per nesting
    level, so Python's default limit (1000) stops at ~80 levels of brackets. Allow more while
    parsing and generating (CPython 3.11+ does not use the C stack for Python-to-Python
    calls); the generated code is checked separately (_check_compilable)."""
    old = sys.getrecursionlimit()
    if old < _PARSE_RECURSION_LIMIT:
        sys.setrecursionlimit(_PARSE_RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


_PARSE_RECURSION_LIMIT = 8000


def _deep(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with _deep_recursion():
            return method(*args, **kwargs)

    return wrapper


# Why an expression has no fast path: the policy does not cover it, or the exact compiler
# rejects it (which the exact code then reports). Nothing else is caught: a bug in the fast
# paths must fail the compile, not quietly cost speed.
_NO_FAST_PATH = (NotSpeculable, Unsupported, ECMAScriptSyntaxError, RecursionError)


class Transpiler:
    """ECMAScript (the `cond`, `expr`, `location` and `<script>` of a chart) to Python ast."""

    def __init__(
        self,
        *,
        hoist_event: bool = False,
        declared: frozenset[str] = frozenset(),
        statements_as_expressions: bool = False,
        shadowed: frozenset[str] = frozenset(),
        dynamic_scope: bool = False,
    ) -> None:
        # declared: globals that exist whenever code runs (a chart's <data> ids and system
        # variables, which the runtime creates before any code): read by plain subscript.
        # Any other global is read through js_global (variable, built-in or ReferenceError).
        self.declared = declared
        # hoist_event: top-level reads of `_event` use the local `_ev`, which the caller binds
        # once at the start of the generated function (`_ev = _dm["_event"]`). Sound where
        # the caller guarantees `_event` is bound and cannot change while the function runs:
        # the runtime binds it before any code runs and only between microsteps, and JS code
        # cannot assign, declare or delete it (a system variable, SCXML 5.10).
        self.hoist_event = hoist_event
        # ORS dialect: an expression attribute that is a labelled expression statement is read
        # as that expression; `statement_fallbacks` counts them (the caller warns).
        self.statements_as_expressions = statements_as_expressions
        # ORS: data items that a script also declares with `var` (ors-dialect.md §5.1). Their
        # bare names are the script variable once declared, else the data item (js_shadow_*).
        self.shadowed = shadowed
        # Code compiled at run time (eval, Function) cannot know the chart's shadowed names:
        # every global it reads or writes goes through js_shadow_* (a dict lookup more).
        self.dynamic_scope = dynamic_scope
        self.statement_fallbacks = 0
        self.helpers: set[str] = set()
        self.counter = 0
        self.ticks = 0  # budget steps emitted so far (StmtCompiler.tick)
        self.py_names: set[str] = set()
        # factory defs of statement-bodied functions inside expressions (factory_function),
        # by name; whoever makes the Python function around this code puts the ones it uses
        # first in its body (hoisted_for)
        self.hoisted: dict[str, ast.FunctionDef] = {}

    def hoisted_for(self, body: list[ast.stmt] | ast.AST) -> list[ast.stmt]:
        """The hoisted factory defs that `body` calls, directly or through one another, in the
        order they were made: the statements to put first in the function holding `body`."""
        if not self.hoisted:
            return []
        nodes = body if isinstance(body, list) else [body]
        used = {n.id for b in nodes for n in ast.walk(b) if isinstance(n, ast.Name) and n.id in self.hoisted}
        pending = list(used)
        while pending:
            inner = self.hoisted[pending.pop()]
            for n in ast.walk(inner):
                if isinstance(n, ast.Name) and n.id in self.hoisted and n.id not in used:
                    used.add(n.id)
                    pending.append(n.id)
        return [fdef for name, fdef in self.hoisted.items() if name in used]

    # -- parsing --------------------------------------------------------------------------

    def _parse_expression(self, src: str) -> tuple[Any, str, int]:
        """(expression node, text, offset of text in node ranges).

        An SCXML expression is an ECMAScript Expression. Parsing it as a script would read
        `function(){}` as a (nameless, invalid) declaration and `{a: 1}` as a block, so it is
        parsed inside parentheses; a trailing `;` (seen in charts: `new testobject();`) is
        tolerated. The text must not close the wrapper's parenthesis itself (`1); x(`,
        `1)(2`): then the wrapper's `(` opens an inner parenthesised expression, so the parsed
        expression starts at offset 0 instead of inside the wrapper, which is checked below.
        """
        text = src.strip()
        while text.endswith(";"):
            text = text[:-1].rstrip()
        if not text:
            raise ECMAScriptSyntaxError("empty expression", 1, 1)
        wrapped = "(\n" + text + "\n)"
        try:
            tree = _parse_script(wrapped)
        except Exception as exc:  # esprima raises its own Error type
            error = _syntax_error(exc, text, line_shift=1)
            statement = self._statement_expression(text) if self.statements_as_expressions else None
            if statement is None:
                raise error from None
            self.statement_fallbacks += 1
            return statement, text, 0
        if len(tree.body) != 1 or tree.body[0].type != "ExpressionStatement":
            raise ECMAScriptSyntaxError("expected an expression", 1, 1)
        expression = tree.body[0].expression
        start, end = expression.range
        if start < 2 or end > len(wrapped) - 2:
            raise ECMAScriptSyntaxError("Unexpected token )", 1, 1)
        _check_supported(tree)
        return expression, text, 2

    @staticmethod
    def _statement_expression(text: str):
        """ORS (ors-dialect.md §4.7): an attribute that is not an Expression but a Program of
        one expression statement, possibly labelled (`caller_id: x.connid`), means that
        expression, as an engine that evaluates attribute text like `eval` reads it."""
        try:
            tree = _parse_script(text)
        except Exception:  # noqa: BLE001
            return None
        body = tree.body
        if len(body) != 1:
            return None
        node = body[0]
        while node.type == "LabeledStatement":
            node = node.body
        if node.type != "ExpressionStatement":
            return None
        try:
            _check_supported(tree)
        except ECMAScriptSyntaxError:
            return None
        return node.expression

    def _compiler(self, source: str, offset: int, lambda_mode: bool) -> StmtCompiler:
        return StmtCompiler(self, source, offset, lambda_mode)

    def _run(self, fn, *args):
        try:
            return _check_compilable(fn(*args))
        except Unsupported as exc:
            line, col = _loc(exc.node) if exc.node is not None else (1, 1)
            raise ECMAScriptSyntaxError(str(exc), line, col) from None
        except RecursionError:
            raise ECMAScriptSyntaxError("expression nested too deeply", 1, 1) from None

    # -- public API -----------------------------------------------------------------------

    @_deep
    def expr(self, src: str, *, compact: bool = False) -> ast.expr:
        """A value expression (`compact`: the exact code behind a fast path, see
        ExprCompiler.compact)."""
        node, text, offset = self._parse_expression(src)
        c = self._compiler(text, offset, True)
        c.compact = compact
        return self._run(lambda: c.v(node))

    @_deep
    def cond(self, src: str, *, compact: bool = False) -> ast.expr:
        """A condition: a Python bool with JS truthiness (ES5.1 9.2)."""
        node, text, offset = self._parse_expression(src)
        c = self._compiler(text, offset, True)
        c.compact = compact
        return self._run(lambda: c.test(node))

    def mark(self) -> tuple:
        """The state of temporaries and helpers, for `reset` (code built and then dropped)."""
        return set(self.helpers), self.counter, dict(self.hoisted)

    def reset(self, mark: tuple) -> None:
        self.helpers, self.counter, self.hoisted = set(mark[0]), mark[1], dict(mark[2])

    @_deep
    def fast_expr(self, src: str, *, always: bool = False) -> ast.expr | None:
        """The speculative fast path of a value expression (speculate.py), or None when it
        has none worth having (`always`: none at all). It may raise anything; the caller
        then runs `expr(src)`."""
        return self._fast(src, False, always)

    @_deep
    def fast_cond(self, src: str, *, always: bool = False) -> ast.expr | None:
        """The speculative fast path of a condition (a Python bool), or None."""
        return self._fast(src, True, always)

    def _fast(self, src: str, cond: bool, always: bool) -> ast.expr | None:
        try:
            node, text, offset = self._parse_expression(src)
        except ECMAScriptSyntaxError:
            return None
        mark = self.mark()
        c = self._compiler(text, offset, True)
        c.speculating()
        try:
            out = c.fast_condition(node) if cond else c.fast_value(node)
            if (c.fast_reads or always) and not _deeper_than(out, 60):
                return out
        except _NO_FAST_PATH:  # (the exact code reports the document's real errors)
            pass
        self.reset(mark)  # nothing of it is emitted
        return None

    def _fast_test(self, src: str, memo: dict) -> ast.expr:
        """The fast path of one condition of a selection, sharing `memo` (raises what
        _NO_FAST_PATH lists when it has none)."""
        node, text, offset = self._parse_expression(src)
        c = self._compiler(text, offset, True)
        c.speculating(memo)
        test = c.fast_condition(node)
        if _deeper_than(test, 60):
            raise NotSpeculable("too deep")
        return test

    def _fast_assignments(self, assigns: list[tuple[str, str]], memo: dict) -> list[tuple[str, ast.expr]]:
        """The fast paths of consecutive assignments `name = src` to globals sharing `memo`,
        computed in order without storing anything: each sees the values assigned before it
        (raises what _NO_FAST_PATH lists when one has none). [(temporary, value)]."""
        out: list[tuple[str, ast.expr]] = []
        for name, src in assigns:
            node, text, offset = self._parse_expression(src)
            c = self._compiler(text, offset, True)
            c.speculating(memo)
            value = c.fast_settled(c.fx(node))
            if _deeper_than(value.node, 60):
                raise NotSpeculable("too deep")
            temp = c.tmp("_v")
            out.append((temp, value.node))
            c.fast_assigned(name, temp, value.t)
        return out

    @_deep
    def fast_conds(self, conds: list[str]) -> list[ast.expr]:
        """Fast paths of conditions evaluated one after the other (a transition selection):
        each reuses what the ones before it read (nothing changes in between: fast paths are
        pure). The longest prefix of `conds` that has fast paths; [] when none has."""
        memo: dict = {}
        out: list[ast.expr] = []
        for src in conds:
            mark, saved = self.mark(), dict(memo)
            try:
                out.append(self._fast_test(src, memo))
            except _NO_FAST_PATH:
                self.reset(mark)
                memo.clear()
                memo.update(saved)
                break
        return out

    @_deep
    def fast_assigns(self, assigns: list[tuple[str, str]]) -> list[tuple[str, ast.expr]] | None:
        """Fast paths of consecutive assignments `name = src` to globals, computed in order
        without storing anything: each sees the values assigned before it and reuses what
        the others read. [(temporary, value)] or None when one of them has no fast path."""
        mark = self.mark()
        try:
            return self._fast_assignments(assigns, {})
        except _NO_FAST_PATH:
            self.reset(mark)
            return None

    @_deep
    def fast_handler(self, branches: list[tuple[str | None, list[tuple[str, str]]]], data: str) -> list[tuple[ast.expr | None, list[tuple[str, ast.expr]]]] | None:
        """Fast paths of a whole transition selection and of the assignments of the one
        selected, read from the event's data as the host passed it in the Python name `data`
        (`_event.data`; the event object itself is not built: lowering.py, lower_handlers).
        `branches`: each candidate's condition (None: none) and its `name = src`
        assignments. The conditions share what they read, as in `fast_conds`; a branch's
        assignments also see what its condition read, as in `fast_assigns` (the branch runs
        only when that condition held). [(test or None, [(temporary, value)])], or None when
        one of them has no fast path."""
        mark = self.mark()
        key = ("get", ("id", "_event"), "data")
        memo: dict = {key: Typed(P.name(data), HOST, key)}
        try:
            # (what a branch reads and assigns is not known after it: its own copy of memo)
            return [(None if cond is None else self._fast_test(cond, memo), self._fast_assignments(assigns, dict(memo))) for cond, assigns in branches]
        except _NO_FAST_PATH:
            self.reset(mark)
            return None

    @_deep
    def assign(self, location_src: str, value: ast.expr) -> list[ast.stmt]:
        """Statements assigning `value` (a Python expression) to a JS location."""
        node, text, offset = self._parse_expression(location_src)
        if node.type not in ("Identifier", "MemberExpression"):
            raise ECMAScriptSyntaxError("Invalid left-hand side in assignment", *_loc(node))
        c = self._compiler(text, offset, True)

        def gen():
            if node.type == "Identifier":
                if node.name in ("undefined", "NaN", "Infinity"):
                    return [P.expr_stmt(value)]
                return c.assign_ident_stmts(node.name, value, node)
            return [P.expr_stmt(c.assign_to(node, value, node))]

        return self._run(gen)

    @_deep
    def script(self, src: str) -> list[ast.stmt]:
        """A <script> body. Top-level `var` and function declarations are datamodel globals
        (ES5.1 10.5: the global environment's bindings are the global object's properties)."""
        try:
            tree = _parse_script(src)
        except Exception as exc:
            raise _syntax_error(exc, src) from None
        _check_supported(tree)
        c = self._compiler(src, 0, False)
        # A script starting with "use strict" is strict code, and so is every function in it
        # (ES5.1 10.1.1); its own `this` stays the global object (10.4.1.1).
        c.func.strict = use_strict(tree.body)
        ticks0 = self.ticks

        def gen():
            out: list[ast.stmt] = []
            names, _nested = var_declarations(tree)
            top_funcs = [s for s in tree.body if s.type == "FunctionDeclaration"]
            for f in _nested:
                if f not in top_funcs and f.id.name not in names:
                    names.append(f.id.name)
            for n in names:
                if n in READONLY_GLOBALS:
                    raise Unsupported(f"cannot declare the system variable {n}", None)
            shadowing = [n for n in [*names, *(f.id.name for f in top_funcs)] if n in self.shadowed]
            if shadowing:
                out.append(P.expr_stmt(c.hcall("js_shadow_declare", P.name(DM), ast.Tuple([P.const(n) for n in shadowing], ast.Load()))))
            func_names = [f.id.name for f in top_funcs]
            declared = [n for n in names if n not in func_names and n not in self.shadowed]
            if self.dynamic_scope:
                # eval code: its vars are deletable (ES5.1 10.5 step 2)
                if declared:
                    out.append(P.expr_stmt(c.hcall("js_declare_configurable", P.name(DM), P.names_tuple(declared))))
            else:
                # Declared bindings are not deletable (10.5 step 8): `delete x` of one is false at
                # once in this script, and through js_declare's record in later code.
                lexical = [n for n, _ in lexical_declarations(tree.body)]
                c.script_names = frozenset((*names, *func_names, *lexical))
                bound = [n for n in dict.fromkeys((*func_names, *lexical)) if n not in self.shadowed and n not in declared]
                if declared or bound:
                    args = [P.name(DM), P.names_tuple(declared)]
                    if bound:
                        args.append(P.names_tuple(bound))
                    out.append(P.expr_stmt(c.hcall("js_declare", *args)))
            c.prelude_stack.append(out)
            for f in top_funcs:
                out.extend(c.function_declaration(f))
            c.prelude_stack.pop()
            out.extend(c.statements(tree.body, skip_functions=True))
            nested_lexical = [
                n
                for n in walk(tree)
                if (n.type == "VariableDeclaration" and n.kind != "var") or n.type == "ClassDeclaration"
            ]
            if len(nested_lexical) > sum(
                1 for s in tree.body if (s.type == "VariableDeclaration" and s.kind != "var") or s.type == "ClassDeclaration"
            ):
                # Block-scoped bindings of top-level code are locals of the caller's function:
                # a read in their temporal dead zone raises NameError there, which must reach
                # the runtime as the ReferenceError it stands for (functions do this themselves).
                out = [c.guarded_body(out)]
            if self.ticks != ticks0:
                # Loops and functions tick the session's script budget (StmtCompiler.tick):
                # the script binds the iterator once, its functions close over it.
                out.insert(0, ticks_binding())
            return out

        return self._run(gen)

    def script_globals(self, src: str) -> set[str]:
        """The names a <script> declares at its top level (`var` and function declarations,
        ES5.1 10.5); none for text that does not parse (its error is reported where it is
        compiled)."""
        try:
            tree = _parse_script(src)
        except Exception:  # noqa: BLE001 - esprima's own error type
            return set()
        names, nested = var_declarations(tree)
        return {*names, *(f.id.name for f in nested)}

    def is_expression(self, src: str) -> bool:
        """Whether `src` parses as an ECMAScript Expression."""
        try:
            self._parse_expression(src)
        except ECMAScriptSyntaxError:
            return False
        return True

    def identifier_ok(self, name: str) -> bool:
        """Whether `name` is a JS identifier a script may assign (for <foreach item/index>)."""
        return _identifier_ok(name)
