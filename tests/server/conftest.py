"""Fixtures of the session server tests: `scxmlc serve` as a subprocess on loopback, and a small HTTP client."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHARTS = Path(__file__).resolve().parent / "charts"


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:200]!r}>"


class Client:
    """HTTP/1.1 to a server, one request per connection (as simple clients do)."""

    def __init__(self, url: str, token: str | None = None):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.token = token

    def call(self, method: str, path: str, body: bytes | str | None = None, *, json_body=None, form=None,
             content_type: str | None = None, headers: dict | None = None, timeout: float = 60) -> Response:  # fmt: skip
        headers = dict(headers or {})
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        if json_body is not None:
            body, content_type = json.dumps(json_body), "application/json"
        elif form is not None:
            from urllib.parse import urlencode

            body, content_type = urlencode(form, doseq=True), "application/x-www-form-urlencoded"
        if isinstance(body, str):
            body = body.encode("utf-8")
        if content_type:
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return Response(r.status, r.headers, r.read())
        finally:
            conn.close()

    def post(self, path: str, **kwargs) -> Response:
        return self.call("POST", path, kwargs.pop("body", None), **kwargs)

    def get(self, path: str, **kwargs) -> Response:
        return self.call("GET", path, **kwargs)

    def start(self, src: str, **params) -> str:
        r = self.post("/scxml/session/start", form={"src": src, **params})
        assert r.status == 200, r
        return r.json()["sessionid"]


def eventually(check, timeout: float = 10.0, interval: float = 0.02):
    """`check()` until it returns something true (what a client sees once the session has
    processed what it was sent: answers do not wait for that)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class Served:
    """A running `scxmlc serve` and what it printed."""

    def __init__(self, proc: subprocess.Popen, url: str, root: Path):
        self.proc = proc
        self.url = url
        self.root = root

    def client(self, token: str | None = None) -> Client:
        return Client(self.url, token)

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.stderr.read() if self.proc.stderr else ""


def serve(root: Path, *args: str, env=None, cwd=None) -> Served:
    cmd = [sys.executable, "-m", "scxmlc", "serve", str(root), "--port", "0", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd or root, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                raise RuntimeError(f"scxmlc serve exited {proc.returncode}: {proc.stderr.read()}")
            continue
        if " on http://" in line:
            url = line.split(" on ", 1)[1].split()[0]
            return Served(proc, url, root)
    proc.kill()
    raise RuntimeError("scxmlc serve did not say where it listens")


def copy_charts(folder: Path) -> Path:
    root = folder / "charts"
    root.mkdir()
    for f in CHARTS.iterdir():
        (root / f.name).write_bytes(f.read_bytes())
    return root


@pytest.fixture
def charts(tmp_path) -> Path:
    return copy_charts(tmp_path)


@pytest.fixture(scope="module", params=["memory", "sqlite"])
def server(request, tmp_path_factory):
    """One server for a module's tests (each test starts its own sessions), with each store."""
    folder = tmp_path_factory.mktemp("served")
    store = "memory" if request.param == "memory" else str(folder / "sessions.db")
    served = serve(copy_charts(folder), "--store", store)
    yield served
    served.stop()
