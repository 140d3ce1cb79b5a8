"""Scenarios: offline runs of ORS documents on the simulated clock and contact centre, described in TOML, checked against expectations (`scxmlc simulate`).

A scenario says which chart to start (and which charts URLs stand for), which interactions to
deliver and when, which faults the platform should have, which answers `<session:fetch>` gets
(served by a real HTTP server on loopback that the scenario starts), which external events to
send, and what must happen: the final state of each session, log lines and events in order. See
docs/ors.md ("Scenarios") for the format; `examples/ors/` has the ownership example with its
error branches.

    result = Scenario.load("examples/ors/ownership.toml").run()
    assert result.passed, result.failures
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..clock import SimulatedClock
from ..documents import DocumentError, compile_document, read_limited
from ..host import Host
from ..trace import TraceRecord, format_record
from .simulated import SimulatedDialog, SimulatedInteractions, SimulatedRouting


class ScenarioError(Exception):
    """A scenario file that cannot be run: `str()` is `file:line: error: message`."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: error: {self.message}"


@dataclass
class Result:
    """What a run did: its trace, each session's log, and the expectations that failed."""

    records: list[TraceRecord] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # every expectation, as "PASS ..." or "FAIL ..."
    sessions: dict[str, Any] = field(default_factory=dict)  # id -> machine, in order of start
    requests: list[dict] = field(default_factory=list)  # what the canned HTTP server received

    @property
    def passed(self) -> bool:
        return not self.failures

    def logs(self, session: str) -> list[str]:
        return [r.details["text"] for r in self.records if r.kind == "log" and r.session == session]

    def events(self, session: str) -> list[str]:
        return [r.details["name"] for r in self.records if r.kind == "event" and r.session == session]


# The keys each part of a scenario takes: name -> (type, required).
_TOP = {
    "main": (str, True), "max_seconds": ((int, float), False), "session_ids": (list, False),
    "request_ids": (str, False), "params": (dict, False), "documents": (dict, False),
    "interactions": (dict, False), "routing": (dict, False), "http": (list, False),
    "event": (list, False), "expect": (list, False), "genesys": (dict, False), "dialog": (dict, False),
}  # fmt: skip
_PARTS = {
    "interactions": {"resources": (list, False), "latency": ((int, float), False), "deliver": (list, False), "fault": (list, False),
                     "event": (list, False)},
    "interactions.deliver": {"at": ((int, float), False), "session": (str, False), "props": (dict, False)},
    "interactions.event": {"at": ((int, float), False), "interactionid": (str, True), "name": (str, True), "data": (dict, False)},
    "dialog": {"latency": ((int, float), False), "digits": (list, False), "fault": (list, False)},
    "dialog.fault": {"action": (str, True), "error": (str, True), "always": (bool, False), "description": (str, False)},
    "interactions.fault": {"action": (str, True), "error": (str, True), "always": (bool, False), "description": (str, False)},
    "routing": {"latency": ((int, float), False), "agent": (list, False)},
    "routing.agent": {"name": (str, True), "dn": ((str, int), True), "ready": (bool, False), "groups": (list, False),
                      "skills": (dict, False), "stats": (dict, False), "place": (str, False)},
    "http": {"url": (str, True), "status": (int, False), "content_type": (str, False), "body": (str, False),
             "delay": ((int, float), False), "headers": (dict, False)},
    "event": {"at": ((int, float), False), "session": (str, False), "name": (str, True), "data": (object, False)},
    "expect": {"session": (str, False), "final": (str, False), "logs": (list, False), "events": (list, False)},
    "genesys": {"tenant": (str, False), "tenantid": ((int, float), False), "server": (dict, False), "lists": (dict, False),
                "options": (dict, False), "timezones": (dict, False), "special_days": (dict, False), "statistics": (dict, False)},
}  # fmt: skip


