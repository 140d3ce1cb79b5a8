"""Odd and hostile input to `scxmlc serve` (ors-server.md §1.4, §2.3, §3-§6, §9.3, §9.7), each answered with the status the spec gives, and nothing of it left behind: deep JSON, lone surrogates, JSON's missing literals, repeated form fields, times past the calendar, a Basic HTTP event with a reserved name, malformed HTTP, a store that refuses."""

from __future__ import annotations

import json
import socket
import sqlite3

import pytest

from .conftest import copy_charts, eventually, serve


def health(c) -> dict:
    return c.get("/ors/health").json()["sessions"]


def test_json_nested_past_the_limit_is_a_400_everywhere(server):
    c = server.client()
    sid = c.start("odd.scxml")
    for depth in (101, 100_000):  # (past httpdata.MAX_DEPTH; past what Python's parser can take)
        body = "[" * depth + "]" * depth
        for path in ("/scxml/session/start", f"/scxml/session/{sid}/event/keep", f"/scxml/session/{sid}/request/ask", "/ors/interactions"):
            r = c.post(path, body=body, content_type="application/json")
            assert r.status == 400 and r.json()["error"] in ("invalidbody", "invalidparameter"), (path, r)
    nested = {"a": 1}
    for _ in range(98):
        nested = {"a": nested}
    assert c.post(f"/scxml/session/{sid}/event/keep", json_body={"d": nested}).status == 200  # 100 levels: taken
    assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?items=count").json()["data"]["count"] == 1)
    # Basic HTTP takes a body it cannot parse as the text it is (SCXML C.2)
    assert c.post(f"/scxml/{sid}", body="[" * 100_000, content_type="application/json").status == 200


def test_json_literals_json_does_not_have_are_refused(server):
    c = server.client()
    for literal in ("NaN", "Infinity", "-Infinity"):
        r = c.post("/scxml/session/start", body='{"src": "odd.scxml", "x": %s}' % literal, content_type="application/json")
        assert r.status == 400 and r.json()["error"] == "invalidbody" and literal.lstrip("-") in r.json()["description"]


def test_lone_surrogates_are_kept_and_go_out_escaped(server):
    c = server.client()
    r = c.post("/scxml/session/start", body='{"src": "odd.scxml", "tag": "x\\udcffy"}', content_type="application/json")
    assert r.status == 200, r
    sid = r.json()["sessionid"]
    r = c.post(f"/scxml/session/{sid}/event/keep", body='{"t": "\\ud800"}', content_type="application/json")
    assert r.status == 200
    assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?items=count").json()["data"]["count"] == 1)
    r = c.get(f"/scxml/session/{sid}/query?items=last,tag")
    assert r.status == 200 and b'"\\ud800"' in r.body and b'"x\\udcffy"' in r.body
    assert r.json()["data"] == {"last": {"t": "\ud800"}, "tag": "x\udcffy"}
    # an error that echoes what the client sent
    r = c.post("/scxml/session/start", body='{"src": "\\udcff.scxml"}', content_type="application/json")
    assert r.status == 422 and "\\udcff" in r.text
    # a <ws:response> as JSON.stringify writes it: null for NaN and the infinities, the escape
    r = c.post(f"/scxml/session/{sid}/request/ask")
    assert r.status == 200 and r.json() == {"x": None, "y": None, "s": "a\ud800b"}


def test_a_repeated_form_field_is_one_array(server):
    c = server.client()
    fields = [("src", "odd.scxml")] + [("many", str(i)) for i in range(2000)] + [("two", "a"), ("two", "b")]
    from urllib.parse import urlencode

    sid = c.post("/scxml/session/start", body=urlencode(fields), content_type="application/x-www-form-urlencoded").json()["sessionid"]
    data = c.get(f"/scxml/session/{sid}/query?items=many,two").json()["data"]
    assert data == {"many": [str(i) for i in range(2000)], "two": ["a", "b"]}


