"""scxmlc: compile W3C SCXML charts with ECMAScript into standalone Python modules."""

from typing import TYPE_CHECKING

# The names below are imported when first used (PEP 562): `import scxmlc` alone loads nothing,
# so the pytest plugin (scxmlc.pytest_plugin, loaded by every pytest run where scxmlc is
# installed) and modules the import hook takes from its cache do not load the compiler.
_LAZY = {
    "__version__": "scxmlc_runtime",  # one version for the compiler and the runtime it emits for
    "CompileError": ".api",
    "CompileResult": ".api",
    "compile_file": ".api",
    "compile_path": ".api",
    "compile_source": ".api",
    "load": ".api",
    "load_source": ".api",
    "load_string": ".api",
    "CompileWarning": ".diagnostics",
    "Diagnostic": ".diagnostics",
    "diagram": ".diagrams",
    "DiagramError": ".diagrams",
    "install_import_hook": ".importhook",
    "uninstall_import_hook": ".importhook",
}

if TYPE_CHECKING:  # pragma: no cover
    from scxmlc_runtime import __version__

    from .api import CompileError, CompileResult, compile_file, compile_path, compile_source, load, load_source, load_string
    from .diagnostics import CompileWarning, Diagnostic
    from .diagrams import DiagramError, diagram
    from .importhook import install_import_hook, uninstall_import_hook


def __getattr__(name: str):
    import importlib

    where = _LAZY.get(name)
    if where is None:
        if name.startswith("__"):
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        # a submodule (`scxmlc.api` after a bare `import scxmlc`, as when the names were eager)
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    _install_runtime_compiler()
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value


_installed = False


def _install_runtime_compiler() -> None:
    # The runtime compiles documents it meets only at run time through this hook (it never
    # imports the compiler; it also finds the hook by the package's entry point). Installed
    # when the package is first used (the compiler itself reads `__version__` when imported);
    # the hooks import the compiler when first called.
    global _installed
    if _installed:
        return
    from scxmlc_runtime.documents import install_compiler
    from scxmlc_runtime.js.dynamic import install_script_compiler

    install_compiler(_runtime_compiler)
    install_script_compiler(_runtime_script_compiler)
    _installed = True


def _runtime_compiler(text, name, base_dir):
    from .api import runtime_compiler

    return runtime_compiler(text, name, base_dir)


def _runtime_script_compiler(text):
    from .api import runtime_script_compiler

    return runtime_script_compiler(text)


__all__ = [
    "CompileError",
    "CompileResult",
    "CompileWarning",
    "Diagnostic",
    "DiagramError",
    "__version__",
    "compile_file",
    "compile_path",
    "compile_source",
    "diagram",
    "install_import_hook",
    "load",
    "load_source",
    "load_string",
    "uninstall_import_hook",
]
