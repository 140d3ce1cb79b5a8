"""pytest plugin of scxmlc (registered by the package's `pytest11` entry point, so it is active
wherever scxmlc is installed): the `scxml_chart` fixture and scenario files as test items.
docs/testing.md is the guide.

    def test_door(scxml_chart):
        door = scxml_chart("door.scxml")              # next to the test file; started, simulated clock
        door.run(["open", 5, ("leave", {"by": "ann"})])  # events, and waits in simulated seconds
        door.expect_configuration({"gone"})
        door.expect_data(opened=1)

Failures say what was expected, what is, and what the session did last (a ring buffer of the
runtime's trace records: events taken, transitions, log lines, error events).

Scenario files of `scxmlc simulate` whose names match the `scxmlc_scenarios` ini option (default
`test_*.scenario.toml`) are collected as one test item each; a failing one reports the
scenario's own verdict (and its trace, as captured output).

Nothing of the compiler or the runtime is imported until a test uses the fixture or runs a
scenario: the plugin costs projects that do not use it nothing.
"""

from __future__ import annotations

import fnmatch
import logging
from collections import deque
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest

DEFAULT_SCENARIOS = ("test_*.scenario.toml",)
HISTORY = 30  # trace records kept for failure messages (per test)

# The trace records kept in the history: states entered and exited are left out (the
# transitions name their targets, and failure messages show the configuration), and events
# queued (each is in the history when it is taken).
_HISTORY_KINDS = frozenset({"start", "event", "transition", "log", "error", "request", "end"})


# -- event scripts ------------------------------------------------------------------------------


