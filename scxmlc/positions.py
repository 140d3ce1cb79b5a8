"""Positions: where each element, attribute value and text of an XML document begins (line and column), which lxml does not report.

lxml (libxml2) gives an element only `sourceline`, the line where its start tag *ends*. The
dialect asks for `file:line:col` (ors-dialect.md §10), so the parser also reads the document's
text here: one pass finds every start tag, in document order, and the elements lxml built are
matched to them in the same order (`Positions.add`). A document whose tags do not match its
elements one for one (or whose text cannot be decoded) simply has no columns: its locations
stay `file:line`, as lxml reports them.

A position inside an attribute value or an element's text (where an ECMAScript syntax error
is, `Positions.inside`) is found by walking the raw text from where the value begins, counting
the characters the parser made of it: an entity or character reference is one character, a
CDATA section's markers none, a CR LF pair one.
"""

from __future__ import annotations

import bisect
import codecs
import re

from .diagnostics import Location

_TAG_STOP = re.compile("[\"'>]")
_DECLARATION_STOP = re.compile("[\"'>\\[\\]]")


def start_tags(text: str) -> list[tuple[int, int]] | None:
    """(offset of '<', offset just past '>') of every start tag of `text`, in document order;
    None when the text ends inside markup. Comments, CDATA sections, processing instructions,
    the DOCTYPE declaration and end tags are skipped; quoted attribute values may hold '>'."""
    out: list[tuple[int, int]] = []
    find = text.find
    i = 0
    while True:
        j = find("<", i)
        if j < 0:
            return out
        nxt = text[j + 1 : j + 2]
        if nxt == "!":
            if text.startswith("<!--", j):
                end, skip = find("-->", j + 4), 3
            elif text.startswith("<![CDATA[", j):
                end, skip = find("]]>", j + 9), 3
            else:
                end, skip = _declaration_end(text, j), 1
        elif nxt == "?":
            end, skip = find("?>", j + 2), 2
        elif nxt == "/":
            end, skip = find(">", j + 2), 1
        else:
            end = _tag_end(text, j + 1)
            if end < 0:
                return None
            out.append((j, end + 1))
            i = end + 1
            continue
        if end < 0:
            return None
        i = end + skip


def _tag_end(text: str, k: int) -> int:
    """The offset of the '>' that ends the start tag whose name begins at `k` (-1: none)."""
    while True:
        m = _TAG_STOP.search(text, k)
        if m is None:
            return -1
        k = m.start()
        if text[k] == ">":
            return k
        close = text.find(text[k], k + 1)  # (a quoted attribute value)
        if close < 0:
            return -1
        k = close + 1


def _declaration_end(text: str, j: int) -> int:
    """The offset of the '>' that ends `<!DOCTYPE ...>` (an internal subset in brackets and
    quoted literals may hold '>')."""
    depth = 0
    k = j + 2
    while True:
        m = _DECLARATION_STOP.search(text, k)
        if m is None:
            return -1
        k = m.start()
        c = text[k]
        if c == ">":
            if depth <= 0:
                return k
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        else:
            close = text.find(c, k + 1)  # (a quoted literal)
            if close < 0:
                return -1
            k = close
        k += 1


def syntax_error_location(file: str, exc) -> Location:
    """Where lxml's XMLSyntaxError `exc` is in `file` (its `position` has the column)."""
    line = exc.lineno or 0
    position = getattr(exc, "position", None)
    column = position[1] if line and position and position[0] == line else 0
    return Location(file, line, column or 0)


def decode(data: bytes, encoding: str | None) -> str | None:
    """The document's characters, as the parser read them (None: cannot tell)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            data, encoding = data[len(bom) :], name
            break
    try:
        return data.decode(encoding or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return None


class _Text:
    """One document's text with its line starts, for offset -> (line, column)."""

    __slots__ = ("text", "line_starts")

    def __init__(self, text: str):
        self.text = text
        starts = [0]
        find = text.find
        k = find("\n")
        while k >= 0:
            starts.append(k + 1)
            k = find("\n", k + 1)
        self.line_starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1


