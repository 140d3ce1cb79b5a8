"""API: the compile pipeline (parse, verify, analyse, lower, emit) and in-memory loading."""

from __future__ import annotations

import hashlib
import linecache
import os
import threading
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

from scxmlc_runtime.documents import read_limited

from .analysis import analyse
from .diagnostics import CompileError, CompileWarning, Diagnostic, Diagnostics, Location
from .emitter import Unit, class_name_for, emit
from .lowering import lower
from .parser import parse_bytes
from .steps import fuse_steps
from .verifier import verify


@dataclass
class CompileResult:
    source: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    mode: str = ""  # which dialect the document was compiled in, and why (`scxmlc check --verbose`)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def compile_source(
    data: bytes | str,
    filename: str = "<string>",
    base_dir: str | os.PathLike | None = None,
    allow_fetch: bool = False,
    dialect: str | None = None,
    include_roots: tuple | list = (),
    speculate: bool | None = None,
    format: bool = True,
) -> CompileResult:
    """Compile SCXML text; raises CompileError carrying every diagnostic when there are errors.
    `dialect`: "ors" or "w3c" (default: ORS when the document looks like one); `include_roots`:
    folders `xi:include` may read below, besides the document's folder and its parent;
    `speculate=False`: no fast paths, the exact code only (the reference mode; default: False
    when SCXMLC_REFERENCE=1); `format=False`: the module is not formatted with black (what
    `load` and `load_string` compile is never written: the same code, with long lines)."""
    if speculate is None:
        from scxmlc_runtime.reference import reference_mode

        speculate = not reference_mode()
    if isinstance(data, str):
        data = data.encode("utf-8")
    if dialect not in (None, "ors", "w3c"):
        raise ValueError(f"dialect must be 'ors' or 'w3c', not {dialect!r}")
    diags = Diagnostics()
    doc = parse_bytes(data, filename, diags, base_dir=base_dir, allow_fetch=allow_fetch, dialect=dialect, include_roots=include_roots)
    if doc is not None:
        verify(doc, diags)
    diags.raise_if_errors()
    name = Path(filename).name
    main_class = class_name_for(doc.name or name.rsplit(".", 1)[0])
    units: list[Unit] = []

    def compile_child(child, prefix: str) -> str:
        # <invoke> children (inline or from a file) become classes of the same module,
        # emitted before their parent.
        verify(child, diags)
        diags.raise_if_errors()  # (the analysis assumes a verified chart, as for the parent)
        class_name = f"_{main_class}_{prefix.rstrip('_')}"
        chart = analyse(child, prefix)
        lowered = lower(chart, diags, compile_child, speculate)
        if speculate:
            fuse_steps(chart, lowered)
        units.append(Unit(chart, lowered, class_name, child.name or class_name))
        return class_name

    try:
        chart = analyse(doc)
        lowered = lower(chart, diags, compile_child, speculate)
        if speculate:
            fuse_steps(chart, lowered)  # (like the fast paths, a pass the reference mode leaves out)
        diags.raise_if_errors()
        units.append(Unit(chart, lowered, main_class, doc.name or name.rsplit(".", 1)[0]))
        # Files the module embeds, relative to the chart (deterministic wherever it is built).
        root = Path(base_dir if base_dir is not None else ".").resolve()
        deps = tuple(Path(os.path.relpath(d, root)).as_posix() for d in doc.dependencies)
        source = emit(units, name, deps, format=format)
    except (RecursionError, SyntaxError) as exc:
        # Python's own limits on nesting (its recursion, and its compiler's: 20 loops inside
        # each other, 100 indentation levels, 200 brackets) are the document's to respect:
        # executable content or an expression nested that deep is an error of the document.
        reason = _nesting_limit(exc)
        if reason is None:
            raise
        where = doc.loc if getattr(doc, "loc", None) is not None else Location(filename)
        raise CompileError([*diags.in_order(), Diagnostic("error", where, f"the chart nests too deeply for Python ({reason}): nest its executable content or expressions less deeply")]) from None
    return CompileResult(source, diags.in_order(), doc.mode)


def _nesting_limit(exc: BaseException) -> str | None:
    """Which of Python's nesting limits `exc` says the generated code met, or None (a bug)."""
    if isinstance(exc, RecursionError):
        return "its recursion limit"
    message = str(getattr(exc, "msg", "") or exc)
    return message if message.startswith("too many") else None


