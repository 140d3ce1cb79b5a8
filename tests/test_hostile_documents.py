"""Documents past Python's own limits, and includes of odd files, are `file:line: error:` diagnostics (CompileError), never a traceback (found by a fuzzing run of 75,000 mutated documents)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import scxmlc
from scxmlc.diagnostics import CompileError
from scxmlc_runtime import SimulatedClock
from scxmlc_runtime.js import to_py

H = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'
ORS = '<scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:xi="http://www.w3.org/2001/XInclude" version="1.0" profile="ecmascript">'


def nested(open_: str, close: str, inner: str, depth: int) -> str:
    return open_ * depth + inner + close * depth


TOO_DEEP = {
    "foreach-25": H + '<state id="s"><onentry>' + nested('<foreach array="[1]" item="v">', "</foreach>", '<log expr="1"/>', 25) + "</onentry></state></scxml>",
    "if-99": H + '<state id="s"><onentry>' + nested('<if cond="true">', "</if>", '<log expr="1"/>', 99) + "</onentry></state></scxml>",
    "if-200": H + '<state id="s"><onentry>' + nested('<if cond="true">', "</if>", '<log expr="1"/>', 200) + "</onentry></state></scxml>",
    "object-200": H + '<state id="s"><onentry><log expr="' + nested("{a:", "}", "1", 200) + '"/></onentry></state></scxml>',
    "array-200": H + '<state id="s"><onentry><log expr="' + nested("[", "]", "1", 200) + '"/></onentry></state></scxml>',
    "member-60": H + '<datamodel><data id="x"/></datamodel><state id="s"><onentry><log expr="x' + ".y" * 60 + '"/></onentry></state></scxml>',
}


@pytest.mark.parametrize("text", TOO_DEEP.values(), ids=TOO_DEEP.keys())
def test_a_chart_nested_past_pythons_limits_is_an_error_of_the_chart(text):
    try:
        scxmlc.load_string(text, module_name="too_deep")
    except CompileError as exc:
        (d,) = [d for d in exc.diagnostics if d.severity == "error"]
        assert "nests too deeply for Python" in d.message and d.location.line == 1
    else:  # (an expression the ECMAScript compiler itself finds too deep: it fails when run)
        assert "member" in text or "{a:" in text or "[[" in text


def test_the_command_line_says_so_with_a_location_and_exit_code_1(tmp_path):
    path = tmp_path / "deep.scxml"
    path.write_text(TOO_DEEP["foreach-25"])
    out = subprocess.run([sys.executable, "-m", "scxmlc", "check", str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and f"{path}:1:1: error: the chart nests too deeply for Python" in out.stderr, out.stderr
    assert "internal error" not in out.stderr and "Traceback" not in out.stderr


def test_a_script_with_21_loops_inside_each_other_fails_as_javascript_not_as_python():
    script = nested("while (x < 1) { ", " }", "x++;", 21)
    text = H + f'<datamodel><data id="x" expr="0"/><data id="e" expr="\'\'"/></datamodel><state id="s"><onentry><script><![CDATA[{script}]]></script></onentry>' \
        '<transition event="error.execution"><assign location="e" expr="_event.data.message"/></transition></state></scxml>'
    with pytest.warns(scxmlc.CompileWarning, match="nested too deeply"):
        module = scxmlc.load_string(text, module_name="loops_21")
    sm = module.Chart(clock=SimulatedClock()).start()
    assert "nested too deeply" in to_py(sm.datamodel["e"]) and sm.datamodel["x"] == 0.0
    # and through eval, at run time: a JavaScript SyntaxError a script may catch
    text = H + f'<datamodel><data id="x" expr="0"/><data id="r"/></datamodel><state id="s"><onentry><script><![CDATA[' \
        f'try {{ eval("{script}"); r = "ran"; }} catch (e) {{ r = e.name; }}]]></script></onentry></state></scxml>'
    sm = scxmlc.load_string(text, module_name="loops_21_eval").Chart(clock=SimulatedClock()).start()
    assert sm.datamodel["r"] == "SyntaxError" and sm.datamodel["x"] == 0.0


def test_an_inline_child_without_states_is_an_error_of_the_child():
    with pytest.raises(CompileError, match="must contain at least one <state>"):
        scxmlc.load_string(H + '<state id="s"><invoke><content><scxml/></content></invoke></state></scxml>', module_name="empty_child")


def test_an_inline_child_that_invokes_its_parents_file_is_compiled_when_invoked(tmp_path):
    path = tmp_path / "parent.scxml"
    path.write_text(H + '<state id="s"><invoke><content><scxml version="1.0"><state id="c"><invoke src="file:parent.scxml"/></state></scxml></content></invoke></state></scxml>')
    with pytest.warns(scxmlc.CompileWarning, match="invokes a document that invokes this one"):
        scxmlc.load(path)


def test_includes_of_odd_files_are_errors_or_warnings_at_the_include(tmp_path):
    (tmp_path / "binary.js").write_bytes(bytes(range(256)))
    (tmp_path / "plain.js").write_text("var a = 1;")
    cases = {
        '<xi:include href="binary.js" parse="text"/>': ("error", "holds characters an XML document cannot"),
        '<xi:include href="plain.js" parse="text" encoding="punycode"/>': ("warning", "is not valid punycode"),
        '<xi:include href="plain.js" parse="text" encoding="rot13"/>': ("warning", "is not valid rot13"),
        f'<xi:include href="{"a" * 300}.js" parse="text"/>': ("error", "include not found"),
    }
    for include, (severity, message) in cases.items():
        path = tmp_path / "inc.scxml"
        path.write_text(ORS + f"<script>{include}</script><state id=\"s\"/></scxml>")
        try:
            result = scxmlc.compile_path(path)
            diagnostics = result.diagnostics
        except CompileError as exc:
            diagnostics = exc.diagnostics
        assert any(d.severity == severity and message in d.message and d.location.line == 1 for d in diagnostics), (include, diagnostics)


def test_nested_function_declarations_are_each_compiled_once():
    # Each level made its inner declarations twice (hoisted, then again with the body): 2^n
    # functions in the module, and a 360-byte chart of 15 levels took two minutes to compile.
    depth = 15
    script = "".join(f"function f{i}() {{ " for i in range(depth)) + "return 1; " + "} " * depth
    source = scxmlc.compile_source(H + f'<state id="s"><onentry><script>{script} f0();</script></onentry></state></scxml>').source
    assert source.count("js_function(") == depth


def test_states_with_the_same_candidates_share_their_selector_and_handler():
    # The children of `s` all inherit its conditional transitions: one selector and one
    # handler serve them all (each was compiled per child: 200 conditions x 200 children took
    # 10 s to compile), and each child takes the transition its conditions choose.
    conds = "".join(f'<transition event="e" cond="n == {k}"><assign location="hit" expr="{k} + where"/></transition>' for k in range(3))
    kids = "".join(f'<state id="c{i}"><onentry><assign location="where" expr="{10 * i}"/></onentry><transition event="next" target="c{i + 1}"/></state>' for i in range(4))
    text = H + f'<datamodel><data id="n" expr="0"/><data id="hit" expr="-1"/><data id="where" expr="0"/></datamodel><state id="s">{conds}{kids}<state id="c4"/></state></scxml>'
    source = scxmlc.compile_source(text).source
    assert source.count("\ndef _c0_select_e(") == 1 and "_select_e(" not in source.replace("_c0_select_e(", "")
    assert source.count("\ndef _c0_on_e(") == 1 and "_on_e(" not in source.replace("_c0_on_e(", "")
    sm = scxmlc.load_string(text, module_name="shared_selectors").Chart(clock=SimulatedClock()).start()
    for i in range(4):
        sm.datamodel["n"] = float(i % 3)
        sm.send("e")
        assert sm.datamodel["hit"] == i % 3 + 10 * i, i
        sm.send("next")


def test_a_switch_of_a_thousand_cases_compiles_and_picks_its_case():
    # The case choice was a chain of nested ifs, a thousand levels deep for Python.
    cases = "".join(f"<![CDATA[ case {i}: r = {i} * 2; break;]]>" for i in range(1000))
    text = H + f'<datamodel><data id="x" expr="737"/><data id="r"/></datamodel><state id="s"><onentry><script>switch (x) {{{cases} default: r = -1; }}</script></onentry></state></scxml>'
    sm = scxmlc.load_string(text, module_name="switch_1000").Chart(clock=SimulatedClock()).start()
    assert sm.datamodel["r"] == 1474.0


@pytest.mark.parametrize(
    "body, legal",
    [
        ('<state id="a"><transition event="go" target="b c"/></state><state id="b"/><state id="c"/>', False),
        ('<state id="a"><transition event="go" target="x1 x2"/></state><state id="x"><state id="x1"/><state id="x2"/></state>', False),
        ('<state id="a"><transition event="go" target="r1 r2"/></state><parallel id="p"><state id="r1"/><state id="r2"/></parallel>', True),
        ('<state id="a"><transition event="go" target="y1 r2"/></state><parallel id="p"><state id="r1"><state id="y1"/></state><state id="r2"/></parallel>', True),
    ],
    ids=["siblings", "children-of-a-state", "regions", "inside-regions"],
)
def test_targets_that_cannot_be_active_together_are_an_error(body, legal):
    # SCXML 3.11: the algorithm does not check (Appendix D enters them all): two children of a
    # <state> ended up active together, an illegal configuration.
    text = H + body + "</scxml>"
    if legal:
        sm = scxmlc.load_string(text, module_name="targets_ok").Chart(clock=SimulatedClock()).start()
        sm.send("go")
        assert len(sm.configuration) >= 3
    else:
        with pytest.raises(CompileError, match="cannot be active together"):
            scxmlc.load_string(text, module_name="targets_bad")
        with pytest.raises(CompileError, match="cannot be active together"):
            scxmlc.load_string(text.replace('version="1.0"', 'version="1.0" initial="' + body.split('target="')[1].split('"')[0] + '"'), module_name="initial_bad")


def test_an_include_in_a_w3c_document_is_an_error(tmp_path):
    # ors-dialect.md §10: composition is the ORS dialect's; it was a warning, and the included
    # code was silently left out of the chart.
    (tmp_path / "lib.js").write_text("var fromLib = 1;")
    path = tmp_path / "w3c.scxml"
    path.write_text('<scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:xi="http://www.w3.org/2001/XInclude" version="1.0" datamodel="ecmascript">'
                    '<script><xi:include href="lib.js" parse="text"/></script><state id="s"/></scxml>')  # fmt: skip
    with pytest.raises(CompileError, match=r"<xi:include> is part of the ORS dialect.*--dialect ors"):
        scxmlc.compile_path(path)
    sm = scxmlc.load(path, dialect="ors").Chart(clock=SimulatedClock()).start()
    assert sm.datamodel["fromLib"] == 1.0


@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["cr", "crlf"])
def test_diagnostics_count_lines_ended_by_cr_too(tmp_path, newline):
    # XML ends lines with CR LF or a lone CR (XML 1.0 2.11); the parser counts LF only, and a
    # file with CR line ends reported everything on line 1.
    path = tmp_path / "cr.scxml"
    path.write_bytes(newline.join(['<?xml version="1.0"?>', H, '<state id="s">', '<transition target="nope"/>', "</state></scxml>"]).encode())
    with pytest.raises(CompileError) as caught:
        scxmlc.compile_path(path)
    (d,) = caught.value.diagnostics
    assert (d.location.line, d.location.column) == (4, 1) and "'nope' does not exist" in d.message
