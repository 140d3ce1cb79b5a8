"""Random session: actions (attributes, values and children of every kind): the compiler reports CompileError or succeeds, and what compiles runs without a Python exception escaping."""

from __future__ import annotations

import logging
import random

import pytest

import scxmlc
from scxmlc_runtime import Host, SimulatedClock
from scxmlc_runtime.ors import SessionModule
from scxmlc_runtime.ors.declarations import SESSION

from .conftest import NAMESPACES

VALUES = ["", "'a'", "1", "'30'", "-1", "{", "'", "x.y", "_data.r", "r", "undefined", "null", "[1,{}]", "({a:1})",
          "'get'", "'post'", "'esp'", "'A\\\\B\\\\C'", "'gesp:A/B/C'", "'file:nope.json'", "'PT5M'", "true", "f()", "__proto__",
          "'application/json'", "'text/plain'", "_sessionid", "'x&amp;y'"]  # fmt: skip
CHILDREN = ['<param name="p" expr="1"/>', "<param name=\"'q'\" expr=\"{\"/>", '<content _expr="({params: {a: 1}})"/>',
            "<content>a=1&amp;b</content>", '<content expr="1"/>', "<log expr=\"'x'\"/>", "<param/>"]  # fmt: skip


class Silent:
    """An http transport that never answers (no network in this test)."""

    def start(self, req, on_result):
        class H:
            def cancel(self):
                pass

        return H()


def action(rng: random.Random) -> str:
    """Mostly well-formed actions (every required attribute, locations that are locations),
    with random values; now and then anything at all."""
    wild = rng.random() < 0.15
    tag = rng.choice([*SESSION.elements, "nonsense"] if wild else list(SESSION.elements))
    element = SESSION.elements.get(tag)
    names = [a.name for a in element.attrs] if element else ["x"]
    chosen = rng.sample(names + ["bogus"], k=rng.randint(0, len(names)))
    if element is not None and not wild:
        chosen += [a.name for a in element.attrs if a.required and a.name not in chosen]
    attrs = {}
    for n in chosen:
        attr = element.attr(n) if element else None
        attrs[n] = rng.choice(["r", "_data.r"]) if attr is not None and attr.kind == "location" and not wild else rng.choice(VALUES)
    text = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    kids = "".join(rng.choice(CHILDREN) for _ in range(rng.randint(0, 2 if wild else 1))) if wild or rng.random() < 0.3 else ""
    return f"<session:{tag} {text}>{kids}</session:{tag}>"


@pytest.mark.parametrize("seed", range(6))
def test_random_actions_never_crash_the_compiler_or_the_runtime(seed, tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="scxmlc_runtime")
    rng = random.Random(seed)
    outcomes = {"compiled": 0, "rejected": 0}
    for k in range(40):
        body = "".join(action(rng) for _ in range(rng.randint(1, 2)))
        doc = (
            f'<scxml {NAMESPACES} version="1.0"><datamodel><data id="r"/></datamodel>'
            f'<state id="s"><onentry>{body}</onentry><transition event="go" target="t">{action(rng)}</transition></state>'
            f'<state id="t"><onexit>{action(rng)}</onexit><transition event="go" target="s"/></state></scxml>'
        )
        try:
            result = scxmlc.compile_source(doc, "fuzz.scxml", base_dir=tmp_path)
        except scxmlc.CompileError as exc:
            assert exc.diagnostics and all(d.location.line for d in exc.diagnostics)
            outcomes["rejected"] += 1
            continue
        outcomes["compiled"] += 1
        module = scxmlc.load_source(result.source, f"fuzz_actions_{seed}_{k}", "fuzz.scxml")
        module.Chart.base_dir = str(tmp_path)
        host = Host(SimulatedClock(), services=[SessionModule(transports={"http": Silent()})])
        try:
            sm = host.start(module.Chart)
            for _ in range(3):
                sm.send("go")
            host.run_until_idle(max_seconds=0.01)
        finally:
            host.close()
    assert outcomes["compiled"] and outcomes["rejected"], outcomes
    # no failure of the runtime's own code (a service bug, a generated-code bug): those are
    # logged as exceptions or as internal errors of executable content
    ours = [r for r in caplog.records if r.name.startswith("scxmlc_runtime")]
    bugs = [r.getMessage() for r in ours if r.levelno >= logging.ERROR or "internal error" in r.getMessage()]
    assert bugs == []
