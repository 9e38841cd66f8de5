"""Shared test fixtures: settings isolated per test, the repository's paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data" / "reviews_train.csv"


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
    yield data_dir


@pytest.fixture
def reviews_csv() -> Path:
    """The shared labelled reviews (``../shared/data/reviews_train.csv``)."""
    if not SHARED_DATA.exists():
        pytest.skip(f"{SHARED_DATA} is missing; the shared folder must sit beside the repository")
    return SHARED_DATA
