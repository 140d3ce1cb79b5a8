"""The Genesys Orchestration Server (ORS) extensions: the `session:` module, the ORS script environment, and the platform adapters behind them.

Nothing here is imported until a chart uses it: `declarations` (what the compiler and the
runtime check) is plain data; the services load when a session first needs them.

Public names (imported on first use):
- `Genesys`: the ORS environment (`_genesys`, `__Log`, `__Raise`, `__GetCurrentStates`),
  with the tenant, server and configuration lists it reports;
- `SessionModule`: `<session:fetch|start|updatestart|terminate|cancel>`;
- `InteractionModule`, `InteractionPlatform`: `<ixn:...>`, the interaction registry, and what an
  interaction platform implements; `QueueModule`, `RoutingPlatform`, `RouteRequest`:
  `<queue:submit|cancel|query>` and what a routing platform implements; `DialogModule`,
  `DialogPlatform`, `DialogRequest`: `<dialog:...>` treatments and what a dialog platform
  implements;
- `SimulatedInteractions`, `SimulatedRouting`, `SimulatedDialog`, `Agent`: a contact centre in
  memory;
- `Target`, `parse_target`: target strings of `<queue:targetid>`;
- `FetchRequest`, `FetchResult`, `FetchDispatcher`: the fetch transports' interface;
- `EspRequest`, `EspReply`, `MemoryEspTransport`: ESP requests and an in-memory ESP server.
"""

from __future__ import annotations

_LAZY = {
    "Genesys": "environment",
    "SessionModule": "session",
    "InteractionModule": "interaction",
    "InteractionPlatform": "interaction",
    "QueueModule": "queue",
    "RoutingPlatform": "queue",
    "RouteRequest": "queue",
    "DialogModule": "dialog",
    "DialogPlatform": "dialog",
    "DialogRequest": "dialog",
    "SimulatedDialog": "simulated",
    "SimulatedInteractions": "simulated",
    "SimulatedRouting": "simulated",
    "Agent": "simulated",
    "Target": "targets",
    "parse_target": "targets",
    "FetchDispatcher": "fetch",
    "FetchRequest": "fetch",
    "FetchResult": "fetch",
    "EspReply": "esp",
    "EspRequest": "esp",
    "MemoryEspTransport": "esp",
    "esp_to_json": "esp",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = sorted(_LAZY)
