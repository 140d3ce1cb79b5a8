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

import hashlib
import os
import threading
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import unquote, urljoin, urlsplit

if TYPE_CHECKING:  # pragma: no cover
    from .host import Host
    from .machine import Machine


class DocumentError(Exception):
    """A document that cannot be had: `code` is `badfetch.<protocol>[.<status>]`, `badsyntax`
    (not a valid chart), `timeout` or `nocompiler`."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


# -- the compiler hook -------------------------------------------------------------------------

_compiler: Callable[[bytes, str, str], type] | None = None
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
    key = (hashlib.sha256(text).hexdigest(), str(base_dir))
    with _compiled_lock:
        chart = _compiled.get(key)
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
        if len(_compiled) < 10_000:  # bounded: documents can be generated without end
            _compiled[key] = chart
    return chart


# -- URLs of documents --------------------------------------------------------------------------


def document_url(machine: "Machine") -> str:
    """The URL a session's document came from: set by the loader, else its chart file."""
    if machine.document_url:
        return machine.document_url
    name = Path(machine.source_file or "chart.scxml").name
    return Path(os.path.abspath(machine._base_dir())).joinpath(name).as_uri()


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
    `x.json` are relative too). `base` may be a function, called only when needed."""
    parts = urlsplit(src)
    if parts.scheme in ("http", "https") or (parts.scheme == "file" and parts.path.startswith("/")):
        return src
    if parts.scheme not in ("", "file"):
        return src  # another scheme: the caller says whether it takes it
    if callable(base):
        base = base()
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
        if mapped is None:
            url = resolve_url(src, (lambda: document_url(starter)) if starter is not None else None)
            mapped = self.host.documents.get(url)
        try:
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
                text = path.read_bytes()
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
        try:
            text = real.read_bytes()
        except OSError as exc:
            raise DocumentError("badfetch.file", f"cannot read {url}: {exc.strerror or exc}") from None
        return compile_document(text, real.name, str(real.parent))

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
]
