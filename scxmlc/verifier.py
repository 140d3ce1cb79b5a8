"""Verifier: reference and consistency checks over the document model; reports all problems at once.

Placement of elements is checked while parsing (parser.py); here we check what needs the whole
document: ids, targets, `initial`, history defaults, the datamodel, event descriptors.
"""

from __future__ import annotations

import ast
import re

from . import extensions
from . import model as m
from .diagnostics import Diagnostics

SUPPORTED_DATAMODELS = ("ecmascript", "null")
# SCXML 3.12.1: an event descriptor is a series of alphanumeric tokens separated by dots,
# optionally ending in ".*"; "*" alone matches every event.
_EVENT_DESCRIPTOR = re.compile(r"^(\*|[^\s.*]+(\.[^\s.*]+)*(\.\*|\.)?)$")
# SCXML 3.14: ids are xsd:ID values (XML NCNames).
_NCNAME = re.compile(r"^[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*$")


def walk_states(states):
    for s in states:
        yield s
        yield from walk_states(s.children)


def walk_actions(actions):
    """Executable content in document order, nested <if>/<foreach> content included."""
    for a in actions:
        yield a
        if isinstance(a, m.If):
            for _, branch in a.branches:
                yield from walk_actions(branch)
        elif isinstance(a, m.Foreach):
            yield from walk_actions(a.actions)


def document_actions(doc: m.Document):
    """Every action element of a document's states and transitions."""
    for s in walk_states(doc.children):
        for block in (*s.onentry, *s.onexit):
            yield from walk_actions(block)
        for t in (*s.transitions, *((s.initial,) if s.initial is not None else ())):
            yield from walk_actions(t.actions)
        for inv in s.invokes:
            yield from walk_actions(inv.finalize)


def verify(doc: m.Document, diags: Diagnostics) -> None:
    _Verifier(doc, diags).run()


