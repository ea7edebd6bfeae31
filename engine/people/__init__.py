"""Staff, roles and branches."""
