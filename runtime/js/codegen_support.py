"""Helpers that exist only for generated code: functions, literals, loops, throw/catch, globals."""

from __future__ import annotations

import math

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any, Callable

from .conversions import _SMALL_INT_STRINGS, is_object, number_to_string, to_string
from .errors import make_error, throw_reference_error, throw_type_error
from .properties import _SMALL_INDEX, for_in_keys, has_property
from .values import ACCESSORS_EXIST, DECLARED_GLOBALS_KEY, HOLE, INF, NAN, OBJECT_PROTO, SCRIPT_VARS_KEY, UNDEFINED, Accessor, JSArray, JSFunction, JSObject, JSThrow, global_get, global_lookup, global_object, is_builtin

js_NAN = NAN
js_INF = INF
# Tables that let generated code answer common cases inline, without a helper call:
# the types whose `.length` is len(); integral floats to the list index they name;
# integral floats to their JS string (ES5.1 9.8.1 for integers, e.g. 3.0 -> "3").
js_LENGTH_TYPES = frozenset((str, JSArray))
js_ADD_TYPES = frozenset((float, str))  # same-typed operands of these add as in Python
js_ARRAY_INDEX = _SMALL_INDEX
js_INT_STRINGS = _SMALL_INT_STRINGS
js_number_to_string = number_to_string
js_fmod = math.fmod  # JS % for finite operands (ES5.1 11.5.3); ValueError otherwise
# Event data may still be the host's Python data (Machine.send converts it when code other
# than a fast path first reads it): lists for arrays, ints for numbers. Fast paths read it
# through these: the container types they index, and the values they may keep as they are.
js_RAW_ARRAYS = frozenset((list, JSArray))
js_RAW_LENGTH_TYPES = frozenset((str, list, JSArray))
js_RAW_PLAIN = frozenset((float, str, bool, type(None)))
js_RAW_NUMBERS = frozenset((float, int))


class _Deopt(Exception):
    """A speculative fast path met a value it did not guess (scxmlc/ecmascript/speculate.py)."""


def js_deopt():
    """Abandon a fast path: the generated code catches this and runs the exact code."""
    raise _Deopt


# What a failed guess raises (scxmlc/ecmascript/speculate.py): its own signal (js_deopt), and
# the errors of the Python operations a fast path is made of when they meet a value they were
# not guessed for: a missing key or index, a subscript, call or comparison of the wrong type,
# float overflow or division by zero, a math domain error (fmod of an infinity), and a
# JavaScript error of a runtime lookup it uses (an undeclared global: the exact code then
# throws it in its own order of evaluation). Generated code catches only these and then runs
# the exact code; anything else (a bug such as an unbound temporary, MemoryError,
# RecursionError) propagates.
js_guess_failed = (_Deopt, LookupError, TypeError, ArithmeticError, ValueError, JSThrow)


def js_function(fn: Callable, name: str, length: int, source: str | None = None) -> JSFunction:
    """A user function object (constructible, ES5.1 13.2)."""
    return JSFunction(fn, name, length, source=source)


def js_arrow(fn: Callable, name: str, length: int, source: str | None = None) -> JSFunction:
    """An arrow function (ES2015 14.2) or a method (14.3): not a constructor."""
    return JSFunction(fn, name, length, constructible=False, source=source)


_LENGTH_CALLEE = frozenset(("length", "callee"))
_THROWER: list = []  # the accessor of [[ThrowTypeError]] (ES5.1 13.2.3), made on first use


