"""Kept memory: an estimate of the bytes a session's data holds, for the `session_memory` limit (limits.py).

What a session keeps from one macrostep to the next is its data: the datamodel (every value its
scripts can reach from the global object, closures' captured variables included), the events
waiting in its queues and in its delayed `<send>`s, its own changes to built-in objects, and
the same of the sessions it invoked. `kept_bytes` walks that graph and adds up
`sys.getsizeof` of what it meets, each container once.

It walks JavaScript values only, so nothing shared is counted: the built-in objects (frozen,
shared by every session), code, modules, classes, and the runtime's own objects that a value
may lead to (a host object, a bound method of the machine) count their own size and are not
entered. Numbers are counted at each reference (a set of every one seen would cost more than
they do), so data that repeats one number object many times is over-estimated, by 24 bytes per
reference; strings, shared by reference however long, are counted once.

The walk stops as soon as the total passes the limit it is given: weighing a session over the
limit costs no more than weighing one at the limit. A server weighs a session only when the
process has grown (server/memory.py, `MemoryWatch`), never on a hot path.
"""

from __future__ import annotations

import sys
import types

from .actions import DelayedSend
from .js.values import Accessor, JSArray, JSFunction, JSObject

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:  # pragma: no cover
    from .machine import Machine

_NUMBERS = (float, int)
_SHARED = (bool, type(None))  # (singletons: nothing of a session's own)


def kept_bytes(machine: "Machine", stop_after: int) -> int:
    """The bytes `machine`'s data holds (module docstring), or a number past `stop_after` as
    soon as the walk finds that much."""
    stack: list = []
    for session in _sessions(machine):
        stack.extend((session.dm, getattr(session, "_lazy_event", None), getattr(session, "realm_patches", None)))
        stack.extend(session.internal_queue or ())
        stack.extend(session.external_queue or ())
        stack.extend(session._timers.values())
    seen: set[int] = set()
    total = 0
    getsizeof = sys.getsizeof
    while stack:
        v = stack.pop()
        cls = v.__class__
        if cls in _NUMBERS:
            total += getsizeof(v)
        elif cls in _SHARED:
            continue
        else:
            if id(v) in seen:
                continue
            seen.add(id(v))
            if isinstance(v, (JSObject, JSFunction)) and v.frozen:
                continue  # a built-in object: shared by every session
            total += getsizeof(v)
            if isinstance(v, dict):  # (plain objects, JSObject, the datamodel, events)
                stack.extend(v.keys())
                stack.extend(v.values())
                if cls is JSObject:
                    stack.append(v.proto)
                    stack.append(v.internal)
            elif isinstance(v, (list, tuple)) or cls is set or cls is frozenset:  # (JSArray, queues)
                stack.extend(v)
                if cls is JSArray and v.props is not None:
                    stack.append(v.props)
            elif cls is JSFunction:
                stack.extend((v.fn, v.props, v.internal))
            elif cls is types.FunctionType:  # a script's function: what its closure captured
                stack.extend(v.__closure__ or ())
                stack.extend(v.__defaults__ or ())
                if v.__kwdefaults__:
                    stack.append(v.__kwdefaults__)
            elif cls is types.CellType:
                try:
                    stack.append(v.cell_contents)
                except ValueError:  # (an empty cell)
                    pass
            elif cls is Accessor:
                stack.extend((v.get, v.set))
            elif cls is DelayedSend:
                stack.extend((v.event, v.data))
        if total > stop_after:
            break
    return total


def enforce_session_memory(machine: "Machine") -> bool:
    """Weigh a session between runs: one whose data takes more than its
    `limits.session_memory` ends (limits.py: its states are exited, the reason logged and kept
    as `limit_reason`, its parent told with error.limit). True when it ended."""
    if not machine.running or machine._busy:
        return False
    limit = machine.limits.session_memory
    kept = kept_bytes(machine, limit)
    if kept <= limit:
        return False
    machine.limit_exceeded(0, machine.limits, reason=f"it keeps more than {limit} bytes of data (session_memory; {kept} found so far)")
    machine.in_realm(machine.exit_interpreter)
    return True


def _sessions(machine: "Machine"):
    """The session and, depth first, the sessions it invoked."""
    todo = [machine]
    while todo:
        session = todo.pop()
        yield session
        children = getattr(session, "_children", None)
        if children:
            todo.extend(child for _, _, child in children.values() if child is not None and hasattr(child, "dm"))


__all__ = ["enforce_session_memory", "kept_bytes"]
