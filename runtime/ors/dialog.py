"""The `dialog:` module: treatments (start, play, collect, playandcollect, playandverify, playsound, pause, remote, runtreatments) through a dialog platform, and `<dialog:stop>` (ors-dialect.md §8.1).

Every dialog action follows the request pattern (ors-extensions.md §1.2): its request id in
`requestid`, `dialog.<action>.requestid` at once, then `dialog.<action>.done {requestid, ...}`
or `error.dialog.<action> {requestid, error, description}`; leaving the state that issued it
stops it. What the treatment does is the platform's (`Host(dialog=...)`); without one every
request answers `unavailable`. `SimulatedDialog` (simulated.py) completes them on the host's
clock, with scripted digits for the collecting actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol

from ..requests import ModuleService, Request
from .declarations import DIALOG

if TYPE_CHECKING:  # pragma: no cover
    from ..machine import Machine

# The actions that collect digits: their `.done` event carries `digits`.
COLLECTING = ("collect", "playandcollect", "playandverify")


@dataclass
class DialogRequest:
    """A dialog action as the platform gets it.

    `prompts`: the `<dialog:prompt>`s, in order, each a dict of its attributes plus `type` (of
    its `<dialog:prompts>`); `input`: the `<dialog:input>` attributes; `params`: the
    `<param>`s of `<dialog:start>` (APP_URI, LANGUAGE, ...); `treatments`: for runtreatments,
    one DialogRequest per treatment, in order; `args`: every evaluated attribute.
    """

    requestid: str
    session_id: str
    action: str
    interactionid: str | None = None
    device: str | None = None
    language: str | None = None
    prompts: list[dict] = field(default_factory=list)
    input: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    treatments: list["DialogRequest"] = field(default_factory=list)
    args: dict = field(default_factory=dict)


def dialog_request(action: str, args: dict, requestid: str = "", session_id: str = "") -> DialogRequest:
    """A DialogRequest from an action's evaluated arguments (nested elements included)."""
    req = DialogRequest(
        requestid=requestid,
        session_id=session_id,
        action=action,
        interactionid=args.get("interactionid"),
        device=args.get("device"),
        language=args.get("language"),
        params={name: value for name, value in args.get("params", ())},
        args={k: v for k, v in args.items() if k not in ("children", "params")},
    )
    for tag, child in args.get("children", ()):
        if tag == "prompts":
            kind = child.get("type")
            for _, prompt in child.get("children", ()):
                req.prompts.append({**({"type": kind} if kind is not None else {}), **prompt})
        elif tag == "input":
            req.input = dict(child)
        else:  # a treatment of runtreatments
            req.treatments.append(dialog_request(tag, child, requestid, session_id))
    return req


class DialogPlatform(Protocol):
    """What a dialog platform implements.

    `run(req, on_result)` carries out a treatment; when it is over it calls
    `on_result(True, {...})` (for the collecting actions with `digits`), or
    `on_result(False, {"error", "description"})` (on the host's thread). It returns a handle
    whose `cancel()` stops the treatment (`<dialog:stop>`, or the state that issued it exits),
    or None.
    """

    def run(self, req: DialogRequest, on_result: Callable[[bool, dict], None]) -> Any: ...


class NoDialog:
    """No dialog platform configured: every request answers `unavailable`."""

    def run(self, req, on_result):
        on_result(False, {"error": "unavailable", "description": "no dialog platform is configured (Host(dialog=...))"})
        return None


class DialogModule(ModuleService):
    """The runtime side of the `dialog:` module, one per host."""

    module = DIALOG

    def __init__(self) -> None:
        super().__init__()
        self.platform: Any = None

    def attach(self, host) -> None:
        super().attach(host)
        self.platform = host.adapters.get("dialog") or NoDialog()

    def perform(self, request: Request, args: dict) -> None:
        if request.action == "stop":
            self._stop(request, args)
        else:
            self._run(request, args)

    def _run(self, request: Request, args: dict) -> None:
        action, rid = request.action, request.id
        request.deliver(f"dialog.{action}.requestid", {"requestid": rid}, final=False)
        req = dialog_request(action, args, rid, request.machine.sessionid)
        request.info.update(interactionid=req.interactionid)
        handle: list[Any] = [None]

        def done(ok: bool, data: dict) -> None:
            if not request.pending:
                return
            data = dict(data or {})
            if ok:
                request.deliver(f"dialog.{action}.done", {"requestid": rid, **data})
            else:
                error = {"error": str(data.get("error", "unknown")), "description": str(data.get("description", ""))}
                request.deliver(f"error.dialog.{action}", {"requestid": rid, **error})

        handle[0] = self.platform.run(req, done)
        if request.pending and handle[0] is not None:
            request.on_cancel(lambda: handle[0].cancel())

    def _stop(self, request: Request, args: dict) -> None:
        """<dialog:stop requestid>: stop a pending dialog request of the session."""
        rid = args.get("requestid")
        target = (request.machine._requests or {}).get(rid)
        if target is None or target.module != "dialog" or target is request:
            request.deliver("error.dialog.stop", {"requestid": rid, "error": "notfound", "description": "no pending dialog request has this id"})
            return
        target.cancel()
        request.deliver("dialog.stop.done", {"requestid": rid})


__all__ = ["COLLECTING", "DialogModule", "DialogPlatform", "DialogRequest", "NoDialog", "dialog_request"]
