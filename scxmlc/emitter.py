"""Emitter: renders the generated module from templates/ with jinja2, formats it with black (a module that is written), checks it."""

from __future__ import annotations

import ast
import builtins
import keyword
import re
from importlib import resources

import jinja2

from scxmlc_runtime.tables import ATOMIC, COMPOUND, DEEP_HISTORY, FINAL, PARALLEL, ROOT, SHALLOW_HISTORY

from . import __version__
from .analysis import Chart, python_name
from .lowering import MARKER, Lowered

_KIND_NAMES = {
    ROOT: "ROOT",
    ATOMIC: "ATOMIC",
    COMPOUND: "COMPOUND",
    PARALLEL: "PARALLEL",
    FINAL: "FINAL",
    SHALLOW_HISTORY: "SHALLOW_HISTORY",
    DEEP_HISTORY: "DEEP_HISTORY",
}
def _reserved() -> frozenset:
    """Names a generated module imports or defines: a chart's class must not take one (a
    chart named `JSFunction` would shadow the runtime's JSFunction for every function)."""
    import scxmlc_runtime
    import scxmlc_runtime.js

    return frozenset({"Chart", *_KIND_NAMES.values(), *scxmlc_runtime.__all__, *scxmlc_runtime.js.__all__})


_RESERVED = _reserved()
# ast.unparse writes a marker as '...' or, first in a function body, as a """docstring""".
_MARKER_LINE = re.compile(r"^(\s*)('|\"|\"\"\"|\'\'\')" + re.escape(MARKER) + r"(.*)\2$")


def _template(name: str) -> jinja2.Template:
    text = resources.files("scxmlc.templates").joinpath(name).read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    return env.from_string(text)


_MODULE = _template("module.py.j2")
_TABLES = _template("tables.py.j2")
# Stands in for the tables while black formats the module: black is slow on one huge
# expression (seconds for a 1000-state chart), and the tables are laid out by hand anyway.
_TABLES_PLACEHOLDER = "    STATES = TRANSITIONS = ()  # scxmlc: tables"
# Size policy: black takes about a second per 1,500 lines, and far longer on one huge
# expression (its line splitting is quadratic). Functions nobody reads line by line at that
# size are written as ast.unparse wrote them, between `# fmt: off` and `# fmt: on`, so the
# module stays black-stable: every function of a module whose functions exceed
# VERBATIM_MODULE_LINES lines, and any function of more than VERBATIM_FUNCTION_CHARS characters.
VERBATIM_MODULE_LINES = 3000
VERBATIM_FUNCTION_CHARS = 20_000
_VERBATIM_PLACEHOLDER = "# scxmlc: verbatim"


def class_name_for(label: str) -> str:
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", label) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Chart"
    if name[0].isdigit():
        name = "Chart" + name
    if name in _RESERVED or keyword.iskeyword(name) or hasattr(builtins, name):
        name += "Chart"  # (not a keyword, not an import, not a built-in the module relies on)
    return name


