"""Host: runs many sessions on one clock; owns the registry of its sessions by `_sessionid`.

Machines from any number of generated modules can share a host. `#_scxml_<sessionid>` targets
reach the sessions of the sending machine's host only. A machine created without a host gets
the default host of its clock (one per clock object; machines made with no clock share the
process's default real-time host).
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

from .clock import Clock, RealClock

if TYPE_CHECKING:  # pragma: no cover
    from .machine import Machine

_default_hosts: "weakref.WeakKeyDictionary[Clock, Host]" = weakref.WeakKeyDictionary()
_process_host: "Host | None" = None


class Host:
    def __init__(self, clock: Clock | None = None, *, http_host: str = "127.0.0.1", http_port: int = 0) -> None:
        """`http_host`/`http_port`: where the Basic HTTP processor listens (loopback and an
        ephemeral port by default); it starts when a session first reads its location."""
        self.clock = clock if clock is not None else RealClock()
        self.http_host = http_host
        self.http_port = http_port
        self._http = None
        self._http_lock = threading.Lock()
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
        if getattr(self.clock, "_loop", False) is None:
            self.clock.loop  # an asyncio host: remember the running loop for HTTP wake-ups
        return chart(host=self, **kwargs).start()

    def _notify(self) -> None:
        """From the HTTP server's thread: an event was queued. On an asyncio host the loop
        processes it at once; otherwise run_until_idle or send will."""
        loop = getattr(self.clock, "_loop", None)
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.process_queued)

    def process_queued(self) -> None:
        """Process the queued external events of every session."""
        for machine in list(self.sessions.values()):
            if machine.running and machine.external_queue:
                machine.run_guarded(None)

    def run_until_idle(self, max_seconds: float = 60.0) -> None:
        """Process every session's queued events and fire the timers due within max_seconds
        (jumping ahead on a SimulatedClock, sleeping on a RealClock)."""
        clock = self.clock
        deadline = clock.now() + max_seconds
        while True:
            self.process_queued()
            due = clock.next_due()
            if due is None or due > deadline:
                break
            clock.wait_until(due)
            clock.fire_due()

    def basichttp(self):
        """This host's Basic HTTP Event I/O Processor (SCXML C.2), started on first use."""
        from .basichttp import BasicHTTPServer

        with self._http_lock:
            if self._http is None:
                self._http = BasicHTTPServer(self.sessions, self.http_host, self.http_port, self._notify)
            return self._http

    def close(self) -> None:
        """End every session of this host (their timers and children are cancelled) and stop
        its HTTP server."""
        for machine in list(self.sessions.values()):
            machine.close()
        self.clock.compact()
        with self._http_lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def __len__(self) -> int:
        return len(self.sessions)
