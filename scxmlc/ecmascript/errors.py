"""The compile-time error of the ECMAScript front end."""

from __future__ import annotations


class ECMAScriptSyntaxError(Exception):
    """Source the transpiler cannot accept: a syntax error, or a construct scxmlc does not
    support (eval, with, generators, ...). `line` and `column` are 1-based, in the source
    text that was given to the Transpiler method."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(f"{message} (line {line}, column {column})")
        self.message = message
        self.line = line
        self.column = column
