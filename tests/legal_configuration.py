"""Legal configurations (SCXML 3.11), checked after every microstep of the machines under test.

`checked(chart)` is a subclass of a chart class, made for tests only (like the traced subclass of
runtime/trace.py), that checks the active configuration after each microstep, whichever way the
runtime takes it (in full, replayed from a recorded plan, or the code-free fast path of `send`),
after the initial configuration is entered, and does the same for the sessions it invokes. The
product pays nothing for it: untested sessions are instances of the chart class itself.

SCXML 3.11: the configuration contains exactly one child of the <scxml> element; one or more
atomic states; with an atomic state, all of its <state> and <parallel> ancestors; with a
non-atomic <state>, one and only one of its children; with a <parallel>, all of its children.
(Children are child states: <state>, <parallel>, <final>. <history> is a pseudo-state, never
active.) The root is implicit in the runtime's masks (bit 0 is never set); it counts as active.
"""

from __future__ import annotations

from scxmlc_runtime.interpreter import ChartTables, iter_bits
from scxmlc_runtime.tables import COMPOUND, DEEP_HISTORY, PARALLEL, ROOT, SHALLOW_HISTORY

_HISTORY = (SHALLOW_HISTORY, DEEP_HISTORY)


class IllegalConfiguration(BaseException):
    """A configuration that breaks SCXML 3.11. A BaseException on purpose: the runtime turns
    every Exception raised while executable content runs into error.execution (SCXML 4.9), and
    a session that processes an event inside another's <send> would have it swallowed there."""


_CHILD_STATES: dict[ChartTables, tuple[int, ...]] = {}


def _child_states(tables: ChartTables) -> tuple[int, ...]:
    """Per state, the mask of its child states (history pseudo-states left out)."""
    found = _CHILD_STATES.get(tables)
    if found is None:
        masks = [0] * len(tables.states)
        for i, st in enumerate(tables.states):
            for c in st.children:
                if tables.kind[c] not in _HISTORY:
                    masks[i] |= 1 << c
        found = _CHILD_STATES[tables] = tuple(masks)
    return found


def _ids(tables: ChartTables, mask: int) -> list[str]:
    return [tables.ids[i] or "<scxml>" for i in iter_bits(mask)]


def configuration_problems(tables: ChartTables, config: int) -> list[str]:
    """What is illegal about `config` (a runtime mask; the root is implied), in words; [] when
    it is a legal configuration of the chart."""
    n = len(tables.states)
    problems: list[str] = []
    if config >> n:
        problems.append(f"bits {sorted(i for i in iter_bits(config) if i >= n)} name no state")
        config &= (1 << n) - 1
    config |= 1
    children = _child_states(tables)
    for i in iter_bits(config):
        name = tables.ids[i] or "<scxml>"
        kind = tables.kind[i]
        if kind in _HISTORY:
            problems.append(f"history state '{name}' is active (a pseudo-state never is)")
        parent = tables.parent[i]
        if i and not config >> parent & 1:
            problems.append(f"'{name}' is active but its parent '{tables.ids[parent]}' is not")
        active = config & children[i]
        if kind in (ROOT, COMPOUND) and active.bit_count() != 1:
            problems.append(f"'{name}' has {active.bit_count()} active children {_ids(tables, active)}: exactly one must be")
        elif kind == PARALLEL and active != children[i]:
            problems.append(f"<parallel> '{name}' lacks the children {_ids(tables, children[i] & ~active)}: all must be active")
    if not config & tables.atomic_mask:
        problems.append("no atomic state is active")
    return problems


def assert_legal(tables: ChartTables, config: int, where: str = "") -> None:
    """Raise IllegalConfiguration, naming every problem and the configuration, unless legal."""
    problems = configuration_problems(tables, config)
    if problems:
        raise IllegalConfiguration(
            f"illegal configuration (SCXML 3.11){' ' + where if where else ''}: "
            + "; ".join(problems)
            + f"; active: {_ids(tables, config)}"
        )


class CheckedMixin:
    """The checking points of a checked session (see the module docstring)."""

    def _check(self, where: str) -> None:
        if self.started and not self.exited:  # (once ended, no state is active)
            assert_legal(self.tables, self.config, f"{where} in {type(self).__name__} {self.sessionid}")

    # The end of a microstep run in full, and of the initial entry.
    def enter_states(self, enabled) -> None:
        super().enter_states(enabled)
        self._check("after a microstep")

    # A recorded microstep (Interpreter.microstep, take_guard, Machine.send).
    def replay(self, plan) -> None:
        super().replay(plan)
        self._check("after a replayed microstep")

    # take_event replays event plans inline; Machine.send sets the configuration of code-free
    # steps itself. (Overriding take_event and replay makes Planned.macrostep hand every
    # internal event to take_event: Planned.__init_subclass__.)
    def take_event(self, event: dict) -> None:
        super().take_event(event)
        self._check(f"after the microstep of event '{event['name']}'")

    def send(self, name: str, *args, **kwargs) -> None:
        super().send(name, *args, **kwargs)
        self._check(f"after sending '{name}'")

    # Invoked sessions are checked too.
    def _child_chart(self, inv, src=None) -> type:
        return checked(super()._child_chart(inv, src))


_CHECKED: dict[type, type] = {}


def checked(chart: type) -> type:
    """The checked subclass of a chart class (made once per chart)."""
    if issubclass(chart, CheckedMixin):
        return chart
    found = _CHECKED.get(chart)
    if found is None:
        found = _CHECKED[chart] = type(
            chart.__name__, (CheckedMixin, chart), {"__module__": chart.__module__, "__qualname__": chart.__qualname__}
        )
    return found
