"""The strict list of W3C entries known to fail, each with its reason (it only shrinks)."""

XFAIL: dict[str, str] = {}

# Entries that pass only vacuously: they check that something does NOT happen, and pass only
# because a feature they rely on is missing. They must pass, but the status table does not
# count them as conformance. (Empty since <invoke> works; kept for the features to come.)
VACUOUS: dict[str, str] = {}
