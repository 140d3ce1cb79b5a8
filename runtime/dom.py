"""DOM: a small, read-mostly XML DOM exposed to ECMAScript as host objects (SCXML B.2.2)."""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)

from .js.interop import js_to_string
from .js.values import UNDEFINED, HostObject, JSArray, js_native

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

ELEMENT_NODE = 1
TEXT_NODE = 3
DOCUMENT_NODE = 9


def parse_xml_fragment(xml: str) -> "DomDocument":
    """Parse element/text content (possibly several top-level nodes) into a document.

    expat neither fetches external entities nor loads DTDs, so untrusted content stays local.
    """
    text = xml.lstrip()
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2 :]  # a declaration cannot stand inside the wrapper
    import xml.etree.ElementTree as ET  # (only charts with XML content pay for it)

    wrapper = ET.fromstring(f"<scxmlc-fragment>{text}</scxmlc-fragment>")
    return DomDocument(wrapper, text)


class DomNode(HostObject):
    __slots__ = ("_children", "parent")

    node_type = 0
    node_name = ""

    def __init__(self):
        self._children: list[DomNode] = []
        self.parent = None

    def text(self) -> str:
        return "".join(c.text() for c in self._children)

    def elements_by_tag(self, name: str, out: list) -> list:
        for c in self._children:
            if isinstance(c, DomElement):
                if name == "*" or c.tag == name:
                    out.append(c)
                c.elements_by_tag(name, out)
        return out

    def js_get(self, key):
        if key == "getElementsByTagName":
            return js_native(lambda this, name=UNDEFINED, *_: JSArray(self.elements_by_tag(js_to_string(name), [])), key)
        if key == "childNodes":
            return JSArray(self._children)
        if key == "firstChild":
            return self._children[0] if self._children else None
        if key == "lastChild":
            return self._children[-1] if self._children else None
        if key == "parentNode":
            return self.parent
        if key == "nodeType":
            return float(self.node_type)
        if key == "nodeName":
            return self.node_name
        if key == "textContent":
            return self.text()
        if key == "hasChildNodes":
            return js_native(lambda this, *_: bool(self._children), key)
        return UNDEFINED

    def js_keys(self):
        return []


class DomText(DomNode):
    __slots__ = ("data",)
    node_type = TEXT_NODE
    node_name = "#text"

    def __init__(self, data: str):
        super().__init__()
        self.data = data

    def text(self) -> str:
        return self.data

    def js_get(self, key):
        if key in ("nodeValue", "data"):
            return self.data
        return super().js_get(key)


class DomElement(DomNode):
    __slots__ = ("tag", "attrs")
    node_type = ELEMENT_NODE

    def __init__(self, el: ET.Element):
        super().__init__()
        self.tag = el.tag
        self.attrs = dict(el.attrib)
        _build(self, el)

    @property
    def node_name(self):  # type: ignore[override]
        return self.tag

    def js_get(self, key):
        if key == "tagName" or key == "localName":
            return self.tag
        if key == "getAttribute":
            return js_native(lambda this, name=UNDEFINED, *_: self.attrs.get(js_to_string(name), None), key)
        if key == "hasAttribute":
            return js_native(lambda this, name=UNDEFINED, *_: js_to_string(name) in self.attrs, key)
        if key == "attributes":
            return dict(self.attrs)
        if key == "nodeValue":
            return None
        return super().js_get(key)

    def __repr__(self) -> str:
        return f"<{self.tag}>"


class DomDocument(DomNode):
    __slots__ = ("source",)
    node_type = DOCUMENT_NODE
    node_name = "#document"

    def __init__(self, wrapper: ET.Element, source: str = ""):
        super().__init__()
        self.source = source  # the XML text, e.g. for an <invoke> of a document held in data
        _build(self, wrapper)

    def js_get(self, key):
        if key == "documentElement":
            return next((c for c in self._children if isinstance(c, DomElement)), None)
        return super().js_get(key)


def _build(node: DomNode, el: ET.Element) -> None:
    if el.text:
        node._children.append(DomText(el.text))
    for child in el:
        c = DomElement(child)
        node._children.append(c)
        if child.tail:
            node._children.append(DomText(child.tail))
    for c in node._children:
        c.parent = node
