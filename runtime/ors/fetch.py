"""Fetch: the dispatcher of `<session:fetch>` requests (guaranteed delivery, time limits, cancellation) and its transports for http(s), file: and ESP (ors-extensions.md §3.6–§3.10).

The `FetchDispatcher` routes each request to a transport by kind ("http", "file", "esp"). Every
policy lives in the dispatcher, none in the transports:
- time limits: an attempt in flight is bounded in *real* time (the network runs in real time,
  whatever the host's clock), by what is left of the request's `timeout`; the `timeout` of a
  guaranteed-delivery request also bounds its waits, on the host's clock;
- guaranteed delivery (§3.8): per-key FIFO queues shared by the host, at most one request per
  key in progress, retries after transport failures every `gd_retry_interval` seconds (host
  clock), at most `gd_retries` of them (0: no limit);
- cancellation: a cancelled request leaves its queue, its attempt is aborted, its timers are
  cleared, and it never reports anything.
A transport only starts one attempt: `start(req, on_result) -> handle`, `handle.cancel()`
idempotent, `on_result(FetchResult)` from any thread and never after cancel.
"""

from __future__ import annotations

import collections
import errno
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol
from urllib.parse import urlsplit, urlunsplit

from .._lazylog import LazyLogger
from ..documents import confined, file_path
from .encoding import hints as header_hints
from .encoding import type_matches
from .esp import EspAddress, EspReply, EspRequest, UnconfiguredEsp, esp_error_code, esp_to_json

if TYPE_CHECKING:  # pragma: no cover
    from ..host import Host

_log = LazyLogger("scxmlc_runtime")  # (logging is imported on first use, issue 14)


@dataclass
class FetchRequest:
    requestid: str
    kind: str  # "http" (http and https), "file" or "esp"
    method: str = "GET"
    url: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    accept: str = "application/json"  # the `type` a response must have (§3.6)
    esp_address: EspAddress | None = None
    esp_params: list = field(default_factory=list)
    esp_udata: list = field(default_factory=list)
    roots: tuple[str, ...] = ()  # file: folders this request may read below
    attempt_timeout_s: float | None = None  # set by the dispatcher for each attempt

    @property
    def queue_key(self) -> str:
        """Guaranteed-delivery queue: the URI without query and fragment, scheme and host in
        lower case (§3.8); `gesp:App/Service` for ESP (§3.9)."""
        if self.kind == "esp" and self.esp_address is not None:
            return self.esp_address.queue_key
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))


@dataclass
class FetchResult:
    ok: bool
    status: int = 0
    content: str = ""
    hints: dict = field(default_factory=dict)
    error: str = ""
    description: str = ""
    transport_failure: bool = False  # no response at all: retried under guaranteed delivery


class FetchTransport(Protocol):
    def start(self, req: FetchRequest, on_result: Callable[[FetchResult], None]) -> Any: ...


class _Done:
    def cancel(self) -> None:
        pass


# -- transports ---------------------------------------------------------------------------------


class HttpTransport:
    """http and https through the host's HTTP client (aiohttp), with the response rules of §3.6."""

    def __init__(self, host: "Host") -> None:
        self.host = host

    def start(self, req: FetchRequest, on_result: Callable[[FetchResult], None]) -> Any:
        def done(response, failure) -> None:
            if failure is not None:
                code = {"connect": "http.connect", "timeout": "http.timeout", "io": "http.io", "url": "invalidattribute"}.get(
                    failure.code, f"http.{failure.code}"
                )
                on_result(
                    FetchResult(
                        ok=False,
                        error=code,
                        description=f"{req.method} {req.url}: {failure.description}",
                        transport_failure=failure.code in ("connect", "io"),
                    )
                )
                return
            on_result(http_result(req, response))

        return self.host.service("http").request(req.method, req.url, req.headers, req.body, req.attempt_timeout_s, done)


def http_result(req: FetchRequest, response) -> FetchResult:
    """§3.6: a 2xx response whose media type fits `type` succeeds; the body is passed as text,
    unparsed; any other final status is `http.<status>`."""
    found = header_hints(response.headers)
    text = response.body.decode(_charset(response.charset), "replace")
    if not 200 <= response.status < 300:
        return FetchResult(
            ok=False, status=response.status, content=text, hints=found, error=f"http.{response.status}",
            description=f"{req.method} {req.url}: HTTP {response.status}",
        )  # fmt: skip
    if not type_matches(req.accept, response.content_type):
        return FetchResult(
            ok=False, status=response.status, content=text, hints=found, error="http.contenttype",
            description=f"{req.method} {req.url}: the response is {response.content_type}, not {req.accept}",
        )  # fmt: skip
    return FetchResult(ok=True, status=response.status, content=text, hints=found)


def _charset(name: str | None) -> str:
    import codecs

    try:
        return codecs.lookup(name).name if name else "utf-8"
    except LookupError:
        return "utf-8"


_FILE_TYPES = {".json": "application/json", ".xml": "application/xml"}
MAX_FILE_BYTES = 64 * 1024 * 1024


