"""Tracing: one structured record per event taken, transition, state entered or exited, log line, error event and extension request, for the sessions of a host that asks for it (`Host(trace=...)`).

A traced session is an instance of a subclass of its chart (`traced(chart)`) that reports from
the points of the algorithm where those things happen, and never takes the runtime's shortcuts
(recorded plans, the lean path of `send()`), so nothing it does goes unreported. Untraced
sessions pay nothing for this: tracing is off unless a host has a `trace` callable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any, Callable

from .events import EXTERNAL_TEMPLATE, send_fields
from .interpreter import iter_bits, iter_bits_reversed
from .machine import derived_class
from .js import UNDEFINED, js_display, to_js, to_py

KINDS = ("start", "event", "transition", "exit", "enter", "log", "error", "request", "queued", "end")


@dataclass(frozen=True)
class TraceRecord:
    """What happened: `kind` (one of KINDS), in which session, at what time of the host's clock
    (`time`: simulated or real seconds), with `details` (JSON-like data)."""

    session: str
    time: float
    kind: str
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return format_record(self)


def format_record(r: TraceRecord) -> str:
    """One readable line: `[   1.500] S1 transition a -> b on go (line 12)`."""
    d = r.details
    head = f"[{r.time:9.3f}] {r.session}"
    if r.kind == "event":
        data = "" if d.get("data") is None else " " + short_text(d["data"])
        return f"{head} event {d['name']} ({d['type']}){data}"
    if r.kind == "transition":
        targets = " ".join(d["targets"]) or "(targetless)"
        on = f" on {d['event']}" if d.get("event") else " (eventless)"
        return f"{head} transition {d['source']} -> {targets}{on} (line {d['line']})"
    if r.kind in ("enter", "exit"):
        return f"{head} {r.kind} {d['state']}"
    if r.kind == "log":
        return f"{head} log {d['label'] + ': ' if d.get('label') else ''}{d['text']}"
    if r.kind == "error":
        return f"{head} error {d['name']} {short_text(d.get('data'))}"
    if r.kind == "request":
        return f"{head} request {d['action']} {d['requestid']} (line {d['line']})"
    if r.kind == "queued":
        return f"{head} queued {d['name']} {short_text(d.get('data'))}"
    if r.kind == "start":
        return f"{head} start {d['chart']}"
    if r.kind == "end":
        return f"{head} end ({d['reason']}{', in ' + d['final'] if d.get('final') else ''})"
    return f"{head} {r.kind} {short_text(d)}"


def short_text(value: Any, limit: int = 160) -> str:
    """`value` as compact JSON (its repr when it has none), cut to `limit` characters."""
    import json

    try:
        text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _data(value: Any) -> Any:
    """Event data as JSON-like Python data for a record."""
    if value is UNDEFINED:
        return None
    try:
        return to_py(to_js(value))
    except Exception:  # noqa: BLE001 - data that cannot be shown is shown by its text
        return js_display(value)


def traced(chart: type) -> type:
    """The traced subclass of a chart class (made once per chart)."""
    return derived_class(chart, "traced", lambda: type(chart.__name__, (TracingMixin, chart), {"__module__": chart.__module__}))


class TracingMixin:
    """The reporting points of a traced session (see the module docstring)."""

    def _record(self, kind: str, **details: Any) -> None:
        sink: Callable[[TraceRecord], None] | None = self.host.trace
        if sink is not None:
            sink(TraceRecord(self.sessionid, self.clock.now(), kind, details))

    # -- no shortcuts ---------------------------------------------------------------------

    def _plannable(self, enabled) -> bool:
        return False

    def send(self, name: str, data: Any = None, **fields: Any) -> None:
        event = EXTERNAL_TEMPLATE.copy()
        event["name"] = name
        if fields:
            event.update(send_fields(fields))
        if data is not None:
            event["data"] = to_js(data)
        self.enqueue_external(event)

    # -- the algorithm ----------------------------------------------------------------------

    def start(self):
        self._record("start", chart=type(self).__name__, document=self.document_url or self.source_file)
        return super().start()

    def take_event(self, event: dict) -> None:
        self._record("event", name=event["name"], type=event["type"], data=_data(event.get("data", UNDEFINED)))
        return super().take_event(event)

    # A microstep reports in the order of Appendix D: the states it exits (then their onexit
    # content runs), its transitions (then their content), the states it enters (then their
    # onentry content).

    def exit_states(self, enabled) -> None:
        ids = self.tables.ids
        for s in iter_bits_reversed(self.compute_exit_set(enabled)):
            self._record("exit", state=ids[s])
        return super().exit_states(enabled)

    def execute_transition_content(self, enabled) -> None:
        tables = self.tables
        event = self.dm.get("_event")
        name = event.get("name") if isinstance(event, dict) else None
        for t in enabled:
            tr = tables.transitions[t]
            if tr.source == 0:
                continue  # the document's initial transition
            self._record(
                "transition",
                source=tables.ids[tr.source],
                targets=[tables.ids[s] for s in tr.targets],
                event=name if tr.events else None,
                line=tr.line,
            )
        return super().execute_transition_content(enabled)

    def enter_states(self, enabled) -> None:
        ids = self.tables.ids
        for s in iter_bits(self.compute_entry_set(enabled)[0]):
            self._record("enter", state=ids[s])
        return super().enter_states(enabled)

    def exit_interpreter(self) -> None:
        if not self.exited:
            for s in iter_bits_reversed(self.config):
                self._record("exit", state=self.tables.ids[s])
        final = self.final_state
        super().exit_interpreter()
        self._record("end", reason="final" if final is not None else "ended", final=final)

    def log(self, label, *value, level=None) -> None:
        self._record("log", label=label, text=js_display(value[0]) if value else "", level=level)
        return super().log(label, *value, level=level)

    def raise_error(self, name, exc, sendid=UNDEFINED) -> None:
        super().raise_error(name, exc, sendid)
        event = self.internal_queue[-1] if self.internal_queue else None
        if event is not None:
            self._record("error", name=event["name"], data=_data(event["data"]))

    def _raise_platform(self, name: str, data: dict) -> None:
        self._record("error", name=name, data=_data(data))
        return super()._raise_platform(name, data)

    def _remember(self, request) -> None:
        self._record("request", action=f"{request.module}:{request.action}", requestid=request.id, line=request.line)
        return super()._remember(request)

    def enqueue_external(self, event: dict) -> None:
        if self.running or not self.started:
            self._record("queued", name=event["name"], data=_data(event.get("data", UNDEFINED)))
        return super().enqueue_external(event)


__all__ = ["KINDS", "TraceRecord", "TracingMixin", "format_record", "short_text", "traced"]
