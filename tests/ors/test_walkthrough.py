"""The seed example exactly as ors-extensions.md §11 walks it through: the parent detaches IXN-1 and starts a child, which attaches it and accepts it on DN 702; then the four error branches."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

import scxmlc
from scxmlc_runtime import Host, SimulatedClock
from scxmlc_runtime.js import to_py
from scxmlc_runtime.ors import SimulatedInteractions, SimulatedRouting

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "ors"
SEEDS = Path(os.environ.get("SCXMLC_SEEDS_DIR") or Path(__file__).resolve().parents[3] / "shared" / "seeds") / "ownership"
CHILD_URL = "http://localhost:17080/ixn_attach.scxml"


class Fixture:
    """§11's test fixture: ids R1, R2, ... and S-P, S-C in order of generation."""

    def __init__(self):
        self.requests = itertools.count(1)
        self.sessions = iter(["S-P", "S-C", "S-X"])

    def request_id(self):
        return f"R{next(self.requests)}"

    def session_id(self):
        return next(self.sessions)


@pytest.fixture(scope="module")
def charts():
    return scxmlc.load(EXAMPLES / "parent.scxml").Chart, scxmlc.load(EXAMPLES / "ixn_attach.scxml").Chart


def run(charts, resources=("702",), documents=None, faults=()):
    parent_chart, child_chart = charts
    lines: list[tuple[str, str]] = []
    ixn = SimulatedInteractions(resources=set(resources))
    for action, error in faults:
        ixn.fail(action, error)
    host = Host(
        SimulatedClock(),
        interactions=ixn,
        routing=SimulatedRouting(),
        ids=Fixture(),
        documents={CHILD_URL: child_chart} if documents is None else documents,
        log=lambda sessionid, label, text: lines.append((sessionid, text)),
    )
    parent = host.start(parent_chart)
    ixn.deliver(parent.sessionid, {"g_uid": "IXN-1", "category": "voice"})
    host.run_until_idle(max_seconds=60)
    return host, parent, lines


def session_log(lines, sid):
    return [text for s, text in lines if s == sid]


def ev(name: str, data: str) -> str:
    return f'({{name:"{name}", type:"external", sendid:"", origin:"", origintype:"", invokeid:"", data:{{{data}}}}})'


def test_the_examples_are_the_seed_documents():
    if not SEEDS.exists():
        pytest.fail(f"the seeds are missing: {SEEDS} (set SCXMLC_SEEDS_DIR to the folder that holds ownership/)")
    for name in ("parent.scxml", "ixn_attach.scxml"):
        assert (EXAMPLES / name).read_text() == (SEEDS / name).read_text()


def test_the_walk_through(charts):
    host, parent, lines = run(charts)
    assert session_log(lines, "S-P") == [
        "Detach call from current session ...",
        "Got detach confirmation",
        ev("interaction.detach.done", 'requestid:"R1", interactionid:"IXN-1"'),
        "Starting a new session that will attach the interaction ...",
        "**** Start Session Done",
        "**** Event details: " + ev("session.start.done", 'sessionid:"S-C"'),
        "**** New Session ID: S-C",
    ]
    assert session_log(lines, "S-C") == [
        "New session has been started ...",
        'Datamodel = ({reqid:"", ixnid:"", newsessionid:"", DN2:"702", parent_sessionid:"S-P", interactionid:"IXN-1"})',
        "Attach call to this new session ...",
        "Got attach confirmation:",
        ev("interaction.attach.done", 'requestid:"R2", interactionid:"IXN-1"'),
        "Answering call on dn = 702",
        "*** Got accept confirmation on DN = 702",
        "event details = " + ev("interaction.accept.done", 'requestid:"R3", interactionid:"IXN-1"'),
    ]
    # C1 happens before step 6: the child's first macrostep, then session.start.done
    order = [s for s, _ in lines]
    assert order.index("S-C") < lines.index(("S-P", "**** Start Session Done"))
    assert parent.done and parent.configuration == {"exit"}
    child = host.sessions["S-C"]
    assert child.done and child.configuration == {"exit"}
    assert child.datamodel["reqid"] == "R3" and parent.datamodel["newsessionid"] == "S-C"
    entry = host.service("ixn").get("IXN-1")
    assert to_py(entry.props)["state"] == "connected" and entry.owner is None  # released, still connected


