"""Lowering: executable content and expressions become Python functions, built as `ast` nodes.

Every generated function takes the running machine as `_sm`; ECMAScript runs with the
datamodel in `_dm` (see docs/ecmascript.md). Each function and each element in it is preceded
by a marker that the emitter turns into a `# <element> line N` comment, which is also how the
runtime finds the SCXML line of a failing element.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field

from scxmlc_runtime.actions import ExecutionError, parse_delay
from scxmlc_runtime.tables import ATOMIC, FINAL

from . import extensions
from . import model as m
from .analysis import Chart, StateRow, TransitionRow, python_name
from .diagnostics import Diagnostics, Location
from .ecmascript import ECMAScriptSyntaxError, Transpiler
from .ecmascript.names import READONLY_GLOBALS
from .verifier import document_actions

MARKER = "__scxmlc_comment__ "
SM = "_sm"
DM = "_dm"


def marker(text: str) -> ast.stmt:
    return ast.Expr(ast.Constant(MARKER + text))


def sm_call(method: str, *args: ast.expr, **kwargs: ast.expr) -> ast.Call:
    return ast.Call(
        func=ast.Attribute(value=ast.Name(SM, ast.Load()), attr=method, ctx=ast.Load()),
        args=list(args),
        keywords=[ast.keyword(arg=k, value=v) for k, v in kwargs.items()],
    )


def is_marker(stmt: ast.stmt) -> bool:
    """Whether `stmt` is a `marker` (a `# ...` comment once emitted)."""
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and str(stmt.value.value).startswith(MARKER)


def function_def(name: str, body: list[ast.stmt], args: tuple[str, ...] = (SM,)) -> ast.FunctionDef:
    """`def name(*args): body`, with its locations filled in."""
    fn = ast.FunctionDef(
        name=name,
        args=ast.arguments(posonlyargs=[], args=[ast.arg(a) for a in args], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=body,
        decorator_list=[],
        returns=None,
    )
    if hasattr(ast, "TypeAlias"):  # Python 3.12+ requires the field
        fn.type_params = []
    return ast.fix_missing_locations(fn)


def const(value) -> ast.Constant:
    return ast.Constant(value)


GUESS_FAILED = "js_guess_failed"  # (runtime/js/codegen_support.py)


def guessing(fast: list[ast.stmt], exact: list[ast.stmt], then: list[ast.stmt] = ()) -> ast.Try:
    """`try: <fast path> except js_guess_failed: <exact code> else: <then>` (scxmlc/ecmascript/
    speculate.py: the fast path is pure, so after a failed guess the exact code runs as if it
    had not). Only the errors a failed guess raises are caught: any other propagates."""
    handler = ast.ExceptHandler(type=ast.Name(GUESS_FAILED, ast.Load()), name=None, body=exact)
    return ast.Try(body=fast, handlers=[handler], orelse=list(then), finalbody=[])


# Runtime calls that run no JavaScript when every argument is a constant.
_INERT_CALLS = frozenset(
    ("log", "raise_event", "cancel_send", "execute_send", "fail", "unsupported_element", "text_value", "xml_value", "source_value")
)  # (with constant arguments only)
_INERT_HELPERS = frozenset(("js_array",))  # (with constant arguments)


def _plain_store(stmt: ast.stmt) -> bool:
    """`_dm["name"] = temporary`: a store that cannot fail or run code."""
    return (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(target := stmt.targets[0], ast.Subscript)
        and isinstance(target.value, ast.Name)
        and target.value.id == DM
        and isinstance(target.slice, ast.Constant)
        and isinstance(stmt.value, ast.Name)
    )


def _inert(stmt: ast.stmt) -> bool:
    """Runs no JavaScript and reads no event (e.g. `_dm["x"] = 0.0`, `return "text"`,
    `_sm.log("label", "text")`)."""
    calls = set()
    for n in ast.walk(stmt):
        if isinstance(n, ast.Call):
            f = n.func
            known = (isinstance(f, ast.Name) and f.id in _INERT_HELPERS) or (
                isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == SM and f.attr in _INERT_CALLS
            )
            if not (known and all(isinstance(a, ast.Constant) for a in (*n.args, *(k.value for k in n.keywords)))):
                return False
            calls.add(id(f))
        elif isinstance(n, ast.Attribute) and id(n) not in calls:
            return False
        elif isinstance(n, ast.Name) and n.id == "_ev":
            return False
    return True


@dataclass
class Lowered:
    """Generated functions of a chart, and per table row the name of each function."""

    functions: list[ast.FunctionDef] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)  # function name -> `# ...` line above it
    helpers: set[str] = field(default_factory=set)
    state_fns: dict[int, dict] = field(default_factory=dict)
    transition_fns: dict[int, dict] = field(default_factory=dict)
    global_scripts: list[str] = field(default_factory=list)
    # Extension actions ("session:fetch", ...), and the states that can own their pending
    # requests (Machine.REQUEST_OWNERS; scxmlc_runtime/requests.py).
    actions: set[str] = field(default_factory=set)
    request_owners: set[int] = field(default_factory=set)
    # Compiled steps (steps.py): ([(configuration, block name), ...], configuration after, name)
    steps: list[tuple[tuple, int, str]] = field(default_factory=list)
    # The blocks that only raise an event (steps.py): (block name, event name)
    raises: list[tuple[str, str]] = field(default_factory=list)


def lower(chart: Chart, diags: Diagnostics, compile_child=None, speculate: bool = True) -> Lowered:
    """Functions of one chart. `compile_child(document, prefix)` compiles the child chart of an
    <invoke> into the same module and returns its class name. `speculate=False`: the exact
    code only, no fast paths (guesses, selectors, assign regions): the reference mode."""
    return _Lowerer(chart, diags, compile_child, speculate).run()


class _DeadBindings(ast.NodeTransformer):
    """`(_f5 := x)` -> `x` where nothing reads `_f5`: fast paths bind every operand they might
    reuse (speculate.py), and one that is not reused would be a dead temporary."""

    def __init__(self, read: set[str]) -> None:
        self.read = read

    def visit_NamedExpr(self, node: ast.NamedExpr) -> ast.expr:
        self.generic_visit(node)
        return node if node.target.id in self.read else node.value


def _drop_dead_bindings(fn: ast.FunctionDef) -> ast.FunctionDef:
    """The function without assignment expressions whose target it never reads (anywhere in it,
    nested functions included: a name read nowhere is dead everywhere)."""
    read = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store)}
    if not any(isinstance(n, ast.NamedExpr) and n.target.id not in read for n in ast.walk(fn)):
        return fn
    return _DeadBindings(read).visit(fn)


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name_2`, `name_3`... the first not in `taken`; added to it."""
    found, n = name, 2
    while found in taken:
        found = f"{name}_{n}"
        n += 1
    taken.add(found)
    return found


