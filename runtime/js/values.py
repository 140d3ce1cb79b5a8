"""The JavaScript value model: undefined, holes, objects, arrays, functions, host objects, errors.

Representation (docs/ecmascript.md): undefined is `UNDEFINED`, null is `None`, booleans are
`bool`, numbers are `float`, strings are `str`, plain objects are `dict`, other objects are
`JSObject` (a dict with a prototype), arrays are `JSArray` (a list), functions are `JSFunction`,
runtime-provided objects subclass `HostObject`. Nothing here ever uses getattr with a name
that came from JavaScript: property access goes through dict/list lookups or `HostObject.js_get`.
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any, Callable


class _Undefined:
    """The single `undefined` value (ES5.1 8.1). Falsy, so Python `if v:` is never misleading."""

    __slots__ = ()
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __bool__(self):
        return False

    def __repr__(self):
        return "undefined"

    def __reduce__(self):
        return (_Undefined, ())


class _Hole:
    """An array hole (`[1,,3]`, `a.length = 5`): read as undefined, skipped by forEach & co."""

    __slots__ = ()
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __bool__(self):
        return False

    def __repr__(self):
        return "<hole>"

    def __reduce__(self):
        return (_Hole, ())


UNDEFINED: Any = _Undefined()
HOLE: Any = _Hole()

NAN = float("nan")
INF = float("inf")


class JSThrow(Exception):
    """A JavaScript exception in flight; `value` is the thrown JS value (any value, ES5.1 12.13)."""

    def __init__(self, value: Any):
        super().__init__(value)
        self.value = value

    def __str__(self) -> str:
        from .errors import error_name_message

        name, message = error_name_message(self.value)
        return f"{name}: {message}" if message else name


class JSObject(dict):
    """An object whose prototype is not Object.prototype, or that has a [[Class]] other than Object.

    `proto` is the [[Prototype]] (a JSObject, a JSFunction's prototype object, or None);
    `cls` is [[Class]] (ES5.1 8.6.2) as Object.prototype.toString reports it; `internal` holds
    [[PrimitiveValue]] for wrappers and dates, or the compiled pattern for regular expressions;
    `frozen` marks the shared built-in objects, which scripts cannot modify (one chart must not
    be able to change what another sees). `integrity` is what Object.preventExtensions (1),
    Object.seal (2) and Object.freeze (3) did to a script's object (0: none; ES5.1 15.2.3.8-10):
    not extensible, then every own property non-configurable, then every data property
    non-writable too (properties.py ignores the writes, sloppy mode).
    """

    __slots__ = ("proto", "cls", "internal", "frozen", "hidden", "integrity")

    def __init__(self, proto=None, cls: str = "Object", internal: Any = None, items=()):
        dict.__init__(self, items)
        self.proto = proto
        self.cls = cls
        self.internal = internal
        self.frozen = False
        self.hidden: frozenset | None = None  # own non-enumerable keys (e.g. prototype.constructor)
        self.integrity = 0  # 0 extensible, 1 not extensible, 2 sealed, 3 frozen (Object.freeze)

    def __repr__(self):
        return f"JSObject<{self.cls}>({dict.__repr__(self)})"

    # dict equality compares contents; JS objects compare by identity (ES5.1 11.9.6 step 7).
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__


class Accessor:
    """An accessor property (ES5.1 8.6.1): stored as the value of its key in a JSObject.

    Plain objects (dicts) never hold accessors: an object literal with `get`/`set` is built
    as a JSObject, so the dict fast paths stay free of checks. `ACCESSORS_EXIST` tells
    [[Put]] whether inherited setters need looking for at all."""

    __slots__ = ("get", "set")

    def __init__(self, get: "JSFunction | None" = None, set: "JSFunction | None" = None):
        self.get = get
        self.set = set

    def read(self, receiver: Any) -> Any:
        g = self.get
        return UNDEFINED if g is None else g.fn(receiver)

    def write(self, receiver: Any, value: Any) -> None:
        s = self.set
        if s is not None:  # no setter: the write is ignored (sloppy mode, 8.12.5 step 2)
            s.fn(receiver, value)


ACCESSORS_EXIST = [False]  # (also set by the first Object.preventExtensions/seal/freeze: [[Put]] on a
# JSObject then checks `integrity`, and finds inherited read-only properties of frozen objects)


class JSArray(list):
    """A JavaScript array. Holes are `HOLE`; named (non-index) properties live in `props`.

    `props` is a class attribute (None) until an array gets a named property: reading an
    unset __slots__ entry raises AttributeError, which costs more than every other step of
    `arr.push(x)` together."""

    props: dict | None = None

    def __repr__(self):
        return f"JSArray({list.__repr__(self)})"

    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__


class JSFunction:
    """A JavaScript function: `fn(this, *args)` runs it.

    `construct`, when set, implements `new F(...)` for built-in constructors (ES5.1 13.2.2 is
    used for user functions: a fresh object whose prototype is F.prototype). `props` holds own
    properties (`prototype` is created on first use). Arrow functions and built-in methods are
    not constructors (`constructible` False).
    """

    __slots__ = ("fn", "name", "length", "props", "construct", "constructible", "frozen", "source", "internal", "__weakref__")

    def __init__(
        self,
        fn: Callable,
        name: str = "",
        length: int = 0,
        construct: Callable | None = None,
        constructible: bool = True,
        source: str | None = None,
    ):
        self.fn = fn
        self.name = name
        self.length = length
        self.props: dict | None = None
        self.construct = construct
        self.constructible = constructible
        self.frozen = False
        self.source = source
        # Engine-side data JS cannot reach: "target" (bound functions), "proto" (a class's
        # [[Prototype]], its parent class), "hidden" (non-enumerable own properties),
        # "parent"/"body"/"derived" (classes).
        self.internal: dict | None = None

    def call(self, this, args=()):
        """Call from Python: `f.call(this, [arg, ...])`."""
        return self.fn(this, *args)

    def __call__(self, *args):
        # Convenience for host code: f(a, b) calls with this = undefined.
        return self.fn(UNDEFINED, *args)

    def __repr__(self):
        return f"JSFunction({self.name!r})"


def js_native(func: Callable, name: str = "") -> JSFunction:
    """Wrap a Python callable `func(this, *args)` as a JS function (not a constructor)."""
    return JSFunction(func, name, 0, constructible=False)


class HostObject:
    """Base of runtime objects exposed to JavaScript (the SCXML `_event`, DOM nodes).

    JavaScript reaches a host object only through these methods, never through attributes:
    - `js_get(key)` returns the property value, UNDEFINED when absent;
    - `js_set(key, value)` assigns; the default throws a TypeError (host objects are read-only
      unless a subclass says otherwise);
    - `js_keys()` lists enumerable property names (for-in, Object.keys, JSON.stringify);
    - `js_has(key)` answers the `in` operator (default: key in js_keys()).
    """

    __slots__ = ()

    def js_get(self, key: str) -> Any:
        return UNDEFINED

    def js_set(self, key: str, value: Any) -> None:
        from .errors import throw_type_error

        throw_type_error(f"Cannot assign to read only property '{key}' of object")

    def js_keys(self) -> list[str]:
        return []

    def js_has(self, key: str) -> bool:
        return key in self.js_keys()

    def js_delete(self, key: str) -> bool:
        """`delete obj[key]`: host properties are not configurable (false) unless a subclass
        says otherwise."""
        return False

    def js_class(self) -> str:
        """[[Class]] as Object.prototype.toString reports it."""
        return "Object"


# Prototype objects of the single shared realm. They are created empty here (so that every
# module can refer to them without import cycles) and filled by the builtins package.
OBJECT_PROTO = JSObject(None)
FUNCTION_PROTO = JSObject(OBJECT_PROTO, "Function")
ARRAY_PROTO = JSObject(OBJECT_PROTO, "Array")
STRING_PROTO = JSObject(OBJECT_PROTO, "String", "")
NUMBER_PROTO = JSObject(OBJECT_PROTO, "Number", 0.0)
BOOLEAN_PROTO = JSObject(OBJECT_PROTO, "Boolean", False)
ERROR_PROTO = JSObject(OBJECT_PROTO, "Error")
REGEXP_PROTO = JSObject(OBJECT_PROTO, "Object")
DATE_PROTO = JSObject(OBJECT_PROTO, "Object")
ERROR_PROTOS: dict[str, JSObject] = {"Error": ERROR_PROTO}

# Global built-ins (Math, JSON, parseInt, ...), filled by the builtins package.
BUILTINS: dict[str, Any] = {}
# Global built-ins made on first use, by name: the module of the builtins package that installs
# them. To a script they exist from the start (global_get and global_lookup make them, and
# is_builtin knows them); most charts never use them, and they were a sixth of the runtime's
# import. Their objects are reached only through these names (a Date object is made by `Date`)
# or through a snapshot, whose reader makes them all first (heap.py).
LAZY_BUILTINS: dict[str, str] = {
    "Date": "date",
    "JSON": "json",
    "Math": "math",
    **dict.fromkeys(("encodeURIComponent", "encodeURI", "decodeURIComponent", "decodeURI", "escape", "unescape"), "uri"),
}


def load_builtin(key: str) -> Any:
    """The built-in global `key` of LAZY_BUILTINS, installed now if it is not yet (its module
    freezes what it makes, whoever imports it first)."""
    v = BUILTINS.get(key, MISSING)
    if v is MISSING:
        import importlib

        importlib.import_module(f"{__package__}.builtins.{LAZY_BUILTINS[key]}")
        v = BUILTINS[key]
    return v


def ensure_builtins() -> bool:
    """Install the built-ins made at once (Object, Array, String, ...) if they are not yet; True
    when this call did. A chart with ECMAScript code installs them as its module imports the
    JavaScript API (js/__init__.py); a chart without never needs them, but the paths that could
    meet one from the runtime's side call this where they miss it: a global's lookup
    (global_get, global_lookup, is_builtin), an object converted to a primitive
    (conversions.to_primitive) and an error object the runtime makes (errors.make_error)."""
    if "Object" in BUILTINS:
        return False
    from . import builtins  # noqa: F401  (installs them)

    return True


def load_all_builtins() -> None:
    """Install every lazily made built-in (for code that walks them all: heap.py)."""
    for key in LAZY_BUILTINS:
        load_builtin(key)


def is_builtin(key: str) -> bool:
    """Whether `key` names a global built-in, made yet or not."""
    return key in BUILTINS or key in LAZY_BUILTINS or (ensure_builtins() and key in BUILTINS)


# SCXML 5.10 system variables: the datamodel's read-only globals (the transpiler refuses to
# assign or delete them by name; GlobalObject guards the route through the global object).
# `_data` (ORS: the datamodel object itself) is one as well.
SYSTEM_VARIABLES = frozenset(("_event", "_sessionid", "_name", "_ioprocessors", "_data"))

# Globals a runtime environment provides (In(), ORS's _genesys and __Log, ...): variables of the
# datamodel that are not the document's own, so the global object does not list them (for-in
# over `this`, ORS `uneval(_data)`). Extensions add theirs (hide_globals).
HIDDEN_GLOBALS: set[str] = {"In"}


def hide_globals(*names: str) -> None:
    HIDDEN_GLOBALS.update(names)


# The absence of a property or variable (distinct from every JS value, undefined included).
MISSING: Any = object()

# Where a datamodel keeps its GlobalObject: a key no JS property name can be (not a str).
GLOBAL_OBJECT_KEY = ("global object",)
# ORS (ors-extensions.md §2, ors-dialect.md §5.1): a script's `var` shadows the data item of the
# same name; such variables live in a dict under this key, so `_data.x` stays the data item.
SCRIPT_VARS_KEY = ("script variables",)
# The globals declared by a <script> (top-level var, function, let/const/class: ES5.1 10.5
# step 8, bindings that are not deletable), as a set under this key: `delete x` of one is false
# (js_delete_global, GlobalObject.js_delete). Implicit globals (assigned without var) and the
# vars of eval code (10.5 step 2) are not in it: deleting them works.
DECLARED_GLOBALS_KEY = ("declared globals",)
# The global object's non-writable, non-configurable value properties (ES5.1 15.1.1).
CONSTANT_GLOBALS = frozenset(("undefined", "NaN", "Infinity"))


def new_globals(initial: dict | None = None) -> dict:
    """A fresh datamodel: a plain dict of JS global variables by name (exact dicts are what
    CPython reads fastest), optionally pre-filled with JS values."""
    return dict(initial) if initial else {}


def global_get(dm: dict, key: str) -> Any:
    """The value of a global variable that may not exist: a variable, else a built-in, else
    ReferenceError (ES5.1 8.7.1 GetValue step 3)."""
    v = dm.get(key, MISSING)
    if v is MISSING:
        v = BUILTINS.get(key, MISSING)
        if v is MISSING:
            if key in LAZY_BUILTINS:
                return load_builtin(key)
            if ensure_builtins():
                return global_get(dm, key)
            inherited = _from_object_prototype(key)
            if inherited is not MISSING:
                return inherited
            from .errors import throw_reference_error

            throw_reference_error(f"{key} is not defined")
    return v


def _from_object_prototype(key: str) -> Any:
    """What the global object inherits (V8's global object has Object.prototype in its chain:
    a bare `toString` or `hasOwnProperty` is that function), or MISSING."""
    from .properties import has_property, js_getp

    return js_getp(OBJECT_PROTO, key) if has_property(OBJECT_PROTO, key) else MISSING


def global_lookup(dm: dict, key: str) -> Any:
    """The value of global `key`, or UNDEFINED when undeclared (for `typeof`)."""
    v = dm.get(key, MISSING)
    if v is MISSING:
        v = BUILTINS.get(key, MISSING)
        if v is MISSING:
            if key in LAZY_BUILTINS:
                return load_builtin(key)
            if ensure_builtins():
                return global_lookup(dm, key)
            inherited = _from_object_prototype(key)
            return UNDEFINED if inherited is MISSING else inherited
    return v


class GlobalObject(HostObject):
    """The JavaScript global object (ES5.1 15.1) of a datamodel: `this` at the top level and
    in sloppy functions called without one, and ORS's `_data`. Its properties are the
    datamodel's variables, with the built-ins showing through; the system variables cannot be
    changed through it."""

    __slots__ = ("dm",)

    def __init__(self, dm: dict):
        self.dm = dm

    def js_get(self, key: str) -> Any:
        return global_lookup(self.dm, key)

    def js_set(self, key: str, value: Any) -> None:
        if key in SYSTEM_VARIABLES:
            from .errors import throw_type_error

            throw_type_error(f"Cannot assign to read only variable '{key}'")
        self.dm[key] = value

    def js_keys(self) -> list[str]:
        # the variables; not the system variables and what the runtime provides (In(), ...)
        return [k for k in self.dm if type(k) is str and k not in SYSTEM_VARIABLES and k not in HIDDEN_GLOBALS]

    def js_has(self, key: str) -> bool:
        return key in self.dm or is_builtin(key)

    def js_delete(self, key: str) -> bool:
        dm = self.dm
        if key in SYSTEM_VARIABLES or key in CONSTANT_GLOBALS:
            return False  # SCXML 5.10; ES5.1 15.1.1
        declared = dm.get(DECLARED_GLOBALS_KEY)
        if declared is not None and key in declared:
            return False  # a declared variable (ES5.1 10.5 step 8: not configurable)
        dm.pop(key, None)
        return True

    def __repr__(self):
        return "GlobalObject"


def global_object(dm: dict) -> GlobalObject:
    """The one GlobalObject of `dm` (created on first use, kept in the dict itself)."""
    g = dm.get(GLOBAL_OBJECT_KEY)
    if g is None:
        g = dm[GLOBAL_OBJECT_KEY] = GlobalObject(dm)
    return g
