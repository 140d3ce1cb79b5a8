"""Host: runs many sessions on one clock; owns the registry of its sessions by `_sessionid`.

Machines from any number of generated modules can share a host. `#_scxml_<sessionid>` targets
reach the sessions of the sending machine's host only. A machine created without a host gets
the default host of its clock (one per clock object; machines made with no clock share the
process's default real-time host).

Besides sessions a host holds what they share: the services of extension modules (plugged in
like I/O processors, created when a session first uses one), the document loader that finds
charts by URL, the id generator, a log callback for every session, and the network I/O loop
whose results come back to the host's thread (io.py).
"""

from __future__ import annotations

import _collections_abc  # (collections.abc without collections: os, which site loads, loads it)
import _thread
import itertools
import time
from _weakref import ref as _ref  # (weakref.py and what it loads: about 1 ms of start-up, issue 14)

from .clock import Clock, RealClock

# The lock and the inbox are what threading.Lock and queue.SimpleQueue are, without importing
# those modules (about 2 ms of a process's start, issue 14); _queue, a shared library, is
# loaded with the first inbox (a host whose other threads hand it nothing has none).
SimpleQueue = Empty = None


def _queue_types() -> None:
    global SimpleQueue, Empty
    try:
        from _queue import Empty, SimpleQueue
    except ImportError:  # pragma: no cover - an interpreter without the C module
        from queue import Empty, SimpleQueue


TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Callable
    from .basichttp import BasicHTTPServer
    from .documents import DocumentLoader
    from .io import HostIO
    from .machine import Machine

# The default host of each clock, held weakly at both ends: a host holds its clock, so a strong
# value would keep every clock and host ever made (each `Chart(clock=SimulatedClock())` made one
# for good); the host lives as long as a session (`machine.host`) or the caller holds it.
# id(clock) -> (weak clock, weak host); the clock's reference removes its entry as the clock
# dies, before its id can be another object's.
_default_hosts: "dict[int, tuple[_ref, _ref]]" = {}
_process_host: "Host | None" = None
_session_counter = itertools.count(1)
_restored_max = [0]  # the largest counted id of a session restored here (Ids.seen)

ENV = "SCXMLC_REFERENCE"  # =1: the reference mode by default (reference.py)


def reference_mode() -> bool:
    """Whether SCXMLC_REFERENCE=1 asks for the reference mode by default (runtime and compiler)."""
    import os  # (loaded at start-up already, by site)

    return os.environ.get(ENV, "") == "1"


class _KeyedRef(_ref):
    """A weak reference that knows its key in a WeakValues mapping."""

    __slots__ = ("key",)

    def __new__(cls, obj: object, callback: Any, key: str) -> "_KeyedRef":
        self = _ref.__new__(cls, obj, callback)
        self.key = key
        return self

    def __init__(self, obj: object, callback: Any, key: str) -> None:
        super().__init__(obj, callback)


class WeakValues(_collections_abc.MutableMapping):
    """A mapping whose values are held weakly: an entry leaves as its value dies (what
    weakref.WeakValueDictionary does, without importing weakref at start-up). keys(), values()
    and items() are lists taken at the call, so a value dying while the caller iterates
    changes nothing under it."""

    def __init__(self) -> None:
        refs: dict[str, _KeyedRef] = {}
        self._refs = refs

        def remove(r: _KeyedRef, refs: dict = refs) -> None:
            # (Called by the collector, on any thread: only the entry of this very reference
            # goes; a newer value under the same key stays.)
            if refs.get(r.key) is r:
                refs.pop(r.key, None)

        self._remove = remove

    def __getitem__(self, key: str) -> Any:
        value = self._refs[key]()
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        r = self._refs.get(key)
        value = r() if r is not None else None
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        r = self._refs.get(key)
        return r is not None and r() is not None

    def __setitem__(self, key: str, value: Any) -> None:
        self._refs[key] = _KeyedRef(value, self._remove, key)

    def __delitem__(self, key: str) -> None:
        del self._refs[key]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._refs)

    def items(self) -> list:  # type: ignore[override]
        # (dict.copy takes the entries in one C call that makes no object the collector could
        # run for; list(items()) makes a tuple per entry, and a collection between two of them
        # runs the removal callbacks: "dictionary changed size during iteration")
        return [(k, v) for k, r in self._refs.copy().items() if (v := r()) is not None]

    def keys(self) -> list:  # type: ignore[override]
        return [k for k, _ in self.items()]

    def values(self) -> list:  # type: ignore[override]
        return [v for _, v in self.items()]

    def __repr__(self) -> str:
        return f"<WeakValues {sorted(self.keys())!r}>"


