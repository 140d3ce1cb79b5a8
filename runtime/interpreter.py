"""Interpreter: the W3C SCXML 1.0 Appendix D algorithm, run over the tables a generated module emits.

Procedures keep the names of Appendix D (in snake_case). Sets of states are bit masks: state i
is bit (1 << i) and states are numbered in document order, so "sort by entry order" is
ascending bit order and "exit order" descending. What depends only on the document (transition
domains, exit masks) is computed once per chart class (ChartTables). This module runs the
algorithm as written: the plans and caches that make it fast live in plans.py, which
overrides some of these procedures (Machine mixes it in; the reference mode does not).
"""

from __future__ import annotations

from _collections import deque  # (collections itself is not needed: start-up)

from .events import INTERNAL, PLATFORM, make_event
from .js.values import UNDEFINED
from .tables import ATOMIC, COMPOUND, DEEP_HISTORY, FINAL, PARALLEL, ROOT, SHALLOW_HISTORY, StateDef, TransitionDef


def iter_bits(mask: int):
    """Indices of the set bits, ascending (document / entry order)."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def iter_bits_reversed(mask: int):
    """Indices of the set bits, descending (exit order)."""
    while mask:
        i = mask.bit_length() - 1
        yield i
        mask ^= 1 << i


def event_matches(descriptors: tuple[str, ...], name: str) -> bool:
    # SCXML 3.12.1: a descriptor matches a name when it equals the name or is a prefix of it
    # ending at a dot boundary; "*" (and the empty prefix left by ".*") match every name.
    for d in descriptors:
        if d == "*" or d == "" or d == name or (name.startswith(d) and name[len(d)] == "."):
            return True
    return False


class ChartTables:
    """Hot-path arrays derived from a chart's StateDef/TransitionDef rows (one per chart class)."""

    def __init__(
        self, states: tuple[StateDef, ...], transitions: tuple[TransitionDef, ...], request_owners: tuple[int, ...] = ()
    ):
        self.states = states
        self.transitions = transitions
        n = len(states)
        # (Column by column, and the loops only where a chart has what they look for: this runs
        # when a generated module is imported, a third of a large chart's first load.)
        ids, kind, parent, children = zip(*((s.id, s.kind, s.parent, s.children) for s in states))
        self.kind = kind
        self.parent = parent
        self.desc = tuple(s.descendants for s in states)
        self.ids = ids
        self.index = dict(zip(ids[1:], range(1, n)))
        self.atomic_mask = 0
        self.final_mask = 0
        self.history_mask = 0
        self.eventless_mask = 0  # atomic states with an eventless candidate transition
        self.has_history_children = 0  # states whose exit records history
        self.children_mask = [0] * n
        for i, k in enumerate(kind):
            if k == ATOMIC or k == FINAL:
                self.atomic_mask |= 1 << i
                if k == FINAL:
                    self.final_mask |= 1 << i
            elif k == SHALLOW_HISTORY or k == DEEP_HISTORY:
                self.history_mask |= 1 << i
        # Appendix D getChildStates: the <state>, <parallel> and <final> children (a <history>
        # is a pseudo-state, never one of them), in document order.
        history = self.history_mask
        self.child_states = (
            tuple(tuple(c for c in cs if not history >> c & 1) for cs in children) if history else children
        )
        for i, cs in enumerate(children):
            if cs:
                mask = 0
                for c in cs:
                    mask |= 1 << c
                self.children_mask[i] = mask
        if history:
            for i, s in enumerate(states):
                if s.history:
                    self.has_history_children |= 1 << i
        # Exit set of a transition with a static domain: config & exit_mask[t] (Appendix D
        # computeExitSet); 0 for targetless transitions and dynamic domains.
        desc = self.desc
        self.exit_mask = tuple([desc[t.domain] if t.targets and t.domain >= 0 else 0 for t in transitions])
        # Eventless candidates: initial and default history transitions have no event but are
        # never candidates (every chart has the <scxml> element's), so they need no scan.
        unnamed = {i for i, t in enumerate(transitions) if not t.events}
        if unnamed:
            unnamed.difference_update([s.initial for s in states])
        if unnamed:
            self.eventless = tuple(tuple(t for t in s.candidates if t in unnamed) for s in states)
            for i, e in enumerate(self.eventless):
                if e:
                    self.eventless_mask |= 1 << i
        else:
            self.eventless = ((),) * n
        self.invoke_mask = 0
        for i, st in enumerate(states):
            if st.invokes:
                self.invoke_mask |= 1 << i
        # States that can own pending requests of extension actions (requests.py): exiting
        # one must cancel them, so such microsteps are never recorded as plans.
        self.request_owners = 0
        for i in request_owners:
            self.request_owners |= 1 << i

    def candidates_for(self, state: int, name: str) -> tuple[int, ...]:
        """The candidate transitions of `state` (its own and its ancestors', in document order)
        whose events match `name`."""
        ts = self.transitions
        return tuple(t for t in self.states[state].candidates if ts[t].events and event_matches(ts[t].events, name))