class Scenario:
    def __init__(self, data: dict, base_dir: Path, source: str = "<scenario>", text: str = ""):
        self.data = data
        self.base_dir = Path(base_dir)
        self.source = source
        self._text = text
        self._validate()

    @classmethod
    def load(cls, path: str | Path) -> "Scenario":
        path = Path(path)
        try:
            text = read_limited(path, 16 * 1024 * 1024).decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(str(path), 0, f"cannot read the scenario: {getattr(exc, 'strerror', None) or exc}") from None
        return cls.parse(text, path.parent, str(path))

    @classmethod
    def parse(cls, text: str, base_dir: str | Path = ".", source: str = "<scenario>") -> "Scenario":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            raise ScenarioError(source, int(m.group(1)) if m else 0, f"not valid TOML: {message}") from None
        return cls(data, Path(base_dir), source, text)

    # -- checking the file ------------------------------------------------------------------

    def _error(self, message: str, *where: str) -> ScenarioError:
        return ScenarioError(self.source, _locate(self._text, where), message)

    def _validate(self) -> None:
        self._check_keys(self.data, _TOP, "", ())
        for part in ("interactions", "routing", "genesys", "dialog"):
            if part in self.data:
                self._check_keys(self.data[part], _PARTS[part], part, (part,))
        for part in ("interactions.deliver", "interactions.fault", "interactions.event", "routing.agent", "dialog.fault", "http", "event", "expect"):
            outer, _, inner = part.partition(".")
            items = self.data.get(outer, {}).get(inner, []) if inner else self.data.get(outer, [])
            for k, item in enumerate(items):
                if not isinstance(item, dict):
                    raise self._error(f"each [[{part}]] must be a table", part)
                self._check_keys(item, _PARTS[part], f"[[{part}]] #{k + 1}", (part, str(k)))
        ids = self.data.get("session_ids", [])
        if not all(isinstance(i, str) and i for i in ids):
            raise self._error("session_ids must be strings", "session_ids")
        for k, expect in enumerate(self.data.get("expect", [])):
            for key in ("logs", "events"):
                if not all(isinstance(x, str) for x in expect.get(key, [])):
                    raise self._error(f"[[expect]] #{k + 1}: {key} must be a list of strings", "expect", str(k), key)
        main = self.base_dir / self.data["main"]
        if not main.is_file():
            raise self._error(f"main: no chart {main}", "main")
        for url, path in self.data.get("documents", {}).items():
            if not isinstance(path, str) or not (self.base_dir / path).is_file():
                raise self._error(f"documents: no chart {self.base_dir / str(path)} for {url}", "documents", url)

    def _check_keys(self, table: dict, spec: dict, what: str, where: tuple) -> None:
        for key, value in table.items():
            if key not in spec:
                raise self._error(f"{what + ': ' if what else ''}unknown key {key!r} (expected one of {', '.join(spec)})", *where, key)
            kind, _ = spec[key]
            if kind is not object and not isinstance(value, kind) or (kind in ((int, float),) and isinstance(value, bool)):
                raise self._error(f"{what + ': ' if what else ''}{key} has the wrong type ({type(value).__name__})", *where, key)
        for key, (_, required) in spec.items():
            if required and key not in table:
                raise self._error(f"{what + ': ' if what else ''}{key} is required", *where)

    # -- running ------------------------------------------------------------------------------

    def run(self, trace: Callable[[TraceRecord], None] | None = None) -> Result:
        """Run the scenario to its end (or `max_seconds` of simulated time) and check it."""
        data = self.data
        result = Result()

        def record(r: TraceRecord) -> None:
            result.records.append(r)
            if trace is not None:
                trace(r)

        ixn_spec = data.get("interactions", {})
        ixn = SimulatedInteractions(resources=ixn_spec.get("resources", ()), latency=ixn_spec.get("latency", 0.0))
        for fault in ixn_spec.get("fault", []):
            ixn.fail(fault["action"], fault["error"], once=not fault.get("always", False), description=fault.get("description"))
        routing_spec = data.get("routing", {})
        routing = SimulatedRouting(latency=routing_spec.get("latency", 0.0))
        for a in routing_spec.get("agent", []):
            routing.add_agent(
                a["name"], str(a["dn"]), ready=a.get("ready", True), groups=a.get("groups", ()),
                skills=a.get("skills"), stats=a.get("stats"), place=a.get("place"),
            )  # fmt: skip
        dialog_spec = data.get("dialog", {})
        dialog = SimulatedDialog(latency=dialog_spec.get("latency", 0.0), digits=[str(d) for d in dialog_spec.get("digits", ())])
        for fault in dialog_spec.get("fault", []):
            dialog.fail(fault["action"], fault["error"], once=not fault.get("always", False), description=fault.get("description"))
        from .canned import CannedHTTPClient
        from .environment import Genesys

        http = CannedHTTPClient(data.get("http", []))
        genesys = Genesys(**data.get("genesys", {}))
        documents = {url: str(self.base_dir / path) for url, path in data.get("documents", {}).items()}
        clock = SimulatedClock()
        host = Host(
            clock,
            documents=documents,
            document_roots=[self.base_dir],
            ids=_Ids(data.get("session_ids", []), data.get("request_ids")),
            services=[http, genesys],
            trace=record,
            interactions=ixn,
            routing=routing,
            dialog=dialog,
        )
        try:
            main_path = self.base_dir / data["main"]
            try:
                chart = compile_document(read_limited(main_path), main_path.name, str(main_path.resolve().parent))
            except OSError as exc:
                raise self._error(f"main: cannot read {data['main']}: {exc.strerror or exc}", "main") from None
            except DocumentError as exc:
                raise self._error(f"main: {exc.description}", "main") from None
            main = host.start(chart, params=data.get("params"))
            aliases = {"main": main.sessionid}
            self._schedule(host, ixn, aliases)
            host.run_until_idle(max_seconds=data.get("max_seconds", 60))
            for r in result.records:
                if r.kind == "start" and r.session not in result.sessions:
                    result.sessions[r.session] = host.sessions.get(r.session)
            result.sessions.setdefault(main.sessionid, main)
            self._check(result, aliases)
        finally:
            result.requests = list(http.received)
            host.close()
        return result

    def _schedule(self, host: Host, ixn: SimulatedInteractions, aliases: dict) -> None:
        clock = host.clock

        def session_of(name: str) -> str:
            return aliases.get(name, name)

        for item in self.data.get("interactions", {}).get("deliver", []):
            sid = session_of(item.get("session", "main"))
            props = item.get("props", {})
            clock.call_later(item.get("at", 0.0), lambda sid=sid, props=props: ixn.deliver(sid, props))
        for item in self.data.get("interactions", {}).get("event", []):
            clock.call_later(item.get("at", 0.0), lambda item=item: ixn.event(item["interactionid"], item["name"], item.get("data")))
        for item in self.data.get("event", []):
            sid = session_of(item.get("session", "main"))

            def send(sid=sid, item=item) -> None:
                machine = host.sessions.get(sid)
                if machine is not None and machine.running:
                    machine.send(item["name"], item.get("data"))

            clock.call_later(item.get("at", 0.0), send)

    def _check(self, result: Result, aliases: dict) -> None:
        for k, expect in enumerate(self.data.get("expect", [])):
            name = expect.get("session", "main")
            sid = aliases.get(name, name)
            label = f"session {name}" + (f" ({sid})" if sid != name else "")
            machine = result.sessions.get(sid)
            if machine is None:
                result.failures.append(f"{label}: it never started")
                result.checks.append(f"FAIL {label} started")
                continue
            if "final" in expect:
                want = expect["final"]
                got = machine.final_state if machine.done else "running"
                self._verdict(result, got == want, f"{label} ends in {want}", f"it ends in {got}")
            for key, seen in (("logs", result.logs(sid)), ("events", result.events(sid))):
                if key in expect:
                    missing = _first_missing(expect[key], seen)
                    detail = "" if missing is None else f"{missing!r} is missing (in order); it saw {seen}"
                    self._verdict(result, missing is None, f"{label} {key} {expect[key]}", detail)

    @staticmethod
    def _verdict(result: Result, ok: bool, what: str, detail: str) -> None:
        result.checks.append(f"{'PASS' if ok else 'FAIL'} {what}")
        if not ok:
            result.failures.append(f"{what}: {detail}")