class Ids:
    """Ids the runtime hands out. Session ids count up in the process ("1", "2", ...); request
    ids are random (uuid4), unique for the life of the runtime and never reused. Give a Host
    another object with these two methods for ids of your own (deterministic tests)."""

    def session_id(self) -> str:
        n = next(_session_counter)
        while n <= _restored_max[0]:  # (past the ids of sessions restored from another process)
            n = next(_session_counter)
        return str(n)

    def seen(self, session_id: str) -> None:
        """A session of this id has been restored here (snapshot.py): this process's count,
        which started again at 1, never hands the id out again."""
        if session_id.isdigit() and len(session_id) < 19:
            _restored_max[0] = max(_restored_max[0], int(session_id))

    def request_id(self) -> str:
        import uuid  # (imported when first used: it loads `platform`)

        return uuid.uuid4().hex.upper()


class IOToken:
    """One piece of network I/O in flight (Host.io_begin); `end()` is idempotent."""

    __slots__ = ("_host",)

    def __init__(self, host: "Host") -> None:
        self._host = host

    def end(self) -> None:
        host = self._host
        if host is not None:
            self._host = None
            host.outstanding -= 1


# ORS <log level> (1 reporting, 2 error, 3 warning, 4 debug; ors-dialect.md §4.6) as Python
# logging levels, and the presets of Host(log_levels=...). The levels' values, fixed by the
# logging module (INFO 20, ERROR 40, WARNING 30, DEBUG 10): logging is imported on first use,
# to keep the runtime's import light (issue 14).
_DEBUG, _INFO, _WARNING, _ERROR = 10, 20, 30, 40
ORS_LOG_LEVELS = {1: _INFO, 2: _ERROR, 3: _WARNING, 4: _DEBUG}
LOG_LEVEL_PRESETS = {"ors": ORS_LOG_LEVELS, "composer": {**ORS_LOG_LEVELS, 2: _INFO}}


def _log_levels(value: dict | str | None) -> dict:
    if value is None:
        return ORS_LOG_LEVELS
    if isinstance(value, str):
        if value not in LOG_LEVEL_PRESETS:
            raise ValueError(f"log_levels: unknown preset {value!r} (presets: {', '.join(LOG_LEVEL_PRESETS)})")
        return LOG_LEVEL_PRESETS[value]
    levels = dict(ORS_LOG_LEVELS)
    for key, level in value.items():
        if key not in (1, 2, 3, 4) or not isinstance(level, int):
            raise ValueError(f"log_levels: {key!r}: {level!r} (keys 1-4, values logging levels)")
        levels[key] = level
    return levels


