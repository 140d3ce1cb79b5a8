"""Array constructor and Array.prototype (ES5.1 15.4, plus the ES2015+ methods charts use)."""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from ..conversions import number_to_string, to_integer, to_number, to_string, to_uint32, js_truthy, is_object
from ..errors import throw_range_error, throw_type_error
from ..operators import js_strict_eq, _utf16_key
from ..budget import HEAVY, MAX_ARRAY_LENGTH, MAX_STRING_LENGTH, builtin_heavy, builtin_tick, check_array_length
from ..values import ARRAY_PROTO, BUILTINS, HOLE, UNDEFINED, JSArray, JSFunction
from ._util import arg, as_list, callable_arg, define, describe_value, native, relative_index
from .object import to_object


def _array_call(this, *args):
    if len(args) == 1 and type(args[0]) in (float, int):
        n = float(args[0])
        if n != to_uint32(n):
            throw_range_error("Invalid array length")
        if n > MAX_ARRAY_LENGTH:
            throw_range_error(f"Array length {int(n)} exceeds this implementation's limit")
        return JSArray([HOLE] * int(n))
    return JSArray(args)


Array = native(_array_call, "Array", 1, construct=lambda *args: _array_call(None, *args))
Array.props = {"prototype": ARRAY_PROTO}
ARRAY_PROTO["constructor"] = Array


def _this_array(this: Any, name: str) -> JSArray:
    """Mutating methods need a real array (generic array-likes are read-only here)."""
    if type(this) is JSArray:
        if len(this) >= HEAVY and name != "push" and name != "pop":
            builtin_heavy()  # (the method walks or moves it all: budget.py)
        return this
    throw_type_error(f"Array.prototype.{name} is only supported on arrays by scxmlc")


def _elements(this: Any) -> list:
    elements = as_list(this)
    if len(elements) >= HEAVY:
        builtin_heavy()  # (the method walks it: budget.py)
    return elements


def _value(v: Any) -> Any:
    return UNDEFINED if v is HOLE else v


@define(Array, "isArray", 1)
def _is_array(this, v=UNDEFINED, *_):
    return type(v) is JSArray or v is ARRAY_PROTO  # (Array.prototype is an Array object: ES5.1 15.4.4)


@define(Array, "of", 0)
def _of(this, *items):
    return JSArray(items)


@define(Array, "from", 1)
def _from(this, items=UNDEFINED, fn=UNDEFINED, this_arg=UNDEFINED, *_):
    if items is UNDEFINED or items is None:
        throw_type_error(f"{to_string(items)} is not iterable")
    src = [_value(v) for v in as_list(items)] if is_object(items) or type(items) is str else []
    if fn is not UNDEFINED:
        f = callable_arg(fn, "Array.from mapper")
        return JSArray(f.fn(this_arg, v, float(i)) for i, v in enumerate(src))
    return JSArray(src)


@define(ARRAY_PROTO, "push", 1)
def _push(this, *items):
    if type(this) is not JSArray:
        _this_array(this, "push")
    check_array_length(len(this) + len(items))
    this.extend(items)
    return float(len(this))


@define(ARRAY_PROTO, "pop", 0)
def _pop(this, *_):
    a = _this_array(this, "pop")
    return _value(a.pop()) if a else UNDEFINED


@define(ARRAY_PROTO, "shift", 0)
def _shift(this, *_):
    a = _this_array(this, "shift")
    return _value(a.pop(0)) if a else UNDEFINED


@define(ARRAY_PROTO, "unshift", 1)
def _unshift(this, *items):
    a = _this_array(this, "unshift")
    check_array_length(len(a) + len(items))
    a[0:0] = items
    return float(len(a))


@define(ARRAY_PROTO, "slice", 2)
def _slice(this, start=UNDEFINED, end=UNDEFINED, *_):
    src = _elements(this)
    n = len(src)
    return JSArray(src[relative_index(start, n, 0) : relative_index(end, n, n)])


@define(ARRAY_PROTO, "splice", 2)
def _splice(this, *args):
    a = _this_array(this, "splice")
    n = len(a)
    start = relative_index(arg(args, 0), n, 0)
    if not args:
        count = 0
    elif len(args) == 1:
        count = n - start
    else:
        count = int(min(max(to_integer(args[1]), 0), n - start))
    removed = JSArray(a[start : start + count])
    check_array_length(n - count + len(args[2:]))
    a[start : start + count] = args[2:]
    return removed


