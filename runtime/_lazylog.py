"""Loggers made on first use: importing `logging` (and the traceback, linecache, tokenize,
textwrap and string modules it pulls in) costs milliseconds, and a chart that runs without
errors never logs (issue 14: the runtime's import time)."""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any


class LazyLogger:
    """Stands for `logging.getLogger(name)`: the first attribute read (`.debug`, `.exception`,
    ...) imports logging and gets the logger by its name, which is the one to configure."""

    __slots__ = ("name", "_logger")

    def __init__(self, name: str) -> None:
        self.name = name
        self._logger = None

    def __getattr__(self, attr: str) -> Any:
        logger = self._logger
        if logger is None:
            import logging  # (imported on first use: keeps the runtime's import light, issue 14)

            logger = self._logger = logging.getLogger(self.name)
        return getattr(logger, attr)

    def __repr__(self) -> str:
        return f"<LazyLogger {self.name}>"
