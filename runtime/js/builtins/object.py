"""Object, Function and Boolean: constructors and prototype methods (ES5.1 15.2, 15.3, 15.6)."""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from ..conversions import is_object, to_property_key, to_string, js_truthy
from ..errors import throw_type_error
from .. import realm
from ..properties import (
    MISSING,
    _index_first,
    get_proto,
    has_property,
    hidden_keys,
    js_getp,
    js_setp,
    object_description,
    own_get,
    own_keys,
    restricted_put,
)
from ..values import (
    ACCESSORS_EXIST,
    BOOLEAN_PROTO,
    Accessor,
    BUILTINS,
    FUNCTION_PROTO,
    NUMBER_PROTO,
    OBJECT_PROTO,
    STRING_PROTO,
    UNDEFINED,
    HostObject,
    JSArray,
    JSFunction,
    JSObject,
)
from ._util import as_list, callable_arg, define, native


def class_of(v: Any) -> str:
    """[[Class]] (ES5.1 8.6.2) of any value, for Object.prototype.toString."""
    if v is UNDEFINED:
        return "Undefined"
    if v is None:
        return "Null"
    t = type(v)
    if t is JSArray:
        return "Array"
    if t is JSFunction:
        return "Function"
    if t is str:
        return "String"
    if t is float or t is int:
        return "Number"
    if t is bool:
        return "Boolean"
    if isinstance(v, JSObject):
        return v.cls
    if isinstance(v, HostObject):
        return v.js_class()
    return "Object"


def to_object(v: Any) -> Any:
    """ToObject (ES5.1 9.9): primitives become wrapper objects."""
    if v is UNDEFINED or v is None:
        throw_type_error("Cannot convert undefined or null to object")
    t = type(v)
    if t is str:
        return JSObject(STRING_PROTO, "String", v)
    if t is float or t is int:
        return JSObject(NUMBER_PROTO, "Number", float(v))
    if t is bool:
        return JSObject(BOOLEAN_PROTO, "Boolean", v)
    return v


# -- Object -------------------------------------------------------------------------------


def _object_call(this, value=UNDEFINED, *_):
    if value is UNDEFINED or value is None:
        return {}
    return to_object(value)


Object = native(_object_call, "Object", 1, construct=lambda value=UNDEFINED, *_: _object_call(None, value))
Object.props = {"prototype": OBJECT_PROTO}
OBJECT_PROTO["constructor"] = Object


def _check_object(v: Any, fn: str) -> Any:
    if v is UNDEFINED or v is None:
        throw_type_error("Cannot convert undefined or null to object")
    return v


@define(Object, "keys", 1)
def _keys(this, o=UNDEFINED, *_):
    _check_object(o, "keys")
    return JSArray(own_keys(o))


@define(Object, "values", 1)
def _values(this, o=UNDEFINED, *_):
    _check_object(o, "values")
    return JSArray(js_getp(o, k) for k in own_keys(o))


@define(Object, "entries", 1)
def _entries(this, o=UNDEFINED, *_):
    _check_object(o, "entries")
    return JSArray(JSArray((k, js_getp(o, k))) for k in own_keys(o))


@define(Object, "fromEntries", 1)
def _from_entries(this, entries=UNDEFINED, *_):
    out: dict = {}
    for pair in as_list(entries):
        out[to_property_key(js_getp(pair, "0"))] = js_getp(pair, "1")
    return out


@define(Object, "assign", 2)
def _assign(this, target=UNDEFINED, *sources):
    target = to_object(target)
    for s in sources:
        if s is UNDEFINED or s is None:
            continue
        for k in own_keys(s):
            if isinstance(target, JSObject) and target.integrity:
                restricted_put(target, k, js_getp(s, k), throw=True)  # [[Put]] with Throw true (ES2015 19.1.2.1)
            else:
                js_setp(target, k, js_getp(s, k))
    return target


@define(Object, "create", 2)
def _create(this, proto=UNDEFINED, props=UNDEFINED, *_):
    if proto is not None and not is_object(proto):
        throw_type_error(f"Object prototype may only be an Object or null: {to_string(proto)}")
    obj = JSObject(proto)
    if props is not UNDEFINED:
        _define_properties(None, obj, props)
    return obj


@define(Object, "getPrototypeOf", 1)
def _get_prototype_of(this, o=UNDEFINED, *_):
    return get_proto(to_object(o))


@define(Object, "setPrototypeOf", 2)
def _set_prototype_of(this, o=UNDEFINED, proto=UNDEFINED, *_):
    if isinstance(o, JSObject) and not o.frozen and (proto is None or is_object(proto)):
        if o.integrity and proto is not o.proto:
            throw_type_error(f"{object_description(o)} is not extensible")
        o.proto = proto
        return o
    throw_type_error("Object.setPrototypeOf is only supported on objects created by Object.create or new")


