"""Script budget and size caps: how much JavaScript one macrostep may run, and how long one string or array may grow (a script that loops for ever must not stop the other sessions).

The budget. Generated code calls `next(_ticks)` at every loop iteration (the back-edge) and at
every function entry, where `_ticks` is the session's one tick iterator (`js_ticks(dm)`): a
C-level `itertools.chain` of `itertools.repeat` chunks, so a tick costs about 20 ns and no
Python code runs between chunk boundaries. At a boundary `_Chunks.__next__` decides: a new
macrostep (ScriptBudget.serial moved since the budget was last filled) gets a fresh budget;
within the budget the next chunk is handed out; past it, in steps or in time, the chain is
given a `_Spent`, whose `__next__` raises ScriptBudgetExceeded at every tick until the next
macrostep begins. (A chain whose *source* raises is dead for good, one whose *active*
iterator raises is not: that is why the refusal is an iterator.)

ScriptBudgetExceeded is not a JSThrow, RecursionError or NameError, so no JavaScript `catch`
takes it (a `finally` still runs, and ticks, and is refused too); executable content turns it
into error.execution like any error (SCXML 4.9: the rest of the block is skipped), and so does
every later loop iteration or call of the same macrostep.

The size caps. A string longer than MAX_STRING_LENGTH or an array longer than
MAX_ARRAY_LENGTH is never kept: the operation that would make it throws a RangeError ("Invalid
string length" / "Invalid array length", V8's words), which a script may catch, since nothing
was allocated for good. The caps are per process (memory is), far below V8's 2**29 - 24
characters: a single string may hold 32 M characters, an array 16 M elements.

The memory bound. The caps bound one value, not how many a loop makes: a loop that pushes
`s.split('')` of a string at the cap grows the process by gigabytes within `script_seconds`.
So the budget also weighs the process's resident memory (resident_bytes), at most once per
MEMORY_LOOK_S of script time, at a chunk boundary: a macrostep whose scripts grow it by more
than `memory` bytes is spent as above. Growth is counted from the first look, MEMORY_LOOK_S
into the macrostep (a read costs about a microsecond: scripts that end sooner never pay it), so
what the first millisecond allocates, and what one built-in call at the caps makes (128 MB at
most), can come on top. It bounds a macrostep, not a session: what a session keeps from each
of its macrosteps is bounded by the operating system's limit (docs/guide.md, Limits).
"""

from __future__ import annotations

import itertools
import time

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

# A key no JS property name can be (not a str): the datamodel's tick iterator.
TICKS_KEY = ("script budget",)
CHUNK = 64  # ticks between two looks at the budget (and at the clock)
# A string or array this long, made or walked by one built-in call, is work enough that the
# next tick looks at the clock (builtin_heavy): a few milliseconds at the sizes of the caps.
HEAVY = 1 << 16
SLOW_CHUNK_S = 0.005  # a chunk that took longer than this: the next one is a single tick
MEMORY_LOOK_S = 0.001  # script time between two looks at the process's memory
DEFAULT_STEPS = 10_000_000
DEFAULT_SECONDS = 5.0
DEFAULT_MEMORY = 512 << 20

MAX_STRING_LENGTH = 1 << 25
MAX_ARRAY_LENGTH = 1 << 24


_read_resident: Any = None  # (resident_bytes: chosen on first use)


def resident_bytes() -> int | None:
    """The process's resident memory in bytes, or None where it cannot be read. Linux:
    /proc/self/statm, through a descriptor kept open (about a microsecond a read; a forked
    child opens its own); elsewhere the peak resident size (getrusage), which grows with it."""
    global _read_resident
    if _read_resident is None:
        _read_resident = _resident_reader()
    return _read_resident()


def _resident_reader() -> Any:
    import os  # (the first look at memory is a millisecond into a script: not at import)
    import sys

    if sys.platform.startswith("linux") and os.path.exists("/proc/self/statm"):
        page = os.sysconf("SC_PAGE_SIZE")
        fd = [os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)]

        def reopen() -> None:  # (/proc/self was the parent when the descriptor was opened)
            os.close(fd[0])
            fd[0] = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)

        os.register_at_fork(after_in_child=reopen)
        return lambda: int(os.pread(fd[0], 128, 0).split()[1]) * page
    try:
        import resource
    except ImportError:  # (Windows)
        return lambda: None
    unit = 1 if sys.platform == "darwin" else 1024  # (ru_maxrss: bytes on macOS, KiB elsewhere)
    return lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit


