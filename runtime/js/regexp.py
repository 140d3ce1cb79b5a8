"""Translation of JavaScript regular expressions (ES5.1 15.10 + ES2018 syntax) onto Python's `re` syntax, matched by the `regex` package with a time bound.

The two dialects differ in ways that silently change matches, so every construct is rewritten
rather than passed through: `.`/`^`/`$` use JS line terminators, `\\d \\w \\s \\b` are the JS
(ASCII/Unicode-whitespace) classes, backreferences to groups that did not participate match
the empty string (ES5.1 15.10.2.9), `{` that is not a quantifier is literal, and constructs
Python would accept but JS rejects (possessive quantifiers, inline flags) are syntax errors.
Known remaining deviation: matching works on code points, so a pattern cannot match half of a
surrogate pair, and `.` matches a whole astral character.
"""

from __future__ import annotations

import functools
import re
from time import monotonic

from .budget import builtin_heavy
from .conversions import WHITESPACE

LINE_TERMINATORS = "\n\r\u2028\u2029"
_WORD = "A-Za-z0-9_"


def _cls_escape(ch: str) -> str:
    """A single character written safely inside a Python character class."""
    o = ord(ch)
    if ch.isalnum() and ch.isascii():
        return ch
    if o <= 0xFFFF:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


def _lit(ch: str) -> str:
    """A single character written safely outside a class."""
    if ch.isalnum() and ch.isascii():
        return ch
    return _cls_escape(ch)


