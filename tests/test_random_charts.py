"""Random charts run alike with the runtime's plans and the compiler's fast paths and without them (the reference mode, issue 14): nested, parallel and history states, raised chains, eventless transitions, conditions on event data, errors and runaway loops, each driven by a random event stream.

Charts of a second series have neither <parallel> nor <history>, so that the compiler foresees
their microsteps (compiled steps, scxmlc/steps.py): there every microstep of two blocks or
more that the runtime records must be one it has a compiled step for."""

from __future__ import annotations

import json
import random

import pytest

import scxmlc
import scxmlc.steps
from scxmlc_runtime import Host, Limits, SimulatedClock

from .test_reference_mode import Trace, datamodel, value

EVENTS = ("a", "b", "c", "d")
HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="{initial}">'


class ChartMaker:
    """One random chart (seeded): a tree of states and transitions between them."""

    def __init__(self, seed: int, chains: bool = False) -> None:
        self.rng = random.Random(seed)
        self.chains = chains  # no <parallel>, no <history>: every configuration is a chain
        self.ids: list[str] = []
        self.parent_of: dict[str, tuple] = {}

    def content(self) -> str:
        rng = self.rng
        out = []
        for _ in range(rng.randrange(3)):
            kind = rng.randrange(6)
            if kind == 0:
                out.append(f'<raise event="{rng.choice(EVENTS)}"/>')
            elif kind == 1:
                out.append('<assign location="n" expr="n + 1"/>')
            elif kind == 2:
                out.append("<log label=\"n\" expr=\"n + ':' + (typeof _event === 'object' ? _event.name : '-')\"/>")
            elif kind == 3:
                out.append(
                    '<assign location="seen" expr="seen + (_event.data &amp;&amp; _event.data.k !== undefined ? _event.data.k : 0)"/>'
                )
            elif kind == 4:
                out.append('<log label="in" expr="In(\'%s\') ? 1 : 0"/>' % rng.choice(self.ids))
            else:
                out.append('<assign location="n" expr="n.no.such"/>')  # error.execution
        return "".join(out)

    def cond(self) -> str:
        rng = self.rng
        return rng.choice(
            [
                "",
                ' cond="n % 2 == 0"',
                ' cond="n &lt; 30"',
                ' cond="_event.data &amp;&amp; _event.data.k &gt; 1"',
                " cond=\"In('%s')\"" % rng.choice(self.ids),
                ' cond="n.no.such"',
            ]
        )

    def transitions(self, sid: str) -> str:
        rng = self.rng
        out = []
        for _ in range(rng.randrange(4)):
            eventless = rng.random() < 0.15
            event = "" if eventless else f' event="{rng.choice(EVENTS)}"'
            # eventless transitions count and stop (n < 40) so that most runs settle
            cond = ' cond="n &lt; 40"' if eventless else self.cond()
            target = "" if rng.random() < 0.25 else f' target="{rng.choice(self.ids)}"'
            kind = ' type="internal"' if target and rng.random() < 0.2 else ""
            body = self.content() + ('<assign location="n" expr="n + 1"/>' if eventless else "")
            out.append(f"<transition{event}{cond}{target}{kind}>{body}</transition>")
        return "".join(out)

    def make(self) -> str:
        # the tree first (ids known before transitions name them)
        tree = self.node("s", 0)
        body = self.render(tree)
        return (
            HEAD.format(initial=tree[0])  # (the root is always a <state> with children)
            + '<datamodel><data id="n" expr="0"/><data id="seen" expr="0"/></datamodel>'
            + body
            + "</scxml>"
        )

    def node(self, sid: str, depth: int) -> tuple:
        rng = self.rng
        self.ids.append(sid)
        if depth >= 3 or (depth and rng.random() < 0.4):
            kind = "final" if depth and rng.random() < 0.08 else "state"
            return (sid, kind, [])
        kind = "parallel" if depth and rng.random() < 0.25 and not self.chains else "state"
        children = [self.node(f"{sid}{k}", depth + 1) for k in range(rng.randrange(1, 4))]
        if kind == "state" and depth and rng.random() < 0.3 and not self.chains:
            hid = f"{sid}h"
            self.ids.append(hid)
            children.append((hid, "history", [], rng.choice(["shallow", "deep"])))
        return (sid, kind, children)

    def render(self, node: tuple) -> str:
        sid, kind, children = node[:3]
        if kind == "history":
            default = next(c[0] for c in self.parent_of[sid][2] if c[1] != "history")
            return f'<history id="{sid}" type="{node[3]}"><transition target="{default}"/></history>'
        for c in children:
            self.parent_of[c[0]] = node
        inner = "".join(self.render(c) for c in children)
        entry = f"<onentry>{self.content()}</onentry>" if self.rng.random() < 0.5 else ""
        exit_ = f"<onexit>{self.content()}</onexit>" if self.rng.random() < 0.4 else ""
        trans = self.transitions(sid) if kind != "final" else ""
        return f'<{kind} id="{sid}">{entry}{exit_}{trans}{inner}</{kind}>'


