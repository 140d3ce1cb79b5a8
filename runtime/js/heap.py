"""Graphs of JavaScript values as JSON and back: shared references, cycles, functions with their closures, built-ins by name (ors-server.md §9.3).

A session's data is a graph: `_event` objects kept in arrays and found again with `indexOf`,
objects reachable by two paths, closures sharing the variables of the function that made them.
`HeapWriter.value(v)` turns a value into JSON-ready data: primitives stay themselves (with tags
for `undefined`, holes, NaN, the infinities and -0), every object becomes an entry of `heap`
written once and referred to as `{"$r": n}`, so identity and cycles survive. Neither side
recurses into the graph: an object met is given its entry number at once and written (or, on
reading, made empty and filled) from a list of work, so data nested 10,000 levels deep (a
linked list, a chain of closures) costs no Python stack; deeper than MAX_DEPTH is refused.

Functions are the generated code's Python closures: an entry names the code (its module, `$chart`
for the chart's own, and the path of its qualified name, e.g. `_scxml_script.<locals>._tf1`) and
the closure's cells, which are heap entries too (closures that share a variable share the cell).
`HeapReader` finds the code object again in the module and rebuilds the function with
`types.FunctionType`. Built-in objects are written by name (`%Array.prototype.push%`); the
datamodel dict, the global object and the session's own bound methods by marker, rebuilt for the
restoring session. A value of any other Python type cannot be stored: `Unstorable` says which and
where (the session is then kept in memory only, ors-server.md §9.2).
"""

from __future__ import annotations

import importlib
import math
import sys
import types
from _collections import deque  # (collections itself is not needed)

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from .values import (
    ARRAY_PROTO,
    BOOLEAN_PROTO,
    BUILTINS,
    DATE_PROTO,
    ERROR_PROTOS,
    FUNCTION_PROTO,
    HOLE,
    NUMBER_PROTO,
    OBJECT_PROTO,
    REGEXP_PROTO,
    STRING_PROTO,
    UNDEFINED,
    ACCESSORS_EXIST,
    Accessor,
    GlobalObject,
    JSArray,
    JSFunction,
    JSObject,
    load_all_builtins,
)

FORMAT = 1
MAX_ENTRIES = 1_000_000  # objects in one graph (documents are untrusted)
MAX_DEPTH = 10_000  # objects inside objects (ors-server.md §9.3: deeper, the session is not stored)


class Unstorable(Exception):
    """A value the heap encoding cannot hold (a host object, a foreign Python type)."""


# -- built-ins by name ------------------------------------------------------------------------

_NAMES: dict[int, str] | None = None
_OBJECTS: dict[str, Any] = {}


def _intrinsics() -> dict[int, str]:
    """id -> "%path%" of every built-in object reachable from the global built-ins (made once)."""
    global _NAMES
    if _NAMES is None:
        from . import builtins as _load  # noqa: F401  (the built-ins are installed on import)

        load_all_builtins()  # (and those made on first use)

        names: dict[int, str] = {}

        def visit(obj: Any, path: str, depth: int) -> None:
            if id(obj) in names or depth > 4:
                return
            names[id(obj)] = f"%{path}%"
            _OBJECTS[f"%{path}%"] = obj
            if type(obj) is JSFunction:
                items = list((obj.props or {}).items())
            elif isinstance(obj, JSObject):
                items = list(dict.items(obj))
            else:
                return
            for key, value in items:
                if isinstance(value, (JSObject, JSFunction)) and getattr(value, "frozen", False):
                    visit(value, f"{path}.{key}", depth + 1)

        for proto, name in (
            (OBJECT_PROTO, "Object.prototype"), (FUNCTION_PROTO, "Function.prototype"), (ARRAY_PROTO, "Array.prototype"),
            (STRING_PROTO, "String.prototype"), (NUMBER_PROTO, "Number.prototype"), (BOOLEAN_PROTO, "Boolean.prototype"),
            (REGEXP_PROTO, "RegExp.prototype"), (DATE_PROTO, "Date.prototype"),
        ):  # fmt: skip
            visit(proto, name, 0)
        for name, proto in ERROR_PROTOS.items():
            visit(proto, f"{name}.prototype", 0)
        for name, value in BUILTINS.items():
            if isinstance(value, (JSObject, JSFunction)):
                visit(value, name, 0)
        _NAMES = names
    return _NAMES


