"""Compile-time checks of the `queue:` module: literal target strings and skill expressions parse (ors-extensions.md §9, §12)."""

from __future__ import annotations

from scxmlc_runtime.extensions import Element
from scxmlc_runtime.ors.declarations import QUEUE
from scxmlc_runtime.ors.targets import TargetError, parse_skill, parse_target

from .. import model as m
from ..diagnostics import Diagnostics
from . import register, static_string


def check(action: m.ModuleAction, element: Element, diags: Diagnostics) -> None:
    if action.tag == "submit":
        if not any(t.children for t in action.children if t.tag == "targets"):
            diags.warning(action.loc, "<queue:submit> has no targets (<queue:targets> with <queue:target> or <queue:targetid>)")
    elif action.tag == "targetid":
        _literal_parses(action, "expr", parse_target, diags)
    elif action.tag == "target":
        _literal_parses(action, "skillexpr", parse_skill, diags)
        if action.attr("name") is None and action.attr("skillexpr") is None:
            diags.error(action.loc, "<queue:target> needs a name or a skillexpr")
    elif action.tag == "cancel":
        if action.attr("requestid") is None and action.attr("interactionid") is None:
            diags.error(action.loc, "<queue:cancel> needs requestid or interactionid")


def _literal_parses(action: m.ModuleAction, attr: str, parse, diags: Diagnostics) -> None:
    """A literal value of `attr` must parse (a target string, a skill expression)."""
    text = static_string(action.attr(attr))
    if text is not None:
        try:
            parse(text)
        except TargetError as exc:
            diags.error(action.loc, f"<{action.label}>: {exc}")


register(QUEUE, check)
