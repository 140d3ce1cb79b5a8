"""Actions: the services generated executable content calls (raise, log, send, cancel, foreach, content)."""

from __future__ import annotations


from . import basichttp
from ._lazyre import LazyPattern
from .basichttp import BASICHTTP_TYPES
from .events import EXTERNAL, INTERNAL, INTERNAL_TEMPLATE, make_event, valid_event_name
from .js.errors import make_error
from .js.interop import js_display, js_to_string, to_js
from .js.values import HOLE, UNDEFINED, JSArray, JSThrow

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Callable
    import logging

SCXML_TYPES = {
    None,
    "scxml",
    "http://www.w3.org/TR/scxml/#SCXMLEventProcessor",
}
SCXML_PROCESSOR = "http://www.w3.org/TR/scxml/#SCXMLEventProcessor"
_log_output: logging.Logger | None = None  # scxmlc_runtime.log (made on first use: _chart_logger)
_chart_loggers: dict[str, logging.Logger] = {}


def _chart_logger(name: str | None) -> logging.Logger:
    """`scxmlc_runtime.log.<chart name>` (ors-dialect.md §4.6), a child of `scxmlc_runtime.log`."""
    global _log_output
    import logging  # (imported on first use: keeps the runtime's import light, issue 14)

    if not name:
        if _log_output is None:
            _log_output = logging.getLogger("scxmlc_runtime.log")
        return _log_output
    found = _chart_loggers.get(name)
    if found is None:
        if len(_chart_loggers) >= 1000:  # names come from documents: bound the cache
            return logging.getLogger(f"scxmlc_runtime.log.{name}")
        found = _chart_loggers[name] = logging.getLogger(f"scxmlc_runtime.log.{name}")
    return found

# CSS2 time values (SCXML 6.2.4 delay): "5s", ".5s", "1.5s", "200ms".
# A duration: CSS2's time (SCXML 6.2.4: `2s`, `500ms`), and the minutes, hours and days of
# ors-dialect.md §4.2's grammar (`\d*(\.\d+)?(ms|s|m|h|d)`); the unit is part of it, whitespace
# around it is trimmed. (`min` too: what this runtime took for minutes before.)
_DELAY = LazyPattern(r"^\s*(\d*\.?\d+)(ms|s|min|m|h|d)\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


class DelayedSend:
    """A <send> waiting for its delay (`Machine._timers`): the clock's timer, and what it will
    deliver, so that a stored session can arm it again (snapshot.py). `kind` "scxml": `event`
    to `target` (a session id or a `#_` name); "basichttp": `event` and `data` POSTed to
    `target`."""

    __slots__ = ("timer", "kind", "target", "event", "data")

    def __init__(self, timer: Any, kind: str, target: str, event: Any, data: Any = None):
        self.timer = timer
        self.kind = kind
        self.target = target
        self.event = event
        self.data = data

    def cancel(self) -> None:
        self.timer.cancel()


class ExecutionError(Exception):
    """A runtime error of an SCXML element (not of ECMAScript): becomes an error event."""

    def __init__(self, message: str, event: str = "error.execution", kind: str = "Error", sendid: Any = UNDEFINED):
        super().__init__(message)
        self.event = event
        self.kind = kind
        self.sendid = sendid


def parse_delay(value: Any) -> float:
    """Seconds from a CSS2 duration string; ExecutionError when it is not one."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)  # a number from delayexpr: seconds
    text = js_to_string(value) if not isinstance(value, str) else value
    m = _DELAY.match(text)
    if not m:
        raise ExecutionError(f"invalid delay {text!r} (expected a duration like '2s', '500ms' or '5m')")
    return float(m.group(1)) * _UNITS[m.group(2)]


def scxml_location(module_globals: dict, lineno: int) -> tuple[str, int, str] | None:
    """(element, SCXML line, included file or "") of line `lineno` of a generated module: a
    lookup in its `__scxmlc_locations__` table (the code after a `# <element> line N` comment
    belongs to that element until the next comment). None outside any element."""
    table = module_globals.get("__scxmlc_locations__")
    if not table:
        return None
    import bisect  # (on first use: only errors are located)

    i = bisect.bisect_right(table, lineno, key=lambda row: row[0]) - 1
    return table[i][1:] if i >= 0 else None


def add_scxml_notes(exc: BaseException) -> BaseException:
    """Note on `exc`, for each frame of its traceback in a generated module (outermost first),
    the SCXML element and line that frame's code came from (PEP 678 notes: Python prints them
    under the traceback). Once per exception; returns it."""
    if getattr(exc, "_scxmlc_noted", False):
        return exc
    tb = exc.__traceback__
    while tb is not None:
        namespace = tb.tb_frame.f_globals
        if namespace.get("__scxmlc_generated__"):
            where = scxml_location(namespace, tb.tb_lineno)
            if where is not None:
                element, line, included = where
                chart = getattr(namespace.get("Chart"), "source_file", "") or namespace.get("__name__", "?")
                exc.add_note(f"  in {element} at {included or chart}:{line} ({tb.tb_frame.f_code.co_name}, line {tb.tb_lineno} of the generated module)")
        tb = tb.tb_next
    exc._scxmlc_noted = True  # type: ignore[attr-defined]
    return exc


def locate_error(exc: BaseException, source_file: str) -> str:
    """file:line of the SCXML element whose generated code raised `exc`: the innermost frame
    of a generated module, looked up in its locations table (costs nothing until an error)."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        if tb.tb_frame.f_globals.get("__scxmlc_generated__"):
            found = (tb.tb_frame.f_globals, tb.tb_lineno)
        tb = tb.tb_next
    where = scxml_location(*found) if found is not None else None
    if where is None:
        return source_file
    _, line, included = where
    if included:
        # an element merged from an included file: that file, relative to the document's folder
        folder = source_file.rsplit("/", 1)[0] if "/" in source_file else ""
        return f"{folder + '/' if folder else ''}{included}:{line}"
    return f"{source_file}:{line}"


