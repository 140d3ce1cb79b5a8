"""JavaScript value model, operators and built-ins for transpiled ECMAScript."""
