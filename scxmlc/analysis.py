"""Analysis: flatten a verified document into document-ordered state and transition tables.

State 0 is the <scxml> element; every other state gets the next index in document order, so
the runtime's bit masks sort by document order for free. Domains are computed
here whenever no history target makes them depend on the run (SCXML Appendix D,
getTransitionDomain); per atomic state we list the candidate transitions in selection order.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from scxmlc_runtime.tables import ATOMIC, COMPOUND, DEEP_HISTORY, FINAL, PARALLEL, ROOT, SHALLOW_HISTORY

from . import model as m


@dataclass
class StateRow:
    index: int
    id: str
    kind: int
    parent: int
    node: m.State | m.Document
    fname: str  # prefix of the generated function names of this state
    children: list[int] = field(default_factory=list)
    ancestors: list[int] = field(default_factory=list)
    descendants: int = 0
    initial: int = -1
    history: list[int] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    transitions: list[int] = field(default_factory=list)  # own transitions (not initial)


@dataclass
class TransitionRow:
    index: int
    source: int
    events: tuple[str, ...]
    targets: tuple[int, ...]
    internal: bool
    node: m.Transition | None  # None for a synthesised initial transition
    fname: str
    domain: int = -1  # -1: none (targetless) or dynamic (history targets)

    @property
    def cond(self) -> str | None:
        return self.node.cond if self.node is not None else None

    @property
    def actions(self) -> tuple:
        return self.node.actions if self.node is not None else ()

    @property
    def line(self) -> int:
        return self.node.loc.line if self.node is not None else 0


@dataclass
class Chart:
    doc: m.Document
    states: list[StateRow]
    transitions: list[TransitionRow]

    def state(self, i: int) -> StateRow:
        return self.states[i]


def normalise_descriptor(desc: str) -> str:
    # SCXML 3.12.1: "foo", "foo." and "foo.*" are the same descriptor; ".*" is "" (matches all).
    if desc.endswith(".*"):
        desc = desc[:-2]
    elif desc.endswith(".") and desc != ".":
        desc = desc[:-1]
    return desc


_IDENT_BAD = re.compile(r"[^0-9A-Za-z_]")


def python_name(text: str) -> str:
    """An ASCII identifier fragment derived from an SCXML id (never empty, never a keyword)."""
    name = _IDENT_BAD.sub("_", text) or "_"
    if name[0].isdigit():
        name = "_" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


def analyse(doc: m.Document, prefix: str = "") -> Chart:
    """Tables of one chart; `prefix` keeps the function names of child charts (compiled into
    the same module for <invoke>) apart from their parent's."""
    return _Analyser(doc, prefix).run()


