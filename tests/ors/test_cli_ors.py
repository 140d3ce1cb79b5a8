"""`scxmlc run` with ORS documents, as a subprocess: --document maps URLs to charts, every session's log is shown."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ors

PARENT = ors(
    """<state id="p"><onentry><log expr="'parent starts'"/>
        <session:start sessionid="kid" src="'http://apps/child.scxml'"><param name="greeting" expr="'hello'"/></session:start>
      </onentry>
      <transition event="done.scxml" target="end"><log expr="'child said ' + _event.data.params.reply"/></transition></state>
    <final id="end"/>""",
    data='<data id="kid"/>',
)
CHILD = ors(
    """<state id="c"><onentry><log label="child" expr="greeting + ' from ' + _sessionid"/></onentry>
      <transition target="f"/></state><final id="f"><donedata><param name="reply" expr="'bye'"/></donedata></final>"""
)


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "scxmlc", "run", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_documents_started_by_the_chart_log_with_their_session_ids(tmp_path):
    (tmp_path / "parent.scxml").write_text(PARENT)
    (tmp_path / "child.scxml").write_text(CHILD)
    out = run(str(tmp_path / "parent.scxml"), "--simulated-clock", "--document", f"http://apps/child.scxml={tmp_path / 'child.scxml'}")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    parent_id = lines[0].split("]")[0][1:]
    assert lines[0] == f"[{parent_id}] parent starts"
    child_line = next(line for line in lines if "child:" in line)
    child_id = child_line.split("]")[0][1:]
    assert child_id != parent_id and child_line == f"[{child_id}] child: hello from {child_id}"
    assert f"[{parent_id}] child said bye" in lines
    assert lines[-1] == "configuration (done): end"


def test_without_the_document_the_start_fails_and_says_why(tmp_path):
    (tmp_path / "parent.scxml").write_text(PARENT)
    out = run(str(tmp_path / "parent.scxml"), "--simulated-clock", "--max-seconds", "1")
    assert out.returncode == 3
    assert "error.session.start" in out.stderr and "Traceback" not in out.stderr


def test_a_bad_document_option_is_a_usage_error(tmp_path):
    (tmp_path / "parent.scxml").write_text(PARENT)
    for bad in ("nourl", "http://x=", f"http://x={tmp_path / 'missing.scxml'}"):
        out = run(str(tmp_path / "parent.scxml"), "--document", bad)
        assert out.returncode == 2 and "bad --document" in out.stderr


def test_root_lets_file_urls_read_another_folder(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "v.txt").write_text("from shared")
    chart = ors(
        f"""<state id="s"><onentry><session:fetch srcexpr="'{(shared / 'v.txt').as_uri()}'" type="'text/plain'"/></onentry>
          <transition event="session.fetch.done" target="f"><log expr="_event.data.content"/></transition>
          <transition event="error.session.fetch" target="f"><log expr="_event.data.error"/></transition></state><final id="f"/>"""
    )
    (tmp_path / "doc").mkdir()
    (tmp_path / "doc" / "c.scxml").write_text(chart)
    out = run(str(tmp_path / "doc" / "c.scxml"), "--simulated-clock")
    assert out.stdout.splitlines()[0] == "file.notfound"
    out = run(str(tmp_path / "doc" / "c.scxml"), "--simulated-clock", "--root", str(shared))
    assert out.stdout.splitlines()[0] == "from shared"
