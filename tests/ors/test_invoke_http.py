"""An <invoke> of a document on the network (issue 13: nothing blocks the host): the host's loader fetches it without blocking, the child starts when it arrives, a state left meanwhile starts nothing, a failed fetch is error.execution. Against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import time

import scxmlc
from scxmlc_runtime import AsyncioClock, Host, SimulatedClock
from scxmlc_runtime.js import to_py

from .httpserver import Reply

HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"'
CHILD = HEAD + '><state id="c"><onentry><send target="#_parent" event="hello"/></onentry><transition event="stop" target="end"/></state><final id="end"/></scxml>'


def parent(url: str, leave_on: str = "never") -> type:
    text = HEAD + (
        '><datamodel><data id="heard" expr="[]"/><data id="url" expr="\'' + url + '\'"/></datamodel>'
        '<state id="p"><invoke id="kid" srcexpr="url"/>'
        '<transition event="hello"><script>heard.push("hello")</script><send target="#_kid" event="stop"/></transition>'
        '<transition event="done.invoke.kid"><script>heard.push("done")</script></transition>'
        '<transition event="error.execution"><script>heard.push("error: " + _event.data.message)</script></transition>'
        f'<transition event="{leave_on}" target="elsewhere"/></state><state id="elsewhere"/></scxml>'
    )
    return scxmlc.load_string(text, module_name="invoke_http_parent").Chart


def test_the_child_starts_when_its_document_has_arrived(server):
    server.handler = lambda req: Reply(body=CHILD, headers=[("Content-Type", "application/scxml+xml")], delay=0.2)
    host = Host(SimulatedClock())
    sm = parent(server.url("/child.scxml"))(host=host)
    began = time.monotonic()
    sm.start()
    assert time.monotonic() - began < 0.15  # start() did not wait for the network
    assert to_py(sm.datamodel["heard"]) == []
    sm.run_until_idle(5)
    assert to_py(sm.datamodel["heard"]) == ["hello", "done"]
    assert [r.target for r in server.requests] == ["/child.scxml"]
    host.close()


def test_a_state_left_before_the_document_arrives_starts_nothing(server):
    server.handler = lambda req: Reply(body=CHILD, delay=0.3)
    host = Host(SimulatedClock())
    sm = parent(server.url("/child.scxml"), leave_on="go")(host=host)
    sm.start()
    sm.send("go")
    sm.run_until_idle(2)
    time.sleep(0.4)
    sm.run_until_idle(1)
    assert sm.configuration == {"elsewhere"} and to_py(sm.datamodel["heard"]) == []
    assert len(host.sessions) == 1  # no child
    host.close()


def test_a_failed_fetch_is_error_execution(server):
    server.handler = lambda req: Reply(status=404, body="no")
    host = Host(SimulatedClock())
    sm = parent(server.url("/missing.scxml"))(host=host)
    sm.start()
    sm.run_until_idle(5)
    (heard,) = to_py(sm.datamodel["heard"])
    assert heard.startswith("error: cannot fetch the <invoke> document")
    host.close()


def test_an_asyncio_host_keeps_serving_while_the_document_is_on_its_way(server):
    server.handler = lambda req: Reply(body=CHILD, delay=0.5)

    async def main():
        host = Host(AsyncioClock())
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        task = asyncio.ensure_future(ticker())
        sm = host.start(parent(server.url("/child.scxml")))
        for _ in range(100):
            if to_py(sm.datamodel["heard"]) == ["hello", "done"]:
                break
            await asyncio.sleep(0.02)
        task.cancel()
        host.close()
        return ticks, to_py(sm.datamodel["heard"])

    ticks, heard = asyncio.run(main())
    assert heard == ["hello", "done"]
    assert ticks >= 15  # the loop kept running during the half-second fetch
