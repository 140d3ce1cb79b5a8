"""JavaScript operators (ES5.1 clause 11) for operands whose types the compiler cannot see."""

from __future__ import annotations

import math

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from .budget import MAX_STRING_LENGTH, check_string, js_string_too_long
from .conversions import (
    _SMALL_INT_STRINGS,
    is_object,
    number_to_string,
    to_int32,
    to_number,
    to_primitive,
    to_property_key,
    to_string,
    to_uint32,
)
from .values import INF, NAN, UNDEFINED, JSFunction, _Hole

_NUM = (float, int)


def _num(v: Any) -> float:
    return v if type(v) is float else to_number(v)


# -- additive and multiplicative (11.6, 11.5) ---------------------------------------------


def js_add(a: Any, b: Any) -> Any:
    """a + b (ES5.1 11.6.1)."""
    ta = type(a)
    tb = type(b)
    if ta is tb:
        if ta is float:
            return a + b
        if ta is str:
            if len(a) + len(b) > MAX_STRING_LENGTH:
                js_string_too_long()  # (budget.py: the size cap)
            return a + b
    if ta is str and tb is float:
        return check_string(a + number_to_string(b))
    if ta is float and tb is str:
        return check_string(number_to_string(a) + b)
    pa = to_primitive(a)
    pb = to_primitive(b)
    if type(pa) is str or type(pb) is str:
        return check_string(to_string(pa) + to_string(pb))
    return to_number(pa) + to_number(pb)


def js_str_add(v: Any) -> str:
    """ToString(ToPrimitive(v)): the string `+` appends when the other operand is a string."""
    t = type(v)
    if t is str:
        return v
    if t is float:
        s = _SMALL_INT_STRINGS.get(v)
        return s if s is not None else number_to_string(v)
    return to_string(to_primitive(v))


def js_sub(a: Any, b: Any) -> float:
    return _num(a) - _num(b)


def js_mul(a: Any, b: Any) -> float:
    return _num(a) * _num(b)


def js_div(a: Any, b: Any) -> float:
    """a / b with IEEE 754 results for zero divisors (ES5.1 11.5.2)."""
    x = _num(a)
    y = _num(b)
    try:
        return x / y
    except ZeroDivisionError:
        if x != x or x == 0:
            return NAN
        return INF if (x > 0) == (math.copysign(1.0, y) > 0) else -INF


def js_mod(a: Any, b: Any) -> float:
    """a % b: truncating remainder with the dividend's sign (ES5.1 11.5.3), i.e. C fmod."""
    x = _num(a)
    y = _num(b)
    try:
        return math.fmod(x, y)
    except ValueError:  # fmod(inf, y) and fmod(x, 0)
        return NAN


def js_pow(a: Any, b: Any) -> float:
    """a ** b and Math.pow (ES2016 12.6.4 / ES5.1 15.8.2.13): IEEE pow with JS's NaN rules."""
    x = _num(a)
    y = _num(b)
    if y != y:
        return NAN
    if y == 0:
        return 1.0
    if (x == 1.0 or x == -1.0) and y in (INF, -INF):
        return NAN  # Python says 1.0; ES5.1 15.8.2.13 says NaN
    try:
        return math.pow(x, y)
    except OverflowError:
        if x < 0 and y == int(y) and int(y) % 2 == 1:
            return -INF
        return INF
    except ValueError:
        if x < 0 and x != -INF:
            return NAN  # negative finite base, non-integer exponent
        if x == 0:
            # 0 ** negative: +Infinity, or -Infinity for -0 and an odd integer exponent.
            if math.copysign(1.0, x) < 0 and y == int(y) and int(y) % 2 == 1:
                return -INF
            return INF
        return NAN  # negative base, non-integer exponent


def js_neg(a: Any) -> float:
    return -_num(a)


def js_pos(a: Any) -> float:
    return _num(a)


def js_inc(a: Any) -> float:
    return _num(a) + 1.0


def js_dec(a: Any) -> float:
    return _num(a) - 1.0


# -- bitwise and shifts (11.7, 11.10, 11.4.8) ----------------------------------------------


def _wrap32(i: int) -> float:
    i &= 0xFFFFFFFF
    return float(i - 0x100000000 if i >= 0x80000000 else i)


def js_bitand(a: Any, b: Any) -> float:
    return float(to_int32(a) & to_int32(b))


def js_bitor(a: Any, b: Any) -> float:
    return float(to_int32(a) | to_int32(b))


def js_bitxor(a: Any, b: Any) -> float:
    return float(to_int32(a) ^ to_int32(b))


