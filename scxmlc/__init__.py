"""scxmlc: compile W3C SCXML charts with ECMAScript into standalone Python modules."""

__version__ = "0.1.0"

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
from .diagnostics import Diagnostic  # noqa: E402

__all__ = [
    "CompileError",
    "CompileResult",
    "Diagnostic",
    "__version__",
    "compile_file",
    "compile_path",
    "compile_source",
    "load",
    "load_source",
    "load_string",
]
