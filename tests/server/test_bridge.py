"""The interaction bridge (server/bridge.py, docs/ors.md "The interaction bridge"): `scxmlc serve --interaction-url` drives a platform over HTTP, here a small one written in the test: ixn: requests go out as JSON, results come back at once or later, interaction events come in; everything across a restart of the server."""

from __future__ import annotations

import asyncio
import json
import threading


import pytest
from aiohttp import ClientSession, web

from .conftest import Client, eventually
from .test_durable import Serve, free_port

CHART = """<scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:ixn="http://www.genesyslab.com/modules/interaction"
    version="1.0" datamodel="ecmascript" name="agentdesk">
<datamodel><data id="events" expr="[]"/><data id="current"/></datamodel>
<state id="s">
  <transition event="interaction.added">
    <assign location="current" expr="_event.data.interactionid"/>
    <script>events.push('interaction.added ' + _genesys.ixn.interactions[current].state)</script>
    <ixn:accept interactionid="_event.data.interactionid" resource="'7001'"/>
  </transition>
  <transition event="tag"><script>_genesys.ixn.setuData({topic: _event.data.topic}, current)</script></transition>
  <transition event="route"><ixn:redirect interactionid="current" to="'5000'" detach="true"/></transition>
  <transition event="hangup"><ixn:terminate interactionid="current" reason="'done'"/></transition>
  <transition event="interaction.* error.interaction.*">
    <script>
      var id = _event.data.interactionid;
      var model = id in _genesys.ixn.interactions ? _genesys.ixn.interactions[id] : null;
      events.push(_event.name + (_event.data.error ? ':' + _event.data.error : '') + (model ? ' ' + model.state : ''));
    </script>
  </transition>
</state>
</scxml>
"""


