"""Shared test fixtures: settings isolated per test, the repository's paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data dir and no settings from the developer's shell."""
    import os

    for name in list(os.environ):
        if name.startswith("RADAR_") or name == "KAFKA_HOME":
            monkeypatch.delenv(name)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("RADAR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("RADAR_BROKER_CACHE_DIR", str(ROOT / ".cache" / "kafka"))
    # derived model tables are built once per checkout, not once per test
    monkeypatch.setenv("RADAR_CACHE_DIR", str(ROOT / ".cache" / "models"))
    yield data_dir


@pytest.fixture(scope="session")
def generated_reviews_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A labelled ``cat,label,review`` CSV of 3,000 reviews from the demo's text generator
    (the shape of the shared set; tests that need the shared set itself use ``tests.needs``)."""
    import csv
    import random

    from ingest.demo_texts import compose
    from ingest.demo_texts_vocab import vocabulary

    rng = random.Random(20261120)
    categories = list(vocabulary().categories)
    path = tmp_path_factory.mktemp("reviews") / "generated_reviews.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["cat", "label", "review"])
        for number in range(3000):
            category = categories[number // 2 % len(categories)]
            positive = number % 2 == 0  # every category has both labels
            writer.writerow([category, int(positive), compose(rng, category, positive).text])
    return path


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A real PostgreSQL for the session (Debian's package, started here)."""
    from tests.postgres import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres_server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL for each supported database: SQLite file and real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'radar.db'}"
    return str(request.getfixturevalue("postgres_url"))
