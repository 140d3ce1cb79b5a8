"""The REST API of `scxmlc serve` (ors-server.md §1-§7), against the server running as a subprocess on loopback."""

from __future__ import annotations

import time

import pytest

from .conftest import eventually, serve


def test_start_event_request_query_terminate(server):
    c = server.client()
    r = c.post("/scxml/session/start", form={"src": "queueing.scxml", "holiday": "N", "tags": ["a", "b"]})
    assert r.status == 200 and r.headers["Content-Type"] == "application/json; charset=utf-8"
    sid = r.json()["sessionid"]
    assert r.json() == {"sessionid": sid, "status": "running"} and len(sid) == 32 and sid.isalnum() and sid.upper() == sid
    assert f"ORSSESSIONID={sid}" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]
    assert r.headers["Location"] == f"/scxml/session/{sid}/query"

    r = c.post(f"/scxml/session/{sid}/event/callback.confirmed?slot=14%3A30")
    assert (r.status, r.json()) == (200, {"sessionid": sid, "status": "queued"})
    assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?item=seen").json()["data"] == {"seen": ["14:30"]})

    r = c.post(f"/scxml/session/{sid}/request/check-queue-position")
    assert (r.status, r.json(), r.headers["ORS-Response-Type"]) == (200, {"position": 3, "ewt": 95}, "positive")
    r = c.post(f"/scxml/session/{sid}/request/check-queue-position", json_body={"x": 1})
    assert (r.status, r.json()) == (400, {})
    assert r.headers["ORS-Response-Type"] == "negative" and r.headers["ORS-Result-Code"] == "invalidparameter"

    r = c.get(f"/scxml/session/{sid}/query?items=holiday,seen,tags")
    body = r.json()
    assert body["data"] == {"holiday": "N", "seen": ["14:30"], "tags": ["a", "b"]}
    assert body["configuration"] == ["waiting"] and body["name"] == "queueing" and body["status"] == "running"
    assert body["src"].endswith("/queueing.scxml") and isinstance(body["started"], int)

    assert c.post(f"/scxml/session/{sid}/terminate").json() == {"sessionid": sid, "status": "terminated"}
    r = c.post(f"/scxml/session/{sid}/terminate")
    assert r.status == 410 and r.json()["error"] == "ended"
    assert c.post(f"/scxml/session/{sid}/event/x").status == 410


def test_json_start_keeps_types_and_query_parameters_count_too(server):
    c = server.client()
    r = c.post("/scxml/session/start?holiday=Q", json_body={"src": "queueing.scxml", "customer": {"id": 42, "phone": "5551234"}, "holiday": "Y"})
    sid = r.json()["sessionid"]
    data = c.get(f"/scxml/session/{sid}/query").json()["data"]
    assert data["customer"] == {"id": 42, "phone": "5551234"} and data["holiday"] == "Y"  # the body wins


@pytest.mark.parametrize(
    "form,status,code",
    [
        ({}, 400, "missingparameter"),
        ({"src": "ftp://x/y.scxml"}, 400, "invalidparameter"),
        ({"src": "nope.scxml"}, 422, "badfetch.file"),
        ({"src": "../../../../etc/passwd"}, 422, "badfetch.file"),
        ({"src": "file:///etc/passwd"}, 422, "badfetch.file"),
        ({"src": "a" * 5000}, 422, "badfetch.file"),  # (a name too long for the file system)
        ({"src": "file:///" + "a" * 5000}, 422, "badfetch.file"),
        ({"src": "broken.scxml"}, 422, "badsyntax"),
        ({"src": "queueing.scxml", "idealtime": "soon"}, 400, "invalidparameter"),
        ({"src": "queueing.scxml", "idealtime": "1000"}, 400, "expired"),
        ({"src": "queueing.scxml", "scxmlc.sessionid": "short"}, 400, "invalidparameter"),
    ],
)
def test_bad_starts(server, form, status, code):
    r = server.client().post("/scxml/session/start", form=form)
    assert (r.status, r.json()["error"]) == (status, code), r
    assert r.json()["description"]