class Positions:
    """The start tags of the elements of parsed documents: element -> (its document's text,
    offset of '<', offset past '>'). lxml hands out the same proxy object for a node while one
    is referenced, and this table references them."""

    def __init__(self) -> None:
        self.tags: dict = {}
        self.at: dict[Location, object] = {}  # the locations handed out -> their elements
        # element -> [(offset in its script's source, text, file)]: script text read from another
        # file (`<script src>`, an `xi:include parse="text"`), whose own lines and columns count
        self.pieces: dict = {}

    def piece(self, el, offset: int, text: str, file: str) -> None:
        """The source of the script `el` holds `text`, read from `file`, at `offset`."""
        self.pieces.setdefault(el, []).append((offset, text, file))

    def location(self, el, file: str) -> Location:
        """The element's location in `file`: line and column of its start tag's '<' when
        known, else the line lxml reports."""
        found = self.element(el)
        if found is None:
            return Location(file, el.sourceline or 0)
        loc = Location(file, *found)
        self.at[loc] = el
        return loc

    def locate(self, loc: Location, source: str, line: int, column: int) -> Location:
        """Where (line, column) of `source`, the value of an attribute of the element at `loc`
        or its text, is in the document; `loc` itself when that cannot be told."""
        el = self.at.get(loc)
        if el is None:
            return loc
        index = _index(source, line, column)
        for offset, text, file in self.pieces.get(el, ()):
            if index is not None and offset <= index <= offset + len(text) and source[offset : offset + len(text)] == text:
                k = index - offset
                return Location(file, text.count("\n", 0, k) + 1, k - (text.rfind("\n", 0, k) + 1) + 1)
        for name in el.keys():
            if el.get(name) == source and "{" not in name:
                found = self.inside(el, source, line, column, name)
                if found is not None:
                    return Location(loc.file, *found)
        found = self.inside(el, source, line, column)
        return loc if found is None else Location(loc.file, *found)

    def add(self, root, data: bytes) -> bool:
        """Match the elements of the tree at `root` (parsed from `data`) to their start tags.
        False, adding nothing, when they do not match one for one (then there are no columns)."""
        text = decode(data, root.getroottree().docinfo.encoding)
        if text is None:
            return False
        tags = start_tags(text)
        elements = [el for el in root.iter() if isinstance(el.tag, str)]
        if tags is None or len(tags) != len(elements):
            return False
        doc = _Text(text)
        found = {}
        for el, (start, end) in zip(elements, tags):
            # libxml2's sourceline is the line where the start tag ends: a cheap check
            if el.sourceline and doc.line_col(end - 1)[0] != el.sourceline:
                return False
            found[el] = (doc, start, end)
        self.tags.update(found)
        return True

    def copied(self, original, copy) -> None:
        """`copy` is copy.deepcopy(original) (an included fragment): the same positions."""
        tags = self.tags
        for a, b in zip(original.iter(), copy.iter()):
            if a in tags:
                tags[b] = tags[a]

    def element(self, el) -> tuple[int, int] | None:
        """(line, column) of the '<' of the element's start tag."""
        found = self.tags.get(el)
        if found is None:
            return None
        doc, start, _ = found
        return doc.line_col(start)

    def inside(self, el, source: str, line: int, column: int, attribute: str | None = None) -> tuple[int, int] | None:
        """Where (line, column) of `source` is in the document: `source` being the value of
        `attribute` of `el`, or (attribute None) the element's text up to its first child.
        None when the document's text there is not `source` (a value the composer changed)."""
        found = self.tags.get(el)
        if found is None:
            return None
        doc, _, end = found
        if attribute is not None:
            start = self._attribute_value(el, attribute)
            if start is None or _attribute_text(doc.text, start) != source:
                return None
        else:
            start = end
            if _element_text(doc.text, start) != source:
                return None
        index = _index(source, line, column)
        if index is None:
            return None
        raw = _raw_offset(doc.text, start, index)
        return None if raw is None else doc.line_col(raw)

    def _attribute_value(self, el, name: str) -> int | None:
        found = self.tags.get(el)
        if found is None:
            return None
        doc, start, end = found
        text = doc.text
        k = start + 1
        while k < end and not (text[k].isspace() or text[k] in "/>"):  # the element's name
            k += 1
        while k < end:
            while k < end and text[k].isspace():
                k += 1
            a = k
            while k < end and not (text[k].isspace() or text[k] in "=/>"):
                k += 1
            written = text[a:k]
            while k < end and text[k].isspace():
                k += 1
            if k >= end or text[k] != "=":
                return None
            k += 1
            while k < end and text[k].isspace():
                k += 1
            if k >= end or text[k] not in "\"'":
                return None
            quote = text[k]
            close = text.find(quote, k + 1)
            if close < 0 or close > end:
                return None
            if written == name:
                return k + 1
            k = close + 1
        return None


