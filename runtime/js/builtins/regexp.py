"""RegExp objects (ES5.1 15.10.4-7): construction, exec, test, and the matching primitives
String.prototype.match/replace/search/split share."""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from ..budget import builtin_tick
from ..conversions import to_integer, to_string
from ..errors import throw_syntax_error, throw_type_error
from ..properties import js_getp, js_setp
from ..values import BUILTINS, REGEXP_PROTO, UNDEFINED, JSArray, JSObject
from ._util import define, native

# ES5.1 15.10.7: source/global/ignoreCase/multiline/lastIndex are own, non-enumerable data
# properties of each instance (ES2015 moved the flags to prototype accessors; the values
# scripts observe are the same).
_HIDDEN = frozenset(("lastIndex", "source", "flags", "global", "ignoreCase", "multiline", "sticky", "unicode", "dotAll"))


_FLAG_NAMES = {"global": "g", "ignoreCase": "i", "multiline": "m", "sticky": "y", "unicode": "u", "dotAll": "s"}


def is_regexp(v: Any) -> bool:
    return isinstance(v, JSObject) and v.cls == "RegExp"


def escape_pattern(source: str) -> str:
    """EscapeRegExpPattern (ES2015 21.2.3.2.4): the `source` text that reads back as the same
    pattern inside /.../ — unescaped `/` and line terminators escaped, `(?:)` for empty."""
    if not source:
        return "(?:)"
    out = []
    in_class = False
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\" and i + 1 < len(source):
            out.append(source[i : i + 2])
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        if c == "/" and not in_class:
            out.append("\\/")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\u2028":
            out.append("\\u2028")
        elif c == "\u2029":
            out.append("\\u2029")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def new_regexp(source: str, flags: str = "") -> JSObject:
    """A RegExp object for a pattern (a JS SyntaxError if the pattern is invalid)."""
    # (the translator, with `re` and the `regex` package, is imported by the first RegExp made)
    from ..regexp import RegExpSyntaxError, compile_js_regexp

    try:
        compiled, names = compile_js_regexp(source, flags)
    except RegExpSyntaxError as exc:
        throw_syntax_error(str(exc))
    source = escape_pattern(source)
    r = JSObject(REGEXP_PROTO, "RegExp", (source, flags, compiled, names))
    dict.update(
        r,
        lastIndex=0.0,
        source=source,
        flags="".join(f for f in "gimsuy" if f in flags),
        **{k: f in flags for k, f in _FLAG_NAMES.items()},
    )
    r.hidden = _HIDDEN
    return r


def _construct(pattern=UNDEFINED, flags=UNDEFINED, *_):
    if is_regexp(pattern):
        src, old_flags = pattern.internal[0], pattern.internal[1]
        return new_regexp(src, old_flags if flags is UNDEFINED else to_string(flags))
    src = "" if pattern is UNDEFINED else to_string(pattern)
    return new_regexp(src, "" if flags is UNDEFINED else to_string(flags))


def _call(this, pattern=UNDEFINED, flags=UNDEFINED, *_):
    if is_regexp(pattern) and flags is UNDEFINED:
        return pattern
    return _construct(pattern, flags)


RegExp = native(_call, "RegExp", 2, construct=_construct)
RegExp.props = {"prototype": REGEXP_PROTO}
dict.__setitem__(REGEXP_PROTO, "constructor", RegExp)
REGEXP_PROTO.hidden = frozenset(("constructor",))


def this_regexp(this: Any, method: str) -> JSObject:
    if not is_regexp(this):
        throw_type_error(f"RegExp.prototype.{method} requires that 'this' be a RegExp object")
    return this


def groups_object(names: dict, captures) -> JSObject:
    """The `groups` object of a match (ES2018 21.2.5.2.2 step 25): null prototype, one property
    per named group (`captures[i]` is group i, undefined if it did not take part)."""
    return JSObject(None, items={names[i]: captures[i] for i in sorted(names)})


