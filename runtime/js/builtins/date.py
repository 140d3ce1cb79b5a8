"""Date (ES5.1 15.9): time values, local time through the host's time zone, parsing, formatting.

Time values are float milliseconds since 1970-01-01T00:00:00Z, as in 15.9.1.1; the calendar
arithmetic is the spec's own (15.9.1.2-15.9.1.13) on integers, so the full ±8.64e15 ms range
works (Python's datetime stops at year 9999). Local time uses the host's offset for the
instant (time.localtime), like V8 does with the host time zone.
"""

from __future__ import annotations

import math
import re
import time as _time

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from ..conversions import to_number, to_primitive, to_string
from ..errors import throw_range_error, throw_type_error
from ..values import BUILTINS, DATE_PROTO, NAN, UNDEFINED, JSObject
from ._util import define, freeze_all, native

MS_PER_DAY = 86400000
_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


# -- calendar arithmetic (15.9.1) --------------------------------------------------------


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (m 1-12)."""
    y -= m <= 2
    era = y // 400  # (Python's // floors: the C algorithm's adjustment for negative years is not needed)
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    """(year, month 1-12, day) of a day number."""
    z += 719468
    era = z // 146097  # (floored, as above)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


def make_time(h: float, m: float, s: float, ms: float) -> float:
    """MakeTime (15.9.1.11)."""
    if not all(math.isfinite(v) for v in (h, m, s, ms)):
        return NAN
    return math.trunc(h) * 3600000.0 + math.trunc(m) * 60000.0 + math.trunc(s) * 1000.0 + math.trunc(ms)


def make_day(year: float, month: float, date: float) -> float:
    """MakeDay (15.9.1.12)."""
    if not all(math.isfinite(v) for v in (year, month, date)):
        return NAN
    y = math.trunc(year)
    m = math.trunc(month)
    dt = math.trunc(date)
    ym = y + m // 12
    mn = m % 12
    if abs(ym) > 400000:
        return NAN
    return float(_days_from_civil(int(ym), int(mn) + 1, 1) + dt - 1)


def make_date(day: float, t: float) -> float:
    if not (math.isfinite(day) and math.isfinite(t)):
        return NAN
    return day * MS_PER_DAY + t


def time_clip(t: float) -> float:
    """TimeClip (15.9.1.14)."""
    if not math.isfinite(t) or abs(t) > 8.64e15:
        return NAN
    return float(math.trunc(t)) + 0.0


def _fields(t: float) -> tuple[int, int, int, int, int, int, int, int]:
    """(year, month 0-11, date, hours, minutes, seconds, ms, weekday) of a finite time value."""
    ti = int(t)
    day, ms_in_day = divmod(ti, MS_PER_DAY)
    y, m, d = _civil_from_days(day)
    h, rest = divmod(ms_in_day, 3600000)
    mi, rest = divmod(rest, 60000)
    s, ms = divmod(rest, 1000)
    return y, m - 1, d, h, mi, s, ms, (day + 4) % 7


def local_offset(t_utc: float) -> float:
    """LocalTZA + DaylightSavingTA (15.9.1.7-8) in ms for the instant t_utc, from the host."""
    try:
        return float(_time.localtime(t_utc / 1000.0).tm_gmtoff * 1000)
    except (OverflowError, OSError, ValueError):
        return 0.0


def local_time(t: float) -> float:
    return t + local_offset(t)


def utc_from_local(t_local: float) -> float:
    """UTC(t) (15.9.1.9), with a local time that a transition skips or repeats taken with the
    offset in force before the transition, as ES2017 20.3.1.7 settled and V8 does (a time in
    the spring's gap moves forward, the autumn's repeated hour is the first one): the offsets
    a day before and after are the candidates (one transition within two days at most)."""
    if not math.isfinite(t_local):
        return NAN
    before = local_offset(t_local - MS_PER_DAY)
    after = local_offset(t_local + MS_PER_DAY)
    if before == after:
        return t_local - before
    first, second = t_local - before, t_local - after
    if local_offset(second) == after and local_offset(first) != before:
        return second  # (after the transition: only the later offset gives this local time)
    return first


# -- objects -----------------------------------------------------------------------------


def new_date(tv: float) -> JSObject:
    return JSObject(DATE_PROTO, "Date", time_clip(tv))


def now_ms() -> float:
    return float(_time.time_ns() // 1_000_000)


def this_time(this: Any, method: str) -> float:
    if isinstance(this, JSObject) and this.cls == "Date":
        return this.internal
    throw_type_error(f"this is not a Date object. (Date.prototype.{method})")


# Date.parse's formats, compiled on first use (compiling them costs a millisecond or two at
# import, and most charts never parse a date: issue 14, the runtime's import time).
_FORMATS: tuple | None = None


def _formats() -> tuple:
    """(ISO, ISO-like with a space, month name first, day first, m/d/y, y/m/d) patterns."""
    global _FORMATS
    if _FORMATS is None:
        clock = r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*([AaPp][Mm])?)?"  # (h, m, s, frac, am/pm)
        _FORMATS = (
            re.compile(
                r"([+-]\d{6}|\d{4})(?:-(\d{2})(?:-(\d{2}))?)?"
                r"(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
                r"([Zz]|[+-]\d{2}:?\d{2})?\Z"
            ),
            re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + clock + r"\s*(Z|GMT|UTC|[+-]\d{2}:?\d{2})?\Z"),
            re.compile(
                r"(?:[A-Za-z]{3,9},?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(-?\d{1,6})" + clock +
                r"\s*(?:(?:GMT|UTC|Z)?\s*([+-]\d{4})?)?(?:\s*\(.*\))?\s*\Z"
            ),
            re.compile(r"(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(-?\d{1,6})" + clock + r"\s*(GMT|UTC|Z|[+-]\d{4})?\s*\Z"),
            re.compile(r"(\d{1,2})/(\d{1,2})/(\d{1,6})" + clock + r"\s*\Z"),
            re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})" + clock + r"\s*\Z"),
        )
    return _FORMATS


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")


def _month_index(name: str) -> int:
    """0-11 for a month's name or a beginning of it of three letters or more ("Sept"), else -1."""
    low = name.lower()
    for i, full in enumerate(_MONTH_NAMES):
        if full.startswith(low):
            return i
    return -1


