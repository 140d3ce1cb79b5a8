"""The `_genesys` objects and double-underscore helpers that Composer output uses (ors-dialect.md §6, §7), with the data a Host gives them."""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys

import pytest

from scxmlc_runtime import SimulatedClock
from scxmlc_runtime.js import to_py
from scxmlc_runtime.ors import Genesys, SimulatedInteractions

from .conftest import load, ors

# 2026-12-06 23:30:00 UTC is a Sunday; in Paris it is already Monday 00:30
EPOCH = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.timezone.utc).timestamp()


def evaluate(make_host, script: str, *, genesys: Genesys | None = None, interactions=None, **kwargs):
    """Run `script` in a session and return its `out` array."""
    body = f'<state id="s"><transition event="go"><script>{script}</script></transition></state>'
    host = make_host(SimulatedClock(epoch=EPOCH), services=[genesys or Genesys()], **({"interactions": interactions} if interactions else {}), **kwargs)
    sm = host.start(load(ors(body, data='<data id="out" expr="[]"/>')).Chart)
    if interactions is not None:
        interactions.deliver(sm.sessionid, {"g_uid": "I1", "udata": {"a": 1, "b": 2}})
        interactions.deliver(sm.sessionid, {"g_uid": "I2"})
    host.run_until_idle(1)
    sm.send("go")
    host.run_until_idle(1)
    event = to_py(sm.datamodel["_event"])
    assert event["name"] in ("go", "interaction.udata.changed"), event
    return to_py(sm.datamodel["out"]), sm, host


def test_time_zones(make_host):
    genesys = Genesys(timezones={"ECT": "Europe/Paris"})
    out, _, _ = evaluate(
        make_host,
        "out.push(_genesys.session.dayInZone('ECT'), _genesys.session.timeInZone('ECT'), _genesys.session.dateInZone('ECT'));"
        "out.push(_genesys.session.dayInZone('UTC'), _genesys.session.day.Sunday, _genesys.session.day.Monday);"
        "try { _genesys.session.timeInZone('Mars'); } catch (e) { out.push(e.name); }"
        # a folder of the zone database, a name too long for a file: the same Error, no Python's
        "try { _genesys.session.timeInZone('America'); } catch (e) { out.push(e.name + ': ' + e.message.slice(0, 27)); }"
        "try { _genesys.session.dayInZone('a'.repeat(300)); } catch (e) { out.push(e.name); }",
        genesys=genesys,
    )
    assert out == [1, "00:30:00", "2026-12-07", 0, 0, 1, "Error", "Error: unknown time zone 'America'", "Error"]


def test_special_days_options_lookupseq_and_statistics(make_host, caplog):
    caplog.set_level(logging.INFO, logger="scxmlc_runtime")
    genesys = Genesys(
        special_days={"Holidays": ["2026-12-25", "2026-12-06"]},
        options={"greeting": "hello", "retries": 3},
        statistics={"ann@SS.A": {"StatAgentsAvailable": 2}},
    )
    out, _, _ = evaluate(
        make_host,
        "var s = _genesys.session;"
        "out.push(s.isSpecialDay('Holidays', '2026-12-25'), s.isSpecialDay('Holidays', '2026-12-24'), s.isSpecialDay('Holidays'));"
        "out.push(s.getConfigOption('I1', 'greeting', s.lookupseq.StartFromStrategy), s.getConfigOption('I1', 'retries'), s.getConfigOption('I1', 'nope'));"
        "out.push(s.lookupseq.StartFromStrategy, s.lookupseq.StartFromTenant);"
        "out.push(_genesys.statistic.sData('ann@SS.A', 'StatAgentsAvailable'), _genesys.statistic.sData('bob@SS.A', 'StatAgentsAvailable'));"
        "out.push(_genesys.statistic.sData('bob@SS.A', 'StatAgentsAvailable'));"
        "try { s.isSpecialDay('Nope', '2026-01-01'); } catch (e) { out.push(e.name); }"
        # a time no date of the years 1-9999 has (Python's datetime raised ValueError or OverflowError)
        "[NaN, new Date(NaN), 8.64e15, -6.3e13, Infinity, -1e308].forEach(function (d) {"
        "  try { s.isSpecialDay('Holidays', d); out.push('no error'); } catch (e) { out.push(e.name); } });"
        "out.push(s.isSpecialDay('Holidays', Date.UTC(2026, 11, 25)), s.isSpecialDay('Holidays', new Date(Date.UTC(2026, 11, 6, 12))));",
        genesys=genesys,
    )
    assert out == [True, False, True, "hello", "3", "", -1, -5, 2, 0, 0, "Error"] + ["Error"] * 6 + [True, True]
    assert len([r for r in caplog.records if "sData('bob@SS.A'" in r.getMessage()]) == 1


