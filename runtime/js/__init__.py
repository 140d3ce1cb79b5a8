"""JavaScript value model, operators and built-ins for transpiled ECMAScript.

Public API (docs/ecmascript.md): the value classes, conversions, and every `js_*` helper the
transpiler emits. Generated modules import helpers by name from here.
"""

from __future__ import annotations

from .values import (
    HOLE,
    INF,
    NAN,
    UNDEFINED,
    GlobalObject,
    HostObject,
    JSArray,
    JSFunction,
    JSObject,
    JSThrow,
    new_globals,
)
from .errors import error_name_message, make_error
from .conversions import js_truthy, to_number, to_string, number_to_string, to_int32, to_uint32
from .properties import (
    for_in_keys,
    js_call,
    js_call_this,
    js_delete,
    js_get,
    js_getp,
    js_in,
    js_index,
    js_length,
    js_instanceof,
    js_invoke,
    js_new,
    js_ref_key,
    js_set,
    js_setp,
)
from .operators import (
    js_add,
    js_bitand,
    js_bitnot,
    js_bitor,
    js_bitxor,
    js_dec,
    js_div,
    js_eq,
    js_ge,
    js_gt,
    js_inc,
    js_key,
    js_le,
    js_lt,
    js_mod,
    js_mul,
    js_ne,
    js_neg,
    js_pos,
    js_pow,
    js_shl,
    js_shr,
    js_str_add,
    js_strict_eq,
    js_strict_ne,
    js_sub,
    js_typeof,
    js_ushr,
)
from . import builtins as _builtins  # noqa: F401  (installs the built-ins)
from .builtins._util import js_native
from .interop import js_display, js_to_string, to_js, to_py
from .dynamic import js_eval, js_new_function
from .codegen_support import *  # noqa: F401,F403
from .codegen_support import __all__ as _support_all

__all__ = [
    "UNDEFINED",
    "HOLE",
    "JSThrow",
    "HostObject",
    "JSObject",
    "JSArray",
    "JSFunction",
    "GlobalObject",
    "new_globals",
    "to_js",
    "to_py",
    "js_truthy",
    "js_to_string",
    "js_display",
    "json_parse",
    "json_stringify",
    "make_error",
    "error_name_message",
    "js_native",
    "js_get",
    "js_set",
    "js_getp",
    "js_index",
    "js_length",
    "js_setp",
    "js_call",
    "js_call_this",
    "js_invoke",
    "js_new",
    "js_delete",
    "js_ref_key",
    "js_in",
    "js_instanceof",
    "js_add",
    "js_str_add",
    "js_sub",
    "js_mul",
    "js_div",
    "js_mod",
    "js_pow",
    "js_neg",
    "js_pos",
    "js_inc",
    "js_dec",
    "js_bitand",
    "js_bitor",
    "js_bitxor",
    "js_bitnot",
    "js_shl",
    "js_shr",
    "js_ushr",
    "js_eq",
    "js_ne",
    "js_strict_eq",
    "js_strict_ne",
    "js_lt",
    "js_gt",
    "js_le",
    "js_ge",
    "js_typeof",
    "js_key",
    "js_eval",
    "js_new_function",
    *_support_all,
]


def __getattr__(name: str):
    # json_parse and json_stringify come with the JSON built-in, which is made on first use
    # (values.LAZY_BUILTINS): importing them from here makes it.
    if name in ("json_parse", "json_stringify"):
        from .builtins import json

        return getattr(json, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