def compile_path(path: str | os.PathLike, allow_fetch: bool = False, dialect: str | None = None, include_roots: tuple | list = (), speculate: bool | None = None, format: bool = True) -> CompileResult:
    path = Path(path)
    try:
        data = read_limited(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CompileError([Diagnostic("error", Location(str(path)), f"cannot read file: {reason}")]) from None
    return compile_source(data, str(path), base_dir=path.parent, allow_fetch=allow_fetch, dialect=dialect, include_roots=include_roots, speculate=speculate, format=format)


def _warn(result: CompileResult) -> None:
    """Each compile warning through Python's `warnings` (CompileWarning), pointing at the
    caller of the API function."""
    for d in result.warnings:
        warnings.warn(str(d), CompileWarning, stacklevel=3)


@overload
def compile_file(path: str | os.PathLike, dialect: str | None = None, include_roots: tuple | list = (), return_warnings: Literal[False] = False, speculate: bool | None = None) -> str: ...
@overload
def compile_file(path: str | os.PathLike, dialect: str | None = None, include_roots: tuple | list = (), *, return_warnings: Literal[True], speculate: bool | None = None) -> tuple[str, list[Diagnostic]]: ...


def compile_file(path: str | os.PathLike, dialect: str | None = None, include_roots: tuple | list = (), return_warnings: bool = False, speculate: bool | None = None) -> str | tuple[str, list[Diagnostic]]:
    """The generated module's Python source for an SCXML file. Warnings are reported as
    CompileWarning; `return_warnings=True` returns `(source, warnings)` (Diagnostic objects)."""
    result = compile_path(path, dialect=dialect, include_roots=include_roots, speculate=speculate)
    _warn(result)
    return (result.source, result.warnings) if return_warnings else result.source


@overload
def load(
    path: str | os.PathLike, module_name: str | None = None, dialect: str | None = None, include_roots: tuple | list = (), return_warnings: Literal[False] = False,
    speculate: bool | None = None,
) -> types.ModuleType: ...
@overload
def load(
    path: str | os.PathLike, module_name: str | None = None, dialect: str | None = None, include_roots: tuple | list = (), *, return_warnings: Literal[True],
    speculate: bool | None = None,
) -> tuple[types.ModuleType, list[Diagnostic]]: ...


def load(
    path: str | os.PathLike, module_name: str | None = None, dialect: str | None = None, include_roots: tuple | list = (), return_warnings: bool = False,
    speculate: bool | None = None,
) -> types.ModuleType | tuple[types.ModuleType, list[Diagnostic]]:
    """Compile an SCXML file and import the result in memory (nothing is written to disk).
    Warnings are reported as CompileWarning; `return_warnings=True` returns `(module,
    warnings)`."""
    result = compile_path(path, dialect=dialect, include_roots=include_roots, speculate=speculate, format=False)
    _warn(result)
    module = load_source(result.source, module_name or f"scxmlc_chart_{Path(path).stem}", str(path))
    # Relative `file:` sources of <invoke>s resolve against the chart's folder.
    module.Chart.base_dir = str(Path(path).resolve().parent)
    return (module, result.warnings) if return_warnings else module


@overload
def load_string(text: str | bytes, module_name: str = "scxmlc_chart", base_dir: str | os.PathLike | None = None, return_warnings: Literal[False] = False, speculate: bool | None = None) -> types.ModuleType: ...
@overload
def load_string(text: str | bytes, module_name: str = "scxmlc_chart", base_dir: str | os.PathLike | None = None, *, return_warnings: Literal[True], speculate: bool | None = None) -> tuple[types.ModuleType, list[Diagnostic]]: ...


def load_string(text: str | bytes, module_name: str = "scxmlc_chart", base_dir: str | os.PathLike | None = None, return_warnings: bool = False, speculate: bool | None = None) -> types.ModuleType | tuple[types.ModuleType, list[Diagnostic]]:
    """Compile SCXML text and import the result in memory (as `load`)."""
    result = compile_source(text, f"{module_name}.scxml", base_dir=base_dir, speculate=speculate, format=False)
    _warn(result)
    module = load_source(result.source, module_name, f"{module_name}.scxml")
    if base_dir is not None:
        # Relative `file:` names of the chart resolve against the folder it was given.
        module.Chart.base_dir = str(Path(base_dir).resolve())
    return (module, result.warnings) if return_warnings else module


# Module texts registered in linecache (register_text), oldest first. linecache keeps a text
# registered this way for the life of the process, and a server compiles the documents it is
# handed at run time (runtime_compiler) without end: only the latest LINECACHE_LIMIT stay. An
# older module's traceback shows no source lines; its errors' SCXML locations are table data,
# and its snapshots' chart digest reads the text the module keeps (`__scxmlc_source__`).
LINECACHE_LIMIT = 1000
_registered: dict[str, None] = {}
_registered_lock = threading.Lock()  # (documents are compiled in the threads that need them)


def register_text(filename: str, source: str) -> None:
    """Register a generated module's text under `filename`, so tracebacks can show it."""
    lines = source.splitlines(True)
    with _registered_lock:
        linecache.cache[filename] = (len(source), None, lines, filename)
        _registered.pop(filename, None)
        _registered[filename] = None
        while len(_registered) > LINECACHE_LIMIT:
            oldest = next(iter(_registered))
            del _registered[oldest]
            linecache.cache.pop(oldest, None)


def load_source(source: str, module_name: str, origin: str) -> types.ModuleType:
    """Import generated Python `source` (what `compile_source` made) as the module
    `module_name`, without writing it anywhere: tracebacks show its lines (registered with
    linecache under a name naming `origin`, the chart it came from)."""
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]
    filename = f"<scxmlc {origin} {digest}>"
    register_text(filename, source)
    module = types.ModuleType(module_name)
    module.__file__ = filename
    module.__scxmlc_source__ = source  # (what linecache may let go of: snapshot.chart_digest)
    code = compile(source, filename, "exec")
    exec(code, module.__dict__)
    return module


