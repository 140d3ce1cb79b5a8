"""Number (ES5.1 15.7) and the numeric global functions parseInt, parseFloat, isNaN, isFinite."""

from __future__ import annotations

import math

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any
    from decimal import Decimal

from ..._lazyre import LazyPattern
from ..conversions import WHITESPACE, number_to_string, to_integer, to_number, to_string
from ..errors import throw_range_error, throw_type_error
from ..values import BUILTINS, INF, NAN, NUMBER_PROTO, UNDEFINED, JSObject
from ._util import define, native

Number = native(
    lambda this, v=0.0, *_: to_number(v),
    "Number",
    1,
    construct=lambda v=0.0, *_: JSObject(NUMBER_PROTO, "Number", to_number(v)),
)
Number.props = {
    "prototype": NUMBER_PROTO,
    "MAX_VALUE": 1.7976931348623157e308,
    "MIN_VALUE": 5e-324,
    "NaN": NAN,
    "POSITIVE_INFINITY": INF,
    "NEGATIVE_INFINITY": -INF,
    "EPSILON": 2.0**-52,
    "MAX_SAFE_INTEGER": 9007199254740991.0,
    "MIN_SAFE_INTEGER": -9007199254740991.0,
}
dict.__setitem__(NUMBER_PROTO, "constructor", Number)


def this_number(this: Any, method: str) -> float:
    if type(this) is float:
        return this
    if type(this) is int and type(this) is not bool:
        return float(this)
    if isinstance(this, JSObject) and this.cls == "Number":
        return this.internal
    throw_type_error(f"Number.prototype.{method} requires that 'this' be a Number")


def _is_int(v: Any) -> bool:
    return type(v) is float and v == v and v not in (INF, -INF) and v == math.floor(v)


@define(Number, "isInteger", 1)
def _is_integer(this, v=UNDEFINED, *_):
    return _is_int(v)


@define(Number, "isSafeInteger", 1)
def _is_safe_integer(this, v=UNDEFINED, *_):
    return _is_int(v) and abs(v) <= 9007199254740991


@define(Number, "isFinite", 1)
def _number_is_finite(this, v=UNDEFINED, *_):
    return type(v) is float and v == v and v not in (INF, -INF)


@define(Number, "isNaN", 1)
def _number_is_nan(this, v=UNDEFINED, *_):
    return type(v) is float and v != v


# -- Number.prototype ---------------------------------------------------------------------

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def to_radix_string(x: float, radix: int) -> str:
    """Number.prototype.toString(radix) for radix != 10 (ES5.1 15.7.4.2 leaves the algorithm
    to the implementation; this follows V8's DoubleToRadixCString: exact integer part, then
    fraction digits until the remaining value is below half an ulp of the input)."""
    if x != x:
        return "NaN"
    if x in (INF, -INF):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    negative = x < 0
    x = abs(x)
    integer = float(math.floor(x))
    fraction = x - integer
    # delta: half the distance to the next double, but at least the smallest denormal
    delta = max(0.5 * (math.nextafter(x, INF) - x), math.nextafter(0.0, 1.0))
    frac_digits = []
    if fraction >= delta:
        while True:
            fraction *= radix
            delta *= radix
            digit = int(fraction)
            frac_digits.append(digit)
            fraction -= digit
            if fraction > 0.5 or (fraction == 0.5 and (digit & 1)):
                if fraction + delta > 1:
                    # round up, propagating carries
                    while True:
                        i = len(frac_digits) - 1
                        if i < 0:
                            integer += 1
                            break
                        frac_digits[i] += 1
                        if frac_digits[i] < radix:
                            break
                        frac_digits.pop()
                    break
            if fraction < delta:
                break
    # Integer digits as V8 computes them: while the quotient is at least 2**53 the low digit
    # is not represented, so divide (in floating point) and write a zero.
    zeros = 0
    while integer / radix >= 2.0**53:
        integer /= radix
        zeros += 1
    digits = []
    while True:
        remainder = math.fmod(integer, radix)
        digits.append(_DIGITS[int(remainder)])
        integer = (integer - remainder) / radix
        if integer <= 0:
            break
    int_digits = "".join(reversed(digits)) + "0" * zeros
    out = int_digits + ("." + "".join(_DIGITS[d] for d in frac_digits) if frac_digits else "")
    return ("-" if negative else "") + out


