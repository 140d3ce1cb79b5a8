"""Speed: the plans and caches the runtime learns per chart, and the procedures that use them, switched off by the reference mode (reference.py).

The interpreter (interpreter.py) runs Appendix D as written. What it computes again and again
depends, for most steps, on nothing but the configuration and the event name: which transitions
an event enables when no condition is consulted, the entry set of a transition set without
history, and the whole microstep (the blocks to run, each with the configuration it sees, and
the configuration after) when no history, invoke, final state, late binding or request owner is
involved. `PlannedTables` remembers these per chart class; `Planned`, mixed in before the
interpreter (Machine = Planned + MachineBase), overrides the procedures concerned:

- `select_transitions`, `entry_set`: remembered results (select_cache, entry_cache, match_cache);
- `microstep`: recorded once (`execute_content` notes each block and its configuration) and
  replayed after (plan_cache); where the compiler foresaw exactly those blocks, one compiled
  step runs them (STEPS, scxmlc/steps.py);
- `macrostep`: a chain of internal events replayed in a loop of its own, and a step whose one
  block only raises an event (RAISES) taken by taking that event next;
- `take_event`: a step seen before from this configuration is one lookup (event_plans); where
  conditions decide and one atomic state has the candidates, they are tested in order, through
  the state's compiled selector (guarded_plans, take_guarded);
- `send`: the whole of the above inlined for an idle session, and the shortest path of all for
  a step that runs no code (lean_plans): only the configuration changes, and `_event` is built
  when code could next read it (`_bind_lazy_event`).

Every cache stops growing at CACHE_LIMIT entries, past which the algorithm runs uncached.
`Machine(plans=False)`, `Host(plans=False)` or SCXMLC_REFERENCE=1 leave all of it out
(reference.py), and tests/test_reference_mode.py requires the same traces either way.
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from .events import EXTERNAL_TEMPLATE, internal_event, plain_string, send_fields
from .interpreter import ChartTables, iter_bits
from .js.budget import ACTIVE
from .js.interop import to_js

# Each per-chart cache stops growing at this many entries (event names and configurations are
# unbounded in principle); past it the algorithm simply runs uncached.
CACHE_LIMIT = 100_000
# The event plans of a configuration first seen past the limit (PlannedTables.config_id):
# none, and nothing is ever recorded here.
_NO_PLANS: dict = {}


class PlannedTables(ChartTables):
    """A chart's tables with the plans and caches learnt while its sessions run (shared by
    every session of the chart class)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # candidates filtered by event name, filled lazily: (state, name) -> transition tuple
        self.match_cache: dict[tuple[int, str], tuple[int, ...]] = {}
        # transitions -> (enter mask, default-entry mask, default history content), when static
        self.entry_cache: dict[tuple[int, ...], tuple[int, int, dict[int, int]]] = {}
        # (configuration, event name) -> enabled transitions, when no condition was evaluated
        self.select_cache: dict[tuple[int, str], list[int]] = {}
        # (configuration, transitions) -> (blocks with the configuration each sees, new
        # configuration, entered mask), for microsteps that depend on nothing else
        self.plan_cache: dict[tuple, tuple] = {}
        # configuration id -> {event name: the plan of the whole selection + microstep (blocks,
        # configuration after, entered mask), the id of the configuration it leads to, that
        # configuration's dict here, and the name of the event its one block raises when that
        # is all the block does (else None)}
        self.event_plans: dict[int, dict[str, tuple]] = {}
        self.event_plan_count = 0
        # configuration id -> {event name: (next configuration, the next one's dict)} for the
        # event plans that run no code and leave no eventless transition enabled; and
        # {event name: handler} for the compiled steps of targetless transitions that
        # Machine.send may take in that configuration (handlers_of), from its first id on
        self.lean_plans: dict[int, dict[str, tuple]] = {}
        # configuration id -> {event name: (selector, ([condition, transition, plan], ...))}, the
        # candidates in document order, when conditions decide and a single atomic state has
        # candidates for the event (selector: that state's StateDef.selectors entry, or None);
        # False when they do not
        self.guarded_plans: dict[int, dict[str, tuple | bool]] = {}
        self.guarded_count = 0
        self.config_ids: dict[int, int] = {}
        # the chart's compiled steps (Planned.STEPS) by the microstep each stands for (its
        # blocks and the configuration after), once a microstep is recorded
        self.compiled_steps: dict[tuple, Any] | None = None
        # block -> the event it raises, for the blocks that do nothing else (Planned.RAISES),
        # once an event plan is recorded
        self.raises: dict | None = None

    def config_id(self, config: int) -> int:
        """A small integer naming a configuration (stable for the life of the chart class);
        -1 for one first seen when CACHE_LIMIT configurations have ids: no plans are kept for
        it (a chart of parallel regions has more configurations than memory)."""
        found = self.config_ids.get(config)
        if found is None:
            if len(self.config_ids) >= CACHE_LIMIT:
                return -1
            found = self.config_ids[config] = len(self.config_ids)
            handlers = self.handlers_of(config)
            if handlers:
                self.lean_plans[found] = dict(handlers)
        return found

    def handlers_of(self, config: int) -> tuple:
        """The handlers (StateDef.handlers: scxmlc/lowering.py, lower_handlers) send may call
        in this configuration: those of its atomic state when it has only one (its candidates
        are then the only ones: SCXML Appendix D, selectTransitions), no eventless transition
        can follow (the macrostep after the step has nothing to do) and the chart has no
        invokes (an event is then forwarded and converted first)."""
        atomic = config & self.atomic_mask
        if not atomic or atomic & (atomic - 1) or config & self.eventless_mask or self.invoke_mask:
            return ()
        return self.states[atomic.bit_length() - 1].handlers

    def cached_candidates(self, state: int, name: str) -> tuple[int, ...]:
        """ChartTables.candidates_for, remembered."""
        key = (state, name)
        found = self.match_cache.get(key)
        if found is None:
            found = self.candidates_for(state, name)
            if len(self.match_cache) < CACHE_LIMIT:  # bounded: event names can be unbounded
                self.match_cache[key] = found
        return found


