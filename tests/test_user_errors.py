"""Errors users see (issue: silent failures through the Python API): compile warnings through `warnings`, runtime error events at WARNING and to `on_error`, CLI file errors and `check --strict`."""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings

import pytest

import scxmlc
from scxmlc_runtime import Host, SimulatedClock

BAD_COND = (
    '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'
    '<state id="a"><transition event="go" cond="1 +" target="b"/></state><final id="b"/></scxml>'
)


def test_load_reports_compile_warnings_through_the_warnings_module(tmp_path):
    path = tmp_path / "bad.scxml"
    path.write_text(BAD_COND)
    with pytest.warns(scxmlc.CompileWarning, match=r"bad.scxml:1: warning: ECMAScript: Unexpected token"):
        scxmlc.load(path)
    with pytest.warns(scxmlc.CompileWarning):
        module, found = scxmlc.load_string(BAD_COND, module_name="bad_cond", return_warnings=True)
    assert [d.severity for d in found] == ["warning"] and "Unexpected token" in found[0].message
    assert module.Chart is not None
    with pytest.warns(scxmlc.CompileWarning):
        source, found = scxmlc.compile_file(path, return_warnings=True)
    assert "class " in source and len(found) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a chart without warnings warns nothing
        scxmlc.load_string(BAD_COND.replace('cond="1 +" ', ""), module_name="good_cond")


def test_runtime_error_events_are_logged_at_warning_and_given_to_on_error(caplog):
    with pytest.warns(scxmlc.CompileWarning):
        module = scxmlc.load_string(BAD_COND, module_name="bad_cond_run")
    seen_host, seen_machine = [], []
    host = Host(SimulatedClock(), on_error=lambda m, e: seen_host.append((m.sessionid, e["name"])))
    caplog.set_level(logging.WARNING, logger="scxmlc_runtime")
    sm = module.Chart(host=host, on_error=lambda m, e: seen_machine.append(e["data"]["location"]))
    sm.start()
    sm.send("go")
    assert seen_host == [(sm.sessionid, "error.execution")]
    assert seen_machine == ["bad_cond_run.scxml:1"]
    record = next(r for r in caplog.records if "error.execution" in r.getMessage())
    assert record.levelno == logging.WARNING and "bad_cond_run.scxml:1" in record.getMessage()
    assert sm.configuration == {"a"}  # still running: the condition is false


def test_an_on_error_callback_that_fails_does_not_stop_the_session():
    with pytest.warns(scxmlc.CompileWarning):
        module = scxmlc.load_string(BAD_COND, module_name="bad_cond_cb")

    def broken(machine, event):
        raise RuntimeError("callback bug")

    sm = module.Chart(clock=SimulatedClock(), on_error=broken)
    sm.start()
    sm.send("go")
    assert sm.running and sm.configuration == {"a"}


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "scxmlc", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_compile_to_a_path_that_cannot_be_written_is_a_plain_error(tmp_path):
    chart = tmp_path / "ok.scxml"
    chart.write_text(BAD_COND.replace('cond="1 +" ', ""))
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    r = run_cli("compile", str(chart), "-o", str(blocker / "sub" / "x.py"))
    assert r.returncode == 1, r
    assert "error: cannot write the module" in r.stderr and "Traceback" not in r.stderr and "internal error" not in r.stderr


def test_check_strict_turns_warnings_into_errors(tmp_path):
    chart = tmp_path / "bad.scxml"
    chart.write_text(BAD_COND)
    r = run_cli("check", str(chart))
    assert r.returncode == 0 and "warning: ECMAScript" in r.stderr
    r = run_cli("check", "--strict", str(chart))
    assert r.returncode == 1 and "error: ECMAScript" in r.stderr and "warning:" not in r.stderr