def test_a_start_that_names_its_session_is_idempotent(server):
    c = server.client()
    sid = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    first = c.post("/scxml/session/start", form={"src": "queueing.scxml", "scxmlc.sessionid": sid})
    again = c.post("/scxml/session/start", form={"src": "queueing.scxml", "scxmlc.sessionid": sid})
    assert first.json() == again.json() == {"sessionid": sid, "status": "running"}
    other = c.post("/scxml/session/start", form={"src": "answers.scxml", "scxmlc.sessionid": sid})
    assert (other.status, other.json()["error"]) == (409, "conflict")


def test_a_scheduled_start(server):
    c = server.client()
    ideal = int(time.time() * 1000) + 1500
    r = c.post("/scxml/session/start", json_body={"src": "queueing.scxml", "idealtime": ideal, "who": "later"})
    sid = r.json()["sessionid"]
    assert r.json() == {"sessionid": sid, "status": "scheduled", "starttime": ideal}
    q = c.get(f"/scxml/session/{sid}/query").json()
    assert q["status"] == "scheduled" and q["configuration"] == [] and q["data"] == {"who": "later"}
    assert c.post(f"/scxml/session/{sid}/event/x").json()["error"] == "notrunning"
    time.sleep(2)
    q = c.get(f"/scxml/session/{sid}/query").json()
    assert q["status"] == "running" and q["data"]["who"] == "later"
    # and one that is cancelled before it starts
    r = c.post("/scxml/session/start", form={"src": "queueing.scxml", "scxmlc.delay": "60"})
    sid = r.json()["sessionid"]
    assert c.post(f"/scxml/session/{sid}/terminate").json() == {"sessionid": sid, "status": "cancelled"}
    assert c.get(f"/scxml/session/{sid}/query").status == 410


@pytest.mark.parametrize(
    "path,body,ctype,status,code",
    [
        ("/event/session.fetch.done", None, None, 400, "reservedname"),
        ("/event/bad name", None, None, 400, "invalidname"),
        ("/event/ends.", None, None, 400, "invalidname"),
        ("/event/x", "hello", "text/plain", 415, "unsupportedmediatype"),
        ("/event/x", "{not json", "application/json", 400, "invalidbody"),
        ("/event/x", "[1, 2]", "application/json", 400, "invalidbody"),
        ("/event/x", b"\xff\xfe", "application/json", 400, "invalidbody"),
    ],
)
def test_bad_events(server, path, body, ctype, status, code):
    c = server.client()
    sid = c.start("queueing.scxml")
    r = c.post(f"/scxml/session/{sid}{path.replace(' ', '%20')}", body=body, content_type=ctype)
    assert (r.status, r.json()["error"]) == (status, code), r


def test_unknown_sessions_paths_and_verbs(server):
    c = server.client()
    assert c.post("/scxml/session/0000/event/x").json()["error"] == "notfound"
    assert c.get("/scxml/session/0000/query").status == 404
    r = c.get("/nothing/here")
    assert (r.status, r.json()["error"]) == (404, "notfound")
    r = c.get("/scxml/session/start")
    assert (r.status, r.json()["error"], r.headers["Allow"]) == (405, "methodnotallowed", "POST")
    r = c.call("DELETE", "/scxml/session/ABC/query")
    assert r.status == 405 and set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    # a trailing slash is the same path
    assert c.post("/scxml/session/start/", form={"src": "queueing.scxml"}).status == 200


def test_requests_and_their_answers(server):
    c = server.client()
    sid = c.start("answers.scxml")
    r = c.post(f"/scxml/session/{sid}/request/text?who=ann")
    assert (r.status, r.text, r.headers["Content-Type"]) == (200, "plain ann", "text/plain; charset=utf-8")
    r = c.post(f"/scxml/session/{sid}/request/object", json_body={"x": 1})
    assert r.json() == {"got": "application/json", "x": 1, "raw": '{"x": 1}'}
    r = c.post(f"/scxml/session/{sid}/request/object", body="<a/>", content_type="application/xml")
    assert r.json() == {"got": "application/xml", "raw": "<a/>"}
    r = c.post(f"/scxml/session/{sid}/request/twice")
    assert (r.status, r.json()) == (200, {})
    # the second response of the same request found nothing waiting
    seen = lambda: c.get(f"/scxml/session/{sid}/query?items=seen").json()["data"]["seen"]  # noqa: E731
    assert eventually(lambda: seen() == ["notfound"])
    # no transition answers: the client gets 504 after its timeout; a late answer is notfound
    t0 = time.monotonic()
    r = c.post(f"/scxml/session/{sid}/request/keep?scxmlc.timeout=1")
    assert (r.status, r.json()["error"]) == (504, "timeout") and 0.9 < time.monotonic() - t0 < 5
    c.post(f"/scxml/session/{sid}/event/answer-later")
    assert eventually(lambda: seen() == ["notfound", "notfound"])
    assert c.post(f"/scxml/session/{sid}/request/x?scxmlc.timeout=0").json()["error"] == "invalidparameter"


