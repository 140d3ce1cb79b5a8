"""`scxmlc diagram`: the DOT and Mermaid text parsed back (states, clusters, transitions, shapes, notes, highlights), hostile ids, Composer includes, SVG through Graphviz, the command line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

import scxmlc
from scxmlc import CompileError, DiagramError
from scxmlc.analysis import analyse
from scxmlc.diagnostics import Diagnostics
from scxmlc.diagrams import ACTIVE_FILL, ACTIVE_LINE, GraphvizError, render
from scxmlc.parser import parse_bytes

HERE = Path(__file__).resolve().parent
DOOR = HERE.parent / "examples" / "door.scxml"
SCXML_NS = 'xmlns="http://www.w3.org/2005/07/scxml"'
GENESYS = " ".join(
    f'xmlns:{p}="http://www.genesyslab.com/modules/{m}"'
    for p, m in (("session", "session"), ("queue", "queue"), ("ixn", "interaction"), ("dialog", "dialog"), ("ws", "ws"))
)

# Every kind of state and transition the diagram distinguishes.
FULL = f"""<?xml version="1.0"?>
<scxml {SCXML_NS} version="1.0" datamodel="ecmascript" name="full" initial="idle">
  <datamodel><data id="x" expr="0"/></datamodel>
  <state id="idle">
    <transition event="go" cond="x &gt; 1 &amp;&amp; someVeryLongFunctionName(x, 'argument one', 'argument two')" target="work"/>
    <transition cond="x === 5" target="done"/>
    <transition event="tick"><assign location="x" expr="x + 1"/></transition>
  </state>
  <state id="work" initial="a">
    <history id="hist" type="deep"><transition target="a"/></history>
    <history id="shallowh"><transition target="b"/></history>
    <state id="a"><transition event="next" target="b" type="internal"/></state>
    <state id="b"><transition event="back" target="hist"/></state>
    <transition event="inner" type="internal" target="b"/>
    <transition event="pause" target="idle"/>
  </state>
  <parallel id="par">
    <state id="r1"/>
    <state id="r2" initial="r2a">
      <state id="r2a"><transition event="e" target="r2b"/></state>
      <state id="r2b"/>
    </state>
    <transition event="stop" target="done"/>
  </parallel>
  <final id="done"/>
</scxml>
"""
FULL_STATES = {"idle", "work", "hist", "shallowh", "a", "b", "par", "r1", "r2", "r2a", "r2b", "done"}
GO_COND = "x > 1 && someVeryLongFunctionName(x, 'argument one', 'argument two')"
# (source, target, label, kind) of every transition with an event or a condition
FULL_TRANSITIONS = {
    ("idle", "work", "go [x > 1 && someVeryLongFunctionName(x, 'a…]", "normal"),
    ("idle", "done", "ε [x === 5]", "eventless"),
    ("idle", "idle", "(targetless) tick", "targetless"),
    ("work", "b", "(internal) inner", "internal"),
    ("work", "idle", "pause", "normal"),
    ("a", "b", "(internal) next", "internal"),
    ("b", "hist", "back", "normal"),
    ("par", "done", "stop", "normal"),
    ("r2a", "r2b", "e", "normal"),
}

ORS = f"""<scxml {SCXML_NS} version="1.0" profile="ecmascript" name="ors_demo" initial="start" {GENESYS}>
  <datamodel><data id="r" expr="''"/></datamodel>
  <state id="start">
    <onentry><session:fetch requestid="r" srcexpr="'http://example.org/x'" method="'get'"/></onentry>
    <transition event="session.fetch.done" target="route"/>
  </state>
  <state id="route">
    <invoke type="scxml" src="child.scxml" id="kid"/>
    <onentry>
      <if cond="true">
        <queue:submit requestid="r" queue="'VQ1'" priority="3" timeout="100">
          <queue:targets><queue:targetid expr="'Sales@SS.GA'"/></queue:targets>
        </queue:submit>
      </if>
    </onentry>
    <onexit><dialog:stop requestid="r"/></onexit>
    <transition event="ask"><ws:response requestid="_event.sendid"/></transition>
    <transition event="queue.submit.done" target="end"><ixn:accept requestid="r" interactionid="'I1'" resource="'702'"/></transition>
  </state>
  <final id="end"/>