class FileTransport:
    """file: URLs, GET only, read only below the request's roots; anything else, inside or
    outside, that cannot be found is `file.notfound`, and nothing outside is ever read (§3.5)."""

    def start(self, req: FetchRequest, on_result: Callable[[FetchResult], None]) -> Any:
        on_result(self.read(req))
        return _Done()

    def read(self, req: FetchRequest) -> FetchResult:
        if req.method != "GET":
            return FetchResult(ok=False, error="invalidattribute", description=f"file: URLs take GET only, not {req.method}")
        path = file_path(req.url)
        real = confined(path, list(req.roots))
        if real is None:
            return FetchResult(ok=False, error="file.notfound", description=f"no file {req.url}")
        try:
            if not real.is_file():
                return FetchResult(ok=False, error="file.notfound", description=f"no file {req.url}")
            with real.open("rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            code = "file.notfound" if exc.errno in (errno.ENOENT, errno.ENOTDIR) else "file.io"
            return FetchResult(ok=False, error=code, description=f"{req.url}: {exc.strerror or exc}")
        if len(data) > MAX_FILE_BYTES:
            return FetchResult(ok=False, error="file.io", description=f"{req.url} is larger than {MAX_FILE_BYTES} bytes")
        kind = _FILE_TYPES.get(Path(real).suffix.lower(), "text/plain")
        if not type_matches(req.accept, kind):
            return FetchResult(
                ok=False, error="file.contenttype", description=f"{req.url} is {kind}, not {req.accept}"
            )
        return FetchResult(ok=True, content=data.decode("utf-8", "replace"), hints={})


class EspFetchTransport:
    """An ESP transport (esp.py) behind the fetch interface: the reply is converted to JSON
    here, the same for every ESP transport (§3.9)."""

    def __init__(self, esp: Any = None) -> None:
        self.esp = esp if esp is not None else UnconfiguredEsp()

    def start(self, req: FetchRequest, on_result: Callable[[FetchResult], None]) -> Any:
        esp_req = EspRequest(req.requestid, req.esp_address, list(req.esp_params), list(req.esp_udata))

        def reply(r: EspReply) -> None:
            if r.error is not None:
                on_result(
                    FetchResult(
                        ok=False,
                        error=f"esp.{esp_error_code(r.error)}",
                        description=r.description or f"ESP error {r.error}",
                        transport_failure=r.transport_failure,
                    )
                )
            else:
                on_result(FetchResult(ok=True, content=esp_to_json(r), hints={"protocol": "esp", "refid": float(r.refid)}))

        return self.esp.request(esp_req, reply)


# -- the dispatcher ---------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Ticket:
    """One request in the dispatcher: queued, in flight, waiting to retry, or finished."""

    req: FetchRequest
    on_result: Callable[[FetchResult], None]
    gd: bool
    retries: int
    interval: float
    timeout: float
    deadline: float | None  # on the host clock; None: no limit
    attempts: int = 0
    handle: Any = None  # the transport's handle of the attempt in flight
    token: Any = None  # Host.io_begin of the attempt in flight
    attempt_timer: Any = None  # real time
    retry_timer: Any = None  # host clock
    overall_timer: Any = None  # host clock
    finished: bool = False


class FetchDispatcher:
    """Routes requests to transports and carries out time limits, guaranteed delivery and
    cancellation (see the module docstring). One per host (the session module's)."""

    def __init__(self, host: "Host", transports: dict[str, Any]) -> None:
        self.host = host
        self.transports = transports
        self.queues: dict[str, collections.deque[Ticket]] = {}
        self.heads: dict[str, Ticket] = {}

    def submit(
        self,
        req: FetchRequest,
        on_result: Callable[[FetchResult], None],
        *,
        gd: bool = False,
        retries: int = 0,
        interval: float = 0.0,
        timeout: float = 0.0,
    ) -> Ticket:
        """Start (or queue) a request; `on_result` gets its one result on the host's thread,
        unless the ticket is cancelled first."""
        clock = self.host.clock
        deadline = clock.now() + timeout if timeout > 0 else None
        ticket = Ticket(req, on_result, gd, retries, interval, timeout, deadline)
        if gd and deadline is not None:
            ticket.overall_timer = clock.call_later(timeout, lambda: self._expire(ticket))
        if not gd:
            self._attempt(ticket)
            return ticket
        key = req.queue_key
        if key in self.heads:
            self.queues.setdefault(key, collections.deque()).append(ticket)
        else:
            self.heads[key] = ticket
            self._attempt(ticket)
        return ticket

    def cancel(self, ticket: Ticket) -> None:
        """Remove a request: from its queue, or abort its attempt and clear its timers. It
        reports nothing."""
        if ticket.finished:
            return
        self._close(ticket)

    # -- attempts -------------------------------------------------------------------------

    def _attempt(self, ticket: Ticket) -> None:
        req = ticket.req
        transport = self.transports.get(req.kind)
        if transport is None:
            self._finish(ticket, FetchResult(ok=False, error="invalidattribute", description=f"no transport for {req.kind} requests"))
            return
        remaining = None
        if ticket.deadline is not None:
            remaining = ticket.deadline - self.host.clock.now()
            if remaining <= 0:
                self._expire(ticket)
                return
        elif ticket.timeout > 0:
            remaining = ticket.timeout
        req.attempt_timeout_s = remaining
        ticket.attempts += 1
        ticket.token = self.host.io_begin()
        attempt = ticket.attempts
        if remaining is not None:
            ticket.attempt_timer = self.host.io.call_later(remaining, lambda: self._attempt_timed_out(ticket, attempt))

        def on_result(result: FetchResult) -> None:  # any thread
            self.host.call_soon_threadsafe(self._attempt_done, ticket, attempt, result)

        try:
            ticket.handle = transport.start(req, on_result)
        except Exception as exc:  # noqa: BLE001 - a transport bug is this request's failure
            _log.exception("fetch transport %s failed", req.kind)
            self._attempt_done(ticket, attempt, FetchResult(ok=False, error=f"{_prefix(req)}.connect", description=str(exc), transport_failure=True))

    def _stop_attempt(self, ticket: Ticket) -> None:
        if ticket.handle is not None:
            handle, ticket.handle = ticket.handle, None
            try:
                handle.cancel()
            except Exception:  # noqa: BLE001
                _log.exception("cancelling a fetch attempt")
        if ticket.attempt_timer is not None:
            ticket.attempt_timer.cancel()
            ticket.attempt_timer = None
        if ticket.token is not None:
            ticket.token.end()
            ticket.token = None

    def _attempt_done(self, ticket: Ticket, attempt: int, result: FetchResult) -> None:
        if ticket.finished or attempt != ticket.attempts or ticket.token is None:
            return  # a late result of an attempt that was aborted or timed out
        ticket.handle = None  # (finished by itself: nothing to cancel)
        self._stop_attempt(ticket)
        if not (ticket.gd and result.transport_failure):
            self._finish(ticket, result)
            return
        if ticket.retries > 0 and ticket.attempts > ticket.retries:
            result.description = f"{result.description} (gave up after {ticket.attempts} attempts)"
            self._finish(ticket, result)
            return
        # §3.8: retry after the interval; the requests queued behind it keep waiting
        ticket.retry_timer = self.host.clock.call_later(ticket.interval, lambda: self._retry(ticket))

    def _retry(self, ticket: Ticket) -> None:
        ticket.retry_timer = None
        if not ticket.finished:
            self._attempt(ticket)

    def _attempt_timed_out(self, ticket: Ticket, attempt: int) -> None:
        if ticket.finished or attempt != ticket.attempts or ticket.token is None:
            return
        self._stop_attempt(ticket)
        prefix = _prefix(ticket.req)
        self._finish(ticket, FetchResult(ok=False, error=f"{prefix}.timeout", description=f"no result within {ticket.timeout:g} s"))

    def _expire(self, ticket: Ticket) -> None:
        """The overall time limit of a GD request has passed (host clock)."""
        if ticket.finished:
            return
        prefix = _prefix(ticket.req)
        note = f" ({ticket.attempts} attempts)" if ticket.attempts else " (never attempted: queued)"
        self._finish(ticket, FetchResult(ok=False, error=f"{prefix}.timeout", description=f"not delivered within {ticket.timeout:g} s{note}"))

    # -- the end of a request -------------------------------------------------------------

    def _finish(self, ticket: Ticket, result: FetchResult) -> None:
        if ticket.finished:
            return
        head = self._release(ticket)
        try:
            ticket.on_result(result)
        except Exception:  # noqa: BLE001 - a caller bug must not stop the queue
            _log.exception("delivering a fetch result")
        if head:
            self._advance(ticket.req.queue_key)

    def _close(self, ticket: Ticket) -> None:
        if self._release(ticket):
            self._advance(ticket.req.queue_key)

    def _release(self, ticket: Ticket) -> bool:
        """Finish a ticket: no attempt, no timers, out of its queue. True when it was the head
        of its queue (the next one may start)."""
        ticket.finished = True
        self._stop_attempt(ticket)
        for name in ("retry_timer", "overall_timer"):
            timer = getattr(ticket, name)
            if timer is not None:
                timer.cancel()
                setattr(ticket, name, None)
        if not ticket.gd:
            return False
        key = ticket.req.queue_key
        if self.heads.get(key) is ticket:
            del self.heads[key]
            return True
        queue = self.queues.get(key)
        if queue is not None:
            try:
                queue.remove(ticket)
            except ValueError:
                pass
            if not queue:
                self.queues.pop(key, None)
        return False

    def _advance(self, key: str) -> None:
        """Start the next request of a GD queue whose head has finished."""
        if key in self.heads:
            return
        queue = self.queues.get(key)
        while queue:
            nxt = queue.popleft()
            if not nxt.finished:
                self.heads[key] = nxt
                self._attempt(nxt)
                break
        if queue is not None and not queue:
            self.queues.pop(key, None)


def _prefix(req: FetchRequest) -> str:
    return "esp" if req.kind == "esp" else "http"


__all__ = [
    "EspFetchTransport",
    "FetchDispatcher",
    "FetchRequest",
    "FetchResult",
    "FetchTransport",
    "FileTransport",
    "HttpTransport",
    "Ticket",
    "http_result",
]