@define(NUMBER_PROTO, "toString", 1)
def _to_string(this, radix=UNDEFINED, *_):
    x = this_number(this, "toString")
    r = 10 if radix is UNDEFINED else to_integer(radix)
    if r < 2 or r > 36:
        throw_range_error("toString() radix must be between 2 and 36")
    if r == 10:
        return number_to_string(x)
    return to_radix_string(x, int(r))


@define(NUMBER_PROTO, "toLocaleString", 0)
def _to_locale_string(this, *_):
    from decimal import ROUND_HALF_UP, Decimal, localcontext  # (imported when first used)

    x = this_number(this, "toLocaleString")
    if x != x or x in (INF, -INF):
        return number_to_string(x)
    # en-US style, as V8 prints with its default locale: grouping, at most 3 fraction digits,
    # starting from the shortest decimal of x and rounding half away from zero (ICU's
    # half-expand); the sign survives rounding to zero ("-0").
    with localcontext() as ctx:
        ctx.prec = 1000
        d = Decimal(repr(x)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    sign = "-" if d.is_signed() else ""
    whole, _, frac = f"{abs(d):f}".partition(".")
    frac = frac.rstrip("0")
    return sign + f"{int(whole):,}" + ("." + frac if frac else "")


@define(NUMBER_PROTO, "valueOf", 0)
def _value_of(this, *_):
    return this_number(this, "valueOf")


def _exact(x: float) -> Decimal:
    from decimal import Decimal

    return Decimal(x)  # exact binary value of the double


@define(NUMBER_PROTO, "toFixed", 1)
def _to_fixed(this, digits=UNDEFINED, *_):
    from decimal import ROUND_HALF_UP, Decimal, localcontext

    """ES5.1 15.7.4.5: n/10^f - x as close to zero as possible, the larger n on a tie."""
    x = this_number(this, "toFixed")
    f = to_integer(digits)
    if f < 0 or f > 100:
        throw_range_error("toFixed() digits argument must be between 0 and 100")
    f = int(f)
    if x != x:
        return "NaN"
    if abs(x) >= 1e21 or x in (INF, -INF):
        return number_to_string(x)
    with localcontext() as ctx:
        ctx.prec = 500
        d = _exact(abs(x)).quantize(Decimal(1).scaleb(-f), rounding=ROUND_HALF_UP)
    s = f"{d:f}"
    negative = x < 0 and d != 0 or (x < 0)
    # ES5.1 step 4: x < 0 -> "-" then -x, so (-0.0001).toFixed(2) is "-0.00"; -0 is not < 0.
    return ("-" if negative else "") + s


@define(NUMBER_PROTO, "toExponential", 1)
def _to_exponential(this, digits=UNDEFINED, *_):
    x = this_number(this, "toExponential")
    f = to_integer(digits)
    if x != x:
        return "NaN"
    if x in (INF, -INF):
        return "Infinity" if x > 0 else "-Infinity"
    if f < 0 or f > 100:
        throw_range_error("toExponential() argument must be between 0 and 100")
    sign = "-" if x < 0 else ""
    x = abs(x)
    if x == 0:
        e = 0
        mant = "0" * (int(f) + 1) if digits is not UNDEFINED else "0"
    elif digits is UNDEFINED:
        from ..conversions import _digits

        mant, n = _digits(x)
        e = n - 1
    else:
        mant, e = _round_sig(x, int(f) + 1)
    m = mant[0] + ("." + mant[1:] if len(mant) > 1 else "")
    return f"{sign}{m}e{'+' if e >= 0 else '-'}{abs(e)}"


def _round_sig(x: float, p: int) -> tuple[str, int]:
    from decimal import ROUND_HALF_UP, Decimal, localcontext

    """p significant digits of x > 0 (ties away from zero, on the exact value) and exponent e."""
    with localcontext() as ctx:
        ctx.prec = 800
        d = _exact(x)
        e = d.adjusted()
        q = d.scaleb(-e + p - 1).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if q >= Decimal(10) ** p:
            e += 1
            q = d.scaleb(-e + p - 1).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return str(int(q)), e


@define(NUMBER_PROTO, "toPrecision", 1)
def _to_precision(this, precision=UNDEFINED, *_):
    """ES5.1 15.7.4.7."""
    x = this_number(this, "toPrecision")
    if precision is UNDEFINED:
        return number_to_string(x)
    p = to_integer(precision)
    if x != x:
        return "NaN"
    if x in (INF, -INF):
        return "Infinity" if x > 0 else "-Infinity"
    if p < 1 or p > 100:
        throw_range_error("toPrecision() argument must be between 1 and 100")
    p = int(p)
    sign = "-" if x < 0 else ""
    x = abs(x)
    if x == 0:
        m, e = "0" * p, 0
    else:
        m, e = _round_sig(x, p)
    if e < -6 or e >= p:
        mant = m[0] + ("." + m[1:] if p > 1 else "")
        return f"{sign}{mant}e{'+' if e >= 0 else '-'}{abs(e)}"
    if e == p - 1:
        return sign + m
    if e >= 0:
        return sign + m[: e + 1] + "." + m[e + 1 :]
    return sign + "0." + "0" * (-(e + 1)) + m


# -- global functions (15.1.2) ------------------------------------------------------------

_FLOAT_PREFIX = LazyPattern(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")


def _parse_float(this, s=UNDEFINED, *_):
    """parseFloat (15.1.2.3): the longest prefix that is a StrDecimalLiteral."""
    text = to_string(s).lstrip(WHITESPACE)
    m = _FLOAT_PREFIX.match(text)
    if not m:
        return NAN
    lit = m.group(0)
    if lit.lstrip("+-") == "Infinity":
        return -INF if lit[0] == "-" else INF
    return float(lit)


def _parse_int(this, s=UNDEFINED, radix=UNDEFINED, *_):
    """parseInt (15.1.2.2)."""
    text = to_string(s).lstrip(WHITESPACE)
    sign = 1
    if text[:1] in ("+", "-"):
        if text[0] == "-":
            sign = -1
        text = text[1:]
    from ..conversions import to_int32

    r = to_int32(radix)
    strip_prefix = True
    if r != 0:
        if r < 2 or r > 36:
            return NAN
        if r != 16:
            strip_prefix = False
    else:
        r = 10
    if strip_prefix and text[:2] in ("0x", "0X"):
        text = text[2:]
        r = 16
    end = 0
    valid = _DIGITS[:r]
    while end < len(text) and text[end].lower() in valid and text[end].isascii():
        end += 1
    if end == 0:
        return NAN
    digits = text[:end].lstrip("0") or "0"
    # sign * value keeps -0 for "-0" (15.1.2.2 step 16 multiplies by the sign).
    if len(digits) > 1100:
        # More significant digits than any double holds in any radix (2^1024 has 1,025 binary
        # digits): Infinity. (int() refuses over 4,300 digits in a radix that is no power of
        # two, and takes quadratic time below that.)
        return sign * INF
    if r == 10:
        # Decimal: the spec allows approximating past 20 digits; V8 rounds correctly.
        return sign * (float(int(digits)) if len(digits) < 309 else float(digits))
    try:
        return sign * float(int(digits, r))
    except OverflowError:
        return sign * INF


def _is_nan(this, v=UNDEFINED, *_):
    x = to_number(v)
    return x != x


def _is_finite(this, v=UNDEFINED, *_):
    x = to_number(v)
    return x == x and x not in (INF, -INF)


parseFloat = native(_parse_float, "parseFloat", 1)
parseInt = native(_parse_int, "parseInt", 2)
Number.props["parseFloat"] = parseFloat
Number.props["parseInt"] = parseInt

BUILTINS.update(
    Number=Number,
    parseFloat=parseFloat,
    parseInt=parseInt,
    isNaN=native(_is_nan, "isNaN", 1),
    isFinite=native(_is_finite, "isFinite", 1),
    NaN=NAN,
    Infinity=INF,
    undefined=UNDEFINED,
)