def js_arguments(args: tuple, callee: Any = None) -> JSObject:
    """The arguments object (ES5.1 10.6), unmapped (as in strict mode): array-like, not an
    array; a non-strict function's has `callee`, the function itself (step 13); a strict
    function's (no `callee` given: only those make one without it, arrows have none) has a
    `callee` accessor that throws a TypeError when read or written (step 14; V8, as ES2017,
    has no `caller` there)."""
    obj = JSObject(OBJECT_PROTO, "Arguments", None, ((str(i), v) for i, v in enumerate(args)))
    dict.__setitem__(obj, "length", float(len(args)))
    if callee is not None:
        dict.__setitem__(obj, "callee", callee)
        obj.hidden = _LENGTH_CALLEE
    else:
        thrower = _THROWER[0] if _THROWER else _throw_type_error_accessor()
        dict.__setitem__(obj, "callee", thrower)
        obj.hidden = _LENGTH_CALLEE
    return obj


def _throw_type_error(this: Any, *args: Any) -> Any:
    """[[ThrowTypeError]] (ES5.1 13.2.3), with V8's message."""
    throw_type_error(
        "'caller', 'callee', and 'arguments' properties may not be accessed on strict mode functions or the arguments objects for calls to them"
    )


def _throw_type_error_accessor() -> Accessor:
    thrower = JSFunction(_throw_type_error, "", 0, constructible=False)
    accessor = Accessor(thrower, thrower)
    ACCESSORS_EXIST[0] = True  # ([[Put]] looks for setters from now on: writes throw too)
    _THROWER.append(accessor)
    return accessor


def js_throw(value: Any):
    """throw value (ES5.1 12.13)."""
    raise JSThrow(value)


def js_caught(exc: BaseException) -> Any:
    """The value a catch clause binds: the thrown JS value; a RangeError for Python's
    RecursionError (JS's own stack overflow is a catchable RangeError too); a ReferenceError
    for NameError, which generated code raises only when a let/const binding is read before
    its declaration ran (the temporal dead zone)."""
    if isinstance(exc, JSThrow):
        return exc.value
    return js_error_value(exc)


def js_error_value(exc: BaseException) -> Any:
    """The JS error a Python RecursionError or NameError stands for."""
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None)
        if not name:  # CPython 3.11 does not set .name on UnboundLocalError: read the message
            import re

            m = re.search(r"'([^']+)'", str(exc))
            name = m.group(1) if m else "?"
        return make_error("ReferenceError", f"Cannot access '{js_name_of(name)}' before initialization")
    return make_error("RangeError", "Maximum call stack size exceeded")


def js_name_of(py_name: str) -> str:
    """The JS name of a generated local (inverse of scxmlc.ecmascript.names.py_local)."""
    import re

    base = re.sub(r"_\d+$", "", py_name) if py_name.startswith(("j_", "jX_")) else py_name
    if base.startswith("j_"):
        return base[2:]
    if base.startswith("jX_"):
        return re.sub(r"_([0-9a-f]+)_", lambda m: chr(int(m.group(1), 16)), base[3:])
    return py_name


def js_lookup(dm: dict, name: str) -> Any:
    """A global's value or UNDEFINED when undeclared: `typeof x` never throws (11.4.3 step 2)."""
    return global_lookup(dm, name)


# A global the compiler cannot prove exists (not a <data> id or system variable): the
# variable, else the built-in, else ReferenceError.
js_global = global_get
# `this` where it is the global object (ES5.1 10.4.1.1, 10.4.3)
js_global_this = global_object


def js_declare(dm: dict, names: tuple, bound: tuple = ()) -> None:
    """Top-level `var` names of a script become globals (ES5.1 10.5 step 8): an existing global
    keeps its value, a new one starts undefined. They and the script's other top-level
    declarations (`bound`: functions, let/const/class, which the script assigns itself) are
    declared bindings from now on, which `delete` does not remove (js_delete_global)."""
    for n in names:
        if n not in dm and not is_builtin(n):
            dm[n] = UNDEFINED
    declared = dm.get(DECLARED_GLOBALS_KEY)
    if declared is None:
        declared = dm[DECLARED_GLOBALS_KEY] = set()
    declared.update(names)
    if bound:
        declared.update(bound)


