"""The `ws:` module: `<ws:response>`, the answer of a session to a request posted to it over the session server's REST API (ors-server.md §5.3-§5.4).

The server delivers a request as an external event whose `sendid` is the request id, and waits
(`expect`). `<ws:response requestid>` builds the HTTP answer from its `<param>`s or `<content>`
and hands it back; an id that is not waiting (unknown, answered, timed out, the client gone) is
`error.ws.response {requestid, error: "notfound"}`. A session that ends with requests
unanswered leaves them to the server (`session_ended`: 502 noresponse).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..httpdata import text_bytes
from ..js import UNDEFINED
from ..requests import ModuleService, Request
from .declarations import WS

if TYPE_CHECKING:  # pragma: no cover
    from ..machine import Machine


@dataclass
class Answer:
    """What `<ws:response>` says: positive or negative, a result code, the body and its type."""

    positive: bool
    resultcode: str | None
    body: bytes
    content_type: str
    headers: dict = field(default_factory=dict)


@dataclass
class Waiting:
    session_id: str
    on_answer: Callable[[Answer | None], None]  # None: the session ended first


def _json(value: Any) -> str:
    from ..js.builtins.json import json_stringify

    text = json_stringify(value)
    return "null" if text is UNDEFINED else text


class WsModule(ModuleService):
    """The runtime side of the `ws:` module, one per host."""

    module = WS

    def __init__(self, request_answer: str = "flat") -> None:
        super().__init__()
        self.request_answer = request_answer  # "flat" or "envelope" (§5.4, §1.10)
        self.waiting: dict[str, Waiting] = {}

    # -- the server's side ------------------------------------------------------------------

    def expect(self, requestid: str, session_id: str, on_answer: Callable[[Answer | None], None]) -> None:
        self.waiting[requestid] = Waiting(session_id, on_answer)

    def forget(self, requestid: str) -> None:
        """The client gave up (timeout, connection closed): a later response is `notfound`."""
        self.waiting.pop(requestid, None)

    def session_ended(self, machine: "Machine") -> None:
        for rid, w in list(self.waiting.items()):
            if w.session_id == machine.sessionid:
                del self.waiting[rid]
                w.on_answer(None)

    # -- <ws:response> ----------------------------------------------------------------------

    def perform(self, request: Request, args: dict) -> None:
        rid = args["requestid"]

        def fail(error: str, description: str) -> None:
            request.deliver("error.ws.response", {"requestid": rid, "error": error, "description": description})

        kind = str(args.get("type", "positive")).strip().lower()
        if kind not in ("positive", "negative"):
            return fail("invalidattribute", f"type must be positive or negative, not {args.get('type')!r}")
        waiting = self.waiting.get(rid)
        if waiting is None or waiting.session_id != request.machine.sessionid:
            return fail("notfound", f"no request {rid} is waiting for an answer (unknown, answered, timed out, or its client gone)")
        del self.waiting[rid]
        resultcode = args.get("resultcode")
        if "content" in args:
            value = args["content"]
            if isinstance(value, str):
                body, ctype = value, "text/plain; charset=utf-8"
            else:
                body, ctype = _json(value), "application/json; charset=utf-8"
        else:
            # §5.4: the params as JSON.stringify writes an object of them (NaN and the
            # infinities as null, lone surrogates as escapes); an undefined one as null
            params = {name: value if value is not UNDEFINED else None for name, value in args.get("params", ())}
            if self.request_answer == "envelope":
                params = {"requestid": rid, "type": kind, "resultcode": resultcode, "data": params}
            body, ctype = _json(params), "application/json; charset=utf-8"
        answer = Answer(kind == "positive", None if resultcode is None else str(resultcode), text_bytes(body), ctype)
        request.finish()  # success raises no event (§5.3)
        # rule E (§9.5): released once the macrostep that produced it is committed
        self.host.after_commit(request.machine, lambda: waiting.on_answer(answer))


__all__ = ["Answer", "WsModule"]
