"""File confinement (issue 13, item 3): every file read for a chart lies below its folder or the configured roots; anything else is a located error (compile time) or an error event (run time), and no message quotes the file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import scxmlc
from scxmlc import CompileError
from scxmlc_runtime import Host, SimulatedClock
from scxmlc_runtime.js import to_py

HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'
SECRET = "TOP-SECRET-LINE: nobody may see this"


@pytest.fixture
def layout(tmp_path):
    """charts/ (the chart's folder), lib/ (a sibling), and a secret file outside both."""
    charts, lib = tmp_path / "charts", tmp_path / "lib"
    charts.mkdir()
    lib.mkdir()
    (tmp_path / "secret.txt").write_text(SECRET)
    (charts / "inside.json").write_text('{"ok": true}')
    (lib / "shared.js").write_text("var shared = 42;")
    return tmp_path


def compile_errors(path: Path, **kwargs) -> str:
    with pytest.raises(CompileError) as info:
        scxmlc.compile_path(path, **kwargs)
    return "\n".join(str(d) for d in info.value.diagnostics)


@pytest.mark.parametrize(
    "element",
    [
        '<datamodel><data id="d" src="../secret.txt"/></datamodel>',
        '<datamodel><data id="d" src="file:../secret.txt"/></datamodel>',
        '<script src="../secret.txt"/>',
        '<datamodel><data id="d" src="/etc/passwd"/></datamodel>',
        '<script src="/etc/passwd"/>',
    ],
)
def test_a_file_outside_the_charts_folder_is_a_located_error_and_never_quoted(layout, element):
    chart = layout / "charts" / "c.scxml"
    chart.write_text(HEAD + element + '<state id="s"/></scxml>')
    text = compile_errors(chart)
    assert re.search(rf"{re.escape(str(chart))}:1:\d+: error: cannot load", text) and "outside the folders files are read from" in text
    assert SECRET not in text and "root:" not in text


def test_a_symbolic_link_out_of_the_folder_is_outside_too(layout):
    link = layout / "charts" / "link.txt"
    os.symlink(layout / "secret.txt", link)
    chart = layout / "charts" / "c.scxml"
    chart.write_text(HEAD + '<datamodel><data id="d" src="link.txt"/></datamodel><state id="s"/></scxml>')
    text = compile_errors(chart)
    assert "outside the folders" in text and SECRET not in text


def test_files_in_the_folder_and_in_an_include_root_are_read(layout):
    chart = layout / "charts" / "c.scxml"
    chart.write_text(HEAD + '<datamodel><data id="d" src="inside.json"/></datamodel><script src="../lib/shared.js"/><state id="s"/></scxml>')
    assert "outside the folders" in compile_errors(chart)  # lib/ is not a root yet
    module = scxmlc.load(chart, include_roots=[layout / "lib"])
    sm = module.Chart(clock=SimulatedClock())
    sm.start()
    assert to_py(sm.datamodel["d"]) == {"ok": True} and sm.datamodel["shared"] == 42.0
    r = subprocess.run([sys.executable, "-m", "scxmlc", "check", str(chart)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "outside the folders" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "scxmlc", "check", "--include-root", str(layout / "lib"), str(chart)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_a_document_compiled_from_text_reads_no_file(layout):
    text = HEAD + '<datamodel><data id="d" src="inside.json"/></datamodel><state id="s"/></scxml>'
    with pytest.raises(CompileError, match="has no folder"):
        scxmlc.load_string(text, module_name="no_folder")
    module = scxmlc.load_string(text, module_name="with_folder", base_dir=layout / "charts")
    assert module.Chart is not None


INVOKER = HEAD + """
<datamodel><data id="errors" expr="[]"/><data id="got" expr="null"/></datamodel>
<state id="s"><transition event="go" target="t"/></state>
<state id="t">
  <invoke id="kid"><content expr="_event.data.doc"/></invoke>
  <transition event="error.*"><script>errors.push(_event.data.message)</script></transition>
  <transition event="done.invoke.*"><assign location="got" expr="_event.data"/></transition>
</state>
</scxml>"""

CHILD_READS = (
    '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'
    '<datamodel><data id="d" src="inside.json"/></datamodel>'
    '<final id="f"><donedata><param name="d" expr="d"/></donedata></final></scxml>'
)


@pytest.mark.parametrize("allowed", [False, True])
def test_a_document_made_from_event_data_reads_files_only_when_the_host_allows(layout, allowed):
    chart = layout / "charts" / "invoker.scxml"
    chart.write_text(INVOKER)
    module = scxmlc.load(chart)
    host = Host(SimulatedClock(), content_documents_read_files=allowed)
    sm = module.Chart(host=host)
    sm.start()
    sm.send("go", {"doc": CHILD_READS})
    host.run_until_idle(1)
    if allowed:
        assert to_py(sm.datamodel["got"]) == {"d": {"ok": True}}
    else:
        assert sm.datamodel["got"] is None
        assert any("has no folder" in e for e in to_py(sm.datamodel["errors"]))


SRC_INVOKER = HEAD + """
<datamodel><data id="errors" expr="[]"/></datamodel>
<state id="s"><transition event="go" target="t"/></state>
<state id="t">
  <invoke srcexpr="_event.data.src"/>
  <transition event="error.*"><script>errors.push(_event.data.message)</script></transition>
</state>
</scxml>"""


@pytest.mark.parametrize("src", ["../secret.txt", "file:../secret.txt", "/etc/passwd"])
def test_an_invoke_src_outside_the_roots_is_an_error_event_that_quotes_nothing(layout, src):
    chart = layout / "charts" / "src_invoker.scxml"
    chart.write_text(SRC_INVOKER)
    sm = scxmlc.load(chart).Chart(clock=SimulatedClock())
    sm.start()
    sm.send("go", {"src": src})
    errors = to_py(sm.datamodel["errors"])
    assert len(errors) == 1 and "no such document below" in errors[0]
    assert SECRET not in errors[0] and "root:" not in errors[0]


@pytest.mark.parametrize("src", ["inside.json", "file:inside.json", "charts/inside.json"])
def test_a_chart_compiled_from_text_reads_no_file_at_run_time_either(layout, monkeypatch, src):
    # (a relative name was resolved against the working folder, which is nobody's root)
    monkeypatch.chdir(layout / "charts")
    sm = scxmlc.load_string(SRC_INVOKER, module_name="no_folder_invoker").Chart(clock=SimulatedClock())
    sm.start()
    sm.send("go", {"src": src})
    errors = to_py(sm.datamodel["errors"])
    assert len(errors) == 1 and "this document has no folder" in errors[0], errors
    # an absolute name below the host's roots is still read
    (layout / "charts" / "child.scxml").write_text(HEAD + '<final id="f"/></scxml>')
    host = Host(SimulatedClock(), document_roots=[layout / "charts"])
    sm = scxmlc.load_string(SRC_INVOKER, module_name="no_folder_invoker2").Chart(host=host)
    sm.start()
    sm.send("go", {"src": str(layout / "charts" / "child.scxml")})
    host.run_until_idle(1)
    assert to_py(sm.datamodel["errors"]) == []


def test_a_chart_compiled_from_text_has_no_url_for_relative_documents(layout, monkeypatch):
    monkeypatch.chdir(layout / "charts")
    (layout / "charts" / "child.scxml").write_text(HEAD + '<final id="f"/></scxml>')
    text = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:session="http://www.genesyslab.com/modules/session" '
        'version="1.0" profile="ecmascript"><datamodel><data id="url" expr="__GetDocumentURL()"/><data id="kid"/></datamodel>'
        '<state id="s"><onentry><session:fetch srcexpr="\'inside.json\'" method="\'get\'"/>'
        '<session:start sessionid="kid" src="\'child.scxml\'"/></onentry>'
        '<transition event="error.*"><log expr="_event.name + \' \' + _event.data.error + \' \' + _event.data.description"/>'
        '</transition></state></scxml>'
    )
    logs = []
    host = Host(SimulatedClock(), log=lambda s, label, t: logs.append(t))
    sm = host.start(scxmlc.load_string(text, module_name="no_folder_ors").Chart)
    host.run_until_idle(1)
    assert sm.datamodel["url"] == ""
    assert any(t.startswith("error.session.fetch invalidattribute ") and "has no URL" in t for t in logs), logs
    assert any(t.startswith("error.session.start badfetch ") and "has no URL" in t for t in logs), logs


def test_a_file_larger_than_the_limit_is_an_error_and_is_not_read_to_its_end(tmp_path):
    from scxmlc_runtime.documents import read_limited

    big = tmp_path / "big.js"
    big.write_bytes(b"x" * 11)
    assert read_limited(big, limit=11) == b"x" * 11
    with pytest.raises(OSError) as info:
        read_limited(big, limit=10)
    assert "larger than 10 bytes" in info.value.strerror


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"), reason="no named pipes or /dev/zero here")
def test_what_is_no_regular_file_is_a_located_error_and_nothing_waits_for_it(tmp_path):
    """A device that never ends (/dev/zero) or a named pipe nobody writes to (which would block
    the reader): the chart itself, a file it embeds, or a chart a directory build finds."""
    out = subprocess.run([sys.executable, "-m", "scxmlc", "check", "/dev/zero"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "/dev/zero: error: cannot read file: not a regular file" in out.stderr
    src = tmp_path / "src"
    src.mkdir()
    os.mkfifo(src / "pipe.scxml")
    os.mkfifo(src / "pipe.js")
    (src / "uses.scxml").write_text(HEAD + '<script src="pipe.js"/><state id="s"/></scxml>')
    out = subprocess.run([sys.executable, "-m", "scxmlc", "compile", str(src), "-o", str(tmp_path / "out")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"{src / 'pipe.scxml'}: error: cannot read file: not a regular file" in out.stderr
    assert f"{src / 'uses.scxml'}:1:85: error: cannot load <script> src 'pipe.js': not a regular file" in out.stderr
