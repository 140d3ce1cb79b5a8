"""Parser: SCXML text to the document model, with a hardened lxml parser and element-placement checks.

The parser never resolves entities, never loads a DTD and never touches the network (SCXML is
untrusted input). It is tolerant: an element in the wrong place is reported and skipped, so one
run reports every problem. Reference checks (targets, ids, history defaults) are the verifier's.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin

from lxml import etree
from scxmlc_runtime.documents import read_limited

from . import extensions
from . import model as m
from .compose import PLACEHOLDER, XI, Composer, origin_of, shown_beside
from .network import REMOTE
from .diagnostics import Diagnostics, Location
from .positions import syntax_error_location

NS = m.SCXML_NS
_STATE_TAGS = {"state", "parallel", "final", "history"}
_EXECUTABLE = {"raise", "log", "assign", "script", "if", "elseif", "else", "foreach", "send", "cancel"}
# Every element SCXML 1.0 defines; anything else in its namespace is an error.
_KNOWN = _STATE_TAGS | _EXECUTABLE | {
    "scxml", "transition", "initial", "onentry", "onexit", "datamodel", "data", "donedata",
    "content", "param", "invoke", "finalize",
}  # fmt: skip


# Genesys attributes with a leading underscore that ORS documents (ors-dialect.md §2.2).
_ORS_METADATA = {
    "scxml": ("_persist", "_type"),
    "state": ("_persist", "_type"),
    "parallel": ("_persist", "_type"),
    "final": ("_persist", "_type"),
    "data": ("_type", "_desc"),
}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_file(path: str | os.PathLike, diags: Diagnostics) -> m.Document | None:
    """Parse an SCXML file; None (with diagnostics) when it is not well-formed XML."""
    path = Path(path)
    try:
        data = read_limited(path)
    except OSError as exc:
        diags.error(Location(str(path)), f"cannot read file: {exc.strerror or exc}")
        return None
    return parse_bytes(data, str(path), diags, base_dir=path.parent)


def parse_bytes(
    data: bytes,
    filename: str,
    diags: Diagnostics,
    base_dir: str | os.PathLike | None = None,
    allow_fetch: bool = False,
    dialect: str | None = None,
    include_roots: tuple | list = (),
    invoking: tuple = (),
) -> m.Document | None:
    """Parse SCXML text. `allow_fetch`: load http(s) `<script src>` now (SCXML 5.8 loads
    scripts with the document) and http(s) `xi:include` pages; off by default, so a document
    never makes the compiler reach the network unless the user asked for it. `dialect`: "ors" or "w3c" to force the
    dialect (default: ORS when the document looks like an ORS document, ors-dialect.md §1.1).
    `include_roots`: folders the document's files may be read below, besides its own folder
    (`<data src>`, `<script src>`, `<invoke src>`; `xi:include` also below its parent folder).
    `base_dir` None: a document that has no folder (text from an application, or from data at
    run time) reads no file at all."""
    if b"\r" in data and b"\0" not in data and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        # XML ends lines with CR LF or a lone CR as well (XML 1.0 2.11), but the parser counts
        # lines by LF only: a file with CR line ends was all on line 1 for its diagnostics.
        # (Only in an encoding where "<" and CR are the ASCII bytes, and no NUL: not UTF-16/32,
        # where 0x0D may be half of another character, nor EBCDIC.)
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        at = syntax_error_location(filename, exc)
        msg = exc.msg or str(exc)
        # lxml appends "(<string>, line N)"; the location is already in front.
        msg = msg.split(", line ")[0].rstrip(" (")
        diags.error(at, f"XML syntax error: {msg}{_syntax_hint(data, at.line, msg)}")
        return None
    diags.positions.add(root, data)  # (columns for the locations: positions.py)
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None:
        # Entities are never expanded; say so instead of silently dropping the text.
        diags.warning(Location(filename, 1), "the DOCTYPE declaration is ignored (entities are never expanded)")
        for declared in dtd.iterentities():
            # (except that the XML parser expands an internal entity in an attribute value:
            # there is no reference to keep there, so its declaration is refused)
            diags.error(Location(filename, 1), f"entity declarations are not supported (<!ENTITY {declared.name}>)")
    for ent in root.iter(etree.Entity):
        # Never expanded (untrusted input: no file reads, no entity bombs); dropping the
        # reference would silently change the text, so it is an error.
        diags.error(Location(filename, ent.sourceline or 0), f"entity reference {ent.text} is not supported")
    base = Path(base_dir) if base_dir is not None else Path(".")
    roots = None if base_dir is None else (base, *(Path(r) for r in include_roots))
    builder = _Builder(filename, diags, base, allow_fetch, roots)
    # (the documents whose <invoke src> led here, this one last: a cycle is not followed)
    builder.invoking = (*invoking, _resolved(filename))
    reason = ors_reason(root, data) if dialect is None else f"--dialect {dialect} given"
    builder.ors = reason is not None if dialect is None else dialect == "ors"
    if dialect is None and not builder.ors and base_dir is not None:
        top = base.resolve() / Path(filename).name
        builder.ors = _included_marks_ors(root, top.parent, [top.parent, top.parent.parent, *(Path(r) for r in include_roots)])
        reason = f"a fragment it includes holds {PLACEHOLDER} or a Genesys namespace" if builder.ors else None
    # (`scxmlc check --verbose` shows it: docs/ors.md, "which mode a document got and why")
    builder.mode = f"compiled as {'an ORS' if builder.ors else 'a W3C'} document: {reason or 'none of the marks of an ORS document (ors-dialect.md §1.1)'}"
    if _local(root) != "scxml" or _ns(root) != NS:
        diags.error(builder.loc(root), f"root element must be <scxml> in namespace {NS}, found <{root.tag}>")
        return None
    builder.root_element = root
    builder.genesys = builder.ors or _uses_genesys(root)
    if builder.ors:
        # ORS merges a page's includes before it runs it (ors-dialect.md §3)
        top = base.resolve() / Path(filename).name
        roots = [top.parent, top.parent.parent, *(Path(r) for r in include_roots)]
        # (compiled from text, the document has no folder: its includes read no file)
        composer = Composer(filename, top, diags, None if base_dir is None else roots, _parser, allow_fetch)
        composer.compose(root)
        builder.dependencies.extend(composer.dependencies)
    return builder.document(root)


_XINCLUDE = "http://www.w3.org/2001/XInclude"


def _resolved(filename: str) -> str:
    try:
        return str(Path(filename).resolve())
    except (OSError, RuntimeError, ValueError):
        return filename


def _below(path: Path, roots) -> bool:
    """Whether `path` (symbolic links followed) lies below one of `roots`."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return False
    for root in roots:
        try:
            if real.is_relative_to(Path(root).resolve()):
                return True
        except (OSError, RuntimeError):
            continue
    return False