@define(ARRAY_PROTO, "concat", 1)
def _concat(this, *items):
    if type(this) is JSArray:
        first = _elements(this)
    elif this is UNDEFINED or this is None:
        throw_type_error("Array.prototype.concat called on null or undefined")
    else:
        first = [to_object(this)]  # (ES5.1 15.4.4.4 step 1: ToObject(this), a primitive boxed)
    check_array_length(len(first) + sum(len(i) if type(i) is JSArray else 1 for i in items))
    out = JSArray(first)
    for item in items:
        if type(item) is JSArray:
            out.extend(item)
        else:
            out.append(item)
    return out


_joining: set[int] = set()


def _join_part(v: Any, room: list) -> str:
    """An element's part of a joined string: an object's (an array inside, joined, say: it may be
    long) is counted against the `room` left under the string cap as it is made."""
    if type(v) is float:
        return number_to_string(v)  # (a short one: counted with the rest)
    if v is UNDEFINED or v is None or v is HOLE:
        return ""
    p = to_string(v)
    room[0] -= len(p)
    if room[0] < 0:
        throw_range_error("Invalid string length")
    return p


@define(ARRAY_PROTO, "join", 1)
def _join(this, sep=UNDEFINED, *_):
    s = "," if sep is UNDEFINED else to_string(sep)
    # A cyclic array joins its inner occurrence as "" (what every engine does, not in ES5.1).
    if id(this) in _joining:
        return ""
    # One step of the budget per array joined (toString, String(a) and '' + a come here too):
    # a = [a, a] twenty times is a million joins of a few bytes (budget.py, as JSON.stringify).
    builtin_tick()
    _joining.add(id(this))
    try:
        src = _elements(this)
        # (the string cap, counted before joining: new Array(1e7).join('x'.repeat(72)); the
        # separators first, then the parts as they are made: each may be a long string)
        left = MAX_STRING_LENGTH - len(s) * max(len(src) - 1, 0)
        if left < 0:
            throw_range_error("Invalid string length")
        room = [left]
        parts = [v if type(v) is str else _join_part(v, room) for v in src]
        if sum(map(len, parts)) > left:
            throw_range_error("Invalid string length")
        return s.join(parts)
    finally:
        _joining.discard(id(this))


@define(ARRAY_PROTO, "toString", 0)
def _to_string(this, *_):
    """Array.prototype.toString (ES5.1 15.4.4.2): the object's own `join`, whatever it is."""
    from ..properties import js_getp

    if this is UNDEFINED or this is None:
        throw_type_error("Cannot convert undefined or null to object")
    join = js_getp(this, "join")
    if type(join) is JSFunction:
        return _join(this) if join.fn is _join and type(this) is JSArray else join.fn(this)
    from .object import _object_to_string

    return _object_to_string(this)


@define(ARRAY_PROTO, "toLocaleString", 0)
def _to_locale_string(this, *_):
    return _join(this)


@define(ARRAY_PROTO, "reverse", 0)
def _reverse(this, *_):
    a = _this_array(this, "reverse")
    a.reverse()
    return a


@define(ARRAY_PROTO, "indexOf", 1)
def _index_of(this, target=UNDEFINED, from_index=UNDEFINED, *_):
    src = _elements(this)
    n = len(src)
    start = relative_index(from_index, n, 0)
    for i in range(start, n):
        v = src[i]
        if v is not HOLE and js_strict_eq(v, target):
            return float(i)
    return -1.0


@define(ARRAY_PROTO, "lastIndexOf", 1)
def _last_index_of(this, target=UNDEFINED, *args):
    src = _elements(this)
    n = len(src)
    if args:
        k = to_integer(args[0])
        start = int(min(k, n - 1)) if k >= 0 else int(max(n + k, -1))
    else:
        start = n - 1
    for i in range(start, -1, -1):
        v = src[i]
        if v is not HOLE and js_strict_eq(v, target):
            return float(i)
    return -1.0


@define(ARRAY_PROTO, "includes", 1)
def _includes(this, target=UNDEFINED, from_index=UNDEFINED, *_):
    src = _elements(this)
    n = len(src)
    for i in range(relative_index(from_index, n, 0), n):
        v = _value(src[i])
        if js_strict_eq(v, target) or (type(v) is float and type(target) is float and v != v and target != target):
            return True
    return False


def _iterate(this: Any, fn: Any, name: str):
    """(index, value) of present elements, visiting at most the initial length (15.4.4.18)."""
    f = callable_arg(fn, describe_value(fn))
    src = _elements(this)
    n = len(src)
    return f, src, n