def test_a_session_that_ends_without_answering(server):
    c = server.client()
    sid = c.start("answers.scxml")
    r = c.post(f"/scxml/session/{sid}/request/ending")
    assert (r.status, r.json()["error"]) == (502, "noresponse")


def test_query_serialises_like_json_stringify(server):
    c = server.client()
    sid = c.start("answers.scxml")
    body = c.get(f"/scxml/session/{sid}/query?item=loop").json()
    assert body["data"] == {"loop": {"name": "a", "self": None, "when": "1970-01-01T00:00:00.000Z"}} and body["truncated"] is True
    body = c.post(f"/scxml/session/{sid}/query", form={"items": "loop.name", "scxmlc.configuration": "false"}).json()
    assert body["data"] == {"loop": {"name": "a"}} and "configuration" not in body


def test_settings_from_a_file_token_and_limits(charts, tmp_path):
    (tmp_path / "token").write_text("s3cret\n")
    (tmp_path / "server.toml").write_text(
        '[server]\nmax_body_bytes = 2000\nquery_hidden_items = ["sec*"]\nlist_enabled = true\nstart_answer = "text"\n'
    )
    served = serve(charts, "--store", "memory", "--token-file", str(tmp_path / "token"), "--config", str(tmp_path / "server.toml"))
    try:
        anonymous = served.client()
        r = anonymous.post("/scxml/session/start", form={"src": "answers.scxml"})
        assert (r.status, r.json()["error"]) == (401, "unauthorized") and r.headers["WWW-Authenticate"].startswith("Bearer")
        assert served.client("wrong").get("/ors/health").status == 401
        c = served.client("s3cret")
        r = c.post("/scxml/session/start", form={"src": "answers.scxml"})
        assert r.headers["Content-Type"].startswith("text/plain")
        sid = r.text
        assert c.get(f"/scxml/session/{sid}/query?item=secret").json()["data"] == {"secret": "***"}
        r = c.post(f"/scxml/session/{sid}/event/x", json_body={"blob": "x" * 5000})
        assert (r.status, r.json()["error"]) == (413, "toolarge")
        for _ in range(2):
            c.post("/scxml/session/start", form={"src": "queueing.scxml"})
        page = c.get("/ors/sessions?limit=2").json()
        assert len(page["sessions"]) == 2 and page["next"] == page["sessions"][-1]["sessionid"]
        rest = c.get(f"/ors/sessions?limit=2&after={page['next']}").json()
        assert len(rest["sessions"]) == 1 and rest["next"] is None
    finally:
        served.stop()


def test_help_and_health(server):
    c = server.client()
    r = c.get("/ors/help")
    paths = [e["path"] for e in r.json()["endpoints"]]
    assert "/scxml/session/start" in paths and "/scxml/session/{id}/request/{name}" in paths and r.json()["version"]
    text = c.get("/ors/help", headers={"Accept": "text/plain"})
    assert text.headers["Content-Type"].startswith("text/plain") and "POST      /scxml/session/start" in text.text
    health = c.get("/ors/health").json()
    assert health["status"] == "ok" and health["role"] == "primary" and "resident" in health["sessions"]
    assert c.get("/ors/sessions").status == 404  # the list is off by default


def test_garbage_never_stops_the_server(server):
    import socket

    host, port = server.url.split("//")[1].split(":")
    for junk in (b"GARBAGE\r\n\r\n", b"POST /scxml/session/start HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", b"\x00\xff" * 100):
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(junk)
            s.settimeout(2)
            try:
                s.recv(100)
            except OSError:
                pass
    assert server.client().get("/ors/health").status == 200
    assert server.proc.poll() is None


