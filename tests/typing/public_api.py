"""What an application writes against scxmlc's public API: type-checked by tests/test_typing.py
(mypy --strict on this file, following into both packages through their py.typed markers)."""

from __future__ import annotations

from pathlib import Path

import scxmlc
from scxmlc_runtime import Host, Limits, Machine, SimulatedClock


def compile_and_run(path: Path) -> frozenset[str]:
    result: scxmlc.CompileResult = scxmlc.compile_path(path)
    source: str = result.source
    warnings: list[scxmlc.Diagnostic] = result.warnings
    assert source and isinstance(warnings, list)
    module = scxmlc.load(path)
    chart: type[Machine] = module.Chart
    host = Host(SimulatedClock(), limits=Limits(microsteps=1000))
    sm = chart(host=host)
    sm.start()
    sm.send("go", {"n": 1})
    done: bool = sm.run_until_idle(5.0)
    assert done in (True, False)
    return sm.configuration


def snapshot_round_trip(sm: Machine) -> Machine:
    data: bytes = sm.snapshot()
    chart = type(sm)
    return chart.restore(data, host=Host(SimulatedClock()))
