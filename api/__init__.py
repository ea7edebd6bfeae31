"""FieldBank api package."""
