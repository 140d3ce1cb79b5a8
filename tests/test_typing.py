"""The typed public API (issue 15): both packages ship py.typed, everything public is annotated,
and an application's use of the API passes `mypy --strict` while wrong uses are reported."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import scxmlc
import scxmlc_runtime

REPO = Path(__file__).resolve().parent.parent
USAGE = Path(__file__).resolve().parent / "typing" / "public_api.py"

# The documented methods of the public classes (the others serve generated code).
PUBLIC_METHODS = {
    scxmlc_runtime.Machine: (
        "__init__", "start", "send", "run_until_idle", "snapshot", "restore", "close", "configuration",
        "datamodel", "done", "is_active", "on_end", "send_async", "wait_done", "cancel_session",
    ),
    scxmlc_runtime.Host: ("__init__", "start", "create", "run_until_idle", "close", "plug", "service", "loader", "basichttp"),
    scxmlc_runtime.SimulatedClock: ("now", "time", "advance", "call_later", "next_due", "fire_due", "pending"),
    scxmlc_runtime.RealClock: ("now", "time", "call_later"),
    scxmlc_runtime.Limits: ("__init__",),
    scxmlc.CompileResult: ("warnings",),
}  # fmt: skip


def _unannotated(qualname: str, fn) -> list[str]:
    if isinstance(fn, property):
        fn = fn.fget
    if isinstance(fn, (classmethod, staticmethod)):
        fn = fn.__func__
    missing = [f"{qualname}({p})" for p in inspect.signature(fn).parameters if p not in ("self", "cls") and p not in fn.__annotations__]
    if "return" not in fn.__annotations__ and fn.__name__ != "__init__":
        missing.append(f"{qualname} -> ?")
    return missing


def test_both_packages_are_marked_typed():
    assert (REPO / "scxmlc" / "py.typed").is_file() and (REPO / "runtime" / "py.typed").is_file()


def test_everything_public_is_annotated():
    missing = []
    for module in (scxmlc, scxmlc_runtime):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                missing += _unannotated(name, obj)
    for cls, names in PUBLIC_METHODS.items():
        for name in names:
            attr = inspect.getattr_static(cls, name)
            missing += _unannotated(f"{cls.__name__}.{name}", attr)
    assert missing == []


def _mypy(*files: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    # the editable install maps scxmlc_runtime to runtime/ with an import hook mypy cannot
    # follow: give it both packages by their installed names
    path = tmp_path / "packages"
    path.mkdir(exist_ok=True)
    for name, folder in (("scxmlc", "scxmlc"), ("scxmlc_runtime", "runtime")):
        if not (path / name).exists():
            (path / name).symlink_to(REPO / folder, target_is_directory=True)
    env = {**os.environ, "MYPYPATH": str(path)}
    cmd = [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary", "--cache-dir", str(tmp_path / "cache"), *map(str, files)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)


def test_an_application_using_the_api_passes_mypy_strict(tmp_path):
    out = _mypy(USAGE, tmp_path=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr


def test_wrong_uses_of_the_api_are_reported(tmp_path):
    bad = tmp_path / "bad_usage.py"
    bad.write_text(
        textwrap.dedent(
            """
            import scxmlc
            from scxmlc_runtime import Host, Limits, SimulatedClock

            source: str = scxmlc.compile_file("door.scxml", return_warnings=True)
            Limits(microsteps="many")
            Host(SimulatedClock()).run_until_idle("soon")
            module, warnings = scxmlc.load_string("<scxml/>", return_warnings=True)
            count: int = len(warnings)
            """
        )
    )
    out = _mypy(bad, tmp_path=tmp_path)
    lines = [line for line in out.stdout.splitlines() if ": error:" in line]
    assert out.returncode == 1
    # one error on each of the three wrong lines (the two right ones at the end pass)
    assert sorted(int(line.split(":")[1]) for line in lines) == [5, 6, 7], out.stdout
