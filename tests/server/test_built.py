"""`scxmlc serve --modules DIR`: the modules a build step made (`scxmlc compile ROOT -o DIR`) are run instead of compiling the charts, as long as they are up to date."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from .conftest import Client, copy_charts
from .test_durable import Serve, free_port


def test_up_to_date_built_modules_are_used_and_stale_ones_are_not(tmp_path):
    root = copy_charts(tmp_path)
    out = tmp_path / "built"
    r = subprocess.run([sys.executable, "-m", "scxmlc", "compile", str(root), "-o", str(out)], capture_output=True, text=True)
    assert (out / "queueing.py").exists(), r.stderr
    chart = root / "queueing.scxml"
    # The chart is broken after the build, but its time says it is older than the module: the
    # server must run the module (it never reads the chart), which proves where the session came from.
    good = chart.read_text()
    chart.write_text("<scxml this is not a chart")
    old = (out / "queueing.py").stat().st_mtime - 60
    os.utime(chart, (old, old))
    serve = Serve(root, tmp_path / "s.db", free_port(), "--modules", str(out))
    serve.start()
    try:
        c = Client(serve.url)
        sid = c.start("queueing.scxml")
        assert c.post(f"/scxml/session/{sid}/request/check-queue-position").json() == {"position": 3, "ewt": 95}
        # the chart changes after the build: the module is stale, the chart is compiled
        time.sleep(0.01)
        chart.write_text(good.replace('expr="3"', 'expr="4"'))
        sid = c.start("queueing.scxml")
        assert c.post(f"/scxml/session/{sid}/request/check-queue-position").json() == {"position": 4, "ewt": 95}
        chart.write_text("<scxml this is not a chart")
        r = c.post("/scxml/session/start", form={"src": "queueing.scxml"})
        assert r.status == 422 and r.json()["error"] == "badsyntax"
        # a name the file system refuses (too long) is no document, with built modules too
        r = c.post("/scxml/session/start", form={"src": (root / ("a" * 300 + ".scxml")).as_uri()})
        assert r.status == 422 and r.json()["error"] == "badfetch.file", r.json()
    finally:
        serve.stop()


def test_a_modules_folder_that_does_not_exist_is_a_settings_error(tmp_path):
    root = copy_charts(tmp_path)
    r = subprocess.run([sys.executable, "-m", "scxmlc", "serve", str(root), "--port", "0", "--store", "memory", "--modules", str(tmp_path / "nope")],
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode != 0 and "module_dirs" in r.stderr and "Traceback" not in r.stderr


def test_a_session_whose_document_changed_is_orphaned_until_an_operator_forces_it(tmp_path):
    """§9.7 step 2: the hash of the document differs after a restart: the session is left
    alone (orphaned); `scxmlc sessions resume --force` lets the server restore it into the
    changed document."""
    root = copy_charts(tmp_path)
    db = tmp_path / "s.db"
    serve = Serve(root, db, free_port())
    serve.start()
    try:
        c = Client(serve.url)
        sid = c.start("queueing.scxml")
        assert c.post(f"/scxml/session/{sid}/event/callback.confirmed", form={"slot": "9:00"}).status == 200
        serve.stop()
        chart = root / "queueing.scxml"
        chart.write_text(chart.read_text().replace('expr="95"', 'expr="120"'))
        serve.start()
        r = c.post(f"/scxml/session/{sid}/event/callback.confirmed", form={"slot": "9:30"})
        # it exists, and takes nothing: 409 (a 404 said there was no such session)
        assert (r.status, r.json()["error"]) == (409, "notrunning") and "orphaned" in r.json()["description"], r
        assert c.get(f"/scxml/session/{sid}/query").status == 409
        serve.stop()

        def sessions(*args):
            return subprocess.run([sys.executable, "-m", "scxmlc", "sessions", "--store", str(db), *args], capture_output=True, text=True, timeout=60)

        assert "orphaned" in sessions("list").stdout
        assert sessions("resume", "--force", sid).returncode == 0
        serve.start()
        q = c.get(f"/scxml/session/{sid}/query?items=seen,ewt").json()
        assert q["data"] == {"seen": ["9:00"], "ewt": 95}  # its own data, kept
        assert c.post(f"/scxml/session/{sid}/event/callback.confirmed", form={"slot": "9:30"}).status == 200
        assert c.get(f"/scxml/session/{sid}/query?item=seen").json()["data"] == {"seen": ["9:00", "9:30"]}
        serve.stop()
        assert " running " in sessions("list").stdout  # its next commit stored the new document
    finally:
        serve.stop()