def run(source: str, name: str, fast: bool, stream: list, sessions: int, modules: list | None = None) -> list:
    module = scxmlc.load_string(source, module_name=f"{name}_{'fast' if fast else 'plain'}", speculate=fast)
    if modules is not None:
        modules.append(module)
    steps = []
    for _ in range(sessions):  # (later sessions replay what the first ones recorded)
        trace = Trace()
        host = Host(SimulatedClock(), plans=fast, on_error=trace.error, limits=Limits(microsteps=3000))
        sm = module.Chart(host=host, log=trace.log)
        sm.start()
        trace.state(sm)
        for event, data in stream:
            sm.send(event, data)
            trace.state(sm)
        trace.steps.append(("data", datamodel(sm), value(sm.datamodel.get("_event")), sm.limit_reason))
        host.close()
        # (the module's name is in error locations: the two modes' modules differ only there)
        steps.append(json.loads(json.dumps(trace.steps).replace(module.__name__, name)))
    return steps


@pytest.mark.parametrize("seed", range(60))
def test_a_random_chart_runs_alike_with_and_without_plans_and_fast_paths(seed):
    source = ChartMaker(seed).make()
    rng = random.Random(seed * 7919)
    stream = [(rng.choice(EVENTS), rng.choice([None, None, {"k": rng.randrange(4)}, {"k": "x"}])) for _ in range(40)]
    fast = run(source, f"random_{seed}", True, stream, sessions=3)
    plain = run(source, f"random_{seed}", False, stream, sessions=1)
    for k, steps in enumerate(fast):
        assert steps == plain[0], f"session {k + 1} of the chart differs from the reference mode:\n{source}"


@pytest.mark.parametrize("seed", range(40))
def test_a_random_chain_chart_runs_alike_and_takes_compiled_steps(seed, monkeypatch):
    # (no size limit here: this checks the prediction, which must then cover every microstep)
    monkeypatch.setattr(scxmlc.steps, "STEP_BLOCK_FLOOR", 100_000)
    monkeypatch.setattr(scxmlc.steps, "STEP_BLOCK_LIMIT", 100_000)
    source = ChartMaker(seed, chains=True).make()
    rng = random.Random(seed * 7919)
    stream = [(rng.choice(EVENTS), rng.choice([None, None, {"k": rng.randrange(4)}, {"k": "x"}])) for _ in range(40)]
    modules: list = []
    fast = run(source, f"chain_{seed}", True, stream, sessions=2, modules=modules)
    plain = run(source, f"chain_{seed}", False, stream, sessions=1)
    for k, steps in enumerate(fast):
        assert steps == plain[0], f"session {k + 1} of the chart differs from the reference mode:\n{source}"
    for plan in modules[0].Chart.tables.plan_cache.values():
        if plan:  # (False: a microstep that is never recorded)
            blocks = plan[0]
            assert len(blocks) < 2, f"a recorded microstep of {len(blocks)} blocks has no compiled step:\n{source}"