def _safe_comment(text: str) -> str:
    """Text for a `#` comment: printable, one line (file names are untrusted too)."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _name(n: str) -> ast.Name:
    return ast.Name(n, ast.Load())


def _call(func: str, **kw) -> str:
    node = ast.Call(_name(func), [], [ast.keyword(k, v) for k, v in kw.items()])
    return ast.unparse(node)


def _tuple(items) -> ast.expr:
    return ast.Tuple(list(items), ast.Load())


def _fn_tuple(names) -> ast.expr:
    return _tuple(_name(n) for n in names)


def _state_rows(chart: Chart, lowered: Lowered) -> list[str]:
    rows = []
    for row in chart.states:
        fns = lowered.state_fns.get(row.index, {})
        kw: dict[str, ast.expr] = {
            "id": ast.Constant(row.id),
            "kind": _name(_KIND_NAMES[row.kind]),
            "parent": ast.Constant(row.parent),
        }
        if row.children:
            kw["children"] = _tuple(ast.Constant(c) for c in row.children)
        if row.ancestors:
            kw["ancestors"] = _tuple(ast.Constant(a) for a in row.ancestors)
        if row.descendants:
            kw["descendants"] = ast.Constant(row.descendants)
        if row.initial >= 0:
            kw["initial"] = ast.Constant(row.initial)
        for key in ("onentry", "onexit"):
            if fns.get(key):
                kw[key] = _fn_tuple(fns[key])
        if fns.get("data"):
            kw["data"] = _tuple(
                _tuple([ast.Constant(i), _name(f) if f else ast.Constant(None)]) for i, f in fns["data"]
            )
        if fns.get("donedata"):
            kw["donedata"] = _name(fns["donedata"])
        if row.candidates:
            kw["candidates"] = _tuple(ast.Constant(t) for t in row.candidates)
        if fns.get("selectors"):
            kw["selectors"] = _tuple(_tuple([ast.Constant(e), _name(f)]) for e, f in fns["selectors"])
        if fns.get("handlers"):
            kw["handlers"] = _tuple(_tuple([ast.Constant(e), _name(f)]) for e, f in fns["handlers"])
        if row.history:
            kw["history"] = _tuple(ast.Constant(h) for h in row.history)
        if fns.get("invokes"):
            kw["invokes"] = _tuple(
                ast.Call(_name("InvokeDef"), [], [ast.keyword(k, v) for k, v in inv.items()]) for inv in fns["invokes"]
            )
        kw["line"] = ast.Constant(row.node.loc.line)
        rows.append(_call("StateDef", **kw))
    return rows


def _transition_rows(chart: Chart, lowered: Lowered) -> list[str]:
    rows = []
    for t in chart.transitions:
        fns = lowered.transition_fns.get(t.index, {})
        kw = {"source": ast.Constant(t.source)}
        if t.events:
            kw["events"] = _tuple(ast.Constant(e) for e in t.events)
        if fns.get("cond"):
            kw["cond"] = _name(fns["cond"])
        if t.targets:
            kw["targets"] = _tuple(ast.Constant(x) for x in t.targets)
        if t.internal:
            kw["internal"] = ast.Constant(True)
        if fns.get("action"):
            kw["action"] = _name(fns["action"])
        if t.domain >= 0:
            # The exit set is config & descendants(domain); the runtime takes the mask from
            # the state table instead of repeating it per transition.
            kw["domain"] = ast.Constant(t.domain)
        kw["line"] = ast.Constant(t.line)
        rows.append(_call("TransitionDef", **kw))
    return rows


def _step_row(blocks: tuple, after: int, name: str) -> str:
    """A row of STEPS: the (configuration, block) pairs a compiled step stands for, the
    configuration after, and the step."""
    pairs = _tuple(_tuple([ast.Constant(config), _name(block)]) for config, block in blocks)
    return ast.unparse(_tuple([pairs, ast.Constant(after), _name(name)]))


class Unit:
    """One chart of a module: the main chart, or a child compiled for an <invoke>."""

    def __init__(self, chart: Chart, lowered: Lowered, class_name: str, label: str):
        self.chart = chart
        self.lowered = lowered
        self.class_name = class_name
        self.label = label


def emit(units: list[Unit], source_name: str, dependencies: tuple[str, ...] = (), format: bool = True) -> str:
    """The module of a chart; `units` lists child charts first and the main chart last.
    `format=False`: not formatted with black, for a module compiled into memory (api.load):
    nobody reads it but a traceback, and black takes three quarters of a compile. The same
    code, as deterministic, with ast.unparse's long lines."""
    main = units[-1]
    functions = []
    helpers: set[str] = set()
    # what the tables name (the module imports only what it uses)
    runtime_names = {"Machine", "StateDef", "TransitionDef"}
    classes = []
    tables = []
    for i, unit in enumerate(units):
        lowered = unit.lowered
        helpers |= lowered.helpers
        if any(isinstance(n, ast.Name) and n.id == "UNDEFINED" for fn in lowered.functions for n in ast.walk(fn)):
            helpers.add("UNDEFINED")
        runtime_names |= {_KIND_NAMES[row.kind] for row in unit.chart.states}
        if any(fns.get("invokes") for fns in lowered.state_fns.values()):
            runtime_names.add("InvokeDef")
        functions += [
            f"# {_safe_comment(lowered.comments[fn.name])}\n{_comments(ast.unparse(fn))}" for fn in lowered.functions
        ]
        doc = unit.chart.doc
        label = _safe_comment(unit.label).replace('"', "'").replace("\\", "/")
        placeholder = f"{_TABLES_PLACEHOLDER} {i}"
        classes.append(
            {
                "class_name": unit.class_name,
                "doc": f"The {label} statechart" if unit is main else f"A child chart of {main.class_name} ({label})",
                "n_states": len(unit.chart.states) - 1,
                "n_transitions": len(unit.chart.transitions),
                "name_literal": repr(doc.name),
                "datamodel_literal": repr(doc.datamodel),
                "binding_literal": repr(doc.binding),
                "global_scripts": lowered.global_scripts,
                "tables": placeholder,
                # extension modules: only charts that use them carry these
                "actions": repr(tuple(sorted(lowered.actions))) if lowered.actions else None,
                "environment": repr(doc.environment) if doc.environment else None,
                "request_owners": repr(tuple(sorted(lowered.request_owners))) if lowered.request_owners else None,
                "persist": doc.persist,
            }
        )
        rendered = _TABLES.render(
            states=_state_rows(unit.chart, lowered),
            transitions=_transition_rows(unit.chart, lowered),
            steps=[_step_row(*step) for step in lowered.steps],
            raises=[ast.unparse(_tuple([_name(block), ast.Constant(event)])) for block, event in lowered.raises],
        ).rstrip("\n")
        tables.append((placeholder, rendered))
    functions, verbatim = _verbatim_regions(functions)
    source = _MODULE.render(
        version=__version__,
        source_name=_safe_comment(source_name),
        dependencies=[_safe_comment(d) for d in dependencies],
        chart_label=_safe_comment(main.label).replace('"', "'").replace("\\", "/"),
        class_name=main.class_name,
        # (a chart without ECMAScript imports nothing from the JS package, whose first name
        # asked loads the operators and built-ins: docs/architecture.md, "Start-up")
        js_imports=sorted(helpers),
        runtime_imports=sorted(runtime_names),
        functions=functions,
        source_literal=repr(source_name),
        classes=classes,
    )
    formatted = _black(source) if format else source
    for placeholder, rendered in tables + verbatim:
        assert formatted.count(placeholder + "\n") == 1
        formatted = formatted.replace(placeholder + "\n", rendered + "\n")
    formatted = _with_locations(formatted)
    # The result must be valid Python before anything is written (a compiler bug is ours,
    # not the user's: report it as such).
    compile(formatted, source_name, "exec")
    return formatted