def ors_mode(root, data: bytes) -> bool:
    """ORS mode (ors-dialect.md §1.1): `profile` without `datamodel`, a Genesys module
    namespace declared or used, or the `$$_MY_PREFIX_$$` placeholder."""
    return ors_reason(root, data) is not None


def ors_reason(root, data: bytes) -> str | None:
    """Why a document is an ORS document (ors_mode), or None."""
    if root.get("profile") is not None and root.get("datamodel") is None:
        return "it has 'profile' without 'datamodel'"
    if PLACEHOLDER.encode() in data:
        return f"it holds {PLACEHOLDER}"
    if _uses_genesys(root):
        return "it uses a Genesys module's namespace"
    return None


def _included_marks_ors(root, folder: Path, roots: list) -> bool:
    """§1.1 condition 3 through an include: a fragment the page includes holds the
    `$$_MY_PREFIX_$$` placeholder (or a Genesys module's namespace). Only files the includes
    may read (below the include roots) are looked into, each once, and a bounded read."""
    for inc in root.iter(f"{{{XI}}}include"):
        href = inc.get("href") or ""
        if not href or "://" in href or href.startswith("/"):
            continue
        path = (folder / href).resolve()
        if not any(path.is_relative_to(Path(r).resolve()) for r in roots):
            continue
        try:
            data = read_limited(path, 8 * 1024 * 1024)
        except OSError:
            continue
        if PLACEHOLDER.encode() in data or b"www.genesyslab.com/modules/" in data:
            return True
    return False


def _uses_genesys(root) -> bool:
    return any(extensions.family(ns) == "genesys" for el in root.iter() if isinstance(el.tag, str) for ns in el.nsmap.values())


def _syntax_hint(data: bytes, line: int, msg: str) -> str:
    """How to mend the common mistakes behind an XML syntax error: examples copied from
    Genesys documentation pages write `cond="a && b"`, which XML forbids."""
    if "EntityRef" not in msg or line <= 0:
        return ""
    lines = data.split(b"\n")
    text = lines[line - 1] if line <= len(lines) else b""
    if b"&&" in text:
        return " (a bare '&' is not allowed in XML: write && as &amp;&amp; inside an attribute)"
    return " (a bare '&' is not allowed in XML: write it as &amp;)"


def _ns(el) -> str | None:
    return etree.QName(el).namespace


def _local(el) -> str:
    return etree.QName(el).localname


def _tokens(value: str | None) -> tuple[str, ...]:
    return tuple(value.split()) if value else ()


# ORS <send>/<cancel> attributes that are no expression: taken as written when they are a
# literal of their kind (ors-dialect.md §4.1-§4.4), a word, or for `delay` a duration with its
# unit (§4.2's grammar, the runtime's parse_delay); anything else is read as an expression,
# whose error the compiler reports.
_ORS_WORD = re.compile(r"[^\s'\"]+")


def _ors_literal(name: str, text: str) -> bool:
    if name != "delay":
        return bool(_ORS_WORD.fullmatch(text.strip()))
    from scxmlc_runtime.actions import ExecutionError, parse_delay

    try:
        parse_delay(text)
    except ExecutionError:
        return False
    return True


