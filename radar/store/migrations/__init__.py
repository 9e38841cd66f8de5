"""Store: Alembic migrations of the schema (env.py, and one module per revision in versions/)."""