def test_basic_http_events_go_through_the_same_server(server):
    """SCXML C.2 under `scxmlc serve`: a session's location is on the server's own port; a POST
    there is an event (stored first); a session's own basichttp <send> never blocks the server."""
    import socket
    import time

    c = server.client()
    sid = c.start("echo.scxml")
    where = c.get(f"/scxml/session/{sid}/query?item=where").json()["data"]["where"]
    assert where == f"{server.url}/scxml/{sid}"
    assert c.post(f"/scxml/session/{sid}/event/ping?n=1").status == 200
    basic = "http://www.w3.org/TR/scxml/#BasicHTTPEventProcessor"
    assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?item=got").json()["data"]["got"] == [f"1 {basic}"])
    r = c.post(f"/scxml/{sid}", form={"_scxmleventname": "pong", "n": "2"})  # from outside
    assert r.status == 200
    assert c.get(f"/scxml/session/{sid}/query?item=got").json()["data"]["got"][-1] == f"2 {basic}"
    assert c.post("/scxml/" + "Z" * 32, form={"n": "1"}).status == 404
    # a target that accepts the connection and never answers: the server goes on serving
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/x"
        assert c.post(f"/scxml/session/{sid}/event/away", form={"url": url}).status == 200
        began = time.monotonic()
        assert c.get("/ors/health").status == 200 and time.monotonic() - began < 2
    # one that refuses: error.communication
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    assert c.post(f"/scxml/session/{sid}/event/away", form={"url": f"http://127.0.0.1:{closed}/x"}).status == 200
    assert eventually(lambda: any("cannot connect" in e for e in c.get(f"/scxml/session/{sid}/query?item=errors").json()["data"]["errors"]))


def test_a_scheduled_start_waits_for_the_store_off_the_event_loop(charts, tmp_path):
    """A store that makes a write wait (here another connection holds SQLite's write lock)
    holds up only the start being stored: the server answers other requests meanwhile; a write
    the store gives up on (SQLite's busy timeout, 5 s) is a 503 and schedules nothing, and a
    cancel it refuses is a 503 that leaves the start scheduled."""
    import sqlite3
    import threading

    db = tmp_path / "sessions.db"
    served = serve(charts, "--store", str(db))
    try:
        c = served.client()
        for sid, release in (("0123456789ABCDEFGHJKMNPQRSTVWXY0", False), ("0123456789ABCDEFGHJKMNPQRSTVWXY1", True)):
            lock = sqlite3.connect(db, isolation_level=None)
            lock.execute("BEGIN IMMEDIATE")
            answer = []
            post = threading.Thread(target=lambda: answer.append(c.post("/scxml/session/start", form={"src": "queueing.scxml", "scxmlc.delay": "60", "scxmlc.sessionid": sid})))
            post.start()
            time.sleep(0.3)  # (the start is waiting for the lock by now)
            assert c.get("/ors/health").status == 200 and not answer  # answered while the write waits
            if release:
                lock.execute("ROLLBACK")
            post.join(30)
            lock.close()
            (r,) = answer
            if release:
                assert r.status == 200 and r.json()["status"] == "scheduled"
                assert c.get(f"/scxml/session/{sid}/query").json()["status"] == "scheduled"
            else:
                assert r.status == 503 and r.json()["error"] == "unavailable" and r.headers["Retry-After"] == "1"
                assert c.get(f"/scxml/session/{sid}/query").status == 404  # nothing was scheduled
        # a cancel the store refuses leaves the start scheduled, and says so
        lock = sqlite3.connect(db, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        r = c.post(f"/scxml/session/{sid}/terminate")
        lock.execute("ROLLBACK")
        lock.close()
        assert r.status == 503 and r.json()["error"] == "unavailable"
        assert c.get(f"/scxml/session/{sid}/query").json()["status"] == "scheduled"
        assert c.post(f"/scxml/session/{sid}/terminate").json() == {"sessionid": sid, "status": "cancelled"}
    finally:
        err = served.stop()
    assert "Traceback" not in err, err
