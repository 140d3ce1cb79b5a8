"""Packaging: the wheel installs into a fresh virtual environment, compiles a chart and runs it,
and a generated module loads only the runtime (none of the compiler's dependencies)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COMPILER_SIDE = ("lxml", "jinja2", "esprima", "black", "scxmlc")


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def check_runtime_only(python: str, module_dir: Path, cwd: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(module_dir)!r})
        import door
        from scxmlc_runtime import SimulatedClock
        sm = door.Chart(clock=SimulatedClock())
        sm.start()
        sm.send("open")
        sm.send("leave")
        assert sm.done and "gone" in sm.configuration, sm.configuration
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {COMPILER_SIDE!r})
        assert not loaded, loaded
        print("ok", door.Chart.name)
        """
    )
    out = run([python, "-c", script], cwd=cwd)
    assert out.stdout.split() == ["ok", "door"]


def test_every_package_folder_is_in_pyproject():
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    roots = {"scxmlc": "scxmlc", "scxmlc_runtime": "runtime", "scxmlc.templates": "templates"}
    found = set()
    for name, folder in roots.items():
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / folder).parts
            found.add(".".join((name, *rel)))
    assert sorted(found) == sorted(config["packages"])


def test_generated_module_imports_only_the_runtime(tmp_path):
    run([sys.executable, "-m", "scxmlc", "compile", str(REPO / "examples" / "door.scxml"), "-o", str(tmp_path / "door.py")])
    check_runtime_only(sys.executable, tmp_path, tmp_path)


@pytest.mark.slow
def test_wheel_installs_in_fresh_venv(tmp_path):
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)])
    wheels = list(dist.glob("scxmlc-*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = str(bindir / "python")
    run([python, "-m", "pip", "install", "-q", str(wheels[0])])
    # The templates ship inside the wheel; compile with the installed entry point.
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    run([str(bindir / "scxmlc"), "compile", str(REPO / "examples" / "door.scxml"), "-o", str(out_dir / "door.py")])
    check_runtime_only(python, out_dir, tmp_path)
    # `scxmlc run` works from the installed package too.
    proc = run(
        [str(bindir / "scxmlc"), "run", str(REPO / "examples" / "door.scxml"), "--simulated-clock", "--event", "open", "--event", "leave"],
        cwd=tmp_path,
    )
    assert "configuration (done): gone" in proc.stdout


# What `import scxmlc_runtime` leaves for the features that need it (issue 14: import time).
# Each of these costs milliseconds: asyncio for AsyncioClock, the HTTP stacks for <send> and
# <invoke> over HTTP, hashlib for snapshots, uuid for request ids, ElementTree for XML
# content, decimal for Number formatting, random for Math.random, dataclasses (inspect) and
# the optional Redis client.
LAZY = (
    "asyncio",
    "http.server",
    "urllib.request",
    "hashlib",
    "uuid",
    "xml.etree.ElementTree",
    "decimal",
    "random",
    "dataclasses",
    "inspect",
    "redis",
)


def test_importing_the_runtime_leaves_the_heavy_modules_for_later():
    code = f"import sys, scxmlc_runtime; print(sorted(m for m in {LAZY!r} if m in sys.modules))"
    out = run([sys.executable, "-c", code])
    assert out.stdout.strip() == "[]"


def test_the_lazy_features_load_what_they_need():
    code = textwrap.dedent(
        """
        import sys
        from scxmlc_runtime import Limits, SimulatedClock
        from scxmlc_runtime.dom import parse_xml_fragment
        from scxmlc_runtime.js.builtins.math import _random_fn
        from scxmlc_runtime.js.builtins.number import _to_fixed
        assert Limits(errors=3) == Limits(errors=3) and Limits(errors=3) != Limits()
        assert parse_xml_fragment("<a>1</a>") is not None
        assert 0.0 <= _random_fn(None) < 1.0
        assert _to_fixed(1.005, 2.0) == "1.00" and _to_fixed(2.5, 0.0) == "3"
        print(sorted(m for m in ("xml.etree.ElementTree", "random", "decimal") if m in sys.modules))
        """
    )
    out = run([sys.executable, "-c", code])
    assert out.stdout.strip() == "['decimal', 'random', 'xml.etree.ElementTree']"
