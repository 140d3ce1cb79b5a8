"""Compile-time checks of extension actions (ors-extensions.md §12), each reported as file:line: error|warning: with the element's line."""

from __future__ import annotations

import pytest

import scxmlc
from scxmlc import CompileError

from .conftest import NAMESPACES as _NS

NAMESPACES = _NS + ' xmlns:dialog="http://www.genesyslab.com/modules/dialog" xmlns:ws="http://www.genesyslab.com/modules/ws" xmlns:classification="http://www.genesyslab.com/modules/classification"'


def diagnostics(body: str) -> list[str]:
    """Every diagnostic of a document whose line 3 holds `body` (inside <onentry>)."""
    text = f'<scxml {NAMESPACES} version="1.0">\n<datamodel><data id="r"/></datamodel><state id="s"><onentry>\n{body}\n</onentry></state></scxml>'
    try:
        result = scxmlc.compile_source(text, "doc.scxml")
    except CompileError as exc:
        return [str(d) for d in exc.diagnostics]
    return [str(d) for d in result.diagnostics]


@pytest.mark.parametrize(
    "body,message",
    [
        ("<session:fetch/>", "doc.scxml:3:1: error: <session:fetch> requires the attribute 'srcexpr'"),
        ("<session:start src=\"'x'\"/>", "doc.scxml:3:1: error: <session:start> requires the attribute 'sessionid'"),
        ('<session:start sessionid="r"/>', "doc.scxml:3:1: error: <session:start> requires the attribute 'src'"),
        ("<session:updatestart/>", "doc.scxml:3:1: error: <session:updatestart> requires the attribute 'sessionid'"),
        ("<session:terminate/>", "doc.scxml:3:1: error: <session:terminate> requires the attribute 'sessionid'"),
        ("<session:cancel/>", "doc.scxml:3:1: error: <session:cancel> requires the attribute 'requestid'"),
        (
            "<session:fetch srcexpr=\"'u'\"><param name=\"a\" expr=\"1\"/><content>x</content></session:fetch>",
            "doc.scxml:3:1: error: <session:fetch> must not have both <param> and <content> (§3.2)",
        ),
        (
            "<session:fetch srcexpr=\"'u'\"><content>x</content>\n<content>y</content></session:fetch>",
            "doc.scxml:4:1: error: <session:fetch> may have only one <content>",
        ),
        (
            "<session:start sessionid=\"r\" src=\"'u'\"><content>x</content></session:start>",
            "doc.scxml:3:40: error: <content> is not allowed in <session:start>",
        ),
        ('<session:terminate sessionid="r"><param name="a" expr="1"/></session:terminate>', "doc.scxml:3:34: error: <param> is not allowed in <session:terminate>"),
        ('<session:cancel requestid="r"><log expr="1"/></session:cancel>', "doc.scxml:3:31: error: <log> is not allowed in <session:cancel>"),
        (
            "<session:fetch requestid=\"f()\" srcexpr=\"'u'\"/>",
            "doc.scxml:3:1: error: <session:fetch> requestid='f()' is not a location that can be assigned: Invalid left-hand side in assignment",
        ),
        (
            "<session:fetch srcexpr=\"'u'\" method=\"'patch'\"/>",
            "doc.scxml:3:1: error: <session:fetch> method must be one of get, post, put, delete, esp, not 'patch'",
        ),
        (
            "<session:fetch srcexpr=\"'u'\" type=\"'text/html'\"/>",
            "doc.scxml:3:1: error: <session:fetch> type must be one of application/json, application/xml, text/plain, not 'text/html'",
        ),
        (
            "<session:fetch srcexpr=\"'u'\" enctype=\"'text/plain'\"/>",
            "doc.scxml:3:1: error: <session:fetch> enctype must be one of application/x-www-form-urlencoded, application/json, not 'text/plain'",
        ),
        ("<session:frobnicate/>", "doc.scxml:3:1: error: unknown element <session:frobnicate> (module 'session', namespace http://www.genesyslab.com/modules/session)"),
    ],
)
def test_errors(body, message):
    assert message in diagnostics(body)


