"""Fixtures of the ORS tests: real HTTP servers on loopback, hosts on a simulated clock, chart builders."""

from __future__ import annotations

import itertools
import logging

import pytest

import scxmlc
from scxmlc_runtime import Host, SimulatedClock

from .httpserver import RecordingServer

NAMESPACES = (
    'xmlns="http://www.w3.org/2005/07/scxml" '
    'xmlns:session="http://www.genesyslab.com/modules/session" '
    'xmlns:ixn="http://www.genesyslab.com/modules/interaction" '
    'xmlns:queue="http://www.genesyslab.com/modules/queue"'
)
_names = itertools.count(1)


def ors(body: str, data: str = "", initial: str | None = None, name: str | None = None) -> str:
    """An ORS document: the Genesys namespaces, `data` inside <datamodel>, then `body`."""
    attrs = f' initial="{initial}"' if initial else ""
    attrs += f' name="{name}"' if name else ""
    return f'<scxml {NAMESPACES} version="1.0"{attrs}><datamodel>{data}</datamodel>{body}</scxml>'


def load(text: str, base_dir=None):
    """Compile and import a chart (a fresh module name each time)."""
    return scxmlc.load_string(text, module_name=f"ors_chart_{next(_names)}", base_dir=base_dir)


class SeqIds:
    """Deterministic ids: R1, R2, ... for requests and S1, S2, ... for sessions."""

    def __init__(self, sessions=None):
        self.requests = itertools.count(1)
        self.sessions = iter(sessions) if sessions is not None else (f"S{n}" for n in itertools.count(1))

    def request_id(self) -> str:
        return f"R{next(self.requests)}"

    def session_id(self) -> str:
        return next(self.sessions)


@pytest.fixture
def server():
    srv = RecordingServer().listen()
    yield srv
    srv.close()


@pytest.fixture
def make_host():
    hosts = []

    def make(clock=None, **kwargs) -> Host:
        kwargs.setdefault("ids", SeqIds())
        host = Host(clock if clock is not None else SimulatedClock(), **kwargs)
        hosts.append(host)
        return host

    yield make
    for host in hosts:
        host.close()


class Logs:
    """The log lines of every session of a host: (sessionid, label, text)."""

    def __init__(self):
        self.lines: list[tuple[str, str | None, str]] = []

    def __call__(self, sessionid, label, text):
        self.lines.append((sessionid, label, text))

    def texts(self, sessionid=None) -> list[str]:
        return [t for s, _, t in self.lines if sessionid is None or s == sessionid]


@pytest.fixture
def logs() -> Logs:
    return Logs()


@pytest.fixture
def runtime_log(caplog):
    caplog.set_level(logging.INFO, logger="scxmlc_runtime")
    return caplog