def intrinsic_name(obj: Any) -> str | None:
    return _intrinsics().get(id(obj))


def intrinsic(name: str) -> Any:
    _intrinsics()
    try:
        return _OBJECTS[name]
    except KeyError:
        raise Unstorable(f"unknown built-in {name}") from None


# -- code objects by path ----------------------------------------------------------------------


def _code_key(code: types.CodeType, siblings: tuple) -> str:
    """A name for a nested code object among the constants of its parent: its name, and for
    names that occur more than once (lambdas) its line and rank."""
    same = [c for c in siblings if isinstance(c, types.CodeType) and c.co_name == code.co_name]
    if len(same) == 1:
        return code.co_name
    same_line = [c for c in same if c.co_firstlineno == code.co_firstlineno]
    return f"{code.co_name}@{code.co_firstlineno}#{same_line.index(code)}"


def _find_nested(code: types.CodeType, key: str) -> types.CodeType:
    consts = code.co_consts
    for c in consts:
        if isinstance(c, types.CodeType) and _code_key(c, consts) == key:
            return c
    raise Unstorable(f"no function {key} in {code.co_qualname if hasattr(code, 'co_qualname') else code.co_name}")


def code_path(fn: types.FunctionType) -> list[str]:
    """[top-level name, nested key, ...] locating fn's code in the namespace it was defined in
    (its `__globals__`: a module's, or that of code compiled at run time)."""
    parts = fn.__qualname__.split(".<locals>.")
    top = parts[0]
    outer = fn.__globals__.get(top)
    outer = getattr(outer, "__func__", outer)
    if len(parts) == 1:
        if not isinstance(outer, types.FunctionType) or outer.__code__ is not fn.__code__:
            raise Unstorable(f"function {fn.__qualname__} cannot be found again")
        return [top]
    if not isinstance(outer, types.FunctionType):
        raise Unstorable(f"function {fn.__qualname__} cannot be found again")
    path = [top]
    code = outer.__code__
    target = fn.__code__
    for _ in parts[1:]:
        nxt = _ancestor_at(code, target)
        if nxt is None:
            raise Unstorable(f"function {fn.__qualname__} cannot be found again")
        path.append(_code_key(nxt, code.co_consts))
        code = nxt
    if code is not target:
        raise Unstorable(f"function {fn.__qualname__} cannot be found again")
    return path


def _ancestor_at(code: types.CodeType, target: types.CodeType) -> types.CodeType | None:
    """The constant of `code` that is `target` or contains it."""
    for c in code.co_consts:
        if isinstance(c, types.CodeType) and (c is target or _contains(c, target)):
            return c
    return None


def _contains(code: types.CodeType, target: types.CodeType) -> bool:
    return any(isinstance(c, types.CodeType) and (c is target or _contains(c, target)) for c in code.co_consts)


# Code compiled at run time (eval, Function) runs in a namespace of its own that says how to
# compile it again, under this key: {"eval": text}.
SOURCE_KEY = "__scxmlc_source__"


def _recompiled(how: dict) -> dict:
    """The namespace of run-time-compiled code, compiled again (cached by its text)."""
    if "eval" in how:
        from .dynamic import compiled

        return compiled(how["eval"]).__globals__
    raise Unstorable(f"unknown kind of code {sorted(how)}")


# -- writing -----------------------------------------------------------------------------------


