"""The ORS script environment (ors-extensions.md §10): _genesys.session, __Log, __Raise, __GetCurrentStates, uneval, <log level>, and the host's log."""

from __future__ import annotations

import logging

import pytest

import scxmlc
from scxmlc_runtime import Host, SimulatedClock
from scxmlc_runtime.js import to_py
from scxmlc_runtime.ors import Genesys

from .conftest import load, ors


def run(make_host, body, data="", **host_kwargs):
    host = make_host(**host_kwargs)
    sm = host.start(load(ors(body, data=data)).Chart)
    host.run_until_idle(1)
    return host, sm


def test_genesys_session_tenant_server_and_lists(make_host):
    body = """<state id="s"><onentry><script>
        out.push(_genesys.session.tenant);
        _genesys.session.setTenant('Other');
        out.push(_genesys.session.tenant);
        out.push(_genesys.session.server.name);
        out.push(_genesys.session.getListItemValue('Routing', 'Sales').vq);
        out.push(JSON.stringify(_genesys.session.getListItemValue('Routing', 'Nope')));
        out.push(_genesys.session.getListItemValue('Routing', 'Sales', 'vq'));
        out.push(_genesys.session.getListItemValue('Routing', 'Sales', 'nope'));
        try { _genesys.session.getListItemValue('NoList', 'Sales'); } catch (e) { out.push(e.name); }
        out.push(_genesys.session.tenantid);
    </script></onentry></state>"""
    genesys = Genesys(tenant="Resources", tenantid=101, server={"name": "ORS_1", "cluster": "C1"}, lists={"Routing": {"Sales": {"vq": "VQ_Sales"}}})
    _, sm = run(make_host, body, '<data id="out" expr="[]"/>', services=[genesys])
    assert to_py(sm.datamodel["out"]) == ["Resources", "Other", "ORS_1", "VQ_Sales", "{}", "VQ_Sales", "", "Error", 101]


def test_tenants_are_per_session(make_host):
    body = """<state id="s"><onentry><script>_genesys.session.setTenant(_sessionid)</script>
        <assign location="t" expr="_genesys.session.tenant"/></onentry></state>"""
    host = make_host()
    chart = load(ors(body, data='<data id="t"/>'))
    a, b = host.start(chart.Chart), host.start(chart.Chart)
    assert (a.datamodel["t"], b.datamodel["t"]) == (a.sessionid, b.sessionid)


def test_log_raise_and_current_states(make_host, logs):
    body = """<parallel id="par">
        <state id="one"><onentry><script>
          __Log('plain');
          __Log('labelled', 'L', 2);
          __Log({a: 1}); __Log([1, [2, 3]]); __Log({toString: function () { return 'mine'; }});
          __Raise('custom.event', {k: 1});
        </script></onentry>
          <transition event="custom.event"><assign location="got" expr="_event"/>
            <assign location="states" expr="__GetCurrentStates()"/></transition></state>
        <state id="two"><state id="two_a"/></state>
      </parallel>"""
    _, sm = run(make_host, body, '<data id="states"/><data id="got"/>', log=logs)
    # (__Log converts its message with ToString, ors-dialect.md §7: no JSON as <log> shows objects)
    assert logs.lines == [("S1", None, "plain"), ("S1", "L", "labelled"), ("S1", None, "[object Object]"), ("S1", None, "1,2,3"), ("S1", None, "mine")]
    assert to_py(sm.datamodel["states"]) == ["par", "one", "two", "two_a"]
    got = to_py(sm.datamodel["got"])
    assert got["name"] == "custom.event" and got["type"] == "internal" and got["data"] == {"k": 1}


def test_uneval_of_data_lists_the_documents_variables_only(make_host, logs):
    body = """<state id="s"><onentry><script>var fromScript = 1;</script><log expr="uneval(_data)"/>
        <log expr="uneval([1, 'x', null, undefined, -0, {'a b': true}])"/><log expr="({n: 1}).toSource()"/></onentry></state>"""
    _, sm = run(make_host, body, '<data id="reqid" expr="\'\'"/><data id="n" expr="2"/>', log=logs)
    assert logs.texts() == [
        '({reqid:"", n:2, fromScript:1})',
        '[1, "x", null, (void 0), -0, {\'a b\':true}]',
        "({n:1})",
    ]


LEVELS = """<state id="s"><onentry><log expr="'r'" level="1"/><log expr="'e'" level="2"/>
    <log expr="'w'" level="3"/><log expr="'d'" level="4"/><log expr="'none'"/></onentry></state>"""