def js_declare_configurable(dm: dict, names: tuple) -> None:
    """The top-level `var` names of eval code: globals as js_declare makes them, but deletable
    (ES5.1 10.5 step 2: eval code's bindings are configurable)."""
    for n in names:
        if n not in dm and not is_builtin(n):
            dm[n] = UNDEFINED


def js_delete_global(dm: dict, name: str) -> bool:
    """`delete name` of a global the compiler cannot see declared (ES5.1 11.4.1 step 5): false
    for a variable a script declared (10.5: not configurable) and for an ORS script variable,
    else the variable is removed (an implicit global, created by assignment) and it is true."""
    declared = dm.get(DECLARED_GLOBALS_KEY)
    if declared is not None and name in declared:
        return False
    sv = dm.get(SCRIPT_VARS_KEY)
    if sv is not None and name in sv:
        return False
    dm.pop(name, None)
    return True


# ORS documents: a data item that a script also declares with `var` (ors-extensions.md §2,
# ors-dialect.md §5.1). Once the script has declared it, the bare name is the script variable
# and `_data.x` the data item; before that, the bare name is the data item. The compiler knows
# these names (its "shadowed" set), so only their reads and writes come here.


def js_shadow_declare(dm: dict, names: tuple) -> None:
    """`var x` of a shadowing script variable: it exists from now on (undefined if new)."""
    sv = dm.get(SCRIPT_VARS_KEY)
    if sv is None:
        sv = dm[SCRIPT_VARS_KEY] = {}
    for n in names:
        if n not in sv:
            sv[n] = UNDEFINED


def js_shadow_get(dm: dict, name: str) -> Any:
    """The script variable `name` if declared, else the data item (else the usual global)."""
    sv = dm.get(SCRIPT_VARS_KEY)
    if sv is not None and name in sv:
        return sv[name]
    return global_get(dm, name)


def js_shadow_lookup(dm: dict, name: str) -> Any:
    """As js_shadow_get, UNDEFINED when undeclared (for `typeof`)."""
    sv = dm.get(SCRIPT_VARS_KEY)
    if sv is not None and name in sv:
        return sv[name]
    return global_lookup(dm, name)


def js_shadow_set(dm: dict, name: str, value: Any) -> Any:
    """Assign the script variable `name` if declared, else the data item; yields the value."""
    sv = dm.get(SCRIPT_VARS_KEY)
    if sv is not None and name in sv:
        sv[name] = value
    else:
        dm[name] = value
    return value


def js_readonly(name: str, value: Any = None) -> Any:
    """Assigning a system variable (SCXML 5.10): a TypeError, which becomes error.execution."""
    throw_type_error(f"Cannot assign to read only variable '{name}'")


def js_const_assign(name: str, value: Any = None) -> Any:
    throw_type_error("Assignment to constant variable.")


def js_tdz(name: str) -> Any:
    throw_reference_error(f"Cannot access '{name}' before initialization")


def js_array(*items: Any) -> JSArray:
    return JSArray(items)


def js_array_spread(*items: Any) -> JSArray:
    """An array literal with `...x` in it: within the array cap (budget.py)."""
    check_array_length(len(items))
    return JSArray(items)


def js_spread(v: Any) -> list:
    """Elements of an iterable for `...v` and for-of (arrays, strings, array-likes)."""
    if type(v) is JSArray:
        return [UNDEFINED if x is HOLE else x for x in v]
    if type(v) is str:
        check_array_length(len(v))
        return list(v)
    if isinstance(v, JSObject) and v.cls in ("Arguments", "String"):
        from .builtins._util import as_list

        return [UNDEFINED if x is HOLE else x for x in as_list(v)]
    if isinstance(v, dict) and not isinstance(v, JSObject) and False:
        return []
    throw_type_error(f"{to_string(v) if not is_object(v) else 'object'} is not iterable")


