"""Documents: charts found by URL (the host's mapping, confined `file:` URLs, http(s)), compiled at run time through the compiler's hook.

`<session:start src>` (and `<invoke>` documents known only at run time) name a chart by URL. The
`DocumentLoader` of a host looks in order at:
1. the host's `documents` mapping (URL -> chart file path, generated class or generated module,
   or another http(s) URL to fetch instead);
2. `file:` URLs (and relative names resolved to them), read only below the starting document's
   folder or the host's `document_roots`: any other path is reported as not found, never read;
3. `http:`/`https:` URLs, fetched with the host's HTTP client.

Text is compiled by the hook the compiler installs (`install_compiler`; the scxmlc package does
so when imported, and advertises it as the entry point `scxmlc_runtime.compilers`), so the
runtime never imports the compiler itself. Compiled charts are cached by content and folder.
"""

from __future__ import annotations

import os
import threading
import types
from pathlib import Path

from urllib.parse import unquote, urljoin, urlsplit

from ._lazylog import LazyLogger

_log = LazyLogger("scxmlc_runtime")  # (logging is imported on first use, issue 14)

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Callable
    from .host import Host
    from .machine import Machine


# The largest file a chart is made of (the chart, a script, data, an include): ORS's file fetches
# stop at the same size (ors/fetch.py).
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def read_limited(path: str | os.PathLike, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of the regular file at `path`; OSError as reading raises it, and also for what
    is no regular file (a pipe would block until someone writes to it, a device such as
    /dev/zero never ends) and, with errno EFBIG, for a file larger than `limit` (nothing past
    the limit is read)."""
    import errno
    import stat

    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(errno.EINVAL, "not a regular file (a device, a pipe or a folder)")
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit} bytes, the limit for a chart's files")
    return data


def read_body(response, limit: int = MAX_DOCUMENT_BYTES, seconds: float = 30.0) -> bytes:
    """The body of an http.client response, read a chunk at a time: OSError (EFBIG) past
    `limit` bytes, (ETIMEDOUT) after `seconds` in all, however slowly the server sends it (the
    socket's timeout bounds each wait, not the whole)."""
    import errno
    import time

    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(65536):
        size += len(chunk)
        if size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit} bytes, the limit for a chart's files")
        if time.monotonic() > deadline:
            raise OSError(errno.ETIMEDOUT, f"not read in {seconds:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


class DocumentError(Exception):
    """A document that cannot be had: `code` is `badfetch.<protocol>[.<status>]`, `badsyntax`
    (not a valid chart), `timeout` or `nocompiler`."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


# -- the compiler hook -------------------------------------------------------------------------

_compiler: Callable[[bytes, str, str], type] | None = None
# Charts compiled at run time, by (content digest, folder), the most recently used last: a
# server may be handed documents without end, and a compiled chart takes from 60 KB (a small
# chart) to megabytes (a large Composer document), so only the latest COMPILED_LIMIT stay.
COMPILED_LIMIT = 256
_compiled: dict[tuple[str, str], type] = {}
_compiled_lock = threading.Lock()
COMPILERS_ENTRY_POINT = "scxmlc_runtime.compilers"


def install_compiler(compile_chart: Callable[[bytes, str, str], type]) -> None:
    """Install the run-time compiler: `compile_chart(text, name, base_dir)` returns the chart
    class of an SCXML text, or raises DocumentError("badsyntax", diagnostics)."""
    global _compiler
    _compiler = compile_chart


def _find_compiler() -> Callable[[bytes, str, str], type] | None:
    if _compiler is None:
        from .extensions import first_entry_point

        found = first_entry_point(COMPILERS_ENTRY_POINT)
        if found is not None:
            install_compiler(found)
    return _compiler


def compile_document(text: bytes | str, name: str, base_dir: str) -> type:
    """The chart class of an SCXML text, compiled once per (content, folder)."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    import hashlib  # (imported when first used, as in _built below)

    key = (hashlib.sha256(text).hexdigest(), str(base_dir))
    with _compiled_lock:
        chart = _compiled.pop(key, None)
        if chart is not None:
            _compiled[key] = chart  # (used now: the last to go)
    if chart is not None:
        return chart
    compile_chart = _find_compiler()
    if compile_chart is None:
        raise DocumentError(
            "nocompiler", "this document is only known at run time; compiling it needs the scxmlc compiler installed"
        )
    chart = compile_chart(text, name, str(base_dir))
    chart.base_dir = str(base_dir)
    # how a stored session of this chart finds it again (snapshot.py)
    chart.document_source = (text, name, str(base_dir))
    with _compiled_lock:
        _compiled[key] = chart
        while len(_compiled) > COMPILED_LIMIT:
            del _compiled[next(iter(_compiled))]
    return chart


# -- URLs of documents --------------------------------------------------------------------------


# -- modules of a build step ---------------------------------------------------------------------

_BUILT: dict[tuple[str, float], type] = {}
_BUILT_LOCK = threading.Lock()


def module_name_for(path: Path) -> str:
    """The module name `scxmlc compile` gives a chart file (a Python identifier)."""
    stem = "".join(c if c.isalnum() or c == "_" else "_" for c in path.stem) or "chart"
    return ("_" + stem) if stem[0].isdigit() else stem


def module_header(path: Path) -> tuple[str | None, list[str]]:
    """The compiler version and the files a generated module's header says it embeds."""
    version, deps = None, []
    try:
        with path.open(encoding="utf-8") as f:
            first = f.readline()
            prefix = "# Generated by scxmlc "
            if first.startswith(prefix):
                version = first[len(prefix):].split(" ", 1)[0]
            for line in f:
                if not line.startswith("# Depends on: "):
                    break
                deps.append(line[len("# Depends on: "):].rstrip("\n"))
    except (OSError, UnicodeDecodeError):
        pass
    return version, deps


def up_to_date(chart: Path, target: Path) -> bool:
    """Whether `target` was built by this version after the chart and every file it embeds."""
    from . import __version__

    try:
        built = target.stat().st_mtime
    except OSError:
        return False
    version, deps = module_header(target)
    if version != __version__:
        return False
    for source in [chart, *(chart.parent / d for d in deps)]:
        try:
            if source.stat().st_mtime > built:
                return False
        except OSError:
            return False
    return True


def _import_built(target: Path) -> type:
    import importlib.util
    import sys

    from .machine import Machine

    key = (str(target.resolve()), target.stat().st_mtime)
    with _BUILT_LOCK:
        found = _BUILT.get(key)
        if found is not None:
            return found
        import hashlib

        name = "scxmlc_built_" + hashlib.sha256(key[0].encode("utf-8")).hexdigest()[:16] + f"_{int(key[1] * 1000)}"
        spec = importlib.util.spec_from_file_location(name, target)
        if spec is None or spec.loader is None:
            raise DocumentError("badsyntax", f"{target} cannot be imported")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # (snapshots find its functions by module name)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - a broken build output is this document's failure
            sys.modules.pop(name, None)
            raise DocumentError("badsyntax", f"{target}: {type(exc).__name__}: {exc}") from None
        chart = getattr(module, "Chart", None)
        if not (isinstance(chart, type) and issubclass(chart, Machine)):
            sys.modules.pop(name, None)
            raise DocumentError("badsyntax", f"{target} is not a module scxmlc generated (no Chart class)")
        _BUILT[key] = chart
        return chart


def document_url(machine: "Machine") -> str:
    """The URL a session's document came from: set by the loader, else its chart file; ""
    for a chart compiled from text without a folder (it has no URL)."""
    if machine.document_url:
        return machine.document_url
    folder = machine._base_dir()
    if not folder:
        return ""
    name = Path(machine.source_file or "chart.scxml").name
    return Path(os.path.abspath(folder)).joinpath(name).as_uri()


def file_path(url: str) -> Path:
    """The local path of a `file:` URL (`file:///a/b`, `file:/a/b`, `file:a/b`)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.netloc and parts.netloc != "localhost":
        path = "//" + parts.netloc + path
    return Path(path)


def confined(path: Path, roots: list[str | os.PathLike]) -> Path | None:
    """`path` with symbolic links resolved, when it lies below one of `roots`; else None."""
    try:
        real = Path(os.path.realpath(path))
    except (OSError, ValueError):
        return None
    for root in roots:
        try:
            base = Path(os.path.realpath(root))
        except (OSError, ValueError):
            continue
        if real == base or base in real.parents:
            return real
    return None


def resolve_url(src: str, base: "str | Callable[[], str] | None") -> str:
    """`src` made absolute against the URL of the document that names it (`file:x.json` and
    `x.json` are relative too). `base` may be a function, called only when needed; ValueError
    when it answers "" (a document with no URL names a relative one: there is nothing to
    resolve it against, ors-extensions.md §3.1's invalidattribute). `base` None: the
    application's own call, relative to the working folder."""
    parts = urlsplit(src)
    if parts.scheme in ("http", "https") or (parts.scheme == "file" and parts.path.startswith("/")):
        return src
    if parts.scheme not in ("", "file"):
        return src  # another scheme: the caller says whether it takes it
    if callable(base):
        base = base()
        if not base:
            raise ValueError("it is relative, and the document naming it has no URL (it was compiled from text, without a folder)")
    if base:
        return urljoin(base, src)
    return Path(os.path.abspath(file_path(src) if parts.scheme else src)).as_uri()


class DocumentLoader:
    """Finds the chart class of a URL for the sessions of one host (see the module docstring)."""

    def __init__(self, host: "Host", timeout: float = 30.0) -> None:
        self.host = host
        self.timeout = timeout

    def roots_for(self, machine: "Machine | None") -> list[str]:
        """Where `file:` URLs named by `machine` may be read: the host's roots, and the folder
        of the machine's own document when that is a local file (a document fetched over
        HTTP has no folder here)."""
        roots = [str(r) for r in self.host.document_roots]
        if machine is not None and urlsplit(document_url(machine)).scheme == "file":
            roots.append(machine._base_dir())
        return roots

    def load(
        self,
        src: str,
        starter: "Machine | None",
        on_done: Callable[[type | None, str, DocumentError | None], None],
    ) -> Any:
        """Find the chart of `src` (as the session `starter` names it) and call
        `on_done(chart, url, error)` on the host's thread: at once for mapped and `file:`
        documents, when the response is in for http(s). Returns a handle with `cancel()`
        for a fetch in progress, else None."""
        mapped = self.host.documents.get(src)
        url = src
        try:
            if mapped is None:
                try:
                    url = resolve_url(src, (lambda: document_url(starter)) if starter is not None else None)
                except ValueError as exc:
                    raise DocumentError("badfetch", f"cannot resolve {src!r}: {exc}") from None
                mapped = self.host.documents.get(url)
            if isinstance(mapped, str) and urlsplit(mapped).scheme in ("http", "https"):
                return self._http(mapped, lambda chart, _, error: on_done(chart, url, error))  # an alias
            if mapped is not None:
                on_done(self._mapped(mapped), url, None)
                return None
            scheme = urlsplit(url).scheme
            if scheme == "file":
                on_done(self._file(url, starter), url, None)
                return None
            if scheme in ("http", "https"):
                return self._http(url, on_done)
            raise DocumentError("badfetch", f"unsupported URL scheme in {src!r} (expected http, https or file)")
        except DocumentError as exc:
            on_done(None, url, exc)
            return None

    def _mapped(self, value: Any) -> type:
        from .machine import Machine

        if isinstance(value, type) and issubclass(value, Machine):
            return value
        if isinstance(value, types.ModuleType):
            chart = getattr(value, "Chart", None)
            if isinstance(chart, type) and issubclass(chart, Machine):
                return chart
            raise DocumentError("badsyntax", f"module {value.__name__} has no generated Chart class")
        if isinstance(value, (str, os.PathLike)):
            path = Path(value)
            try:
                text = read_limited(path)
            except OSError as exc:
                raise DocumentError("badfetch.file", f"cannot read {path}: {exc.strerror or exc}") from None
            return compile_document(text, path.name, str(path.resolve().parent))
        raise DocumentError("badfetch", f"the host maps this URL to {type(value).__name__}, not a chart")

    def _file(self, url: str, starter: "Machine | None") -> type:
        path = file_path(url)
        real = confined(path, self.roots_for(starter))
        if real is None:
            # Outside the roots is reported exactly as a missing file: nothing is read.
            raise DocumentError("badfetch.file", f"no document {url} (documents are read below {', '.join(self.roots_for(starter))})")
        built = self._built(real)
        if built is not None:
            return built
        try:
            text = read_limited(real)
        except OSError as exc:
            raise DocumentError("badfetch.file", f"cannot read {url}: {exc.strerror or exc}") from None
        return compile_document(text, real.name, str(real.parent))

    def _built(self, chart: Path) -> type | None:
        """The module a build step made of `chart` (Host(module_dirs=...)), when it is there
        and up to date; None: compile the chart."""
        for root in self.host.document_roots:
            try:
                rel = chart.relative_to(Path(root).resolve())
            except ValueError:
                continue
            for folder in self.host.module_dirs:
                target = Path(folder) / rel.parent / (module_name_for(chart) + ".py")
                if up_to_date(chart, target):
                    return _import_built(target)
                if os.path.exists(target):  # (False, not OSError, for a name too long)
                    _log.debug("%s is older than %s (or of another scxmlc): compiling the chart instead", target, chart)
        return None

    def _http(self, url: str, on_done: Callable) -> Any:
        client = self.host.service("http")
        token = self.host.io_begin()

        def done(response, failure) -> None:
            token.end()
            if failure is not None:
                code = "timeout" if failure.code == "timeout" else f"badfetch.http.{failure.code}"
                on_done(None, url, DocumentError(code, failure.description))
                return
            if not 200 <= response.status < 300:
                on_done(None, url, DocumentError(f"badfetch.http.{response.status}", f"GET {url}: HTTP {response.status}"))
                return
            try:
                # Relative names in a document fetched over HTTP resolve against its URL, not a
                # folder of ours: it compiles with no folder to read includes from.
                chart = compile_document(response.body, Path(urlsplit(url).path).name or "document.scxml", "")
            except DocumentError as exc:
                on_done(None, url, exc)
                return
            on_done(chart, url, None)

        handle = client.request("GET", url, [("Accept", "application/scxml+xml, application/xml, text/xml, */*")], None, self.timeout, done)

        class _Cancel:
            def cancel(self) -> None:
                handle.cancel()
                token.end()

        return _Cancel()


__all__ = [
    "DocumentError",
    "DocumentLoader",
    "compile_document",
    "confined",
    "document_url",
    "file_path",
    "install_compiler",
    "resolve_url",
    "read_body",
]