@define(Object, "getOwnPropertyNames", 1)
def _get_own_property_names(this, o=UNDEFINED, *_):
    o = to_object(o)
    if type(o) is JSFunction:
        # length, name and prototype (where it has one) first, as V8 lists them; then the rest,
        # non-enumerable ones too, in the order they were made
        names = [k for k in ("length", "name", "prototype") if own_get(o, k) is not MISSING]
        return JSArray(names + _index_first([k for k in (o.props or ()) if k not in names]))
    if isinstance(o, JSObject) and o.frozen:
        # a built-in object: all its properties are non-enumerable (ES5.1 15 intro), and what
        # the running session changed of it is in place (realm.py)
        names = _index_first(list(dict.keys(o)))
        return JSArray(["length", *names] if o.cls == "Array" else names)  # (Array.prototype is an array)
    keys = own_keys(o)
    if type(o) is JSArray:
        keys.append("length")
    elif isinstance(o, JSObject) and (hidden := hidden_keys(o)):
        # the non-enumerable ones with the others, all in the order they were made (ES2015
        # 9.1.12: integer indices first)
        present = set(keys)
        made = [k for k in dict.keys(o) if k in present or k in hidden]
        in_dict = set(made)
        keys = [k for k in keys if k not in in_dict] + _index_first(made)
    if isinstance(o, JSObject) and o.cls == "String" and "length" not in keys:
        # (a String object's length, after its indices: ES2015 9.4.3.3)
        n = len(o.internal)
        keys.insert(n if keys[:n] == [str(i) for i in range(n)] else 0, "length")
    return JSArray(keys)


def _check_redefine(o: JSObject, key: str, desc: Any, current: Any, getter: Any, setter: Any) -> None:
    """DefineOwnProperty's refusals (ES5.1 8.12.9 steps 3-4, 7, 9-11) for the objects that
    Object.preventExtensions/seal/freeze changed, whose own properties are all configurable,
    or all non-configurable (sealed), and also non-writable (frozen). Properties that
    defineProperty itself made non-writable or non-configurable are not tracked."""
    if current is MISSING:
        throw_type_error(f"Cannot define property {key}, object is not extensible")
    if o.integrity < 2:
        return
    ok = not js_truthy(js_getp(desc, "configurable")) and (
        not has_property(desc, "enumerable") or js_truthy(js_getp(desc, "enumerable")) == (key not in hidden_keys(o))
    )
    if type(current) is Accessor:
        if has_property(desc, "value") or has_property(desc, "writable"):
            ok = False
        if ok and getter is not MISSING:
            ok = getter is (UNDEFINED if current.get is None else current.get)
        if ok and setter is not MISSING:
            ok = setter is (UNDEFINED if current.set is None else current.set)
    elif getter is not MISSING or setter is not MISSING:
        ok = False
    elif o.integrity == 3 and ok:
        ok = not js_truthy(js_getp(desc, "writable")) and (not has_property(desc, "value") or _is(None, js_getp(desc, "value"), current))
    if not ok:
        throw_type_error(f"Cannot redefine property: {key}")


