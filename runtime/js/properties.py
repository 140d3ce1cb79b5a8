"""Property access: [[Get]], [[Put]], [[Delete]], key enumeration, calls and `new`.

Every JavaScript property read or write in generated code goes through these functions; they
dispatch on the Python type of the base and only ever touch dict entries, list elements,
JSFunction slots named here, or HostObject.js_* methods. No attribute lookup is ever driven
by a JavaScript string, which is what keeps `__class__`, `__globals__` & co out of reach.
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from . import realm
from .conversions import to_number, to_property_key, to_string, to_uint32
from .values import (
    ACCESSORS_EXIST,
    ARRAY_PROTO,
    Accessor,
    BOOLEAN_PROTO,
    FUNCTION_PROTO,
    HOLE,
    NUMBER_PROTO,
    OBJECT_PROTO,
    STRING_PROTO,
    UNDEFINED,
    MISSING,
    SYSTEM_VARIABLES,
    HostObject,
    JSArray,
    JSFunction,
    JSObject,
    JSThrow,
)


# Arrays are dense Python lists: a write far past the end would allocate every hole in
# between, so untrusted scripts could exhaust memory with `a[4e9] = 1`. Past MAX_ARRAY_LENGTH
# elements (budget.py) a write throws RangeError instead (documented deviation).
from .budget import MAX_ARRAY_LENGTH  # noqa: E402


def _type_error(message: str):
    from .errors import throw_type_error

    throw_type_error(message)


def _base_error(obj: Any, key: Any, reading: bool = True):
    """The TypeError of obj[key] with obj undefined or null (ES5.1 11.2.1 step 5,
    CheckObjectCoercible), thrown before the key is converted (step 6): an object key is not
    shown in the message, whose text would run its toString (V8 leaves it out too)."""
    what = "Cannot read properties of" if reading else "Cannot set properties of"
    if isinstance(key, (dict, JSArray, JSFunction, HostObject)):
        _type_error(f"{what} {to_string(obj)}")
    _type_error(f"{what} {to_string(obj)} ({'reading' if reading else 'setting'} '{to_property_key(key)}')")


def js_ref_key(obj: Any, key: Any) -> str:
    """The property name of the reference obj[key] that is read and then written (`++o[k]`,
    `o[k] += v`, `o[k](...)`): obj undefined or null throws first, then the key is converted,
    once (ES5.1 11.2.1 steps 5-6)."""
    if obj is UNDEFINED or obj is None:
        _base_error(obj, key)
    return key if type(key) is str else to_property_key(key)


def array_index(key: str) -> int:
    """The array index a property name denotes (ES5.1 15.4), or -1."""
    if key.isdigit() and key.isascii() and (key[0] != "0" or key == "0"):
        i = int(key)
        if i < 4294967295:
            return i
    return -1


def _describe(key: Any) -> str:
    return key if type(key) is str else to_property_key(key)


# -- prototypes ---------------------------------------------------------------------------


def get_proto(obj: Any) -> Any:
    """[[Prototype]] of an object value (None at the end of the chain)."""
    t = type(obj)
    if t is dict:
        return OBJECT_PROTO
    if t is JSObject:
        return obj.proto
    if t is JSArray:
        return ARRAY_PROTO
    if t is JSFunction:
        internal = obj.internal
        return FUNCTION_PROTO if internal is None else internal.get("proto", FUNCTION_PROTO)
    if isinstance(obj, JSObject):
        return obj.proto
    if isinstance(obj, HostObject) or isinstance(obj, dict):
        return OBJECT_PROTO  # host objects, and dict subclasses a host may hand over
    return None


def function_prototype(f: JSFunction) -> Any:
    """F.prototype, created on first use (ES5.1 13.2 steps 16-18)."""
    props = f.props
    if props is None:
        props = f.props = {}
    proto = props.get("prototype", MISSING)
    if proto is MISSING:
        if not f.constructible or (f.internal is not None and "target" in f.internal):
            return UNDEFINED  # (a bound function has none: ES5.1 15.3.4.5; instanceof asks its target)
        proto = JSObject(OBJECT_PROTO)
        proto["constructor"] = f
        proto.hidden = frozenset(("constructor",))
        props["prototype"] = proto
    return proto


def hidden_keys(obj: Any) -> frozenset:
    """Own properties of `obj` that for-in and Object.keys skip (non-enumerable)."""
    if isinstance(obj, JSObject) and obj.hidden:
        return obj.hidden
    return frozenset()


def own_get(obj: Any, key: str) -> Any:
    """The own property `key` of an object value, or MISSING."""
    t = type(obj)
    if t is dict:
        return dict.get(obj, key, MISSING)
    if t is JSObject or isinstance(obj, JSObject):
        v = dict.get(obj, key, MISSING)
        if v is MISSING and obj.cls == "String":
            return _string_own(obj.internal, key)
        return v
    if t is JSArray:
        if key == "length":
            return float(len(obj))
        i = array_index(key)
        if i >= 0:
            if i < len(obj):
                v = obj[i]
                return MISSING if v is HOLE else v
            return MISSING
        props = _array_props(obj)
        return MISSING if props is None else props.get(key, MISSING)
    if t is JSFunction:
        if key == "prototype":
            p = function_prototype(obj)
            return MISSING if p is UNDEFINED else p
        props = obj.props
        if props is not None and key in props:
            return props[key]
        if key == "name":
            return obj.name
        if key == "length":
            return float(obj.length)
        return MISSING
    if isinstance(obj, HostObject):
        v = obj.js_get(key)
        return MISSING if v is UNDEFINED and not obj.js_has(key) else v
    if isinstance(obj, dict):
        return dict.get(obj, key, MISSING)  # a dict subclass from the host: a plain object
    return MISSING


def _string_own(s: str, key: str) -> Any:
    if key == "length":
        return float(len(s))
    i = array_index(key)
    if 0 <= i < len(s):
        return s[i]
    return MISSING


def _array_props(a: JSArray):
    return a.props


def chain_get(obj: Any, key: str, receiver: Any = MISSING) -> Any:
    """[[Get]] along the prototype chain starting at obj (ES5.1 8.12.3); a getter found on the
    way runs with `receiver` (the object the lookup started from) as this."""
    start = obj
    while obj is not None:
        v = own_get(obj, key)
        if v is not MISSING:
            if type(v) is Accessor:
                return v.read(start if receiver is MISSING else receiver)
            return v
        obj = get_proto(obj)
    return UNDEFINED


# What find_setter answers for a data property of a frozen object (non-writable): an assignment
# to it, or to the same name on an object inheriting it, is ignored (8.12.4 steps 2.b and 8.b).
READ_ONLY = Accessor()


def find_setter(obj: Any, key: str) -> Accessor | None:
    """The accessor that an assignment obj.key = v must call (own or inherited), if any;
    READ_ONLY when the property found is a frozen object's data property."""
    while obj is not None:
        if isinstance(obj, JSObject):
            v = dict.get(obj, key, MISSING)
            if v is not MISSING:
                return v if type(v) is Accessor else READ_ONLY if obj.integrity == 3 else None
        else:
            v = own_get(obj, key)
            if v is not MISSING:
                return v if type(v) is Accessor else None
        obj = get_proto(obj)
    return None


