"""The interaction bridge with several hosts on one Redis store (docs/ors.md, "Several hosts"): a platform's calls about a session another host owns reach that host (307 or forwarded, per route_mode), new interactions by their session, the others through the bridge index in the store (g_uid -> session, requestid -> session); real redis-server and `scxmlc serve` processes on loopback, a platform simulated in the test."""

from __future__ import annotations

import http.client
import json
import random
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiohttp import ClientSession, web

from ..redis_server import redis_cluster, redis_server, unique_cluster  # noqa: F401 - the fixtures
from .conftest import eventually
from .test_bridge import CHART, Platform
from .test_durable import new_sid
from .test_failover import Answer, call, hosts, start  # noqa: F401 - hosts: the fixture

FORWARDED = "X-Scxmlc-Forwarded-By"


@pytest.fixture
def root(tmp_path) -> Path:
    folder = tmp_path / "charts"
    folder.mkdir()
    (folder / "desk.scxml").write_text(CHART)
    return folder


class LatePlatform(Platform):
    terminate_ok = False  # True: terminate succeeds (test_bridge.py's platform refuses it)

    async def handle(self, request):
        if self.terminate_ok:
            body = await request.json()
            if body.get("action") == "terminate":
                self.received.append(body)
                return web.json_response({"ok": True, "changes": {"state": "null"}})
        return await super().handle(request)


    """The platform of test_bridge.py, whose late results go to `server_url` as an HTTP client
    sends them (a 307 followed with the same POST); each answer is recorded, and what the
    bridge index said when the result went out (`probe`)."""

    def __init__(self, probe) -> None:
        self.probe = probe
        self.chains: dict[str, list[tuple]] = {}  # requestid -> [(status, body, Location), ...]
        self.indexed: dict[str, object] = {}
        self.hold = False  # True: no late result is sent
        super().__init__()

    async def later(self, requestid: str) -> None:
        self.indexed[requestid] = self.probe(requestid)
        if self.hold:
            return
        url = f"{self.server_url}/ors/interactions/results/{requestid}"
        chain = self.chains.setdefault(requestid, [])
        async with ClientSession() as http:
            for _ in range(3):
                async with http.post(url, json={"ok": True, "changes": {"state": "routed"}}, allow_redirects=False) as r:
                    chain.append((r.status, await r.json(content_type=None), r.headers.get("Location")))
                    if r.status != 307:
                        return
                    url = r.headers["Location"]


@pytest.fixture
def platform():
    p = LatePlatform(lambda rid: None)
    yield p
    p.stop()


def post(url: str, path: str, body, headers: dict | None = None) -> Answer:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("POST", path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})})
        r = conn.getresponse()
        return Answer(r.status, r.headers, r.read())
    finally:
        conn.close()


def post_following(url: str, path: str, body) -> Answer:
    """POST, and again to the Location of a 307 (as an HTTP client does)."""
    for _ in range(3):
        r = post(url, path, body)
        if r.status != 307:
            return r
        where = urlsplit(r.headers["Location"])
        url, path = f"{where.scheme}://{where.netloc}", where.path
    return r


def events(host, sid: str) -> list:
    r = call(host.url, "GET", f"/scxml/session/{sid}/query?item=events")
    assert r is not None and r.status == 200, r
    return r.json()["data"]["events"]


ACCEPTED = ["interaction.added ringing", "interaction.accept.done connected"]