def js_for_of(v: Any):
    """for-of over an array: live (sees elements appended during the loop), like the array
    iterator (ES2015 22.1.5.2.1), which reads the length on every step."""
    if type(v) is JSArray:
        i = 0
        while i < len(v):
            x = v[i]
            yield UNDEFINED if x is HOLE else x
            i += 1
        return
    yield from js_spread(v)


def js_for_in(v: Any) -> Any:
    """for-in names (ES5.1 12.6.4); undefined/null iterate nothing. A property deleted
    before the loop reaches it is not visited (12.6.4: "a property that is deleted before it
    is visited is not visited"): the names are taken at the start, each looked at again."""
    keys = for_in_keys(v)
    if not keys or type(v) is str:
        return keys
    return _still_there(v, keys)


def _still_there(v: Any, keys: list) -> Any:
    own = v if type(v) is dict else None  # (a plain object's own keys: one dict look-up each)
    for k in keys:
        if (own is not None and k in own) or has_property(v, k):
            yield k


def js_regexp(source: str, flags: str) -> JSObject:
    """A regular expression literal: a new RegExp object on every evaluation (ES5.1 7.8.5)."""
    from .builtins.regexp import new_regexp

    return new_regexp(source, flags)


def js_tostr(v: Any) -> str:
    """ToString for template literal substitutions (ES2015 12.2.9.3)."""
    return v if type(v) is str else to_string(v)


def js_object_spread(target: dict, source: Any) -> None:
    from .properties import js_getp, own_keys

    if source is UNDEFINED or source is None:
        return
    for k in own_keys(source):
        target[k] = js_getp(source, k)


def js_set_proto_method(obj: Any, key: str, value: Any) -> None:
    dict.__setitem__(obj, key, value)


__all__ = [
    "js_guess_failed",
    "js_NAN",
    "js_INF",
    "js_LENGTH_TYPES",
    "js_ADD_TYPES",
    "js_number_to_string",
    "js_fmod",
    "js_deopt",
    "js_RAW_ARRAYS",
    "js_RAW_LENGTH_TYPES",
    "js_RAW_PLAIN",
    "js_RAW_NUMBERS",
    "js_ARRAY_INDEX",
    "js_INT_STRINGS",
    "js_function",
    "js_arrow",
    "js_arguments",
    "js_throw",
    "js_caught",
    "js_lookup",
    "js_global",
    "js_global_this",
    "js_declare",
    "js_declare_configurable",
    "js_delete_global",
    "js_shadow_declare",
    "js_shadow_get",
    "js_shadow_lookup",
    "js_shadow_set",
    "js_readonly",
    "js_const_assign",
    "js_tdz",
    "js_array",
    "js_spread",
    "js_for_of",
    "js_for_in",
    "js_regexp",
    "js_tostr",
    "js_object_spread",
]


def js_setg(dm: dict, name: str, value: Any) -> Any:
    """Assign global `name` inside an expression; yields the value (11.13.1)."""
    dm[name] = value
    return value


def js_object_items(v: Any) -> dict:
    """Own enumerable properties for `{...v}` (ES2018 CopyDataProperties)."""
    from .properties import js_getp, own_keys

    if v is UNDEFINED or v is None:
        return {}
    return {k: js_getp(v, k) for k in own_keys(v)}


def js_require_object(v: Any) -> None:
    """Destructuring undefined/null throws (ES2015 RequireObjectCoercible)."""
    if v is UNDEFINED or v is None:
        throw_type_error(f"Cannot destructure '{to_string(v)}' as it is {to_string(v)}.")


def js_object_rest(v: Any, used: tuple) -> dict:
    out = js_object_items(v)
    for k in used:
        out.pop(k, None)
    return out


def js_item(seq: Any, i: int) -> Any:
    """seq[i] of a Python sequence, undefined past the end (argument lists, destructuring)."""
    return seq[i] if i < len(seq) else UNDEFINED


