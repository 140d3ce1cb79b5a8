"""Basic HTTP Event I/O Processor (SCXML C.2): a loopback HTTP server for incoming events, and POST for outgoing ones.

Incoming: each host has its own server (http.server in a daemon thread, started on first use,
host and port configurable on the Host), unless the host says where its sessions are reached
(`Host.basichttp_location`: a session server takes these POSTs on its own port).
Outgoing: on a host driven by an asyncio loop (a session server, an async application) a POST
through the host's HTTP client (aiohttp) that never blocks the loop, a failure coming back later
as error.communication; on a synchronous host the POST is made and answered before the session
goes on (urllib), as the W3C tests of C.2 expect.
The server thread never runs a machine: it only appends the event to the session's external
queue (an atomic deque append) and answers 200; the machine processes it on its own thread
(`run_until_idle`, `send`).
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from .events import EXTERNAL, make_event
from .js.interop import js_to_string, to_js
from .js.values import UNDEFINED, HostObject

BASICHTTP_TYPE = "http://www.w3.org/TR/scxml/#BasicHTTPEventProcessor"
BASICHTTP_TYPES = {BASICHTTP_TYPE, "basichttp"}
DEFAULT_EVENT = "HTTP.POST"  # C.2: the name of an event that names none
PATH_PREFIX = "/scxml/"
MAX_BODY_BYTES = 64 * 1024 * 1024  # the largest POST body taken (bigger: 413)
REQUEST_TIMEOUT_S = 30.0  # a client that sends nothing for this long is disconnected

class BasicHTTPServer:
    """The Basic HTTP processor of one host, on loopback by default; every session of the host
    has the location PATH_PREFIX + its session id."""

    def __init__(self, sessions, host: str = "127.0.0.1", port: int = 0, notify=None):
        import threading
        from http.server import ThreadingHTTPServer  # (only a host that uses Basic HTTP pays for them)

        self.httpd = ThreadingHTTPServer((host, port), _handler())
        self.httpd.daemon_threads = True
        self.httpd.sessions = sessions  # the host's registry: the handler routes by session id
        self.httpd.notify = notify  # called (from the server thread) after queueing an event
        self.host, self.port = self.httpd.server_address[:2]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="scxmlc-basichttp", daemon=True)
        self.thread.start()

    def location(self, sessionid: str) -> str:
        return f"http://{self.host}:{self.port}{PATH_PREFIX}{sessionid}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


_HANDLER: list = []


def _handler() -> type:
    """The request handler class (made on first use: http.server loads email & co)."""
    if not _HANDLER:
        from http.server import BaseHTTPRequestHandler

        class _Handler(BaseHTTPRequestHandler):
            server_version = "scxmlc-basichttp"

            def setup(self) -> None:
                self.timeout = REQUEST_TIMEOUT_S  # (a client that stops sending does not hold a thread for ever)
                super().setup()

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                data = self._body()
                if data is None:
                    return  # (answered: the body was not had whole)
                body = data.decode("utf-8", "replace")
                path = self.path.split("?", 1)[0]
                sessions = self.server.sessions
                session = sessions.get(path[len(PATH_PREFIX):]) if path.startswith(PATH_PREFIX) else None
                if session is None or not session.running:
                    self.send_error(404, "no such SCXML session")
                    return
                session._external().append(incoming_event(self.command, self.path, dict(self.headers), body))
                if self.server.notify is not None:
                    self.server.notify()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _body(self) -> bytes | None:
                """The whole body (its Content-Length, or chunked), or None after an error answer:
                a body cut short is no event, nor one larger than MAX_BODY_BYTES."""
                coding = (self.headers.get("Transfer-Encoding") or "").strip().lower()
                if coding:
                    if coding != "chunked":
                        return self._refuse(501, f"Transfer-Encoding {coding} is not supported")
                    return self._chunked()
                given = (self.headers.get("Content-Length") or "0").strip()
                if not (given.isascii() and given.isdigit()):  # (neither negative nor a sign nor several values)
                    return self._refuse(400, "invalid Content-Length")
                length = int(given)
                if length > MAX_BODY_BYTES:
                    return self._refuse(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
                data = self.rfile.read(length) if length else b""
                if len(data) < length:
                    return self._refuse(400, "the body is shorter than its Content-Length")
                return data

            def _chunked(self) -> bytes | None:
                data = bytearray()
                while True:
                    line = self.rfile.readline(1026)
                    size = line.split(b";", 1)[0].strip()
                    if not line.endswith(b"\n") or not size or any(c not in b"0123456789abcdefABCDEF" for c in size):
                        return self._refuse(400, "invalid chunked body")
                    n = int(size, 16)
                    if n == 0:
                        break
                    if len(data) + n > MAX_BODY_BYTES:
                        return self._refuse(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
                    chunk = self.rfile.read(n)
                    if len(chunk) < n or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                        return self._refuse(400, "invalid chunked body")
                    data += chunk
                while True:  # the trailer, up to its blank line
                    line = self.rfile.readline(8192)
                    if line in (b"\r\n", b"\n"):
                        return bytes(data)
                    if not line.endswith(b"\n"):
                        return self._refuse(400, "invalid chunked body")

            def _refuse(self, status: int, why: str) -> None:
                self.close_connection = True  # (what is left of the body is not read)
                self.send_error(status, why)
                return None

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the runtime logs errors itself
                pass

        _HANDLER.append(_Handler)
    return _HANDLER[0]


def incoming_event(method: str, path: str, headers: dict, body: str) -> dict:
    """C.2: the event a POST becomes: named by `_scxmleventname` (else HTTP.POST), with the form
    fields (or a JSON body) as data and the whole message as `raw`."""
    import urllib.parse  # (these two on first use: keeps the runtime's import light, issue 14)

    from .httpdata import parse_json

    ctype = headers.get("Content-Type", "")
    data: Any = UNDEFINED
    name = DEFAULT_EVENT
    if "json" in ctype:
        try:
            data = to_js(parse_json(body))
        except ValueError:  # (not JSON, or nested too deep: the text as it came)
            data = body
    else:
        fields = urllib.parse.parse_qs(body, keep_blank_values=True)
        if "_scxmleventname" in fields:
            name = fields.pop("_scxmleventname")[0] or DEFAULT_EVENT
        if fields:
            data = {k: v[0] if len(v) == 1 else to_js(v) for k, v in fields.items()}
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    event = make_event(name, data, EXTERNAL, origintype=BASICHTTP_TYPE)
    event["raw"] = f"{method} {path} HTTP/1.1\r\n{head}\r\n{body}"
    return event


def form_body(event: Any, data: Any) -> bytes:
    """C.2: the body of the POST that sends an event: `_scxmleventname` and the data's fields
    form-encoded (a value that is not an object is sent as it is)."""
    import urllib.parse  # (imported on first use: keeps the runtime's import light, issue 14)

    if isinstance(data, dict):
        fields = [(k, js_to_string(v)) for k, v in data.items()]
        if event is not UNDEFINED and event is not None:
            fields.insert(0, ("_scxmleventname", js_to_string(event)))
        body = urllib.parse.urlencode(fields)
    else:
        parts = []
        if event is not UNDEFINED and event is not None:
            parts.append(urllib.parse.urlencode([("_scxmleventname", js_to_string(event))]))
        if data is not UNDEFINED and data is not None:
            parts.append(urllib.parse.quote(js_to_string(data)))
        body = "&".join(parts)
    return body.encode("utf-8")


SEND_TIMEOUT_S = 10.0  # a POST that gets no answer in time is error.communication


def post_now(target: str, body: bytes, timeout: float = SEND_TIMEOUT_S) -> None:
    """Send and wait for the answer (a host that runs its sessions synchronously: an event
    sent to a session's own location arrives before the events it sends next, as the W3C
    tests expect). Raises OSError when it cannot be delivered."""
    import urllib.request

    request = urllib.request.Request(target, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked by caller
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


class IOProcessorEntry(HostObject):
    """`_ioprocessors['basichttp']`: reading its `location` starts the host's server."""

    __slots__ = ("host", "sessionid")

    def __init__(self, host, sessionid: str):
        self.host = host
        self.sessionid = sessionid

    def js_get(self, key):
        if key == "location":
            where = self.host.basichttp_location
            if where is not None:
                return where(self.sessionid)
            return self.host.basichttp().location(self.sessionid)
        return UNDEFINED

    def js_keys(self):
        return ["location"]
