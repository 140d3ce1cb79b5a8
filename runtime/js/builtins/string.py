"""String constructor and String.prototype (ES5.1 15.5, plus the ES2015+ methods charts use)."""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from ..conversions import WHITESPACE, number_to_string, to_integer, to_number, to_string, to_uint32, to_uint16
from ..budget import HEAVY, MAX_STRING_LENGTH, builtin_heavy, builtin_tick, check_array_length, check_string
from ..errors import throw_range_error, throw_type_error
from ..properties import js_getp, js_setp
from ..values import BUILTINS, STRING_PROTO, UNDEFINED, JSArray, JSFunction, JSObject
from ._util import define, native, relative_index
from .regexp import groups_object, is_regexp, iter_matches, match_to_array, new_regexp, regexp_exec_raw

# Strings are built in memory: every operation that makes a longer string than it was given
# checks the cap (../budget.py) before it builds, or right after when what it builds is within a
# small multiple of its input, so an untrusted chart cannot exhaust memory with 'x'.repeat(1e12).


def _string_call(this, *args):
    if not args:
        return ""
    v = args[0]
    if type(v) is JSObject and v.cls == "Symbol":
        return to_string(v)
    return to_string(v)


String = native(
    _string_call,
    "String",
    1,
    construct=lambda *args: JSObject(STRING_PROTO, "String", _string_call(None, *args)),
)
String.props = {"prototype": STRING_PROTO}
dict.__setitem__(STRING_PROTO, "constructor", String)


# Methods that look at one character, whatever the string's length (the others walk it or
# copy it: on a long string they end the budget's chunk of ticks, budget.builtin_heavy).
_ONE_CHARACTER = frozenset({"charAt", "charCodeAt", "codePointAt", "at"})


def this_string(this: Any, method: str) -> str:
    """ToString(CheckObjectCoercible(this)) (15.5.4 generic methods); a long string, given or
    converted (`String.prototype.split.call(o, '')` of an object whose toString makes one),
    ends the budget's chunk (budget.builtin_heavy) unless the method reads one character."""
    if type(this) is not str:
        if this is UNDEFINED or this is None:
            throw_type_error(f"String.prototype.{method} called on null or undefined")
        this = to_string(this)
    if len(this) >= HEAVY and method not in _ONE_CHARACTER:
        builtin_heavy()
    return this


def _check_len(n: int) -> None:
    if n >= HEAVY:
        builtin_heavy()  # (a long string to make: budget.py)
    if n > MAX_STRING_LENGTH:
        throw_range_error("Invalid string length")


@define(String, "fromCharCode", 1)
def _from_char_code(this, *codes):
    units = [to_uint16(c) for c in codes]
    return _from_utf16(units)


def _from_utf16(units: list[int]) -> str:
    """Code units to a Python string, joining surrogate pairs into one code point."""
    out = []
    i = 0
    n = len(units)
    while i < n:
        u = units[i]
        if 0xD800 <= u <= 0xDBFF and i + 1 < n and 0xDC00 <= units[i + 1] <= 0xDFFF:
            out.append(chr(0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00)))
            i += 2
        else:
            out.append(chr(u))
            i += 1
    return "".join(out)


@define(String, "fromCodePoint", 1)
def _from_code_point(this, *codes):
    out = []
    for c in codes:
        n = to_number(c)
        if n != n or n < 0 or n > 0x10FFFF or n != int(n):
            throw_range_error(f"Invalid code point {to_string(c)}")
        out.append(chr(int(n)))
    return "".join(out)


@define(STRING_PROTO, "toString", 0)
def _to_string(this, *_):
    if type(this) is str:
        return this
    if isinstance(this, JSObject) and this.cls == "String":
        return this.internal
    throw_type_error("String.prototype.toString requires that 'this' be a String")


define(STRING_PROTO, "valueOf", 0)(_to_string)


@define(STRING_PROTO, "charAt", 1)
def _char_at(this, pos=UNDEFINED, *_):
    s = this_string(this, "charAt")
    i = to_integer(pos)
    return s[int(i)] if 0 <= i < len(s) else ""