class Wait:
    """A wait of `seconds` of simulated time in an event script (`wait(5)`; a bare number in a
    script means the same)."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float):
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError(f"wait(seconds): seconds must be a number >= 0, not {seconds!r}")
        self.seconds = float(seconds)

    def __repr__(self) -> str:
        return f"wait({self.seconds:g})"


def wait(seconds: float) -> Wait:
    """A wait in an event script: `sm.run(["open", wait(30), "close"])`."""
    return Wait(seconds)


def _script_steps(script: Iterable) -> list[tuple]:
    """The steps of an event script, checked before any runs: ("send", name, data) or
    ("wait", seconds)."""
    if isinstance(script, (str, bytes)) or not isinstance(script, Iterable):
        raise TypeError(f"an event script is a list of steps, not {type(script).__name__}: e.g. [\"open\", 5, (\"close\", {{\"by\": \"ann\"}})]")
    steps = []
    for i, item in enumerate(script):
        if isinstance(item, str):
            steps.append(("send", item, None))
        elif isinstance(item, Wait):
            steps.append(("wait", item.seconds))
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            steps.append(("wait", Wait(item).seconds))
        elif isinstance(item, (tuple, list)) and len(item) in (1, 2) and isinstance(item[0], str):
            if len(item) == 2 and item[0] == "wait" and isinstance(item[1], (int, float)) and not isinstance(item[1], bool):
                raise TypeError(
                    f"step {i} of the event script, {item!r}, is ambiguous: write {item[1]!r} or wait({item[1]!r}) to wait, "
                    f"or call send({item[0]!r}, {item[1]!r}) to send an event named {item[0]!r}"
                )
            steps.append(("send", item[0], item[1] if len(item) == 2 else None))
        else:
            raise TypeError(
                f"step {i} of the event script is {item!r}: expected an event name, a (name, data) pair, "
                "or a number of seconds to wait (or wait(seconds))"
            )
    return steps


# -- what a session did -----------------------------------------------------------------------


class _Recorder:
    """What the sessions of one fixture call did: a ring buffer of readable lines (trace records,
    or sends, log lines and errors when untraced), and per session the log texts, events taken
    and error events."""

    def __init__(self, size: int):
        self.history: deque[str] = deque(maxlen=max(1, size))
        self.seen = 0  # lines recorded in all (the buffer keeps the last `size`)
        self.traced = False
        self.logs: dict[str, list[str]] = {}
        self.events: dict[str, list[str]] = {}
        self.errors: dict[str, list[dict]] = {}

    def line(self, text: str) -> None:
        self.history.append(text)
        self.seen += 1

    def trace(self, record) -> None:
        from scxmlc_runtime.trace import format_record

        kind = record.kind
        if kind == "log":
            self.logs.setdefault(record.session, []).append(record.details.get("text", ""))
        elif kind == "event":
            self.events.setdefault(record.session, []).append(record.details.get("name", ""))
        if kind in _HISTORY_KINDS:
            self.line(format_record(record))

    def error(self, machine, event: dict) -> None:
        entry = {"name": event.get("name"), "data": _py(event.get("data"))}
        self.errors.setdefault(machine.sessionid, []).append(entry)
        if not self.traced:
            self.line(f"[{machine.clock.now():9.3f}] {machine.sessionid} error {entry['name']} {_short(entry['data'])}")

    def untraced_log(self, machine, label: str | None, text: str) -> None:
        self.logs.setdefault(machine.sessionid, []).append(text)
        self.line(f"[{machine.clock.now():9.3f}] {machine.sessionid} log {label + ': ' if label else ''}{text}")

    def sent(self, machine, name: str, data: Any) -> None:
        if not self.traced:
            extra = "" if data is None else " " + _short(data)
            self.line(f"[{machine.clock.now():9.3f}] {machine.sessionid} send {name}{extra}")


def _py(value: Any) -> Any:
    """A JavaScript value as JSON-like Python data (its display text when it has none)."""
    from scxmlc_runtime.js import UNDEFINED, js_display, to_py

    if value is UNDEFINED:
        return None
    try:
        return to_py(value)
    except Exception:  # noqa: BLE001 - a value that cannot be converted is shown by its text
        return js_display(value)


def _short(value: Any) -> str:
    from scxmlc_runtime.trace import short_text  # (the runtime loads only when a test uses it)

    return short_text(value)


def _names(states: Iterable[str]) -> str:
    return ", ".join(sorted(states)) or "(none)"


# -- the session wrapper ----------------------------------------------------------------------


class ChartSession:
    """A session of a chart made by the `scxml_chart` fixture: the machine (`.machine`; its
    other attributes are reachable through this object: `configuration`, `datamodel`, `done`,
    `is_active`, ...), helpers to drive it, and assertions whose failures show the recent
    history of the session."""

    def __init__(self, machine, module, path: Path, recorder: _Recorder, owns_host: bool):
        self.machine = machine
        self.module = module
        self.path = path
        self.host = machine.host
        self.clock = machine.clock
        self._recorder = recorder
        self._owns_host = owns_host

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "machine":
            raise AttributeError(name)
        return getattr(self.machine, name)

    def __repr__(self) -> str:
        m = self.machine
        state = "not started" if not m.started else ("done" if m.done else "running")
        return f"<ChartSession {self.path.name} session {m.sessionid} ({state}): {_names(m.configuration)}>"

    # -- driving ----------------------------------------------------------------------------

    @property
    def sessionid(self) -> str:
        return self.machine.sessionid

    def start(self) -> "ChartSession":
        self.machine.start()
        return self

    def send(self, name: str, data: Any = None, **fields: Any) -> "ChartSession":
        """Send an external event and process it (and what it leads to) to stability."""
        self._recorder.sent(self.machine, name, data)
        self.machine.send(name, data, **fields)
        return self

    def wait(self, seconds: float) -> "ChartSession":
        """Let `seconds` of simulated time pass: the timers due meanwhile fire in order (delayed
        `<send>`s), and the sessions of the host process what they queue. On a real clock this
        sleeps."""
        seconds = Wait(seconds).seconds
        host, clock = self.host, self.clock
        deadline = clock.now() + seconds
        host.run_until_idle(max_seconds=seconds)
        remaining = deadline - clock.now()
        if remaining > 0:
            if clock.real_time:
                import time

                time.sleep(remaining)
                clock.fire_due()
            else:
                clock.advance(remaining)
            host.process_queued()
        return self

    def run(self, script: Iterable) -> "ChartSession":
        """Run an event script: each step is an event name (`"open"`), a `(name, data)` pair
        (`("open", {"force": True})`), or a wait in simulated seconds (`5`, or `wait(5)`).
        The steps are checked before the first runs."""
        for step in _script_steps(script):
            if step[0] == "send":
                self.send(step[1], step[2])
            else:
                self.wait(step[1])
        return self

    def run_until_idle(self, max_seconds: float = 60.0) -> bool:
        """Process until the session is done or nothing can happen within `max_seconds` (time
        jumps from timer to timer); True when the session is done."""
        return self.machine.run_until_idle(max_seconds)

    def close(self) -> None:
        """End the session (and the fixture's host when it made one). The fixture does this
        after the test."""
        if self._owns_host:
            self.host.close()
        else:
            self.machine.close()

    # -- what it did ------------------------------------------------------------------------

    @property
    def logs(self) -> list[str]:
        """The text of each `<log>` of this session (without its label), in order."""
        return list(self._recorder.logs.get(self.machine.sessionid, ()))

    @property
    def events(self) -> list[str]:
        """The names of the events this session took, in order (traced sessions only: the
        fixture's own host traces)."""
        if not self._recorder.traced:
            raise RuntimeError("events are recorded only for traced sessions (the fixture's own host; trace=True)")
        return list(self._recorder.events.get(self.machine.sessionid, ()))

    @property
    def errors(self) -> list[dict]:
        """The error events this session raised: `{"name": ..., "data": {"name", "message",
        "location"}}` each, in order."""
        return list(self._recorder.errors.get(self.machine.sessionid, ()))

    def session_logs(self, sessionid: str) -> list[str]:
        """The log texts of another session of the host (one this session started)."""
        return list(self._recorder.logs.get(sessionid, ()))

    def value(self, path: str) -> Any:
        """A datamodel value as Python data: `value("opened")`, `value("_data.customer.name")`
        (names and array indexes separated by dots). KeyError when there is none."""
        return _lookup(self.machine, path)

    def history(self) -> str:
        """The recent history: the last records of the trace, one per line."""
        return _history_text(self._recorder)

    # -- assertions -------------------------------------------------------------------------

    def expect_configuration(self, expected: Iterable[str] | str, *, exact: bool = True) -> "ChartSession":
        __tracebackhide__ = True
        assert_configuration(self, expected, exact=exact)
        return self

    def expect_active(self, *states: str) -> "ChartSession":
        __tracebackhide__ = True
        assert_configuration(self, states, exact=False)
        return self

    def expect_data(self, values: dict | None = None, /, **more: Any) -> "ChartSession":
        __tracebackhide__ = True
        expect_data(self, values, **more)
        return self

    def expect_log(self, *lines: Any) -> "ChartSession":
        __tracebackhide__ = True
        expect_log(self, *lines)
        return self

    def expect_events(self, *names: str) -> "ChartSession":
        __tracebackhide__ = True
        expect_events(self, *names)
        return self

    def expect_errors(self, *names: str) -> "ChartSession":
        __tracebackhide__ = True
        expect_errors(self, *names)
        return self

    def expect_no_errors(self) -> "ChartSession":
        __tracebackhide__ = True
        expect_no_errors(self)
        return self

    def expect_done(self, final: str | None = None) -> "ChartSession":
        __tracebackhide__ = True
        expect_done(self, final)
        return self


# -- assertions (functions: for a ChartSession, or a plain machine without the history) ----------


def _machine(sm):
    return sm.machine if isinstance(sm, ChartSession) else sm


def _recorder(sm, what: str) -> _Recorder:
    if not isinstance(sm, ChartSession):
        raise TypeError(f"{what} needs a session made by the scxml_chart fixture (it records them), not {type(sm).__name__}")
    return sm._recorder


def _history_text(recorder: _Recorder) -> str:
    shown = len(recorder.history)
    if not shown:
        return "  (nothing recorded)"
    head = f"last {shown} of {recorder.seen} records" if recorder.seen > shown else f"all {shown} records"
    if not recorder.traced:
        head += " (untraced: sends, log lines and error events)"
    return f"{head}:\n" + "\n".join(f"  {line}" for line in recorder.history)


def _context(sm) -> str:
    """What a failure message ends with: the session's state, its error events and history."""
    m = _machine(sm)
    name = m.name or type(m).__name__
    if not m.started:
        state = "not started"
    elif m.done:
        state = f"done, in {m.final_state}" if m.final_state else "ended"
    else:
        state = "running"
    lines = [f"session {m.sessionid} of {name} ({state}); configuration: {_names(m.configuration)}"]
    if isinstance(sm, ChartSession):
        errors = sm.errors
        if errors:
            lines.append(f"error events ({len(errors)}):")
            for e in errors[-5:]:
                data = e["data"] if isinstance(e["data"], dict) else {}
                detail = f"{data.get('name', '')}: {data.get('message', '')} ({data.get('location', '')})" if data else _short(e["data"])
                lines.append(f"  {e['name']}: {detail}")
        lines.append(_history_text(sm._recorder))
    return "\n".join(lines)


def _fail(message: str, sm) -> None:
    __tracebackhide__ = True
    raise AssertionError(f"{message}\n{_context(sm)}")


def assert_configuration(sm, expected: Iterable[str] | str, *, exact: bool = True) -> None:
    """The session's active states are `expected` (a state id or several); `exact=False`:
    `expected` are among them."""
    __tracebackhide__ = True
    want = frozenset([expected] if isinstance(expected, str) else expected)
    got = _machine(sm).configuration
    missing, extra = want - got, got - want
    if missing or (exact and extra):
        what = "configuration differs" if exact else "states not active"
        lines = [what, f"  expected: {_names(want)}" + ("" if exact else " (among others)"), f"  actual:   {_names(got)}"]
        if missing:
            lines.append(f"  missing:    {_names(missing)}")
        if exact and extra:
            lines.append(f"  unexpected: {_names(extra)}")
        _fail("\n".join(lines), sm)


expect_configuration = assert_configuration

_MISSING = object()


def _lookup(machine, path: str) -> Any:
    dm = machine.datamodel
    first, *rest = path.split(".")
    try:
        value = dm[first]
    except KeyError:
        raise KeyError(path) from None
    value = _py(value)
    for part in rest:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(path)
    return value


def expect_data(sm, values: dict | None = None, /, **more: Any) -> None:
    """Datamodel values equal these (as Python data: JavaScript numbers are floats, so 1 ==
    1.0): `expect_data(sm, opened=1)`, `expect_data(sm, {"_data.customer.name": "Ann"})`."""
    __tracebackhide__ = True
    wanted = {**(values or {}), **more}
    if not wanted:
        raise TypeError("expect_data: name the values to check, e.g. expect_data(sm, x=1)")
    m = _machine(sm)
    wrong = []
    for path, want in wanted.items():
        try:
            got = _lookup(m, path)
        except KeyError:
            wrong.append(f"  {path}: expected {want!r}, but there is no such value")
            continue
        if got != want or type(got) is bool and type(want) is not bool or type(want) is bool and type(got) is not bool:
            wrong.append(f"  {path}: expected {want!r}, got {got!r}")
    if wrong:
        _fail("datamodel differs:\n" + "\n".join(wrong), sm)


def _first_missing(wanted: Iterable, seen: list[str], match: Callable[[Any, str], bool]) -> Any:
    it = iter(seen)
    for w in wanted:
        if not any(match(w, s) for s in it):
            return w
    return _MISSING


def _match_text(pattern: Any, text: str) -> bool:
    if hasattr(pattern, "search"):  # a compiled regular expression
        return pattern.search(text) is not None
    return pattern == text


def expect_log(sm, *lines: Any) -> None:
    """The session logged these texts in this order (others may come between); each a string
    (the whole text) or a compiled regular expression (searched)."""
    __tracebackhide__ = True
    seen = _recorder(sm, "expect_log").logs.get(_machine(sm).sessionid, [])
    missing = _first_missing(lines, seen, _match_text)
    if missing is not _MISSING:
        shown = getattr(missing, "pattern", missing)
        _fail(f"log line {shown!r} is missing (in order: {list(lines)!r})\n  the session logged: {seen!r}", sm)


def expect_events(sm, *names: str) -> None:
    """The session took events of these names in this order (others may come between); a name
    may be a glob (`error.*`)."""
    __tracebackhide__ = True
    rec = _recorder(sm, "expect_events")
    if not rec.traced:
        raise RuntimeError("expect_events needs a traced session (the fixture's own host; trace=True)")
    seen = rec.events.get(_machine(sm).sessionid, [])
    missing = _first_missing(names, seen, fnmatch.fnmatchcase)
    if missing is not _MISSING:
        _fail(f"event {missing!r} was not taken (in order: {list(names)!r})\n  the session took: {seen!r}", sm)


def expect_errors(sm, *names: str) -> None:
    """The session raised error events of these names in this order (others may come
    between; a name may be a glob: `error.*`); with no names: at least one."""
    __tracebackhide__ = True
    seen = [e["name"] for e in _recorder(sm, "expect_errors").errors.get(_machine(sm).sessionid, [])]
    if not names:
        if not seen:
            _fail("expected an error event, and the session raised none", sm)
        return
    missing = _first_missing(names, seen, fnmatch.fnmatchcase)
    if missing is not _MISSING:
        _fail(f"error event {missing!r} was not raised (in order: {list(names)!r})\n  the session raised: {seen!r}", sm)


def expect_no_errors(sm) -> None:
    """The session raised no error event."""
    __tracebackhide__ = True
    seen = _recorder(sm, "expect_no_errors").errors.get(_machine(sm).sessionid, [])
    if seen:
        _fail(f"expected no error events, and the session raised {len(seen)}", sm)


def expect_done(sm, final: str | None = None) -> None:
    """The session reached a top-level final state (`final`: that one)."""
    __tracebackhide__ = True
    m = _machine(sm)
    if not m.done:
        _fail(f"expected the session to be done{' in ' + final if final else ''}, and it is {'running' if m.started else 'not started'}", sm)
    if final is not None and m.final_state != final:
        _fail(f"expected the session to end in {final}, and it ended in {m.final_state or '(no final state)'}", sm)


# -- the fixture --------------------------------------------------------------------------------

_COMPILE_OPTIONS = ("dialect", "include_roots", "speculate", "cache")
_modules: dict[tuple, Any] = {}  # (chart, generated source) -> module: each chart is executed once per process


def _module_for(path: Path, compile_options: dict):
    from .importhook import chart_source, exec_chart

    import types

    found = chart_source(path, **compile_options)
    key = (str(path.resolve()), found.source)
    module = _modules.get(key)
    if module is None:
        module = types.ModuleType(f"scxmlc_chart_{path.stem}")
        module.__file__ = str(path)
        exec_chart(module, found, path)
        _modules[key] = module
    return module


class ChartFactory:
    """The `scxml_chart` fixture: call it to make a session of a chart (see `__call__`)."""

    def __init__(self, base_dir: Path):
        self.base_dir = base_dir
        self.sessions: list[ChartSession] = []

    def resolve(self, path: str | Path) -> Path:
        p = Path(path)
        return p if p.is_absolute() else self.base_dir / p

    def __call__(
        self,
        path: str | Path,
        *,
        start: bool = True,
        params: dict | None = None,
        host=None,
        clock=None,
        trace: bool | None = None,
        history: int = HISTORY,
        log: Callable[[str | None, str], None] | None = None,
        on_error: Callable[[Any, dict], None] | None = None,
        limits=None,
        plans: bool | None = None,
        **options: Any,
    ) -> ChartSession:
        """A session of the chart at `path` (relative to the test file's folder, or absolute),
        started unless `start=False`, on a host of its own with a SimulatedClock (or `clock`),
        traced for the failure messages; or in `host` (then untraced: sends, log lines and
        error events are recorded).

        `params`: datamodel values, as `<session:start>` gives them; `log(label, text)`,
        `on_error(machine, event)`, `limits`, `plans`: as the generated class takes them;
        `history`: the records kept for failure messages; `dialect`, `include_roots`,
        `speculate`, `cache`: how the chart is compiled (compiled charts are cached as the
        import hook caches them, in `__pycache__/` next to the chart); any other keyword goes to
        the `Host` (`documents`, `document_roots`, `services`, `interactions`, ...; relative
        paths in `documents` and `document_roots` are taken from the test file's folder)."""
        from scxmlc_runtime import Host, SimulatedClock

        chart_path = self.resolve(path)
        compile_options = {k: options.pop(k) for k in _COMPILE_OPTIONS if k in options}
        if "include_roots" in compile_options:
            compile_options["include_roots"] = tuple(self.resolve(r) for r in compile_options["include_roots"])
        try:
            module = _module_for(chart_path, compile_options)
        except OSError as exc:
            pytest.fail(f"scxml_chart: cannot read {chart_path}: {exc.strerror or exc}", pytrace=False)
        except Exception as exc:
            from .diagnostics import CompileError

            if isinstance(exc, CompileError):
                pytest.fail(f"scxml_chart: {chart_path} does not compile:\n{exc}", pytrace=False)
            raise
        recorder = _Recorder(history)
        owns_host = host is None
        if owns_host:
            if "documents" in options:
                options["documents"] = {
                    url: str(self.resolve(doc)) if isinstance(doc, (str, Path)) else doc for url, doc in options["documents"].items()
                }
            if "document_roots" in options:
                options["document_roots"] = [self.resolve(r) for r in options["document_roots"]]
            recorder.traced = trace is not False
            host = Host(
                clock if clock is not None else SimulatedClock(),
                trace=recorder.trace if recorder.traced else None,
                on_error=recorder.error,
                limits=limits,
                plans=plans,
                **options,
            )
        elif clock is not None or options:
            raise TypeError(f"scxml_chart: with host=, give the clock and the host's options to the Host ({', '.join(['clock'] * (clock is not None) + sorted(options))})")
        kwargs: dict[str, Any] = {}
        if limits is not None:
            kwargs["limits"] = limits
        if plans is not None:
            kwargs["plans"] = plans
        if on_error is not None or not owns_host:
            def errors(machine, event, user=on_error, own=not owns_host):
                if own:
                    recorder.error(machine, event)
                if user is not None:
                    user(machine, event)

            kwargs["on_error"] = errors
        holder: list = []
        if not recorder.traced:
            # the <log>s reach the recorder, then go where they would have gone
            def log_handler(label, text, user=log):
                machine = holder[0]
                recorder.untraced_log(machine, label, text)
                if user is not None:
                    user(label, text)
                elif machine.host.log is not None:
                    machine.host.log(machine.sessionid, label, text)
                else:
                    logger = logging.getLogger(f"scxmlc_runtime.log.{machine.name}" if machine.name else "scxmlc_runtime.log")
                    if label:
                        logger.info("%s: %s", label, text)
                    else:
                        logger.info("%s", text)

            kwargs["log"] = log_handler
        elif log is not None:
            kwargs["log"] = log
        machine = host.create(module.Chart, **kwargs)
        holder.append(machine)
        if params:
            from scxmlc_runtime.js import to_js

            machine._start_params = {str(k): to_js(v) for k, v in params.items()}  # (as Host.start)
        session = ChartSession(machine, module, chart_path, recorder, owns_host)
        self.sessions.append(session)
        if start:
            machine.start()
        return session

    def close(self) -> None:
        for session in self.sessions:
            try:
                session.close()
            except Exception:  # noqa: BLE001 - one session's failure to close must not hide the test's outcome
                logging.getLogger("scxmlc").exception("closing %r", session)
        self.sessions.clear()


@pytest.fixture
def scxml_chart(request):
    """A factory of chart sessions: `scxml_chart("door.scxml", **options)` (see ChartFactory);
    every session it made is closed after the test."""
    factory = ChartFactory(Path(request.path).parent)
    yield factory
    factory.close()


# -- failures through generated code ----------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test that fails with an exception raised through a generated module: its report ends
    with the SCXML element and line of each generated frame (actions.add_scxml_notes)."""
    import sys

    if call.excinfo is not None and "scxmlc_runtime.actions" in sys.modules:  # (only once a chart ran)
        sys.modules["scxmlc_runtime.actions"].add_scxml_notes(call.excinfo.value)
    yield


# -- scenario files -----------------------------------------------------------------------------


def pytest_addoption(parser) -> None:
    parser.addini(
        "scxmlc_scenarios",
        type="args",
        default=list(DEFAULT_SCENARIOS),
        help="globs of the scxmlc scenario files (scxmlc simulate) collected as tests: a file name, or a path "
        "relative to the rootdir when the glob has a '/' (default: test_*.scenario.toml; empty: none)",
    )


def _is_scenario(path: Path, patterns: list[str], rootpath: Path) -> bool:
    for pattern in patterns:
        if "/" in pattern:
            try:
                rel = path.relative_to(rootpath).as_posix()
            except ValueError:
                rel = path.as_posix()
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(path.as_posix(), pattern):
                return True
        elif fnmatch.fnmatch(path.name, pattern):
            return True
    return False


def pytest_collect_file(file_path: Path, parent):
    patterns = parent.config.getini("scxmlc_scenarios")
    if patterns and _is_scenario(file_path, patterns, parent.config.rootpath):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFailed(Exception):
    """A scenario that failed: the text is its verdict (as `scxmlc simulate` prints it)."""


class ScenarioFile(pytest.File):
    """A scenario file of `scxmlc simulate`: one test item."""

    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.name.split(".")[0] or self.path.name)


class ScenarioItem(pytest.Item):
    """Runs a scenario file on the simulated clock and contact centre; it fails when the file
    cannot be run (`file:line: error: ...`) or an expectation does not hold. The trace is
    printed, so pytest shows it with a failure."""

    def runtest(self) -> None:
        from scxmlc_runtime.ors.scenario import Scenario, ScenarioError

        try:
            scenario = Scenario.load(self.path)
            result = scenario.run(trace=lambda record: print(record))
        except ScenarioError as exc:
            raise ScenarioFailed(str(exc)) from None
        if not result.passed:
            lines = list(result.checks)
            lines.append(f"FAIL: {len(result.checks) - len(result.failures)} of {len(result.checks)} expectations hold ({self.path})")
            lines.extend(f"  {failure}" for failure in result.failures)
            raise ScenarioFailed("\n".join(lines))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"scenario {self.path.name}"


__all__ = [
    "ChartFactory",
    "ChartSession",
    "ScenarioFailed",
    "ScenarioFile",
    "ScenarioItem",
    "Wait",
    "assert_configuration",
    "expect_configuration",
    "expect_data",
    "expect_done",
    "expect_errors",
    "expect_events",
    "expect_log",
    "expect_no_errors",
    "wait",
]
