"""Store migrations: Alembic's environment, run by ``radar.store.schema`` on its connection."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.types import TypeDecorator

from radar.store.schema import SchemaError, schema_metadata


def render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write a Radar column type as the database type it stores (``EpochMillis`` is a
    BigInteger), so a revision never imports the models it must outlive."""
    if kind == "type" and isinstance(item, TypeDecorator):
        impl = item.impl_instance
        return f"sa.{impl!r}"
    return False


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None or context.is_offline_mode():
        msg = "run migrations with `radar store upgrade` (it holds the upgrade lock)"
        raise SchemaError(msg)
    context.configure(
        connection=connection,
        target_metadata=schema_metadata(),
        render_item=render_item,
        render_as_batch=True,  # SQLite alters a table by copying it; batch mode does that
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
