"""ESP fetch: addresses, key-value lists both ways, the ESP transport interface, an unconfigured transport and an in-memory one (ors-extensions.md §3.9).

An ESP (External Service Protocol) server answers requests with key-value lists. The
conversions live here, outside any transport, so every transport gives a chart the same JSON:
- a request body `{params: {...}, udata: {...}}` becomes two key-value lists (`js_to_kv`);
- a reply's envelope (and user data) becomes the JSON text of `session.fetch.done`
  (`esp_to_json`): a key that appears once is a scalar, a repeated key an array of its values
  in order, a nested list an object.

A key-value list is a Python list of (key, value) pairs; a value is a str, an int or a nested
list. Transports implement `EspTransport.request(req, on_reply) -> handle` (handle.cancel()
idempotent, on_reply never called after it); retries, queues, time limits and cancellation
are the fetch dispatcher's (fetch.py).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from ..js import UNDEFINED, JSArray, JSFunction, js_to_string
from ..js.properties import js_getp, own_keys

KV = list  # [(key, str | int | KV), ...]


@dataclass(frozen=True)
class EspAddress:
    app: str  # the server application's name in the configuration layer
    service: str
    method: str
    type: str | None = None  # its application type, passed through

    @property
    def queue_key(self) -> str:
        """The guaranteed-delivery queue of requests to this service (§3.9)."""
        return f"gesp:{self.app}/{self.service}"


def parse_address(text: str) -> EspAddress | None:
    """`App\\Type\\Service\\Method`, `App\\Service\\Method`, or `gesp:App[/Type]/Service/Method`;
    None when the text is neither."""
    if text.lower().startswith("gesp:"):
        parts = text[5:].lstrip("/").split("/")
    else:
        parts = text.split("\\")
    if len(parts) not in (3, 4) or not all(p.strip() for p in parts):
        return None
    parts = [p.strip() for p in parts]
    if len(parts) == 3:
        return EspAddress(parts[0], parts[1], parts[2])
    return EspAddress(parts[0], parts[2], parts[3], type=parts[1])


@dataclass
class EspRequest:
    requestid: str
    address: EspAddress
    params: KV = field(default_factory=list)
    udata: KV = field(default_factory=list)


@dataclass
class EspReply:
    """What an ESP server answered: an envelope (Service, Method, Parameters...) and optional
    user data, or an error (`error` set: its ESP code, `description` the server's text).
    `transport_failure`: the server could not be reached (retried under guaranteed delivery)."""

    envelope: KV = field(default_factory=list)
    user_data: KV | None = None
    refid: int = 0
    error: str | None = None
    description: str = ""
    transport_failure: bool = False


class EspTransport(Protocol):
    def request(self, req: EspRequest, on_reply: Callable[[EspReply], None]) -> Any: ...


def js_to_kv(value: Any) -> KV:
    """An object's properties as a key-value list (§3.9): strings stay strings, integers
    become ESP ints, booleans and other numbers strings, nested objects nested lists, and an
    array value repeats its key once per element; undefined, null and functions are left out."""
    out: KV = []
    if not isinstance(value, dict):
        return out
    for key in own_keys(value):
        _kv_put(out, key, js_getp(value, key))
    return out


def _kv_put(out: KV, key: str, v: Any) -> None:
    if v is UNDEFINED or v is None or isinstance(v, JSFunction):
        return
    if isinstance(v, bool):
        out.append((key, "true" if v else "false"))
    elif isinstance(v, str):
        out.append((key, v))
    elif isinstance(v, (int, float)):
        f = float(v)
        if math.isfinite(f) and f.is_integer() and abs(f) < 2**63:
            out.append((key, int(f)))
        else:
            out.append((key, js_to_string(f)))
    elif isinstance(v, (JSArray, list)):
        for item in v:
            _kv_put(out, key, item)
    elif isinstance(v, dict):
        out.append((key, js_to_kv(v)))
    else:
        out.append((key, js_to_string(v)))


def kv_to_json(kv: KV) -> dict:
    """A key-value list as a JSON object: a key seen once is a scalar (or an object, for a
    nested list); a repeated key is an array of its values in order."""
    out: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for key, _ in kv:
        counts[key] = counts.get(key, 0) + 1
    for key, value in kv:
        item = kv_to_json(value) if isinstance(value, list) else value
        if counts[key] > 1:
            out.setdefault(key, []).append(item)
        else:
            out[key] = item
    return out


def esp_to_json(reply: EspReply) -> str:
    """The `content` of `session.fetch.done` for an ESP reply: `{"envelope": ...}` plus
    `"user_data"` when the reply carries user data (§3.9)."""
    doc: dict[str, Any] = {"envelope": kv_to_json(reply.envelope)}
    if reply.user_data:
        doc["user_data"] = kv_to_json(reply.user_data)
    return json.dumps(doc, ensure_ascii=False)


_ERROR_CODE = re.compile(r"^[\w.\-]+$")


def esp_error_code(code: Any) -> str:
    text = str(code)
    return text if _ERROR_CODE.match(text) else "error"


class _Done:
    def cancel(self) -> None:
        pass


class UnconfiguredEsp:
    """The default: no ESP server is configured, every request answers `esp.unavailable`."""

    def request(self, req: EspRequest, on_reply: Callable[[EspReply], None]) -> Any:
        on_reply(EspReply(error="unavailable", description="no ESP transport is configured (SessionModule(esp=...))"))
        return _Done()


class MemoryEspTransport:
    """An ESP server in memory, for tests and offline runs: `handler(request)` returns the
    EspReply (or raises, which becomes a transport failure). Replies arrive asynchronously, as
    a network's would. `requests` records every request received."""

    def __init__(self, handler: Callable[[EspRequest], EspReply]):
        self.handler = handler
        self.requests: list[EspRequest] = []

    def request(self, req: EspRequest, on_reply: Callable[[EspReply], None]) -> Any:
        self.requests.append(req)
        try:
            reply = self.handler(req)
        except Exception as exc:  # noqa: BLE001 - the simulated server failed
            reply = EspReply(error="unavailable", description=f"{type(exc).__name__}: {exc}", transport_failure=True)
        if reply is None:  # the server never answers (time limits are the dispatcher's)
            return _Done()
        on_reply(reply)
        return _Done()


__all__ = [
    "EspAddress",
    "EspReply",
    "EspRequest",
    "EspTransport",
    "MemoryEspTransport",
    "UnconfiguredEsp",
    "esp_to_json",
    "js_to_kv",
    "kv_to_json",
    "parse_address",
]
