"""Canned HTTP answers for scenarios: a real HTTP server on loopback that answers requests by their URL, and the HTTP client that sends every request of a scenario there.

The documents of a scenario fetch from the URLs they were written with
(`http://crm.example/customer`), and name child documents by URL; the scenario's HTTP client
rewrites the origin to the local server, which answers from the scenario's `[[http]]` entries
(404 when none matches) and records each request. Nothing leaves the machine; the requests
themselves go over real HTTP on loopback, through the same client code as always.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..httpclient import HTTPClient

ORIGINAL_URL = "X-Scenario-URL"


def _key(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", "", ""))


class CannedHTTP:
    """The local server (aiohttp, in a thread of its own): `answers` are `[[http]]` entries
    (`url`, `status`, `content_type`, `body`, `delay`, `headers`); `received` lists the requests
    as {method, url, headers, body}."""

    def __init__(self, answers: list[dict]) -> None:
        from aiohttp import web

        self.answers = {_key(a["url"]): a for a in answers}
        self.received: list[dict] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="scxmlc-canned-http", daemon=True)
        self._thread.start()

        async def handle(request: web.Request) -> web.Response:
            original = request.headers.get(ORIGINAL_URL, str(request.url))
            body = await request.read()
            self.received.append(
                {"method": request.method, "url": original, "headers": {k: v for k, v in request.headers.items() if k != ORIGINAL_URL},
                 "body": body.decode("utf-8", "replace")}
            )  # fmt: skip
            answer = self.answers.get(_key(original))
            if answer is None:
                return web.Response(status=404, text=f"no canned answer for {original}", content_type="text/plain")
            if answer.get("delay"):
                await asyncio.sleep(float(answer["delay"]))
            return web.Response(
                status=int(answer.get("status", 200)),
                body=answer.get("body", "").encode("utf-8"),
                headers={"Content-Type": answer.get("content_type", "application/json"), **answer.get("headers", {})},
            )

        async def start() -> tuple[Any, int]:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handle)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            return runner, site._server.sockets[0].getsockname()[1]

        self._runner, self.port = asyncio.run_coroutine_threadsafe(start(), self._loop).result(10)

    def close(self) -> None:
        async def stop() -> None:
            await self._runner.cleanup()

        try:
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()


class CannedHTTPClient(HTTPClient):
    """The HTTP client of a scenario's host: every request, fetches and documents alike, goes
    to the canned server (started on the first request), with its original URL in a header."""

    def __init__(self, answers: list[dict]) -> None:
        super().__init__()
        self.answers = answers
        self.server: CannedHTTP | None = None

    @property
    def received(self) -> list[dict]:
        return self.server.received if self.server is not None else []

    def request(self, method, url, headers, body, timeout, on_done):
        if self.server is None:
            self.server = CannedHTTP(self.answers)
        parts = urlsplit(url)
        local = urlunsplit(("http", f"127.0.0.1:{self.server.port}", parts.path or "/", parts.query, ""))
        return super().request(method, local, [*headers, (ORIGINAL_URL, url)], body, timeout, on_done)

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


__all__ = ["CannedHTTP", "CannedHTTPClient"]
