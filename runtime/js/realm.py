"""Per-session changes to the shared built-ins: a session may add or replace properties of `Array.prototype`, `Date`, `Math`..., and only that session sees them (ors-dialect.md §5.4).

The built-in objects are one set per process (values.py), frozen so that generated code and the
runtime read them as plain dicts, with no per-read check. ES3/ES5 libraries patch them
(`Date.prototype.toJSON`, `String.prototype.trim`, `Array.prototype.indexOf`, usually behind a
guard), so a write to a built-in made by a session's code is not refused: it becomes part of that
session's `Patches`, its own values for those (object, key) pairs.

The patches of a session are in the shared objects only while that session's code runs: a
session that patches becomes a `SupervisedSession` (machine.py), whose runs call `switch_realm` as
they start and end (`APPLIED` holds the patches in place; None when the built-ins are pristine,
as they are whenever no patched session runs); the entries that may nest one session's run in
another's (start, run_guarded) restore what they found. Reads therefore cost nothing, a session
that patches nothing pays nothing on its own runs, and a patched one a few dict writes per run
for each property it patched.

A write is attributed to the session whose generated code is on the Python stack (the `_sm`
argument of every generated function): a rare event, so finding it there beats recording the
running session at every entry. Code that runs outside any session (a host's own use of the JS
runtime) cannot patch: the write throws a TypeError as before.

Threads: the built-ins are shared by all threads, so hosts that run sessions in several threads
at once must not run documents that patch them (docs/ecmascript.md).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from .values import MISSING, JSFunction

# The Patches now applied to the built-ins (None: none, the pristine realm).
APPLIED: list = [None]
# ids of the built-in objects (registered as they are frozen): only these can be patched; an
# object frozen by Object.freeze stays read-only.
BUILTIN_IDS: set[int] = set()
# (id(obj), key) -> (obj, the pristine value or MISSING), recorded when first patched by anyone
_PRISTINE: dict[tuple[int, str], tuple[Any, Any]] = {}
# Bounds (documents are untrusted): properties one session may patch, and distinct properties
# all sessions together may have patched.
MAX_SESSION_PATCHES = 1000
MAX_PATCHED_PROPERTIES = 100_000


class Patches:
    """One session's own values for properties of built-in objects."""

    __slots__ = ("values", "hidden")

    def __init__(self) -> None:
        self.values: dict[tuple[int, str], tuple[Any, Any]] = {}  # (id, key) -> (obj, value or MISSING)
        self.hidden: set[tuple[int, str]] = set()  # added with defineProperty, not enumerable

    def __len__(self) -> int:
        return len(self.values)


def register_builtin(obj: Any) -> None:
    BUILTIN_IDS.add(id(obj))


def _get(obj: Any, key: str) -> Any:
    if type(obj) is JSFunction:
        props = obj.props
        return MISSING if props is None else props.get(key, MISSING)
    return dict.get(obj, key, MISSING)


def _put(obj: Any, key: str, value: Any) -> None:
    if type(obj) is JSFunction:
        props = obj.props
        if value is MISSING:
            if props is not None:
                props.pop(key, None)
            return
        if props is None:
            props = obj.props = {}
        props[key] = value
    elif value is MISSING:
        dict.pop(obj, key, None)
    else:
        dict.__setitem__(obj, key, value)


def switch_realm(target: Patches | None) -> None:
    """Put the built-ins in the state `target` describes: revert the patches applied now, then
    apply `target`'s."""
    current = APPLIED[0]
    if current is not None:
        for k, (obj, _) in current.values.items():
            _put(obj, k[1], _PRISTINE[k][1])
    APPLIED[0] = target
    if target is not None:
        for k, (obj, value) in target.values.items():
            _put(obj, k[1], value)


def running_session() -> Any:
    """The session whose generated code is on the stack (the `_sm` of the nearest generated
    function), or None."""
    f = sys._getframe(1)
    while f is not None:
        code = f.f_code
        if "_sm" in code.co_varnames or "_sm" in code.co_cellvars:
            sm = f.f_locals.get("_sm")
            if sm is not None and hasattr(sm, "realm_patches"):
                return sm
        f = f.f_back
    return None


def patch(obj: Any, key: str, value: Any, enumerable: bool = True) -> bool:
    """A session's write (`value`) or delete (MISSING) of property `key` of built-in `obj`:
    recorded in the session's Patches and applied. False when `obj` is not a built-in or no
    session is running (the caller refuses the write)."""
    if id(obj) not in BUILTIN_IDS:
        return False
    current = _PRISTINE.get((id(obj), key), (None, _get(obj, key)))[1]
    if current is not MISSING and type(current) is not JSFunction:
        # the data properties of built-ins (Math.PI, Number.MAX_VALUE, F.prototype) are
        # read-only (ES5.1 15.8.1, 15.7.3, 15.3.5.2); the methods are writable (15 intro)
        return False
    sm = running_session()
    if sm is None:
        return False
    patches = sm.realm_patches
    if patches is None:
        patches = sm.realm_patches = Patches()
        hook = getattr(sm, "realm_patched", None)
        if hook is not None:
            hook(APPLIED[0])  # (from now on its runs apply its patches, and revert at the end)
    if APPLIED[0] is not patches:
        switch_realm(patches)
    k = (id(obj), key)
    if k not in patches.values and len(patches.values) >= MAX_SESSION_PATCHES or k not in _PRISTINE and len(_PRISTINE) >= MAX_PATCHED_PROPERTIES:
        from .errors import throw_range_error

        throw_range_error("too many changes to built-in objects")
    if k not in _PRISTINE:
        # no session has patched it yet, so what is there now is the built-in's own value
        _PRISTINE[k] = (obj, _get(obj, key))
    patches.values[k] = (obj, value)
    if enumerable:
        patches.hidden.discard(k)
    elif _PRISTINE[k][1] is MISSING:
        patches.hidden.add(k)
    _put(obj, key, value)
    return True


def added_keys(obj: Any) -> list[str]:
    """The enumerable properties that the running session added to built-in `obj` (built-in
    properties themselves are not enumerable: ES5.1 15 intro)."""
    patches = APPLIED[0]
    if patches is None:
        return []
    i = id(obj)
    return [
        key
        for (oid, key), (_, value) in patches.values.items()
        if oid == i and value is not MISSING and _PRISTINE[(oid, key)][1] is MISSING and (oid, key) not in patches.hidden
    ]


__all__ = ["APPLIED", "BUILTIN_IDS", "Patches", "added_keys", "patch", "register_builtin", "running_session", "switch_realm"]