def test_the_parent_takes_interaction_deleted_in_create_new_session_and_ignores_it(charts):
    records = []
    parent_chart, child_chart = charts
    ixn = SimulatedInteractions(resources={"702"})
    host = Host(SimulatedClock(), interactions=ixn, ids=Fixture(), documents={CHILD_URL: child_chart}, trace=records.append)
    parent = host.start(parent_chart)
    ixn.deliver(parent.sessionid, {"g_uid": "IXN-1"})
    host.run_until_idle(60)
    parent_events = [(r.kind, r.details.get("name") or r.details.get("state")) for r in records if r.session == "S-P" and r.kind in ("event", "enter")]
    assert parent_events == [
        ("enter", "initial"),
        ("event", "interaction.added"),
        ("enter", "detachcall"),
        ("event", "interaction.detach.done"),
        ("enter", "create_new_session"),
        ("event", "interaction.deleted"),  # no transition takes it
        ("event", "session.start.done"),
        ("enter", "exit"),
    ]
    host.close()


def test_detach_rejected(charts):
    host, parent, lines = run(charts, faults=[("detach", "invalidstate")])
    assert parent.configuration == {"error"} and "S-C" not in host.sessions
    assert session_log(lines, "S-P")[-2:] == [
        "Got detach error:",
        ev("error.interaction.detach", 'requestid:"R1", interactionid:"IXN-1", error:"invalidstate", description:"simulated fault: invalidstate"'),
    ]


@pytest.mark.parametrize("how", ["not registered", "404"])
def test_the_child_document_cannot_be_had(charts, how):
    from .httpserver import RecordingServer, Reply

    server = RecordingServer(lambda req: Reply(status=404, body="no such page")).listen()
    try:
        documents = {} if how == "not registered" else {CHILD_URL: server.url("/ixn_attach.scxml")}
        host, parent, lines = run(charts, documents=documents)
    finally:
        server.close()
    assert parent.configuration == {"error"}
    assert parent.datamodel["newsessionid"] == "S-C"
    last = to_py(parent.datamodel["_event"])
    assert last["name"] == "error.session.start" and last["data"]["sessionid"] == "S-C"
    if how == "404":
        assert last["data"]["error"] == "badfetch.http.404"
    else:  # nothing answers on localhost:17080 here
        assert last["data"]["error"].startswith("badfetch.http.")


def test_attach_of_an_interaction_still_owned(charts):
    """The child attaches IXN-1 while another session owns it: the runtime's ownership rule."""
    _, child_chart = charts
    lines = []
    ixn = SimulatedInteractions(resources={"702"})
    owner_chart = scxmlc.load_string(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:ixn="http://www.genesyslab.com/modules/interaction" version="1.0">'
        '<state id="holding"/></scxml>',
        module_name="walkthrough_owner",
    ).Chart
    host = Host(SimulatedClock(), interactions=ixn, ids=Fixture(), log=lambda s, label, text: lines.append((s, text)))
    owner = host.start(owner_chart)
    ixn.deliver(owner.sessionid, {"g_uid": "IXN-1"})
    child = host.start(child_chart, params={"parent_sessionid": "S-P", "interactionid": "IXN-1"})
    host.run_until_idle(60)
    assert child.configuration == {"error"}
    assert to_py(child.datamodel["_event"])["data"] == {
        "requestid": "R1", "interactionid": "IXN-1", "error": "invalidstate",
        "description": "interaction IXN-1 is owned by another session",
    }  # fmt: skip
    assert host.service("ixn").get("IXN-1").owner == owner.sessionid
    host.close()


def test_accept_on_an_unknown_dn(charts):
    host, parent, lines = run(charts, resources=("701",))
    child = host.sessions["S-C"]
    assert parent.configuration == {"exit"} and child.configuration == {"error"}
    got = to_py(child.datamodel["_event"])
    assert got["name"] == "error.interaction.accept"
    assert got["data"]["requestid"] == "R3" and got["data"]["error"] == "invalidresource"
    assert session_log(lines, "S-C")[-2] == "*** Got accept error:"