def _define_property(o: Any, key: str, desc: Any) -> None:
    """DefineOwnProperty (ES5.1 8.12.9) as far as scxmlc models attributes: data and accessor
    properties, `enumerable` on JSObjects, and the objects Object.preventExtensions/seal/freeze
    changed (_check_redefine). Otherwise writable/configurable are not enforced."""
    if not is_object(desc):
        throw_type_error("Property description must be an object")
    getter = js_getp(desc, "get") if has_property(desc, "get") else MISSING
    setter = js_getp(desc, "set") if has_property(desc, "set") else MISSING
    if getter is not MISSING or setter is not MISSING:
        if has_property(desc, "value") or has_property(desc, "writable"):
            throw_type_error("Invalid property descriptor. Cannot both specify accessors and a value or writable attribute")
        for f in (getter, setter):
            if f is not MISSING and f is not UNDEFINED and type(f) is not JSFunction:
                throw_type_error(f"Getter must be a function: {to_string(f) if not is_object(f) else 'object'}")
        if not isinstance(o, JSObject) or o.frozen:
            throw_type_error("accessor properties can only be defined on objects made by Object.create or new (scxmlc)")
        current = dict.get(o, key, MISSING)
        if o.integrity:
            _check_redefine(o, key, desc, current, getter, setter)
        acc = current if type(current) is Accessor else Accessor()
        if getter is not MISSING:
            acc.get = None if getter is UNDEFINED else getter
        if setter is not MISSING:
            acc.set = None if setter is UNDEFINED else setter
        ACCESSORS_EXIST[0] = True
        dict.__setitem__(o, key, acc)
        _set_enumerable(o, key, desc, current)
    elif isinstance(o, JSObject) and not o.frozen:
        current = dict.get(o, key, MISSING)
        if o.integrity:
            _check_redefine(o, key, desc, current, MISSING, MISSING)
        if has_property(desc, "value") or current is MISSING or (type(current) is Accessor and has_property(desc, "writable")):
            dict.__setitem__(o, key, js_getp(desc, "value"))  # replaces an accessor too
        _set_enumerable(o, key, desc, current)
    elif type(o) is JSFunction and not o.frozen:
        current = own_get(o, key)
        if has_property(desc, "value") or current is MISSING:
            js_setp(o, key, js_getp(desc, "value"))
        # [[Enumerable]] as for a JSObject (_set_enumerable), kept in `internal["hidden"]`
        if has_property(desc, "enumerable") or current is MISSING:
            internal = o.internal if o.internal is not None else {}
            hidden = internal.get("hidden", frozenset())
            internal["hidden"] = hidden - {key} if js_truthy(js_getp(desc, "enumerable")) else hidden | {key}
            o.internal = internal
    elif getattr(o, "frozen", False):
        # a built-in: the running session's own change (realm.py), non-enumerable by default
        if not realm.patch(o, key, js_getp(desc, "value"), enumerable=js_truthy(js_getp(desc, "enumerable"))):
            throw_type_error(f"Cannot redefine property: {key}")
    else:
        js_setp(o, key, js_getp(desc, "value"))


def _set_enumerable(o: JSObject, key: str, desc: Any, current: Any) -> None:
    """[[Enumerable]] of a JSObject's property as the descriptor says; absent, a new property is
    not enumerable and an existing one keeps its attribute (8.12.9 steps 4, 12)."""
    if has_property(desc, "enumerable") or current is MISSING:
        if js_truthy(js_getp(desc, "enumerable")):
            if o.hidden and key in o.hidden:
                o.hidden = frozenset(o.hidden - {key})
        else:
            o.hidden = frozenset((o.hidden or frozenset()) | {key})


@define(Object, "getOwnPropertyDescriptor", 2)
def _get_own_property_descriptor(this, o=UNDEFINED, key=UNDEFINED, *_, enumerable_keys=None):
    """(`enumerable_keys`: own_keys(o) as a set, made once by getOwnPropertyDescriptors: made
    per key, it was quadratic, minutes for an array at the size cap, which no budget stops)"""
    o = to_object(o)
    key = to_property_key(key)
    v = dict.get(o, key, MISSING) if isinstance(o, JSObject) else own_get(o, key)
    if v is MISSING:
        v = own_get(o, key)
    if v is MISSING:
        return UNDEFINED
    enumerable = key in (own_keys(o) if enumerable_keys is None else enumerable_keys)
    frozen = bool(getattr(o, "frozen", False))
    level = o.integrity if isinstance(o, JSObject) else 0
    if type(v) is Accessor:
        return {
            "get": v.get if v.get is not None else UNDEFINED,
            "set": v.set if v.set is not None else UNDEFINED,
            "enumerable": enumerable,
            "configurable": level < 2,
        }
    fixed = _intrinsic_attributes(o, key)
    if fixed is not None and not frozen:
        writable, configurable = fixed
        return {"value": v, "writable": writable and level < 3, "enumerable": enumerable, "configurable": configurable and level < 2}
    return {"value": v, "writable": not frozen and level < 3, "enumerable": enumerable, "configurable": not frozen and level < 2}


def _intrinsic_attributes(o: Any, key: str) -> tuple[bool, bool] | None:
    """(writable, configurable) of the properties every object of a kind has from the start,
    as scxmlc keeps them (writes to the read-only ones are ignored): an array's `length`
    (ES5.1 15.4.5.2), a String object's `length` and indices (15.5.5.1-2), a function's
    `length` and `name` (ES2015 19.2.4.1-2) and `prototype` (a class's read-only too)."""
    t = type(o)
    if t is JSArray:
        return (True, False) if key == "length" else None
    if t is JSObject and o.cls == "String":
        if key == "length" or (key.isdigit() and int(key) < len(o.internal) and str(int(key)) == key):
            return (False, False)
        return None
    if t is JSFunction and (o.props is None or key not in o.props or key == "prototype"):
        if key in ("length", "name"):
            return (False, True)
        if key == "prototype":
            return (not (o.internal and "body" in o.internal), False)
    return None


