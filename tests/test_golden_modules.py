"""Golden files of whole generated modules: deterministic, black-stable, and reviewed by diff."""

from __future__ import annotations

from pathlib import Path

import black
import pytest

import scxmlc
from scxmlc.emitter import black_mode

from .conftest import check_golden

HERE = Path(__file__).resolve().parent / "golden" / "modules"
CASES = sorted(p.stem for p in HERE.glob("*.scxml"))


def test_there_are_golden_modules():
    assert len(CASES) >= 3, CASES


@pytest.mark.plans  # (the golden modules hold the fast paths a reference-mode compile leaves out)
@pytest.mark.parametrize("case", CASES)
def test_generated_module(case, update_golden):
    src = HERE / f"{case}.scxml"
    first = scxmlc.compile_file(src)
    assert scxmlc.compile_file(src) == first, "output must be deterministic"
    assert black.format_str(first, mode=black_mode()) == first, "output must be black-stable"
    check_golden(HERE / f"{case}.py", first, update_golden)


BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "charts"


def _dead_temporaries(source: str) -> list[str]:
    import ast

    dead = []
    for fn in ast.parse(source).body:
        if isinstance(fn, ast.FunctionDef):
            read = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store)}
            dead += [f"{fn.name}: {n.target.id}" for n in ast.walk(fn) if isinstance(n, ast.NamedExpr) and n.target.id not in read]
    return dead


@pytest.mark.parametrize("src", [*(HERE / f"{c}.scxml" for c in CASES), *sorted(BENCH.glob("*.scxml"))], ids=lambda p: p.stem)
def test_no_dead_temporaries(src):
    # a fast path binds each operand it might reuse; bindings nothing reads are dropped
    assert _dead_temporaries(scxmlc.compile_file(src)) == []