@pytest.mark.parametrize(
    "params",
    [
        {"idealtime": 99999999999999999999999999},
        {"idealtime": 253402300800000},  # (year 10000)
        {"scxmlc.delay": "P9999999999Y"},
        {"idealtime": "FUTURE", "scxmlc.postwindow": "P9999999999Y"},
    ],
    ids=["idealtime-huge", "idealtime-year-10000", "delay-huge", "window-huge"],
)
def test_a_start_time_past_the_calendar_is_a_400_and_schedules_nothing(server, params):
    import time

    c = server.client()
    before = health(c)["scheduled"]
    params = {k: (int(time.time() * 1000) + 3_600_000 if v == "FUTURE" else v) for k, v in params.items()}
    r = c.post("/scxml/session/start", json_body={"src": "odd.scxml", **params})
    assert r.status == 400 and r.json()["error"] == "invalidparameter", r
    assert health(c)["scheduled"] == before


def test_request_timeouts_that_are_not_numbers_are_a_400(server):
    c = server.client()
    sid = c.start("odd.scxml")
    for given in ([], [1], True, {"s": 5}, "soon", "0"):
        r = c.post(f"/scxml/session/{sid}/request/ask", json_body={"scxmlc.timeout": given})
        assert r.status == 400 and r.json()["error"] == "invalidparameter", (given, r)
    assert c.post(f"/scxml/session/{sid}/request/ask?scxmlc.timeout=1&scxmlc.timeout=5").status == 200  # (the last)


def test_the_bridge_refuses_a_charset_python_does_not_know(server):
    r = server.client().post("/ors/interactions", body="{}", content_type="application/json; charset=bogus")
    assert r.status == 400 and r.json()["error"] == "invalidparameter"


def test_basic_http_events_cannot_take_a_reserved_name(server):
    c = server.client()
    sid = c.start("odd.scxml")
    for name in ("session.fetch.done", "error.execution", "done.invoke.x"):
        r = c.post(f"/scxml/{sid}", body=f"_scxmleventname={name}&requestid=R1", content_type="application/x-www-form-urlencoded")
        assert r.status == 400 and r.json()["error"] == "reservedname", (name, r)
    assert c.post(f"/scxml/{sid}", body="_scxmleventname=keep", content_type="application/x-www-form-urlencoded").status == 200


def test_a_query_never_shows_the_platforms_variables(server):
    c = server.client()
    sid = c.start("odd.scxml")
    c.post(f"/scxml/session/{sid}/event/keep", json_body={"k": 1})
    assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?items=count").json()["data"]["count"] == 1)
    r = c.get(f"/scxml/session/{sid}/query?items=_event,_ioprocessors,_sessionid,_name,_event.data,count")
    assert r.json()["data"] == {"count": 1}


def test_data_nested_past_a_snapshot_leaves_the_session_in_memory_and_its_query_truncated(server):
    c = server.client()
    sid = c.start("odd.scxml")
    c.post(f"/scxml/session/{sid}/event/nest")
    assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?items=last").json().get("truncated"))
    body = c.get(f"/scxml/session/{sid}/query?items=last").json()
    depth, v = 0, body["data"]["last"]
    while isinstance(v, list):
        depth, v = depth + 1, v[0]
    assert 100 < depth <= 200 and v is None
    if "sqlite" in str(server.proc.args):
        assert body["persistent"] is False  # (§9.3: not storable, kept in memory)
    c.post(f"/scxml/session/{sid}/event/keep", json_body={"after": True})  # and it goes on
    assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?items=count").json()["data"]["count"] == 1)


def raw(server, data: bytes) -> bytes:
    host, port = server.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_malformed_http_is_a_400_and_no_error_in_the_log(tmp_path):
    s = serve(copy_charts(tmp_path), "--store", "memory")
    try:
        for request in (
            b"GET /ors/health HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\nConnection: close\r\n\r\n",
            b"GET /ors/health HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"GET /ors/health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\nConnection: close\r\n\r\n",
            b"POST /scxml/session/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde",
        ):
            answer = raw(s, request)
            assert answer.split(b" ", 2)[1] == b"400", (request, answer[:200])
        assert s.client().get("/ors/health").status == 200
    finally:
        err = s.stop()
    assert "ERROR" not in err and "Traceback" not in err, err


