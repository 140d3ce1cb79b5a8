"""Who owns a pending request and when it is cancelled (ors-extensions.md §3.10): the state of its <onentry>, the domain of its transition, the domain of the transition that exits the state of its <onexit>; the session at the end.

A transport the test drives by hand stands behind the fetch dispatcher (the dispatcher's HTTP
transport is tested against real servers elsewhere): the test sees each attempt start, answers
it when it wants, and sees which ones the runtime cancelled.
"""

from __future__ import annotations

import pytest

from scxmlc_runtime.js import to_py
from scxmlc_runtime.ors import FetchResult, SessionModule

from .conftest import load, ors


class ManualTransport:
    def __init__(self):
        self.started: list = []  # (request, on_result)
        self.cancelled: list[str] = []

    def start(self, req, on_result):
        self.started.append((req, on_result))
        transport = self

        class Handle:
            def cancel(self):
                transport.cancelled.append(req.requestid)

        return Handle()

    def answer(self, requestid: str, content: str = "ok") -> None:
        for req, on_result in self.started:
            if req.requestid == requestid:
                on_result(FetchResult(ok=True, status=200, content=content))
                return
        raise KeyError(requestid)


def fetch(rid_location="last", tag="x") -> str:
    return f'<session:fetch requestid="{rid_location}" srcexpr="\'http://h/{tag}\'" type="\'text/plain\'"/>'


RECORD = '<transition event="session.fetch.done"><script>done.push(_event.data.requestid)</script></transition>'
DATA = '<data id="last"/><data id="done" expr="[]"/>'


@pytest.fixture
def manual():
    return ManualTransport()


def start(make_host, manual, body, initial=None):
    host = make_host(services=[SessionModule(transports={"http": manual})])
    sm = host.start(load(ors(body, data=DATA, initial=initial)).Chart)
    host.run_until_idle(0.05)
    return host, sm


def done(sm):
    return to_py(sm.datamodel["done"])


def test_onentry_requests_belong_to_their_state(make_host, manual):
    body = f"""<state id="top">{RECORD}
      <state id="a"><onentry>{fetch()}</onentry><transition event="go" target="b"/></state>
      <state id="b"/></state>"""
    host, sm = start(make_host, manual, body)
    sm.send("go")
    assert manual.cancelled == ["R1"]
    manual.answer("R1")
    host.run_until_idle(0.05)
    assert done(sm) == []


def test_a_request_whose_state_stays_is_delivered(make_host, manual):
    body = f"""<state id="a">{RECORD}<onentry>{fetch()}</onentry><transition event="noop"/></state>"""
    host, sm = start(make_host, manual, body)
    sm.send("noop")
    manual.answer("R1")
    host.run_until_idle(0.05)
    assert done(sm) == ["R1"] and manual.cancelled == []


def test_re_entering_the_state_cancels_the_old_request_and_keeps_the_new_one(make_host, manual):
    body = f"""<state id="a">{RECORD}<onentry>{fetch()}</onentry><transition event="again" target="a"/></state>"""
    host, sm = start(make_host, manual, body)
    for n in range(2, 5):  # the same step again and again: never replayed past the cancellation
        sm.send("again")
        assert manual.cancelled == [f"R{k}" for k in range(1, n)]
    for k in range(1, 5):
        manual.answer(f"R{k}")
    host.run_until_idle(0.05)
    assert done(sm) == ["R4"]


def test_transition_content_belongs_to_the_transition_domain(make_host, manual):
    body = f"""<state id="p">{RECORD}
        <state id="a"><transition event="go" target="b">{fetch()}</transition></state>
        <state id="b"><transition event="leave" target="q"/></state>
      </state><state id="q"/>"""
    host, sm = start(make_host, manual, body)
    sm.send("go")  # exits a, enters b: the domain p stays
    assert manual.cancelled == []
    sm.send("leave")  # exits p
    assert manual.cancelled == ["R1"]


def test_a_transition_with_the_scxml_domain_gives_it_to_the_session(make_host, manual):
    body = f"""<state id="a"><transition event="go" target="b">{fetch()}</transition></state>
      <state id="b">{RECORD}<transition event="more" target="c"/></state><state id="c">{RECORD}</state>"""
    host, sm = start(make_host, manual, body)
    sm.send("go")
    sm.send("more")
    manual.answer("R1")
    host.run_until_idle(0.05)
    assert done(sm) == ["R1"] and manual.cancelled == []


