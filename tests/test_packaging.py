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


def test_a_generated_modules_first_load_leaves_the_optional_modules_out(tmp_path):
    # A generated module's first load (import, create, start: benchmarks/first_load.py, whose
    # big.scxml has no expressions either) loads neither weakref nor math (a millisecond of a
    # process's start together: host.WeakValues, the runtime's own checks; the ECMAScript
    # operators need math), nor the shared libraries of the timer heap and the host's inbox
    # (with the first timer, the first hand-over from another thread), nor the reference
    # mode's module (host.reference_mode).
    chart = tmp_path / "door.scxml"
    chart.write_text(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'
        '<state id="a"><transition event="go" target="b"/></state><final id="b"/></scxml>'
    )
    run([sys.executable, "-m", "scxmlc", "compile", str(chart), "-o", str(tmp_path / "door.py")])
    code = textwrap.dedent(
        """
        import sys
        import door
        sm = door.Chart()
        sm.start()
        sm.send("go")
        assert not sm.running  # (it reached b, the final state)
        print(sorted(m for m in ("weakref", "math", "_heapq", "_queue", "scxmlc_runtime.reference") if m in sys.modules))
        """
    )
    out = run([sys.executable, "-c", code], cwd=tmp_path)
    assert out.stdout.strip() == "[]"


def test_compiling_into_memory_leaves_black_out(tmp_path):
    # load, load_string, `scxmlc run` and documents compiled at run time write nothing: their
    # modules are not formatted, and black (a third of the compiler) is not imported.
    chart = tmp_path / "c.scxml"
    chart.write_text('<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><final id="f"/></scxml>')
    code = textwrap.dedent(
        f"""
        import sys, scxmlc
        scxmlc.load({str(chart)!r})
        scxmlc.load_string(open({str(chart)!r}).read())
        print("black" in sys.modules)
        scxmlc.compile_file({str(chart)!r})
        print("black" in sys.modules)
        """
    )
    out = run([sys.executable, "-c", code])
    assert out.stdout.split() == ["False", "True"]


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


# The standard library's modules that the common path (import the runtime, import a generated
# module, create a machine, start it, send events) leaves for later (issue 14): logging, with
# the traceback, linecache, tokenize, textwrap and string modules it loads, until something is
# logged; pathlib and urllib.parse (with fnmatch and ipaddress) until a document is loaded from a
# file or a URL, or an event goes over Basic HTTP; threading and queue (the host's lock and inbox
# are their C parts), functools and unicodedata until a script sorts or normalizes.
LAZY_STDLIB = (
    "threading",
    "queue",
    "functools",
    "unicodedata",
    "logging",
    "traceback",
    "linecache",
    "tokenize",
    "textwrap",
    "string",
    "pathlib",
    "fnmatch",
    "urllib.parse",
    "ipaddress",
    "typing",
    "collections",  # (deque is _collections', rows are namespaces)
    "heapq",  # (_heapq)
    "json",
    "re",
    "scxmlc_runtime.js.regexp",  # (the JS regular expression translator, with `regex`)
    "regex",
    # the JavaScript built-ins made on first use (js/values.py, LAZY_BUILTINS)
    "scxmlc_runtime.js.builtins.date",
    "scxmlc_runtime.js.builtins.json",
    "scxmlc_runtime.js.builtins.math",
    "scxmlc_runtime.js.builtins.uri",
)

LIGHT_CHART = """<?xml version="1.0" encoding="UTF-8"?>
<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="light" initial="off">
  <datamodel><data id="n" expr="0"/></datamodel>
  <state id="off">
    <onentry><send id="t" event="tick" delay="1s"/></onentry>
    <onexit><cancel sendid="t"/></onexit>
    <transition event="toggle" cond="n &lt; 10" target="on"><assign location="n" expr="n + 1"/></transition>
  </state>
  <state id="on">
    <onentry><raise event="lit"/></onentry>
    <transition event="lit"/>
    <transition event="toggle" target="off"/>
    <transition event="speak" target="spoken"/>
  </state>
  <state id="spoken">
    <onentry><log label="light" expr="'n is ' + n"/><assign location="nowhere.x" expr="1"/></onentry>
  </state>
</scxml>
"""