def test_a_bearer_token_that_is_not_utf8_is_a_401(tmp_path):
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    s = serve(copy_charts(tmp_path), "--store", "memory", "--token-file", str(token))
    try:
        answer = raw(s, b"GET /ors/health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\nConnection: close\r\n\r\n")
        assert answer.split(b" ", 2)[1] == b"401", answer[:200]
        assert s.client("s3cret").get("/ors/health").status == 200
    finally:
        err = s.stop()
    assert "Traceback" not in err, err


def test_a_session_that_cannot_be_restored_is_orphaned_and_the_server_starts(tmp_path):
    """§9.7: one stored session that fails to come back (here an input in its inbox that is not
    an event) must not keep the server from starting; it is marked orphaned."""
    db = tmp_path / "sessions.db"
    charts = copy_charts(tmp_path)
    s = serve(charts, "--store", str(db))
    try:
        c = s.client()
        bad, good = c.start("odd.scxml"), c.start("odd.scxml")
        assert c.post(f"/scxml/session/{good}/event/keep", body='{"t": "\\ud800"}', content_type="application/json").status == 200
        assert eventually(lambda: c.get(f"/scxml/session/{good}/query?items=count").json()["data"]["count"] == 1)
    finally:
        s.stop()
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO inbox (eid, session_id, event, enqueued_ms) VALUES (?, ?, ?, ?)", ("bad-1", bad, json.dumps({"heap": [], "v": {"$ref": 7}}), 1))
    s = serve(charts, "--store", str(db), "--config", str(_eager(tmp_path)))
    try:
        c = s.client()
        assert c.get("/ors/health").status == 200
        assert c.get(f"/scxml/session/{good}/query?items=last").json()["data"] == {"last": {"t": "\ud800"}}  # (its snapshot held the surrogate)
        assert c.get(f"/scxml/session/{bad}/query").status in (404, 409, 410)
    finally:
        err = s.stop()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM sessions WHERE id = ?", (bad,)).fetchone() == ("orphaned",)
    assert f"session {bad} could not be restored" in err


def _eager(folder):
    config = folder / "eager.toml"
    config.write_text('restore = "eager"\n')
    return config


def test_two_starts_naming_one_session_at_once_give_one_answer(server):
    """§2.3 step 6: a start repeated while the first is under way (a client retrying at once)
    repeats its answer; the second found the first's session stored but not yet known, 409."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    c = server.client()
    rng = random.Random(7)
    with ThreadPoolExecutor(4) as pool:
        for _ in range(15):
            sid = "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(32))
            form = {"src": "queueing.scxml", "scxmlc.sessionid": sid}
            answers = list(pool.map(lambda _: c.post("/scxml/session/start", form=form), range(3)))
            assert all(a.status == 200 and a.json() == {"sessionid": sid, "status": "running"} for a in answers), answers


def test_a_request_whose_client_left_is_given_up(server):
    """§5.1: a client that disconnects while its request waits for the session's answer: the
    request is forgotten within a second or so (it was held until its timeout, ten minutes
    at most, with its connection), and a late <ws:response> finds no request."""
    import time

    c = server.client()
    sid = c.start("odd.scxml")
    host, port = server.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"POST /scxml/session/{sid}/request/hold?scxmlc.timeout=600 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
        assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?items=held").json()["data"]["held"] != "")
    time.sleep(4)  # (the server looks once a second: a margin for a loaded machine)
    c.post(f"/scxml/session/{sid}/event/release")
    assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?items=failed").json()["data"]["failed"] == "notfound")


def test_a_body_announced_over_the_limit_is_a_413_at_once(server):
    # (it waited body_timeout_s, 30 s, for a body the client never meant to send, then 408)
    answer = raw(server, b"POST /scxml/session/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{\"src\": ")
    assert answer.split(b" ", 2)[1] == b"413" and b'"toolarge"' in answer, answer[:300]
    answer = raw(server, b"POST /scxml/session/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
    assert answer.split(b" ", 2)[1] == b"413", answer[:300]  # (not 100 Continue first)
