"""Compile-time checks of the `ws:` module: `<ws:response>` answers with `<param>`s or one `<content>`, not both (ors-server.md §5.3)."""

from __future__ import annotations

from scxmlc_runtime.extensions import Element
from scxmlc_runtime.ors.declarations import WS

from .. import model as m
from ..diagnostics import Diagnostics
from . import register


def check(action: m.ModuleAction, element: Element, diags: Diagnostics) -> None:
    if action.tag == "response" and action.params and action.contents:
        diags.error(action.contents[0].loc, "<ws:response> takes <param>s or a <content>, not both")


register(WS, check)
