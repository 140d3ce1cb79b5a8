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
    LITERAL,
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

# -- the interaction module (§8) -----------------------------------------------------------------

INTERACTION_NS = GENESYS_PREFIX + "interaction"


def _ixn(tag: str, *extra: Attr, doc: str = "") -> Element:
    """An interaction action: requestid, interactionid and hints (§8.3), and its own attributes."""
    return Element(
        tag,
        (
            Attr("requestid", kind=LOCATION, doc="receives the request id"),
            Attr("interactionid", type=STRING, required=True, doc="the interaction's g_uid"),
            Attr("hints", type=OBJECT, doc="platform hints, passed through"),
            *extra,
        ),
        id_attr="requestid",
        doc=doc,
    )


INTERACTION = register(
    Module(
        name="ixn",
        namespace=INTERACTION_NS,
        service="scxmlc_runtime.ors.interaction:InteractionModule",
        family="genesys",
        # G81 lists more interaction actions (voice createcall, multimedia, chat): they warn
        open=True,
        adapters={"interactions": "the interaction platform (InteractionPlatform)"},
        doc="ORS interaction actions: attach, detach, accept, redirect, terminate, associate",
        elements={
            "attach": _ixn("attach", doc="take ownership of an interaction no session owns"),
            "detach": _ixn("detach", doc="give up ownership"),
            "accept": _ixn("accept", Attr("resource", doc="a DN, or a resource object"), doc="answer on a resource"),
            "redirect": _ixn(
                "redirect",
                Attr("from", doc="the DN it is redirected from"),
                Attr("to", type=STRING, doc="the destination"),
                Attr("type", doc="a route type (_genesys.queue.rType)"),
                Attr("detach", type=BOOLEAN, default=False, doc="detach from the session first"),
                doc="route the interaction to a destination",
            ),
            "terminate": _ixn(
                "terminate",
                Attr("reason", type=STRING),
                Attr("resource"),
                doc="end the interaction",
            ),
            "associate": _ixn("associate", Attr("sessionid", type=STRING, required=True), doc="move it to another session"),
        },
    )
)

# -- the dialog module (ors-dialect.md §8.1) ------------------------------------------------------

DIALOG_NS = GENESYS_PREFIX + "dialog"

_PROMPTS = Element(
    "prompts",
    (Attr("type", kind=LITERAL, doc="the kind of prompts (ann: announcements), written without quotes"),),
    children=(
        Element(
            "prompt",
            (
                Attr("interrupt", type=BOOLEAN, default=False, doc="the caller may interrupt it"),
                Attr("text", type=STRING, doc="text to speak"),
                Attr("intid", type=STRING, doc="an announcement id"),
                Attr("number", type=STRING, doc="a number to say"),
                Attr("digits", type=STRING, doc="digits to say"),
                Attr("audio", type=STRING, doc="an audio resource"),
                Attr("music", type=STRING, doc="a music resource"),
                Attr("url", type=STRING, doc="a resource by URL"),
                Attr("language", type=STRING),
            ),
            doc="one prompt",
        ),
    ),
    doc="the prompts to play, in order",
)

_INPUT = Element(
    "input",
    (
        Attr("clear", type=BOOLEAN, doc="discard digits typed before"),
        Attr("total_timeout", type=SECONDS, doc="seconds for the whole input"),
        Attr("digit_timeout", type=SECONDS, doc="seconds between digits"),
        Attr("start_timeout", type=SECONDS, doc="seconds before the first digit"),
        Attr("max_digits", type=NUMBER, doc="digits to collect at most"),
        Attr("term_digits", type=STRING, doc="digits that end the input"),
        Attr("abort_digits", type=STRING, doc="digits that abort it"),
        Attr("ignore_digits", type=STRING, doc="digits that are ignored"),
        Attr("backspace_digits", type=STRING, doc="digits that erase the previous one"),
        Attr("reset_digits", type=STRING, doc="digits that start the input over"),
    ),
    doc="how digits are collected",
)


def _dialog(tag: str, *extra: Attr, children=(), params: bool = False, doc: str = "") -> Element:
    """A dialog action: requestid, interactionid, device, language and hints, and its own."""
    return Element(
        tag,
        (
            Attr("requestid", kind=LOCATION, doc="receives the request id"),
            Attr("interactionid", type=STRING, doc="the interaction it acts on"),
            Attr("device", type=STRING, doc="the DN that plays it (else the platform chooses)"),
            Attr("language", type=STRING),
            Attr("hints", type=OBJECT, doc="platform hints, passed through"),
            *extra,
        ),
        params=params,
        id_attr="requestid",
        children=children,
        doc=doc,
    )


_TREATMENTS = (
    _dialog("start", Attr("type", type=STRING, doc="what to run: applid, ..."), params=True, doc="run a dialog application (a VoiceXML application) on the interaction"),
    _dialog("play", Attr("duration", type=SECONDS), children=(_PROMPTS,), doc="play prompts"),
    _dialog("collect", children=(_INPUT,), doc="collect digits"),
    _dialog("playandcollect", children=(_PROMPTS, _INPUT), doc="play prompts, then collect digits"),
    _dialog("playandverify", children=(_PROMPTS, _INPUT), doc="play prompts, collect digits and verify them"),
    _dialog(
        "playsound",
        Attr("type", type=STRING, doc="ringback, silence, busy, music, ..."),
        Attr("resource", type=STRING),
        Attr("duration", type=SECONDS),
        doc="play a sound",
    ),
    _dialog("pause", Attr("duration", type=SECONDS), doc="pause between treatments"),
    _dialog("remote", Attr("destination", type=STRING), Attr("default", type=STRING), doc="run a treatment on another system"),
)

