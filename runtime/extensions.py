"""Extensions, runtime side: action elements declared as data, and the registry of module services by namespace.

An extension module (the Genesys `session:`, `ixn:`, `queue:` ... modules are the ones shipped)
declares its action elements once, as plain data (`Module`, `Element`, `Attr`): the compiler
checks and lowers documents from the same declarations (scxmlc/extensions), and the runtime
coerces and validates the evaluated arguments from them (requests.py). The service that carries
a module's actions out is named by an import path and imported when a session first uses the
module, so `import scxmlc_runtime` stays light (no HTTP library is imported until a chart
fetches).

The W3C core knows none of this: a chart that uses no extension never touches this module's
registry.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

# Attribute kinds (what the text of the attribute is).
VALUE = "value"  # an ECMAScript expression, evaluated when the action runs
LOCATION = "location"  # an ECMAScript left-hand side that receives a value (a request id)
LITERAL = "literal"  # the text itself

# Value types an attribute is coerced to after evaluation (ors-extensions.md §1.3).
ANY = "any"
STRING = "string"
SECONDS = "seconds"  # integer seconds >= 0: a number or a string of digits
BOOLEAN = "boolean"
NUMBER = "number"  # a finite number, or a numeric string
DURATION = "duration"  # an xs:duration string ("PT5M") or a number of milliseconds
OBJECT = "object"  # an object (undefined and null: absent)


@dataclass(frozen=True)
class Attr:
    """One attribute of an action element."""

    name: str
    kind: str = VALUE
    type: str = ANY
    required: bool = False
    default: Any = None  # the value used when the attribute is absent (None: absent stays absent)
    values: tuple[str, ...] = ()  # allowed values (case-insensitive), checked at compile time when literal
    reads: bool = False  # LOCATION only: the action also reads the location's current value
    doc: str = ""


@dataclass(frozen=True)
class Element:
    """One action element of a module: its attributes and the children it takes."""

    tag: str
    attrs: tuple[Attr, ...]
    params: bool = False  # takes <param name expr> children
    content: bool = False  # takes one <content> child (`_expr`, `expr` or a text body)
    id_attr: str | None = None  # the LOCATION attribute that receives the request id
    supported: bool = True  # False: known, but not implemented (a warning; error.unsupported.element)
    # Elements of the same module it may contain, any number of each, in any order (their
    # evaluated arguments come as `children`: ((tag, args), ...) in document order).
    children: tuple["Element", ...] = ()
    doc: str = ""
    # The namespace of an element nested in another module's element (<dialog:runtreatments>
    # inside <queue:submit>); None: its parent's.
    namespace: str | None = None

    def attr(self, name: str) -> Attr | None:
        for a in self.attrs:
            if a.name == name:
                return a
        return None

    def child(self, tag: str) -> "Element | None":
        for c in self.children:
            if c.tag == tag:
                return c
        return None


@dataclass(frozen=True)
class Module:
    """An extension module: its namespace, its elements and the service that runs them."""

    name: str  # short name, used in generated code and error events ("session")
    namespace: str  # canonical namespace URI
    elements: dict[str, Element] = field(default_factory=dict)
    service: str | None = None  # "package.module:Class" of the runtime service; None: no service
    family: str | None = None  # an environment the runtime installs for charts using the module
    # An element the module does not declare: False, a compile error; True, a warning and
    # error.unsupported.element when run (a module whose element list is known to be longer).
    open: bool = False
    # The platform adapters its service uses, by the Host keyword that gives them
    # (Host(interactions=...)): "keyword": "what it is".
    adapters: dict[str, str] = field(default_factory=dict)
    doc: str = ""


_MODULES: dict[str, Module] = {}  # canonical namespace -> module
_BY_NAME: dict[str, Module] = {}
_FAMILIES: dict[str, tuple[str, ...]] = {}  # family -> namespace prefixes that belong to it
_ENVIRONMENTS: dict[str, str] = {}  # family -> "package.module:Class" of its script environment


def canonical_namespace(uri: str) -> str:
    """The namespace URI modules are registered under. A Genesys document may write a module
    namespace with or without its scheme (`www.genesyslab.com/modules/session`, as seed 003
    does): both name the same module (ors-extensions.md §1.1)."""
    uri = uri.strip()
    if uri.startswith("www."):
        return "http://" + uri
    if uri.startswith("https://www."):
        return "http://" + uri[len("https://"):]
    return uri


def register(module: Module) -> Module:
    _MODULES[canonical_namespace(module.namespace)] = module
    _BY_NAME[module.name] = module
    return module


def register_family(name: str, prefixes: tuple[str, ...], environment: str | None = None) -> None:
    """A family of namespaces (all `http://www.genesyslab.com/modules/*`): elements of a member
    namespace that no module declares are known to be unsupported, and charts that use any
    member get the family's script environment: a service (like a module's) whose
    `install(machine)` gives each such session its globals."""
    _FAMILIES[name] = prefixes
    if environment is not None:
        _ENVIRONMENTS[name] = environment


def module_for(namespace: str) -> Module | None:
    _load_builtin()
    return _MODULES.get(canonical_namespace(namespace))


def module_named(name: str) -> Module | None:
    _load_builtin()
    return _BY_NAME.get(name)


def adapter_names() -> dict[str, str]:
    """Host keywords of platform adapters, and the module each belongs to."""
    _load_builtin()
    return {key: m.name for m in _BY_NAME.values() for key in m.adapters}


def family_of(namespace: str) -> str | None:
    _load_builtin()
    ns = canonical_namespace(namespace)
    for family, prefixes in _FAMILIES.items():
        if any(ns.startswith(p) for p in prefixes):
            return family
    return None


def environment_class(family: str) -> str | None:
    """The import path of a family's environment service."""
    _load_builtin()
    return _ENVIRONMENTS.get(family)


# Services every host can create on demand, besides modules and environments.
_SERVICES: dict[str, str] = {"http": "scxmlc_runtime.httpclient:HTTPClient"}


def service_path(name: str) -> str | None:
    """The import path of the service a Host creates for `name`: a module's, an
    environment's, or a built-in one ("http")."""
    _load_builtin()
    module = _BY_NAME.get(name)
    if module is not None and module.service is not None:
        return module.service
    return _ENVIRONMENTS.get(name) or _SERVICES.get(name)


def load_object(path: str) -> Any:
    """`package.module:attribute`, imported on first use."""
    module_name, _, attr = path.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def first_entry_point(group: str) -> Any:
    """The object of the first entry point of `group` that loads (how the compiler's run-time
    hooks are found when the application did not install them), or None."""
    from importlib.metadata import entry_points

    for ep in entry_points(group=group):
        try:
            return ep.load()
        except Exception:  # noqa: BLE001 - a broken plugin is the same as none
            continue
    return None


# Modules shipped with the runtime: their declarations register themselves when the registry
# is first consulted (their services are imported when a chart first uses them).
BUILTIN_DECLARATIONS = ("scxmlc_runtime.ors.declarations",)
_loaded = False


def _load_builtin() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for name in BUILTIN_DECLARATIONS:
            importlib.import_module(name)

__all__ = [
    "ANY",
    "adapter_names",
    "Attr",
    "BOOLEAN",
    "DURATION",
    "Element",
    "LITERAL",
    "LOCATION",
    "Module",
    "NUMBER",
    "OBJECT",
    "SECONDS",
    "STRING",
    "VALUE",
    "canonical_namespace",
    "environment_class",
    "family_of",
    "first_entry_point",
    "load_object",
    "module_for",
    "module_named",
    "register",
    "register_family",
    "service_path",
]
