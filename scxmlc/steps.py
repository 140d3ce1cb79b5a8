"""Compiled steps: the microsteps a chart's structure fixes, each fused into one function whose blocks run inline, and the blocks that only raise an event (a pass after lowering, left out with the fast paths).

A microstep (SCXML Appendix D: exitStates, executeTransitionContent, enterStates) runs a list
of blocks, the onexit, transition, onentry and default-initial content, each seeing the
configuration of its moment. The runtime records that list the first time it takes a step
whose outcome depends on nothing but the configuration (runtime/plans.py, `plan_cache`), and
replays it after: one call per block. In a chart with no <parallel>, no <history>, no <invoke>
and early binding, the configuration is the chain of ancestors of one atomic state, so for each
atomic state and each transition it can take the list is known here already. This pass
predicts it and emits, for each list of two blocks or more, one function that runs the
blocks' bodies in order, each in its own `try` (SCXML 4.9: an error ends its block only, as
error.execution) after storing the configuration that block would see, and stores the
configuration the microstep ends in.

The prediction is checked where it is used: the chart class lists each fused function with the
list of (configuration, block) pairs it stands for (`STEPS`), and the runtime swaps a recorded
plan for a fused function only when the two lists are equal. A wrong prediction costs only
speed. What it saves is a call and a loop turn per block; a chart such as the benchmark's
deep.scxml (16 blocks per event) runs a third faster.

The blocks whose whole body is `<raise event="name"/>` are listed too (`RAISES`): when the
runtime replays a step whose one block is such a block, with the internal queue empty, it takes
the event the block would raise at once, without running the block or building the events no
code reads (runtime/plans.py: Planned.macrostep). A chain of raised events, as in the
benchmark's internal.scxml, then costs a dictionary lookup per step.

Size policy: a chart gets as many inlined blocks as it has blocks (at least STEP_BLOCK_FLOOR,
at most STEP_BLOCK_LIMIT), in document order of the atomic states and their candidates, so a
large chart's block code at most doubles. A Composer-like chart of 330 nested states, each with
an onentry and an onexit block, grew from 9,500 to 18,700 lines (23,400 under a plain limit of
1,000 blocks), and its compile time from 0.6 to 1.2 s.
"""

from __future__ import annotations

import ast
import copy

from scxmlc_runtime.tables import ATOMIC, COMPOUND, DEEP_HISTORY, FINAL, PARALLEL, SHALLOW_HISTORY

from .analysis import Chart
from .lowering import DM, SM, Lowered, const, function_def, is_marker, marker, sm_call, unique_name

# Blocks inlined into compiled steps per chart (each is a copy of a block's code): as many as
# the chart has, but at least STEP_BLOCK_FLOOR (a small chart's steps are all worth having) and
# at most STEP_BLOCK_LIMIT.
STEP_BLOCK_FLOOR = 200
STEP_BLOCK_LIMIT = 1_000
# The exception name in a compiled step's handlers (generated code never names it).
_EXC = "_scxml_exc"
# Statements a block may contain that would not mean the same inlined: a `return` would end the
# whole step, nested functions would share the step's locals, and names declared global or
# nonlocal would change for every block.
_NOT_INLINABLE = (ast.Return, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Global, ast.Nonlocal, ast.Yield, ast.YieldFrom, ast.Await)


def fuse_steps(chart: Chart, lowered: Lowered) -> None:
    """The pass: compiled steps (`compile_steps`) and the blocks that only raise (`find_raises`)."""
    find_raises(lowered)
    compile_steps(chart, lowered)


def find_raises(lowered: Lowered) -> None:
    """lowered.raises: the blocks whose whole body is `<raise event="name"/>` (no data), with
    the name. The runtime takes such a block's event at once instead of running the block
    (runtime/plans.py: Planned.macrostep), when its step is replayed with the queue empty."""
    blocks = set(_block_names(lowered))
    for fn in lowered.functions:
        if fn.name not in blocks:
            continue
        body = [stmt for stmt in fn.body if not is_marker(stmt)]
        if len(body) != 1 or not isinstance(body[0], ast.Expr):
            continue
        call = body[0].value
        if (
            isinstance(call, ast.Call)
            and ast.unparse(call.func) == f"{SM}.raise_event"
            and not call.keywords
            and len(call.args) == 1
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)
        ):
            lowered.raises.append((fn.name, call.args[0].value))