_content: Any = None  # content.py, once a chart has used a <content> or <data src> value


def _import_content() -> Any:
    global _content
    from . import content

    _content = content
    return content


class ActionsMixin:
    """Executable content services; `self` is the running Machine."""

    # -- <raise>, <log> -------------------------------------------------------------------

    def raise_event(self, name: str, data: Any = UNDEFINED) -> None:
        """<raise> (SCXML 4.2): an internal event, with no data (ORS: the data of its params)."""
        event = INTERNAL_TEMPLATE.copy()
        event["name"] = name
        if data is not UNDEFINED:
            event["data"] = data
        try:
            self.internal_queue.append(event)
        except AttributeError:  # the empty tuple of a session that never queued (_internal)
            self._internal().append(event)

    def log(self, label: str | None, *value: Any, level: int | None = None) -> None:
        """<log> (SCXML 4.7): to the machine's log handler, else to the host's
        (`log(sessionid, label, text)`), else to the `scxmlc_runtime.log.<chart name>` logger.
        Without an expr only the label is logged; an undefined value shows as `undefined`.
        `level`: the ORS level (1 reporting, 2 error, 3 warning, 4 debug) gives the record's
        level through the host's `log_levels`; a level-1 record carries `ors_reporting`
        (ors-dialect.md §4.6)."""
        text = js_display(value[0]) if value else ""
        if self.log_handler is not None:
            self.log_handler(label, text)
        elif self.host.log is not None:
            self.host.log(self.sessionid, label, text)
        else:
            import logging  # (imported on first use: keeps the runtime's import light, issue 14)

            logger = _chart_logger(self.name)
            py_level = self.host.log_levels.get(level, logging.INFO) if level is not None else logging.INFO
            if not logger.isEnabledFor(py_level):
                return
            extra = {"ors_reporting": True, "sessionid": self.sessionid} if level == 1 else {"sessionid": self.sessionid}
            if label:
                logger.log(py_level, "%s: %s", label, text, extra=extra)
            else:
                logger.log(py_level, "%s", text, extra=extra)

    def fail(self, name: str, message: str):
        """Throw the JS error `name` (code the compiler could not accept raises this when run)."""
        raise JSThrow(make_error(name, message))

    def unsupported_element(self, tag: str, event: str = "error.execution") -> None:
        """An element of another namespace that this runtime does not implement; `event`:
        the error event to raise (an extension family may name its own: ORS raises
        error.unsupported.element, ors-extensions.md §1.1)."""
        raise ExecutionError(f"element {tag} is not supported by this runtime", event=event)

    # -- <send>, <cancel> (SCXML 6.2, 6.3; SCXML I/O processor C.1) -------------------------

    # The number of the session's last generated send id: the session's own count, stored
    # with it (snapshot.py), so that a session restored in another process never hands out
    # an id it handed out before (a process-wide count starts again at 1 there, and a
    # `<cancel>` of a kept id would take a new send's timer).
    _send_seq = 0

    def new_sendid(self) -> str:
        n = self._send_seq = self._send_seq + 1
        return f"send{n}.{self.sessionid}"

    def execute_send(
        self,
        event: Any = UNDEFINED,
        target: Any = None,
        type: Any = None,
        sendid: str | None = None,
        delay: Any = None,
        data: Any = UNDEFINED,
        ors: bool = False,
        hints: Any = None,
    ) -> str:
        """Dispatch (or schedule) a <send>; returns the send id. `ors`: the ORS dialect's
        meanings (ors-dialect.md §4.2-§4.3): a number as delay is milliseconds, the target
        `_internal` is the internal queue, a bare session id is that session, type `fm` is
        not supported. `hints` are ignored."""
        given_id = sendid is not None
        sendid = sendid if given_id else self.new_sendid()
        event_sendid = sendid if given_id else UNDEFINED
        if type is not None and not isinstance(type, str):
            type = js_to_string(type)
        if ors:
            type, target, delay = self._ors_send(type, target, delay, sendid)
        if type in BASICHTTP_TYPES:
            return self._send_basichttp(event, target, data, sendid, delay)
        if type not in SCXML_TYPES:
            raise ExecutionError(f"unsupported event processor type {type!r}", kind="TypeError", sendid=sendid)
        if event is UNDEFINED or (event is None and not ors):
            raise ExecutionError("<send> to the SCXML event processor needs an event name", sendid=sendid)
        name = event if isinstance(event, str) else js_to_string(event)
        if ors and not valid_event_name(name):
            # (ors-dialect.md §4.1: the value, by ToString, must be an event name; W3C charts'
            # event names are their authors' literals)
            raise ExecutionError(f"<send> event {name!r} is not an event name", sendid=sendid)
        if target is not None and not isinstance(target, str):
            target = js_to_string(target)
        seconds = parse_delay(delay) if delay is not None else 0.0
        if target == "#_internal":
            if seconds:
                raise ExecutionError("a <send> to #_internal must not be delayed", sendid=sendid)
            self._internal().append(make_event(name, data, type=INTERNAL, sendid=event_sendid))
            return sendid
        deliver = self._resolve_target(target, sendid)
        ev = make_event(
            name,
            data,
            type=EXTERNAL,
            sendid=event_sendid,
            origin="#_scxml_" + self.sessionid,
            origintype=SCXML_PROCESSOR,
        )
        if seconds > 0:
            self._check_timers(sendid)
            self._timers[sendid] = DelayedSend(self.clock.call_later(seconds, self._delayed_scxml(sendid, deliver, ev)), "scxml", deliver, ev)
        else:
            self._deliver(deliver, ev, sendid)
        return sendid

    def _check_timers(self, sendid: str) -> None:
        """Limits.timers: a delayed send past the session's pending ones is refused. A pending
        send of the same id is replaced: its timer is cancelled (one pending event per id, the
        one `<cancel>` names; the other would fire unseen by it, by Limits.timers and by a
        snapshot)."""
        earlier = self._timers.pop(sendid, None)
        if earlier is not None:
            earlier.cancel()
        limit = self.limits.timers
        if len(self._timers) >= limit:
            raise ExecutionError(f"more than {limit} delayed events pending (Limits.timers: a loop of delayed sends?)", sendid=sendid)

    def _delayed_scxml(self, sendid: str, where: str, ev: dict) -> Callable[[], None]:
        def fire() -> None:
            self._timers.pop(sendid, None)
            self.run_guarded(self._deliver, where, ev, sendid)

        return fire

    @staticmethod
    def _ors_send(type: Any, target: Any, delay: Any, sendid: str) -> tuple:
        if type == "fm":
            raise ExecutionError("<send type='fm'> (functional modules) is not supported", event="error.unsupported.element", sendid=sendid)
        if isinstance(delay, (int, float)) and not isinstance(delay, bool):
            delay = float(delay) / 1000.0  # ORS: a number is milliseconds
        if target is not None and target is not UNDEFINED:
            text = target if isinstance(target, str) else js_to_string(target)
            if text == "_internal":
                target = "#_internal"
            elif text and not text.startswith("#") and "://" not in text and type in SCXML_TYPES:
                target = "#_scxml_" + text  # a bare session id
            else:
                target = text
        return type, target, delay

    def _send_basichttp(self, event: Any, target: Any, data: Any, sendid: str, delay: Any) -> str:
        """C.2: POST the event to `target`; a failure to deliver is error.communication."""
        seconds = parse_delay(delay) if delay is not None else 0.0
        url = js_to_string(target) if target is not None and target is not UNDEFINED else ""
        deliver = self._basichttp_delivery(url, event, data, sendid)
        if seconds > 0:
            self._check_timers(sendid)
            self._timers[sendid] = DelayedSend(self.clock.call_later(seconds, lambda: self.run_guarded(deliver)), "basichttp", url, event, data)
        else:
            deliver()
        return sendid

    def _basichttp_delivery(self, url: str, event: Any, data: Any, sendid: str) -> Callable[[], None]:
        def deliver() -> None:
            self._timers.pop(sendid, None)
            if not url.startswith(("http://", "https://")):
                self._communication_error(sendid, f"not an HTTP target: {url!r}")
                return
            body = basichttp.form_body(event, data)
            if not self.host.asynchronous:
                try:
                    basichttp.post_now(url, body)
                except (OSError, ValueError) as exc:
                    self._communication_error(sendid, str(exc))
                return
            # the POST leaves once this macrostep is stored (rule E, ors-server.md §9.5)
            self.host.after_commit(self, lambda: self._basichttp_post(url, body, sendid))

        return deliver

    def _basichttp_post(self, url: str, body: bytes, sendid: str) -> None:
        """Send without waiting (the host's HTTP client); a failure arrives later as
        error.communication, in a macrostep of its own (SCXML 6.2.4, C.2)."""
        token = self.host.io_begin()

        def done(response, failure) -> None:
            token.end()
            if failure is not None:
                self.run_guarded(self._communication_error, sendid, f"POST {url}: {failure.description}")
            elif not 200 <= response.status < 300:
                self.run_guarded(self._communication_error, sendid, f"POST {url}: HTTP {response.status}")

        headers = [("Content-Type", "application/x-www-form-urlencoded")]
        self.host.service("http").request("POST", url, headers, body, basichttp.SEND_TIMEOUT_S, done)

    def _communication_error(self, sendid: str, message: str) -> None:
        if self.running:
            self.error_event(make_event("error.communication", to_js({"message": message}), "platform", sendid), message)

    def _resolve_target(self, target: str | None, sendid: str):
        """What a target names: a session id, or raise error.execution for an invalid one."""
        if target is None or target == "":
            return self.sessionid
        if target.startswith("#_scxml_"):
            return target[len("#_scxml_"):]
        if target == "#_parent" or target.startswith("#_"):
            return target  # resolved at delivery by the invoke layer
        raise ExecutionError(f"invalid send target {target!r}", sendid=sendid)

    def _deliver(self, where: str, event: dict, sendid: str) -> None:
        local = self.host.local_delivery
        if local is not None and not where.startswith("#_") and local(self, where, event):
            return  # (a session server stores it with this session's commit)
        session = self.host.sessions.get(where) if not where.startswith("#_") else self.resolve_special_target(where)
        if session is None or not session.running:
            # SCXML 6.2.4: the target cannot be reached: error.communication.
            self.error_event(make_event("error.communication", type="platform", sendid=sendid), f"no session {where} to send to")
            return
        if session is self.parent:
            if self._cancelled:
                return  # SCXML 6.4: events of a cancelled session are ignored
            event["invokeid"] = self.invokeid  # SCXML 5.10.1: events from an invoked child
        session.enqueue_external(event)

    def resolve_special_target(self, target: str):
        """#_parent and #_<invokeid>: none without <invoke>."""
        return None

    def cancel_send(self, sendid: Any, ors: bool = False) -> None:
        """<cancel> (SCXML 6.3). `ors`: reply with `cancel.successful`, or `error.notallowed`
        when there is no such pending send (ors-dialect.md §4.4)."""
        key = sendid if isinstance(sendid, str) else js_to_string(sendid)
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        if ors:
            name = "cancel.successful" if timer is not None else "error.notallowed"
            self._internal().append(make_event(name, to_js({"sendid": key}), type="platform", sendid=key))

    # -- <foreach> (SCXML 4.6) ------------------------------------------------------------

    def foreach_items(self, value: Any) -> list:
        """A shallow copy of the array to iterate; anything else is error.execution."""
        if isinstance(value, list):
            return [UNDEFINED if v is HOLE else v for v in value]
        raise ExecutionError(f"<foreach> array is not an array: {js_display(value)}", kind="TypeError")

    # -- <content>, <data src> values (SCXML 5.3, B.2) ------------------------------------
    # (content.py and its DOM are imported by the first chart that has such values: start-up)

    def text_value(self, text: str) -> Any:
        return (_content or _import_content()).text_value(text)

    def xml_value(self, xml: str) -> Any:
        return (_content or _import_content()).xml_value(xml)

    def source_value(self, text: str) -> Any:
        return (_content or _import_content()).source_value(text)

    def fetch_value(self, url: str, timeout: float = 10.0) -> Any:
        """<data src="http(s)://..."> (SCXML 5.3): GET it; XML becomes a DOM, JSON an object,
        other text a whitespace-normalised string. A failure is error.execution (the item stays
        undefined)."""
        import http.client
        import urllib.request

        from .documents import read_body

        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http(s) only
                # (bounded in size and in time: a body without end, or one a byte at a time)
                text = read_body(response).decode(response.headers.get_content_charset() or "utf-8", "replace")
        except (OSError, ValueError, LookupError, http.client.HTTPException) as exc:
            raise ExecutionError(f"cannot fetch <data> src {url!r}: {exc}") from None
        return self.source_value(text)

    def param_data(self, pairs) -> Any:
        """Event data from namelist and <param> pairs with repeated names, as a JS object: a
        repeated name holds the array of its values, in order (SCXML 6.2 keeps them all)."""
        out: dict = {}
        repeated: set = set()
        for key, value in pairs:
            if key not in out:
                out[key] = value
            elif key in repeated:
                out[key].append(value)
            else:
                out[key] = JSArray([out[key], value])
                repeated.add(key)
        return out

