"""Benchmark: start-up costs of a fresh interpreter (issue 14): importing the runtime, and the first load of big.scxml's module against the hand-written one.

Each figure is a fresh `python -c ...` process, timed from inside (perf_counter around the
import, create and start) and as a whole process, with bytecode caches written first,
alternating the sides run by run; medians of N:

  import scxmlc_runtime                  target <= 50 ms
  big.scxml generated: import + create + start, against the hand-written baseline
                                         target <= 1.5x

Every side runs in a fresh venv made for the run (no packages, no editable-install finder: this
checkout's own venv has one, which loads pathlib, re and more at start-up for both sides), with
the runtime and the two modules on PYTHONPATH, as a plain `pip install .` puts them on sys.path.
Whole processes are timed twice: as that interpreter starts (with `site`), and without `site`
(-S), which shows the runtime's own share.

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
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TIMED = "import time; t = time.perf_counter()\n{body}\nprint((time.perf_counter() - t) * 1000)\n"


def run(python: str, code: str, path: str, *flags: str) -> tuple[float, float]:
    """(ms inside the process, ms of the whole process)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}  # (caches on)
    if "-S" not in flags:
        env["PYTHONPATH"] = path  # (-S: the current directory, `path`, is on sys.path anyway)
    start = time.perf_counter()
    out = subprocess.run([python, *flags, "-c", code], cwd=path, env=env, capture_output=True, text=True, check=True)
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
        bare = Path(tmp) / "bare"  # the runtime through a symlink, the modules beside it
        bare.mkdir()
        (bare / "scxmlc_runtime").symlink_to(REPO / "runtime", target_is_directory=True)
        shutil.copy(f"{tmp}/big_generated.py", bare)
        shutil.copy(f"{tmp}/big_baseline.py", bare)
        venv.create(f"{tmp}/venv", with_pip=False)
        python = f"{tmp}/venv/bin/python"
        sides = (("runtime", runtime, ()), ("ours", ours, ()), ("theirs", theirs, ()),
                 ("ours -S", ours, ("-S",)), ("theirs -S", theirs, ("-S",)))  # fmt: skip
        for _, code, flags in sides:
            run(python, code, str(bare), *flags)  # write the bytecode caches
        samples: dict[str, list[tuple[float, float]]] = {key: [] for key, *_ in sides}
        for _ in range(args.n):
            for key, code, flags in sides:
                samples[key].append(run(python, code, str(bare), *flags))
    med = {k: statistics.median(x for x, _ in v) for k, v in samples.items()}
    whole = {k: statistics.median(w for _, w in v) for k, v in samples.items()}
    print(f"import scxmlc_runtime: {med['runtime']:.1f} ms (median of {args.n}; target 50 ms)")
    print(
        f"big.scxml first load (import, create, start): generated {med['ours']:.1f} ms, hand-written "
        f"{med['theirs']:.2f} ms: {med['ours'] / med['theirs']:.0f}x (target 1.5x); of which the runtime's import "
        f"{med['runtime']:.1f} ms"
    )
    print(
        f"the same as whole processes (interpreter start-up with site included): generated {whole['ours']:.0f} ms, "
        f"hand-written {whole['theirs']:.0f} ms: {whole['ours'] / whole['theirs']:.1f}x"
    )
    print(
        f"the same without site (-S): generated {whole['ours -S']:.0f} ms, hand-written "
        f"{whole['theirs -S']:.0f} ms: {whole['ours -S'] / whole['theirs -S']:.1f}x"
    )


if __name__ == "__main__":
    main()
