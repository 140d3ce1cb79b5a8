"""The reference mode (runtime/reference.py, scxmlc's speculate=False) against the fast one: the same traces on the benchmark charts and the W3C suite (configurations, datamodel, log lines, error events), and the algorithm tests passing in it too (issue 14)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import scxmlc
import scxmlc_runtime.actions
import scxmlc_runtime.invoke
from scxmlc_runtime import Host, SimulatedClock
from scxmlc_runtime.js import to_py
from scxmlc_runtime.reference import PlainAlgorithm

from .ors.conftest import SeqIds
from .test_w3c import ENTRIES, SUITE

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("SCXMLC_BENCH_DIR", REPO.parent / "shared" / "bench"))
SYSTEM = {"_event", "_sessionid", "_name", "_ioprocessors", "_x", "In"}


def value(v) -> str:
    """A value as comparable text (host objects, functions and documents by their kind)."""
    try:
        return json.dumps(to_py(v), sort_keys=True, default=lambda o: f"<{type(o).__name__}>")
    except Exception as exc:  # noqa: BLE001 - what cannot be converted: compared by kind
        return f"<{type(exc).__name__}>"


def datamodel(sm) -> dict:
    return {k: value(v) for k, v in sm.dm.items() if type(k) is str and k not in SYSTEM}


class Trace:
    """What a session does, as both modes must do it alike."""

    def __init__(self):
        self.steps: list = []

    def log(self, label, text):
        self.steps.append(("log", label, text))

    def error(self, machine, event):
        self.steps.append(("error", event["name"], value(event.get("data"))))

    def state(self, sm):
        self.steps.append(("state", sorted(sm.configuration), sm.done))


def run(path: Path, fast: bool, events=(), vars_=None, name: str = "") -> list:
    module = scxmlc.load(path, module_name=f"refmode_{name}_{'fast' if fast else 'plain'}", speculate=fast)
    trace = Trace()
    # the same ids in both runs (send and invoke ids count per process)
    scxmlc_runtime.actions._send_ids = itertools.count(1)
    scxmlc_runtime.invoke._invoke_ids = itertools.count(1)
    host = Host(SimulatedClock(), plans=fast, on_error=trace.error, ids=SeqIds())
    sm = module.Chart(host=host, log=trace.log)
    assert isinstance(sm, PlainAlgorithm) is (not fast)
    sm.start()
    trace.state(sm)
    for k, (event, data) in enumerate(events):
        sm.send(event, data)
        trace.state(sm)
        if k % 7 == 0 and vars_ is not None:
            trace.steps.append(("data", {v: value(sm.dm.get(v)) for v in vars_}))
    sm.run_until_idle(30)
    trace.state(sm)
    trace.steps.append(("data", datamodel(sm)))
    host.close()
    return trace.steps


WORKLOADS = json.loads((BENCH / "charts" / "workloads.json").read_text()) if (BENCH / "charts" / "workloads.json").exists() else {}
CHARTS = [c for c in ("flat", "deep", "parallel", "datamodel", "internal", "big") if c in WORKLOADS]


def test_the_benchmark_charts_are_here():
    assert len(CHARTS) == 6, f"benchmark charts not found at {BENCH}"


@pytest.mark.parametrize("chart", CHARTS)
def test_the_benchmark_charts_run_alike_in_both_modes(chart):
    wl = WORKLOADS[chart]
    payloads = wl.get("payloads")
    events = [(wl["events"][i % len(wl["events"])], payloads[i % len(payloads)] if payloads else None) for i in range(300)]
    path = BENCH / "charts" / f"{chart}.scxml"
    fast = run(path, True, events, wl.get("vars", []), chart)
    plain = run(path, False, events, wl.get("vars", []), chart)
    assert fast == plain


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_the_w3c_tests_run_alike_in_both_modes(entry):
    path = SUITE / entry["file"]
    fast = run(path, True, name=f"w3c{entry['id']}")
    plain = run(path, False, name=f"w3c{entry['id']}")
    assert fast == plain
    assert fast[-2] == ("state", ["pass"], True), fast[-2]  # (and the test passes)


def test_the_algorithm_and_ecmascript_tests_pass_in_the_reference_mode():
    """CI runs them both ways: here, under SCXMLC_REFERENCE=1 (the tests of a plan or fast path
    are skipped there, each saying why: conftest.py), with the snapshot tests (a session in the
    reference mode is stored under its chart's name)."""
    env = dict(os.environ, SCXMLC_REFERENCE="1")
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore", "tests/test_algorithm.py", "tests/ecmascript/test_differential.py", "tests/test_limits.py", "tests/test_budget.py", "tests/test_snapshot.py"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert " passed" in r.stdout and " failed" not in r.stdout