def test_a_targetless_transition_gives_it_to_its_source(make_host, manual):
    body = f"""<state id="top">{RECORD}
        <state id="a"><transition event="ask">{fetch()}</transition><transition event="go" target="b"/></state>
        <state id="b"/></state>"""
    host, sm = start(make_host, manual, body)
    sm.send("ask")
    sm.send("ask")
    assert manual.cancelled == []
    sm.send("go")
    assert manual.cancelled == ["R1", "R2"]


def test_onexit_requests_belong_to_the_domain_of_the_exiting_transition(make_host, manual):
    body = f"""<state id="p">{RECORD}
        <state id="a"><onexit>{fetch()}</onexit><transition event="go" target="b"/></state>
        <state id="b"><transition event="leave" target="q"/></state>
      </state><state id="q"><transition event="back" target="a"/></state>"""
    host, sm = start(make_host, manual, body)
    sm.send("go")  # a exits by a transition whose domain is p
    assert manual.cancelled == []
    manual.answer("R1")
    host.run_until_idle(0.05)
    assert done(sm) == ["R1"]
    sm.send("leave")  # nothing pending any more
    sm.send("back")
    sm.send("go")  # R2, owned by p
    assert manual.cancelled == []
    sm.send("leave")
    assert manual.cancelled == ["R2"]


def test_the_domain_of_a_history_transition_is_found_when_it_runs(make_host, manual):
    body = f"""<state id="outer">{RECORD}
        <state id="p"><history id="h"><transition target="a"/></history>
          <state id="a"><transition event="next" target="b"/></state><state id="b"/></state>
        <state id="side"><transition event="resume" target="h">{fetch()}</transition></state>
        <transition event="away" target="side"/>
      </state><state id="gone"/>"""
    host, sm = start(make_host, manual, body, initial="outer")
    sm.send("next")
    sm.send("away")
    sm.send("resume")  # back into p's history: the domain is outer
    assert sm.configuration == {"outer", "p", "b"}
    sm.send("next")
    assert manual.cancelled == []
    manual.answer("R1")
    host.run_until_idle(0.05)
    assert done(sm) == ["R1"]


def test_the_end_of_the_session_cancels_everything(make_host, manual):
    body = f"""<state id="a"><onentry>{fetch()}{fetch('other')}</onentry><transition event="go">{fetch()}</transition>
      <transition event="end" target="f"/></state><final id="f"/>"""
    host, sm = start(make_host, manual, body)
    sm.send("go")
    sm.send("end")
    assert sorted(manual.cancelled) == ["R1", "R2", "R3"]
    assert sm._requests == {}


def test_a_guarded_step_out_of_the_owner_cancels_too(make_host, manual):
    """Steps decided by conditions run from recorded plans; a step out of a state that can own
    requests is never recorded."""
    body = f"""<state id="top">{RECORD}
        <state id="a"><onentry>{fetch()}</onentry>
          <transition event="e" cond="_event.data.n > 1" target="b"/><transition event="e" cond="true"/></state>
        <state id="b"><transition event="back" target="a"/></state></state>"""
    host, sm = start(make_host, manual, body)
    for round_ in range(3):
        sm.send("e", {"n": 0})
        sm.send("e", {"n": 2})
        sm.send("back")
    assert manual.cancelled == ["R1", "R2", "R3"]


def test_session_cancel_in_onexit_finds_the_request_still_pending(make_host, manual):
    """The seed's advice: cancel a GD fetch in the <onexit> of the state that issued it."""
    body = f"""<state id="top">
        <transition event="session.cancel.done error.session.cancel"><script>done.push(_event.name)</script></transition>
        <state id="a"><onentry>{fetch()}</onentry><onexit><session:cancel requestid="last"/></onexit>
          <transition event="go" target="b"/></state><state id="b"/></state>"""
    host, sm = start(make_host, manual, body)
    sm.send("go")
    host.run_until_idle(0.05)
    assert done(sm) == ["session.cancel.done"] and manual.cancelled == ["R1"]


def test_a_fetch_issued_while_the_session_ends_is_never_sent(make_host, manual):
    body = f"""<state id="a"><onexit>{fetch()}</onexit><transition event="end" target="f"/></state>
      <final id="f"><onexit>{fetch()}</onexit></final>"""
    host, sm = start(make_host, manual, body)
    sm.send("end")
    # a's onexit ran in the step to f: its fetch (the session's) started, and the end cancelled it;
    # f's onexit ran as the session ended: that fetch was never sent
    assert [r.requestid for r, _ in manual.started] == ["R1"] and manual.cancelled == ["R1"]
    assert sm.datamodel["last"] == "R2"
