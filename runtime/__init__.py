"""scxmlc_runtime: runs the tables scxmlc emits (W3C SCXML algorithm, queues, clocks, sessions).

Generated modules import this package and nothing from the compiler side.
"""

from .actions import ExecutionError, parse_delay
from .clock import Clock, RealClock, SimulatedClock
from .events import make_event
from .host import Host
from .limits import Limits
from .machine import Machine
from .tables import (
    ATOMIC,
    COMPOUND,
    DEEP_HISTORY,
    FINAL,
    PARALLEL,
    InvokeDef,
    ROOT,
    SHALLOW_HISTORY,
    StateDef,
    TransitionDef,
)

from .version import VERSION as __version__  # noqa: E402


def __getattr__(name: str):
    # AsyncioClock loads asyncio: only the applications that use it pay for it (PEP 562)
    if name == "AsyncioClock":
        from .aio import AsyncioClock

        return AsyncioClock
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ATOMIC",
    "AsyncioClock",
    "COMPOUND",
    "Clock",
    "DEEP_HISTORY",
    "ExecutionError",
    "FINAL",
    "Host",
    "InvokeDef",
    "Limits",
    "Machine",
    "PARALLEL",
    "ROOT",
    "RealClock",
    "SHALLOW_HISTORY",
    "SimulatedClock",
    "make_event",
    "StateDef",
    "TransitionDef",
    "parse_delay",
]