LAZY_BUILTINS_CHART = """<?xml version="1.0" encoding="UTF-8"?>
<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="lazy" initial="s">
  <datamodel><data id="out" expr="[]"/></datamodel>
  <script>var Date; var saved = this;</script>
  <state id="s">
    <onentry><script>
      out.push(Math.max(1, 2), JSON.stringify({a: [1]}), typeof Date, 'encodeURI' in saved, typeof nothing);
      out.push(new Date(0).getTime(), encodeURIComponent('a b'));
      try { Math.max = null; out.push(Math.max === null); } catch (e) { out.push(e.name); }
    </script></onentry>
  </state>
</scxml>
"""


HELD_CHART = """<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="held" initial="s">
  <datamodel><data id="d" expr="new Date(5)"/><data id="m" expr="Math.max"/><data id="out" expr="0"/></datamodel>
  <state id="s"><transition event="go" target="t"/></state>
  <state id="t"><onentry><assign location="out" expr="d.getTime() + m(1, 2)"/></onentry></state>
</scxml>
"""


def test_builtins_made_on_first_use_are_there_from_the_start(tmp_path):
    """Date, JSON, Math and the URI functions are made on first use (issue 14: a sixth of the
    runtime's import), in a fresh process: a script sees them from the start (read, typeof, `in`;
    a `var` of the same name does not hide them); the objects are frozen even when their module
    was imported directly first (as ors/ws.py imports JSON's), so a session's change stays its
    own (realm.py); a snapshot made before any of them was used finds them, and one that holds
    them is restored where they have not been made yet (heap.py)."""
    (tmp_path / "lazy.scxml").write_text(LAZY_BUILTINS_CHART, encoding="utf-8")
    run([sys.executable, "-m", "scxmlc", "compile", str(tmp_path / "lazy.scxml"), "-o", str(tmp_path / "lazy.py")])
    code = textwrap.dedent(
        """
        from scxmlc_runtime import SimulatedClock
        from scxmlc_runtime.js import to_py
        from scxmlc_runtime.js.values import BUILTINS, load_builtin
        import lazy

        print(sorted(k for k in ("Date", "JSON", "Math", "encodeURI") if k in BUILTINS))
        first = lazy.Chart(clock=SimulatedClock())
        first.start()
        print(to_py(first.datamodel["out"]))
        other = lazy.Chart(clock=SimulatedClock())
        other.start()
        print(load_builtin("Math").frozen, to_py(other.datamodel["out"])[-1])
        """
    )
    out = run([sys.executable, "-c", code], cwd=tmp_path).stdout.splitlines()
    assert out[0] == "[]", out
    assert out[1] == str([2, '{"a":[1]}', "function", True, "undefined", 0, "a%20b", True]), out
    # the other session still has Math.max: the first one's change was its own
    assert out[2] == "True True", out
    code = textwrap.dedent(
        """
        from scxmlc_runtime.js.builtins.json import json_stringify  # the module first, not `JSON`
        from scxmlc_runtime.js.values import BUILTINS
        from scxmlc_runtime.js.heap import _intrinsics

        print(BUILTINS["JSON"].frozen, "Math" in BUILTINS)
        print(sorted(v for v in _intrinsics().values() if v in ("%Math.max%", "%Date.prototype.getTime%", "%escape%")))
        """
    )
    out = run([sys.executable, "-c", code], cwd=tmp_path).stdout.splitlines()
    assert out == ["True False", str(["%Date.prototype.getTime%", "%Math.max%", "%escape%"])], out
    # A snapshot holding a Date and Math.max, restored where neither has been made yet.
    (tmp_path / "held.scxml").write_text(HELD_CHART, encoding="utf-8")
    run([sys.executable, "-m", "scxmlc", "compile", str(tmp_path / "held.scxml"), "-o", str(tmp_path / "held.py")])
    make = "import held; sm = held.Chart(); sm.start(); open('held.bin', 'wb').write(sm.snapshot())"
    run([sys.executable, "-c", make], cwd=tmp_path)
    code = textwrap.dedent(
        """
        import held
        from scxmlc_runtime.js.values import BUILTINS

        print("Date" in BUILTINS, "Math" in BUILTINS)
        sm = held.Chart.restore(open("held.bin", "rb").read())
        sm.send("go")
        print(sm.datamodel["out"])
        """
    )
    out = run([sys.executable, "-c", code], cwd=tmp_path).stdout.splitlines()
    assert out == ["False False", "7.0"], out