class ScriptBudgetExceeded(Exception):
    """A macrostep's scripts ran past their budget (loop iterations and calls, or time)."""


class _Spent:
    """The chain's active iterator once the budget is spent: refuses every tick of this
    macrostep, and ends (StopIteration: the chain asks for a fresh chunk) in the next."""

    __slots__ = ("budget", "serial")

    def __init__(self, budget: "ScriptBudget", serial: Any) -> None:
        self.budget = budget
        self.serial = serial

    def __iter__(self):
        return self

    def __next__(self):
        if self.budget.serial() != self.serial:
            raise StopIteration
        raise ScriptBudgetExceeded(self.budget.reason)


class _Chunks:
    """The chain's source: the next chunk of ticks, a fresh budget in a new macrostep, or
    _Spent."""

    __slots__ = ("budget",)

    def __init__(self, budget: "ScriptBudget") -> None:
        self.budget = budget

    def __iter__(self):
        return self

    def __next__(self):
        b = self.budget
        serial = b.serial()
        now = time.monotonic()
        if serial != b.filled_for:
            b.filled_for = serial
            b.left = b.steps
            b.started = b.weighed = now
            b.base = -1
        elif b.left <= 0:
            return _Spent(b, serial)
        elif now - b.started > b.seconds:
            b.reason = f"scripts ran for more than {b.seconds:g} s in one macrostep"
            b.left = 0
            return _Spent(b, serial)
        elif now - b.weighed > MEMORY_LOOK_S:
            b.weighed = now
            rss = resident_bytes()
            if rss is None:
                pass
            elif b.base < 0:
                b.base = rss
            elif rss - b.base > b.memory:
                b.reason = f"scripts grew the process's memory by more than {b.memory >> 20} MB in one macrostep"
                b.left = 0
                return _Spent(b, serial)
        # Slow ticks (each iteration copies a long string, runs a long match) get the clock
        # looked at after each one, so the time bound holds to within one tick.
        size = CHUNK if now - b.handed < SLOW_CHUNK_S else 1
        b.handed = now
        b.left -= size
        if b.left <= 0:
            b.reason = f"scripts took more than {b.steps} loop iterations and calls in one macrostep (a loop that does not end?)"
        chunk = b.chunk = itertools.repeat(None, size)
        return chunk


class ScriptBudget:
    """One session's budget: `steps` ticks, `seconds` of time and `memory` bytes of growth of
    the process per macrostep, a macrostep being a value of `owner.macro_serial` (a
    Machine's). Without an owner (a bare datamodel) the budget is filled once, for the
    datamodel's life."""

    __slots__ = (
        "steps", "seconds", "memory", "owner", "filled_for", "event", "events", "left", "started", "handed",
        "weighed", "base", "reason", "ticks", "chunk",
    )  # fmt: skip

    def __init__(
        self, steps: int = DEFAULT_STEPS, seconds: float = DEFAULT_SECONDS, owner: Any = None, memory: int = DEFAULT_MEMORY
    ) -> None:
        self.steps = steps
        self.seconds = seconds
        self.memory = memory
        self.owner = owner
        self.filled_for: Any = None
        self.event: Any = None  # the last external event seen bound (serial)
        self.events = 0
        self.left = 0
        self.started = self.handed = self.weighed = 0.0
        self.base = -1  # the resident bytes at the macrostep's first look at memory (-1: none yet)
        self.reason = "script budget spent"
        self.chunk: Any = None  # the chunk of ticks being handed out (builtin_heavy)
        self.ticks = itertools.chain.from_iterable(_Chunks(self))

    def serial(self) -> Any:
        """Which macrostep is running: the owner's `macro_serial` and the number of external
        events bound since. (Machine.send takes an event without moving `macro_serial`, to
        keep its hottest path as it was; the event it binds as `_event` tells instead: a
        macrostep has one external event, the others it binds are internal or platform.)"""
        owner = self.owner
        if owner is None:
            return 0
        event = owner.dm.get("_event")
        if type(event) is dict and event is not self.event and event.get("type") == "external":
            self.event = event
            self.events += 1
        return (owner.macro_serial, self.events)