def test_interaction_calls_to_a_host_that_does_not_own_the_session_reach_its_owner(hosts, platform, redis_server):  # noqa: F811
    """New interactions by their session, update/event/delete by g_uid, from the host that does
    not own the session: a (route_mode redirect) answers 307 to b, b (proxy) relays a's answer;
    the session on the owner gets the events and its object model changes. Unknown g_uids are
    404 everywhere; a stale index entry is removed by the host it leads to."""
    a = hosts("a", "--interaction-url", platform.url)
    b = hosts("b", "--interaction-url", platform.url, "--route-mode", "proxy")
    on_a, on_b = start(a.url, "desk.scxml"), start(b.url, "desk.scxml")
    redis = redis_server.client()
    P = f"scxmlc:{a.cluster}:"

    # redirect: a new interaction for b's session, posted to a
    new_b = {"sessionid": on_b, "interaction": {"g_uid": "CALL-B", "type": "voice"}}
    moved = post(a.url, "/ors/interactions", new_b)
    assert moved.status == 307 and moved.headers["Location"] == f"{b.url}/ors/interactions"
    assert moved.json() == {"sessionid": on_b, "location": f"{b.url}/ors/interactions"}
    assert events(b, on_b) == [] and redis.get(P + "ixn:CALL-B") is None  # (nothing done by a)
    answer = post_following(a.url, "/ors/interactions", new_b)
    assert (answer.status, answer.json()) == (200, {"interactionid": "CALL-B", "sessionid": on_b})
    assert eventually(lambda: events(b, on_b) == ACCEPTED)
    assert redis.get(P + "ixn:CALL-B") == on_b.encode()
    assert 0 < redis.pttl(P + "ixn:CALL-B") <= 2_592_000_000  # (session_max_idle_s: a safety net)

    # proxy: a new interaction for a's session, posted to b: a's answer
    answer = post(b.url, "/ors/interactions", {"sessionid": on_a, "interaction": {"g_uid": "CALL-A"}})
    assert (answer.status, answer.json()) == (200, {"interactionid": "CALL-A", "sessionid": on_a})
    assert eventually(lambda: events(a, on_a) == ACCEPTED)
    accepts = sorted((m["sessionid"], m["args"]["interactionid"]) for m in platform.received if m["type"] == "request")
    assert accepts == sorted([(on_b, "CALL-B"), (on_a, "CALL-A")])  # (each sent once, by the owner)

    # update and event by g_uid, through b (proxy): the properties change on a, the event is a's
    answer = post(b.url, "/ors/interactions/CALL-A/update", {"changes": {"state": "hold"}})
    assert (answer.status, answer.json()) == (200, {"interactionid": "CALL-A"})
    answer = post(b.url, "/ors/interactions/CALL-A/event", {"name": "interaction.partystatechanged", "data": {"party": "agent"}})
    assert (answer.status, answer.json()) == (200, {"interactionid": "CALL-A", "delivered": True})
    assert events(a, on_a)[-1] == "interaction.partystatechanged hold"  # (stored and processed before the 200)

    # ... and through a (redirect): 307 to b, where the same POST does it
    for path, body in (("update", {"changes": {"state": "hold"}}), ("event", {"name": "interaction.partystatechanged", "data": {}})):
        moved = post(a.url, f"/ors/interactions/CALL-B/{path}", body)
        assert moved.status == 307 and moved.headers["Location"] == f"{b.url}/ors/interactions/CALL-B/{path}"
    assert events(b, on_b) == ACCEPTED
    assert post_following(a.url, "/ors/interactions/CALL-B/update", {"changes": {"state": "hold"}}).status == 200
    answer = post_following(a.url, "/ors/interactions/CALL-B/event", {"name": "interaction.partystatechanged", "data": {}})
    assert (answer.status, answer.json()) == (200, {"interactionid": "CALL-B", "delivered": True})
    assert events(b, on_b) == [*ACCEPTED, "interaction.partystatechanged hold"]

    # a call forwarded once is not forwarded again
    r = post(a.url, "/ors/interactions/CALL-B/update", {"changes": {}}, headers={FORWARDED: "somewhere"})
    assert r.status == 503 and r.json()["error"] == "unavailable" and r.headers["Retry-After"] == "1"

    # delete by g_uid from the other host: the owner's session hears of it, the index forgets it
    assert post(b.url, "/ors/interactions/CALL-A/delete", {"resultof": "deletion"}).status == 200
    assert events(a, on_a)[-1] == "interaction.deleted"
    assert post(a.url, "/ors/interactions/CALL-B/delete", {}).status == 307
    assert post_following(a.url, "/ors/interactions/CALL-B/delete", {"resultof": "deletion"}).status == 200
    assert events(b, on_b)[-1] == "interaction.deleted"
    assert eventually(lambda: redis.get(P + "ixn:CALL-A") is None and redis.get(P + "ixn:CALL-B") is None)

    # what is known nowhere is 404 everywhere
    for host in (a, b):
        for g_uid in ("CALL-A", "CALL-B", "NOPE"):
            for path, body in (("update", {"changes": {}}), ("event", {"name": "interaction.x"}), ("delete", {})):
                r = post(host.url, f"/ors/interactions/{g_uid}/{path}", body)
                assert (r.status, r.json()["error"]) == (404, "notfound"), (host.name, g_uid, path, r)
        r = post(host.url, "/ors/interactions/results/R-UNKNOWN", {"ok": True})
        assert (r.status, r.json()["error"]) == (404, "notfound")
        r = post(host.url, "/ors/interactions", {"sessionid": new_sid(random.Random()), "interaction": {}})
        assert (r.status, r.json()["error"]) == (404, "notfound")

    # an index entry that leads to a session without that interaction: 404, and it is removed
    redis.set(P + "ixn:STALE", on_a)
    r = post(b.url, "/ors/interactions/STALE/event", {"name": "interaction.x"})  # (forwarded to a)
    assert (r.status, r.json()["error"]) == (404, "notfound")
    assert redis.get(P + "ixn:STALE") is None
    assert events(a, on_a)[-1] == "interaction.deleted" and events(b, on_b)[-1] == "interaction.deleted"


