"""Benchmark: start-up costs of a fresh interpreter (issue 14): importing the runtime, and the first load of big.scxml's module against the hand-written one.

Each figure is a fresh `python -c ...` process, timed from inside (perf_counter around the
import, create and start) and as a whole process, with bytecode caches written first,
alternating the sides run by run; medians of N:

  import scxmlc_runtime                  target <= 50 ms
  big.scxml generated: import + create + start, against the hand-written baseline
                                         target <= 1.5x

Whole processes are timed twice: as this interpreter starts (with `site`: in an editable
install its finder loads pathlib, re and more before anything else, for both sides), and
without `site` (-S, the runtime reached through a symlink), which is closer to what a plain
`pip install .` pays and shows the runtime's own share.

    python benchmarks/first_load.py [-n N] [--bench DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TIMED = "import time; t = time.perf_counter()\n{body}\nprint((time.perf_counter() - t) * 1000)\n"


def run(code: str, cwd: str, *flags: str) -> tuple[float, float]:
    """(ms inside the process, ms of the whole process)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # (caches on)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, *flags, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1]), (time.perf_counter() - start) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=15)
    ap.add_argument("--bench", default=os.environ.get("SCXMLC_BENCH_DIR", str(REPO.parent / "shared" / "bench")))
    args = ap.parse_args()
    bench = Path(args.bench)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "scxmlc", "compile", str(bench / "charts" / "big.scxml"), "-o", f"{tmp}/big_generated.py"], check=True)
        shutil.copy(bench / "baseline" / "big.py", f"{tmp}/big_baseline.py")
        runtime = TIMED.format(body="import scxmlc_runtime")
        ours = TIMED.format(body="import big_generated\nsm = big_generated.Chart()\nsm.start()")
        theirs = TIMED.format(body="import big_baseline\nsm = big_baseline.Machine()")
        bare = Path(tmp) / "bare"  # for -S: the runtime through a symlink, the modules beside it
        bare.mkdir()
        (bare / "scxmlc_runtime").symlink_to(REPO / "runtime", target_is_directory=True)
        shutil.copy(f"{tmp}/big_generated.py", bare)
        shutil.copy(f"{tmp}/big_baseline.py", bare)
        sides = (("runtime", runtime, tmp, ()), ("ours", ours, tmp, ()), ("theirs", theirs, tmp, ()),
                 ("ours -S", ours, str(bare), ("-S",)), ("theirs -S", theirs, str(bare), ("-S",)))  # fmt: skip
        for _, code, cwd, flags in sides:
            run(code, cwd, *flags)  # write the bytecode caches
        samples: dict[str, list[tuple[float, float]]] = {key: [] for key, *_ in sides}
        for _ in range(args.n):
            for key, code, cwd, flags in sides:
                samples[key].append(run(code, cwd, *flags))
    med = {k: statistics.median(x for x, _ in v) for k, v in samples.items()}
    whole = {k: statistics.median(w for _, w in v) for k, v in samples.items()}
    print(f"import scxmlc_runtime: {med['runtime']:.1f} ms (median of {args.n}; target 50 ms)")
    print(
        f"big.scxml first load (import, create, start): generated {med['ours']:.1f} ms, hand-written "
        f"{med['theirs']:.2f} ms: {med['ours'] / med['theirs']:.0f}x (target 1.5x); of which the runtime's import "
        f"{med['runtime']:.1f} ms"
    )
    print(
        f"the same as whole processes (interpreter start-up included): generated {whole['ours']:.0f} ms, "
        f"hand-written {whole['theirs']:.0f} ms: {whole['ours'] / whole['theirs']:.1f}x"
    )
    print(
        f"the same without site (-S): generated {whole['ours -S']:.0f} ms, hand-written "
        f"{whole['theirs -S']:.0f} ms: {whole['ours -S'] / whole['theirs -S']:.1f}x"
    )


if __name__ == "__main__":
    main()
