"""Random requests against a real `scxmlc serve`: whatever the method, path, parameters and body, the server answers with a status it documents (never 500), logs no traceback, and keeps serving."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from urllib.parse import quote, urlencode

from .conftest import Client, copy_charts

VALUES = [None, True, 0, -1, 1e308, 3.5, "", "x", "go", "\u0000", "\u00e9", "a" * 300, "../../etc/passwd", "file:///etc/passwd",
          "queueing.scxml", "answers.scxml", "echo.scxml", "broken.scxml", "a" * 300 + ".scxml", "__proto__", "{}", "[]"]  # fmt: skip
KEYS = ["src", "idealtime", "scxmlc.delay", "scxmlc.sessionid", "scxmlc.timeout", "scxmlc.prewindow", "item", "items",
        "g_uid", "sessionid", "interaction", "changes", "name", "data", "ok", "error", "resultof", "__proto__", "constructor"]  # fmt: skip


def _value(rng: random.Random, depth: int = 0):
    k = rng.random()
    if depth > 3 or k < 0.4:
        return rng.choice(VALUES)
    if k < 0.75:
        return {rng.choice(KEYS): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]


def _body(rng: random.Random) -> tuple[bytes | None, str | None]:
    k = rng.random()
    if k < 0.4:
        return json.dumps(_value(rng)).encode(), "application/json"
    if k < 0.5:
        return rng.choice([b"{" * 3000, b"\xff\xfe\x00", b"[1, 2", b"null", b'{"src": 1}']), "application/json"
    if k < 0.8:
        form = {rng.choice(KEYS): str(rng.choice(VALUES)) for _ in range(rng.randint(0, 4))}
        return urlencode(form).encode(), "application/x-www-form-urlencoded"
    if k < 0.9:
        return b"<x/>" * rng.randint(0, 50), rng.choice(["text/plain", "application/xml", "multipart/form-data; boundary=b"])
    return None, None


def test_random_requests_get_documented_answers(tmp_path):
    root = copy_charts(tmp_path)
    log = tmp_path / "serve.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "scxmlc", "serve", str(root), "--port", "0", "--store", str(tmp_path / "s.db")],
                                stdout=subprocess.PIPE, stderr=err, text=True, cwd=root)  # fmt: skip
        try:
            url = None
            deadline = time.monotonic() + 60
            while url is None and time.monotonic() < deadline:
                line = proc.stdout.readline()
                if " on http://" in line:
                    url = line.split(" on ", 1)[1].split()[0]
            assert url, "scxmlc serve did not say where it listens"
            client = Client(url)
            rng = random.Random(2026)
            sids = [client.start(src) for src in ("queueing.scxml", "answers.scxml", "echo.scxml")]
            statuses: dict[int, int] = {}
            for _ in range(600):
                sid = rng.choice([*sids, "0" * 32, "nope"])
                path = rng.choice([
                    "/scxml/session/start",
                    f"/scxml/session/{sid}/event/{rng.choice(['go', 'a.b', 'done.invoke.x', 'error.x', '%20'])}",
                    f"/scxml/session/{sid}/request/{rng.choice(['check-queue-position', 'r'])}?scxmlc.timeout=0.05",
                    f"/scxml/session/{sid}/query?items={quote(str(rng.choice(VALUES)))}",
                    f"/scxml/session/{sid}/terminate" if rng.random() < 0.05 else "/ors/health",
                    "/ors/help", "/ors/sessions?limit=" + rng.choice(["0", "3", "x", "100000"]),
                    "/ors/interactions", f"/ors/interactions/g{rng.randint(1, 5)}/{rng.choice(['update', 'event', 'delete'])}",
                    f"/ors/interactions/results/{rng.choice(['r1', '0'])}", f"/scxml/{sid}", "/" + quote(str(rng.choice(VALUES)))[:60],
                ])  # fmt: skip
                method = rng.choice(["POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "HEAD"])
                body, ctype = _body(rng)
                r = client.call(method, path, body if method not in ("GET", "HEAD") else None, content_type=ctype, timeout=20)
                statuses[r.status] = statuses.get(r.status, 0) + 1
                assert r.status < 500 or r.status in (502, 503, 504), (method, path, body, r)
                if path == "/scxml/session/start" and r.status == 200:
                    sids.append(r.json()["sessionid"])
            assert client.get("/ors/health").status == 200
            assert statuses.get(200, 0) > 30 and len(statuses) >= 4, statuses  # (the requests reached the handlers)
        finally:
            proc.terminate()
            proc.wait(30)
    assert "Traceback" not in log.read_text()