</scxml>
"""
ORS_NOTES = {
    "start": ["entry: session:fetch"],
    "route": ["invoke kid: type=scxml src=child.scxml", "entry: queue:submit", "exit: dialog:stop", "on ask: ws:response", "on queue.submit.done: ixn:accept"],
}
CHILD = f'<scxml {SCXML_NS} version="1.0" datamodel="ecmascript"><final id="f"/></scxml>\n'


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


# -- a DOT reader for what the diagram writes (digraph, subgraph clusters, nodes, edges, attributes)

_DOT_TOKEN = re.compile(
    r'(?P<space>\s+)|(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<id>[A-Za-z_\x80-\U0010ffff][\w\x80-\U0010ffff]*|-?(?:\.\d+|\d+(?:\.\d*)?))|(?P<op>->|[{}\[\]=;,])'
)


def dot_unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nlr" else m.group(1) if m.group(1) in '"\\' else m.group(0), text)


@dataclass
class Dot:
    name: str = ""
    attrs: dict = field(default_factory=dict)
    nodes: dict = field(default_factory=dict)  # name -> {"attrs": {...}, "cluster": name | None}
    clusters: dict = field(default_factory=dict)  # name -> {"attrs": {...}, "parent": name | None}
    edges: list = field(default_factory=list)  # (tail, head, attrs)

    def cluster_chain(self, cluster):
        out = []
        while cluster is not None:
            out.append(cluster)
            cluster = self.clusters[cluster]["parent"]
        return out

    def state_nodes(self) -> dict:
        """state id -> node name (state nodes carry their id as tooltip; points are pseudo-states)."""
        return {n["attrs"]["tooltip"]: name for name, n in self.nodes.items() if n["attrs"].get("shape") not in ("point", "note")}

    def state_clusters(self) -> dict:
        return {c["attrs"]["tooltip"]: name for name, c in self.clusters.items() if c["attrs"].get("tooltip") not in (None, "region")}


def parse_dot(text: str) -> Dot:
    tokens = []
    pos = 0
    while pos < len(text):
        m = _DOT_TOKEN.match(text, pos)
        assert m is not None, f"DOT syntax: unexpected {text[pos:pos + 30]!r}"
        pos = m.end()
        if m.lastgroup != "space":
            tokens.append((m.lastgroup, m.group(0)))
    graph = Dot()
    i = 0

    def peek():
        return tokens[i][1] if i < len(tokens) else None

    def take(expected=None):
        nonlocal i
        assert i < len(tokens), "DOT syntax: unexpected end"
        kind, tok = tokens[i]
        i += 1
        if expected is not None:
            assert tok == expected, f"DOT syntax: expected {expected!r}, found {tok!r}"
        return kind, tok

    def value():
        kind, tok = take()
        assert kind in ("string", "id"), f"DOT syntax: expected a name, found {tok!r}"
        return dot_unescape(tok[1:-1]) if kind == "string" else tok

    def attr_list():
        take("[")
        attrs = {}
        while peek() != "]":
            key = value()
            take("=")
            attrs[key] = value()
            if peek() == ",":
                take()
        take("]")
        return attrs

    def declare(name, cluster, attrs=None):
        node = graph.nodes.setdefault(name, {"attrs": {}, "cluster": cluster})
        node["attrs"].update(attrs or {})

    def statements(cluster):
        while peek() != "}":
            kind, tok = tokens[i]
            target = graph.attrs if cluster is None else graph.clusters[cluster]["attrs"]
            if kind == "id" and tok in ("graph", "node", "edge") and tokens[i + 1][1] == "[":
                take()
                attrs = attr_list()
                if tok == "graph":
                    target.update(attrs)
            elif kind == "id" and tok == "subgraph":
                take()
                name = value()
                graph.clusters[name] = {"attrs": {}, "parent": cluster}
                take("{")
                statements(name)
                take("}")
            else:
                name = value()
                if peek() == "=":
                    take()
                    target[name] = value()
                elif peek() == "->":
                    take()
                    head = value()
                    attrs = attr_list() if peek() == "[" else {}
                    declare(name, cluster)
                    declare(head, cluster)
                    graph.edges.append((name, head, attrs))
                else:
                    declare(name, cluster, attr_list() if peek() == "[" else {})
            if peek() == ";":
                take()

    take("digraph")
    graph.name = value()
    take("{")
    statements(None)
    take("}")
    assert i == len(tokens), "DOT syntax: text after the graph"
    return graph


def dot_transitions(g: Dot) -> tuple[set, set]:
    """(labelled transitions as (source, target, label, kind), unlabelled edges as (source, target)),
    in state ids: an edge at a cluster's anchor (a point inside it) belongs to the cluster's state;
    an initial point is `initial:<state or "">`."""
    clusters = {name: c["attrs"].get("tooltip") for name, c in g.clusters.items()}

    def end(node, attrs, key):
        if key in attrs:
            return clusters[attrs[key]]
        n = g.nodes[node]
        if n["attrs"].get("shape") == "point":  # an initial point or an anchor: its cluster's
            return clusters.get(n["cluster"]) or ""
        return n["attrs"]["tooltip"]

    labelled, plain = set(), set()
    for tail, head, attrs in g.edges:
        if g.nodes[head]["attrs"].get("shape") == "note":
            continue
        source, target = end(tail, attrs, "ltail"), end(head, attrs, "lhead")
        if "label" not in attrs:  # (every transition has a label: `ε` at least)
            if g.nodes[tail]["attrs"].get("shape") == "point":
                source = f"initial:{source}"
            plain.add((source, target))
            continue
        style = attrs.get("style", "")
        kind = "targetless" if style == "dotted" else "eventless" if style == "dashed" else "internal" if attrs.get("arrowhead") == "vee" else "normal"
        labelled.add((source, target, attrs["label"], kind))
    return labelled, plain


# -- a Mermaid reader: stateDiagram-v2 as the diagram writes it, with Mermaid's own lexical rules ---

# Mermaid replaces entity codes (#34;) before it reads the text; a description then ends at `:`,
# `;` or the end of the line, and a quoted state label at `"`.
_ENTITY = re.compile(r"#(\d+);")
_PLACEHOLDER = re.compile("\ufb02\u00b0\u00b0(\\d+)\u00b6\u00df")
_MERMAID_LINES = [
    ("state", re.compile(r'state "(?P<label>[^"\n]*)" as (?P<alias>[a-z]\d+)(?P<open> \{)?')),
    ("close", re.compile(r"\}")),
    ("region", re.compile(r"--")),
    ("start", re.compile(r"\[\*\] --> (?P<b>s\d+)")),
    ("end", re.compile(r"(?P<a>s\d+) --> \[\*\]")),
    ("edge", re.compile(r"(?P<a>s\d+) --> (?P<b>s\d+)(?: : (?P<label>[^:;\n]+))?")),
    ("note", re.compile(r"note right of (?P<a>s\d+) : (?P<text>[^:;\n]+)")),
    ("classDef", re.compile(r"classDef (?P<name>\w+) [^\n]+")),
    ("class", re.compile(r"class (?P<aliases>s\d+(?:,s\d+)*) (?P<name>\w+)")),
]


def mermaid_decode(text: str) -> str:
    return _PLACEHOLDER.sub(lambda m: chr(int(m.group(1))), text)


@dataclass
class Mermaid:
    states: dict = field(default_factory=dict)  # alias -> {"label", "parent", "region", "composite"}
    edges: list = field(default_factory=list)  # (a, b, label or None, scope)
    starts: list = field(default_factory=list)  # (scope, b)
    ends: list = field(default_factory=list)  # (scope, a)
    notes: dict = field(default_factory=dict)  # alias -> [lines]
    classes: dict = field(default_factory=dict)  # class -> {aliases}

    def alias(self, label: str) -> str:
        found = [a for a, s in self.states.items() if s["label"] == label]
        assert len(found) == 1, f"{label!r}: {found}"
        return found[0]

    def chain(self, alias: str) -> list:
        out = []
        while alias is not None:
            alias = self.states[alias]["parent"]
            if alias is not None:
                out.append(alias)
        return out


def parse_mermaid(text: str) -> Mermaid:
    assert "%%" not in text and "\r" not in text
    lines = text.split("\n")
    assert lines[0] == "stateDiagram-v2" and lines[-1] == ""
    chart = Mermaid()
    stack: list = [None]
    region = {None: 0}
    for line in lines[1:-1]:
        encoded = _ENTITY.sub("\ufb02\u00b0\u00b0\\1\u00b6\u00df", line.strip())  # (as Mermaid does)
        for kind, pattern in _MERMAID_LINES:
            m = pattern.fullmatch(encoded)
            if m:
                break
        else:
            raise AssertionError(f"not a Mermaid line of the diagram: {line!r}")
        assert kind == "classDef" or "#" not in encoded, f"a bare # (an entity Mermaid would read): {line!r}"
        scope = stack[-1]
        if kind == "state":
            alias = m["alias"]
            assert alias not in chart.states, f"{alias} declared twice"
            chart.states[alias] = {"label": mermaid_decode(m["label"]), "parent": scope, "region": region[scope], "composite": bool(m["open"])}
            if m["open"]:
                stack.append(alias)
                region[alias] = 0
        elif kind == "close":
            stack.pop()
        elif kind == "region":
            region[scope] += 1
        elif kind == "start":
            chart.starts.append((scope, m["b"]))
        elif kind == "end":
            chart.ends.append((scope, m["a"]))
        elif kind == "edge":
            chart.edges.append((m["a"], m["b"], mermaid_decode(m["label"]) if m["label"] else None, scope))
        elif kind == "note":
            assert scope is None, "a note inside a block moves its state there"
            chart.notes[m["a"]] = [mermaid_decode(part) for part in m["text"].split("<br/>")]
        elif kind == "class":
            chart.classes.setdefault(m["name"], set()).update(m["aliases"].split(","))
    assert stack == [None], "unbalanced braces"
    for a, b, _, _ in chart.edges:
        assert a in chart.states and b in chart.states
    return chart


def mermaid_transitions(chart: Mermaid) -> set:
    labels = {a: s["label"] for a, s in chart.states.items()}
    return {(labels[a], labels[b], label) for a, b, label, _ in chart.edges if label}


# -- DOT ------------------------------------------------------------------------------------------


def test_dot_draws_every_state_in_its_cluster_with_its_shape():
    g = parse_dot(quiet(scxmlc.diagram, FULL, format="dot"))
    nodes, clusters = g.state_nodes(), g.state_clusters()
    assert set(nodes) | set(clusters) == FULL_STATES
    assert set(clusters) == {"work", "par", "r2"}  # compound and parallel states are clusters

    def chain(state):  # the states around a state, innermost first
        where = g.nodes[nodes[state]]["cluster"] if state in nodes else g.clusters[clusters[state]]["parent"]
        return [g.clusters[c]["attrs"]["tooltip"] for c in g.cluster_chain(where) if g.clusters[c]["attrs"]["tooltip"] != "region"]

    assert chain("a") == chain("b") == chain("hist") == chain("shallowh") == ["work"]
    assert chain("r1") == chain("r2") == ["par"]
    assert chain("r2a") == chain("r2b") == ["r2", "par"]
    assert chain("idle") == chain("done") == chain("work") == chain("par") == []
    # the regions of the parallel state: dashed clusters (an atomic region has one of its own)
    r1_box = g.clusters[g.nodes[nodes["r1"]]["cluster"]]
    assert "dashed" in r1_box["attrs"]["style"] and r1_box["parent"] == clusters["par"]
    assert "dashed" in g.clusters[clusters["r2"]]["attrs"]["style"]
    assert "dashed" not in g.clusters[clusters["work"]]["attrs"]["style"]
    assert "dashed" not in g.clusters[clusters["par"]]["attrs"]["style"]
    # pseudo-states: H* and H circles, a bull's eye for the final state, initial points
    assert g.nodes[nodes["hist"]]["attrs"].items() >= {"shape": "circle", "label": "H*"}.items()
    assert g.nodes[nodes["shallowh"]]["attrs"].items() >= {"shape": "circle", "label": "H"}.items()
    assert g.nodes[nodes["done"]]["attrs"]["shape"] == "doublecircle"
    assert g.nodes[nodes["done"]]["attrs"]["xlabel"] == "done"
    assert g.nodes[nodes["idle"]]["attrs"]["label"] == "idle"
    initial = [name for name, n in g.nodes.items() if n["attrs"].get("shape") == "point" and n["attrs"].get("style") != "invis"]
    owners = sorted(g.clusters[g.nodes[n]["cluster"]]["attrs"]["tooltip"] if g.nodes[n]["cluster"] else "" for n in initial)
    assert owners == ["", "r2", "work"]  # the document's, and each compound state's


def test_dot_draws_every_transition_with_its_label_and_style():
    g = parse_dot(quiet(scxmlc.diagram, FULL, format="dot"))
    labelled, plain = dot_transitions(g)
    assert labelled == FULL_TRANSITIONS
    # initial transitions and the history states' default transitions
    assert plain == {("initial:", "idle"), ("initial:work", "a"), ("initial:r2", "r2a"), ("hist", "a"), ("shallowh", "b")}
    go = [attrs for _, _, attrs in g.edges if attrs.get("label", "").startswith("go ")][0]
    assert go["tooltip"] == f"go [{GO_COND}]"  # the whole condition, on hover
    cond = go["label"][len("go [") : -1]
    assert len(cond) == 40 and cond.endswith("…")


def test_dot_is_deterministic_and_reads_paths_text_and_bytes(tmp_path):
    path = write(tmp_path, "full.scxml", FULL)
    texts = {quiet(scxmlc.diagram, path), quiet(scxmlc.diagram, str(path)), quiet(scxmlc.diagram, FULL), quiet(scxmlc.diagram, FULL.encode())}
    assert len(texts) == 1
    assert quiet(scxmlc.diagram, path, format="mermaid") == quiet(scxmlc.diagram, FULL, format="mermaid")


# -- Mermaid --------------------------------------------------------------------------------------


def test_mermaid_nests_composite_states_and_separates_regions():
    chart = parse_mermaid(quiet(scxmlc.diagram, FULL, format="mermaid"))
    labels = {s["label"] for s in chart.states.values()}
    assert labels == (FULL_STATES - {"hist", "shallowh"}) | {"H*", "H"}
    a = chart.alias
    for inner in ("a", "b", "H*", "H"):
        assert chart.chain(a(inner)) == [a("work")]
    assert chart.chain(a("r2a")) == chart.chain(a("r2b")) == [a("r2"), a("par")]
    assert [chart.chain(a(s)) for s in ("idle", "work", "par", "done")] == [[]] * 4
    # the parallel state's two regions, separated by `--`
    assert (chart.states[a("r1")]["region"], chart.states[a("r2")]["region"]) == (0, 1)
    assert {chart.states[x]["composite"] for x in (a("work"), a("par"), a("r2"))} == {True}
    # initial transitions in their scope, the final state's end, classes for pseudo-states
    assert set(chart.starts) == {(None, a("idle")), (a("work"), a("a")), (a("r2"), a("r2a"))}
    assert chart.ends == [(None, a("done"))]
    assert chart.classes["final"] == {a("done")}
    assert chart.classes["history"] == {a("H*"), a("H")}
    assert "active" not in chart.classes


def test_mermaid_has_every_transition_with_its_label():
    chart = parse_mermaid(quiet(scxmlc.diagram, FULL, format="mermaid"))
    expected = {(s, t, label) for s, t, label, _ in FULL_TRANSITIONS}
    back = {(s, "H*" if t == "hist" else t, label) for s, t, label in expected}
    assert mermaid_transitions(chart) == back
    unlabelled = {(chart.states[x]["label"], chart.states[y]["label"]) for x, y, label, _ in chart.edges if not label}
    assert unlabelled == {("H*", "a"), ("H", "b")}  # the history states' defaults
    # every transition is written at the top level, after the blocks: Mermaid moves a state
    # into the (inner) block that last mentions it
    assert {scope for _, _, _, scope in chart.edges} == {None}


def test_an_initial_state_deeper_down():
    text = f'''<scxml {SCXML_NS} version="1.0"><state id="c" initial="d2"><state id="d"><state id="d1"/><state id="d2"/></state>
      <history id="h" type="deep"><transition target="d1"/></history></state></scxml>'''
    _, plain = dot_transitions(parse_dot(scxmlc.diagram(text)))
    assert plain == {("initial:", "c"), ("initial:c", "d2"), ("initial:d", "d1"), ("h", "d1")}
    chart = parse_mermaid(scxmlc.diagram(text, format="mermaid"))
    a = chart.alias
    # (Mermaid: to the child that holds it; an arrow to d2 in c's block would move d2 into c)
    assert set(chart.starts) == {(None, a("c")), (a("c"), a("d")), (a("d"), a("d1"))}
    assert chart.chain(a("d2")) == [a("d"), a("c")]


def test_mermaid_of_the_door_example_is_as_documented():
    text = scxmlc.diagram(DOOR, format="mermaid")
    doc = (HERE.parent / "docs" / "diagrams.md").read_text(encoding="utf-8")
    assert text in doc  # docs/diagrams.md shows it whole
    chart = parse_mermaid(text)
    assert ("locked", "closed", "unlock [_event.data && _event.data.code === code]") in mermaid_transitions(chart)


# -- the active configuration ----------------------------------------------------------------------


def test_active_highlights_exactly_the_given_states():
    given = {"par", "r1", "r2", "r2b"}
    g = parse_dot(quiet(scxmlc.diagram, FULL, format="dot", active="par,r1, r2,r2b"))
    lit = {n["attrs"]["tooltip"] for n in g.nodes.values() if n["attrs"].get("fillcolor") == ACTIVE_FILL}
    lit |= {c["attrs"]["tooltip"] for c in g.clusters.values() if c["attrs"].get("color") == ACTIVE_LINE}
    assert lit == given
    chart = parse_mermaid(quiet(scxmlc.diagram, FULL, format="mermaid", active=sorted(given)))
    assert {chart.states[x]["label"] for x in chart.classes["active"]} == given
    # nothing highlighted without `active`
    assert ACTIVE_FILL not in quiet(scxmlc.diagram, FULL) and ACTIVE_LINE not in quiet(scxmlc.diagram, FULL)


@pytest.mark.parametrize("active,message", [("idle,nope", "no state 'nope'"), (["a", "x y"], "no state 'x y'"), ("hist", "history state")])
def test_an_unknown_active_id_is_an_error(active, message):
    with pytest.raises(DiagramError, match=message):
        quiet(scxmlc.diagram, FULL, format="mermaid", active=active)


def test_an_unknown_format_is_an_error():
    with pytest.raises(DiagramError, match="unknown diagram format 'jpeg'"):
        scxmlc.diagram(DOOR, format="jpeg")


# -- Composer documents: drawn after the merge -----------------------------------------------------

IPD = f"""<?xml version="1.0" encoding="utf-8"?>
<scxml version="1.0" {SCXML_NS} xmlns:xi="http://www.w3.org/2001/XInclude" {GENESYS}
       initial="Wf" profile="ecmascript" _persist="false" name="default.Ipd">
  <datamodel><data id="r" expr="''"/></datamodel>
  <state id="Wf" initial="Wf._composer_entry">
    <xi:include href="composer/Workflow.scxml" parse="xml" resolveid="Wf" xpointer="_composer_entry"/>
    <transition event="done.state.Wf._composer_entry" target="end"/>
  </state>
  <final id="end"/>
