"""A simulated contact centre: an interaction platform and a routing platform that follow ors-extensions.md §8.4 and §9 offline, for tests, the walk-through of §11, and strategy authors.

`SimulatedInteractions` delivers interactions to sessions and carries out their actions by the
state rules of §8.4, on a set of known resources (DNs), with faults you inject and a latency on
the host's clock. `SimulatedRouting` knows agents (a DN, a ready flag, groups, skills, statistics)
and selects targets for `<queue:submit>`, or waits until one is ready.

    ixn = SimulatedInteractions(resources={"702"})
    host = Host(SimulatedClock(), interactions=ixn, routing=SimulatedRouting())
    session = host.start(chart)
    ixn.deliver(session.sessionid, {"g_uid": "IXN-1", "category": "voice"})
    host.run_until_idle(60)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .dialog import COLLECTING, DialogRequest
from .queue import RouteRequest
from .targets import Target

if TYPE_CHECKING:  # pragma: no cover
    from ..host import Host

_g_uids = itertools.count(1)

# Where an action cannot start: states that reject it (`invalidstate.<state>`).
_REJECTING = {
    "accept": ("connected", "hold", "transferring", "routed"),
    "redirect": ("transferring", "routed"),
    "terminate": ("null",),
}


class _Timer:
    """A request in flight on the host clock: cancel() withdraws it."""

    def __init__(self) -> None:
        self.timer: Any = None
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        if self.timer is not None:
            self.timer.cancel()


@dataclass
class Fault:
    error: str
    description: str
    once: bool


class SimulatedInteractions:
    """An interaction platform in memory (`Host(interactions=...)`).

    - `resources`: the DNs that exist (accept's `resource`, redirect's `to`);
    - `latency`: seconds on the host clock before a request is answered;
    - `deliver(sessionid, props)`: a new interaction for a session (`interaction.added`);
    - `fail(action, error)`: the next request of `action` fails with `error` (`once=False`:
      every one until `clear_faults()`);
    - `hangup(g_uid)`: the caller hangs up (`interaction.deleted`, resultof "deletion");
    - `event(g_uid, name, data)`: `interaction.<name>` for the owning session;
    - `requests`: every request received, as (session id, action, args).
    """

    def __init__(self, resources=(), latency: float = 0.0) -> None:
        self.resources = {str(r) for r in resources}
        self.latency = latency
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.host: "Host | None" = None

    def attach(self, host: "Host") -> None:
        self.host = host

    @property
    def service(self):
        if self.host is None:
            raise RuntimeError("give this platform to a Host first: Host(clock, interactions=platform)")
        return self.host.service("ixn")

    # -- the platform's side ---------------------------------------------------------------

    def deliver(self, sessionid: str, props: dict | None = None) -> str:
        """A new interaction owned by `sessionid`; returns its g_uid."""
        props = {"category": "voice", "state": "ringing", **(props or {})}
        props.setdefault("g_uid", f"SIM-{next(_g_uids)}")
        return self.service.new_interaction(sessionid, props)

    def hangup(self, g_uid: str) -> None:
        self.service.delete(g_uid, "deletion")

    def fail(self, action: str, error: str, *, once: bool = True, description: str | None = None) -> None:
        self.faults.setdefault(action, []).append(Fault(error, description or f"simulated fault: {error}", once))

    def clear_faults(self) -> None:
        self.faults.clear()

    def event(self, g_uid: str, name: str, data: dict | None = None) -> None:
        """An unsolicited event about an interaction for the session that owns it:
        `interaction.<name>` with `{interactionid, ...data}` (`onrouterequest`, `abandoned`,
        `partystatechanged`, `onmerge`, ...; ors-dialect.md §9)."""
        self.service.notify(g_uid, f"interaction.{name}", data)

    # -- InteractionPlatform ---------------------------------------------------------------

    def request(self, session_id: str, action: str, requestid: str, args: dict, on_result: Callable[[bool, dict], None]) -> Any:
        self.requests.append((session_id, action, dict(args)))
        handle = _Timer()

        def answer() -> None:
            if not handle.cancelled:
                ok, data = self.decide(action, args)
                on_result(ok, data)

        handle.timer = self.host.clock.call_later(self.latency, answer)
        return handle

    def decide(self, action: str, args: dict) -> tuple[bool, dict]:
        """The outcome of an action: an injected fault, else the rules of §8.4."""
        faults = self.faults.get(action)
        if faults:
            fault = faults[0]
            if fault.once:
                faults.pop(0)
            return False, {"error": fault.error, "description": fault.description}
        entry = self.service.get(args["interactionid"])
        if entry is None:
            return False, {"error": "notfound", "description": f"no interaction {args['interactionid']}"}
        state = entry.state
        if state in _REJECTING.get(action, ()):
            return False, {"error": f"invalidstate.{state}", "description": f"cannot {action} an interaction that is {state}"}
        if action == "accept":
            dn = _resource(args.get("resource"))
            if dn not in self.resources:
                return False, {"error": "invalidresource", "description": f"unknown resource {dn!r}"}
            return True, {"state": "connected", "resource": dn}
        if action == "redirect":
            to = str(args.get("to") or "")
            if to.split("@", 1)[0] not in self.resources:
                return False, {"error": "invaliddestination", "description": f"unknown destination {to!r}"}
            return True, {"state": "routed", "resource": to}
        return True, {}


def _resource(value: Any) -> str:
    """A resource attribute: a DN, or an object naming one (`{dn: ...}` or `{name: ...}`)."""
    if isinstance(value, dict):
        value = value.get("dn", value.get("name", value.get("resource")))
    return "" if value is None else (str(int(value)) if isinstance(value, float) and value.is_integer() else str(value))


@dataclass
class Agent:
    name: str
    dn: str
    ready: bool = True
    groups: tuple[str, ...] = ()
    skills: dict[str, float] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)
    place: str | None = None


class SimulatedRouting:
    """A routing platform in memory (`Host(routing=...)`).

    `add_agent(name, dn, ready=True, groups=(), skills={}, stats={}, place=None)` describes an
    agent; `set_ready(name)` makes one ready (waiting submits are served, by priority, then in
    order); `set_stat(name, stat, value)` sets a statistic for ordertype max/min. Targets select:
    `.A` an agent by name, `.AP` by place, `.GA`/`.GP` agents of a group, a skill expression the
    agents whose skills satisfy it, `.DN`/`.Q`/`.RP`/`.DL` that resource itself. A selected agent
    stops being ready (it takes the interaction).
    """

    def __init__(self, agents=(), latency: float = 0.0) -> None:
        self.agents: dict[str, Agent] = {}
        for agent in agents:
            self.agents[agent.name] = agent
        self.latency = latency
        self.waiting: list[tuple[RouteRequest, Callable, _Timer]] = []
        self.requests: list[RouteRequest] = []  # every submit received (their treatments too)
        self.host: "Host | None" = None
        self._served: dict[str, int] = {}  # per target text: selections (ordertype percentage)
        self._since: dict[str, float] = {}  # request id -> when it was submitted

    def attach(self, host: "Host") -> None:
        self.host = host

    def add_agent(self, name: str, dn: str, *, ready: bool = True, groups=(), skills=None, stats=None, place=None) -> Agent:
        agent = self.agents[name] = Agent(name, str(dn), ready, tuple(groups), dict(skills or {}), dict(stats or {}), place)
        if ready:
            self._serve_waiting()
        return agent

    def set_ready(self, name: str, ready: bool = True) -> None:
        self.agents[name].ready = ready
        if ready:
            self._serve_waiting()

    def set_stat(self, name: str, stat: str, value: float) -> None:
        self.agents[name].stats[stat] = value

    # -- RoutingPlatform -------------------------------------------------------------------

    def submit(self, req: RouteRequest, on_result: Callable[[bool, dict], None]) -> Any:
        handle = _Timer()
        self.requests.append(req)
        self._since[req.requestid] = self.host.clock.now()
        if not self._try(req, on_result, handle):
            self.waiting.append((req, on_result, handle))
        return handle

    def query(self, req: RouteRequest, on_result: Callable[[bool, dict], None]) -> None:
        """Where a submit stands: its place among the waiting ones (by priority, then in order;
        0 once a target is found) and the seconds since it was submitted."""
        waiting = sorted((w for w in self.waiting if not w[2].cancelled), key=lambda w: -w[0].priority)
        position = next((k for k, w in enumerate(waiting, 1) if w[0] is req), 0)
        waited = self.host.clock.now() - self._since.get(req.requestid, self.host.clock.now())
        data = {"priority": req.priority, "positioninqueue": position, "invqwaittime": waited}
        self.host.clock.call_later(self.latency, lambda: on_result(True, data))

    def _try(self, req: RouteRequest, on_result: Callable, handle: _Timer) -> bool:
        found = self.select(req)
        if found is None:
            return False
        target, agent, resource = found
        if agent is not None:
            agent.ready = False
        self._served[target.text] = self._served.get(target.text, 0) + 1
        component = agent.name if agent is not None else resource
        data = {
            "targetselected": f"{component}@{target.server}.{'A' if agent is not None else target.code}",
            "targetcomponentselected": component,
            "targetobjectselected": target.text,
            "resource": resource,
        }

        def answer() -> None:
            if not handle.cancelled:
                on_result(True, data)

        handle.timer = self.host.clock.call_later(self.latency, answer)
        return True

    def _serve_waiting(self) -> None:
        queue = sorted(((r, cb, h) for r, cb, h in self.waiting if not h.cancelled), key=lambda w: -w[0].priority)
        self.waiting = []
        for req, on_result, handle in queue:
            if not self._try(req, on_result, handle):
                self.waiting.append((req, on_result, handle))

    def candidates(self, target: Target) -> list[Agent]:
        """The agents a target names (ready or not)."""
        if target.skill is not None:
            return [a for a in self.agents.values() if target.skill.holds(a.skills)]
        if target.kind == "agent":
            return [a for a in self.agents.values() if a.name == target.name]
        if target.kind == "place":
            return [a for a in self.agents.values() if a.place == target.name]
        if target.kind in ("agentgroup", "placegroup"):
            return [a for a in self.agents.values() if target.name in a.groups]
        return []

    def select(self, req: RouteRequest) -> tuple[Target, Agent | None, str] | None:
        """(target, agent, resource) by the submit's order type, or None when nothing is ready."""
        ready: list[tuple[int, Target, Agent | None, str]] = []
        for k, target in enumerate(req.targets):
            if target.skill is None and target.kind in ("dn", "queue", "routingpoint", "destinationlabel"):
                ready.append((k, target, None, target.name))
                continue
            ready.extend((k, target, a, a.dn) for a in self.candidates(target) if a.ready)
        if not ready:
            return None
        if req.ordertype in ("max", "min") and req.orderstat:
            value = lambda c: c[2].stats.get(req.orderstat, 0.0) if c[2] is not None else 0.0  # noqa: E731
            pick = (max if req.ordertype == "max" else min)(ready, key=value)
        elif req.ordertype == "percentage":
            # the target furthest below its share of the selections so far
            def deficit(c):
                weight = c[1].weight or 1.0
                return (self._served.get(c[1].text, 0) / weight, c[0])

            pick = min(ready, key=deficit)
        else:
            pick = ready[0]
        return pick[1], pick[2], pick[3]