# -- [[Get]] ------------------------------------------------------------------------------


def js_getp(obj: Any, key: str) -> Any:
    """obj.key with a property name known at compile time (always a str)."""
    t = type(obj)
    if t is dict:
        try:
            return obj[key]
        except KeyError:
            return chain_get(OBJECT_PROTO, key, obj)
    if t is JSArray:
        if key == "length":
            return float(len(obj))
        v = own_get(obj, key)
        return chain_get(ARRAY_PROTO, key, obj) if v is MISSING else v
    if t is JSObject:
        v = dict.get(obj, key, MISSING)
        if v is not MISSING:
            return v if type(v) is not Accessor else v.read(obj)
        return chain_get(obj, key)
    if t is str:
        if key == "length":
            return float(len(obj))
        v = _string_own(obj, key)
        return chain_get(STRING_PROTO, key, obj) if v is MISSING else v
    if t is float or t is int:
        return chain_get(NUMBER_PROTO, key, obj)
    if t is bool:
        return chain_get(BOOLEAN_PROTO, key, obj)
    if obj is UNDEFINED or obj is None:
        _type_error(f"Cannot read properties of {to_string(obj)} (reading '{key}')")
    if isinstance(obj, HostObject):
        v = obj.js_get(key)
        if v is UNDEFINED and key in OBJECT_PROTO:
            return OBJECT_PROTO[key]
        return v
    return chain_get(obj, key)