def black_mode():
    """The black settings of generated modules (a module that is written is stable under them)."""
    import black  # (imported only where a module is formatted: it is a third of the compiler)

    return black.Mode(target_versions={black.TargetVersion.PY311}, line_length=100)


def _black(source: str) -> str:
    import black

    return black.format_str(source, mode=black_mode())


def _verbatim_regions(functions: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Apply the size policy (VERBATIM_MODULE_LINES): the functions black is to format, with a
    placeholder comment for each run of functions it is not, and the placeholders' text."""
    everything = sum(f.count("\n") + 1 for f in functions) > VERBATIM_MODULE_LINES
    out: list[str] = []
    regions: list[tuple[str, str]] = []
    run: list[str] = []
    for fn in [*functions, None]:
        if fn is not None and (everything or len(fn) > VERBATIM_FUNCTION_CHARS):
            run.append(fn)
            continue
        if run:
            placeholder = f"{_VERBATIM_PLACEHOLDER} {len(regions)}"
            regions.append((placeholder, "# fmt: off\n" + "\n\n\n".join(run) + "\n# fmt: on"))
            out.append(placeholder)
            run = []
        if fn is not None:
            out.append(fn)
    return out, regions


# `# <element> line N`, `# <onentry> of <state> 'a' line N of inc/Wf.scxml: what it does`
_LOCATION_COMMENT = re.compile(r"^\s*# (?P<what><.*?) line (?P<line>\d+)(?: of (?P<file>.+?))?(?:: .*)?$")


def _with_locations(text: str) -> str:
    """The module with its locations table appended: for each `# <element> line N` comment,
    (its Python line, the element, the SCXML line, the included file it came from or "").
    The code after a comment belongs to that element until the next one, so an error's
    location is a lookup (runtime/actions.py: locate_error) that needs no source file. It comes
    last, after black, so that it moves no line it names."""
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        m = _LOCATION_COMMENT.match(line)
        if m:
            rows.append((n, m.group("what"), int(m.group("line")), m.group("file") or ""))
    table = "".join(f"    {row!r},\n" for row in rows)
    return (
        f"{text}\n\n# Where each part of the code above comes from, for error locations: (first Python line,\n"
        "# element, SCXML line, included file or \"\"), in line order.\n"
        f"# fmt: off\n__scxmlc_locations__ = (\n{table})\n# fmt: on\n"
    )


def _comments(code: str) -> str:
    """Turn lowering's marker statements into `# ...` comments."""
    out = []
    for line in code.splitlines():
        m = _MARKER_LINE.match(line)
        if m:
            text = ast.literal_eval(m.group(2) + MARKER + m.group(3) + m.group(2))[len(MARKER):]
            out.append(f"{m.group(1)}# {_safe_comment(text)}")
        else:
            out.append(line)
    return "\n".join(out)


__all__ = ["emit", "class_name_for", "python_name"]
