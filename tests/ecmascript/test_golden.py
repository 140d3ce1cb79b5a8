"""Golden files: the Python each kind of ECMAScript compiles to, reviewed by diff.

tests/golden/ecmascript/<kind>/<case>.js holds the source and <case>.py the expected output
(ast.unparse, black-formatted, with a first line naming the helpers it imports). Run
`pytest --update-golden` to rewrite outputs that changed; a missing .py is never created
silently (see tests/conftest.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import black
import pytest

from scxmlc.ecmascript import Transpiler

from ..conftest import check_golden

ROOT = Path(__file__).resolve().parent.parent / "golden" / "ecmascript"
KINDS = ("expr", "cond", "location", "script")
CASES = sorted((kind, p.stem) for kind in KINDS for p in (ROOT / kind).glob("*.js"))


def render(kind: str, source: str) -> str:
    """The golden text for one source: helper list, then the black-formatted Python."""
    t = Transpiler()
    if kind == "expr":
        body: list[ast.stmt] = [ast.Expr(t.expr(source))]
    elif kind == "cond":
        body = [ast.Expr(t.cond(source))]
    elif kind == "location":
        body = t.assign(source, ast.Name("value", ast.Load()))
    else:
        body = t.script(source)
    code = ast.unparse(ast.fix_missing_locations(ast.Module([*t.hoisted_for(body), *body], [])))
    code = black.format_str(code, mode=black.Mode())
    return f"# helpers: {', '.join(sorted(t.helpers))}\n{code}"


def test_every_kind_has_cases():
    for kind in KINDS:
        assert any(k == kind for k, _ in CASES), kind


@pytest.mark.parametrize("kind, case", CASES, ids=[f"{k}/{c}" for k, c in CASES])
def test_golden(kind, case, update_golden):
    source = (ROOT / kind / f"{case}.js").read_text(encoding="utf-8")
    out = render(kind, source)
    assert render(kind, source) == out, "output must be deterministic"
    compile(out, f"{case}.py", "exec")  # the output is valid Python
    check_golden(ROOT / kind / f"{case}.py", out, update_golden)