class _Builder:
    ors = False  # ORS dialect rules apply (see parse_bytes)
    mode = ""  # which dialect, and why (parse_bytes)
    genesys = False  # the document runs in the ORS environment

    def __init__(self, filename: str, diags: Diagnostics, base_dir: Path, allow_fetch: bool = False, roots: tuple | None = ()):
        self.allow_fetch = allow_fetch
        self.filename = filename
        self.diags = diags
        self.base_dir = base_dir
        # folders files may be read below (None: none at all); () means the document's folder
        self.roots = (base_dir,) if roots == () else roots
        self.invoking: tuple = ()
        self.dependencies: list[str] = []  # files read, as absolute paths

    # -- helpers ----------------------------------------------------------------------------

    def loc(self, el) -> Location:
        # (an element merged from an included file keeps that file's name: compose.py)
        return self.diags.positions.location(el, origin_of(el) or self.filename)

    def elements(self, el):
        """Child elements, in document order."""
        return [c for c in el if isinstance(c.tag, str)]

    def check_text(self, el, what: str) -> None:
        for c in [el, *self.elements(el)]:
            text = c.text if c is el else c.tail
            if text and text.strip():
                self.diags.error(self.loc(el), f"unexpected text in <{what}>: {text.strip()[:40]!r}")
                return

    def unexpected(self, child, parent: str) -> None:
        if _ns(child) == _XINCLUDE:
            # (composition is the ORS dialect's, ors-dialect.md §10: in a W3C document an
            # include that is silently left out would leave its code out)
            self.diags.error(self.loc(child), f"<xi:{_local(child)}> is part of the ORS dialect, not of W3C SCXML: compile the document as ORS (--dialect ors) [ORS-E10]")
        elif _ns(child) != NS:
            self.diags.warning(
                self.loc(child),
                f"element <{_local(child)}> of namespace {_ns(child)} ignored in <{parent}>",
            )
        elif _local(child) not in _KNOWN:
            self.diags.error(self.loc(child), f"unknown SCXML element <{_local(child)}>")
        else:
            self.diags.error(self.loc(child), f"<{_local(child)}> is not allowed in <{parent}>")

    def attrs(self, el, allowed: set[str], required: tuple[str, ...] = ()) -> dict[str, str]:
        out = {}
        for key, value in el.attrib.items():
            q = etree.QName(key)
            if q.namespace is not None:
                continue  # foreign attributes are for extension modules
            if key not in allowed:
                if self.ors and key.startswith("_"):
                    # Genesys attributes (ors-dialect.md §2.2): metadata
                    if key not in _ORS_METADATA.get(_local(el), ()):
                        self.diags.info(self.loc(el), f"attribute '{key}' on <{_local(el)}> is kept as metadata [ORS-I01]")
                    continue
                self.diags.error(self.loc(el), f"unknown attribute '{key}' on <{_local(el)}>")
                continue
            out[key] = value
        for key in required:
            if key not in out:
                self.diags.error(self.loc(el), f"<{_local(el)}> requires the attribute '{key}'")
        return out

    def exclusive(self, el, a: dict, *names: str) -> None:
        present = [n for n in names if n in a]
        if len(present) > 1:
            self.diags.error(
                self.loc(el), f"<{_local(el)}> must not have both " + " and ".join(f"'{n}'" for n in present)
            )

    def resolve(self, src: str) -> Path:
        """The file a `file:` (or plain relative) reference names, relative to the document."""
        path = src[5:] if src.startswith("file:") else src
        if path.startswith("//"):
            path = path[2:]
        return self.base_dir / path

    def fetch(self, el, url: str) -> str | None:
        """An http(s) <script src>, loaded at compile time when the user allowed it."""
        if not self.allow_fetch:
            self.diags.error(
                self.loc(el),
                f"<script src='{url}'> is on the network: compile with --allow-fetch (API: allow_fetch=True) to load it",
            )
            return None
        from .network import FetchError, fetch

        try:
            data, charset = fetch(url)
            return data.decode(charset or "utf-8")
        except (FetchError, UnicodeDecodeError, LookupError) as exc:  # (LookupError: a charset Python does not know)
            self.diags.error(self.loc(el), f"cannot fetch <script> src '{url}': {exc}")
            return None

    def src_of(self, el, src: str) -> str | None:
        """`src` as the element's page names it: in a page merged from the network it is
        relative to the page's URL and never a local file (ors-dialect.md §3.4; None: refused,
        the error reported)."""
        origin = origin_of(el)
        if origin is None or not REMOTE.match(origin):
            return src
        url = urljoin(origin, src.strip())
        if not REMOTE.match(url):
            self.diags.error(self.loc(el), f"src '{src[:200]}' in {origin} is refused: a page from the network reads no local file [ORS-E12]")
            return None
        return url

    def load_file(self, el, src: str, what: str, severity: str = "error") -> str | None:
        """Read a `file:` (or plain relative) reference at compile time."""
        if src.startswith(("http:", "https:")):
            return None  # fetched at run time
        report = self.diags.error if severity == "error" else self.diags.warning
        suffix = "" if severity == "error" else "; the <invoke> raises error.execution when run"
        if self.roots is None:
            report(self.loc(el), f"cannot load {what} src '{src}': this document has no folder (it was compiled from text), so it reads no file{suffix}")
            return None
        path = self.resolve(src)
        if not _below(path, self.roots):
            # (never read, and never quoted: only the name is told)
            where = ", ".join(str(Path(r).resolve()) for r in self.roots)
            report(self.loc(el), f"cannot load {what} src '{src}': it is outside the folders files are read from ({where}; add one with --include-root){suffix}")
            return None
        try:
            # (as read_text reads it: line ends made "\n")
            text = read_limited(path).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
            self.dependencies.append(str(path.resolve()))
            return text
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or ("not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else type(exc).__name__)
            report(self.loc(el), f"cannot load {what} src '{src}': {reason}{suffix}")
            return None

    # -- document ---------------------------------------------------------------------------

    def document(self, el) -> m.Document:
        a = self.attrs(el, {"initial", "name", "version", "datamodel", "binding", "exmode"} | ({"profile"} if self.ors else set()))
        if a.get("version", "1.0") != "1.0":
            self.diags.error(self.loc(el), f"unsupported SCXML version '{a['version']}' (expected 1.0)")
        if "profile" in a:
            # the 2009 draft ORS follows: the profile names the expression language (§2.1)
            profile = a["profile"].strip()
            if profile != "ecmascript":
                self.diags.error(self.loc(el), f"unsupported profile '{profile}' (ORS supports ecmascript) [ORS-E01]")
            elif "datamodel" in a and a["datamodel"].strip() != profile:
                self.diags.error(self.loc(el), f"profile '{profile}' and datamodel '{a['datamodel']}' disagree [ORS-E02]")
        self.literal_send_ids = {e.get("id") for e in el.iter(f"{{{NS}}}send") if e.get("id")}
        datamodel = a.get("datamodel", "ecmascript").strip() or "ecmascript"
        binding = a.get("binding", "early")
        if binding not in ("early", "late"):
            self.diags.error(self.loc(el), f"binding must be 'early' or 'late', not '{binding}'")
            binding = "early"
        children: list[m.State] = []
        data: list[m.Data] = []
        scripts: list[m.Script] = []
        foreign: list[m.Foreign] = []
        for child in self.elements(el):
            tag = _local(child)
            if _ns(child) == NS and tag in ("state", "parallel", "final"):
                children.append(self.state(child))
            elif _ns(child) == NS and tag == "datamodel":
                data.extend(self.datamodel(child))
            elif _ns(child) == NS and tag == "script":
                scripts.append(self.script(child))
            elif _ns(child) != NS:
                foreign.append(self.foreign(child))
                self.unexpected(child, "scxml")
            else:
                self.unexpected(child, "scxml")
        self.check_text(el, "scxml")
        return m.Document(
            loc=self.loc(el),
            name=a.get("name"),
            datamodel=datamodel,
            binding=binding,
            initial_attr=_tokens(a.get("initial")),
            children=tuple(children),
            data=tuple(data),
            scripts=tuple(scripts),
            foreign=tuple(foreign),
            dependencies=tuple(dict.fromkeys(self.dependencies)),
            environment="genesys" if self.genesys else None,
            ors=self.ors,
            mode=self.mode,
            persist=el.get("_persist", "true").strip().lower() != "false" if self.ors else True,
        )

    def foreign(self, el) -> m.Foreign:
        return m.Foreign(
            loc=self.loc(el),
            namespace=_ns(el) or "",
            tag=_local(el),
            attrib=tuple(sorted((str(k), str(v)) for k, v in el.attrib.items())),
            xml=etree.tostring(el, encoding="unicode", with_tail=False),
        )

    # -- states -----------------------------------------------------------------------------

    def state(self, el) -> m.State:
        tag = _local(el)
        allowed = {"id"}
        if tag == "state":
            allowed |= {"initial"}
        if tag == "history":
            allowed |= {"type"}
        a = self.attrs(el, allowed)
        sid = a.get("id")
        kw: dict = {}
        if tag == "history":
            htype = a.get("type", "shallow")
            if htype not in ("shallow", "deep"):
                self.diags.error(self.loc(el), f"history type must be 'shallow' or 'deep', not '{htype}'")
                htype = "shallow"
            kw["history_type"] = htype
        children, transitions, onentry, onexit, data, invokes = [], [], [], [], [], []
        initial = None
        donedata = None
        for child in self.elements(el):
            ctag = _local(child)
            if _ns(child) != NS:
                self.unexpected(child, tag)
                continue
            if ctag in ("state", "parallel", "final", "history") and tag in ("state", "parallel"):
                children.append(self.state(child))
            elif ctag == "transition" and tag in ("state", "parallel", "history"):
                transitions.append(self.transition(child))
            elif ctag == "onentry" and tag != "history":
                onentry.append(self.block(child))
            elif ctag == "onexit" and tag != "history":
                onexit.append(self.block(child))
            elif ctag == "initial" and tag == "state":
                if initial is not None:
                    self.diags.error(self.loc(child), "a state may have only one <initial> child")
                initial = self.initial(child)
            elif ctag == "datamodel" and tag != "history":
                data.extend(self.datamodel(child))
            elif ctag == "invoke" and tag in ("state", "parallel"):
                invokes.append(self.invoke(child))
            elif ctag == "donedata" and tag == "final":
                if donedata is not None:
                    self.diags.error(self.loc(child), "a <final> may have only one <donedata>")
                donedata = self.donedata(child)
            else:
                self.unexpected(child, tag)
        self.check_text(el, tag)
        if tag == "state" and initial is not None and "initial" in a:
            self.diags.error(self.loc(el), "a state must not have both an 'initial' attribute and an <initial> child")
        return m.State(
            loc=self.loc(el),
            kind=tag,
            id=sid,
            initial_attr=_tokens(a.get("initial")),
            initial=initial,
            children=tuple(children),
            transitions=tuple(transitions),
            onentry=tuple(onentry),
            onexit=tuple(onexit),
            data=tuple(data),
            invokes=tuple(invokes),
            donedata=donedata,
            **kw,
        )

    def initial(self, el) -> m.Transition | None:
        self.attrs(el, set())
        transitions = []
        for child in self.elements(el):
            if _ns(child) == NS and _local(child) == "transition":
                transitions.append(self.transition(child))
            else:
                self.unexpected(child, "initial")
        if len(transitions) != 1:
            self.diags.error(self.loc(el), "<initial> must contain exactly one <transition>")
            return transitions[0] if transitions else None
        t = transitions[0]
        if t.events or t.cond:
            self.diags.error(t.loc, "the <transition> in <initial> must not have 'event' or 'cond'")
        if not t.targets:
            self.diags.error(t.loc, "the <transition> in <initial> must have a target")
        return t

    def transition(self, el) -> m.Transition:
        a = self.attrs(el, {"event", "cond", "target", "type"})
        ttype = a.get("type", "external")
        if ttype not in ("internal", "external"):
            self.diags.error(self.loc(el), f"transition type must be 'internal' or 'external', not '{ttype}'")
        events = []
        for desc in _tokens(a.get("event")):
            events.append(desc)
        if "event" in a and not events:
            self.diags.error(self.loc(el), "the 'event' attribute of <transition> must not be empty")
        cond = a.get("cond")
        if cond is not None and not cond.strip():
            # A leniency (README, W3C conformance): SCXML 3.5 asks for a boolean expression, but
            # generators write cond="" for "no guard".
            self.diags.warning(self.loc(el), "empty 'cond' on <transition> is read as no condition: the transition is unconditional")
            cond = None
        return m.Transition(
            loc=self.loc(el),
            events=tuple(events),
            cond=cond,
            targets=_tokens(a.get("target")),
            internal=ttype == "internal",
            actions=self.actions(el, "transition"),
        )

    # -- data -------------------------------------------------------------------------------

    def datamodel(self, el) -> list[m.Data]:
        self.attrs(el, set())
        out = []
        for child in self.elements(el):
            if _ns(child) == NS and _local(child) == "data":
                out.append(self.data(child))
            else:
                self.unexpected(child, "datamodel")
        self.check_text(el, "datamodel")
        return out

    def data(self, el) -> m.Data:
        a = self.attrs(el, {"id", "src", "expr"}, ("id",))
        content = self.body(el) if (len(el) or (el.text and el.text.strip())) else None
        n = sum(1 for x in (a.get("src"), a.get("expr"), content) if x is not None)
        if n > 1:
            self.diags.error(self.loc(el), "<data> may have only one of 'src', 'expr' and content")
        src_text = None
        if "src" in a and (src := self.src_of(el, a["src"])) is not None:
            a["src"] = src
            src_text = self.load_file(el, src, "<data>")
        return m.Data(
            loc=self.loc(el), id=a.get("id", ""), expr=a.get("expr"), src=a.get("src"), src_text=src_text, content=content
        )

    def body(self, el) -> m.Content:
        """The children of <content>/<data>/<assign>: text, XML, or an inline <scxml>."""
        kids = self.elements(el)
        if not kids:
            return m.Content(loc=self.loc(el), text=el.text or "")
        if len(kids) == 1 and _local(kids[0]) == "scxml" and _ns(kids[0]) == NS:
            builder = _Builder(self.filename, self.diags, self.base_dir, self.allow_fetch, self.roots)
            builder.ors, builder.genesys = self.ors, self.genesys
            builder.root_element, builder.literal_send_ids = self.root_element, self.literal_send_ids
            builder.invoking = self.invoking  # (an inline child in this file: the same cycle check)
            nested = builder.document(kids[0])
            self.dependencies.extend(nested.dependencies)
            xml = etree.tostring(kids[0], encoding="unicode", with_tail=False)
            return m.Content(loc=self.loc(el), xml=xml, scxml=nested)
        parts = [el.text or ""] + [etree.tostring(k, encoding="unicode", with_tail=True) for k in kids]
        return m.Content(loc=self.loc(el), xml="".join(parts))

    def content(self, el) -> m.Content:
        a = self.attrs(el, {"expr"})
        has_body = bool(len(el) or (el.text and el.text.strip()))
        if "expr" in a:
            if has_body:
                self.diags.error(self.loc(el), "<content> must not have both 'expr' and a body")
            return m.Content(loc=self.loc(el), expr=a["expr"])
        return self.body(el)

    def param(self, el) -> m.Param:
        a = self.attrs(el, {"name", "expr", "location"}, ("name",))
        self.exclusive(el, a, "expr", "location")
        for child in self.elements(el):
            self.unexpected(child, "param")
        return m.Param(loc=self.loc(el), name=a.get("name", ""), expr=a.get("expr"), location=a.get("location"))

    def donedata(self, el) -> m.DoneData:
        self.attrs(el, set())
        content, params = None, []
        for child in self.elements(el):
            tag = _local(child)
            if _ns(child) == NS and tag == "content":
                content = self.content(child)
            elif _ns(child) == NS and tag == "param":
                params.append(self.param(child))
            else:
                self.unexpected(child, "donedata")
        if content is not None and params:
            self.diags.error(self.loc(el), "<donedata> must not have both <content> and <param>")
        return m.DoneData(loc=self.loc(el), content=content, params=tuple(params))

    def invoke(self, el) -> m.Invoke:
        a = self.attrs(
            el, {"type", "typeexpr", "src", "srcexpr", "id", "idlocation", "namelist", "autoforward"}
        )
        self.exclusive(el, a, "type", "typeexpr")
        self.exclusive(el, a, "src", "srcexpr")
        self.exclusive(el, a, "id", "idlocation")
        params, content, finalize = [], None, ()
        for child in self.elements(el):
            tag = _local(child)
            if _ns(child) == NS and tag == "param":
                params.append(self.param(child))
            elif _ns(child) == NS and tag == "content":
                content = self.content(child)
            elif _ns(child) == NS and tag == "finalize":
                finalize = self.actions(child, "finalize")
            else:
                self.unexpected(child, "invoke")
        af = a.get("autoforward", "false")
        if af not in ("true", "false"):
            self.diags.error(self.loc(el), f"autoforward must be 'true' or 'false', not '{af}'")
        if content is not None and ("src" in a or "srcexpr" in a):
            self.diags.error(self.loc(el), "<invoke> must not have both 'src'/'srcexpr' and <content>")
        if "namelist" in a and params:
            self.diags.error(self.loc(el), "<invoke> must not have both 'namelist' and <param>")
        src_document = None
        if "src" in a and (src := self.src_of(el, a["src"])) != a["src"]:
            if src is None:
                del a["src"]  # (refused: the error is reported)
            else:
                a["src"] = src
        if "src" in a and not a["src"].startswith(("http:", "https:")) and self.roots is not None and _resolved(str(self.resolve(a["src"]))) in self.invoking:
            # A chart that invokes itself (or one of the charts invoking it): recursion is the
            # running chart's business (bounded by Limits.invoke_depth), not the compiler's;
            # the document is compiled when it is invoked.
            self.diags.warning(self.loc(el), f"<invoke src='{a['src']}'> invokes a document that invokes this one (or itself): it is compiled at run time, when invoked")
        elif "src" in a and not a["src"].startswith(("http:", "https:")):
            # A child chart in a file is compiled ahead of time, into the same module.
            text = self.load_file(el, a["src"], "<invoke>", severity="warning")
            if text is not None:
                child_path = self.resolve(a["src"])
                src_document = parse_bytes(
                    text.encode("utf-8"), str(child_path), self.diags, base_dir=child_path.parent, allow_fetch=self.allow_fetch,
                    include_roots=tuple(r for r in self.roots if r != child_path.parent), invoking=self.invoking,
                )  # fmt: skip
                if src_document is not None:
                    self.dependencies.extend(src_document.dependencies)
        return m.Invoke(
            loc=self.loc(el),
            src_document=src_document,
            type=a.get("type"),
            typeexpr=a.get("typeexpr"),
            src=a.get("src"),
            srcexpr=a.get("srcexpr"),
            id=a.get("id"),
            idlocation=a.get("idlocation"),
            namelist=_tokens(a.get("namelist")),
            autoforward=af == "true",
            params=tuple(params),
            content=content,
            finalize=finalize,
        )

    # -- executable content -----------------------------------------------------------------

    def block(self, el) -> tuple[m.Action, ...]:
        self.attrs(el, set())
        return self.actions(el, _local(el))

    def actions(self, el, parent: str) -> tuple[m.Action, ...]:
        out = []
        for child in self.elements(el):
            action = self.action(child, parent)
            if action is not None:
                out.append(action)
        self.check_text(el, parent)
        return tuple(out)

    def action(self, el, parent: str) -> m.Action | None:
        if _ns(el) != NS:
            module = extensions.lookup(_ns(el))
            element = module.declaration.elements.get(_local(el)) if module is not None else None
            if element is not None and element.supported:
                return self.module_action(el, module, element)
            # Any other element of another namespace: the verifier reports it, and it raises
            # an error event when run.
            return self.foreign(el)
        tag = _local(el)
        known = _EXECUTABLE - {"elseif", "else"} | ({"event"} if self.ors else set())
        method = getattr(self, f"x_{tag}", None) if tag in known else None
        if method is None:
            self.unexpected(el, parent)
            return None
        return method(el)

    def module_action(self, el, module, element) -> m.ModuleAction:
        """An action element of an extension module, as written; checked by the verifier
        against the module's declaration."""
        attrs = tuple(self.literal_attr(el, element, str(k), str(v)) for k, v in el.attrib.items() if etree.QName(k).namespace is None)
        params, contents, children, others, ignored = [], [], [], [], []
        own = (NS, _ns(el))  # <param>/<content> in the SCXML namespace or the module's
        for child in self.elements(el):
            tag = _local(child)
            nested = element.child(tag)
            # a nested element of its parent's module, or of the namespace it declares
            # (<dialog:runtreatments> inside <queue:submit>)
            child_module = extensions.lookup(_ns(child))
            home = extensions.lookup(nested.namespace) if nested is not None and nested.namespace else module
            if nested is not None and child_module is home:
                children.append(self.module_action(child, home, nested))
            elif tag == "param" and _ns(child) in own:
                params.append(self.module_param(child))
            elif tag == "content" and _ns(child) in own:
                contents.append(self.module_content(child))
            elif child_module is None and extensions.family(_ns(child)) is not None:
                # a Genesys module we do not implement (ws:, classification:, ...)
                ignored.append((f"{{{_ns(child)}}}{tag}", self.loc(child)))
            else:
                others.append((tag, self.loc(child)))
        self.check_text(el, f"{module.name}:{_local(el)}")
        return m.ModuleAction(
            loc=self.loc(el),
            module=module.name,
            namespace=module.declaration.namespace,
            tag=_local(el),
            attrs=attrs,
            params=tuple(params),
            contents=tuple(contents),
            children=tuple(children),
            others=tuple(others),
            ignored=tuple(ignored),
        )

    def literal_attr(self, el, element, name: str, value: str) -> tuple[str, str]:
        """An attribute of literal kind (`<dialog:prompts type="ann">`, `<queue:target
        type="agentgroup">`) is its text; written as a quoted string, the quotes are removed
        (ors-dialect.md §8.2, ORS-W41)."""
        attr = element.attr(name)
        if attr is not None and attr.kind == "literal":
            text = value.strip()
            if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
                self.diags.warning(self.loc(el), f"<{_local(el)} {name}={value!r}>: the value is literal text; the quotes are removed [ORS-W41]")
                return name, text[1:-1]
        return name, value

    def module_param(self, el) -> m.Param:
        p = self.param(el)
        name = p.name
        if len(name) >= 2 and name[0] == name[-1] == "'":
            # ors-extensions.md §1.3: `name` is literal; one Genesys example quotes it anyway.
            self.diags.warning(self.loc(el), f"<param name={name!r}>: the name is literal text; the quotes are removed")
            return m.Param(loc=p.loc, name=name[1:-1], expr=p.expr, location=p.location)
        return p

    def module_content(self, el) -> m.Content:
        """<content _expr="..."> (the spelling of the Genesys documentation; `expr` is accepted
        with a warning), or a literal text body."""
        a = {}
        for key, value in el.attrib.items():
            if etree.QName(key).namespace is not None:
                continue
            if key not in ("_expr", "expr"):
                self.diags.error(self.loc(el), f"unknown attribute '{key}' on <content>")
                continue
            a[key] = value
        if "expr" in a and "_expr" in a:
            self.diags.error(self.loc(el), "<content> must not have both '_expr' and 'expr'")
        elif "expr" in a:
            self.diags.warning(self.loc(el), "<content expr> of a module action is spelled _expr; expr is accepted")
        expr = a.get("_expr", a.get("expr"))
        has_body = bool(len(el) or (el.text and el.text.strip()))
        if expr is not None:
            if has_body:
                self.diags.error(self.loc(el), "<content> must not have both an expression and a body")
            return m.Content(loc=self.loc(el), expr=expr)
        return self.body(el)

    def x_raise(self, el) -> m.Raise:
        if not self.ors:
            a = self.attrs(el, {"event"}, ("event",))
            self.no_children(el)
            return m.Raise(loc=self.loc(el), event=a.get("event", ""))
        # ORS (ors-dialect.md §4.5): <raise> carries data, as <send> does
        a = self.attrs(el, {"event", "namelist"}, ("event",))
        params = []
        for child in self.elements(el):
            if _ns(child) == NS and _local(child) == "param":
                params.append(self.param(child))
            elif _ns(child) == NS and _local(child) == "content":
                self.diags.error(self.loc(child), "<content> is not allowed in <raise>; use <param> [ORS-E25]")
            else:
                self.unexpected(child, "raise")
        return m.Raise(loc=self.loc(el), event=a.get("event", ""), params=tuple(params), namelist=_tokens(a.get("namelist")))

    def x_event(self, el) -> m.Raise:
        """ORS: the draft's `<event name>`, which <raise> replaced (§4.5)."""
        self.diags.warning(self.loc(el), "<event name> is the old spelling of <raise event> [ORS-W26]")
        a = self.attrs(el, {"name"}, ("name",))
        self.no_children(el)
        return m.Raise(loc=self.loc(el), event=a.get("name", ""))

    def x_log(self, el) -> m.Log:
        a = self.attrs(el, {"label", "expr", "level"} if self.ors else {"label", "expr"})
        self.no_children(el)
        level = None
        if "level" in a:
            # ORS: 1 reporting, 2 error, 3 warning, 4 debug (ors-extensions.md §10)
            if a["level"].strip() in ("1", "2", "3", "4"):
                level = int(a["level"])
            else:
                self.diags.warning(self.loc(el), f"<log level> must be 1, 2, 3 or 4, not {a['level']!r}; it is ignored [ORS-W27]")
        return m.Log(loc=self.loc(el), label=a.get("label"), expr=a.get("expr"), level=level)

    def x_assign(self, el) -> m.Assign:
        a = self.attrs(el, {"location", "expr"}, ("location",))
        content = self.body(el) if (len(el) or (el.text and el.text.strip())) else None
        if content is not None and "expr" in a:
            self.diags.error(self.loc(el), "<assign> must not have both 'expr' and content")
        return m.Assign(loc=self.loc(el), location=a.get("location", ""), expr=a.get("expr"), content=content)

    def script(self, el) -> m.Script:
        a = self.attrs(el, {"src"})
        if "src" in a:
            if el.text and el.text.strip():
                self.diags.error(self.loc(el), "<script> must not have both 'src' and content")
            if (src := self.src_of(el, a["src"])) is None:
                return m.Script(loc=self.loc(el), source="", src=a["src"])
            a["src"] = src
            if a["src"].startswith(("http:", "https:")):
                text = self.fetch(el, a["src"])
            else:
                text = self.load_file(el, a["src"], "<script>")
                if text:  # (errors in it are located in that file)
                    self.diags.positions.piece(el, 0, text, shown_beside(self.resolve(a["src"]), self.filename, self.base_dir))
            return m.Script(loc=self.loc(el), source=text or "", src=a["src"])
        for child in self.elements(el):
            self.unexpected(child, "script")
        # All of its text: the pieces around children (comments, merged includes) too (§4.9).
        return m.Script(loc=self.loc(el), source=(el.text or "") + "".join(c.tail or "" for c in el))

    x_script = script

    def x_if(self, el) -> m.If:
        a = self.attrs(el, {"cond"}, ("cond",))
        branches: list[tuple[str | None, list]] = [(a.get("cond", "false"), [])]
        seen_else = False
        for child in self.elements(el):
            tag = _local(child)
            if _ns(child) == NS and tag in ("elseif", "else"):
                if seen_else:
                    self.diags.error(self.loc(child), f"<{tag}> after <else>")
                if tag == "elseif":
                    ca = self.attrs(child, {"cond"}, ("cond",))
                    branches.append((ca.get("cond", "false"), []))
                else:
                    self.attrs(child, set())
                    seen_else = True
                    branches.append((None, []))
                self.no_children(child)
                continue
            action = self.action(child, "if")
            if action is not None:
                branches[-1][1].append(action)
        return m.If(loc=self.loc(el), branches=tuple((c, tuple(acts)) for c, acts in branches))

    def x_foreach(self, el) -> m.Foreach:
        a = self.attrs(el, {"array", "item", "index"}, ("array", "item"))
        return m.Foreach(
            loc=self.loc(el),
            array=a.get("array", "[]"),
            item=a.get("item", ""),
            index=a.get("index"),
            actions=self.actions(el, "foreach"),
        )

    def x_send(self, el) -> m.Send:
        ors_attrs = {"targettype", "hints", "timeout"} if self.ors else set()
        a = self.attrs(
            el,
            {"event", "eventexpr", "target", "targetexpr", "type", "typeexpr", "id", "idlocation",
             "delay", "delayexpr", "namelist"} | ors_attrs,
        )  # fmt: skip
        if self.ors:
            a = self.ors_send(el, a)
        elif "event" in a and re.fullmatch(r"\s*(['\"]).*\1\s*", a["event"], re.S):
            # (ors-dialect.md §4.1: in W3C mode `event` is the name itself; a name written in
            # quotes is how ORS charts write one, as an expression)
            self.diags.error(self.loc(el), f"<send event={a['event']!r}>: an event name has no quotes (an expression is eventexpr; ORS charts read event as an expression: --dialect ors)")
        for pair in (("event", "eventexpr"), ("target", "targetexpr"), ("type", "typeexpr"),
                     ("id", "idlocation"), ("delay", "delayexpr")):  # fmt: skip
            self.exclusive(el, a, *pair)
        params, content = [], None
        for child in self.elements(el):
            tag = _local(child)
            if _ns(child) == NS and tag == "param":
                params.append(self.param(child))
            elif _ns(child) == NS and tag == "content":
                if content is not None:
                    self.diags.error(self.loc(child), "<send> may have only one <content>")
                content = self.content(child)
            else:
                self.unexpected(child, "send")
        if content is not None and (params or "namelist" in a):
            self.diags.error(self.loc(el), "<send> must not have <content> together with 'namelist' or <param>")
        return m.Send(
            loc=self.loc(el),
            event=a.get("event"),
            eventexpr=a.get("eventexpr"),
            target=a.get("target"),
            targetexpr=a.get("targetexpr"),
            type=a.get("type"),
            typeexpr=a.get("typeexpr"),
            id=a.get("id"),
            idlocation=a.get("idlocation"),
            delay=a.get("delay"),
            delayexpr=a.get("delayexpr"),
            namelist=_tokens(a.get("namelist")),
            params=tuple(params),
            content=content,
            ors=self.ors,
            hints=a.get("hints"),
        )

    def ors_send(self, el, a: dict) -> dict:
        """ORS reads `event`, `delay`, `target` and `type` of <send> as expressions
        (ors-dialect.md §4.1-§4.3); a string literal is folded, and a value that is no
        expression but a valid literal is taken as written."""
        out = dict(a)
        if "targettype" in out:
            if "type" in out or "typeexpr" in out:
                self.diags.error(self.loc(el), "<send> must not have both 'targettype' and 'type'")
            out["type"] = out.pop("targettype")
        if "timeout" in out:
            out.pop("timeout")
            self.diags.warning(self.loc(el), "<send timeout> (a 2009 draft attribute) is ignored [ORS-W23]")
        js = self.transpiler()
        for name in ("event", "target", "type", "delay"):
            if name not in out:
                continue
            text = out.pop(name)
            literal = extensions.static_string(text)
            if literal is not None:
                out[name] = literal
            elif js.is_expression(text):
                out[name + "expr"] = text
                if name == "event" and re.fullmatch(r"\s*[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*\s*", text) and not self.known_name(text):
                    self.diags.warning(self.loc(el), f"<send event={text!r}>: {text.strip()} is declared nowhere: did you mean a quoted name? [ORS-W21]")
            elif not _ors_literal(name, text):
                # neither an expression nor a literal of its kind: read as an expression, which
                # is ORS-W30 for a labelled statement (`lab: 'x'`) and ORS-E31 for a syntax error
                out[name + "expr"] = text
            elif name == "event":
                out[name] = text.strip()
                self.diags.warning(self.loc(el), f"<send event={text!r}> is not an expression: taken as the event name [ORS-W20]")
            else:
                out[name] = text.strip()  # a literal duration (`5s`), target or type
        if out.get("type", "").strip() == "fm":
            self.diags.warning(self.loc(el), "<send type='fm'> (functional modules) is not supported; it raises error.unsupported.element when run [ORS-W22]")
        return out

    def known_name(self, text: str) -> bool:
        """Whether the first identifier of `text` is declared anywhere in the document (data,
        script variables and functions) or is a built-in."""
        from scxmlc_runtime.js.values import is_builtin

        first = text.strip().split(".")[0]
        if is_builtin(first) or first in ("_event", "_data", "_sessionid", "_name", "_genesys", "this", "null", "true", "false", "undefined"):
            return True
        if self.declared_names is None:
            root = self.root_element
            names = {e.get("id") for e in root.iter(f"{{{NS}}}data") if e.get("id")}
            names.update(e.get(k) for e in root.iter(f"{{{NS}}}foreach") for k in ("item", "index") if e.get(k))
            for script in root.iter(f"{{{NS}}}script"):
                text_ = "".join(script.itertext())
                names.update(re.findall(r"\b(?:var|function|let|const)\s+([A-Za-z_$][\w$]*)", text_))
            self.declared_names = names
        return first in self.declared_names

    declared_names: set | None = None
    root_element = None

    def transpiler(self):
        from .ecmascript import Transpiler

        # (ORS: a labelled statement is an expression with ORS-W30, ors-dialect.md §4.7)
        return Transpiler(statements_as_expressions=self.ors)

    def x_cancel(self, el) -> m.Cancel:
        if self.ors:
            return self.ors_cancel(el)
        a = self.attrs(el, {"sendid", "sendidexpr"})
        self.exclusive(el, a, "sendid", "sendidexpr")
        if "sendid" not in a and "sendidexpr" not in a:
            self.diags.error(self.loc(el), "<cancel> needs 'sendid' or 'sendidexpr'")
        self.no_children(el)
        return m.Cancel(loc=self.loc(el), sendid=a.get("sendid"), sendidexpr=a.get("sendidexpr"))

    def ors_cancel(self, el) -> m.Cancel:
        """ORS: `sendid` (or `id`) is an expression, unless it is the literal id of a <send>
        of the document (ors-dialect.md §4.4); the reply is cancel.successful or
        error.notallowed."""
        a = self.attrs(el, {"sendid", "sendidexpr", "id"})
        if "sendid" in a and "id" in a:
            self.diags.error(self.loc(el), "<cancel> must not have both 'id' and 'sendid' [ORS-E24]")
        self.exclusive(el, a, "sendid", "sendidexpr")
        self.no_children(el)
        text = a.get("sendid", a.get("id"))
        if text is None and "sendidexpr" not in a:
            self.diags.error(self.loc(el), "<cancel> needs 'sendid' or 'id'")
            return m.Cancel(loc=self.loc(el), sendid="", ors=True)
        if text is None:
            return m.Cancel(loc=self.loc(el), sendidexpr=a["sendidexpr"], ors=True)
        literal = extensions.static_string(text)
        if literal is not None:
            return m.Cancel(loc=self.loc(el), sendid=literal, ors=True)
        if text.strip() in self.literal_send_ids or (not self.transpiler().is_expression(text) and _ors_literal("sendid", text)):
            return m.Cancel(loc=self.loc(el), sendid=text.strip(), ors=True)
        return m.Cancel(loc=self.loc(el), sendidexpr=text, ors=True)  # (ORS-W30 or ORS-E31 when no expression)

    literal_send_ids: set = set()

    def no_children(self, el) -> None:
        for child in self.elements(el):
            self.unexpected(child, _local(el))
