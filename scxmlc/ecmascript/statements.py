"""Code generation for statements and functions (ES5.1 clauses 12 and 13, plus let/const,
arrows, for-of and destructuring from ES2015)."""

from __future__ import annotations

import ast
from typing import Any, Callable

from . import pyast as P
from .compiler import DM, ExprCompiler, Unsupported, ticks_binding
from .types import FUNCTION, NUMBER, Typed
from .names import py_local
from .numeric import numeric_locals
from .scope import Binding, FunctionCtx, JumpTarget, Scope, lexical_declarations, pattern_names, use_strict, var_declarations, walk


def _always_exits(stmts: list) -> bool:
    """The statement list cannot complete normally (ends in return/throw)."""
    if not stmts:
        return False
    last = stmts[-1]
    if last.type in ("ReturnStatement", "ThrowStatement"):
        return True
    if last.type == "IfStatement" and last.alternate is not None:
        return _always_exits([last.consequent]) and _always_exits([last.alternate])
    if last.type == "BlockStatement":
        return _always_exits(last.body)
    return False


class StmtCompiler(ExprCompiler):
    # -- bindings -------------------------------------------------------------------------

    def new_py_name(self, js_name: str) -> str:
        base = py_local(js_name)
        n = base
        k = 0
        while n in self.unit.py_names:
            k += 1
            n = f"{base}_{k}"
        self.unit.py_names.add(n)
        return n

    def declare(self, scope: Scope, name: str, kind: str) -> Binding:
        b = scope.bindings.get(name)
        if b is not None:
            return b
        b = Binding(name, self.new_py_name(name), kind, self.func)
        b.numeric = kind in ("var", "let", "const") and name in self.func.numeric
        scope.bindings[name] = b
        return b

    def push_scope(self) -> Scope:
        self.scope = Scope(parent=self.scope, func=self.func)
        return self.scope

    def pop_scope(self) -> None:
        self.scope = self.scope.parent

    def emit_prelude(self, stmts: list[ast.stmt]) -> None:
        """Statements that must run before the statement being compiled (function defs)."""
        if not self.prelude_stack:
            self.fail("internal: no statement context for a function definition")
        self.prelude_stack[-1].extend(stmts)

    # -- statement lists ------------------------------------------------------------------

    def block_body(self, stmts: list, new_scope: bool = True, function_body: bool = False) -> list[ast.stmt]:
        """A statement list with its own lexical scope (ES2015 13.2.14 BlockDeclarationInstantiation).
        `function_body`: a function's own statements, whose function declarations bind the
        function's vars (made in function_scope_setup) as it is entered (ES5.1 10.5)."""
        if new_scope:
            self.push_scope()
        out: list[ast.stmt] = []
        for name, kind in lexical_declarations(stmts):
            # Not initialised here: until its declaration runs, the Python local is unbound,
            # and reading it raises NameError, which becomes the ReferenceError of the
            # temporal dead zone (ES2015 13.3.1).
            self.declare(self.scope, name, kind)
        if function_body:
            for s in stmts:
                if s.type == "FunctionDeclaration":
                    out.extend(self.function_declaration(s))
        else:
            out.extend(self.block_functions(stmts))
        out.extend(self.statements(stmts, skip_functions=True, block=not function_body))
        if new_scope:
            self.pop_scope()
        return out

    def block_functions(self, stmts: list) -> list[ast.stmt]:
        """The function declarations directly in a nested block (or a switch's cases): each
        is a binding of the block, made as the block is entered (ES2015 13.2.14); in sloppy
        code the function-scoped var of the same name takes its value only when the
        declaration itself is reached (Annex B.3.3.1, block_function_reached)."""
        out: list[ast.stmt] = []
        for s in stmts:
            if s.type == "FunctionDeclaration":
                self.declare(self.scope, s.id.name, "function")
                out.extend(self.function_declaration(s))
        return out

    def block_function_reached(self, node: Any) -> list[ast.stmt]:
        """Annex B.3.3.1: evaluating a function declaration in a block (sloppy code) sets the
        var of the same name to the block's function; not where an enclosing block declares
        the name with let, const or class (the var would be an early error there, so there is
        none to set). An enclosing block's function of the same name is passed by (B.3.3.4
        allows that duplicate)."""
        if self.func.strict:
            return []
        name = node.id.name
        block = self.scope.bindings[name]
        scope = self.scope.parent
        while scope is not None and scope.func is self.func and scope.bindings.get(name) is not None and scope.bindings[name].kind == "function":
            scope = scope.parent
        if scope is None:
            scope = Scope(parent=None, func=self.func)  # (nothing declares it: the global)
        outer = scope.lookup(name)
        if outer is not None and outer.kind != "var":
            return []
        saved, self.scope = self.scope, scope
        try:
            return self.assign_ident_stmts(name, P.name(block.py), node.id)
        finally:
            self.scope = saved

    def statements(self, stmts: list, skip_functions: bool = False, block: bool = False) -> list[ast.stmt]:
        """`skip_functions`: the function declarations are made already (block_body); in a
        nested `block`, each one's place sets its var (Annex B.3.3)."""
        out: list[ast.stmt] = []
        for s in stmts:
            if skip_functions and s.type == "FunctionDeclaration":
                if block:
                    out.extend(self.block_function_reached(s))
                continue
            self.prelude_stack.append([])
            body = self.stmt(s)
            out.extend(self.prelude_stack.pop())
            out.extend(body)
        return out

    def stmt(self, node: Any) -> list[ast.stmt]:
        method = getattr(self, "s_" + node.type, None)
        if method is None:
            self.fail(f"{node.type} is not supported", node)
        return method(node)

    def body_of(self, node: Any) -> list[ast.stmt]:
        """A sub-statement (loop/if body) as a non-empty Python statement list."""
        if node.type == "BlockStatement":
            out = self.block_body(node.body)
        else:
            self.prelude_stack.append([])
            stmts = self.stmt(node)
            out = self.prelude_stack.pop() + stmts
        return out or [ast.Pass()]

    # -- simple statements ----------------------------------------------------------------

    def s_EmptyStatement(self, node: Any) -> list[ast.stmt]:
        return []

    def s_DebuggerStatement(self, node: Any) -> list[ast.stmt]:
        return []

    def s_BlockStatement(self, node: Any) -> list[ast.stmt]:
        return self.block_body(node.body)

    def s_ExpressionStatement(self, node: Any) -> list[ast.stmt]:
        return self.expression_statement(node.expression)

    def expression_statement(self, e: Any) -> list[ast.stmt]:
        """An expression whose value is unused: assignments become Python assignments."""
        if e.type == "AssignmentExpression" and e.operator not in ("=",) and e.left.type == "Identifier":
            cur = self.read_ident(e.left.name, e.left)
            result = self.binop_typed(e.operator[:-1], cur, self.ex(e.right), e)
            return self.assign_ident_stmts(e.left.name, result.node, e.left)
        if e.type == "UpdateExpression" and e.argument.type == "MemberExpression" and not e.prefix:
            # obj.n++ as a statement: the old value is not needed, so compile as ++obj.n.
            return [P.expr_stmt(self.update_member(e.argument, e.operator, prefix=True))]
        if e.type == "AssignmentExpression" and e.operator == "=" and e.left.type == "Identifier":
            value = self.function_value(e.right, name_hint=e.left.name) if self.is_anon_fn(e.right) else self.v(e.right)
            return self.assign_ident_stmts(e.left.name, value, e.left)
        if e.type == "AssignmentExpression" and e.operator == "=" and e.left.type == "MemberExpression":
            return [P.expr_stmt(self.x_AssignmentExpression(e).node)]
        if e.type == "UpdateExpression" and e.argument.type == "Identifier":
            # x++ as a statement: no need to keep the old value.
            cur = self.read_ident(e.argument.name, e.argument)
            return self.assign_ident_stmts(e.argument.name, self.step(cur.node, e.operator, cur.t == NUMBER), e.argument)
        return [P.expr_stmt(self.v(e))]

    def s_VariableDeclaration(self, node: Any) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for d in node.declarations:
            if d.init is None:
                if node.kind == "var":
                    continue  # hoisted; `var x;` does not reset x (ES5.1 12.2)
                if d.id.type == "Identifier":
                    # `let x;` initialises x to undefined (a global at a script's top level).
                    out.extend(self.init_binding(d.id.name, self.undefined(), d.id))
                continue
            value = self.function_value(d.init, name_hint=d.id.name) if d.id.type == "Identifier" and self.is_anon_fn(d.init) else self.v(d.init)
            if d.id.type == "Identifier":
                out.extend(self.init_binding(d.id.name, value, d.id))
            else:
                parts = self.pattern_parts(d.id, P.name(tmp := self.tmp()), lambda n, v, nd: self.init_expr(n, v, nd))
                out.append(P.assign(P.store(tmp), value))
                out.extend(P.expr_stmt(p) for p in parts)
        return out

    def init_binding(self, name: str, value: ast.expr, node: Any) -> list[ast.stmt]:
        """Initialise a declared binding (const included)."""
        b = self.resolve(name)
        if b is not None and b.kind == "const":
            return [P.assign(P.store(b.py), value)]
        return self.assign_ident_stmts(name, value, node)

    def init_expr(self, name: str, value: ast.expr, node: Any) -> ast.expr:
        b = self.resolve(name)
        if b is not None and b.kind == "const":
            return P.walrus(b.py, value)
        return self.assign_ident_expr(name, value, node)

    def s_ReturnStatement(self, node: Any) -> list[ast.stmt]:
        f = self.func
        while f.loop_body:
            f = f.parent
        if f.top:
            self.fail("Illegal return statement", node)
        value = self.v(node.argument) if node.argument is not None else self.undefined()
        if self.func.loop_body:
            self.func.returns = True
            return [ast.Return(ast.Tuple([ast.Tuple([P.const("return"), value], ast.Load()), *self.loop_body_results()], ast.Load()))]
        return [ast.Return(value)]

    def s_ThrowStatement(self, node: Any) -> list[ast.stmt]:
        return [ast.Raise(P.call(self.helper("JSThrow"), self.v(node.argument)), None)]

    def s_IfStatement(self, node: Any) -> list[ast.stmt]:
        test = self.test(node.test)
        body = self.body_of(node.consequent)
        orelse = self.body_of(node.alternate) if node.alternate is not None else []
        if orelse == [ast.Pass()]:
            orelse = []
        return [ast.If(test, body, orelse)]

    # -- try ------------------------------------------------------------------------------

    def s_TryStatement(self, node: Any) -> list[ast.stmt]:
        body = self.block_body(node.block.body)
        handlers = []
        if node.handler is not None:
            h = node.handler
            exc = self.tmp()
            self.push_scope()
            inner: list[ast.stmt] = []
            if h.param is not None:
                caught = self.hcall("js_caught", P.name(exc))
                if h.param.type == "Identifier":
                    b = self.declare(self.scope, h.param.name, "catch")
                    inner.append(P.assign(P.store(b.py), caught))
                else:
                    for n in pattern_names(h.param):
                        self.declare(self.scope, n, "let")
                    tmp = self.tmp()
                    inner.append(P.assign(P.store(tmp), caught))
                    inner.extend(P.expr_stmt(p) for p in self.pattern_parts(h.param, P.name(tmp), lambda n, v, nd: self.init_expr(n, v, nd)))
            inner.extend(self.block_body(h.body.body))
            self.pop_scope()
            handlers.append(
                ast.ExceptHandler(
                    ast.Tuple([self.helper("JSThrow"), P.name("RecursionError"), P.name("NameError")], ast.Load()),
                    exc,
                    inner or [ast.Pass()],
                )
            )
        final = self.block_body(node.finalizer.body) if node.finalizer is not None else []
        if node.finalizer is not None and not final:
            final = [ast.Pass()]
        return [ast.Try(body or [ast.Pass()], handlers, [], final)]

    # -- loops and jumps ------------------------------------------------------------------

    def jump_target(self, kind: str, labels: frozenset) -> JumpTarget:
        self.unit.counter += 1
        t = JumpTarget(kind, labels, self.unit.counter)
        self.func.jumps.append(t)
        return t

    def finish_loop(self, target: JumpTarget, loop: ast.stmt) -> list[ast.stmt]:
        """The Python loop plus, after it, the propagation of jumps aimed further out."""
        self.func.jumps.pop()
        if target.kind == "loop":
            loop.body.insert(0, self.tick())  # the back-edge: one step of the script budget
        out: list[ast.stmt] = []
        if target.pending:
            out.append(P.assign(P.store("_tjump"), P.const(None)))
        out.append(loop)
        for code in sorted(target.pending):
            out.append(ast.If(ast.Compare(P.name("_tjump"), [ast.Eq()], [P.const(code)]), self.jump(code, propagate=True), []))
        return out

    def jump(self, code: str, propagate: bool = False) -> list[ast.stmt]:
        """Statements for `break`/`continue` to the target named by code "break:<id>"."""
        kind, ident = code.split(":")
        ident = int(ident)
        jumps = self.func.jumps
        idx = next((i for i in range(len(jumps) - 1, -1, -1) if jumps[i].ident == ident), None)
        if idx is None:
            if not self.func.loop_body:
                self.fail("internal: jump target lost")
            # The target is outside this loop-body function: hand the jump to its caller.
            self.func.escapes.add(code)
            return [ast.Return(ast.Tuple([P.const(code), *self.loop_body_results()], ast.Load()))]
        inner = len(jumps) - 1 - idx  # Python loops between here and the target
        if inner == 0:
            stmts: list[ast.stmt] = [ast.Break() if kind == "break" else ast.Continue()]
            if propagate:
                stmts.insert(0, P.assign(P.store("_tjump"), P.const(None)))
            return stmts
        jumps[-1].pending.add(code)
        return [P.assign(P.store("_tjump"), P.const(code)), ast.Break()]

    def find_target(self, node: Any, kind: str) -> tuple[JumpTarget, bool]:
        """(target, whether it lies outside the current loop-body function)."""
        label = node.label.name if node.label is not None else None
        f = self.func
        outside = False
        while True:
            for t in reversed(f.jumps):
                if label is None:
                    if t.kind == "loop" or (kind == "break" and t.kind == "switch"):
                        return t, outside
                elif label in t.labels:
                    if kind == "continue" and t.kind != "loop":
                        self.fail(f"Illegal continue statement: '{label}' does not denote an iteration statement", node)
                    return t, outside
            if not f.loop_body:
                break
            f = f.parent
            outside = True
        if label is not None:
            self.fail(f"Undefined label '{label}'", node)
        self.fail(f"Illegal {kind} statement", node)

    def _jump_statement(self, node: Any, kind: str) -> list[ast.stmt]:
        t, _outside = self.find_target(node, kind)
        return self.jump(f"{kind}:{t.ident}")

    def s_BreakStatement(self, node: Any) -> list[ast.stmt]:
        return self._jump_statement(node, "break")

    def s_ContinueStatement(self, node: Any) -> list[ast.stmt]:
        return self._jump_statement(node, "continue")

    # -- per-iteration bindings (ES2015 13.7.4.8 ForBodyEvaluation, 13.7.5.13) ------------

    def captured_in_closure(self, body: Any, names: list[str]) -> bool:
        """Does a function inside `body` mention one of `names`? Only then does a loop need
        a fresh binding per iteration (otherwise nobody can tell)."""
        from .scope import walk_all

        wanted = set(names)
        for n in walk_all(body):
            if n.type in ("FunctionExpression", "FunctionDeclaration", "ArrowFunctionExpression"):
                for m in walk_all(n):
                    if m.type == "Identifier" and m.name in wanted:
                        return True
        return False

    def body_bindings_captured(self, body: Any) -> bool:
        """Does a function inside the loop body `body` mention a let/const/class it declares,
        or a catch parameter in it? Each iteration has its own (ES2015 13.2.14: a block's
        bindings are made each time it is entered), so the body then runs as a function of its
        own per iteration (loop_body_function), whose locals those are."""
        names: list[str] = []
        for n in walk(body):
            if n.type == "BlockStatement" or n.type == "SwitchCase":
                names.extend(name for name, _ in lexical_declarations(n.body if n.type == "BlockStatement" else n.consequent))
            elif n.type == "CatchClause" and n.param is not None:
                names.extend(pattern_names(n.param))
        if body.type in ("VariableDeclaration", "ClassDeclaration"):
            names.extend(name for name, _ in lexical_declarations([body]))
        return bool(names) and self.captured_in_closure(body, names)

    def loop_body(self, body: Any, per_iteration: list[Binding]) -> list[ast.stmt]:
        """A loop's body: a function per iteration when closures can tell iterations' bindings
        apart (those of its head, `per_iteration`, or its own), else the statements."""
        if per_iteration or self.body_bindings_captured(body):
            fdef, call = self.loop_body_function(body, per_iteration)
            return fdef + call
        return self.body_of(body)

    def loop_body_results(self) -> list[ast.expr]:
        return [P.name(b.py) for b in self.func.per_iteration]

    def loop_body_function(self, body: Any, bindings: list[Binding], head: Callable | None = None) -> tuple[list[ast.stmt], list[ast.stmt]]:
        """Compile a loop body as a function called once per iteration, whose parameters are
        the loop's per-iteration bindings, so closures made in one iteration keep that
        iteration's values. It returns (signal, current values): signal None for normal
        completion, "break:N"/"continue:N" for a jump it cannot make itself, or
        ("return", value). Returns (the def, the statements that call it and dispatch).
        `head()`, called in the function's scope, gives (extra parameters, statements before
        the body, the arguments passed for those parameters)."""
        outer_func, outer_scope = self.func, self.scope
        ctx = FunctionCtx(outer_func, is_arrow=True, loop_body=True, strict=outer_func.strict)
        self.func = ctx
        self.scope = Scope(parent=outer_scope, func=ctx)
        params = []
        inner_bindings = []
        for b in bindings:
            nb = Binding(b.name, self.new_py_name(b.name), b.kind, ctx)
            self.scope.bindings[b.name] = nb
            inner_bindings.append(nb)
            params.append(ast.arg(nb.py))
        ctx.per_iteration = inner_bindings
        fn_name = self.tmp("_tbody")
        saved = self.prelude_stack
        self.prelude_stack = []
        extra_args: list[ast.expr] = []
        try:
            stmts = []
            if head is not None:
                extra, stmts, extra_args = head()
                params.extend(ast.arg(name) for name in extra)
            stmts = stmts + self.body_of(body)
        finally:
            self.prelude_stack = saved
            self.func, self.scope = outer_func, outer_scope
        results = [P.name(b.py) for b in inner_bindings]
        head: list[ast.stmt] = [ast.Nonlocal(sorted(ctx.nonlocals))] if ctx.nonlocals else []
        fdef = ast.FunctionDef(
            name=fn_name,
            args=ast.arguments(posonlyargs=[], args=params, kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=head + stmts + [ast.Return(ast.Tuple([P.const(None), *results], ast.Load()))],
            decorator_list=[],
            returns=None,
            type_params=[],
        )
        sig = self.tmp()
        targets = [P.store(sig), *(P.store(b.py) for b in bindings)]
        call = P.assign(ast.Tuple(targets, ast.Store()), P.call(fn_name, *(P.name(b.py) for b in bindings), *extra_args))
        dispatch: list[ast.stmt] = []
        if ctx.returns:
            if self.func.loop_body:
                # Still inside an enclosing loop body: pass the return on.
                self.func.returns = True
                ret: ast.stmt = ast.Return(ast.Tuple([P.name(sig), *self.loop_body_results()], ast.Load()))
            else:
                ret = ast.Return(P.subscript(P.name(sig), P.const(1)))
            dispatch.append(ast.If(P.is_(P.type_of(P.name(sig)), P.name("tuple")), [ret], []))
        for code in sorted(ctx.escapes):
            dispatch.append(ast.If(ast.Compare(P.name(sig), [ast.Eq()], [P.const(code)]), self.jump(code), []))
        return [fdef], [call, *dispatch]

    def s_LabeledStatement(self, node: Any, labels: frozenset = frozenset()) -> list[ast.stmt]:
        labels = labels | {node.label.name}
        body = node.body
        if body.type == "LabeledStatement":
            return self.s_LabeledStatement(body, labels)
        if body.type in ("ForStatement", "WhileStatement", "DoWhileStatement", "ForInStatement", "ForOfStatement"):
            return getattr(self, "s_" + body.type)(body, labels)
        if body.type == "SwitchStatement":
            return self.s_SwitchStatement(body, labels)
        # A labelled block: `while True: ...; break` gives `break label` somewhere to go.
        target = self.jump_target("block", labels)
        stmts = self.body_of(body)
        return self.finish_loop(target, ast.While(P.const(True), stmts + [ast.Break()], []))

    def _has_continue(self, body: Any, labels: frozenset) -> bool:
        """Does a `continue` in body target this loop (unlabelled at this depth, or by label)?"""

        def visit(n: Any, depth: int) -> bool:
            if n is None:
                return False
            if isinstance(n, list):
                return any(visit(x, depth) for x in n)
            if not hasattr(n, "type"):
                return False
            if n.type in ("FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"):
                return False
            if n.type == "ContinueStatement":
                return (n.label is None and depth == 0) or (n.label is not None and n.label.name in labels)
            loops = ("ForStatement", "WhileStatement", "DoWhileStatement", "ForInStatement", "ForOfStatement")
            d = depth + 1 if n.type in loops else depth
            for key, value in vars(n).items():
                if key in ("loc", "range", "type"):
                    continue
                if (isinstance(value, list) or hasattr(value, "type")) and visit(value, d):
                    return True
            return False

        return visit(body, 0)

    def s_WhileStatement(self, node: Any, labels: frozenset = frozenset()) -> list[ast.stmt]:
        target = self.jump_target("loop", labels)
        test = self.test(node.test)
        body = self.loop_body(node.body, [])
        return self.finish_loop(target, ast.While(test, body, []))

    def s_DoWhileStatement(self, node: Any, labels: frozenset = frozenset()) -> list[ast.stmt]:
        target = self.jump_target("loop", labels)
        body = self.loop_body(node.body, [])
        test = self.test(node.test)
        if self._has_continue(node.body, labels):
            # `continue` must still evaluate the test: run the test at the top of every
            # iteration but the first.
            first = self.tmp()
            loop = ast.While(
                ast.BoolOp(ast.Or(), [P.name(first), test]),
                [P.assign(P.store(first), P.const(False)), *body],
                [],
            )
            return [P.assign(P.store(first), P.const(True)), *self.finish_loop(target, loop)]
        loop = ast.While(P.const(True), [*body, ast.If(P.not_(test), [ast.Break()], [])], [])
        return self.finish_loop(target, loop)

    def s_ForStatement(self, node: Any, labels: frozenset = frozenset()) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        self.push_scope()
        init = node.init
        if init is not None:
            if init.type == "VariableDeclaration":
                if init.kind != "var":
                    for name, kind in lexical_declarations([init]):
                        self.declare(self.scope, name, kind)
                self.prelude_stack.append([])
                stmts = self.s_VariableDeclaration(init)
                out.extend(self.prelude_stack.pop())
                out.extend(stmts)
            else:
                out.append(P.expr_stmt(self.v(init)))
        per_iteration: list[Binding] = []
        in_head = False  # closures in the test or update see the iteration's bindings too
        if init is not None and init.type == "VariableDeclaration" and init.kind != "var":
            names = [n for n, _ in lexical_declarations([init])]
            in_head = any(part is not None and self.captured_in_closure(part, names) for part in (node.test, node.update))
            if in_head or self.captured_in_closure(node.body, names):
                per_iteration = [self.scope.bindings[n] for n in names]
        target = self.jump_target("loop", labels)
        if in_head:
            return out + self._for_iterations(node, target, per_iteration)
        test = self.test(node.test) if node.test is not None else P.const(True)
        body = self.loop_body(node.body, per_iteration)
        update: list[ast.stmt] = []
        if node.update is not None:
            self.prelude_stack.append([])
            update = self.expression_statement(node.update)
            update = self.prelude_stack.pop() + update
        self.pop_scope()
        if update and (per_iteration or self._has_continue(node.body, labels)):
            # `continue` must run the update: do it at the top of every iteration but the first.
            first = self.tmp()
            loop = ast.While(
                P.const(True),
                [
                    ast.If(P.name(first), [P.assign(P.store(first), P.const(False))], update),
                    ast.If(P.not_(test), [ast.Break()], []) if not (isinstance(test, ast.Constant) and test.value is True) else ast.Pass(),
                    *body,
                ],
                [],
            )
            return out + [P.assign(P.store(first), P.const(True)), *self.finish_loop(target, loop)]
        return out + self.finish_loop(target, ast.While(test, body + update, []))

    def _for_iterations(self, node: Any, target: JumpTarget, bindings: list[Binding]) -> list[ast.stmt]:
        """A `for (let ...)` loop whose test or update makes closures over its bindings: the
        update, the test and the body all run in the iteration's function, as ES2015 13.7.4.8
        ForBodyEvaluation runs them in the iteration's environment (CreatePerIterationEnvironment
        copies the bindings after each body, before the next update)."""
        first = self.tmp()
        first_param = self.tmp()

        def head() -> tuple[list[str], list[ast.stmt], list[ast.expr]]:
            stmts: list[ast.stmt] = []
            if node.update is not None:
                self.prelude_stack.append([])
                update = self.expression_statement(node.update)
                stmts.append(ast.If(P.not_(P.name(first_param)), self.prelude_stack.pop() + update, []))
            if node.test is not None:
                stmts.append(ast.If(P.not_(self.test(node.test)), self.jump(f"break:{target.ident}"), []))
            return [first_param], stmts, [P.name(first)]

        fdef, (call, *dispatch) = self.loop_body_function(node.body, bindings, head)
        self.pop_scope()
        loop = ast.While(P.const(True), [*fdef, call, P.assign(P.store(first), P.const(False)), *dispatch], [])
        return [P.assign(P.store(first), P.const(True)), *self.finish_loop(target, loop)]

    def for_target(self, left: Any) -> tuple[list[ast.stmt], str]:
        """For for-in/for-of: (statements binding the loop variable from a temp, temp name)."""
        t = self.tmp()
        if left.type == "VariableDeclaration":
            d = left.declarations[0]
            if left.kind != "var":
                for name in pattern_names(d.id):
                    self.declare(self.scope, name, left.kind)
            if d.id.type == "Identifier":
                return self.init_binding(d.id.name, P.name(t), d.id), t
            parts = self.pattern_parts(d.id, P.name(t), lambda n, v, nd: self.init_expr(n, v, nd))
            return [P.expr_stmt(p) for p in parts], t
        if left.type == "Identifier":
            return self.assign_ident_stmts(left.name, P.name(t), left), t
        if left.type == "MemberExpression":
            return [P.expr_stmt(self.assign_to(left, P.name(t), left))], t
        parts = self.pattern_parts(left, P.name(t), lambda n, v, nd: self.assign_ident_expr(n, v, nd))
        return [P.expr_stmt(p) for p in parts], t

    def _for_each(self, node: Any, labels: frozenset, helper: str) -> list[ast.stmt]:
        self.push_scope()
        iterable = self.v(node.right)
        bind, t = self.for_target(node.left)
        target = self.jump_target("loop", labels)
        left = node.left
        names = pattern_names(left.declarations[0].id) if left.type == "VariableDeclaration" and left.kind != "var" else []
        head = [self.scope.bindings[n] for n in names] if names and self.captured_in_closure(node.body, names) else []
        body = self.loop_body(node.body, head)
        self.pop_scope()
        # Bind straight to the loop variable when it is a plain local.
        if len(bind) == 1 and isinstance(bind[0], ast.Assign) and isinstance(bind[0].targets[0], ast.Name):
            return self.finish_loop(target, ast.For(bind[0].targets[0], self.hcall(helper, iterable), body, []))
        return self.finish_loop(target, ast.For(P.store(t), self.hcall(helper, iterable), bind + body, []))

    def s_ForInStatement(self, node: Any, labels: frozenset = frozenset()) -> list[ast.stmt]:
        return self._for_each(node, labels, "js_for_in")

    def s_ForOfStatement(self, node: Any, labels: frozenset = frozenset()) -> list[ast.stmt]:
        if getattr(node, "await", False):
            self.fail("for await is not supported", node)
        return self._for_each(node, labels, "js_for_of")

    def s_SwitchStatement(self, node: Any, labels: frozenset = frozenset()) -> list[ast.stmt]:
        """switch (ES5.1 12.11): pick the first case (in order, default last) whose test is
        === the discriminant, then run case bodies from there on (fall-through) inside a
        one-shot loop that `break` leaves."""
        disc = self.tmp()
        choice = self.tmp()
        out: list[ast.stmt] = [P.assign(P.store(disc), self.v(node.discriminant))]
        cases = node.cases
        default_index = next((i for i, c in enumerate(cases) if c.test is None), len(cases))
        # The first case whose test is === the discriminant, in order; the default when none
        # is. One `if` per case, side by side (`if not chosen and test`), not nested: a
        # switch of a thousand cases nested a thousand levels deep for Python.
        out.append(P.assign(P.store(choice), P.const(-1)))
        for i, c in enumerate(cases):
            if c.test is None:
                continue
            self.prelude_stack.append([])
            cond = self.eq(Typed(P.name(disc)), self.ex(c.test), True)
            pre = self.prelude_stack.pop()
            if pre:
                self.emit_prelude(pre)
            unchosen = ast.Compare(P.name(choice), [ast.Lt()], [P.const(0)])
            out.append(ast.If(ast.BoolOp(ast.And(), [unchosen, cond]), [P.assign(P.store(choice), P.const(i))], []))
        out.append(ast.If(ast.Compare(P.name(choice), [ast.Lt()], [P.const(0)]), [P.assign(P.store(choice), P.const(default_index))], []))
        self.push_scope()
        decls: list[ast.stmt] = []
        for c in cases:
            for name, kind in lexical_declarations(c.consequent):
                self.declare(self.scope, name, kind)  # unbound until declared (TDZ)
        # Function declarations of every case: defined as the switch's block is entered
        # (as in any block), so every case sees them.
        for c in cases:
            decls.extend(self.block_functions(c.consequent))
        target = self.jump_target("switch", labels)
        body: list[ast.stmt] = list(decls)
        for i, c in enumerate(cases):
            stmts = self.statements(c.consequent, skip_functions=True, block=True)
            if stmts:
                body.append(ast.If(ast.Compare(P.name(choice), [ast.LtE()], [P.const(i)]), stmts, []))
        body.append(ast.Break())
        self.pop_scope()
        return out + self.finish_loop(target, ast.While(P.const(True), body, []))

    # -- functions ------------------------------------------------------------------------

    def s_FunctionDeclaration(self, node: Any) -> list[ast.stmt]:
        return self.function_declaration(node)

    def function_declaration(self, node: Any) -> list[ast.stmt]:
        if node.generator or getattr(node, "isAsync", False) or getattr(node, "async", False):
            self.fail("generators and async functions are not supported", node)
        value = self.function_value(node, name_hint=node.id.name, declaration=True)
        return self.assign_ident_stmts(node.id.name, value, node.id)

    def s_ClassDeclaration(self, node: Any) -> list[ast.stmt]:
        value = self.class_value(node)
        b = self.resolve(node.id.name)
        if b is not None and b.kind == "class":
            return [P.assign(P.store(b.py), value)]
        return self.assign_ident_stmts(node.id.name, value, node.id)

    def x_FunctionExpression(self, node: Any) -> Typed:
        return Typed(self.function_value(node), FUNCTION)

    def x_ArrowFunctionExpression(self, node: Any) -> Typed:
        return Typed(self.function_value(node), FUNCTION)

    def x_ClassExpression(self, node: Any) -> Typed:
        return Typed(self.class_value(node), FUNCTION)

    def class_value(self, node: Any) -> ast.expr:
        """A class (ES2015 14.5): methods compiled like functions (strict, not constructors,
        with a home class for super), then assembled at run time by js_class."""
        cls = self.tmp("_tcls")
        name = node.id.name if node.id is not None else ""
        parent = self.v(node.superClass) if node.superClass is not None else self.undefined()
        outer_scope = self.scope
        # Inside the class body its name is an immutable binding to the class itself.
        self.scope = Scope(parent=outer_scope, func=self.func)
        if name:
            self.scope.bindings[name] = Binding(name, cls, "self", self.func)
        try:
            ctor = next((m for m in node.body.body if m.kind == "constructor"), None)
            if ctor is not None:
                body_fn, length = self.method_function(ctor.value, name, cls, static=False, ctor=True, derived=node.superClass is not None)
            else:
                body_fn, length = P.const(None), 0
            members: list[ast.expr] = []
            for m in node.body.body:
                if m.kind == "constructor":
                    continue
                key = self.property_key(m)
                hint = key.value if isinstance(key, ast.Constant) else ""
                fn, mlen = self.method_function(m.value, hint, cls, static=m.static, ctor=False, derived=False)
                value = self.hcall("js_arrow", fn, P.const(hint if m.kind == "method" else f"{m.kind} {hint}"), P.const(mlen), *([P.const(t)] if (t := self.src_text(m)) is not None else []))
                members.append(ast.Tuple([key, P.const(m.kind), value, P.const(bool(m.static))], ast.Load()))
        finally:
            self.scope = outer_scope
        source = self.src_text(node)
        call = self.hcall("js_class", P.const(name), body_fn, P.const(length), parent, ast.Tuple(members, ast.Load()), *([P.const(source)] if source is not None else []))
        return P.walrus(cls, call)

    def method_function(self, node: Any, name: str, cls: str, static: bool, ctor: bool, derived: bool) -> tuple[ast.expr, int]:
        """The Python function (def name or lambda) of a class method or constructor."""
        length = _param_length(node)
        lambda_mode = self.func.lambda_mode or not self.prelude_stack
        outer_func, outer_scope = self.func, self.scope
        ctx = FunctionCtx(outer_func, lambda_mode=lambda_mode, home=cls, home_static=static, class_ctor=ctor and derived, strict=True)
        self.func = ctx
        self.scope = Scope(parent=outer_scope, func=ctx)
        try:
            fn = self.function_code(
                node,
                ctx,
                lambda: FunctionCtx(outer_func, lambda_mode=False, factory=True, home=cls, home_static=static, class_ctor=ctor and derived, strict=True),
                (outer_func, outer_scope),
            )
        finally:
            self.func, self.scope = outer_func, outer_scope
        if isinstance(fn, ast.Lambda):
            fn = self.hcall("js_guarded", fn)
        return fn, length

    def function_code(self, node: Any, ctx: FunctionCtx, factory_ctx, outer: tuple, self_ref: str | None = None, wrap=None) -> ast.expr:
        """The Python function of a function node, compiled in `ctx` (current here): a lambda
        in lambda mode when the body has an expression form, else a factory function in
        the context factory_ctx() makes (which makes the function value itself when the body
        refers to it, `self_ref`: see factory_function); outside lambda mode a def emitted
        before the current statement, in `outer` (the caller's function and scope), which
        the caller restores afterwards in any case."""
        if ctx.lambda_mode:
            inner_scope = self.scope
            counter = self.unit.counter
            try:
                return self.lambda_function(node, ctx)
            except Unsupported:
                # Statements (loops, try, ...) have no expression form: compile a def.
                self.unit.counter = counter
                callee = ctx.callee
                ctx = factory_ctx()
                ctx.callee = callee
                self.func = ctx
                self.scope = Scope(parent=inner_scope.parent, func=ctx)
                return self.factory_function(node, ctx, self_ref, wrap)
        fn_name = self.tmp("_tf")
        fdef = self.def_function(node, ctx, fn_name)
        self.func, self.scope = outer
        self.emit_prelude([fdef])
        return P.name(fn_name)

    def super_context(self, node: Any) -> FunctionCtx:
        f = self.func
        while f.is_arrow and f.parent is not None:
            f = f.parent
        if f.home is None:
            self.fail("'super' keyword unexpected here", node)
        self.note_read(f.parent, f.home)
        return f

    def x_Super(self, node: Any) -> Typed:
        self.fail("'super' keyword unexpected here", node)

    def function_value(self, node: Any, name_hint: str = "", declaration: bool = False, method: bool = False) -> ast.expr:
        """A JSFunction for a function/arrow node: a nested `def` emitted before the current
        statement (script code), or a lambda in expression contexts. `method`: an object
        literal's method, getter or setter, which is not a constructor (ES2015 14.3.8)."""
        if node.generator or getattr(node, "isAsync", False) or getattr(node, "async", False):
            self.fail("generators and async functions are not supported", node)
        is_arrow = node.type == "ArrowFunctionExpression"
        own_name = node.id.name if getattr(node, "id", None) is not None else ""
        fname = own_name or name_hint
        length = _param_length(node)
        source = self.src_text(node)
        lambda_mode = self.func.lambda_mode or not self.prelude_stack
        outer_func, outer_scope = self.func, self.scope
        # Strict code (10.1.1): inside strict code, or a body starting with "use strict".
        strict = outer_func.strict or (node.body.type == "BlockStatement" and use_strict(node.body.body))
        ctx = FunctionCtx(outer_func, is_arrow=is_arrow, lambda_mode=lambda_mode, strict=strict)
        self.func = ctx
        self.scope = Scope(parent=outer_scope, func=ctx)
        self_ref = None
        maker = "js_arrow" if is_arrow or method else "js_function"

        def wrap(fn: ast.expr) -> ast.expr:
            if isinstance(fn, ast.Lambda):
                # A lambda cannot hold the try block of guarded_body: wrap it instead.
                fn = self.hcall("js_guarded", fn)
            args = [fn, P.const(fname), P.const(length)]
            if source is not None:
                args.append(P.const(source))
            return self.hcall(maker, *args)

        try:
            if own_name and not declaration:
                # A named function expression sees its own name (ES5.1 13 step 3-5).
                self_ref = self.tmp("_tself")
                self.scope.bindings[own_name] = Binding(own_name, self_ref, "self", outer_func)
                self.scope = Scope(parent=self.scope, func=ctx)
            if not is_arrow and not strict and self.uses_arguments(node):
                # arguments.callee is the function itself (ES5.1 10.6 step 13; strict code has
                # none): the name that holds it, made for it when the function has no other.
                self_ref = self_ref or self.tmp("_tself")
                ctx.callee = self_ref
            fn = self.function_code(
                node,
                ctx,
                lambda: FunctionCtx(outer_func, is_arrow=is_arrow, lambda_mode=False, factory=True, strict=strict),
                (outer_func, outer_scope),
                self_ref,
                wrap,
            )
        finally:
            self.func, self.scope = outer_func, outer_scope
        if getattr(fn, "scxmlc_made", False):
            return fn  # (the factory made the function value: factory_function)
        value = wrap(fn)
        if self_ref is not None:
            value = P.walrus(self_ref, value)
        return value

    def factory_function(self, node: Any, ctx: FunctionCtx, self_ref: str | None = None, wrap=None) -> ast.expr:
        """A statement-bodied function inside an expression: expressions cannot hold a `def`,
        so the def goes into a factory (taking the datamodel and the enclosing variables it
        reads, by value) that the Transpiler hoists to the top of the generated function
        holding this code (Transpiler.hoisted_for); the expression calls the factory.
        A function that refers to itself (`self_ref`: a named function expression's name,
        `arguments.callee`) cannot take itself by value, for it does not exist when the
        factory is called: the factory makes the function value (`wrap`) into a local of its
        own that the def reads, and returns it (the call is marked `scxmlc_made`)."""
        saved = self.prelude_stack
        self.prelude_stack = [[]]
        try:
            fdef = self.def_function(node, ctx, "_tf")
        finally:
            self.prelude_stack = saved
        captured = sorted(c for c in ctx.captured if c != DM and c != self_ref)
        if captured and ctx.parent is not None and ctx.parent.lambda_mode and not ctx.parent.top:
            # Copies of an enclosing function's variables would go stale when that function
            # assigns them after making this one: let the enclosing function be a def (its
            # own lambda attempt fails with this), where this one is a closure of its variables.
            raise Unsupported("a function inside an expression that reads its enclosing function's variables", node)
        name = self.tmp("_tfactory")
        if self_ref is None:
            tail: list[ast.stmt] = [ast.Return(P.name("_tf"))]
        else:
            tail = [P.assign(P.store(self_ref), wrap(P.name("_tf"))), ast.Return(P.name(self_ref))]
        factory = ast.FunctionDef(
            name=name,
            args=ast.arguments(posonlyargs=[], args=[ast.arg(DM), *(ast.arg(c) for c in captured)], kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=[ticks_binding(), fdef, *tail],
            decorator_list=[],
            returns=None,
            type_params=[],
        )
        self.unit.hoisted[name] = ast.fix_missing_locations(factory)
        call = ast.Call(P.name(name), [P.name(DM), *(P.name(c) for c in captured)], [])
        call.scxmlc_made = self_ref is not None
        return call

    def params_prologue(self, node: Any, ctx: FunctionCtx, uses_args: bool) -> tuple[ast.arguments, list[ast.stmt]]:
        """Python parameters and the statements that bind JS parameters.

        Simple parameters become `j_a=UNDEFINED` defaults (missing arguments are undefined,
        extra ones land in *_targs); default values, rest and destructuring are bound in the
        body, in order (ES2015 9.2.12)."""
        simple = all(p.type == "Identifier" for p in node.params) and not uses_args
        pyargs: list[ast.arg] = [ast.arg(ctx.this_name)]
        defaults: list[ast.expr] = []
        prologue: list[ast.stmt] = []
        seen: set[str] = set()
        if simple:
            for p in node.params:
                if p.name in seen:
                    # Duplicate parameter names (sloppy mode): the last one wins.
                    b = self.scope.bindings[p.name]
                    pyargs.append(ast.arg(self.tmp()))
                    continue
                seen.add(p.name)
                b = self.declare(self.scope, p.name, "param")
                pyargs.append(ast.arg(b.py))
                defaults.append(self.undefined())
            return (
                ast.arguments(posonlyargs=[], args=pyargs, vararg=ast.arg(ctx.args_name), kwonlyargs=[], kw_defaults=[], defaults=defaults),
                prologue,
            )
        for p in node.params:
            for n in pattern_names(p):
                self.declare(self.scope, n, "param")
        argv = P.name(ctx.args_name)
        for i, p in enumerate(node.params):
            item = self.hcall("js_item", argv, P.const(i))
            if p.type == "Identifier":
                prologue.append(P.assign(P.store(self.scope.bindings[p.name].py), item))
            elif p.type == "RestElement":
                rest = self.hcall("js_array", ast.Starred(ast.Subscript(argv, ast.Slice(P.const(i), None, None), ast.Load()), ast.Load()))
                if p.argument.type == "Identifier":
                    prologue.append(P.assign(P.store(self.scope.bindings[p.argument.name].py), rest))
                else:
                    t = self.tmp()
                    prologue.append(P.assign(P.store(t), rest))
                    prologue.extend(P.expr_stmt(e) for e in self.pattern_parts(p.argument, P.name(t), lambda n, v, nd: self.init_expr(n, v, nd)))
            else:
                t = self.tmp()
                prologue.append(P.assign(P.store(t), item))
                prologue.extend(P.expr_stmt(e) for e in self.pattern_parts(p, P.name(t), lambda n, v, nd: self.init_expr(n, v, nd)))
        return (
            ast.arguments(posonlyargs=[], args=pyargs, vararg=ast.arg(ctx.args_name), kwonlyargs=[], kw_defaults=[], defaults=[]),
            prologue,
        )

    def uses_arguments(self, node: Any) -> bool:
        if node.type == "ArrowFunctionExpression":
            return False
        parts = [node.body, *node.params]  # (a default value may read arguments: ES2015 9.2.12)
        for part in parts:
            for n in walk(part):
                if n.type == "Identifier" and n.name == "arguments":
                    return True
        # arrows inside see this function's arguments
        for part in parts:
            for n in walk(part):
                if n.type == "ArrowFunctionExpression" and self.uses_arguments_arrow(n):
                    return True
        return False

    def uses_arguments_arrow(self, node: Any) -> bool:
        from .scope import walk_all

        for n in walk_all(node.body):
            if n.type in ("FunctionExpression", "FunctionDeclaration"):
                continue
            if n.type == "Identifier" and n.name == "arguments":
                return True
        return False

    def uses_this(self, node: Any) -> bool:
        """Does the function's own `this` appear (in its body or in arrows inside it)?"""
        stack = [node.body]
        while stack:
            n = stack.pop()
            for m in walk(n):
                if m.type == "ThisExpression":
                    return True
                if m.type == "ArrowFunctionExpression" and m is not n:
                    stack.append(m.body)
        return False

    def function_scope_setup(self, node: Any, ctx: FunctionCtx) -> tuple[ast.arguments, list[ast.stmt], list]:
        ctx.this_name = self.tmp("_tthis") if ctx.is_arrow else "_this"
        ctx.args_name = self.tmp("_targs")
        ctx.numeric = numeric_locals(node, {n for p in node.params for n in pattern_names(p)})
        uses_args = self.uses_arguments(node)
        args_binding = None
        if uses_args and "arguments" not in {n for p in node.params for n in pattern_names(p)} and "arguments" not in self.scope.bindings:
            # declared before the parameters are: their default values may read it
            args_binding = self.declare(self.scope, "arguments", "var")
        arguments, prologue = self.params_prologue(node, ctx, uses_args)
        if args_binding is not None:
            callee = [P.name(ctx.callee)] if ctx.callee is not None else []
            prologue.insert(0, P.assign(P.store(args_binding.py), self.hcall("js_arguments", P.name(ctx.args_name), *callee)))
        if not ctx.is_arrow and not ctx.strict and self.uses_this(node):
            # ES5.1 10.4.3 (non-strict code): an undefined or null this is the global object.
            this = P.name("_this")
            prologue.insert(
                0,
                P.assign(
                    P.store("_this"),
                    P.ifexp(ast.BoolOp(ast.Or(), [P.is_(this, P.const(None)), P.is_(this, self.undefined())]), self.hcall("js_global_this", P.name(DM)), this),
                ),
            )
        body_stmts = node.body.body if node.body.type == "BlockStatement" else None
        hoisted_funcs = []
        if body_stmts is not None:
            names, nested = var_declarations(node.body)
            top_funcs = [s for s in body_stmts if s.type == "FunctionDeclaration"]
            for f in nested:  # (Annex B.3.3: a var for each function in a block, sloppy code only)
                if f not in top_funcs and f.id.name not in names and not ctx.strict:
                    names.append(f.id.name)
            for n in names:
                if n not in self.scope.bindings:
                    b = self.declare(self.scope, n, "var")
                    if not b.numeric:  # a numeric local is initialised before any read
                        prologue.append(P.assign(P.store(b.py), self.undefined()))
            for f in top_funcs:
                if f.id.name not in self.scope.bindings:
                    self.declare(self.scope, f.id.name, "var")
            hoisted_funcs = top_funcs
        return arguments, prologue, hoisted_funcs

    def def_function(self, node: Any, ctx: FunctionCtx, fn_name: str) -> ast.FunctionDef:
        # (the function declarations of its body are made by block_body, in the body's scope,
        # where its let/const are declared: made here too, each level of nested functions
        # doubled the work, 2^n in all)
        saved_prelude = self.prelude_stack
        # (what the parameters' default values need defined, a function written in one say,
        # is defined inside this function, before them: it sees the parameters)
        self.prelude_stack = [[]]
        arguments, prologue, _hoisted = self.function_scope_setup(node, ctx)
        prologue = [*self.prelude_stack[0], *prologue]
        body: list[ast.stmt] = []
        self.prelude_stack = [[]]
        if node.body.type == "BlockStatement":
            stmts = self.block_body(node.body.body, new_scope=True, function_body=True)
            body.extend(self.prelude_stack[0])
            body.extend(s for s in stmts)
            if not _always_exits(node.body.body):
                body.append(ast.Return(self.undefined()))
        else:
            value = self.v(node.body)
            body.extend(self.prelude_stack[0])
            body.append(ast.Return(value))
        self.prelude_stack = saved_prelude
        # Names this function assigns in enclosing functions need `nonlocal`.
        head: list[ast.stmt] = []
        if ctx.nonlocals:
            head.append(ast.Nonlocal(sorted(ctx.nonlocals)))
        return ast.FunctionDef(
            name=fn_name,
            args=arguments,
            # (the tick before the try: what it raises is not a JS error)
            body=head + [self.tick(), self.guarded_body(prologue + body)],
            decorator_list=[],
            returns=None,
            type_params=[],
        )

    def guarded_body(self, body: list[ast.stmt]) -> ast.Try:
        """try: body except (RecursionError, NameError): the JS error they stand for.

        Calls go straight to the Python function (no wrapper frame), so each JS function
        converts these itself: Python's stack overflow becomes a RangeError and a read in a
        let/const temporal dead zone a ReferenceError, as JS would throw them. (A try block
        costs nothing on CPython 3.11+ until something is raised.)"""
        exc = self.tmp()
        handler = ast.ExceptHandler(
            ast.Tuple([P.name("RecursionError"), P.name("NameError")], ast.Load()),
            exc,
            [P.expr_stmt(self.hcall("js_reraise", P.name(exc)))],
        )
        return ast.Try(body, [handler], [], [])

    def lambda_function(self, node: Any, ctx: FunctionCtx) -> ast.Lambda:
        """Expression contexts cannot hold a `def`: compile the body to one expression.

        Works for expression-bodied arrows and for bodies made of var declarations,
        expression statements, if/else and return (what conditions and expressions in charts
        use); loops and try need a <script>."""
        arguments, prologue, hoisted = self.function_scope_setup(node, ctx)
        parts: list[ast.expr] = []
        for st in prologue:
            parts.append(self.stmt_as_expr(st, node))
        for f in hoisted:
            parts.append(self.init_expr(f.id.name, self.function_value(f, name_hint=f.id.name, declaration=True), f.id))
        # The function's entry is a step of the script budget (tick); a lambda has no unit
        # of its own that binds `_ticks`, so it asks the datamodel.
        parts.insert(0, P.call(P.name("next"), self.hcall("js_ticks", P.name(DM))))
        if node.body.type != "BlockStatement":
            parts.append(self.v(node.body))
            return ast.Lambda(arguments, P.seq(*parts))
        self.push_scope()
        for name, kind in lexical_declarations(node.body.body):
            self.declare(self.scope, name, kind)  # unbound until declared (TDZ)
        body = [s for s in node.body.body if s.type != "FunctionDeclaration"]
        parts.append(self.expr_sequence(body))
        self.pop_scope()
        return ast.Lambda(arguments, P.seq(*parts))

    def stmt_as_expr(self, st: ast.stmt, node: Any) -> ast.expr:
        if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
            return P.walrus(st.targets[0].id, st.value)
        if isinstance(st, ast.Expr):
            return st.value
        self.fail("this function needs statements; move it into a <script>", node)

    def expr_sequence(self, stmts: list) -> ast.expr:
        """A statement list (no loops) as one expression whose value is the return value."""
        if not stmts:
            return self.undefined()
        s, rest = stmts[0], stmts[1:]
        t = s.type
        if t == "ReturnStatement":
            return self.v(s.argument) if s.argument is not None else self.undefined()
        if t == "EmptyStatement":
            return self.expr_sequence(rest)
        if t == "ExpressionStatement":
            return P.seq(self.v(s.expression), self.expr_sequence(rest))
        if t == "VariableDeclaration":
            parts = []
            for d in s.declarations:
                if d.init is None:
                    if s.kind != "var" and d.id.type == "Identifier":
                        parts.append(P.walrus(self.resolve(d.id.name).py, self.undefined()))
                    continue
                if d.id.type != "Identifier":
                    tmp = self.tmp()
                    parts.append(P.walrus(tmp, self.v(d.init)))
                    parts.extend(self.pattern_parts(d.id, P.name(tmp), lambda n, v, nd: self.init_expr(n, v, nd)))
                    continue
                parts.append(self.init_expr(d.id.name, self.v(d.init), d.id))
            return P.seq(*parts, self.expr_sequence(rest))
        if t == "IfStatement":
            cons = [s.consequent] if s.consequent.type != "BlockStatement" else s.consequent.body
            alt = [] if s.alternate is None else ([s.alternate] if s.alternate.type != "BlockStatement" else s.alternate.body)
            return P.ifexp(self.test(s.test), self.expr_sequence(cons + rest), self.expr_sequence(alt + rest))
        if t == "BlockStatement":
            if lexical_declarations(s.body):
                self.fail("block-scoped declarations in a function inside an expression are not supported; use a <script>", s)
            return self.expr_sequence(s.body + rest)
        if t == "ThrowStatement":
            return self.hcall("js_throw", self.v(s.argument))
        self.fail(f"{t} in a function inside an expression is not supported; move the function into a <script>", s)


def _param_length(node: Any) -> int:
    """A function's `length` (ES2015 14.1.7): its parameters before the first default or rest."""
    length = 0
    for p in node.params:
        if p.type in ("AssignmentPattern", "RestElement"):
            break
        length += 1
    return length
