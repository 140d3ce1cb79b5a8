"""Regular expressions compiled on first use: importing `re` (with enum and its compiler) is a
quarter of the runtime's import, and most sessions never parse a delay, a number or a
duration from text (issue 14: the runtime's import time)."""

from __future__ import annotations


class LazyPattern:
    """Stands for `re.compile(pattern, flags)` (its match, fullmatch, search and sub). The
    first read of one of them compiles the pattern and puts the compiled pattern's bound
    methods in this object's slots, so that every later call is the compiled method itself,
    with nothing in between."""

    __slots__ = ("_args", "match", "fullmatch", "search", "sub")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)

    def _compile(self):
        import re

        compiled = re.compile(*self._args)
        self.match = compiled.match
        self.fullmatch = compiled.fullmatch
        self.search = compiled.search
        self.sub = compiled.sub
        return compiled

    def __getattr__(self, name: str):
        # (only reached before the first compile: the four methods are then slots)
        if name in ("match", "fullmatch", "search", "sub"):
            return getattr(self._compile(), name)
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._args[0]!r})"