@define(ARRAY_PROTO, "forEach", 1)
def _for_each(this, fn=UNDEFINED, this_arg=UNDEFINED, *_):
    f, src, n = _iterate(this, fn, "forEach")
    for i in range(n):
        if i < len(src) and src[i] is not HOLE:
            f.fn(this_arg, src[i], float(i), this)
    return UNDEFINED


@define(ARRAY_PROTO, "map", 1)
def _map(this, fn=UNDEFINED, this_arg=UNDEFINED, *_):
    f, src, n = _iterate(this, fn, "map")
    out = JSArray([HOLE] * n)
    for i in range(n):
        if i < len(src) and src[i] is not HOLE:
            out[i] = f.fn(this_arg, src[i], float(i), this)
    return out


@define(ARRAY_PROTO, "filter", 1)
def _filter(this, fn=UNDEFINED, this_arg=UNDEFINED, *_):
    f, src, n = _iterate(this, fn, "filter")
    out = JSArray()
    for i in range(n):
        if i < len(src) and src[i] is not HOLE:
            v = src[i]
            if js_truthy(f.fn(this_arg, v, float(i), this)):
                out.append(v)
    return out


@define(ARRAY_PROTO, "some", 1)
def _some(this, fn=UNDEFINED, this_arg=UNDEFINED, *_):
    f, src, n = _iterate(this, fn, "some")
    for i in range(n):
        if i < len(src) and src[i] is not HOLE and js_truthy(f.fn(this_arg, src[i], float(i), this)):
            return True
    return False


@define(ARRAY_PROTO, "every", 1)
def _every(this, fn=UNDEFINED, this_arg=UNDEFINED, *_):
    f, src, n = _iterate(this, fn, "every")
    for i in range(n):
        if i < len(src) and src[i] is not HOLE and not js_truthy(f.fn(this_arg, src[i], float(i), this)):
            return False
    return True


def _find(this, fn, this_arg, name: str, backwards: bool = False) -> tuple[int, Any]:
    """(index, value) of the first element, or with `backwards` the last, that `fn` holds true
    for, holes read as undefined (ES2015 22.1.3.8-9, ES2023 23.1.3.11-12); (-1, undefined)."""
    f, src, n = _iterate(this, fn, name)
    for i in range(n - 1, -1, -1) if backwards else range(n):
        v = _value(src[i]) if i < len(src) else UNDEFINED
        if js_truthy(f.fn(this_arg, v, float(i), this)):
            return i, v
    return -1, UNDEFINED


@define(ARRAY_PROTO, "find", 1)
def _find_first(this, fn=UNDEFINED, this_arg=UNDEFINED, *_):
    return _find(this, fn, this_arg, "find")[1]


@define(ARRAY_PROTO, "findIndex", 1)
def _find_index(this, fn=UNDEFINED, this_arg=UNDEFINED, *_):
    return float(_find(this, fn, this_arg, "findIndex")[0])


@define(ARRAY_PROTO, "findLast", 1)
def _find_last(this, fn=UNDEFINED, this_arg=UNDEFINED, *_):
    return _find(this, fn, this_arg, "findLast", backwards=True)[1]


@define(ARRAY_PROTO, "findLastIndex", 1)
def _find_last_index(this, fn=UNDEFINED, this_arg=UNDEFINED, *_):
    return float(_find(this, fn, this_arg, "findLastIndex", backwards=True)[0])


@define(ARRAY_PROTO, "at", 1)
def _at(this, index=UNDEFINED, *_):
    """ES2022 23.1.3.1: the element at a relative index (negative counts from the end)."""
    src = _elements(this)
    i = to_integer(index)
    if i < 0:
        i += len(src)
    return _value(src[int(i)]) if 0 <= i < len(src) else UNDEFINED


def _reduce(this, args, indices):
    f = callable_arg(arg(args, 0), "reducer")
    src = _elements(this)
    present = [i for i in indices(len(src)) if src[i] is not HOLE]
    if len(args) >= 2:
        acc = args[1]
    else:
        if not present:
            throw_type_error("Reduce of empty array with no initial value")
        acc = src[present.pop(0)]
    for i in present:
        if i < len(src) and src[i] is not HOLE:
            acc = f.fn(UNDEFINED, acc, src[i], float(i), this)
    return acc


@define(ARRAY_PROTO, "reduce", 1)
def _reduce_left(this, *args):
    return _reduce(this, args, lambda n: range(n))


@define(ARRAY_PROTO, "reduceRight", 1)
def _reduce_right(this, *args):
    return _reduce(this, args, lambda n: range(n - 1, -1, -1))


