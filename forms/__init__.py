"""FieldBank forms package."""