def test_log_levels_set_the_python_logging_level(make_host, caplog):
    caplog.set_level(logging.DEBUG, logger="scxmlc_runtime.log")
    run(make_host, LEVELS)
    levels = [(r.getMessage(), r.levelno) for r in caplog.records if r.name == "scxmlc_runtime.log"]
    assert levels == [("r", logging.INFO), ("e", logging.ERROR), ("w", logging.WARNING), ("d", logging.DEBUG), ("none", logging.INFO)]
    reporting = [r.getMessage() for r in caplog.records if getattr(r, "ors_reporting", False)]
    assert reporting == ["r"]  # level 1: a customer record in ORS's historical reporting


def test_log_goes_to_the_charts_logger_with_the_hosts_levels(make_host, caplog):
    caplog.set_level(logging.DEBUG, logger="scxmlc_runtime.log")
    host = make_host(log_levels="composer")
    host.start(load(ors(LEVELS, name="default.Main")).Chart)
    records = [(r.name, r.getMessage(), r.levelno) for r in caplog.records if r.name.startswith("scxmlc_runtime.log")]
    assert records[:2] == [("scxmlc_runtime.log.default.Main", "r", logging.INFO), ("scxmlc_runtime.log.default.Main", "e", logging.INFO)]
    host = make_host(log_levels={3: logging.ERROR})
    caplog.clear()
    host.start(load(ors(LEVELS, name="other")).Chart)
    assert [r.levelno for r in caplog.records if r.name == "scxmlc_runtime.log.other"][1:3] == [logging.ERROR, logging.ERROR]
    for bad in ("loud", {5: 10}):
        with pytest.raises(ValueError, match="log_levels"):
            make_host(log_levels=bad)


def test_a_machines_own_log_wins_over_the_hosts(make_host, logs):
    host = make_host(log=logs)
    own = []
    chart = load(ors("""<state id="s"><onentry><log label="L" expr="'x'"/></onentry></state>"""))
    host.start(chart.Chart, log=lambda label, text: own.append((label, text)))
    host.start(chart.Chart)
    assert own == [("L", "x")] and logs.lines == [("S2", "L", "x")]


def test_w3c_documents_do_not_get_the_ors_environment():
    sm = scxmlc.load_string(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><datamodel><data id="t"/></datamodel>'
        '<state id="s"><onentry><assign location="t" expr="typeof _genesys + typeof __Log"/></onentry></state></scxml>',
        module_name="w3c_no_ors",
    ).Chart(clock=SimulatedClock())
    sm.start()
    assert sm.datamodel["t"] == "undefinedundefined"


def test_the_scheme_less_namespace_spelling_is_the_same_module(make_host):
    text = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:s="www.genesyslab.com/modules/session" version="1.0">'
        '<datamodel><data id="r"/><data id="ev"/></datamodel><state id="a"><onentry>'
        "<s:fetch requestid=\"r\" srcexpr=\"'file:nowhere.txt'\" type=\"'text/plain'\"/></onentry>"
        '<transition event="error.session.fetch" target="b"><assign location="ev" expr="_event.data.error"/></transition>'
        '</state><final id="b"/></scxml>'
    )
    host = make_host()
    sm = host.start(load(text).Chart)
    host.run_until_idle(1)
    # (the fetch ran as the session module's: a relative URL in a document with no URL, §3.1)
    assert sm.done and sm.datamodel["ev"] == "invalidattribute" and sm.datamodel["r"] == "R1"


@pytest.mark.parametrize(
    "element",
    ['<ixn:createcall requestid="r" interactionid="\'IXN-1\'"/>', '<dialog:record requestid="r" interactionid="\'IXN-1\'"/>', '<ws:invoke/>'],
)
def test_unsupported_genesys_elements_raise_error_unsupported_element(make_host, element):
    body = f"""<state id="s"><onentry>{element}</onentry>
        <transition event="error.unsupported.element" target="f"><assign location="ev" expr="_event.data.message"/></transition></state>
        <final id="f"/>"""
    text = ors(body, data='<data id="r"/><data id="ev"/>').replace("<scxml ", '<scxml xmlns:dialog="http://www.genesyslab.com/modules/dialog" xmlns:ws="http://www.genesyslab.com/modules/ws" ')
    host = make_host()
    sm = host.start(load(text).Chart)
    host.run_until_idle(1)
    assert sm.done and "is not supported" in sm.datamodel["ev"]