def _offset_minutes(tz: str) -> int | None:
    """Minutes east of UTC of "+hh:mm"/"+hhmm" (hours to 23, minutes to 59), else None."""
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        return None
    return (1 if tz[0] == "+" else -1) * (hours * 60 + minutes)


def _from_fields(year: int, month: int, day: int, clock: tuple, tz: str | None, local: bool) -> float:
    """The time value of a parsed date and clock (h, m, s, fraction, am/pm), in UTC when `tz`
    names it or an offset, else local (`local`) or UTC; NaN out of range, as V8 answers."""
    h, mi, sec, frac, ampm = clock
    hour, minute, second = int(h or 0), int(mi or 0), int(sec or 0)
    if ampm is not None:
        if not 1 <= hour <= 12:
            return NAN
        hour = hour % 12 + (12 if ampm in ("PM", "pm", "Pm", "pM") else 0)
    ms = int((frac or "0")[:3].ljust(3, "0"))
    if not (0 <= month <= 11 and 1 <= day <= 31 and hour <= 24 and minute < 60 and second < 60):
        return NAN
    if hour == 24 and (minute or second or ms):
        return NAN
    t = make_date(make_day(year, month, day), make_time(hour, minute, second, ms))
    if tz is None:
        return time_clip(utc_from_local(t) if local else t)
    if tz in ("Z", "z", "GMT", "UTC"):
        return time_clip(t)
    offset = _offset_minutes(tz)
    return NAN if offset is None else time_clip(t - offset * 60000)


def _year(text: str) -> int:
    """A year as written; one or two digits are 1950-2049, as engines read `1/1/99`."""
    y = int(text)
    if len(text) <= 2:
        return y + (2000 if y < 50 else 1900)
    return y