def _attribute_text(text: str, start: int) -> str | None:
    """The value of the attribute whose raw value begins at `start` (just past its quote), as
    the parser made it (XML 1.0 3.3.3: each white-space character is a space, a CR LF pair one)."""
    quote = text[start - 1]
    close = text.find(quote, start)
    if close < 0:
        return None
    raw = text[start:close].replace("\r\n", " ")
    for c in "\t\n\r":
        raw = raw.replace(c, " ")
    return _unescape(raw)


def _element_text(text: str, start: int) -> str | None:
    """The text of an element from `start` (just past its start tag) to its first child or
    its end tag, as the parser made it (comments dropped, CDATA sections as they are)."""
    out: list[str] = []
    k = start
    while True:
        lt = text.find("<", k)
        if lt < 0:
            return None
        out.append(_unescape(text[k:lt].replace("\r\n", "\n")))
        if text.startswith("<![CDATA[", lt):
            close = text.find("]]>", lt + 9)
            if close < 0:
                return None
            out.append(text[lt + 9 : close].replace("\r\n", "\n"))
            k = close + 3
        elif text.startswith("<!--", lt):
            close = text.find("-->", lt + 4)
            if close < 0:
                return None
            k = close + 3
        else:
            return "".join(out)


def _unescape(raw: str) -> str:
    """Character and predefined entity references replaced (the only ones the parser keeps)."""
    if "&" not in raw:
        return raw
    import html

    return html.unescape(raw)


def _index(source: str, line: int, column: int) -> int | None:
    """The offset in `source` of 1-based (line, column)."""
    k = 0
    for _ in range(line - 1):
        k = source.find("\n", k)
        if k < 0:
            return None
        k += 1
    k += column - 1
    return k if 0 <= k <= len(source) else None


def _raw_offset(text: str, start: int, count: int) -> int | None:
    """The offset in `text` reached from `start` after the parser made `count` characters of
    it (references are one character, CDATA markers none, CR LF one)."""
    k = start
    n = len(text)
    while count > 0:
        if k >= n:
            return None
        c = text[k]
        if c == "&":
            semi = text.find(";", k)
            if semi < 0:
                return None
            k = semi + 1
        elif c == "<":
            if text.startswith("<![CDATA[", k):
                close = text.find("]]>", k + 9)
                if close < 0:
                    return None
                inner = close - (k + 9)
                if count <= inner:
                    return k + 9 + count
                count -= inner
                k = close + 3
                continue
            if text.startswith("<!--", k):
                close = text.find("-->", k + 4)
                if close < 0:
                    return None
                k = close + 3
                continue
            return None  # a child element: the text ended before the position
        elif c == "\r" and text.startswith("\r\n", k):
            k += 2
        else:
            k += 1
        count -= 1
    return k


__all__ = ["Positions", "decode", "start_tags", "syntax_error_location"]
