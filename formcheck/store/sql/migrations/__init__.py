"""formcheck database migrations (Alembic scripts)."""