def test_the_common_path_leaves_the_stdlib_extras_for_later(tmp_path):
    """Without site (-S: an editable install's finder loads pathlib and urllib.parse when the
    interpreter starts), the runtime found through a symlink; then the first <log> and the first
    error still reach the runtime's loggers by their names, with the caller's frame."""
    (tmp_path / "light.scxml").write_text(LIGHT_CHART, encoding="utf-8")
    run([sys.executable, "-m", "scxmlc", "compile", str(tmp_path / "light.scxml"), "-o", str(tmp_path / "light.py")])
    (tmp_path / "scxmlc_runtime").symlink_to(REPO / "runtime", target_is_directory=True)
    code = textwrap.dedent(
        f"""
        import sys
        lazy = {LAZY_STDLIB!r}
        import scxmlc_runtime
        assert scxmlc_runtime.__file__.startswith({str(tmp_path)!r}), scxmlc_runtime.__file__
        print(sorted(m for m in lazy if m in sys.modules))
        import light
        sm = light.Chart(clock=scxmlc_runtime.SimulatedClock())
        sm.start()
        for _ in range(3):
            sm.send("toggle")
        sm.clock.advance(2.0)
        sm.run_until_idle()
        assert sm.configuration == {{"on"}}, sm.configuration
        print(sorted(m for m in lazy if m in sys.modules))
        import logging
        records = []
        handler = logging.Handler()
        handler.emit = records.append
        logging.getLogger("scxmlc_runtime").addHandler(handler)
        logging.getLogger("scxmlc_runtime").setLevel(logging.INFO)
        sm.send("speak")
        print([(r.name, r.levelname, r.funcName, r.getMessage().split(":")[0]) for r in records])
        """
    )
    out = run([sys.executable, "-S", "-c", code], cwd=tmp_path).stdout.splitlines()
    assert out[:2] == ["[]", "[]"], out
    assert out[2] == str([("scxmlc_runtime.log.light", "INFO", "log", "light"), ("scxmlc_runtime", "WARNING", "error_event", "1")]), out


RING_CHART = """<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="ring" initial="a">
  <state id="a"><transition event="go" target="b"/></state>
  <state id="b"><transition event="go" target="a"/><transition event="stop" target="end"/></state>
  <final id="end"/>
</scxml>
"""

BROKEN_CHART = """<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="broken" initial="s">
  <state id="s">
    <onentry><log expr="'unterminated"/></onentry>
    <transition event="error.execution" target="t"/>
  </state>
  <state id="t"/>
</scxml>
"""

SCRIPTED_CHART = """<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="scripted" initial="s">
  <datamodel><data id="out" expr="''"/></datamodel>
  <state id="s">
    <transition event="take" target="t">
      <assign location="out" expr="Object.keys(_event.data).join() + ':' + [1, 2].map(String) + ':' + _event.data"/>
    </transition>
  </state>
  <state id="t"/>
</scxml>
"""