def js_length(obj: Any) -> Any:
    """obj.length: the common cases (strings, arrays) without the general lookup."""
    t = type(obj)
    if t is str or t is JSArray:
        return float(len(obj))
    return js_getp(obj, "length")


def js_index(obj: Any, i: int) -> Any:
    """obj[i] for a non-negative integer index known at compile time."""
    if type(obj) is JSArray:
        if i < len(obj):
            v = obj[i]
            if v is not HOLE:
                return v
        return chain_get(ARRAY_PROTO, str(i), obj)
    if type(obj) is str:
        return obj[i] if i < len(obj) else UNDEFINED
    if obj is UNDEFINED or obj is None:
        _type_error(f"Cannot read properties of {to_string(obj)} (reading '{i}')")
    return js_getp(obj, str(i))


# Small integral float keys -> list index, without float->int conversion calls (a[i] in loops).
_SMALL_INDEX = {float(i): i for i in range(1024)}


def js_get(obj: Any, key: Any) -> Any:
    """obj[key] (ES5.1 11.2.1): any key value."""
    if type(obj) is JSArray and type(key) is float:
        # Fast path for a[i] with an in-range integral index.
        i = _SMALL_INDEX.get(key)
        if i is None and key.is_integer() and 0.0 <= key:
            i = int(key)
        if i is not None and i < len(obj):
            v = obj[i]
            if v is not HOLE:
                return v
    if type(key) is not str:
        if obj is UNDEFINED or obj is None:
            _base_error(obj, key)
        key = to_property_key(key)
    return js_getp(obj, key)


# -- [[Put]] ------------------------------------------------------------------------------


def set_array_length(a: JSArray, value: Any) -> None:
    n = to_number(value)
    new_len = to_uint32(n)
    if new_len != n:
        from .errors import throw_range_error

        throw_range_error("Invalid array length")
    if new_len < len(a):
        del a[new_len:]
    elif new_len > len(a):
        if new_len > MAX_ARRAY_LENGTH:
            from .errors import throw_range_error

            throw_range_error(f"Array length {new_len} exceeds this implementation's limit")
        a.extend([HOLE] * (new_len - len(a)))


def array_put(a: JSArray, key: str, value: Any) -> None:
    i = array_index(key)
    if i >= 0:
        n = len(a)
        if i < n:
            a[i] = value
        elif i == n:
            a.append(value)
        else:
            if i >= MAX_ARRAY_LENGTH:
                from .errors import throw_range_error

                throw_range_error(f"Array index {i} exceeds this implementation's limit")
            a.extend([HOLE] * (i - n))
            a.append(value)
        return
    if key == "length":
        set_array_length(a, value)
        return
    props = _array_props(a)
    if props is None:
        props = a.props = {}
    props[key] = value