@define(ARRAY_PROTO, "fill", 1)
def _fill(this, value=UNDEFINED, start=UNDEFINED, end=UNDEFINED, *_):
    a = _this_array(this, "fill")
    n = len(a)
    for i in range(relative_index(start, n, 0), relative_index(end, n, n)):
        a[i] = value
    return a


# Iterators are not modelled: keys/values/entries return arrays, which is what for-of,
# spread and Array.from observe (documented deviation: there is no .next()).
@define(ARRAY_PROTO, "keys", 0)
def _keys(this, *_):
    return JSArray(float(i) for i in range(len(_elements(this))))


@define(ARRAY_PROTO, "values", 0)
def _values(this, *_):
    return JSArray(_value(v) for v in _elements(this))


@define(ARRAY_PROTO, "entries", 0)
def _entries(this, *_):
    return JSArray(JSArray((float(i), _value(v))) for i, v in enumerate(_elements(this)))


@define(ARRAY_PROTO, "flat", 0)
def _flat(this, depth=UNDEFINED, *_):
    d = 1 if depth is UNDEFINED else to_integer(depth)

    def flatten(src, d):
        out = []
        for v in src:
            if v is HOLE:
                continue
            if type(v) is JSArray and d > 0:
                builtin_tick()  # (shared parts are visited once per path: budget.py)
                out.extend(flatten(v, d - 1))
            else:
                out.append(v)
            check_array_length(len(out))  # (an array holding itself twice doubles at each level)
        return out

    return JSArray(flatten(_elements(this), d))


@define(ARRAY_PROTO, "flatMap", 1)
def _flat_map(this, fn=UNDEFINED, this_arg=UNDEFINED, *_):
    """ES2019 23.1.3.14: map, then flatten one level."""
    f, src, n = _iterate(this, fn, "flatMap")
    out = JSArray()
    for i in range(n):
        if i < len(src) and src[i] is not HOLE:
            v = f.fn(this_arg, src[i], float(i), this)
            if type(v) is JSArray:
                builtin_tick()
                out.extend(x for x in v if x is not HOLE)
            else:
                out.append(v)
            check_array_length(len(out))
    return out


@define(ARRAY_PROTO, "copyWithin", 2)
def _copy_within(this, target=UNDEFINED, start=UNDEFINED, end=UNDEFINED, *_):
    """ES2015 22.1.3.3: copy [start, end) to target, inside the array (holes copied as holes)."""
    a = _this_array(this, "copyWithin")
    n = len(a)
    to, frm, stop = relative_index(target, n, 0), relative_index(start, n, 0), relative_index(end, n, n)
    count = min(stop - frm, n - to)
    if count > 0:
        a[to : to + count] = a[frm : frm + count]
    return a


def _default_compare(x: Any, y: Any) -> int:
    xs = _utf16_key(to_string(x))
    ys = _utf16_key(to_string(y))
    if type(xs) is not type(ys):
        xs, ys = to_string(x).encode("utf-16-be"), to_string(y).encode("utf-16-be")
    return -1 if xs < ys else (1 if xs > ys else 0)


@define(ARRAY_PROTO, "sort", 1)
def _sort(this, comparefn=UNDEFINED, *_):
    """Stable sort (ES2019 made stability normative; V8 has been stable since 7.0).

    undefined values go last and holes after them (ES5.1 15.4.4.11 SortCompare steps 4-10),
    neither is passed to the comparator.
    """
    a = _this_array(this, "sort")
    if comparefn is not UNDEFINED and type(comparefn) is not JSFunction:
        throw_type_error("The comparison function must be either a function or undefined")
    values = [v for v in a if v is not HOLE and v is not UNDEFINED]
    n_undef = sum(1 for v in a if v is UNDEFINED)
    n_holes = len(a) - len(values) - n_undef
    from functools import cmp_to_key  # (on first use: functools is not on the runtime's import path)

    if comparefn is UNDEFINED:
        if all(type(v) is str for v in values) and all(_utf16_key(v) is v for v in values):
            values.sort()
        else:
            values.sort(key=cmp_to_key(_default_compare))
    else:
        f = comparefn

        def cmp(x, y):
            r = to_number(f.fn(UNDEFINED, x, y))
            return -1 if r < 0 else (1 if r > 0 else 0)

        values.sort(key=cmp_to_key(cmp))
    a[:] = values + [UNDEFINED] * n_undef + [HOLE] * n_holes
    return a


BUILTINS["Array"] = Array
