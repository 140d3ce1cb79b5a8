"""Content values: what <data>, <content> and <assign> bodies become in ECMAScript (SCXML B.2.2)."""

from __future__ import annotations

from .dom import parse_xml_fragment
from .js.values import JSThrow

__all__ = ["source_value", "text_value", "xml_value"]


def text_value(text: str):
    """JSON when the text is JSON; otherwise the text with whitespace normalised (B.2.2)."""
    stripped = text.strip()
    if stripped:
        from .js import json_parse  # (made with the JSON built-in, on first use)

        try:
            return json_parse(stripped)
        except JSThrow:
            pass
    return " ".join(text.split())


def xml_value(xml: str):
    """XML content becomes a DOM document (B.2.2), with the methods the W3C tests use."""
    return parse_xml_fragment(xml)


def source_value(text: str):
    """The value of a loaded document (<data src>, file or http): XML becomes a DOM, anything
    else JSON or normalised text (B.2.2)."""
    return xml_value(text) if text.lstrip().startswith("<") else text_value(text)