class HeapWriter:
    """Encode values into `self.heap`; `markers` maps ids of objects to JSON markers (the
    session's datamodel dict, its machine), `chart_modules` the names of generated modules to
    the tags their functions are written with (`{"$chart": tag}`)."""

    def __init__(self, chart_modules: dict[str, str] | None = None, markers: dict[int, Any] | None = None, max_entries: int = MAX_ENTRIES):
        self.heap: list[Any] = []
        self.index: dict[int, int] = {}
        self.keep: list[Any] = []  # (ids stay valid while encoding)
        # generated modules (not importable by name) -> the tag their functions are written with
        self.chart_modules = chart_modules if chart_modules is not None else {}
        self.markers = markers or {}
        self.max_entries = max_entries
        # Objects given an entry number and not written yet, with how deep each lies; while
        # `_writing`, value() adds to it and the loop of the outermost call writes them, the
        # first met first (breadth first: an object's depth is that of its shortest path)
        self._todo: deque[tuple[Any, int, int]] = deque()
        self._writing = False
        self._depth = 0  # (the depth of the entry being written)

    def value(self, v: Any) -> Any:
        t = type(v)
        if t is str or t is bool or v is None:
            return v
        if t is float:
            if v != v:
                return {"$n": "NaN"}
            if v in (math.inf, -math.inf):
                return {"$n": "Infinity" if v > 0 else "-Infinity"}
            if v == 0.0 and math.copysign(1.0, v) < 0:
                return {"$n": "-0"}
            return v
        if t is int:
            return {"$int": str(v)}
        if v is UNDEFINED:
            return {"$u": 1}
        if v is HOLE:
            return {"$h": 1}
        marker = self.markers.get(id(v))
        if marker is not None:
            return marker
        if isinstance(v, GlobalObject):
            owner = self.markers.get(id(v.dm))
            if owner is None:
                raise Unstorable("the global object of another session")
            return {"$g": owner["$dm"]}
        name = intrinsic_name(v) if t in (JSObject, JSFunction) else None
        if name is not None:
            return {"$i": name}
        n = self.index.get(id(v))
        if n is not None:
            return {"$r": n}
        n = self._new(v)
        # (JavaScript's objects count: a closure's cells and code are one level with its function)
        depth = self._depth + 1 if t in _JS_OBJECTS else self._depth
        if depth > MAX_DEPTH:
            raise Unstorable(f"objects nested more than {MAX_DEPTH} deep")
        self._todo.append((v, n, depth))
        if not self._writing:
            self._write_all()
        return {"$r": n}

    def _write_all(self) -> None:
        """Write the entries of the objects met, and of those they lead to, in turn."""
        self._writing = True
        try:
            todo = self._todo
            while todo:
                v, n, self._depth = todo.popleft()
                self.heap[n] = self._entry(v)
        finally:
            self._writing = False
            self._depth = 0
            self._todo.clear()

    def _new(self, v: Any) -> int:
        if len(self.heap) >= self.max_entries:
            raise Unstorable(f"more than {self.max_entries} objects")
        n = len(self.heap)
        self.index[id(v)] = n
        self.keep.append(v)
        self.heap.append(None)
        return n

    def _pairs(self, items) -> list:
        return [[self.key(k), self.value(x)] for k, x in items]

    def key(self, k: Any) -> Any:
        if type(k) is str:
            return k
        raise Unstorable(f"a property key of type {type(k).__name__}")

    def _entry(self, v: Any) -> dict:
        """The entry of one object (the objects in it given their numbers: value())."""
        t = type(v)
        if t is dict:
            return {"c": "O", "o": self._pairs(v.items())}
        if t is JSArray:
            entry: dict = {"c": "A", "e": [self.value(x) for x in v]}
            if v.props:
                entry["x"] = self._pairs(v.props.items())
            return entry
        if t is JSObject:
            return self._object(v)
        if t is JSFunction:
            return self._function(v)
        if t is Accessor:
            return {"c": "G", "g": self.value(v.get), "s": self.value(v.set)}
        if t is types.FunctionType:
            return self._python_function(v)
        if t is types.CellType:
            try:
                return {"c": "C", "v": self.value(v.cell_contents)}
            except ValueError:  # an empty cell (a variable not bound yet)
                return {"c": "C"}
        if t is tuple:
            return {"c": "T", "e": [self.value(x) for x in v]}
        if t is list:
            return {"c": "L", "e": [self.value(x) for x in v]}
        if t is frozenset:
            return {"c": "S", "e": sorted((self.value(x) for x in v), key=repr)}
        if t is types.MethodType:
            owner = self.markers.get(id(v.__self__))
            if owner is None:
                raise Unstorable(f"a method of {type(v.__self__).__name__}")
            return {"c": "M", "self": owner, "name": v.__func__.__name__}
        raise Unstorable(f"a value of type {t.__name__}")

    def _object(self, v: JSObject) -> dict:
        entry: dict = {"c": "J", "k": v.cls, "p": self.value(v.proto), "o": self._pairs(dict.items(v))}
        internal = v.internal
        if internal is not None:
            if v.cls == "RegExp":
                entry["re"] = [internal[0], internal[1]]
            else:
                entry["i"] = self.value(internal)
        if v.hidden:
            entry["h"] = sorted(v.hidden)
        if v.frozen:
            entry["f"] = 1
        if v.integrity:
            entry["lv"] = v.integrity  # Object.preventExtensions/seal/freeze
        return entry

    def _function(self, f: JSFunction) -> dict:
        entry: dict = {"c": "F", "fn": self.value(f.fn), "n": f.name, "l": f.length}
        if f.construct is not None:
            entry["k"] = self.value(f.construct)
        if not f.constructible:
            entry["nc"] = 1
        if f.props:
            entry["x"] = self._pairs(f.props.items())
        if f.source is not None:
            entry["src"] = f.source
        if f.internal:
            entry["i"] = [[k, self.value(x)] for k, x in f.internal.items()]
        if f.frozen:
            entry["f"] = 1
        return entry

    def _python_function(self, fn: types.FunctionType) -> dict:
        module = fn.__module__
        namespace = fn.__globals__
        where: Any
        tag = self.chart_modules.get(module)
        if tag is not None:
            where = {"$chart": tag}
        elif SOURCE_KEY in namespace:
            where = namespace[SOURCE_KEY]
        elif module in sys.modules and vars(sys.modules[module]) is namespace:
            where = module
        else:
            raise Unstorable(f"a function made by code that cannot be found again ({fn.__qualname__})")
        entry: dict = {"c": "P", "m": where, "q": code_path(fn)}
        if fn.__closure__:
            entry["cl"] = [self.value(cell) for cell in fn.__closure__]
        if fn.__defaults__:
            entry["d"] = [self.value(x) for x in fn.__defaults__]
        if fn.__kwdefaults__:
            entry["kd"] = [[k, self.value(x)] for k, x in fn.__kwdefaults__.items()]
        return entry


