"""FieldBank documents package."""
