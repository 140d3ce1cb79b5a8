"""Extensions, compiler side: the registry of extension modules by namespace URI, each with the runtime's declaration of its elements and its own compile-time checks.

An element's attributes (kind, type, required, default, allowed values) and children are
declared once, as data, in the runtime package (scxmlc_runtime.extensions; the Genesys modules
in scxmlc_runtime.ors.declarations). From that data the parser builds `ModuleAction` nodes,
the verifier checks them (ors-extensions.md §12: required and unknown attributes, children,
enumerated literals, assignable locations) and lowering turns each into a call of the runtime's
request pattern. What the data cannot say (`<param>` and `<content>` together, a GET with a JSON
encoding, ...) is a module's `check` function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import re

from scxmlc_runtime.extensions import Element, Module, canonical_namespace, family_of, module_for

from .. import model as m
from ..diagnostics import Diagnostics

# check(action, element declaration, diagnostics)
Check = Callable[[m.ModuleAction, Element, Diagnostics], None]


@dataclass(frozen=True)
class CompilerModule:
    declaration: Module
    check: Check | None = None

    @property
    def name(self) -> str:
        return self.declaration.name


_REGISTRY: dict[str, CompilerModule] = {}


def register(declaration: Module, check: Check | None = None) -> CompilerModule:
    entry = CompilerModule(declaration, check)
    _REGISTRY[canonical_namespace(declaration.namespace)] = entry
    return entry


def lookup(namespace: str | None) -> CompilerModule | None:
    """The module of a namespace (either spelling of a Genesys namespace), or None."""
    if not namespace:
        return None
    found = _REGISTRY.get(canonical_namespace(namespace))
    if found is None and module_for(namespace) is not None:
        # declared by the runtime with no checks of its own on this side
        found = register(module_for(namespace))
    return found


_STRING_LITERAL = re.compile(r"""^\s*(?:'([^'\\\n]*)'|"([^"\\\n]*)")\s*$""")


def static_string(source: str | None) -> str | None:
    """The value of an expression that is a plain string literal (`'get'`), else None: such
    values are checked when compiling."""
    if source is None:
        return None
    found = _STRING_LITERAL.match(source)
    if not found:
        return None
    return found.group(1) if found.group(1) is not None else found.group(2)


def family(namespace: str | None) -> str | None:
    """The extension family a namespace belongs to ("genesys"), or None."""
    return family_of(namespace) if namespace else None


# the modules' own checks register themselves
from . import dialog as _dialog  # noqa: E402,F401
from . import queue as _queue  # noqa: E402,F401
from . import session as _session  # noqa: E402,F401
from . import ws as _ws  # noqa: E402,F401

__all__ = ["CompilerModule", "family", "lookup", "register", "static_string"]
