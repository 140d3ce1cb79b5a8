"""Diagnostics: compiler messages that carry a source location, collected before giving up."""

from __future__ import annotations

from dataclasses import dataclass, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .positions import Positions


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source document (1-based line and column; 0 when unknown)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}" if self.column else f"{self.file}:{self.line}"


def _positions() -> Positions:
    from .positions import Positions  # (positions.py builds Locations: imported here, not above)

    return Positions()


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error", "warning" or "info"
    location: Location
    message: str

    def __str__(self) -> str:
        # One line per problem, whatever a quoted attribute value holds: line breaks (also the
        # ones str.splitlines() breaks at) are written as their escapes, so a value cannot
        # make a diagnostic look like several, or like another file's.
        return f"{self.location}: {self.severity}: {self.message.translate(_ONE_LINE)}"


_ONE_LINE = {c: repr(chr(c))[1:-1] for c in (0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)}


@dataclass
class Diagnostics:
    """Collects every problem of a compilation; the caller decides when to give up."""

    items: list[Diagnostic] = field(default_factory=list)
    # Where the elements of the documents being compiled begin (positions.py): the columns of
    # their locations, and the place of an error inside an expression or a script.
    positions: Positions = field(default_factory=_positions, repr=False, compare=False)

    def error(self, location: Location, message: str) -> None:
        self.items.append(Diagnostic("error", location, message))

    def warning(self, location: Location, message: str) -> None:
        self.items.append(Diagnostic("warning", location, message))

    def info(self, location: Location, message: str) -> None:
        """Worth knowing, not a problem (shown by `scxmlc check --verbose`)."""
        self.items.append(Diagnostic("info", location, message))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def in_order(self) -> list[Diagnostic]:
        """Every diagnostic in the order of the text, whichever pass found it: file by file
        (in the order the files were first named), then by line and column."""
        files: dict[str, int] = {}
        for d in self.items:
            files.setdefault(d.location.file, len(files))
        return sorted(self.items, key=lambda d: (files[d.location.file], d.location.line, d.location.column))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise CompileError(self.in_order())


class CompileWarning(UserWarning):
    """A compile warning, reported through Python's `warnings` module by `scxmlc.load()`,
    `load_string()` and `compile_file()` (the message is `file:line:column: warning: ...`)."""


class CompileError(Exception):
    """Raised when a document cannot be compiled; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics if d.severity == "error"))
