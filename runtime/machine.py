"""Machine: the public session API (start, send, run_until_idle) driving the interpreter on a clock."""

from __future__ import annotations

import logging
from collections import deque
from typing import Any, Callable

from .actions import SCXML_PROCESSOR, ActionsMixin, ExecutionError, locate_error
from .clock import Clock
from .host import Host
from .events import EXTERNAL_TEMPLATE, PLATFORM, make_event
from .basichttp import BASICHTTP_TYPE, IOProcessorEntry
from .limits import Limits
from .js.budget import install_budget
from .interpreter import ChartTables, Interpreter, iter_bits
from .invoke import InvokeMixin
from .js import JSThrow, UNDEFINED, error_name_message, js_native, new_globals, to_js
from .js.realm import APPLIED, switch_realm
from .requests import RequestsMixin
from .tables import StateDef, TransitionDef

_log = logging.getLogger("scxmlc_runtime")


class Machine(InvokeMixin, RequestsMixin, ActionsMixin, Interpreter):
    """Base class of every generated chart class.

    Generated subclasses set `STATES`, `TRANSITIONS`, `name`, `datamodel_kind`, `binding`,
    `source_file` and `global_scripts`; charts that use extension modules also `actions`
    (the extension actions they use, "module:element"), `environment` (the script
    environment they run in, e.g. "genesys") and `REQUEST_OWNERS` (the states that can own
    pending requests, requests.py); everything else is here and in the interpreter.
    """

    on_error: Callable[["Machine", dict], None] | None = None  # (see __init__)
    macro_errors = 0  # error events raised so far (a macrostep counts its own: limits.py)
    limit_reason: str | None = None  # why a limit ended the session

    STATES: tuple[StateDef, ...] = ()
    TRANSITIONS: tuple[TransitionDef, ...] = ()
    REQUEST_OWNERS: tuple[int, ...] = ()
    name: str | None = None
    datamodel_kind = "ecmascript"
    binding = "early"
    source_file = ""
    global_scripts: tuple[Callable, ...] = ()
    actions: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()  # the modules of `actions`
    environment: str | None = None
    persist = True  # ORS `_persist`: whether a session server may store its sessions
    # Where the session's document came from, when not the chart's own file (documents.py).
    document_url: str | None = None
    # <session:start> parameters, applied once the datamodel is initialised (ors-extensions.md §2).
    _start_params: dict | None = None
    # Called with (machine, reason, data) when the session ends (reason "final" or "cancelled").
    _end_hooks: list | None = None
    # This session's own changes to the built-in objects (js/realm.py), once it makes one; the
    # session then becomes a SupervisedSession (a subclass of its chart whose `chart_class` names
    # the chart itself).
    realm_patches = None
    chart_class: type | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "actions" in cls.__dict__:
            cls.modules = tuple(sorted({a.partition(":")[0] for a in cls.actions}))
        if cls.STATES and "tables" not in cls.__dict__:
            cls.tables = ChartTables(cls.STATES, cls.TRANSITIONS, cls.REQUEST_OWNERS)
            cls.late_binding = cls.binding == "late"

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        host: Host | None = None,
        log: Callable[[str | None, str], None] | None = None,
        sessionid: str | None = None,
        on_error: Callable[["Machine", dict], None] | None = None,
        limits: Limits | None = None,
    ):
        """`on_error(machine, event)`: called with each error event this session raises
        (error.execution, error.communication, ...), besides the WARNING log line; the host's
        `on_error` hears those of every session. `limits`: what one macrostep may do
        (limits.py; default: the host's)."""
        if host is None:
            host = Host.for_clock(clock)
        elif clock is not None and clock is not host.clock:
            raise ValueError("a machine runs on its host's clock: pass the host or the clock, not both")
        self.host = host
        self.clock = host.clock
        self.sessionid = sessionid or host.ids.session_id()
        self.external_queue: deque[dict] = deque()
        self.log_handler = log
        if on_error is not None:
            self.on_error = on_error
        self.limits = limits if limits is not None else host.limits
        self.final_state: str | None = None
        self.final_configuration = 0
        self.started = False
        self._busy = False
        self._timers: dict[str, Any] = {}
        self._finished = None  # an asyncio future, created by wait_done()
        self._init_interpreter()
        self._init_invoke()
        self.dm = self.new_datamodel()
        host.sessions[self.sessionid] = self

    def new_datamodel(self) -> dict:
        """An empty datamodel with this session's script budget (js/budget.py: ticks counted
        per macrostep, told apart by `macro_serial`)."""
        dm = new_globals()
        install_budget(dm, self)
        return dm

    # -- public API -----------------------------------------------------------------------

    def start(self) -> "Machine":
        """Initialise the datamodel, enter the initial configuration and run to stability."""
        if self.started:
            raise RuntimeError("machine already started")
        self.started = True
        self.running = True
        # Events sent to ourselves during initialisation wait for the first macrostep.
        self._busy = True
        prev = APPLIED[0]
        if prev is not None:
            switch_realm(None)  # (a new session has no patches: pristine built-ins)
        try:
            self._initialise()
            self._settle()
        finally:
            self._busy = False
            if APPLIED[0] is not prev:
                switch_realm(prev)
        return self

    def snapshot(self) -> bytes:
        """The session as bytes, between macrosteps (snapshot.py); `Chart.restore(data)` makes
        it run again."""
        from .snapshot import snapshot

        return snapshot(self)

    @classmethod
    def restore(
        cls, data: bytes, host: "Host | None" = None, log: Callable[[str | None, str], None] | None = None, force: bool = False
    ) -> "Machine":
        """A session of this chart from `snapshot()`'s bytes, alive in `host` (timers armed,
        queued events waiting); SnapshotError when the data is not a snapshot of this chart.
        `force`: accept a snapshot of another version of the chart (an operator's decision,
        `scxmlc sessions resume --force`): states, data and functions are found again by
        their names, and whatever is gone is a SnapshotError."""
        from .snapshot import restore

        return restore(cls, data, host, log, force=force)

    def realm_patched(self, prev: Any) -> None:
        """This session has just changed a built-in for the first time (js/realm.py; `prev`:
        the patches that were applied before its own). It becomes a SupervisedSession, whose
        runs put its changes in place and take them out again; other sessions pay nothing."""
        self._supervised(prev)

    def supervise(self, on_quiet: Callable[["Machine"], None]) -> None:
        """Call `on_quiet(self)` whenever a run of this session ends (a send, a timer, a
        delivery: the session is between macrosteps again): a session server stores it then
        (server/durable.py). The session becomes a SupervisedSession; others pay nothing."""
        self._supervised(APPLIED[0] if self._busy else None)
        self.__dict__["_on_quiet"] = on_quiet

    def _supervised(self, prev: Any) -> None:
        if isinstance(self, SupervisedSession):
            return
        d = self.__dict__
        d["_realm_busy"] = d.pop("_busy", False)
        d["_realm_prev"] = prev
        self.__class__ = _supervised_class(type(self))

    def in_realm(self, fn, *args, **kwargs) -> Any:
        """fn(*args) with the built-ins as this session sees them (js/realm.py): for each
        entry into a session's code other than start and send."""
        prev = APPLIED[0]
        if prev is not self.realm_patches:
            switch_realm(self.realm_patches)
        try:
            return fn(*args, **kwargs)
        finally:
            if APPLIED[0] is not prev:
                switch_realm(prev)

    def install_globals(self) -> None:
        """The system variables (SCXML 5.10), `In`, and the environment and services of the
        chart's extensions: what every session's datamodel starts with (a restored one too)."""
        dm = self.dm
        # SCXML 5.10: _event is declared but unbound (undefined) until the first event.
        dm["_event"] = UNDEFINED
        dm["_sessionid"] = self.sessionid
        dm["_name"] = self.name if self.name is not None else UNDEFINED
        location = "#_scxml_" + self.sessionid
        http = IOProcessorEntry(self.host, self.sessionid)
        dm["_ioprocessors"] = {
            SCXML_PROCESSOR: {"location": location},
            "scxml": {"location": location},
            BASICHTTP_TYPE: http,
            "basichttp": http,
        }
        dm["In"] = js_native(self._js_in, "In")
        if self.environment is not None or self.modules:
            self.host.install_extensions(self)

    def _initialise(self) -> None:
        self.install_globals()
        dm = self.dm
        tables = self.tables
        if self.datamodel_kind != "null":
            # SCXML 5.3: every <data> item is created now (undefined: generated code reads
            # them by plain subscript, so they must exist before any code runs); early
            # binding then assigns them all in document order, late binding each when its
            # state is first entered.
            for st in tables.states:
                for data_id, _ in st.data:
                    dm[data_id] = UNDEFINED
            for i, st in enumerate(tables.states):
                if i == 0 or not self.late_binding:
                    self.initialize_data(st)
            if self._initial_data:
                # SCXML 6.4.4: namelist and <param> values of the <invoke> replace the values
                # of the child's top-level data items of the same names.
                declared = {data_id for data_id, _ in tables.states[0].data}
                for key, value in self._initial_data.items():
                    if key in declared:
                        dm[key] = value
            if self._start_params:
                # ors-extensions.md §2: a param replaces the data item of its name, wherever it
                # is declared, or becomes a new variable (after the declared ones).
                dm.update(self._start_params)
            self.late_bound = 1
            for script in self.global_scripts:
                self.execute_content(script)
        self.enter_states([tables.states[0].initial])

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
        """Queue an external event and process events until the machine is stable.

        `data` is Python data (dicts, lists, numbers, strings); it reaches ECMAScript as
        `_event.data`, converted when code first needs it (data that cannot be converted is
        then an error.execution there). The other fields set the SCXML event fields of the
        same names.
        """
        lean = self._lean
        if (
            lean is not None
            and data is None
            and self._lean_of is self.config
            and (plan := lean.get(name)) is not None
            and sendid is origin is origintype is invokeid is UNDEFINED
            and not self._busy
            and not self.external_queue
        ):
            # A step seen before from this configuration that runs no code and leaves nothing
            # to do (no eventless transitions, no internal events, no invokes): only the
            # configuration changes. No code can observe `_event` until code runs again, so
            # the event object is built then (_bind_lazy_event), not now.
            self._lazy_event = name
            self.config = self._lean_of = plan[0]
            self._lean = plan[1]
            return
        event = EXTERNAL_TEMPLATE.copy()  # copying beats building (the hottest path)
        event["name"] = name
        if sendid is not UNDEFINED or origin is not UNDEFINED or origintype is not UNDEFINED or invokeid is not UNDEFINED:
            event.update(sendid=sendid, origin=origin, origintype=origintype, invokeid=invokeid)
        tables = self.tables
        queued = self._busy or self.external_queue or not self.running
        if data is not None:
            if queued or tables.invoke_mask:
                event["data"] = to_js(data)
            else:
                # Idle machine, no invokes: this event is processed now, before send returns,
                # so its data is converted only when code other than a fast path may read it
                # (convert_event, called by generated code): fast paths read the host's data
                # as it is (scxmlc/ecmascript/speculate.py, RAW), and converting a payload
                # costs more than the rest of a step. Events that wait in a queue are
                # converted now.
                event["data"] = data
                self.raw_event = event
        if queued:
            self.enqueue_external(event)
            return
        # Idle machine, empty queue: process the event directly (the common case).
        if self._config_of_id is not self.config:
            self.sync_config_id()
        plan = self._config_plans.get(name)
        self._busy = True
        try:
            if plan is None:
                guards = tables.guarded_plans.get(self._config_id)
                if guards is not None and (guards := guards.get(name)):
                    # take_event's guarded branch and the end of process_external_event
                    # (charts with guarded plans have no invokes), with the common case of
                    # take_guarded inlined: the selector names a candidate whose recorded
                    # microstep is one block (a targetless transition's), called here.
                    self.dm["_event"] = event
                    self._lazy_event = None
                    select, candidates = guards
                    k = select(self) if select is not None else -1
                    if 0 <= k < len(candidates) and (block := candidates[k][3]) is not None:
                        # a targetless transition's block: the whole microstep
                        try:
                            block(self)
                        except Exception as exc:  # noqa: BLE001 - SCXML 4.9, as in execute_content
                            self.raise_error("error.execution", exc)
                    else:
                        self.take_guarded(guards, k)
                    if self.internal_queue or self.config & tables.eventless_mask:
                        self.macrostep()
                    if not self.running:
                        self.exit_interpreter()
                else:
                    self.process_external_event(event)
            else:
                # The plan branch of Interpreter.take_event and the end of
                # process_external_event, inlined: this is the hottest path of the runtime.
                self.dm["_event"] = event
                self._lazy_event = None
                steps, config, _, self._config_id, self._config_plans = plan
                if steps:
                    self.replay(plan)
                else:
                    self.config = config  # no invokes in charts with event plans: nothing else
                self._config_of_id = config
                if self.internal_queue or config & tables.eventless_mask:
                    self.macrostep()
                    if not self.running:
                        self.exit_interpreter()
            if self.external_queue:
                self._drain()
            if tables.lean_plans and self.running:
                self._refresh_lean()
        finally:
            self._busy = False

    def _refresh_lean(self) -> None:
        """Point `_lean` at the code-free steps known from the current configuration."""
        if self._config_of_id is not self.config:
            self.sync_config_id()
        self._lean = self.tables.lean_plans.get(self._config_id)
        self._lean_of = self.config

    def run_until_idle(self, max_seconds: float = 60.0) -> bool:
        """Process until done or nothing can happen: timers due within max_seconds fire.

        With a SimulatedClock time jumps to each timer; with a RealClock this sleeps.
        Results of network I/O (fetches of extension modules) are taken too: while some is
        in flight this waits for it in real time, also on a SimulatedClock (Host.pump).
        Returns True when the machine has finished.
        """
        if not self.started:
            self.start()
        self.host.pump(max_seconds, lambda: self.in_realm(self._drain), lambda: not self.running)
        return not self.running

    # -- asyncio ----------------------------------------------------------------------------

    async def send_async(self, name: str, data: Any = None, **fields: Any) -> None:
        """`send` for asyncio apps: processes the event, then yields to the loop."""
        import asyncio

        self.send(name, data, **fields)
        await asyncio.sleep(0)

    async def wait_done(self, timeout: float | None = None) -> bool:
        """Wait until the machine reaches a top-level final state (timers keep firing on an
        AsyncioClock meanwhile); False when `timeout` seconds pass first."""
        import asyncio

        if not self.started:
            self.start()
        if self.done:
            return True
        if self._finished is None:
            self._finished = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(asyncio.shield(self._finished), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    def on_finished(self) -> None:
        # A terminated session sends nothing more: its delayed events are cancelled (6.2; W3C 187).
        self._cancel_timers()
        if self._requests:
            self.release_requests()  # ors-extensions.md §3.10: pending requests end with it
        if self._end_hooks:
            hooks, self._end_hooks = self._end_hooks, None
            for hook in hooks:
                hook(self)
        reports = self.__dict__.get("_end_reports")
        if reports:
            for module, data in reports:
                try:
                    self.host.service(module).session_end_report(self, data)
                except Exception:  # noqa: BLE001 - one report's failure must not stop the end
                    _log.exception("session %s: end report to %s", self.sessionid, module)
        if self.modules or self.environment is not None:
            self.host.session_ended(self)
        else:
            self.host.release(self)  # (no services to tell)
        if self._finished is not None and not self._finished.done():
            self._finished.set_result(True)

    def report_end_to(self, module: str, data: Any) -> None:
        """When this session ends, call `session_end_report(machine, data)` of the module's
        service. Unlike `on_end`, this is data (JSON-ready), so it is stored with the session
        and outlives a restore: how a <session:start> child tells its starter."""
        self.__dict__.setdefault("_end_reports", []).append([module, data])

    def on_end(self, hook: Callable[["Machine"], None]) -> None:
        """Call hook(machine) once when this session ends, whatever the reason
        (`final_state` says whether a top-level final was reached)."""
        if self._end_hooks is None:
            self._end_hooks = []
        self._end_hooks.append(hook)

    @property
    def done(self) -> bool:
        return self.started and not self.running

    @property
    def configuration(self) -> frozenset[str]:
        """Active state ids; after the machine finished, the configuration it stopped in."""
        mask = self.config if self.running or not self.started else self.final_configuration
        ids = self.tables.ids
        return frozenset(ids[i] for i in iter_bits(mask))

    @property
    def datamodel(self):
        self._bind_lazy_event()
        if self.raw_event is not None:
            self.convert_event()
        return self.dm

    def is_active(self, state_id: str) -> bool:
        i = self.tables.index.get(state_id)
        return i is not None and bool(self.config >> i & 1)

    def close(self) -> None:
        """End the session at once (no onexit handlers run): cancel its timers and its invoked
        children, and leave the registries, so nothing of it is kept alive."""
        self._cancel_timers()
        self.running = False
        self._lean = None
        if self._requests:
            self.release_requests()
        for _, _, child in list(self._children.values()):
            child.cancel_session()
        self._children.clear()
        self.external_queue.clear()
        self.internal_queue.clear()
        self.host.sessions.pop(self.sessionid, None)
        if self.modules or self.environment is not None:
            self.host.session_ended(self)

    # -- queues ---------------------------------------------------------------------------

    def enqueue_external(self, event: dict) -> None:
        if self.started and not self.running:
            return  # the session has ended: nothing will ever process it
        self.external_queue.append(event)
        if not self._busy and self.started:
            self.run_guarded(None)

    def run_guarded(self, fn, *args) -> None:
        """Run fn (a timer's work) and then every queued event, unless already processing."""
        if self._busy:
            if fn is not None:
                fn(*args)
            return
        # The built-ins as this session sees them (js/realm.py): this is how one session's
        # run nests in another's (a delivery, a timer), so it restores what it found.
        prev = APPLIED[0]
        self._busy = True
        if APPLIED[0] is not self.realm_patches:
            switch_realm(self.realm_patches)
        self.macro_serial += 1
        try:
            if fn is not None:
                fn(*args)
            self._settle()
        finally:
            self._busy = False
            if APPLIED[0] is not prev:
                switch_realm(prev)

    def _settle(self) -> None:
        """Complete the macrostep in progress (a no-op when nothing is pending), end the
        session if it reached a top-level final, then process queued external events."""
        if self.running:
            self.macrostep()
        if not self.running:
            self.exit_interpreter()
        self._drain()

    def _drain(self) -> None:
        queue = self.external_queue
        left = self.limits.external_events
        while queue and self.running:
            left -= 1
            if left < 0:
                # limits.py: a session that keeps sending itself events never waits again
                limit = self.limits.external_events
                self.limit_exceeded(0, self.limits, reason=f"more than {limit} external events in one run (a session that sends itself events without end?)")
                queue.clear()
                self.exit_interpreter()
                return
            self.process_external_event(queue.popleft())

    # -- datamodel ------------------------------------------------------------------------

    def initialize_data(self, state: StateDef) -> None:
        dm = self.dm
        params = self._start_params
        for data_id, init in state.data:
            if params is not None and data_id in params and self.late_bound:
                continue  # late binding: the <session:start> param already holds it (§2)
            if init is None:
                dm[data_id] = UNDEFINED
                continue
            try:
                dm[data_id] = init(self)
            except Exception as exc:  # noqa: BLE001 - any failure becomes error.execution
                # SCXML 5.3/B.2: a data item whose value cannot be computed is left undefined
                # and error.execution is raised; initialisation goes on.
                dm[data_id] = UNDEFINED
                self.raise_error("error.execution", exc)

    def condition_match(self, t: int) -> bool:
        try:
            return self.tables.transitions[t].cond(self)
        except Exception as exc:  # noqa: BLE001
            # SCXML 5.9.1: a condition that cannot be evaluated is false, and error.execution.
            self.raise_error("error.execution", exc)
            return False

    def execute_content(self, block) -> None:
        try:
            block(self)
        except Exception as exc:  # noqa: BLE001
            # SCXML 4.9: an error stops the rest of the block and raises error.execution.
            self.raise_error("error.execution", exc)

    def done_data(self, state: StateDef):
        if state.donedata is None:
            return UNDEFINED
        try:
            return state.donedata(self)
        except Exception as exc:  # noqa: BLE001
            self.raise_error("error.execution", exc)
            return UNDEFINED

    def raise_error(self, name: str, exc: BaseException, sendid: Any = UNDEFINED) -> None:
        """Place an error event on the internal queue, with what went wrong and where."""
        if isinstance(exc, ExecutionError) and exc.event:
            name = exc.event
        if isinstance(exc, JSThrow):
            err_name, message = error_name_message(exc.value)
        elif isinstance(exc, ExecutionError):
            err_name, message = exc.kind, str(exc)
        else:
            # A failure of generated or runtime code itself: still an error event, never a crash.
            err_name, message = type(exc).__name__, str(exc)
            _log.debug("internal error in executable content", exc_info=exc)
        where = locate_error(exc, self.source_file)
        data = to_js({"name": err_name, "message": message, "location": where})
        if isinstance(exc, ExecutionError) and exc.sendid is not UNDEFINED:
            sendid = exc.sendid
        self.error_event(make_event(name, data, type=PLATFORM, sendid=sendid), f"{err_name}: {message} ({where})")

    def limit_check(self, queue, steps: int, errors0: int) -> bool:
        """Every 256 microsteps of a macrostep (interpreter.macrostep): still within the
        limits (limits.py)? True when not: the session has been ended."""
        limits = self.limits
        if steps >= limits.microsteps or self.macro_errors - errors0 > limits.errors or len(queue) > limits.internal_events:
            self.limit_exceeded(steps, limits, self.macro_errors - errors0)
            return True
        return False

    def limit_exceeded(self, steps: int, limits: Limits, errors: int = 0, reason: str | None = None) -> None:
        """A macrostep went over a limit (limits.py): the session ends, and says why."""
        # (the most telling first: a runaway queue or errors also take many microsteps)
        if reason is not None:
            pass
        elif len(self.internal_queue) > limits.internal_events:
            reason = f"more than {limits.internal_events} internal events queued (events raised faster than they are taken?)"
        elif errors > limits.errors:
            reason = f"more than {limits.errors} error events in one macrostep (a failing condition re-evaluated after each error?)"
        else:
            reason = f"more than {limits.microsteps} microsteps in one macrostep (transitions that lead to each other without an event?)"
        self.limit_reason = reason
        self.internal_queue.clear()
        self.running = False  # (the caller exits the interpreter: onexit handlers run)
        _log.error("session %s ended: %s", self.sessionid, reason)
        parent = getattr(self, "parent", None)
        if parent is not None and parent.running:
            data = to_js({"sessionid": self.sessionid, "reason": reason})
            parent.enqueue_external(make_event("error.limit", data, type=PLATFORM, invokeid=getattr(self, "invokeid", "") or ""))

    def error_event(self, event: dict, text: str) -> None:
        """Queue a platform error event (internal queue). A chart may handle its error events,
        but one that does not just sits still: say it where people look (WARNING), and to
        whoever asked (`on_error`)."""
        self.internal_queue.append(event)
        self.macro_errors += 1
        _log.warning("%s: %s: %s", self.sessionid, event["name"], text)
        for hook in (self.on_error, self.host.on_error):
            if hook is not None:
                try:
                    hook(self, event)
                except Exception:  # noqa: BLE001 - a callback's failure must not stop the session
                    _log.exception("on_error callback failed")

    def _cancel_timers(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def _js_in(self, this, state_id=UNDEFINED, *rest):
        # SCXML 5.9.1 In(): true when the state is in the active configuration.
        return isinstance(state_id, str) and self.is_active(state_id)


class SupervisedSession:
    """The chart class of a session that is watched (mixed in front of it): one that changed
    built-in objects (js/realm.py), or one a session server stores (`Machine.supervise`).
    Every run of the session, however it starts (send, a timer, a result, a bound `send` kept
    from before), sets `_busy`, and here that puts the session's changes to built-ins in place;
    the run's end puts back what was there and tells the supervisor. The hot paths of sessions
    that are not watched have no such step."""

    @property
    def _busy(self) -> bool:
        return self.__dict__["_realm_busy"]

    @_busy.setter
    def _busy(self, value: bool) -> None:
        d = self.__dict__
        if value:
            if not d["_realm_busy"]:  # a run starts
                d["_realm_prev"] = prev = APPLIED[0]
                if prev is not self.realm_patches:
                    switch_realm(self.realm_patches)
            d["_realm_busy"] = True
        elif d["_realm_busy"]:  # the run ends
            prev = d["_realm_prev"]
            if APPLIED[0] is not prev:
                switch_realm(prev)
            d["_realm_busy"] = False
            hook = d.get("_on_quiet")
            if hook is not None:
                hook(self)


_SUPERVISED_CLASSES: dict[type, type] = {}


def _supervised_class(cls: type) -> type:
    """SupervisedSession in front of a chart class (made once per class, sharing its tables)."""
    found = _SUPERVISED_CLASSES.get(cls)
    if found is None:
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__, "tables": cls.tables, "chart_class": cls}
        found = _SUPERVISED_CLASSES[cls] = type(cls.__name__, (SupervisedSession, cls), namespace)
    return found
