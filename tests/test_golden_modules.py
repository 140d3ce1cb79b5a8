"""Golden files of whole generated modules: deterministic, black-stable, and reviewed by diff."""

from __future__ import annotations

from pathlib import Path

import black
import pytest

import scxmlc
from scxmlc.emitter import _BLACK_MODE

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
    assert black.format_str(first, mode=_BLACK_MODE) == first, "output must be black-stable"
    check_golden(HERE / f"{case}.py", first, update_golden)
