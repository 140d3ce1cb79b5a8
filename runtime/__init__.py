"""scxmlc_runtime: the runtime that runs the tables emitted by scxmlc."""
