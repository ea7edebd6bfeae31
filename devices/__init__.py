"""FieldBank devices package."""