def parse_date(s: str) -> float:
    """Date.parse (15.9.4.2): the ISO format of 15.9.1.15 (date-only forms are UTC, date-time
    forms without an offset are local, as ES2016 settled), and what engines accept besides
    (V8's answers): the toString/toUTCString outputs, `2020-01-01 10:20:30` (local), month names
    written out or cut to three letters or more, `01-Jan-2000`, m/d/y and y/m/d, a 12-hour
    clock with AM/PM, two-digit years (1950-2049). Anything else NaN."""
    s = s.strip()
    iso, spaced, month_first, day_first, slash, ymd_slash = _formats()
    m = iso.match(s)
    if m:
        ys, mo, d, h, mi, sec, frac, tz = m.groups()
        if ys == "-000000":
            return NAN
        if tz is None and h is None:
            tz = "Z"  # (a date-only form is UTC)
        return _from_fields(int(ys), int(mo or 1) - 1, int(d or 1), (h, mi, sec, frac, None), tz, True)
    m = spaced.match(s)
    if m:
        y, mo, d, *clock, tz = m.groups()
        return _from_fields(int(y), int(mo) - 1, int(d), tuple(clock), tz, True)
    for pattern, order in ((month_first, "mdy"), (day_first, "dmy")):
        m = pattern.match(s)
        if m:
            a, b, y, *clock, tz = m.groups()
            month = _month_index(a if order == "mdy" else b)
            if month < 0:
                return NAN
            if tz is None and order == "mdy" and "GMT" in s:
                tz = "Z"
            return _from_fields(_year(y), month, int(b if order == "mdy" else a), tuple(clock), tz, True)
    for pattern, order in ((slash, "mdy"), (ymd_slash, "ymd")):
        m = pattern.match(s)
        if m:
            a, b, c, *clock = m.groups()
            if order == "mdy":
                return _from_fields(_year(c), int(a) - 1, int(b), tuple(clock), None, True)
            return _from_fields(int(a), int(b) - 1, int(c), tuple(clock), None, True)
    return NAN


def _construct(*args: Any) -> JSObject:
    if not args:
        return new_date(now_ms())
    if len(args) == 1:
        v = args[0]
        if isinstance(v, JSObject) and v.cls == "Date":
            return new_date(v.internal)
        v = to_primitive(v)
        if type(v) is str:
            return new_date(parse_date(v))
        return new_date(to_number(v))
    nums = [to_number(a) for a in args[:7]]
    y = nums[0]
    if math.isfinite(y) and 0 <= math.trunc(y) <= 99:
        y = 1900 + math.trunc(y)
    month = nums[1]
    day = nums[2] if len(nums) > 2 else 1.0
    h = nums[3] if len(nums) > 3 else 0.0
    mi = nums[4] if len(nums) > 4 else 0.0
    s = nums[5] if len(nums) > 5 else 0.0
    ms = nums[6] if len(nums) > 6 else 0.0
    return new_date(utc_from_local(make_date(make_day(y, month, day), make_time(h, mi, s, ms))))


def _call(this, *args):
    return _to_string(new_date(now_ms()))


Date = native(_call, "Date", 7, construct=_construct)
Date.props = {"prototype": DATE_PROTO}
dict.__setitem__(DATE_PROTO, "constructor", Date)
DATE_PROTO.cls = "Object"


@define(Date, "now", 0)
def _now(this, *_):
    return now_ms()


@define(Date, "parse", 1)
def _parse(this, s=UNDEFINED, *_):
    return parse_date(to_string(s))


@define(Date, "UTC", 7)
def _utc(this, *args):
    nums = [to_number(a) for a in args[:7]]
    if not nums:
        return NAN
    y = nums[0]
    if math.isfinite(y) and 0 <= math.trunc(y) <= 99:
        y = 1900 + math.trunc(y)
    month = nums[1] if len(nums) > 1 else 0.0
    day = nums[2] if len(nums) > 2 else 1.0
    h = nums[3] if len(nums) > 3 else 0.0
    mi = nums[4] if len(nums) > 4 else 0.0
    s = nums[5] if len(nums) > 5 else 0.0
    ms = nums[6] if len(nums) > 6 else 0.0
    return time_clip(make_date(make_day(y, month, day), make_time(h, mi, s, ms)))


# -- getters -----------------------------------------------------------------------------

