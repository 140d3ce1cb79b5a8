"""Tables: the flat, document-ordered description of a chart that generated modules emit.

State i is bit (1 << i) of a configuration mask; index 0 is the <scxml> element itself, so
document order is index order. The compiler emits these rows; the interpreter derives its
hot-path arrays from them once per chart class.
"""

from __future__ import annotations

import sys

_Row = type(sys.implementation)  # types.SimpleNamespace, without importing types (start-up)

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Callable

    Action = Callable[..., object]

# A row class: its annotated names are the fields, the values in its body the defaults (class
# attributes). Rows are namespaces, not named tuples: generated modules make thousands of rows
# as they load (a large chart's first load), and C code makes a namespace in half the time of a
# named tuple's `__new__` (collections, which that imports, is not needed at all).


# State kinds (SCXML 3.2-3.7, 3.10)
ROOT = 0
ATOMIC = 1
COMPOUND = 2
PARALLEL = 3
FINAL = 4
SHALLOW_HISTORY = 5
DEEP_HISTORY = 6


class StateDef(_Row):
    """One state of a chart's STATES table (a generated module's class attribute): its id,
    kind, place in the tree and executable content, as the interpreter reads them."""

    __slots__ = ()

    id: str
    kind: int
    parent: int
    children: tuple[int, ...] = ()
    # Proper ancestors from the parent up to and including the root (0).
    ancestors: tuple[int, ...] = ()
    # Bit mask of proper descendants.
    descendants: int = 0
    # Transition index of the initial transition (compound, root) or default history transition.
    initial: int = -1
    onentry: tuple[Action, ...] = ()
    onexit: tuple[Action, ...] = ()
    # (data id, initialiser) in document order; an initialiser returns the value.
    data: tuple[tuple[str, Action | None], ...] = ()
    donedata: Action | None = None
    # Transition indices: own transitions (document order), then each ancestor's in turn.
    candidates: tuple[int, ...] = ()
    # (event name, selector) of atomic states: the transition selection for that name as one
    # function (see scxmlc/lowering.py, lower_selectors).
    selectors: tuple[tuple[str, Action], ...] = ()
    # (event name, handler) of atomic states: the whole step of a targetless transition for
    # that name, taken by Machine.send without building the event (scxmlc/lowering.py,
    # lower_handlers; runtime/plans.py, PlannedTables.handlers_of).
    handlers: tuple[tuple[str, Action], ...] = ()
    # History children (indices), recorded when this state is exited.
    history: tuple[int, ...] = ()
    invokes: tuple[object, ...] = ()
    line: int = 0


class TransitionDef(_Row):
    """One transition of a chart's TRANSITIONS table: its source, event descriptors,
    condition, targets and content, in document order."""

    __slots__ = ()

    source: int
    # Event descriptors, normalised: "foo.*" and "foo." become "foo"; "*" stays.
    events: tuple[str, ...] = ()
    cond: Action | None = None
    targets: tuple[int, ...] = ()
    internal: bool = False
    action: Action | None = None
    # Transition domain when static; -1 when it depends on history (or for targetless).
    domain: int = -1
    line: int = 0


class InvokeDef(_Row):
    """One <invoke> (SCXML 6.4). Expressions are functions of the machine; `chart` is the child
    class compiled ahead of time (inline <content> or a file src)."""

    __slots__ = ()

    type: str | None = None
    typeexpr: Action | None = None
    src: str | None = None
    srcexpr: Action | None = None
    chart: type | None = None
    content: Action | None = None  # <content expr> or a body only known at run time
    id: str | None = None
    idlocation: Action | None = None  # called as idlocation(machine, invokeid)
    data: Action | None = None  # namelist and <param>s, as a JS object
    autoforward: bool = False
    finalize: Action | None = None
    line: int = 0
