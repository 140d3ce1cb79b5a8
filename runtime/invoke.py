"""Invoke: child sessions of <invoke> (SCXML 6.4): started, messaged, finalized and cancelled."""

from __future__ import annotations

import itertools
import sys

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from .actions import ExecutionError
from .events import make_event
from .js.interop import js_to_string
from .js.values import UNDEFINED

# The type names of the SCXML event processor that <invoke> accepts (6.4.1 and the spellings
# the W3C tests use).
SCXML_INVOKE_TYPES = {
    None,
    "scxml",
    "http://www.w3.org/TR/scxml/",
    "http://www.w3.org/TR/scxml",
    "http://www.w3.org/TR/scxml/#SCXMLEventProcessor",
}
_invoke_ids = itertools.count(1)


class InvokeMixin:
    """<invoke> for the Machine: children run in the same process, on the parent's clock."""

    parent: Any = None  # the machine that invoked this one
    invokeid: Any = None  # this machine's id in its parent
    base_dir: str | None = None  # where relative `file:` sources are found (see _base_dir)
    _cancelled = False
    _initial_data: dict | None = None

    def _init_invoke(self) -> None:
        # invokeid -> (state index, InvokeDef, child machine)
        self._children: dict[str, tuple[int, Any, Any]] = {}

    # -- Appendix D hooks -----------------------------------------------------------------

    def start_invoke(self, state: int, inv) -> None:
        try:
            invokeid = inv.id if inv.id is not None else f"{self.tables.ids[state]}.{next(_invoke_ids)}"
            if inv.idlocation is not None:
                inv.idlocation(self, invokeid)
            kind = inv.typeexpr(self) if inv.typeexpr is not None else inv.type
            if kind is not None and not isinstance(kind, str):
                kind = js_to_string(kind)
            if kind not in SCXML_INVOKE_TYPES:
                raise ExecutionError(f"unsupported <invoke> type {kind!r}", kind="TypeError")
            depth = self.invoke_depth + 1
            if depth > self.limits.invoke_depth:
                # limits.py: a chart that invokes itself would nest sessions (and Python frames)
                # without end
                raise ExecutionError(f"invoked sessions nested more than {self.limits.invoke_depth} deep (a chart that invokes itself?)")
            src = js_to_string(inv.srcexpr(self)) if inv.content is None and inv.srcexpr is not None else None
            remote = src if src is not None else (inv.src if inv.content is None and inv.chart is None else None)
            if remote is not None and not remote.startswith(("http:", "https:")):
                remote = None
            chart = None if remote is not None else self._child_chart(inv, src)
            data = inv.data(self) if inv.data is not None else None
        except Exception as exc:  # noqa: BLE001
            # SCXML 6.4: an invoke that cannot be started raises error.execution.
            self.raise_error("error.execution", exc)
            return
        if remote is not None:
            self._fetch_child(state, inv, invokeid, depth, data, remote)
            return
        self._start_child(state, inv, invokeid, depth, data, chart)

    def _fetch_child(self, state: int, inv, invokeid: str, depth: int, data: Any, url: str) -> None:
        """A child document on the network is fetched by the host's loader, without blocking
        the host (a session server's loop): the child starts when it has arrived, if its
        invoking state is still active; a fetch that fails raises error.execution then."""
        pending = self.__dict__.setdefault("_pending_invokes", {})
        pending[invokeid] = (state, inv, None)

        def loaded(chart, _url, error) -> None:
            self.run_guarded(self._fetched_child, invokeid, depth, data, chart, error)

        handle = self.host.loader.load(url, self, loaded)
        if invokeid in pending and handle is not None:
            pending[invokeid] = (state, inv, handle)

    def _fetched_child(self, invokeid: str, depth: int, data: Any, chart, error) -> None:
        entry = self.__dict__.get("_pending_invokes", {}).pop(invokeid, None)
        if entry is None or not self.running:
            return  # the invoking state was left meanwhile (cancel_invoke)
        if error is not None:
            self.raise_error("error.execution", ExecutionError(f"cannot fetch the <invoke> document: {error.description}"))
            return
        self._start_child(entry[0], entry[1], invokeid, depth, data, chart)

    def _start_child(self, state: int, inv, invokeid: str, depth: int, data: Any, chart) -> None:
        child = chart(host=self.host, log=self.log_handler, limits=self.limits, plans=self.plans)  # (its host: on_error, limits, roots)
        child.invoke_depth = depth
        child.parent = self
        child.invokeid = invokeid
        child.base_dir = self._base_dir()
        child._initial_data = data if isinstance(data, dict) else None
        self._children[invokeid] = (state, inv, child)
        if self.host.on_create is not None:
            self.host.on_create(child)  # (a session server stores it with its parent)
        child.start()

    def cancel_invoke(self, state: int, inv) -> None:
        for invokeid, (s, d, child) in list(self._children.items()):
            if s == state and d is inv:
                del self._children[invokeid]
                child.cancel_session()
        pending = self.__dict__.get("_pending_invokes")
        if pending:
            for invokeid, (s, d, handle) in list(pending.items()):
                if s == state and d is inv:
                    del pending[invokeid]  # (a document still on its way starts nothing)
                    if handle is not None:
                        handle.cancel()

    def before_external_event(self, event: dict) -> None:
        """Appendix D mainEventLoop: <finalize> of the invoke an event came from, then
        autoforward to every child that asked for it."""
        self.dm["_event"] = event
        source = event["invokeid"]
        for invokeid, (_, inv, child) in list(self._children.items()):
            if invokeid == source and inv.finalize is not None:
                self.execute_content(inv.finalize)
            if inv.autoforward and child.running:
                child.enqueue_external(dict(event))

    def return_done_event(self, data) -> None:
        # SCXML 6.4: a child that reaches a top-level final tells its parent, unless cancelled.
        # The parent keeps its entry until the invoking state is left: events the child sent
        # before finishing are still queued there and need their <finalize> (6.5).
        self._done_value = data  # (for other listeners: ors/session.py's done.scxml)
        if self.parent is not None and not self._cancelled:
            self.parent.enqueue_external(make_event("done.invoke." + self.invokeid, data, invokeid=self.invokeid))

    def resolve_special_target(self, target: str):
        if target == "#_parent":
            return self.parent
        entry = self._children.get(target[2:])
        return entry[2] if entry is not None else None

    def cancel_session(self) -> None:
        """End this child session because its invoking state was left: its onexit handlers
        run (exitInterpreter), its timers and children are cancelled, no done event is sent."""
        self._cancelled = True
        if self.running:
            self.running = False
            self.in_realm(self.exit_interpreter)
        for _, _, child in list(self._children.values()):
            child.cancel_session()
        self._children.clear()
        self.close()

    # -- the child's chart ----------------------------------------------------------------

    def _base_dir(self) -> str:
        """The folder of this session's document: its `file:` sources are read there. "" for
        a chart compiled from text without a folder (api.load_string without base_dir): it
        reads no file by a relative name (the working folder is no root of anyone's)."""
        if self.base_dir:
            return self.base_dir
        from pathlib import Path  # (imported on first use: keeps the runtime's import light, issue 14)

        module = sys.modules.get(type(self).__module__)
        path = getattr(module, "__file__", None)
        return str(Path(path).parent) if path and not path.startswith("<") else ""

    def _child_chart(self, inv, src: str | None = None) -> type:
        if inv.content is not None:
            value = inv.content(self)
            text = getattr(value, "source", value)
            if not isinstance(text, str):
                raise ExecutionError("<invoke> <content> does not hold an SCXML document")
            # A document made from data reads no file, unless the host allows it (its own
            # <data src> could otherwise read what the invoking session may not)
            return _compile_at_run_time(text, "<content>", self._base_dir() if self.host.content_documents_read_files else "")
        if inv.srcexpr is not None:
            return self._load_src(src if src is not None else js_to_string(inv.srcexpr(self)))
        if inv.chart is not None:
            return inv.chart
        if inv.src is not None:
            return self._load_src(inv.src)
        raise ExecutionError("<invoke> names no child chart (src, srcexpr or <content>)")

    def _load_src(self, src: str) -> type:
        """A child document in a file (http(s) ones are fetched: _fetch_child)."""
        from pathlib import Path  # (pathlib and documents are imported on first use: keeps the runtime's import light, issue 14)

        from .documents import confined

        path = src[5:] if src.startswith("file:") else src
        base = self._base_dir()
        if not base and not Path(path).is_absolute():
            raise ExecutionError(f"cannot load <invoke> src {src!r}: it is relative, and this document has no folder (it was compiled from text)")
        roots = self.host.loader.roots_for(self) + ([base] if base else [])
        full = confined(Path(base) / path, roots)
        if full is None:
            # (reported like a missing file: nothing outside the roots is read or quoted)
            raise ExecutionError(f"cannot load <invoke> src {src!r}: no such document below {', '.join(dict.fromkeys(roots))}")
        try:
            text = full.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ExecutionError(f"cannot load <invoke> src {src!r}: {getattr(exc, 'strerror', None) or 'not UTF-8 text'}") from None
        return _compile_at_run_time(text, full.name, str(full.parent))


def _compile_at_run_time(text: str, name: str, base_dir: str) -> type:
    """A document known only at run time goes through the compiler's hook (documents.py)."""
    from .documents import DocumentError, compile_document  # (imported on first use: keeps the runtime's import light, issue 14)

    try:
        return compile_document(text, name if name.endswith(".scxml") else "invoked.scxml", base_dir)
    except DocumentError as exc:
        if exc.code == "nocompiler":
            raise ExecutionError(
                "this <invoke> names a document only known at run time; compiling it needs the scxmlc compiler"
            ) from None
        raise ExecutionError(f"the invoked document does not compile: {exc.description}") from None


__all__ = ["InvokeMixin", "SCXML_INVOKE_TYPES", "UNDEFINED"]
