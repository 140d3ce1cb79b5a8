"""Reference mode: the W3C algorithm as Appendix D writes it, without the runtime's plans and caches, so that every trick can be checked against it.

`Machine(plans=False)`, `Host(plans=False)` or the environment variable SCXMLC_REFERENCE=1 (which
also compiles without fast paths: scxmlc's `speculate=False`) make a session run the plain path:
`send` queues the event and processes it as every queued event is processed (its data converted
at once), `take_event` selects and takes transitions without the recorded plans, selection
consults no cache, microsteps are never recorded or replayed and entry sets are computed each
time. The session's class is a subclass of its chart's (`PlainAlgorithm` first), made once per
chart class and sharing its tables: nothing a plain session does reads the tables' caches.
"""

from __future__ import annotations

import os
from typing import Any

from .events import EXTERNAL_TEMPLATE
from .interpreter import iter_bits
from .js import UNDEFINED, to_js

ENV = "SCXMLC_REFERENCE"


def reference_mode() -> bool:
    """Whether SCXMLC_REFERENCE=1 asks for the reference mode by default (runtime and compiler)."""
    return os.environ.get(ENV, "") == "1"


class PlainAlgorithm:
    """The Interpreter's hot paths without plans or caches (mixed in before the chart class)."""

    plans = False

    def send(
        self,
        name: str,
        data: Any = None,
        *,
        sendid: Any = UNDEFINED,
        origin: Any = UNDEFINED,
        origintype: Any = UNDEFINED,
        invokeid: Any = UNDEFINED,
    ) -> None:
        """Machine.send without its fast paths: the event goes through process_external_event
        (Appendix D mainEventLoop). Its data is handled as Machine.send handles it (converted
        when it is first read, for an event processed at once), so both modes behave alike.
        (The first lines are Machine.send's: a shared helper would cost its hottest path a call.)"""
        event = EXTERNAL_TEMPLATE.copy()
        event["name"] = name
        if sendid is not UNDEFINED or origin is not UNDEFINED or origintype is not UNDEFINED or invokeid is not UNDEFINED:
            event.update(sendid=sendid, origin=origin, origintype=origintype, invokeid=invokeid)
        queued = self._busy or self.external_queue or not self.running
        if data is not None:
            if queued or self.tables.invoke_mask:
                event["data"] = to_js(data)
            else:
                event["data"] = data
                self.raw_event = event
        if queued:
            self.enqueue_external(event)
            return
        self._busy = True
        try:
            self.process_external_event(event)
            if self.external_queue:
                self._drain()
        finally:
            self._busy = False

    def take_event(self, event: dict) -> None:
        """Bind `_event`, select the transitions it enables and take them (one microstep)."""
        self.dm["_event"] = event
        self._lazy_event = None
        enabled = self.select_transitions(event)
        if enabled:
            self.microstep(enabled)

    def select_transitions(self, event: dict) -> list[int]:
        """Appendix D selectTransitions: for each atomic state in document order, the first
        transition (of it or an ancestor) whose event matches and whose condition holds."""
        tables = self.tables
        name = event["name"]
        ts = tables.transitions
        enabled: list[int] = []
        for state in iter_bits(self.config & tables.atomic_mask):
            for t in tables.candidates_for(state, name):
                if ts[t].cond is not None and not self.condition_match(t):
                    continue
                if t not in enabled:
                    enabled.append(t)
                break
        return self.remove_conflicting_transitions(enabled) if len(enabled) > 1 else enabled

    def microstep(self, enabled: list[int]) -> None:
        """Appendix D microstep: exitStates, executeTransitionContent, enterStates."""
        self._plan = None
        self.exit_states(enabled)
        self.execute_transition_content(enabled)
        self.enter_states(enabled)

    def entry_set(self, enabled) -> tuple:
        """computeEntrySet, every time."""
        to_enter, default_entry, history_content, _ = self.compute_entry_set(enabled)
        return to_enter, default_entry, history_content


_PLAIN: dict[type, type] = {}


def plain_class(cls: type) -> type:
    """The reference-mode class of a session class (made once, sharing its tables): for a
    generated chart class, PlainAlgorithm before it; for a class that adds to one (a
    SupervisedSession, a test's checks), the same additions on the chart's plain class, so
    that what they add still runs first."""
    if issubclass(cls, PlainAlgorithm):
        return cls
    found = _PLAIN.get(cls)
    if found is None:
        namespace = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__")}
        namespace["tables"] = cls.tables  # (not a fresh ChartTables: Machine.__init_subclass__)
        namespace["chart_class"] = getattr(cls, "chart_class", None) or cls  # (snapshots name the chart)
        if "STATES" in cls.__dict__:
            bases: tuple = (PlainAlgorithm, cls)
            namespace = {k: namespace[k] for k in ("__module__", "__qualname__", "tables", "chart_class") if k in namespace}
        else:
            bases = tuple(plain_class(b) if "tables" in vars(b) or "STATES" in vars(b) else b for b in cls.__bases__)
        found = _PLAIN[cls] = type(cls.__name__, bases, namespace)
    return found


__all__ = ["ENV", "PlainAlgorithm", "plain_class", "reference_mode"]