def js_setp(obj: Any, key: str, value: Any) -> Any:
    """obj.key = value with a compile-time name; returns value (the expression's result)."""
    t = type(obj)
    if t is dict:
        obj[key] = value
    elif t is JSArray:
        array_put(obj, key, value)
    elif t is JSObject or isinstance(obj, JSObject):
        if obj.frozen:
            if not realm.patch(obj, key, value):
                _type_error(f"Cannot assign to read only property '{key}' of built-in object")
            return value
        if obj.cls == "String" and (key == "length" or 0 <= array_index(key) < len(obj.internal)):
            return value  # read-only own properties of a String object (15.5.5)
        if ACCESSORS_EXIST[0]:  # (also set by the first Object.preventExtensions/seal/freeze)
            if obj.integrity:
                return restricted_put(obj, key, value)
            setter = find_setter(obj, key)
            if setter is not None:
                setter.write(obj, value)  # [[Put]] step 5 (8.12.5)
                return value
        obj[key] = value
    elif t is JSFunction:
        if obj.frozen:
            if not realm.patch(obj, key, value):
                _type_error(f"Cannot assign to read only property '{key}' of built-in function")
            return value
        if key in ("name", "length") and (obj.props is None or key not in obj.props):
            return value  # read-only (ES5.1 15.3.5.1); sloppy mode ignores the write
        if ACCESSORS_EXIST[0]:
            setter = find_setter(obj, key)
            if setter is not None:
                setter.write(obj, value)
                return value
        if obj.props is None:
            obj.props = {}
        obj.props[key] = value
    elif obj is UNDEFINED or obj is None:
        _type_error(f"Cannot set properties of {to_string(obj)} (setting '{key}')")
    elif isinstance(obj, HostObject):
        obj.js_set(key, value)
    elif isinstance(obj, dict):
        dict.__setitem__(obj, key, value)
    # Primitives (string, number, boolean): PutValue on a primitive base does nothing (8.7.2).
    return value


def restricted_put(obj: JSObject, key: str, value: Any, throw: bool = False) -> Any:
    """[[Put]] (8.12.5) on an object that Object.preventExtensions/seal/freeze changed: no new
    own property, and with freeze no data property changes; setters still run. A refused write
    is ignored (sloppy mode), or with `throw` a TypeError in V8's words (Object.assign)."""
    v = dict.get(obj, key, MISSING)
    if v is MISSING:
        setter = find_setter(obj.proto, key)
        if setter is None:
            if throw:
                _type_error(f"Cannot add property {key}, object is not extensible")
            return value
        v = setter
    if type(v) is Accessor and v is not READ_ONLY:
        v.write(obj, value)
    elif v is not READ_ONLY and obj.integrity != 3:
        dict.__setitem__(obj, key, value)
    elif throw:
        _type_error(f"Cannot assign to read only property '{key}' of object '{object_description(obj)}'")
    return value


def object_description(o: Any) -> str:
    """How V8 names an object in its messages: #<Constructor name>."""
    p = o
    while isinstance(p, dict):
        c = dict.get(p, "constructor", MISSING)
        if c is not MISSING:
            if type(c) is JSFunction and type(c.name) is str and c.name:
                return f"#<{c.name}>"
            break
        p = get_proto(p)
    return "[object Object]"


def js_set(obj: Any, key: Any, value: Any) -> Any:
    """obj[key] = value (ES5.1 11.13.1); returns value."""
    if type(obj) is JSArray and type(key) is float and 0.0 <= key < len(obj):
        i = int(key)
        if i == key:
            obj[i] = value
            return value
    if type(key) is not str:
        if obj is UNDEFINED or obj is None:
            _base_error(obj, key, reading=False)
        key = to_property_key(key)
    return js_setp(obj, key, value)


# -- delete, in, keys ---------------------------------------------------------------------