_FIELD_INDEX = {"FullYear": 0, "Month": 1, "Date": 2, "Hours": 3, "Minutes": 4, "Seconds": 5, "Milliseconds": 6, "Day": 7}


def _getter(field: str, utc: bool):
    index = _FIELD_INDEX[field]

    def get(this, *_):
        t = this_time(this, "get" + ("UTC" if utc else "") + field)
        if t != t:
            return NAN
        return float(_fields(t if utc else local_time(t))[index])

    return get


for _field in _FIELD_INDEX:
    define(DATE_PROTO, "get" + _field, 0)(_getter(_field, False))
    define(DATE_PROTO, "getUTC" + _field, 0)(_getter(_field, True))


@define(DATE_PROTO, "getTime", 0)
def _get_time(this, *_):
    return this_time(this, "getTime")


define(DATE_PROTO, "valueOf", 0)(_get_time)


@define(DATE_PROTO, "getYear", 0)
def _get_year(this, *_):
    t = this_time(this, "getYear")
    return NAN if t != t else float(_fields(local_time(t))[0] - 1900)


@define(DATE_PROTO, "setYear", 1)
def _set_year(this, year=UNDEFINED, *_):
    """Annex B.2.4.2: a year 0-99 is 1900 + it; the other fields stay (local time)."""
    t = this_time(this, "setYear")
    t = 0.0 if t != t else local_time(t)
    y = to_number(year)
    if y != y:
        this.internal = NAN
        return NAN
    yi = math.trunc(y) if math.isfinite(y) else y
    full = 1900 + yi if 0 <= yi <= 99 else y
    f = _fields(t)
    this.internal = time_clip(utc_from_local(make_date(make_day(full, f[1], f[2]), t % MS_PER_DAY)))
    return this.internal


@define(DATE_PROTO, "getTimezoneOffset", 0)
def _get_timezone_offset(this, *_):
    t = this_time(this, "getTimezoneOffset")
    # (whole minutes, as V8 gives them: a local mean time's offset has seconds too)
    return NAN if t != t else float(math.trunc((t - local_time(t)) / 60000.0)) + 0.0


# -- setters (15.9.5.27-41) --------------------------------------------------------------


def _setter(first: str, count: int, utc: bool):
    """set<Field>(v1[, v2[, v3]]): replace `count` consecutive fields starting at `first`."""
    order = ["FullYear", "Month", "Date", "Hours", "Minutes", "Seconds", "Milliseconds"]
    start = order.index(first)

    def setter(this, *args):
        t = this_time(this, "set" + first)
        if first == "FullYear" and t != t:
            t = 0.0
        elif t != t:
            return NAN
        local = t if utc else local_time(t)
        f = list(_fields(local)[:7])
        values = [to_number(a) for a in args[:count]] or [NAN]
        for i, v in enumerate(values):
            f[start + i] = v
        new = make_date(make_day(f[0], f[1], f[2]), make_time(f[3], f[4], f[5], f[6]))
        this.internal = time_clip(new if utc else utc_from_local(new))
        return this.internal

    return setter


for _name, _count in (("FullYear", 3), ("Month", 2), ("Date", 1), ("Hours", 4), ("Minutes", 3), ("Seconds", 2), ("Milliseconds", 1)):
    define(DATE_PROTO, "set" + _name, _count)(_setter(_name, _count, False))
    define(DATE_PROTO, "setUTC" + _name, _count)(_setter(_name, _count, True))


@define(DATE_PROTO, "setTime", 1)
def _set_time(this, v=UNDEFINED, *_):
    this_time(this, "setTime")
    this.internal = time_clip(to_number(v))
    return this.internal


# -- formatting (15.9.5.2-7, 15.9.5.42-44) -----------------------------------------------


def _year_str(y: int) -> str:
    """The year of toString, toDateString and toUTCString: four digits at least, and a minus
    (ES2018 20.3.4.41.2; toISOString's six digits are its own)."""
    return f"{y:04d}" if y >= 0 else f"-{-y:04d}"


