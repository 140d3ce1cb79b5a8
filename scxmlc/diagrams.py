"""Diagrams: draw a chart (after its includes are merged) as Mermaid, Graphviz DOT, SVG or PNG.

The chart goes through the compiler's own front end (parse, `xi:include` composition, verify,
analyse: scxmlc/parser.py, compose.py, verifier.py, analysis.py), so a diagram shows exactly the
states and transitions the compiler sees; a document with errors gives the compiler's
diagnostics (CompileError). Scripts are not translated (`scxmlc check` does that).

What is drawn (docs/diagrams.md):
- a state with children is a cluster (DOT) or a composite state (Mermaid); the children of a
  <parallel> are its regions, each in a dashed cluster (DOT) or separated by `--` (Mermaid);
- the initial transition of the document and of each compound state leaves a small black dot;
  history states are circles `H` (shallow) and `H*` (deep), with their default transition;
  <final> states are double circles (DOT) or have an edge to the end `[*]` (Mermaid);
- a transition is labelled `event [cond]` (a condition longer than 40 characters is shortened
  with an ellipsis); an eventless one is labelled `ε` and dashed; `type="internal"` is prefixed
  `(internal)`; a transition without a target is a self-loop prefixed `(targetless)`, dotted;
- `<invoke>`s and the ORS module actions (`session:`, `ixn:`, `queue:`, `dialog:`, `ws:`) of a
  state's onentry, onexit and transitions are a note on the state;
- `active` highlights the states of a configuration.

Ids, events, conditions and names are untrusted text: DOT gets quoted strings with escapes,
Mermaid gets aliases `s<N>` (document order) with escaped display labels, never raw ids as
identifiers. The output is deterministic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from scxmlc_runtime.tables import COMPOUND, DEEP_HISTORY, FINAL, PARALLEL, ROOT, SHALLOW_HISTORY
from scxmlc_runtime.documents import read_limited

from . import model as m
from .analysis import Chart, analyse
from .diagnostics import CompileError, CompileWarning, Diagnostic, Diagnostics, Location
from .parser import parse_bytes
from .verifier import verify, walk_actions

FORMATS = ("mermaid", "dot", "svg", "png")
# Output file suffixes that say the format (`scxmlc diagram -o chart.svg`).
SUFFIXES = {".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png"}
ORS_MODULES = ("session", "ixn", "queue", "dialog", "ws")
MAX_COND = 40  # longer conditions are shortened with an ellipsis
MAX_VALUE = 40  # the same for attribute values in notes
DOT_TIMEOUT_S = 60.0

ACTIVE_FILL = "#ffe08a"
ACTIVE_LINE = "#b8860b"
NOTE_FILL = "#fff8c4"
TARGETLESS_COLOR = "#666666"
INTERNAL_COLOR = "#1f5fa8"


class DiagramError(ValueError):
    """A diagram that cannot be made as asked: an unknown format, an `active` id that is not a
    state of the chart, or Graphviz missing or failing (GraphvizError)."""


class GraphvizError(DiagramError):
    """SVG and PNG need Graphviz's `dot`: it is not installed, failed or took too long."""


# ---------------------------------------------------------------------------------------------
# The drawing's model: states, edges and notes taken from the analysed chart


@dataclass
class _State:
    index: int
    id: str
    kind: int  # analysis kinds (scxmlc_runtime.tables)
    parent: int  # 0: the document
    children: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    initial: list[int] = field(default_factory=list)  # targets of its initial transition (compound)

    @property
    def cluster(self) -> bool:
        """Drawn as a container: a state with children (a parallel always is one)."""
        return bool(self.children) or self.kind == PARALLEL

    @property
    def history(self) -> bool:
        return self.kind in (SHALLOW_HISTORY, DEEP_HISTORY)


@dataclass
class _Edge:
    source: int
    targets: tuple[int, ...]
    label: str  # "" for initial and history default transitions
    tooltip: str
    eventless: bool
    internal: bool
    default: bool  # a history state's default transition


