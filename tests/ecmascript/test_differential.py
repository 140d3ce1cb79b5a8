"""Differential test: the corpus (hand-written per feature, plus a generated operator matrix and
hypothesis-generated mixed-type expressions) must give the same type and value in V8 and
in scxmlc. Accepted deviations are listed, with reasons, in deviations.py."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import scxmlc_runtime.js as rt

from .deviations import DEVIATIONS
from .differential import V8, ECMAScriptSyntaxError, encode, our_globals, ours_expr, ours_fast, ours_script, same
from .jsrun import condition

mini_racer = pytest.importorskip("py_mini_racer")

CORPUS = Path(__file__).parent / "corpus"


def _lines(name: str) -> list[str]:
    out = []
    for line in (CORPUS / name).read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s and not s.startswith("//"):
            out.append(s)
    return out


def _scripts(name: str) -> list[tuple[str, str]]:
    """Script cases: blocks introduced by `// == name` lines."""
    cases = []
    current = None
    body: list[str] = []
    for line in (CORPUS / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("// == "):
            if current is not None:
                cases.append((current, "\n".join(body)))
            current = line[6:].strip()
            body = []
        elif current is not None:
            body.append(line)
    if current is not None:
        cases.append((current, "\n".join(body)))
    return cases


# The operator matrix: every binary operator over values of every type, literal and through
# variables (so both the compiler's typed fast paths and the generic helpers run).
MATRIX_VALUES = ["0", "-0", "1", "1.5", "NaN", "Infinity", "''", "'0'", "'1'", "' 2 '", "'a'", "true", "false", "null", "undefined", "[]", "[2]", "{}"]
MATRIX_VARS = ["n0", "nneg0", "n1", "nhalf", "nnan", "ninf", "s0", "s1", "s12", "ssp", "sa", "t", "f", "nul", "und", "a0", "a1", "o0"]
MATRIX_OPS = ["+", "-", "*", "/", "%", "==", "===", "<", ">=", "|", ">>>", "&&", "||"]


def _matrix() -> list[str]:
    out = []
    for op in MATRIX_OPS:
        for i, (a, b) in enumerate(itertools.product(MATRIX_VALUES, MATRIX_VARS)):
            if i % 3 == 0:  # a third of the pairs per operator keeps the run short
                out.append(f"{a} {op} {b}")
                out.append(f"{MATRIX_VARS[MATRIX_VALUES.index(a)]} {op} {MATRIX_VALUES[MATRIX_VARS.index(b)]}")
    return out


def _fast_matrix() -> list[str]:
    """Operators over operands read from an object and an array (the fast paths' territory)."""
    out = []
    for op in MATRIX_OPS:
        for i, (a, b) in enumerate(itertools.product(MATRIX_VARS, MATRIX_VARS)):
            if i % 7 == 0:
                out.append(f"box.{a} {op} box.{b}")
                out.append(f"row[{MATRIX_VARS.index(a)}] {op} row[{i % 20}]")
    out += [f"box.{a}.length" for a in MATRIX_VARS] + [f"'<' + row[{i}] + '>'" for i in range(20)]
    out += [f"row[box.{a}]" for a in MATRIX_VARS] + [f"row[row.length - {k}]" for k in (1, 2, 21, 0.5)]
    return out


EXPRESSIONS = _lines("expressions.js")
MATRIX = _matrix()
FAST_MATRIX = _fast_matrix()
SCRIPTS = _scripts("scripts.js")


@pytest.fixture(scope="module")
def v8():
    return V8()


def _check(label: str, theirs, ours):
    if label in DEVIATIONS:
        assert not same(theirs, ours), f"listed deviation no longer differs: {label!r}"
        return
    assert same(theirs, ours), f"{label}\n  V8:      {theirs}\n  scxmlc:  {ours}"


@pytest.mark.parametrize("src", EXPRESSIONS)
def test_expression(v8, src):
    _check(src, v8.expr(src), ours_expr(src))


@pytest.mark.parametrize("src", MATRIX)
def test_operator_matrix(v8, src):
    _check(src, v8.expr(src), ours_expr(src))


@pytest.mark.parametrize("src", FAST_MATRIX)
def test_operator_matrix_through_properties(v8, src):
    _check(src, v8.expr(src), ours_expr(src))


def test_compact_exact_code_agrees_with_the_full_exact_code():
    """The exact code behind a fast path is compact (runtime helpers instead of inline tests
    for the common types): the same values, errors included, for the whole corpus."""
    for src in EXPRESSIONS + MATRIX + FAST_MATRIX:
        assert same(ours_expr(src), ours_expr(src, compact=True)), src
        assert _ours_condition(src) == _ours_condition(src, compact=True), src


def _ours_condition(src: str, compact: bool = False):
    try:
        return condition(src, our_globals(), compact)
    except ECMAScriptSyntaxError:
        return "syntax-error"
    except rt.JSThrow as exc:
        return ("throw", encode(exc.value) if not isinstance(exc.value, rt.JSObject) else rt.error_name_message(exc.value)[0])


def test_fast_paths_agree_with_v8_or_give_up(v8):
    """Every speculative fast path, run alone, either fails its guess or gives V8's value."""
    checked = 0
    for src in EXPRESSIONS + MATRIX + FAST_MATRIX:
        fast = ours_fast(src)
        if fast is None:
            continue
        checked += 1
        if src not in DEVIATIONS:
            assert same(v8.expr(src), fast), f"fast path of {src}\n  V8:     {v8.expr(src)}\n  fast:   {fast}"
    assert checked > 400, checked  # the fast paths were exercised, not skipped


def test_fast_conditions_agree_with_v8_or_give_up(v8):
    """The same for conditions (ToBoolean, && || ! by truthiness): V8's !!(src)."""
    checked = 0
    for src in EXPRESSIONS + MATRIX + FAST_MATRIX:
        fast = ours_fast(src, cond=True)
        if fast is None:
            continue
        checked += 1
        theirs = v8.expr(f"!!({src})")
        if src not in DEVIATIONS:
            assert same(theirs, fast), f"fast condition {src}\n  V8:     {theirs}\n  fast:   {fast}"
    assert checked > 400, checked


@pytest.mark.parametrize("name, src", SCRIPTS, ids=[n for n, _ in SCRIPTS])
def test_script(v8, name, src):
    _check(name, v8.script(src), ours_script(src))


def test_corpus_size():
    assert len(EXPRESSIONS) + len(MATRIX) + len(SCRIPTS) >= 1500
