"""Routing targets of `<queue:submit>`: target strings (`name@server.TYPE`) and skill expressions, parsed and checked (ors-extensions.md §9).

A target string names an object known to a Stat Server (or a switch), with its type:
`ghb0002@Stat_Server_DC1.A` (an agent), `GHB_ALL@Stat_Server.GA` (an agent group),
`7001@SIP_Switch.DN`, `?:(psap1 > 0)@Stat_Server.GA` (the agents with those skills). It may start
with a threshold in braces and a weight in brackets: `{ready > 1}[60]Sales@SS.GA`. The compiler
checks the literal ones (scxmlc/extensions/queue.py), the routing adapter gets them parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Target types and what they name.
TYPES = {
    "A": "agent",
    "AP": "place",
    "GA": "agentgroup",
    "GP": "placegroup",
    "Q": "queue",
    "DN": "dn",
    "RP": "routingpoint",
    "DL": "destinationlabel",
}
KIND_CODES = {kind: code for code, kind in TYPES.items()}


class TargetError(ValueError):
    """A target string or skill expression that does not parse; the message says why."""


@dataclass(frozen=True)
class Target:
    kind: str  # "agent", "agentgroup", ... (TYPES' values)
    name: str  # the object's name; "" for a skill expression
    server: str  # the Stat Server or switch ("" when left empty: `7001@.DN`)
    skill: "Skill | None" = None  # for `?:expression@server.TYPE`
    threshold: str | None = None
    weight: float | None = None
    text: str = ""  # as written

    @property
    def code(self) -> str:
        return KIND_CODES[self.kind]


_TARGET = re.compile(
    r"""^\s*
    (?:\{(?P<threshold>[^{}]*)\})?
    (?:\[(?P<weight>[^\[\]]*)\])?
    (?P<object>\?:.*|[^@\s][^@]*?)
    @(?P<server>[^@.\s]*)
    \.(?P<type>[A-Za-z]+)
    \s*$""",
    re.X,
)


def parse_target(text: str) -> Target:
    """A target string, parsed; TargetError when it is not one."""
    m = _TARGET.match(text)
    if not m:
        raise TargetError(f"{text!r} is not a target (name@server.TYPE, e.g. 'Sales@StatServer.GA')")
    code = m.group("type")
    if code not in TYPES:
        raise TargetError(f"{text!r}: unknown target type {code!r} (one of {', '.join(TYPES)})")
    weight = None
    if m.group("weight") is not None:
        try:
            weight = float(m.group("weight"))
        except ValueError:
            raise TargetError(f"{text!r}: the weight [{m.group('weight')}] is not a number") from None
    obj = m.group("object").strip()
    skill = None
    name = obj
    if obj.startswith("?:"):
        skill = parse_skill(obj[2:])
        name = ""
    elif not obj:
        raise TargetError(f"{text!r}: no object name before @")
    return Target(TYPES[code], name, m.group("server"), skill, m.group("threshold"), weight, text.strip())


def target_from_element(args: dict) -> Target:
    """A `<queue:target name type statserver skillexpr weight>`'s evaluated attributes."""
    kind = (args.get("type") or "agentgroup").strip().lower()
    if kind not in KIND_CODES:
        raise TargetError(f"unknown target type {kind!r} (one of {', '.join(KIND_CODES)})")
    skill = parse_skill(args["skillexpr"]) if args.get("skillexpr") else None
    name = args.get("name") or ""
    if not name and skill is None:
        raise TargetError("a <queue:target> needs a name or a skillexpr")
    server = args.get("statserver") or ""
    text = f"{'?:' + args['skillexpr'] if skill is not None and not name else name}@{server}.{KIND_CODES[kind]}"
    return Target(kind, name, server, skill, args.get("threshold"), args.get("weight"), text)


# -- skill expressions ----------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<op>>=|<=|<>|!=|==|&&|\|\||[()<>=!&|])|(?P<name>[A-Za-z_][\w.\-]*))")


@dataclass(frozen=True)
class Skill:
    """A parsed skill expression: `Loan > 1 & (English >= 5 | French >= 5)`. A skill an agent
    lacks has level 0."""

    node: tuple
    text: str

    def holds(self, skills: dict[str, float]) -> bool:
        return bool(_eval(self.node, skills))


def parse_skill(text: str) -> Skill:
    tokens = _tokens(text)
    pos, node = _or(tokens, 0, text)
    if pos != len(tokens):
        raise TargetError(f"skill expression {text!r}: unexpected {tokens[pos][1]!r}")
    return Skill(node, text.strip())


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise TargetError(f"skill expression {text!r}: unexpected {text[pos:].strip()[:10]!r}")
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "name" and value.upper() in ("AND", "OR", "NOT"):
            kind, value = "op", {"AND": "&", "OR": "|", "NOT": "!"}[value.upper()]
        out.append((kind, {"&&": "&", "||": "|", "==": "=", "<>": "!="}.get(value, value)))
    return out


def _chain(tokens, pos, text, op, operand):
    """operand (op operand)*, left-associative."""
    pos, left = operand(tokens, pos, text)
    while pos < len(tokens) and tokens[pos] == ("op", op):
        pos, right = operand(tokens, pos + 1, text)
        left = (op, left, right)
    return pos, left


def _or(tokens, pos, text):
    return _chain(tokens, pos, text, "|", _and)


def _and(tokens, pos, text):
    return _chain(tokens, pos, text, "&", _not)


def _not(tokens, pos, text):
    if pos < len(tokens) and tokens[pos] == ("op", "!"):
        pos, operand = _not(tokens, pos + 1, text)
        return pos, ("!", operand)
    return _compare(tokens, pos, text)


def _compare(tokens, pos, text):
    pos, left = _atom(tokens, pos, text)
    if pos < len(tokens) and tokens[pos][0] == "op" and tokens[pos][1] in (">", ">=", "<", "<=", "=", "!="):
        op = tokens[pos][1]
        pos, right = _atom(tokens, pos + 1, text)
        return pos, ("cmp", op, left, right)
    return pos, left


def _atom(tokens, pos, text):
    if pos >= len(tokens):
        raise TargetError(f"skill expression {text!r} ends too soon")
    kind, value = tokens[pos]
    if kind == "num":
        return pos + 1, ("num", float(value))
    if kind == "name":
        return pos + 1, ("skill", value)
    if value == "(":
        pos, node = _or(tokens, pos + 1, text)
        if pos >= len(tokens) or tokens[pos] != ("op", ")"):
            raise TargetError(f"skill expression {text!r}: a '(' is not closed")
        return pos + 1, node
    raise TargetError(f"skill expression {text!r}: unexpected {value!r}")


def _eval(node: tuple, skills: dict[str, float]) -> Any:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "skill":
        return float(skills.get(node[1], 0))
    if kind == "!":
        return not _eval(node[1], skills)
    if kind == "&":
        return _eval(node[1], skills) and _eval(node[2], skills)
    if kind == "|":
        return _eval(node[1], skills) or _eval(node[2], skills)
    _, op, a, b = node
    x, y = float(_eval(a, skills)), float(_eval(b, skills))
    return {">": x > y, ">=": x >= y, "<": x < y, "<=": x <= y, "=": x == y, "!=": x != y}[op]


__all__ = ["KIND_CODES", "Skill", "TYPES", "Target", "TargetError", "parse_skill", "parse_target", "target_from_element"]
