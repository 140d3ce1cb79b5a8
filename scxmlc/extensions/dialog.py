"""Compile-time checks of the `dialog:` module: treatments that cannot do anything (ors-dialect.md §8.1)."""

from __future__ import annotations

from scxmlc_runtime.extensions import Element
from scxmlc_runtime.ors.declarations import DIALOG

from .. import model as m
from ..diagnostics import Diagnostics
from . import register

# what each treatment needs among its children to do anything
_NEEDS = {"play": ("prompts",), "collect": ("input",), "playandcollect": ("prompts", "input"), "playandverify": ("prompts", "input")}


def check(action: m.ModuleAction, element: Element, diags: Diagnostics) -> None:
    for tag in _NEEDS.get(action.tag, ()):
        if not any(c.tag == tag for c in action.children):
            diags.warning(action.loc, f"<{action.label}> has no <dialog:{tag}>")
    if action.tag == "prompts" and not action.children:
        diags.warning(action.loc, "<dialog:prompts> has no <dialog:prompt>")
    if action.tag == "runtreatments" and not action.children:
        diags.warning(action.loc, "<dialog:runtreatments> has no treatments")


register(DIALOG, check)