@define(STRING_PROTO, "charCodeAt", 1)
def _char_code_at(this, pos=UNDEFINED, *_):
    s = this_string(this, "charCodeAt")
    i = to_integer(pos)
    if 0 <= i < len(s):
        o = ord(s[int(i)])
        # An astral character is one Python character; JS would see its high surrogate here.
        return float(o if o <= 0xFFFF else 0xD800 + ((o - 0x10000) >> 10))
    return float("nan")


@define(STRING_PROTO, "codePointAt", 1)
def _code_point_at(this, pos=UNDEFINED, *_):
    s = this_string(this, "codePointAt")
    i = to_integer(pos)
    return float(ord(s[int(i)])) if 0 <= i < len(s) else UNDEFINED


@define(STRING_PROTO, "at", 1)
def _at(this, pos=UNDEFINED, *_):
    s = this_string(this, "at")
    i = to_integer(pos)
    if i < 0:
        i += len(s)
    return s[int(i)] if 0 <= i < len(s) else UNDEFINED


@define(STRING_PROTO, "indexOf", 1)
def _index_of(this, search=UNDEFINED, pos=UNDEFINED, *_):
    s = this_string(this, "indexOf")
    t = to_string(search)
    start = int(min(max(to_integer(pos), 0), len(s)))
    return float(s.find(t, start))


@define(STRING_PROTO, "lastIndexOf", 1)
def _last_index_of(this, search=UNDEFINED, pos=UNDEFINED, *_):
    s = this_string(this, "lastIndexOf")
    t = to_string(search)
    n = to_number(pos)
    start = len(s) if n != n else int(min(max(to_integer(n), 0), len(s)))
    return float(s.rfind(t, 0, start + len(t)))


@define(STRING_PROTO, "includes", 1)
def _includes(this, search=UNDEFINED, pos=UNDEFINED, *_):
    s = this_string(this, "includes")
    if is_regexp(search):
        throw_type_error("First argument to String.prototype.includes must not be a regular expression")
    search = to_string(search)  # (before the position: ES2015 21.1.3.7 steps 6-8)
    start = int(min(max(to_integer(pos), 0), len(s)))
    return search in s[start:]


@define(STRING_PROTO, "startsWith", 1)
def _starts_with(this, search=UNDEFINED, pos=UNDEFINED, *_):
    s = this_string(this, "startsWith")
    if is_regexp(search):
        throw_type_error("First argument to String.prototype.startsWith must not be a regular expression")
    search = to_string(search)  # (before the position: ES2015 21.1.3.18 steps 6-8)
    start = int(min(max(to_integer(pos), 0), len(s)))
    return s.startswith(search, start)


@define(STRING_PROTO, "endsWith", 1)
def _ends_with(this, search=UNDEFINED, end=UNDEFINED, *_):
    s = this_string(this, "endsWith")
    if is_regexp(search):
        throw_type_error("First argument to String.prototype.endsWith must not be a regular expression")
    search = to_string(search)  # (before the end position: ES2015 21.1.3.6 steps 6-9)
    stop = len(s) if end is UNDEFINED else int(min(max(to_integer(end), 0), len(s)))
    return s[:stop].endswith(search)


@define(STRING_PROTO, "slice", 2)
def _slice(this, start=UNDEFINED, end=UNDEFINED, *_):
    s = this_string(this, "slice")
    n = len(s)
    return s[relative_index(start, n, 0) : relative_index(end, n, n)]


@define(STRING_PROTO, "substring", 2)
def _substring(this, start=UNDEFINED, end=UNDEFINED, *_):
    s = this_string(this, "substring")
    n = len(s)
    a = int(min(max(to_integer(start), 0), n))
    b = n if end is UNDEFINED else int(min(max(to_integer(end), 0), n))
    if a > b:
        a, b = b, a
    return s[a:b]