@define(Object, "defineProperty", 3)
def _define_property_fn(this, o=UNDEFINED, key=UNDEFINED, desc=UNDEFINED, *_):
    if not is_object(o):
        throw_type_error("Object.defineProperty called on non-object")
    _define_property(o, to_property_key(key), desc)
    return o


@define(Object, "defineProperties", 2)
def _define_properties(this, o=UNDEFINED, props=UNDEFINED, *_):
    if not is_object(o):
        throw_type_error("Object.defineProperties called on non-object")
    if props is UNDEFINED or props is None:  # (ToObject(Properties), 15.2.3.7 step 2)
        throw_type_error("Cannot convert undefined or null to object")
    for k in own_keys(props):
        _define_property(o, k, js_getp(props, k))
    return o


# Integrity levels (ES5.1 15.2.3.8-13): JSObjects record them in `integrity` (values.py), which
# properties.py honours; built-ins (`frozen`) are not changed and report themselves frozen.
# Plain objects and arrays have no room for the flag, so these functions leave them unchanged
# (documented deviation) and report them as open.
def _raise_integrity(o: Any, level: int) -> Any:
    if isinstance(o, JSObject) and not o.frozen and o.integrity < level:
        o.integrity = level
        # [[Put]] on JSObjects looks at `integrity` only once this is set, and then looks along
        # the prototype chain too: objects inheriting a frozen data property cannot shadow it by
        # assignment (properties.find_setter). Until the first accessor or integrity change in
        # the process, writes pay nothing for either.
        ACCESSORS_EXIST[0] = True
    return o


@define(Object, "freeze", 1)
def _freeze(this, o=UNDEFINED, *_):
    return _raise_integrity(o, 3)


@define(Object, "seal", 1)
def _seal(this, o=UNDEFINED, *_):
    return _raise_integrity(o, 2)


@define(Object, "preventExtensions", 1)
def _prevent_extensions(this, o=UNDEFINED, *_):
    return _raise_integrity(o, 1)


def _level(o: Any) -> int:
    """The integrity level an object has (TestIntegrityLevel): a non-extensible object is also
    sealed when it has no own property left, and frozen when it has no own data property."""
    if not isinstance(o, JSObject):
        return 3 if getattr(o, "frozen", False) else 0
    if o.frozen:
        return 3
    level = o.integrity
    if level == 0 or level == 3:
        return level
    if all(type(v) is Accessor for v in dict.values(o)):
        return 3 if level == 2 or not o else level
    return level


@define(Object, "isFrozen", 1)
def _is_frozen(this, o=UNDEFINED, *_):
    return not is_object(o) or _level(o) == 3


@define(Object, "isSealed", 1)
def _is_sealed(this, o=UNDEFINED, *_):
    return not is_object(o) or _level(o) >= 2


@define(Object, "isExtensible", 1)
def _is_extensible(this, o=UNDEFINED, *_):
    return is_object(o) and _level(o) == 0


@define(Object, "is", 2)
def _is(this, a=UNDEFINED, b=UNDEFINED, *_):
    """SameValue (ES5.1 9.12)."""
    if type(a) is float and type(b) is float:
        if a != a and b != b:
            return True
        if a == 0 and b == 0:
            return str(a) == str(b)
        return a == b
    from ..operators import js_strict_eq

    return js_strict_eq(a, b)


# -- Object.prototype ---------------------------------------------------------------------


@define(OBJECT_PROTO, "hasOwnProperty", 1)
def _has_own_property(this, key=UNDEFINED, *_):
    key = to_property_key(key)
    o = to_object(this)
    return own_get(o, key) is not MISSING


@define(Object, "hasOwn", 2)
def _has_own(this, o=UNDEFINED, key=UNDEFINED, *_):
    """ES2022 20.1.2.13: hasOwnProperty as a function of the object (ToObject first)."""
    o = to_object(o)
    return own_get(o, to_property_key(key)) is not MISSING


@define(Object, "getOwnPropertyDescriptors", 1)
def _get_own_property_descriptors(this, o=UNDEFINED, *_):
    """ES2017 20.1.2.9: a descriptor per own property name."""
    names = _get_own_property_names(UNDEFINED, o)
    o = to_object(o)
    keys = set(own_keys(o))
    return {k: _get_own_property_descriptor(UNDEFINED, o, k, enumerable_keys=keys) for k in names}


