"""Document model: the SCXML document as frozen dataclasses, every node with its source location."""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Location

SCXML_NS = "http://www.w3.org/2005/07/scxml"


@dataclass(frozen=True)
class Node:
    loc: Location


# ---------------------------------------------------------------------------------------------
# Executable content (SCXML 1.0 section 4)


@dataclass(frozen=True)
class Param(Node):
    name: str
    expr: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class Content(Node):
    """<content>: either expr, or a body that is text or XML (serialised)."""

    expr: str | None = None
    text: str | None = None  # text body (no element children)
    xml: str | None = None  # serialised element children
    scxml: "Document | None" = None  # an inline <scxml> child (for <invoke>)


@dataclass(frozen=True)
class Raise(Node):
    event: str
    # ORS: <raise> carries data from its <param>s and namelist (ors-dialect.md §4.5)
    params: tuple["Param", ...] = ()
    namelist: tuple[str, ...] = ()


@dataclass(frozen=True)
class Log(Node):
    label: str | None
    expr: str | None
    level: int | None = None  # ORS <log level> (1 reporting, 2 error, 3 warning, 4 debug)


@dataclass(frozen=True)
class Assign(Node):
    location: str
    expr: str | None
    content: Content | None = None


@dataclass(frozen=True)
class Script(Node):
    source: str
    src: str | None = None  # where the source came from, when loaded from a file


@dataclass(frozen=True)
class If(Node):
    # (cond, actions) per branch; cond None for <else>
    branches: tuple[tuple[str | None, tuple["Action", ...]], ...]


@dataclass(frozen=True)
class Foreach(Node):
    array: str
    item: str
    index: str | None
    actions: tuple["Action", ...]


@dataclass(frozen=True)
class Send(Node):
    event: str | None = None
    eventexpr: str | None = None
    target: str | None = None
    targetexpr: str | None = None
    type: str | None = None
    typeexpr: str | None = None
    id: str | None = None
    idlocation: str | None = None
    delay: str | None = None
    delayexpr: str | None = None
    namelist: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    content: Content | None = None
    ors: bool = False  # ORS semantics of target, type and numeric delays (ors-dialect.md §4.2-§4.3)
    hints: str | None = None  # ORS: evaluated and ignored


@dataclass(frozen=True)
class Cancel(Node):
    sendid: str | None = None
    sendidexpr: str | None = None
    ors: bool = False  # ORS: reply with cancel.successful or error.notallowed (§4.4)


@dataclass(frozen=True)
class Foreign(Node):
    """An element of another namespace inside executable content (extension modules)."""

    namespace: str
    tag: str
    attrib: tuple[tuple[str, str], ...]
    xml: str


@dataclass(frozen=True)
class ModuleAction(Node):
    """An action element of a registered extension module (`<session:fetch>`, ...): what the
    document wrote; scxmlc/extensions checks it against the module's declaration."""

    module: str  # the module's short name ("session")
    namespace: str  # canonical namespace URI
    tag: str
    attrs: tuple[tuple[str, str], ...]  # attributes without a namespace, in document order
    params: tuple[Param, ...] = ()
    contents: tuple[Content, ...] = ()
    children: tuple["ModuleAction", ...] = ()  # elements of the same module it contains
    others: tuple[tuple[str, Location], ...] = ()  # any other child element: (its name, where)
    # children of another module of the same family (<dialog:runtreatments> in <queue:submit>):
    # not supported yet, ignored with a warning
    ignored: tuple[tuple[str, Location], ...] = ()

    def attr(self, name: str) -> str | None:
        for key, value in self.attrs:
            if key == name:
                return value
        return None

    @property
    def label(self) -> str:
        return f"{self.module}:{self.tag}"


Action = Raise | Log | Assign | Script | If | Foreach | Send | Cancel | Foreign | ModuleAction


# ---------------------------------------------------------------------------------------------
# States and transitions (SCXML 1.0 section 3)


@dataclass(frozen=True)
class Transition(Node):
    events: tuple[str, ...]
    cond: str | None
    targets: tuple[str, ...]
    internal: bool
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Data(Node):
    id: str
    expr: str | None = None
    src: str | None = None
    src_text: str | None = None  # contents of src, loaded at compile time
    content: Content | None = None


@dataclass(frozen=True)
class DoneData(Node):
    content: Content | None
    params: tuple[Param, ...]


@dataclass(frozen=True)
class Invoke(Node):
    type: str | None = None
    typeexpr: str | None = None
    src: str | None = None
    srcexpr: str | None = None
    id: str | None = None
    idlocation: str | None = None
    namelist: tuple[str, ...] = ()
    autoforward: bool = False
    params: tuple[Param, ...] = ()
    content: Content | None = None
    finalize: tuple[Action, ...] = ()
    src_document: "Document | None" = None  # the child of a file: src, parsed at compile time


@dataclass(frozen=True)
class State(Node):
    """<state>, <parallel>, <final> or <history>; `kind` says which."""

    kind: str  # "state" | "parallel" | "final" | "history"
    id: str | None
    initial_attr: tuple[str, ...] = ()
    initial: Transition | None = None  # from an <initial> child
    history_type: str = "shallow"  # for kind == "history"
    children: tuple["State", ...] = ()
    transitions: tuple[Transition, ...] = ()
    onentry: tuple[tuple[Action, ...], ...] = ()
    onexit: tuple[tuple[Action, ...], ...] = ()
    data: tuple[Data, ...] = ()
    invokes: tuple[Invoke, ...] = ()
    donedata: DoneData | None = None


@dataclass(frozen=True)
class Document(Node):
    name: str | None
    datamodel: str  # "ecmascript" or "null" (others are rejected by the verifier)
    binding: str  # "early" or "late"
    initial_attr: tuple[str, ...]
    children: tuple[State, ...]
    data: tuple[Data, ...] = ()
    scripts: tuple[Script, ...] = ()
    foreign: tuple[Foreign, ...] = field(default=())
    # Files read at compile time (script/data/invoke src, transitively): a build step must
    # recompile the chart when one of them changes.
    dependencies: tuple[str, ...] = ()
    # The script environment of an extension family the document belongs to ("genesys": it
    # declares or uses a Genesys module namespace), or None.
    environment: str | None = None
    ors: bool = False  # the ORS dialect's rules apply (ors-dialect.md §1)
    mode: str = ""  # which dialect, and why ("compiled as an ORS document: ...")
    persist: bool = True  # ORS `_persist` (ors-dialect.md §2.2)
