"""Benchmark: <session:fetch> under load, against a local HTTP server in another process.

Three measures:
1. throughput: S sessions each doing F fetches one after another (all sessions at once),
   through scxmlc's runtime, and the same GETs made by a bare aiohttp client with the same
   connection limits (the floor: no statechart, no events), runs alternating; fetches/s and
   p50/p99 latency (from the fetch executing to its result event being queued);
2. memory per pending fetch: N sessions each with one fetch the server holds, measured with
   tracemalloc while they wait;
3. guaranteed delivery through an outage: the server is down for the first seconds, sessions
   issue GD fetches; requests sent, delivered, lost (must be 0), and what the server received.

    python benchmarks/ors_fetch.py [--sessions 1000] [--fetches 10] [--repeat 3] [--pending 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import socket
import statistics
import subprocess
import sys
import textwrap
import time
import tracemalloc

import scxmlc
from scxmlc_runtime import Host, RealClock
from scxmlc_runtime.ors import fetch as fetch_module

SERVER = textwrap.dedent(
    """
    import asyncio, sys
    from aiohttp import web
    counts = {"n": 0}
    async def ok(request):
        counts["n"] += 1
        return web.Response(text="ok")
    async def hold(request):
        await asyncio.sleep(3600)
        return web.Response(text="late")
    async def count(request):
        return web.Response(text=str(counts["n"]))
    app = web.Application()
    app.add_routes([web.get("/f", ok), web.get("/hold", hold), web.get("/count", count)])
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None, backlog=4096)
    """
)

CHART = """<scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:session="http://www.genesyslab.com/modules/session"
    version="1.0" initial="go">
  <datamodel><data id="left" expr="{fetches}"/><data id="failed" expr="0"/></datamodel>
  <state id="go">
    <onentry><session:fetch srcexpr="'{url}?s=' + _sessionid" type="'text/plain'" {extra}/></onentry>
    <transition event="session.fetch.done" cond="left > 1" target="go"><assign location="left" expr="left - 1"/></transition>
    <transition event="session.fetch.done" target="end"/>
    <transition event="error.session.fetch" target="end"><assign location="failed" expr="1"/></transition>
  </state>
  <final id="end"/>
