"""ECMAScript to Python ast transpiler."""