@pytest.mark.parametrize(
    "body,message",
    [
        (
            "<session:fetch srcexpr=\"'u'\" enctype=\"'application/json'\"/>",
            "doc.scxml:3:1: warning: <session:fetch>: GET cannot send JSON; the request is URL-encoded instead (enctype is ignored)",
        ),
        (
            "<session:fetch srcexpr=\"'u'\" method=\"'DELETE'\" enctype=\"'application/json'\"/>",
            "doc.scxml:3:1: warning: <session:fetch>: DELETE cannot send JSON; the request is URL-encoded instead (enctype is ignored)",
        ),
        (
            "<session:fetch srcexpr=\"'A\\\\S\\\\M'\" method=\"'esp'\" type=\"'text/plain'\" maxage=\"1\"/>",
            "doc.scxml:3:1: warning: <session:fetch>: an ESP fetch ignores type, maxage",
        ),
        (
            "<session:start sessionid=\"r\" src=\"'u'\" idealtime=\"1\" delay=\"2\"/>",
            "doc.scxml:3:1: warning: <session:start> has both 'idealtime' and 'delay': delay is ignored",
        ),
        ("<session:fetch srcexpr=\"'u'\" colour=\"'red'\"/>", "doc.scxml:3:1: warning: unknown attribute 'colour' on <session:fetch> is ignored"),
        (
            '<dialog:record requestid="r"/>',
            "doc.scxml:3:1: warning: <dialog:record> is not supported; it raises error.unsupported.element when run",
        ),
        (
            "<dialog:play requestid=\"r\"><dialog:prompts type=\"'ann'\"><dialog:prompt text=\"'hi'\"/></dialog:prompts></dialog:play>",
            "doc.scxml:3:28: warning: <prompts type=\"'ann'\">: the value is literal text; the quotes are removed [ORS-W41]",
        ),
        (
            '<ixn:createcall requestid="r"/>',
            "doc.scxml:3:1: warning: <ixn:createcall> is not supported; it raises error.unsupported.element when run",
        ),
        (
            '<ws:invoke requestid="r"/>',
            "doc.scxml:3:1: warning: <ws:invoke> is not supported; it raises error.unsupported.element when run",
        ),
        (
            '<classification:classify requestid="r"/>',
            "doc.scxml:3:1: warning: element <classify> of namespace http://www.genesyslab.com/modules/classification is not supported yet; it raises error.unsupported.element when run",
        ),
        (
            "<session:fetch srcexpr=\"'u'\"><param name=\"'quoted'\" expr=\"1\"/></session:fetch>",
            "doc.scxml:3:30: warning: <param name=\"'quoted'\">: the name is literal text; the quotes are removed",
        ),
        (
            "<session:fetch srcexpr=\"'u'\" method=\"'post'\"><content expr=\"1\"/></session:fetch>",
            "doc.scxml:3:46: warning: <content expr> of a module action is spelled _expr; expr is accepted",
        ),
        ('<log expr="1" level="9"/>', "doc.scxml:3:1: warning: <log level> must be 1, 2, 3 or 4, not '9'; it is ignored [ORS-W27]"),
    ],
)
def test_warnings_compile(body, message):
    found = diagnostics(body)
    assert message in found
    assert not [d for d in found if ": error: " in d]


def test_every_problem_is_reported_at_once():
    found = diagnostics("<session:fetch/>\n<session:start/>\n<session:cancel requestid=\"r\" x=\"1\"/>")
    assert len([d for d in found if ": error: " in d]) == 3
    assert any(d.startswith("doc.scxml:5:1: warning: unknown attribute 'x'") for d in found)


def test_a_bare_ampersand_in_an_attribute_says_how_to_fix_it():
    text = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0">\n<state id="a">\n'
        '<transition event="e" cond="_event.data.a == 1 && _event.data.b == 2" target="a"/>\n</state></scxml>'
    )
    with pytest.raises(CompileError) as info:
        scxmlc.compile_source(text, "copied.scxml")
    (message,) = [str(d) for d in info.value.diagnostics]
    assert message.startswith("copied.scxml:3:49: error: XML syntax error:")
    assert message.endswith("(a bare '&' is not allowed in XML: write && as &amp;&amp; inside an attribute)")


def test_log_level_is_an_ors_attribute():
    text = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><state id="a"><onentry><log expr="1" level="2"/></onentry></state></scxml>'
    with pytest.raises(CompileError) as info:
        scxmlc.compile_source(text, "w3c.scxml")
    assert "unknown attribute 'level' on <log>" in str(info.value)


def test_the_cli_reports_them_with_their_lines(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "bad.scxml"
    path.write_text(f'<scxml {NAMESPACES} version="1.0">\n<state id="s"><onentry>\n<session:fetch/>\n</onentry></state></scxml>')
    out = subprocess.run([sys.executable, "-m", "scxmlc", "check", str(path)], capture_output=True, text=True)
    assert out.returncode == 1
    assert f"{path}:3:1: error: <session:fetch> requires the attribute 'srcexpr'" in out.stderr
    assert "Traceback" not in out.stderr