@define(STRING_PROTO, "substr", 2)
def _substr(this, start=UNDEFINED, length=UNDEFINED, *_):
    """Annex B.2.3."""
    s = this_string(this, "substr")
    n = len(s)
    a = to_integer(start)
    a = int(max(n + a, 0) if a < 0 else min(a, n))
    ln = n - a if length is UNDEFINED else int(min(max(to_integer(length), 0), n - a))
    return s[a : a + ln] if ln > 0 else ""


@define(STRING_PROTO, "toUpperCase", 0)
def _upper(this, *_):
    return check_string(this_string(this, "toUpperCase").upper())  # (ß is SS: at most 3x)


@define(STRING_PROTO, "toLowerCase", 0)
def _lower(this, *_):
    return check_string(this_string(this, "toLowerCase").lower())


define(STRING_PROTO, "toLocaleUpperCase", 0)(_upper)
define(STRING_PROTO, "toLocaleLowerCase", 0)(_lower)


@define(STRING_PROTO, "trim", 0)
def _trim(this, *_):
    return this_string(this, "trim").strip(WHITESPACE)


@define(STRING_PROTO, "trimStart", 0)
def _trim_start(this, *_):
    return this_string(this, "trimStart").lstrip(WHITESPACE)


@define(STRING_PROTO, "trimEnd", 0)
def _trim_end(this, *_):
    return this_string(this, "trimEnd").rstrip(WHITESPACE)


define(STRING_PROTO, "trimLeft", 0)(_trim_start)
define(STRING_PROTO, "trimRight", 0)(_trim_end)


@define(STRING_PROTO, "concat", 1)
def _concat(this, *args):
    s = this_string(this, "concat")
    parts = [s, *(to_string(a) for a in args)]
    _check_len(sum(map(len, parts)))
    return "".join(parts)


@define(STRING_PROTO, "repeat", 1)
def _repeat(this, count=UNDEFINED, *_):
    s = this_string(this, "repeat")
    n = to_integer(count)
    if n < 0 or n == float("inf"):
        throw_range_error(f"Invalid count value: {number_to_string(n)}")  # (the count as converted, as V8 shows it: ToString again could call a script)
    if not s or n == 0:
        return ""  # ('' any finite number of times: a count past sys.maxsize would not fit `s * n`)
    _check_len(len(s) * int(n))
    return s * int(n)