def test_enums(make_host):
    out, _, _ = evaluate(
        make_host,
        "out.push(_genesys.queue.rType.RouteTypeDefault, _genesys.queue.overwriteType.OverwriteAll, _genesys.queue.usecapcond.Yes,"
        " _genesys.voice.overwriteType.Dnis, _genesys.resource.resourceType.Agent, _genesys.ixn.mediaType.TMediaVoice,"
        " typeof _genesys.ixn.mediaType.TMediaTeleport, typeof _genesys.queue.rType.RouteTypeTeleport);",
    )
    assert out == ["RouteTypeDefault", "OverwriteAll", "Yes", "Dnis", "Agent", "TMediaVoice", "undefined", "undefined"]


def test_interaction_shortcuts(make_host, caplog):
    caplog.set_level(logging.WARNING, logger="scxmlc_runtime")
    ixn = SimulatedInteractions()
    out, sm, host = evaluate(
        make_host,
        "out.push(_genesys.ixn.firstixnid, _genesys.ixn.interactions[0].g_uid, _genesys.ixn.interactions[0].udata.a);"
        "_genesys.ixn.setuData({c: 3});"
        "out.push(_genesys.ixn.getuData('c'), _genesys.ixn.getuData('c', 'I1'));"
        "_genesys.ixn.deleteuData('a');"
        "out.push(Object.keys(_genesys.ixn.interactions.I1.udata).join());"
        "_genesys.ixn.deleteuData();"
        "out.push(Object.keys(_genesys.ixn.interactions.I1.udata).length);"
        "out.push(_genesys.ixn.getuData('c', 'I9'));"  # (a read: undefined, ors-dialect.md §6)
        "try { _genesys.ixn.setuData({c: 1}, 'I9'); } catch (e) { out.push(String(e)); }",
        interactions=ixn,
    )
    assert out == ["I1", "I1", 1, 3, 3, "b,c", 0, None, "TypeError: no interaction 'I9' in this session"]
    assert len([r for r in caplog.records if "[ORS-W40]" in r.getMessage()]) == 1


def test_raise_copies_its_data_and_checks_the_name(make_host):
    body = """<state id="s"><transition event="go"><script>
        var d = {n: 1, f: function () {}, when: new Date(5)};
        __Raise('custom.one', d); d.n = 2; __Raise('custom.two');
        try { __Raise('not a name'); } catch (e) { out.push(e.name); }
      </script></transition>
      <transition event="custom.*"><script>out.push(_event.name, JSON.stringify(_event.data))</script></transition></state>"""
    host = make_host()
    sm = host.start(load(ors(body, data='<data id="out" expr="[]"/>')).Chart)
    sm.send("go")
    assert to_py(sm.datamodel["out"]) == ["Error", "custom.one", '{"n":1,"when":5}', "custom.two", "{}"]


def test_document_url(make_host, tmp_path):
    (tmp_path / "d.scxml").write_text(ors('<state id="s"><onentry><log expr="__GetDocumentURL()"/></onentry></state>'))
    import scxmlc

    lines = []
    host = make_host(log=lambda s, label, t: lines.append(t))
    host.start(scxmlc.load(tmp_path / "d.scxml").Chart)
    assert lines == [(tmp_path / "d.scxml").as_uri()]


