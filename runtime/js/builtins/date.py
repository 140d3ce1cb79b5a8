"""Date (ES5.1 15.9) — placeholder until the full implementation lands."""
