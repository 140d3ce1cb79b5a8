"""Mutated W3C documents: the compiler reports CompileError or succeeds, never anything else; and every mutant that compiles runs under the limits (runtime/limits.py) in bounded time, with no Python exception escaping (issue 13)."""

from __future__ import annotations

import random
import time

import pytest
from lxml import etree

import scxmlc
from scxmlc_runtime import Host, Limits, SimulatedClock

from .test_w3c import SUITE

VALUES = ["", "#", "a b", "1", "{", "}", "'", '"', "s0", "*", ".", "x.y", "<", "\u00ff", "__class__", "(", "file:nope"]
ATTRS = ["id", "target", "initial", "event", "cond", "expr", "type", "delay", "location", "item", "array", "src", "namelist"]


def mutate(root, rng: random.Random) -> bytes:
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for _ in range(rng.randint(1, 3)):
        el = rng.choice(elements)
        op = rng.random()
        if op < 0.3 and el.getparent() is not None:
            el.getparent().remove(el)
        elif op < 0.6 and el.attrib:
            el.attrib[rng.choice(list(el.attrib))] = rng.choice(VALUES)
        elif op < 0.8:
            el.set(rng.choice(ATTRS), rng.choice(VALUES))
        else:
            other = rng.choice(elements)
            if other is not el and el not in other.iterancestors() and other not in el.iterancestors():
                el.append(etree.fromstring(etree.tostring(other)))
    return etree.tostring(root)


@pytest.mark.skipif(not SUITE.exists(), reason="W3C suite missing: test_w3c.py::test_suite_present fails")
@pytest.mark.parametrize("seed", range(12))
def test_mutated_documents_never_crash_the_compiler(seed):
    rng = random.Random(seed)
    files = sorted(SUITE.glob("test*.scxml"))
    outcomes = {"compiled": 0, "rejected": 0}
    for k in range(60):
        data = mutate(etree.parse(str(rng.choice(files))).getroot(), rng)
        try:
            result = scxmlc.compile_source(data, "fuzz.scxml", base_dir=SUITE)
            outcomes["compiled"] += 1
        except scxmlc.CompileError as exc:
            assert exc.diagnostics and all(d.location.file for d in exc.diagnostics)  # every one located
            outcomes["rejected"] += 1
            continue
        run_mutant(result, f"fuzz_{seed}_{k}", data)
    assert outcomes["compiled"] and outcomes["rejected"], outcomes


# Small limits, so that a mutant that loops is stopped quickly (they are the mechanism under
# test; the defaults are tested in test_limits.py and test_budget.py).
MUTANT_LIMITS = Limits(microsteps=5_000, internal_events=5_000, errors=200, external_events=2_000, script_steps=200_000, script_seconds=1.0, invoke_depth=5, sessions=50)


def run_mutant(result, name: str, data: bytes) -> None:
    """Start a compiled mutant, send it two events and let its timers run: whatever it does
    (errors, limits, ending), nothing may escape as a Python exception, and it must be over
    in bounded time."""
    module = scxmlc.load_source(result.source, name, "fuzz.scxml")
    module.Chart.base_dir = str(SUITE)
    host = Host(SimulatedClock(), limits=MUTANT_LIMITS, document_roots=[str(SUITE)], on_error=lambda m, e: None)
    began = time.monotonic()
    try:
        sm = module.Chart(host=host)
        sm.start()
        for event in ("foo", "bar"):
            if sm.running:
                sm.send(event)
        host.run_until_idle(2)
        host.close()
    except Exception as exc:  # noqa: BLE001 - the point: nothing may escape
        pytest.fail(f"a mutant raised {type(exc).__name__}: {exc}\n{data.decode('utf-8', 'replace')[:2000]}")
    assert time.monotonic() - began < 20, data.decode("utf-8", "replace")[:2000]