class Interpreter:
    """The algorithm. Subclasses (the runtime Machine) provide datamodel and executable content."""

    tables: ChartTables
    macro_serial = 0  # macrosteps begun (the script budget's refills: js/budget.py)
    plans = False  # the recorded plans and caches in use (plans.Planned: True)

    def _internal(self) -> deque[dict]:
        """The internal queue, made on first use (see _init_interpreter)."""
        queue = self.internal_queue
        if queue.__class__ is not deque:
            queue = self.internal_queue = deque()
        return queue
    invoke_depth = 0  # how many invoking sessions are above this one (limits.py)

    def _init_interpreter(self) -> None:
        self.config = 0  # the active configuration, as a mask (the root is implicit)
        # The internal event queue: the empty tuple until the first event, then a deque
        # (_internal), which stays, so holding it in a local is safe. An empty deque takes 760
        # bytes, a fifth of an idle session. (An instance attribute from the start, not a
        # class default: one added later would cost every attribute read its fast path.)
        self.internal_queue: deque[dict] | tuple = ()
        self.history_value: dict[int, int] = {}
        self.states_to_invoke = 0
        self.running = False
        self.exited = False
        self.late_bound = 0  # states whose late-bound data has been initialised

    def settle_event(self) -> None:
        """Make `_event` in the datamodel what code would read now: for readers outside the
        algorithm (Machine.datamodel, snapshots). Nothing to do here; plans.py binds the
        event a plan took without building it."""

    # -- main loop (Appendix D: mainEventLoop, split at its blocking point) ----------------------

    def macrostep(self, steps: int = 0, errors0: int | None = None) -> None:
        """Take eventless transitions and internal events until the configuration is stable
        (`steps` microsteps of it already taken, with `errors0` errors before them: plans.py)."""
        tables = self.tables
        # limits.py: looked at every 256 microsteps (a macrostep pays one decrement per
        # microstep; most never reach a check)
        if errors0 is None:
            errors0 = self.macro_errors
        countdown = 256 - (steps & 255)
        steps -= steps & 255
        while True:
            while self.running:
                countdown -= 1
                if not countdown:
                    countdown = 256
                    steps += 256
                    if self.limit_check(self.internal_queue, steps, errors0):
                        return  # (the session has ended)
                if self.config & tables.eventless_mask:
                    enabled = self.select_eventless_transitions()
                    if enabled:
                        self.microstep(enabled)
                        continue
                queue = self.internal_queue  # (made by the first event raised, maybe just now)
                if not queue:
                    break
                self.take_event(queue.popleft())
            if self.running and self.states_to_invoke & tables.invoke_mask:
                # Appendix D: invoke after the macrostep, for states entered and not exited.
                states = self.states_to_invoke & tables.invoke_mask
                self.states_to_invoke = 0
                for s in iter_bits(states):
                    for inv in self.tables.states[s].invokes:
                        self.start_invoke(s, inv)
                if self.internal_queue:
                    # Appendix D mainEventLoop: invoking may have raised internal (error) events;
                    # the same macrostep goes on with them, its limits counting on (a chart that
                    # re-enters a state whose invoke fails recursed here without end)
                    continue
            break

    def process_external_event(self, event: dict) -> None:
        """One external event: take it, then complete the macrostep."""
        if not self.running:
            return
        self.macro_serial += 1  # a new macrostep: a fresh script budget (js/budget.py)
        tables = self.tables
        if tables.invoke_mask:
            self.before_external_event(event)
        self.take_event(event)
        # Most events end here: nothing queued, nothing eventless, nothing to invoke.
        if self.internal_queue or self.config & tables.eventless_mask or self.states_to_invoke & tables.invoke_mask:
            self.macrostep()
        if not self.running:
            self.exit_interpreter()

    def take_event(self, event: dict) -> None:
        """Bind `_event`, select the transitions it enables and take them (one microstep)."""
        self.dm["_event"] = event
        enabled = self.select_transitions(event)
        if enabled:
            self.microstep(enabled)

    def before_external_event(self, event: dict) -> None:
        """Hook for <invoke> finalize/autoforward (Appendix D, mainEventLoop)."""

    def start_invoke(self, state: int, invoke) -> None:  # pragma: no cover - overridden
        pass

    def cancel_invoke(self, state: int, invoke) -> None:  # pragma: no cover - overridden
        pass

    # -- selection ------------------------------------------------------------------------

    def select_eventless_transitions(self) -> list[int]:
        tables = self.tables
        ts = tables.transitions
        enabled: list[int] = []
        for state in iter_bits(self.config & tables.eventless_mask):
            for t in tables.eventless[state]:
                cond = ts[t].cond
                if cond is None or self.condition_match(t):
                    if t not in enabled:
                        enabled.append(t)
                    break
        return self.remove_conflicting_transitions(enabled) if len(enabled) > 1 else enabled

    def select_transitions(self, event: dict) -> list[int]:
        """Appendix D selectTransitions: for each atomic state in document order, the first
        transition (of it or an ancestor) whose event matches and whose condition holds."""
        tables = self.tables
        name = event["name"]
        ts = tables.transitions
        enabled: list[int] = []
        for state in iter_bits(self.config & tables.atomic_mask):
            for t in tables.candidates_for(state, name):
                if ts[t].cond is not None and not self.condition_match(t):
                    continue
                if t not in enabled:
                    enabled.append(t)
                break
        return self.remove_conflicting_transitions(enabled) if len(enabled) > 1 else enabled

    def remove_conflicting_transitions(self, enabled: list[int]) -> list[int]:
        filtered: list[int] = []
        for t1 in enabled:
            preempted = False
            to_remove = []
            exit1 = self.compute_exit_set((t1,))
            for t2 in filtered:
                if exit1 & self.compute_exit_set((t2,)):
                    if self.is_descendant(self.tables.transitions[t1].source, self.tables.transitions[t2].source):
                        to_remove.append(t2)
                    else:
                        preempted = True
                        break
            if not preempted:
                for t3 in to_remove:
                    filtered.remove(t3)
                filtered.append(t1)
        return filtered

    def is_descendant(self, s: int, ancestor: int) -> bool:
        return bool(self.tables.desc[ancestor] >> s & 1)

    # -- microstep ------------------------------------------------------------------------

    def microstep(self, enabled: list[int]) -> None:
        """Appendix D microstep: exitStates, executeTransitionContent, enterStates."""
        self.exit_states(enabled)
        self.execute_transition_content(enabled)
        self.enter_states(enabled)

    def exit_states(self, enabled) -> None:
        to_exit = self.compute_exit_set(enabled)
        if not to_exit:
            return
        tables = self.tables
        self.states_to_invoke &= ~to_exit
        if to_exit & tables.has_history_children:
            # Record history before any state is left (Appendix D, exitStates).
            for s in iter_bits_reversed(to_exit & tables.has_history_children):
                for h in tables.states[s].history:
                    if tables.kind[h] == DEEP_HISTORY:
                        value = self.config & tables.atomic_mask & tables.desc[s]
                    else:
                        value = self.config & tables.children_mask[s]
                    self.history_value[h] = value
        states = tables.states
        self._exiting = to_exit  # (for requests issued by <onexit>: RequestsMixin.owner_state)
        for s in iter_bits_reversed(to_exit):
            st = states[s]
            for block in st.onexit:
                self.execute_content(block)
            for inv in st.invokes:
                self.cancel_invoke(s, inv)
            self.config &= ~(1 << s)
        if to_exit & self._owned_mask:
            # Pending requests owned by an exited state are cancelled, after the onexit
            # handlers ran (they may cancel them themselves: ors-extensions.md §3.10, §7).
            self.release_owned(to_exit)

    def compute_exit_set(self, transitions) -> int:
        ts = self.tables.transitions
        exit_mask = self.tables.exit_mask
        to_exit = 0
        for t in transitions:
            if ts[t].targets:
                mask = exit_mask[t]
                if not mask:
                    domain = self.get_transition_domain(t)
                    mask = self.tables.desc[domain] if domain >= 0 else 0
                to_exit |= self.config & mask
        return to_exit

    def execute_transition_content(self, enabled) -> None:
        ts = self.tables.transitions
        for t in enabled:
            action = ts[t].action
            if action is not None:
                self.execute_content(action)

    def entry_set(self, enabled) -> tuple:
        """computeEntrySet: (states to enter, states for default entry, default history content)."""
        to_enter, default_entry, history_content, _ = self.compute_entry_set(enabled)
        return to_enter, default_entry, history_content

    def enter_states(self, enabled) -> None:
        tables = self.tables
        to_enter, default_entry, history_content = self.entry_set(enabled)
        states = tables.states
        ts = tables.transitions
        for s in iter_bits(to_enter):
            st = states[s]
            bit = 1 << s
            self.config |= bit
            self.states_to_invoke |= bit
            if self.late_binding and not self.late_bound & bit:
                self.late_bound |= bit
                self.initialize_data(st)
            blocks = list(st.onentry)
            if default_entry & bit and ts[st.initial].action is not None:
                blocks.append(ts[st.initial].action)
            if s in history_content and ts[history_content[s]].action is not None:
                blocks.append(ts[history_content[s]].action)
            for block in blocks:
                self.execute_content(block)
            if st.kind == FINAL:
                parent = st.parent
                if tables.kind[parent] == ROOT:
                    self.running = False
                    self.final_state = st.id
                else:
                    self._internal().append(
                        make_event("done.state." + tables.ids[parent], self.done_data(st), type=PLATFORM)
                    )
                    grandparent = tables.parent[parent]
                    if tables.kind[grandparent] == PARALLEL and all(
                        self.is_in_final_state(c) for c in tables.child_states[grandparent]
                    ):
                        self._internal().append(make_event("done.state." + tables.ids[grandparent], type=PLATFORM))

    def compute_entry_set(self, transitions):
        """Returns (states to enter, states for default entry, default history content, static)."""
        entry = _EntrySet()
        ts = self.tables.transitions
        for t in transitions:
            tr = ts[t]
            for s in tr.targets:
                self.add_descendant_states_to_enter(s, entry)
            ancestor = self.get_transition_domain(t)
            for s in self.get_effective_target_states(t, entry):
                self.add_ancestor_states_to_enter(s, ancestor, entry)
        return entry.enter, entry.default, entry.history_content, not entry.dynamic

    def add_descendant_states_to_enter(self, state: int, entry: "_EntrySet") -> None:
        tables = self.tables
        kind = tables.kind[state]
        if kind == SHALLOW_HISTORY or kind == DEEP_HISTORY:
            entry.dynamic = True
            parent = tables.parent[state]
            stored = self.history_value.get(state)
            if stored:
                for s in iter_bits(stored):
                    self.add_descendant_states_to_enter(s, entry)
                for s in iter_bits(stored):
                    self.add_ancestor_states_to_enter(s, parent, entry)
            else:
                default = tables.states[state].initial
                if default < 0:
                    # No default transition: enter the parent's default (SCXML 3.10.2 leaves
                    # it to the document; this is what the spec's initial rules give).
                    targets = self._parent_default_targets(parent)
                else:
                    entry.history_content[parent] = default
                    targets = tables.transitions[default].targets
                for s in targets:
                    self.add_descendant_states_to_enter(s, entry)
                for s in targets:
                    self.add_ancestor_states_to_enter(s, parent, entry)
            return
        entry.enter |= 1 << state
        if kind == COMPOUND:
            entry.default |= 1 << state
            targets = self._default_targets(state)
            for s in targets:
                self.add_descendant_states_to_enter(s, entry)
            for s in targets:
                self.add_ancestor_states_to_enter(s, state, entry)
        elif kind == PARALLEL:
            for child in tables.child_states[state]:
                if not entry.enter & tables.desc[child] and not entry.enter >> child & 1:
                    self.add_descendant_states_to_enter(child, entry)

    def _default_targets(self, state: int) -> tuple[int, ...]:
        return self.tables.transitions[self.tables.states[state].initial].targets

    def _parent_default_targets(self, parent: int) -> tuple[int, ...]:
        """What entering the parent of a history with no default transition enters: its
        initial states, or every region of a <parallel> (which has no initial transition)."""
        tables = self.tables
        if tables.kind[parent] == PARALLEL:
            return tables.child_states[parent]
        return self._default_targets(parent)

    def add_ancestor_states_to_enter(self, state: int, ancestor: int, entry: "_EntrySet") -> None:
        tables = self.tables
        for anc in self.get_proper_ancestors(state, ancestor):
            entry.enter |= 1 << anc
            if tables.kind[anc] == PARALLEL:
                for child in tables.child_states[anc]:
                    if not entry.enter & tables.desc[child] and not entry.enter >> child & 1:
                        self.add_descendant_states_to_enter(child, entry)

    def get_proper_ancestors(self, state: int, ancestor: int):
        """Ancestors of state up to but excluding `ancestor` (-1: up to and excluding the root)."""
        out = []
        for a in self.tables.states[state].ancestors:
            if a == ancestor or a == 0:
                break
            out.append(a)
        return out

    def is_in_final_state(self, s: int) -> bool:
        tables = self.tables
        kind = tables.kind[s]
        if kind == COMPOUND:
            return bool(self.config & tables.children_mask[s] & tables.final_mask)
        if kind == PARALLEL:
            return all(self.is_in_final_state(c) for c in tables.child_states[s])
        return False

    def get_transition_domain(self, t: int) -> int:
        tables = self.tables
        tr = tables.transitions[t]
        if tr.domain >= 0:
            return tr.domain
        tstates = self.get_effective_target_states(t, None)
        if not tstates:
            return -1
        source = tr.source
        if (
            tr.internal
            and tables.kind[source] == COMPOUND
            and all(tables.desc[source] >> s & 1 for s in tstates)
        ):
            return source
        return self.find_lcca([source, *tstates])

    def find_lcca(self, states: list[int]) -> int:
        tables = self.tables
        head, tail = states[0], states[1:]
        for anc in tables.states[head].ancestors:
            if tables.kind[anc] in (COMPOUND, ROOT) and all(tables.desc[anc] >> s & 1 for s in tail):
                return anc
        return 0

    def get_effective_target_states(self, t: int, entry: "_EntrySet | None") -> list[int]:
        tables = self.tables
        out: list[int] = []
        for s in tables.transitions[t].targets:
            if tables.kind[s] in (SHALLOW_HISTORY, DEEP_HISTORY):
                if entry is not None:
                    entry.dynamic = True
                stored = self.history_value.get(s)
                if stored:
                    targets = list(iter_bits(stored))
                elif tables.states[s].initial >= 0:
                    targets = self.get_effective_target_states(tables.states[s].initial, entry)
                else:
                    targets = list(self._parent_default_targets(tables.parent[s]))
                for x in targets:
                    if x not in out:
                        out.append(x)
            elif s not in out:
                out.append(s)
        return out

    # -- the end --------------------------------------------------------------------------

    def exit_interpreter(self) -> None:
        """Leave every active state in exit order (Appendix D, exitInterpreter)."""
        if self.exited:
            return
        self.exited = True
        self._exiting = -1  # every state: requests issued now belong to the ending session
        tables = self.tables
        self.final_configuration = self.config
        for s in iter_bits_reversed(self.config):
            st = tables.states[s]
            for block in st.onexit:
                self.execute_content(block)
            for inv in st.invokes:
                self.cancel_invoke(s, inv)
            self.config &= ~(1 << s)
            if st.kind == FINAL and tables.kind[st.parent] == ROOT:
                self.return_done_event(self.done_data(st))
        self.on_finished()

    def return_done_event(self, data) -> None:
        """Hook: a top-level final was reached (used by <invoke> to tell the parent)."""

    def on_finished(self) -> None:
        """Hook: the session has ended."""

    # -- provided by the Machine ----------------------------------------------------------

    late_binding = False
    _owned_mask = 0  # states owning pending requests (RequestsMixin)
    _exiting = 0

    def release_owned(self, exited: int) -> None:  # pragma: no cover - overridden
        """Cancel the pending requests owned by the states of `exited`."""

    def condition_match(self, t: int) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def execute_content(self, block) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def initialize_data(self, state: StateDef) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def done_data(self, state: StateDef):  # pragma: no cover - overridden
        return UNDEFINED


class _EntrySet:
    __slots__ = ("enter", "default", "history_content", "dynamic")

    def __init__(self) -> None:
        self.enter = 0
        self.default = 0
        self.history_content: dict[int, int] = {}
        self.dynamic = False


__all__ = ["Interpreter", "ChartTables", "event_matches", "iter_bits", "iter_bits_reversed", "INTERNAL"]
