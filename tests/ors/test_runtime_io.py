"""Network I/O and the host: asyncio hosts, real-time waits on simulated clocks, and what `import scxmlc_runtime` loads."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from scxmlc_runtime import AsyncioClock, Host, SimulatedClock
from scxmlc_runtime.js import to_py

from .conftest import load, ors
from .httpserver import Reply

CHART = """<state id="s"><onentry><session:fetch srcexpr="URL" type="'text/plain'"/></onentry>
  <transition event="session.fetch.done" target="f"><assign location="got" expr="_event.data.content"/></transition>
  <transition event="error.*" target="f"><assign location="got" expr="_event.name"/></transition></state><final id="f"/>"""


def chart(url: str):
    return load(ors(CHART.replace("URL", f"'{url}'"), data='<data id="got"/>'))


def test_an_asyncio_host_gets_results_while_the_application_awaits(server):
    server.handler = lambda req: Reply(body="async ok", delay=0.1)
    module = chart(server.url("/a"))

    async def main():
        host = Host(AsyncioClock())
        sm = host.start(module.Chart)
        finished = await sm.wait_done(timeout=5)
        host.close()
        return finished, sm.datamodel["got"]

    assert asyncio.run(main()) == (True, "async ok")


def test_simulated_time_stands_still_while_a_reply_is_on_its_way(server):
    """A timer that falls due later in simulated time does not overtake a slow reply."""
    server.handler = lambda req: Reply(body="slow", delay=0.5)
    text = ors(
        CHART.replace("URL", f"'{server.url('/s')}'").replace(
            "</onentry>", '<send event="\'tick\'" delay="1s"/></onentry><transition event="tick" target="f"><assign location="got" expr="\'tick\'"/></transition>'
        ),
        data='<data id="got"/>',
    )
    host = Host(SimulatedClock())
    sm = host.start(load(text).Chart)
    started = time.monotonic()
    host.run_until_idle(max_seconds=5)
    assert sm.datamodel["got"] == "slow" and host.clock.now() == 0.0
    assert time.monotonic() - started >= 0.45
    host.close()


def test_run_until_idle_waits_at_most_max_seconds_of_real_time(server):
    server.handler = lambda req: Reply(delay=3)
    host = Host(SimulatedClock())
    sm = host.start(chart(server.url("/slow")).Chart)
    started = time.monotonic()
    host.run_until_idle(max_seconds=0.5)
    assert 0.45 <= time.monotonic() - started < 2.5 and sm.running and host.outstanding == 1
    host.close()


def test_a_machines_run_until_idle_waits_for_its_fetches_too(server):
    server.handler = lambda req: Reply(body="direct")
    sm = chart(server.url("/m")).Chart(clock=SimulatedClock())
    assert sm.run_until_idle(max_seconds=5) and sm.datamodel["got"] == "direct"
    sm.host.close()


def test_importing_the_runtime_loads_no_http_library():
    code = "import sys, scxmlc_runtime; print(sorted(m for m in ('aiohttp', 'yarl', 'scxmlc_runtime.ors', 'scxmlc_runtime.extensions', 'scxmlc') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_chart_that_only_uses_files_never_imports_aiohttp(tmp_path):
    (tmp_path / "d.txt").write_text("x")
    code = f"""
import sys, scxmlc
from scxmlc_runtime import Host, SimulatedClock
m = scxmlc.load_string({ors(CHART.replace('URL', "'file:d.txt'"), data='<data id="got"/>')!r}, base_dir={str(tmp_path)!r})
host = Host(SimulatedClock()); sm = host.start(m.Chart); host.run_until_idle(1)
print(sm.datamodel["got"], 'aiohttp' in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "x False"