def js_delete(obj: Any, key: Any) -> bool:
    """delete obj[key] (ES5.1 11.4.1, sloppy mode: false for non-configurable properties)."""
    if obj is UNDEFINED or obj is None:
        _type_error(f"Cannot convert undefined or null to object")
    key = key if type(key) is str else to_property_key(key)
    t = type(obj)
    if t is dict:
        obj.pop(key, None)
        return True
    if t is JSArray:
        i = array_index(key)
        if i >= 0:
            if i < len(obj):
                obj[i] = HOLE
            return True
        if key == "length":
            return False
        props = _array_props(obj)
        if props:
            props.pop(key, None)
        return True
    if isinstance(obj, JSObject):
        if obj.frozen:
            return dict.get(obj, key, MISSING) is MISSING or realm.patch(obj, key, MISSING)
        if obj.cls == "String" and (key == "length" or 0 <= array_index(key) < len(obj.internal)):
            return False
        if obj.integrity >= 2 and key in obj:
            return False  # sealed or frozen: own properties are not configurable
        obj.pop(key, None)
        return True
    if t is JSFunction:
        if obj.frozen:
            return own_get(obj, key) is MISSING or realm.patch(obj, key, MISSING)
        if obj.props:
            obj.props.pop(key, None)
        return key not in ("prototype",) or not obj.constructible
    if isinstance(obj, HostObject):
        return obj.js_delete(key)
    return True


def has_property(obj: Any, key: str) -> bool:
    """[[HasProperty]] (ES5.1 8.12.6)."""
    while obj is not None:
        if own_get(obj, key) is not MISSING:
            return True
        obj = get_proto(obj)
    return False


def _index_first(keys: list[str]) -> list[str]:
    """JS own-key order: array indices ascending, then strings in insertion order."""
    for k in keys:
        if k and "0" <= k[0] <= "9" and array_index(k) >= 0:
            break
    else:
        return keys
    idx = sorted((k for k in keys if array_index(k) >= 0), key=int)
    return idx + [k for k in keys if array_index(k) < 0]


def own_keys(obj: Any) -> list[str]:
    """Own enumerable property names in JS order (Object.keys, for-in, JSON.stringify)."""
    t = type(obj)
    if t is dict:
        return _index_first(list(obj))
    if t is JSArray:
        keys = [str(i) for i, v in enumerate(obj) if v is not HOLE]
        props = _array_props(obj)
        if props:
            keys.extend(props)
        return keys
    if isinstance(obj, JSObject):
        if obj.frozen:
            return realm.added_keys(obj)  # [] unless the running session added some
        hidden = hidden_keys(obj)
        keys = _index_first([k for k in obj if k not in hidden])
        if obj.cls == "String":
            keys = [str(i) for i in range(len(obj.internal))] + keys
        return keys
    if t is JSFunction:
        if obj.frozen:
            return realm.added_keys(obj)
        if not obj.props:
            return []
        hidden = obj.internal.get("hidden", ()) if obj.internal else ()
        return _index_first([k for k in obj.props if k != "prototype" and k not in hidden])
    if isinstance(obj, HostObject):
        return list(obj.js_keys())
    if t is str:
        return [str(i) for i in range(len(obj))]
    if isinstance(obj, dict):
        return _index_first([k for k in obj if type(k) is str])
    return []


def for_in_keys(obj: Any) -> list[str]:
    """Names visited by for-in (ES5.1 12.6.4): own then inherited enumerable, no duplicates."""
    if obj is UNDEFINED or obj is None:
        return []
    if type(obj) is str:
        return own_keys(obj)
    seen: set[str] = set()
    out: list[str] = []
    while obj is not None:
        if not (isinstance(obj, JSObject) and obj.frozen) or realm.APPLIED[0] is not None:
            for k in own_keys(obj):
                if k not in seen:
                    seen.add(k)
                    out.append(k)
        if isinstance(obj, JSObject) and obj.hidden:
            # a non-enumerable own property hides an enumerable one it inherits (12.6.4)
            seen.update(k for k in obj.hidden if dict.__contains__(obj, k))
        obj = get_proto(obj)
    return out


