"""Large documents: the compiler's work grows with the document, and its size policy keeps the
output black-stable (the times themselves are measured by benchmarks/compile_scale.py).
"""

from __future__ import annotations

import random

import black
import pytest

import scxmlc
from scxmlc import emitter
from scxmlc.lowering import candidates_by_name
from scxmlc_runtime.interpreter import event_matches



@pytest.mark.parametrize("seed", range(20))
def test_candidates_by_name_is_event_matching(seed):
    rng = random.Random(seed)
    parts = ["a", "b", "ab", "c"]
    events = []
    for _ in range(rng.randrange(1, 8)):
        descriptors = []
        for _ in range(rng.randrange(0, 4)):
            roll = rng.random()
            if roll < 0.08:
                descriptors.append("*")
            elif roll < 0.12:
                descriptors.append("")
            else:
                descriptors.append(
                    ".".join(rng.choice(parts) for _ in range(rng.randrange(1, 4)))
                )
        events.append(tuple(descriptors))
    candidates = list(range(100, 100 + len(events)))
    got = candidates_by_name(candidates, events)
    names = {d for ds in events for d in ds if d not in ("*", "")}
    assert set(got) == names
    for name in names:
        assert got[name] == [
            c for c, ds in zip(candidates, events) if event_matches(ds, name)
        ], name


def _chart(n_states: int, guards: int = 3) -> str:
    rows = []
    for i in range(n_states):
        rows.append(f'<state id="s{i}">')
        for j in range(guards):
            rows.append(
                f'<transition event="e{j}" cond="x &gt; {j} &amp;&amp; x &lt; {i + 5}" target="s{(i * 7 + j) % n_states}">'
                f'<assign location="x" expr="x + {j}"/></transition>'
            )
        rows.append("</state>")
    return (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'
        '<datamodel><data id="x" expr="2"/></datamodel>' + "".join(rows) + "</scxml>"
    )


def test_large_module_is_verbatim_and_black_stable(monkeypatch):
    monkeypatch.setattr(emitter, "VERBATIM_MODULE_LINES", 200)
    source = scxmlc.compile_source(_chart(12), "big.scxml").source
    # the functions, the tables and the locations table
    assert source.count("# fmt: off") == source.count("# fmt: on") == 3
    assert "_dm['x']" in source  # ast.unparse's quotes: black did not touch the functions
    assert black.format_str(source, mode=emitter.black_mode()) == source
    assert scxmlc.compile_source(_chart(12), "big.scxml").source == source
    sm = scxmlc.load_string(_chart(12)).Chart()
    sm.start()
    sm.send("e1")
    assert sm.configuration == {"s1"} and sm.dm["x"] == 3


def test_small_module_is_formatted_by_black():
    source = scxmlc.compile_source(_chart(3), "small.scxml").source
    assert source.count("# fmt: off") == 2  # only the tables and the locations table
    assert "_dm['x']" not in source and '_dm["x"]' in source


def test_huge_function_alone_is_verbatim():
    expr = " + ".join(f"(x * {i} - {i % 7})" for i in range(2000))
    doc = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'
        '<datamodel><data id="x" expr="1"/><data id="y" expr="2"/></datamodel>'
        f'<state id="a"><onentry><assign location="y" expr="{expr}"/></onentry>'
        '<transition event="go" cond="y &gt; 0" target="b"/></state><final id="b"/></scxml>'
    )
    source = scxmlc.compile_source(doc, "long.scxml").source
    assert source.count("# fmt: off") == 3  # the function, the tables, the locations
    off = source.index("# fmt: off")
    assert "<onentry>" in source[off : source.index("# fmt: on")]
    assert '_dm["y"]' in source  # the other functions are black's
    assert black.format_str(source, mode=emitter.black_mode()) == source
    sm = scxmlc.load_string(doc).Chart()
    sm.start()
    assert sm.dm["y"] == sum(i - i % 7 for i in range(2000))
