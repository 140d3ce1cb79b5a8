"""uneval and toSource — placeholder until the full implementation lands."""
