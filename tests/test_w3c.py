"""W3C SCXML IRP conformance suite (ECMAScript form): every automatic entry of the manifest.

A test passes when the machine stops in the top-level final state `pass` (suite README), and
its configuration was legal (SCXML 3.11) after every microstep (legal_configuration.py).
Known failures are listed by name, with a reason, in w3c_xfail.py; they are strict, so an
unexpected pass fails the run and the list can only shrink.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import scxmlc
from scxmlc_runtime import RealClock, SimulatedClock

from .conftest import W3C_RESULTS
from .legal_configuration import checked
from .w3c_xfail import VACUOUS, XFAIL

REPO = Path(__file__).resolve().parent.parent
SUITE = Path(os.environ.get("SCXMLC_W3C_DIR", REPO.parent / "shared" / "conformance" / "w3c-ecma"))
MANIFEST = SUITE / "manifest.json"


def _entries():
    if not MANIFEST.exists():
        return []
    return [e for e in json.loads(MANIFEST.read_text()) if not e["manual"]]


ENTRIES = _entries()


def test_suite_present():
    # Loud on purpose: without the suite the conformance tests below would silently not run.
    assert MANIFEST.exists(), (
        f"W3C conformance suite not found at {SUITE}; set SCXMLC_W3C_DIR to its folder"
    )
    assert len(ENTRIES) == 193, f"expected 193 automatic entries, found {len(ENTRIES)}"


def test_xfail_list_names_real_entries():
    ids = {e["id"] for e in ENTRIES}
    assert set(XFAIL) <= ids, sorted(set(XFAIL) - ids)
    assert set(VACUOUS) <= ids and not set(VACUOUS) & set(XFAIL)


@pytest.mark.parametrize("clock", ["simulated", "real"])
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_w3c(entry, clock, request):
    """Each entry runs twice: on the simulated clock (time jumps) and on the real clock (timing
    tests wait their real delays; the whole suite takes about half a minute)."""
    if entry["id"] in XFAIL:
        request.node.add_marker(pytest.mark.xfail(reason=XFAIL[entry["id"]], strict=True))
    outcome = "failed"
    try:
        logs = []
        module = scxmlc.load(SUITE / entry["file"], module_name=f"w3c_test{entry['id']}")
        chosen = SimulatedClock() if clock == "simulated" else RealClock()
        sm = checked(module.Chart)(clock=chosen, log=lambda label, text: logs.append((label, text)))
        sm.start()
        sm.run_until_idle(max_seconds=120)
        assert sm.done, f"machine did not finish; configuration {sorted(sm.configuration)}; log {logs}"
        assert "pass" in sm.configuration, f"stopped in {sorted(sm.configuration)}; log {logs}"
        outcome = "vacuous" if entry["id"] in VACUOUS else "passed"
    finally:
        if clock == "simulated":
            W3C_RESULTS[entry["id"]] = (entry, outcome)
        elif outcome != "passed":
            W3C_RESULTS[entry["id"]] = (entry, "failed")  # a real-clock failure counts too
