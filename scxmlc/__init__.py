"""scxmlc: compile W3C SCXML charts with ECMAScript into standalone Python modules."""
__version__ = "0.1.0"
