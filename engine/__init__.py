"""FieldBank engine package."""
