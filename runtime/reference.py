"""Reference mode: the W3C algorithm as Appendix D writes it, without the runtime's plans and caches, so that every trick can be checked against it.

`Machine(plans=False)`, `Host(plans=False)` or the environment variable SCXMLC_REFERENCE=1 (which
also compiles without fast paths: scxmlc's `speculate=False`) make a session run the plain path.
Machine is plans.Planned mixed in before MachineBase; a reference-mode session's class puts
`PlainAlgorithm` before its chart class, and PlainAlgorithm is nothing but MachineBase's own
version of every procedure Planned overrides (interpreter.py, machine.py): `send` queues the
event and processes it as every queued event is processed, selection consults no cache,
microsteps are never recorded or replayed, entry sets are computed each time. The class is made
once per chart class and shares its tables: nothing a plain session does reads their caches.
"""

from __future__ import annotations

from .host import ENV, reference_mode  # (the hosts' default: host.py reads it, not importing this)
from .machine import MachineBase, derived_class
from .plans import Planned


def _plain_procedures() -> dict:
    """MachineBase's version of each procedure that Planned overrides (the ones only Planned
    has are never called by MachineBase's)."""
    out: dict = {"plans": False, "__module__": __name__, "__qualname__": "PlainAlgorithm"}
    for name, value in vars(Planned).items():
        if callable(value) and not name.startswith("__") and hasattr(MachineBase, name):
            out[name] = getattr(MachineBase, name)
    out["__doc__"] = "The procedures of MachineBase, in front of a chart class: " + ", ".join(sorted(k for k in out if not k.startswith("__") and k != "plans"))
    return out


PlainAlgorithm = type("PlainAlgorithm", (), _plain_procedures())


def plain_class(cls: type) -> type:
    """The reference-mode class of a session class (made once, sharing its tables): for a
    generated chart class, PlainAlgorithm before it; for a class that adds to one (a
    SupervisedSession, a test's checks), the same additions on the chart's plain class, so
    that what they add still runs first."""
    if issubclass(cls, PlainAlgorithm):
        return cls
    return derived_class(cls, "plain", lambda: _plain_class(cls))


def _plain_class(cls: type) -> type:
    namespace = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__", "_derived_classes")}
    namespace["tables"] = cls.tables  # (not a fresh ChartTables: Machine.__init_subclass__)
    namespace["chart_class"] = getattr(cls, "chart_class", None) or cls  # (snapshots name the chart)
    if "STATES" in cls.__dict__:
        bases: tuple = (PlainAlgorithm, cls)
        namespace = {k: namespace[k] for k in ("__module__", "__qualname__", "tables", "chart_class") if k in namespace}
    else:
        bases = tuple(plain_class(b) if "tables" in vars(b) or "STATES" in vars(b) else b for b in cls.__bases__)
    return type(cls.__name__, bases, namespace)


__all__ = ["ENV", "PlainAlgorithm", "plain_class", "reference_mode"]
