"""Requests: the asynchronous pattern every extension action follows, written once for all modules.

An action element of an extension module (`<session:fetch>`, `<ixn:attach>`, ...) runs as
ors-extensions.md §1.2 describes:

1. evaluate its attributes, `<param>`s and `<content>` in document order (generated code);
   a failure raises `error.script.<JSErrorName>` and nothing else happens;
2. coerce and validate the values from the element's declaration (§1.3); a failure raises
   `error.illegalvalue.<attribute>`;
3. take a fresh id and store it, synchronously, in the location attribute that receives it
   (`requestid`, `sessionid`); a location that cannot be assigned raises
   `error.illegalloc.<JSErrorName>` and the action is not performed;
4. hand the request to the module's service and carry on with the next element.

Results come back later as *external* events (`Request.deliver`). A request that is still
pending belongs to a state (§3.10): the state whose `<onentry>` issued it, the domain of the
transition whose content issued it, the domain of the transition that exits the state whose
`<onexit>` issued it; the session itself when that is `<scxml>`. It is cancelled silently (no
event, late results dropped) when its owner is exited or the session ends.

The interpreter calls `release_owned` once per microstep that exits an owner; microsteps that
exit a state that can own requests are never recorded as plans (ChartTables.request_owners),
so the replay paths need no check.
"""

from __future__ import annotations

from ._lazylog import LazyLogger
from ._lazyre import LazyPattern
from .events import EXTERNAL, PLATFORM, make_event
from .js.errors import error_name_message
from .js.interop import js_to_string, to_js
from .js.values import UNDEFINED, JSArray, JSThrow

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Callable
    from .extensions import Element, Module
    from .host import Host
    from .machine import Machine

_log = LazyLogger("scxmlc_runtime")  # (logging is imported on first use: keeps the runtime's import light, issue 14)

PENDING, DONE, CANCELLED = "pending", "done", "cancelled"


class IllegalValue(Exception):
    """A value that fails its attribute's type (§1.3): becomes `error.illegalvalue.<attribute>`."""

    def __init__(self, attribute: str, value: Any, description: str):
        super().__init__(description)
        self.attribute = attribute
        self.value = value
        self.description = description


class Request:
    """One pending action: its id, the session that issued it, and the state that owns it."""

    __slots__ = ("id", "machine", "owner", "module", "action", "line", "state", "cancel_hooks", "info", "__weakref__")

    def __init__(self, rid: str, machine: "Machine", owner: int, module: str, action: str, line: int):
        self.id = rid
        self.machine = machine
        self.owner = owner  # a state index; 0 is the session itself
        self.module = module
        self.action = action
        self.line = line
        self.state = PENDING
        self.cancel_hooks: list[Callable[[], None]] = []
        self.info: dict = {}  # what the module's service keeps with it

    @property
    def pending(self) -> bool:
        return self.state == PENDING

    def on_cancel(self, hook: Callable[[], None]) -> None:
        """Run `hook` if the request is cancelled (owner exited, session ended, or cancelled by
        another action): abort the work it started."""
        self.cancel_hooks.append(hook)

    def deliver(self, name: str, data: Any = None, final: bool = True) -> bool:
        """Queue the result event `name` on the issuing session's external queue (§1.2: results
        are external events, never processed inside the current macrostep). `final`: the
        request is complete. A request that was cancelled, or whose session has ended,
        delivers nothing. Returns whether the event was queued."""
        if self.state != PENDING:
            return False
        machine = self.machine
        if final:
            self._finish(DONE)
        if not machine.running:
            return False
        machine.enqueue_external(result_event(name, data))
        return True

    def finish(self) -> None:
        """Complete without an event."""
        if self.state == PENDING:
            self._finish(DONE)

    def cancel(self) -> bool:
        """Cancel silently: nothing will be delivered; the cancel hooks abort the work."""
        if self.state != PENDING:
            return False
        self._finish(CANCELLED)
        for hook in self.cancel_hooks:
            try:
                hook()
            except Exception:  # noqa: BLE001 - cancelling must never break the caller
                _log.exception("cancelling request %s", self.id)
        self.cancel_hooks = []
        return True

    def _finish(self, state: str) -> None:
        self.state = state
        self.machine._forget_request(self)

    def __repr__(self) -> str:
        return f"<Request {self.module}:{self.action} {self.id} {self.state}>"


def result_event(name: str, data: Any) -> dict:
    """A module's result event: external, its data a JS object; the SCXML fields that do not
    apply are empty strings, as ORS shows them (`uneval(_event)`, ors-extensions.md §10)."""
    return make_event(name, to_js(data), type=EXTERNAL, sendid="", origin="", origintype="", invokeid="")


