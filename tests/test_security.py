"""Untrusted documents: nothing in a chart's names, ids, labels or file name becomes Python code,
and the parser neither expands entities nor touches the network."""

from __future__ import annotations

import builtins

import pytest

import scxmlc
from scxmlc_runtime import SimulatedClock

PAYLOAD = 'x"""\'\'\'\n\r\\ ; __import__("builtins").PWNED = 1 #'


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace("\n", "&#10;").replace("\r", "&#13;")
    )


@pytest.mark.parametrize(
    "chart",
    [
        # the chart name ends up in the class docstring and the `name` attribute
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" name="{p}"><final id="f"/></scxml>',
        # data ids end up in dict keys, function names and comments
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><datamodel><data id="{p}" expr="1"/>'
        '</datamodel><final id="f"/></scxml>',
        # labels, event names, send targets and ids are string literals
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><state id="a"><onentry>'
        '<log label="{p}" expr="1"/><raise event="{p}"/><send event="{p}" id="{p}" target="{p}"/>'
        '<cancel sendid="{p}"/></onentry><transition event="{p}" target="f"/></state><final id="f"/></scxml>',
        # ECMAScript strings and property names stay JavaScript data
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><datamodel><data id="o" expr="({{}})"/>'
        '</datamodel><state id="a"><onentry><assign location="o[\'{p}\']" expr="\'{p}\'"/>'
        "<script>o.__class__ = 1; var s = o['__proto__']; o.constructor.constructor('return 1');</script>"
        '</onentry></state></scxml>',
    ],
)
def test_names_and_strings_never_become_code(chart, tmp_path):
    text = chart.format(p=_escape(PAYLOAD))
    path = tmp_path / 'evil"""\n.scxml'.replace("\n", "_")
    path.write_text(text)
    result = scxmlc.compile_path(path)
    module = scxmlc.load_source(result.source, "evil_chart", str(path))
    sm = module.Chart(clock=SimulatedClock(), log=lambda label, text: None)
    sm.start()
    sm.run_until_idle(max_seconds=5)
    assert not hasattr(builtins, "PWNED")
    assert "\n__import__" not in result.source


def test_external_entities_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    chart = tmp_path / "xxe.scxml"
    chart.write_text(
        f'<?xml version="1.0"?><!DOCTYPE scxml [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><state id="a">'
        "<onentry><log expr=\"'&x;'\"/></onentry></state></scxml>"
    )
    with pytest.raises(scxmlc.CompileError) as info:
        scxmlc.compile_path(chart)
    assert "TOP-SECRET" not in str(info.value)
    assert any("entity" in d.message for d in info.value.diagnostics)