_SPACE_CLASS = "".join(_cls_escape(c) for c in WHITESPACE)
_LT_CLASS = "".join(_cls_escape(c) for c in LINE_TERMINATORS)
_CLASS_ESCAPES = {
    "d": ("0-9", False),
    "D": ("0-9", True),
    "w": (_WORD, False),
    "W": (_WORD, True),
    "s": (_SPACE_CLASS, False),
    "S": (_SPACE_CLASS, True),
}
_CONTROL = {"t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}


class RegExpSyntaxError(Exception):
    pass


# Implementation limits (patterns come from untrusted documents and data; over a limit the
# pattern is a SyntaxError). The `regex` package builds a node per character of the pattern
# and copies a quantified atom once per repetition of its minimum count (`x{1000000}` took
# 276 MB and `x{2147483648}` all memory), so the translation is limited in "weight": its
# length, with every counted repetition `{n}`, `{n,}`, `{n,m}` multiplied out n times
# (nested ones multiply). The weight limit also bounds each single count. Upper bounds cost
# nothing to compile: one above 2**31-1 means unbounded, as in V8 (no string is that long).
# Measured at these limits over many shapes (literals, classes, \b, captures, named groups,
# backreferences, alternations, nested counts; with and without /i): compile at most 0.31 s
# and 20 MB (translation costs up to ~5 us and the copies ~275 bytes per weight unit).
MAX_PATTERN_LENGTH = 32_768  # characters of JS source
MAX_PATTERN_WEIGHT = 65_536  # characters of translation, counted repetitions multiplied out
_MAX_UPPER_COUNT = 2**31 - 1
# The regex package searches for a literal run with Boyer-Moore tables whose set-up is cubic
# in the run's length for repetitive text (the first search for 'b' * 4000 took 13 s, in C,
# past any timeout). A barrier it cannot fold away (an always-true zero-width assertion) every
# _LITERAL_RUN atoms keeps each run short (set-up for 256 repeated characters: 8 ms).
_LITERAL_RUN = 256
_BARRIER = "(?!(?!))"
_QUANTIFIER_RE = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
_DECIMAL_RE = re.compile(r"[0-9]+")
_GROUP_NAME_RE = re.compile(r"([A-Za-z_$][\w$]*)>")


def _count(digits: str) -> int:
    """The value of a decimal digit run, without int() on unbounded text (any value above
    10**12 is as good as infinite here; the result is then 10**12 + 1)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 12 else 10**12 + 1


class _Out(list):
    """The translation's pieces, with their total length."""

    __slots__ = ("size",)

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def append(self, piece: str) -> None:
        self.size += len(piece)
        super().append(piece)


class _Translator:
    def __init__(self, source: str, flags: str):
        self.src = source
        self.i = 0
        self.flags = flags
        self.unicode = "u" in flags
        self.group_count, self.group_names = self._count_groups()
        self.out = _Out()
        self.extra = 0  # weight the counted repetitions add to the translation's length
        self.run = 0  # atoms since the last literal-run barrier
        self.opened = 0  # capturing groups opened so far (their numbers)
        self.closed: set[int] = set()  # capturing groups already closed
        self.names: set[str] = set()  # names of the named groups opened so far

    def _count_groups(self) -> tuple[int, list[str]]:
        """Number of capturing groups and the names of the named ones, in order; remembers
        every group (name or None) so named groups can be numbered without another scan."""
        groups: list[str | None] = []
        i = 0
        s = self.src
        in_class = False
        while i < len(s):
            c = s[i]
            if c == "\\":
                i += 2
                continue
            if in_class:
                if c == "]":
                    in_class = False
            elif c == "[":
                in_class = True
            elif c == "(":
                if s.startswith("(?<", i) and not s.startswith("(?<=", i) and not s.startswith("(?<!", i):
                    # (only a valid name is taken: slicing up to the next '>' whatever came
                    # between was quadratic in time and memory on '(?<' repeated)
                    m = _GROUP_NAME_RE.match(s, i + 3)
                    groups.append(m.group(1) if m else "")
                elif not s.startswith("(?", i):
                    groups.append(None)
            i += 1
        self._groups = groups
        self._named_numbers: dict[str, int] = {}
        for number, name in enumerate(groups, 1):
            if name is not None:
                self._named_numbers.setdefault(name, number)
        return len(groups), [g for g in groups if g is not None]

    def _number_of_named(self, name: str) -> int:
        """The group number of named group `name` (named groups count with the others), -1 if none."""
        return self._named_numbers.get(name, -1)

    def error(self, msg: str):
        raise RegExpSyntaxError(f"Invalid regular expression: /{self.src}/{self.flags}: {msg}")

    def translate(self) -> str:
        self.disjunction()
        if self.i < len(self.src):
            self.error("Unmatched ')'")
        self._check_weight()
        return "".join(self.out)

    def _check_weight(self) -> None:
        if self.out.size + self.extra > MAX_PATTERN_WEIGHT:
            self.error(f"pattern too large (implementation limit: {MAX_PATTERN_WEIGHT} after counted repetitions are multiplied out)")

    def disjunction(self) -> None:
        self.alternative()
        while self.i < len(self.src) and self.src[self.i] == "|":
            self.i += 1
            self.out.append("|")
            self.alternative()

    def alternative(self) -> None:
        s = self.src
        while self.i < len(s) and s[self.i] not in "|)":
            self.run += 1
            if self.run >= _LITERAL_RUN:
                self.run = 0
                self.out.append(_BARRIER)
            start, extra = self.out.size, self.extra
            quantifiable = self.term()
            if self.i < len(s) and self._at_quantifier():
                if not quantifiable:
                    self.error("Nothing to repeat")
                weight = self.out.size - start + self.extra - extra  # the atom's, its own expansions included
                copies = self.quantifier()
                if copies > 1:  # the engine makes `copies` copies of the atom
                    self.extra += (copies - 1) * weight
                    self._check_weight()

    def _at_quantifier(self) -> bool:
        c = self.src[self.i]
        if c in "*+?":
            return True
        return c == "{" and self._brace_quantifier() is not None

    def _brace_quantifier(self):
        return _QUANTIFIER_RE.match(self.src, self.i)  # (ASCII digits only)

    def quantifier(self) -> int:
        """Translate a quantifier; return how many copies of its atom the engine makes."""
        s = self.src
        c = s[self.i]
        copies = 1
        if c == "{":
            m = self._brace_quantifier()
            lo = _count(m.group(1))
            if lo > MAX_PATTERN_WEIGHT:
                self.error(f"repetition count too large (implementation limit: {MAX_PATTERN_WEIGHT})")
            if m.group(2) is None:
                self.out.append(f"{{{lo}}}")
            else:
                hi = _count(m.group(3)) if m.group(3) else None
                if hi is not None and hi < lo:
                    self.error("numbers out of order in {} quantifier")
                if hi is not None and hi > _MAX_UPPER_COUNT:
                    hi = None  # as V8: no string is long enough to tell the difference
                self.out.append(f"{{{lo},{'' if hi is None else hi}}}")
            self.i = m.end()
            copies = max(lo, 1)
        else:
            self.out.append(c)
            self.i += 1
        if self.i < len(s) and s[self.i] == "?":
            self.out.append("?")
            self.i += 1
        if self.i < len(s) and self._at_quantifier():
            self.error("Nothing to repeat")
        return copies

    def term(self) -> bool:
        """Translate one atom or assertion; return whether a quantifier may follow it."""
        s = self.src
        c = s[self.i]
        flags = self.flags
        if c == "^":
            self.i += 1
            self.out.append(f"(?<![^{_LT_CLASS}])" if "m" in flags else r"\A")
            return False
        if c == "$":
            self.i += 1
            self.out.append(f"(?![^{_LT_CLASS}])" if "m" in flags else r"\Z")
            return False
        if c == ".":
            self.i += 1
            self.out.append(r"[\s\S]" if "s" in flags else f"[^{_LT_CLASS}]")
            return True
        if c == "(":
            return self.group()
        if c == "[":
            self.char_class()
            return True
        if c == "\\":
            return self.atom_escape()
        if c in "*+?":
            self.error("Nothing to repeat")
        if c == "{":
            if self.unicode:
                self.error("Lone quantifier brackets")
            self.i += 1
            self.out.append(r"\{")
            return True
        if c in "]}":
            if self.unicode:
                self.error("Lone quantifier brackets")
        self.i += 1
        self.out.append(_lit(c))
        return True

    def group(self) -> bool:
        s = self.src
        quantifiable = True
        number = 0
        if s.startswith("(?:", self.i):
            self.out.append("(?:")
            self.i += 3
        elif s.startswith("(?=", self.i) or s.startswith("(?!", self.i):
            self.out.append(s[self.i : self.i + 3])
            self.i += 3
            quantifiable = not self.unicode  # Annex B allows quantified lookaheads
        elif s.startswith("(?<=", self.i) or s.startswith("(?<!", self.i):
            self.out.append(s[self.i : self.i + 4])
            self.i += 4
            quantifiable = False
        elif s.startswith("(?<", self.i):
            end = s.find(">", self.i)
            name = s[self.i + 3 : end] if end > 0 else ""
            if not name or not re.fullmatch(r"[A-Za-z_$][\w$]*", name):
                self.error("Invalid capture group name")
            if name in self.names:
                self.error("Duplicate capture group name")  # (ES2018 22.2.1.1: an early error)
            self.names.add(name)
            self.out.append(f"(?P<{_group_name(name)}>")
            self.i = end + 1
            self.opened += 1
            number = self.opened
        elif s.startswith("(?", self.i):
            self.error("Invalid group")
        else:
            self.out.append("(")
            self.i += 1
            self.opened += 1
            number = self.opened
        self.disjunction()
        if self.i >= len(s) or s[self.i] != ")":
            self.error("Unterminated group")
        self.i += 1
        self.out.append(")")
        if number:
            self.closed.add(number)
        return quantifiable

    def atom_escape(self) -> bool:
        s = self.src
        if self.i + 1 >= len(s):
            self.error("\\ at end of pattern")
        c = s[self.i + 1]
        self.i += 2
        if c in _CLASS_ESCAPES:
            body, neg = _CLASS_ESCAPES[c]
            self.out.append(f"[{'^' if neg else ''}{body}]")
            return True
        if c == "b":
            self.out.append(f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))")
            return False
        if c == "B":
            self.out.append(f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))")
            return False
        if "1" <= c <= "9":  # (ES5.1 15.10.1 DecimalDigits are ASCII: a backslash and "²" is an identity escape)
            m = _DECIMAL_RE.match(s, self.i - 1)
            n = _count(m.group(0))  # (a run of thousands of digits is just larger than any group count)
            if n <= self.group_count:
                self.i = m.end()
                # ES5.1 15.10.2.9: a reference to a group that has not matched matches "";
                # one that cannot have matched yet (forward, or its own group) always does.
                if n in self.closed:
                    self.out.append(f"(?({n})\\{n})")
                else:
                    self.out.append("(?:)")
                return True
            if self.unicode:
                self.error("Invalid escape")
            # Annex B: not a backreference, so a legacy octal escape or the digit itself.
            m = re.compile(r"[0-7]{1,3}").match(s, self.i - 1)
            if m and int(m.group(0), 8) <= 0o377:
                self.i = m.end()
                self.out.append(_lit(chr(int(m.group(0), 8))))
            else:
                self.out.append(_lit(c))
            return True
        if c == "k" and self.group_names:
            m = re.compile(r"<([^>]+)>").match(s, self.i)
            if not m or m.group(1) not in self._named_numbers:
                self.error("Invalid named capture referenced")
            self.i = m.end()
            name = _group_name(m.group(1))
            # Same rule as numbered references; named groups are numbered with the others.
            numbered = self._number_of_named(m.group(1))
            self.out.append(f"(?({name})(?P={name}))" if numbered in self.closed else "(?:)")
            return True
        self.out.append(_lit(self.char_escape(c)))
        return True

    def char_escape(self, c: str) -> str:
        """The character a (non-class) escape `\\c` denotes; self.i is just past `c`."""
        s = self.src
        if c in _CONTROL:
            return _CONTROL[c]
        if c == "0" and not (self.i < len(s) and "0" <= s[self.i] <= "9"):
            return "\0"
        if c == "0":
            m = re.compile(r"[0-7]{1,3}").match(s, self.i - 1)
            self.i = m.end()
            return chr(int(m.group(0), 8) & 0xFF)
        if c == "x":
            m = re.compile(r"[0-9a-fA-F]{2}").match(s, self.i)
            if m:
                self.i = m.end()
                return chr(int(m.group(0), 16))
            if self.unicode:
                self.error("Invalid escape")
            return "x"
        if c == "u":
            if self.unicode and s.startswith("{", self.i):
                m = re.compile(r"\{([0-9a-fA-F]+)\}").match(s, self.i)
                if not m or int(m.group(1), 16) > 0x10FFFF:
                    self.error("Invalid Unicode escape")
                self.i = m.end()
                return chr(int(m.group(1), 16))
            m = re.compile(r"[0-9a-fA-F]{4}").match(s, self.i)
            if m:
                self.i = m.end()
                code = int(m.group(0), 16)
                # A surrogate pair written as two escapes is one code point here.
                if 0xD800 <= code <= 0xDBFF:
                    m2 = re.compile(r"\\u([dD][c-fC-F][0-9a-fA-F]{2})").match(s, self.i)
                    if m2:
                        self.i = m2.end()
                        low = int(m2.group(1), 16)
                        return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
                return chr(code)
            if self.unicode:
                self.error("Invalid Unicode escape")
            return "u"
        if c == "c":
            if self.i < len(s) and s[self.i].isascii() and s[self.i].isalpha():
                ch = s[self.i]
                self.i += 1
                return chr(ord(ch) % 32)
            self.i -= 1  # Annex B: "\c" not followed by a letter is a literal backslash
            return "\\"
        if self.unicode and (c.isalnum() or c == "_"):
            self.error("Invalid escape")
        return c

    def char_class(self) -> None:
        s = self.src
        self.i += 1
        negate = False
        if self.i < len(s) and s[self.i] == "^":
            negate = True
            self.i += 1
        items: list[str] = []  # translated pieces
        while True:
            if self.i >= len(s):
                self.error("Unterminated character class")
            c = s[self.i]
            if c == "]":
                self.i += 1
                break
            atom, is_char = self.class_atom()
            if (
                is_char
                and self.i + 1 < len(s)
                and s[self.i] == "-"
                and s[self.i + 1] != "]"
            ):
                save = self.i
                self.i += 1
                atom2, is_char2 = self.class_atom()
                if is_char2:
                    if ord(atom2) < ord(atom):
                        self.error("Range out of order in character class")
                    items.append(f"{_cls_escape(atom)}-{_cls_escape(atom2)}")
                    continue
                if self.unicode:
                    self.error("Invalid character class")
                # Annex B: [\w-x] means \w, '-', 'x'
                items.append(_cls_escape(atom))
                items.append(_cls_escape("-"))
                items.append(atom2)
                continue
            items.append(_cls_escape(atom) if is_char else atom)
        body = "".join(items)
        if not body:
            self.out.append(r"[\s\S]" if negate else "(?!)")
        else:
            self.out.append(f"[{'^' if negate else ''}{body}]")

    def class_atom(self) -> tuple[str, bool]:
        """One class atom: (character, True) or (translated class body piece, False)."""
        s = self.src
        c = s[self.i]
        if c != "\\":
            self.i += 1
            return c, True
        if self.i + 1 >= len(s):
            self.error("\\ at end of pattern")
        e = s[self.i + 1]
        self.i += 2
        if e in _CLASS_ESCAPES:
            body, neg = _CLASS_ESCAPES[e]
            if not neg:
                return body, False
            # A negated class inside a class: Python has no intersection, so spell the
            # complement of the ranges explicitly.
            return _complement(body), False
        if e == "b":
            return "\b", True
        if e == "-":
            return "-", True
        if e == "c" and not self.unicode and self.i < len(s) and (s[self.i].isdigit() or s[self.i] == "_") and s[self.i].isascii():
            # Annex B.1.4 ClassControlLetter: in a class, \c also takes a digit or _
            self.i += 1
            return chr(ord(s[self.i - 1]) % 32), True
        if "1" <= e <= "9":
            if self.unicode:
                self.error("Invalid class escape")
            m = re.compile(r"[0-7]{1,3}").match(s, self.i - 1)
            if m:
                self.i = m.end()
                return chr(int(m.group(0), 8) & 0xFF), True
            return e, True
        return self.char_escape(e), True


