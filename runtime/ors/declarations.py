"""Declarations of the Genesys modules: each action element's attributes, kinds, types, defaults and children, as data (ors-extensions.md §3–§7, §12).

The compiler checks and lowers documents from these tables (scxmlc/extensions), and the runtime
coerces evaluated arguments with them (requests.py): one description of each element.
Namespaces are registered in their canonical form; `canonical_namespace` maps the scheme-less
spelling of seed 003 onto it.
"""

from __future__ import annotations

from ..extensions import (
    BOOLEAN,
    DURATION,
    LOCATION,
    NUMBER,
    OBJECT,
    SECONDS,
    STRING,
    Attr,
    Element,
    Module,
    register,
    register_family,
)

GENESYS_PREFIX = "http://www.genesyslab.com/modules/"
SESSION_NS = GENESYS_PREFIX + "session"

# Every namespace below this prefix belongs to the Genesys family: charts using one run in the
# ORS script environment, and elements of modules not declared here are known-unsupported.
register_family("genesys", (GENESYS_PREFIX,), environment="scxmlc_runtime.ors.environment:Genesys")

FETCH_METHODS = ("get", "post", "put", "delete", "esp")
FETCH_TYPES = ("application/json", "application/xml", "text/plain")
FETCH_ENCTYPES = ("application/x-www-form-urlencoded", "application/json")

_SCHEDULE = (
    Attr("idealtime", type=NUMBER, doc="time to start, ms since the epoch (Date.getTime())"),
    Attr("prewindow", type=DURATION, doc="how much earlier than idealtime the start may happen"),
    Attr("postwindow", type=DURATION, doc="how much later than idealtime the start may happen"),
    Attr("delay", type=SECONDS, doc="seconds between execution and start"),
)

SESSION = register(
    Module(
        name="session",
        namespace=SESSION_NS,
        service="scxmlc_runtime.ors.session:SessionModule",
        family="genesys",
        doc="ORS session actions: fetch, start, updatestart, terminate, cancel",
        elements={
            "fetch": Element(
                "fetch",
                (
                    Attr("requestid", kind=LOCATION, doc="receives the request id"),
                    Attr("srcexpr", type=STRING, required=True, doc="URI: http, https, file or gesp (or an ESP address)"),
                    Attr("method", type=STRING, default="get", values=FETCH_METHODS),
                    Attr("type", type=STRING, default="application/json", values=FETCH_TYPES),
                    Attr("enctype", type=STRING, default="application/x-www-form-urlencoded", values=FETCH_ENCTYPES),
                    Attr("timeout", type=SECONDS, default=0.0, doc="seconds; 0: no limit"),
                    Attr("maxage", type=SECONDS),
                    Attr("maxstale", type=SECONDS),
                    Attr("username", type=STRING),
                    Attr("password", type=STRING),
                    Attr("headers", type=OBJECT, doc="an object: one header per property"),
                    Attr("gdelivery", type=BOOLEAN, default=False, doc="guaranteed delivery"),
                    Attr("gd_retries", type=SECONDS, default=0.0, doc="retries after the first attempt; 0: no limit"),
                    Attr("gd_retry_interval", type=SECONDS, default=0.0, doc="seconds between attempts"),
                ),
                params=True,
                content=True,
                id_attr="requestid",
                doc="request content over HTTP(S), from a file: URL or from an ESP server",
            ),
            "start": Element(
                "start",
                (
                    Attr("sessionid", kind=LOCATION, required=True, reads=True, doc="receives the new session id"),
                    Attr("src", type=STRING, required=True, doc="URI of the document: http, https or file"),
                    *_SCHEDULE,
                ),
                params=True,
                id_attr="sessionid",
                doc="start an independent session",
            ),
            "updatestart": Element(
                "updatestart",
                (Attr("sessionid", type=STRING, required=True, doc="a scheduled session"), *_SCHEDULE),
                doc="reschedule a session that has not started yet",
            ),
            "terminate": Element(
                "terminate",
                (Attr("sessionid", type=STRING, required=True, doc="the session to end"),),
                doc="end a running or scheduled session",
            ),
            "cancel": Element(
                "cancel",
                (Attr("requestid", type=STRING, required=True, doc="a pending <session:fetch>"),),
                doc="cancel a pending fetch",
            ),
        },
    )
)

__all__ = ["FETCH_ENCTYPES", "FETCH_METHODS", "FETCH_TYPES", "GENESYS_PREFIX", "SESSION", "SESSION_NS"]
