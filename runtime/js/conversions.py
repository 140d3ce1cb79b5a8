"""Type conversions of ES5.1 clause 9: ToBoolean, ToNumber, ToString, ToPrimitive, ToInt32 & co."""

from __future__ import annotations

import math

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from .._lazyre import LazyPattern
from .values import INF, NAN, UNDEFINED, HostObject, JSArray, JSFunction, JSObject, _Hole, ensure_builtins

# ES5.1 7.2 WhiteSpace and 7.3 LineTerminator: what String.prototype.trim and ToNumber strip
# (ES2015+ dropped U+180E from Zs; V8 follows that, and so do we).
WHITESPACE = (
    "\u0009\u000b\u000c\u0020\u00a0\ufeff\u000a\u000d\u2028\u2029"
    "\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)

_DECIMAL = LazyPattern(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\Z")
_RADIX = LazyPattern(r"0([xXoObB])([0-9a-fA-F]+)\Z")


def js_truthy(v: Any) -> bool:
    """ToBoolean (ES5.1 9.2)."""
    if v is True:
        return True
    if v is False or v is None or v is UNDEFINED:
        return False
    t = type(v)
    if t is float:
        return v == v and v != 0.0
    if t is str:
        return v != ""
    if t is int:
        return v != 0
    return True


def string_to_number(s: str) -> float:
    """ToNumber applied to a String (ES5.1 9.3.1, plus the ES2015 0b/0o forms V8 accepts)."""
    s = s.strip(WHITESPACE)
    if not s:
        return 0.0
    if _DECIMAL.match(s):
        return float(s)
    if s in ("Infinity", "+Infinity"):
        return INF
    if s == "-Infinity":
        return -INF
    m = _RADIX.match(s)
    if m:
        base = {"x": 16, "o": 8, "b": 2}[m.group(1).lower()]
        try:
            return float(int(m.group(2), base))
        except (ValueError, OverflowError):
            return NAN if base != 16 else INF
    return NAN


def to_number(v: Any) -> float:
    """ToNumber (ES5.1 9.3)."""
    t = type(v)
    if t is float:
        return v
    if t is str:
        return string_to_number(v)
    if t is bool:
        return 1.0 if v else 0.0
    if t is int:
        return float(v)
    if v is None:
        return 0.0
    if v is UNDEFINED:
        return NAN
    return to_number(to_primitive(v, "number"))


def to_numeric_int(v: Any) -> float:
    """ToNumber for a value that may be a host int (keeps big ints exact when converting)."""
    return float(v) if type(v) is int else to_number(v)


def to_integer(v: Any) -> float:
    """ToInteger (ES5.1 9.4): NaN -> 0, infinities kept, otherwise truncated toward zero."""
    n = v if type(v) is float else to_number(v)
    if n != n:
        return 0.0
    if n in (INF, -INF):
        return n
    return float(math.trunc(n))


def to_int32(v: Any) -> int:
    """ToInt32 (ES5.1 9.5), as a Python int."""
    n = v if type(v) is float else to_number(v)
    if n != n or n in (INF, -INF):
        return 0
    i = int(n)
    if -2147483648 <= i <= 2147483647:
        return i
    i &= 0xFFFFFFFF
    return i - 0x100000000 if i >= 0x80000000 else i


def to_uint32(v: Any) -> int:
    """ToUint32 (ES5.1 9.6), as a Python int."""
    n = v if type(v) is float else to_number(v)
    if n != n or n in (INF, -INF):
        return 0
    return int(n) & 0xFFFFFFFF


def to_uint16(v: Any) -> int:
    """ToUint16 (ES5.1 9.7)."""
    n = to_number(v)
    if n != n or n in (INF, -INF):
        return 0
    return int(n) & 0xFFFF


def _digits(x: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits s and exponent n with x = 0.s * 10**n (x > 0, finite).

    Python's repr is the shortest string that reads back as the same double, with ties broken
    toward the closer value: exactly the k and s ES5.1 9.8.1 step 5 asks for.
    """
    r = repr(x)
    mant, _, exp = r.partition("e")
    ip, _, fp = mant.partition(".")
    digits = ip + fp
    n = len(ip) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    return stripped.rstrip("0") or "0", n


# Small integers are by far the most common numbers turned into strings (counters, indices).
_SMALL_INT_STRINGS = {float(i): str(i) for i in range(-256, 1024)}


def number_to_string(x: float) -> str:
    """ToString applied to a Number (ES5.1 9.8.1)."""
    s = _SMALL_INT_STRINGS.get(x)
    if s is not None:
        return s  # -0.0 finds the "0" of 0.0, as step 2 requires
    if x != x:
        return "NaN"
    if x == 0:
        return "0"  # both +0 and -0 (step 2)
    if x < 0:
        return "-" + number_to_string(-x)
    if x == INF:
        return "Infinity"
    if x < 9007199254740992.0 and x.is_integer():
        return str(int(x))  # below 2**53 every integer's shortest form is all its digits
    s, n = _digits(x)
    k = len(s)
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    e = n - 1
    sign = "+" if e >= 0 else "-"
    if k == 1:
        return f"{s}e{sign}{abs(e)}"
    return f"{s[0]}.{s[1:]}e{sign}{abs(e)}"


def to_string(v: Any) -> str:
    """ToString (ES5.1 9.8)."""
    t = type(v)
    if t is str:
        return v
    if t is float:
        return number_to_string(v)
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return number_to_string(float(v))
    if v is None:
        return "null"
    if v is UNDEFINED or isinstance(v, _Hole):
        return "undefined"
    return to_string(to_primitive(v, "string"))


def to_property_key(v: Any) -> str:
    """The property name a value designates (ES5.1 11.2.1 step 6: ToString)."""
    if type(v) is str:
        return v
    if type(v) is float and v.is_integer() and abs(v) < 1e21:
        return str(int(v))  # -0 becomes "0", as ToString does
    return to_string(v)


def is_object(v: Any) -> bool:
    return isinstance(v, (dict, JSArray, JSFunction, HostObject))


def to_primitive(v: Any, hint: str = "default") -> Any:
    """ToPrimitive (ES5.1 9.1 and [[DefaultValue]] 8.12.8): valueOf/toString in hint order."""
    if not is_object(v):
        return v
    if hint == "default":
        hint = "string" if isinstance(v, JSObject) and v.cls == "Date" else "number"
    order = ("valueOf", "toString") if hint == "number" else ("toString", "valueOf")
    for name in order:
        f = _p.js_get(v, name)
        if type(f) is JSFunction:
            r = f.fn(v)
            if not is_object(r):
                return r
    if ensure_builtins():  # (no valueOf or toString before the built-ins: values.ensure_builtins)
        return to_primitive(v, hint)
    from .errors import throw_type_error

    throw_type_error("Cannot convert object to primitive value")


def to_object_check(v: Any, what: str = "value") -> Any:
    """CheckObjectCoercible (ES5.1 9.10): undefined and null throw a TypeError."""
    if v is None or v is UNDEFINED:
        from .errors import throw_type_error

        throw_type_error(f"Cannot convert undefined or null to object")
    return v


from . import properties as _p  # noqa: E402  (cycle: properties needs the conversions above)