def _group_name(name: str) -> str:
    # JS names may contain '$', Python's may not: map it injectively.
    return name.replace("_", "__").replace("$", "_S") if "$" in name or "_" in name else name


@functools.lru_cache(maxsize=None)
def _complement(body: str) -> str:
    """Class body matching exactly the characters that `[body]` does not (for \\W, \\S, \\D in a class)."""
    pieces = re.findall(r"\\u([0-9a-f]{4})|\\U([0-9a-f]{8})|(.)", body)
    chars: list[int] = []
    for u4, u8, ch in pieces:
        chars.append(int(u4 or u8, 16) if (u4 or u8) else ord(ch))
    # re-read as ranges: sequences "a - b" were written as char, '-', char
    raw = []
    k = 0
    while k < len(pieces):
        if k + 2 < len(pieces) and pieces[k + 1][2] == "-":
            raw.append((chars[k], chars[k + 2]))
            k += 3
        else:
            raw.append((chars[k], chars[k]))
            k += 1
    raw.sort()
    lo = 0
    out = []
    for a, b in raw:
        if a > lo:
            out.append((lo, a - 1))
        lo = max(lo, b + 1)
    if lo <= 0x10FFFF:
        out.append((lo, 0x10FFFF))
    return "".join(
        _cls_escape(chr(a)) if a == b else f"{_cls_escape(chr(a))}-{_cls_escape(chr(b))}" for a, b in out
    )