@dataclass
class _Drawing:
    name: str | None
    states: dict[int, _State]
    top: list[int]  # the document's children
    initial: list[int]  # targets of the document's initial transition
    edges: list[_Edge]

    def ancestors(self, index: int) -> list[int]:
        """`index`'s ancestor states, innermost first (the document, 0, not included)."""
        out = []
        parent = self.states[index].parent if index else 0
        while parent:
            out.append(parent)
            parent = self.states[parent].parent
        return out

    def inside(self, index: int, container: int) -> bool:
        """Whether `index` is `container` or one of its descendants."""
        return index == container or container in self.ancestors(index)

    def children_of(self, index: int) -> list[int]:
        return self.top if index == 0 else self.states[index].children


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _transition_label(t: m.Transition, targetless: bool) -> tuple[str, str]:
    """(label, tooltip): `event [cond]` with the condition shortened, and in full."""
    events = " ".join(t.events) or "ε"
    cond = " ".join(t.cond.split()) if t.cond is not None and t.cond.strip() else None
    prefix = "(targetless) " if targetless else "(internal) " if t.internal else ""
    label = prefix + events + (f" [{_shorten(cond, MAX_COND)}]" if cond else "")
    tooltip = prefix + events + (f" [{cond}]" if cond else "")
    return label, tooltip


def _module_label(action) -> str | None:
    """`session:fetch` for an action of an ORS module (supported or not), else None."""
    if isinstance(action, m.ModuleAction):
        return action.label if action.module in ORS_MODULES else None
    if isinstance(action, m.Foreign):
        from scxmlc_runtime.extensions import module_for

        module = module_for(action.namespace) if action.namespace else None
        if module is not None and module.name in ORS_MODULES:
            return f"{module.name}:{action.tag}"
    return None


def _ors_actions(actions) -> list[str]:
    return [label for a in walk_actions(actions) if (label := _module_label(a)) is not None]


def _invoke_line(inv: m.Invoke) -> str:
    parts = []
    if inv.type is not None:
        parts.append(f"type={_shorten(inv.type, MAX_VALUE)}")
    elif inv.typeexpr is not None:
        parts.append(f"typeexpr={_shorten(inv.typeexpr, MAX_VALUE)}")
    if inv.src is not None:
        parts.append(f"src={_shorten(inv.src, MAX_VALUE)}")
    elif inv.srcexpr is not None:
        parts.append(f"srcexpr={_shorten(inv.srcexpr, MAX_VALUE)}")
    elif inv.content is not None:
        parts.append("inline <scxml>" if inv.content.scxml is not None else "<content>")
    name = f" {_shorten(inv.id, MAX_VALUE)}" if inv.id else ""
    return f"invoke{name}: {' '.join(parts)}" if parts else f"invoke{name}"


def _notes(node: m.State) -> list[str]:
    lines = [_invoke_line(inv) for inv in node.invokes]
    for block in node.onentry:
        lines += [f"entry: {label}" for label in _ors_actions(block)]
    for block in node.onexit:
        lines += [f"exit: {label}" for label in _ors_actions(block)]
    if node.initial is not None:
        lines += [f"initial: {label}" for label in _ors_actions(node.initial.actions)]
    for t in node.transitions:
        on = _shorten(" ".join(t.events) or "ε", MAX_VALUE)
        lines += [f"on {on}: {label}" for label in _ors_actions(t.actions)]
    for inv in node.invokes:
        lines += [f"finalize: {label}" for label in _ors_actions(inv.finalize)]
    return lines


def drawing_of(chart: Chart) -> _Drawing:
    """The drawing's model of an analysed chart."""
    states: dict[int, _State] = {}
    for row in chart.states[1:]:
        assert isinstance(row.node, m.State)
        states[row.index] = _State(row.index, row.id, row.kind, row.parent, list(row.children), _notes(row.node))
    initial_rows = {row.initial: row for row in chart.states if row.initial >= 0}
    edges: list[_Edge] = []
    root_initial: list[int] = []
    for t in chart.transitions:
        owner = initial_rows.get(t.index)
        if owner is not None and owner.kind in (ROOT, COMPOUND):
            if owner.kind == ROOT:
                root_initial.extend(t.targets)
            else:
                states[owner.index].initial.extend(t.targets)
            continue
        default = owner is not None and owner.kind in (SHALLOW_HISTORY, DEEP_HISTORY)
        if default or t.node is None:
            label = tooltip = ""
        else:
            label, tooltip = _transition_label(t.node, not t.targets)
        edges.append(
            _Edge(
                t.source,
                tuple(t.targets),
                label,
                tooltip,
                eventless=not default and t.node is not None and not t.node.events,
                internal=bool(t.node is not None and t.node.internal and t.targets),
                default=default,
            )
        )
    return _Drawing(chart.doc.name, states, list(chart.states[0].children), root_initial, edges)


# ---------------------------------------------------------------------------------------------
# Loading: the compiler's front end


