"""Execution limits: how much one macrostep may do before its session is ended (a chart that loops for ever must not stop the others).

A macrostep is bounded by the number of microsteps it takes, the internal events waiting in its
queue and the error events it raises. The defaults are far above what a sane chart reaches (the
W3C suite's largest macrostep takes a few dozen microsteps); change them per host
(`Host(limits=Limits(...))`) or per session (`Chart(limits=...)`). They are looked at every 256
microsteps (the cost of a macrostep stays one decrement per microstep), so a session may go up
to that far past one before it is stopped.

When one trips, the session ends at once, in a defined way: the macrostep stops, the session's
active states are exited as for any end (their `<onexit>` runs), the reason is logged at ERROR
on `scxmlc_runtime` and kept as `machine.limit_reason`, and the session that invoked it (or,
under ORS, started it) receives `error.limit` with `{sessionid, reason}`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    microsteps: int = 100_000  # microsteps (transitions sets taken) in one macrostep
    internal_events: int = 100_000  # events waiting in the internal queue at once
    errors: int = 1_000  # error events one macrostep raises

    def __post_init__(self) -> None:
        for name in ("microsteps", "internal_events", "errors"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be a positive integer")


DEFAULT_LIMITS = Limits()

__all__ = ["DEFAULT_LIMITS", "Limits"]
