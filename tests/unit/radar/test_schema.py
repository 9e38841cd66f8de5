"""Store schema: Alembic's migrations adopt a store of the last release with its rows, agree with
the models, and run safely from several processes at once (SQLite and real PostgreSQL)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
)

from radar.store import Store, make_engine
from radar.store import schema as store_schema
from radar.store.schema import current_revision, head_revision, schema_metadata, upgrade

BEFORE_MIGRATIONS = Path(__file__).resolve().parents[2] / "data" / "store"
ROWS_PER_TABLE = 3


def create_store_of_the_last_release(engine: Engine) -> None:
    """The tables and indexes as ``Store.create_schema`` made them before migrations."""
    ddl = (BEFORE_MIGRATIONS / f"before_migrations.{engine.dialect.name}.sql").read_text("utf-8")
    body = "\n".join(line for line in ddl.splitlines() if not line.startswith("--"))
    with engine.begin() as conn:
        for statement in filter(None, (part.strip() for part in body.split(";"))):
            conn.exec_driver_sql(statement)


def value(column: Column[Any], n: int) -> Any:
    """A value of the column's type, different per row, Chinese where text goes."""
    kind = column.type
    if isinstance(kind, Boolean):
        return n % 2 == 0
    if isinstance(kind, BigInteger):
        return 1_796_000_000_000 + n * 60_000  # epoch milliseconds, as EpochMillis keeps them
    if isinstance(kind, Integer):
        return n + 1
    if isinstance(kind, Float):
        return n / 4
    if isinstance(kind, JSON):
        return {"词": ["差评", n], "ok": True}
    if isinstance(kind, String) and kind.length:
        return f"{column.name[:8]}-{n}-物流"[: kind.length]
    if isinstance(kind, String | Text):
        return f"第{n}条：快递太慢了 {column.name}"
    msg = f"no sample value for {column.table.name}.{column.name} ({kind!r})"
    raise AssertionError(msg)


def reflected(engine: Engine) -> MetaData:
    found = MetaData()
    found.reflect(engine)
    if "alembic_version" in found.tables:
        found.remove(found.tables["alembic_version"])
    return found


def fill(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Rows in every table of the store, as written; the reflected columns decide the values."""
    written: dict[str, list[dict[str, Any]]] = {}
    with engine.begin() as conn:
        for table in reflected(engine).sorted_tables:
            rows = [{c.name: value(c, n) for c in table.columns} for n in range(ROWS_PER_TABLE)]
            conn.execute(table.insert(), rows)
            written[table.name] = rows
    return written


def read_back(engine: Engine, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    tables = reflected(engine).tables
    with engine.connect() as conn:
        return {
            name: sorted(
                (dict(row._mapping) for row in conn.execute(select(tables[name]))),
                key=lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False),
            )
            for name in names
        }


def drift(engine: Engine, metadata: MetaData | None = None) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata or schema_metadata()))


def test_a_store_of_the_last_release_keeps_every_row_through_the_upgrade(store_url: str) -> None:
    engine = make_engine(store_url)
    create_store_of_the_last_release(engine)
    written = fill(engine)
    assert len(written) == len(schema_metadata().tables) == 24
    before = read_back(engine, sorted(written))

    done = upgrade(engine)

    assert (done.before, done.after) == (None, head_revision())
    assert read_back(engine, sorted(written)) == before
    assert drift(engine) == []
    # and today's code reads what the last release wrote
    assert Store(engine).report()["events"]["total"] == ROWS_PER_TABLE


def test_a_store_the_last_release_made_without_its_late_indexes_gets_them(store_url: str) -> None:
    engine = make_engine(store_url)
    create_store_of_the_last_release(engine)
    with engine.begin() as conn:
        for name in ("ix_events_stored", "ix_event_topics_created", "ix_events_duplicate_of"):
            conn.exec_driver_sql(f"DROP INDEX {name}")
    assert drift(engine) != []
    upgrade(engine)
    assert drift(engine) == []


def test_models_and_migrations_agree(store_url: str) -> None:
    """Fails when a table, column, type or index changes without a revision (add one with
    `radar store revision "what changed"`)."""
    engine = make_engine(store_url)
    upgrade(engine)
    assert drift(engine) == []


def test_the_agreement_check_sees_a_column_no_revision_adds(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    models = MetaData()
    for table in schema_metadata().sorted_tables:
        table.to_metadata(models)
    models.tables["heartbeats"].append_column(Column("region", String(100)))
    differences = drift(engine, models)
    assert [(d[0], d[3].name) for d in differences] == [("add_column", "region")]


def test_an_upgraded_store_is_left_alone_and_costs_one_read(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'radar.db'}")
    first, second = upgrade(engine), upgrade(engine)
    assert first.changed and not second.changed
    assert second.before == second.after == head_revision()


def test_a_store_a_newer_release_upgraded_is_left_as_it_is(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'radar.db'}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    done = upgrade(engine)
    assert (done.before, done.after, done.changed) == ("9999", "9999", False)
    assert "newer release" in caplog.text


def test_services_starting_at_once_upgrade_the_store_once(store_url: str) -> None:
    """Three processes run `radar store upgrade` on one new store at the same moment."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "radar.cli", "store", "upgrade", "--json"],
            env={**os.environ, "RADAR_STORE_URL": store_url},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    finished = [(run.returncode, out, err) for run, (out, err) in zip(runs, outputs, strict=True)]
    assert [code for code, _out, _err in finished] == [0, 0, 0], finished
    answers = [json.loads(out) for _code, out, _err in finished]
    head = head_revision()
    assert [a["after"] for a in answers] == [head] * 3
    engine = make_engine(store_url)
    with engine.connect() as conn:
        assert current_revision(conn) == head
        assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1
    assert drift(engine) == []


def test_a_new_revision_is_written_from_the_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(store_schema.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(store_schema, "MIGRATIONS", copy)
    models = MetaData()
    for table in schema_metadata().sorted_tables:
        table.to_metadata(models)
    Table("notes", models, Column("id", String(64), primary_key=True), Column("body", Text))
    monkeypatch.setattr(store_schema, "schema_metadata", lambda: models)

    path = store_schema.new_revision("notes")

    assert path.parent == copy / "versions" and path.name == "0002_notes.py"
    source = path.read_text(encoding="utf-8")
    assert "down_revision = '0001'" in source or 'down_revision = "0001"' in source
    assert "op.create_table(" in source and "'notes'" in source
    engine = make_engine(f"sqlite:///{tmp_path / 'radar.db'}")
    assert upgrade(engine).after == "0002"
    assert "notes" in inspect(engine).get_table_names()


def test_radar_store_upgrade_says_what_it_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from radar.store.cli import store

    monkeypatch.setenv("RADAR_LANGUAGE", "en")
    monkeypatch.setenv("RADAR_STORE_URL", f"sqlite:///{tmp_path / 'radar.db'}")
    head = head_revision()
    first = CliRunner().invoke(store, ["upgrade"])
    second = CliRunner().invoke(store, ["upgrade"])
    as_json = CliRunner().invoke(store, ["upgrade", "--json"])
    assert first.exit_code == second.exit_code == as_json.exit_code == 0, first.output
    assert f"upgraded from — to {head}" in first.output
    assert f"is at {head}, this release's newest" in second.output
    assert json.loads(as_json.output) == {"before": head, "after": head, "head": head}