def _offset_str(offset_ms: float) -> str:
    minutes = int(offset_ms // 60000)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"GMT{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _tz_name(t: float) -> str:
    try:
        lt = _time.localtime(t / 1000.0)
        if lt.tm_gmtoff == 0 and lt.tm_zone in ("UTC", "GMT"):
            return "Coordinated Universal Time"
        return lt.tm_zone
    except (OverflowError, OSError, ValueError):
        return "Coordinated Universal Time"


def _date_part(f) -> str:
    return f"{_DAYS[f[7]]} {_MONTHS[f[1]]} {f[2]:02d} {_year_str(f[0])}"


def _time_part(t: float) -> str:
    f = _fields(local_time(t))
    return f"{f[3]:02d}:{f[4]:02d}:{f[5]:02d} {_offset_str(local_offset(t))} ({_tz_name(t)})"


@define(DATE_PROTO, "toString", 0)
def _to_string(this, *_):
    t = this_time(this, "toString")
    if t != t:
        return "Invalid Date"
    return f"{_date_part(_fields(local_time(t)))} {_time_part(t)}"


@define(DATE_PROTO, "toDateString", 0)
def _to_date_string(this, *_):
    t = this_time(this, "toDateString")
    return "Invalid Date" if t != t else _date_part(_fields(local_time(t)))


@define(DATE_PROTO, "toTimeString", 0)
def _to_time_string(this, *_):
    t = this_time(this, "toTimeString")
    return "Invalid Date" if t != t else _time_part(t)


@define(DATE_PROTO, "toUTCString", 0)
def _to_utc_string(this, *_):
    t = this_time(this, "toUTCString")
    if t != t:
        return "Invalid Date"
    f = _fields(t)
    return f"{_DAYS[f[7]]}, {f[2]:02d} {_MONTHS[f[1]]} {_year_str(f[0])} {f[3]:02d}:{f[4]:02d}:{f[5]:02d} GMT"


define(DATE_PROTO, "toGMTString", 0)(_to_utc_string)


@define(DATE_PROTO, "toISOString", 0)
def _to_iso_string(this, *_):
    t = this_time(this, "toISOString")
    if t != t:
        throw_range_error("Invalid time value")
    f = _fields(t)
    y = f[0]
    year = f"{y:04d}" if 0 <= y <= 9999 else (f"+{y:06d}" if y > 0 else f"-{-y:06d}")
    return f"{year}-{f[1] + 1:02d}-{f[2]:02d}T{f[3]:02d}:{f[4]:02d}:{f[5]:02d}.{f[6]:03d}Z"


@define(DATE_PROTO, "toJSON", 1)
def _to_json(this, *_):
    """15.9.5.44: null for non-finite time values, else toISOString()."""
    from ..properties import js_invoke

    tv = to_primitive(this, "number")
    if type(tv) is float and not math.isfinite(tv):
        return None
    return js_invoke(this, "toISOString")


@define(DATE_PROTO, "toLocaleString", 0)
def _to_locale_string(this, *_):
    """en-US style, as V8 prints with its default locale: M/D/YYYY, h:mm:ss AM."""
    t = this_time(this, "toLocaleString")
    if t != t:
        return "Invalid Date"
    return f"{_locale_date(t)}, {_locale_time(t)}"


def _locale_date(t: float) -> str:
    f = _fields(local_time(t))
    return f"{f[1] + 1}/{f[2]}/{f[0]}"


def _locale_time(t: float) -> str:
    f = _fields(local_time(t))
    h = f[3] % 12 or 12
    return f"{h}:{f[4]:02d}:{f[5]:02d} {'AM' if f[3] < 12 else 'PM'}"


@define(DATE_PROTO, "toLocaleDateString", 0)
def _to_locale_date_string(this, *_):
    t = this_time(this, "toLocaleDateString")
    return "Invalid Date" if t != t else _locale_date(t)


@define(DATE_PROTO, "toLocaleTimeString", 0)
def _to_locale_time_string(this, *_):
    t = this_time(this, "toLocaleTimeString")
    return "Invalid Date" if t != t else _locale_time(t)


BUILTINS["Date"] = Date


# Made on first use of `Date` (values.LAZY_BUILTINS): frozen here, whoever imports this first.
freeze_all(DATE_PROTO, Date)
