"""The reference mode (runtime/reference.py, scxmlc's speculate=False) against the fast one: the same traces on the benchmark charts and the W3C suite (configurations, datamodel, log lines, error events), and the algorithm tests passing in it too (issue 14)."""

from __future__ import annotations

import itertools
import json
import random
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


def run(path: Path, fast: bool, events=(), vars_=None, name: str = "", keep: list | None = None) -> list:
    """The trace of a session given `events`; `keep` gets its chart's tables."""
    module = scxmlc.load(path, module_name=f"refmode_{name}_{'fast' if fast else 'plain'}", speculate=fast)
    if keep is not None:
        keep.append(module.Chart.tables)
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


def _payload_zoo(rng) -> object:
    """Event data of every kind a handler's guesses meet: the shapes they expect, and numbers
    held as strings, booleans, NaN, tuples, dict subclasses, missing keys, none. (All of it data
    `to_js` converts: where it cannot, an int past the doubles say, the error is the first
    converting code's, and that is not the same code in both modes: docs/architecture.md.)"""
    from collections import OrderedDict

    number = rng.choice([1, 6, 2.5, -4, 0, 2**60, True, "3", None, float("nan"), float("inf"), [2]])
    fields = {
        "n": number,
        "s": rng.choice(["ab", "skip", 5, None, ""]),
        "arr": rng.choice([[0, 1, 2], (4, 5, 6), [], [1], ["a", "b"], {"0": 1}, [1, [2], 3]]),
        "o": rng.choice([{"k": 1}, {"k": "2"}, {}, None, [1], {"k": 2.5}]),
    }
    for key in list(fields):
        if rng.random() < 0.1:
            del fields[key]
    shape = rng.random()
    if shape < 0.05:
        return rng.choice([None, [1, 2], "text", 5])
    if shape < 0.1:
        return OrderedDict(fields)
    return fields


def test_handlers_give_the_reference_modes_results_on_any_event_data():
    # datamodel.scxml's one state is all handler (lowering.lower_handlers): every payload either
    # takes it, or fails its guess and goes the full way; both must end as the plain algorithm.
    rng = random.Random(14)
    events = [("d", _payload_zoo(rng)) for _ in range(400)]
    path = BENCH / "charts" / "datamodel.scxml"
    tables: list = []
    fast = run(path, True, events, ["count", "wraps", "total", "acc", "tag"], "zoo", keep=tables)
    plain = run(path, False, events, ["count", "wraps", "total", "acc", "tag"], "zoo")
    assert fast == plain
    assert tables[0].states[1].handlers, "the chart's state should have a handler"


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


def _regions_chart(tmp_path: Path, regions: int) -> Path:
    """A <parallel> of `regions` rings of 4 states (4**regions configurations), with a counter
    so that guarded plans are made too."""
    parts = []
    for r in range(regions):
        states = "".join(
            f'<state id="r{r}s{k}"><transition event="e{r}" target="r{r}s{(k + 1) % 4}"/>'
            f'<transition event="f{r}" cond="n % 2 == 0" target="r{r}s{(k + 3) % 4}"><assign location="n" expr="n + 1"/></transition>'
            f'<transition event="f{r}" target="r{r}s{(k + 2) % 4}"><assign location="n" expr="n + 3"/></transition></state>'
            for k in range(4)
        )
        parts.append(f'<state id="r{r}">{states}</state>')
    path = tmp_path / f"regions{regions}.scxml"
    path.write_text(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="p">'
        f'<datamodel><data id="n" expr="0"/></datamodel><parallel id="p">{"".join(parts)}</parallel></scxml>',
        encoding="utf-8",
    )
    return path


def test_the_plans_stop_growing_at_the_cache_limit_and_the_run_stays_exact(tmp_path, monkeypatch):
    """A chart of parallel regions has more configurations than memory: the plans of each new
    one (its id, its event plans, its guarded candidates) stop being kept at CACHE_LIMIT, as
    the other caches do, and the session goes on exactly as the reference mode runs it."""
    import random

    import scxmlc_runtime.plans as plans

    monkeypatch.setattr(plans, "CACHE_LIMIT", 40)
    rng = random.Random(7)
    events = [(f"{rng.choice('ef')}{rng.randrange(5)}", None) for _ in range(600)]
    path = _regions_chart(tmp_path, 5)
    tables = []
    fast = run(path, True, events, ["n"], "regions", keep=tables)
    assert fast == run(path, False, events, ["n"], "regions")
    tables = tables[0]
    assert len(tables.config_ids) == 40
    for cache in (tables.event_plans, tables.guarded_plans, tables.lean_plans, tables.plan_cache, tables.select_cache, tables.entry_cache):
        assert len(cache) <= 40
    assert -1 not in tables.event_plans and -1 not in tables.guarded_plans and -1 not in tables.lean_plans