class Planned:
    """The interpreter's procedures with plans and caches (see the module docstring)."""

    plans = True
    tables: PlannedTables
    _plan: list | None = None  # the microstep being recorded: [(configuration, block), ...]
    # Whether macrostep may take internal events without calling take_event and replay:
    # not in a class that hooks either (trace.py's traced sessions, the tests' checked ones).
    _inline_steps = True
    # Compiled steps (scxmlc/steps.py): (((configuration, block), ...), configuration after,
    # function) for each microstep the compiler could foresee; the function runs those blocks
    # inline, each seeing its configuration, and then sets the configuration after.
    STEPS: tuple = ()
    # The blocks that do nothing but raise an event of a constant name, with that name:
    # ((block, name), ...) (scxmlc/steps.py).
    RAISES: tuple = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._inline_steps = cls.take_event is Planned.take_event and cls.replay is Planned.replay

    def _init_interpreter(self) -> None:
        super()._init_interpreter()
        # The id (PlannedTables.config_id) of the configuration object `_config_of_id`:
        # comparing configurations by identity is cheaper than hashing one.
        self._config_id = -1
        self._config_of_id = None
        self._config_plans: dict = {}  # PlannedTables.event_plans of `_config_of_id`
        # send's path for steps that run no code (see PlannedTables.lean_plans): the plans
        # from the current configuration while the session is idle (_refresh_lean), and the
        # name of an event taken that way whose `_event` object is not built yet.
        self._lean: dict | None = None
        self._lazy_event = None

    def sync_config_id(self) -> None:
        """Name the current configuration by its small id (and find its event plans)."""
        config = self.config
        tables = self.tables
        self._config_id = cid = tables.config_id(config)
        self._config_plans = tables.event_plans.setdefault(cid, {}) if cid >= 0 else _NO_PLANS
        self._config_of_id = config

    def settle_event(self) -> None:
        """MachineBase.settle_event, binding first the event a code-free step took."""
        if self._lazy_event is not None:
            self._bind_lazy_event()
        super().settle_event()

    def _bind_lazy_event(self) -> None:
        """Bind `_event` to the last event that a code-free step or a handler took without
        building it."""
        name = self._lazy_event
        if name is not None:
            self._lazy_event = None
            data = None
            if name.__class__ is tuple:  # (a handler's: the name and the host's data)
                name, data = name
            event = EXTERNAL_TEMPLATE.copy()
            event["name"] = name if name.__class__ is str else plain_string(name, "the event name")
            if data is not None:
                # (the handler read it as it is; now code other than a plan may)
                self.convert_event_data(event, data, report=False)
            self.dm["_event"] = event

    # -- the external event: Machine.send ---------------------------------------------------

    def send(self, name: str, data: Any = None, **fields: Any) -> None:
        """Machine.send (machine.py: MachineBase.send says what it does) with the plans: a
        code-free step known from this configuration changes only the configuration; a known
        step is replayed; where conditions decide, the state's selector picks the candidate."""
        lean = self._lean  # (None unless idle, queue empty, in the configuration it was made for)
        if lean is not None and (plan := lean.get(name)) is not None and not fields:
            if data is None:
                # A step seen before from this configuration that runs no code and leaves
                # nothing to do (no eventless transitions, no internal events, no invokes):
                # only the configuration changes. No code can observe `_event` until code
                # runs again, so the event object is built then (_bind_lazy_event), not now.
                try:
                    self.config, self._lean = plan
                except TypeError:
                    pass  # not a pair: a handler (below). (No test on the shortest path.)
                else:
                    self._lazy_event = name
                    return
            if plan.__class__ is not tuple and plan(self, data) >= 0:
                # The compiled step of a targetless transition (PlannedTables.handlers_of):
                # it read the data as the host passed it and changed only data items; the
                # configuration stays, and so does this path. `_event` as above.
                self._lazy_event = (name, data)
                return
        if name.__class__ is not str:
            name = plain_string(name, "the event name")
        event = EXTERNAL_TEMPLATE.copy()  # copying beats building (the hottest path)
        event["name"] = name
        if fields:
            event.update(send_fields(fields))
        tables = self.tables
        if self._busy or self.external_queue or not self.running:
            if data is not None:
                event["data"] = to_js(data)  # (it waits: converted now, as MachineBase.send)
            self.enqueue_external(event)
            return
        # Idle machine, empty queue: process the event directly (the common case).
        if self._config_of_id is not self.config:
            self.sync_config_id()
        plan = self._config_plans.get(name)
        self._busy = True
        active, ACTIVE[0] = ACTIVE[0], self  # (the running session: machine.py, start)
        self._lean = None  # (until _refresh_lean: code may send, queue or change anything)
        try:
            if plan is None:
                guards = tables.guarded_plans.get(self._config_id)
                if guards is not None and (guards := guards.get(name)):
                    # take_event's guarded branch and the end of process_external_event
                    # (charts with guarded plans have no invokes), with the common case of
                    # take_guarded inlined: the selector names a candidate whose recorded
                    # microstep is one block (a targetless transition's), called here.
                    self._lazy_event = None
                    select, candidates = guards
                    if data is not None:
                        # The selector is a plan: it reads the data as the host passed it
                        # (HOST in scxmlc/ecmascript/types.py), and converting a payload costs
                        # more than the rest of a step, so it is converted after, when the
                        # conditions' own code or a block may read it (MachineBase.send).
                        event["data"] = data
                    self.dm["_event"] = event
                    k = select(self) if select is not None else -1
                    if data is not None:
                        self.convert_event_data(event, data)
                    if k < 0:  # the conditions themselves, from candidate -1 - k on
                        k = self.first_enabled(candidates, -1 - k)
                    if k < len(candidates) and (block := candidates[k][3]) is not None:
                        # a targetless transition's block: the whole microstep
                        try:
                            block(self)
                        except Exception as exc:  # noqa: BLE001 - SCXML 4.9, as in execute_content
                            self.raise_error("error.execution", exc)
                    else:
                        self.take_guarded(guards, k)
                    if self.internal_queue or self.config & tables.eventless_mask:
                        self.macrostep()
                    if not self.running:
                        self.exit_interpreter()
                else:
                    if data is not None:
                        self.convert_event_data(event, data)
                    self.process_external_event(event)
            else:
                # The plan branch of Interpreter.take_event and the end of
                # process_external_event, inlined: this is the hottest path of the runtime.
                if data is not None:
                    self.convert_event_data(event, data)
                self.dm["_event"] = event
                self._lazy_event = None
                steps, config, _, self._config_id, self._config_plans, _ = plan
                if steps:
                    self.replay(plan)
                else:
                    self.config = config  # no invokes in charts with event plans: nothing else
                self._config_of_id = config
                if self.internal_queue or config & tables.eventless_mask:
                    self.macrostep()
                    if not self.running:
                        self.exit_interpreter()
            if self.external_queue:
                self._drain()
            if tables.lean_plans and self.running and not self.external_queue:
                self._refresh_lean()
        finally:
            self._busy = False
            ACTIVE[0] = active

    def _refresh_lean(self) -> None:
        """Point `_lean` at the code-free steps known from the current configuration, as send
        finishes with the session idle and its queue empty. `_lean` stays valid only while
        that holds: whatever else runs the session or queues an event for it sets it to None
        first (send's other paths, run_guarded, _external, exit_interpreter, close), so the
        shortest path of send checks nothing else."""
        if self._config_of_id is not self.config:
            self.sync_config_id()
        self._lean = self.tables.lean_plans.get(self._config_id)

    def run_guarded(self, fn, *args) -> None:
        self._lean = None  # (a timer's work or a delivery runs the session: see _refresh_lean)
        super().run_guarded(fn, *args)

    def _external(self):
        self._lean = None  # (an event waits: the next send must queue behind it)
        return super()._external()

    # -- the macrostep ------------------------------------------------------------------------

    def macrostep(self) -> None:
        """Interpreter.macrostep with the plan branch of take_event inlined for the internal
        events of a macrostep, while nothing else is to do (no eventless transition enabled
        by the configuration): a chain of raised events is a run of replays. A step whose one
        block does nothing but raise an event (RAISES), taken while the queue is empty, is not
        run: the event it would raise is taken next, and neither event object is built unless
        something could read it (SCXML 4.2, Appendix D: the raised event is the only one
        queued, so it is the next one taken; no code runs in between). The limits are
        counted as there (every 256 microsteps, Interpreter.macrostep counting on); anything
        else goes to Interpreter.macrostep, which also finishes (eventless transitions,
        invokes)."""
        if self._lazy_event is not None:
            self._bind_lazy_event()  # eventless conditions may read the last event
        tables = self.tables
        eventless = tables.eventless_mask
        queue = self.internal_queue
        if queue and not self.config & eventless and self.running and self._inline_steps:
            dm = self.dm
            errors0 = self.macro_errors
            steps = 0
            if self._config_of_id is not self.config:
                self.sync_config_id()
            plans = self._config_plans
            # The last plan replayed: the configuration it ended in, and its id and plans,
            # are written back to the session only when something other than a replay is to
            # read them (take_event, the limits, the end of the loop). Blocks set the
            # configuration each sees themselves.
            last = None
            # A step whose one block would only raise an event, with the queue empty, is taken
            # without running it: its event is taken next (`pending`), and the event of that
            # step, which no code reads, is bound only if something could (`unbound`).
            pending = unbound = None
            while True:
                steps += 1
                if not steps & 255:
                    if last is not None:
                        self._end_in(last)
                        last = None
                    if unbound is not None:
                        self._bind_internal(unbound, pending)
                        unbound = pending = None
                    if self.limit_check(queue, steps, errors0):
                        return  # (the session has ended)
                if pending is None:
                    event = queue.popleft()
                    name = event["name"]
                else:
                    name = pending
                    pending = event = None
                plan = plans.get(name)
                if plan is None:
                    if last is not None:
                        self._end_in(last)
                        last = None
                    unbound = None
                    self.take_event(event if event is not None else internal_event(name))
                    if self._config_of_id is not self.config:
                        self.sync_config_id()
                    plans = self._config_plans
                    config = self.config
                else:
                    if plan[5] is not None and not queue:
                        pending = plan[5]
                        unbound = name
                    else:
                        unbound = None
                        dm["_event"] = event if event is not None else internal_event(name)
                        for cfg, block in plan[0]:
                            self.config = cfg
                            try:
                                block(self)
                            except Exception as exc:  # noqa: BLE001 - SCXML 4.9, as in execute_content
                                self.raise_error("error.execution", exc)
                    config = plan[1]
                    plans = plan[4]
                    last = plan
                if config & eventless or not self.running or (not queue and pending is None):
                    break
            if last is not None:
                self._end_in(last)
            if unbound is not None:
                self._bind_internal(unbound, pending)
            super().macrostep(steps, errors0)  # (counting on)
        else:
            super().macrostep()

    def _bind_internal(self, name: str, pending: str | None) -> None:
        """Bind `_event` to the internal event `name` that macrostep took without building it,
        and queue `pending`, the event its step's block would have raised and that macrostep
        has not taken yet."""
        self.dm["_event"] = internal_event(name)
        if pending is not None:
            self.raise_event(pending)

    def _end_in(self, plan: tuple) -> None:
        """Make the configuration an event plan ends in the session's, with its id and plans."""
        self.config = self._config_of_id = plan[1]
        self._config_id = plan[3]
        self._config_plans = plan[4]

    # -- selection and microsteps ------------------------------------------------------------

    def take_event(self, event: dict) -> None:
        """Bind `_event`, select the transitions it enables and take them (one microstep)."""
        self.dm["_event"] = event
        self._lazy_event = None
        tables = self.tables
        config = self.config
        if self._config_of_id is not config:  # same object: same configuration
            self.sync_config_id()
        plan = self._config_plans.get(event["name"])
        if plan is not None:
            # Seen before from this configuration, and nothing but the configuration decided
            # what happened: replay it. (macrostep inlines the replay for chains of internal
            # events, its hottest loop; this path takes queued events and traced sessions.)
            self.replay(plan)
            self._end_in(plan)
            return
        guards = tables.guarded_plans.get(self._config_id)
        if guards is not None and (guards := guards.get(event["name"])):
            self.take_guarded(guards)
            return
        key = (self._config_id, event["name"])
        enabled = self.select_transitions(event)
        if enabled:
            self.microstep(enabled)
        cached = tables.select_cache.get((config, event["name"])) is enabled
        if key[0] < 0:
            return  # a configuration past the limit: nothing is remembered from it
        if not cached and guards is None and not tables.invoke_mask and tables.guarded_count < CACHE_LIMIT:
            self._record_guards(key[0], config, event["name"])
        if (
            cached
            and not tables.invoke_mask  # invokes need the per-event hooks of the full path
            and tables.event_plan_count < CACHE_LIMIT
        ):
            # Selection and microstep depended only on the configuration: next time, one lookup.
            if enabled:
                plan = tables.plan_cache.get((config, enabled[0] if len(enabled) == 1 else tuple(enabled)))
            else:
                plan = ((), config, 0)
            if plan and (after_id := tables.config_id(plan[1])) >= 0:
                # Keyed by small configuration ids (hashing a configuration of hundreds of
                # states costs more than the rest of the step) and chained: a plan holds the
                # next configuration's dict, so a run of replayed steps looks up only names.
                steps, after, entered = plan
                plans = tables.event_plans
                after_plans = plans.setdefault(after_id, {})
                # (and the event its one block raises, when that is all the block does: see
                # Planned.macrostep)
                forward = self.raised_by(steps[0][1]) if len(steps) == 1 and self.RAISES else None
                plans.setdefault(key[0], {})[event["name"]] = (steps, after, entered, after_id, after_plans, forward)
                tables.event_plan_count += 1
                if not steps and not after & tables.eventless_mask:
                    # Code-free and nothing left to do after it: Machine.send's shortest path.
                    # Plans chain by their dicts, so that path looks up nothing but the name.
                    lean = tables.lean_plans
                    lean.setdefault(key[0], {})[event["name"]] = (after, lean.setdefault(after_id, {}))

    def take_guarded(self, guards: tuple, selected: int | None = None) -> None:
        """selectTransitions and microstep where one atomic state's candidates decide, by
        their conditions: "the first whose condition holds" (Appendix D), with no conflicts
        to resolve; then the microstep, replayed when recorded. The state's selector, if it
        has one, evaluates the conditions' fast paths in one call (`selected`: what it
        returned, when the caller called it)."""
        select, candidates = guards
        k = -1
        if selected is not None:
            k = selected
        elif select is not None:
            k = select(self)
        if k < 0:
            k = self.first_enabled(candidates, -1 - k)
        if k < len(candidates):
            self.take_guard(candidates[k])

    def first_enabled(self, candidates: tuple, start: int) -> int:
        """The index of the first of `candidates` from `start` on whose condition holds (or
        that has none), their number when none does (take_guarded). A condition that cannot
        be evaluated is false, and error.execution is raised (SCXML 5.9.1, as in
        select_transitions)."""
        for i in range(start, len(candidates)):
            cond = candidates[i][0]
            if cond is not None:
                try:
                    if not cond(self):
                        continue
                except Exception as exc:  # noqa: BLE001 - SCXML 5.9.1
                    self.raise_error("error.execution", exc)
                    continue
            return i
        return len(candidates)

    def take_guard(self, guard: list) -> None:
        """The microstep of an enabled candidate (take_guarded), replayed when recorded."""
        plan = guard[2]  # the recorded microstep of this transition from here
        if plan:
            self.replay(plan)
        elif plan is None:
            config = self.config
            self.microstep([guard[1]])
            guard[2] = plan = self.tables.plan_cache.get((config, guard[1]))
            if plan and len(plan[0]) == 1 and plan[0][0][0] == plan[1] == config and not plan[2]:
                # A targetless transition's: its one block, in this configuration, is all
                # there is to replay (Machine.send calls it directly).
                guard[3] = plan[0][0][1]
        else:
            self.microstep([guard[1]])  # False: one that must always run in full

    def _record_guards(self, config_id: int, config: int, name: str) -> None:
        """Remember the candidates of (configuration, event name) for take_event when
        conditions decided the selection and only one atomic state has candidates."""
        tables = self.tables
        deciding = [(s, c) for s in iter_bits(config & tables.atomic_mask) if (c := tables.cached_candidates(s, name))]
        guards = tables.guarded_plans.setdefault(config_id, {})
        tables.guarded_count += 1
        if len(deciding) == 1:
            state, cands = deciding[0]
            ts = tables.transitions
            select = dict(tables.states[state].selectors).get(name)
            # [condition, transition, its microstep plan from here once recorded, and the
            # plan's one block when that is all it does]
            guards[name] = (select, tuple([ts[t].cond, t, None, None] for t in cands))
        else:
            guards[name] = False  # asked once: the full selection it stays

    def select_transitions(self, event: dict) -> list[int]:
        """Appendix D selectTransitions, remembered per (configuration, event name) when no
        condition was consulted."""
        tables = self.tables
        name = event["name"]
        key = (self.config, name)
        cached = tables.select_cache.get(key)
        if cached is not None:
            return cached
        ts = tables.transitions
        match_cache = tables.match_cache
        enabled: list[int] = []
        consulted_datamodel = False
        for state in iter_bits(self.config & tables.atomic_mask):
            candidates = match_cache.get((state, name))
            if candidates is None:
                candidates = tables.cached_candidates(state, name)
            for t in candidates:
                cond = ts[t].cond
                if cond is not None:
                    consulted_datamodel = True
                    try:
                        if not cond(self):
                            continue
                    except Exception as exc:  # noqa: BLE001
                        # SCXML 5.9.1: a condition that cannot be evaluated is false, and
                        # error.execution is raised.
                        self.raise_error("error.execution", exc)
                        continue
                if t not in enabled:
                    enabled.append(t)
                break
        if len(enabled) > 1:
            enabled = self.remove_conflicting_transitions(enabled)
        if not consulted_datamodel and len(tables.select_cache) < CACHE_LIMIT:
            # Nothing but the configuration and the event name decided: remember it.
            tables.select_cache[key] = enabled
        return enabled

    def microstep(self, enabled: list[int]) -> None:
        """Appendix D microstep, replayed when recorded; recorded (execute_content) when it
        depends only on the configuration."""
        tables = self.tables
        key = (self.config, enabled[0] if len(enabled) == 1 else tuple(enabled))
        plan = tables.plan_cache.get(key)
        if plan:
            self.replay(plan)
            return
        record = plan is None and len(tables.plan_cache) < CACHE_LIMIT and self._plannable(enabled)
        self._plan = [] if record else None
        self.exit_states(enabled)
        self.execute_transition_content(enabled)
        self.enter_states(enabled)
        if plan is None and len(tables.plan_cache) < CACHE_LIMIT:
            if record:
                steps = tuple(self._plan)
                if len(steps) > 1 and self.STEPS:
                    steps = self.compiled_step(steps, self.config)
                tables.plan_cache[key] = (steps, self.config, self.config & ~key[0])
            else:
                tables.plan_cache[key] = False  # a microstep that must always run in full
        self._plan = None

    def raised_by(self, block) -> str | None:
        """The name of the event `block` raises, when that is all it does (RAISES)."""
        tables = self.tables
        raises = tables.raises
        if raises is None:
            raises = tables.raises = dict(self.RAISES)
        return raises.get(block)

    def compiled_step(self, steps: tuple, after: int) -> tuple:
        """The recorded blocks `steps` of a microstep that ends in `after`, as one compiled step
        when the compiler foresaw exactly that (STEPS): a call in place of one per block.
        Otherwise `steps` as they are."""
        tables = self.tables
        compiled = tables.compiled_steps
        if compiled is None:
            compiled = tables.compiled_steps = {(blocks, config): fn for blocks, config, fn in self.STEPS}
        fn = compiled.get((steps, after))
        return steps if fn is None else ((steps[0][0], fn),)

    def replay(self, plan) -> None:
        """Run a recorded microstep: its blocks in order, each seeing the configuration it
        would see in exitStates/enterStates, then the resulting configuration."""
        config = plan[1]
        for cfg, block in plan[0]:
            self.config = cfg
            # execute_content, inlined (the hottest loop of the runtime)
            try:
                block(self)
            except Exception as exc:  # noqa: BLE001 - SCXML 4.9, as in execute_content
                self.raise_error("error.execution", exc)
        self.states_to_invoke = (self.states_to_invoke & config) | plan[2]
        self.config = config

    def _plannable(self, enabled) -> bool:
        """Whether this microstep depends only on the configuration (Appendix D with no history,
        no invokes, no final states, no late binding): then it can be recorded and replayed."""
        tables = self.tables
        if self.late_binding:
            return False
        to_exit = self.compute_exit_set(enabled)
        if to_exit & (tables.has_history_children | tables.invoke_mask | tables.request_owners):
            return False
        key = tuple(enabled)
        entry = tables.entry_cache.get(key)
        if entry is None:
            to_enter, _, _, static = self.compute_entry_set(enabled)
            if not static:
                return False
        else:
            to_enter = entry[0]
        return not to_enter & (tables.final_mask | tables.invoke_mask)

    def execute_content(self, block) -> None:
        """MachineBase.execute_content, noting the block and the configuration it sees while a
        microstep is recorded (exitStates, executeTransitionContent and enterStates run every
        block through here)."""
        plan = self._plan
        if plan is not None:
            plan.append((self.config, block))
        try:
            block(self)
        except Exception as exc:  # noqa: BLE001 - SCXML 4.9: error.execution, and go on
            self.raise_error("error.execution", exc)

    def entry_set(self, enabled) -> tuple:
        """computeEntrySet, remembered per transition set when no history decided it."""
        tables = self.tables
        key = tuple(enabled)
        cached = tables.entry_cache.get(key)  # noqa: SIM401
        if cached is None:
            to_enter, default_entry, history_content, static = self.compute_entry_set(enabled)
            if static and len(tables.entry_cache) < CACHE_LIMIT:  # (sets of transitions are unbounded too)
                tables.entry_cache[key] = (to_enter, default_entry, history_content)
            return to_enter, default_entry, history_content
        return cached

    def exit_interpreter(self) -> None:
        self._lean = None  # (the shortest path of send does not look at `running`)
        if self._lazy_event is not None:
            self._bind_lazy_event()  # onexit handlers may read the last event
        super().exit_interpreter()

    def close(self) -> None:
        self._lean = None
        super().close()


__all__ = ["CACHE_LIMIT", "Planned", "PlannedTables"]