@define(OBJECT_PROTO, "propertyIsEnumerable", 1)
def _property_is_enumerable(this, key=UNDEFINED, *_):
    key = to_property_key(key)
    o = to_object(this)
    return own_get(o, key) is not MISSING and key in own_keys(o)


@define(OBJECT_PROTO, "isPrototypeOf", 1)
def _is_prototype_of(this, v=UNDEFINED, *_):
    if not is_object(v):
        return False
    if this is UNDEFINED or this is None:  # (ToObject(this value), 15.2.4.6 step 2)
        throw_type_error("Cannot convert undefined or null to object")
    p = get_proto(v)
    while p is not None:
        if p is this:
            return True
        p = get_proto(p)
    return False


@define(OBJECT_PROTO, "toString", 0)
def _object_to_string(this, *_):
    return f"[object {class_of(this)}]"


@define(OBJECT_PROTO, "toLocaleString", 0)
def _to_locale_string(this, *_):
    from ..properties import js_invoke

    return js_invoke(this, "toString")


@define(OBJECT_PROTO, "valueOf", 0)
def _value_of(this, *_):
    return to_object(this)


# -- Function -----------------------------------------------------------------------------


def _function_ctor(*_):
    # Function(...) compiles source text at run time, i.e. eval: not supported (sandbox).
    throw_type_error("Function constructor (dynamic code) is not supported by scxmlc")


Function = native(lambda this, *a: _function_ctor(), "Function", 1, construct=_function_ctor)
Function.props = {"prototype": FUNCTION_PROTO}
FUNCTION_PROTO["constructor"] = Function


@define(FUNCTION_PROTO, "call", 1)
def _call(this, this_arg=UNDEFINED, *args):
    f = callable_arg(this, "Function.prototype.call receiver")
    return f.fn(this_arg, *args)


@define(FUNCTION_PROTO, "apply", 2)
def _apply(this, this_arg=UNDEFINED, args=UNDEFINED, *_):
    f = callable_arg(this, "Function.prototype.apply receiver")
    if args is UNDEFINED or args is None:
        return f.fn(this_arg)
    if not is_object(args):
        throw_type_error("CreateListFromArrayLike called on non-object")
    from ..values import HOLE

    return f.fn(this_arg, *[UNDEFINED if v is HOLE else v for v in as_list(args)])


BOUND_NAME_LIMIT = 256  # (the longest name of a function that bind still prefixes with "bound ")


@define(FUNCTION_PROTO, "bind", 1)
def _bind(this, this_arg=UNDEFINED, *bound):
    target = callable_arg(this, "Bind target")

    def bound_fn(_ignored, *args):
        return target.fn(this_arg, *bound, *args)

    def construct(*args):
        from ..properties import js_new

        return js_new(target, target.name, *bound, *args)

    # Deviation: the name stops growing past BOUND_NAME_LIMIT characters (V8 adds "bound " at
    # every bind): `f = f.bind(null)` in a loop would otherwise hold names of quadratic size.
    name = target.name if type(target.name) is str else ""
    f = JSFunction(
        bound_fn,
        "bound " + name if len(name) <= BOUND_NAME_LIMIT else name,
        max(0, target.length - len(bound)),
        construct=construct if target.constructible else None,
        constructible=target.constructible,
    )
    f.internal = {"target": target}
    return f


def function_source(f: JSFunction) -> str:
    if f.source is not None:
        return f.source
    return f"function {f.name}() {{\n    [native code]\n}}"


@define(FUNCTION_PROTO, "toString", 0)
def _function_to_string(this, *_):
    if type(this) is not JSFunction:
        throw_type_error("Function.prototype.toString requires that 'this' be a Function")
    return function_source(this)


# -- Boolean ------------------------------------------------------------------------------

Boolean = native(
    lambda this, v=UNDEFINED, *_: js_truthy(v),
    "Boolean",
    1,
    construct=lambda v=UNDEFINED, *_: JSObject(BOOLEAN_PROTO, "Boolean", js_truthy(v)),
)
Boolean.props = {"prototype": BOOLEAN_PROTO}
BOOLEAN_PROTO["constructor"] = Boolean


def this_boolean(this: Any) -> bool:
    if type(this) is bool:
        return this
    if isinstance(this, JSObject) and this.cls == "Boolean":
        return this.internal
    throw_type_error("Boolean.prototype method called on incompatible receiver")


@define(BOOLEAN_PROTO, "toString", 0)
def _boolean_to_string(this, *_):
    return "true" if this_boolean(this) else "false"


@define(BOOLEAN_PROTO, "valueOf", 0)
def _boolean_value_of(this, *_):
    return this_boolean(this)


BUILTINS.update(Object=Object, Function=Function, Boolean=Boolean)