def compile_steps(chart: Chart, lowered: Lowered) -> None:
    """Add a compiled step to `lowered` for each static microstep of two blocks or more
    (lowered.functions, and lowered.steps: its blocks with their configurations, the
    configuration after, and its name), in document order of the atomic states and their
    candidates, inlining as many blocks as the chart has (at least STEP_BLOCK_FLOOR, at most
    STEP_BLOCK_LIMIT).
    Each inlined block keeps its location comment, so that an error in it is located as in
    the block's own function."""
    functions = {fn.name: fn for fn in lowered.functions}
    taken = set(functions)
    budget = min(STEP_BLOCK_LIMIT, max(STEP_BLOCK_FLOOR, len(_block_names(lowered))))
    count: dict[int, int] = {}
    made: dict[tuple, str] = {}  # (blocks, configuration after) -> the step made for them
    for leaf, t, blocks, after in static_microsteps(chart, lowered, functions):
        tr = chart.transitions[t]
        what = f"line {tr.line}" if tr.node is not None else "its initial transition"
        blocks = tuple(blocks)
        if (blocks, after) in made:  # another transition from the same state, alike
            lowered.comments[made[blocks, after]] += f", {what}"
            continue
        if len(blocks) > budget:
            break
        budget -= len(blocks)
        body: list[ast.stmt] = []
        binds_dm = False
        for config, name in blocks:
            stmts = copy.deepcopy(functions[name].body)
            if stmts and ast.unparse(stmts[0]) == f"{DM} = {SM}.dm":
                del stmts[0]  # (bound once for the step: the datamodel object never changes)
                binds_dm = True
            body.append(marker(lowered.comments[name]))
            body.append(_set_config(config))
            handler = ast.ExceptHandler(
                ast.Name("Exception", ast.Load()), _EXC, [ast.Expr(sm_call("raise_error", const("error.execution"), ast.Name(_EXC, ast.Load())))]
            )
            body.append(ast.Try(stmts or [ast.Pass()], [handler], [], []))
        if blocks[-1][0] != after:  # (states entered after the last block)
            body.append(_set_config(after))
        if binds_dm:
            body.insert(0, ast.Assign([ast.Name(DM, ast.Store())], ast.Attribute(ast.Name(SM, ast.Load()), "dm", ast.Load())))
        row = chart.states[leaf]
        count[leaf] = k = count.get(leaf, 0) + 1
        name = unique_name(f"_{row.fname}_step_{k}", taken)
        fn = function_def(name, body)
        lowered.functions.append(fn)
        made[blocks, after] = name
        lowered.comments[name] = f"Compiled step: {len(blocks)} blocks, from '{row.id}' by the <transition> at {what}"
        lowered.steps.append((blocks, after, name))


def _block_names(lowered: Lowered) -> list[str]:
    """The chart's blocks: its onentry, onexit and transition content functions."""
    names = [name for fns in lowered.state_fns.values() for key in ("onentry", "onexit") for name in fns.get(key) or ()]
    return names + [fns["action"] for fns in lowered.transition_fns.values() if fns.get("action")]


def _set_config(config: int) -> ast.stmt:
    return ast.Assign([ast.Attribute(ast.Name(SM, ast.Load()), "config", ast.Store())], ast.Constant(config))