class Host:
    def __init__(
        self,
        clock: Clock | None = None,
        *,
        documents: dict | None = None,
        document_roots: tuple | list = (),
        module_dirs: tuple | list = (),
        log: Callable[[str, str | None, str], None] | None = None,
        ids: Any = None,
        services: tuple | list = (),
        trace: Callable[[Any], None] | None = None,
        log_levels: dict | str | None = None,
        http_host: str = "127.0.0.1",
        http_port: int = 0,
        on_error: Callable[["Machine", dict], None] | None = None,
        content_documents_read_files: bool = False,
        limits: Any = None,
        plans: bool | None = None,
        **adapters: Any,
    ) -> None:
        """
        - `documents`: URL -> chart, for `<session:start src>` and `<invoke src>`: a chart file
          path (compiled when first needed), a generated class or a generated module;
        - `document_roots`: folders `file:` URLs may read below, besides a document's own folder;
        - `module_dirs`: output folders of a build step (`scxmlc compile SRC -o DIR`): a chart
          `ROOT/a/b.scxml` below a document root runs as the module `DIR/a/b.py` when that was
          built by this version after the chart and what it embeds (else it is compiled);
        - `log(sessionid, label, text)`: the `<log>` output of every session (a machine's own
          `log=` wins);
        - `ids`: an object with `session_id()` and `request_id()` (default `Ids()`);
        - `services`: module services and environments to use instead of the defaults
          (`scxmlc_runtime.ors.Genesys(...)`, `scxmlc_runtime.ors.SessionModule(...)`);
        - `trace(record)`: one `TraceRecord` (trace.py) per event, transition, state entered
          or exited, log line, error event and extension request of the sessions the host
          creates (`start`, `<session:start>`);
        - `log_levels`: the Python logging level of each ORS `<log level>` (1-4) when `<log>`
          goes to the `scxmlc_runtime.log.<chart name>` logger (no `log` handler): a dict, or
          the preset "composer" (level 2, which Composer writes on routine messages, as INFO);
        - `limits`: what one macrostep of a session may do before the session is ended
          (`scxmlc_runtime.Limits`; limits.py);
        - `plans=False`: sessions run the reference mode, the algorithm without the runtime's
          plans and caches (reference.py; default: False when SCXMLC_REFERENCE=1);
        - `content_documents_read_files`: a document an `<invoke>` makes from `<content>` data
          at run time may read files (`<data src>`...) below the invoking document's folder
          (default: it reads none: the data may come from anyone);
        - `on_error(machine, event)`: each error event (error.execution, error.communication,
          ...) any session of the host raises (they are also logged at WARNING);
        - `http_host`/`http_port`: where the Basic HTTP processor listens (loopback and an
          ephemeral port by default); it starts when a session first reads its location;
        - any other keyword: a platform adapter an extension module declares (the Genesys
          modules: `interactions=`, `routing=`); an adapter with an `attach(host)` method is
          told its host.
        """
        self.clock = clock if clock is not None else RealClock()
        self.http_host = http_host
        self.http_port = http_port
        self._http = None
        self._http_lock = _thread.allocate_lock()
        # Weak: a session the application dropped leaves the registry by itself.
        self.sessions: "WeakValues" = WeakValues()
        # Sessions the runtime started (<session:start>): nobody else holds them while they run.
        self._kept: dict[str, "Machine"] = {}
        self.log = log
        self.log_levels = _log_levels(log_levels)
        self.trace = trace
        self.ids = ids if ids is not None else Ids()
        self.documents = dict(documents or {})
        self.on_error = on_error
        self.content_documents_read_files = content_documents_read_files
        from .limits import DEFAULT_LIMITS

        self.limits = limits if limits is not None else DEFAULT_LIMITS
        # False: its sessions run the reference mode (reference.py), unless one says otherwise
        self.plans = (not reference_mode()) if plans is None else plans
        self.document_roots = tuple(document_roots)
        self.module_dirs = tuple(str(d) for d in module_dirs)
        self._plugins: dict[str, Any] = {}
        for service in services:
            self.plug(service)
        self.adapters: dict[str, Any] = {}
        if adapters:
            from .extensions import adapter_names

            known = adapter_names()
            for key, adapter in adapters.items():
                if key not in known:
                    raise TypeError(f"Host() got an unexpected keyword argument {key!r} (platform adapters: {', '.join(sorted(known))})")
                self.adapters[key] = adapter
                if hasattr(adapter, "attach"):
                    adapter.attach(self)
        self._loader = None
        self._io = None
        # Network I/O in flight (io_begin/IOToken.end), and results waiting for this thread.
        self.outstanding = 0
        self._inbox: "SimpleQueue[tuple] | None" = None  # (made on first use: inbox())
        self._inbox_lock = _thread.allocate_lock()

    @classmethod
    def for_clock(cls, clock: Clock | None) -> "Host":
        """The default host of a clock (of the process, for machines given no clock)."""
        global _process_host
        if clock is None:
            if _process_host is None:
                _process_host = cls()
            return _process_host
        key = id(clock)
        found = _default_hosts.get(key)
        host = found[1]() if found is not None and found[0]() is clock else None
        if host is None:
            host = cls(clock)
            _default_hosts[key] = (_ref(clock, lambda _, key=key: _default_hosts.pop(key, None)), _ref(host))
        return host

    def start(self, chart: "type[Machine]", *, params: dict | None = None, **kwargs: Any) -> "Machine":
        """Create a session of `chart` (a generated class) in this host and start it.
        `params`: values for its datamodel, given as `<session:start>` gives its params (JSON-like
        Python data; each replaces the data item of its name, or becomes a new variable)."""
        if getattr(self.clock, "_loop", False) is None:
            self.clock.loop  # an asyncio host: remember the running loop for HTTP wake-ups
        machine = self.create(chart, **kwargs)
        if params:
            from .js import to_js

            machine._start_params = {str(k): to_js(v) for k, v in params.items()}
        return machine.start()

    def create(self, chart: "type[Machine]", **kwargs: Any) -> "Machine":
        """A new session of `chart` in this host, not started (traced when the host traces)."""
        if self.trace is not None:
            from .trace import traced

            chart = traced(chart)
        return chart(host=self, **kwargs)

    # -- extension services -----------------------------------------------------------------

    def plug(self, service: Any) -> None:
        """Use `service` (a module service or an environment) for its name in this host."""
        name = getattr(service, "name", None) or service.module.name
        self._plugins[name] = service
        service.attach(self)

    def service(self, name: str) -> Any:
        """The service of extension module `name` (or environment family `name`), created
        from the registry on first use."""
        found = self._plugins.get(name)
        if found is None:
            from .extensions import load_object, service_path

            path = service_path(name)
            if path is None:
                raise LookupError(f"no runtime service for extension {name!r}")
            found = load_object(path)()
            self.plug(found)
        return found

    def install_extensions(self, machine: "Machine") -> None:
        """Give a session the environment and services its chart uses (before its datamodel
        is initialised)."""
        if machine.environment is not None:
            self.service(machine.environment).install(machine)
        for name in machine.modules:
            self.service(name).install(machine)

    def session_ended(self, machine: "Machine") -> None:
        """A session of this host has ended: its services hear of it, and the runtime lets go."""
        for service in list(self._plugins.values()):
            ended = getattr(service, "session_ended", None)
            if ended is not None:
                ended(machine)
        self.release(machine)

    def release(self, machine: "Machine") -> None:
        """The runtime holds an ended session no longer (`keep`)."""
        if self._kept.get(machine.sessionid) is machine:
            del self._kept[machine.sessionid]

    def let_go(self, machine: "Machine") -> None:
        """Let go of a session: one that ended, or one that has not but a session server
        evicts from memory or drops because its start failed. Its delayed events, and those
        of the sessions it invoked, are cancelled here, and the host neither finds it by id
        nor holds it. (Without this an ended session stays in `sessions`, a weak mapping,
        until nothing refers to it.)"""
        machine._cancel_timers()
        for _, _, child in list(machine._children.values()):
            if hasattr(child, "_cancel_timers"):
                child._cancel_timers()
        if self.sessions.get(machine.sessionid) is machine:
            self.sessions.pop(machine.sessionid, None)
        self.release(machine)

    # Rule E (ors-server.md §9.5): effects that leave the process (an HTTP answer, a request to
    # a platform) wait until the macrostep that made them is stored. A session server with a
    # durable store sets `commit_gate(machine, effect)` to hold them; without one they happen
    # at once.
    commit_gate: Callable[["Machine", Callable[[], None]], None] | None = None
    # A session server's say in where events between its sessions go (`local_delivery(source,
    # target session id, event)` True: taken care of) and in the sessions the runtime makes
    # (`on_create(machine)`: <session:start> children, <invoke> children).
    local_delivery: Callable[["Machine", str, dict], bool] | None = None
    on_create: Callable[["Machine"], None] | None = None
    # Where the Basic HTTP processor (SCXML C.2) of a session is reached, when the host does
    # not run its own server for it (`scxmlc serve`: its REST port).
    basichttp_location: Callable[[str], str] | None = None
    # Whether a session with this id exists beyond `sessions` (a server's store): a restored
    # <session:start> does not start a session that started before the restart.
    known_session: Callable[[str], bool] | None = None
    # A session server's durable schedule (ors-server.md §9.5 step 6, G4): a <session:start>
    # that waits for its time is also a schedule row of the store (`put(item, due_ms)`), so it
    # starts after a restart even when its starter is gone; `remove(sessionid)` when it will not
    # start (terminated, its window passed, its document failed). None: the host's clock only.
    schedule_rows: Any = None

    def after_commit(self, machine: "Machine", effect: Callable[[], None]) -> None:
        gate = self.commit_gate
        if gate is None:
            effect()
        else:
            gate(machine, effect)

    def keep(self, machine: "Machine") -> None:
        """Hold a session the runtime started until it ends."""
        self._kept[machine.sessionid] = machine

    @property
    def held(self) -> int:
        """How many sessions the host holds (`keep`) and that have not ended."""
        return len(self._kept)

    @property
    def loader(self) -> DocumentLoader:
        """The document loader (documents.py): `documents`, then `file:`, then http(s)."""
        if self._loader is None:
            from .documents import DocumentLoader

            self._loader = DocumentLoader(self)
        return self._loader

    # -- network I/O ------------------------------------------------------------------------

    @property
    def io(self) -> HostIO:
        if self._io is None:
            from .io import HostIO

            self._io = HostIO(self)
        return self._io

    @property
    def asynchronous(self) -> bool:
        """Whether an asyncio loop drives this host (AsyncioClock): nothing may block it."""
        return getattr(self.clock, "asynchronous", False)

    def io_begin(self) -> IOToken:
        """Count one piece of network I/O in flight: run_until_idle waits for it."""
        self.outstanding += 1
        return IOToken(self)

    def call_soon_threadsafe(self, fn: Callable, *args: Any) -> None:
        """Run fn(*args) on the host's thread, between macrosteps (from any thread)."""
        loop = getattr(self.clock, "_loop", None)
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(fn, *args)
        else:
            self.inbox().put((fn, args))
            if self._io is not None:
                self._io.wake()

    def inbox(self) -> SimpleQueue:
        """What other threads hand to this one (made on first use, once: threads may race)."""
        if self._inbox is None:
            with self._inbox_lock:
                if self._inbox is None:
                    if SimpleQueue is None:
                        _queue_types()
                    self._inbox = SimpleQueue()
        return self._inbox

    def process_inbox(self) -> int:
        """Run what other threads handed to this one; returns how many ran."""
        n = 0
        inbox = self._inbox
        if inbox is None:
            return 0
        while True:
            try:
                fn, args = inbox.get_nowait()
            except Empty:
                return n
            fn(*args)
            n += 1

    def _wait_io(self, timeout: float) -> bool:
        """Wait (real time) for network I/O to hand something over; False when this host
        cannot wait here (its loop is the application's: results arrive by themselves)."""
        io = self._io
        if io is None:
            try:
                fn, args = self.inbox().get(timeout=max(0.0, timeout))
            except Empty:
                return True
            fn(*args)
            return True
        if io.shared:
            return False
        if self._inbox is None or self._inbox.empty():
            io.drive(timeout)
        return True

    # -- running ----------------------------------------------------------------------------

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
        """Process every session's queued events, the results of network I/O, and the timers
        due within max_seconds (jumping ahead on a SimulatedClock, sleeping on a RealClock).

        While network I/O is in flight it waits for it in real time (at most max_seconds of
        real time in all); simulated time jumps to the next timer only when nothing is in
        flight, so a SimulatedClock never lets a timeout overtake a reply that is on its way.
        """
        self.pump(max_seconds, self.process_queued, lambda: False)

    def pump(self, max_seconds: float, drain: Callable[[], None], finished: Callable[[], bool]) -> None:
        """The run loop of run_until_idle (Host's and Machine's): drain, take results of
        network I/O, fire due timers, wait; until `finished()` or nothing more can happen
        within max_seconds."""
        clock = self.clock
        deadline = clock.now() + max_seconds
        real_deadline = time.monotonic() + max_seconds
        while True:
            self.process_inbox()
            drain()
            if finished():
                return
            if self.outstanding > 0:
                # Network I/O in flight: wait for its result in real time; timers that fall
                # due meanwhile (a real clock's) fire too, simulated time stands still.
                now = clock.now()
                due = clock.next_due()
                if due is not None and due <= now:
                    clock.fire_due()
                    continue
                remaining = real_deadline - time.monotonic()
                if remaining <= 0:
                    return
                if due is not None and clock.real_time:
                    remaining = min(remaining, due - now)
                if not self._wait_io(remaining):
                    return
                continue
            due = clock.next_due()
            if due is None or due > deadline:
                return
            clock.wait_until(due)
            clock.fire_due()

    def basichttp(self) -> BasicHTTPServer:
        """This host's Basic HTTP Event I/O Processor (SCXML C.2), started on first use."""
        from .basichttp import BasicHTTPServer

        with self._http_lock:
            if self._http is None:
                self._http = BasicHTTPServer(self.sessions, self.http_host, self.http_port, self._notify)
            return self._http

    def close(self) -> None:
        """End every session of this host (their timers and children are cancelled), its
        services, its network loop and its HTTP server."""
        for machine in list(self.sessions.values()):
            machine.close()
        self._kept.clear()
        for service in list(self._plugins.values()):
            service.close()
        if self._io is not None:
            self._io.close()
            self._io = None
        self.clock.compact()
        with self._http_lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def __len__(self) -> int:
        return len(self.sessions)
