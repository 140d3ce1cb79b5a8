"""The `queue:` module: `<queue:submit>` (with its `<dialog:runtreatments>`), `<queue:cancel>`, `<queue:query>`, `_genesys.queue.rType`, and the routing platform interface (ors-extensions.md §9, ors-dialect.md §8).

`<queue:submit>` asks the routing platform (`Host(routing=...)`) for a target among its
`<queue:targets>`: `queue.submit.requestid` comes at once, then `queue.submit.done` with the
target selected, or `error.queue.submit`. Time limits and cancellation are this module's, for
every platform; the default platform answers `unavailable`. `SimulatedRouting` selects among
agents you describe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol

from .._lazylog import LazyLogger
from ..requests import IllegalValue, ModuleService, Request
from .declarations import QUEUE
from .targets import Target, TargetError, parse_target, target_from_element

if TYPE_CHECKING:  # pragma: no cover
    from ..machine import Machine

_log = LazyLogger("scxmlc_runtime")  # (logging is imported on first use, issue 14)

# T-Library route types (_genesys.queue.rType: values are the names, as strings; the numbers
# are T-Library's, for platforms that want them).
ROUTE_TYPES = {
    "RouteTypeUnknown": 0,
    "RouteTypeDefault": 1,
    "RouteTypeLabel": 2,
    "RouteTypeOverwriteDNIS": 3,
    "RouteTypeDDD": 4,
    "RouteTypeIDDD": 5,
    "RouteTypeDirect": 6,
    "RouteTypeReject": 7,
    "RouteTypeAnnouncement": 8,
    "RouteTypePostFeature": 9,
    "RouteTypeDirectAgent": 10,
    "RouteTypePriority": 11,
    "RouteTypeDirectPriority": 12,
    "RouteTypeAgentID": 13,
    "RouteTypeCallDisconnect": 14,
}


_QUEUE_PART: Any = None  # `_genesys.queue`, made on first use


@dataclass
class RouteRequest:
    """A submit as the routing platform gets it."""

    requestid: str
    session_id: str
    targets: list[Target]
    queue: str = "none"
    priority: float = 0.0
    ordertype: str = "any"
    orderstat: str | None = None
    interactionid: str | None = None
    route: bool = True
    clearontimeout: bool = False
    # <dialog:runtreatments> of the submit: what the caller gets while waiting, in order (the
    # platform plays them; they raise no events, ors-dialect.md §8)
    treatments: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


class RoutingPlatform(Protocol):
    """What a routing platform implements for `<queue:submit>` and `<queue:query>`.

    `submit(req, on_result)` looks for a target; when it has one it calls
    `on_result(True, {"targetselected", "targetcomponentselected", "targetobjectselected",
    "resource", ...})`, or `on_result(False, {"error", "description"})` when it cannot (on the
    host's thread). It returns a handle whose `cancel()` withdraws the request (time limits and
    `<queue:cancel>` use it), or None.

    `query(req, on_result)` (optional: a platform without it answers `unavailable`) tells where
    a pending submit stands: `on_result(True, {"priority", "positioninqueue",
    "invqwaittime"})` or `on_result(False, {"error", "description"})`.
    """

    def submit(self, req: RouteRequest, on_result: Callable[[bool, dict], None]) -> Any: ...


class NoRouting:
    """No routing platform configured: every submit and query answers `unavailable`."""

    def submit(self, req, on_result):
        on_result(False, {"error": "unavailable", "description": "no routing platform is configured (Host(routing=...))"})
        return None

    query = submit


class QueueModule(ModuleService):
    """The runtime side of the `queue:` module, one per host."""

    module = QUEUE

    def __init__(self) -> None:
        super().__init__()
        self.platform: Any = None

    def attach(self, host) -> None:
        super().attach(host)
        self.platform = host.adapters.get("routing") or NoRouting()

    def environment(self, machine: "Machine") -> Any:
        """`_genesys.queue` (shared by all sessions, read-only): `rType`, the route types, whose
        values are their names (ors-dialect.md §6), passed to the platform as they are; and the
        enums `overwriteType` and `usecapcond`."""
        global _QUEUE_PART
        if _QUEUE_PART is None:
            from .environment import Constants, Enum

            _QUEUE_PART = Constants({"rType": Enum(tuple(ROUTE_TYPES)), "overwriteType": Enum(), "usecapcond": Enum()})
        return _QUEUE_PART

    def validate(self, machine: "Machine", action: str, args: dict) -> dict:
        if action == "submit":
            targets: list[Target] = []
            treatments: list = []
            try:
                for tag, block in args.get("children", ()):
                    if tag == "runtreatments":
                        from .dialog import dialog_request

                        treatments.extend(dialog_request(t, a) for t, a in block.get("children", ()))
                        continue
                    for kind, item in block.get("children", ()):
                        targets.append(parse_target(item["expr"]) if kind == "targetid" else target_from_element(item))
            except TargetError as exc:
                raise IllegalValue("targets", str(exc), str(exc)) from None
            args["targets"] = targets
            args["treatments"] = treatments
        return args

    def perform(self, request: Request, args: dict) -> None:
        if request.action == "submit":
            self._submit(request, args)
        elif request.action == "query":
            self._query(request, args)
        else:
            self._cancel(request, args)

    # -- <queue:submit> -------------------------------------------------------------------

    def _submit(self, request: Request, args: dict) -> None:
        rid = request.id
        request.deliver("queue.submit.requestid", {"requestid": rid}, final=False)
        ixnid = args.get("interactionid")

        def fail(error: str, description: str) -> None:
            request.deliver("error.queue.submit", {"requestid": rid, "interactionid": ixnid, "error": error, "description": description})

        if not args["targets"]:
            return fail("invalidattribute", "no targets (<queue:targets> with <queue:target> or <queue:targetid>)")
        order = args["ordertype"].strip().lower()
        if order not in ("any", "max", "min", "percentage"):
            return fail("invalidattribute", f"ordertype must be any, max, min or percentage, not {args['ordertype']!r}")
        req = RouteRequest(
            requestid=rid,
            session_id=request.machine.sessionid,
            targets=args["targets"],
            queue=args["queue"],
            priority=args["priority"],
            ordertype=order,
            orderstat=args.get("orderstat"),
            interactionid=ixnid,
            route=args["route"],
            clearontimeout=args["clearontimeout"],
            treatments=args.get("treatments", []),
        )
        request.info.update(interactionid=ixnid, queue=req.queue, route_request=req)
        handle: list[Any] = [None]
        timer: list[Any] = [None]

        def done(ok: bool, data: dict) -> None:
            if timer[0] is not None:
                timer[0].cancel()
            if not request.pending:
                return
            data = dict(data or {})
            if not ok:
                fail(str(data.get("error", "unknown")), str(data.get("description", "")))
                return
            if req.route and ixnid:
                self.host.service("ixn").routed(ixnid, data.get("resource"))
            result = {"requestid": rid, "vqselected": req.queue, "interactionid": ixnid, **data}
            request.deliver("queue.submit.done", result)

        def expire() -> None:
            timer[0] = None
            if handle[0] is not None:
                handle[0].cancel()
            if request.pending:
                fail("timeout", f"no target within {args['timeout']:g} s")

        if args["timeout"] > 0:
            timer[0] = self.host.clock.call_later(args["timeout"], expire)
        handle[0] = self.platform.submit(req, done)

        def cancel() -> None:
            if timer[0] is not None:
                timer[0].cancel()
            if handle[0] is not None:
                handle[0].cancel()

        request.on_cancel(cancel)

    # -- <queue:query> --------------------------------------------------------------------

    def _query(self, request: Request, args: dict) -> None:
        """Where a pending submit of the session stands (ors-dialect.md §8): its priority, its
        position in the queue and the seconds it has waited, from the platform."""
        rid = args["requestid"]
        submit = (request.machine._requests or {}).get(rid)
        if submit is None or submit.module != "queue" or submit.action != "submit" or "route_request" not in submit.info:
            request.deliver("error.queue.query", {"requestid": rid, "error": "notfound", "description": "no pending <queue:submit> has this id"})
            return
        query = getattr(self.platform, "query", None)
        if query is None:
            request.deliver("error.queue.query", {"requestid": rid, "error": "unavailable", "description": "the routing platform cannot answer queries"})
            return

        def done(ok: bool, data: dict) -> None:
            data = dict(data or {})
            if ok:
                request.deliver("queue.query.done", {"requestid": rid, **data})
            else:
                request.deliver("error.queue.query", {"requestid": rid, "error": str(data.get("error", "unknown")), "description": str(data.get("description", ""))})

        query(submit.info["route_request"], done)

    # -- <queue:cancel> -------------------------------------------------------------------

    def _cancel(self, request: Request, args: dict) -> None:
        machine = request.machine
        rid, ixnid, vq = args.get("requestid"), args.get("interactionid"), args.get("queue")
        key = {"requestid": rid} if rid is not None else {"interactionid": ixnid}
        if rid is None and ixnid is None:
            request.deliver("error.queue.cancel", {**key, "error": "invalidattribute", "description": "requestid or interactionid is needed"})
            return
        found = [
            r
            for r in list((machine._requests or {}).values())
            if r.module == "queue" and r.action == "submit" and (r.id == rid if rid is not None else self._matches(r, ixnid, vq))
        ]
        if not found:
            request.deliver("error.queue.cancel", {**key, "error": "notfound", "description": "no pending <queue:submit> matches"})
            return
        for r in found:
            r.cancel()
        request.deliver("queue.cancel.done", key)

    @staticmethod
    def _matches(request: Request, ixnid: str | None, vq: str | None) -> bool:
        info = request.info
        return info.get("interactionid") == ixnid and (vq is None or info.get("queue") == vq)


__all__ = ["NoRouting", "QueueModule", "ROUTE_TYPES", "RouteRequest", "RoutingPlatform"]
