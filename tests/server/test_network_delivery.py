"""Bodies as networks deliver them, not as a loopback test sends them: split across TCP segments with pauses, chunked, cut short, with a wrong Content-Length, from clients that stall or go away. The Basic HTTP processor of a plain host (basichttp.py), the session server's routes (app.py), charts fetched over HTTP (documents.py); raw sockets on loopback."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest

import scxmlc
from scxmlc_runtime import SimulatedClock, basichttp
from scxmlc_runtime.js import to_js, to_py

from ..ors.test_fetch import _RawServer
from .conftest import CHARTS, copy_charts, eventually, serve


def exchange(port: int, *parts: bytes, pause: float = 0.05, half_close: bool = False, timeout: float = 5) -> bytes:
    """Send `parts` on one connection, `pause` seconds apart (each its own TCP segment); then
    what the server sent until it closed (a server that never answers: socket.timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        for i, part in enumerate(parts):
            if i:
                time.sleep(pause)
            s.sendall(part)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
        except ConnectionResetError:  # (a server that closed with some of the body unread)
            pass
        return data


def status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split(b" ", 2)[1])


def head(path: str, *fields: str, ctype: str = "application/x-www-form-urlencoded") -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"Content-Type: {ctype}", *fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunked(*pieces: bytes) -> list[bytes]:
    """Each piece a chunk (sent as a segment of its own), then the last chunk."""
    return [b"%x\r\n%s\r\n" % (len(p), p) for p in pieces] + [b"0\r\n\r\n"]


# -- the Basic HTTP processor of a plain host (basichttp.py) --------------------------------------

BASIC = """<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
<datamodel><data id="got" expr="[]"/></datamodel>
<state id="s"><onentry><log expr="_ioprocessors.basichttp.location"/></onentry>
  <transition event="*"><script>got.push({name: _event.name, data: _event.data})</script></transition>
</state></scxml>"""