__all__ += ["js_setg", "js_object_items", "js_require_object", "js_object_rest", "js_item"]


class _NotCallable:
    """Stands in for a non-function callee: calling it throws the TypeError (11.2.3 step 9),
    after the arguments were evaluated, as JS orders it."""

    __slots__ = ("desc",)

    def __init__(self, desc: str):
        self.desc = desc

    def fn(self, this: Any, *args: Any) -> Any:
        throw_type_error(f"{self.desc} is not a function")


def js_not_callable(value: Any, desc: str) -> _NotCallable:
    return _NotCallable(desc)


__all__ += ["js_not_callable"]


def js_reraise(exc: BaseException):
    """Raise the JS error a RecursionError/NameError stands for (see js_error_value)."""
    raise JSThrow(js_error_value(exc)) from None


__all__ += ["js_reraise"]


def js_guarded(fn: Callable) -> Callable:
    """fn with RecursionError/NameError turned into JS errors (for functions compiled to
    lambdas, which cannot contain the try block generated defs have)."""

    def guarded(this: Any, *args: Any) -> Any:
        try:
            return fn(this, *args)
        except (RecursionError, NameError) as exc:
            raise JSThrow(js_error_value(exc)) from None

    return guarded


__all__ += ["js_guarded"]


def _accessor_of(target: dict, key: str, kind: str, fn: Any):
    """The accessor target[key] gets from a `get` or `set` definition (kind): the one already
    there with that half replaced, or a new one where the key holds data or nothing."""
    from .values import ACCESSORS_EXIST, Accessor

    ACCESSORS_EXIST[0] = True  # from now on property reads must look for accessors
    current = dict.get(target, key)
    acc = current if type(current) is Accessor else Accessor()
    if kind == "get":
        acc.get = fn
    else:
        acc.set = fn
    return acc


def js_object_literal(definitions: tuple) -> JSObject:
    """An object literal with accessors (ES5.1 11.1.5): definitions are (key, kind, value)
    with kind "init", "get" or "set", applied in source order (a later definition replaces
    an earlier one; a getter and a setter of one key combine)."""

    obj = JSObject(OBJECT_PROTO)
    for key, kind, value in definitions:
        if kind == "init":
            dict.__setitem__(obj, key, value)
            continue
        acc = _accessor_of(obj, key, kind, value)
        if dict.get(obj, key) is not acc:
            dict.pop(obj, key, None)  # a replaced data property loses its position too
        dict.__setitem__(obj, key, acc)
    return obj


__all__ += ["js_object_literal"]


# -- classes (ES2015 14.5) ------------------------------------------------------------------


def js_class(name: str, body: Callable | None, length: int, parent: Any, members: tuple, source: str | None = None) -> JSFunction:
    """ClassDefinitionEvaluation (ES2015 14.5.14) for `class name extends parent { ... }`.

    `parent` is UNDEFINED without `extends`; `body` is the compiled constructor (None for the
    default one); `members` are (key, kind, function, is_static) with kind "method", "get" or
    "set". Methods are non-enumerable; calling the class without `new` is a TypeError.
    """
    from .conversions import is_object
    from .properties import js_getp

    derived = parent is not UNDEFINED
    proto_parent: Any = OBJECT_PROTO
    if derived:
        if parent is None:
            proto_parent = None
        elif type(parent) is not JSFunction or not parent.constructible:
            throw_type_error(f"Class extends value {to_string(parent) if not is_object(parent) else 'object'} is not a constructor or null")
        else:
            proto_parent = js_getp(parent, "prototype")
            if proto_parent is not None and not is_object(proto_parent):
                throw_type_error("Class extends value does not have valid prototype property")

    def call_without_new(this: Any, *args: Any) -> Any:
        throw_type_error(f"Class constructor {name} cannot be invoked without 'new'")

    cls = JSFunction(call_without_new, name, length, source=source)
    proto = JSObject(proto_parent)
    dict.__setitem__(proto, "constructor", cls)
    cls.props = {"prototype": proto}
    hidden_proto = {"constructor"}
    hidden_static = set()
    for key, kind, fn, static in members:
        target: dict = cls.props if static else proto
        value = fn if kind == "method" else _accessor_of(target, key, kind, fn)
        dict.__setitem__(target, key, value)
        (hidden_static if static else hidden_proto).add(key)
    proto.hidden = frozenset(hidden_proto)
    cls.internal = {"parent": parent, "body": body, "derived": derived, "hidden": frozenset(hidden_static)}
    if derived and parent is not None:
        cls.internal["proto"] = parent  # static members are inherited (14.5.14 step 6)
    cls.construct = lambda *args: _class_construct(cls, args)
    return cls


