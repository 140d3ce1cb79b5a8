"""Host: runs many sessions on one clock; owns the registry of its sessions by `_sessionid`.

Machines from any number of generated modules can share a host. `#_scxml_<sessionid>` targets
reach the sessions of the sending machine's host only. A machine created without a host gets
the default host of its clock (one per clock object; machines made with no clock share the
process's default real-time host).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from .clock import Clock, RealClock

if TYPE_CHECKING:  # pragma: no cover
    from .machine import Machine

_default_hosts: "weakref.WeakKeyDictionary[Clock, Host]" = weakref.WeakKeyDictionary()
_process_host: "Host | None" = None


class Host:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock if clock is not None else RealClock()
        # Weak: a session the application dropped leaves the registry by itself.
        self.sessions: "weakref.WeakValueDictionary[str, Machine]" = weakref.WeakValueDictionary()

    @classmethod
    def for_clock(cls, clock: Clock | None) -> "Host":
        """The default host of a clock (of the process, for machines given no clock)."""
        global _process_host
        if clock is None:
            if _process_host is None:
                _process_host = cls()
            return _process_host
        host = _default_hosts.get(clock)
        if host is None:
            host = _default_hosts[clock] = cls(clock)
        return host

    def start(self, chart: "type[Machine]", **kwargs: Any) -> "Machine":
        """Create a session of `chart` (a generated class) in this host and start it."""
        return chart(host=self, **kwargs).start()

    def run_until_idle(self, max_seconds: float = 60.0) -> None:
        """Process every session's queued events and fire the timers due within max_seconds
        (jumping ahead on a SimulatedClock, sleeping on a RealClock)."""
        clock = self.clock
        deadline = clock.now() + max_seconds
        while True:
            for machine in list(self.sessions.values()):
                if machine.running and machine.external_queue:
                    machine.run_guarded(None)
            due = clock.next_due()
            if due is None or due > deadline:
                break
            clock.wait_until(due)
            clock.fire_due()

    def close(self) -> None:
        """End every session of this host (their timers and children are cancelled)."""
        for machine in list(self.sessions.values()):
            machine.close()
        self.clock.compact()

    def __len__(self) -> int:
        return len(self.sessions)