def test_a_chart_without_ecmascript_loads_neither_the_operators_nor_the_built_ins(tmp_path):
    """The JavaScript layer's API and built-ins load with the first chart that has code (issue
    14: first load); before that, the runtime's own paths that meet a built-in install them:
    an object made before them converts to a string, and a chart with code loaded later in the
    same process finds every built-in."""
    for name, text in (("ring", RING_CHART), ("scripted", SCRIPTED_CHART)):
        (tmp_path / f"{name}.scxml").write_text(text, encoding="utf-8")
        run([sys.executable, "-m", "scxmlc", "compile", str(tmp_path / f"{name}.scxml"), "-o", str(tmp_path / f"{name}.py")])
    assert "scxmlc_runtime.js import" not in (tmp_path / "ring.py").read_text(encoding="utf-8")
    code = textwrap.dedent(
        """
        import sys
        import ring
        from scxmlc_runtime import SimulatedClock

        def loaded():
            return sorted(m for m in ("scxmlc_runtime.js.api", "scxmlc_runtime.js.builtins", "scxmlc_runtime.js.operators") if m in sys.modules)

        sm = ring.Chart(clock=SimulatedClock())
        sm.start()
        sm.send("go", {"k": [1, {"j": 2}]})
        sm.send("stop")
        print(sm.done, loaded())
        from scxmlc_runtime.js.interop import js_to_string, to_js
        early = to_js({"k": 1})
        print(js_to_string(early), loaded())
        import scripted
        other = scripted.Chart(clock=SimulatedClock())
        other.start()
        other.send("take", early)
        print(other.datamodel["out"])
        """
    )
    out = run([sys.executable, "-c", code], cwd=tmp_path).stdout.splitlines()
    assert out == [
        "True []",
        "[object Object] ['scxmlc_runtime.js.builtins', 'scxmlc_runtime.js.operators']",
        "k:1,2:[object Object]",
    ], out
    # A global's lookup is another path that may meet a built-in first.
    code = "import ring; from scxmlc_runtime.js.values import global_get; print(global_get({}, 'Object').name, global_get({}, 'Math').frozen)"
    assert run([sys.executable, "-c", code], cwd=tmp_path).stdout.split() == ["Object", "True"]
    # And an error object the runtime makes: a chart whose only ECMAScript failed to compile
    # raises the SyntaxError when run, named by its prototype.
    (tmp_path / "broken.scxml").write_text(BROKEN_CHART, encoding="utf-8")
    run([sys.executable, "-m", "scxmlc", "compile", str(tmp_path / "broken.scxml"), "-o", str(tmp_path / "broken.py")])
    assert "scxmlc_runtime.js import" not in (tmp_path / "broken.py").read_text(encoding="utf-8")
    code = "import broken; errors = []; sm = broken.Chart(on_error=lambda m, e: errors.append(e)); sm.start(); print(sorted(sm.configuration), errors[0]['data']['name'])"
    assert run([sys.executable, "-c", code], cwd=tmp_path).stdout.split() == ["['t']", "SyntaxError"]


def test_the_js_package_knows_its_submodules_from_its_api():
    """`scxmlc_runtime.js` answers a name of its API by loading it, and a submodule's name by
    letting the import system import the submodule: its list of submodules is its files."""
    import scxmlc_runtime.js as js

    files = {p.stem for p in (REPO / "runtime" / "js").glob("*.py") if p.stem != "__init__"}
    packages = {p.parent.name for p in (REPO / "runtime" / "js").glob("*/__init__.py")}
    assert js._SUBMODULES == files | packages
    assert js.to_js is js.api.to_js and "js_add" in js.__all__ and "js_add" in dir(js)
    with pytest.raises(AttributeError):
        js.no_such_name


def test_every_name_a_module_exports_exists():
    # scxmlc_runtime.server.admin listed `store_path` (renamed store_location since): a star
    # import of it raised AttributeError
    import importlib
    import pkgutil

    import scxmlc
    import scxmlc_runtime

    missing = []
    for package in (scxmlc, scxmlc_runtime):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith(".__main__"):
                continue  # (running it is the command line)
            module = importlib.import_module(info.name)
            if info.name == "scxmlc_runtime.js.api":
                module = importlib.import_module("scxmlc_runtime.js")  # (its __all__ is the package's: api.py says so)
            missing.extend(f"{info.name}.{name}" for name in getattr(module, "__all__", ()) if not hasattr(module, name))
    assert missing == []
