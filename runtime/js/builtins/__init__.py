"""The built-in objects of the shared realm; importing this package installs them, but for
those made on first use: the modules date, json, math and uri are imported by the first use of
their globals (values.LAZY_BUILTINS), and each freezes what it makes."""

from __future__ import annotations

from . import object as _object  # noqa: F401  (Object, Function, Boolean first: others use them)
from . import array, error, number, regexp, string  # noqa: F401
from . import source  # noqa: F401
from ._util import freeze_all
from ..values import (
    ARRAY_PROTO,
    BOOLEAN_PROTO,
    BUILTINS,
    ERROR_PROTOS,
    FUNCTION_PROTO,
    NUMBER_PROTO,
    OBJECT_PROTO,
    REGEXP_PROTO,
    STRING_PROTO,
    JSFunction,
    JSObject,
)

# Built-ins are shared by every chart in the process: freeze them so no script can change
# what another one sees (assignments to them throw a TypeError).
freeze_all(
    OBJECT_PROTO,
    FUNCTION_PROTO,
    ARRAY_PROTO,
    STRING_PROTO,
    NUMBER_PROTO,
    BOOLEAN_PROTO,
    REGEXP_PROTO,
    *ERROR_PROTOS.values(),
    *(v for v in BUILTINS.values() if isinstance(v, (JSFunction, JSObject))),
)