class ModuleService:
    """Base of the runtime side of an extension module: one instance per Host, created when a
    session first uses the module (or given to the Host). Subclasses implement `perform` for
    their actions; `validate` adds checks of their own to the declared coercions."""

    module: "Module"

    def __init__(self) -> None:
        self.host: "Host | None" = None

    def attach(self, host: "Host") -> None:
        """Called once when the service is plugged into a host."""
        self.host = host

    def install(self, machine: "Machine") -> None:
        """Per session, before its datamodel is initialised: environment of its own."""

    def new_id(self, machine: "Machine", action: str, args: dict) -> str:
        """The id assigned to the request (its `requestid`)."""
        return machine.host.ids.request_id()

    def validate(self, machine: "Machine", action: str, args: dict) -> dict:
        return args

    def perform(self, request: Request, args: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def session_ended(self, machine: "Machine") -> None:
        """A session of this host has ended (its requests are already cancelled)."""

    def resumable(self, action: str, args: dict) -> bool:
        """Whether a request survives a restore of its session (it is then stored with its
        arguments and given to `resume`); others come back as `interrupted` errors
        (ors-server.md §9.7 step 5)."""
        return False

    def resume(self, request: Request, args: dict, elapsed: float, idle: float) -> None:
        """Take back a resumable request of a restored session: `elapsed` seconds since it
        was issued, `idle` since the session was stored."""
        raise NotImplementedError

    def error_event(self, action: str) -> str:
        """The name of the error event of `action` (`error.session.fetch`)."""
        return f"error.{self.module.name}.{action}"

    def close(self) -> None:
        """The host is closing."""


# -- coercion of evaluated values (ors-extensions.md §1.3) --------------------------------------

_DIGITS = LazyPattern(r"^\s*\d+\s*$")
_NUMBER = LazyPattern(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
# xs:duration (XML Schema 1.0 3.2.6): PnYnMnDTnHnMnS, at least one field, T only before a time field.
_DURATION = LazyPattern(
    r"^\s*(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?\s*$"
)

# the name of a JS error, as the last token of its error event (error.<kind>.<name>)
_IDENTIFIER = LazyPattern(r"[A-Za-z_$][\w$]*")


def _show(v: Any) -> str:
    from .js.interop import js_display

    try:
        return js_display(v)
    except Exception:  # noqa: BLE001
        return repr(v)


def _finite(x: float) -> bool:
    """math.isfinite, without loading math at start-up: inf - inf and nan - nan are nan."""
    return x - x == 0.0


def coerce(attr_name: str, kind: str, value: Any) -> Any:
    """The value of an attribute of type `kind` (extensions.STRING, SECONDS, ...)."""
    if kind == "any":
        return value
    if kind == "string":
        return value if isinstance(value, str) else js_to_string(value)
    if kind == "seconds":
        if isinstance(value, float) and not isinstance(value, bool) and _finite(value) and value >= 0:
            return value
        if isinstance(value, str) and _DIGITS.match(value):
            return float(int(value))
        raise IllegalValue(attr_name, value, f"{attr_name} must be a number of seconds >= 0, not {_show(value)}")
    if kind == "number":
        if isinstance(value, float) and not isinstance(value, bool) and _finite(value):
            return value
        if isinstance(value, str) and _NUMBER.match(value):
            return float(value)
        raise IllegalValue(attr_name, value, f"{attr_name} must be a number, not {_show(value)}")
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if isinstance(value, float) and value in (0.0, 1.0):
            return value == 1.0
        raise IllegalValue(attr_name, value, f"{attr_name} must be true or false, not {_show(value)}")
    if kind == "duration":
        return duration_seconds(attr_name, value)
    if kind == "object":
        if value is UNDEFINED or value is None:
            return None
        if isinstance(value, dict):
            return value
        raise IllegalValue(attr_name, value, f"{attr_name} must be an object, not {_show(value)}")
    raise ValueError(f"unknown attribute type {kind!r}")  # a declaration bug


def duration_seconds(attr_name: str, value: Any) -> float:
    """Seconds of a duration: an xs:duration string ("PT5M") or a number of milliseconds.
    Years and months count as 365 and 30 days (a window, not a calendar date)."""
    if isinstance(value, float) and not isinstance(value, bool) and _finite(value) and value >= 0:
        return value / 1000.0
    if isinstance(value, str):
        if _NUMBER.match(value) and float(value) >= 0:
            return float(value) / 1000.0
        m = _DURATION.match(value)
        if m and any(m.group(i) for i in range(2, 8)) and not value.strip().endswith("T"):
            if m.group(1):
                raise IllegalValue(attr_name, value, f"{attr_name} must not be negative: {value!r}")
            y, mo, d, h, mi = (int(m.group(i) or 0) for i in range(2, 7))
            s = float(m.group(7) or 0)
            return (((y * 365 + mo * 30 + d) * 24 + h) * 60 + mi) * 60 + s
    raise IllegalValue(attr_name, value, f"{attr_name} must be an xs:duration such as 'PT5M' or milliseconds, not {_show(value)}")


class ContentText(str):
    """The literal text of a `<content>` child (not evaluated), as opposed to its `_expr` value."""

    __slots__ = ()


# -- the machine's side ------------------------------------------------------------------------


class RequestsMixin:
    """Extension actions for the Machine: the §1.2 pattern, ownership and cancellation."""

    _requests: "dict[str, Request] | None" = None
    _owned_mask = 0  # states that own pending requests (bit i: state i; never the root)
    _exiting = 0  # the exit set of the microstep in progress (exit_states), for <onexit> owners

    def module_action(
        self,
        module: str,
        action: str,
        line: int,
        evaluate: Callable[["Machine"], dict],
        store: Callable[["Machine", Any], None] | None,
        owner: Any,
    ) -> None:
        """Run one action element (generated code calls this; see the module docstring)."""
        service = self.host.service(module)
        element = service.module.elements[action]
        try:
            args = evaluate(self)
        except Exception as exc:  # noqa: BLE001 - §1.4: any failure of an expression
            self._action_error("script", exc, service.module, element, line)
            return
        try:
            args = self._coerce_args(element, args)
            args = service.validate(self, action, args)
        except IllegalValue as bad:
            self._illegal_value(bad, service.module, element, line)
            return
        except JSThrow as exc:
            self._action_error("script", exc, service.module, element, line)
            return
        rid = service.new_id(self, action, args)
        if store is not None:
            try:
                store(self, rid)
            except Exception as exc:  # noqa: BLE001
                self._action_error("illegalloc", exc, service.module, element, line)
                return
        request = Request(rid, self, self.owner_state(owner), module, action, line)
        if service.resumable(action, args):
            # what a restored session needs to send it again (snapshot.py, ors-server.md §9.7 step 5)
            request.info["resume"] = (args, self.clock.time())
        if self.running or not self.started:
            self._remember(request)
        else:
            request.state = CANCELLED  # issued while the session ends: it owns nothing more
        if self.host.commit_gate is None:
            self._perform(service, request, args)
        else:
            # rule E (ors-server.md §9.5): the request leaves once this macrostep is stored
            self.host.commit_gate(self, lambda: self.run_guarded(self._perform, service, request, args))

    def _perform(self, service: "ModuleService", request: Request, args: dict) -> None:
        if request.state == CANCELLED and self.running and request.id in (self._requests or {}):
            return
        try:
            service.perform(request, args)
        except Exception as exc:  # noqa: BLE001 - a service bug must not break the session
            _log.exception("%s:%s failed", request.module, request.action)
            request.cancel()
            self.raise_error("error.execution", exc)

    @classmethod
    def _coerce_args(cls, element: "Element", args: dict) -> dict:
        out = dict(args)
        for attr in element.attrs:
            if attr.name in out:
                if attr.kind == "location":
                    continue  # (its current value, for actions that read it)
                out[attr.name] = coerce(attr.name, attr.type, out[attr.name])
            elif attr.default is not None:
                out[attr.name] = attr.default
        if "children" in out:
            out["children"] = tuple((tag, cls._coerce_args(element.child(tag), a)) for tag, a in out["children"])
        return out

    def content_text(self, text: str) -> ContentText:
        """The literal body of an action's <content> (generated code)."""
        return ContentText(text)

    def owner_state(self, hint: Any) -> int:
        """The state that owns a request issued where `hint` says (lowering emits it): a state
        index for `<onentry>` and transitions whose domain is known when compiled,
        ("transition", t) for a transition whose domain depends on history, ("onexit", s)
        for the `<onexit>` of s (§3.10). A targetless transition's requests belong to its
        source state (it stays active; [DESIGN])."""
        if type(hint) is int:
            return hint
        tables = self.tables
        kind, index = hint
        if kind == "transition":
            domain = self.get_transition_domain(index)
            return domain if domain >= 0 else tables.transitions[index].source
        # <onexit> of `index`: the transition domain is the nearest ancestor not being exited
        exiting = self._exiting
        for a in tables.states[index].ancestors:
            if not exiting >> a & 1:
                return a
        return 0

    def _remember(self, request: Request) -> None:
        if self._requests is None:
            self._requests = {}
        self._requests[request.id] = request
        if request.owner:
            self._owned_mask |= 1 << request.owner

    def _forget_request(self, request: Request) -> None:
        requests = self._requests
        if requests is not None and requests.get(request.id) is request:
            del requests[request.id]
            if request.owner and self._owned_mask:
                self._owned_mask = 0
                for r in requests.values():
                    if r.owner:
                        self._owned_mask |= 1 << r.owner

    def pending_request(self, rid: str) -> Request | None:
        """This session's pending request with id `rid`."""
        return None if self._requests is None else self._requests.get(rid)

    def release_owned(self, exited: int) -> None:
        """Cancel the pending requests owned by the states of `exited` (§3.10)."""
        for request in list((self._requests or {}).values()):
            if request.owner and exited >> request.owner & 1:
                request.cancel()

    def release_requests(self) -> None:
        """The session has ended: cancel everything it still has pending."""
        if self._requests:
            for request in list(self._requests.values()):
                request.cancel()
        self._owned_mask = 0

    # -- error events (§1.4) ------------------------------------------------------------

    def _action_data(self, module: "Module", element: "Element", line: int, description: str) -> dict:
        return {
            "document": self.source_file,
            "element": f"{module.name}:{element.tag}",
            "linenumber": float(line),
            "description": description,
        }

    def _action_error(self, kind: str, exc: BaseException, module, element, line: int) -> None:
        if isinstance(exc, JSThrow):
            name, message = error_name_message(exc.value)
        else:
            name, message = type(exc).__name__, str(exc)
            _log.debug("error in %s:%s", module.name, element.tag, exc_info=exc)
        if not _IDENTIFIER.fullmatch(name or ""):
            name = "Error"
        data = self._action_data(module, element, line, message)
        self._raise_platform(f"error.{kind}.{name}", data)

    def _illegal_value(self, bad: IllegalValue, module, element, line: int) -> None:
        data = self._action_data(module, element, line, bad.description)
        value = bad.value
        data["attribute"] = bad.attribute
        data["value"] = value if isinstance(value, (str, float, bool)) or value is None else _show(value)
        self._raise_platform(f"error.illegalvalue.{bad.attribute}", data)

    def _raise_platform(self, name: str, data: dict) -> None:
        """An internal error event, raised into the current macrostep (§1.4)."""
        self._internal().append(make_event(name, to_js(data), type=PLATFORM))
        _log.info("%s: %s (%s:%s)", name, data.get("description"), data.get("document"), int(data.get("linenumber", 0)))


# What one structured clone may copy (values, counted as copied: shared parts count each time,
# as JSON.stringify would write them) before it is an IllegalValue: a chart's data must not
# make a copy that exhausts the host (a = [a, a] twenty times is a million values).
CLONE_MAX_VALUES = 100_000


def structured_clone(value: Any, attr_name: str = "param") -> Any:
    """A JSON-compatible deep copy of a JS value (ors-extensions.md §2): functions become
    undefined, Dates their time value in ms; a cycle, a nesting too deep for the interpreter,
    or more than CLONE_MAX_VALUES values is an IllegalValue."""
    try:
        return _clone(value, attr_name, [], [CLONE_MAX_VALUES])
    except RecursionError:
        raise IllegalValue(attr_name, UNDEFINED, f"{attr_name} is nested too deeply to be copied") from None


def _clone(value: Any, attr_name: str, stack: list, left: list) -> Any:
    from .js.values import JSFunction, JSObject
    from .js.values import HostObject

    t = type(value)
    if t is str or t is float or t is bool or value is None or value is UNDEFINED:
        return value
    if t is int:
        return float(value)
    if t is JSFunction:
        return UNDEFINED
    if isinstance(value, JSObject) and value.cls == "Date":
        return value.internal
    if isinstance(value, JSObject) and value.cls in ("Number", "String", "Boolean"):
        return value.internal
    if any(value is s for s in stack):
        raise IllegalValue(attr_name, value, f"{attr_name} holds a cycle and cannot be copied")
    left[0] -= 1 + (len(value) if isinstance(value, (list, dict)) else 0)
    if left[0] < 0:
        raise IllegalValue(attr_name, UNDEFINED, f"{attr_name} is too large to be copied (more than {CLONE_MAX_VALUES:,} values)")
    stack.append(value)
    try:
        if isinstance(value, list):
            return JSArray(_clone(x, attr_name, stack, left) for x in value)
        if isinstance(value, dict):
            from .js.properties import js_getp, own_keys

            out = {}
            for k in own_keys(value):
                v = _clone(js_getp(value, k), attr_name, stack, left)
                if v is not UNDEFINED:
                    out[k] = v
            return out
        if isinstance(value, HostObject):
            out = {}
            for k in value.js_keys():
                v = _clone(value.js_get(k), attr_name, stack, left)
                if v is not UNDEFINED:
                    out[k] = v
            return out
        return UNDEFINED
    finally:
        stack.pop()


__all__ = [
    "CANCELLED",
    "ContentText",
    "DONE",
    "IllegalValue",
    "ModuleService",
    "PENDING",
    "Request",
    "RequestsMixin",
    "coerce",
    "duration_seconds",
    "result_event",
    "structured_clone",
]
