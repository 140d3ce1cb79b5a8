"""A served session that keeps more data than `max_session_bytes` ends (server/memory.py, Limits.session_memory); the server and its other sessions go on, and the memory comes back."""

from __future__ import annotations

import asyncio
import json
import weakref

import pytest

from .conftest import eventually, serve
from .test_soak_bounds import serve_in_process, start, until

MB = 1 << 20
# Each `grow` keeps a fresh string of four million characters.
HOARD = """<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="s">
  <datamodel><data id="keep" expr="[]"/><data id="chunk" expr="''"/></datamodel>
  <state id="s">
    <onentry><script>chunk = new Array((1 &lt;&lt; 22) + 1).join('x');</script></onentry>
    <transition event="grow"><script>keep.push(chunk + keep.length);</script></transition>
    <transition event="count"><log label="count" expr="keep.length"/></transition>
  </state>
</scxml>
"""


def test_a_served_session_that_keeps_growing_is_ended_and_the_server_goes_on(tmp_path):
    root = tmp_path / "charts"
    root.mkdir()
    (root / "hoard.scxml").write_text(HOARD)
    (tmp_path / "settings.json").write_text(json.dumps({"max_session_bytes": 24 * MB}))
    served = serve(root, "--store", str(tmp_path / "s.db"), "--config", str(tmp_path / "settings.json"))
    try:
        client = served.client()
        other = client.start("hoard.scxml")
        sid = client.start("hoard.scxml")
        answers = []
        for _ in range(20):  # 80 MB if nothing stopped it; the process is weighed each 32 MB
            answers.append(client.post(f"/scxml/session/{sid}/event/grow").status)
            if answers[-1] == 410:
                break
        assert answers[-1] == 410 and set(answers[:-1]) == {200}, answers
        assert 6 <= len(answers) - 1 <= 12  # past 24 MB (6 events), by the next weighing
        gone = client.get(f"/scxml/session/{sid}/query")
        assert gone.status == 410
        health = client.get("/ors/health").json()
        assert health["sessions"]["ended_for_memory"] == 1
        assert client.post(f"/scxml/session/{other}/event/grow").status == 200  # the others go on
        assert client.post("/scxml/session/start", form={"src": "hoard.scxml"}).status == 200
    finally:
        log = served.stop()
    assert f"session {sid} ended: it keeps more than {24 * MB} bytes of data (session_memory" in log


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_session_kept_in_memory_only_is_weighed_too_and_its_memory_comes_back(tmp_path, store):
    # persist_mode never: no snapshot is ever taken of it, only the watch sees what it keeps
    async def main():
        server = serve_in_process(tmp_path, store, persist_mode="never", max_session_bytes=20 * MB)
        (tmp_path / "charts" / "hoard.scxml").write_text(HOARD)
        await server.start()
        try:
            service = server.service
            sid = await start(service, "hoard.scxml")
            machine = weakref.ref(service.host.sessions[sid])
            for _ in range(20):
                outcome = await service.event(sid, "grow", {})
                if outcome.status == 410:
                    break
                await asyncio.sleep(0)  # (the event is taken)
            assert outcome.status == 410, outcome.body
            assert service.durability.memory.ended == 1
            assert await until(lambda: machine() is None, timeout=5.0)  # the collection after it
        finally:
            await server.stop()

    asyncio.run(main())


def test_the_watch_weighs_only_when_the_process_has_grown(monkeypatch):
    from scxmlc_runtime.server import memory

    weighed = []
    monkeypatch.setattr(memory, "enforce_session_memory", lambda machine: weighed.append(machine) or False)
    sizes = iter([100 * MB, 110 * MB, 140 * MB, 90 * MB, 120 * MB, 123 * MB])
    monkeypatch.setattr(memory, "resident_bytes", lambda: next(sizes))
    watch = memory.MemoryWatch(step=32 * MB)  # mark: 100 MB
    results = [watch.after_run(f"s{k}") for k in range(5)]
    # 110: +10; 140: +40, weighed (mark 140); 90: down, the mark follows; 120: +30; 123: +33, weighed
    assert results == [False] * 5 and weighed == ["s1", "s4"] and watch.weighed == 2