def js_bitnot(a: Any) -> float:
    return float(~to_int32(a))


def js_shl(a: Any, b: Any) -> float:
    return _wrap32(to_int32(a) << (to_uint32(b) & 31))


def js_shr(a: Any, b: Any) -> float:
    return float(to_int32(a) >> (to_uint32(b) & 31))


def js_ushr(a: Any, b: Any) -> float:
    return float(to_uint32(a) >> (to_uint32(b) & 31))


# -- equality (11.9) ----------------------------------------------------------------------


def js_strict_eq(a: Any, b: Any) -> bool:
    """a === b (ES5.1 11.9.6): no coercion; NaN is unequal to itself, +0 equals -0."""
    ta = type(a)
    tb = type(b)
    if ta is tb:
        if ta is float or ta is str or ta is int:
            return a == b
        return a is b
    if ta in _NUM and tb in _NUM and ta is not bool and tb is not bool:
        return float(a) == float(b)
    return False


def js_strict_ne(a: Any, b: Any) -> bool:
    return not js_strict_eq(a, b)


def js_eq(a: Any, b: Any) -> bool:
    """a == b (ES5.1 11.9.3, the Abstract Equality Comparison Algorithm)."""
    while True:
        ta = type(a)
        tb = type(b)
        if ta is int:
            a, ta = float(a), float
        if tb is int:
            b, tb = float(b), float
        if ta is tb:
            if ta is float or ta is str:
                return a == b
            return a is b
        a_nullish = a is None or a is UNDEFINED
        b_nullish = b is None or b is UNDEFINED
        if a_nullish or b_nullish:
            return a_nullish and b_nullish
        if ta is float and tb is str:
            return a == to_number(b)
        if ta is str and tb is float:
            return to_number(a) == b
        if ta is bool:
            a = 1.0 if a else 0.0
            continue
        if tb is bool:
            b = 1.0 if b else 0.0
            continue
        a_obj = is_object(a)
        b_obj = is_object(b)
        if (ta is float or ta is str) and b_obj:
            b = to_primitive(b)
            continue
        if a_obj and (tb is float or tb is str):
            a = to_primitive(a)
            continue
        return False


def js_ne(a: Any, b: Any) -> bool:
    return not js_eq(a, b)


# -- relational (11.8) --------------------------------------------------------------------


def _utf16_key(s: str) -> str | bytes:
    """JS compares strings by UTF-16 code units; Python by code points. They only disagree
    when a string has characters beyond U+FFFF, so only then pay for the conversion."""
    if s.isascii() or max(s) <= "\uffff":
        return s
    return s.encode("utf-16-be")


def _less(x: Any, y: Any, left_first: bool = True) -> Any:
    """The Abstract Relational Comparison x < y (ES5.1 11.8.5): True, False, or None for NaN."""
    if left_first:
        px = to_primitive(x, "number")
        py = to_primitive(y, "number")
    else:
        py = to_primitive(y, "number")
        px = to_primitive(x, "number")
    if type(px) is str and type(py) is str:
        kx, ky = _utf16_key(px), _utf16_key(py)
        if type(kx) is not type(ky):
            kx, ky = px.encode("utf-16-be"), py.encode("utf-16-be")
        return kx < ky
    nx = to_number(px)
    ny = to_number(py)
    if nx != nx or ny != ny:
        return None
    return nx < ny


def js_lt(a: Any, b: Any) -> bool:
    if type(a) is float and type(b) is float:
        return a < b
    return _less(a, b) is True


def js_gt(a: Any, b: Any) -> bool:
    if type(a) is float and type(b) is float:
        return a > b
    return _less(b, a, False) is True


def js_le(a: Any, b: Any) -> bool:
    if type(a) is float and type(b) is float:
        return a <= b
    return _less(b, a, False) is False


def js_ge(a: Any, b: Any) -> bool:
    if type(a) is float and type(b) is float:
        return a >= b
    return _less(a, b) is False


# -- typeof, void (11.4) ------------------------------------------------------------------


def js_typeof(v: Any) -> str:
    """typeof v (ES5.1 11.4.3)."""
    t = type(v)
    if t is str:
        return "string"
    if t is float or t is int:
        return "number"
    if t is bool:
        return "boolean"
    if v is UNDEFINED or isinstance(v, _Hole):
        return "undefined"
    if t is JSFunction:
        return "function"
    return "object"


def js_key(v: Any) -> str:
    """The property name for a computed key (used for `{[k]: v}` and `k in o`)."""
    return v if type(v) is str else to_property_key(v)
