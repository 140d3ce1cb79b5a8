"""Benchmark: generated modules vs the hand-written baseline machines, on the shared bench charts.

For each chart of ../shared/bench (flat, deep, parallel, datamodel, internal, big) this runs
the same fixed event stream through the scxmlc-generated module and through the hand-written
baseline machine, in the same process, checks both results against bench/expected.py (a fast
wrong answer is not a result), and prints events/s and the slowdown ratio
(baseline events/s / ours), and beside them the reference mode (compiled without fast paths,
run without plans: runtime/reference.py). It also reports the compile time of big.scxml and the
memory of an idle session.

    python benchmarks/run.py [--events N] [--repeat R] [--bench DIR] [--readme ROUNDS] [chart ...]

`--readme ROUNDS` measures ROUNDS times and writes the ranges into README.md's table (between
its bench-table markers), which is how that table is made.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path

import scxmlc
from scxmlc_runtime import SimulatedClock
from scxmlc_runtime.js import to_py

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = Path(os.environ.get("SCXMLC_BENCH_DIR", REPO.parent / "shared" / "bench"))
CHARTS = ("flat", "deep", "parallel", "datamodel", "internal", "big")


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stream(workload: dict, total: int):
    events = workload["events"]
    payloads = workload.get("payloads")
    out = []
    for i in range(total):
        data = payloads[i % len(payloads)] if payloads else None
        out.append((events[i % len(events)], data))
    return out


def time_run(make, events) -> tuple[float, object]:
    """Seconds to push `events` through a fresh machine; and that machine."""
    machine = make()
    send = machine.send
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for name, data in events:
            send(name, data)
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed, machine


def time_pair(make_ours, make_base, events, repeat: int) -> tuple[float, object, float, object]:
    """Best-of-`repeat` seconds for ours and for the baseline, their runs alternating (a
    shared host's load then weighs on both alike, which keeps the ratio honest)."""
    ours_s = base_s = float("inf")
    sm = bm = None
    for _ in range(repeat):
        elapsed, sm = time_run(make_ours, events)
        ours_s = min(ours_s, elapsed)
        elapsed, bm = time_run(make_base, events)
        base_s = min(base_s, elapsed)
    return ours_s, sm, base_s, bm


def report_ours(sm, wanted_vars) -> dict:
    config = sorted(s for s in sm.configuration if sm.tables.kind[sm.tables.index[s]] in (1, 4))
    return {"config": config, "vars": {k: to_py(sm.datamodel[k]) for k in wanted_vars}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("charts", nargs="*", default=list(CHARTS))
    ap.add_argument("--events", type=int, default=20000, help="external events per run")
    ap.add_argument("--repeat", type=int, default=3, help="runs per system (best is kept)")
    ap.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    ap.add_argument("--readme", type=int, metavar="ROUNDS", default=0,
                    help="measure ROUNDS times and write the ranges into README.md's benchmark table")  # fmt: skip
    args = ap.parse_args(argv)
    bench = args.bench
    if not (bench / "charts").is_dir():
        print(f"bench folder not found: {bench} (set --bench or SCXMLC_BENCH_DIR)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(bench))
    expected = load_module(bench / "expected.py", "bench_expected")
    workloads = json.loads((bench / "charts" / "workloads.json").read_text())

    rounds = max(1, args.readme)
    ratios: dict[str, list[tuple[float, float]]] = {}
    failures = 0
    for n in range(rounds):
        if rounds > 1:
            print(f"-- round {n + 1} of {rounds}")
        failures += run_charts(args, bench, expected, workloads, ratios)
    report_session_memory(bench)
    if args.readme and not failures:
        write_readme_table(ratios, rounds)
    return 1 if failures else 0


# The fastest peer's slowdown against the same hand-written machines, per chart: SCION on V8 or
# Qt SCXML, measured side by side once (they are not installed here, so no run repeats it).
PEERS = {"flat": "57x", "deep": "20x", "parallel": "33x", "datamodel": "14x", "internal": "21x", "big": "54x"}
README = REPO / "README.md"
TABLE_BEGIN, TABLE_END = "<!-- bench-table:begin -->", "<!-- bench-table:end -->"


def write_readme_table(ratios: dict[str, list[tuple[float, float]]], rounds: int) -> None:
    """Replace README.md's table between the bench-table markers with the ranges measured."""
    charts = [c for c in CHARTS if c in ratios]

    def span(values: list[float]) -> str:
        lo, hi = min(values), max(values)
        fmt = (lambda v: f"{v:.1f}") if hi < 10 else (lambda v: f"{v:.0f}")
        return f"{fmt(lo)}x" if fmt(lo) == fmt(hi) else f"{fmt(lo)}-{fmt(hi)}x"

    lines = [
        f"| chart | {' | '.join(charts)} |",
        f"| --- | {' | '.join('---' for _ in charts)} |",
        f"| scxmlc slowdown vs hand-written | {' | '.join(span([r[0] for r in ratios[c]]) for c in charts)} |",
        f"| reference mode (no plans, no fast paths), same measure | {' | '.join(span([r[1] for r in ratios[c]]) for c in charts)} |",
        f"| fastest peer (SCION on V8 or Qt), measured once | {' | '.join(PEERS.get(c, '?') for c in charts)} |",
    ]
    text = README.read_text(encoding="utf-8")
    start, end = text.index(TABLE_BEGIN), text.index(TABLE_END)
    note = f"{TABLE_BEGIN}\n<!-- written by `python benchmarks/run.py --readme {rounds}`: ranges over {rounds} rounds -->\n"
    README.write_text(text[:start] + note + "\n".join(lines) + "\n" + text[end:], encoding="utf-8")
    print(f"README.md: benchmark table written ({rounds} rounds)")


def run_charts(args, bench: Path, expected, workloads: dict, ratios: dict) -> int:
    """One round over the charts: print each one's line, note its slowdowns in `ratios`, and
    return how many did not reach the expected results."""
    print(f"{'chart':<10} {'scxmlc ev/s':>12} {'baseline ev/s':>14} {'slowdown':>9} {'reference ev/s':>15} {'slowdown':>9}  check")
    failures = 0
    for chart in args.charts:
        path = bench / "charts" / f"{chart}.scxml"
        t0 = time.perf_counter()
        source = scxmlc.compile_file(path)
        compile_s = time.perf_counter() - t0
        module = scxmlc.load_source(source, f"bench_{chart}", str(path))
        baseline = load_module(bench / "baseline" / f"{chart}.py", f"baseline_{chart}")
        wl = workloads[chart]
        events = stream(wl, args.events)

        def make_ours():
            sm = module.Chart(clock=SimulatedClock())
            sm.start()
            return sm

        ours_s, sm, base_s, bm = time_pair(make_ours, baseline.Machine, events, args.repeat)
        # The reference mode beside it (no fast paths, no plans: runtime/reference.py), timed
        # the same way (its runs alternate with the baseline's).
        ref_module = scxmlc.load_source(scxmlc.compile_file(path, speculate=False), f"bench_{chart}_reference", str(path))

        def make_ref():
            rm = ref_module.Chart(clock=SimulatedClock(), plans=False)
            rm.start()
            return rm

        ref_s, rm, _, _ = time_pair(make_ref, baseline.Machine, events, max(1, args.repeat // 2))
        problems = [
            p
            for p in (
                expected.compare(chart, args.events, report_ours(sm, wl.get("vars", []))),
                expected.compare(chart, args.events, {"config": bm.configuration(), "vars": bm.datamodel()}),
                expected.compare(chart, args.events, report_ours(rm, wl.get("vars", []))),
            )
            if p
        ]
        failures += bool(problems)
        ours_eps = args.events / ours_s
        base_eps = args.events / base_s
        check = "ok" if not problems else "MISMATCH: " + " | ".join(problems)
        ref_eps = args.events / ref_s
        print(f"{chart:<10} {ours_eps:>12,.0f} {base_eps:>14,.0f} {base_eps / ours_eps:>8.1f}x {ref_eps:>15,.0f} {base_eps / ref_eps:>8.1f}x  {check}")
        ratios.setdefault(chart, []).append((base_eps / ours_eps, base_eps / ref_eps))
        if chart == "big":
            t0 = time.perf_counter()
            module.Chart(clock=SimulatedClock()).start()
            start_s = time.perf_counter() - t0
            print(f"{'':<10} big.scxml: compile {compile_s:.2f} s, first start {start_s * 1000:.1f} ms")
    return failures


def report_session_memory(bench: Path, count: int = 10_000) -> None:
    """Memory of an idle session: `count` started sessions of a small chart in one host."""
    import tracemalloc

    from scxmlc_runtime import Host

    module = scxmlc.load(bench / "charts" / "datamodel.scxml", module_name="bench_sessions")
    host = Host(SimulatedClock())
    host.start(module.Chart).close()  # per-chart state, created once
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    sessions = [host.start(module.Chart) for _ in range(count)]
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(f"memory per idle session (datamodel.scxml, {count:,} in one host): {used / count:,.0f} bytes")
    host.close()
    del sessions


if __name__ == "__main__":
    sys.exit(main())
