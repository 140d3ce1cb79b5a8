"""HTTP client: requests over aiohttp on the host's I/O loop, one connection pool per host.

aiohttp (imported only when a session first makes a request) keeps connections alive per
host, limits how many are open to one host, verifies TLS certificates by default, follows
redirects, and enforces a total time limit per request. The request goes out with exactly
the headers given (plus `Host` and, with a body, `Content-Length`): no `User-Agent`, no
`Accept-Encoding`, so what a server receives is what the caller built (ors-extensions.md §3.11).
Results come back on the host's thread (io.py).

aiohttp sends an idempotent request (GET, PUT, DELETE, ...) a second time, once, when the
server closes the connection without answering: a kept-alive connection the server had already
dropped is the usual cause (RFC 9112 §9.3.1). That is part of one request, not a retry of
guaranteed delivery.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Callable
    from .host import Host
    from .io import IOHandle


@dataclass
class HTTPResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)  # as received, repeats kept
    body: bytes = b""
    url: str = ""  # after redirects
    content_type: str = ""  # media type, lower case, no parameters ("" when absent)
    charset: str | None = None


class HTTPFailure(Exception):
    """No HTTP response: `code` is "connect" (DNS, refused, reset before a response),
    "timeout" or "io" (the connection broke while reading the response)."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


class HTTPClient:
    """The host's HTTP client (a service named "http": give a Host your own instance to
    change its limits)."""

    name = "http"

    def __init__(
        self,
        *,
        limit: int = 100,
        limit_per_host: int = 10,
        verify_tls: bool = True,
        ssl_context=None,
        max_redirects: int = 5,
        max_body: int = 64 * 1024 * 1024,
    ) -> None:
        """`limit`/`limit_per_host`: open connections in all / to one host; `verify_tls`:
        check server certificates (on by default: the system's trusted CAs); `ssl_context`:
        an `ssl.SSLContext` of your own instead (your CA, client certificates);
        `max_redirects`: 3xx responses followed; `max_body`: the largest response body read
        (bigger is an "io" failure)."""
        self.limit = limit
        self.limit_per_host = limit_per_host
        self.verify_tls = verify_tls
        self.ssl_context = ssl_context
        self.max_redirects = max_redirects
        self.max_body = max_body
        self.host: "Host | None" = None

    def attach(self, host: "Host") -> None:
        self.host = host

    def close(self) -> None:
        """(The connection pool is closed with the host's I/O loop.)"""

    def _session(self):
        import aiohttp

        def make():
            tls = self.ssl_context if self.ssl_context is not None else (True if self.verify_tls else False)
            connector = aiohttp.TCPConnector(limit=self.limit, limit_per_host=self.limit_per_host, ssl=tls)
            return aiohttp.ClientSession(connector=connector, skip_auto_headers=("User-Agent",))

        async def close(session) -> None:
            await session.close()

        return self.host.io.resource("http.session", make, close)

    def request(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
        timeout: float | None,
        on_done: Callable[[HTTPResponse | None, HTTPFailure | None], None],
    ) -> "IOHandle":
        """Start a request; `on_done(response, failure)` runs on the host's thread. `url` is
        sent as it is (already percent-encoded). `timeout`: seconds for the whole exchange
        (None or 0: no limit)."""

        async def run() -> HTTPResponse:
            import aiohttp
            import yarl

            session = self._session()
            limit = aiohttp.ClientTimeout(total=timeout if timeout else None)
            try:
                async with session.request(
                    method,
                    yarl.URL(url, encoded=True),
                    headers=headers,
                    data=body,
                    allow_redirects=self.max_redirects > 0,
                    # aiohttp fails on the max_redirects-th redirect; we follow max_redirects
                    max_redirects=self.max_redirects + 1,
                    timeout=limit,
                    skip_auto_headers=("Accept-Encoding",),
                ) as response:
                    # The whole body, as it arrives: `read(n)` returns what has come so far (a
                    # body in several segments was cut to its first), and a connection closed
                    # before the body's announced length raises ClientPayloadError on a later read.
                    data = bytearray()
                    while chunk := await response.content.read(self.max_body + 1 - len(data)):
                        data += chunk
                        if len(data) > self.max_body:
                            raise HTTPFailure("io", f"the response body is larger than {self.max_body} bytes")
                    return HTTPResponse(
                        status=response.status,
                        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers],
                        body=bytes(data),
                        url=str(response.url),
                        content_type=response.content_type.lower() if "Content-Type" in response.headers else "",
                        charset=response.charset,
                    )
            except HTTPFailure:
                raise
            except asyncio.TimeoutError:
                raise HTTPFailure("timeout", f"no response within {timeout:g} s") from None
            except aiohttp.TooManyRedirects:
                raise HTTPFailure("redirects", f"more than {self.max_redirects} redirects") from None
            except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError, ConnectionError) as exc:
                raise HTTPFailure("connect", f"cannot connect: {exc}") from None
            except aiohttp.InvalidURL as exc:
                raise HTTPFailure("url", f"invalid URL: {exc}") from None
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                raise HTTPFailure("io", _io_description(exc)) from None

        def done(result, exc) -> None:
            if exc is None:
                on_done(result, None)
            elif isinstance(exc, HTTPFailure):
                on_done(None, exc)
            else:
                on_done(None, HTTPFailure("io", _io_description(exc)))

        return self.host.io.run(run, done)


def _io_description(exc: BaseException) -> str:
    """What broke, in the words of HTTP rather than of the client library's classes (a chart's
    error event and its log line show it)."""
    import aiohttp

    if isinstance(exc, aiohttp.ClientPayloadError):
        # (its arguments: a message and the parser's error, whose `message` says by how much)
        why = [getattr(a, "message", None) for a in exc.args[1:]]
        return "the response body was cut short" + (f": {why[0]}" if why and isinstance(why[0], str) else "")
    if isinstance(exc, aiohttp.ClientResponseError):
        # (aiohttp raises it for a response it cannot parse: its status is 400, ours, not the server's)
        return f"the server's response is not valid HTTP ({exc.message})"
    if isinstance(exc, aiohttp.ServerConnectionError):
        return f"the connection broke ({_detail(exc)})"
    if isinstance(exc, OSError):
        return f"network error: {exc.strerror or _detail(exc)}"
    if isinstance(exc, ValueError):
        return f"the request cannot be sent: {_detail(exc)}"
    return f"the exchange failed ({_detail(exc)})"


def _detail(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


__all__ = ["HTTPClient", "HTTPFailure", "HTTPResponse"]
