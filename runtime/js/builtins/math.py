"""The Math object (ES5.1 15.8, plus the ES2015 functions)."""

from __future__ import annotations

import math
import struct

from ..conversions import to_number, to_uint32, to_int32
from ..operators import js_pow
from ..values import BUILTINS, INF, NAN, OBJECT_PROTO, JSObject
from ._util import define, freeze_all

Math = JSObject(OBJECT_PROTO, "Math")
dict.update(
    Math,
    E=math.e,
    LN10=math.log(10),
    LN2=math.log(2),
    LOG2E=1 / math.log(2),
    LOG10E=1 / math.log(10),
    PI=math.pi,
    SQRT1_2=math.sqrt(0.5),
    SQRT2=math.sqrt(2),
)

_rng = None  # Math.random's generator, made when first used (importing `random` costs)


def _n(args, i=0):
    return to_number(args[i]) if len(args) > i else NAN


def _unary(name, fn):
    def impl(this, *args):
        x = _n(args)
        if x != x:
            return NAN
        try:
            return float(fn(x))
        except (ValueError, ZeroDivisionError):
            return NAN
        except OverflowError:
            return INF

    define(Math, name, 1)(impl)


def _round(x):
    """Math.round (15.8.2.15): floor(x + 0.5), keeping -0 for -0.5 <= x < 0."""
    if x in (INF, -INF) or x == 0:
        return x
    if -0.5 <= x < 0:
        return -0.0
    r = math.floor(x)
    return float(r + 1) if x - r >= 0.5 else float(r)


def _sign(x):
    return x if x == 0 else math.copysign(1.0, x)


def _log(x):
    if x == 0:
        return -INF
    if x == INF:
        return INF
    return math.log(x)


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def _trunc(x):
    if x in (INF, -INF) or x == 0:
        return x
    r = float(math.trunc(x))
    return math.copysign(r, x) if r == 0 else r


_CBRT_B1 = 715094163  # (1023 - 1023/3 - 0.03306235651) * 2**20
_CBRT_B2 = 696219795  # (1023 - 1023/3 - 54/3 - 0.03306235651) * 2**20
_CBRT_P = (1.87595182427177009643, -1.88497979543377169875, 1.621429720105354466140, -0.758397934778766047437, 0.145996192886612446982)