# -- reading -----------------------------------------------------------------------------------


class HeapReader:
    """Decode values written by HeapWriter; `markers` maps marker keys (`"$dm"`, ...) to the
    restoring session's objects, `chart_globals` is the generated module's namespace."""

    def __init__(self, heap: list, charts: dict[str, dict] | None = None, markers: dict[str, Any] | None = None):
        self.heap = heap
        self.built: list[Any] = [_UNBUILT] * len(heap)
        # Entries made empty and not filled yet; while `_filling`, ref() adds to it and the
        # loop of the outermost call fills them (no recursion into the graph: HeapWriter).
        self._todo: list[int] = []
        self._filling = False
        self.charts = charts if charts is not None else {}  # tag -> the generated module's namespace
        self.markers = markers if markers is not None else {}

    def value(self, v: Any) -> Any:
        if type(v) is not dict:
            return v
        if "$r" in v:
            return self.ref(v["$r"])
        if "$u" in v:
            return UNDEFINED
        if "$h" in v:
            return HOLE
        if "$n" in v:
            return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0": -0.0}[v["$n"]]
        if "$int" in v:
            return int(v["$int"])
        if "$i" in v:
            return intrinsic(v["$i"])
        if "$g" in v:
            from .values import global_object

            return global_object(self.markers[("$dm", v["$g"])])
        for key in v:
            found = self.markers.get((key, v[key]))
            if found is not None:
                return found
        raise Unstorable(f"unknown value {v!r}")

    def ref(self, n: int) -> Any:
        made = self.built[n]
        if made is not _UNBUILT:
            return made
        obj = self._make(n)
        if not self._filling:
            self._filling = True
            try:
                todo = self._todo
                while todo:
                    self._fill(todo.pop())
            finally:
                self._filling = False
                self._todo = []
        return obj

    def _make(self, n: int) -> Any:
        """The object of entry n: containers made empty, registered (cycles close on them) and
        left to _fill; what cannot change once made (tuples, sets, functions) made whole."""
        entry = self.heap[n]
        c = entry["c"]
        if c == "O":
            obj: Any = {}
        elif c == "A":
            obj = JSArray()
        elif c == "J":
            obj = JSObject(None, entry["k"])
        elif c == "F":
            obj = JSFunction(_placeholder, entry["n"], entry["l"], constructible="nc" not in entry, source=entry.get("src"))
        elif c == "G":
            obj = Accessor()
            ACCESSORS_EXIST[0] = True  # (reads and writes look for accessors from now on: values.py)
        elif c == "C":
            obj = types.CellType()
        elif c == "L":
            obj = []
        elif c == "T":
            # (tuples cannot be made before their items: a tuple in a cycle is not supported)
            obj = tuple([self.value(x) for x in entry["e"]])
        elif c == "S":
            obj = frozenset([self.value(x) for x in entry["e"]])
        elif c == "M":
            obj = getattr(self.value(entry["self"]), entry["name"])
        elif c == "P":
            obj = self._python_function(entry)
        else:
            raise Unstorable(f"unknown heap entry {c!r}")
        self.built[n] = obj
        if c in _FILLED:
            self._todo.append(n)
        return obj

    def _fill(self, n: int) -> None:
        """Put what entry n holds into its object (the objects in it made by value())."""
        entry = self.heap[n]
        obj = self.built[n]
        c = entry["c"]
        if c == "O":
            for k, x in entry["o"]:
                obj[k] = self.value(x)
        elif c == "A":
            obj.extend([self.value(x) for x in entry["e"]])
            if "x" in entry:
                obj.props = {k: self.value(x) for k, x in entry["x"]}
        elif c == "J":
            obj.proto = self.value(entry["p"])
            for k, x in entry["o"]:
                dict.__setitem__(obj, k, self.value(x))
            if "re" in entry:
                from .builtins.regexp import new_regexp

                obj.internal = new_regexp(*entry["re"]).internal
            elif "i" in entry:
                obj.internal = self.value(entry["i"])
            if "h" in entry:
                obj.hidden = frozenset(entry["h"])
            if "f" in entry:
                obj.frozen = True
            if "lv" in entry:
                obj.integrity = entry["lv"]
                ACCESSORS_EXIST[0] = True  # ([[Put]] checks integrity from then on: object.py)
        elif c == "F":
            obj.fn = self.value(entry["fn"])
            if "k" in entry:
                obj.construct = self.value(entry["k"])
            if "x" in entry:
                obj.props = {k: self.value(x) for k, x in entry["x"]}
            if "i" in entry:
                obj.internal = {k: self.value(x) for k, x in entry["i"]}
            if "f" in entry:
                obj.frozen = True
        elif c == "G":
            g, s = self.value(entry["g"]), self.value(entry["s"])
            obj.get, obj.set = (None if g is None else g), (None if s is None else s)
        elif c == "C":
            if "v" in entry:
                obj.cell_contents = self.value(entry["v"])
        elif c == "L":
            obj.extend([self.value(x) for x in entry["e"]])

    def _python_function(self, entry: dict) -> types.FunctionType:
        where = entry["m"]
        path = entry["q"]
        if isinstance(where, dict) and "$chart" in where:
            namespace = self.charts.get(where["$chart"])
            if namespace is None:
                raise Unstorable("a function of a chart whose module is not known here")
        elif isinstance(where, dict):
            namespace = _recompiled(where)
        else:
            namespace = vars(importlib.import_module(where))
        outer = namespace.get(path[0])
        outer = getattr(outer, "__func__", outer)
        if not isinstance(outer, types.FunctionType):
            raise Unstorable(f"no function {path[0]} to restore")
        code = outer.__code__
        for key in path[1:]:
            code = _find_nested(code, key)
        closure = tuple(self.value(c) for c in entry.get("cl", ()))
        if len(closure) != len(code.co_freevars):
            raise Unstorable(f"function {path[-1]}: the code changed (closure of {len(code.co_freevars)}, stored {len(closure)})")
        defaults = tuple(self.value(x) for x in entry.get("d", ()))
        fn = types.FunctionType(code, namespace, code.co_name, defaults or None, closure or None)
        fn.__qualname__ = ".<locals>.".join([path[0], *(k.split("@")[0] for k in path[1:])])
        if "kd" in entry:
            fn.__kwdefaults__ = {k: self.value(x) for k, x in entry["kd"]}
        return fn


_UNBUILT = object()
_JS_OBJECTS = frozenset((dict, JSArray, JSObject, JSFunction))  # (the levels of MAX_DEPTH)
_FILLED = frozenset("OAJFGCL")  # (entries made empty, then filled: HeapReader._make)


def _placeholder(this, *args):  # pragma: no cover - replaced at once
    raise RuntimeError("function being restored")


__all__ = [
    "FORMAT",
    "HeapReader",
    "HeapWriter",
    "Unstorable",
    "code_path",
    "intrinsic",
    "intrinsic_name",
    "SOURCE_KEY",
]