def test_the_genesys_objects_are_read_only(make_host):
    for script in ("_genesys.session = 1", "_genesys.session.tenant = 'x'", "_genesys.ixn.firstixnid = 'x'", "_genesys.queue.rType.X = 1"):
        body = f'<state id="s"><transition event="go"><script>{script}</script></transition></state>'
        sm = make_host().start(load(ors(body)).Chart)
        sm.send("go")
        assert to_py(sm.datamodel["_event"])["name"] == "error.execution", script


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_settings_from_a_file(tmp_path, suffix):
    path = tmp_path / f"ors{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps({"tenant": "T", "lists": {"L": {"I": {"k": "v"}}}, "timezones": {"ECT": "Europe/Paris"}}))
    else:
        path.write_text('tenant = "T"\n[lists.L.I]\nk = "v"\n[timezones]\nECT = "Europe/Paris"\n')
    genesys = Genesys.load(path)
    assert genesys.tenant == "T" and genesys.lists == {"L": {"I": {"k": "v"}}} and genesys.timezones["ECT"] == "Europe/Paris"
    path.write_text("[1, 2]" if suffix == ".json" else "x = 1\n[y]\n")
    with pytest.raises(ValueError, match="expected a table" if suffix == ".json" else "unknown setting 'x'"):
        Genesys.load(path)


@pytest.mark.parametrize(
    "settings,message",
    [({"tenant": 5}, "tenant must be a string"), ({"tenantid": "1"}, "tenantid must be a number"), ({"lists": []}, "lists must be a table")],
)
def test_bad_settings_say_which(settings, message):
    with pytest.raises(ValueError, match=message):
        Genesys(**settings)


LISTS = ors(
    """<state id="s"><onentry><log expr="_genesys.session.tenant + ' ' + _genesys.session.getListItemValue('L', 'I', 'k')"/></onentry>
      <transition target="f"/></state><final id="f"/>"""
)


def test_scxmlc_run_ors_config(tmp_path):
    (tmp_path / "c.scxml").write_text(LISTS)
    (tmp_path / "ors.toml").write_text('tenant = "Acme"\n[lists.L.I]\nk = "v"\n')
    run = lambda *a: subprocess.run([sys.executable, "-m", "scxmlc", "run", str(tmp_path / "c.scxml"), "--simulated-clock", *a], capture_output=True, text=True, timeout=120)  # noqa: E731
    out = run("--ors-config", str(tmp_path / "ors.toml"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "Acme v"
    (tmp_path / "bad.toml").write_text("colour = 1\n")
    for config, message in (("bad.toml", "unknown setting 'colour'"), ("missing.json", "No such file")):
        out = run("--ors-config", str(tmp_path / config))
        assert out.returncode == 2 and f"--ors-config {tmp_path / config}:" in out.stderr and message in out.stderr, out.stderr
        assert "Traceback" not in out.stderr


def test_a_scenario_sets_the_environment(tmp_path):
    from scxmlc_runtime.ors.scenario import Scenario, ScenarioError

    (tmp_path / "c.scxml").write_text(LISTS)
    (tmp_path / "s.toml").write_text('main = "c.scxml"\n[genesys]\ntenant = "Acme"\n[genesys.lists.L.I]\nk = "v"\n[[expect]]\nlogs = ["Acme v"]\n')
    assert Scenario.load(tmp_path / "s.toml").run().passed
    (tmp_path / "s.toml").write_text('main = "c.scxml"\n[genesys]\ntenant = 1\n')
    with pytest.raises(ScenarioError, match="s.toml:3: error: genesys: tenant has the wrong type"):
        Scenario.load(tmp_path / "s.toml")


def test_what_the_sessions_of_a_host_share_no_session_can_change(make_host):
    """The constants and functions of `_genesys.session` are one set per host: a session writing to
    them changes nothing for another."""
    genesys = Genesys(server={"name": "ors1"})
    host = make_host(services=[genesys])
    body = """<state id="s"><transition event="go"><script>
        var s = _genesys.session;
        try { s.day.Monday = 9; } catch (e) { out.push(e.name); }
        try { s.lookupseq.StartFromStrategy = 0; } catch (e) { out.push(e.name); }
        try { s.server.name = 'evil'; } catch (e) { out.push(e.name); }
        try { s.getListItemValue.extra = 1; } catch (e) { out.push(e.name); }
        s.setTenant('Other');
        out.push(s.day.Monday, s.lookupseq.StartFromStrategy, s.server.name, typeof s.getListItemValue.extra, s.tenant);
      </script></transition></state>"""
    chart = load(ors(body, data='<data id="out" expr="[]"/>')).Chart
    first, second = host.start(chart), host.start(chart)
    first.send("go")
    second.send("go")
    assert to_py(first.datamodel["out"]) == ["TypeError"] * 4 + [1, -1, "ors1", "undefined", "Other"]
    assert to_py(second.datamodel["out"]) == to_py(first.datamodel["out"])