def install_budget(dm: dict, owner: Any) -> None:
    """Tie a machine's datamodel to its budget, made when its code first ticks (js_ticks;
    most sessions never loop or call): `owner.limits` says how large, `owner.macro_serial`
    tells its macrosteps apart."""
    dm[TICKS_KEY] = owner


# The running session, for built-ins (builtin_tick, builtin_heavy): its budget once its code
# has ticked (js_ticks), else the session itself, which each run puts here as it begins
# (ACTIVE[0] = machine: Machine.start, send and run), so that a script without loops, whose
# code never binds its ticks, still pays for the built-ins it calls.
ACTIVE: list = [None]


def _budget(dm: dict) -> ScriptBudget:
    """The datamodel's budget, made on first use (install_budget: the owner says how large)."""
    budget = dm.get(TICKS_KEY)
    if type(budget) is not ScriptBudget:
        if budget is None:
            budget = ScriptBudget()
        else:  # (the owning machine: install_budget)
            limits = budget.limits
            budget = ScriptBudget(limits.script_steps, limits.script_seconds, budget, limits.script_memory)
        dm[TICKS_KEY] = budget
    return budget


def js_ticks(dm: dict):
    """The tick iterator of a datamodel, for generated code (bound once per unit of code; a
    bare datamodel gets a budget of its own on first use)."""
    budget = dm.get(TICKS_KEY)
    if type(budget) is not ScriptBudget:
        budget = _budget(dm)
    ACTIVE[0] = budget
    return budget.ticks


def _running() -> ScriptBudget | None:
    """The budget of the session running now, if one is (a session that is not, the host
    serialising its data say, is not charged)."""
    b = ACTIVE[0]
    if b is None:
        return None
    if type(b) is not ScriptBudget:  # (a session whose run began: Machine)
        if not b._busy or TICKS_KEY not in b.dm:
            return None
        b = ACTIVE[0] = _budget(b.dm)
        return b
    return b if b.owner is not None and b.owner._busy else None


def builtin_tick() -> None:
    """A step of the running session's budget, for built-ins whose work grows with the shape
    of their input rather than its size (JSON.stringify, uneval and flat of a value whose parts
    are shared: `a = [a, a]` forty times is a trillion visits in a few bytes)."""
    b = _running()
    if b is not None:
        next(b.ticks)


def builtin_heavy() -> None:
    """Make the running session's next tick look at the budget and the clock, after a built-in
    call that made or walked a string or array of HEAVY or more elements: the clock is looked
    at once per chunk of CHUNK ticks, and CHUNK calls of one built-in on inputs at the caps
    (`s.split('')` of 16 M characters: a quarter of a second) would run far past
    `script_seconds` before it is. Ends the current chunk; the next one is a single tick
    (_Chunks: the chunk was slow)."""
    b = _running()
    if b is not None and b.chunk is not None:
        for _ in b.chunk:
            pass


def js_string_too_long() -> Any:
    """Throw V8's RangeError for a string over MAX_STRING_LENGTH."""
    from .errors import throw_range_error

    throw_range_error("Invalid string length")


def check_array_length(n: int) -> None:
    """The RangeError of an array about to grow past MAX_ARRAY_LENGTH elements."""
    if n >= HEAVY:
        builtin_heavy()
    if n > MAX_ARRAY_LENGTH:
        from .errors import throw_range_error

        throw_range_error("Invalid array length")


def check_string(s: str) -> str:
    """s, or the RangeError of a string over the cap."""
    if len(s) >= HEAVY:
        builtin_heavy()
    if len(s) > MAX_STRING_LENGTH:
        js_string_too_long()
    return s


__all__ = [
    "ACTIVE",
    "MAX_ARRAY_LENGTH",
    "MAX_STRING_LENGTH",
    "ScriptBudget",
    "builtin_heavy",
    "builtin_tick",
    "ScriptBudgetExceeded",
    "TICKS_KEY",
    "check_string",
    "check_array_length",
    "install_budget",
    "js_string_too_long",
    "js_ticks",
]
