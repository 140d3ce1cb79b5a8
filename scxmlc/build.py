"""Build step: compile a folder of charts into a folder of modules by content, prune modules of deleted charts, and watch for changes.

`scxmlc compile SRC_DIR -o OUT_DIR` keeps a manifest, `OUT_DIR/.scxmlc-build.json`: for each
module it wrote, the chart it came from, the files the chart embeds (`xi:include`, `<script
src>`: the module's `# Depends on:` lines) and a digest of the compiler version, the compile
options and the bytes of the chart and of those files. A chart is compiled again when that
digest changes, whatever the files' modification times say (a checkout or a copy touches files
without changing them; a restored backup changes them with old times). `--prune` removes the
modules the manifest lists whose chart is gone, and only those: a file the build did not write
is never deleted. `--watch` builds, then builds again on every change below the watched paths
(the `watchfiles` library), until interrupted.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Callable, Iterable

from scxmlc_runtime.documents import module_header, module_name_for, read_limited

from . import __version__

MANIFEST = ".scxmlc-build.json"


def digest(chart: Path, dependencies: Iterable[str], options: dict) -> str:
    """The digest a module is built from: compiler version, options, the chart's bytes and the
    bytes of each file it embeds (a missing one counts as missing)."""
    h = hashlib.sha256(f"scxmlc {__version__}\0{sorted((k, repr(v)) for k, v in options.items())!r}\0".encode("utf-8"))
    for path in [chart, *(chart.parent / d for d in dependencies)]:
        try:
            data = read_limited(path)
        except OSError:
            data = b"\0missing"
        h.update(f"{len(data)}\0".encode("ascii"))
        h.update(data)
    return h.hexdigest()


def _load_manifest(out_dir: Path) -> dict:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and all(isinstance(v, dict) for v in data.values()) else {}


def _save_manifest(out_dir: Path, manifest: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / MANIFEST)


def build_dir(
    src: Path, out_dir: Path, options: dict, compile_one: Callable[[Path, Path], bool], *, force: bool = False, prune: bool = False
) -> bool:
    """Compile every `*.scxml` below `src` whose digest changed since its module was written
    (all of them with `force`); with `prune`, remove the modules of charts that are gone.
    `compile_one(chart, target)` writes one module and reports its problems. False when some
    chart did not compile."""
    manifest = _load_manifest(out_dir)
    before = json.loads(json.dumps(manifest))
    ok = True
    seen: set[str] = set()
    for chart in sorted(src.rglob("*.scxml")):
        rel = chart.relative_to(src)
        target = out_dir / rel.parent / (module_name_for(chart) + ".py")
        key = target.relative_to(out_dir).as_posix()
        seen.add(key)
        entry = manifest.get(key, {})
        deps = entry.get("dependencies", [])
        if not force and target.is_file() and entry.get("chart") == rel.as_posix() and entry.get("digest") == digest(chart, deps, options):
            continue
        if compile_one(chart, target):
            deps = module_header(target)[1]
            manifest[key] = {"chart": rel.as_posix(), "dependencies": list(deps), "digest": digest(chart, deps, options)}
            print(f"compiled {chart} -> {target}", file=sys.stderr)
        else:
            manifest.pop(key, None)  # (so that the next build tries again)
            ok = False
    if prune:
        for key in sorted(set(manifest) - seen):
            target = out_dir / key
            try:
                target.unlink()
                print(f"removed {target} (its chart {src / manifest[key]['chart']} is gone)", file=sys.stderr)
            except FileNotFoundError:
                pass
            except OSError as exc:
                print(f"{target}: error: cannot remove it: {exc.strerror or exc}", file=sys.stderr)
                ok = False
                continue
            del manifest[key]
    if manifest != before:
        _save_manifest(out_dir, manifest)
    return ok


def watch(paths: list[Path], rebuild: Callable[[], bool], output: Path | None = None) -> int:
    """Build, then build again after each batch of changes below `paths` (except below
    `output`, where the build writes), until interrupted (KeyboardInterrupt reaches the
    caller). A change that touches no chart nor a file one embeds costs a digest comparison per
    chart, nothing more."""
    import watchfiles

    skip = str(output.resolve()) if output is not None else None

    def wanted(change, path: str) -> bool:
        return skip is None or not (path == skip or path.startswith(skip + os.sep))

    rebuild()
    announced = False
    # yield_on_timeout: an empty batch every half second, the first of them once the watcher is
    # running; "watching" is printed then, so that a change made after it is never missed
    for changes in watchfiles.watch(*paths, watch_filter=wanted, debounce=200, step=50, rust_timeout=500, yield_on_timeout=True):
        if changes:
            rebuild()
        elif announced:
            continue
        print(f"watching {', '.join(map(str, paths))} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        announced = True
    return 0


__all__ = ["MANIFEST", "build_dir", "digest", "watch"]
