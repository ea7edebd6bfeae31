"""SQLAlchemy lives here and in migrations/ only."""
