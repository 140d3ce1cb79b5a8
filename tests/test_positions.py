"""Diagnostics carry file:line:col (ors-dialect.md §10): start tags found in the document's text (scxmlc/positions.py), errors inside expressions and scripts placed where they are, in the document or in the file the script came from."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from lxml import etree

import scxmlc
from scxmlc.diagnostics import Diagnostics, Location
from scxmlc.positions import Positions, start_tags


def test_start_tags_skip_everything_that_is_not_a_start_tag():
    text = textwrap.dedent(
        """\
        <?xml version="1.0"?>
        <!DOCTYPE a [ <!ENTITY x "<b>"> ]>
        <a k='>' j="<">
          <!-- <c> --><![CDATA[ <d> ]]><?pi <e>?>
          <f
             g="1"/></a>"""
    )
    tags = start_tags(text)
    assert [text[s:e] for s, e in tags] == ["<a k='>' j=\"<\">", '<f\n     g="1"/>']
    assert start_tags("<a><b x='1") is None  # ends inside a tag
    assert start_tags("<a><!-- open") is None


def _document(text: str) -> tuple[Positions, object]:
    data = text.encode("utf-8")
    root = etree.fromstring(data)
    positions = Positions()
    assert positions.add(root, data)
    return positions, root


def test_an_element_is_where_its_start_tag_begins():
    positions, root = _document('<a>\n  <b\n    x="1"/>  <c y="&lt;2"/>\n</a>')
    b, c = root
    assert b.sourceline == 3  # (lxml: where the start tag ends)
    assert positions.location(b, "f.scxml") == Location("f.scxml", 2, 3)
    assert positions.location(c, "f.scxml") == Location("f.scxml", 3, 14)
    assert str(positions.location(c, "f.scxml")) == "f.scxml:3:14"
    assert positions.inside(c, "<2", 1, 1, "y") == (3, 20)  # (where the value begins)


def test_a_place_inside_a_value_counts_what_the_parser_made_of_the_text():
    text = '<a>\n<t cond="x &amp;&amp; (y"/><s>  var a;\r\n  <![CDATA[b <]]> = ;</s></a>'
    positions, root = _document(text)
    t, s = root
    # 'y' is the 7th character of the value; in the text, each entity stands for one
    assert positions.inside(t, "x && (y", 1, 7, "cond") == (2, 24)
    source = s.text
    assert source == "  var a;\n  b < = ;"
    line, column = 2, source.split("\n")[1].index("=") + 1
    assert positions.inside(s, source, line, column) == (3, 19)  # (after the CDATA section's end)
    # a value that is no longer the document's text (changed after parsing) has no place
    assert positions.inside(t, "x && (z", 1, 7, "cond") is None


def test_elements_that_do_not_match_their_tags_get_no_columns():
    positions = Positions()
    root = etree.fromstring(b"<a><b/></a>")
    assert not positions.add(root, b"<a><b/><c/></a>")
    assert positions.location(root[0], "f") == Location("f", 1)
    assert str(positions.location(root[0], "f")) == "f:1"


def _check(tmp_path, name: str, text: str) -> list[str]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "scxmlc", "check", name], capture_output=True, text=True, cwd=tmp_path)
    assert "Traceback" not in out.stderr
    return (out.stdout + out.stderr).splitlines()


def test_the_cli_reports_lines_and_columns(tmp_path):
    (tmp_path / "lib.js").write_text("var ok = 1;\nvar bad = ;\n", encoding="utf-8")
    lines = _check(
        tmp_path,
        "w3c.scxml",
        """\
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
          <script src="lib.js"/>
          <script>
            var a = 1;
              a = = 2;
          </script>
          <state id="s">
            <transition event="e"
                        cond="a &lt; (1" target="s"/>
          </state>
        </scxml>
        """,
    )
    assert "w3c.scxml:9:32: warning: ECMAScript: Unexpected end of input in 'a < (1'; it raises error.execution when run" in lines
    assert any(x.startswith("w3c.scxml:5:11: warning: ECMAScript: Unexpected token =") for x in lines), lines
    assert any(x.startswith("lib.js:2:11: warning: ECMAScript: Unexpected token ;") for x in lines), lines


def test_element_errors_name_the_start_of_the_tag(tmp_path):
    lines = _check(
        tmp_path,
        "bad.scxml",
        """\
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
          <state id="s">   <transition event="e"
                                       target="nowhere"/>
          </state>
        </scxml>
        """,
    )
    assert "bad.scxml:2:20: error: transition target 'nowhere' does not exist" in lines


def test_xml_syntax_errors_carry_the_parsers_column(tmp_path):
    lines = _check(tmp_path, "broken.scxml", '<scxml xmlns="http://www.w3.org/2005/07/scxml">\n  <state id="s" &/>\n</scxml>\n')
    assert any(x.startswith("broken.scxml:2:17: error: XML syntax error") for x in lines), lines


def test_ors_included_scripts_are_located_in_their_own_file(tmp_path):
    (tmp_path / "inc.js").write_text("var a = 1;\n  var b = ;\n", encoding="utf-8")
    lines = _check(
        tmp_path,
        "ipd.scxml",
        """\
        <scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:xi="http://www.w3.org/2001/XInclude"
               xmlns:session="http://www.genesyslab.com/modules/session" version="1.0" datamodel="ecmascript">
          <script><xi:include href="inc.js" parse="text"/></script>
          <state id="s"><onentry><log expr="1 +"/></onentry></state>
        </scxml>
        """,
    )
    assert any(x.startswith("inc.js:2:11: error: ECMAScript: Unexpected token ;") and "[ORS-E31]" in x for x in lines), lines
    assert any(x.startswith("ipd.scxml:4:40: error: ECMAScript: Unexpected token )") for x in lines), lines


def test_compile_errors_carry_columns_in_the_api():
    with pytest.raises(scxmlc.CompileError) as info:
        scxmlc.compile_source('<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" initial="x"><state id="s"/></scxml>', "t.scxml")
    (diag,) = info.value.diagnostics
    assert (diag.location.line, diag.location.column) == (1, 1)
    assert str(diag).startswith("t.scxml:1:1: error: initial state 'x'")
    assert isinstance(Diagnostics().positions, Positions)


def test_random_documents_get_locations_inside_their_text():
    """Scripts and conditions with entities, character references, CDATA sections, comments
    and CR LF line ends, most of them not parsing: nothing escapes, and every diagnostic names a
    line of the document and a column on that line (or just past its end)."""
    import random

    pieces = ["a", " ", "+", "(", ")", ";", "1", "\n", "\r\n", "&amp;", "&lt;", "&#65;", "&#x42;", "'", "=", "b.c", "\t"]
    rng = random.Random(7)
    checked = 0
    for k in range(200):
        cond = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))).replace("\n", " ")
        script = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        if rng.random() < 0.4:
            script = script.replace("&amp;", "<![CDATA[&&]]>").replace("&lt;", "<!-- c --><![CDATA[<]]>")
        text = (
            '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">\r\n'
            f'  <script>{script}</script>\r\n  <state id="s"><transition event="e" cond="{cond}"/></state>\r\n</scxml>\r\n'
        )
        try:
            result = scxmlc.compile_source(text, "r.scxml")
            diags = result.diagnostics
        except scxmlc.CompileError as exc:
            diags = exc.diagnostics
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # (a lone CR ends a line too: XML 1.0 2.11)
        for d in diags:
            loc = d.location
            assert loc.file == "r.scxml" and 1 <= loc.line <= len(lines), (d, text)
            assert 1 <= loc.column <= len(lines[loc.line - 1]) + 1, (d, text)
            checked += 1
    assert checked > 100


def test_diagnostics_come_in_the_order_of_the_text():
    # (the lowering takes the states before the document's scripts)
    text = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">\n'
        "  <script>var a = ;</script>\n"
        '  <state id="s"><transition event="e" cond="1 +"/></state>\n'
        "  <script>var b = ;</script>\n"
        "</scxml>\n"
    )
    found = [(d.location.line, d.location.column) for d in scxmlc.compile_source(text, "o.scxml").diagnostics]
    assert found == [(2, 19), (3, 48), (4, 19)]