class _Analyser:
    def __init__(self, doc: m.Document, prefix: str = ""):
        self.doc = doc
        self.prefix = prefix
        self.states: list[StateRow] = []
        self.transitions: list[TransitionRow] = []
        self.by_id: dict[str, int] = {}
        self.fnames: set[str] = set()

    def unique_fname(self, base: str) -> str:
        base = self.prefix + base
        name = base
        n = 2
        while name in self.fnames:
            name = f"{base}_{n}"
            n += 1
        self.fnames.add(name)
        return name

    def run(self) -> Chart:
        doc = self.doc
        root = StateRow(0, "", ROOT, -1, doc, fname=self.unique_fname("scxml"))
        self.states.append(root)
        self.add_children(root, doc.children)
        for row in self.states:
            for anc in row.ancestors:
                self.states[anc].descendants |= 1 << row.index
        # Transitions in document order of their source states.
        for row in self.states[1:]:
            node = row.node
            for k, t in enumerate(node.transitions, 1):
                if row.kind in (SHALLOW_HISTORY, DEEP_HISTORY):
                    row.initial = self.add_transition(row, t, f"{row.fname}_default")
                else:
                    row.transitions.append(self.add_transition(row, t, f"{row.fname}_t{k}"))
        for row in self.states:
            if row.kind in (COMPOUND, ROOT):
                row.initial = self.initial_transition(row)
        for row in self.states:
            if row.kind in (ATOMIC, FINAL):
                cands = list(row.transitions)
                for anc in row.ancestors:
                    cands.extend(self.states[anc].transitions)
                row.candidates = cands
        for t in self.transitions:
            self.compute_domain(t)
        return Chart(doc, self.states, self.transitions)

    def add_children(self, parent: StateRow, children) -> None:
        for pos, node in enumerate(children, 1):
            index = len(self.states)
            kind = self.kind_of(node)
            sid = node.id if node.id is not None else f"{parent.id}#{pos}"
            # (never a leading underscore: `_` + fname names the state's functions, and a name
            # starting with two underscores would be mangled in the class body that lists them)
            base = python_name(node.id).lstrip("_") or "state" if node.id is not None else f"{parent.fname[len(self.prefix):]}_{node.kind}{pos}"
            row = StateRow(index, sid, kind, parent.index, node, fname=self.unique_fname(base))
            row.ancestors = [parent.index, *parent.ancestors]
            self.states.append(row)
            self.by_id[sid] = index
            parent.children.append(index)
            if kind in (SHALLOW_HISTORY, DEEP_HISTORY):
                parent.history.append(index)
            self.add_children(row, node.children)

    @staticmethod
    def kind_of(node: m.State) -> int:
        if node.kind == "history":
            return DEEP_HISTORY if node.history_type == "deep" else SHALLOW_HISTORY
        if node.kind == "final":
            return FINAL
        if node.kind == "parallel":
            return PARALLEL
        return COMPOUND if any(c.kind != "history" for c in node.children) else ATOMIC

    def add_transition(self, row: StateRow, t: m.Transition | None, fname: str, targets=None) -> int:
        index = len(self.transitions)
        if targets is None:
            targets = tuple(self.by_id[x] for x in t.targets if x in self.by_id)
        events = tuple(normalise_descriptor(e) for e in t.events) if t is not None else ()
        self.transitions.append(
            # fname is built from the (already prefixed) state's fname
            TransitionRow(
                index, row.index, events, targets, bool(t and t.internal), t, self.unique_fname(fname[len(self.prefix) :])
            )
        )
        return index

    def initial_transition(self, row: StateRow) -> int:
        node = row.node
        if isinstance(node, m.State) and node.initial is not None:
            return self.add_transition(row, node.initial, f"{row.fname}_initial")
        ids = node.initial_attr
        if ids:
            targets = tuple(self.by_id[x] for x in ids if x in self.by_id)
        else:
            # SCXML 3.3: without `initial`, the first child state in document order.
            first = next(c for c in row.children if self.states[c].kind not in (SHALLOW_HISTORY, DEEP_HISTORY))
            targets = (first,)
        return self.add_transition(row, None, f"{row.fname}_initial", targets=targets)

    def is_descendant(self, s: int, anc: int) -> bool:
        return bool(self.states[anc].descendants >> s & 1)

    def compute_domain(self, t: TransitionRow) -> None:
        """Appendix D getTransitionDomain, when it does not depend on history."""
        if not t.targets:
            return
        if any(self.states[s].kind in (SHALLOW_HISTORY, DEEP_HISTORY) for s in t.targets):
            return  # effective targets (and so the domain) depend on recorded history
        source = t.source
        if source == 0:
            domain = 0  # the document's initial transition
        elif (
            t.internal
            and self.states[source].kind == COMPOUND
            and all(self.is_descendant(s, source) for s in t.targets)
        ):
            domain = source
        else:
            domain = self.find_lcca([source, *t.targets])
        t.domain = domain

    def find_lcca(self, states: list[int]) -> int:
        head, tail = states[0], states[1:]
        for anc in self.states[head].ancestors:
            if self.states[anc].kind in (COMPOUND, ROOT) and all(self.is_descendant(s, anc) for s in tail):
                return anc
        return 0