# Matching runs on the `regex` package rather than `re`: it avoids most catastrophic
# backtracking by itself (`/(a+)+$/` on 'a' * 40 + 'b' takes a millisecond), and its `timeout`
# bounds the rest: a match that takes longer raises TimeoutError, which no JavaScript `catch`
# takes and which becomes error.execution (a script cannot stall its host with a pattern).
MATCH_TIMEOUT_S = 1.0
SLOW_MATCH_S = 0.005  # a match this slow ends the script budget's chunk of ticks (budget.py)


class BoundedPattern:
    """A compiled pattern whose every match is bounded in time (MATCH_TIMEOUT_S); a match that
    took long makes the script budget look at the clock at the next tick (budget.builtin_heavy:
    a loop of a few slow matches would otherwise run far past `script_seconds`)."""

    __slots__ = ("_p", "groupindex")

    def __init__(self, pattern) -> None:
        self._p = pattern
        self.groupindex = pattern.groupindex

    def search(self, s: str, pos: int = 0):
        return _timed(self._p.search, s, pos)

    def match(self, s: str, pos: int = 0):
        return _timed(self._p.match, s, pos)

    def finditer(self, s: str, pos: int = 0):
        # (each match found ticks: the callers' builtin_tick; the time to the first one, or to
        # the end without one, is a search's)
        began = monotonic()
        try:
            yield from self._p.finditer(s, pos, timeout=MATCH_TIMEOUT_S)
        finally:
            if monotonic() - began > SLOW_MATCH_S:
                builtin_heavy()


