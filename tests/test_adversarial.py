"""A corpus of adversarial charts (tests/adversarial/, issue 13): each one that loops, grows, reads files it may not, or names things badly is compiled and run, and must end the way its first line says, in bounded time, with no Python exception escaping.

A chart's first line is `<!-- expect: KIND[: TEXT] -->`:
- `compile-error: TEXT`: compiling fails with a located error whose message holds TEXT;
- `ends: TEXT`: a limit ends the session, its `limit_reason` holding TEXT;
- `error: TEXT`: an error event whose name or message holds TEXT is raised (the session goes on,
  or ends as charts do);
- `final: ID`: the session reaches the final state ID;
- `bounded-sessions`: the chart starts copies of itself, and the host's `sessions` limit stops
  them (the last one hears error.session.start and goes to `refused`);
- `runs`: no error event and no limit.
The charts run on a simulated clock under the default limits, except a script budget of one
million steps and two seconds and a host of 50 sessions (to keep the suite quick; the defaults
are tested in test_budget.py).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import scxmlc
from scxmlc_runtime import Host, Limits, SimulatedClock
from scxmlc_runtime.js import to_py

CORPUS = Path(__file__).parent / "adversarial"
CHARTS = sorted(CORPUS.glob("*.scxml"))
LIMITS = Limits(script_steps=1_000_000, script_seconds=2.0, sessions=50)


def expectation(path: Path) -> tuple[str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = re.fullmatch(r"<!-- expect: ([a-z-]+)(?:: (.*))? -->", first)  # (a second comment may say why)
    assert m, f"{path.name}: first line must be <!-- expect: ... -->"
    return m.group(1), m.group(2) or ""


def test_the_corpus_is_large_enough():
    assert len(CHARTS) >= 50


@pytest.mark.parametrize("path", CHARTS, ids=[p.stem for p in CHARTS])
def test_adversarial_chart(path, tmp_path):
    kind, text = expectation(path)
    began = time.monotonic()
    if kind == "compile-error":
        with pytest.raises(scxmlc.CompileError) as info:
            scxmlc.compile_file(path)
        message = str(info.value)
        assert text in message, message
        assert f"{path.name}:" in message  # located
        assert "root:" not in message  # never a file's content (/etc/passwd's first line)
        return
    module = scxmlc.load(path, module_name=f"adversarial_{path.stem}")
    heard: list[str] = []

    def on_error(machine, event):
        heard.append(f"{event['name']}: {to_py(event.get('data'))}")

    host = Host(SimulatedClock(), limits=LIMITS, on_error=on_error, document_roots=[str(CORPUS)])
    sm = module.Chart(host=host)
    sm.start()
    if sm.running:
        sm.send("go")
        host.run_until_idle(5)
    took = time.monotonic() - began
    assert took < 30, f"{path.name} took {took:.1f} s"
    if kind == "ends":
        assert sm.limit_reason is not None and text in sm.limit_reason, sm.limit_reason
    elif kind == "error":
        assert any(text in h for h in heard), heard
        assert sm.limit_reason is None or "error events" in sm.limit_reason
    elif kind == "final":
        assert sm.final_state == text, (sm.final_state, heard)
    elif kind == "bounded-sessions":
        assert host.held <= LIMITS.sessions
        assert any(m.is_active("refused") for m in host.sessions.values())
    else:
        assert kind == "runs", kind
        assert heard == [] and sm.limit_reason is None, (heard, sm.limit_reason)
    assert "not for charts made from event data" not in " ".join(heard)  # corpus_secret.txt stays unread