def candidates_by_name(candidates, events) -> dict[str, list[int]]:
    """For each event name that a descriptor of `events` spells out (`*` and the empty prefix
    aside), the candidates, in order, whose descriptors match it (SCXML 3.12.1: equal to the
    name, a prefix of it ending at a dot, `*`). `events[k]` is candidates[k]'s descriptors.
    Each name looks up its own prefixes, so the work grows with the descriptors, not with
    their square (a 100 KB event list in one transition)."""
    named: dict[str, list[int]] = {}
    for k, descriptors in enumerate(events):
        for d in dict.fromkeys(descriptors):
            named.setdefault(d, []).append(k)
    anything = {*named.get("*", ()), *named.get("", ())}
    out: dict[str, list[int]] = {}
    for name in named:
        if name in ("*", ""):
            continue
        found = set(anything)
        prefix = name
        while True:
            found.update(named.get(prefix, ()))
            cut = prefix.rfind(".")
            if cut < 0:
                break
            prefix = prefix[:cut]
        out[name] = [candidates[k] for k in sorted(found)]
    return out


class _Lowerer:
    def __init__(self, chart: Chart, diags: Diagnostics, compile_child=None, speculate: bool = True):
        self.compile_child = compile_child
        self.speculate = speculate
        self.chart = chart
        self.doc = chart.doc
        self.diags = diags
        self.null = chart.doc.datamodel == "null"
        # Globals that exist before any code runs: the runtime creates every <data> item
        # (undefined until assigned) and the system variables first (Machine._initialise).
        self.declared = frozenset(
            {d.id for row in chart.states for d in getattr(row.node, "data", ())} | READONLY_GLOBALS | {"In"}
        )
        self.ors = chart.doc.ors
        self.shadowed = self.shadowed_names() if self.ors and not self.null else frozenset()
        self.js = self.transpiler()
        self.out = Lowered()
        self.foreach_depth = 0
        self.exact_only = False
        self.compact = False  # lowering the exact code of a guessed region
        # Whether this chart gets selectors and handlers, the plans Machine.send gives an
        # event's data as the host passed it (runtime/plans.py): not in charts with <invoke>,
        # whose events take the long way (autoforward and finalize read them).
        self.plans = not self.null and not any(getattr(r.node, "invokes", ()) for r in chart.states)
        # Where the code being lowered runs, for extension actions: the owner of the requests
        # it issues (RequestsMixin.owner_state), the states that could be that owner, and
        # the prefix of the functions made for them.
        self.owner: int | tuple = 0
        self.owner_candidates: tuple[int, ...] = ()
        # (a child chart's root is `<prefix>scxml`: every name of its module-level functions
        # starts with it, as each of its states' do, so a parent's and its children's differ)
        self.root_prefix = chart.states[0].fname
        self.prefix = self.root_prefix
        self.taken: set[str] = set()  # names of functions made for extension actions
        # Selectors and handlers by (kind, event, candidates): states with the same candidates
        # for an event (the children of a state whose transitions they all inherit) share one
        # function, made once (each was compiled per state: 200 conditions in a state of 200
        # children were 40,000 compilations). None: there is none for those candidates.
        self.made_for: dict[tuple, str | None] = {}
        self.warned_statements: set[tuple] = set()  # (statement_warning)

    def run(self) -> Lowered:
        for row in self.chart.states:
            self.lower_state(row)
        for t in self.chart.transitions:
            self.where_transition(t)
            self.lower_transition(t)
        self.where_session()
        if self.plans:
            taken = {fn.name for fn in self.out.functions}
            for row in self.chart.states:
                if row.kind in (ATOMIC, FINAL):
                    self.lower_selectors(row, taken)
                    if self.speculate and row.kind == ATOMIC:
                        self.lower_handlers(row, taken)
        for k, script in enumerate(self.doc.scripts, 1):
            name = f"_{self.root_prefix}_script" if k == 1 else f"_{self.root_prefix}_script_{k}"
            self.out.global_scripts.append(
                self.function(name, f"<script> line {script.loc.line}", [self.action(script)])
            )
        self.out.helpers |= set(self.js.helpers)
        return self.out

    # -- functions ------------------------------------------------------------------------

    def function(self, name: str, comment: str, body: list[ast.stmt], extra_args: tuple[str, ...] = ()) -> str:
        """Add `def name(_sm, *extra_args): ...` and return its name."""
        self.define(name, comment, body, extra_args)
        # A fresh transpiler per function: temporaries are numbered within the function, so a
        # change to one state leaves the code of the others byte-identical.
        self.out.helpers |= set(self.js.helpers)
        self.js = self.transpiler()
        return name

    def transpiler(self) -> Transpiler:
        return Transpiler(hoist_event=True, declared=self.declared, statements_as_expressions=self.ors, shadowed=self.shadowed)

    def shadowed_names(self) -> frozenset[str]:
        """ORS: the data items that a <script> also declares with `var` or `function`. There
        the script variable shadows the data item and `_data.x` is still the data item
        (ors-extensions.md §2, ors-dialect.md §5.1: Composer's `var system` beside
        `<data id="system">`)."""
        js = Transpiler()
        names: set[str] = set()
        for a in (*self.doc.scripts, *document_actions(self.doc)):
            if isinstance(a, m.Script):
                names |= js.script_globals(a.source)
        data = {d.id for row in self.chart.states for d in getattr(row.node, "data", ())}
        return frozenset(names & data)

    def define(self, name: str, comment: str, body: list[ast.stmt], extra_args: tuple[str, ...] = ()) -> None:
        """Add the function without starting a fresh transpiler: for functions made while
        another one's body is being lowered (extension actions), whose temporaries then
        continue that function's numbering."""
        stmts = [s for s in body if s is not None]
        flat: list[ast.stmt] = []
        for s in stmts:
            flat.extend(s if isinstance(s, list) else [s])
        # factories of functions written inside expressions come first (Transpiler.hoisted_for)
        flat = [*self.js.hoisted_for(flat), *flat]
        names = {n.id for s in flat for n in ast.walk(s) if isinstance(n, ast.Name)}
        if GUESS_FAILED in names:
            self.out.helpers.add(GUESS_FAILED)
        prologue: list[ast.stmt] = []
        # Bind the datamodel only where the body reads it (keeps trivial functions trivial), and
        # `_event` once where the body reads it (it cannot change while the function runs).
        uses_event = "_ev" in names
        if uses_event or DM in names:
            prologue.append(ast.Assign([ast.Name(DM, ast.Store())], ast.Attribute(ast.Name(SM, ast.Load()), "dm", ast.Load())))
        if uses_event:
            prologue.append(ast.Assign([ast.Name("_ev", ast.Store())], ast.Subscript(ast.Name(DM, ast.Load()), ast.Constant("_event"), ast.Load())))
        fn = _drop_dead_bindings(function_def(name, [*prologue, *(flat or [ast.Pass()])], (SM, *extra_args)))
        ast.fix_missing_locations(fn)
        self.out.functions.append(fn)
        self.out.comments[name] = comment

    def lower_state(self, row: StateRow) -> None:
        fns: dict = {"onentry": [], "onexit": [], "data": [], "donedata": None}
        node = row.node
        what = f"<{node.kind}> '{row.id}'" if isinstance(node, m.State) else "<scxml>"
        if isinstance(node, m.State):
            for key in ("onentry", "onexit"):
                self.where_state(row, key)
                for k, block in enumerate(getattr(node, key), 1):
                    name = f"_{row.fname}_{key}" if k == 1 else f"_{row.fname}_{key}_{k}"
                    line = block[0].loc.line if block else node.loc.line
                    fns[key].append(
                        self.function(name, f"<{key}> of {what} line {line}{self.of_file(node.loc)}", self.actions(block))
                    )
            self.where_session()
            if node.donedata is not None:
                fns["donedata"] = self.function(
                    f"_{row.fname}_donedata",
                    f"<donedata> of {what} line {node.donedata.loc.line}{self.of_file(node.donedata.loc)}",
                    [ast.Return(self.donedata(node.donedata))],
                )
            fns["invokes"] = [self.invoke(row, k, inv) for k, inv in enumerate(node.invokes, 1)]
        for d in node.data:
            fns["data"].append((d.id, self.data_initialiser(row, d)))
        self.out.state_fns[row.index] = fns

    # -- who owns the requests of extension actions (requests.py, ors-extensions.md §3.10) --

    def where_session(self) -> None:
        """Top-level scripts, data, donedata, invoke attributes: the session owns them."""
        self.owner, self.owner_candidates, self.prefix = 0, (), self.root_prefix

    def where_state(self, row: StateRow, key: str) -> None:
        self.prefix = row.fname
        if key == "onentry":
            self.owner, self.owner_candidates = row.index, (row.index,)
        else:
            # the domain of the transition that exits it: known only then; the state itself
            # too (its exit must run where the interpreter records the exit set)
            self.owner = ("onexit", row.index)
            self.owner_candidates = (row.index, *row.ancestors)

    def where_transition(self, t: TransitionRow) -> None:
        self.prefix = t.fname
        if not t.targets:
            self.owner, self.owner_candidates = t.source, (t.source,)  # targetless: its source stays
        elif t.domain >= 0:
            self.owner, self.owner_candidates = t.domain, (t.domain,)
        else:
            # a domain that depends on history: computed when the content runs
            self.owner = ("transition", t.index)
            self.owner_candidates = (t.source, *self.chart.states[t.source].ancestors)

    def invoke(self, row: StateRow, k: int, inv: m.Invoke) -> dict[str, ast.expr]:
        """The keyword arguments of an InvokeDef row (SCXML 6.4)."""
        base = f"_{row.fname}_invoke{k}"
        where = f"<invoke> line {inv.loc.line}{self.of_file(inv.loc)}"
        kw: dict[str, ast.expr] = {}

        def fn(suffix: str, body: list[ast.stmt], *extra: str) -> ast.Name:
            return ast.Name(self.function(f"{base}_{suffix}", f"{where}: {suffix}", body, extra), ast.Load())

        if inv.typeexpr is not None:
            kw["typeexpr"] = fn("type", [ast.Return(self.expr(inv.typeexpr, inv.loc))])
        elif inv.type is not None:
            kw["type"] = const(inv.type)
        if inv.srcexpr is not None:
            kw["srcexpr"] = fn("src", [ast.Return(self.expr(inv.srcexpr, inv.loc))])
        elif inv.src is not None:
            kw["src"] = const(inv.src)
        child = inv.src_document
        if inv.content is not None:
            if inv.content.scxml is not None:
                child = inv.content.scxml
            elif inv.content.expr is not None:
                kw["content"] = fn("content", [ast.Return(self.expr(inv.content.expr, inv.content.loc))])
            else:
                kw["content"] = fn("content", [ast.Return(self.content_value(inv.content))])
        if child is not None and self.compile_child is not None:
            kw["chart"] = ast.Name(self.compile_child(child, f"{row.fname}_i{k}_"), ast.Load())
        if inv.id is not None:
            kw["id"] = const(inv.id)
        elif inv.idlocation is not None:
            value = ast.Name("_invokeid", ast.Load())
            kw["idlocation"] = fn("idlocation", self.assign_to(inv.idlocation, value, inv.loc), "_invokeid")
        if inv.namelist or inv.params:
            kw["data"] = fn("data", [ast.Return(self.params(inv.params, inv.namelist, inv.loc))])
        if inv.autoforward:
            kw["autoforward"] = const(True)
        if inv.finalize:
            kw["finalize"] = fn("finalize", self.actions(inv.finalize))
        kw["line"] = const(inv.loc.line)
        return kw

    def data_initialiser(self, row: StateRow, d: m.Data) -> str | None:
        name = f"_{row.fname}_data_{python_name(d.id)}"
        comment = f"<data id='{d.id}'> line {d.loc.line}{self.of_file(d.loc)}"
        if self.null:
            return None
        if d.expr is not None:
            value = self.expr(d.expr, d.loc)
        elif d.src is not None:
            if d.src.startswith(("http:", "https:")):
                # Fetched when the data item is initialised: the compiler never goes to the
                # network on behalf of a document.
                value = sm_call("fetch_value", const(d.src))
            elif d.src_text is None:
                value = self.fail("Error", f"cannot load <data> src '{d.src}'")
            else:
                # B.2.2, decided by the runtime's one rule: XML becomes a DOM, else JSON or text.
                value = sm_call("source_value", const(d.src_text))
        elif d.content is not None:
            value = self.content_value(d.content)
        else:
            return None
        return self.function(name, comment, [ast.Return(value)])

    def lower_transition(self, t: TransitionRow) -> None:
        fns: dict = {"cond": None, "action": None}
        src = self.chart.states[t.source]
        line = t.line
        if t.cond is not None:
            fast = None if self.null else self.guess(lambda: self.js.fast_cond(t.cond))
            body: list[ast.stmt] = [ast.Return(self.cond(t.cond, t.node.loc, compact=fast is not None))]
            if fast is not None:
                body = [guessing([ast.Return(fast)], [ast.Pass()]), *body]
            fns["cond"] = self.function(f"_{t.fname}_cond", f"<transition cond> line {line}{self.of_loc(t)}", body)
        if t.actions:
            label = "<initial>" if t.node is not None and src.initial == t.index else "<transition>"
            fns["action"] = self.function(
                f"_{t.fname}", f"{label} line {line}{self.of_loc(t)}", self.actions(t.actions)
            )
        self.out.transition_fns[t.index] = fns

    def made_before(self, key: tuple, event: str, out: list) -> bool:
        """Whether the selector or handler `key` names was made for other states already
        (then `out` has it, when there is one); else it is being made now (made_for)."""
        if key not in self.made_for:
            self.made_for[key] = None
            return False
        if self.made_for[key] is not None:
            out.append((event, self.made_for[key]))
        return True

    def lower_selectors(self, row: StateRow, taken: set[str]) -> None:
        """Per event name, the transition selection of this state as one function: the
        fast paths of its candidates' conditions in order, sharing what they read. It
        returns the index (among the candidates the name matches) of the first enabled
        one, their number when none is, and -1 - k when it cannot tell from candidate k on
        (a failed guess: -1; a condition with no fast path: its k). The runtime then
        evaluates the conditions from k on (Interpreter.take_guarded); the fast paths are
        pure, so nothing happened in between (SCXML Appendix D, selectTransitions: the
        first enabled transition in document order of each atomic state). `taken`: the
        names of the functions made so far."""
        ts = self.chart.transitions
        selectors: list = []
        if not self.speculate or sum(ts[t].cond is not None for t in row.candidates) < 2:
            return  # a selector chooses among two or more conditions
        for event, cands in candidates_by_name(row.candidates, [ts[t].events for t in row.candidates]).items():
            key = ("select", event, tuple(cands))
            if self.made_before(key, event, selectors):
                continue
            conds = []
            for t in cands:
                if ts[t].cond is None:
                    break
                conds.append(ts[t].cond)
            mark = self.js.mark()
            tests = self.js.fast_conds(conds) if len(conds) >= 2 and self.speculate else []
            if len(tests) < 2:
                self.js.reset(mark)  # nothing of it is kept
                continue
            body: list[ast.stmt] = [ast.If(test, [ast.Return(const(k))], []) for k, test in enumerate(tests)]
            k = len(tests)
            if k == len(cands):
                body.append(ast.Return(const(k)))  # none enabled
            elif ts[cands[k]].cond is None:
                body.append(ast.Return(const(k)))  # enabled: it has no condition
            else:
                body.append(ast.Return(const(-1 - k)))
            name = unique_name(f"_{row.fname}_select_{python_name(event)}", taken)
            lines = ", ".join(str(ts[t].line) for t in cands[: k + 1])
            comment = f"<transition> selection of '{row.id}' on {event!r}, lines {lines}"
            self.made_for[key] = made = self.function(name, comment, [guessing(body, [ast.Return(const(-1))])])
            selectors.append((event, made))
        if selectors:
            self.out.state_fns.setdefault(row.index, {})["selectors"] = selectors

    def lower_handlers(self, row: StateRow, taken: set[str]) -> None:
        """Per event name whose candidates in this state are all targetless transitions that
        only <assign> to data items, the whole step as one function of the event's data as
        the host passed it, `(_sm, _d) -> k`: the fast paths of the conditions in order (as
        in a selector), and of the first enabled candidate's assignments, stored when all
        succeeded. It returns the index of the candidate taken (their number when none is
        enabled: nothing happens), or -1 when a guess failed, having changed nothing.
        Machine.send calls it while the session is idle in a configuration whose one atomic
        state this is (runtime/plans.py, PlannedTables.handlers_of): there a targetless
        transition exits and enters nothing, and assignments raise no event, so the step is
        the block alone (SCXML Appendix D, microstep) and the event object is built only
        when code could read it."""
        ts = self.chart.transitions
        handlers: list = []
        for event, cands in candidates_by_name(row.candidates, [ts[t].events for t in row.candidates]).items():
            key = ("handle", event, tuple(cands))
            if self.made_before(key, event, handlers):
                continue
            branches: list = []
            for t in cands:
                tr = ts[t]
                if tr.targets or tr.node is None or not all(self.regionable(a) for a in tr.actions):
                    branches = []
                    break
                branches.append((tr.cond, tr.actions))
                if tr.cond is None:
                    break  # always enabled: the ones after it are never reached
            if not branches or not any(cond is not None or actions for cond, actions in branches):
                continue  # (a step that runs no code is a lean plan's: plans.py)
            mark = self.js.mark()
            fast = self.js.fast_handler([(cond, [(a.location.strip(), a.expr) for a in actions]) for cond, actions in branches], "_d")
            body = self.handler_body(branches, fast) if fast is not None else None
            if body is None or "_ev" in {n.id for s in body for n in ast.walk(s) if isinstance(n, ast.Name)}:
                self.js.reset(mark)  # (`_ev`: it reads the event other than by its data)
                continue
            name = unique_name(f"_{row.fname}_on_{python_name(event)}", taken)
            lines = ", ".join(str(ts[t].line) for t in cands[: len(branches)])
            comment = f"<transition> selection of '{row.id}' on {event!r} with its <assign>s, lines {lines}"
            self.made_for[key] = made = self.function(name, comment, [guessing(body, [ast.Pass()]), ast.Return(const(-1))], ("_d",))
            handlers.append((event, made))
        if handlers:
            self.out.state_fns.setdefault(row.index, {})["handlers"] = handlers

    def handler_body(self, branches: list, fast: list) -> list[ast.stmt] | None:
        """The statements of lower_handlers' function inside its guess; None when a store is
        not a plain one (it must not fail: the guess has succeeded by then)."""
        body: list[ast.stmt] = []
        for k, ((cond, actions), (test, guessed)) in enumerate(zip(branches, fast)):
            values, stores = self.guessed_assigns(actions, guessed)
            # (regionable locations are data items, stored by subscript: this guards that)
            if not all(_plain_store(s) for s in stores):
                return None
            stmts = [*values, *stores, ast.Return(const(k))]
            if test is None:
                return [*body, *stmts]
            body.append(ast.If(test, stmts, []))
        body.append(ast.Return(const(len(branches))))  # none enabled: the event is dropped
        return body

    # -- expressions ----------------------------------------------------------------------

    def fail(self, name: str, message: str) -> ast.expr:
        """An expression that raises the JS error `name` when evaluated."""
        return sm_call("fail", const(name), const(message))

    def syntax(self, exc: ECMAScriptSyntaxError, loc: Location, source: str) -> ast.expr:
        # where in the attribute value or the script the error is, when the document's text
        # there is the source (positions.py); else the element's location
        loc = self.diags.positions.locate(loc, source, exc.line, exc.column)
        if self.ors:
            # ORS documents: a syntax error is the document's error (ors-dialect.md §10)
            self.diags.error(loc, f"ECMAScript: {exc.message} in {source.strip()[:60]!r} [ORS-E31]")
            return self.fail("SyntaxError", exc.message)
        # W3C tests require bad expressions to fail at run time (error.execution), not at build.
        self.diags.warning(loc, f"ECMAScript: {exc.message} in {source.strip()[:60]!r}; it raises error.execution when run")
        return self.fail("SyntaxError", exc.message)

    def guess(self, build) -> ast.expr | None:
        """A fast path from build(), or None when there is none or it is a constant (the
        exact code is then as good); nothing of a dropped one is emitted."""
        if not self.speculate:
            return None
        mark = self.js.mark()
        fast = build()
        if fast is not None and _inert(ast.Expr(fast)):
            self.js.reset(mark)
            return None
        return fast

    def expr(self, source: str, loc: Location, compact: bool = False) -> ast.expr:
        """`compact`: the exact code behind a fast path (ExprCompiler.compact)."""
        if self.null:
            return self.null_expr(source, loc)
        try:
            before = self.js.statement_fallbacks
            value = self.js.expr(source, compact=compact)
        except ECMAScriptSyntaxError as exc:
            return self.syntax(exc, loc, source)
        if self.js.statement_fallbacks != before:
            self.statement_warning(loc, source)
        return value

    def statement_warning(self, loc: Location, source: str) -> None:
        """ORS-W30, once per attribute (its expression may be compiled more than once: a fast
        path and the exact code, a condition in a selector and in its transition)."""
        key = (loc.file, loc.line, loc.column, source)
        if key not in self.warned_statements:
            self.warned_statements.add(key)
            self.diags.warning(loc, f"{source.strip()[:60]!r} is a statement, not an expression: read as its expression [ORS-W30]")

    def cond(self, source: str, loc: Location, compact: bool = False) -> ast.expr:
        if self.null:
            # SCXML B.1: the null datamodel's only conditions are In('state id').
            match = re.fullmatch(r"\s*In\(\s*(['\"])(.*?)\1\s*\)\s*", source)
            if match:
                return sm_call("is_active", const(match.group(2)))
            self.diags.warning(loc, f"the null datamodel supports only In('id') conditions, not {source!r}")
            return self.fail("SyntaxError", f"unsupported condition in the null datamodel: {source}")
        try:
            before = self.js.statement_fallbacks
            value = self.js.cond(source, compact=compact)
        except ECMAScriptSyntaxError as exc:
            return self.syntax(exc, loc, source)
        if self.js.statement_fallbacks != before:
            self.statement_warning(loc, source)
        return value

    def null_expr(self, source: str, loc: Location) -> ast.expr:
        match = re.fullmatch(r"\s*(['\"])(.*?)\1\s*", source)
        if match:
            return const(match.group(2))
        self.diags.warning(loc, f"the null datamodel has no expressions: {source!r} raises error.execution when run")
        return self.fail("SyntaxError", f"no expressions in the null datamodel: {source}")

    def assign_to(self, location: str, value: ast.expr, loc: Location) -> list[ast.stmt]:
        if self.null:
            self.diags.warning(loc, "the null datamodel has no locations to assign")
            return [ast.Expr(self.fail("SyntaxError", "no datamodel to assign to"))]
        if location.strip() in READONLY_GLOBALS:
            # SCXML 5.10: system variables cannot be changed; the attempt is error.execution.
            return [ast.Expr(value), ast.Expr(self.fail("TypeError", f"{location.strip()} is read-only"))]
        try:
            return self.js.assign(location, value)
        except ECMAScriptSyntaxError as exc:
            return [ast.Expr(value), ast.Expr(self.syntax(exc, loc, location))]

    def content_value(self, content: m.Content) -> ast.expr:
        if content.expr is not None:
            return self.expr(content.expr, content.loc)
        if content.xml is not None:
            return sm_call("xml_value", const(content.xml))
        return sm_call("text_value", const(content.text or ""))

    def donedata(self, dd: m.DoneData) -> ast.expr:
        if dd.content is not None:
            return self.content_value(dd.content)
        return self.params(dd.params, (), dd.loc)

    def params(self, params, namelist, loc: Location) -> ast.expr:
        """Event data from namelist and <param>s: a JS object (later names win)."""
        keys: list[ast.expr] = []
        values: list[ast.expr] = []
        for name in namelist:
            keys.append(const(name))
            values.append(self.expr(name, loc))
        for p in params:
            keys.append(const(p.name))
            src = p.expr if p.expr is not None else p.location
            values.append(self.expr(src, p.loc) if src is not None else ast.Name("UNDEFINED", ast.Load()))
        if not keys:
            return ast.Name("UNDEFINED", ast.Load())
        names = [k.value for k in keys]
        if len(set(names)) < len(names):
            # SCXML 6.2 (W3C 178): every value is kept, even under a repeated name.
            pairs = ast.Tuple([ast.Tuple([k, v], ast.Load()) for k, v in zip(keys, values)], ast.Load())
            return sm_call("param_data", pairs)
        return ast.Dict(keys=keys, values=values)

    # -- executable content ---------------------------------------------------------------

    def action(self, a: m.Action) -> list[ast.stmt]:
        method = getattr(self, "x_" + type(a).__name__.lower())
        return [marker(f"<{self.tag(a)}> line {a.loc.line}{self.of_file(a.loc)}"), *method(a)]

    def of_loc(self, t: TransitionRow) -> str:
        return self.of_file(t.node.loc) if t.node is not None else ""

    def of_file(self, loc: Location) -> str:
        """` of FILE` for an element merged from an included file (compose.py), FILE relative to
        the document's folder: the runtime names it in error locations (actions.locate_error)."""
        top = self.doc.loc.file
        if loc.file == top:
            return ""
        return " of " + os.path.relpath(loc.file, os.path.dirname(top) or ".").replace(os.sep, "/")

    @staticmethod
    def tag(a: m.Action) -> str:
        if isinstance(a, m.ModuleAction):
            return a.label
        return a.tag if isinstance(a, m.Foreign) else type(a).__name__.lower()

    def block(self, actions) -> list[ast.stmt]:
        return self.actions(actions) or [ast.Pass()]

    def actions(self, actions) -> list[ast.stmt]:
        """Executable content in order; a run of two or more <assign>s to data items whose
        values can all be guessed becomes one speculative region (see `region`)."""
        out: list[ast.stmt] = []
        run: list[m.Assign] = []
        for a in [*actions, None]:
            if a is not None and self.regionable(a):
                run.append(a)
                continue
            if len(run) >= 2:
                out.extend(self.region(run))
            else:
                for r in run:
                    out.extend(self.action(r))
            run = []
            if a is not None:
                out.extend(self.action(a))
        return out

    def regionable(self, a: m.Action) -> bool:
        return (
            not self.null
            and isinstance(a, m.Assign)
            and a.expr is not None
            and a.location.strip() in self.declared
            and a.location.strip() not in READONLY_GLOBALS
            and a.location.strip() not in self.shadowed
        )

    def guessed_assigns(self, run, fast: list[tuple[str, ast.expr]]) -> tuple[list[ast.stmt], list[ast.stmt]]:
        """For assigns guessed together (Transpiler.fast_assigns' [(temporary, value)]): the
        statements computing the temporaries, and those storing them at the locations."""
        values: list[ast.stmt] = [ast.Assign([ast.Name(temp, ast.Store())], value) for temp, value in fast]
        stores: list[ast.stmt] = []
        for a, (temp, _) in zip(run, fast):
            stores.extend(self.assign_to(a.location, ast.Name(temp, ast.Load()), a.loc))
        return values, stores

    def region(self, run: list[m.Assign]) -> list[ast.stmt]:
        """Consecutive assigns as one guess: every value computed by the fast paths (each
        seeing the values assigned before it, and reusing what the others read), stored only
        when all succeeded; after a failed guess the exact code of every assign runs, as if
        the guess had not been made (the fast paths are pure: speculate.py)."""
        fast = self.js.fast_assigns([(a.location.strip(), a.expr) for a in run]) if self.speculate else None
        exact: list[ast.stmt] = []
        # the region is the guess: no second guess per assign; their exact code is compact
        self.exact_only, self.compact = True, fast is not None
        try:
            for a in run:
                exact.extend(self.action(a))
        finally:
            self.exact_only = self.compact = False
        if fast is None:
            return exact
        values, stores = self.guessed_assigns(run, fast)
        first = marker(f"<assign> line {run[0].loc.line}{self.of_file(run[0].loc)} (with the next {len(run) - 1})")
        return [first, guessing(values, exact, stores)]

    def x_raise(self, a: m.Raise) -> list[ast.stmt]:
        if a.params or a.namelist:
            # ORS: the internal event carries data, built as <send>'s (ors-dialect.md §4.5)
            return [ast.Expr(sm_call("raise_event", const(a.event), self.params(a.params, a.namelist, a.loc)))]
        return [ast.Expr(sm_call("raise_event", const(a.event)))]

    def x_log(self, a: m.Log) -> list[ast.stmt]:
        args = [const(a.label)]
        # An empty expr logs the label alone (W3C test 307 writes expr="" for that).
        if a.expr is not None and a.expr.strip():
            args.append(self.expr(a.expr, a.loc))
        level = {"level": const(a.level)} if a.level is not None else {}
        return [ast.Expr(sm_call("log", *args, **level))]

    def x_assign(self, a: m.Assign) -> list[ast.stmt]:
        if a.expr is not None:
            fast = None
            if not (self.null or self.exact_only):
                fast = self.guess(lambda: self.js.fast_expr(a.expr))
            # (no fast path where the source does not parse: the exact code is its error stub)
            value = self.expr(a.expr, a.loc, compact=self.compact or fast is not None)
            if fast is not None:
                if self.regionable(a):
                    # A data item's store is a plain dict store, which cannot fail: it may end
                    # the guess (the value is complete by then), saving a temporary.
                    return [guessing(self.assign_to(a.location, fast, a.loc), self.assign_to(a.location, value, a.loc))]

                def v(ctx):
                    return ast.Name("_v", ctx)

                guess = guessing([ast.Assign([v(ast.Store())], fast)], [ast.Assign([v(ast.Store())], value)])
                return [guess, *self.assign_to(a.location, v(ast.Load()), a.loc)]
        elif a.content is not None:
            value = self.content_value(a.content)
        else:
            value = ast.Name("UNDEFINED", ast.Load())
        return self.assign_to(a.location, value, a.loc)

    def x_script(self, a: m.Script) -> list[ast.stmt]:
        if self.null:
            self.diags.warning(a.loc, "<script> has no meaning in the null datamodel")
            return [ast.Expr(self.fail("SyntaxError", "no scripts in the null datamodel"))]
        try:
            return self.js.script(a.source) or [ast.Pass()]
        except ECMAScriptSyntaxError as exc:
            return [ast.Expr(self.syntax(exc, a.loc, a.source))]

    def x_if(self, a: m.If) -> list[ast.stmt]:
        orelse: list[ast.stmt] = []
        for cond, actions in reversed(a.branches):
            body = self.block(actions)
            if cond is None:
                orelse = body
            else:
                orelse = [ast.If(test=self.cond(cond, a.loc), body=body, orelse=orelse)]
        return orelse

    def x_foreach(self, a: m.Foreach) -> list[ast.stmt]:
        self.foreach_depth += 1
        depth = self.foreach_depth
        item_var, index_var = f"_t_item{depth}", f"_t_index{depth}"
        body: list[ast.stmt] = []
        # SCXML 4.6: item and index must be legal variable names; they are declared if new.
        for name, var in ((a.item, item_var), (a.index, index_var)):
            if name is None:
                continue
            if self.null or not self.js.identifier_ok(name):
                self.diags.warning(a.loc, f"<foreach> {('item' if name == a.item else 'index')} {name!r} is not a legal variable name; it raises error.execution when run")
                self.foreach_depth -= 1
                return [ast.Expr(self.fail("SyntaxError", f"illegal <foreach> variable name {name!r}"))]
            value: ast.expr = ast.Name(var, ast.Load())
            if var == index_var:
                value = ast.Call(ast.Name("float", ast.Load()), [value], [])
            if name in self.shadowed:
                body.append(ast.Expr(ast.Call(ast.Name("js_shadow_set", ast.Load()), [ast.Name(DM, ast.Load()), const(name), value], [])))
                self.out.helpers.add("js_shadow_set")
            else:
                body.append(ast.Assign([ast.Subscript(ast.Name(DM, ast.Load()), const(name), ast.Store())], value))
        body.extend(self.block(a.actions))
        self.foreach_depth -= 1
        items = sm_call("foreach_items", self.expr(a.array, a.loc))
        return [
            ast.For(
                target=ast.Tuple([ast.Name(index_var, ast.Store()), ast.Name(item_var, ast.Store())], ast.Store()),
                iter=ast.Call(ast.Name("enumerate", ast.Load()), [items], []),
                body=body,
                orelse=[],
            )
        ]

    def x_send(self, a: m.Send) -> list[ast.stmt]:
        kw: dict[str, ast.expr] = {}
        # Attributes are evaluated in this order; the first error stops the send (SCXML 6.2.4).
        if a.eventexpr is not None:
            kw["event"] = self.expr(a.eventexpr, a.loc)
        elif a.event is not None:
            kw["event"] = const(a.event)
        if a.targetexpr is not None:
            kw["target"] = self.expr(a.targetexpr, a.loc)
        elif a.target is not None:
            kw["target"] = const(a.target)
        if a.typeexpr is not None:
            kw["type"] = self.expr(a.typeexpr, a.loc)
        elif a.type is not None:
            kw["type"] = const(a.type)
        if a.id is not None:
            kw["sendid"] = const(a.id)
        elif a.idlocation is not None:
            kw["sendid"] = sm_call("new_sendid")
        if a.delayexpr is not None:
            kw["delay"] = self.expr(a.delayexpr, a.loc)
        elif a.delay is not None and a.ors:
            kw["delay"] = const(a.delay)  # (ORS: a number would mean milliseconds: parsed when run)
        elif a.delay is not None:
            try:
                kw["delay"] = const(parse_delay(a.delay))
            except ExecutionError as exc:
                self.diags.warning(a.loc, f"{exc}; the <send> raises error.execution when run")
                kw["delay"] = const(a.delay)
        if a.content is not None:
            kw["data"] = self.content_value(a.content)
        elif a.namelist or a.params:
            kw["data"] = self.params(a.params, a.namelist, a.loc)
        if a.ors:
            kw["ors"] = const(True)  # ORS targets, types and millisecond delays
            if a.hints is not None:
                kw["hints"] = self.expr(a.hints, a.loc)  # evaluated, and ignored
        call = sm_call("execute_send", **kw)
        if a.idlocation is None:
            return [ast.Expr(call)]
        # The id is stored before the send is dispatched, so errors of the send can name it.
        sendid_var = ast.Name("_t_sendid", ast.Load())
        kw["sendid"] = sendid_var
        return [
            ast.Assign([ast.Name("_t_sendid", ast.Store())], sm_call("new_sendid")),
            *self.assign_to(a.idlocation, sendid_var, a.loc),
            ast.Expr(sm_call("execute_send", **kw)),
        ]

    def x_cancel(self, a: m.Cancel) -> list[ast.stmt]:
        value = self.expr(a.sendidexpr, a.loc) if a.sendidexpr is not None else const(a.sendid)
        if a.ors:
            return [ast.Expr(sm_call("cancel_send", value, ors=const(True)))]
        return [ast.Expr(sm_call("cancel_send", value))]

    def x_foreign(self, a: m.Foreign) -> list[ast.stmt]:
        # An element of another namespace that no module implements (the verifier warned):
        # an error event when run, the one its family names (ORS: error.unsupported.element).
        args = [const(f"{{{a.namespace}}}{a.tag}")]
        if extensions.family(a.namespace) is not None:
            args.append(const("error.unsupported.element"))
        return [ast.Expr(sm_call("unsupported_element", *args))]

    def x_moduleaction(self, a: m.ModuleAction) -> list[ast.stmt]:
        """An extension action: a function evaluating its attributes, <param>s and <content>
        in document order, another storing the id it gets, and a call of the runtime's
        request pattern (RequestsMixin.module_action) with the owner of the request."""
        element = extensions.lookup(a.namespace).declaration.elements[a.tag]
        where = f"<{a.label}> line {a.loc.line}{self.of_file(a.loc)}"
        base = unique_name(f"_{self.prefix}_{python_name(a.module)}_{python_name(a.tag)}_{a.loc.line}", self.taken)
        pre: list[ast.stmt] = []
        args = self.action_args(a, element, pre)  # (fills `pre`)
        self.define(base, f"{where}: its attributes, <param>s and <content>, in document order", [*pre, ast.Return(args)])
        store: ast.expr = const(None)
        id_source = a.attr(element.id_attr) if element.id_attr else None
        if id_source is not None:
            name = f"{base}_{element.id_attr}"
            stmts = self.assign_to(id_source, ast.Name("_id", ast.Load()), a.loc)
            self.define(name, f"{where}: stores the id it gets in {element.id_attr}={id_source!r}", stmts, ("_id",))
            self.taken.add(name)
            store = ast.Name(name, ast.Load())
        self.out.actions.add(a.label)
        self.out.request_owners.update(i for i in self.owner_candidates if i)
        call = sm_call("module_action", const(a.module), const(a.tag), const(a.loc.line), ast.Name(base, ast.Load()), store, const(self.owner))
        return [ast.Expr(call)]

    def action_args(self, a: m.ModuleAction, element, pre: list[ast.stmt]) -> ast.Dict:
        """The dict of an action's evaluated arguments, in document order: attributes,
        `params` ((name, value), ...), `content`, and `children` ((tag, args), ...) of nested
        elements. Statements it needs first (reading a location) go to `pre`."""
        keys: list[ast.expr] = []
        values: list[ast.expr] = []
        for name, source in a.attrs:
            attr = element.attr(name)
            if attr is None:
                continue  # unknown: the verifier warned; ignored
            if attr.kind == "location":
                if attr.reads:
                    # the location's value now (session:start restarts the session it names)
                    current = ast.Name("_t_current", ast.Load())
                    handler = ast.ExceptHandler(
                        type=ast.Name("Exception", ast.Load()), name=None,
                        body=[ast.Assign([ast.Name("_t_current", ast.Store())], ast.Name("UNDEFINED", ast.Load()))],
                    )  # fmt: skip
                    value = self.null_expr(source, a.loc) if self.null else self.expr(source, a.loc)
                    pre.append(ast.Try(body=[ast.Assign([ast.Name("_t_current", ast.Store())], value)], handlers=[handler], orelse=[], finalbody=[]))
                    keys.append(const(name))
                    values.append(current)
                continue
            keys.append(const(name))
            values.append(const(source) if attr.kind == "literal" else self.expr(source, a.loc))
        if a.params:
            pairs = []
            for p in a.params:
                src = p.expr if p.expr is not None else p.location
                value = self.expr(src, p.loc) if src is not None else ast.Name("UNDEFINED", ast.Load())
                pairs.append(ast.Tuple([const(p.name), value], ast.Load()))
            keys.append(const("params"))
            values.append(ast.Tuple(pairs, ast.Load()))
        if a.contents:
            content = a.contents[0]
            keys.append(const("content"))
            if content.expr is not None:
                values.append(self.expr(content.expr, content.loc))
            else:
                values.append(sm_call("content_text", const(content.xml if content.xml is not None else content.text or "")))
        if a.children:
            nested = [
                ast.Tuple([const(c.tag), self.action_args(c, element.child(c.tag), pre)], ast.Load()) for c in a.children
            ]
            keys.append(const("children"))
            values.append(ast.Tuple(nested, ast.Load()))
        return ast.Dict(keys=keys, values=values)