class Basic:
    """A session of a plain host and its Basic HTTP location."""

    def __init__(self) -> None:
        logs: list[str] = []
        module = scxmlc.load_string(BASIC, module_name="t_network_basichttp")
        self.sm = module.Chart(clock=SimulatedClock(), log=lambda label, text: logs.append(text)).start()
        location = logs[0]
        self.port = int(location.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        self.path = "/" + location.split("//", 1)[1].split("/", 1)[1]

    def events(self) -> list:
        """The events the session got since the last call."""
        self.sm.run_until_idle(max_seconds=1)
        got = to_py(self.sm.datamodel["got"])
        self.sm.datamodel["got"] = to_js([])
        return got

    def post_whole(self) -> None:
        """A plain POST still becomes its event (the server goes on serving)."""
        body = b"_scxmleventname=after&k=v"
        assert status(exchange(self.port, head(self.path, f"Content-Length: {len(body)}") + body)) == 200
        assert self.events() == [{"name": "after", "data": {"k": "v"}}]


@pytest.fixture
def basic():
    b = Basic()
    yield b
    b.sm.host.close()


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_basichttp_a_body_that_arrives_in_parts_is_one_whole_event(basic, framing):
    """A chunked body was not read at all: the POST became an HTTP.POST event without data, and
    the client was told 200."""
    value = b"".join(bytes([c]) * 40000 for c in b"abcd")
    pieces = [b"_scxmleventname=big", b"&v=" + value[:70000], value[70000:]]
    if framing == "chunked":
        parts = [head(basic.path, "Transfer-Encoding: chunked"), *chunked(*pieces)]
    else:
        body = b"".join(pieces)
        parts = [head(basic.path, f"Content-Length: {len(body)}"), *pieces]
    assert status(exchange(basic.port, *parts)) == 200
    assert basic.events() == [{"name": "big", "data": {"v": value.decode()}}]


def test_basichttp_a_body_cut_short_is_refused_not_delivered(basic):
    """A client that closed before sending all the body it announced: its first part was
    delivered as the whole event, and answered 200."""
    body = b"_scxmleventname=cut&v=" + b"x" * 5000
    answer = exchange(basic.port, head(basic.path, f"Content-Length: {len(body)}"), body[:1000], half_close=True)
    assert status(answer) == 400
    assert basic.events() == []
    basic.post_whole()


@pytest.mark.parametrize("length, expected", [("-1", 400), ("abc", 400), ("99999999999", 413)], ids=["negative", "not a number", "huge"])
def test_basichttp_a_wrong_content_length_is_answered_and_no_event(basic, length, expected):
    """-1 read the connection to its end (the client waited for an answer that never came, then
    its body was delivered anyway); "abc" and a huge length raised in the handler (a traceback
    on stderr, the connection closed without an answer)."""
    answer = exchange(basic.port, head(basic.path, f"Content-Length: {length}") + b"_scxmleventname=bad")
    assert status(answer) == expected
    assert basic.events() == []
    basic.post_whole()


def test_basichttp_a_client_that_stalls_is_disconnected(basic, monkeypatch):
    """A client that announced more than it sent and kept the connection open held a server
    thread for ever."""
    monkeypatch.setattr(basichttp, "REQUEST_TIMEOUT_S", 0.5)
    answer = exchange(basic.port, head(basic.path, "Content-Length: 100") + b"_scxmleventname=stall", timeout=10)
    assert answer == b""  # (closed by the server, no event)
    assert basic.events() == []
    basic.post_whole()


# -- the session server (app.py) ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = serve(copy_charts(tmp_path_factory.mktemp("delivery")), "--store", "memory")
    yield s
    s.stop()


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_server_bodies_in_parts_and_chunked_bodies_are_whole_events(served):
    c = served.client()
    sid = c.start("queueing.scxml")
    slot = "".join(ch * 30000 for ch in "abc")
    path = f"/scxml/session/{sid}/event/callback.confirmed"
    body = f"slot={slot}".encode()
    port = port_of(served.url)
    assert status(exchange(port, head(path, f"Content-Length: {len(body)}"), body[:3], body[3:50000], body[50000:])) == 200
    assert status(exchange(port, head(path, "Transfer-Encoding: chunked"), *chunked(body[:3], body[3:50000], body[50000:]))) == 200
    assert c.get(f"/scxml/session/{sid}/query?item=seen").json()["data"]["seen"] == [slot, slot]
    # SCXML C.2 on the server's port
    echo = c.start("echo.scxml")
    basic = b"_scxmleventname=pong&n=" + b"7" * 20000
    assert status(exchange(port, head(f"/scxml/{echo}", "Transfer-Encoding: chunked"), *chunked(basic[:10], basic[10:]))) == 200
    got = c.get(f"/scxml/session/{echo}/query?item=got").json()["data"]["got"]
    assert got == ["7" * 20000 + " http://www.w3.org/TR/scxml/#BasicHTTPEventProcessor"]


def test_server_a_client_that_leaves_mid_body_is_not_an_internal_error(charts):
    """The read of the body raised ConnectionResetError, which the error middleware logged as
    "internal error" with a traceback (and answered 500 to nobody), once per client that went away."""
    s = serve(charts, "--store", "memory")
    try:
        c = s.client()
        sid = c.start("queueing.scxml")
        port = port_of(s.url)
        body = b"slot=" + b"x" * 5000
        for path in (f"/scxml/session/{sid}/event/callback.confirmed", f"/scxml/{sid}"):
            parts = (head(path, f"Content-Length: {len(body)}"), body[:1000])
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                for part in parts:
                    sock.sendall(part)
                    time.sleep(0.05)
            assert exchange(port, *parts, half_close=True) == b""  # (no answer can come: the client closed)
        time.sleep(0.2)
        assert c.get("/ors/health").status == 200
        assert c.get(f"/scxml/session/{sid}/query?item=seen").json()["data"]["seen"] == []
    finally:
        log = s.stop()
    assert "internal error" not in log and "Traceback" not in log, log[-3000:]


def test_server_a_malformed_chunked_body_is_400_invalidbody(charts):
    """(aiohttp's pure-Python parser, as on a platform without its compiled one.) The body's
    framing error reached the error middleware as an unexpected exception: 500 internal."""
    s = serve(charts, "--store", "memory", env={**os.environ, "AIOHTTP_NO_EXTENSIONS": "1"})
    try:
        c = s.client()
        sid = c.start("queueing.scxml")
        path = f"/scxml/session/{sid}/event/callback.confirmed"
        answer = exchange(port_of(s.url), head(path, "Transfer-Encoding: chunked"), b"zz\r\nslot=a\r\n0\r\n\r\n")
        assert status(answer) == 400
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"] == "invalidbody"
        assert c.get(f"/scxml/session/{sid}/query?item=seen").json()["data"]["seen"] == []
        assert c.post(path, form={"slot": "b"}).status == 200
        assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?item=seen").json()["data"]["seen"] == ["b"])
    finally:
        log = s.stop()
    assert "internal error" not in log, log[-3000:]


# -- documents fetched over HTTP (documents.py) -------------------------------------------------------


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_chart_fetched_in_parts_starts_whole(served, framing):
    chart = (CHARTS / "queueing.scxml").read_bytes()
    chart = chart.replace(b"</scxml>", b"<!--" + b"p" * 150000 + b"--></scxml>")  # (several segments)
    kind = b"HTTP/1.1 200 OK\r\nContent-Type: application/scxml+xml\r\n"
    if framing == "chunked":
        parts = [kind + b"Transfer-Encoding: chunked\r\n\r\n", *chunked(chart[:100], chart[100:80000], chart[80000:])]
    else:
        parts = [kind + b"Content-Length: %d\r\n\r\n" % len(chart), chart[:100], chart[100:80000], chart[80000:]]
    srv = _RawServer(*parts)
    try:
        c = served.client()
        r = c.post("/scxml/session/start", form={"src": f"http://127.0.0.1:{srv.port}/queueing.scxml"})
        assert r.status == 200, r
        sid = r.json()["sessionid"]
        r = c.post(f"/scxml/session/{sid}/request/check-queue-position")
        assert (r.status, r.json()) == (200, {"position": 3, "ewt": 95})
    finally:
        srv.close()


def test_server_a_body_that_stops_coming_is_408_within_body_timeout_s(charts, tmp_path):
    """aiohttp sets no deadline on a request body: a client that announced more than it sent
    and kept its connection held the request for ever (and broken chunk framing in a later
    segment, which aiohttp's compiled parser never reports, the same). Now: 408 bodytimeout after
    `body_timeout_s`, the connection closed, no event; the server goes on serving."""
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"body_timeout_s": 0.5}), encoding="utf-8")
    s = serve(charts, "--store", "memory", "--config", str(config))
    try:
        c = s.client()
        sid = c.start("queueing.scxml")
        port = port_of(s.url)
        path = f"/scxml/session/{sid}/event/callback.confirmed"
        answer = exchange(port, head(path, "Content-Length: 100") + b"slot=abc", timeout=10)
        assert status(answer) == 408 and b'"bodytimeout"' in answer, answer
        answer = exchange(port, head(path, "Transfer-Encoding: chunked"), b"5\r\nslot=\r\n", b"zz\r\n", timeout=10)
        assert status(answer) in (400, 408), answer
        assert c.get(f"/scxml/session/{sid}/query?item=seen").json()["data"]["seen"] == []
        assert status(exchange(port, head(path, "Content-Length: 8") + b"slot=abc")) == 200
        assert c.get(f"/scxml/session/{sid}/query?item=seen").json()["data"]["seen"] == ["abc"]
    finally:
        log = s.stop()
    assert "internal error" not in log and "Traceback" not in log, log[-3000:]


def test_server_a_connection_that_never_completes_its_request_is_closed(charts, tmp_path):
    """aiohttp closes a connection that never sends a whole request line and headers only after
    its keep-alive timeout, an hour by default: `idle_timeout_s` (75 s) bounds it."""
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"idle_timeout_s": 0.5}), encoding="utf-8")
    s = serve(charts, "--store", "memory", "--config", str(config))
    try:
        port = port_of(s.url)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"POST /scxml/session/start HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            assert sock.recv(65536) == b""  # closed by the server (a socket timeout here: held)
        assert s.client().get("/ors/health").status == 200
    finally:
        s.stop()