def _class_construct(cls: JSFunction, args: tuple) -> Any:
    from .conversions import is_object

    proto = cls.props["prototype"] if cls.props else OBJECT_PROTO
    obj = JSObject(proto if is_object(proto) else OBJECT_PROTO)
    return _run_constructor(cls, obj, args)


def _run_constructor(cls: JSFunction, obj: Any, args: tuple) -> Any:
    """Run a class's constructor body on `obj` (the default one of a derived class calls
    super(...args))."""
    from .conversions import is_object

    body = cls.internal["body"]
    if body is None:
        if cls.internal["derived"]:
            js_super_call(cls, obj, *args)
        return obj
    result = body(obj, *args)
    return result if is_object(result) else obj


def js_super_call(cls: JSFunction, this: Any, *args: Any) -> Any:
    """super(...args) in a derived constructor. `this` exists before the call here (a
    deviation: JS keeps it uninitialised until super() returns), so the parent's constructor
    runs on it; a built-in parent (Error, Date, ...) builds its object, whose class and
    internal state are then moved onto `this`."""
    parent = cls.internal["parent"] if cls.internal else UNDEFINED
    if parent is None or type(parent) is not JSFunction:
        throw_type_error("Super constructor null of anonymous class is not a constructor")
    if parent.internal and "body" in parent.internal:
        _run_constructor(parent, this, args)
    elif parent.construct is None:
        parent.fn(this, *args)
    else:
        from .values import BUILTINS

        if parent is BUILTINS.get("Array"):
            throw_type_error("extending Array is not supported by scxmlc")
        made = parent.construct(*args)
        if isinstance(made, JSObject) and isinstance(this, JSObject):
            this.cls = made.cls
            this.internal = made.internal
            this.hidden = made.hidden
            dict.update(this, made)
        elif isinstance(made, dict) and isinstance(this, dict):
            dict.update(this, made)
    return this


def _home(cls: JSFunction, static: bool) -> Any:
    return cls if static else cls.props["prototype"]


def js_super_get(cls: JSFunction, static: bool, key: Any, this: Any) -> Any:
    """super.key (ES2015 12.3.5): looked up from the home object's prototype, with this."""
    from .properties import chain_get, get_proto

    start = get_proto(_home(cls, static))
    return chain_get(start, key if type(key) is str else to_string(key), this) if start is not None else UNDEFINED


def js_super_invoke(cls: JSFunction, static: bool, key: Any, this: Any, *args: Any) -> Any:
    """super.key(args)."""
    f = js_super_get(cls, static, key, this)
    if type(f) is not JSFunction:
        throw_type_error(f"(intermediate value).{to_string(key)} is not a function")
    return f.fn(this, *args)


__all__ += ["js_class", "js_super_call", "js_super_get", "js_super_invoke"]


# The script budget and the size caps (budget.py): what generated code checks.
from .budget import MAX_STRING_LENGTH as js_MAX_STRING, check_array_length, js_string_too_long, js_ticks  # noqa: E402

__all__ += ["js_MAX_STRING", "js_array_spread", "js_string_too_long", "js_ticks"]
