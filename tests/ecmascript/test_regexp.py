"""The JS-to-Python regular expression translator (runtime/js/regexp.py)."""

from __future__ import annotations

import pytest

from scxmlc_runtime.js.regexp import RegExpSyntaxError, compile_js_regexp

from .jsrun import evaluate


def search(pattern: str, flags: str, text: str):
    compiled, _ = compile_js_regexp(pattern, flags)
    m = compiled.search(text)
    return None if m is None else m.group(0)


@pytest.mark.parametrize(
    "pattern, flags, text, expected",
    [
        (".", "", "\n", None),  # JS . excludes all four line terminators
        (".", "", "\u2028", None),
        (".", "s", "\n", "\n"),
        ("^b", "m", "a\rb", "b"),  # \r is a line terminator in JS, not in Python
        ("a$", "m", "a\u2029", "a"),
        ("a$", "", "a\n", None),  # Python's $ would match before a final \n
        (r"\d", "", "\u0661", None),  # Arabic-Indic digit: not \d in JS
        (r"\w", "", "é", None),
        (r"\s", "", "\ufeff", "\ufeff"),  # BOM is JS whitespace
        (r"\s", "", "\u0085", None),  # NEL is not JS whitespace (Python says it is)
        (r"\bb", "", "éb", "b"),  # é is not a word character in JS
        (r"(a)|\1b", "", "b", "b"),  # unmatched group: the backreference matches ""
        (r"\1(a)", "", "a", "a"),  # forward reference: ""
        (r"(a\1)", "", "a", "a"),  # reference inside its own group: ""
        (r"\8", "", "8", "8"),  # not a group: the digit itself (Annex B)
        (r"\07", "", "\x07", "\x07"),  # legacy octal
        ("a{,2}", "", "a{,2}", "a{,2}"),  # not a quantifier: literal
        ("x{2}", "", "xx", "xx"),
        ("[^]", "", "\n", "\n"),
        ("[]", "", "a", None),
        (r"[\b]", "", "\b", "\b"),
        (r"\cJ", "", "\n", "\n"),
        (r"\c", "", "\\c", "\\c"),  # Annex B: \c without a letter is a backslash
        (r"[\d-z]", "", "-", "-"),
        (r"[\W\d]+", "", "ab1!2cd", "1!2"),
        (r"\u{1F600}", "u", "\U0001F600", "\U0001F600"),
        (r"\ud83d\ude00", "", "\U0001F600", "\U0001F600"),  # a pair of escapes is one character
        (r"(?<year>\d{4})", "", "in 2024", "2024"),
        (r"(?<=\$)\d+", "", "$42", "42"),
        ("[a-c]", "i", "B", "B"),
        (r"\/", "", "/", "/"),
    ],
)
def test_translation(pattern, flags, text, expected):
    assert search(pattern, flags, text) == expected


@pytest.mark.parametrize(
    "pattern, flags",
    [
        ("(?P<x>a)", ""),  # Python named group syntax
        ("(?i)a", ""),  # inline flags
        ("(?#c)", ""),
        ("a++", ""),  # possessive quantifier (Python 3.11 accepts it)
        ("a**", ""),
        ("*a", ""),
        ("a{2,1}", ""),
        ("(a", ""),
        ("a)", ""),
        ("[b-a]", ""),
        (r"\k<nope>(?<x>a)", ""),
        ("a", "gg"),
        ("a", "x"),
        (r"\q", "u"),  # identity escapes of letters are errors with u
        ("{", "u"),
    ],
)
def test_rejected(pattern, flags):
    with pytest.raises(RegExpSyntaxError):
        compile_js_regexp(pattern, flags)


def test_group_names_with_dollar():
    assert evaluate(r"/(?<a$b>x)(?<a_b>y)/.exec('xy').groups['a$b']") == "x"
    assert evaluate(r"'xy'.replace(/(?<a$b>x)(?<a_b>y)/, '$<a_b>$<a$b>')") == "yx"


def test_invalid_regexp_is_a_js_syntax_error():
    from .jsrun import throws

    assert throws(evaluate, "new RegExp('(')")[0] == "SyntaxError"


def test_a_pattern_nested_past_the_translators_depth_is_a_syntax_error():
    # (the translator recurses per group: a RecursionError there was reported as itself, a
    # Python error no JS catch could take)
    from .jsrun import throws

    name, message = throws(evaluate, "new RegExp(Array(100001).join('('))")[:2]
    assert name == "SyntaxError" and "too deeply nested" in message
    assert throws(evaluate, "new RegExp(Array(3001).join('(') + Array(3001).join(')'))")[0] == "SyntaxError"


def test_variable_width_lookbehind_works():
    assert evaluate("/(?<=a+)b/.exec('xaab').index") == 3.0
    assert evaluate("/(?<!a+)b/.test('aab')") is False


def test_catastrophic_patterns_end_in_time():
    import time

    began = time.monotonic()
    # the regex package has no exponential blowup on this one (re takes minutes)
    assert evaluate("/(a+)+$/.test('a'.repeat(40) + 'b')") is False
    assert time.monotonic() - began < 5


def test_a_match_that_runs_too_long_is_stopped_and_no_catch_takes_it():
    from scxmlc_runtime.js import regexp

    import time

    began = time.monotonic()
    with pytest.raises(TimeoutError):
        evaluate("(function () { try { return /(a|aa)+$/.test('a'.repeat(40) + 'b') } catch (e) { return 'caught' } })()")
    assert time.monotonic() - began < regexp.MATCH_TIMEOUT_S + 3