class Platform:
    """A small telephony platform: it answers accept at once, redirect later (202, then a POST
    of the result to the server), terminate with a failure; it records what it was sent."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[dict] = []
        self.server_url: str | None = None
        self.authorization: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.late_answer: tuple | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ixn"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_post("/ixn", self.handle)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.port).start())
        self.ready.set()
        self.loop.run_forever()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        self.authorization.append(request.headers.get("Authorization", ""))
        if body["type"] == "udata":
            return web.json_response({})
        action = body["action"]
        if action == "accept":
            return web.json_response({"ok": True, "changes": {"state": "connected"}})
        if action == "redirect":
            asyncio.ensure_future(self.later(body["requestid"]))
            return web.json_response({}, status=202)
        return web.json_response({"ok": False, "error": "invalidstate", "description": "the call is on hold"})

    async def later(self, requestid: str) -> None:
        await asyncio.sleep(0.2)
        async with ClientSession() as http:
            async with http.post(f"{self.server_url}/ors/interactions/results/{requestid}",
                                 json={"ok": True, "changes": {"state": "routed"}}) as r:  # fmt: skip
                self.late_answer = (r.status, await r.json())

    def stop(self) -> None:
        async def down() -> None:
            await self.runner.cleanup()

        asyncio.run_coroutine_threadsafe(down(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def platform():
    p = Platform()
    yield p
    p.stop()


def post_json(client: Client, path: str, body) -> tuple[int, dict]:
    r = client.post(path, body=json.dumps(body), content_type="application/json")
    return r.status, r.json()


def test_a_platform_drives_the_interaction_module_over_http(tmp_path, platform):
    root = tmp_path / "charts"
    root.mkdir()
    (root / "desk.scxml").write_text(CHART)
    token = tmp_path / "platform.token"
    token.write_text("s3cret\n")
    config = tmp_path / "serve.toml"
    config.write_text(f'interaction_token_file = "{token}"\n')
    serve = Serve(root, tmp_path / "s.db", free_port(), "--interaction-url", platform.url, "--config", str(config))
    serve.start()
    platform.server_url = serve.url
    c = Client(serve.url)
    try:
        sid = c.start("desk.scxml")
        events = lambda: c.get(f"/scxml/session/{sid}/query?item=events").json()["data"]["events"]  # noqa: E731

        # a call arrives: the platform reports it; the session accepts it (answered at once)
        status, body = post_json(c, "/ors/interactions", {"sessionid": sid, "interaction": {"g_uid": "CALL-1", "type": "voice"}})
        assert (status, body) == (200, {"interactionid": "CALL-1", "sessionid": sid})
        assert eventually(lambda: events() == ["interaction.added ringing", "interaction.accept.done connected"])
        sent = platform.received[0]
        assert sent["type"] == "request" and sent["action"] == "accept" and sent["sessionid"] == sid
        assert sent["args"] == {"interactionid": "CALL-1", "resource": "7001"} and sent["requestid"]
        assert platform.authorization[0] == "Bearer s3cret"

        # user data changes go to the platform
        assert c.post(f"/scxml/session/{sid}/event/tag?topic=billing").status == 200
        assert eventually(lambda: any(r["type"] == "udata" for r in platform.received))
        udata = next(r for r in platform.received if r["type"] == "udata")
        assert udata == {"type": "udata", "interactionid": "CALL-1", "changed": {"topic": "billing"}, "deleted": []}

        # an unsolicited event, with the properties it changed
        status, body = post_json(c, "/ors/interactions/CALL-1/event", {"name": "interaction.partystatechanged", "data": {"party": "agent"}, "changes": {"state": "hold"}})
        assert (status, body) == (200, {"interactionid": "CALL-1", "delivered": True})
        assert events()[-1] == "interaction.partystatechanged hold"  # stored and processed before the 200

        # a refusal from the platform is the chart's error event
        assert c.post(f"/scxml/session/{sid}/event/hangup").status == 200
        assert eventually(lambda: events()[-1] == "error.interaction.terminate:invalidstate hold")

        # the server restarts; the interaction registry is the platform's to report again
        serve.kill()
        serve.start()
        post_json(c, "/ors/interactions", {"sessionid": sid, "interaction": {"g_uid": "CALL-2", "state": "connected"}})
        assert eventually(lambda: events()[-1] == "interaction.accept.done connected")

        # a result that comes later (202, then POSTed back)
        assert c.post(f"/scxml/session/{sid}/event/route").status == 200
        assert eventually(lambda: events()[-2:] == ["interaction.redirect.done", "interaction.deleted"], timeout=5)
        assert eventually(lambda: getattr(platform, "late_answer", None))  # (its answer comes after the commit)
        assert platform.late_answer[0] == 200 and platform.late_answer[1]["sessionid"] == sid
        assert [r["action"] for r in platform.received if r["type"] == "request"] == ["accept", "terminate", "accept", "redirect"]
    finally:
        serve.stop()


def test_what_the_bridge_refuses(tmp_path):
    root = tmp_path / "charts"
    root.mkdir()
    (root / "desk.scxml").write_text(CHART)
    serve = Serve(root, tmp_path / "s.db", free_port())  # no interaction_url
    serve.start()
    c = Client(serve.url)
    try:
        sid = c.start("desk.scxml")
        cases = [
            ("/ors/interactions", "not json", 400, "invalidparameter"),
            ("/ors/interactions", [1], 400, "invalidparameter"),
            ("/ors/interactions", {"sessionid": 5}, 400, "invalidparameter"),
            ("/ors/interactions", {"sessionid": "NOPE"}, 404, "notfound"),
            ("/ors/interactions", {"sessionid": sid, "interaction": {"g_uid": "bad id!"}}, 400, "invalidparameter"),
            ("/ors/interactions/UNKNOWN/update", {"changes": {}}, 404, "notfound"),
            ("/ors/interactions/UNKNOWN/update", {"changes": 3}, 400, "invalidparameter"),
            ("/ors/interactions/X/event", {"name": "not.an.interaction.event"}, 400, "invalidname"),
            ("/ors/interactions/X/delete", {"resultof": 7}, 400, "invalidparameter"),
            ("/ors/interactions/results/R1", {"ok": "yes"}, 400, "invalidparameter"),
            ("/ors/interactions/results/R1", {"ok": True}, 404, "notfound"),  # (no bridge: no requests sent)
        ]
        for path, body, status, code in cases:
            r = c.post(path, body=body if isinstance(body, str) else json.dumps(body), content_type="application/json")
            assert (r.status, r.json()["error"]) == (status, code), (path, body, r)
        # without a platform, accept fails with `remote`, and the server goes on
        assert post_json(c, "/ors/interactions", {"sessionid": sid, "interaction": {"g_uid": "C9"}})[0] == 200
        assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?item=events").json()["data"]["events"][-1] == "error.interaction.accept:remote ringing")
        status, body = post_json(c, "/ors/interactions/C9/delete", {"resultof": "deletion"})
        assert status == 200
        assert c.get(f"/scxml/session/{sid}/query?item=events").json()["data"]["events"][-1] == "interaction.deleted"
    finally:
        serve.stop()


def test_an_unreachable_platform_is_a_remote_error(tmp_path):
    root = tmp_path / "charts"
    root.mkdir()
    (root / "desk.scxml").write_text(CHART)
    serve = Serve(root, tmp_path / "s.db", free_port(), "--interaction-url", f"http://127.0.0.1:{free_port()}/down")
    serve.start()
    c = Client(serve.url)
    try:
        sid = c.start("desk.scxml")
        post_json(c, "/ors/interactions", {"sessionid": sid, "interaction": {"g_uid": "C1"}})
        assert eventually(lambda: c.get(f"/scxml/session/{sid}/query?item=events").json()["data"]["events"][-1] == "error.interaction.accept:remote ringing", timeout=5)
    finally:
        serve.stop()