def load_chart(
    source: str | bytes | os.PathLike,
    filename: str | None = None,
    base_dir: str | os.PathLike | None = None,
    dialect: str | None = None,
    include_roots: tuple | list = (),
    allow_fetch: bool = False,
) -> tuple[Chart, list[Diagnostic]]:
    """The analysed chart of a file (a path) or of SCXML text, and the warnings; CompileError
    with every diagnostic when the document has errors. A `str` is SCXML text when it starts
    with `<` (after blanks), else a path."""
    if dialect not in (None, "ors", "w3c"):
        raise ValueError(f"dialect must be 'ors' or 'w3c', not {dialect!r}")
    if isinstance(source, os.PathLike) or (isinstance(source, str) and not source.lstrip().startswith("<")):
        path = Path(source)
        try:
            data = read_limited(path)
        except OSError as exc:
            raise CompileError([Diagnostic("error", Location(str(path)), f"cannot read file: {exc.strerror or exc}")]) from None
        filename = filename or str(path)
        base_dir = path.parent if base_dir is None else base_dir
    else:
        data = source.encode("utf-8") if isinstance(source, str) else bytes(source)
        filename = filename or "<string>"
    diags = Diagnostics()
    doc = parse_bytes(data, filename, diags, base_dir=base_dir, allow_fetch=allow_fetch, dialect=dialect, include_roots=include_roots)
    if doc is not None:
        verify(doc, diags)
    diags.raise_if_errors()
    assert doc is not None  # (no document: an error was reported)
    return analyse(doc), diags.warnings


# ---------------------------------------------------------------------------------------------
# The active configuration


def active_states(drawing: _Drawing, active) -> set[int]:
    """The states an `active` configuration names (ids, or one comma-separated string);
    DiagramError for an id that is not a state of the chart."""
    if active is None:
        return set()
    ids = active.split(",") if isinstance(active, str) else [part for item in active for part in str(item).split(",")]
    by_id = {s.id: s for s in drawing.states.values()}
    found, unknown, history = set(), [], []
    for sid in (i.strip() for i in ids):
        if not sid:
            continue
        state = by_id.get(sid)
        if state is None:
            unknown.append(sid)
        elif state.history:
            history.append(sid)
        else:
            found.add(state.index)
    if unknown:
        names = ", ".join(repr(s) for s in unknown)
        raise DiagramError(f"--active: no state {names} in this chart (its states: {_some_ids(drawing)})")
    if history:
        raise DiagramError(f"--active: {', '.join(repr(s) for s in history)} is a history state, never active")
    return found


def _some_ids(drawing: _Drawing, limit: int = 12) -> str:
    ids = [repr(s.id) for s in drawing.states.values() if not s.history]
    return ", ".join(ids[:limit]) + (f", ... ({len(ids)} in all)" if len(ids) > limit else "")


# ---------------------------------------------------------------------------------------------
# DOT