</scxml>"""


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the benchmark server did not start")


def server_count(port: int) -> int:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/count") as r:
        return int(r.read())


class Latencies:
    """Times each fetch from dispatch to result (wraps the dispatcher; measuring only)."""

    def __init__(self):
        self.samples: list[float] = []
        self._orig = fetch_module.FetchDispatcher.submit
        samples = self.samples
        orig = self._orig

        def submit(self_, req, on_result, **kw):
            t0 = time.perf_counter()

            def done(result):
                samples.append(time.perf_counter() - t0)
                on_result(result)

            return orig(self_, req, done, **kw)

        fetch_module.FetchDispatcher.submit = submit

    def close(self):
        fetch_module.FetchDispatcher.submit = self._orig


def run_ours(chart, sessions: int, fetches: int) -> tuple[float, list[float], int]:
    lat = Latencies()
    host = Host(RealClock())
    try:
        start = time.perf_counter()
        machines = [host.start(chart) for _ in range(sessions)]
        host.run_until_idle(max_seconds=300)
        took = time.perf_counter() - start
        failed = sum(1 for m in machines if not m.done or m.datamodel["failed"])
    finally:
        host.close()
        lat.close()
    return took, lat.samples, failed


def run_bare(url: str, sessions: int, fetches: int) -> tuple[float, list[float], int]:
    import aiohttp

    samples: list[float] = []
    failed = 0

    async def one(session, sid):
        nonlocal failed
        for _ in range(fetches):
            t0 = time.perf_counter()
            try:
                async with session.get(f"{url}?s={sid}", headers={"Accept": "text/plain"}) as r:
                    await r.text()
                    if r.status != 200:
                        failed += 1
            except aiohttp.ClientError:
                failed += 1
            samples.append(time.perf_counter() - t0)

    async def main():
        connector = aiohttp.TCPConnector(limit=100, limit_per_host=10)
        async with aiohttp.ClientSession(connector=connector) as session:
            start = time.perf_counter()
            await asyncio.gather(*(one(session, k) for k in range(sessions)))
            return time.perf_counter() - start

    took = asyncio.run(main())
    return took, samples, failed


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def memory_per_pending(port: int, n: int) -> float:
    chart = scxmlc.load_string(
        CHART.format(fetches=1, url=f"http://127.0.0.1:{port}/hold", extra=""), module_name="bench_hold"
    ).Chart
    host = Host(RealClock())
    host.start(chart)  # warm up: imports, the I/O thread, the connection pool
    host.run_until_idle(max_seconds=0.2)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    machines = [host.start(chart) for _ in range(n)]
    host.run_until_idle(max_seconds=1.0)  # requests handed to the I/O loop and waiting
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    pending = host.outstanding
    idle = Host(RealClock())
    gc.collect()
    tracemalloc.start()
    b2 = tracemalloc.get_traced_memory()[0]
    idle_chart = scxmlc.load_string(
        CHART.replace("<session:fetch", "<!--").replace("/></onentry>", "--></onentry>").format(fetches=1, url="", extra=""),
        module_name="bench_idle",
    ).Chart
    idle_machines = [idle.start(idle_chart) for _ in range(n)]
    gc.collect()
    a2 = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    host.close()
    idle.close()
    del machines, idle_machines
    session_cost = (a2 - b2) / n
    print(f"  pending fetches: {pending}; {(after - before) / n:,.0f} bytes per session with a pending fetch, "
          f"{session_cost:,.0f} bytes per idle session of the same chart")
    return (after - before) / n - session_cost


def gd_outage(port: int, sessions: int, fetches: int, outage: float) -> None:
    chart = scxmlc.load_string(
        CHART.format(fetches=fetches, url=f"http://127.0.0.1:{port}/f", extra='gdelivery="true" gd_retry_interval="0.2"'),
        module_name="bench_gd",
    ).Chart
    host = Host(RealClock())
    machines = [host.start(chart) for _ in range(sessions)]
    host.run_until_idle(max_seconds=outage)
    proc = start_server(port)
    try:
        host.run_until_idle(max_seconds=120)
        delivered = sum(fetches - int(m.datamodel["left"]) + (1 if m.done and not m.datamodel["failed"] else 0) for m in machines)
        failed = sum(1 for m in machines if m.datamodel["failed"])
        finished = sum(1 for m in machines if m.done)
        received = server_count(port)
    finally:
        host.close()
        proc.kill()  # (a graceful stop would wait for the held requests)
        proc.wait()
    sent = sessions * fetches
    lost = sent - delivered - failed
    print(f"  GD through a {outage:g} s outage: {sent} sent, {delivered} delivered, {failed} failed, {lost} lost; "
          f"server received {received}; {finished}/{sessions} sessions finished")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=1000)
    p.add_argument("--fetches", type=int, default=10)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--pending", type=int, default=1000)
    p.add_argument("--outage", type=float, default=2.0)
    args = p.parse_args(argv)
    port = free_port()
    proc = start_server(port)
    try:
        url = f"http://127.0.0.1:{port}/f"
        chart = scxmlc.load_string(CHART.format(fetches=args.fetches, url=url, extra=""), module_name="bench_fetch").Chart
        total = args.sessions * args.fetches
        print(f"{args.sessions} sessions x {args.fetches} fetches = {total} GETs, best of {args.repeat}, runs alternating")
        ours, bare = [], []
        for _ in range(args.repeat):
            ours.append(run_ours(chart, args.sessions, args.fetches))
            bare.append(run_bare(url, args.sessions, args.fetches))
        for label, runs in (("scxmlc", ours), ("bare aiohttp", bare)):
            took, samples, failed = min(runs, key=lambda r: r[0])
            print(f"  {label:13s} {total / took:8,.0f} fetches/s  p50 {pct(samples, 50):6.1f} ms  p99 {pct(samples, 99):6.1f} ms"
                  f"  ({took:.2f} s, {failed} failed)")
        print(f"  ratio (bare / ours, fetches/s): {min(r[0] for r in ours) / min(r[0] for r in bare):.2f}x")
        per_fetch = memory_per_pending(port, args.pending)
        print(f"  memory per pending fetch (beyond its session): {per_fetch:,.0f} bytes")
    finally:
        proc.kill()  # (a graceful stop would wait for the held requests)
        proc.wait()
    gd_outage(free_port(), sessions=200, fetches=5, outage=args.outage)
    return 0


if __name__ == "__main__":
    sys.exit(main())