</scxml>
"""
WORKFLOW = f"""<?xml version="1.0" encoding="utf-8"?>
<scxml version="1.0" {SCXML_NS} {GENESYS} initial="_composer_noboot" profile="ecmascript">
  <final id="_composer_noboot"/>
  <state id="_composer_entry" initial="$$_MY_PREFIX_$$.Entry1">
    <state id="Entry1">
      <onentry><session:fetch requestid="r" srcexpr="'http://example.org/x'" method="'get'"/></onentry>
      <transition event="session.fetch.done" target="$$_MY_PREFIX_$$.Exit1"/>
    </state>
    <final id="Exit1"/>
  </state>
</scxml>
"""


def composer(tmp_path: Path) -> Path:
    (tmp_path / "composer").mkdir()
    write(tmp_path / "composer", "Workflow.scxml", WORKFLOW)
    return write(tmp_path, "IPD.scxml", IPD)


def test_a_composer_document_is_drawn_after_its_includes_are_merged(tmp_path):
    path = composer(tmp_path)
    g = parse_dot(quiet(scxmlc.diagram, path, format="dot"))
    nodes, clusters = g.state_nodes(), g.state_clusters()
    assert set(nodes) | set(clusters) == {"Wf", "Wf._composer_entry", "Wf.Entry1", "Wf.Exit1", "end"}
    assert g.clusters[clusters["Wf._composer_entry"]]["parent"] == clusters["Wf"]
    assert g.nodes[nodes["Wf.Entry1"]]["cluster"] == clusters["Wf._composer_entry"]
    labelled, plain = dot_transitions(g)
    assert labelled == {("Wf.Entry1", "Wf.Exit1", "session.fetch.done", "normal"), ("Wf", "end", "done.state.Wf._composer_entry", "normal")}
    assert ("initial:Wf._composer_entry", "Wf.Entry1") in plain
    notes = [n["attrs"]["label"] for n in g.nodes.values() if n["attrs"].get("shape") == "note"]
    assert notes == ["entry: session:fetch\n"]
    chart = parse_mermaid(quiet(scxmlc.diagram, path, format="mermaid"))
    assert chart.chain(chart.alias("Wf.Entry1")) == [chart.alias("Wf._composer_entry"), chart.alias("Wf")]
    assert chart.notes[chart.alias("Wf.Entry1")] == ["entry: session:fetch"]


def test_a_missing_include_is_reported_with_its_location(tmp_path):
    path = write(tmp_path, "IPD.scxml", IPD)
    with pytest.raises(CompileError) as info:
        scxmlc.diagram(path)
    assert any(d.location.line == 6 and "include not found" in d.message for d in info.value.diagnostics)


# -- notes: invokes and ORS module actions ----------------------------------------------------------


def test_ors_actions_and_invokes_are_notes_on_their_states(tmp_path):
    write(tmp_path, "child.scxml", CHILD)
    path = write(tmp_path, "ors.scxml", ORS)
    g = parse_dot(quiet(scxmlc.diagram, path, format="dot"))
    nodes = g.state_nodes()
    notes = {}
    for tail, head, attrs in g.edges:
        if g.nodes[head]["attrs"].get("shape") == "note":
            notes[g.nodes[tail]["attrs"]["tooltip"]] = g.nodes[head]["attrs"]["label"].splitlines()
            assert g.nodes[head]["cluster"] == g.nodes[nodes[g.nodes[tail]["attrs"]["tooltip"]]]["cluster"]
    assert notes == ORS_NOTES
    chart = parse_mermaid(quiet(scxmlc.diagram, path, format="mermaid"))
    assert {chart.states[x]["label"]: lines for x, lines in chart.notes.items()} == ORS_NOTES


def test_a_compound_states_notes_are_inside_its_cluster(tmp_path):
    write(tmp_path, "child.scxml", CHILD)
    text = f'<scxml {SCXML_NS} version="1.0" datamodel="ecmascript"><state id="p"><invoke src="child.scxml"/><state id="q"/></state></scxml>'
    g = parse_dot(scxmlc.diagram(write(tmp_path, "p.scxml", text)))
    note = [n for n in g.nodes.values() if n["attrs"].get("shape") == "note"]
    assert [n["attrs"]["label"] for n in note] == ["invoke: src=child.scxml\n"]
    assert g.clusters[note[0]["cluster"]]["attrs"]["tooltip"] == "p"


# -- hostile text ---------------------------------------------------------------------------------

# Valid SCXML whose events, conditions, names and invoke attributes try to break out of labels.
HOSTILE = f"""<scxml {SCXML_NS} version="1.0" datamodel="ecmascript" name="n&quot;a}}{{me&#10;--&gt; x; %%{{init: {{'theme':'dark'}}}}%% \\">
  <state id="a--b">
    <invoke type="x&quot;}}]; evil" src="c&quot;&#10;end note"/>
    <transition event="e&quot;}}{{;:#%--&gt;[x]" cond="x == &quot;}}&quot;&#10;&amp;&amp; y &lt; 2 // %%{{init}}%% end note" target="“q”"/>
    <transition event="ok\\n\\l\\N&lt;br/&gt;" target="x.y"/>
  </state>
  <state id="“q”"/>
  <state id="x.y"/>