def match_to_array(m, s: str, names: dict) -> JSArray:
    """The array exec returns (15.10.6.2 steps 12-20): groups, index, input, groups object."""
    groups = m.groups()
    arr = JSArray([m.group(0), *(UNDEFINED if g is None else g for g in groups)])
    arr.props = {"index": float(m.start()), "input": s}
    if names:
        arr.props["groups"] = groups_object(names, arr)
    else:
        arr.props["groups"] = UNDEFINED
    return arr


def regexp_exec_raw(r: JSObject, s: str):
    """Run r on s honouring global/sticky lastIndex (15.10.6.2); the Python match or None."""
    source, flags, compiled, names = r.internal
    global_or_sticky = "g" in flags or "y" in flags
    i = 0
    if global_or_sticky:
        # ToLength (ES2015 7.1.15): a negative lastIndex reads as 0 (ES5.1 failed the match; V8 follows ES2015)
        i = max(to_integer(js_getp(r, "lastIndex")), 0.0)
        if i > len(s):
            js_setp(r, "lastIndex", 0.0)
            return None
        i = int(i)
    m = compiled.match(s, i) if "y" in flags else compiled.search(s, i)
    if m is None:
        if global_or_sticky:
            js_setp(r, "lastIndex", 0.0)
        return None
    if global_or_sticky:
        js_setp(r, "lastIndex", float(m.end()))
    return m


def advance_index(s: str, i: int, unicode: bool) -> int:
    """AdvanceStringIndex (ES2015 21.2.5.2.3): past a surrogate pair at i when unicode."""
    if unicode and i + 1 < len(s) and "\ud800" <= s[i] <= "\udbff" and "\udc00" <= s[i + 1] <= "\udfff":
        return i + 2
    return i + 1


def iter_matches(r: JSObject, s: str, start: int = 0):
    """The matches of the RegExpBuiltinExec loop of a global match/replace/matchAll (ES2015
    21.2.5.6, 21.2.5.8): from `start`, each search starts where the last match ended, or one
    further after an empty match (AdvanceStringIndex), so `'abc'.match(/a*?/g)` is four empty
    matches; with the sticky flag a match must start exactly there, and the first failure
    ends the loop."""
    flags, compiled = r.internal[1], r.internal[2]
    sticky = "y" in flags
    unicode = "u" in flags
    i = start
    if not sticky:
        # finditer agrees with that loop (and is about twice as fast as a search per match)
        # except after an empty match at b: it goes on to a non-empty match at b (or, with
        # the u flag, one starting inside a surrogate pair), where JS searches from the next
        # index; there the loop below takes over.
        resume = -1
        for m in compiled.finditer(s, i):
            b, e = m.span()
            if b < resume:
                i = resume
                break
            builtin_tick()
            yield m
            resume = advance_index(s, b, unicode) if b == e else -1
        else:
            return
    find = compiled.match if sticky else compiled.search
    n = len(s)
    while i <= n:
        m = find(s, i)
        if m is None:
            return
        builtin_tick()
        yield m
        i = m.end()
        if i == m.start():
            i = advance_index(s, i, unicode)


@define(REGEXP_PROTO, "exec", 1)
def _exec(this, s=UNDEFINED, *_):
    r = this_regexp(this, "exec")
    s = to_string(s)
    m = regexp_exec_raw(r, s)
    return None if m is None else match_to_array(m, s, r.internal[3])


@define(REGEXP_PROTO, "test", 1)
def _test(this, s=UNDEFINED, *_):
    r = this_regexp(this, "test")
    return regexp_exec_raw(r, to_string(s)) is not None


@define(REGEXP_PROTO, "toString", 0)
def _to_string(this, *_):
    r = this_regexp(this, "toString")
    return f"/{r.internal[0]}/{r.internal[1]}"


BUILTINS["RegExp"] = RegExp