class _Verifier:
    def __init__(self, doc: m.Document, diags: Diagnostics):
        self.doc = doc
        self.diags = diags
        self.by_id: dict[str, m.State] = {}
        self.parent: dict[int, m.State | m.Document] = {}

    def run(self) -> None:
        doc = self.doc
        if doc.datamodel not in SUPPORTED_DATAMODELS:
            self.diags.error(
                doc.loc,
                f"unsupported datamodel '{doc.datamodel}' (supported: {', '.join(SUPPORTED_DATAMODELS)})",
            )
        if not doc.children:
            self.diags.error(doc.loc, "<scxml> must contain at least one <state>, <parallel> or <final>")
        self.index(doc.children, doc)
        self.check_initial(doc, doc.initial_attr, doc.children, "<scxml>")
        data_ids: dict[str, m.Data] = {}
        for d in [*doc.data, *(d for s in walk_states(doc.children) for d in s.data)]:
            if d.id in data_ids:
                self.diags.error(d.loc, f"duplicate data id '{d.id}' (first defined at line {data_ids[d.id].loc.line})")
            else:
                data_ids[d.id] = d
        for s in walk_states(doc.children):
            self.check_state(s)
        for action in document_actions(doc):
            if isinstance(action, m.ModuleAction):
                self.check_module_action(action)
            elif isinstance(action, m.Foreign):
                self.check_foreign(action)

    # -- extension elements (ors-extensions.md §1.1, §12) -----------------------------------

    def check_foreign(self, a: m.Foreign) -> None:
        module = extensions.lookup(a.namespace)
        if module is not None:
            element = module.declaration.elements.get(a.tag)
            if element is None and not module.declaration.open:
                self.diags.error(a.loc, f"unknown element <{module.name}:{a.tag}> (module '{module.name}', namespace {a.namespace})")
            else:
                self.diags.warning(a.loc, f"<{module.name}:{a.tag}> is not supported; it raises error.unsupported.element when run")
        elif extensions.family(a.namespace) is not None:
            self.diags.warning(
                a.loc, f"element <{a.tag}> of namespace {a.namespace} is not supported yet; it raises error.unsupported.element when run"
            )
        else:
            self.diags.warning(a.loc, f"element <{a.tag}> of namespace {a.namespace} is not supported; it raises error.execution when run")

    def check_module_action(self, a: m.ModuleAction, element=None) -> None:
        """The §12 checks that follow from the module's declaration, then the module's own;
        `element`: the declaration of a nested element (default: the module's element)."""
        module = extensions.lookup(a.namespace)
        if element is None:
            element = module.declaration.elements[a.tag]
        where = f"<{a.label}>"
        declared = {attr.name: attr for attr in element.attrs}
        for name, _ in a.attrs:
            if name not in declared:
                self.diags.warning(a.loc, f"unknown attribute '{name}' on {where} is ignored")
        for attr in element.attrs:
            value = a.attr(attr.name)
            if value is None:
                if attr.required:
                    self.diags.error(a.loc, f"{where} requires the attribute '{attr.name}'")
                continue
            if attr.kind == "location":
                self.check_location(a, attr.name, value)
            elif attr.values:
                literal = value if attr.kind == "literal" else extensions.static_string(value)
                if literal is not None and literal.strip().lower() not in attr.values:
                    allowed = ", ".join(attr.values)
                    self.diags.error(a.loc, f"{where} {attr.name} must be one of {allowed}, not {literal!r}")
        if a.params and not element.params:
            self.diags.error(a.params[0].loc, f"<param> is not allowed in {where}")
        if a.contents and not element.content:
            self.diags.error(a.contents[0].loc, f"<content> is not allowed in {where}")
        elif len(a.contents) > 1:
            self.diags.error(a.contents[1].loc, f"{where} may have only one <content>")
        for tag, loc in a.others:
            self.diags.error(loc, f"<{tag}> is not allowed in {where}")
        for tag, loc in a.ignored:
            self.diags.warning(loc, f"element {tag} in {where} is not supported yet; it is ignored")
        for child in a.children:
            self.check_module_action(child, element.child(child.tag))
        if module.check is not None:
            module.check(a, element, self.diags)

    def check_location(self, a: m.ModuleAction, name: str, source: str) -> None:
        from .ecmascript import ECMAScriptSyntaxError, Transpiler

        try:
            Transpiler().assign(source, ast.Name("_v", ast.Load()))
        except ECMAScriptSyntaxError as exc:
            self.diags.error(a.loc, f"<{a.label}> {name}={source!r} is not a location that can be assigned: {exc.message}")

    def index(self, states, parent) -> None:
        for s in states:
            self.parent[id(s)] = parent
            if s.id is not None:
                if not _NCNAME.match(s.id):
                    self.diags.error(s.loc, f"invalid state id '{s.id}' (must be an XML name)")
                if s.id in self.by_id:
                    first = self.by_id[s.id].loc
                    if first.file != s.loc.file:
                        # two files merged by xi:include (ors-dialect.md §3.4)
                        self.diags.error(s.loc, f"duplicate state id '{s.id}' after the includes are merged (first defined at {first}) [ORS-E15]")
                    else:
                        self.diags.error(s.loc, f"duplicate state id '{s.id}' (first defined at line {first.line})")
                else:
                    self.by_id[s.id] = s
            self.index(s.children, s)

    def is_descendant(self, s: m.State, ancestor) -> bool:
        p = self.parent.get(id(s))
        while p is not None:
            if p is ancestor:
                return True
            p = self.parent.get(id(p))
        return False

    def resolve(self, t: m.Transition) -> list[m.State]:
        out = []
        for target in t.targets:
            s = self.by_id.get(target)
            if s is None:
                self.diags.error(t.loc, f"transition target '{target}' does not exist")
            else:
                out.append(s)
        return out

    def check_initial(self, owner, ids, children, what: str) -> None:
        for sid in ids:
            s = self.by_id.get(sid)
            if s is None:
                self.diags.error(owner.loc, f"initial state '{sid}' of {what} does not exist")
            elif not self.is_descendant(s, owner):
                self.diags.error(owner.loc, f"initial state '{sid}' is not a descendant of {what}")
        self.check_same_region(owner, [self.by_id[i] for i in ids if i in self.by_id], what)

    def check_same_region(self, owner, targets: list[m.State], what: str, label: str = "initial states") -> None:
        # SCXML 3.11: several targets must be active together, i.e. lie in distinct regions of
        # a <parallel>: their least common ancestor is one. Two where one contains the other,
        # or two children of a <state> (the algorithm would enter both: Appendix D does not
        # check), make no legal configuration.
        for i, a in enumerate(targets):
            for b in targets[i + 1 :]:
                if a is b or self.is_descendant(a, b) or self.is_descendant(b, a) or not self.apart_in_parallel(a, b):
                    self.diags.error(owner.loc, f"{label} '{a.id}' and '{b.id}' of {what} conflict: they cannot be active together (only states in distinct regions of a <parallel> can)")

    def apart_in_parallel(self, a: m.State, b: m.State) -> bool:
        """Is the least common ancestor of `a` and `b` a <parallel>?"""
        ancestors = []
        p = self.parent.get(id(a))
        while p is not None:
            ancestors.append(p)
            p = self.parent.get(id(p))
        p = self.parent.get(id(b))
        while p is not None:
            if any(p is x for x in ancestors):
                return getattr(p, "kind", None) == "parallel"
            p = self.parent.get(id(p))
        return False

    def check_state(self, s: m.State) -> None:
        name = f"<{s.kind}> '{s.id}'" if s.id else f"<{s.kind}>"
        for t in s.transitions:
            resolved = self.resolve(t)
            if len(resolved) > 1:
                self.check_same_region(t, resolved, "the transition", "targets")
            for desc in t.events:
                if desc == ".*":
                    # The W3C tests use ".*"; stripping the ".*" suffix (3.12.1) leaves the empty
                    # prefix, which every event name matches, i.e. the same as "*".
                    self.diags.warning(t.loc, "event descriptor '.*' is read as '*'")
                elif not _EVENT_DESCRIPTOR.match(desc):
                    self.diags.error(t.loc, f"invalid event descriptor '{desc}'")
        if s.kind == "state":
            self.check_initial(s, s.initial_attr, s.children, name)
            for target_id in [*s.initial_attr, *(s.initial.targets if s.initial is not None else ())]:
                target = self.by_id.get(target_id)
                if target is not None and target.kind == "history" and not target.transitions and self.parent.get(id(target)) is s:
                    # (its default would be the parent's initial: itself; entering would never end)
                    self.diags.error(target.loc, f"<history> '{target.id}' is the initial state of {name}, so it needs a default <transition>")
            if s.initial is not None:
                if not [c for c in s.children if c.kind != "history"]:
                    self.diags.error(s.initial.loc, f"<initial> in {name}, which has no child states")
                for target in self.resolve(s.initial):
                    if not self.is_descendant(target, s):
                        self.diags.error(s.initial.loc, f"initial target '{target.id}' is not a descendant of {name}")
                self.check_same_region(s, [x for x in (self.by_id.get(i) for i in s.initial.targets) if x], name)
        if s.kind == "history":
            self.check_history(s, name)

    def check_history(self, h: m.State, name: str) -> None:
        parent = self.parent[id(h)]
        if len(h.transitions) > 1:
            self.diags.error(h.loc, f"{name} must have at most one default <transition>")
        for t in h.transitions:
            if t.events or t.cond:
                self.diags.error(t.loc, f"the default transition of {name} must not have 'event' or 'cond'")
            if not t.targets:
                self.diags.error(t.loc, f"the default transition of {name} must have a target")
            for target in self.resolve(t):
                # SCXML 3.10.2: shallow history defaults to children of the parent, deep to descendants.
                ok = (
                    self.parent.get(id(target)) is parent
                    if h.history_type == "shallow"
                    else self.is_descendant(target, parent)
                )
                if not ok or target is h:
                    what = "a child" if h.history_type == "shallow" else "a descendant"
                    self.diags.error(t.loc, f"default target '{target.id}' of {name} must be {what} of its parent state")