</scxml>
"""
HOSTILE_EDGES = {
    ("a--b", "“q”", 'e"}{;:#%-->[x] [x == "}" && y < 2 // %%{init}%% end note]'),
    ("a--b", "x.y", "ok\\n\\l\\N<br/>"),
}

# Ids the verifier refuses (not XML names), drawn without it: the escaping alone must hold.
BAD_IDS = ['a"b', "x{\n}-->y", "[*]", "end note;%%{init}%%", "\\ \\\"", "s1", "#35;", "<br/>"]


def hostile_chart():
    def attr(text):
        return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "&#10;")

    states = "".join(f'<state id="{attr(sid)}"><transition event="go.{k}" target="{attr(BAD_IDS[(k + 1) % len(BAD_IDS)])}"/></state>' for k, sid in enumerate(BAD_IDS))
    text = f'<scxml {SCXML_NS} initial="{attr(BAD_IDS[0])}"><state id="outer{{">{states}</state></scxml>'
    return analyse(parse_bytes(text.encode(), "bad.scxml", Diagnostics()))


# (a target list is split at blanks: a target with a blank names no state, a targetless loop)
BAD_EDGES = {(sid, target if len(target.split()) == 1 else sid) for sid, target in zip(BAD_IDS, BAD_IDS[1:] + BAD_IDS[:1])}


def test_hostile_labels_cannot_break_the_dot_syntax():
    g = parse_dot(quiet(scxmlc.diagram, HOSTILE, format="dot"))
    assert g.name == "n\"a}{me\n--> x; %%{init: {'theme':'dark'}}%% \\"
    assert set(g.state_nodes()) == {"a--b", "“q”", "x.y"} and not g.clusters
    labelled, _ = dot_transitions(g)
    assert {(s, t, label) for s, t, label, _ in labelled} == {(s, t, _shorten_cond(label)) for s, t, label in HOSTILE_EDGES}
    assert {attrs["tooltip"] for _, _, attrs in g.edges if "tooltip" in attrs} >= {label.replace("\n", " ") for _, _, label in HOSTILE_EDGES}
    notes = [n["attrs"]["label"] for n in g.nodes.values() if n["attrs"].get("shape") == "note"]
    assert notes == ['invoke: type=x"}]; evil src=c" end note\n']


def _shorten_cond(label: str) -> str:
    head, _, cond = label.partition(" [")
    cond = cond[:-1]
    return f"{head} [{cond[:39].rstrip()}…]" if len(cond) > 40 else label


def test_hostile_labels_cannot_break_the_mermaid_syntax():
    text = quiet(scxmlc.diagram, HOSTILE, format="mermaid")
    chart = parse_mermaid(text)
    assert {s["label"] for s in chart.states.values()} == {"a--b", "“q”", "x.y"}
    assert mermaid_transitions(chart) == {(s, t, _shorten_cond(label)) for s, t, label in HOSTILE_EDGES}
    assert chart.notes[chart.alias("a--b")] == ['invoke: type=x"}]; evil src=c" end note']
    for bad in ("%%", '"}', "<br/>\n", "-->[x]", "{init"):
        assert bad not in text


def test_hostile_ids_cannot_break_either_syntax():
    chart = hostile_chart()
    g = parse_dot(render(chart, "dot", active=[BAD_IDS[0], BAD_IDS[2]]))
    nodes = g.state_nodes()
    assert set(nodes) == set(BAD_IDS)
    assert set(g.state_clusters()) == {"outer{"}
    labelled, _ = dot_transitions(g)
    assert {(s, t) for s, t, _, _ in labelled} == BAD_EDGES
    assert {n["attrs"]["tooltip"] for n in g.nodes.values() if n["attrs"].get("fillcolor") == ACTIVE_FILL} == {BAD_IDS[0], BAD_IDS[2]}
    # (aliases are the diagram's own names: an id that looks like one changes nothing)
    assert all(re.fullmatch(r"[sina]\d+", name) for name in g.nodes)
    m = parse_mermaid(render(chart, "mermaid", active=[BAD_IDS[0], BAD_IDS[2]]))
    assert {s["label"] for s in m.states.values()} == {sid.replace("\n", " ") for sid in BAD_IDS} | {"outer{"}
    assert len(m.edges) == len(BAD_IDS)
    assert {m.states[x]["label"] for x in m.classes["active"]} == {BAD_IDS[0], BAD_IDS[2]}


# -- SVG and PNG through Graphviz ---------------------------------------------------------------------


def need_graphviz():
    if shutil.which("dot") is None:
        if os.environ.get("SCXMLC_REQUIRE_GRAPHVIZ") == "1":
            pytest.fail("Graphviz's dot is not on PATH and SCXMLC_REQUIRE_GRAPHVIZ=1 (apt-get install graphviz)")
        pytest.skip("Graphviz's dot is not on PATH (apt-get install graphviz; SCXMLC_REQUIRE_GRAPHVIZ=1 makes this a failure)")


def test_svg_and_png_are_rendered_by_graphviz():
    need_graphviz()
    svg = scxmlc.diagram(DOOR, format="svg", active="open")
    assert isinstance(svg, bytes)
    root = etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"closed", "locked", "open", "gone", "open", "lock"} <= texts
    assert ACTIVE_FILL.encode() in svg
    png = scxmlc.diagram(DOOR, format="png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_graphviz_reads_every_diagram_it_is_given(tmp_path):
    need_graphviz()
    write(tmp_path, "child.scxml", CHILD)
    for text in (FULL, HOSTILE, ORS, composer(tmp_path)):
        svg = quiet(scxmlc.diagram, text, format="svg", base_dir=tmp_path)
        etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True))
    svg = render(hostile_chart(), "svg")
    etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True))


def test_svg_without_graphviz_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizError, match=r"graphviz package") as info:
        scxmlc.diagram(DOOR, format="svg")
    assert "`dot`" in str(info.value)
    assert scxmlc.diagram(DOOR, format="dot").startswith('digraph "door" {')  # (text needs nothing)


# -- the command line ----------------------------------------------------------------------------------


def cli(*args, env=None, cwd=None):
    run_env = dict(os.environ)
    run_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "scxmlc", "diagram", *map(str, args)], capture_output=True, env=run_env, cwd=cwd, timeout=120)


def test_cli_writes_text_to_stdout_or_to_a_file(tmp_path):
    done = cli(DOOR, "-f", "mermaid")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == scxmlc.diagram(DOOR, format="mermaid")
    again = cli(DOOR, "-f", "mermaid", env={"PYTHONHASHSEED": "7"})
    assert again.stdout == done.stdout  # the same bytes, whatever the hash seed
    done = cli(DOOR, "-o", tmp_path / "out" / "door.dot", "--active", "open")
    assert done.returncode == 0 and done.stdout == b"", done.stderr
    assert (tmp_path / "out" / "door.dot").read_text(encoding="utf-8") == scxmlc.diagram(DOOR, active=["open"])
    done = cli(DOOR, "-o", tmp_path / "door.mmd")  # the format from the suffix
    assert (tmp_path / "door.mmd").read_text(encoding="utf-8").startswith("stateDiagram-v2\n")
    assert not list(tmp_path.glob("**/*.tmp"))


def test_cli_draws_composer_documents(tmp_path):
    done = cli(composer(tmp_path), "-f", "dot")
    assert done.returncode == 0, done.stderr
    assert set(parse_dot(done.stdout.decode()).state_nodes()) == {"Wf.Entry1", "Wf.Exit1", "end"}


def test_cli_svg_without_graphviz(tmp_path):
    (tmp_path / "bin").mkdir()
    done = cli(DOOR, "-f", "svg", env={"PATH": str(tmp_path / "bin")})
    err = done.stderr.decode()
    assert done.returncode == 2
    assert "graphviz" in err and "`dot`" in err and "Traceback" not in err
    assert err.startswith("scxmlc diagram: error: ") and done.stdout == b""


def test_cli_svg_with_graphviz(tmp_path):
    need_graphviz()
    done = cli(DOOR, "-o", tmp_path / "door.svg")
    assert done.returncode == 0, done.stderr
    assert b"<svg" in (tmp_path / "door.svg").read_bytes()


def test_cli_reports_a_bad_document_with_its_line(tmp_path):
    bad = write(tmp_path, "bad.scxml", f'<scxml {SCXML_NS} version="1.0">\n<state id="a">\n<transition target="nowhere"/>\n</state>\n</scxml>\n')
    done = cli(bad)
    err = done.stderr.decode()
    assert done.returncode == 1 and done.stdout == b""
    assert f"{bad}:3:1: error: transition target 'nowhere' does not exist" in err.splitlines()
    assert "Traceback" not in err
    broken = write(tmp_path, "broken.scxml", f"<scxml {SCXML_NS}>\n<state id='a'>\n</scxml>\n")
    done = cli(broken, "-f", "mermaid")
    assert done.returncode == 1 and re.match(rf"{re.escape(str(broken))}:3:\d+: error: XML syntax error", done.stderr.decode())
    done = cli(tmp_path / "missing.scxml")
    assert done.returncode == 1 and "cannot read file" in done.stderr.decode()


def test_cli_unknown_active_id(tmp_path):
    done = cli(DOOR, "--active", "closed,nope")
    err = done.stderr.decode()
    assert done.returncode == 2 and "no state 'nope'" in err and "Traceback" not in err
