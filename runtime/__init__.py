"""scxmlc_runtime: runs the tables scxmlc emits (W3C SCXML algorithm, queues, clocks, sessions).

Generated modules import this package and nothing from the compiler side.
"""

from .actions import ExecutionError, parse_delay
from .aio import AsyncioClock
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

__version__ = "0.1.0"

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
