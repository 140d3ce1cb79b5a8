"""Execution limits: how much one macrostep (or run) may do before its session is ended (a chart that loops for ever must not stop the others).

A macrostep is bounded by the number of microsteps it takes, the internal events waiting in its
queue and the error events it raises. The defaults are far above what a sane chart reaches (the
W3C suite's largest macrostep takes a few dozen microsteps); change them per host
(`Host(limits=Limits(...))`) or per session (`Chart(limits=...)`). They are looked at every 256
microsteps (the cost of a macrostep stays one decrement per microstep), so a session may go up
to that far past one before it is stopped.

A run of the session (a `send`, a timer, a delivery: everything until it waits again) takes at
most `external_events` events from its external queue: a session that keeps sending itself
events without a delay would otherwise never return (nor give the others their turn).

Scripts have a budget of their own, per macrostep: `script_steps` loop iterations and function
calls together, `script_seconds` of time and `script_memory` bytes by which they may grow the
process (runtime/js/budget.py). Spending it is not the end
of the session: the script that was running stops with error.execution, and so does each later
script of the same macrostep at its first loop iteration or call; the next macrostep starts
with a full budget.

A `<send>` with a delay while the session already has `timers` delayed events pending fails
with error.execution (a loop of delayed sends would otherwise fill the host's memory with
timers).

What a session keeps from one macrostep to the next (its data: kept.py) may take at most
`session_memory` bytes. Weighing it walks the data, so it is not done at every step: a session
server (`scxmlc serve`, server/memory.py) weighs the session whose run has just grown the
process by a further 32 MiB; an application hosting sessions itself can call
`scxmlc_runtime.kept.kept_bytes` when it sees fit. A session found over the limit ends as below.

An `<invoke>` more than `invoke_depth` sessions deep fails with error.execution, as an invoke
that cannot be started does (SCXML 6.4), and an ORS `<session:start>` on a host that already
holds `sessions` sessions fails with error.session.start (`error: "limit"`): a chart that
starts or invokes copies of itself cannot fill the host.

When one of the others trips, the session ends at once, in a defined way: the macrostep
stops, the session's active states are exited as for any end (their `<onexit>` runs), the reason is logged at ERROR
on `scxmlc_runtime` and kept as `machine.limit_reason`, and the session that invoked it (or,
under ORS, started it) receives `error.limit` with `{sessionid, reason}`.
"""

from __future__ import annotations

_FIELDS = {
    "microsteps": 100_000,  # microsteps (transitions sets taken) in one macrostep
    "internal_events": 100_000,  # events waiting in the internal queue at once
    "errors": 1_000,  # error events one macrostep raises
    "external_events": 100_000,  # external events one run takes without a pause (a session sending itself events)
    "script_steps": 10_000_000,  # loop iterations and function calls of one macrostep's scripts (js/budget.py)
    "script_seconds": 5.0,  # time one macrostep's scripts may take (js/budget.py)
    "script_memory": 512 << 20,  # bytes by which one macrostep's scripts may grow the process (js/budget.py)
    "timers": 10_000,  # delayed <send>s one session has pending at once (actions.py)
    "session_memory": 256 << 20,  # bytes of data one session keeps, when a session server weighs it (kept.py)
    "invoke_depth": 20,  # sessions invoked inside invoked sessions (a chart that invokes itself)
    "sessions": 100_000,  # sessions a host holds that `<session:start>` may add to (the host's limits count)
}


class Limits:
    """The limits of a host or a session: immutable, compared by value. (A plain class rather
    than a dataclass: `dataclasses` imports `inspect`, a tenth of the runtime's import time.)"""

    __slots__ = tuple(_FIELDS)
    microsteps: int
    internal_events: int
    errors: int
    external_events: int
    script_steps: int
    script_seconds: float
    script_memory: int
    timers: int
    session_memory: int
    invoke_depth: int
    sessions: int

    def __init__(
        self,
        *,
        microsteps: int = _FIELDS["microsteps"],
        internal_events: int = _FIELDS["internal_events"],
        errors: int = _FIELDS["errors"],
        external_events: int = _FIELDS["external_events"],
        script_steps: int = _FIELDS["script_steps"],
        script_seconds: float = _FIELDS["script_seconds"],
        script_memory: int = _FIELDS["script_memory"],
        timers: int = _FIELDS["timers"],
        session_memory: int = _FIELDS["session_memory"],
        invoke_depth: int = _FIELDS["invoke_depth"],
        sessions: int = _FIELDS["sessions"],
    ) -> None:
        values = locals()
        for name in _FIELDS:
            object.__setattr__(self, name, values[name])
        for name in ("microsteps", "internal_events", "errors", "external_events", "script_steps", "script_memory", "timers", "session_memory", "invoke_depth", "sessions"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be a positive integer")
        if not isinstance(self.script_seconds, (int, float)) or not self.script_seconds > 0:
            raise ValueError("Limits.script_seconds must be a positive number")

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError(f"Limits are immutable: make new ones (Limits({name}=...))")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Limits are immutable")

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other) -> bool:
        return self._values() == other._values() if type(other) is Limits else NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return "Limits(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS) + ")"

    def __reduce__(self):
        return (_make, (dict(zip(_FIELDS, self._values())),))


def _make(values: dict) -> Limits:
    return Limits(**values)  # (pickle and copy)


DEFAULT_LIMITS = Limits()

__all__ = ["DEFAULT_LIMITS", "Limits"]