_RUNTREATMENTS = Element(
    "runtreatments",
    (Attr("requestid", kind=LOCATION, doc="receives the request id"), Attr("interactionid", type=STRING)),
    id_attr="requestid",
    children=tuple(Element(t.tag, tuple(a for a in t.attrs if a.name != "requestid"), params=t.params, children=t.children, doc=t.doc) for t in _TREATMENTS),
    namespace=DIALOG_NS,
    doc="treatments in order: inside <queue:submit>, what the caller gets while waiting (no events)",
)

DIALOG = register(
    Module(
        name="dialog",
        namespace=DIALOG_NS,
        service="scxmlc_runtime.ors.dialog:DialogModule",
        family="genesys",
        open=True,  # G81 names more (voice-specific) elements: they warn
        adapters={"dialog": "the dialog (treatment) platform (DialogPlatform)"},
        doc="ORS dialog actions: start, play, collect, playandcollect, playandverify, playsound, pause, remote, runtreatments, stop",
        elements={
            **{t.tag: t for t in _TREATMENTS},
            "runtreatments": _RUNTREATMENTS,
            "stop": Element("stop", (Attr("requestid", type=STRING, required=True, doc="a pending dialog request"),), doc="stop a dialog request"),
        },
    )
)

# -- the queue module (§9) -----------------------------------------------------------------------

QUEUE_NS = GENESYS_PREFIX + "queue"
ORDER_TYPES = ("any", "max", "min", "percentage")
# Kinds of <queue:target type>: agents, places and their groups, queues and DNs.
TARGET_KINDS = ("agent", "agentgroup", "place", "placegroup", "queue", "dn", "routingpoint", "destinationlabel")

_TARGETS = Element(
    "targets",
    (),
    children=(
        Element(
            "target",
            (
                Attr("name", type=STRING, doc="the object's name"),
                Attr("type", kind=LITERAL, values=TARGET_KINDS, doc="what the name names"),
                Attr("statserver", type=STRING, doc="the Stat Server the target is known to"),
                Attr("skillexpr", type=STRING, doc="a skill expression (agents with those skills)"),
                Attr("weight", type=NUMBER, doc="its share, for ordertype percentage"),
                Attr("threshold", type=STRING, doc="a threshold expression (passed to the adapter)"),
            ),
            doc="one target, by name and type",
        ),
        Element(
            "targetid",
            (Attr("expr", type=STRING, required=True, doc="a target string: name@server.TYPE"),),
            doc="one target, as a target string",
        ),
    ),
    doc="the targets of a submit, in order",
)

QUEUE = register(
    Module(
        name="queue",
        namespace=QUEUE_NS,
        service="scxmlc_runtime.ors.queue:QueueModule",
        family="genesys",
        adapters={"routing": "the routing platform (RoutingPlatform)"},
        doc="ORS queue actions: submit, cancel, query",
        elements={
            "submit": Element(
                "submit",
                (
                    Attr("requestid", kind=LOCATION, doc="receives the request id"),
                    Attr("queue", type=STRING, default="none", doc="the virtual queue"),
                    Attr("priority", type=NUMBER, default=0.0),
                    Attr("ordertype", type=STRING, default="any", values=ORDER_TYPES),
                    Attr("orderstat", type=STRING, doc="the statistic that orders targets (max, min)"),
                    Attr("timeout", type=SECONDS, default=0.0, doc="seconds; 0: no limit"),
                    Attr("interactionid", type=STRING),
                    Attr("route", type=BOOLEAN, default=True, doc="false: select a target only"),
                    Attr("clearontimeout", type=BOOLEAN, default=False),
                ),
                id_attr="requestid",
                children=(_TARGETS, _RUNTREATMENTS),
                doc="find a target for an interaction",
            ),
            "cancel": Element(
                "cancel",
                (
                    Attr("requestid", type=STRING, doc="a pending submit"),
                    Attr("interactionid", type=STRING, doc="or: every pending submit of an interaction"),
                    Attr("queue", type=STRING, doc="with interactionid: only those in this virtual queue"),
                ),
                doc="cancel pending submits",
            ),
            "query": Element(
                "query",
                (Attr("requestid", type=STRING, required=True, doc="a pending submit"),),
                doc="where a pending submit stands: priority, position, time in the queue",
            ),
        },
    )
)

# -- the web module: <ws:response> (ors-server.md §5.3) ---------------------------------------------

WS_NS = GENESYS_PREFIX + "ws"

WS = register(
    Module(
        name="ws",
        namespace=WS_NS,
        service="scxmlc_runtime.ors.ws:WsModule",
        family="genesys",
        open=True,  # other web-service elements: a warning, error.unsupported.element when run
        doc="ORS web actions: response (the answer to a REST request)",
        elements={
            "response": Element(
                "response",
                (
                    Attr("requestid", type=STRING, required=True, doc="the _event.sendid of the request event it answers"),
                    Attr("type", type=STRING, default="positive", values=("positive", "negative")),
                    Attr("resultcode", type=STRING, doc="the result code of the answer"),
                ),
                params=True,
                content=True,
                doc="answer a request posted to /scxml/session/<id>/request/<name>",
            ),
        },
    )
)

__all__ = [
    "DIALOG",
    "DIALOG_NS",
    "FETCH_ENCTYPES",
    "FETCH_METHODS",
    "FETCH_TYPES",
    "GENESYS_PREFIX",
    "INTERACTION",
    "INTERACTION_NS",
    "ORDER_TYPES",
    "QUEUE",
    "QUEUE_NS",
    "SESSION",
    "SESSION_NS",
    "TARGET_KINDS",
    "WS",
    "WS_NS",
]
