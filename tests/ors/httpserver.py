"""A real HTTP/1.1 server on loopback for the tests: it records each request exactly as received and answers from a script.

It runs on asyncio streams in a thread of its own, speaks HTTP/1.1 with keep-alive, and lets a
test decide per request: status, headers, body, a delay before answering, or closing the
connection without any answer. It can stop listening and listen again on the same port (the
"server down" of guaranteed-delivery tests: connections are then refused by the kernel).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Recorded:
    method: str
    target: str  # the request-target as sent (path and query, percent-encoding kept)
    head: bytes  # request line and headers, exactly as received
    headers: list[tuple[str, str]]
    body: bytes
    at: float  # time.monotonic() when it arrived

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


@dataclass
class Reply:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "text/plain")])
    body: bytes | str = b"ok"
    delay: float = 0.0  # seconds before answering
    drop: bool = False  # close the connection without answering


class RecordingServer:
    def __init__(self, handler: Callable[[Recorded], Reply] | None = None, port: int = 0, ssl=None):
        self.handler = handler or (lambda req: Reply())
        self.ssl = ssl  # an ssl.SSLContext: serve HTTPS
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.AbstractServer | None = None
        if port == 0:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
        self.port = port

    # -- control --------------------------------------------------------------------------

    def url(self, path: str = "/") -> str:
        return f"{'https' if self.ssl else 'http'}://127.0.0.1:{self.port}{path}"

    def listen(self) -> "RecordingServer":
        async def start():
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True, ssl=self.ssl)

        asyncio.run_coroutine_threadsafe(start(), self._loop).result(5)
        return self

    def stop_listening(self) -> None:
        async def stop():
            if self._server is not None:
                self._server.close()
                for writer in list(self._writers):
                    writer.close()
                await self._server.wait_closed()
                self._server = None

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(5)

    def close(self) -> None:
        self.stop_listening()

        async def cancel_all():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_all(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def received(self) -> list[Recorded]:
        with self._lock:
            return list(self.requests)

    # -- serving --------------------------------------------------------------------------

    _writers: set = set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers = self._writers | {writer}
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = []
                for line in lines[1:]:
                    if line:
                        k, _, v = line.partition(":")
                        headers.append((k, v.strip()))
                length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
                body = await reader.readexactly(length) if length else b""
                rec = Recorded(method, target, head, headers, body, time.monotonic())
                with self._lock:
                    self.requests.append(rec)
                reply = self.handler(rec)
                if reply.delay:
                    await asyncio.sleep(reply.delay)
                if reply.drop:
                    writer.close()
                    return
                data = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
                out = [f"HTTP/1.1 {reply.status} X"]
                out += [f"{k}: {v}" for k, v in reply.headers]
                out.append(f"Content-Length: {len(data)}")
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            self._writers = self._writers - {writer}
            writer.close()