def dot_string(text: str) -> str:
    """A DOT quoted string (an escString: `\\` and `"` escaped, line breaks as `\\n`)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    text = "".join(" " if (ord(ch) < 32 or ch == "\x7f") else ch for ch in text)
    return f'"{text}"'


def _dot_lines(lines: list[str]) -> str:
    """Left-justified lines (`\\l` after each), each escaped."""
    return '"' + "".join(dot_string(line)[1:-1] + "\\l" for line in lines) + '"'


def _attrs(pairs: dict[str, str]) -> str:
    """`[k=v, ...]`; values are already DOT strings or numbers."""
    return "[" + ", ".join(f"{k}={v}" for k, v in pairs.items()) + "]"


class _Dot:
    def __init__(self, drawing: _Drawing, active: set[int]):
        self.d = drawing
        self.active = active
        self.out: list[str] = []

    def line(self, depth: int, text: str) -> None:
        self.out.append("    " * depth + text)

    def anchor(self, index: int) -> str:
        """The node an edge to or from a cluster attaches to (clipped at the cluster's border)."""
        state = self.d.states[index]
        return f"i{index}" if state.initial else f"a{index}"

    def render(self) -> str:
        d = self.d
        name = d.name or "scxml"
        self.line(0, f"digraph {dot_string(name)} {{")
        graph = {"compound": "true", "rankdir": "LR", "fontname": '"Helvetica"', "newrank": "true"}
        if d.name:
            graph |= {"label": dot_string(d.name), "labelloc": "t"}
        self.line(1, f"graph {_attrs(graph)};")
        self.line(1, 'node [fontname="Helvetica", fontsize=11, shape=box, style="rounded"];')
        self.line(1, 'edge [fontname="Helvetica", fontsize=9];')
        if d.initial:
            self.line(1, 'i0 [shape=point, width=0.15, label="", tooltip="initial"];')
        self.children(0, 1)
        for target in d.initial:
            self.edge("i0", 0, target, {})
        for index in sorted(d.states):
            for target in d.states[index].initial:
                self.edge(f"i{index}", index, target, {})
        for e in d.edges:
            self.transition(e)
        self.line(0, "}")
        return "\n".join(self.out) + "\n"

    def children(self, parent: int, depth: int) -> None:
        regions = parent and self.d.states[parent].kind == PARALLEL
        for index in self.d.children_of(parent):
            state = self.d.states[index]
            if state.cluster:
                self.cluster(index, depth, dashed=bool(regions))
            elif regions and not state.history:
                # an atomic region of a parallel state: in a dashed cluster of its own
                self.line(depth, f"subgraph cluster_r{index} {{")
                self.line(depth + 1, 'graph [label="", tooltip="region", style="dashed,rounded", color="#888888", penwidth=1];')
                self.node(index, depth + 1)
                self.line(depth, "}")
            else:
                self.node(index, depth)

    def cluster(self, index: int, depth: int, dashed: bool) -> None:
        state = self.d.states[index]
        style = "dashed,rounded" if dashed else "rounded"
        attrs = {"label": dot_string(state.id), "tooltip": dot_string(state.id), "labeljust": "l"}
        # (every cluster sets its colours: a cluster inherits those of the one around it)
        if index in self.active:
            style += ",bold"
            attrs |= {"color": f'"{ACTIVE_LINE}"', "fontcolor": f'"{ACTIVE_LINE}"', "penwidth": "2.5"}
        else:
            attrs |= {"color": '"#888888"' if dashed else '"black"', "fontcolor": '"black"', "penwidth": "1"}
        attrs["style"] = f'"{style}"'
        self.line(depth, f"subgraph cluster_s{index} {{")
        self.line(depth + 1, f"graph {_attrs(attrs)};")
        if state.initial:
            self.line(depth + 1, f'i{index} [shape=point, width=0.15, label="", tooltip="initial"];')
        else:
            self.line(depth + 1, f'a{index} [shape=point, style=invis, width=0.01, label=""];')
        self.children(index, depth + 1)
        if state.notes:
            # (a note inside its state's cluster)
            self.line(depth + 1, f"n{index} {_attrs(self.note_attrs(state))};")
        self.line(depth, "}")

    def note_attrs(self, state: _State) -> dict[str, str]:
        return {"shape": "note", "style": "filled", "fillcolor": f'"{NOTE_FILL}"', "fontsize": "9", "label": _dot_lines(state.notes)}

    def node(self, index: int, depth: int) -> None:
        state = self.d.states[index]
        attrs: dict[str, str] = {}
        if state.history:
            attrs |= {"shape": "circle", "label": '"H*"' if state.kind == DEEP_HISTORY else '"H"', "width": "0.3", "fixedsize": "true", "fontsize": "9"}
        elif state.kind == FINAL:
            # a bull's eye, its id beside it
            attrs |= {"shape": "doublecircle", "label": '""', "xlabel": dot_string(state.id), "style": "filled", "fillcolor": "black", "width": "0.18", "fixedsize": "true"}
        else:
            attrs |= {"label": dot_string(state.id)}
        attrs["tooltip"] = dot_string(state.id)
        if index in self.active:
            base = "rounded," if attrs.get("shape") is None else ""
            attrs |= {"style": f'"{base}filled,bold"', "fillcolor": f'"{ACTIVE_FILL}"', "color": f'"{ACTIVE_LINE}"', "penwidth": "2"}
        self.line(depth, f"s{index} {_attrs(attrs)};")
        if state.notes:
            self.line(depth, f"n{index} {_attrs(self.note_attrs(state))};")
            self.line(depth, f's{index} -> n{index} [style=dotted, arrowhead=none, tooltip="note"];')

    def endpoint(self, index: int) -> str:
        return self.anchor(index) if self.d.states[index].cluster else f"s{index}"

    def edge(self, tail: str, tail_state: int, head: int, attrs: dict[str, str], tail_cluster: bool = False) -> None:
        d = self.d
        attrs = dict(attrs)
        head_state = d.states[head]
        if head_state.cluster and not (tail_state and d.inside(tail_state, head)):
            attrs["lhead"] = f"cluster_s{head}"
        if tail_cluster and not d.inside(head, tail_state):
            attrs["ltail"] = f"cluster_s{tail_state}"
        self.line(1, f"{tail} -> {self.endpoint(head)}" + (f" {_attrs(attrs)}" if attrs else "") + ";")

    def transition(self, e: _Edge) -> None:
        attrs: dict[str, str] = {}
        if e.label:
            attrs |= {"label": dot_string(e.label), "tooltip": dot_string(e.tooltip)}
        if not e.targets:
            attrs |= {"style": "dotted", "color": f'"{TARGETLESS_COLOR}"', "fontcolor": f'"{TARGETLESS_COLOR}"', "arrowhead": "odot"}
        elif e.eventless:
            attrs["style"] = "dashed"
        if e.internal:
            attrs |= {"color": f'"{INTERNAL_COLOR}"', "fontcolor": f'"{INTERNAL_COLOR}"', "arrowhead": "vee"}
        source = self.d.states[e.source]
        tail = self.endpoint(e.source)
        if not e.targets:
            self.line(1, f"{tail} -> {tail} {_attrs(attrs)};")
            return
        for target in e.targets:
            self.edge(tail, e.source, target, attrs, tail_cluster=source.cluster)


def to_dot(drawing: _Drawing, active: set[int] | frozenset[int] = frozenset()) -> str:
    return _Dot(drawing, set(active)).render()


# ---------------------------------------------------------------------------------------------
# Mermaid (stateDiagram-v2)

# Characters written as they are; anything else becomes an entity code `#<codepoint>;`, which
# Mermaid turns back into the character when it renders (`:` `;` `#` `%` `"` `<` ... would
# otherwise end a label, start a comment or a directive, or be read as HTML).
_MERMAID_PLAIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _.,-()[]*/+=!?'")


def mermaid_text(text: str) -> str:
    out = []
    for ch in text:
        if ch in _MERMAID_PLAIN:
            out.append(ch)
        elif ch in "\r\n\t":
            out.append(" ")
        elif ch.isascii() or not ch.isprintable():
            out.append(f"#{ord(ch)};")
        else:
            out.append(ch)  # printable non-ASCII text (letters of other scripts, ε, …)
    return "".join(out)


class _Mermaid:
    """Mermaid places a state in the block that last mentions it (except the top level): so
    the states are declared in their blocks, and every transition and note is written at the
    top level, after them."""

    def __init__(self, drawing: _Drawing, active: set[int]):
        self.d = drawing
        self.active = active
        self.out: list[str] = []

    def line(self, depth: int, text: str) -> None:
        self.out.append("    " * depth + text)

    def render(self) -> str:
        d = self.d
        self.line(0, "stateDiagram-v2")
        self.block(0, 1)
        for e in d.edges:
            label = f" : {mermaid_text(e.label)}" if e.label else ""
            for target in e.targets or (e.source,):
                self.line(1, f"s{e.source} --> s{target}{label}")
        for index in sorted(d.states):
            notes = d.states[index].notes
            if notes:
                self.line(1, f"note right of s{index} : {'<br/>'.join(mermaid_text(n) for n in notes)}")
        finals = [i for i in sorted(d.states) if d.states[i].kind == FINAL]
        histories = [i for i in sorted(d.states) if d.states[i].history]
        if finals:
            self.line(1, "classDef final stroke-width:4px")
            self.line(1, f"class {','.join(f's{i}' for i in finals)} final")
        if histories:
            self.line(1, "classDef history fill:#ffffff,stroke-dasharray:3 3")
            self.line(1, f"class {','.join(f's{i}' for i in histories)} history")
        if self.active:
            self.line(1, f"classDef active fill:{ACTIVE_FILL},stroke:{ACTIVE_LINE},stroke-width:3px")
            self.line(1, f"class {','.join(f's{i}' for i in sorted(self.active))} active")
        return "\n".join(self.out) + "\n"

    def label(self, state: _State) -> str:
        if state.history:
            return "H*" if state.kind == DEEP_HISTORY else "H"
        return mermaid_text(state.id)

    def child_towards(self, parent: int, index: int) -> int:
        """The child of `parent` that is `index` or contains it."""
        while index and self.d.states[index].parent != parent:
            index = self.d.states[index].parent
        return index

    def block(self, parent: int, depth: int) -> None:
        d = self.d
        initial = d.initial if parent == 0 else d.states[parent].initial
        # (an initial state deeper down: the arrow goes to the child that holds it, as a
        # mention in this block would move the deeper state here)
        for child in dict.fromkeys(self.child_towards(parent, t) for t in initial):
            self.line(depth, f"[*] --> s{child}")
        children = d.children_of(parent)
        if parent and d.states[parent].kind == PARALLEL:
            # regions separated by `--` (history states go with the first)
            history = [i for i in children if d.states[i].history]
            regions = [i for i in children if not d.states[i].history]
            for k, index in enumerate(regions):
                if k:
                    self.line(depth, "--")
                for h in history if k == 0 else ():
                    self.declare(h, depth)
                self.declare(index, depth)
            if not regions:
                for h in history:
                    self.declare(h, depth)
            return  # (a region has no end of its own)
        for index in children:
            self.declare(index, depth)
        for index in children:
            if d.states[index].kind == FINAL:
                self.line(depth, f"s{index} --> [*]")

    def declare(self, index: int, depth: int) -> None:
        state = self.d.states[index]
        head = f'state "{self.label(state)}" as s{index}'
        if not state.cluster:
            self.line(depth, head)
            return
        self.line(depth, head + " {")
        self.block(index, depth + 1)
        if not state.children:
            self.line(depth + 1, f'state " " as e{index}')  # (an empty parallel state)
        self.line(depth, "}")


def to_mermaid(drawing: _Drawing, active: set[int] | frozenset[int] = frozenset()) -> str:
    return _Mermaid(drawing, set(active)).render()


# ---------------------------------------------------------------------------------------------
# Graphviz


def graphviz(dot_text: str, fmt: str, timeout: float = DOT_TIMEOUT_S) -> bytes:
    """Render DOT text with Graphviz's `dot` (`fmt`: svg or png)."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizError(
            f"-f {fmt} needs Graphviz's `dot` program, which is not installed (or not on PATH): install the graphviz "
            "package (apt-get install graphviz, brew install graphviz, ...), or use -f dot or -f mermaid"
        )
    try:
        done = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode("utf-8"), capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"Graphviz's dot did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise GraphvizError(f"cannot run Graphviz's dot ({exe}): {exc.strerror or exc}") from None
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GraphvizError(f"Graphviz's dot failed (exit {done.returncode}): {' '.join(reason[:3]) or 'no output'}")
    return done.stdout


# ---------------------------------------------------------------------------------------------
# Entry points


def render(chart: Chart, format: str = "dot", active=None, timeout: float = DOT_TIMEOUT_S) -> str | bytes:
    """The diagram of an analysed chart: text for mermaid and dot, bytes for svg and png."""
    if format not in FORMATS:
        raise DiagramError(f"unknown diagram format {format!r} (expected one of: {', '.join(FORMATS)})")
    drawing = drawing_of(chart)
    states = active_states(drawing, active)
    if format == "mermaid":
        return to_mermaid(drawing, states)
    text = to_dot(drawing, states)
    return text if format == "dot" else graphviz(text, format, timeout)


def diagram(
    source: str | bytes | os.PathLike,
    format: str = "dot",
    active: str | list[str] | tuple[str, ...] | None = None,
    *,
    filename: str | None = None,
    base_dir: str | os.PathLike | None = None,
    dialect: str | None = None,
    include_roots: tuple | list = (),
    allow_fetch: bool = False,
    timeout: float = DOT_TIMEOUT_S,
) -> str | bytes:
    """The diagram of a chart, after its `xi:include`s are merged: `source` is a path, or SCXML
    text (a str starting with `<`, or bytes); `format` mermaid or dot (text) or svg or png
    (bytes, through Graphviz's `dot`); `active`: state ids to highlight (a list, or one
    comma-separated string). Raises CompileError for a document with errors, DiagramError for
    an unknown format or id, GraphvizError when `dot` is missing or fails; compile warnings are
    reported as CompileWarning."""
    if format not in FORMATS:
        raise DiagramError(f"unknown diagram format {format!r} (expected one of: {', '.join(FORMATS)})")
    chart, found = load_chart(source, filename, base_dir, dialect, include_roots, allow_fetch)
    for d in found:
        warnings.warn(str(d), CompileWarning, stacklevel=2)
    return render(chart, format, active, timeout)


__all__ = ["FORMATS", "DiagramError", "GraphvizError", "diagram", "load_chart", "render", "to_dot", "to_mermaid"]
