"""scxmlc: compile W3C SCXML charts with ECMAScript into standalone Python modules."""

from scxmlc_runtime import __version__  # noqa: E402  (one version for the compiler and the runtime it emits for)

from .api import (  # noqa: E402
    CompileError,
    CompileResult,
    compile_file,
    compile_path,
    compile_source,
    load,
    load_source,
    load_string,
)
from .diagnostics import CompileWarning, Diagnostic  # noqa: E402


def _install_runtime_compiler() -> None:
    # The runtime compiles documents it meets only at run time through this hook (it never
    # imports the compiler; it also finds the hook by the package's entry point).
    from scxmlc_runtime.documents import install_compiler
    from scxmlc_runtime.js.dynamic import install_script_compiler

    from .api import runtime_compiler, runtime_script_compiler

    install_compiler(runtime_compiler)
    install_script_compiler(runtime_script_compiler)


_install_runtime_compiler()

__all__ = [
    "CompileError",
    "CompileResult",
    "CompileWarning",
    "Diagnostic",
    "__version__",
    "compile_file",
    "compile_path",
    "compile_source",
    "load",
    "load_source",
    "load_string",
]
