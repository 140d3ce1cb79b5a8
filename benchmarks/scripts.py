"""Benchmark: loop- and call-heavy <script>s (what the script budget's ticks cost) against the same work hand-written in Python.

The chart below runs, on each event, four scripts of the kind strategies carry: a counting
loop over an array, a recursive function, string building in a loop and an object walk with
a helper function. Every loop iteration and every call is a tick of the session's script
budget (runtime/js/budget.py). The hand-written side does the same work on plain Python
values. Both run in this process, alternating, and the final values are compared, so a
fast wrong run is reported, not timed.

    python benchmarks/scripts.py [--events N] [--rounds R]

To see what the ticks cost, run this file against two revisions (the runtime and the compiler
of each) with farm-bench, or compare its `ours` figure across commits.
"""

from __future__ import annotations

import argparse
import gc
import time

import scxmlc

CHART = """<scxml xmlns="http://www.w3.org/2005/07/scxml" datamodel="ecmascript" initial="run">
  <datamodel><data id="out" expr="null"/></datamodel>
  <script><![CDATA[
    function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
    function weight(o) { return o.w * 2 + o.k.length; }
  ]]></script>
  <state id="run">
    <transition event="go">
      <script><![CDATA[
        var xs = [];
        for (var i = 0; i < 200; i++) { xs.push(i * 3 % 17); }
        var total = 0;
        for (var j = 0; j < xs.length; j++) { if (xs[j] > 8) { total += xs[j]; } }
        var f = fib(12);
        var s = '';
        var n = 0;
        while (n < 50) { s = s + (n % 10); n++; }
        var items = [];
        for (var k = 0; k < 40; k++) { items.push({w: k, k: 'key' + k}); }
        var w = 0;
        for (var m = 0; m < items.length; m++) { w += weight(items[m]); }
        out = [total, f, s.length, w];
      ]]></script>
    </transition>
  </state>
</scxml>
"""


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def weight(o):
    return o["w"] * 2 + len(o["k"])


def hand_written():
    xs = []
    for i in range(200):
        xs.append(i * 3 % 17)
    total = 0
    for x in xs:
        if x > 8:
            total += x
    f = fib(12)
    s = ""
    n = 0
    while n < 50:
        s = s + str(n % 10)
        n += 1
    items = [{"w": k, "k": "key" + str(k)} for k in range(40)]
    w = 0
    for it in items:
        w += weight(it)
    return [total, f, len(s), w]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    module = scxmlc.load_string(CHART, "scripts_bench")
    machine = module.Chart().start()
    ours, theirs = [], []
    expected = None
    for _ in range(args.rounds):
        gc.collect()
        t = time.perf_counter()
        for _ in range(args.events):
            machine.send("go")
        ours.append(time.perf_counter() - t)
        gc.collect()
        t = time.perf_counter()
        for _ in range(args.events):
            expected = hand_written()
        theirs.append(time.perf_counter() - t)
    got = [float(v) for v in machine.datamodel["out"]]
    if got != [float(v) for v in expected]:
        raise SystemExit(f"results differ: ours {got}, hand-written {expected}")
    a, b = sorted(ours)[len(ours) // 2], sorted(theirs)[len(theirs) // 2]
    print(f"ours        {a / args.events * 1e6:9.1f} us/event")
    print(f"hand-written {b / args.events * 1e6:8.1f} us/event")
    print(f"ratio        {a / b:8.2f}x")


if __name__ == "__main__":
    main()