def _cbrt(x):
    """Math.cbrt as V8 computes it (fdlibm's cbrt: a 5-bit estimate from the exponent, a
    polynomial to 23 bits, rounded away from zero, one Newton step; error < 0.667 ulp), so the
    last bit agrees too: the C library's cbrt gives 3.0000000000000004 for 27 with glibc, and
    abs(x) ** (1/3) was up to 97 ulp off."""
    import struct

    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    hx, low = bits >> 32, bits & 0xFFFFFFFF
    sign = hx & 0x80000000
    hx ^= sign
    if hx >= 0x7FF00000:
        return x + x  # (NaN, ±Infinity)
    if hx < 0x00100000:  # zero or subnormal
        if hx | low == 0:
            return x
        t = x * 18014398509481984.0  # (2**54)
        high = struct.unpack("<Q", struct.pack("<d", t))[0] >> 32
        t = struct.unpack("<d", struct.pack("<Q", (sign | ((high & 0x7FFFFFFF) // 3 + _CBRT_B2)) << 32))[0]
    else:
        t = struct.unpack("<d", struct.pack("<Q", (sign | (hx // 3 + _CBRT_B1)) << 32))[0]
    p0, p1, p2, p3, p4 = _CBRT_P
    r = (t * t) * (t / x)
    t = t * ((p0 + r * (p1 + r * p2)) + ((r * r) * r) * (p3 + r * p4))
    u = (struct.unpack("<Q", struct.pack("<d", t))[0] + 0x80000000) & 0xFFFFFFFFC0000000
    t = struct.unpack("<d", struct.pack("<Q", u))[0]
    s = t * t
    r = x / s
    w = t + t
    r = (r - t) / (w + r)
    return t + t * r


def _ceil(x):
    if x in (INF, -INF) or x == 0:
        return x
    r = float(math.ceil(x))
    return -0.0 if r == 0 and x < 0 else r


def _floor(x):
    if x in (INF, -INF) or x == 0:
        return x
    return float(math.floor(x))


def _sqrt(x):
    if x == INF:
        return INF
    return math.sqrt(x)


def _atanh(x):
    if x == 1:
        return INF
    if x == -1:
        return -INF
    return math.atanh(x)


def _log_n(base_fn):
    def f(x):
        if x == 0:
            return -INF
        if x == INF:
            return INF
        return base_fn(x)

    return f


def _cosh(x):
    try:
        return math.cosh(x)
    except OverflowError:
        return INF


def _sinh(x):
    try:
        return math.sinh(x)
    except OverflowError:
        return INF if x > 0 else -INF


def _expm1(x):
    try:
        return math.expm1(x)
    except OverflowError:
        return INF


def _log1p(x):
    if x == -1:
        return -INF
    if x == INF:
        return INF
    return math.log1p(x)


def _trig(fn):
    def f(x):
        if x in (INF, -INF):
            return NAN
        return fn(x)

    return f


for _name, _fn in {
    "abs": abs,
    "acos": math.acos,
    "asin": math.asin,
    "atan": math.atan,
    "ceil": _ceil,
    "cos": _trig(math.cos),
    "exp": _exp,
    "floor": _floor,
    "log": _log,
    "round": _round,
    "sin": _trig(math.sin),
    "sqrt": _sqrt,
    "tan": _trig(math.tan),
    "sign": _sign,
    "trunc": _trunc,
    "cbrt": _cbrt,
    "log2": _log_n(math.log2),
    "log10": _log_n(math.log10),
    "log1p": _log1p,
    "expm1": _expm1,
    "sinh": _sinh,
    "cosh": _cosh,
    "tanh": math.tanh,
    "asinh": lambda x: x if x in (INF, -INF) else math.asinh(x),
    "acosh": lambda x: INF if x == INF else math.acosh(x),
    "atanh": _atanh,
    "fround": lambda x: struct.unpack("f", struct.pack("f", x))[0]
    if abs(x) < 3.4028235677973366e38
    else (INF if x > 0 else -INF),
}.items():
    _unary(_name, _fn)


@define(Math, "atan2", 2)
def _atan2(this, *args):
    y, x = _n(args, 0), _n(args, 1)
    if y != y or x != x:
        return NAN
    return math.atan2(y, x)


@define(Math, "pow", 2)
def _pow(this, *args):
    return js_pow(_n(args, 0), _n(args, 1))


@define(Math, "max", 2)
def _max(this, *args):
    """Math.max (15.8.2.11): NaN if any argument is NaN; +0 beats -0."""
    result = -INF
    nan = False
    for a in args:
        x = to_number(a)
        if x != x:
            nan = True
        elif x > result or (x == 0 and result == 0 and math.copysign(1, result) < 0):
            result = x
    return NAN if nan else result


@define(Math, "min", 2)
def _min(this, *args):
    result = INF
    nan = False
    for a in args:
        x = to_number(a)
        if x != x:
            nan = True
        elif x < result or (x == 0 and result == 0 and math.copysign(1, x) < 0):
            result = x
    return NAN if nan else result


@define(Math, "hypot", 2)
def _hypot(this, *args):
    xs = [to_number(a) for a in args]
    if any(x in (INF, -INF) for x in xs):
        return INF
    if any(x != x for x in xs):
        return NAN
    return math.hypot(*xs) if xs else 0.0


@define(Math, "random", 0)
def _random_fn(this, *_):
    global _rng
    if _rng is None:
        import random

        _rng = random.Random()
    return _rng.random()


@define(Math, "imul", 2)
def _imul(this, *args):
    a = to_int32(args[0] if args else 0.0)
    b = to_int32(args[1] if len(args) > 1 else 0.0)
    r = (a * b) & 0xFFFFFFFF
    return float(r - 0x100000000 if r >= 0x80000000 else r)


@define(Math, "clz32", 1)
def _clz32(this, *args):
    n = to_uint32(args[0] if args else 0.0)
    return float(32 - n.bit_length())


BUILTINS["Math"] = Math


# Made on first use of `Math` (values.LAZY_BUILTINS): frozen here, whoever imports this first.
freeze_all(Math)
