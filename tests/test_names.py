"""Every valid SCXML id, chart name and event name compiles to a module that imports and runs: generated Python names can neither be mangled nor collide with what the module imports."""

from __future__ import annotations

import ast
import keyword

import pytest

import scxmlc
from scxmlc_runtime import SimulatedClock

HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="{name}" binding="late">'


def chart(name: str) -> str:
    attr = name.replace("&", "&amp;").replace('"', "&quot;")
    return (
        HEAD.format(name=attr)
        + '<datamodel><data id="n" expr="0"/></datamodel>'
        + f'<state id="{attr}"><datamodel><data id="local" expr="[1, 2]"/></datamodel>'
        + '<onentry><script>function f(x) { return x + local.length } n = f(n)</script></onentry>'
        + f'<invoke id="{attr}.i"><content><scxml version="1.0" datamodel="ecmascript" name="{attr}"><state id="{attr}"/></scxml></content></invoke>'
        + f'<history id="{attr}.h"><transition target="{attr}.c"/></history><state id="{attr}.c"/>'
        + f'<transition event="{attr}" cond="In(\'{attr}\')" target="{attr}.end"/></state>'
        + f'<final id="{attr}.end"><donedata><param name="n" expr="n"/></donedata></final></scxml>'
    )


def imported_names() -> list[str]:
    source = scxmlc.compile_source(chart("base")).source
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
    return sorted(names)


NAMES = sorted(
    {"_x", "_idle", "__init__", "__class__", "__x", "é", "x-y.z", "Machine", "JSFunction", "Chart", "chart", "_sm", "self", "None", "True"}
    | set(keyword.kwlist)
    | set(imported_names())
    # every name a generated module may import (a module imports the state kinds it uses)
    | {"ROOT", "ATOMIC", "COMPOUND", "PARALLEL", "FINAL", "SHALLOW_HISTORY", "DEEP_HISTORY", "InvokeDef", "StateDef", "TransitionDef"}
)


def test_the_names_cover_every_import_of_a_generated_module():
    assert {"Machine", "StateDef", "JSFunction", "UNDEFINED"} <= set(imported_names()) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_chart_whose_name_ids_and_events_are(name):
    module = scxmlc.load_string(chart(name), module_name=f"names_{abs(hash(name))}")
    sm = module.Chart(clock=SimulatedClock())
    sm.start()
    sm.run_until_idle(1)
    assert sm.datamodel["n"] == 2.0  # its function ran, and saw its state's data
    assert name in sm.configuration and f"{name}.c" in sm.configuration
    sm.send(name)
    assert sm.done and sm.final_state == f"{name}.end"


def test_a_parent_and_its_children_have_functions_of_their_own():
    # Both a parent and an inline child with a top-level <script> made `_scxml_script`, and the
    # child's definition came second in the module: the parent ran the child's script.
    kid = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="c">'
        "<script>var kv = 'kid';</script>"
        "<state id=\"c\"><onentry><log label=\"kid\" expr=\"typeof kv + ' ' + typeof pv\"/></onentry></state></scxml>"
    )
    text = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="s">'
        "<script>var pv = 'parent';</script>"
        f'<state id="s"><onentry><log label="parent" expr="typeof pv + \' \' + typeof kv"/></onentry><invoke id="k"><content>{kid}</content></invoke></state></scxml>'
    )
    logs = []
    sm = scxmlc.load_string(text, module_name="own_scripts").Chart(clock=SimulatedClock(), log=lambda label, t: logs.append((label, t))).start()
    sm.run_until_idle()
    assert logs == [("parent", "string undefined"), ("kid", "string undefined")]
    names = [n.name for n in ast.parse(scxmlc.compile_source(text, "own_scripts.scxml").source).body if isinstance(n, ast.FunctionDef)]
    assert len(names) == len(set(names))