def test_g_uids_the_servers_make_differ_between_hosts_and_lead_to_their_owner(hosts, platform, redis_server):  # noqa: F811
    """A platform that gives no g_uid gets one made by the owner: with several hosts it carries
    the host's epoch, so two hosts never make the same one and the index finds each owner."""
    a = hosts("a", "--interaction-url", platform.url)
    b = hosts("b", "--interaction-url", platform.url, "--route-mode", "proxy")
    on_a, on_b = start(a.url, "desk.scxml"), start(b.url, "desk.scxml")
    made = {}
    for host, sid in ((a, on_a), (b, on_b)):
        answer = post(host.url, "/ors/interactions", {"sessionid": sid, "interaction": {}})
        assert answer.status == 200 and answer.json()["sessionid"] == sid
        made[host.name] = answer.json()["interactionid"]
        assert eventually(lambda: events(host, sid) == ACCEPTED)
    assert made["a"] != made["b"] and all(re.fullmatch(r"IXN-\d+-\d+", g) for g in made.values()), made
    for owner, other, sid in ((a, b, on_a), (b, a, on_b)):
        answer = post_following(other.url, f"/ors/interactions/{made[owner.name]}/event", {"name": "interaction.partystatechanged", "data": {}})
        assert (answer.status, answer.json()) == (200, {"interactionid": made[owner.name], "delivered": True})
        assert events(owner, sid) == [*ACCEPTED, "interaction.partystatechanged connected"]


def test_an_interaction_a_session_terminates_leaves_the_bridge_index(hosts, platform, redis_server):  # noqa: F811
    """<ixn:terminate> takes the interaction out of the owner's registry: its index entry goes
    too (InteractionModule's `forgotten` hook), so terminated calls leave no keys behind."""
    platform.terminate_ok = True
    a = hosts("a", "--interaction-url", platform.url)
    redis = redis_server.client()
    P = f"scxmlc:{a.cluster}:"
    sid = start(a.url, "desk.scxml")
    assert post(a.url, "/ors/interactions", {"sessionid": sid, "interaction": {"g_uid": "CALL-T"}}).status == 200
    assert eventually(lambda: events(a, sid) == ACCEPTED) and redis.get(P + "ixn:CALL-T") == sid.encode()
    assert call(a.url, "POST", f"/scxml/session/{sid}/event/hangup").status == 200
    assert eventually(lambda: events(a, sid)[-2:] == ["interaction.terminate.done", "interaction.deleted"])
    assert eventually(lambda: redis.get(P + "ixn:CALL-T") is None)


