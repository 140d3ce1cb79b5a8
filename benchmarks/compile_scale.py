"""Benchmark: compile time as documents grow (issue 14's targets), `scxmlc compile` as a subprocess.

Generates four documents and times `python -m scxmlc compile` of each, the median of R runs:
  door        examples/door.scxml (start-up dominates)             target < 0.5 s
  states300   300 states, 900 guarded transitions with assigns     target < 5 s
  events100k  one transition whose event list is 100 KB            target < 1 s
  expr40k     one <assign> whose expression is 40 KB               target < 2 s
The compiler's size policy (scxmlc/emitter.py, VERBATIM_*) decides which functions black formats.

    python benchmarks/compile_scale.py [--repeat R] [name ...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"'


def states300() -> str:
    rng = random.Random(1)
    out = [HEAD + ' initial="s0"><datamodel><data id="x" expr="0"/></datamodel>']
    for i in range(300):
        out.append(f'<state id="s{i}">')
        for j in range(3):
            out.append(
                f'<transition event="e{j}.{i}" cond="x &gt; {j} &amp;&amp; x &lt; {i + 5}" '
                f'target="s{rng.randrange(300)}"><assign location="x" expr="x + {j}"/></transition>'
            )
        out.append("</state>")
    return "\n".join(out) + "</scxml>"


def events100k() -> str:
    events = " ".join(f"event{i}.sub" for i in range(100_000 // 12))
    return (
        HEAD
        + f'><state id="a"><transition event="{events}" target="b"/></state><final id="b"/></scxml>'
    )


def expr40k() -> str:
    expr = " + ".join(f"(x * {i} - {i % 7})" for i in range(40_000 // 16))
    return (
        HEAD + '><datamodel><data id="x" expr="1"/></datamodel><state id="a"><onentry>'
        f'<assign location="x" expr="{expr}"/></onentry><transition target="b"/></state><final id="b"/></scxml>'
    )


CASES = {
    "door": (lambda: (REPO / "examples" / "door.scxml").read_text(), 0.5),
    "states300": (states300, 5.0),
    "events100k": (events100k, 1.0),
    "expr40k": (expr40k, 2.0),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("names", nargs="*", default=list(CASES))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'document':<12} {'size':>9} {'median s':>9} {'target s':>9}")
        for name in args.names:
            make, target = CASES[name]
            src = Path(tmp) / f"{name}.scxml"
            src.write_text(make())
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "scxmlc",
                        "compile",
                        str(src),
                        "-o",
                        str(Path(tmp) / f"{name}.py"),
                    ],
                    check=True,
                )
                times.append(time.perf_counter() - start)
            print(
                f"{name:<12} {src.stat().st_size:>9,} {statistics.median(times):>9.2f} {target:>9.1f}"
            )


if __name__ == "__main__":
    main()