def _pad(this, max_length, fill, at_start: bool, name: str) -> str:
    s = this_string(this, name)
    n = to_integer(max_length)
    filler = " " if fill is UNDEFINED else to_string(fill)
    if n <= len(s) or not filler:
        return s
    if n > MAX_STRING_LENGTH:
        throw_range_error("Invalid string length")
    need = int(n) - len(s)
    pad = (filler * (need // len(filler) + 1))[:need]
    return pad + s if at_start else s + pad


@define(STRING_PROTO, "padStart", 2)
def _pad_start(this, max_length=UNDEFINED, fill=UNDEFINED, *_):
    return _pad(this, max_length, fill, True, "padStart")


@define(STRING_PROTO, "padEnd", 2)
def _pad_end(this, max_length=UNDEFINED, fill=UNDEFINED, *_):
    return _pad(this, max_length, fill, False, "padEnd")


def _collation_key(s: str):
    import unicodedata  # (on first use, as in _normalize)

    decomposed = unicodedata.normalize("NFD", s)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return (base.casefold(), decomposed.casefold(), s.swapcase())


@define(STRING_PROTO, "localeCompare", 1)
def _locale_compare(this, that=UNDEFINED, *_):
    """An approximation of ICU root collation: letters before case, lowercase first."""
    a = _collation_key(this_string(this, "localeCompare"))
    b = _collation_key(to_string(that))
    return -1.0 if a < b else (1.0 if a > b else 0.0)


@define(STRING_PROTO, "normalize", 0)
def _normalize(this, form=UNDEFINED, *_):
    s = this_string(this, "normalize")  # (before the form: ES2015 21.1.3.12 steps 1-4)
    f = "NFC" if form is UNDEFINED else to_string(form)
    if f not in ("NFC", "NFD", "NFKC", "NFKD"):
        throw_range_error("The normalization form should be one of NFC, NFD, NFKC, NFKD.")
    import unicodedata  # (on first use: few charts normalize or compare with locales)

    return check_string(unicodedata.normalize(f, s))


# -- regular-expression methods (15.5.4.10-14) --------------------------------------------


def _as_regexp(v: Any) -> JSObject:
    if is_regexp(v):
        return v
    return new_regexp("(?:)" if v is UNDEFINED else to_string(v), "")


@define(STRING_PROTO, "match", 1)
def _match(this, regexp=UNDEFINED, *_):
    s = this_string(this, "match")
    r = _as_regexp(regexp)
    if "g" not in r.internal[1]:
        m = regexp_exec_raw(r, s)
        return None if m is None else match_to_array(m, s, r.internal[3])
    js_setp(r, "lastIndex", 0.0)
    found = [m.group(0) for m in iter_matches(r, s)]
    return JSArray(found) if found else None


@define(STRING_PROTO, "matchAll", 1)
def _match_all(this, regexp=UNDEFINED, *_):
    s = this_string(this, "matchAll")
    r = _as_regexp(regexp)
    if is_regexp(regexp) and "g" not in r.internal[1]:
        throw_type_error("String.prototype.matchAll called with a non-global RegExp argument")
    # (the iterator's clone of the regexp starts at ToLength(lastIndex): ES2020 21.1.3.12 / 21.2.5.8)
    start = max(to_integer(js_getp(r, "lastIndex")), 0.0) if is_regexp(regexp) else 0.0
    if start > len(s):
        return JSArray()
    return JSArray(match_to_array(m, s, r.internal[3]) for m in iter_matches(r, s, int(start)))


@define(STRING_PROTO, "search", 1)
def _search(this, regexp=UNDEFINED, *_):
    s = this_string(this, "search")
    r = _as_regexp(regexp)
    # (from index 0 whatever lastIndex says, which is left as it was; sticky: only at 0)
    compiled = r.internal[2]
    m = compiled.match(s) if "y" in r.internal[1] else compiled.search(s)
    return -1.0 if m is None else float(m.start())


def expand_replacement(template: str, s: str, start: int, end: int, groups: list, named: dict | None) -> str:
    """GetSubstitution (ES2015 21.1.3.14.1; ES5.1 Table 22): $$, $&, $`, $', $n, $nn, $<name>."""
    if "$" not in template:
        return template
    out = []
    i = 0
    n = len(template)
    m = len(groups)
    while i < n:
        c = template[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        d = template[i + 1]
        if d == "$":
            out.append("$")
            i += 2
        elif d == "&":
            out.append(s[start:end])
            i += 2
        elif d == "`":
            out.append(s[:start])
            i += 2
        elif d == "'":
            out.append(s[end:])
            i += 2
        elif d.isdigit() and d.isascii():
            two = template[i + 1 : i + 3]
            if len(two) == 2 and two.isdigit() and two.isascii() and 1 <= int(two) <= m:
                g = groups[int(two) - 1]
                out.append("" if g is None or g is UNDEFINED else g)
                i += 3
            elif 1 <= int(d) <= m:
                g = groups[int(d) - 1]
                out.append("" if g is None or g is UNDEFINED else g)
                i += 2
            else:
                out.append("$")
                i += 1
        elif d == "<" and named is not None:
            close = template.find(">", i)
            if close < 0:
                out.append("$<")
                i += 2
            else:
                v = named.get(template[i + 2 : close], UNDEFINED)
                out.append("" if v is UNDEFINED else to_string(v))
                i = close + 1
        else:
            out.append("$")
            i += 1
    return "".join(out)


def _replace(this, pattern, replacement, all_: bool, name: str) -> str:
    s = this_string(this, name)
    regexp = is_regexp(pattern)
    needle = None if regexp else to_string(pattern)  # (before the replacement: ES2015 21.1.3.14 steps 4-6)
    functional = type(replacement) is JSFunction
    template = None if functional else to_string(replacement)
    if regexp:
        source, flags, compiled, names = pattern.internal
        if all_ and "g" not in flags:
            throw_type_error("replaceAll must be called with a global RegExp")
        if "g" in flags:
            js_setp(pattern, "lastIndex", 0.0)
            matches = list(iter_matches(pattern, s))
        else:
            m = regexp_exec_raw(pattern, s)
            matches = [] if m is None else [m]
        out = []
        last = size = 0
        for m in matches:
            groups = list(m.groups())
            named = groups_object(names, [None, *(UNDEFINED if g is None else g for g in groups)]) if names else None
            if functional:
                args = [m.group(0), *(UNDEFINED if g is None else g for g in groups), float(m.start()), s]
                if named is not None:
                    args.append(named)
                rep = to_string(replacement.fn(UNDEFINED, *args))
            else:
                rep = expand_replacement(template, s, m.start(), m.end(), groups, named)
            out.append(s[last : m.start()])
            out.append(rep)
            size += m.start() - last + len(rep)
            if size > MAX_STRING_LENGTH:
                throw_range_error("Invalid string length")
            last = m.end()
        out.append(s[last:])
        return "".join(out)
    positions = []
    pos = s.find(needle)
    while pos >= 0:
        positions.append(pos)
        if not all_:
            break
        pos = s.find(needle, pos + max(len(needle), 1))
    out = []
    last = size = 0
    for p in positions:
        if functional:
            rep = to_string(replacement.fn(UNDEFINED, needle, float(p), s))
        else:
            rep = expand_replacement(template, s, p, p + len(needle), [], None)
        out.append(s[last:p])
        out.append(rep)
        size += p - last + len(rep)
        if size > MAX_STRING_LENGTH:
            throw_range_error("Invalid string length")
        last = p + len(needle)
    out.append(s[last:])
    return "".join(out)


@define(STRING_PROTO, "replace", 2)
def _replace_fn(this, pattern=UNDEFINED, replacement=UNDEFINED, *_):
    return _replace(this, pattern, replacement, False, "replace")


@define(STRING_PROTO, "replaceAll", 2)
def _replace_all(this, pattern=UNDEFINED, replacement=UNDEFINED, *_):
    return _replace(this, pattern, replacement, True, "replaceAll")


@define(STRING_PROTO, "split", 2)
def _split(this, separator=UNDEFINED, limit=UNDEFINED, *_):
    """String.prototype.split (ES5.1 15.5.4.14)."""
    s = this_string(this, "split")
    lim = 0xFFFFFFFF if limit is UNDEFINED else to_uint32(limit)
    if lim == 0:
        return JSArray()
    if separator is UNDEFINED:
        return JSArray([s])
    if not is_regexp(separator):
        sep = to_string(separator)
        # (the array cap: counted before the parts are made)
        check_array_length(min(len(s) if sep == "" else s.count(sep) + 1, lim))
        if sep == "":
            parts = list(s)
        else:
            parts = s.split(sep)
        return JSArray(parts[:lim])
    compiled = separator.internal[2]
    out = JSArray()
    size = len(s)
    if size == 0:
        return out if compiled.match(s, 0) is not None else JSArray([s])
    p = 0
    q = p
    while q != size:
        if not q & 1023:
            builtin_tick()  # (a match tried at each index: at the cap, 32 M of them, a minute)
        m = compiled.match(s, q)
        if m is None or m.end() == p:  # step 13.c: no match here, or an empty one at p
            q += 1
            continue
        e = m.end()
        out.append(s[p:q])
        if len(out) == lim:
            return out
        check_array_length(len(out))
        for g in m.groups():
            out.append(UNDEFINED if g is None else g)
            if len(out) == lim:
                return out
        p = e
        q = p
    out.append(s[p:])
    return out


BUILTINS["String"] = String