def runtime_compiler(text: bytes, name: str, base_dir: str) -> type:
    """The runtime's compile hook (scxmlc_runtime.documents.install_compiler): the chart class of
    a document the runtime found by URL; DocumentError("badsyntax") with every diagnostic when
    it does not compile."""
    from scxmlc_runtime.documents import DocumentError

    label = name if name.endswith(".scxml") else f"{name or 'document'}.scxml"
    try:
        result = compile_source(text, label, base_dir=base_dir or None, format=False)
    except CompileError as exc:
        raise DocumentError("badsyntax", "; ".join(str(d) for d in exc.diagnostics if d.severity == "error")) from None
    digest = hashlib.sha256(result.source.encode("utf-8")).hexdigest()[:12]
    return load_source(result.source, f"scxmlc_runtime_{digest}", label).Chart


def runtime_script_compiler(text: str):
    """The runtime's hook for `eval` and `Function` (scxmlc_runtime.js.dynamic): a function of a
    datamodel that runs `text` in that global scope and returns its value (an expression's
    value; `undefined` for other programs). Text that does not parse throws a SyntaxError."""
    import ast as _ast

    import scxmlc_runtime.js.api as js_runtime  # (the loaded API: the package loads names on use)
    from scxmlc_runtime.js import JSThrow, make_error

    from .ecmascript import ECMAScriptSyntaxError, Transpiler

    import esprima

    js = Transpiler(dynamic_scope=True)
    try:
        try:
            tree = esprima.parseScript(text, {"range": True})
        except Exception as exc:  # noqa: BLE001 - esprima's own error type
            raise ECMAScriptSyntaxError(str(getattr(exc, "description", exc)), 1, 1) from None
        last = tree.body[-1] if tree.body else None
        if last is not None and last.type == "ExpressionStatement":
            # the completion value: the last statement's, when it is an expression statement
            # (`{}` alone is a block: undefined)
            start, end = last.expression.range
            first = js.script(text[: last.range[0]]) if last.range[0] > 0 and text[: last.range[0]].strip() else []
            body = [*first, _ast.Return(js.expr(text[start:end]))]
        else:
            body = [*js.script(text), _ast.Return(_ast.Name("UNDEFINED", _ast.Load()))]
    except ECMAScriptSyntaxError as exc:
        raise JSThrow(make_error("SyntaxError", exc.message)) from None
    fn = _ast.FunctionDef(
        name="_scxmlc_eval",
        args=_ast.arguments(posonlyargs=[], args=[_ast.arg("_dm")], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=[*js.hoisted_for(body), *body],
        decorator_list=[],
        returns=None,
    )
    if hasattr(_ast, "TypeAlias"):
        fn.type_params = []
    module = _ast.fix_missing_locations(_ast.Module([fn], []))
    from scxmlc_runtime.js.heap import SOURCE_KEY

    namespace = {k: v for k, v in vars(js_runtime).items() if not k.startswith("__")}
    namespace[SOURCE_KEY] = {"eval": text}  # (how a stored session finds the code again)
    exec(compile(module, "<eval>", "exec"), namespace)
    return namespace["_scxmlc_eval"]


__all__ = ["CompileError", "CompileResult", "compile_file", "compile_path", "compile_source", "load", "load_source", "load_string", "runtime_compiler", "runtime_script_compiler"]
