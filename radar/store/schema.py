"""Store: Alembic owns the schema; ``upgrade`` brings any store to this release's tables.

Every service runs :func:`upgrade` at start (``Store.from_settings``), and so does
``radar store upgrade``. Several services may start at once: the migrations run in one
transaction that first takes a lock every other upgrader waits for (an advisory lock on
PostgreSQL, the database's write lock on SQLite), and the one that comes second finds
the store at the newest revision and does nothing. A store made before migrations
existed (no ``alembic_version`` table) is adopted by the baseline revision, which only
creates what such a store lacks.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData

from radar.errors import RadarError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
#: pg_advisory_xact_lock key of schema upgrades ("radar" in ASCII, as a bigint)
PG_LOCK_KEY = 0x7261646172


class SchemaError(RadarError):
    """The store's schema could not be brought to this release's revision."""


@dataclass(frozen=True)
class Upgrade:
    """What :func:`upgrade` found and left: revisions before and after (None: no revision)."""

    before: str | None
    after: str | None
    head: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def as_dict(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after, "head": self.head}


def schema_metadata() -> MetaData:
    """The MetaData of every Radar table, each module that declares tables imported."""
    # imported here: these modules import the Store, which imports this module
    from radar.store import (  # noqa: F401
        alerting,
        audit,
        claims,
        daily,
        digests,
        health,
        improvements,
        incidents,
        rollups,
        samples,
        signals,
        silences,
        tables,
    )
    from radar.store.db import metadata

    return metadata


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for Radar's migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")  # versions/ beside it, the default
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision this release knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "radar/store/migrations/versions holds no revision"
    return head


def current_revision(connection: Connection) -> str | None:
    """The store's revision (None for an empty store, or one made before migrations)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> Upgrade:
    """Bring the store to the newest revision; safe to run from several processes at once.

    A store already there costs one read. A store at a revision this release does not
    know was upgraded by a newer release (during a rolling upgrade, say): it is left as
    it is, with a warning, since migrations only add to what older releases read.
    """
    scripts = ScriptDirectory.from_config(alembic_config())
    head = str(scripts.get_current_head())
    known = {script.revision for script in scripts.walk_revisions()}
    with engine.connect() as conn:
        before = current_revision(conn)
        conn.rollback()
        if before == head:
            return Upgrade(before, before, head)
        if before is not None and before not in known:
            log.warning(
                "the store is at revision %s, which this release does not know (its newest is "
                "%s): a newer release upgraded it; running on it unchanged",
                before,
                head,
            )
            return Upgrade(before, before, head)
        with conn.begin():
            _lock(conn)
            command.upgrade(alembic_config(conn), "head")
            after = current_revision(conn)
    if before != after:
        log.info("store schema upgraded from %s to %s", before or "(none)", after)
    return Upgrade(before, after, head)


def new_revision(message: str) -> Path:
    """Write the revision that takes a store from the newest revision to what the models
    declare now (Alembic's autogenerate against a throwaway SQLite store); returns its file.

    For developers: read and finish the file (data moves, PostgreSQL specifics) before
    committing it; ``tests/unit/radar/test_schema.py`` fails until models and revisions agree.
    """
    from radar.store.db import make_engine

    scripts = ScriptDirectory.from_config(alembic_config())
    number = len(list(scripts.walk_revisions())) + 1
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'head.db'}")
        try:
            if number > 1:
                upgrade(engine)
            with engine.begin() as conn:
                made = command.revision(
                    alembic_config(conn), message=message, autogenerate=True, rev_id=f"{number:04d}"
                )
        finally:
            engine.dispose()
    assert made is not None and not isinstance(made, list)
    return Path(made.path)


def _lock(conn: Connection) -> None:
    """Hold the upgrade lock until the transaction ends; other upgraders wait for it."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})")
    elif dialect == "sqlite":
        # the file's write lock, taken now rather than at the first write: a second
        # upgrader waits here (busy_timeout) and then reads the revision the first left
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        msg = f"store dialect {dialect!r} is not supported; use SQLite or PostgreSQL"
        raise SchemaError(msg)