def test_a_late_result_posted_to_a_host_that_did_not_send_the_request_reaches_the_one_that_did(hosts, platform, redis_server):  # noqa: F811
    """The platform answers redirect with 202 and posts the result later to the other host:
    a (redirect) answers 307 to b, b (proxy) relays a's answer; the session that issued the
    request gets its result. The bridge index has the request while it waits, not after."""
    a = hosts("a", "--interaction-url", platform.url)
    b = hosts("b", "--interaction-url", platform.url, "--route-mode", "proxy")
    redis = redis_server.client()
    P = f"scxmlc:{a.cluster}:"
    platform.probe = lambda rid: redis.get(P + "ixnreq:" + rid)
    for owner, other, g_uid in ((b, a, "CALL-B"), (a, b, "CALL-A")):
        sid = start(owner.url, "desk.scxml")
        assert post(owner.url, "/ors/interactions", {"sessionid": sid, "interaction": {"g_uid": g_uid}}).status == 200
        assert eventually(lambda: events(owner, sid) == ACCEPTED)
        platform.server_url = other.url
        assert call(owner.url, "POST", f"/scxml/session/{sid}/event/route").status == 200
        assert eventually(lambda: any(m.get("action") == "redirect" and m["sessionid"] == sid for m in platform.received))
        rid = next(m["requestid"] for m in platform.received if m.get("action") == "redirect" and m["sessionid"] == sid)
        chain = eventually(lambda: (platform.chains.get(rid) or [(307,)])[-1][0] != 307 and platform.chains[rid], timeout=10)
        assert chain, platform.chains
        answered = (200, {"requestid": rid, "sessionid": sid}, None)
        if other is a:  # redirect
            location = f"{b.url}/ors/interactions/results/{rid}"
            assert chain == [(307, {"sessionid": sid, "location": location}, location), answered]
        else:  # proxy
            assert chain == [answered]
        assert events(owner, sid)[-2:] == ["interaction.redirect.done", "interaction.deleted"]  # (stored before the 200)
        assert platform.indexed[rid] == sid.encode()
        assert eventually(lambda: redis.get(P + "ixnreq:" + rid) is None)
        # a second result for it: answered already, 404 on either host
        for host in (a, b):
            r = post(host.url, f"/ors/interactions/results/{rid}", {"ok": True})
            assert (r.status, r.json()["error"]) == (404, "notfound"), host.name
    # a request cancelled while it waits (its session ends) leaves the index too
    platform.hold = True
    sid = start(a.url, "desk.scxml")
    assert post(b.url, "/ors/interactions", {"sessionid": sid, "interaction": {"g_uid": "CALL-C"}}).status == 200
    assert eventually(lambda: events(a, sid) == ACCEPTED)
    assert call(a.url, "POST", f"/scxml/session/{sid}/event/route").status == 200
    assert eventually(lambda: any(m.get("action") == "redirect" and m["sessionid"] == sid for m in platform.received))
    rid = next(m["requestid"] for m in platform.received if m.get("action") == "redirect" and m["sessionid"] == sid)
    assert eventually(lambda: rid in platform.indexed) and platform.indexed[rid] == sid.encode()
    assert call(b.url, "POST", f"/scxml/session/{sid}/terminate").json()["status"] == "terminated"  # (through b: proxy)
    assert eventually(lambda: redis.get(P + "ixnreq:" + rid) is None)
    for host in (a, b):
        r = post(host.url, f"/ors/interactions/results/{rid}", {"ok": True})
        assert (r.status, r.json()["error"]) == (404, "notfound"), host.name
    # the requests answered at once (accept) are not left in the index either
    assert eventually(lambda: redis.keys(P + "ixnreq:*") == [])
    assert sorted(redis.keys(P + "ixn:*")) == [f"{P}ixn:CALL-{x}".encode() for x in "ABC"]  # (redirected, not deleted)


@pytest.mark.parametrize("where", ["redis_server", "redis_cluster"])
def test_the_bridge_index_in_the_store(where, request):
    """RedisStore.bridge_put/get/drop: one key per entry with the session's expiry; a drop
    that names a session removes the entry only while it is that session's (compare-and-delete),
    on one Redis server and on a Redis Cluster."""
    from scxmlc_runtime.store.redis import RedisStore

    redis = request.getfixturevalue(where)
    with RedisStore(redis.url, unique_cluster(), session_max_idle_s=60, index_sweep_s=0) as store:
        store.bridge_put("interaction", "CALL-1", "S1")
        store.bridge_put("request", "R1", "S1")
        assert (store.bridge_get("interaction", "CALL-1"), store.bridge_get("request", "R1"), store.bridge_get("request", "CALL-1")) == ("S1", "S1", None)
        store.bridge_put("interaction", "CALL-1", "S2")  # (reported again, for another session)
        assert store.bridge_drop("interaction", "CALL-1", "S1") is False and store.bridge_get("interaction", "CALL-1") == "S2"
        assert store.bridge_drop("interaction", "CALL-1", "S2") is True and store.bridge_get("interaction", "CALL-1") is None
        assert store.bridge_drop("request", "R1") is True and store.bridge_drop("request", "R1") is False
        store.bridge_put("request", "R2", "S3")
        key = store._bridge_key("request", "R2")
        assert 0 < store._c().pttl(key) <= 60_000
        with pytest.raises(ValueError, match="no kind"):
            store.bridge_get("session", "S3")