class SimulatedDialog:
    """A dialog platform in memory (`Host(dialog=...)`): every treatment ends after `latency`
    seconds on the host's clock (or its own `duration`, when it has one); the collecting
    actions (collect, playandcollect, playandverify) answer with the next of `digits` (a list
    used in order, the last one repeated; or one string for all).

    - `fail(action, error)`: the next request of `action` fails (`once=False`: every one);
    - `requests`: every DialogRequest received.
    """

    def __init__(self, latency: float = 0.0, digits=()) -> None:
        self.latency = latency
        self.digits = [digits] if isinstance(digits, str) else list(digits)
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[DialogRequest] = []
        self.host: "Host | None" = None

    def attach(self, host: "Host") -> None:
        self.host = host

    def fail(self, action: str, error: str, *, once: bool = True, description: str | None = None) -> None:
        self.faults.setdefault(action, []).append(Fault(error, description or f"simulated fault: {error}", once))

    def run(self, req: DialogRequest, on_result: Callable[[bool, dict], None]) -> Any:
        self.requests.append(req)
        handle = _Timer()
        faults = self.faults.get(req.action)
        if faults:
            fault = faults[0]
            if fault.once:
                faults.pop(0)
            outcome: tuple[bool, dict] = (False, {"error": fault.error, "description": fault.description})
        elif req.action in COLLECTING:
            outcome = (True, {"digits": self._next_digits()})
        else:
            outcome = (True, {})
        duration = req.args.get("duration")
        wait = float(duration) if isinstance(duration, (int, float)) and duration > 0 else self.latency

        def answer() -> None:
            if not handle.cancelled:
                on_result(*outcome)

        handle.timer = self.host.clock.call_later(wait, answer)
        return handle

    def _next_digits(self) -> str:
        if not self.digits:
            return ""
        return self.digits.pop(0) if len(self.digits) > 1 else self.digits[0]


__all__ = ["Agent", "Fault", "SimulatedDialog", "SimulatedInteractions", "SimulatedRouting"]