def _timed(find, s: str, pos: int):
    """find(s, pos) within MATCH_TIMEOUT_S; a slow one ends the budget's chunk of ticks."""
    began = monotonic()
    try:
        return find(s, pos, timeout=MATCH_TIMEOUT_S)
    finally:
        if monotonic() - began > SLOW_MATCH_S:
            builtin_heavy()


@functools.lru_cache(maxsize=512)
def compile_js_regexp(source: str, flags: str):
    """(compiled pattern, group names by index) for a JS pattern; RegExpSyntaxError if invalid."""
    import regex

    for f in flags:
        if f not in "gimsuy" or flags.count(f) > 1:
            raise RegExpSyntaxError(f"Invalid flags supplied to RegExp constructor '{flags}'")
    if len(source) > MAX_PATTERN_LENGTH:
        raise RegExpSyntaxError(f"Invalid regular expression: pattern too long ({len(source)} characters; implementation limit: {MAX_PATTERN_LENGTH})")
    t = _Translator(source, flags)
    try:
        py = t.translate()  # (recursive descent: a RecursionError here is a nesting too deep)
        compiled = BoundedPattern(regex.compile(py, regex.V0 | (regex.IGNORECASE if "i" in flags else 0)))
    except (re.error, regex.error) as exc:
        raise RegExpSyntaxError(f"Invalid regular expression: /{source}/{flags}: {exc}") from None
    except RecursionError:
        raise RegExpSyntaxError(f"Invalid regular expression: /{source}/{flags}: too deeply nested") from None
    names = {v: k for k, v in compiled.groupindex.items()}
    # groupindex uses the Python spelling; report JS names by group number.
    # (one dict look-up per group: a loop over the names per group was quadratic, 3 s for 7,500 named groups)
    by_py_name = {_group_name(js): js for js in t.group_names}
    js_names = {number: by_py_name[py_name] for number, py_name in names.items() if py_name in by_py_name}
    return compiled, js_names