def _first_missing(wanted: list[str], seen: list[str]) -> str | None:
    """The first of `wanted` not found in `seen` after the ones before it (a subsequence)."""
    it = iter(seen)
    for w in wanted:
        if not any(s == w for s in it):
            return w
    return None


class _Ids:
    """The ids of a scenario: its session ids in order (then counted), request ids by prefix."""

    def __init__(self, sessions: list[str], request_prefix: str | None):
        self._sessions = iter(sessions)
        self._count = itertools.count(1)
        self._requests = itertools.count(1)
        self._prefix = request_prefix

    def session_id(self) -> str:
        return next(self._sessions, None) or f"S{next(self._count)}"

    def request_id(self) -> str:
        if self._prefix is None:
            import uuid

            return uuid.uuid4().hex.upper()
        return f"{self._prefix}{next(self._requests)}"


def _locate(text: str, where: tuple[str, ...]) -> int:
    """The line of a key in TOML text: `where` is (table, [index], key...) as far as known;
    the line of the closest thing found (0 when nothing is)."""
    if not text or not where:
        return 0
    lines = text.splitlines()
    table, rest = where[0], list(where[1:])
    start = 0
    if rest and rest[0].isdigit():
        n = int(rest.pop(0))
        headers = [i for i, line in enumerate(lines) if re.match(rf"\s*\[\[\s*{re.escape(table)}\s*\]\]", line)]
        if n < len(headers):
            start = headers[n]
        elif headers:
            start = headers[-1]
    else:
        for i, line in enumerate(lines):
            if re.match(rf"\s*\[\s*{re.escape(table)}\s*\]", line) or re.match(rf"\s*[\"']?{re.escape(table)}[\"']?\s*=", line):
                start = i
                break
        else:
            return 0
    if not rest:
        return start + 1
    key = rest[-1]
    for i in range(start, len(lines)):
        if i > start and re.match(r"\s*\[", lines[i]):
            break
        if re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", lines[i]) or re.search(rf"[{{,]\s*{re.escape(key)}\s*=", lines[i]):
            return i + 1
    return start + 1


__all__ = ["Result", "Scenario", "ScenarioError", "format_record"]
