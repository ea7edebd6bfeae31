"""FieldBank crypto package."""
