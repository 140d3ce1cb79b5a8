"""`scxmlc simulate` and scenarios: the examples, canned HTTP answers, scheduled events, failing expectations, malformed files with their lines; and tracing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scxmlc_runtime.ors.scenario import Scenario, ScenarioError

from .conftest import ors

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "ors"
SCENARIOS = sorted(p.name for p in EXAMPLES.glob("*.toml"))


def simulate(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "scxmlc", "simulate", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_there_are_the_example_and_its_four_error_branches():
    assert SCENARIOS == ["accept_unknown_dn.toml", "attach_rejected.toml", "child_missing.toml", "detach_rejected.toml", "ownership.toml"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_examples_pass(name):
    out = simulate(str(EXAMPLES / name))
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.splitlines()[-1].startswith("PASS: ")
    assert "[    0.000] S-P start Parent" in out.stdout  # the trace comes first


def test_the_python_api():
    result = Scenario.load(EXAMPLES / "ownership.toml").run()
    assert result.passed and len(result.checks) == 6
    assert result.logs("S-C")[-2] == "*** Got accept confirmation on DN = 702"
    assert result.events("S-P") == ["interaction.added", "interaction.detach.done", "interaction.deleted", "session.start.done"]
    assert list(result.sessions) == ["S-P", "S-C"]


FETCHING = ors(
    """<state id="ask"><onentry><session:fetch requestid="r" srcexpr="'http://crm.example/customer?ani=' + ani" type="'application/json'"/></onentry>
        <transition event="session.fetch.done" target="wait"><assign location="name" expr="JSON.parse(_event.data.content).name"/>
          <log expr="'customer ' + name"/></transition>
        <transition event="error.session.fetch" target="failed"><log expr="_event.data.error"/></transition></state>
      <state id="wait"><transition event="go" target="done"><log expr="'go at ' + _event.data.n"/></transition></state>
      <final id="done"/><final id="failed"/>""",
    data='<data id="r"/><data id="name"/><data id="ani" expr="\'555\'"/>',
)


def test_canned_http_answers_and_scheduled_events(tmp_path):
    (tmp_path / "f.scxml").write_text(FETCHING)
    (tmp_path / "s.toml").write_text(
        """main = "f.scxml"
[[http]]
url = "http://crm.example/customer"
body = '{"name": "Ann"}'
[[event]]
at = 30
name = "go"
data = { n = 1 }
[[expect]]
final = "done"
logs = ["customer Ann", "go at 1"]
events = ["session.fetch.done", "go"]
"""
    )
    result = Scenario.load(tmp_path / "s.toml").run()
    assert result.passed, result.failures
    (request,) = result.requests
    assert request["url"] == "http://crm.example/customer?ani=555" and request["method"] == "GET"
    assert request["headers"]["Accept"] == "application/json"
    go = next(r for r in result.records if r.kind == "event" and r.details["name"] == "go")
    assert go.time == 30.0


def test_unknown_urls_answer_404_and_nothing_leaves_the_machine(tmp_path):
    (tmp_path / "f.scxml").write_text(FETCHING)
    (tmp_path / "s.toml").write_text('main = "f.scxml"\n[[expect]]\nfinal = "failed"\nlogs = ["http.404"]\n')
    assert Scenario.load(tmp_path / "s.toml").run().passed


def test_a_failing_expectation_exits_1_and_says_what_happened(tmp_path):
    (tmp_path / "f.scxml").write_text(FETCHING)
    (tmp_path / "s.toml").write_text('main = "f.scxml"\n[[expect]]\nfinal = "done"\nlogs = ["customer Bob"]\n')
    out = simulate(str(tmp_path / "s.toml"), "--quiet")
    assert out.returncode == 1
    assert "FAIL session main" in out.stdout and "FAIL: 0 of 2 expectations hold" in out.stdout
    assert "it ends in failed" in out.stderr and "'customer Bob' is missing" in out.stderr


@pytest.mark.parametrize(
    "text,message",
    [
        ('main = "f.scxml"\n[interactions\n', "s.toml:2: error: not valid TOML:"),
        ('main = "f.scxml"\ncolour = "red"\n', "s.toml:2: error: unknown key 'colour'"),
        ('main = "f.scxml"\n\n[[interactions.fault]]\naction = "attach"\n', "s.toml:3: error: [[interactions.fault]] #1: error is required"),
        ('main = "f.scxml"\n[[event]]\nname = "a"\n[[event]]\nname = 5\n', "s.toml:5: error: [[event]] #2: name has the wrong type (int)"),
        ('main = "nope.scxml"\n', "s.toml:1: error: main: no chart"),
        ('main = "f.scxml"\n[documents]\n"http://x/y" = "nope.scxml"\n', "s.toml:3: error: documents: no chart"),
        ('max_seconds = 5\n', "s.toml: error: main is required"),
        ('main = "f.scxml"\n[[expect]]\nlogs = [1]\n', "s.toml:3: error: [[expect]] #1: logs must be a list of strings"),
    ],
)
def test_bad_scenario_files_are_reported_with_their_line(tmp_path, text, message):
    (tmp_path / "f.scxml").write_text(FETCHING)
    (tmp_path / "s.toml").write_text(text)
    out = simulate("s.toml", cwd=tmp_path)
    assert out.returncode == 1 and out.stderr.startswith(message), out.stderr
    assert "Traceback" not in out.stderr
    with pytest.raises(ScenarioError):
        Scenario.load(tmp_path / "s.toml")


def test_a_main_chart_that_does_not_compile_is_reported(tmp_path):
    (tmp_path / "bad.scxml").write_text('<scxml xmlns="http://www.w3.org/2005/07/scxml"><state id="a"><transition target="b"/></state></scxml>')
    (tmp_path / "s.toml").write_text('main = "bad.scxml"\n')
    out = simulate("s.toml", cwd=tmp_path)
    assert out.returncode == 1 and "s.toml:1: error: main:" in out.stderr and "transition target 'b' does not exist" in out.stderr


def test_scxmlc_run_trace(tmp_path):
    path = tmp_path / "t.scxml"
    path.write_text(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><state id="a"><onentry><log expr="\'hi\'"/></onentry>'
        '<transition event="go" target="b"/></state><final id="b"/></scxml>'
    )
    out = subprocess.run([sys.executable, "-m", "scxmlc", "run", str(path), "--simulated-clock", "--trace", "--event", "go"], capture_output=True, text=True)
    lines = [line.split("] ", 1)[1] for line in out.stdout.splitlines()[:-1]]
    sid = lines[0].split()[0]
    assert [line[len(sid) + 1 :] for line in lines] == [
        "start T",
        "enter a",
        "log hi",
        "queued go null",
        "event go (external)",
        "exit a",
        "transition a -> b on go (line 1)",
        "enter b",
        "exit b",
        "end (final, in b)",
    ]