def js_in(key: Any, obj: Any) -> bool:
    """key in obj (ES5.1 11.8.7)."""
    if not isinstance(obj, (dict, JSArray, JSFunction, HostObject)):
        from .operators import js_typeof

        # (before the key is converted, ES5.1 11.8.7 steps 5-6: an object key is not shown)
        shown = "" if isinstance(key, (dict, JSArray, JSFunction, HostObject)) else f" '{to_string(key)}'"
        _type_error(f"Cannot use 'in' operator to search for{shown} in {to_string(obj) if type(obj) is str else js_typeof(obj)}")
    return has_property(obj, key if type(key) is str else to_property_key(key))


# -- calls --------------------------------------------------------------------------------


def _converted(exc: BaseException) -> JSThrow:
    """A RecursionError or a TDZ NameError raised inside a call, as the JS error it is."""
    from .codegen_support import js_error_value

    return JSThrow(js_error_value(exc))


def js_call(f: Any, desc: str, *args: Any) -> Any:
    """f(args) with this = undefined; desc names the callee in the TypeError."""
    if type(f) is JSFunction:
        try:
            return f.fn(UNDEFINED, *args)
        except (RecursionError, NameError) as exc:
            raise _converted(exc) from None
    _type_error(f"{desc} is not a function")


def js_call_this(f: Any, this: Any, desc: str, *args: Any) -> Any:
    """f.call(this, args...) from generated code (callee already fetched)."""
    if type(f) is JSFunction:
        try:
            return f.fn(this, *args)
        except (RecursionError, NameError) as exc:
            raise _converted(exc) from None
    _type_error(f"{desc} is not a function")


def js_invoke(obj: Any, key: Any, *args: Any) -> Any:
    """obj.key(args): the method is looked up on obj (primitives via their prototype), this = obj."""
    t = type(obj)
    if t is JSArray and obj.props is None:
        # Built-in array methods: Array.prototype holds them directly (and is frozen).
        f = dict.get(ARRAY_PROTO, key) if type(key) is str else None
        if f is None:
            f = js_get(obj, key)
    elif t is str and type(key) is str and key in STRING_PROTO:
        f = dict.__getitem__(STRING_PROTO, key)
    else:
        f = js_get(obj, key) if type(key) is not str else js_getp(obj, key)
    if type(f) is JSFunction:
        try:
            return f.fn(obj, *args)
        except (RecursionError, NameError) as exc:
            raise _converted(exc) from None
    _type_error(f"{_base_desc(obj)}.{_describe(key)} is not a function")


def _base_desc(obj: Any) -> str:
    if isinstance(obj, JSArray):
        return "array"
    if type(obj) is str:
        return "string"
    if type(obj) is float:
        return "number"
    return "object"


def js_new(f: Any, desc: str, *args: Any) -> Any:
    """new F(args) (ES5.1 11.2.2, 13.2.2)."""
    if type(f) is not JSFunction or not f.constructible:
        _type_error(f"{desc} is not a constructor")
    if f.construct is not None:
        return f.construct(*args)
    proto = function_prototype(f)
    from .conversions import is_object

    if not is_object(proto):
        proto = OBJECT_PROTO
    obj = JSObject(proto)
    try:
        result = f.fn(obj, *args)
    except (RecursionError, NameError) as exc:
        raise _converted(exc) from None
    return result if is_object(result) else obj


def js_instanceof(value: Any, f: Any) -> bool:
    """value instanceof F (ES5.1 11.8.6, 15.3.5.3)."""
    if type(f) is not JSFunction:
        _type_error("Right-hand side of 'instanceof' is not callable")
    target = own_get(f, "prototype")
    if target is MISSING or target is UNDEFINED:
        bound = f.internal.get("target") if f.internal else None
        if type(bound) is JSFunction:
            return js_instanceof(value, bound)
        _type_error("Function has non-object prototype in instanceof check")
    if not isinstance(value, (dict, JSArray, JSFunction, HostObject)):
        return False
    p = get_proto(value)
    while p is not None:
        if p is target:
            return True
        p = get_proto(p)
    return False
