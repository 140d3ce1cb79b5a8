"""The pytest plugin (scxmlc/pytest_plugin.py), as a project that installs scxmlc uses it: test
projects run by `pytester` with the plugin loaded by its `pytest11` entry point."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parent.parent
DOOR = REPO / "examples" / "door.scxml"
ORS = REPO / "examples" / "ors"

FAULTY = """\
<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="faulty" initial="idle">
  <datamodel><data id="n" expr="0"/></datamodel>
  <state id="idle">
    <transition event="go" target="busy">
      <assign location="n" expr="nosuchvariable.x"/>
    </transition>
  </state>
  <state id="busy"/>
</scxml>
"""


@pytest.fixture
def project(pytester):
    shutil.copy(DOOR, pytester.path / "door.scxml")
    (pytester.path / "faulty.scxml").write_text(FAULTY, encoding="utf-8")
    return pytester


def run(pytester, *args):
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def expect_lines(result, patterns):
    """fnmatch_lines with `*` as the only wildcard (`[` is literal: the trace's times)."""
    result.stdout.fnmatch_lines([p.replace("[", "[[]") for p in patterns])


def test_the_fixture_drives_a_chart_and_checks_it(project):
    project.makepyfile(
        test_door=textwrap.dedent(
            """
            from pathlib import Path

            import pytest
            from scxmlc.pytest_plugin import assert_configuration, expect_data, expect_log, wait


            def test_open_then_autoclose(scxml_chart):
                door = scxml_chart("door.scxml")
                door.expect_configuration({"closed"})
                door.run(["open", 29])
                door.expect_configuration("open").expect_data(opened=1)
                door.run([wait(1)])                      # the 30 s timer fires
                assert_configuration(door, {"closed"})
                assert door.clock.now() == 30.0
                door.run([("open", {"by": "ann"}), ("leave",)])
                door.expect_done("gone")
                expect_data(door, {"opened": 2, "code": "1234"})
                expect_log(door, "opened 1 time", "opened 2 times", "left through the door")
                door.expect_events("open", "close", "open", "leave")
                door.expect_no_errors()
                assert door.value("opened") == 2 and door.logs[-1] == "left through the door"


            def test_lock_with_the_wrong_code(scxml_chart):
                door = scxml_chart("door.scxml")
                door.send("lock").send("unlock", {"code": "0000"})
                door.expect_active("locked").expect_log("locked", "wrong code")
                door.send("unlock", {"code": "1234"})
                door.expect_configuration({"closed"})


            def test_not_started_with_params(scxml_chart):
                door = scxml_chart(Path(__file__).parent / "door.scxml", start=False, params={"code": "9999"})  # absolute
                assert not door.started
                door.start().send("lock").send("unlock", {"code": "9999"})
                door.expect_configuration({"closed"})


            def test_error_events(scxml_chart):
                chart = scxml_chart("faulty.scxml")
                chart.send("go")
                chart.expect_configuration({"busy"}).expect_errors("error.execution")
                chart.expect_errors()
                assert chart.errors[0]["data"]["location"] == "faulty.scxml:5"


            def test_an_ambiguous_script_step_is_refused(scxml_chart):
                door = scxml_chart("door.scxml")
                with pytest.raises(TypeError, match="ambiguous"):
                    door.run(["open", ("wait", 5)])
                door.expect_configuration({"closed"})  # nothing of the script ran
            """
        )
    )
    result = run(project)
    result.assert_outcomes(passed=5)


def test_a_failing_configuration_shows_expected_actual_and_the_last_events(project):
    project.makepyfile(
        test_door=textwrap.dedent(
            """
            def test_wrong_state(scxml_chart):
                door = scxml_chart("door.scxml")
                door.run(["lock", ("unlock", {"code": "0000"}), ("unlock", {"code": "1234"}), "open"])
                door.expect_configuration({"closed"})
            """
        )
    )
    result = run(project)
    result.assert_outcomes(failed=1)
    expect_lines(
        result,
        [
            "E *AssertionError: configuration differs",
            "E *expected: closed",
            "E *actual:   open",
            "E *missing:    closed",
            "E *unexpected: open",
            "E *session * of door (running); configuration: open",
            "E *all * records:",
            "E *[    0.000] * start *",
            "E *[    0.000] * event lock (external)",
            "E *[    0.000] * transition closed -> locked on lock (line *)",
            "E *[    0.000] * log door: locked",
            'E *[    0.000] * event unlock (external) {"code":"0000"}',
            "E *[    0.000] * log door: wrong code",
            "E *[    0.000] * event open (external)",
            "E *[    0.000] * transition closed -> open on open (line *)",
            "E *[    0.000] * log door: opened 1 time",
        ]
    )
    # the assertion helpers' own frames are hidden: the test's line is the one shown
    assert "pytest_plugin.py" not in result.stdout.str()


def test_other_failures_say_what_differs(project):
    project.makepyfile(
        test_door=textwrap.dedent(
            """
            import re
            from scxmlc.pytest_plugin import expect_data


            def test_data(scxml_chart):
                door = scxml_chart("door.scxml", history=3)
                door.run(["open", "close", "open"])
                expect_data(door, opened=1, code="1234", missing=0)


            def test_log(scxml_chart):
                door = scxml_chart("door.scxml")
                door.run(["open", "leave"])
                door.expect_log(re.compile("opened [0-9]+ time"), "closed by hand")


            def test_errors(scxml_chart):
                chart = scxml_chart("faulty.scxml")
                chart.send("go")
                chart.expect_no_errors()


            def test_done(scxml_chart):
                scxml_chart("door.scxml").send("open").expect_done("gone")
            """
        )
    )
    result = run(project)
    result.assert_outcomes(failed=4)
    expect_lines(
        result,
        [
            "E *AssertionError: datamodel differs:",
            "E *opened: expected 1, got 2",
            "E *missing: expected 0, but there is no such value",
            "E *last 3 of * records:",
        ]
    )
    expect_lines(
        result,
        [
            "E *AssertionError: log line 'closed by hand' is missing (in order: [re.compile('opened [0-9]+ time'), 'closed by hand'])",
            "E *the session logged: ['opened 1 time', 'left through the door']",
        ]
    )
    expect_lines(
        result,
        [
            "E *AssertionError: expected no error events, and the session raised 1",
            "E *session * of faulty (running); configuration: busy",
            "E *error events (1):",
            "E *error.execution: ReferenceError: nosuchvariable is not defined (faulty.scxml:5)",
        ]
    )
    expect_lines(result, ["E *AssertionError: expected the session to be done in gone, and it is running"])


def test_a_session_in_a_host_of_the_test_records_without_tracing(project):
    project.makepyfile(
        test_door=textwrap.dedent(
            """
            from scxmlc_runtime import Host, SimulatedClock


            def test_in_my_host(scxml_chart):
                lines = []
                host = Host(SimulatedClock(), log=lambda sessionid, label, text: lines.append(text))
                door = scxml_chart("door.scxml", host=host)
                door.run(["open", 30, "open"])
                door.expect_log("opened 1 time", "opened 2 times")
                assert lines == ["opened 1 time", "opened 2 times"]   # the host's log still gets them
                door.expect_configuration({"closed"})
            """
        )
    )
    result = run(project)
    result.assert_outcomes(failed=1)
    expect_lines(
        result,
        [
            "E *AssertionError: configuration differs",
            "E *all 4 records (untraced: sends, log lines and error events):",
            "E *[    0.000] * send open",
            "E *[    0.000] * log door: opened 1 time",
            "E *[   30.000] * send open",
        ]
    )


def test_host_options_go_to_the_fixture_host(pytester):
    (pytester.path / "charts").mkdir()
    for name in ("parent.scxml", "ixn_attach.scxml"):
        shutil.copy(ORS / name, pytester.path / "charts" / name)
    pytester.makepyfile(
        test_ors=textwrap.dedent(
            """
            from scxmlc_runtime.ors import SimulatedInteractions, SimulatedRouting


            def test_the_call_changes_owner(scxml_chart):
                ixn = SimulatedInteractions(resources={"702"})
                parent = scxml_chart(
                    "charts/parent.scxml", interactions=ixn, routing=SimulatedRouting(),
                    documents={"http://localhost:17080/ixn_attach.scxml": "charts/ixn_attach.scxml"},
                )
                ixn.deliver(parent.sessionid, {"g_uid": "IXN-1", "category": "voice"})
                parent.run_until_idle(60)
                parent.expect_done("exit").expect_no_errors()
                parent.expect_events("interaction.added", "interaction.detach.done", "session.start.done")
                child = parent.logs[-1].removeprefix("**** New Session ID: ")
                assert "Answering call on dn = 702" in parent.session_logs(child)
            """
        )
    )
    run(pytester).assert_outcomes(passed=1)


DOOR_SCENARIO = """\
main = "door.scxml"

[[event]]
name = "open"

[[event]]
at = 10.0
name = "leave"

[[expect]]
final = "gone"
logs = ["opened 1 time", "left through the door"]
events = ["open", "leave"]
"""


def test_scenario_files_are_collected_as_tests(project):
    project.makefile(".scenario.toml", test_door=DOOR_SCENARIO)
    (project.path / "door.toml").write_text(DOOR_SCENARIO, encoding="utf-8")  # not a test's name: not collected
    result = run(project, "-v")
    result.assert_outcomes(passed=1)
    expect_lines(result, ["test_door.scenario.toml::test_door PASSED*"])


def test_a_broken_scenario_fails_with_its_own_message(project):
    project.makefile(".scenario.toml", test_wrong=DOOR_SCENARIO.replace('final = "gone"', 'final = "closed"'))
    project.makefile(".scenario.toml", test_bad=DOOR_SCENARIO.replace('name = "leave"', 'name = "leave"\nwhen = 3'))
    result = run(project)
    result.assert_outcomes(failed=2)
    expect_lines(
        result,
        [
            "*_ scenario test_bad.scenario.toml _*",
            "*test_bad.scenario.toml:9: error: [[event]] #2: unknown key 'when' (expected one of at, session, name, data)",
        ]
    )
    expect_lines(
        result,
        [
            "*_ scenario test_wrong.scenario.toml _*",
            "FAIL session main (S1) ends in closed",
            "PASS session main (S1) logs ['opened 1 time', 'left through the door']",
            "PASS session main (S1) events ['open', 'leave']",
            "FAIL: 2 of 3 expectations hold (*test_wrong.scenario.toml)",
            "  session main (S1) ends in closed: it ends in gone",
            "*- Captured stdout call -*",
            "[    0.000] S1 start *",
            "[   10.000] S1 event leave (external)",
        ]
    )


def test_the_scenario_glob_is_configurable(pytester):
    for name in ("parent.scxml", "ixn_attach.scxml", "ownership.toml", "detach_rejected.toml"):
        shutil.copy(ORS / name, pytester.path / name)
    run(pytester).assert_outcomes()  # the default glob: none of them
    pytester.makeini("[pytest]\nscxmlc_scenarios = ownership.toml detach_*.toml\n")
    result = run(pytester, "-v")
    result.assert_outcomes(passed=2)
    expect_lines(result, ["*detach_rejected.toml::detach_rejected PASSED*", "*ownership.toml::ownership PASSED*"])
    pytester.makeini("[pytest]\nscxmlc_scenarios =\n")
    run(pytester).assert_outcomes()


def test_the_plugin_loads_nothing_of_the_compiler_until_used(project):
    project.makepyfile(
        test_lazy=textwrap.dedent(
            """
            import sys

            HEAVY = ("scxmlc.api", "scxmlc_runtime", "lxml", "jinja2", "esprima", "black")


            def test_a_test_that_does_not_use_it():
                assert "scxmlc.pytest_plugin" in sys.modules
                loaded = [m for m in sys.modules if m in HEAVY]
                assert not loaded, loaded


            def test_one_that_does(scxml_chart):
                scxml_chart("door.scxml").send("open").expect_configuration({"open"})
            """
        )
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_failure_through_generated_code_names_the_scxml_lines(project):
    project.makepyfile(
        test_through=textwrap.dedent(
            """
            import scxmlc

            def test_calls_generated_code_wrongly():
                module = scxmlc.load("door.scxml")
                module._locked_t1_cond(None)  # (no session: fails inside the generated condition)
            """
        )
    )
    result = run(project)
    result.assert_outcomes(failed=1)
    expect_lines(result, ["*in <transition cond> at door.scxml:17 (_locked_t1_cond, line * of the generated module)"])
