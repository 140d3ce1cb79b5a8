"""Encoding of `<session:fetch>` requests: the URL and JSON encoding table (ors-extensions.md §3.3) and the header mapping (§3.5).

Pure functions from evaluated attribute values to (URL, headers, body): shared by every HTTP
transport, and tested cell by cell against a real server.
"""

from __future__ import annotations

import base64
import re
from typing import Any, Callable
from urllib.parse import quote

from ..js import UNDEFINED, JSArray, JSFunction, json_stringify, js_to_string
from ..js.properties import js_getp, own_keys
from ..requests import ContentText

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# The headers <session:fetch> sets itself; a custom header of the same name is dropped (§3.5).
AUTOMATIC_HEADERS = frozenset(("host", "accept", "content-type", "content-length", "cache-control", "authorization"))
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 field-name
_BAD_VALUE = re.compile(r"[\r\n\x00]")


def encode_uri_component(text: str) -> str:
    """JS encodeURIComponent (ES5.1 15.1.3.4): UTF-8, everything but A-Z a-z 0-9 - _ . ! ~ * ' ( )
    percent-encoded; a space is %20, never +."""
    return quote(text.encode("utf-8", "replace"), safe="-_.!~*'()")


def encode_text(text: str) -> str:
    """Literal `<content>` text for a query or a form body: trimmed, and every character but
    the RFC 3986 unreserved ones and `=` `&` percent-encoded, so `a=1&b=2` keeps its shape."""
    return quote(text.strip().encode("utf-8", "replace"), safe="-._~=&")


def url_value(v: Any) -> str:
    """A param value before percent-encoding (§3.3): primitives as String(v); an array as its
    elements' String() joined with ","; any other object as "[object Object]"."""
    if v is UNDEFINED or v is None or isinstance(v, (str, float, bool)):
        return js_to_string(v)
    if isinstance(v, int):
        return js_to_string(float(v))
    if isinstance(v, JSArray) or type(v) is list:
        return ",".join(js_to_string(x) for x in v)
    return "[object Object]"


def query_string(params: list[tuple[str, Any]]) -> str:
    """`n1=v1&n2=v2...` with the value rules above; repeated names are all kept."""
    return "&".join(f"{encode_uri_component(n)}={encode_uri_component(url_value(v))}" for n, v in params)


def json_body(value: Any) -> bytes:
    """JSON.stringify(value) as UTF-8 (a value JSON cannot show, like undefined: empty body)."""
    text = json_stringify(value)
    return b"" if text is UNDEFINED else text.encode("utf-8")


def params_object(params: list[tuple[str, Any]]) -> dict:
    """The params as one object; for repeated names the last wins (§3.3, as `eval` of JSON
    with duplicate keys does)."""
    out: dict = {}
    for name, value in params:
        out[name] = value
    return out


def content_as_text(content: Any) -> str:
    """The text a `<content>` stands for in URL encoding: its literal body, or the String()
    of its `_expr` value ([DESIGN]: the seed only defines the literal body)."""
    return str(content) if isinstance(content, ContentText) else url_value(content)


def with_query(url: str, query: str) -> str:
    """`url` with `query` appended (after an existing query with `&`), fragment dropped."""
    url = url.split("#", 1)[0]
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + query


def build_request(
    method: str,
    url: str,
    *,
    accept: str,
    enctype: str,
    params: list[tuple[str, Any]],
    content: Any = None,
    maxage: float | None = None,
    maxstale: float | None = None,
    username: str | None = None,
    password: str | None = None,
    headers: Any = None,
    warn: Callable[[str], None] = lambda message: None,
) -> tuple[str, list[tuple[str, str]], bytes | None]:
    """(URL, headers, body) of an HTTP fetch (§3.3, §3.5). `method` is upper case; `content`
    is None, a ContentText (literal body) or an evaluated `_expr` value."""
    body: bytes | None = None
    content_type: str | None = None
    has_content = content is not None
    if method in ("GET", "DELETE"):
        if enctype == JSON:
            warn(f"{method} cannot send JSON: the params are URL-encoded into the query instead")
        query = encode_text(content_as_text(content)) if has_content else query_string(params)
        url = with_query(url, query)
    else:
        content_type = enctype
        if enctype == JSON:
            if has_content:
                # A literal body is taken to be JSON text already; an _expr value is stringified.
                body = content.encode("utf-8") if isinstance(content, ContentText) else json_body(content)
            else:
                body = json_body(params_object(params))
        else:
            text = encode_text(content_as_text(content)) if has_content else query_string(params)
            body = text.encode("ascii")
    out: list[tuple[str, str]] = [("Accept", accept)]
    if content_type is not None:
        out.append(("Content-Type", content_type))
    cache = []
    if maxage is not None:
        cache.append(f"max-age={int(maxage)}")
    if maxstale is not None:
        cache.append(f"max-stale={int(maxstale)}")
    if cache:
        out.append(("Cache-Control", ", ".join(cache)))
    if username is not None or password is not None:
        pair = f"{username or ''}:{password or ''}".encode("utf-8", "replace")
        out.append(("Authorization", "Basic " + base64.b64encode(pair).decode("ascii")))
    out.extend(custom_headers(headers, warn))
    return url, out, body


def custom_headers(headers: Any, warn: Callable[[str], None]) -> list[tuple[str, str]]:
    """One header per own property of the `headers` object, `Name: String(value)`, after the
    automatic ones, which they never replace (§3.5). Names that are not HTTP tokens and values
    with line breaks are dropped too: a document must not be able to inject headers."""
    if not isinstance(headers, dict):
        return []
    out = []
    for name in own_keys(headers):
        value = js_getp(headers, name)
        if isinstance(value, JSFunction):
            continue
        text = js_to_string(value)
        if name.lower() in AUTOMATIC_HEADERS:
            warn(f"the custom header {name!r} is dropped: <session:fetch> sets it itself")
        elif not _TOKEN.match(name):
            warn(f"the custom header {name!r} is dropped: not a valid header name")
        elif _BAD_VALUE.search(text):
            warn(f"the custom header {name!r} is dropped: its value holds a line break")
        else:
            out.append((name, text))
    return out


def media_type(content_type: str) -> str:
    """`text/html; charset=utf-8` -> `text/html`."""
    return content_type.split(";", 1)[0].strip().lower()


def type_matches(expected: str, actual: str) -> bool:
    """The §3.6 check of a response's media type against `type`: text/plain accepts anything,
    a response without a type is accepted, parameters and case do not matter."""
    expected = media_type(expected)
    return expected == "text/plain" or not actual or media_type(actual) == expected


def hints(headers: list[tuple[str, str]]) -> dict:
    """Response headers as an object (§3.7): names as received; a repeated header's values
    joined with ", " under the name it first had."""
    out: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, value in headers:
        first = names.setdefault(name.lower(), name)
        out[first] = f"{out[first]}, {value}" if first in out else value
    return out


__all__ = [
    "AUTOMATIC_HEADERS",
    "FORM",
    "JSON",
    "build_request",
    "custom_headers",
    "encode_text",
    "encode_uri_component",
    "hints",
    "media_type",
    "query_string",
    "type_matches",
    "url_value",
    "with_query",
]
