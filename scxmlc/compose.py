"""Composition: `xi:include` merged into the parsed tree at compile time, with ORS's id prefixing (ors-dialect.md §3).

Genesys Composer generates an entry page (the IPD) that includes its workflow pages and script
libraries; ORS merges them into one page before it runs it. So does this module, on the lxml
tree, before the document model is built:
- `<xi:include parse="text" href>` inside a `<script>`: the file's text takes its place;
- `<xi:include parse="xml" href xpointer resolveid>`: the element whose `id` is `xpointer` in
  the included file (or, without `xpointer`, the children of its `<scxml>`) takes its place; with
  `resolveid="R"`, the state ids inside become `R.id`, the text `$$_MY_PREFIX_$$` in attribute
  values becomes `R`, and the identifier `_my_prefix` in expressions and scripts becomes `'R'`.

Included files resolve against the including file and must lie below the include roots; a
document compiled from text (no folder) reads no file. http(s) pages are fetched only when the
user allowed it (`--allow-remote-includes`, the same switch as `--allow-fetch`), and what they
include resolves against their URL, never to a local file. A missing file, an include cycle, a
missing `xpointer` target are errors with their location. The
elements keep the file and line they came from (a private attribute on each inserted subtree), so
diagnostics and run-time errors name the workflow file. What remains of `$$_MY_PREFIX_$$` after
the merge means a fragment compiled on its own: it becomes the empty string, with a warning.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from urllib.parse import urljoin

from lxml import etree
from scxmlc_runtime.documents import read_limited

from .diagnostics import Diagnostics, Location
from .ecmascript.scope import free_references
from .network import OTHER_SCHEME, REMOTE, FetchError, fetch
from .positions import syntax_error_location

XI = "http://www.w3.org/2001/XInclude"
SCXML = "http://www.w3.org/2005/07/scxml"
# Where an inserted subtree came from: the builder reads it for locations.
ORIGIN = "{urn:scxmlc:compose}file"
PLACEHOLDER = "$$_MY_PREFIX_$$"
MAX_DEPTH = 16
# What the includes of one document may add in all (a page that includes itself ten times a
# level, 16 levels deep, is 10**16 copies: the depth bound alone does not bound the work).
MAX_MERGED_ELEMENTS = 100_000
MAX_MERGED_BYTES = 16 * 1024 * 1024
_STATE_TAGS = {"state", "parallel", "final", "history"}
# Attributes that hold ECMAScript (where `_my_prefix` is replaced); other attributes of
# extension modules hold expressions too: all attribute values are scanned, string-aware.
_MY_PREFIX = re.compile(r"(?<![\w$.])_my_prefix(?![\w$])")
_ASSIGN_MY_PREFIX = re.compile(r"(?<![\w$.])_my_prefix\s*(?:=(?!=)|\+=|-=|\+\+|--)")
_MY_PREFIX_TARGET = re.compile(r"\s*_my_prefix\s*")  # (the variable itself)


def shown_beside(path: str | os.PathLike, filename: str, folder: str | os.PathLike) -> str:
    """How diagnostics name a file the document read (an include, a `<script src>`): beside
    the document's name as it was given, `filename`, whose file lies in `folder`
    (`src-gen/IPD.scxml` includes `src-gen/Main.scxml`)."""
    rel = os.path.relpath(path, folder)
    given = os.path.dirname(filename)
    return os.path.normpath(os.path.join(given, rel)) if given else os.path.normpath(rel)


def origin_of(el) -> str | None:
    """The file an element was included from (None: the top-level document)."""
    while el is not None:
        found = el.get(ORIGIN) if isinstance(el.tag, str) else None
        if found is not None:
            return found
        el = el.getparent()
    return None


class Composer:
    """Merges the `xi:include`s of one document (see the module docstring)."""

    def __init__(
        self,
        filename: str,
        path: Path,
        diags: Diagnostics,
        roots: list[Path] | None,
        parser_factory,
        allow_fetch: bool = False,
    ) -> None:
        """`filename`: the document's name in diagnostics; `path`: where it is (includes
        resolve against it); `roots`: folders includes may read below (None: the document
        has no folder, it was compiled from text, and reads no file); `allow_fetch`: http(s)
        includes are fetched (else refused, ORS-E12)."""
        self.filename = filename
        self.path = path
        self.diags = diags
        self.roots = None if roots is None else [Path(os.path.realpath(r)) for r in roots]
        self.parser_factory = parser_factory
        self.allow_fetch = allow_fetch
        self.merged_elements = 0
        self.merged_bytes = 0
        self.too_much = False  # (reported once; every include after it is left out)
        self.dependencies: list[str] = []
        self.standalone_warned = False

    def display(self, path: Path | str) -> str:
        """How diagnostics name an included file (beside the document) or page (its URL)."""
        return path if isinstance(path, str) else shown_beside(path, self.filename, self.path.parent)

    def loc(self, el, file: str | None = None) -> Location:
        return self.diags.positions.location(el, file or origin_of(el) or self.filename)

    # -- entry ------------------------------------------------------------------------------

    def compose(self, root) -> None:
        self._includes(root, self.path, set(), 0)
        self._standalone(root)
        self._check_my_prefix(root)

    def _includes(self, tree, file: Path, active: set, depth: int) -> None:
        for inc in list(tree.iter(f"{{{XI}}}include")):
            if inc.getparent() is None:
                continue
            parse = (inc.get("parse") or "xml").strip()
            if parse == "text":
                self._text(inc, file)
            elif parse == "xml":
                self._xml(inc, file, active, depth)
            else:
                self.diags.error(self.loc(inc), f"xi:include parse must be 'xml' or 'text', not {parse!r}")
                _remove(inc)

    # -- parse="text" (§3.2) ----------------------------------------------------------------

    def _text(self, inc, file: Path) -> None:
        parent = inc.getparent()
        if parent is None or etree.QName(parent).localname != "script":
            self.diags.warning(self.loc(inc), "xi:include parse='text' outside a <script> is ignored")
            _remove(inc)
            return
        path = self._resolve(inc, file)
        text = None
        data = None if path is None else self._read(inc, path)
        if data is not None and self._over(inc, 0, len(data)):
            data = None
        if data is not None:
            encoding = inc.get("encoding") or "utf-8"
            try:
                text = data.decode(encoding)
            except (UnicodeError, LookupError, ValueError, TypeError):  # (not text in it, or not an encoding of text)
                text = data.decode("latin-1")
                self.diags.warning(self.loc(inc), f"{self.display(path)} is not valid {encoding}: read as Latin-1 [ORS-W11]")
        if text is None and not self.too_much:
            text = self._fallback_text(inc)
        elif inc.getprevious() is None:  # (the script's source then holds it at this offset)
            self.diags.positions.piece(parent, len(parent.text or ""), text, self.display(path))
        try:
            _replace_with_text(inc, text or "")
        except ValueError:  # (lxml: control characters, which an XML document cannot hold)
            self.diags.error(self.loc(inc), f"{self.display(path) if path is not None else 'the fallback'} holds characters an XML document cannot (control characters) [ORS-E10]")
            _replace_with_text(inc, "")

    def _fallback_text(self, inc) -> str | None:
        for child in inc:
            if isinstance(child.tag, str) and child.tag == f"{{{XI}}}fallback":
                return "".join(child.itertext())
        return None

    # -- parse="xml" (§3.3, §3.4) ----------------------------------------------------------

    def _xml(self, inc, file: Path, active: set, depth: int) -> None:
        path = self._resolve(inc, file)
        if path is None:
            if not self._fallback_xml(inc):
                _remove(inc)
            return
        pointer = (inc.get("xpointer") or "").strip() or None
        key = (str(path), pointer)
        if key in active:
            self.diags.error(self.loc(inc), f"include cycle: {path}#{pointer or ''} includes itself [ORS-E14]")
            _remove(inc)
            return
        if depth >= MAX_DEPTH:
            self.diags.error(self.loc(inc), f"includes nest deeper than {MAX_DEPTH} [ORS-E14]")
            _remove(inc)
            return
        data = self._read(inc, path)
        if data is None or self._over(inc, 0, len(data)):
            if self.too_much or not self._fallback_xml(inc):
                _remove(inc)
            return
        try:
            included = etree.fromstring(data, self.parser_factory())
        except etree.XMLSyntaxError as exc:
            self.diags.error(syntax_error_location(self.display(path), exc), f"XML syntax error in an included file: {exc.msg}")
            _remove(inc)
            return
        self.diags.positions.add(included, data)
        if pointer is not None:
            selected = [e for e in included.iter() if isinstance(e.tag, str) and e.get("id") == pointer]
            if not selected:
                self.diags.error(self.loc(inc), f"xpointer {pointer!r}: no element with that id in {path} [ORS-E13]")
                _remove(inc)
                return
            element = selected[0]
            if etree.QName(element).localname not in ("state", "parallel", "final"):
                self.diags.error(self.loc(inc), f"xpointer {pointer!r} selects <{etree.QName(element).localname}>, not a state [ORS-E13]")
                _remove(inc)
                return
            if self._over(inc, sum(1 for _ in element.iter()), 0):
                _remove(inc)
                return
            parts = [self._copy(element)]
        else:
            if etree.QName(included).localname != "scxml":
                self.diags.error(self.loc(inc), f"{path} is included whole, so its root must be <scxml> [ORS-E13]")
                _remove(inc)
                return
            if self._over(inc, sum(1 for c in included if isinstance(c.tag, str) for _ in c.iter()), 0):
                _remove(inc)
                return
            parts = [self._copy(c) for c in included if isinstance(c.tag, str)]
        prefix = inc.get("resolveid")
        for part in parts:
            part.set(ORIGIN, self.display(path))
            if prefix:
                self._check_my_prefix(part)  # (before the prefix replaces it: then it is a string)
                _prefix(part, prefix.strip())
            else:
                _substitute(part, "")
        _replace_with_elements(inc, parts)
        for part in parts:
            # (in place: a part may itself be an xi:include, at the top of a page included whole)
            self._includes(part, path, active | {key}, depth + 1)

    def _fallback_xml(self, inc) -> bool:
        for child in inc:
            if isinstance(child.tag, str) and child.tag == f"{{{XI}}}fallback":
                _replace_with_elements(inc, [self._copy(c) for c in child if isinstance(c.tag, str)])
                return True
        return False

    def _copy(self, element):
        """A copy of `element` to insert, whose elements keep the positions of the originals."""
        made = copy.deepcopy(element)
        self.diags.positions.copied(element, made)
        return made

    def _resolve(self, inc, file: Path | str) -> Path | str | None:
        """What an include names: a file (a Path), an http(s) page (its URL) or nothing (the
        error reported; None also when a fallback is to be used)."""
        href = (inc.get("href") or "").strip()
        if not href:
            self.diags.error(self.loc(inc), "xi:include needs an href [ORS-E10]")
            return None
        if isinstance(file, str) and not OTHER_SCHEME.match(href):
            href = urljoin(file, href)  # (a page on the network: relative to its URL)
        if REMOTE.match(href):
            if not self.allow_fetch:
                self.diags.error(
                    self.loc(inc),
                    f"remote include {href[:200]} is refused: compile with --allow-remote-includes (API: allow_fetch=True) to fetch it [ORS-E12]",
                )
                return None
            return href
        if OTHER_SCHEME.match(href) and not href.lower().startswith("file:"):
            self.diags.error(self.loc(inc), f"include {href[:200]} is refused: includes are files or http(s) pages [ORS-E12]")
            return None
        if isinstance(file, str):
            self.diags.error(self.loc(inc), f"include {href[:200]} in {file} is refused: a page from the network reads no local file [ORS-E12]")
            return None
        if self.roots is None:
            self.diags.error(self.loc(inc), f"include {href[:200]} is not read: this document has no folder (it was compiled from text), so it reads no file [ORS-E10]")
            return None
        rel = href[5:] if href.startswith("file:") else href
        if rel.startswith("//"):
            rel = rel[2:]
        try:
            path = Path(os.path.realpath(file.parent / rel))
            found = path.is_file()
        except (OSError, ValueError) as exc:  # (a name too long for the file system, a NUL in it)
            self.diags.error(self.loc(inc), f"include not found: {href[:200]} ({exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}) [ORS-E10]")
            return None
        if not any(path == r or r in path.parents for r in self.roots):
            self.diags.error(
                self.loc(inc), f"include {href} is outside the include roots ({', '.join(map(str, self.roots))}) [ORS-E10]"
            )
            return None
        if not found:
            if self._has_fallback(inc):
                return None
            self.diags.error(self.loc(inc), f"include not found: {href} ({path}) [ORS-E10]")
            return None
        return path

    def _over(self, inc, elements: int, size: int) -> bool:
        """Whether merging this much more would pass the bounds of one document's includes
        (the error reported at the include that would)."""
        self.merged_elements += elements
        self.merged_bytes += size
        if self.merged_elements <= MAX_MERGED_ELEMENTS and self.merged_bytes <= MAX_MERGED_BYTES:
            return False
        if not self.too_much:
            self.too_much = True
            self.diags.error(
                self.loc(inc),
                f"the includes of this document add more than {MAX_MERGED_ELEMENTS} elements or {MAX_MERGED_BYTES} bytes: "
                "an include that includes its own pages over and over? [ORS-E14]",
            )
        return True

    def _read(self, inc, path: Path | str) -> bytes | None:
        """The bytes of an included file or page; None when they cannot be had: the error is
        reported, unless the include has a fallback to use instead (XInclude 1.0 §4.4)."""
        if self.too_much:
            return None
        try:
            if isinstance(path, str):
                return fetch(path)[0]  # (never a dependency: a build cannot see it change)
            data = read_limited(path)
        except (OSError, FetchError) as exc:
            if not self._has_fallback(inc):
                reason = exc.strerror or exc if isinstance(exc, OSError) else exc
                self.diags.error(self.loc(inc), f"cannot read the included {'page' if isinstance(path, str) else 'file'} {self.display(path)}: {reason} [ORS-E10]")
            return None
        self.dependencies.append(str(path))
        return data

    @staticmethod
    def _has_fallback(inc) -> bool:
        return any(isinstance(c.tag, str) and c.tag == f"{{{XI}}}fallback" for c in inc)

    # -- after the merge ----------------------------------------------------------------------

    def _standalone(self, root) -> None:
        """`$$_MY_PREFIX_$$` left outside any prefixed include: a fragment compiled on its own
        (§3.6): it becomes the empty string."""
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for key, value in el.attrib.items():
                if PLACEHOLDER in value:
                    if not self.standalone_warned:
                        self.standalone_warned = True
                        self.diags.warning(
                            self.loc(el),
                            f"{PLACEHOLDER} outside an including page: a fragment compiled on its own, the prefix is empty [ORS-W17]",
                        )
                    el.set(key, value.replace(PLACEHOLDER + ".", "").replace(PLACEHOLDER, ""))

    def _check_my_prefix(self, root) -> None:
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            named = {"data": ("id",), "assign": ("location",), "foreach": ("item", "index")}.get(local, ())
            if any(_MY_PREFIX_TARGET.fullmatch(el.get(key, "")) for key in named):
                # (a <data id>, an <assign location>, a <foreach> variable: assignments too)
                self.diags.error(self.loc(el), "_my_prefix cannot be assigned [ORS-E16]")
                continue
            texts = list(el.attrib.values())
            if etree.QName(el).localname == "script":
                texts.append("".join(el.itertext()))
            for text in texts:
                if _ASSIGN_MY_PREFIX.search(_strip_strings(text)) or re.search(r"\b(?:var|let|const|function)\s+_my_prefix\b", text):
                    spans = free_references(text, "_my_prefix")  # (a function's own `_my_prefix` may be assigned)
                    if spans is None or any(assigned for _, _, assigned, _ in spans):
                        self.diags.error(self.loc(el), "_my_prefix cannot be assigned [ORS-E16]")
                        break


def _prefix(part, prefix: str) -> None:
    """R3-R5 on an inserted subtree: state ids, the placeholder, `_my_prefix`."""
    for el in part.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        if local in _STATE_TAGS and etree.QName(el).namespace == SCXML and el.get("id"):
            el.set("id", f"{prefix}.{el.get('id')}")
        for key, value in el.attrib.items():
            if key == ORIGIN:
                continue
            new = value.replace(PLACEHOLDER, prefix)
            new = _replace_identifier(new, _js_string(prefix))
            if new != value:
                el.set(key, new)
        if local == "script" and etree.QName(el).namespace == SCXML:
            _map_text(el, lambda t: _replace_identifier(t, _js_string(prefix)))


def _substitute(part, prefix: str) -> None:
    """An include without resolveid: the placeholder becomes the empty string."""
    for el in part.iter():
        if isinstance(el.tag, str):
            for key, value in el.attrib.items():
                if PLACEHOLDER in value:
                    el.set(key, value.replace(PLACEHOLDER + ".", prefix).replace(PLACEHOLDER, prefix))


def _js_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


_STRING_OR_COMMENT = re.compile(r"""('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/)""", re.S)


def _replace_identifier(text: str, literal: str) -> str:
    """`_my_prefix` where it is a free reference (ors-dialect.md §3.5): not inside strings or
    comments, not a property name, not a parameter or a variable a function of the text
    declares (nor what those declarations then refer to). Text that does not parse (an
    attribute's fragment of code, a template) falls back to the word: every `_my_prefix` that
    is no property name and no string's."""
    if "_my_prefix" not in text:
        return text
    spans = free_references(text, "_my_prefix")
    if spans is not None:
        for start, end, _, shorthand in sorted(spans, reverse=True):
            text = text[:start] + (f"_my_prefix: {literal}" if shorthand else literal) + text[end:]
        return text
    out = []
    pos = 0
    for m in _STRING_OR_COMMENT.finditer(text):
        out.append(_MY_PREFIX.sub(literal, text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_MY_PREFIX.sub(literal, text[pos:]))
    return "".join(out)


def _strip_strings(text: str) -> str:
    return _STRING_OR_COMMENT.sub('""', text)


def _map_text(el, fn) -> None:
    if el.text:
        el.text = fn(el.text)
    for child in el:
        if child.tail:
            child.tail = fn(child.tail)


def _remove(el) -> None:
    _replace_with_text(el, "")


def _replace_with_text(el, text: str) -> None:
    """Put `text` (and the element's tail) where the element was."""
    parent = el.getparent()
    tail = el.tail or ""
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + text + tail
    else:
        parent.text = (parent.text or "") + text + tail
    parent.remove(el)


def _replace_with_elements(el, parts: list) -> None:
    parent = el.getparent()
    index = parent.index(el)
    tail = el.tail
    parent.remove(el)
    for k, part in enumerate(parts):
        parent.insert(index + k, part)
    if parts:
        parts[-1].tail = (parts[-1].tail or "") + (tail or "")


__all__ = ["Composer", "ORIGIN", "PLACEHOLDER", "origin_of"]
