"""Store: the schema's revisions, oldest first (Alembic reads them; see radar/store/schema.py)."""
