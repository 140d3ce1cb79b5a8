"""Compile-time checks of the `session:` module that its declaration cannot express (ors-extensions.md §12)."""

from __future__ import annotations

from scxmlc_runtime.extensions import Element
from scxmlc_runtime.ors.declarations import SESSION

from .. import model as m
from ..diagnostics import Diagnostics
from . import register, static_string

# Attributes an ESP fetch ignores (§3.9).
_ESP_IGNORED = ("type", "maxage", "maxstale", "enctype")


def check(action: m.ModuleAction, element: Element, diags: Diagnostics) -> None:
    where = f"<{action.label}>"
    if action.tag == "fetch":
        if action.params and action.contents:
            diags.error(action.loc, f"{where} must not have both <param> and <content> (§3.2)")
        method = (static_string(action.attr("method")) or ("get" if action.attr("method") is None else "")).lower()
        enctype = (static_string(action.attr("enctype")) or "").lower()
        if method in ("get", "delete") and enctype == "application/json":
            diags.warning(
                action.loc,
                f"{where}: {method.upper()} cannot send JSON; the request is URL-encoded instead (enctype is ignored)",
            )
        if method == "esp":
            ignored = [a for a in _ESP_IGNORED if action.attr(a) is not None]
            if ignored:
                diags.warning(action.loc, f"{where}: an ESP fetch ignores {', '.join(ignored)}")
    elif action.tag in ("start", "updatestart"):
        if action.attr("idealtime") is not None and action.attr("delay") is not None:
            diags.warning(action.loc, f"{where} has both 'idealtime' and 'delay': delay is ignored")


register(SESSION, check)