def static_microsteps(chart: Chart, lowered: Lowered, functions: dict[str, ast.FunctionDef]) -> list[tuple[int, int, list[tuple[int, str]], int]]:
    """The static microsteps of a chart: (atomic state, transition, [(configuration, block
    name), ...] in the order Appendix D runs them, configuration after), for those of two
    blocks or more whose blocks can be inlined; [] for a chart whose configurations are not
    chains of ancestors."""
    states = chart.states
    if chart.doc.binding == "late":
        return []  # (the first entry of a state initialises its data: not a plain block)
    for row in states:
        if row.kind in (PARALLEL, SHALLOW_HISTORY, DEEP_HISTORY) or getattr(row.node, "invokes", ()):
            return []
    transitions = chart.transitions
    inlinable: dict[str, bool] = {}  # (a block is in many steps: walk it once)
    out = []
    for leaf in states:
        if leaf.kind not in (ATOMIC, FINAL) or not leaf.index:
            continue
        chain = [leaf.index, *leaf.ancestors[:-1]]  # innermost first; the root (0) is never active
        before = 0
        for s in chain:
            before |= 1 << s
        for t in leaf.candidates:
            tr = transitions[t]
            if len(tr.targets) != 1 or tr.domain < 0:
                continue  # targetless (one block at most), or a domain the run decides
            blocks, after = _microstep(chart, lowered, chain, before, t)
            if blocks is None or len(blocks) < 2:
                continue
            for _, name in blocks:
                if name not in inlinable:
                    inlinable[name] = _inlinable(functions[name])
            if all(inlinable[name] for _, name in blocks):
                out.append((leaf.index, t, blocks, after))
    return out


def _microstep(chart: Chart, lowered: Lowered, chain: list[int], config: int, t: int) -> tuple[list | None, int]:
    """Appendix D microstep for the one transition `t` from the chain configuration `config`:
    the blocks with the configuration each sees, and the configuration after (None for a
    step the runtime never records: one that enters a final state or leaves a state that can
    own requests, runtime/plans.py: Planned._plannable)."""
    states = chart.states
    tr = chart.transitions[t]
    domain = tr.domain
    blocks: list[tuple[int, str]] = []
    # exitStates: the active descendants of the domain, innermost first (reverse document
    # order); each state's onexit blocks see it still active.
    below = states[domain].descendants
    for s in chain:
        if below >> s & 1:
            if s in lowered.request_owners:
                return None, 0  # (leaving it cancels its requests: never recorded)
            for fn in lowered.state_fns.get(s, {}).get("onexit") or ():
                blocks.append((config, fn))
            config &= ~(1 << s)
    # executeTransitionContent
    action = lowered.transition_fns.get(t, {}).get("action")
    if action is not None:
        blocks.append((config, action))
    # computeEntrySet (no parallel, no history: addDescendantStatesToEnter follows initial
    # transitions; addAncestorStatesToEnter adds the proper ancestors below the domain)
    enter: set[int] = set()
    default: set[int] = set()

    def add_ancestors(s: int, ancestor: int) -> None:
        for a in states[s].ancestors:
            if a == ancestor or a == 0:
                break
            enter.add(a)

    def add_descendants(s: int) -> None:
        enter.add(s)
        if states[s].kind == COMPOUND:
            default.add(s)
            targets = chart.transitions[states[s].initial].targets
            for x in targets:
                add_descendants(x)
            for x in targets:
                add_ancestors(x, s)

    target = tr.targets[0]
    add_descendants(target)
    add_ancestors(target, domain)
    # enterStates, in document order: each state is active for its own onentry blocks, then
    # for the content of its initial transition when entered by default
    for s in sorted(enter):
        if states[s].kind == FINAL:
            return None, 0
        config |= 1 << s
        for fn in lowered.state_fns.get(s, {}).get("onentry") or ():
            blocks.append((config, fn))
        if s in default:
            initial = lowered.transition_fns.get(states[s].initial, {}).get("action")
            if initial is not None:
                blocks.append((config, initial))
    return blocks, config


def _inlinable(fn: ast.FunctionDef) -> bool:
    """Whether the block's body means the same inlined into a compiled step."""
    return not any(
        isinstance(node, _NOT_INLINABLE) or (isinstance(node, ast.Name) and node.id == _EXC)
        for stmt in fn.body
        for node in ast.walk(stmt)
    )
